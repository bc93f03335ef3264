/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "check.h"

#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detached.h"
#include "util.h"

/* Every field supervisor.json keeps, each set to something that is not
 * its default, comes back. */
static void
test_args_round_trip (void **state UNUSED)
{
	char *argv[] = { "lxc-start", "-F", "-n", "c1", NULL }, *command[] = { "/bin/sh", "-c", "echo \"hi\"", NULL };
	struct supervise_args in = {
		.id = "c1", .lxcpath = "/var/lib/lxc", .dir = "/run/lxcshim/containers/c1",
		.log_path = "/run/lxcshim/containers/c1/lxc.log", .config_path = "/run/lxcshim/containers/c1/config",
		.rootfs = "/srv/rootfs", .argv = argv, .command = command,
		.shared_root = true, .exec_lxc_start = true, .rm = true, .interactive = true, .tty = true, .autostart = true,
		.start_timeout_ms = 12345,
	};
	struct supervise_args out = { 0 };
	lxcshim_error_t err = NULL;
	char *text = detached_args_to_json (&in);

	check_ok (detached_args_from_json (text, &out, "supervisor.json", &err), &err);
	assert_string_equal (out.id, in.id);
	assert_string_equal (out.lxcpath, in.lxcpath);
	assert_string_equal (out.dir, in.dir);
	assert_string_equal (out.log_path, in.log_path);
	assert_string_equal (out.config_path, in.config_path);
	assert_string_equal (out.rootfs, in.rootfs);
	assert_int_equal (strv_length (out.argv), 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal (out.argv[i], argv[i]);
	assert_int_equal (strv_length (out.command), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal (out.command[i], command[i]);
	assert_true (out.shared_root);
	assert_true (out.exec_lxc_start);
	assert_true (out.rm);
	assert_true (out.interactive);
	assert_true (out.tty);
	assert_true (out.autostart);
	assert_int_equal (out.start_timeout_ms, 12345);
	detached_args_release (&out);
	free (text);

	/* And the defaults come back as defaults. */
	in.shared_root = in.exec_lxc_start = in.rm = in.interactive = in.tty = in.autostart = false;
	in.start_timeout_ms = 0;
	text = detached_args_to_json (&in);
	memset (&out, 0, sizeof out);
	check_ok (detached_args_from_json (text, &out, "supervisor.json", &err), &err);
	assert_false (out.shared_root || out.exec_lxc_start || out.rm || out.interactive || out.tty || out.autostart);
	assert_int_equal (out.start_timeout_ms, 0);
	detached_args_release (&out);
	free (text);
}

static void
test_args_missing (void **state UNUSED)
{
	struct supervise_args out = { 0 };
	lxcshim_error_t err = NULL;

	check_error (detached_args_from_json ("{\"id\":\"c1\"}", &out, "supervisor.json", &err), &err, EINVAL,
	             "malformed supervisor.json: \"lxcpath\" is missing");
	detached_args_release (&out);
	check_error (detached_args_from_json ("{\"id\":\"c\",\"lxcpath\":\"l\",\"dir\":\"d\",\"log_path\":\"l\","
	                                      "\"config_path\":\"c\",\"rootfs\":\"r\",\"argv\":[],\"command\":[]}",
	                                      &out, "supervisor.json", &err),
	             &err, EINVAL, "\"argv\" is empty");
	detached_args_release (&out);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_args_round_trip),
		cmocka_unit_test (test_args_missing),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
