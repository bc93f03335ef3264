/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "check.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "oom.h"
#include "util.h"

static void
test_parse (void **state UNUSED)
{
	/* v1 memory.oom_control */
	assert_int_equal (oom_parse_kill_count ("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3);
	/* v2 memory.events: oom_group_kill is another key */
	assert_int_equal (oom_parse_kill_count ("low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\noom_group_kill 0\n"), 1);
	assert_int_equal (oom_parse_kill_count ("oom_group_kill 4\n"), 0);
	assert_int_equal (oom_parse_kill_count (""), 0);
	assert_int_equal (oom_parse_kill_count (NULL), 0);
}

static void
write_events (const char *path, int kills)
{
	FILE *f = fopen (path, "w");
	assert_non_null (f);
	fprintf (f, "low 0\nhigh 0\nmax 5\noom %d\noom_kill %d\noom_group_kill 0\n", kills, kills);
	fclose (f);
}

static bool
readable (int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll (&p, 1, 0) == 1;
}

/* The v2 watch counts from the value at its start and reports a kill
 * once, when the counter grows. */
static void
test_watch_v2 (void **state UNUSED)
{
	char tmpl[] = "/tmp/test-oom.XXXXXX";
	const char *dir = mkdtemp (tmpl);
	_cleanup_free_ char *events = xasprintf ("%s/memory.events", dir);
	_cleanup_free_ char *cmd = xasprintf ("rm -rf '%s'", dir);
	struct oom_watch w = OOM_WATCH_INIT;

	write_events (events, 2);
	assert_int_equal (oom_watch_start_v2 (&w, dir, NULL), 0);
	assert_int_equal (oom_watch_kills (&w), 0);
	assert_false (readable (w.event_fd));
	assert_false (oom_watch_event (&w));

	/* Another counter moving is no OOM kill. */
	write_events (events, 2);
	assert_true (readable (w.event_fd));
	assert_false (oom_watch_event (&w));
	assert_false (w.seen);

	write_events (events, 3);
	assert_true (readable (w.event_fd));
	assert_true (oom_watch_event (&w));
	assert_true (w.seen);
	assert_int_equal (oom_watch_kills (&w), 1);
	assert_false (oom_watch_event (&w)); /* reported once */
	assert_true (oom_verdict (true, w.seen, oom_watch_kills (&w)));
	assert_false (oom_verdict (false, w.seen, oom_watch_kills (&w)));
	oom_watch_stop (&w);
	assert_int_equal (w.event_fd, -1);
	assert_int_equal (system (cmd), 0);
}

static void
test_verdict (void **state UNUSED)
{
	assert_false (oom_verdict (true, false, 0));
	assert_true (oom_verdict (true, false, 1));
	assert_true (oom_verdict (true, true, 0));
	assert_false (oom_verdict (false, true, 1));
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_parse),
		cmocka_unit_test (test_watch_v2),
		cmocka_unit_test (test_verdict),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
