/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/conffile.c: lxcshim.conf's keys, the lxc-start choice among them;
 * a bad line is one error naming the file and line. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <string.h>

#include "conffile.h"

static void
test_keys (void **state UNUSED)
{
	struct conffile c;
	lxcshim_error_t err = NULL;

	check_ok (conffile_parse ("# site\nroot = /run/x\n\nlxc-include = /a\nlxc-include=/b\n  lxcpath =  /l  \n", "f", &c, &err),
	          &err);
	assert_string_equal (c.root, "/run/x");
	assert_string_equal (c.lxcpath, "/l");
	assert_string_equal (c.lxc_includes[0], "/a");
	assert_string_equal (c.lxc_includes[1], "/b");
	assert_null (c.lxc_includes[2]);
	assert_false (c.exec_lxc_start);
	conffile_release (&c);
}

static void
test_lxc_start (void **state UNUSED)
{
	struct conffile c;
	lxcshim_error_t err = NULL;

	check_ok (conffile_parse ("lxc-start = exec\n", "f", &c, &err), &err);
	assert_true (c.exec_lxc_start);
	conffile_release (&c);
	/* The last one wins, as for every single-valued key. */
	check_ok (conffile_parse ("lxc-start = exec\nlxc-start = auto\n", "f", &c, &err), &err);
	assert_false (c.exec_lxc_start);
	conffile_release (&c);
	assert_int_equal (conffile_parse ("root = /r\nlxc-start = fork\n", "/etc/x.conf", &c, &err), -1);
	assert_int_equal (err->status, EINVAL);
	assert_string_equal (err->msg, "/etc/x.conf:2: lxc-start must be auto or exec, not \"fork\"");
	lxcshim_error_release (&err);
	assert_null (c.root);
}

static void
test_bad_lines (void **state UNUSED)
{
	struct conffile c;
	lxcshim_error_t err = NULL;

	assert_int_equal (conffile_parse ("lxc_start = exec\n", "f", &c, &err), -1);
	assert_non_null (strstr (err->msg, "f:1: unknown key \"lxc_start\""));
	assert_non_null (strstr (err->msg, "lxc-start"));
	lxcshim_error_release (&err);
	assert_int_equal (conffile_parse ("root /r\n", "f", &c, &err), -1);
	assert_string_equal (err->msg, "f:1: expected \"key = value\"");
	lxcshim_error_release (&err);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_keys),
		cmocka_unit_test (test_lxc_start),
		cmocka_unit_test (test_bad_lines),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
