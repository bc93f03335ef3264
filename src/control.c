/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"
#include "error.h"
#include "protocol.h"
#include "util.h"

/* sun_path holds 108 bytes, a --root may be longer: the path goes through
 * an O_PATH fd of DIR (the kernel resolves the magic link). */
static int
socket_address (const char *dir, int *dirfd, struct sockaddr_un *sa, lxcshim_error_t *err)
{
	*dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return lxcshim_fail_errno (err, "open %s", dir);
	memset (sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	snprintf (sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/" LXCSHIM_CONTROL_SOCK, *dirfd);
	return 0;
}

int
control_server_open (struct control_server *srv, const char *dir, lxcshim_error_t *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct sockaddr_un sa;

	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		srv->clients[i] = (struct control_client) { .fd = -1 };
	if (socket_address (dir, &dirfd, &sa, err) < 0)
		return -1;
	fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return lxcshim_fail_errno (err, "socket");
	unlinkat (dirfd, LXCSHIM_CONTROL_SOCK, 0);
	/* DIR is 0700, so nobody else can reach the socket before the chmod. */
	if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
		return lxcshim_fail_errno (err, "bind %s/%s", dir, LXCSHIM_CONTROL_SOCK);
	if (fchmodat (dirfd, LXCSHIM_CONTROL_SOCK, 0600, 0) < 0 || listen (fd, 16) < 0) {
		lxcshim_fail_errno (err, "listen on %s/%s", dir, LXCSHIM_CONTROL_SOCK);
		unlinkat (dirfd, LXCSHIM_CONTROL_SOCK, 0);
		return -1;
	}
	srv->path = xasprintf ("%s/%s", dir, LXCSHIM_CONTROL_SOCK);
	srv->listen_fd = steal_fd (&fd);
	return 0;
}

static void
drop (struct control_server *srv, int idx)
{
	closep (&srv->clients[idx].fd);
	srv->clients[idx].waiting = false;
}

void
control_server_close (struct control_server *srv)
{
	if (srv->listen_fd < 0)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		drop (srv, i);
	/* Only ours: a later supervisor of the same name cannot exist while
	 * the directory is ours, but a removed directory needs nothing. */
	if (srv->path)
		unlink (srv->path);
	free (srv->path);
	srv->path = NULL;
	closep (&srv->listen_fd);
}

void
control_server_pollfds (const struct control_server *srv, struct pollfd *p)
{
	p[0] = (struct pollfd) { .fd = srv->listen_fd, .events = POLLIN };
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		p[1 + i] = (struct pollfd) { .fd = srv->listen_fd >= 0 ? srv->clients[i].fd : -1, .events = POLLIN };
}

static void
send_packet (int fd, const char *msg)
{
	while (send (fd, msg, strlen (msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EINTR)
		;
}

static void
accept_client (struct control_server *srv)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4 (srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		send_packet (fd, "ERR 1 permission denied: the control socket serves root only");
		close (fd);
		return;
	}
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (srv->clients[i].fd < 0) {
			srv->clients[i] = (struct control_client) { .fd = fd };
			return;
		}
	send_packet (fd, "ERR 11 too many clients of this supervisor at once: try again");
	close (fd);
}

void
control_server_handle (struct control_server *srv, const struct pollfd *p, control_handler fn, void *data)
{
	char req[LXCSHIM_MSG_MAX + 1];

	if (srv->listen_fd < 0)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &srv->clients[i];
		ssize_t n;

		if (c->fd < 0 || p[1 + i].fd != c->fd || !p[1 + i].revents)
			continue;
		/* A waiter has nothing more to say: anything is a hang up. */
		if (c->waiting) {
			drop (srv, i);
			continue;
		}
		do
			n = recv (c->fd, req, sizeof req - 1, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			drop (srv, i);
			continue;
		}
		req[n] = '\0';
		fn (data, srv, i, req);
		if (c->fd >= 0 && !c->waiting)
			drop (srv, i);
	}
	/* After the clients: a slot freed above can take a new one. */
	if (p[0].revents & POLLIN)
		accept_client (srv);
}

int
control_reply (struct control_server *srv, int idx, const char *fmt, ...)
{
	char msg[LXCSHIM_MSG_MAX];
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	if (srv->clients[idx].fd < 0)
		return -1;
	send_packet (srv->clients[idx].fd, msg);
	return 0;
}

void
control_keep (struct control_server *srv, int idx)
{
	srv->clients[idx].waiting = srv->clients[idx].fd >= 0;
}

int
control_take (struct control_server *srv, int idx)
{
	srv->clients[idx].waiting = false;
	return steal_fd (&srv->clients[idx].fd);
}

void
control_broadcast_exit (struct control_server *srv, int exit_code, bool oom_killed)
{
	char msg[64];

	snprintf (msg, sizeof msg, "EXIT %d %d", exit_code, oom_killed ? 1 : 0);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0 && srv->clients[i].waiting) {
			send_packet (srv->clients[i].fd, msg);
			drop (srv, i);
		}
}

/* ---- clients ----------------------------------------------------- */

int
control_connect (const char *dir, const char *id, lxcshim_error_t *err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct sockaddr_un sa;
	int r;

	if (socket_address (dir, &dirfd, &sa, err) < 0)
		return -1;
	fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lxcshim_fail_errno (err, "socket");
	do
		r = connect (fd, (struct sockaddr *) &sa, sizeof sa);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			return lxcshim_fail (err, ESRCH, "the supervisor of %s is gone (%s: %s)", id, LXCSHIM_CONTROL_SOCK,
			                     strerror (errno));
		return lxcshim_fail_errno (err, "connect to the supervisor of %s", id);
	}
	return steal_fd (&fd);
}

static ssize_t
recv_packet (int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = recv (fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

int
control_fail_reply (const char *reply, lxcshim_error_t *err)
{
	char *end;
	long code;

	if (strncmp (reply, "ERR ", 4) != 0)
		return 0;
	code = strtol (reply + 4, &end, 10);
	if (code <= 0 || code > 4095 || *end != ' ')
		code = EIO;
	return lxcshim_fail (err, (int) code, "%s", *end == ' ' ? end + 1 : reply + 4);
}

int
control_call (int fd, const char *id, const char *req, char *data, size_t size, lxcshim_error_t *err)
{
	char reply[LXCSHIM_MSG_MAX + 1];
	ssize_t n;

	/* A refused client is answered (and hung up on) at once: the
	 * answer may be waiting although the send fails. */
	if (send (fd, req, strlen (req), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		return lxcshim_fail_errno (err, "cannot reach the supervisor of %s", id);
	n = recv_packet (fd, reply, sizeof reply);
	if (n < 0)
		return lxcshim_fail_errno (err, "cannot hear from the supervisor of %s", id);
	if (n == 0)
		return lxcshim_fail (err, EIO, "the supervisor of %s hung up without an answer", id);
	if (strncmp (reply, "OK", 2) == 0 && (reply[2] == '\0' || reply[2] == ' ')) {
		if (data)
			snprintf (data, size, "%s", reply[2] ? reply + 3 : "");
		return 0;
	}
	if (control_fail_reply (reply, err) < 0)
		return -1;
	return lxcshim_fail (err, EPROTO, "the supervisor of %s answered nonsense", id);
}

int
control_read_exit (int fd, const char *id, int *exit_code, bool *oom_killed, lxcshim_error_t *err)
{
	char msg[LXCSHIM_MSG_MAX + 1];
	int oom = 0;
	ssize_t n = recv_packet (fd, msg, sizeof msg);

	if (n < 0)
		return lxcshim_fail_errno (err, "cannot hear from the supervisor of %s", id);
	if (n == 0 || sscanf (msg, "EXIT %d %d", exit_code, &oom) != 2)
		return lxcshim_fail (err, EIO, "the supervisor of %s ended without reporting the exit", id);
	*oom_killed = oom != 0;
	return 0;
}
