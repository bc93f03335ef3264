/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spec.c: spec_copy is deep (a run completes its copy, never the
 * caller's spec); finalizing the copy leaves the original as it was. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include "spec.h"

static lxcshim_spec_t *
full_spec (void)
{
	static const char *const kv[][2] = {
		{ "env", "A=1" }, { "env", "B" }, { "user", "1:2" }, { "workdir", "/w" }, { "hostname", "h" },
		{ "memory", "64m" }, { "cpuset-cpus", "0" }, { "volume", "/src:/dst:ro" }, { "volume", "/a:/b" },
		{ "cap-add", "NET_ADMIN" }, { "cap-drop", "CHOWN" }, { "lxc-include", "/etc/x.conf" },
		{ "env-file", "/e" }, { "template", "/t" }, { "rootfs", "/r" }, { "rm", "true" }, { "privileged", "1" },
	};
	char *argv[] = { "/bin/sh", "-c", "true", NULL };
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		check_ok (lxcshim_spec_set (s, kv[i][0], kv[i][1], &err), &err);
	check_ok (lxcshim_spec_set_command (s, argv, &err), &err);
	return s;
}

static void
test_copy_is_deep (void **state UNUSED)
{
	lxcshim_spec_t *s = full_spec (), *c = spec_copy (s);

	/* Every owned field is a copy, not the same pointer. */
	assert_ptr_not_equal (c->command, s->command);
	assert_ptr_not_equal (c->env.v, s->env.v);
	assert_ptr_not_equal (c->volumes, s->volumes);
	assert_ptr_not_equal (c->volumes[0].source, s->volumes[0].source);
	assert_ptr_not_equal (c->cap_add, s->cap_add);
	assert_ptr_not_equal (c->user, s->user);
	lxcshim_spec_free (s);
	/* Readable after the original is gone (ASan would see a use after free). */
	assert_string_equal (c->command[2], "true");
	assert_int_equal (c->env.n, 2);
	assert_string_equal (c->env.v[1], "B");
	assert_int_equal (c->n_volumes, 2);
	assert_string_equal (c->volumes[1].target, "/b");
	assert_true (c->volumes[0].readonly);
	assert_string_equal (c->cap_drop[0], "CHOWN");
	assert_string_equal (c->lxc_includes[0], "/etc/x.conf");
	assert_string_equal (c->env_files[0], "/e");
	assert_string_equal (c->template_path, "/t");
	assert_string_equal (c->rootfs, "/r");
	assert_string_equal (c->cpuset_cpus, "0");
	assert_string_equal (c->workdir, "/w");
	assert_string_equal (c->hostname, "h");
	assert_int_equal (c->memory, 64 << 20);
	assert_true (c->rm && c->privileged);
	lxcshim_spec_free (c);
}

static void
test_finalize_copy_leaves_original (void **state UNUSED)
{
	char *argv[] = { "/bin/true", NULL };
	lxcshim_spec_t *s = lxcshim_spec_new (), *c;
	lxcshim_error_t err = NULL;

	check_ok (lxcshim_spec_set_command (s, argv, &err), &err);
	c = spec_copy (s);
	check_ok (spec_finalize (c, &err), &err);
	assert_non_null (lxcshim_spec_id (c));
	assert_null (lxcshim_spec_id (s));
	assert_null (s->hostname);
	lxcshim_spec_free (c);
	lxcshim_spec_free (s);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_copy_is_deep),
		cmocka_unit_test (test_finalize_copy_leaves_original),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
