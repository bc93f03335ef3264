/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exec'd supervisor: a library may fork only to exec, so a detached
 * container (run -d, create) gets its own process, lxcshim-supervisor,
 * spawned with everything it needs in DIR/supervisor.json. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "control.h"
#include "detached.h"
#include "error.h"
#include "events.h"
#include "jsontab.h"
#include "parse.h"
#include "protocol.h"
#include "state.h"
#include "supervisor.h"
#include "util.h"

/* ---- supervising (foreground and exec'd) ---------------------------- */

/* The part that lives as long as the container: in the caller for a
 * foreground run, in the exec'd lxcshim-supervisor for a detached one. */
int
run_supervise (const struct supervise_args *a, struct terminal *tty, const struct lxcshim_run_options *opts,
               struct lxcshim_exit *exit, bool *keep, lxcshim_error_t *err)
{
	bool cgroups_left = false;
	static char *const envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	_cleanup_free_ char *self = NULL;
	_cleanup_error_ lxcshim_error_t werr = NULL;
	struct state st = { 0 };
	struct supervisor_config cfg;
	int ret = -1;

	st.id = xstrdup (a->id);
	st.created = rfc3339_now ();
	st.status = xstrdup ("created");
	st.supervisor_pid = getpid ();
	if (read_file ("/proc/self/stat", &self, NULL, NULL) == 0)
		st.supervisor_start = proc_stat_starttime (self);
	st.rootfs = xstrdup (a->rootfs);
	st.config_path = xstrdup (a->config_path);
	st.lxcpath = xstrdup (a->lxcpath);
	st.command = strv_copy (a->command);
	if (container_state_write (a->dir, &st, err) < 0)
		goto out;
	container_state_reserve (a->dir);

	cfg = (struct supervisor_config) {
		.id = a->id,
		.lxcpath = a->lxcpath,
		.dir = a->dir,
		.log_path = a->log_path,
		.argv = a->argv,
		.envp = envp,
		.shared_root = a->shared_root,
		.exec_lxc_start = a->exec_lxc_start,
		.start_timeout_ms = a->start_timeout_ms,
		.unified_mount = a->unified_mount,
		.memory_v2 = a->memory_v2,
		.state = &st,
		.tty = tty->master >= 0 ? tty : NULL,
		.interactive = a->interactive,
		.cgroups_left = &cgroups_left,
		.control = a->control,
		.wait_start = a->control && !a->autostart,
		.ready_hook = a->ready_hook,
		.ready_data = a->ready_data,
		.close_stdio_after_go = a->control != NULL,
		.hub = a->hub,
	};
	if (supervisor_run (&cfg, opts, exit, err) < 0)
		goto out;

	st.exited = true;
	st.exit_code = exit->exit_code;
	st.oom_killed = exit->oom_killed;
	st.finished = rfc3339_now ();
	free (st.status);
	st.status = xstrdup ("stopped");
	ret = 0;
	/* Under the lock, so that pause/stop/delete never see a torn update;
	 * a container deleted meanwhile (delete -f) needs no record. */
	/* --rm keeps the record while cgroups are left that only delete can
	 * still find (they are named in it). */
	*keep = cgroups_left;
	/* The workload did run: its status is returned even if it cannot be
	 * recorded, with a warning in place of the message. */
	if ((!a->rm || *keep) && container_record_exit (a->dir, &st, &werr) < 0 && werr->status != ENOENT &&
	    exit->message == NULL)
		exit->message = xasprintf ("warning: could not record the exit of %s: %s", a->id, werr->msg);
	/* --rm records no exit, but followers of the events still see it. */
	if (a->rm && !*keep)
		container_exit_event (a->dir, &st);
out:
	state_release (&st);
	return ret;
}

/* --rm: removes the directory under its lock, so that a concurrent
 * lifecycle command sees it either whole or gone. */
void
run_remove_dir (const char *dir)
{
	_cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		flock (fd, LOCK_EX);
	events_remove_container (dir, NULL);
}

/* ---- supervisor.json ------------------------------------------------ */

#define ARG(member, type, required) JSONTAB_FIELD (struct supervise_args, member, type, required)
/* The one list of what supervisor.json keeps: both directions walk it. */
static const struct jsontab_field args_table[] = {
	ARG (id, JSONTAB_STRING, true),
	ARG (lxcpath, JSONTAB_STRING, true),
	ARG (dir, JSONTAB_STRING, true),
	ARG (log_path, JSONTAB_STRING, true),
	ARG (config_path, JSONTAB_STRING, true),
	ARG (rootfs, JSONTAB_STRING, true),
	ARG (argv, JSONTAB_STRV, true),
	ARG (command, JSONTAB_STRV, true),
	ARG (shared_root, JSONTAB_BOOL, false),
	ARG (exec_lxc_start, JSONTAB_BOOL, false),
	ARG (rm, JSONTAB_BOOL, false),
	ARG (interactive, JSONTAB_BOOL, false),
	ARG (tty, JSONTAB_BOOL, false),
	ARG (autostart, JSONTAB_BOOL, false),
	ARG (start_timeout_ms, JSONTAB_UINT, false),
};
#undef ARG

char *
detached_args_to_json (const struct supervise_args *a)
{
	return jsontab_to_json (args_table, ARRAY_SIZE (args_table), a);
}

int
detached_args_from_json (const char *text, struct supervise_args *a, const char *what, lxcshim_error_t *err)
{
	if (jsontab_from_json (args_table, ARRAY_SIZE (args_table), text, a, what, err) < 0)
		return -1;
	if (a->argv[0] == NULL)
		return lxcshim_fail (err, EINVAL, "malformed %s: \"argv\" is empty", what);
	return 0;
}

void
detached_args_release (struct supervise_args *a)
{
	jsontab_release (args_table, ARRAY_SIZE (args_table), a);
}

static int
args_read (const char *dir, struct supervise_args *a, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/" LXCSHIM_SUPERVISOR_CONFIG, dir), *text = NULL;

	if (read_file (path, &text, NULL, err) < 0)
		return -1;
	return detached_args_from_json (text, a, path, err);
}

/* The environment of an exec'd helper: a fixed PATH, and a sanitizer
 * build's settings so that the sanitized helper keeps them. */
char **
detached_helper_env (void)
{
	static const char *const pass[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" };
	char **envp = NULL;

	strv_append (&envp, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (size_t i = 0; i < ARRAY_SIZE (pass); i++)
		if (getenv (pass[i])) {
			char *kv = xasprintf ("%s=%s", pass[i], getenv (pass[i]));
			strv_push (&envp, kv);
		}
	return envp;
}

/* ---- the caller's side ---------------------------------------------- */

int
detached_spawn (const char *supervisor, const struct supervise_args *a, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/" LXCSHIM_SUPERVISOR_CONFIG, a->dir);
	_cleanup_free_ char *text = detached_args_to_json (a);
	_cleanup_strv_ char **envp = NULL;
	_cleanup_close_ int rfd = -1, wfd = -1, master = -1, slave = -1;
	char *argv[] = { (char *) supervisor, a->dir, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	char reply[LXCSHIM_MSG_MAX + 1];
	int p[2], r, status;
	ssize_t n;
	pid_t pid;

	if (write_file (path, text, strlen (text), 0600, err) < 0)
		return -1;
	if (pipe2 (p, O_CLOEXEC) < 0)
		return lxcshim_fail_errno (err, "pipe");
	rfd = p[0];
	/* Above LXCSHIM_NOTIFY_FD, so that the dup2 onto it is never a no-op
	 * that would keep the close-on-exec flag. */
	wfd = fcntl (p[1], F_DUPFD_CLOEXEC, 10);
	close (p[1]);
	if (wfd < 0)
		return lxcshim_fail_errno (err, "fcntl");
	envp = detached_helper_env ();

	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2 (&fa, 0, 1);
	posix_spawn_file_actions_adddup2 (&fa, 0, 2);
	posix_spawn_file_actions_adddup2 (&fa, wfd, LXCSHIM_NOTIFY_FD);
	if (a->tty) {
		/* Above the targets too, for the same reason as wfd. */
		master = fcntl (a->tty_master, F_DUPFD_CLOEXEC, 10);
		slave = fcntl (a->tty_slave, F_DUPFD_CLOEXEC, 10);
		if (master < 0 || slave < 0) {
			posix_spawn_file_actions_destroy (&fa);
			return lxcshim_fail_errno (err, "fcntl");
		}
		posix_spawn_file_actions_adddup2 (&fa, master, LXCSHIM_TTY_MASTER_FD);
		posix_spawn_file_actions_adddup2 (&fa, slave, LXCSHIM_TTY_SLAVE_FD);
	}
	posix_spawnattr_init (&attr);
	sigemptyset (&mask);
	sigfillset (&def);
	posix_spawnattr_setsigmask (&attr, &mask);
	posix_spawnattr_setsigdefault (&attr, &def);
	posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	r = posix_spawn (&pid, supervisor, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy (&fa);
	posix_spawnattr_destroy (&attr);
	if (r != 0)
		return lxcshim_fail (err, r, "cannot execute the supervisor %s: %s", supervisor, strerror (r));
	closep (&wfd);
	/* It forks once and its first process exits at once: the supervisor
	 * is nobody's child of ours. */
	while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
		;
	do
		n = read (rfd, reply, sizeof reply - 1);
	while (n < 0 && errno == EINTR);
	reply[n > 0 ? n : 0] = '\0';
	if (streq (reply, "OK"))
		return 0;
	if (control_fail_reply (reply, err) < 0)
		return -1;
	return lxcshim_fail (err, EIO, "the supervisor died before the container started");
}

/* ---- the supervisor's side ------------------------------------------ */

struct notify {
	int fd;
};

static void
notify_send (struct notify *n, const char *msg)
{
	if (n->fd < 0)
		return;
	write_all (n->fd, msg, strlen (msg));
	closep (&n->fd);
}

static void
notify_ready (void *data)
{
	notify_send (data, "OK");
}

static int
notify_started (void *data, const char *id, pid_t init_pid, int oom_fd)
{
	notify_send (data, "OK");
	return 0;
}

static int
open_log (const char *dir, const char *name, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
	int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return lxcshim_fail_errno (err, "create %s", path);
	return fd;
}

int
detached_main (const char *dir)
{
	_cleanup_error_ lxcshim_error_t err = NULL;
	struct supervise_args a = { 0 };
	struct control_server srv = CONTROL_SERVER_INIT;
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct notify notify = { .fd = LXCSHIM_NOTIFY_FD };
	struct terminal tty = TERMINAL_INIT;
	struct attach_hub hub;
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;
	bool keep = false;
	int ret = 125;

	attach_hub_init (&hub, -1, -1);
	/* Before anything else opens an fd: 4 and 5 are the tty's, or
	 * nothing of ours (args_read closes what it opens). */
	if (args_read (dir, &a, &err) < 0)
		goto fail;
	if (a.tty) {
		/* The caller's pty (its slave is what the lxc config names). */
		tty.master = LXCSHIM_TTY_MASTER_FD;
		tty.slave = LXCSHIM_TTY_SLAVE_FD;
		if (!isatty (tty.master) || !isatty (tty.slave)) {
			lxcshim_fail (&err, EBADF, "lxcshim-supervisor was started without the container's terminal");
			goto fail;
		}
		fcntl (tty.master, F_SETFD, FD_CLOEXEC);
		fcntl (tty.slave, F_SETFD, FD_CLOEXEC);
	} else {
		close (LXCSHIM_TTY_MASTER_FD);
		close (LXCSHIM_TTY_SLAVE_FD);
	}
	if (control_server_open (&srv, a.dir, &err) < 0)
		goto fail;
	a.hub = &hub;
	a.unified_mount = cgroup_unified_mount ();
	a.memory_v2 = cgroup_memory_is_v2 ();
	a.control = &srv;
	if (a.autostart) {
		opts.start_hook = notify_started;
		opts.hook_data = &notify;
	} else {
		a.ready_hook = notify_ready;
		a.ready_data = &notify;
	}
	/* The supervisor hands them over with GO and closes them then. */
	opts.stdio.out = open_log (a.dir, "stdout.log", &err);
	if (opts.stdio.out < 0)
		goto fail;
	opts.stdio.err = open_log (a.dir, "stderr.log", &err);
	if (opts.stdio.err < 0) {
		close (opts.stdio.out);
		goto fail;
	}
	if (run_supervise (&a, &tty, &opts, &exit, &keep, &err) < 0)
		goto fail;
	/* Nobody is there to print why the command never ran. */
	if (exit.message) {
		_cleanup_close_ int fd = open_log (a.dir, "stderr.log", NULL);
		if (fd >= 0)
			dprintf (fd, "lxcshim: %s\n", exit.message);
	}
	if (a.rm && !keep)
		run_remove_dir (a.dir);
	/* Last: a "start -a" that returns finds the record (or its absence)
	 * final. */
	attach_hub_finish (&hub, exit.exit_code, exit.oom_killed, exit.message, 2000);
	control_broadcast_exit (&srv, exit.exit_code, exit.oom_killed);
	ret = 0;
	goto out;
fail:
	control_server_close (&srv);
	if (notify.fd >= 0) {
		/* Never started: the caller reports and cleans up. */
		char *msg = xasprintf ("ERR %d %s", err && err->status > 0 ? err->status : EIO,
		                       err ? err->msg : "unknown error");
		notify_send (&notify, msg);
		free (msg);
	} else
		ret = 1;
out:
	attach_hub_release (&hub);
	terminal_close (&tty);
	control_server_close (&srv);
	detached_args_release (&a);
	return ret;
}
