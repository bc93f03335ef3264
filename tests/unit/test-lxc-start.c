/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/lxc-start.c: the lxc-start argv that --dry-run prints, parsed back
 * into the in-process start's call; every form params_argv() writes
 * comes back field for field, anything else is refused. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <string.h>

#include "lxc-start.h"
#include "params.h"
#include "protocol.h"
#include "spec.h"
#include "util.h"

static lxcshim_spec_t *
spec_named (const char *name, char *const *command, bool tty)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	check_ok (lxcshim_spec_set (s, "name", name, &err), &err);
	if (tty)
		check_ok (lxcshim_spec_set (s, "tty", "true", &err), &err);
	check_ok (lxcshim_spec_set_command (s, command, &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	return s;
}

static void
test_round_trip (void **state UNUSED)
{
	char *command[] = { "sh", "-c", "exit 3", "--", "-n", "", NULL };
	lxcshim_spec_t *s = spec_named ("web", command, true);
	struct params p = {
		.lxc_start = "/usr/bin/lxc-start", .lxc_version = "5.0.2", .config_path = "/run/x/web/config",
		.lxcpath = "/var/lib/lxc", .log_file = "/run/x/web/lxc.log", .log_level = "INFO",
	};
	_cleanup_strv_ char **argv = params_argv (s, &p);
	struct lxc_start_call c;
	lxcshim_error_t err = NULL;
	size_t i;

	check_ok (lxc_start_call_parse (argv, &c, &err), &err);
	assert_string_equal (c.name, "web");
	assert_string_equal (c.config, "/run/x/web/config");
	assert_string_equal (c.lxcpath, "/var/lib/lxc");
	assert_string_equal (c.log_file, "/run/x/web/lxc.log");
	assert_string_equal (c.log_level, "INFO");
	assert_true (c.foreground);
	assert_true (c.quiet);
	/* The init's argv is exactly what follows the first "--". */
	for (i = 0; argv[i] && strcmp (argv[i], "--") != 0; i++)
		;
	assert_ptr_equal (c.argv, argv + i + 1);
	assert_string_equal (c.argv[0], LXCSHIM_INIT_TARGET);
	assert_string_equal (c.argv[strv_length (c.argv) - 1], "");
	lxcshim_spec_free (s);

	/* Without a log file: no -o/-l. */
	p.log_file = NULL;
	s = spec_named ("c1", command, false);
	strv_free (argv);
	argv = params_argv (s, &p);
	check_ok (lxc_start_call_parse (argv, &c, &err), &err);
	assert_null (c.log_file);
	assert_null (c.log_level);
	assert_string_equal (c.name, "c1");
	lxcshim_spec_free (s);
}

static void
test_refused (void **state UNUSED)
{
	static const char *const bad[][12] = {
		{ NULL },
		{ "lxc-start", "-n", "a", "-f", "c", "-P", "p", NULL },             /* no "--" */
		{ "lxc-start", "-n", "a", "-f", "c", "-P", "p", "--", NULL },       /* nothing after it */
		{ "lxc-start", "-n", "a", "-f", "c", "-d", "-P", "p", "--", "x", NULL }, /* daemonize */
		{ "lxc-start", "-n", "a", "-P", "p", "--", "x", NULL },             /* no -f */
		{ "lxc-start", "-n", "a", "-f", "c", "-P", NULL },                  /* -P without a value */
		{ "lxc-start", "-n", "a", "-f", "c", "-P", "p", "-s", "k=v", "--", "x", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE (bad); i++) {
		struct lxc_start_call c;
		lxcshim_error_t err = NULL;

		assert_int_equal (lxc_start_call_parse ((char *const *) bad[i], &c, &err), -1);
		assert_non_null (err);
		assert_int_equal (err->status, EINVAL);
		assert_null (strchr (err->msg, '\n'));
		lxcshim_error_release (&err);
	}
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_round_trip),
		cmocka_unit_test (test_refused),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
