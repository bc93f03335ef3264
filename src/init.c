/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim-init: the container's PID 1.
 *
 *   lxcshim-init [-u USER[:GROUP]] [-w DIR] [-t] -- CMD [ARG...]
 *
 * Loads the environment from /.dockerenv, resolves the user against the
 * container's own /etc/passwd and /etc/group, says READY on the control
 * socket (fd 3, see protocol.h), waits for GO, then forks the workload,
 * forwards signals to it, reaps orphans and reports how it ended.  Linked
 * statically: the rootfs need not have a libc.  It prints nothing when a
 * supervisor is there to carry the messages. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "error.h"
#include "command.h"
#include "envjson.h"
#include "protocol.h"
#include "user.h"
#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define DEFAULT_PATH COMMAND_DEFAULT_PATH

extern char **environ;

/* The control socket, or -1 when running unreported. */
static int ctl_fd = -1;
/* The write end of the status pipe (protocol.h), or -1. */
static int status_fd = -1;

/* What the workload child tells init before it dies instead of exec'ing. */
enum child_stage { STAGE_SETGROUPS = 1, STAGE_SETGID, STAGE_SETUID, STAGE_EXEC };
struct child_report {
	int stage;
	int error;
};

__attribute__ ((format (printf, 1, 2))) static void
send_msg (const char *fmt, ...)
{
	char msg[LXCSHIM_MSG_MAX];
	va_list ap;
	int n;

	if (ctl_fd < 0)
		return;
	va_start (ap, fmt);
	n = vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	if (n < 0)
		return;
	if ((size_t) n >= sizeof msg)
		n = sizeof msg - 1; /* truncated, still one packet */
	/* MSG_NOSIGNAL: a SIGPIPE would land in our signalfd and be forwarded
	 * to the workload. */
	while (send (ctl_fd, msg, n, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Fails before the workload runs.  Without a supervisor nobody would
 * carry the text, so then it goes to stderr. */
__attribute__ ((format (printf, 2, 3))) static _Noreturn void
fail (int code, const char *fmt, ...)
{
	char msg[LXCSHIM_MSG_MAX];
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	if (ctl_fd >= 0)
		send_msg ("FAIL %d %s", code, msg);
	else
		dprintf (STDERR_FILENO, "lxcshim-init: %s\n", msg);
	_exit (code);
}

/* A process started with 0, 1 or 2 closed would hand those numbers to our
 * own fds and the workload would see them vanish at exec. */
static void
ensure_std_fds (void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl (fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open ("/dev/null", O_RDWR);
		if (nfd >= 0 && nfd != fd) {
			dup2 (nfd, fd);
			close (nfd);
		}
	}
}

/* Nothing we inherited may reach the workload: lxc-start without -C
 * passes every fd through. */
static void
cloexec_from_3 (void)
{
	DIR *d;
	struct dirent *de;

#ifdef SYS_close_range
	if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	/* Kernels before 5.11. */
	d = opendir ("/proc/self/fd");
	if (d == NULL) {
		long max = sysconf (_SC_OPEN_MAX);
		if (max < 0 || max > 65536)
			max = 65536;
		for (int fd = 3; fd < max; fd++)
			fcntl (fd, F_SETFD, FD_CLOEXEC);
		return;
	}
	while ((de = readdir (d))) {
		int fd = atoi (de->d_name);
		if (fd >= 3 && fd != dirfd (d))
			fcntl (fd, F_SETFD, fcntl (fd, F_GETFD) | FD_CLOEXEC);
	}
	closedir (d);
}

static void
setup_control_fd (void)
{
	struct stat st;

	if (fstat (LXCSHIM_INIT_FD, &st) == 0 && S_ISSOCK (st.st_mode)) {
		ctl_fd = LXCSHIM_INIT_FD;
		fcntl (ctl_fd, F_SETFD, FD_CLOEXEC);
	}
}

/* The status pipe: its read end at LXCSHIM_STATUS_FD (replacing whatever
 * lxc-start passed there), both ends close-on-exec.  Without it only the
 * supervisor can learn the workload's status. */
static void
setup_status_pipe (void)
{
	int p[2], r, w;

	if (pipe2 (p, O_CLOEXEC) < 0)
		return;
	/* Out of the way first, so that neither end sits on the target. */
	r = fcntl (p[0], F_DUPFD_CLOEXEC, 10);
	w = fcntl (p[1], F_DUPFD_CLOEXEC, 10);
	close (p[0]);
	close (p[1]);
	if (r < 0 || w < 0 || dup3 (r, LXCSHIM_STATUS_FD, O_CLOEXEC) < 0) {
		if (r >= 0)
			close (r);
		if (w >= 0)
			close (w);
		return;
	}
	close (r);
	/* Never block PID 1 on a full pipe (it holds one message). */
	fcntl (w, F_SETFL, O_NONBLOCK);
	status_fd = w;
}

/* Every catchable signal comes to us through a signalfd.  Dispositions go
 * back to default first: an inherited SIG_IGN for SIGCHLD would make the
 * kernel reap the workload behind our back. */
static int
setup_signals (void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t all;
	int fd;

	sigfillset (&all);
	if (sigprocmask (SIG_SETMASK, &all, NULL) < 0)
		fail (125, "sigprocmask: %s", strerror (errno));
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction (sig, &sa, NULL);
	fd = signalfd (-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fail (125, "signalfd: %s", strerror (errno));
	return fd;
}

static void
load_env (void)
{
	_cleanup_error_ lxcshim_error_t err = NULL;
	_cleanup_free_ char *data = NULL;
	char **entries = NULL, reason[256];
	size_t len, n;

	if (read_file (LXCSHIM_ENV_TARGET, &data, &len, &err) < 0) {
		if (err->status != ENOENT)
			fail (125, "cannot load environment: %s", err->msg);
		/* Run by hand: keep what lxc gave us, but make commands findable. */
		setenv ("PATH", DEFAULT_PATH, 0);
		return;
	}

	if (envjson_parse (data, len, &entries, &n, reason, sizeof reason) < 0)
		fail (125, "cannot load environment from %s: %s", LXCSHIM_ENV_TARGET, reason);
	/* Check everything before touching the environment. */
	for (size_t i = 0; i < n; i++)
		if (*entries[i] == '=' || *entries[i] == '\0')
			fail (125, "cannot load environment from %s: entry %zu has an empty name",
			      LXCSHIM_ENV_TARGET, i);

	/* One vector, deduplicated by sorting, becomes environ: a setenv()
	 * per entry scans the whole environment each time (quadratic). */
	{
		char **env = xmalloc ((n + 1) * sizeof (char *));

		for (size_t i = 0; i < n; i++) {
			const char *s = entries[i];
			/* "KEY" alone means an empty value, as in docker's init. */
			env[i] = strchr (s, '=') ? xstrdup (s) : xasprintf ("%s=", s);
		}
		env[n] = NULL;
		env_dedupe (env);
		clearenv ();
		environ = env; /* never freed: it is the process's environment */
	}
	envjson_free (entries);
}

static void
resolve_user (const char *spec, struct lxcshim_user *u)
{
	_cleanup_error_ lxcshim_error_t err = NULL;
	_cleanup_fclose_ FILE *passwd = fopen ("/etc/passwd", "re");
	_cleanup_fclose_ FILE *group = fopen ("/etc/group", "re");

	/* Missing files are fine: numeric ids still work. */
	if (user_resolve (spec, passwd, group, u, &err) < 0)
		fail (125, "%s", err->msg);
	if (setenv ("HOME", u->home, 0) < 0)
		fail (125, "cannot set HOME: %s", strerror (errno));
}

/* Waits for "GO".  Anything else, or the supervisor going away, means
 * the workload must not run. */
static void
wait_for_go (void)
{
	char buf[LXCSHIM_MSG_MAX];
	union {
		char buf[CMSG_SPACE (5 * sizeof (int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
		             .msg_controllen = sizeof control.buf };
	struct cmsghdr *cm;
	ssize_t n;

	if (ctl_fd < 0)
		return;
	send_msg ("READY");
	do
		n = recvmsg (ctl_fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 2 || memcmp (buf, "GO", 2) != 0)
		_exit (125);
	/* The workload's real stdio: lxc-start only ever had /dev/null, so
	 * that lxc's fix_stdio_permissions() cannot chmod the caller's files
	 * and terminal to 0700. */
	cm = CMSG_FIRSTHDR (&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len >= CMSG_LEN (3 * sizeof (int)) && cm->cmsg_len <= CMSG_LEN (5 * sizeof (int))) {
		int fds[5];
		memcpy (fds, CMSG_DATA (cm), cm->cmsg_len - CMSG_LEN (0));
		for (int i = 0; i < 3; i++) {
			dup2 (fds[i], i);
			if (fds[i] > 2)
				close (fds[i]);
		}
		/* Fds 4 and 5 of GO (the supervisor's pty master or output
		 * pipes) are only kept open, close-on-exec: with them the
		 * workload survives its supervisor. */
	}
}

/* In a user namespace whose setgroups is "deny" we cannot drop groups;
 * that is the container's policy, not our failure. */
static bool
setgroups_denied (void)
{
	char buf[16] = { 0 };
	int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read (fd, buf, sizeof buf - 1);
	close (fd);
	return n > 0 && strncmp (buf, "deny", 4) == 0;
}


/* True if the supplementary groups are already exactly u's. */
static bool
groups_already (const struct lxcshim_user *u)
{
	gid_t cur[64];
	int n = getgroups (ARRAY_SIZE (cur), cur);

	if (n < 0 || (size_t) n != u->ngroups)
		return false;
	for (int i = 0; i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < u->ngroups && !found; j++)
			found = cur[i] == u->groups[j];
		if (!found)
			return false;
	}
	return true;
}

static _Noreturn void
child_report (int fd, int stage, int error)
{
	struct child_report r = { .stage = stage, .error = error };

	write_all (fd, &r, sizeof r);
	_exit (127);
}

static _Noreturn void
run_workload (char **argv, const struct lxcshim_user *u, bool tty, int report_fd)
{
	if (tty) {
		/* A session of its own with the pty as controlling terminal, so
		 * job control and ^C work; the tty may already belong to the
		 * host's session, then this fails harmlessly. */
		setsid ();
		ioctl (STDIN_FILENO, TIOCSCTTY, 0);
	}
	/* lxc has already applied lxc.cap.keep: without CAP_SETGID/SETUID
	 * even root cannot call these, so skip what is already so. */
	if (!groups_already (u) && setgroups (u->ngroups, u->groups) < 0 &&
	    !(errno == EPERM && setgroups_denied ()))
		child_report (report_fd, STAGE_SETGROUPS, errno);
	if (getgid () != u->gid && setgid (u->gid) < 0)
		child_report (report_fd, STAGE_SETGID, errno);
	if (getuid () != u->uid && setuid (u->uid) < 0)
		child_report (report_fd, STAGE_SETUID, errno);
	reset_signals ();
	child_report (report_fd, STAGE_EXEC, command_exec (argv));
}

/* Turns a report from the child into FAIL and the matching exit code. */
static _Noreturn void
fail_workload (const struct child_report *r, const char *cmd, const struct lxcshim_user *u)
{
	switch (r->stage) {
	case STAGE_SETGROUPS:
		fail (125, "cannot set the groups of the user: %s%s", strerror (r->error),
		      r->error == EPERM ? " (CAP_SETGID was dropped)" : "");
	case STAGE_SETGID:
		fail (125, "cannot switch to group %u: %s%s", (unsigned) u->gid, strerror (r->error),
		      r->error == EPERM ? " (CAP_SETGID was dropped)" : "");
	case STAGE_SETUID:
		fail (125, "cannot switch to user %u: %s%s", (unsigned) u->uid, strerror (r->error),
		      r->error == EPERM ? " (CAP_SETUID was dropped)" : "");
	default:
		break;
	}
	{
		char msg[LXCSHIM_MSG_MAX - 16];
		int code = command_failure (cmd, r->error, msg, sizeof msg);
		fail (code, "%s", msg);
	}
}

static pid_t
start_workload (char **argv, const struct lxcshim_user *u, bool tty)
{
	struct child_report r;
	int pfd[2];
	ssize_t n;
	pid_t pid;

	if (pipe2 (pfd, O_CLOEXEC) < 0)
		fail (125, "pipe: %s", strerror (errno));
	pid = fork ();
	if (pid < 0)
		fail (125, "fork: %s", strerror (errno));
	if (pid == 0) {
		close (pfd[0]);
		run_workload (argv, u, tty, pfd[1]);
	}
	close (pfd[1]);
	/* EOF means the exec went through (the pipe is close-on-exec). */
	n = read_all (pfd[0], &r, sizeof r);
	close (pfd[0]);
	if (n == (ssize_t) sizeof r) {
		while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
			;
		fail_workload (&r, argv[0], u);
	}
	return pid;
}

static void
forward_signal (pid_t child, int sig, bool tty)
{
	/* With -t the workload leads its own process group; until its
	 * setsid() has run, the group does not exist yet. */
	if (tty && kill (-child, sig) == 0)
		return;
	kill (child, sig);
}

/* After EXIT: our cgroup must outlive the supervisor's OOM verdict (a
 * kill counted in a cgroup LXC already removed reads as none), so wait
 * for its DONE, or for the socket's end if it is gone. */
static void
await_done (void)
{
	char buf[LXCSHIM_MSG_MAX];

	if (ctl_fd < 0)
		return;
	while (recv (ctl_fd, buf, sizeof buf, 0) < 0 && errno == EINTR)
		;
}

/* We are PID 1: orphans are ours to reap too. */
static void
reap (pid_t child)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid (-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		if (pid != child)
			continue;
		if (status_fd >= 0)
			dprintf (status_fd, "EXIT %d", status);
		send_msg ("EXIT %d", status);
		await_done ();
		/* A pid-namespace init cannot be killed by its own signal, so
		 * report it as the shell does.  The kernel kills whatever is
		 * left in the namespace when we go. */
		if (WIFSIGNALED (status))
			_exit (128 + WTERMSIG (status));
		_exit (WEXITSTATUS (status));
	}
}

static _Noreturn void
main_loop (int sfd, pid_t child, bool tty)
{
	struct pollfd pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = ctl_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll (pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot happen with valid fds; do not spin. */
			_exit (125);
		}
		if (pfd[1].revents) {
			char buf[LXCSHIM_MSG_MAX];
			ssize_t n = recv (ctl_fd, buf, sizeof buf, MSG_DONTWAIT);

			/* Nothing is expected after GO.  If the supervisor went
			 * away the workload keeps running; stop watching. */
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)
			    || (pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
				pfd[1].fd = -1;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			ssize_t n;

			while ((n = read (sfd, &si, sizeof si)) == (ssize_t) sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					reap (child);
				else
					forward_signal (child, si.ssi_signo, tty);
			}
		}
	}
}

static _Noreturn void
usage_fail (void)
{
	fail (125, "usage: lxcshim-init [-u USER[:GROUP]] [-w DIR] [-t] -- CMD [ARG...]");
}

int
main (int argc, char **argv)
{
	struct lxcshim_user user = { 0 };
	const char *user_spec = NULL, *workdir = NULL;
	bool tty = false;
	pid_t child;
	int sfd, opt;

	ensure_std_fds ();
	setup_control_fd ();
	cloexec_from_3 ();
	setup_status_pipe ();
	sfd = setup_signals ();

	opterr = 0;
	while ((opt = getopt (argc, argv, "+u:w:t")) != -1) {
		switch (opt) {
		case 'u':
			user_spec = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		case 't':
			tty = true;
			break;
		default:
			usage_fail ();
		}
	}
	if (optind >= argc)
		usage_fail ();

	load_env ();
	resolve_user (user_spec, &user);
	if (workdir && chdir (workdir) < 0)
		fail (125, "cannot change to working directory %s: %s", workdir, strerror (errno));

	wait_for_go ();
	child = start_workload (argv + optind, &user, tty);
	main_loop (sfd, child, tty);
}
