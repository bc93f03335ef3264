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

#include "exec.h"
#include "util.h"

/* Every exec option the helper gets comes back. */
static void
test_request_round_trip (void **state UNUSED)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL }, *env[] = { "A=1", "B", "C=x=y", NULL };
	struct exec_request in = {
		.root = "/run/lxcshim", .lxcpath = "/var/lib/lxc", .id = "c1", .argv = argv, .env = env,
		.user = "nobody:nogroup", .workdir = "/tmp", .tty = true,
		.has_stdin = true, .has_stdout = true, .has_stderr = true,
	};
	struct exec_request out = { 0 };
	lxcshim_error_t err = NULL;
	char *text = exec_request_to_json (&in);

	check_ok (exec_request_from_json (text, &out, &err), &err);
	assert_string_equal (out.root, in.root);
	assert_string_equal (out.lxcpath, in.lxcpath);
	assert_string_equal (out.id, in.id);
	assert_int_equal (strv_length (out.argv), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal (out.argv[i], argv[i]);
	assert_int_equal (strv_length (out.env), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal (out.env[i], env[i]);
	assert_string_equal (out.user, in.user);
	assert_string_equal (out.workdir, in.workdir);
	assert_true (out.tty && out.has_stdin && out.has_stdout && out.has_stderr);
	exec_request_release (&out);
	free (text);

	/* NULL options (root, "/", no env) stay NULL, not "". */
	in.env = NULL;
	in.user = in.workdir = NULL;
	in.tty = in.has_stdin = in.has_stdout = in.has_stderr = false;
	text = exec_request_to_json (&in);
	memset (&out, 0, sizeof out);
	check_ok (exec_request_from_json (text, &out, &err), &err);
	assert_null (out.env);
	assert_null (out.user);
	assert_null (out.workdir);
	assert_false (out.tty || out.has_stdin || out.has_stdout || out.has_stderr);
	exec_request_release (&out);
	free (text);

	check_error (exec_request_from_json ("{\"root\":\"/r\",\"lxcpath\":\"/l\",\"id\":\"c\"}", &out, &err), &err,
	             EINVAL, "\"argv\" is missing");
	exec_request_release (&out);
}

static void
test_reply_round_trip (void **state UNUSED)
{
	struct exec_reply in = { .exit_code = 127, .message = "sh: not found" }, out = { 0 };
	lxcshim_error_t err = NULL;
	char *text = exec_reply_to_json (&in);

	check_ok (exec_reply_from_json (text, &out, &err), &err);
	assert_false (out.failed);
	assert_int_equal (out.exit_code, 127);
	assert_string_equal (out.message, "sh: not found");
	assert_null (out.error);
	exec_reply_release (&out);
	free (text);

	in = (struct exec_reply) { .failed = true, .status = 16, .error = "container c1 is paused: resume it first" };
	text = exec_reply_to_json (&in);
	check_ok (exec_reply_from_json (text, &out, &err), &err);
	assert_true (out.failed);
	assert_int_equal (out.status, 16);
	assert_string_equal (out.error, in.error);
	assert_null (out.message);
	exec_reply_release (&out);
	free (text);

	check_error (exec_reply_from_json ("{\"failed\":true,\"exit_code\":0}", &out, &err), &err, EPROTO,
	             "without a message");
	exec_reply_release (&out);
	check_error (exec_reply_from_json ("", &out, &err), &err, EINVAL, "malformed exec helper reply");
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_request_round_trip),
		cmocka_unit_test (test_reply_round_trip),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
