/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Events: the line format both ways, the plain form, RFC 3339 times, and
 * which events a state transition makes; following them, and the root
 * log's rotation. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <poll.h>
#include <sys/stat.h>

#include "driver.h"
#include "events.h"
#include "state.h"
#include "util.h"

static struct event
mk (const char *type)
{
	return (struct event) { .time = (char *) "2026-12-02T00:00:00.000000001Z",
	                        .id = (char *) "web-1",
	                        .type = (char *) type,
	                        .exit_code = -1,
	                        .oom_killed = -1 };
}

static void
test_to_json (void **state UNUSED)
{
	struct event ev = mk ("started");
	char *s;

	ev.pid = 4242;
	s = event_to_json (&ev);
	assert_string_equal (s, "{\"time\":\"2026-12-02T00:00:00.000000001Z\",\"id\":\"web-1\",\"type\":\"started\",\"pid\":4242}");
	free (s);

	ev = mk ("exited");
	ev.exit_code = 3;
	ev.oom_killed = 0;
	s = event_to_json (&ev);
	assert_string_equal (s, "{\"time\":\"2026-12-02T00:00:00.000000001Z\",\"id\":\"web-1\",\"type\":\"exited\","
	                        "\"exit_code\":3,\"oom_killed\":false}");
	free (s);

	/* Ended unseen: null, never a made-up code. */
	ev = mk ("exited");
	s = event_to_json (&ev);
	assert_non_null (strstr (s, "\"exit_code\":null,\"oom_killed\":null}"));
	free (s);

	/* Only exited has exit fields, only started a pid. */
	ev = mk ("paused");
	ev.pid = 7;
	ev.exit_code = 1;
	s = event_to_json (&ev);
	assert_string_equal (s, "{\"time\":\"2026-12-02T00:00:00.000000001Z\",\"id\":\"web-1\",\"type\":\"paused\"}");
	free (s);
}

static void
test_to_plain (void **state UNUSED)
{
	struct event ev = mk ("exited");
	char *s;

	ev.exit_code = 137;
	ev.oom_killed = 1;
	s = event_to_plain (&ev);
	assert_string_equal (s, "2026-12-02T00:00:00.000000001Z container exited web-1 (exit_code=137, oom_killed=true)");
	free (s);
	ev = mk ("exited");
	s = event_to_plain (&ev);
	assert_string_equal (s, "2026-12-02T00:00:00.000000001Z container exited web-1 (exit_code=unknown, oom_killed=unknown)");
	free (s);
	ev = mk ("started");
	ev.pid = 12;
	s = event_to_plain (&ev);
	assert_string_equal (s, "2026-12-02T00:00:00.000000001Z container started web-1 (pid=12)");
	free (s);
	ev = mk ("deleted");
	s = event_to_plain (&ev);
	assert_string_equal (s, "2026-12-02T00:00:00.000000001Z container deleted web-1");
	free (s);
}

static void
test_round_trip (void **state UNUSED)
{
	const char *types[] = { "created", "started", "paused", "resumed", "exited", "deleted" };
	lxcshim_error_t err = NULL;

	for (size_t i = 0; i < ARRAY_SIZE (types); i++) {
		struct event ev = mk (types[i]), back;
		char *s;

		ev.pid = streq (types[i], "started") ? 99 : 0;
		if (streq (types[i], "exited")) {
			ev.exit_code = 0;
			ev.oom_killed = 1;
		}
		s = event_to_json (&ev);
		check_ok (event_from_json (s, &back, &err), &err);
		assert_string_equal (back.time, ev.time);
		assert_string_equal (back.id, ev.id);
		assert_string_equal (back.type, ev.type);
		assert_int_equal (back.pid, ev.pid);
		assert_int_equal (back.exit_code, ev.exit_code);
		assert_int_equal (back.oom_killed, ev.oom_killed);
		event_release (&back);
		free (s);
	}
}

static void
test_from_json_bad (void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"null",
		"[1]",
		"{\"time\":\"2026-12-02T00:00:00Z\",\"id\":\"a\"}",
		"{\"time\":\"2026-12-02T00:00:00Z\",\"id\":\"a\",\"type\":\"exploded\"}",
		"{\"time\":\"yesterday\",\"id\":\"a\",\"type\":\"created\"}",
		"{\"time\":\"2026-12-02T00:00:00Z\",\"id\":\"../x\",\"type\":\"created\"}",
		"{\"time\":\"2026-12-02T00:00:00Z\",\"id\":7,\"type\":\"created\"}",
		"{\"time\":\"2026-12-02T00:00:00Z\",\"id\":\"a\",\"type\":\"crea", /* torn */
	};
	lxcshim_error_t err = NULL;

	for (size_t i = 0; i < ARRAY_SIZE (bad); i++) {
		struct event ev;
		check_error (event_from_json (bad[i], &ev, &err), &err, EINVAL, "malformed event");
	}
}

static void
test_parse_time (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	struct timespec ts, ts2;

	check_ok (event_parse_time ("1970-01-01T00:00:00Z", &ts, &err), &err);
	assert_int_equal (ts.tv_sec, 0);
	assert_int_equal (ts.tv_nsec, 0);
	check_ok (event_parse_time ("2026-12-02T00:00:00.5Z", &ts, &err), &err);
	assert_int_equal (ts.tv_sec, 1796169600);
	assert_int_equal (ts.tv_nsec, 500000000);
	check_ok (event_parse_time ("2026-12-02T00:00:00.123456789123Z", &ts, &err), &err);
	assert_int_equal (ts.tv_nsec, 123456789);
	/* Offsets: the same instant. */
	check_ok (event_parse_time ("2026-12-02T01:30:00+01:30", &ts2, &err), &err);
	assert_int_equal (ts2.tv_sec, 1796169600);
	check_ok (event_parse_time ("2026-12-01T23:00:00-01:00", &ts2, &err), &err);
	assert_int_equal (ts2.tv_sec, 1796169600);
	/* What rfc3339_now writes parses. */
	{
		char *now = rfc3339_now ();
		check_ok (event_parse_time (now, &ts, &err), &err);
		free (now);
	}
	static const char *const bad[] = { "", "2026-12-02", "2026-12-02T00:00:00", "2026-13-02T00:00:00Z",
		                           "2026-12-02T24:00:00Z", "2026-12-02T00:00:00.Z", "2026-12-02T00:00:00Zjunk",
		                           "2026-12-02T00:00:00+0100", "1764633600" };
	for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
		check_error (event_parse_time (bad[i], &ts, &err), &err, EINVAL, "expected RFC 3339");
}

/* Runs events_transition into a temp dir and returns the types it wrote,
 * space-separated. */
static char *
transition (const char *from, bool from_exited, const char *to, bool to_exited)
{
	char dir[] = "/tmp/test-events.XXXXXX";
	struct state prev = { .id = (char *) "c1", .status = (char *) from, .exited = from_exited };
	struct state now = { .id = (char *) "c1", .status = (char *) to, .exited = to_exited, .exit_code = 3,
		             .init_pid = 77 };
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct buf out = { 0 };
	char *line, *save = NULL;

	assert_non_null (mkdtemp (dir));
	events_transition (dir, from ? &prev : NULL, &now);
	path = xasprintf ("%s/" EVENTS_FILE, dir);
	if (read_file (path, &text, NULL, NULL) == 0) {
		for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
			struct event ev;
			lxcshim_error_t err = NULL;
			check_ok (event_from_json (line, &ev, &err), &err);
			assert_string_equal (ev.id, "c1");
			if (streq (ev.type, "started"))
				assert_int_equal (ev.pid, 77);
			if (streq (ev.type, "exited"))
				assert_int_equal (ev.exit_code, to_exited ? 3 : -1);
			buf_printf (&out, "%s%s", out.len ? " " : "", ev.type);
			event_release (&ev);
		}
		unlink (path);
	}
	rmdir (dir);
	return buf_steal (&out);
}

static void
test_transitions (void **state UNUSED)
{
	static const struct {
		const char *from;
		bool from_exited;
		const char *to;
		bool to_exited;
		const char *want;
	} cases[] = {
		{ NULL, false, "created", false, "created" },
		{ "created", false, "running", false, "started" },
		{ "created", false, "paused", false, "started paused" },
		{ "running", false, "paused", false, "paused" },
		{ "paused", false, "running", false, "resumed" },
		{ "running", false, "running", false, "" },
		{ "paused", false, "paused", false, "" },
		{ "running", false, "stopped", true, "exited" },
		{ "paused", false, "stopped", false, "exited" },
		{ "created", false, "stopped", true, "exited" },
		{ "stopped", true, "stopped", true, "" },
		/* Unknown first, then the code the init left: told again. */
		{ "stopped", false, "stopped", true, "exited" },
		{ "stopped", true, "running", false, "" },
		{ NULL, false, "running", false, "created started" },
	};
	for (size_t i = 0; i < ARRAY_SIZE (cases); i++) {
		char *got = transition (cases[i].from, cases[i].from_exited, cases[i].to, cases[i].to_exited);
		if (!streq (got, cases[i].want))
			fail_msg ("%s -> %s: got \"%s\", want \"%s\"", cases[i].from ? cases[i].from : "(none)", cases[i].to,
			          got, cases[i].want);
		free (got);
	}
}

static void
test_append_lines (void **state UNUSED)
{
	char dir[] = "/tmp/test-events.XXXXXX";
	lxcshim_error_t err = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct event ev = mk ("created");

	assert_non_null (mkdtemp (dir));
	path = xasprintf ("%s/" EVENTS_FILE, dir);
	check_ok (event_append (path, &ev, &err), &err);
	ev = mk ("deleted");
	check_ok (event_append (path, &ev, &err), &err);
	assert_int_equal (read_file (path, &text, NULL, NULL), 0);
	assert_string_equal (text, "{\"time\":\"2026-12-02T00:00:00.000000001Z\",\"id\":\"web-1\",\"type\":\"created\"}\n"
	                           "{\"time\":\"2026-12-02T00:00:00.000000001Z\",\"id\":\"web-1\",\"type\":\"deleted\"}\n");
	unlink (path);
	rmdir (dir);
	/* A directory that is gone. */
	check_error (event_append (path, &ev, &err), &err, ENOENT, path);
}

/* ---- following, on a fake root (no containers run) ------------------- */

static void
append_line (const char *path, const char *id, const char *type, const char *time)
{
	struct event ev = { .time = (char *) time, .id = (char *) id, .type = (char *) type, .exit_code = -1,
		            .oom_killed = -1 };
	lxcshim_error_t err = NULL;
	check_ok (event_append (path, &ev, &err), &err);
}

/* Reads what is waiting (after polling the fd, bounded) as "id:type ...". */
static char *
read_all_events (lxcshim_events_t *h)
{
	struct buf out = { 0 };
	struct lxcshim_event *ev;
	lxcshim_error_t err = NULL;
	struct pollfd p = { .fd = lxcshim_events_fd (h), .events = POLLIN };
	int r;

	poll (&p, 1, 0);
	while ((r = lxcshim_events_read (h, &ev, &err)) > 0) {
		buf_printf (&out, "%s%s:%s", out.len ? " " : "", ev->id, ev->type);
		lxcshim_event_free (ev);
	}
	assert_int_equal (r, 0);
	return buf_steal (&out);
}

static void
test_follow (void **state UNUSED)
{
	char root[] = "/tmp/test-events.XXXXXX";
	struct lxcshim_driver d = { 0 };
	lxcshim_events_t *h = NULL, *hs = NULL;
	lxcshim_error_t err = NULL;
	_cleanup_free_ char *a = NULL, *afile = NULL, *bdir = NULL, *bfile = NULL, *log = NULL;
	char *got;

	assert_non_null (mkdtemp (root));
	d.root = root;
	a = xasprintf ("%s/containers/a", root);
	afile = xasprintf ("%s/" EVENTS_FILE, a);
	bdir = xasprintf ("%s/containers/b", root);
	bfile = xasprintf ("%s/" EVENTS_FILE, bdir);
	log = xasprintf ("%s/" EVENTS_FILE, root);
	check_ok (mkdir_p (a, 0700, &err), &err);
	append_line (afile, "a", "created", "2026-12-02T00:00:01Z");
	append_line (afile, "a", "started", "2026-12-02T00:00:02Z");

	check_error (lxcshim_events_open (&d, "nosuch", NULL, &h, &err), &err, ENOENT, "no such container: nosuch");
	check_error (lxcshim_events_open (&d, NULL, "soon", &h, &err), &err, EINVAL, "invalid time");
	check_ok (lxcshim_events_open (&d, NULL, NULL, &h, &err), &err);
	/* From now on: a's history is not told. */
	got = read_all_events (h);
	assert_string_equal (got, "");
	free (got);
	append_line (afile, "a", "paused", "2026-12-02T00:00:03Z");
	got = read_all_events (h);
	assert_string_equal (got, "a:paused");
	free (got);

	/* A new container, history and all. */
	check_ok (mkdir_p (bdir, 0700, &err), &err);
	append_line (bfile, "b", "created", "2026-12-02T00:00:04Z");
	got = read_all_events (h);
	assert_string_equal (got, "b:created");
	free (got);

	/* a deleted as events_remove_container does it: what was read from
	 * its own file is not told again; a torn or foreign line is skipped. */
	append_line (afile, "a", "resumed", "2026-12-02T00:00:05Z");
	{
		int fd = open (afile, O_WRONLY | O_APPEND);
		assert_true (fd >= 0);
		assert_int_equal (write (fd, "not json\n", 9), 9);
		close (fd);
	}
	check_ok (events_remove_container (a, &err), &err);
	got = read_all_events (h);
	/* The root's log gets a's four lines and then deleted. */
	assert_string_equal (got, "a:resumed a:deleted");
	free (got);

	/* since: everything recorded from then on, oldest first, a's
	 * history from the root's log included. */
	check_ok (lxcshim_events_open (&d, NULL, "2026-12-02T00:00:02Z", &hs, &err), &err);
	got = read_all_events (hs);
	assert_non_null (strstr (got, "a:started a:paused b:created a:resumed a:deleted"));
	free (got);
	lxcshim_events_close (hs);

	/* b goes while the handle is not reading: its whole history once. */
	append_line (bfile, "b", "started", "2026-12-02T00:00:06Z");
	check_ok (events_remove_container (bdir, &err), &err);
	got = read_all_events (h);
	assert_string_equal (got, "b:started b:deleted");
	free (got);
	lxcshim_events_close (h);

	/* A container made and removed before the handle could look. */
	check_ok (lxcshim_events_open (&d, NULL, NULL, &h, &err), &err);
	check_ok (mkdir_p (bdir, 0700, &err), &err);
	append_line (bfile, "b", "created", "2026-12-02T00:00:07Z");
	append_line (bfile, "b", "started", "2026-12-02T00:00:08Z");
	check_ok (events_remove_container (bdir, &err), &err);
	got = read_all_events (h);
	assert_string_equal (got, "b:created b:started b:deleted");
	free (got);
	lxcshim_events_close (h);

	unlink (log);
	{
		_cleanup_free_ char *c = xasprintf ("%s/containers", root);
		rmdir (c);
	}
	assert_int_equal (rmdir (root), 0);
}

static void
test_should_rotate (void **state UNUSED)
{
	assert_false (events_log_should_rotate (0, 5000, 100)); /* an empty log takes any block */
	assert_false (events_log_should_rotate (50, 50, 100));  /* exactly at the limit */
	assert_true (events_log_should_rotate (50, 51, 100));
	assert_true (events_log_should_rotate (100, 1, 100));
	assert_true (events_log_should_rotate (200, 1, 100));  /* over already (a lowered limit) */
	assert_false (events_log_should_rotate (99, 0, 100));
}

static void
test_log_limit (void **state UNUSED)
{
	unsetenv (EVENTS_LOG_MAX_ENV);
	assert_int_equal (events_log_limit (), EVENTS_LOG_MAX);
	setenv (EVENTS_LOG_MAX_ENV, "4096", 1);
	assert_int_equal (events_log_limit (), 4096);
	setenv (EVENTS_LOG_MAX_ENV, "0", 1);
	assert_int_equal (events_log_limit (), EVENTS_LOG_MAX);
	setenv (EVENTS_LOG_MAX_ENV, "12k", 1);
	assert_int_equal (events_log_limit (), EVENTS_LOG_MAX);
	unsetenv (EVENTS_LOG_MAX_ENV);
}

static off_t
size_of (const char *path)
{
	struct stat st;
	return stat (path, &st) == 0 ? st.st_size : -1;
}

/* Many deletions with a small limit: both generations stay bounded, a
 * follower sees every deletion across the rotations, and a reader from
 * the start sees the kept window (.1, then the current file) in order,
 * each event once. */
static void
test_log_rotation (void **state UNUSED)
{
	char root[] = "/tmp/test-events.XXXXXX";
	struct lxcshim_driver d = { 0 };
	lxcshim_events_t *h = NULL, *hs = NULL;
	lxcshim_error_t err = NULL;
	_cleanup_free_ char *log = NULL, *old = NULL, *containers = NULL;
	struct buf want = { 0 }, seen = { 0 };
	char *got;
	const off_t limit = 600;

	assert_non_null (mkdtemp (root));
	d.root = root;
	log = xasprintf ("%s/" EVENTS_FILE, root);
	old = xasprintf ("%s/" EVENTS_FILE_OLD, root);
	containers = xasprintf ("%s/containers", root);
	setenv (EVENTS_LOG_MAX_ENV, "600", 1);
	check_ok (lxcshim_events_open (&d, NULL, NULL, &h, &err), &err);
	for (int i = 0; i < 20; i++) {
		_cleanup_free_ char *id = xasprintf ("c%d", i);
		_cleanup_free_ char *dir = xasprintf ("%s/%s", containers, id);
		_cleanup_free_ char *file = xasprintf ("%s/" EVENTS_FILE, dir);
		_cleanup_free_ char *now = rfc3339_now ();

		check_ok (mkdir_p (dir, 0700, &err), &err);
		append_line (file, id, "created", now);
		check_ok (events_remove_container (dir, &err), &err);
		buf_printf (&want, "%s%s:created %s:deleted", want.len ? " " : "", id, id);
		got = read_all_events (h);
		buf_printf (&seen, "%s%s", seen.len && *got ? " " : "", got);
		free (got);
		assert_true (size_of (log) <= limit);
	}
	buf_add (&want, "", 1);
	buf_add (&seen, "", 1);
	assert_string_equal (seen.data, want.data);
	assert_true (size_of (old) > 0 && size_of (old) <= limit);

	/* From the start: a tail of the whole history, cut at a container's
	 * first event, with the last deletion in it. */
	check_ok (lxcshim_events_open (&d, NULL, "2000-01-01T00:00:00Z", &hs, &err), &err);
	got = read_all_events (hs);
	lxcshim_events_close (hs);
	assert_true (strlen (got) > 0 && strlen (got) < strlen (want.data));
	assert_string_equal (want.data + strlen (want.data) - strlen (got), got);
	assert_true (want.data[strlen (want.data) - strlen (got) - 1] == ' ');
	assert_int_equal (strncmp (got, "c", 1), 0);
	assert_non_null (strstr (got, "c18:created c18:deleted c19:created c19:deleted"));
	free (got);

	lxcshim_events_close (h);
	unsetenv (EVENTS_LOG_MAX_ENV);
	buf_free (&want);
	buf_free (&seen);
	unlink (log);
	unlink (old);
	rmdir (containers);
	assert_int_equal (rmdir (root), 0);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_to_json),      cmocka_unit_test (test_to_plain),
		cmocka_unit_test (test_round_trip),   cmocka_unit_test (test_from_json_bad),
		cmocka_unit_test (test_parse_time),   cmocka_unit_test (test_transitions),
		cmocka_unit_test (test_append_lines), cmocka_unit_test (test_follow),
		cmocka_unit_test (test_should_rotate), cmocka_unit_test (test_log_limit),
		cmocka_unit_test (test_log_rotation),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
