/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "util.h"

static void
handler (void *data, struct control_server *srv, int idx, const char *req)
{
	int *quit = data;

	if (streq (req, "status"))
		control_reply (srv, idx, "OK created 42");
	else if (streq (req, "wait")) {
		control_reply (srv, idx, "OK");
		control_keep (srv, idx);
	} else if (streq (req, "exit")) {
		control_reply (srv, idx, "OK");
		control_broadcast_exit (srv, 7, true);
	} else if (streq (req, "quit")) {
		control_reply (srv, idx, "OK");
		*quit = 1;
	} else
		control_reply (srv, idx, "ERR 95 unknown request \"%s\"", req);
}

/* A server in a child process, until "quit"; the parent is the client. */
static pid_t
serve (const char *dir)
{
	struct control_server srv = CONTROL_SERVER_INIT;
	lxcshim_error_t err = NULL;
	pid_t pid;

	check_ok (control_server_open (&srv, dir, &err), &err);
	pid = fork ();
	assert_true (pid >= 0);
	if (pid == 0) {
		int quit = 0;
		while (!quit) {
			struct pollfd p[CONTROL_POLLFDS];
			control_server_pollfds (&srv, p);
			if (poll (p, CONTROL_POLLFDS, 10000) <= 0)
				_exit (2);
			control_server_handle (&srv, p, handler, &quit);
		}
		control_server_close (&srv);
		_exit (0);
	}
	/* The parent's copy: closed, the file left to the child. */
	close (srv.listen_fd);
	free (srv.path);
	return pid;
}

static void
run_client (const char *dir)
{
	lxcshim_error_t err = NULL;
	_cleanup_free_ char *sock = xasprintf ("%s/control.sock", dir);
	char data[64];
	struct stat st;
	int fd, waiter, code, status;
	bool oom = false;
	pid_t pid = serve (dir);

	assert_int_equal (stat (sock, &st), 0);
	assert_true (S_ISSOCK (st.st_mode));
	assert_int_equal (st.st_mode & 07777, 0600);

	fd = control_connect (dir, "c1", &err);
	check_ok (fd < 0 ? -1 : 0, &err);
	check_ok (control_call (fd, "c1", "status", data, sizeof data, &err), &err);
	assert_string_equal (data, "created 42");
	close (fd);

	fd = control_connect (dir, "c1", &err);
	check_error (control_call (fd, "c1", "frob", data, sizeof data, &err), &err, 95, "unknown request \"frob\"");
	close (fd);

	/* A waiter hears the end; the one who asked for it only its OK. */
	waiter = control_connect (dir, "c1", &err);
	check_ok (control_call (waiter, "c1", "wait", NULL, 0, &err), &err);
	fd = control_connect (dir, "c1", &err);
	check_ok (control_call (fd, "c1", "exit", NULL, 0, &err), &err);
	close (fd);
	check_ok (control_read_exit (waiter, "c1", &code, &oom, &err), &err);
	assert_int_equal (code, 7);
	assert_true (oom);
	close (waiter);

	fd = control_connect (dir, "c1", &err);
	check_ok (control_call (fd, "c1", "quit", NULL, 0, &err), &err);
	/* Hung up without an EXIT. */
	check_error (control_read_exit (fd, "c1", &code, &oom, &err), &err, EIO, "without reporting");
	close (fd);
	assert_int_equal (waitpid (pid, &status, 0), pid);
	assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
	/* The file goes with the server. */
	assert_int_equal (access (sock, F_OK), -1);
	check_error (control_connect (dir, "c1", &err), &err, ESRCH, "the supervisor of c1 is gone");
}

static void
test_round_trip (void **state UNUSED)
{
	char dir[] = "/tmp/test-control.XXXXXX";

	assert_non_null (mkdtemp (dir));
	run_client (dir);
	assert_int_equal (rmdir (dir), 0);
}

/* Longer than sun_path (108 bytes): reached through /proc/self/fd. */
static void
test_long_path (void **state UNUSED)
{
	char base[] = "/tmp/test-control.XXXXXX";
	_cleanup_free_ char *dir = NULL;

	assert_non_null (mkdtemp (base));
	dir = xasprintf ("%s/%0120d", base, 0);
	assert_int_equal (mkdir (dir, 0700), 0);
	run_client (dir);
	assert_int_equal (rmdir (dir), 0);
	assert_int_equal (rmdir (base), 0);
}

static void
test_no_server (void **state UNUSED)
{
	char dir[] = "/tmp/test-control.XXXXXX";
	lxcshim_error_t err = NULL;

	assert_non_null (mkdtemp (dir));
	check_error (control_connect (dir, "c2", &err), &err, ESRCH, "the supervisor of c2 is gone");
	assert_int_equal (rmdir (dir), 0);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_round_trip),
		cmocka_unit_test (test_long_path),
		cmocka_unit_test (test_no_server),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
