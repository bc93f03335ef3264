/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json: serialisation, parsing, and the atomic write. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "state.h"
#include "util.h"

/* A state with every field set; the caller releases it. */
static void
full_state (struct state *s)
{
	char *command[] = { "sh", "-c", "echo \"it's\" $HOME\n/path", "", NULL };

	memset (s, 0, sizeof *s);
	s->id = xstrdup ("web-1");
	s->init_pid = 4242;
	s->init_start = 18446744073709551ULL;
	kv_add (&s->cgroups, &s->n_cgroups, "memory", "/sys/fs/cgroup/memory/lxc.payload.web-1");
	kv_add (&s->cgroups, &s->n_cgroups, "cpu", "/sys/fs/cgroup/cpu,cpuacct/lxc.payload.web-1");
	kv_add (&s->cgroups, &s->n_cgroups, "unified", "/sys/fs/cgroup/unified/lxc.payload.web-1");
	kv_add (&s->namespaces, &s->n_namespaces, "NEWNS", "/proc/4242/ns/mnt");
	kv_add (&s->namespaces, &s->n_namespaces, "NEWPID", "/proc/4242/ns/pid");
	s->created = xstrdup ("2024-05-01T12:34:56.123456789Z");
	s->status = xstrdup ("running");
	s->supervisor_pid = 4200;
	s->rootfs = xstrdup ("/srv/root fs/caf\xc3\xa9");
	s->config_path = xstrdup ("/run/lxcshim/web-1/config");
	s->lxcpath = xstrdup ("/var/lib/lxc");
	s->command = strv_copy (command);
}

static void
check_kvs (const struct kv *got, size_t n_got, const struct kv *want, size_t n_want)
{
	assert_int_equal (n_got, n_want);
	for (size_t i = 0; i < n_want; i++) {
		const char *v = kv_get (got, n_got, want[i].key);
		if (v == NULL)
			fail_msg ("key %s missing", want[i].key);
		assert_string_equal (v, want[i].value);
	}
}

static void
check_opt_str (const char *got, const char *want)
{
	if (want == NULL)
		assert_null (got);
	else {
		assert_non_null (got);
		assert_string_equal (got, want);
	}
}

static void
check_equal (const struct state *a, const struct state *b)
{
	size_t n;

	assert_string_equal (a->id, b->id);
	assert_int_equal (a->init_pid, b->init_pid);
	assert_true (a->init_start == b->init_start);
	check_kvs (a->cgroups, a->n_cgroups, b->cgroups, b->n_cgroups);
	check_kvs (a->namespaces, a->n_namespaces, b->namespaces, b->n_namespaces);
	check_opt_str (a->created, b->created);
	check_opt_str (a->status, b->status);
	assert_int_equal (a->supervisor_pid, b->supervisor_pid);
	check_opt_str (a->rootfs, b->rootfs);
	check_opt_str (a->config_path, b->config_path);
	check_opt_str (a->lxcpath, b->lxcpath);
	n = strv_length (b->command);
	assert_non_null (a->command);
	assert_int_equal (strv_length (a->command), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal (a->command[i], b->command[i]);
	assert_int_equal (a->exited, b->exited);
	assert_int_equal (a->exit_code, b->exit_code);
	assert_int_equal (a->oom_killed, b->oom_killed);
	check_opt_str (a->finished, b->finished);
}

/* ---- kv -------------------------------------------------------------- */

static void
test_kv (void **state UNUSED)
{
	struct state s = { 0 };

	assert_null (kv_get (NULL, 0, "x"));
	kv_add (&s.cgroups, &s.n_cgroups, "memory", "/a");
	kv_add (&s.cgroups, &s.n_cgroups, "cpu", "/b");
	kv_add (&s.cgroups, &s.n_cgroups, "", "empty key");
	assert_int_equal (s.n_cgroups, 3);
	assert_string_equal (kv_get (s.cgroups, s.n_cgroups, "memory"), "/a");
	assert_string_equal (kv_get (s.cgroups, s.n_cgroups, "cpu"), "/b");
	assert_string_equal (kv_get (s.cgroups, s.n_cgroups, ""), "empty key");
	assert_null (kv_get (s.cgroups, s.n_cgroups, "mem"));
	assert_null (kv_get (s.cgroups, s.n_cgroups, "memoryx"));
	/* Only the first n entries are looked at. */
	assert_null (kv_get (s.cgroups, 1, "cpu"));
	/* Copies, not the caller's strings. */
	{
		char key[] = "pids", value[] = "/p";
		kv_add (&s.cgroups, &s.n_cgroups, key, value);
		key[0] = 'X';
		value[1] = 'X';
		assert_string_equal (kv_get (s.cgroups, s.n_cgroups, "pids"), "/p");
	}
	state_release (&s);
	assert_null (s.cgroups);
	assert_int_equal (s.n_cgroups, 0);
}

/* ---- state_to_json / state_from_json --------------------------------- */

static void
test_round_trip_running (void **state UNUSED)
{
	struct state s, back;
	lxcshim_error_t err = NULL;
	char *text;
	json_object *o, *v;

	full_state (&s);
	text = state_to_json (&s);
	assert_non_null (text);
	assert_int_equal (text[strlen (text) - 1], '\n');

	/* The keys, by their libcontainer names. */
	o = json_tokener_parse (text);
	assert_non_null (o);
	assert_true (json_object_object_get_ex (o, "id", &v));
	assert_string_equal (json_object_get_string (v), "web-1");
	assert_true (json_object_object_get_ex (o, "init_process_pid", &v));
	assert_int_equal (json_object_get_int (v), 4242);
	assert_true (json_object_object_get_ex (o, "init_process_start", &v));
	assert_true (json_object_get_uint64 (v) == 18446744073709551ULL);
	assert_non_null (strstr (text, "18446744073709551"));
	assert_true (json_object_object_get_ex (o, "cgroup_paths", &v));
	assert_true (json_object_is_type (v, json_type_object));
	assert_true (json_object_object_get_ex (o, "namespace_paths", &v));
	assert_true (json_object_is_type (v, json_type_object));
	assert_true (json_object_object_get_ex (o, "supervisor_pid", &v));
	assert_int_equal (json_object_get_int (v), 4200);
	assert_true (json_object_object_get_ex (o, "status", &v));
	assert_string_equal (json_object_get_string (v), "running");
	assert_true (json_object_object_get_ex (o, "command", &v));
	assert_int_equal (json_object_array_length (v), 4);
	/* Not exited: no exit keys at all. */
	assert_false (json_object_object_get_ex (o, "exit_code", NULL));
	assert_false (json_object_object_get_ex (o, "oom_killed", NULL));
	assert_false (json_object_object_get_ex (o, "finished", NULL));
	json_object_put (o);
	/* Slashes are written plainly. */
	assert_null (strstr (text, "\\/"));
	assert_non_null (strstr (text, "\"/var/lib/lxc\""));

	check_ok (state_from_json (text, &back, &err), &err);
	check_equal (&back, &s);
	assert_false (back.exited);
	assert_null (back.finished);

	free (text);
	state_release (&back);
	state_release (&s);
}

static void
test_round_trip_exited (void **state UNUSED)
{
	struct state s, back;
	lxcshim_error_t err = NULL;
	char *text;
	json_object *o, *v;

	full_state (&s);
	free (s.status);
	s.status = xstrdup ("stopped");
	s.exited = true;
	s.exit_code = 137;
	s.oom_killed = true;
	s.finished = xstrdup ("2024-05-01T12:35:00.000000001Z");

	text = state_to_json (&s);
	o = json_tokener_parse (text);
	assert_non_null (o);
	assert_true (json_object_object_get_ex (o, "exit_code", &v));
	assert_int_equal (json_object_get_int (v), 137);
	assert_true (json_object_object_get_ex (o, "oom_killed", &v));
	assert_true (json_object_is_type (v, json_type_boolean));
	assert_true (json_object_get_boolean (v));
	assert_true (json_object_object_get_ex (o, "finished", &v));
	assert_string_equal (json_object_get_string (v), "2024-05-01T12:35:00.000000001Z");
	json_object_put (o);

	check_ok (state_from_json (text, &back, &err), &err);
	check_equal (&back, &s);
	assert_true (back.exited);
	free (text);
	state_release (&back);

	/* Exit code 0, not OOM: still "exited". */
	s.exit_code = 0;
	s.oom_killed = false;
	text = state_to_json (&s);
	check_ok (state_from_json (text, &back, &err), &err);
	check_equal (&back, &s);
	assert_true (back.exited);
	assert_int_equal (back.exit_code, 0);
	assert_false (back.oom_killed);
	free (text);
	state_release (&back);
	state_release (&s);
}

static void
test_round_trip_sparse (void **state UNUSED)
{
	struct state s = { 0 }, back;
	lxcshim_error_t err = NULL;
	char *text;

	s.id = xstrdup ("c");
	s.status = xstrdup ("created");
	text = state_to_json (&s);
	check_ok (state_from_json (text, &back, &err), &err);
	check_equal (&back, &s);
	assert_int_equal (back.n_cgroups, 0);
	assert_int_equal (back.n_namespaces, 0);
	assert_non_null (back.command);
	assert_null (back.command[0]);
	assert_null (back.rootfs);
	free (text);
	state_release (&back);
	state_release (&s);
}

/* A stopped container whose exit nobody saw: "exit_code": null, read
 * back as not exited, never as 0. */
static void
test_exit_unknown (void **state UNUSED)
{
	struct state s = { 0 }, back;
	lxcshim_error_t err = NULL;
	char *text;

	s.id = xstrdup ("c");
	s.status = xstrdup ("stopped");
	text = state_to_json (&s);
	assert_non_null (strstr (text, "\"exit_code\": null"));
	assert_non_null (strstr (text, "\"oom_killed\": null"));
	check_ok (state_from_json (text, &back, &err), &err);
	assert_false (back.exited);
	assert_int_equal (back.exit_code, 0);
	free (text);
	state_release (&back);

	/* A running one has no exit_code key at all. */
	free (s.status);
	s.status = xstrdup ("running");
	text = state_to_json (&s);
	assert_null (strstr (text, "exit_code"));
	free (text);

	/* A known code stays known, 0 included. */
	free (s.status);
	s.status = xstrdup ("stopped");
	s.exited = true;
	text = state_to_json (&s);
	assert_non_null (strstr (text, "\"exit_code\": 0"));
	check_ok (state_from_json (text, &back, &err), &err);
	assert_true (back.exited);
	free (text);
	state_release (&back);
	state_release (&s);
}

static void
test_init_start_max (void **state UNUSED)
{
	struct state s = { 0 }, back;
	lxcshim_error_t err = NULL;
	char *text;

	s.id = xstrdup ("c");
	s.status = xstrdup ("running");
	s.init_start = UINT64_MAX;
	text = state_to_json (&s);
	assert_non_null (strstr (text, "18446744073709551615"));
	check_ok (state_from_json (text, &back, &err), &err);
	assert_true (back.init_start == UINT64_MAX);
	free (text);
	state_release (&back);
	state_release (&s);
}

static void
test_from_json_bad (void **state UNUSED)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{ "", "malformed state.json" },
		{ "{", "malformed state.json" },
		{ "not json", "malformed state.json" },
		{ "[1, 2]", "malformed state.json" },
		{ "\"id\"", "malformed state.json" },
		{ "{}", "no id or status" },
		{ "{\"status\": \"running\"}", "no id or status" },
		{ "{\"id\": \"c1\"}", "no id or status" },
		{ "{\"id\": 5, \"status\": \"running\"}", "no id or status" },
		{ "{\"id\": null, \"status\": \"running\"}", "no id or status" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (cases); i++) {
		struct state s;
		lxcshim_error_t err = NULL;
		int rc;

		memset (&s, 0xa5, sizeof s);
		rc = state_from_json (cases[i].text, &s, &err);
		if (rc != -1)
			fail_msg ("state %s was accepted", cases[i].text);
		check_error (rc, &err, EINVAL, cases[i].needle);
		/* Left empty, safe to release again. */
		assert_null (s.id);
		assert_null (s.command);
		state_release (&s);
	}
}

static void
test_from_json_lenient (void **state UNUSED)
{
	/* Wrong-typed optional fields are skipped, not fatal. */
	static const char text[] = "{\"id\": \"c1\", \"status\": \"running\", \"rootfs\": 7,"
	                           " \"cgroup_paths\": {\"memory\": \"/m\", \"bad\": 3},"
	                           " \"namespace_paths\": [], \"command\": \"sh\", \"extra\": true}";
	struct state s;
	lxcshim_error_t err = NULL;

	check_ok (state_from_json (text, &s, &err), &err);
	assert_string_equal (s.id, "c1");
	assert_null (s.rootfs);
	assert_int_equal (s.n_cgroups, 1);
	assert_string_equal (kv_get (s.cgroups, s.n_cgroups, "memory"), "/m");
	assert_int_equal (s.n_namespaces, 0);
	assert_non_null (s.command);
	assert_null (s.command[0]);
	assert_false (s.exited);
	state_release (&s);
}

/* ---- state_write / state_read ---------------------------------------- */

static char *
make_tmpdir (void)
{
	char *dir = xstrdup ("/tmp/lxcshim-test-state-XXXXXX");

	assert_non_null (mkdtemp (dir));
	return dir;
}

static void
remove_tmpdir (char *dir)
{
	lxcshim_error_t err = NULL;

	check_ok (rm_rf (dir, &err), &err);
	free (dir);
}

/* The names in DIR, "." and ".." left out, joined by spaces in sorted order. */
static char *
dir_listing (const char *dir)
{
	struct dirent **names;
	int n = scandir (dir, &names, NULL, alphasort);
	struct buf b = { 0 };

	assert_true (n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp (names[i]->d_name, ".") && strcmp (names[i]->d_name, "..")) {
			if (b.len)
				buf_puts (&b, " ");
			buf_puts (&b, names[i]->d_name);
		}
		free (names[i]);
	}
	free (names);
	return buf_steal (&b);
}

static void
test_write_read (void **state UNUSED)
{
	char *dir = make_tmpdir ();
	char *path = xasprintf ("%s/state.json", dir);
	struct state s, back;
	lxcshim_error_t err = NULL;
	struct stat st;
	char *listing, *text, *want;
	mode_t old_umask = umask (022);

	full_state (&s);
	check_ok (state_write (path, &s, &err), &err);
	assert_int_equal (stat (path, &st), 0);
	assert_true (S_ISREG (st.st_mode));
	assert_int_equal (st.st_mode & 07777, 0600);
	listing = dir_listing (dir);
	assert_string_equal (listing, "state.json");
	free (listing);

	/* The bytes are state_to_json's. */
	check_ok (read_file (path, &text, NULL, &err), &err);
	want = state_to_json (&s);
	assert_string_equal (text, want);
	free (text);
	free (want);

	check_ok (state_read (path, &back, &err), &err);
	check_equal (&back, &s);
	state_release (&back);

	/* Overwrite an existing, more open file: it becomes the new state
	 * with mode 0600, still with no temp file left. */
	s.exited = true;
	s.exit_code = 3;
	s.finished = xstrdup ("2024-05-01T13:00:00Z");
	free (s.status);
	s.status = xstrdup ("stopped");
	assert_int_equal (chmod (path, 0644), 0);
	check_ok (state_write (path, &s, &err), &err);
	assert_int_equal (stat (path, &st), 0);
	assert_int_equal (st.st_mode & 07777, 0600);
	listing = dir_listing (dir);
	assert_string_equal (listing, "state.json");
	free (listing);
	check_ok (state_read (path, &back, &err), &err);
	check_equal (&back, &s);
	assert_true (back.exited);
	assert_int_equal (back.exit_code, 3);
	assert_string_equal (back.status, "stopped");
	state_release (&back);

	umask (old_umask);
	state_release (&s);
	free (path);
	remove_tmpdir (dir);
}

static void
test_write_read_errors (void **state UNUSED)
{
	char *dir = make_tmpdir ();
	char *path = xasprintf ("%s/missing/state.json", dir);
	char *bad = xasprintf ("%s/bad.json", dir);
	struct state s, back;
	lxcshim_error_t err = NULL;
	int fd;

	full_state (&s);
	check_error (state_write (path, &s, &err), &err, ENOENT, "missing/state.json");
	check_error (state_read (path, &back, &err), &err, ENOENT, NULL);

	fd = open (bad, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true (fd >= 0);
	assert_int_equal (write (fd, "{\"id\": \"x\"", 10), 10);
	close (fd);
	check_error (state_read (bad, &back, &err), &err, EINVAL, "bad.json: malformed state.json");

	state_release (&s);
	free (path);
	free (bad);
	remove_tmpdir (dir);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_kv),
		cmocka_unit_test (test_round_trip_running),
		cmocka_unit_test (test_round_trip_exited),
		cmocka_unit_test (test_round_trip_sparse),
		cmocka_unit_test (test_exit_unknown),
		cmocka_unit_test (test_init_start_max),
		cmocka_unit_test (test_from_json_bad),
		cmocka_unit_test (test_from_json_lenient),
		cmocka_unit_test (test_write_read),
		cmocka_unit_test (test_write_read_errors),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
