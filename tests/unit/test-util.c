/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/util.c: the bounded reader, the string-vector builder and
 * env_dedupe's corner cases (the large case is in test-parse.c). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char *
temp_file (size_t size)
{
	char *path = xstrdup ("/tmp/lxcshim-test-util-XXXXXX");
	int fd = mkstemp (path);

	assert_true (fd >= 0);
	assert_int_equal (ftruncate (fd, (off_t) size), 0);
	close (fd);
	return path;
}

static void
test_read_file_limits (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char *text = NULL, *path;
	size_t len = 99;

	/* Exactly the limit is fine; one byte more is not. */
	path = temp_file (1000);
	check_ok (read_file_limited (path, 1000, NULL, &text, &len, &err), &err);
	assert_int_equal (len, 1000);
	assert_int_equal (text[1000], '\0');
	free (text);
	check_error (read_file_limited (path, 999, NULL, &text, &len, &err), &err, EFBIG, "is larger than 999 bytes");
	unlink (path);
	free (path);

	path = temp_file (0);
	check_ok (read_file (path, &text, &len, &err), &err);
	assert_int_equal (len, 0);
	assert_string_equal (text, "");
	free (text);
	unlink (path);
	free (path);

	/* Endless and sizeless: the limit ends it. */
	check_error (read_file_limited ("/dev/zero", 100000, NULL, &text, &len, &err), &err, EFBIG,
	             "/dev/zero is larger than 100000 bytes");
	check_error (read_file ("/dev/zero", &text, &len, &err), &err, EFBIG, "larger than 16777216 bytes");
	check_error (read_file ("/tmp", &text, &len, &err), &err, EISDIR, "/tmp");
	check_error (read_file ("/nonexistent/lxcshim", &text, &len, &err), &err, ENOENT, "open /nonexistent/lxcshim");
	/* A /proc file has no size: read to its end. */
	check_ok (read_file ("/proc/self/stat", &text, &len, &err), &err);
	assert_true (len > 0 && strlen (text) == len);
	free (text);
}

static bool
always_stop (struct read_cancel *c)
{
	c->signo = 15;
	return true;
}

/* A FIFO read polls the cancel fd with it: a writer that never finishes
 * cannot hold the reader once the cancel fd fires. */
static void
test_read_file_cancel (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char dir[] = "/tmp/lxcshim-test-fifo-XXXXXX";
	char *fifo, *text = NULL;
	int cancel[2], w;
	size_t len;
	struct read_cancel c = { .stop = always_stop };

	assert_non_null (mkdtemp (dir));
	fifo = xasprintf ("%s/f", dir);
	assert_int_equal (mkfifo (fifo, 0600), 0);
	assert_int_equal (pipe (cancel), 0);
	c.fd = cancel[0];

	/* A writer that wrote something and stays: only the cancel ends it. */
	w = open (fifo, O_RDWR);
	assert_true (w >= 0);
	assert_int_equal (write (w, "A=1\n", 4), 4);
	assert_int_equal (write (cancel[1], "x", 1), 1);
	check_error (read_file_limited (fifo, 1000, &c, &text, &len, &err), &err, EINTR, "interrupted by SIGTERM");
	close (w);

	/* Without a pending cancel: the data, up to the writers' end (a pipe
	 * reopened through /proc, its write end closed). */
	{
		char b, *path;
		int p[2];

		assert_int_equal (read (cancel[0], &b, 1), 1);
		assert_int_equal (pipe (p), 0);
		assert_int_equal (write (p[1], "A=1\nB=2\n", 8), 8);
		close (p[1]);
		path = xasprintf ("/proc/self/fd/%d", p[0]);
		check_ok (read_file_limited (path, 1000, &c, &text, &len, &err), &err);
		assert_int_equal (len, 8);
		assert_string_equal (text, "A=1\nB=2\n");
		free (text);
		free (path);
		close (p[0]);
	}
	unlink (fifo);
	rmdir (dir);
	free (fifo);
	close (cancel[0]);
	close (cancel[1]);
}

static void
test_strvb (void **state UNUSED)
{
	struct strvb b = { 0 };
	char **v;

	v = strvb_steal (&b);
	assert_non_null (v);
	assert_null (v[0]);
	strv_free (v);
	for (int i = 0; i < 1000; i++)
		strvb_push (&b, xasprintf ("%d", i));
	assert_int_equal (b.n, 1000);
	assert_null (b.v[1000]);
	v = strvb_steal (&b);
	assert_null (b.v);
	assert_int_equal (strv_length (v), 1000);
	assert_string_equal (v[999], "999");
	strv_free (v);
	strvb_push (&b, xstrdup ("x"));
	strvb_free (&b);
	assert_null (b.v);
}

static void
test_env_dedupe_keys (void **state UNUSED)
{
	char **env = NULL;
	static const char *const in[] = { "AB=1", "A=1", "A", "AB", "A=2", "=x", "B==", "B=", NULL };

	for (size_t i = 0; in[i]; i++)
		strv_append (&env, in[i]);
	env_dedupe (env);
	/* A key is everything before the first '='; "A" and "A=2" share one. */
	assert_string_equal (env[0], "AB");
	assert_string_equal (env[1], "A=2");
	assert_string_equal (env[2], "=x");
	assert_string_equal (env[3], "B=");
	assert_null (env[4]);
	strv_free (env);
}

/* The command name may hold ") " and spaces: fields count from the last ')'. */
static void
test_stat_num_threads (void **state)
{
	(void) state;
	assert_int_equal (stat_num_threads ("42 (sh) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12 0 0\n"), 1);
	assert_int_equal (stat_num_threads ("42 (a) b (c) ) R 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 17 0 12"), 17);
	assert_int_equal (stat_num_threads ("42 (sh) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0"), -1);
	assert_int_equal (stat_num_threads ("42 sh S 1"), -1);
	assert_int_equal (stat_num_threads ("42 (sh) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 x 0"), -1);
	assert_int_equal (stat_num_threads ("42 (sh) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 0 0"), -1);
}

static void *
park (void *arg)
{
	int *fds = arg;
	char c;

	(void) !read (fds[0], &c, 1);
	return NULL;
}

static void
test_process_single_threaded (void **state)
{
	pthread_t t;
	int fds[2];

	(void) state;
	assert_true (process_single_threaded ());
	assert_int_equal (pipe (fds), 0);
	assert_int_equal (pthread_create (&t, NULL, park, fds), 0);
	assert_false (process_single_threaded ());
	assert_int_equal (write (fds[1], "x", 1), 1);
	/* Not checked after the join: the kernel counts a thread out after
	 * the join's futex wake-up. */
	assert_int_equal (pthread_join (t, NULL), 0);
	close (fds[0]);
	close (fds[1]);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_read_file_limits),
		cmocka_unit_test (test_read_file_cancel),
		cmocka_unit_test (test_strvb),
		cmocka_unit_test (test_env_dedupe_keys),
		cmocka_unit_test (test_stat_num_threads),
		cmocka_unit_test (test_process_single_threaded),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
