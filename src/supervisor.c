/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "attach-stream.h"
#include "cgroup.h"
#include "container.h"
#include "error.h"
#include "lxc-start.h"
#include "oom.h"
#include "parse.h"
#include "protocol.h"
#include "supervisor.h"
#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct sup {
	const struct supervisor_config *cfg;
	const struct lxcshim_run_options *opts;
	pid_t child;          /* lxc-start, or our own monitor (lxc-start.h) */
	int child_pidfd;
	int ctl;              /* our end of the init's control socket */
	int init_pidfd;
	struct oom_watch oom;
	int hook_oom_fd;      /* the eventfd the start hook gets */
	bool reported;        /* the init said EXIT or FAIL after GO */
	bool rebooted;        /* lxc-start restarted the container (a reboot inside) */
	int child_status;     /* lxc-start's wait status */
	struct relay out, in; /* --tty: master -> caller, caller -> master */
	int exit_code;
	bool oom_killed;
	char message[512];
	pid_t ready_pid;      /* the sender of READY (SCM_CREDENTIALS): the init's host pid */
	bool started;         /* GO was sent */
	int start_client;     /* the control client whose "start" is being done, or -1 */
	/* With cfg->hub: the workload's output as the supervisor reads it
	 * (the pty master, or the stdout/stderr pipes), and the logs it is
	 * copied to before it goes to the attached clients. */
	int src[2], log[2];
};

/* Copies what the workload wrote to SRC[I] into its log and to every
 * attached client.  The log is a regular file (it never holds us up);
 * the hub never blocks.  EOF, or EIO on a master with no slave left,
 * ends that source. */
static void
pump_output (struct sup *s, int i)
{
	char buf[ATTACH_FRAME_MAX];

	for (int k = 0; k < 16 && s->src[i] >= 0; k++) {
		ssize_t n = read (s->src[i], buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			closep (&s->src[i]);
			return;
		}
		if (s->log[i] >= 0)
			write_all (s->log[i], buf, (size_t) n);
		attach_hub_output (s->cfg->hub, i == 0 ? 'O' : 'R', buf, (size_t) n);
	}
}


/* Everything the workload's output sources hold now (they are
 * non-blocking): copied to the logs and the clients before its end is
 * told, so that whoever sees the end (logs -f: the init's exit) finds
 * all of it. */
static void
drain_output (struct sup *s)
{
	for (int i = 0; i < 2; i++)
		while (s->src[i] >= 0 && poll (&(struct pollfd) { .fd = s->src[i], .events = POLLIN }, 1, 0) > 0)
			pump_output (s, i);
}

int
exit_code_from_status (int status)
{
	if (WIFEXITED (status))
		return WEXITSTATUS (status);
	if (WIFSIGNALED (status))
		return 128 + WTERMSIG (status);
	return 125;
}

static int
pidfd_open (pid_t pid)
{
	return (int) syscall (SYS_pidfd_open, pid, 0);
}

static int
pidfd_send_signal (int pidfd, int sig)
{
	return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Runs in the forked child: async-signal-safe calls only up to the exec,
 * everything else was prepared before fork().  With CALL (the parent is
 * single-threaded, so the child may do anything) it becomes the monitor
 * itself through liblxc instead of exec'ing lxc-start. */
static _Noreturn void
child_exec (const struct supervisor_config *cfg, const int stdio[3], int ctl, const struct lxc_start_call *call)
{
	static const char fail[] = "FAIL 125 cannot execute lxc-start";
	int high[4];

	setsid ();
	reset_signals ();
	/* Move everything above the targets first, so that no dup2() is a
	 * no-op that would keep a close-on-exec flag. */
	for (int i = 0; i < 3; i++)
		high[i] = fcntl (stdio[i], F_DUPFD, 10);
	high[3] = fcntl (ctl, F_DUPFD, 10);
	for (int i = 0; i < 4; i++)
		if (high[i] < 0 || dup2 (high[i], i) < 0)
			_exit (125);
	syscall (SYS_close_range, 4U, ~0U, 0U);
	if (cfg->shared_root) {
		/* Docker's fix for moby#2286: lxc-start's mounts must not
		 * propagate back to a shared host root. */
		if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			_exit (125);
	}
	if (call)
		lxc_start_call_run (call, cfg->envp);
	execve (cfg->argv[0], cfg->argv, cfg->envp);
	send (LXCSHIM_INIT_FD, fail, sizeof fail - 1, MSG_NOSIGNAL);
	_exit (125);
}

/* The reason lxc-start gave up: the first ERROR line of its log.  LXC
 * logs the cause first (the cgroup value the kernel refused, the config
 * line it could not take) and then generic lines for every caller up to
 * "Failed to spawn container", so the last line says nothing.  The lines
 * of lxc-start's own main() only say that it failed. */
static char *
lxc_log_reason (const char *log_path)
{
	_cleanup_free_ char *text = NULL;
	char *first = NULL, *line, *save = NULL;

	if (read_file (log_path, &text, NULL, NULL) < 0)
		return NULL;
	for (line = strtok_r (text, "\n", &save); line && first == NULL; line = strtok_r (NULL, "\n", &save))
		if (strstr (line, " ERROR ") && !strstr (line, "lxc_start.c"))
			first = line;
	if (first == NULL)
		return NULL;
	line = strstr (first, " - ");
	line = line ? strstr (line + 3, " - ") : NULL;
	return xstrdup (line ? line + 3 : first);
}

static int
recv_msg (int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = recv (fd, buf, size - 1, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* recv_msg, with the sender's pid (in our pid namespace) in *pid: the
 * kernel attaches it, the socket has SO_PASSCRED. */
static int
recv_msg_pid (int fd, char *buf, size_t size, pid_t *pid)
{
	union {
		char buf[CMSG_SPACE (sizeof (struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
		             .msg_controllen = sizeof control.buf };
	ssize_t n;

	*pid = 0;
	do
		n = recvmsg (fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN (sizeof (struct ucred))) {
			struct ucred cred;
			memcpy (&cred, CMSG_DATA (cm), sizeof cred);
			*pid = cred.pid;
		}
	return 0;
}

/* "FAIL <code> <text>" */
static void
parse_fail (const char *msg, int *code, char *text, size_t size)
{
	char *end;

	*code = (int) strtol (msg + 5, &end, 10);
	if (*code <= 0 || *code > 255)
		*code = 125;
	snprintf (text, size, "%s", *end == ' ' ? end + 1 : end);
}

static void
reap_child (struct sup *s)
{
	if (s->child > 0) {
		while (waitpid (s->child, &s->child_status, 0) < 0 && errno == EINTR)
			;
		s->child = 0;
	}
}

static bool
wait_readable (int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll (&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* Kills every descendant of PID, deepest first, so that lxc-start itself
 * sees its container (or hook) fail and tears down what it set up. */
static void
kill_descendants (pid_t pid)
{
	_cleanup_free_ char *path = xasprintf ("/proc/%d/task/%d/children", (int) pid, (int) pid);
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (read_file (path, &text, NULL, NULL) < 0)
		return;
	for (char *tok = strtok_r (text, " \n", &save); tok; tok = strtok_r (NULL, " \n", &save)) {
		pid_t c = (pid_t) strtol (tok, NULL, 10);
		kill (c, SIGSTOP);
		kill_descendants (c);
		kill (c, SIGKILL);
	}
}

/* Stops a container that never became ready, leaving nothing behind.
 * Killing lxc-start itself would leak its cgroups, so first kill what runs
 * under it (the container's init, or a hanging hook): lxc-start then fails
 * the start and tears down on its own.  If it was too early for anything
 * to run, wait for the init's READY (or lxc-start's end) and kill then.
 * Only a lxc-start that is itself stuck is killed, and cleaned up after. */
static void
abort_start (struct sup *s)
{
	struct kv *cgroups = NULL;
	size_t n = 0;
	char msg[LXCSHIM_MSG_MAX];
	int ctl = s->ctl;

	if (s->child <= 0)
		return;
	kill_descendants (s->child);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->child_pidfd, .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
		};
		int r = poll (p, 2, 5000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* stuck */
		if (p[0].revents) {
			reap_child (s);
			return;
		}
		if (p[1].revents & POLLIN && recv_msg (ctl, msg, sizeof msg) == 0)
			kill_descendants (s->child);
		else if (p[1].revents)
			ctl = -1; /* hung up: nothing more will come */
	}
	cgroup_paths_of_pid (s->child, s->cfg->unified_mount, &cgroups, &n, NULL);
	kill (-s->child, SIGKILL);
	kill (s->child, SIGKILL);
	reap_child (s);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *payload = cgroup_lxc_sibling (cgroups[i].value, "payload");
		if (payload) {
			cgroup_remove (payload, NULL);
			cgroup_remove (cgroups[i].value, NULL);
		}
		free (cgroups[i].key);
		free (cgroups[i].value);
	}
	free (cgroups);
}

static int
wait_ready (struct sup *s, lxcshim_error_t *err)
{
	_cleanup_close_ int timer = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { 0 };
	char msg[LXCSHIM_MSG_MAX];

	if (timer < 0)
		return lxcshim_fail_errno (err, "timerfd_create");
	its.it_value.tv_sec = s->cfg->start_timeout_ms / 1000;
	its.it_value.tv_nsec = (long) (s->cfg->start_timeout_ms % 1000) * 1000000L;
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime (timer, 0, &its, NULL);

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = s->ctl, .events = POLLIN },
			{ .fd = s->child_pidfd, .events = POLLIN },
			{ .fd = timer, .events = POLLIN },
		};
		if (poll (p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return lxcshim_fail_errno (err, "poll");
		}
		if (p[0].revents & POLLIN && recv_msg_pid (s->ctl, msg, sizeof msg, &s->ready_pid) == 0) {
			if (streq (msg, "READY"))
				return 0;
			if (strncmp (msg, "FAIL ", 5) == 0) {
				char text[512];
				int code;
				parse_fail (msg, &code, text, sizeof text);
				wait_readable (s->child_pidfd, -1);
				reap_child (s);
				return lxcshim_fail (err, EINVAL, "%s", text);
			}
			continue;
		}
		if (p[1].revents) {
			_cleanup_free_ char *reason = NULL;
			reap_child (s);
			reason = lxc_log_reason (s->cfg->log_path);
			return lxcshim_fail (err, EIO, "lxc-start failed to start container %s%s%s", s->cfg->id,
			                     reason ? ": " : "", reason ? reason : "");
		}
		if (p[2].revents) {
			abort_start (s);
			return lxcshim_fail (err, ETIMEDOUT, "container %s did not start within %u.%03u s", s->cfg->id,
			                     s->cfg->start_timeout_ms / 1000, s->cfg->start_timeout_ms % 1000);
		}
	}
}

/* GO, with the workload's stdio attached and the fds the init is to
 * keep (see protocol.h). */
static int
send_go (int ctl, const int stdio[3], const int keep[2])
{
	union {
		char buf[CMSG_SPACE (5 * sizeof (int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = "GO", .iov_len = 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf };
	struct cmsghdr *cm;
	int fds[5];
	size_t n = 3;

	memcpy (fds, stdio, 3 * sizeof (int));
	for (int i = 0; i < 2; i++)
		if (keep[i] >= 0)
			fds[n++] = keep[i];
	mh.msg_controllen = CMSG_SPACE (n * sizeof (int));
	cm = CMSG_FIRSTHDR (&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN (n * sizeof (int));
	memcpy (CMSG_DATA (cm), fds, n * sizeof (int));
	return sendmsg (ctl, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void
add_namespaces (struct state *st)
{
	static const struct {
		const char *key, *ns;
	} nss[] = {
		{ "NEWNS", "mnt" }, { "NEWUTS", "uts" }, { "NEWIPC", "ipc" }, { "NEWPID", "pid" },
		{ "NEWNET", "net" }, { "NEWCGROUP", "cgroup" }, { "NEWUSER", "user" },
	};
	for (size_t i = 0; i < ARRAY_SIZE (nss); i++) {
		_cleanup_free_ char *p = xasprintf ("/proc/%d/ns/%s", (int) st->init_pid, nss[i].ns);
		kv_add (&st->namespaces, &st->n_namespaces, nss[i].key, p);
	}
}

/* Learns the init pid and cgroups, writes state.json (STATUS: created
 * or running), arms the OOM watch. */
static int
record_ready (struct sup *s, const char *status, lxcshim_error_t *err)
{
	struct state *st = s->cfg->state;
	_cleanup_free_ char *stat_path = NULL, *stat = NULL;
	const char *mem;

	/* Only the init holds the other end, and READY is its own word: no
	 * need to ask liblxc (and load it, in lxcshim-supervisor). */
	st->init_pid = s->ready_pid;
	if (st->init_pid <= 0)
		return lxcshim_fail (err, EIO, "no init pid came with the READY of container %s", s->cfg->id);
	s->init_pidfd = pidfd_open (st->init_pid);
	if (s->init_pidfd < 0)
		return lxcshim_fail_errno (err, "pidfd_open %d", (int) st->init_pid);
	stat_path = xasprintf ("/proc/%d/stat", (int) st->init_pid);
	if (read_file (stat_path, &stat, NULL, err) < 0)
		return -1;
	st->init_start = proc_stat_starttime (stat);
	if (cgroup_paths_of_pid (st->init_pid, s->cfg->unified_mount, &st->cgroups, &st->n_cgroups, err) < 0)
		return -1;
	add_namespaces (st);
	free (st->status);
	st->status = xstrdup (status);
	if (container_state_write (s->cfg->dir, st, err) < 0)
		return -1;
	/* The memory controller is on v1 (eventfd) or on cgroup2 (memory.events,
	 * absent where the controller is not enabled: nothing can OOM there). */
	if (s->cfg->memory_v2) {
		mem = kv_get (st->cgroups, st->n_cgroups, "unified");
		if (mem)
			oom_watch_start_v2 (&s->oom, mem, NULL);
	} else {
		mem = kv_get (st->cgroups, st->n_cgroups, "memory");
		if (mem)
			oom_watch_start (&s->oom, mem, NULL);
	}
	return 0;
}

static void
on_oom_event (struct sup *s)
{
	uint64_t one = 1;

	if (oom_watch_event (&s->oom) && s->hook_oom_fd >= 0)
		write (s->hook_oom_fd, &one, sizeof one);
}

static void
on_init_message (struct sup *s, const char *msg)
{
	if (streq (msg, "READY") && !s->reported) {
		/* A second init: the workload rebooted the container (the
		 * kernel killed the first init with SIGHUP, and lxc-start
		 * restarts on that).  It must not run behind our back:
		 * hanging up makes the new init exit before it runs anything,
		 * and lxc-start then stops for good. */
		s->rebooted = true;
		s->reported = true;
		s->exit_code = 128 + SIGHUP; /* what Docker reports for a reboot */
		shutdown (s->ctl, SHUT_RDWR);
	} else if (strncmp (msg, "EXIT ", 5) == 0) {
		int status = (int) strtol (msg + 5, NULL, 10);
		bool sigkill = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;

		/* The OOM event precedes the kill, so it is already queued. */
		on_oom_event (s);
		s->reported = true;
		s->exit_code = exit_code_from_status (status);
		s->oom_killed = oom_verdict (sigkill, s->oom.seen, sigkill ? oom_watch_kills (&s->oom) : 0);
		/* The workload's last words were written before it was reaped:
		 * logged before the init may exit. */
		drain_output (s);
		/* Judged while the init, and so its cgroup, still lives. */
		send (s->ctl, "DONE", 4, MSG_NOSIGNAL);
	} else if (strncmp (msg, "FAIL ", 5) == 0) {
		s->reported = true;
		parse_fail (msg, &s->exit_code, s->message, sizeof s->message);
	}
}

static void
forward_signal (struct sup *s)
{
	struct signalfd_siginfo si;

	if (read (s->opts->signal_fd, &si, sizeof si) != sizeof si)
		return;
	if (si.ssi_signo == SIGWINCH) {
		if (s->cfg->tty)
			terminal_resize (s->cfg->tty, s->opts->stdio.out >= 0 ? s->opts->stdio.out : s->opts->stdio.in);
		return;
	}
	/* The init forwards it on to the workload.  If it is gone (a reboot
	 * is under way), lxc-start forwards it to whichever init it has. */
	if (pidfd_send_signal (s->init_pidfd, (int) si.ssi_signo) < 0 && errno == ESRCH)
		pidfd_send_signal (s->child_pidfd, (int) si.ssi_signo);
}

/* lxc-start was killed (SIGKILL: it could not tear down), so its cgroups
 * are ours to remove, once the init it took along (pdeathsig) is gone. */
static void
clean_after_monitor (struct sup *s)
{
	const struct state *st = s->cfg->state;

	if (s->init_pidfd >= 0)
		wait_readable (s->init_pidfd, 5000);
	cgroup_remove_leftovers (st->cgroups, st->n_cgroups, st->id, NULL);
	if (s->cfg->cgroups_left)
		*s->cfg->cgroups_left = cgroup_leftovers_exist (st->cgroups, st->n_cgroups, st->id);
}

/* A control request (protocol.h).  "start" is answered once GO is sent. */
static void
on_request (void *data, struct control_server *srv, int idx, const char *req)
{
	struct sup *s = data;
	size_t vlen = strcspn (req, " ");
	const char *arg = req[vlen] ? req + vlen + 1 : "";
	const char *id = s->cfg->id;

	if (attach_hub_request (s->cfg->hub, srv, idx, req))
		return;
	if (vlen == 6 && strncmp (req, "status", 6) == 0) {
		control_reply (srv, idx, "OK %s %d", s->started ? "running" : "created", (int) s->cfg->state->init_pid);
	} else if (vlen == 4 && strncmp (req, "wait", 4) == 0) {
		control_reply (srv, idx, "OK");
		control_keep (srv, idx);
	} else if (vlen == 5 && strncmp (req, "start", 5) == 0) {
		if (s->started || s->start_client >= 0)
			control_reply (srv, idx, "ERR %d container %s is already running", EBUSY, id);
		else if (!s->cfg->wait_start || s->child <= 0)
			control_reply (srv, idx, "ERR %d container %s is not created", EBUSY, id);
		else {
			s->start_client = idx;
			control_keep (srv, idx);
		}
	} else if (vlen == 6 && strncmp (req, "signal", 6) == 0) {
		char *end;
		long sig = strtol (arg, &end, 10);

		if (*arg < '0' || *arg > '9' || *end || sig < 1 || sig > 64)
			control_reply (srv, idx, "ERR %d invalid signal \"%.32s\": expected a number 1-64", EINVAL, arg);
		else if (!s->started)
			control_reply (srv, idx, "ERR %d container %s is created, not running: start it first", EBUSY, id);
		else if (pidfd_send_signal (s->init_pidfd, (int) sig) < 0)
			control_reply (srv, idx, "ERR %d cannot send signal %ld to container %s: %s", errno, sig, id,
			               strerror (errno));
		else
			control_reply (srv, idx, "OK");
	} else {
		control_reply (srv, idx, "ERR %d unknown request \"%.*s\"", EOPNOTSUPP, (int) (vlen > 32 ? 32 : vlen), req);
	}
}

/* Created: holds the workload until a "start" (1) or the init's end (0:
 * someone killed it; lxc-start has been reaped). */
static int
wait_start (struct sup *s, lxcshim_error_t *err)
{
	char msg[LXCSHIM_MSG_MAX];
	bool ctl_open = true;

	while (s->start_client < 0) {
		struct pollfd p[3 + CONTROL_POLLFDS] = {
			{ .fd = ctl_open ? s->ctl : -1, .events = POLLIN },
			{ .fd = s->child_pidfd, .events = POLLIN },
			{ .fd = s->oom.event_fd, .events = POLLIN },
		};
		control_server_pollfds (s->cfg->control, &p[3]);
		if (poll (p, ARRAY_SIZE (p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return lxcshim_fail_errno (err, "poll");
		}
		/* Nothing is due from the init before GO: a word or a hang up
		 * both mean it is going. */
		if (p[0].revents && (!(p[0].revents & POLLIN) || recv_msg (s->ctl, msg, sizeof msg) < 0))
			ctl_open = false;
		if (p[2].revents & POLLIN)
			on_oom_event (s);
		if (p[1].revents) {
			reap_child (s);
			return 0;
		}
		control_server_handle (s->cfg->control, &p[3], on_request, s);
	}
	return 1;
}

static int
wait_exit (struct sup *s, lxcshim_error_t *err)
{
	char msg[LXCSHIM_MSG_MAX];
	bool ctl_open = true;

	while (s->child > 0) {
		enum { HUB = 8 + CONTROL_POLLFDS, SRC = HUB + ATTACH_HUB_POLLFDS };
		struct pollfd p[SRC + 2] = {
			{ .fd = ctl_open ? s->ctl : -1, .events = POLLIN },
			{ .fd = s->child_pidfd, .events = POLLIN },
			{ .fd = s->oom.event_fd, .events = POLLIN },
			{ .fd = s->opts ? s->opts->signal_fd : -1, .events = POLLIN },
		};
		size_t nhub = 0;

		relay_poll (&s->out, &p[4], &p[5]);
		relay_poll (&s->in, &p[6], &p[7]);
		if (s->cfg->control)
			control_server_pollfds (s->cfg->control, &p[8]);
		else
			for (size_t i = 8; i < ARRAY_SIZE (p); i++)
				p[i].fd = -1;
		if (s->cfg->hub)
			nhub = attach_hub_poll (s->cfg->hub, &p[HUB]);
		for (size_t i = HUB + nhub; i < SRC; i++)
			p[i].fd = -1;
		p[SRC] = (struct pollfd) { .fd = s->src[0], .events = POLLIN };
		p[SRC + 1] = (struct pollfd) { .fd = s->src[1], .events = POLLIN };
		if (poll (p, ARRAY_SIZE (p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return lxcshim_fail_errno (err, "poll");
		}
		relay_handle (&s->out, &p[4], &p[5]);
		relay_handle (&s->in, &p[6], &p[7]);
		if (s->in.from_done && s->in.from >= 0 && s->in.len == 0) {
			/* The caller's stdin ended: end the workload's input too. */
			static const char eot = 4;
			write (s->in.to, &eot, 1);
			s->in.from = -1;
		}
		if (p[2].revents & POLLIN)
			on_oom_event (s);
		if (p[0].revents & POLLIN) {
			if (recv_msg (s->ctl, msg, sizeof msg) == 0)
				on_init_message (s, msg);
			else
				ctl_open = false;
		} else if (p[0].revents)
			ctl_open = false;
		if (s->rebooted)
			ctl_open = false;
		if (p[3].revents & POLLIN)
			forward_signal (s);
		for (int i = 0; i < 2; i++)
			if (p[SRC + i].fd >= 0 && p[SRC + i].revents)
				pump_output (s, i);
		if (s->cfg->hub)
			attach_hub_handle (s->cfg->hub, &p[HUB], nhub);
		if (s->cfg->control)
			control_server_handle (s->cfg->control, &p[8], on_request, s);
		if (p[1].revents) {
			/* Drain a report that raced with lxc-start's exit. */
			while (!s->reported && recv_msg (s->ctl, msg, sizeof msg) == 0)
				on_init_message (s, msg);
			reap_child (s);
		}
	}
	relay_drain (&s->out);
	/* Every writer is gone with lxc-start: what is left is read now
	 * (non-blocking, so a pty master without EIO cannot hold us). */
	drain_output (s);
	if (!WIFEXITED (s->child_status))
		clean_after_monitor (s);
	if (!s->reported) {
		/* The init died without a word: only SIGKILL does that to a
		 * pid-namespace init (lxc-stop -k, a kill -9 from the host). */
		s->exit_code = 128 + SIGKILL;
		/* The OOM killer may have picked the init: its event (or, on
		 * v2, the counter) is read once more, while the cgroup may
		 * still be there; a removed cgroup reads as no kill. */
		on_oom_event (s);
		s->oom_killed = oom_verdict (true, s->oom.seen, oom_watch_kills (&s->oom));
	}
	return 0;
}

/* A detached supervisor serves the workload's output to attach clients
 * (attach-stream.h): it reads the pty master, or pipes in place of the log
 * files, and copies everything to the logs itself; stdin (-i) is the
 * master or a pipe that the clients' input goes to. */
static int
setup_hub (struct sup *s, int stdio[3], int wl[3], int devnull, int *hub_in, lxcshim_error_t *err)
{
	const struct supervisor_config *cfg = s->cfg;
	int out[2], errp[2], in[2];

	s->log[0] = s->opts ? s->opts->stdio.out : -1;
	s->log[1] = s->opts ? s->opts->stdio.err : -1;
	if (cfg->tty) {
		/* A copy: the terminal stays its owner's. */
		s->src[0] = fcntl (cfg->tty->master, F_DUPFD_CLOEXEC, 3);
		if (s->src[0] < 0)
			return lxcshim_fail_errno (err, "dup");
		fcntl (s->src[0], F_SETFL, fcntl (s->src[0], F_GETFL) | O_NONBLOCK);
		s->out = s->in = (struct relay) { .from = -1, .to = -1 };
		attach_hub_init (cfg->hub, cfg->interactive ? cfg->tty->master : -1, cfg->tty->master);
		return 0;
	}
	if (pipe2 (out, O_CLOEXEC) < 0)
		return lxcshim_fail_errno (err, "pipe");
	if (pipe2 (errp, O_CLOEXEC) < 0) {
		close (out[0]);
		close (out[1]);
		return lxcshim_fail_errno (err, "pipe");
	}
	s->src[0] = out[0];
	s->src[1] = errp[0];
	stdio[1] = wl[1] = out[1];
	stdio[2] = wl[2] = errp[1];
	stdio[0] = devnull;
	for (int i = 0; i < 2; i++)
		fcntl (s->src[i], F_SETFL, O_NONBLOCK);
	if (cfg->interactive) {
		if (pipe2 (in, O_CLOEXEC) < 0)
			return lxcshim_fail_errno (err, "pipe");
		stdio[0] = wl[0] = in[0];
		*hub_in = in[1];
		fcntl (in[1], F_SETFL, O_NONBLOCK);
	}
	attach_hub_init (cfg->hub, *hub_in, -1);
	return 0;
}

int
supervisor_run (const struct supervisor_config *cfg, const struct lxcshim_run_options *opts,
                struct lxcshim_exit *exit, lxcshim_error_t *err)
{
	struct sup s = {
		.cfg = cfg, .opts = opts, .child_pidfd = -1, .ctl = -1, .init_pidfd = -1,
		.oom = OOM_WATCH_INIT, .hook_oom_fd = -1, .start_client = -1,
		.src = { -1, -1 }, .log = { -1, -1 },
	};
	_cleanup_close_ int devnull = -1, hub_in = -1;
	struct lxc_start_call call;
	/* A fork that goes on without exec is safe only with no other thread
	 * (an embedder's), which could hold a lock the child then needs. */
	bool in_process = !cfg->exec_lxc_start && process_single_threaded ();
	int stdio[3], nulls[3], sv[2];
	int wl[3] = { -1, -1, -1 }; /* the workload's pipe ends, until GO hands them over */
	int ret = -1;

	if (in_process && lxc_start_call_parse (cfg->argv, &call, err) < 0)
		return -1;
	devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return lxcshim_fail_errno (err, "open /dev/null");
	if (cfg->tty) {
		stdio[0] = stdio[1] = stdio[2] = cfg->tty->slave;
		s.out = (struct relay) { .from = cfg->tty->master, .to = opts && opts->stdio.out >= 0 ? opts->stdio.out : devnull };
		s.in = (struct relay) { .from = cfg->interactive && opts ? opts->stdio.in : -1, .to = cfg->tty->master };
	} else {
		stdio[0] = cfg->interactive && opts && opts->stdio.in >= 0 ? opts->stdio.in : devnull;
		stdio[1] = opts && opts->stdio.out >= 0 ? opts->stdio.out : devnull;
		stdio[2] = opts && opts->stdio.err >= 0 ? opts->stdio.err : devnull;
		s.out = s.in = (struct relay) { .from = -1, .to = -1 };
	}
	if (cfg->hub && setup_hub (&s, stdio, wl, devnull, &hub_in, err) < 0)
		goto out;
	if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		lxcshim_fail_errno (err, "socketpair");
		goto out;
	}
	if (setsockopt (sv[0], SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof (int)) < 0) {
		close (sv[0]);
		close (sv[1]);
		lxcshim_fail_errno (err, "setsockopt SO_PASSCRED");
		goto out;
	}

	nulls[0] = nulls[1] = nulls[2] = devnull;
	s.child = fork ();
	if (s.child < 0) {
		close (sv[0]);
		close (sv[1]);
		return lxcshim_fail_errno (err, "fork");
	}
	if (s.child == 0)
		child_exec (cfg, nulls, sv[1], in_process ? &call : NULL);
	close (sv[1]);
	s.ctl = sv[0];
	s.child_pidfd = pidfd_open (s.child);
	if (s.child_pidfd < 0) {
		lxcshim_fail_errno (err, "pidfd_open");
		kill (s.child, SIGKILL);
		reap_child (&s);
		goto out;
	}

	if (wait_ready (&s, err) < 0)
		goto out;
	if (record_ready (&s, cfg->wait_start ? "created" : "running", err) < 0)
		goto abort;
	if (cfg->wait_start) {
		int r;

		if (cfg->ready_hook)
			cfg->ready_hook (cfg->ready_data);
		r = wait_start (&s, err);
		if (r < 0)
			goto abort;
		if (r == 0)
			goto ended; /* killed while created: the workload never ran */
		free (cfg->state->status);
		cfg->state->status = xstrdup ("running");
		if (container_state_write (cfg->dir, cfg->state, err) < 0) {
			control_reply (cfg->control, s.start_client, "ERR %d %s", (*err)->status, (*err)->msg);
			goto abort;
		}
	}
	if (opts && opts->start_hook) {
		/* The exec'd supervisor's own hook (its notify) has no use for it. */
		s.hook_oom_fd = cfg->control ? -1 : eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (opts->start_hook (opts->hook_data, cfg->id, cfg->state->init_pid, s.hook_oom_fd) != 0) {
			lxcshim_fail (err, ECANCELED, "the start hook failed");
			goto abort;
		}
	}
	/* The init keeps a copy of what the supervisor reads (the pty master,
	 * the output pipes): if the supervisor dies, the workload's terminal is
	 * not hung up and its writes do not fail with EPIPE; they block once
	 * nobody reads.  (The keep-alive never reaches the workload.) */
	if (send_go (s.ctl, stdio, s.src) < 0) {
		lxcshim_fail_errno (err, "start the workload");
		if (s.start_client >= 0)
			control_reply (cfg->control, s.start_client, "ERR %d %s", (*err)->status, (*err)->msg);
		goto abort;
	}
	s.started = true;
	if (s.start_client >= 0)
		control_reply (cfg->control, s.start_client, "OK %d", (int) cfg->state->init_pid);
	s.start_client = -1;
	/* Only the container may hold the slave, or the master never sees EIO. */
	if (cfg->tty)
		closep (&cfg->tty->slave);
	if (cfg->close_stdio_after_go) {
		for (int i = 0; i < 3; i++)
			if (stdio[i] != devnull && (i == 0 || stdio[i] != stdio[i - 1]))
				close (stdio[i]);
		if (!cfg->tty)
			closep (&devnull);
		for (int i = 0; i < 3; i++)
			wl[i] = -1; /* closed just above */
	}
ended:
	if (wait_exit (&s, err) < 0)
		goto abort;

	exit->exit_code = s.exit_code;
	exit->oom_killed = s.oom_killed;
	exit->message = s.message[0] ? xstrdup (s.message) : NULL;
	ret = 0;
	goto out;

abort:
	if (s.init_pidfd >= 0)
		pidfd_send_signal (s.init_pidfd, SIGKILL);
	else
		abort_start (&s);
	if (s.child > 0) {
		wait_readable (s.child_pidfd, -1);
		reap_child (&s);
	}
out:
	for (int i = 0; i < 3; i++)
		closep (&wl[i]);
	for (int i = 0; i < 2; i++) {
		closep (&s.src[i]);
		/* The logs are the supervisor's own, as close_stdio_after_go says. */
		if (cfg->close_stdio_after_go)
			closep (&s.log[i]);
	}
	if (cfg->hub)
		cfg->hub->in_fd = cfg->hub->tty_fd = -1; /* only the clients remain, for their exit frame */
	oom_watch_stop (&s.oom);
	closep (&s.hook_oom_fd);
	closep (&s.init_pidfd);
	closep (&s.child_pidfd);
	closep (&s.ctl);
	return ret;
}
