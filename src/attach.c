/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim_attach: the client side of an attach to a detached container.
 * It asks the supervisor's control socket for the stream (protocol.h,
 * attach-stream.h), relays stdin (through the detach-key matcher when the
 * container has a terminal, as docker does), the output and the window
 * size, until the workload ends or the detach keys are typed. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>

#include "abi.h"
#include "attach-stream.h"
#include "container.h"
#include "control.h"
#include "detach-keys.h"
#include "error.h"
#include "protocol.h"
#include "util.h"

/* The window size of FD as a 'W' frame's payload; false if not a tty. */
static bool
window_size (int fd, unsigned char d[4])
{
	struct winsize ws;

	if (fd < 0 || ioctl (fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return false;
	d[0] = (unsigned char) (ws.ws_row >> 8);
	d[1] = (unsigned char) ws.ws_row;
	d[2] = (unsigned char) (ws.ws_col >> 8);
	d[3] = (unsigned char) ws.ws_col;
	return true;
}

static void
send_size (int sock, const struct lxcshim_attach_options *o)
{
	unsigned char d[4];

	if (window_size (o->stdio.out, d) || window_size (o->stdio.in, d))
		attach_frame_send (sock, 'W', d, sizeof d);
}

/* sig-proxy: a signal of ours goes to the workload through the
 * supervisor's own "signal" verb (it checks the init as kill does). */
static void
proxy_signal (const char *dir, const char *id, int sig)
{
	_cleanup_error_ lxcshim_error_t e = NULL;
	_cleanup_close_ int fd = control_connect (dir, id, &e);
	char req[32];

	if (fd < 0)
		return;
	snprintf (req, sizeof req, "signal %d", sig);
	control_call (fd, id, req, NULL, 0, &e);
}

struct session {
	const struct lxcshim_attach_options *o;
	const char *id, *dir;
	int sock;
	bool tty, with_stdin;
	struct detach_keys keys;
	struct frame_reader *in;
};

/* Stdin readable: 1 went on, 0 stdin ended, 2 the detach keys. */
static int
on_stdin (struct session *s)
{
	unsigned char buf[4096], out[sizeof buf + DETACH_KEYS_MAX];
	ssize_t n = read (s->o->stdio.in, buf, sizeof buf);
	size_t k;
	bool hit = false;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		k = s->tty ? detach_keys_flush (&s->keys, out) : 0;
		if (k && s->with_stdin)
			attach_frame_send (s->sock, 'I', out, k);
		if (s->with_stdin)
			attach_frame_send (s->sock, 'E', NULL, 0);
		return 0;
	}
	if (s->tty)
		k = detach_keys_feed (&s->keys, buf, (size_t) n, out, &hit);
	else {
		memcpy (out, buf, (size_t) n);
		k = (size_t) n;
	}
	if (k && s->with_stdin)
		attach_frame_send (s->sock, 'I', out, k);
	return hit ? 2 : 1;
}

/* Socket readable: 1 went on, 0 the workload ended (*exit set), -1 lost. */
static int
on_socket (struct session *s, struct lxcshim_exit *exit, lxcshim_error_t *err)
{
	const unsigned char *d;
	size_t n;
	char type;
	int r = frame_reader_fill (s->in, s->sock);

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (r < 0)
		return lxcshim_fail_errno (err, "attach to %s", s->id);
	if (r == 0)
		return lxcshim_fail (err, EPIPE, "the supervisor of %s ended the attach before the workload ended (it died, or this client fell %zu bytes behind its output)",
		                     s->id, (size_t) ATTACH_QUEUE_MAX);
	while ((r = frame_reader_next (s->in, &type, &d, &n)) == 1) {
		if (type == 'O' && s->o->stdio.out >= 0)
			write_all (s->o->stdio.out, d, n);
		else if (type == 'R' && s->o->stdio.err >= 0)
			write_all (s->o->stdio.err, d, n);
		else if (type == 'X' && attach_exit_decode (d, n, &exit->exit_code, &exit->oom_killed, &exit->message) == 0)
			return 0;
	}
	if (r < 0)
		return lxcshim_fail (err, EPROTO, "the supervisor of %s sent a corrupt attach stream", s->id);
	return 1;
}

static int
attach_run (lxcshim_driver_t *d, const char *id, const struct lxcshim_attach_options *o, struct lxcshim_exit *exit,
            bool *detached, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_close_ int sock = -1;
	struct session s = { .o = o, .id = id };
	char reply[LXCSHIM_MSG_MAX];
	unsigned flags = 0;
	bool stdin_open, start = o->start;
	int ret = -1;

	memset (exit, 0, sizeof *exit);
	*detached = false;
	if (detach_keys_parse (o->detach_keys, &s.keys, err) < 0)
		return -1;
	if (container_open (d, id, &c, err) < 0 || container_load_state (&c, err) < 0)
		return -1;
	/* start -a of what is not (or no longer) created: start's own
	 * refusal says why. */
	if (o->start && !(streq (c.state.status, "created") && c.supervisor_alive)) {
		if (lxcshim_start (d, id, NULL, err) < 0)
			return -1;
		start = false;
		if (container_load_state (&c, err) < 0)
			return -1;
	}
	if (!c.init_alive && !(streq (c.state.status, "created") && c.supervisor_alive))
		return lxcshim_fail (err, ESRCH, "container %s is not running", id);
	if (!c.supervisor_alive)
		return lxcshim_fail (err, ESRCH, "cannot attach to %s: its supervisor (pid %d) is gone; the container runs on, without anyone serving its terminal and output (stop or kill it, or use exec)",
		                     id, (int) c.state.supervisor_pid);
	sock = control_connect (c.dir, id, err);
	if (sock < 0)
		return lxcshim_error_prefix (err, "cannot attach to %s", id);
	if (control_call (sock, id, o->stdio.in < 0 ? "attach" : o->stdin_once ? "attach stdin once" : "attach stdin", reply,
	                  sizeof reply, err) < 0)
		return lxcshim_error_prefix (err, "cannot attach to %s", id);
	if (sscanf (reply, "%u", &flags) != 1)
		return lxcshim_fail (err, EPROTO, "the supervisor of %s answered attach with \"%s\"", id, reply);
	s.sock = sock;
	s.dir = c.dir;
	s.tty = flags & ATTACH_TTY;
	s.with_stdin = (flags & ATTACH_STDIN) && o->stdio.in >= 0;
	if (o->stdin_required && o->stdio.in >= 0 && !(flags & ATTACH_STDIN))
		return lxcshim_fail (err, EINVAL, "container %s has no stdin to attach: it was created without -i", id);
	s.in = xzalloc (sizeof *s.in);
	/* Attached first, then started: the hub has this client before GO. */
	if (start && lxcshim_start (d, id, NULL, err) < 0)
		goto out;
	if (o->attached_hook)
		o->attached_hook (o->hook_data, s.tty, s.with_stdin);
	if (s.tty)
		send_size (sock, o);
	/* Without a stdin to feed, a terminal's keys are still read: for the
	 * detach keys (what else is typed goes nowhere). */
	stdin_open = s.with_stdin || (s.tty && o->stdio.in >= 0 && isatty (o->stdio.in));

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = stdin_open ? o->stdio.in : -1, .events = POLLIN },
			{ .fd = o->signal_fd, .events = POLLIN },
		};
		int r;

		if (poll (p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			lxcshim_fail_errno (err, "poll");
			goto out;
		}
		if (p[1].revents) {
			r = on_stdin (&s);
			if (r == 2) {
				*detached = true;
				ret = 0;
				goto out;
			}
			if (r == 0)
				stdin_open = false;
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read (o->signal_fd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGWINCH) {
					if (s.tty)
						send_size (sock, o);
				} else if (o->sig_proxy)
					proxy_signal (c.dir, id, (int) si.ssi_signo);
			}
		}
		if (p[0].revents) {
			r = on_socket (&s, exit, err);
			if (r < 0)
				goto out;
			if (r == 0) {
				ret = 0;
				goto out;
			}
		}
	}
out:
	free (s.in);
	return ret;
}

/* The caller's structs are only read and filled as far as their size
 * covers (lxcshim.h). */
int
lxcshim_attach (lxcshim_driver_t *d, const char *id, const struct lxcshim_attach_options *caller_opts,
                struct lxcshim_exit *caller_exit, bool *detached, lxcshim_error_t *err)
{
	struct lxcshim_attach_options o = LXCSHIM_ATTACH_OPTIONS_INIT;
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;
	int ret;

	if (abi_struct_out_check (caller_exit, ABI_SIZE0 (struct lxcshim_exit, id), "lxcshim_exit", err) < 0 ||
	    abi_struct_in (&o, sizeof o, caller_opts, ABI_SIZE0 (struct lxcshim_attach_options, hook_data),
	                   "lxcshim_attach_options", err) < 0)
		return -1;
	ret = attach_run (d, id, &o, &exit, detached, err);
	abi_struct_out (caller_exit, &exit, sizeof exit);
	return ret;
}
