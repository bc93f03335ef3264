/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "exec-pty.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

void
exec_pty_size (int from, struct winsize *ws)
{
	if (from < 0 || !isatty (from) || ioctl (from, TIOCGWINSZ, ws) < 0 || ws->ws_row == 0 || ws->ws_col == 0)
		*ws = (struct winsize) { .ws_row = 24, .ws_col = 80 };
}

/* One byte and room for one SCM_RIGHTS fd: the message both ends use. */
struct fd_msg {
	char byte;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE (sizeof (int))];
	} u;
	struct msghdr msg;
};

static void
fd_msg_init (struct fd_msg *m, char byte)
{
	memset (m, 0, sizeof *m);
	m->byte = byte;
	m->iov = (struct iovec) { .iov_base = &m->byte, .iov_len = 1 };
	m->msg = (struct msghdr) { .msg_iov = &m->iov, .msg_iovlen = 1, .msg_control = m->u.buf, .msg_controllen = sizeof m->u.buf };
}

static int
send_fd (int sock, int fd)
{
	struct fd_msg m;
	struct cmsghdr *c;

	fd_msg_init (&m, 'T');
	c = CMSG_FIRSTHDR (&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN (sizeof (int));
	memcpy (CMSG_DATA (c), &fd, sizeof fd);
	while (sendmsg (sock, &m.msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Runs in the container's namespaces, as the target user: /dev/ptmx is
 * the container's (lxc.pty.max), so `tty` names a /dev/pts/N that exists
 * there. */
int
exec_pty_child (int sock, const struct winsize *ws)
{
	int master, slave, e;

	master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -1;
	if (unlockpt (master) < 0)
		goto fail_master;
	/* The slave from the master itself: no path lookup that the
	 * container's files could redirect. */
	slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		char name[64];
		if (ptsname_r (master, name, sizeof name) != 0)
			goto fail_master;
		slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (slave < 0)
			goto fail_master;
	}
	if (ioctl (slave, TIOCSWINSZ, ws) < 0 || send_fd (sock, master) < 0)
		goto fail_both;
	close (master);
	/* Its own session, with the pty as controlling terminal: job
	 * control and ^C work as on a login terminal. */
	if (setsid () < 0 || ioctl (slave, TIOCSCTTY, 0) < 0)
		goto fail_slave;
	for (int i = 0; i < 3; i++)
		if (dup2 (slave, i) < 0)
			goto fail_slave;
	if (slave > 2)
		close (slave);
	return 0;

fail_both:
	e = errno;
	close (master);
	errno = e;
fail_slave:
	e = errno;
	close (slave);
	errno = e;
	return -1;
fail_master:
	e = errno;
	close (master);
	errno = e;
	return -1;
}

int
exec_pty_receive (int sock, int *master, lxcshim_error_t *err)
{
	struct fd_msg m;
	struct cmsghdr *c;
	ssize_t n;

	*master = -1;
	fd_msg_init (&m, 0);
	do
		n = recvmsg (sock, &m.msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lxcshim_fail_errno (err, "receive the exec terminal");
	if (n == 0)
		return 0; /* it gave up first: its report says why */
	c = CMSG_FIRSTHDR (&m.msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN (sizeof (int)) || (m.msg.msg_flags & MSG_CTRUNC))
		return lxcshim_fail (err, EPROTO, "the exec terminal did not arrive");
	memcpy (master, CMSG_DATA (c), sizeof (int));
	fcntl (*master, F_SETFL, fcntl (*master, F_GETFL) | O_NONBLOCK);
	return 0;
}
