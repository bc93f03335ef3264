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

/* A client end: a socketpair whose other end the hub takes. */
static int
connect_client (struct attach_hub *h, unsigned char flags, bool send_attach)
{
	int sv[2];

	assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_hub_add (h, sv[1]);
	if (send_attach)
		assert_int_equal (attach_frame_send (sv[0], 'A', &flags, 1), 0);
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

	a = connect_client (&h, ATTACH_STDIN, true);
	b = connect_client (&h, 0, true);
	/* Not attached yet (no 'A'): it gets nothing. */
	c = connect_client (&h, 0, false);
	pump (&h);
	attach_hub_output (&h, 'O', "one ", 4);

	assert_int_equal (drain (a, 'O', out, sizeof out, &eof, NULL, &first), 4);
	assert_memory_equal (out, "one ", 4);
	assert_int_equal (first, 'H');
	assert_int_equal (drain (b, 'O', out, sizeof out, &eof, NULL, NULL), 4);
	assert_int_equal (drain (c, 'O', out, sizeof out, &eof, NULL, NULL), 0);

	/* Late attach: output from then on only. */
	assert_int_equal (attach_frame_send (c, 'A', "\x00", 1), 0);
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

	attach_hub_finish (&h, 137, 1000);
	assert_int_equal (drain (a, 'X', out, sizeof out, &eof, &code, NULL), 4);
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
	fast = connect_client (&h, 0, true);
	slow = connect_client (&h, 0, true);
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

static void
test_resize_and_refusal (void **state UNUSED)
{
	struct attach_hub h;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int master, slave, a, extra[ATTACH_CLIENTS_MAX];
	char out[256], first = 0;
	bool eof;

	assert_int_equal (openpty (&master, &slave, NULL, NULL, &ws), 0);
	attach_hub_init (&h, master, master);
	a = connect_client (&h, ATTACH_STDIN, true);
	assert_int_equal (attach_frame_send (a, 'W', "\x00\x21\x00\x5a", 4), 0);
	pump (&h);
	assert_int_equal (ioctl (slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal (ws.ws_row, 33);
	assert_int_equal (ws.ws_col, 90);
	/* 'H' says there is a terminal and a stdin. */
	{
		struct frame_reader r = { 0 };
		const unsigned char *d;
		size_t n;
		char t;
		fcntl (a, F_SETFL, O_NONBLOCK);
		assert_int_equal (frame_reader_fill (&r, a), 1);
		assert_int_equal (frame_reader_next (&r, &t, &d, &n), 1);
		assert_int_equal (t, 'H');
		assert_int_equal (d[0], ATTACH_TTY | ATTACH_STDIN);
	}
	/* A garbage first frame: dropped. */
	{
		int g = connect_client (&h, 0, false);
		assert_int_equal (attach_frame_send (g, 'I', "x", 1), 0);
		pump (&h);
		assert_int_equal (h.n, 1);
		close (g);
	}
	/* Client 33 is refused with a reason. */
	for (int i = 1; i < ATTACH_CLIENTS_MAX; i++)
		extra[i] = connect_client (&h, 0, true);
	extra[0] = connect_client (&h, 0, false);
	memset (out, 0, sizeof out);
	assert_int_equal (drain (extra[0], 'F', out, sizeof out, &eof, NULL, &first), 37);
	assert_string_equal (out, "too many clients are attached already");
	assert_true (eof);
	for (int i = 0; i < ATTACH_CLIENTS_MAX; i++)
		close (extra[i]);
	attach_hub_release (&h);
	close (a);
	close (master);
	close (slave);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_frames),
		cmocka_unit_test (test_fanout),
		cmocka_unit_test (test_slow_client),
		cmocka_unit_test (test_resize_and_refusal),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
