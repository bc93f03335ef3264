/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>

#include "attach-stream.h"
#include "control.h"
#include "util.h"

/* Input the hub holds for the workload before it stops reading clients. */
#define IN_QUEUE_MAX ((size_t) 64 << 10)

void
attach_frame_add (struct buf *b, char type, const void *data, size_t n)
{
	unsigned char h[ATTACH_HEADER] = { (unsigned char) type, (unsigned char) (n >> 8), (unsigned char) n };

	buf_add (b, (const char *) h, sizeof h);
	if (n)
		buf_add (b, data, n);
}

int
attach_frame_send (int fd, char type, const void *data, size_t n)
{
	struct buf b = { 0 };
	int ret;

	attach_frame_add (&b, type, data, n);
	ret = write_all (fd, b.data, b.len);
	buf_free (&b);
	return ret;
}

int
frame_reader_fill (struct frame_reader *r, int fd)
{
	ssize_t n;

	if (r->consumed) {
		memmove (r->buf, r->buf + r->consumed, r->len - r->consumed);
		r->len -= r->consumed;
		r->consumed = 0;
	}
	if (r->len == sizeof r->buf) {
		errno = EPROTO;
		return -1;
	}
	do
		n = read (fd, r->buf + r->len, sizeof r->buf - r->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	r->len += (size_t) n;
	return n > 0;
}

int
frame_reader_next (struct frame_reader *r, char *type, const unsigned char **data, size_t *n)
{
	const unsigned char *p = r->buf + r->consumed;
	size_t avail = r->len - r->consumed, len;

	if (avail < ATTACH_HEADER)
		return 0;
	len = ((size_t) p[1] << 8) | p[2];
	if (len > ATTACH_FRAME_MAX)
		return -1;
	if (avail < ATTACH_HEADER + len)
		return 0;
	*type = (char) p[0];
	*data = p + ATTACH_HEADER;
	*n = len;
	r->consumed += ATTACH_HEADER + len;
	return 1;
}

void
attach_hub_init (struct attach_hub *h, int in_fd, int tty_fd)
{
	memset (h, 0, sizeof *h);
	h->in_fd = in_fd;
	h->tty_fd = tty_fd;
	h->queue_max = ATTACH_QUEUE_MAX;
}

static void
client_free (struct attach_client *c)
{
	closep (&c->fd);
	buf_free (&c->out);
	free (c);
}

/* Writes what is queued, as far as the connection takes it now, one
 * frame per send (a packet each on SOCK_SEQPACKET). */
static void
client_flush (struct attach_client *c)
{
	while (c->fd >= 0 && c->out_off < c->out.len) {
		const unsigned char *p = (const unsigned char *) c->out.data + c->out_off;
		ssize_t n;

		if (c->frame_left == 0)
			c->frame_left = ATTACH_HEADER + (((size_t) p[1] << 8) | p[2]);
		n = send (c->fd, p, c->frame_left, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			closep (&c->fd); /* gone: dropped below */
			break;
		}
		c->out_off += (size_t) n;
		c->frame_left -= (size_t) n;
	}
	if (c->out_off == c->out.len) {
		c->out.len = c->out_off = 0;
		if (c->closing)
			closep (&c->fd);
	} else if (c->out_off > (64 << 10)) {
		memmove (c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
		c->out.len -= c->out_off;
		c->out_off = 0;
	}
}

/* Drops the clients whose connection is closed. */
static void
hub_compact (struct attach_hub *h)
{
	size_t k = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (h->clients[i]->fd < 0)
			client_free (h->clients[i]);
		else
			h->clients[k++] = h->clients[i];
	}
	h->n = k;
}

unsigned
attach_hub_flags (const struct attach_hub *h)
{
	return (h->tty_fd >= 0 ? ATTACH_TTY : 0) | (h->in_fd >= 0 ? ATTACH_STDIN : 0);
}

int
attach_hub_add (struct attach_hub *h, int conn, unsigned flags)
{
	struct attach_client *c;

	if (h->n == ATTACH_CLIENTS_MAX)
		return -1;
	fcntl (conn, F_SETFL, fcntl (conn, F_GETFL) | O_NONBLOCK);
	c = xzalloc (sizeof *c);
	c->fd = conn;
	c->stdin = (flags & ATTACH_STDIN) && h->in_fd >= 0;
	c->stdin_once = c->stdin && (flags & ATTACH_STDIN_ONCE);
	h->clients[h->n++] = c;
	return 0;
}

static void
queue (struct attach_hub *h, struct attach_client *c, char type, const unsigned char *data, size_t n)
{
	size_t frames = n / ATTACH_FRAME_MAX + 1;

	if (c->out.len - c->out_off + n + frames * ATTACH_HEADER > h->queue_max) {
		/* Too slow: disconnected rather than fed a stream with a hole
		 * in it (or allowed to hold up everyone else). */
		closep (&c->fd);
		h->dropped++;
		return;
	}
	do {
		size_t k = n < ATTACH_FRAME_MAX ? n : ATTACH_FRAME_MAX;
		attach_frame_add (&c->out, type, data, k);
		data += k;
		n -= k;
	} while (n > 0);
	client_flush (c);
}

void
attach_hub_output (struct attach_hub *h, char type, const void *data, size_t n)
{
	for (size_t i = 0; i < h->n; i++)
		if (!h->clients[i]->closing && h->clients[i]->fd >= 0)
			queue (h, h->clients[i], type, data, n);
	hub_compact (h);
}

size_t
attach_hub_poll (struct attach_hub *h, struct pollfd *p)
{
	bool in_full = h->in.len - h->in_off >= IN_QUEUE_MAX;

	p[0] = (struct pollfd) { .fd = h->in.len > h->in_off ? h->in_fd : -1, .events = POLLOUT };
	for (size_t i = 0; i < h->n; i++) {
		struct attach_client *c = h->clients[i];
		p[1 + i] = (struct pollfd) { .fd = c->fd, .events = (in_full || c->closing ? 0 : POLLIN) |
			                                            (c->out.len > c->out_off ? POLLOUT : 0) };
	}
	return 1 + h->n;
}

static void
resize (struct attach_hub *h, const unsigned char *d, size_t n)
{
	struct winsize ws = { 0 };

	if (h->tty_fd < 0 || n != 4)
		return;
	ws.ws_row = (unsigned short) ((d[0] << 8) | d[1]);
	ws.ws_col = (unsigned short) ((d[2] << 8) | d[3]);
	if (ws.ws_row && ws.ws_col)
		ioctl (h->tty_fd, TIOCSWINSZ, &ws);
}

/* A stdin-once client's input ended and all of it was fed: the workload
 * gets EOF.  The fd stays the caller's, so its number is kept, on
 * /dev/null: dup2 closes the pipe's end in the same step. */
static void
close_input (struct attach_hub *h)
{
	int null;

	if (!h->in_eof || h->in_closed || h->in_fd < 0 || h->in.len > h->in_off)
		return;
	null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return;
	if (dup2 (null, h->in_fd) >= 0) {
		fcntl (h->in_fd, F_SETFD, FD_CLOEXEC);
		h->in_closed = true;
		h->in_fd = -1;
	}
	close (null);
}

static void
client_read (struct attach_hub *h, struct attach_client *c)
{
	/* One packet per read on SOCK_SEQPACKET: take a few per wake-up,
	 * but not more than the workload's input queue can hold. */
	for (int k = 0; k < 64 && c->fd >= 0 && h->in.len - h->in_off < IN_QUEUE_MAX; k++) {
		const unsigned char *data;
		size_t n;
		char type;
		int r = frame_reader_fill (&c->in, c->fd);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			closep (&c->fd);
			return;
		}
		while ((r = frame_reader_next (&c->in, &type, &data, &n)) == 1) {
			if (type == 'W')
				resize (h, data, n);
			else if (type == 'I' && c->stdin && n)
				buf_add (&h->in, (const char *) data, n);
			/* 'E': the container's stdin stays open for the others
			 * (as docker attach leaves it), unless this client is
			 * its one user (start -a -i, docker's StdinOnce). */
			else if (type == 'E' && c->stdin_once && h->tty_fd < 0)
				h->in_eof = true;
		}
		if (r < 0)
			closep (&c->fd);
	}
}

static void
feed_input (struct attach_hub *h)
{
	while (h->in_off < h->in.len) {
		ssize_t n = write (h->in_fd, h->in.data + h->in_off, h->in.len - h->in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* The workload closed its stdin: what is typed is lost. */
			h->in_fd = -1;
			break;
		}
		h->in_off += (size_t) n;
	}
	h->in.len = h->in_off = 0;
	close_input (h);
}

void
attach_hub_handle (struct attach_hub *h, const struct pollfd *p, size_t n)
{
	if (n > 0 && p[0].fd >= 0 && p[0].revents)
		feed_input (h);
	for (size_t i = 0; i + 1 < n && i < h->n; i++) {
		struct attach_client *c = h->clients[i];

		if (p[1 + i].fd < 0 || p[1 + i].fd != c->fd || !p[1 + i].revents)
			continue;
		if (p[1 + i].revents & POLLOUT)
			client_flush (c);
		if (c->fd >= 0 && p[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
			client_read (h, c);
	}
	/* Try at once: the workload may take it without waiting for a poll. */
	if (h->in_fd >= 0 && h->in.len > h->in_off)
		feed_input (h);
	close_input (h);
	hub_compact (h);
}

static long
ms_since (const struct timespec *t0)
{
	struct timespec t;

	clock_gettime (CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

void
attach_hub_finish (struct attach_hub *h, int code, bool oom_killed, const char *message, int timeout_ms)
{
	unsigned char be[ATTACH_FRAME_MAX] = { (unsigned char) (code >> 24), (unsigned char) (code >> 16),
		                               (unsigned char) (code >> 8), (unsigned char) code, oom_killed };
	size_t n = 5, m = message ? strlen (message) : 0;
	struct timespec t0;

	if (m > sizeof be - n)
		m = sizeof be - n;
	memcpy (be + n, message ? message : "", m);
	n += m;

	for (size_t i = 0; i < h->n; i++) {
		if (!h->clients[i]->closing && h->clients[i]->fd >= 0) {
			queue (h, h->clients[i], 'X', be, n);
			h->clients[i]->closing = true;
		} else {
			closep (&h->clients[i]->fd);
		}
		if (h->clients[i]->fd >= 0 && h->clients[i]->out.len == h->clients[i]->out_off)
			closep (&h->clients[i]->fd);
	}
	hub_compact (h);
	clock_gettime (CLOCK_MONOTONIC, &t0);
	while (h->n > 0) {
		struct pollfd p[ATTACH_CLIENTS_MAX];
		long left = timeout_ms - ms_since (&t0);

		if (left <= 0)
			break;
		for (size_t i = 0; i < h->n; i++)
			p[i] = (struct pollfd) { .fd = h->clients[i]->fd, .events = POLLOUT };
		if (poll (p, h->n, (int) left) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < h->n; i++)
			if (p[i].revents)
				client_flush (h->clients[i]);
		hub_compact (h);
	}
	attach_hub_release (h);
}

int
attach_exit_decode (const unsigned char *d, size_t n, int *code, bool *oom_killed, char **message)
{
	*message = NULL;
	if (n < 5)
		return -1;
	*code = (int) (((unsigned) d[0] << 24) | ((unsigned) d[1] << 16) | ((unsigned) d[2] << 8) | d[3]);
	*oom_killed = d[4] != 0;
	if (n > 5)
		*message = xstrndup ((const char *) d + 5, n - 5);
	return 0;
}

void
attach_hub_release (struct attach_hub *h)
{
	for (size_t i = 0; i < h->n; i++)
		client_free (h->clients[i]);
	h->n = 0;
	buf_free (&h->in);
}

bool
attach_hub_request (struct attach_hub *h, struct control_server *srv, int idx, const char *req)
{
	unsigned rows, cols;
	char extra;

	if (streq (req, "attach") || streq (req, "attach stdin") || streq (req, "attach stdin once")) {
		int fd;

		if (h == NULL)
			control_reply (srv, idx, "ERR %d this container's output is not served for attach (it runs in the foreground)",
			               EOPNOTSUPP);
		else if (h->n == ATTACH_CLIENTS_MAX)
			control_reply (srv, idx, "ERR %d too many clients are attached already", EAGAIN);
		else if (control_reply (srv, idx, "OK %u", attach_hub_flags (h)) == 0) {
			fd = control_take (srv, idx);
			attach_hub_add (h, fd,
			                streq (req, "attach")       ? 0
			                : streq (req, "attach stdin") ? ATTACH_STDIN
			                                              : ATTACH_STDIN | ATTACH_STDIN_ONCE);
		}
		return true;
	}
	if (strncmp (req, "resize", 6) == 0 && (req[6] == ' ' || req[6] == '\0')) {
		if (sscanf (req + 6, " %u %u%c", &rows, &cols, &extra) != 2 || rows == 0 || cols == 0 || rows > 65535 ||
		    cols > 65535)
			control_reply (srv, idx, "ERR %d usage: resize ROWS COLS", EINVAL);
		else if (h == NULL || h->tty_fd < 0)
			control_reply (srv, idx, "ERR %d the container has no terminal", ENOTTY);
		else {
			unsigned char d[4] = { (unsigned char) (rows >> 8), (unsigned char) rows, (unsigned char) (cols >> 8),
				               (unsigned char) cols };
			resize (h, d, sizeof d);
			control_reply (srv, idx, "OK");
		}
		return true;
	}
	return false;
}
