/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle of existing containers: state, list, kill, stop, pause,
 * resume, pids, stats, delete.  Every state.json change is made under the
 * container lock (container.h); waiting is done on pidfds and inotify. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "abi.h"
#include "cgroup.h"
#include "container.h"
#include "control.h"
#include "driver.h"
#include "error.h"
#include "events.h"
#include "liblxc.h"
#include "parse.h"
#include "protocol.h"
#include "supervisor.h"
#include "util.h"

/* How long stop waits for the supervisor to record the exit, and for a
 * SIGKILLed init to go. */
#define RECORD_TIMEOUT_MS 10000
#define KILL_TIMEOUT_MS 30000
/* How long delete waits for a stopping lxc-start to tear down. */
#define MONITOR_TIMEOUT_S 5

static int
pidfd_send_signal (int pidfd, int sig)
{
	return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int
pidfd_open (pid_t pid)
{
	return (int) syscall (SYS_pidfd_open, pid, 0);
}

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* A copy of the init's status pipe (protocol.h), or -1. */
static int
grab_status_pipe (int pidfd)
{
	int fd = (int) syscall (SYS_pidfd_getfd, pidfd, LXCSHIM_STATUS_FD, 0);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat (fd, &st) < 0 || !S_ISFIFO (st.st_mode) || fcntl (fd, F_SETFL, O_NONBLOCK) < 0) {
		close (fd);
		return -1;
	}
	/* pidfd_getfd() makes the copy close-on-exec already. */
	return fd;
}

/* After the init's death: the status it wrote into its pipe, if any. */
static bool
read_status_pipe (int fd, int *status)
{
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return false;
	do
		n = read (fd, buf, sizeof buf - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 5)
		return false;
	buf[n] = '\0';
	if (strncmp (buf, "EXIT ", 5) != 0)
		return false;
	*status = (int) strtol (buf + 5, NULL, 10);
	return true;
}

static uint64_t
now_ms (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until FD is readable; false on timeout (-1: none). */
static bool
wait_readable (int fd, int timeout_ms)
{
	uint64_t end = now_ms () + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		int left = timeout_ms < 0 ? -1 : (int) (end > now_ms () ? end - now_ms () : 0);
		int r = poll (&p, 1, left);
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

/* Its init is up, but the workload waits for a start. */
static bool
is_created (const struct container *c)
{
	return c->init_alive && streq (c->state.status, "created");
}

static int
created_not_running (const struct container *c, lxcshim_error_t *err)
{
	return lxcshim_fail (err, EBUSY, "container %s is created, not running: start it first", c->id);
}

static int
not_running (const struct container *c, lxcshim_error_t *err)
{
	/* A record naming a process that is not the container's init. */
	if (c->init_check == INIT_MISMATCH)
		return container_refuse_record (&c->state, c->init_why, err);
	return lxcshim_fail (err, ESRCH, "container %s is not running", c->id);
}

/* Opens ID and loads the truth about it. */
static int
open_loaded (lxcshim_driver_t *d, const char *id, struct container *c, lxcshim_error_t *err)
{
	if (container_open (d, id, c, err) < 0)
		return -1;
	return container_load_state (c, err);
}

int
lxcshim_state_with_warning (lxcshim_driver_t *d, const char *id, char **json, char **warning, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;

	if (warning)
		*warning = NULL;
	if (open_loaded (d, id, &c, err) < 0)
		return -1;
	*json = state_to_json (&c.state);
	if (warning)
		*warning = steal_pointer (&c.warning);
	return 0;
}

int
lxcshim_state (lxcshim_driver_t *d, const char *id, char **json, lxcshim_error_t *err)
{
	return lxcshim_state_with_warning (d, id, json, NULL, err);
}

bool
lxcshim_is_running (lxcshim_driver_t *d, const char *id)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;

	return open_loaded (d, id, &c, NULL) == 0 && c.init_alive && !is_created (&c);
}

/* ---- list ------------------------------------------------------------ */

static int
compare_info (const void *a, const void *b)
{
	const struct lxcshim_container_info *x = a, *y = b;
	int r = strcmp (x->created, y->created);
	return r ? r : strcmp (x->id, y->id);
}

static char *
join_command (char *const *argv)
{
	struct buf b = { 0 };

	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			buf_puts (&b, " ");
		buf_puts (&b, argv[i]);
	}
	return buf_steal (&b);
}

int
lxcshim_list (lxcshim_driver_t *d, struct lxcshim_container_info **list, size_t *n, lxcshim_error_t *err)
{
	_cleanup_free_ char *parent = xasprintf ("%s/containers", d->root);
	struct lxcshim_container_info *v = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *dir;

	*list = NULL;
	*n = 0;
	dir = opendir (parent);
	if (dir == NULL) {
		if (errno == ENOENT)
			return 0;
		return lxcshim_fail_errno (err, "open %s", parent);
	}
	while ((de = readdir (dir))) {
		_cleanup_ (container_release) struct container c = CONTAINER_INIT;
		struct lxcshim_container_info *i;

		if (de->d_name[0] == '.')
			continue;
		/* Half-made, half-deleted or foreign entries are not containers. */
		if (open_loaded (d, de->d_name, &c, NULL) < 0)
			continue;
		v = xrealloc (v, (count + 1) * sizeof *v);
		i = &v[count++];
		i->id = xstrdup (c.id);
		i->status = xstrdup (c.state.status);
		i->init_pid = c.init_alive ? c.state.init_pid : 0;
		i->created = xstrdup (c.state.created ? c.state.created : "");
		i->command = join_command (c.state.command);
		i->state_json = state_to_json (&c.state);
		i->warning = steal_pointer (&c.warning);
	}
	closedir (dir);
	if (count)
		qsort (v, count, sizeof *v, compare_info);
	*list = v;
	*n = count;
	return 0;
}

void
lxcshim_list_free (struct lxcshim_container_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free (list[i].id);
		free (list[i].status);
		free (list[i].created);
		free (list[i].command);
		free (list[i].state_json);
		free (list[i].warning);
	}
	free (list);
}

/* ---- freezing -------------------------------------------------------- */

/* liblxc's freeze/unfreeze; the caller holds the lock. */
static int
set_frozen (struct container *c, bool frozen, lxcshim_error_t *err)
{
	struct lxc_container *lc;
	bool ok;

	if (container_lxc (c, true, &lc, err) < 0)
		return -1;
	ok = frozen ? lc->freeze (lc) : lc->unfreeze (lc);
	liblxc_container_put (lc);
	/* After writing THAWED liblxc reads the state back through the
	 * monitor, which is gone already if a SIGKILL was pending. */
	if (!ok && !frozen &&
	    (!container_pid_alive (c->state.init_pid, c->state.init_start) || container_frozen (&c->state) == 0))
		ok = true;
	if (!ok)
		return lxcshim_fail (err, EIO, "liblxc cannot %s container %s", frozen ? "freeze" : "thaw", c->id);
	return 0;
}

static int
pause_resume (lxcshim_driver_t *d, const char *id, bool pause, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	bool paused;

	if (container_open (d, id, &c, err) < 0 || container_lock (&c, err) < 0 || container_load_state (&c, err) < 0)
		return -1;
	if (!c.init_alive)
		return not_running (&c, err);
	if (is_created (&c))
		return created_not_running (&c, err);
	paused = streq (c.state.status, "paused");
	if (pause && paused)
		return lxcshim_fail (err, EBUSY, "container %s is already paused", id);
	if (!pause && !paused)
		return lxcshim_fail (err, EBUSY, "container %s is not paused", id);
	if (set_frozen (&c, pause, err) < 0)
		return -1;
	free (c.state.status);
	c.state.status = xstrdup (pause ? "paused" : "running");
	return container_save_state (&c, err);
}

int
lxcshim_pause (lxcshim_driver_t *d, const char *id, lxcshim_error_t *err)
{
	return pause_resume (d, id, true, err);
}

int
lxcshim_resume (lxcshim_driver_t *d, const char *id, lxcshim_error_t *err)
{
	return pause_resume (d, id, false, err);
}

/* ---- kill and stop --------------------------------------------------- */

static int
send_signal (const struct container *c, int pidfd, int sig, lxcshim_error_t *err)
{
	if (pidfd_send_signal (pidfd, sig) == 0)
		return 0;
	if (errno == ESRCH)
		return not_running (c, err);
	if (errno == EINVAL)
		return lxcshim_fail (err, EINVAL, "invalid signal %d", sig);
	return lxcshim_fail_errno (err, "cannot send signal %d to container %s", sig, c->id);
}

int
lxcshim_kill (lxcshim_driver_t *d, const char *id, int sig, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_close_ int pidfd = -1;

	if (container_open (d, id, &c, err) < 0 || container_lock (&c, err) < 0 || container_load_state (&c, err) < 0)
		return -1;
	if (!c.init_alive)
		return not_running (&c, err);
	/* The init holds every signal until GO and would pass it on to the
	 * workload the moment it starts (as docker: kill needs running). */
	if (is_created (&c))
		return created_not_running (&c, err);
	pidfd = container_init_pidfd (&c.state, err);
	if (pidfd < 0)
		return -1;
	if (send_signal (&c, pidfd, sig, err) < 0)
		return -1;
	/* A frozen process dies of SIGKILL only once thawed.  state.json is
	 * left to the supervisor, which records the death. */
	if (sig == SIGKILL && streq (c.state.status, "paused"))
		return set_frozen (&c, false, err);
	return 0;
}

/* Thaws the container if it is frozen now (a pause may have come in
 * since we looked). */
static int
thaw_if_frozen (struct container *c, lxcshim_error_t *err)
{
	_cleanup_error_ lxcshim_error_t lerr = NULL;
	int ret = 0;

	if (container_lock (c, &lerr) < 0)
		return 0; /* deleted: nothing to thaw */
	if (container_load_state (c, &lerr) == 0 && c->init_alive && streq (c->state.status, "paused"))
		ret = set_frozen (c, false, err);
	container_unlock (c);
	return ret;
}

/* The init is gone; waits (bounded) for the supervisor to record the
 * exit, or records it itself when there is no supervisor any more: the
 * wait status the init left in its pipe (WSTATUS), else 137 if we sent
 * the SIGKILL that ended it (SIG), else unknown ("exit_code": null). */
static int
wait_recorded (struct container *c, int sig, const int *wstatus, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/state.json", c->dir);
	_cleanup_close_ int ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
	_cleanup_close_ int sup = -1;
	uint64_t end = now_ms () + RECORD_TIMEOUT_MS;
	bool sup_alive = false;

	if (ino < 0)
		return lxcshim_fail_errno (err, "inotify_init1");
	/* state.json is replaced by rename(); --rm removes the directory. */
	if (inotify_add_watch (ino, c->dir, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR) < 0)
		return errno == ENOENT ? 0 : lxcshim_fail_errno (err, "inotify_add_watch %s", c->dir);
	if (c->state.supervisor_pid > 0) {
		sup = pidfd_open (c->state.supervisor_pid);
		sup_alive = sup >= 0 && container_pid_alive (c->state.supervisor_pid, c->state.supervisor_start);
	}

	while (sup_alive) {
		struct state s;
		struct pollfd p[2] = { { .fd = ino, .events = POLLIN }, { .fd = sup, .events = POLLIN } };
		char buf[4096];
		bool done;
		int left = (int) (end > now_ms () ? end - now_ms () : 0);

		if (state_read (path, &s, NULL) < 0)
			return 0; /* removed (--rm): nothing left to record */
		done = streq (s.status, "stopped");
		state_release (&s);
		if (done)
			return 0;
		if (left == 0)
			return 0; /* the init is dead: the truth says stopped anyway */
		if (poll (p, 2, left) < 0 && errno != EINTR)
			return lxcshim_fail_errno (err, "poll");
		while (read (ino, buf, sizeof buf) > 0)
			;
		if (p[1].revents)
			sup_alive = false; /* look once more, then record it ourselves */
	}

	/* Nobody else will write it: one write, with the code if known, so
	 * that the "exited" event has it too. */
	c->defer_persist = true;
	c->persist_pending = false;
	if (container_lock (c, NULL) < 0 || container_load_state (c, NULL) < 0)
		return 0;
	c->defer_persist = false;
	if (!c->supervisor_alive && !c->init_alive && !c->state.exited && (wstatus || sig == SIGKILL)) {
		free (c->state.status);
		c->state.status = xstrdup ("stopped");
		c->state.exited = true;
		/* A pid-namespace init dies without a word only of SIGKILL,
		 * and the kernel then kills the workload too. */
		c->state.exit_code = wstatus ? exit_code_from_status (*wstatus) : 128 + SIGKILL;
		c->state.oom_killed = false;
		free (c->state.finished);
		c->state.finished = rfc3339_now ();
		c->persist_pending = true;
	}
	if (c->persist_pending && container_save_exit (c, err) < 0) {
		container_unlock (c);
		return -1;
	}
	container_unlock (c);
	return 0;
}

/* C is open and unlocked.  Returns once the init is gone and recorded. */
static int
stop_container (struct container *c, unsigned timeout_s, lxcshim_error_t *err)
{
	_cleanup_close_ int pidfd = -1, status_pipe = -1;
	int sig = timeout_s ? SIGTERM : SIGKILL, wstatus;
	bool paused;

	if (container_lock (c, err) < 0 || container_load_state (c, err) < 0) {
		container_unlock (c);
		return -1;
	}
	if (!c->init_alive) {
		bool starting = streq (c->state.status, "created");
		container_unlock (c);
		if (c->init_check == INIT_MISMATCH)
			return not_running (c, err);
		/* Stopping a stopped container is no error (docker's habit). */
		return starting ? lxcshim_fail (err, EBUSY, "container %s is still starting", c->id) : 0;
	}
	paused = streq (c->state.status, "paused");
	/* Nothing runs that a TERM could end gracefully (the init holds it
	 * until GO): a created container is killed at once. */
	if (is_created (c))
		sig = SIGKILL;
	pidfd = container_init_pidfd (&c->state, NULL);
	container_unlock (c);
	if (pidfd < 0)
		return wait_recorded (c, 0, NULL, err);
	/* Before any signal: afterwards the init may be gone with it. */
	status_pipe = grab_status_pipe (pidfd);

	if (pidfd_send_signal (pidfd, sig) < 0 && errno != ESRCH)
		return lxcshim_fail_errno (err, "cannot send signal %d to container %s", sig, c->id);
	/* A frozen workload cannot act on SIGTERM (or die of SIGKILL). */
	if (paused && thaw_if_frozen (c, err) < 0)
		return -1;
	if (sig != SIGKILL && !wait_readable (pidfd, (int) (timeout_s > INT_MAX / 1000 ? INT_MAX : timeout_s * 1000))) {
		sig = SIGKILL;
		if (pidfd_send_signal (pidfd, SIGKILL) < 0 && errno != ESRCH)
			return lxcshim_fail_errno (err, "cannot send SIGKILL to container %s", c->id);
		if (thaw_if_frozen (c, err) < 0)
			return -1;
	}
	if (!wait_readable (pidfd, KILL_TIMEOUT_MS))
		return lxcshim_fail (err, ETIMEDOUT, "container %s did not stop within %d s of SIGKILL", c->id,
		                     KILL_TIMEOUT_MS / 1000);
	return wait_recorded (c, sig, read_status_pipe (status_pipe, &wstatus) ? &wstatus : NULL, err);
}

int
lxcshim_stop (lxcshim_driver_t *d, const char *id, unsigned timeout_s, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;

	if (container_open (d, id, &c, err) < 0)
		return -1;
	return stop_container (&c, timeout_s, err);
}

int
container_lxc (const struct container *c, bool load_config, struct lxc_container **out, lxcshim_error_t *err)
{
	const char *lxcpath = c->state.lxcpath ? c->state.lxcpath : c->driver->lxcpath;
	struct lxc_container *lc = liblxc_container_new (c->id, lxcpath, err);

	if (lc == NULL)
		return -1;
	if (load_config) {
		if (c->state.config_path == NULL) {
			liblxc_container_put (lc);
			return lxcshim_fail (err, EINVAL, "state.json of %s names no config_path", c->id);
		}
		if (!lc->load_config (lc, c->state.config_path)) {
			liblxc_container_put (lc);
			return lxcshim_fail (err, EIO, "liblxc cannot load %s", c->state.config_path);
		}
	}
	*out = lc;
	return 0;
}

/* ---- start ---------------------------------------------------------- */

int
lxcshim_start (lxcshim_driver_t *d, const char *id, struct lxcshim_exit *exit, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_close_ int fd = -1;
	struct lxcshim_exit e = LXCSHIM_EXIT_INIT;
	char data[64];

	if (exit) {
		if (abi_struct_out_check (exit, ABI_SIZE0 (struct lxcshim_exit, id), "lxcshim_exit", err) < 0)
			return -1;
		abi_struct_out (exit, &e, sizeof e);
	}
	if (open_loaded (d, id, &c, err) < 0)
		return -1;
	if (c.init_check == INIT_MISMATCH)
		return not_running (&c, err);
	if (c.init_alive && !is_created (&c))
		return lxcshim_fail (err, EBUSY, "container %s is already %s", id, c.state.status);
	/* The record cannot say more than that: its writer is gone. */
	if (!c.supervisor_alive && !c.state.exited)
		return lxcshim_fail (err, ESRCH, "cannot start container %s: its supervisor (pid %d) is gone", id,
		                     (int) c.state.supervisor_pid);
	if (!is_created (&c))
		return lxcshim_fail (err, EBUSY, "container %s is %s: only a created container can be started", id,
		                     streq (c.state.status, "created") ? "still being created" : c.state.status);
	/* No lock held: the supervisor takes it to record "running". */
	fd = control_connect (c.dir, id, err);
	if (fd < 0)
		return lxcshim_error_prefix (err, "cannot start container %s", id);
	if (control_call (fd, id, "start", data, sizeof data, err) < 0)
		return -1;
	if (exit) {
		if (control_read_exit (fd, id, &e.exit_code, &e.oom_killed, err) < 0)
			return -1;
		abi_struct_out (exit, &e, sizeof e);
	}
	return 0;
}

/* ---- pids and stats -------------------------------------------------- */


static int
compare_pid (const void *a, const void *b)
{
	pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
	return (x > y) - (x < y);
}

/* The last NSpid of /proc/PID/status: the pid in the innermost namespace. */
static pid_t
ns_pid_of (pid_t pid)
{
	_cleanup_free_ char *path = xasprintf ("/proc/%d/status", (int) pid);
	_cleanup_free_ char *text = NULL;
	char *line, *end;
	pid_t last = 0;

	if (read_file (path, &text, NULL, NULL) < 0)
		return 0;
	line = strstr (text, "\nNSpid:");
	if (line == NULL)
		return 0;
	line += 7;
	for (;;) {
		long v = strtol (line, &end, 10);
		if (end == line)
			break;
		last = (pid_t) v;
		line = end;
	}
	return last;
}

/* Its command line, "" if it has none and no comm either (gone). */
static char *
command_of (pid_t pid)
{
	_cleanup_free_ char *path = xasprintf ("/proc/%d/cmdline", (int) pid);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (read_file (path, &text, &len, NULL) == 0 && len > 0) {
		while (len > 0 && text[len - 1] == '\0')
			len--;
		for (size_t i = 0; i < len; i++)
			if (text[i] == '\0')
				text[i] = ' ';
		return xstrndup (text, len);
	}
	/* Kernel threads and zombies have no command line: [comm]. */
	free (path);
	free (text);
	text = NULL;
	path = xasprintf ("/proc/%d/comm", (int) pid);
	if (read_file (path, &text, &len, NULL) == 0) {
		text[strcspn (text, "\n")] = '\0';
		return xasprintf ("[%s]", text);
	}
	return xstrdup ("");
}

int
lxcshim_pids (lxcshim_driver_t *d, const char *id, struct lxcshim_process **procs, size_t *n, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_free_ pid_t *pids = NULL;
	struct lxcshim_process *v;
	size_t count = 0;

	*procs = NULL;
	*n = 0;
	if (open_loaded (d, id, &c, err) < 0)
		return -1;
	if (!c.init_alive)
		return not_running (&c, err);
	if (cgroup_pids (c.state.cgroups, c.state.n_cgroups, &pids, &count, err) < 0)
		return lxcshim_error_prefix (err, "container %s", id);
	if (count)
		qsort (pids, count, sizeof *pids, compare_pid);
	v = xzalloc (count * sizeof *v);
	for (size_t i = 0; i < count; i++) {
		v[i].pid = pids[i];
		v[i].ns_pid = ns_pid_of (pids[i]);
		v[i].command = command_of (pids[i]);
	}
	*procs = v;
	*n = count;
	return 0;
}

void
lxcshim_pids_free (struct lxcshim_process *procs, size_t n)
{
	for (size_t i = 0; procs && i < n; i++)
		free (procs[i].command);
	free (procs);
}

int
lxcshim_stats (lxcshim_driver_t *d, const char *id, struct lxcshim_stats *caller, lxcshim_error_t *err)
{
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	struct lxcshim_stats st = LXCSHIM_STATS_INIT;

	if (abi_struct_out_check (caller, ABI_SIZE0 (struct lxcshim_stats, pids_limit), "lxcshim_stats", err) < 0)
		return -1;
	abi_struct_out (caller, &st, sizeof st);
	if (open_loaded (d, id, &c, err) < 0)
		return -1;
	if (!c.init_alive)
		return not_running (&c, err);
	cgroup_stats (c.state.cgroups, c.state.n_cgroups, &st);
	abi_struct_out (caller, &st, sizeof st);
	return 0;
}

/* ---- delete ---------------------------------------------------------- */

/* Cleans up after a SIGKILLed lxc-start (cgroup_remove_leftovers). */
static int
remove_leaked_cgroups (struct container *c, lxcshim_error_t *err)
{
	struct lxc_container *lc;

	/* Our own lxc-start may still be tearing down: let it finish. */
	if (container_lxc (c, false, &lc, NULL) == 0) {
		if (lc->is_running (lc))
			lc->wait (lc, "STOPPED", MONITOR_TIMEOUT_S);
		liblxc_container_put (lc);
	}
	return cgroup_remove_leftovers (c->state.cgroups, c->state.n_cgroups, c->id, err);
}

/* A pidfd for the init LXC runs under C's name and lxcpath, if that is
 * this container's (in its recorded cgroups: a record that went stale,
 * e.g. through a restart behind our back), else -1. */
static int
lxc_running_init (const struct container *c)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct lxc_container *lc;
	struct state probe;
	char why[256];
	pid_t pid;
	int fd;

	if (container_lxc (c, false, &lc, NULL) < 0)
		return -1;
	pid = lc->is_running (lc) ? lc->init_pid (lc) : -1;
	liblxc_container_put (lc);
	if (pid <= 1)
		return -1;
	fd = pidfd_open (pid);
	if (fd < 0)
		return -1;
	path = xasprintf ("/proc/%d/stat", (int) pid);
	if (read_file (path, &text, NULL, NULL) < 0) {
		close (fd);
		return -1;
	}
	/* Only read by the check. */
	probe = c->state;
	probe.init_pid = pid;
	probe.init_start = proc_stat_starttime (text);
	if (container_check_init (&probe, why, sizeof why) != INIT_LIVE) {
		close (fd);
		return -1;
	}
	return fd;
}

int
lxcshim_delete (lxcshim_driver_t *d, const char *id, bool force, lxcshim_error_t *err)
{
	_cleanup_close_ int lxc_init = -1;
	_cleanup_ (container_release) struct container c = CONTAINER_INIT;
	_cleanup_error_ lxcshim_error_t lerr = NULL;

	if (container_open (d, id, &c, err) < 0 || container_lock (&c, err) < 0 || container_load_state (&c, err) < 0)
		return -1;
	if (c.init_alive || streq (c.state.status, "created")) {
		if (!force)
			return lxcshim_fail (err, EBUSY, "container %s is %s: stop it first or use delete -f", id,
			                     c.state.status);
		container_unlock (&c);
		if (stop_container (&c, 0, err) < 0)
			return -1;
		if (container_lock (&c, &lerr) < 0 || container_load_state (&c, &lerr) < 0) {
			/* A --rm supervisor removed it: that is what we want. */
			if (lerr->status == ENOENT)
				return 0;
			return lxcshim_fail (err, lerr->status, "%s", lerr->msg);
		}
		if (c.init_alive)
			return lxcshim_fail (err, EBUSY, "container %s is still running", id);
	}
	/* The record is the only way to its cgroups: never drop it while
	 * LXC still runs the container. */
	lxc_init = lxc_running_init (&c);
	if (lxc_init >= 0) {
		if (!force)
			return lxcshim_fail (err, EBUSY, "container %s is still running according to LXC: use delete -f", id);
		if (pidfd_send_signal (lxc_init, SIGKILL) < 0 && errno != ESRCH)
			return lxcshim_fail_errno (err, "cannot kill container %s", id);
		if (!wait_readable (lxc_init, KILL_TIMEOUT_MS))
			return lxcshim_fail (err, ETIMEDOUT, "container %s did not stop within %d s of SIGKILL", id,
			                     KILL_TIMEOUT_MS / 1000);
	}
	/* Cgroups first: if they cannot go, the record stays for a retry. */
	if (remove_leaked_cgroups (&c, err) < 0)
		return lxcshim_error_prefix (err, "cannot delete container %s", id);
	if (events_remove_container (c.dir, err) < 0)
		return lxcshim_error_prefix (err, "cannot delete container %s", id);
	return 0;
}

int
lxcshim_parse_signal (const char *s, int *sig, lxcshim_error_t *err)
{
	return parse_signal (s, sig, err);
}
