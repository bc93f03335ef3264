/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim_exec: another process in a running container, through liblxc's
 * attach API, with the container's environment (config.env), a user
 * resolved inside the container, and docker's exit statuses. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "abi.h"
#include "command.h"
#include "container.h"
#include "detached.h"
#include "driver.h"
#include "exec.h"
#include "exec-pty.h"
#include "liblxc.h"
#include "spec.h"
#include "terminal.h"
#include "error.h"
#include "jsontab.h"
#include "parse.h"
#include "supervisor.h"
#include "user.h"
#include "util.h"

#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif


extern char **environ;

/* What the attached process reports before it gives up (the pipe is
 * close-on-exec: EOF means the exec went through). */
enum exec_stage { STAGE_CHDIR = 1, STAGE_PTY, STAGE_EXEC };
struct exec_report {
	int stage;
	int error;
};

struct exec_payload {
	char *const *argv;
	const char *workdir;
	int report_fd;
	int pty_sock;      /* exec -t: where the pty's master goes; else -1 */
	struct winsize ws; /* exec -t: the pty's first size */
	int stdio[3];      /* installed by exec_function, see below */
};


static void
report (int fd, int stage, int error)
{
	struct exec_report r = { .stage = stage, .error = error };
	write_all (fd, &r, sizeof r);
}

/* liblxc's exec_function: runs in the attached process, inside the
 * container, with env, ids and stdio set up.  Its return value becomes
 * the exit status when exec fails. */
static int
exec_function (void *data)
{
	const struct exec_payload *p = data;
	int e;

	/* liblxc only warns when initial_cwd is missing. */
	if (p->workdir && chdir (p->workdir) < 0) {
		report (p->report_fd, STAGE_CHDIR, errno);
		return 125;
	}
	/* liblxc had /dev/null as our stdio, so that its
	 * fix_stdio_permissions() could not chmod the caller's files to 0700;
	 * this child of ours still has the real ones. */
	for (int i = 0; i < 3; i++)
		if (p->stdio[i] >= 0 && dup2 (p->stdio[i], i) < 0) {
			report (p->report_fd, STAGE_EXEC, errno);
			return 125;
		}
	/* The terminal is made here, in the container's devpts, after the
	 * switch to the target user: it owns its slave, as on a login. */
	if (p->pty_sock >= 0 && exec_pty_child (p->pty_sock, &p->ws) < 0) {
		report (p->report_fd, STAGE_PTY, errno);
		return 125;
	}
	/* Nothing of the caller's but stdio reaches the process. */
	if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		/* Kernels before 5.11. */
		long max = sysconf (_SC_OPEN_MAX);
		for (int fd = 3; fd < (max < 0 || max > 65536 ? 65536 : max); fd++)
			fcntl (fd, F_SETFD, FD_CLOEXEC);
	}
	reset_signals ();
	e = command_exec (p->argv);
	report (p->report_fd, STAGE_EXEC, e);
	return command_exit_code (e);
}

/* Opens PATH with "/" and symlinks resolved inside ROOT (the container's
 * root), never escaping to the host's files. */
static FILE *
fopen_in_root (int root, const char *path)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int) syscall (SYS_openat2, root, path, &how, sizeof how);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen (fd, "r");
	if (f == NULL)
		close (fd);
	return f;
}

static int
resolve_user (pid_t init_pid, const char *spec, struct lxcshim_user *u, lxcshim_error_t *err)
{
	_cleanup_free_ char *root_path = xasprintf ("/proc/%d/root", (int) init_pid);
	_cleanup_close_ int root = open (root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_fclose_ FILE *passwd = NULL;
	_cleanup_fclose_ FILE *group = NULL;

	if (root < 0)
		return lxcshim_fail_errno (err, "open %s", root_path);
	/* Missing files are fine: numeric ids still work. */
	passwd = fopen_in_root (root, "etc/passwd");
	group = fopen_in_root (root, "etc/group");
	return user_resolve (spec, passwd, group, u, err);
}

static bool
env_has (char **env, const char *key)
{
	size_t klen = strlen (key);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp (env[i], key, klen) == 0 && env[i][klen] == '=')
			return true;
	return false;
}

/* The container's config.env (a JSON array of "K=V"), as the init read it. */
static int
load_env (const char *dir, struct strvb *env, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/config.env", dir);
	_cleanup_free_ char *text = NULL;
	json_object *arr;
	int ret = 0;

	if (read_file (path, &text, NULL, err) < 0)
		return -1;
	arr = json_tokener_parse (text);
	if (arr == NULL || !json_object_is_type (arr, json_type_array)) {
		json_object_put (arr);
		return lxcshim_fail (err, EINVAL, "%s: not a JSON array", path);
	}
	for (size_t i = 0; i < json_object_array_length (arr); i++) {
		json_object *e = json_object_array_get_idx (arr, i);
		const char *s = json_object_get_string (e);

		if (!json_object_is_type (e, json_type_string) || *s == '\0' || *s == '=') {
			ret = lxcshim_fail (err, EINVAL, "%s: entry %zu is not \"KEY=VALUE\"", path, i);
			break;
		}
		/* "KEY" alone is an empty value, as the init has it. */
		strvb_push (env, strchr (s, '=') ? xstrdup (s) : xasprintf ("%s=", s));
	}
	json_object_put (arr);
	return ret;
}

/* config.env, HOME of the user unless set, then the caller's overrides;
 * deduplicated once at the end (later wins), not per entry. */
static int
build_env (const struct container *c, const struct lxcshim_exec_options *o, const struct lxcshim_user *u,
           char ***env, lxcshim_error_t *err)
{
	struct strvb b = { 0 };
	char **v;

	if (load_env (c->dir, &b, err) < 0) {
		strvb_free (&b);
		return -1;
	}
	v = strvb_steal (&b);
	env_dedupe (v);
	if (!env_has (v, "HOME")) {
		_cleanup_free_ char *home = xasprintf ("HOME=%s", u->home);
		env_set (&v, home);
	}
	/* As docker exec -t: -e TERM=... still wins. */
	if (o->tty)
		env_set (&v, "TERM=xterm");
	b = (struct strvb) { .v = v, .n = strv_length (v), .cap = strv_length (v) + 1 };
	for (size_t i = 0; o->env && o->env[i]; i++) {
		char *full = env_resolve (o->env[i]);
		if (full)
			strvb_push (&b, full);
	}
	v = strvb_steal (&b);
	env_dedupe (v);
	*env = v;
	return 0;
}

static int
check_options (const struct lxcshim_exec_options *o, lxcshim_error_t *err)
{
	if (o->argv == NULL || o->argv[0] == NULL)
		return lxcshim_fail (err, EINVAL, "exec needs a command");
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (parse_env_entry (o->env[i], err) < 0)
			return -1;
	if (o->user && *o->user && user_spec_check (o->user, err) < 0)
		return -1;
	if (o->workdir && o->workdir[0] != '/')
		return lxcshim_fail_value (err, "working directory", o->workdir, "must be an absolute path");
	return 0;
}

/* Waits for the attached process, forwarding what signal_fd delivers and,
 * with a terminal, relaying its master to the caller's fds. */
static int
wait_attached (pid_t pid, const struct lxcshim_exec_options *o, struct terminal *tty, int out_fd, int *status,
               lxcshim_error_t *err)
{
	_cleanup_close_ int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
	struct relay out = { .from = -1, .to = -1 }, in = { .from = -1, .to = -1 };

	if (pidfd < 0) {
		/* Linux < 5.3: no way to wait for it and forward signals. */
		lxcshim_fail_errno (err, "pidfd_open %d", (int) pid);
		kill (pid, SIGKILL);
		waitpid (pid, status, 0);
		return -1;
	}
	if (tty->master >= 0) {
		out = (struct relay) { .from = tty->master, .to = out_fd };
		in = (struct relay) { .from = o->stdio.in, .to = tty->master };
	}
	for (;;) {
		struct pollfd p[6] = { { .fd = pidfd, .events = POLLIN }, { .fd = o->signal_fd, .events = POLLIN } };
		struct signalfd_siginfo si;

		relay_poll (&out, &p[2], &p[3]);
		relay_poll (&in, &p[4], &p[5]);
		if (poll (p, ARRAY_SIZE (p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return lxcshim_fail_errno (err, "poll");
		}
		relay_handle (&out, &p[2], &p[3]);
		relay_handle (&in, &p[4], &p[5]);
		if (in.from_done && in.from >= 0 && in.len == 0) {
			/* The caller's stdin ended: end the process's input too
			 * (^D, as run -t -i does). */
			static const char eot = 4;
			write (in.to, &eot, 1);
			in.from = -1;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN && read (o->signal_fd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGWINCH)
				terminal_resize (tty, o->stdio.out);
			else
				syscall (SYS_pidfd_send_signal, pidfd, (int) si.ssi_signo, NULL, 0);
		}
	}
	while (waitpid (pid, status, 0) < 0) {
		if (errno != EINTR)
			return lxcshim_fail_errno (err, "waitpid %d", (int) pid);
	}
	relay_drain (&out);
	return 0;
}

static int
exec_in (lxcshim_driver_t *d, const char *id, const struct lxcshim_exec_options *o, struct lxcshim_exit *exit,
         lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_strv_ char **env = NULL;
	_cleanup_close_ int devnull = -1, rd = -1, wr = -1, pty_parent = -1, pty_child = -1;
	struct lxcshim_user user = { 0 };
	struct terminal tty = TERMINAL_INIT;
	int stdio_copy[3] = { -1, -1, -1 };
	struct lxc_container *lc = NULL;
	lxc_attach_options_t ao = LXC_ATTACH_OPTIONS_DEFAULT;
	struct exec_payload payload;
	struct exec_report r;
	int pipefd[2], sp[2], status, ret = -1;
	pid_t pid = -1;

	if (check_options (o, err) < 0 || container_open (d, id, &c, err) < 0 || container_load_state (&c, err) < 0)
		return -1;
	if (!c.init_alive)
		return lxcshim_fail (err, ESRCH, "container %s is not running", id);
	if (streq (c.state.status, "created"))
		return lxcshim_fail (err, EBUSY, "container %s is created, not running: start it first", id);
	/* The process would join the frozen cgroup and hang there. */
	if (streq (c.state.status, "paused"))
		return lxcshim_fail (err, EBUSY, "container %s is paused: resume it first", id);
	if (resolve_user (c.state.init_pid, o->user, &user, err) < 0)
		return -1;
	if (build_env (&c, o, &user, &env, err) < 0)
		goto out;

	devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		lxcshim_fail_errno (err, "open /dev/null");
		goto out;
	}
	if (pipe2 (pipefd, O_CLOEXEC) < 0) {
		lxcshim_fail_errno (err, "pipe");
		goto out;
	}
	rd = pipefd[0];
	wr = pipefd[1];
	payload = (struct exec_payload) { .argv = o->argv, .workdir = o->workdir, .report_fd = wr,
		                            .pty_sock = -1, .stdio = { -1, -1, -1 } };

	ao.attach_flags = LXC_ATTACH_DEFAULT | LXC_ATTACH_SETGROUPS;
	ao.env_policy = LXC_ATTACH_CLEAR_ENV;
	ao.extra_env_vars = env;
	ao.uid = user.uid;
	ao.gid = user.gid;
	ao.groups.size = user.ngroups;
	ao.groups.list = user.groups;
	ao.initial_cwd = (char *) (o->workdir ? o->workdir : "/");
	/* liblxc's stdio is /dev/null either way (see exec_function). */
	ao.stdin_fd = ao.stdout_fd = ao.stderr_fd = devnull;
	if (o->tty) {
		/* Close-on-exec both ends: only the attached process, until it
		 * execs, holds the child's end, so EOF means it gave up. */
		if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
			lxcshim_fail_errno (err, "socketpair");
			goto out;
		}
		pty_parent = sp[0];
		pty_child = sp[1];
		payload.pty_sock = pty_child;
		exec_pty_size (o->stdio.out, &payload.ws);
	} else {
		/* Copies above 2: liblxc dup2()s its stdio over 0-2 first. */
		stdio_copy[0] = fcntl (o->stdio.in >= 0 ? o->stdio.in : devnull, F_DUPFD_CLOEXEC, 3);
		stdio_copy[1] = fcntl (o->stdio.out >= 0 ? o->stdio.out : devnull, F_DUPFD_CLOEXEC, 3);
		stdio_copy[2] = fcntl (o->stdio.err >= 0 ? o->stdio.err : devnull, F_DUPFD_CLOEXEC, 3);
		if (stdio_copy[0] < 0 || stdio_copy[1] < 0 || stdio_copy[2] < 0) {
			lxcshim_fail_errno (err, "dup");
			goto out;
		}
		memcpy (payload.stdio, stdio_copy, sizeof stdio_copy);
	}

	if (container_lxc (&c, false, &lc, err) < 0)
		goto out;
	if (lc->attach (lc, exec_function, &payload, &ao, &pid) < 0 || pid <= 0) {
		/* It may have stopped meanwhile. */
		if (!lc->is_running (lc))
			lxcshim_fail (err, ESRCH, "container %s is not running", id);
		else
			lxcshim_fail (err, EIO, "liblxc cannot attach to container %s", id);
		goto out;
	}
	closep (&wr);
	closep (&pty_child);
	/* Blocks until the process sends the master or ends: no timeout is
	 * needed, the process either gets there or exits. */
	if (pty_parent >= 0 && exec_pty_receive (pty_parent, &tty.master, err) < 0) {
		kill (pid, SIGKILL);
		waitpid (pid, &status, 0);
		goto out;
	}
	/* The caller's window may have changed since exec_pty_size(). */
	terminal_resize (&tty, o->stdio.out);
	/* A full relay buffer would stop reading the master: with no stdout
	 * the output goes to /dev/null. */
	if (wait_attached (pid, o, &tty, o->stdio.out >= 0 ? o->stdio.out : devnull, &status, err) < 0)
		goto out;

	if (read_all (rd, &r, sizeof r) == (ssize_t) sizeof r) {
		if (r.stage == STAGE_CHDIR) {
			_cleanup_free_ char *edir = escape_for_message (o->workdir);
			lxcshim_fail (err, r.error, "cannot change to working directory %s: %s", edir, strerror (r.error));
			goto out;
		}
		if (r.stage == STAGE_PTY) {
			lxcshim_fail (err, r.error, "cannot make a terminal in container %s: %s", id, strerror (r.error));
			goto out;
		}
		char msg[512];

		exit->exit_code = command_failure (o->argv[0], r.error, msg, sizeof msg);
		exit->message = xstrdup (msg);
		ret = 0;
		goto out;
	}
	exit->exit_code = exit_code_from_status (status);
	ret = 0;
out:
	if (lc)
		liblxc_container_put (lc);
	terminal_close (&tty);
	for (int i = 0; i < 3; i++)
		closep (&stdio_copy[i]);
	user_release (&user);
	return ret;
}

/* ---- the exec helper ------------------------------------------------ */

#define REQ(member, type, required) JSONTAB_FIELD (struct exec_request, member, type, required)
static const struct jsontab_field request_table[] = {
	REQ (root, JSONTAB_STRING, true),
	REQ (lxcpath, JSONTAB_STRING, true),
	REQ (id, JSONTAB_STRING, true),
	REQ (argv, JSONTAB_STRV, true),
	REQ (env, JSONTAB_STRV, false),
	REQ (user, JSONTAB_STRING, false),
	REQ (workdir, JSONTAB_STRING, false),
	REQ (tty, JSONTAB_BOOL, false),
	REQ (has_stdin, JSONTAB_BOOL, false),
	REQ (has_stdout, JSONTAB_BOOL, false),
	REQ (has_stderr, JSONTAB_BOOL, false),
};
#undef REQ
/* The options as the table knows them: a new one fails the build here
 * until it has its place above (and in exec_helper_main). */
struct exec_options_known {
	size_t size;
	char *const *argv, *const *env;
	const char *user, *workdir;
	struct lxcshim_stdio stdio;
	bool tty;
	int signal_fd;
};
_Static_assert (sizeof (struct exec_options_known) == sizeof (struct lxcshim_exec_options),
                "a new exec option needs its field in request_table");

#define REP(member, type, required) JSONTAB_FIELD (struct exec_reply, member, type, required)
static const struct jsontab_field reply_table[] = {
	REP (failed, JSONTAB_BOOL, false),
	REP (status, JSONTAB_INT, false),
	REP (error, JSONTAB_STRING, false),
	REP (exit_code, JSONTAB_INT, true),
	REP (message, JSONTAB_STRING, false),
};
#undef REP

char *
exec_request_to_json (const struct exec_request *r)
{
	return jsontab_to_json (request_table, ARRAY_SIZE (request_table), r);
}

int
exec_request_from_json (const char *text, struct exec_request *r, lxcshim_error_t *err)
{
	return jsontab_from_json (request_table, ARRAY_SIZE (request_table), text, r, "exec request", err);
}

void
exec_request_release (struct exec_request *r)
{
	jsontab_release (request_table, ARRAY_SIZE (request_table), r);
}

char *
exec_reply_to_json (const struct exec_reply *r)
{
	return jsontab_to_json (reply_table, ARRAY_SIZE (reply_table), r);
}

int
exec_reply_from_json (const char *text, struct exec_reply *r, lxcshim_error_t *err)
{
	if (jsontab_from_json (reply_table, ARRAY_SIZE (reply_table), text, r, "exec helper reply", err) < 0)
		return -1;
	if (r->failed && r->error == NULL)
		return lxcshim_fail (err, EPROTO, "malformed exec helper reply: an error without a message");
	return 0;
}

void
exec_reply_release (struct exec_reply *r)
{
	jsontab_release (reply_table, ARRAY_SIZE (reply_table), r);
}

/* One read of FD onto the end of *BUF (grown as needed, room for a NUL
 * kept): what read() returned, EINTR retried. */
static ssize_t
read_more (int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*cap - *len < 2)
		*buf = xrealloc (*buf, *cap *= 2);
	do
		n = read (fd, *buf + *len, *cap - *len - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		*len += (size_t) n;
	return n;
}

/* All of FD until EOF (from the start if it can seek), NUL-terminated. */
static char *
read_fd_text (int fd, bool rewind)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc (cap);

	if (rewind)
		lseek (fd, 0, SEEK_SET);
	while (read_more (fd, &buf, &len, &cap) > 0)
		;
	buf[len] = '\0';
	return buf;
}

int
exec_helper_main (void)
{
	_cleanup_error_ lxcshim_error_t err = NULL;
	_cleanup_free_ char *text = NULL, *answer = NULL;
	struct exec_request req = { 0 };
	struct exec_reply rep = { 0 };
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;
	struct lxcshim_exec_options o = LXCSHIM_EXEC_OPTIONS_INIT;
	struct lxcshim_driver d = { 0 };

	/* Whatever else the caller's other threads had open. */
	if (syscall (SYS_close_range, EXEC_HELPER_SIGNAL_FD + 1U, ~0U, 0U) < 0) {
		long max = sysconf (_SC_OPEN_MAX);
		for (int fd = EXEC_HELPER_SIGNAL_FD + 1; fd < (max < 0 || max > 65536 ? 65536 : max); fd++)
			close (fd);
	}
	if (fcntl (EXEC_HELPER_REPLY_FD, F_GETFD) < 0)
		return 125; /* nobody to answer: started by hand */
	fcntl (EXEC_HELPER_REPLY_FD, F_SETFD, FD_CLOEXEC);
	fcntl (EXEC_HELPER_REQUEST_FD, F_SETFD, FD_CLOEXEC);
	fcntl (EXEC_HELPER_SIGNAL_FD, F_SETFD, FD_CLOEXEC);
	signal (SIGPIPE, SIG_IGN);
	text = read_fd_text (EXEC_HELPER_REQUEST_FD, true);
	close (EXEC_HELPER_REQUEST_FD);
	if (exec_request_from_json (text, &req, &err) == 0) {
		d.root = req.root;
		d.lxcpath = req.lxcpath;
		o.argv = req.argv;
		o.env = req.env;
		o.user = req.user;
		o.workdir = req.workdir;
		o.tty = req.tty;
		o.stdio.in = req.has_stdin ? STDIN_FILENO : -1;
		o.stdio.out = req.has_stdout ? STDOUT_FILENO : -1;
		o.stdio.err = req.has_stderr ? STDERR_FILENO : -1;
		o.signal_fd = EXEC_HELPER_SIGNAL_FD;
		if (exec_in (&d, req.id, &o, &exit, &err) == 0) {
			rep.exit_code = exit.exit_code;
			rep.message = exit.message;
		}
	}
	if (err) {
		rep.failed = true;
		rep.status = err->status;
		rep.error = err->msg;
	}
	answer = exec_reply_to_json (&rep);
	write_all (EXEC_HELPER_REPLY_FD, answer, strlen (answer));
	lxcshim_exit_release (&exit);
	exec_request_release (&req);
	return 0;
}

/* The helper beside the supervisor (the driver found both). */
static char *
helper_path (const lxcshim_driver_t *d)
{
	const char *slash = strrchr (d->supervisor_path, '/');

	return xasprintf ("%.*s/lxcshim-exec", slash ? (int) (slash - d->supervisor_path) : 1,
	                  slash ? d->supervisor_path : ".");
}

/* A copy of FD (or of /dev/null for -1) above the helper's fds, so that
 * the dup2 onto them never is a no-op that would keep close-on-exec. */
static int
helper_fd (int fd, int devnull)
{
	return fcntl (fd >= 0 ? fd : devnull, F_DUPFD_CLOEXEC, 10);
}

static int
exec_spawned (lxcshim_driver_t *d, const char *id, const struct lxcshim_exec_options *o, struct lxcshim_exit *exit,
              lxcshim_error_t *err)
{
	_cleanup_free_ char *helper = helper_path (d), *text = NULL, *answer = NULL;
	_cleanup_strv_ char **envp = NULL, **env = NULL;
	_cleanup_close_ int devnull = -1, memfd = -1, rep_rd = -1, rep_wr = -1, sig_rd = -1, sig_wr = -1;
	int child[6] = { -1, -1, -1, -1, -1, -1 };
	struct exec_request req = {
		.root = d->root, .lxcpath = d->lxcpath, .id = (char *) id,
		.argv = (char **) o->argv,
		.user = (char *) o->user, .workdir = (char *) o->workdir, .tty = o->tty,
		.has_stdin = o->stdio.in >= 0, .has_stdout = o->stdio.out >= 0, .has_stderr = o->stdio.err >= 0,
	};
	struct exec_reply rep = { 0 };
	char *argv[] = { helper, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all;
	int p[2], r, status, ret = -1;
	bool poll_failed = false;
	pid_t pid;

	/* The same answer as in-process, without a process for it. */
	if (check_options (o, err) < 0)
		return -1;
	/* "K" means the caller's K: the helper has an environment of its own. */
	if (o->env) {
		struct strvb b = { 0 };
		for (size_t i = 0; o->env[i]; i++) {
			char *full = env_resolve (o->env[i]);
			if (full)
				strvb_push (&b, full);
		}
		req.env = env = strvb_steal (&b);
	}
	text = exec_request_to_json (&req);
	devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return lxcshim_fail_errno (err, "open /dev/null");
	/* A memfd, not a pipe: an environment of any size, no writer that
	 * could block on a helper that died. */
	memfd = memfd_create ("lxcshim-exec-request", MFD_CLOEXEC);
	if (memfd < 0 || write_all (memfd, text, strlen (text)) < 0)
		return lxcshim_fail_errno (err, "write the exec request");
	if (pipe2 (p, O_CLOEXEC) < 0)
		return lxcshim_fail_errno (err, "pipe");
	rep_rd = p[0];
	rep_wr = p[1];
	/* A socket, not a pipe: a signal passed on just as the helper ends
	 * must not SIGPIPE the caller (MSG_NOSIGNAL). */
	if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
		return lxcshim_fail_errno (err, "socketpair");
	sig_rd = p[0];
	sig_wr = p[1];

	child[0] = helper_fd (o->stdio.in, devnull);
	child[1] = helper_fd (o->stdio.out, devnull);
	child[2] = helper_fd (o->stdio.err, devnull);
	child[EXEC_HELPER_REQUEST_FD] = helper_fd (memfd, devnull);
	child[EXEC_HELPER_REPLY_FD] = helper_fd (rep_wr, devnull);
	child[EXEC_HELPER_SIGNAL_FD] = helper_fd (sig_rd, devnull);
	for (int i = 0; i < 6; i++)
		if (child[i] < 0) {
			lxcshim_fail_errno (err, "fcntl");
			goto out;
		}
	envp = detached_helper_env ();
	posix_spawn_file_actions_init (&fa);
	for (int i = 0; i < 6; i++)
		posix_spawn_file_actions_adddup2 (&fa, child[i], i);
	posix_spawnattr_init (&attr);
	/* Every signal blocked: only what the caller passes on (fd 5)
	 * reaches the process, as signal_fd does in-process; and ^C on a
	 * shared terminal cannot kill the helper away from its child. */
	sigfillset (&all);
	posix_spawnattr_setsigmask (&attr, &all);
	posix_spawnattr_setsigdefault (&attr, &all);
	posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn (&pid, helper, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy (&fa);
	posix_spawnattr_destroy (&attr);
	for (int i = 0; i < 6; i++)
		closep (&child[i]);
	if (r != 0) {
		lxcshim_fail (err, r, "cannot execute the exec helper %s: %s", helper, strerror (r));
		goto out;
	}
	closep (&rep_wr);
	closep (&sig_rd);
	closep (&memfd);

	/* Until the helper's answer ends (EOF: it exited, or died). */
	{
		size_t len = 0, cap = 1024;
		answer = xmalloc (cap);
		for (;;) {
			struct pollfd pf[2] = { { .fd = rep_rd, .events = POLLIN }, { .fd = o->signal_fd, .events = POLLIN } };
			struct signalfd_siginfo si;

			if (poll (pf, o->signal_fd >= 0 ? 2 : 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				lxcshim_fail_errno (err, "poll");
				poll_failed = true;
				break;
			}
			if (pf[1].revents & POLLIN && read (o->signal_fd, &si, sizeof si) == sizeof si)
				send (sig_wr, &si, sizeof si, MSG_NOSIGNAL | MSG_DONTWAIT); /* one record a packet */
			if (!pf[0].revents)
				continue;
			if (read_more (rep_rd, &answer, &len, &cap) <= 0)
				break;
		}
		answer[len] = '\0';
	}
	while (waitpid (pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (poll_failed)
		goto out;
	if (exec_reply_from_json (answer, &rep, NULL) < 0) {
		if (status != -1 && WIFSIGNALED (status))
			lxcshim_fail (err, EIO, "the exec helper %s was killed by signal %d", helper, WTERMSIG (status));
		else
			lxcshim_fail (err, EIO, "the exec helper %s ended without an answer (status %d)", helper,
			              status != -1 && WIFEXITED (status) ? WEXITSTATUS (status) : -1);
		goto out;
	}
	if (rep.failed) {
		lxcshim_fail (err, rep.status > 0 ? rep.status : EIO, "%s", rep.error);
		goto out;
	}
	exit->exit_code = rep.exit_code;
	exit->message = steal_pointer (&rep.message);
	ret = 0;
out:
	for (int i = 0; i < 6; i++)
		closep (&child[i]);
	exec_reply_release (&rep);
	return ret;
}

/* In-process unless other threads could hold a lock that liblxc's forked
 * child needs.  LXCSHIM_EXEC_HELPER (tests only): 1 always the helper, 0
 * never. */
static bool
use_helper (void)
{
	const char *force = getenv ("LXCSHIM_EXEC_HELPER");

	if (force && streq (force, "1"))
		return true;
	if (force && streq (force, "0"))
		return false;
	return !process_single_threaded ();
}

int
lxcshim_exec (lxcshim_driver_t *d, const char *id, const struct lxcshim_exec_options *caller_opts,
              struct lxcshim_exit *caller_exit, lxcshim_error_t *err)
{
	struct lxcshim_exec_options o = LXCSHIM_EXEC_OPTIONS_INIT;
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;

	if (abi_struct_out_check (caller_exit, ABI_SIZE0 (struct lxcshim_exit, id), "lxcshim_exit", err) < 0)
		return -1;
	abi_struct_out (caller_exit, &exit, sizeof exit);
	if (caller_opts == NULL)
		return lxcshim_fail (err, EINVAL, "no exec options given");
	if (abi_struct_in (&o, sizeof o, caller_opts, ABI_SIZE0 (struct lxcshim_exec_options, signal_fd),
	                   "lxcshim_exec_options", err) < 0)
		return -1;
	if ((use_helper () ? exec_spawned (d, id, &o, &exit, err) : exec_in (d, id, &o, &exit, err)) < 0) {
		lxcshim_exit_release (&exit);
		return -1;
	}
	abi_struct_out (caller_exit, &exit, sizeof exit);
	return 0;
}
