/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/attach-stream.c: frames across any chunking, and the hub's fan-out:
 * every attached client gets the output from when it attached, a slow one
 * is disconnected without holding up the others, input and resizes reach
 * the workload's side. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach-stream.h"
#include "control.h"
#include "util.h"

static void
test_frames (void **state UNUSED)
{
	struct buf b = { 0 };
	unsigned char big[ATTACH_FRAME_MAX];
	int sv[2];

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char) (i * 7);
	attach_frame_add (&b, 'A', "\x01", 1);
	attach_frame_add (&b, 'E', NULL, 0);
	attach_frame_add (&b, 'O', big, sizeof big);
	attach_frame_add (&b, 'W', "\x00\x1e\x00\x64", 4);

	/* Delivered in pieces of every size from 1 byte on. */
	for (size_t chunk = 1; chunk < b.len; chunk += chunk < 8 ? 1 : 4093) {
		struct frame_reader *r = xzalloc (sizeof *r);
		const unsigned char *d;
		size_t n, got = 0;
		char type;
		char types[8] = { 0 };

		assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		fcntl (sv[1], F_SETFL, O_NONBLOCK);
		for (size_t off = 0; off < b.len; off += chunk) {
			size_t k = b.len - off < chunk ? b.len - off : chunk;
			assert_int_equal (write_all (sv[0], b.data + off, k), 0);
			while (frame_reader_fill (r, sv[1]) == 1)
			while (frame_reader_next (r, &type, &d, &n) == 1) {
				types[got++] = type;
				if (type == 'A')
					assert_true (n == 1 && d[0] == 1);
				else if (type == 'E')
					assert_int_equal (n, 0);
				else if (type == 'O') {
					assert_int_equal (n, sizeof big);
					assert_memory_equal (d, big, n);
				} else if (type == 'W')
					assert_memory_equal (d, "\x00\x1e\x00\x64", 4);
			}
		}
		assert_string_equal (types, "AEOW");
		close (sv[0]);
		while (frame_reader_next (r, &type, &d, &n) == 1)
			;
		assert_int_equal (frame_reader_fill (r, sv[1]), 0); /* EOF */
		close (sv[1]);
		free (r);
	}
	buf_free (&b);

	/* A length over the limit is a corrupt stream, not a huge read. */
	{
		struct frame_reader r = { .buf = { 'O', 0xff, 0xff }, .len = 3 };
		const unsigned char *d;
		size_t n;
		char type;
		assert_int_equal (frame_reader_next (&r, &type, &d, &n), -1);
	}
}

/* A client end: a socketpair (SEQPACKET, as the control socket) whose
 * other end the hub takes. */
static int
connect_client (struct attach_hub *h, unsigned flags)
{
	int sv[2];

	assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal (attach_hub_add (h, sv[1], flags), 0);
	return sv[0];
}

/* One round of the hub's event loop, without waiting. */
static void
pump (struct attach_hub *h)
{
	struct pollfd p[ATTACH_HUB_POLLFDS];
	size_t n = attach_hub_poll (h, p);

	assert_true (poll (p, n, 0) >= 0);
	attach_hub_handle (h, p, n);
}

/* What the client end has, as frames: the bytes of TYPE concatenated into
 * OUT (size at most MAX); returns the count, *eof at EOF, *code for 'X'. */
static size_t
drain (int fd, char type, char *out, size_t max, bool *eof, int *code, char *first)
{
	struct frame_reader *r = xzalloc (sizeof *r);
	const unsigned char *d;
	size_t n, got = 0;
	char t;

	*eof = false;
	fcntl (fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		int f = frame_reader_fill (r, fd);
		if (f == 0) {
			*eof = true;
			break;
		}
		if (f < 0)
			break;
		while (frame_reader_next (r, &t, &d, &n) == 1) {
			if (first && !*first)
				*first = t;
			if (t == type && got + n <= max) {
				memcpy (out + got, d, n);
				got += n;
			}
			if (t == 'X' && code)
				*code = (int) (((unsigned) d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]);
		}
	}
	free (r);
	return got;
}

static void
test_fanout (void **state UNUSED)
{
	struct attach_hub h;
	int in[2], a, b, c;
	char out[64], first = 0;
	bool eof;
	int code = -1;

	assert_int_equal (pipe2 (in, O_CLOEXEC | O_NONBLOCK), 0);
	attach_hub_init (&h, in[1], -1);

	assert_int_equal (attach_hub_flags (&h), ATTACH_STDIN);
	a = connect_client (&h, ATTACH_STDIN);
	b = connect_client (&h, 0);
	pump (&h);
	attach_hub_output (&h, 'O', "one ", 4);

	assert_int_equal (drain (a, 'O', out, sizeof out, &eof, NULL, &first), 4);
	assert_memory_equal (out, "one ", 4);
	assert_int_equal (first, 'O');
	assert_int_equal (drain (b, 'O', out, sizeof out, &eof, NULL, NULL), 4);

	/* Late attach: output from then on only. */
	c = connect_client (&h, 0);
	pump (&h);
	attach_hub_output (&h, 'O', "two", 3);
	attach_hub_output (&h, 'R', "err", 3);
	assert_int_equal (drain (a, 'O', out, sizeof out, &eof, NULL, NULL), 3);
	assert_memory_equal (out, "two", 3);
	assert_int_equal (drain (c, 'O', out, sizeof out, &eof, NULL, NULL), 3);
	assert_memory_equal (out, "two", 3);
	assert_int_equal (drain (c, 'R', out, sizeof out, &eof, NULL, NULL), 0);
	attach_hub_output (&h, 'R', "err", 3);
	assert_int_equal (drain (c, 'R', out, sizeof out, &eof, NULL, NULL), 3);

	/* Input: only from a client that asked for stdin, in order. */
	assert_int_equal (attach_frame_send (a, 'I', "ls\n", 3), 0);
	assert_int_equal (attach_frame_send (b, 'I', "rm -rf /\n", 9), 0);
	pump (&h);
	pump (&h);
	memset (out, 0, sizeof out);
	assert_int_equal (read (in[0], out, sizeof out), 3);
	assert_string_equal (out, "ls\n");

	/* A client that hangs up is dropped; the others go on. */
	close (b);
	pump (&h);
	assert_int_equal (h.n, 2);

	attach_hub_finish (&h, 137, true, NULL, 1000);
	assert_int_equal (drain (a, 'X', out, sizeof out, &eof, &code, NULL), 5);
	assert_int_equal (out[4], 1);
	assert_int_equal (code, 137);
	assert_true (eof);
	code = -1;
	drain (c, 'X', out, sizeof out, &eof, &code, NULL);
	assert_int_equal (code, 137);
	assert_true (eof);
	close (a);
	close (c);
	close (in[0]);
	close (in[1]);
}

static void
test_slow_client (void **state UNUSED)
{
	struct attach_hub h;
	char *chunk = xzalloc (4096), *out = xmalloc (8192);
	int fast, slow, sndbuf = 4096;
	size_t total = 0, got = 0;
	bool eof = false;

	attach_hub_init (&h, -1, -1);
	h.queue_max = 64 << 10;
	fast = connect_client (&h, 0);
	slow = connect_client (&h, 0);
	setsockopt (h.clients[1]->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	pump (&h);
	/* The slow client never reads; the fast one reads as it goes.  The
	 * hub never blocks in between (this test would hang if it did). */
	for (int i = 0; i < 200; i++) {
		attach_hub_output (&h, 'O', chunk, 4096);
		total += 4096;
		got += drain (fast, 'O', out, 8192, &eof, NULL, NULL);
		pump (&h);
		got += drain (fast, 'O', out, 8192, &eof, NULL, NULL);
	}
	assert_int_equal (got, total);
	assert_int_equal (h.dropped, 1);
	assert_int_equal (h.n, 1);
	/* The slow one is disconnected: after what was sent, EOF. */
	{
		char *all = xmalloc (1 << 20);
		drain (slow, 'O', all, 1 << 20, &eof, NULL, NULL);
		assert_true (eof);
		free (all);
	}
	attach_hub_release (&h);
	close (fast);
	close (slow);
	free (chunk);
	free (out);
}

/* The control socket's verbs, through a real server in a temp dir. */
static void
handler (void *data, struct control_server *srv, int idx, const char *req)
{
	if (!attach_hub_request (data, srv, idx, req))
		control_reply (srv, idx, "ERR %d unknown", EOPNOTSUPP);
}

static void
serve (struct control_server *srv, struct attach_hub *h)
{
	struct pollfd p[CONTROL_POLLFDS];

	for (int round = 0; round < 2; round++) {
		control_server_pollfds (srv, p);
		assert_true (poll (p, CONTROL_POLLFDS, 1000) > 0);
		control_server_handle (srv, p, handler, h);
	}
}

/* Sends REQ on a new connection, lets the server answer, returns the
 * connection with the answer in ANSWER. */
static int
request (struct control_server *srv, struct attach_hub *h, const char *dir, const char *req, char *answer, size_t size)
{
	lxcshim_error_t err = NULL;
	int fd = control_connect (dir, "t", &err);
	ssize_t n;

	check_ok (fd < 0 ? -1 : 0, &err);
	assert_true (send (fd, req, strlen (req), 0) > 0);
	serve (srv, h);
	n = recv (fd, answer, size - 1, 0);
	assert_true (n > 0);
	answer[n] = '\0';
	return fd;
}

static void
test_verbs (void **state UNUSED)
{
	struct control_server srv = CONTROL_SERVER_INIT;
	struct attach_hub h;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	lxcshim_error_t err = NULL;
	char dir[] = "/tmp/lxcshim-test-attach-XXXXXX", answer[256], out[64];
	int master, slave, a, fds[ATTACH_CLIENTS_MAX];
	bool eof;

	assert_non_null (mkdtemp (dir));
	check_ok (control_server_open (&srv, dir, &err), &err);
	assert_int_equal (openpty (&master, &slave, NULL, NULL, &ws), 0);
	fcntl (master, F_SETFL, O_NONBLOCK);
	attach_hub_init (&h, master, master);

	a = request (&srv, &h, dir, "attach stdin", answer, sizeof answer);
	assert_string_equal (answer, "OK 3");
	assert_int_equal (h.n, 1);
	/* The connection is the stream now: a resize frame, then input. */
	assert_int_equal (attach_frame_send (a, 'W', "\x00\x21\x00\x5a", 4), 0);
	assert_int_equal (attach_frame_send (a, 'I', "hi\n", 3), 0);
	pump (&h);
	assert_int_equal (ioctl (slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal (ws.ws_row, 33);
	assert_int_equal (ws.ws_col, 90);
	memset (out, 0, sizeof out);
	fcntl (slave, F_SETFL, O_NONBLOCK); /* fail, not hang, if it is not there */
	assert_true (read (slave, out, sizeof out) > 0);
	assert_string_equal (out, "hi\n");

	/* resize as a request of its own. */
	close (request (&srv, &h, dir, "resize 40 120", answer, sizeof answer));
	assert_string_equal (answer, "OK");
	assert_int_equal (ioctl (slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal (ws.ws_row, 40);
	assert_int_equal (ws.ws_col, 120);
	close (request (&srv, &h, dir, "resize 40", answer, sizeof answer));
	assert_string_equal (answer, "ERR 22 usage: resize ROWS COLS");
	close (request (&srv, &h, dir, "resize 0 10", answer, sizeof answer));
	assert_string_equal (answer, "ERR 22 usage: resize ROWS COLS");
	close (request (&srv, &h, dir, "attachx", answer, sizeof answer));
	assert_string_equal (answer, "ERR 95 unknown");

	/* Client 33 is refused, with the reason. */
	for (int i = 1; i < ATTACH_CLIENTS_MAX; i++)
		fds[i] = request (&srv, &h, dir, "attach", answer, sizeof answer);
	assert_int_equal (h.n, ATTACH_CLIENTS_MAX);
	close (request (&srv, &h, dir, "attach", answer, sizeof answer));
	assert_string_equal (answer, "ERR 11 too many clients are attached already");
	for (int i = 1; i < ATTACH_CLIENTS_MAX; i++)
		close (fds[i]);
	pump (&h);
	assert_int_equal (h.n, 1);
	attach_hub_release (&h);
	close (a);

	/* No tty, no hub. */
	attach_hub_init (&h, -1, -1);
	close (request (&srv, &h, dir, "resize 10 10", answer, sizeof answer));
	assert_string_equal (answer, "ERR 25 the container has no terminal");
	a = request (&srv, &h, dir, "attach stdin", answer, sizeof answer);
	assert_string_equal (answer, "OK 0");
	attach_hub_finish (&h, 3, false, NULL, 1000);
	{
		int code = -1;
		drain (a, 'X', out, sizeof out, &eof, &code, NULL);
		assert_int_equal (code, 3);
		assert_true (eof);
	}
	close (a);
	close (request (&srv, NULL, dir, "attach", answer, sizeof answer));
	assert_true (strncmp (answer, "ERR 95 ", 7) == 0);

	control_server_close (&srv);
	close (master);
	close (slave);
	assert_int_equal (rmdir (dir), 0);
}

/* The exit frame carries why the command never ran; without a message it
 * is the 5 bytes of old, and a short frame is refused. */
static void
test_exit_message (void **state UNUSED)
{
	struct attach_hub h;
	int sv[2], code = -1;
	char out[ATTACH_FRAME_MAX];
	bool eof, oom = true;
	char *msg = NULL;
	const char *text = "exec: /nope: No such file or directory";
	size_t n;

	assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	attach_hub_init (&h, -1, -1);
	fcntl (sv[0], F_SETFL, O_NONBLOCK);
	assert_int_equal (attach_hub_add (&h, sv[0], 0), 0);
	attach_hub_finish (&h, 127, false, text, 1000);
	n = drain (sv[1], 'X', out, sizeof out, &eof, &code, NULL);
	assert_int_equal (n, 5 + strlen (text));
	assert_true (eof);
	assert_int_equal (attach_exit_decode ((unsigned char *) out, n, &code, &oom, &msg), 0);
	assert_int_equal (code, 127);
	assert_false (oom);
	assert_string_equal (msg, text);
	free (msg);
	close (sv[1]);

	/* No message: NULL, as before. */
	assert_int_equal (attach_exit_decode ((const unsigned char *) "\0\0\0\x89\1", 5, &code, &oom, &msg), 0);
	assert_int_equal (code, 137);
	assert_true (oom);
	assert_null (msg);
	assert_int_equal (attach_exit_decode ((const unsigned char *) "\0\0\0", 3, &code, &oom, &msg), -1);
	assert_null (msg);

	/* A message longer than a frame is cut to fit, never dropped. */
	{
		char *big = xmalloc (ATTACH_FRAME_MAX * 2);
		memset (big, 'x', ATTACH_FRAME_MAX * 2 - 1);
		big[ATTACH_FRAME_MAX * 2 - 1] = '\0';
		assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		attach_hub_init (&h, -1, -1);
		fcntl (sv[0], F_SETFL, O_NONBLOCK);
		assert_int_equal (attach_hub_add (&h, sv[0], 0), 0);
		attach_hub_finish (&h, 126, false, big, 1000);
		n = drain (sv[1], 'X', out, sizeof out, &eof, &code, NULL);
		assert_int_equal (n, ATTACH_FRAME_MAX);
		assert_int_equal (code, 126);
		free (big);
		close (sv[1]);
	}
}

/* 'E' from a plain stdin client leaves the workload's stdin open; from a
 * stdin-once client it closes the pipe, after what came before. */
static void
test_stdin_once (void **state UNUSED)
{
	struct attach_hub h;
	int in[2], a, b, keep;
	char out[16];

	assert_int_equal (pipe2 (in, O_CLOEXEC | O_NONBLOCK), 0);
	keep = in[1];
	attach_hub_init (&h, in[1], -1);
	a = connect_client (&h, ATTACH_STDIN);
	b = connect_client (&h, ATTACH_STDIN | ATTACH_STDIN_ONCE);
	pump (&h);
	assert_true (h.clients[1]->stdin_once);
	assert_false (h.clients[0]->stdin_once);

	assert_int_equal (attach_frame_send (a, 'I', "x", 1), 0);
	assert_int_equal (attach_frame_send (a, 'E', NULL, 0), 0);
	pump (&h);
	assert_int_equal (read (in[0], out, sizeof out), 1);
	assert_int_equal (read (in[0], out, sizeof out), -1); /* open: EAGAIN, not EOF */
	assert_int_equal (errno, EAGAIN);
	assert_int_equal (h.in_fd, keep);

	assert_int_equal (attach_frame_send (b, 'I', "hi\n", 3), 0);
	assert_int_equal (attach_frame_send (b, 'E', NULL, 0), 0);
	pump (&h);
	pump (&h);
	assert_int_equal (read (in[0], out, sizeof out), 3);
	assert_memory_equal (out, "hi\n", 3);
	assert_int_equal (read (in[0], out, sizeof out), 0); /* EOF */
	assert_true (h.in_closed);
	assert_int_equal (h.in_fd, -1);
	/* The caller's fd number is still open (on /dev/null): its close is no
	 * double close. */
	assert_true (fcntl (keep, F_GETFD) >= 0);

	attach_hub_finish (&h, 0, false, NULL, 1000);
	close (a);
	close (b);
	close (in[0]);
	close (keep);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_frames),
		cmocka_unit_test (test_fanout), cmocka_unit_test (test_exit_message),
		cmocka_unit_test (test_stdin_once),
		cmocka_unit_test (test_slow_client),
		cmocka_unit_test (test_verbs),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
