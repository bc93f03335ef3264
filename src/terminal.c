/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "error.h"
#include "terminal.h"
#include "util.h"

int
terminal_open (struct terminal *t, int size_from, lxcshim_error_t *err)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char name[64];

	if (size_from >= 0 && isatty (size_from))
		ioctl (size_from, TIOCGWINSZ, &ws);
	if (ws.ws_row == 0 || ws.ws_col == 0) {
		ws.ws_row = 24;
		ws.ws_col = 80;
	}
	/* Close-on-exec from the start: openpty() and a later F_SETFD would
	 * let a fork+exec on another thread of the embedder inherit the pty
	 * (and a held slave keeps the terminal from ever hanging up). */
	t->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0)
		return lxcshim_fail_errno (err, "posix_openpt");
	if (grantpt (t->master) < 0 || unlockpt (t->master) < 0 || ptsname_r (t->master, name, sizeof name) != 0) {
		lxcshim_fail_errno (err, "pty");
		closep (&t->master);
		return -1;
	}
	t->slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0) {
		lxcshim_fail_errno (err, "open %s", name);
		closep (&t->master);
		return -1;
	}
	ioctl (t->master, TIOCSWINSZ, &ws);
	t->slave_path = xstrdup (name);
	return 0;
}

void
terminal_close (struct terminal *t)
{
	closep (&t->master);
	closep (&t->slave);
	free (t->slave_path);
	t->slave_path = NULL;
}

void
terminal_resize (struct terminal *t, int from)
{
	struct winsize ws;

	if (t->master >= 0 && from >= 0 && ioctl (from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		ioctl (t->master, TIOCSWINSZ, &ws);
}

static void
relay_read (struct relay *r)
{
	ssize_t n = read (r->from, r->buf, sizeof r->buf);

	if (n > 0) {
		r->len = n;
		r->off = 0;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		r->from_done = true; /* EIO on a master: no slave is left */
	}
}

static void
relay_write (struct relay *r)
{
	ssize_t n = write (r->to, r->buf + r->off, r->len - r->off);

	if (n > 0)
		r->off += n;
	else if (n < 0 && errno != EINTR && errno != EAGAIN)
		r->to_broken = true;
	if (r->to_broken || r->off == r->len)
		r->len = r->off = 0;
}

/* Sets up poll entries for a relay: read when empty, write when full. */
void
relay_poll (struct relay *r, struct pollfd *rd, struct pollfd *wr)
{
	rd->fd = r->from >= 0 && !r->from_done && r->len == 0 ? r->from : -1;
	rd->events = POLLIN;
	wr->fd = r->len > 0 ? r->to : -1;
	wr->events = POLLOUT;
}

void
relay_handle (struct relay *r, const struct pollfd *rd, const struct pollfd *wr)
{
	if (rd->fd >= 0 && rd->revents)
		relay_read (r);
	if (wr->fd >= 0 && wr->revents) {
		if (wr->revents & (POLLERR | POLLHUP) && !(wr->revents & POLLOUT))
			r->to_broken = true;
		relay_write (r);
	}
}

/* After lxc-start is gone, what the workload wrote last is still in the
 * pty: copy it out until the master reports EIO. */
void
relay_drain (struct relay *r)
{
	while (r->from >= 0 && !r->from_done) {
		struct pollfd p = { .fd = r->from, .events = POLLIN };
		if (poll (&p, 1, 0) <= 0)
			break;
		relay_read (r);
		while (r->len > 0)
			relay_write (r);
	}
}
