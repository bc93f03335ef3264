/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "container.h"
#include "driver.h"
#include "error.h"
#include "parse.h"
#include "util.h"

int
container_open (lxcshim_driver_t *d, const char *id, struct container *c, lxcshim_error_t *err)
{
	*c = (struct container) CONTAINER_INIT;
	if (parse_id (id, err) < 0)
		return -1;
	c->driver = d;
	c->id = xstrdup (id);
	/* driver_container_dir, without linking the driver (and liblxc)
	 * into lxcshim-supervisor. */
	c->dir = xasprintf ("%s/containers/%s", d->root, id);
	c->dir_fd = open (c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return lxcshim_fail (err, ENOENT, "no such container: %s", id);
		return lxcshim_fail_errno (err, "open %s", c->dir);
	}
	/* A dir without state.json is a run still claiming the name, or a
	 * delete half done: not a container (yet, or any more). */
	if (faccessat (c->dir_fd, "state.json", F_OK, 0) < 0)
		return lxcshim_fail (err, ENOENT, "no such container: %s", id);
	return 0;
}

void
container_release (struct container *c)
{
	container_unlock (c);
	closep (&c->dir_fd);
	free (c->id);
	free (c->dir);
	free (c->warning);
	if (c->have_state)
		state_release (&c->state);
	*c = (struct container) CONTAINER_INIT;
}

static int
flock_dir (int fd)
{
	int r;

	do
		r = flock (fd, LOCK_EX);
	while (r < 0 && errno == EINTR);
	return r;
}

int
container_lock (struct container *c, lxcshim_error_t *err)
{
	if (c->locked)
		return 0;
	if (flock_dir (c->dir_fd) < 0)
		return lxcshim_fail_errno (err, "lock %s", c->dir);
	c->locked = true;
	/* A delete may have won the race for the lock. */
	if (faccessat (c->dir_fd, "state.json", F_OK, 0) < 0) {
		container_unlock (c);
		return lxcshim_fail (err, ENOENT, "no such container: %s", c->id);
	}
	return 0;
}

void
container_unlock (struct container *c)
{
	if (c->locked && c->dir_fd >= 0)
		flock (c->dir_fd, LOCK_UN);
	c->locked = false;
}

/* State letter (field 3) and start time (field 22) of /proc/PID/stat. */
static int
proc_stat (pid_t pid, char *state, uint64_t *start)
{
	_cleanup_free_ char *path = xasprintf ("/proc/%d/stat", (int) pid);
	_cleanup_free_ char *text = NULL;
	const char *p;

	if (read_file (path, &text, NULL, NULL) < 0)
		return -1;
	/* comm may hold spaces and parentheses: the state follows the last ')'. */
	p = strrchr (text, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	*state = p[2];
	*start = proc_stat_starttime (text);
	/* An exiting task (PF_EXITING) is dead for our purposes: while the
	 * pid-namespace init waits in exit for its children, v1 lines of
	 * /proc/PID/cgroup already read "/" and would look like a forgery. */
	if (proc_stat_field (text, 9) & 0x00000004)
		*state = 'X';
	return 0;
}

bool
container_pid_alive (pid_t pid, uint64_t start)
{
	uint64_t now_start;
	char st;

	if (pid <= 0)
		return false;
	if (proc_stat (pid, &st, &now_start) < 0)
		return false;
	/* kill(pid, 0) succeeds on a zombie; a zombie init is a dead one. */
	if (st == 'Z' || st == 'X' || st == 'x')
		return false;
	return start == 0 || start == now_start;
}

static int
pidfd_open (pid_t pid)
{
	return (int) syscall (SYS_pidfd_open, pid, 0);
}

bool
container_nspid_is_init (const char *status)
{
	const char *line = status ? strstr (status, "\nNSpid:") : NULL;
	char *end;
	long last = 0;
	int n = 0;

	if (line == NULL)
		return false;
	line += 7;
	for (;;) {
		long v = strtol (line, &end, 10);
		if (end == line)
			break;
		last = v;
		n++;
		line = end;
	}
	return n >= 2 && last == 1;
}

enum init_check
container_check_init (const struct state *s, char *why, size_t size)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct kv *live = NULL;
	size_t nlive = 0;
	uint64_t now_start;
	bool match;
	char st;

	snprintf (why, size, "%s", "");
	if (s->init_pid <= 0)
		return INIT_GONE;
	if (s->init_pid == 1) {
		snprintf (why, size, "pid 1 is the host's init");
		return INIT_MISMATCH;
	}
	if (proc_stat (s->init_pid, &st, &now_start) < 0 || st == 'Z' || st == 'X' || st == 'x')
		return INIT_GONE;
	if (s->init_start == 0) {
		snprintf (why, size, "no start time is recorded for pid %d", (int) s->init_pid);
		return INIT_MISMATCH;
	}
	/* Another process got the pid: ours is dead. */
	if (now_start != s->init_start)
		return INIT_GONE;
	path = xasprintf ("/proc/%d/status", (int) s->init_pid);
	if (read_file (path, &text, NULL, NULL) < 0)
		return INIT_GONE;
	if (!container_nspid_is_init (text)) {
		snprintf (why, size, "pid %d is not the init of a pid namespace", (int) s->init_pid);
		return INIT_MISMATCH;
	}
	if (cgroup_paths_of_pid (s->init_pid, cgroup_unified_mount (), &live, &nlive, NULL) < 0)
		return INIT_GONE;
	match = cgroup_matches_record (s->cgroups, s->n_cgroups, live, nlive, s->id, why, size);
	kv_free (live, nlive);
	if (!match) {
		_cleanup_free_ char *reason = xstrdup (why);
		snprintf (why, size, "pid %d: %s", (int) s->init_pid, reason);
		return INIT_MISMATCH;
	}
	return INIT_LIVE;
}

int
container_refuse_record (const struct state *s, const char *why, lxcshim_error_t *err)
{
	return lxcshim_fail (err, EPERM, "state.json of %s does not match its init (%s): refusing to signal it", s->id,
	                     why);
}

int
container_init_pidfd (const struct state *s, lxcshim_error_t *err)
{
	char why[256];
	int fd;

	if (s->init_pid <= 0)
		return lxcshim_fail (err, ESRCH, "container %s has no init process", s->id);
	if (s->init_pid == 1)
		return container_refuse_record (s, "pid 1 is the host's init", err);
	fd = pidfd_open (s->init_pid);
	if (fd < 0) {
		if (errno == ESRCH)
			return lxcshim_fail (err, ESRCH, "container %s is not running", s->id);
		return lxcshim_fail_errno (err, "pidfd_open %d", (int) s->init_pid);
	}
	/* Checked after opening: if the pid was ours then, the fd is ours. */
	switch (container_check_init (s, why, sizeof why)) {
	case INIT_LIVE:
		return fd;
	case INIT_MISMATCH:
		close (fd);
		return container_refuse_record (s, why, err);
	default:
		close (fd);
		return lxcshim_fail (err, ESRCH, "container %s is not running", s->id);
	}
}

int
container_frozen (const struct state *s)
{
	return cgroup_frozen (s->cgroups, s->n_cgroups);
}

static void
set_status (struct state *s, const char *status)
{
	if (s->status && streq (s->status, status))
		return;
	free (s->status);
	s->status = xstrdup (status);
}

/* Reads state.json and corrects it; *persist says that the correction
 * must be written because no supervisor is left to write it. */
static int
read_and_correct (struct container *c, bool *persist, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/state.json", c->dir);
	_cleanup_error_ lxcshim_error_t rerr = NULL;
	struct state *s = &c->state;
	bool created;

	*persist = false;
	if (c->have_state) {
		state_release (&c->state);
		c->have_state = false;
	}
	if (state_read (path, s, &rerr) < 0) {
		if (rerr->status == ENOENT)
			return lxcshim_fail (err, ENOENT, "no such container: %s", c->id);
		return lxcshim_fail (err, rerr->status, "%s", rerr->msg);
	}
	c->have_state = true;

	/* Without supervisor_start (older writers) any live process with
	 * that pid counts: unknown is taken as alive. */
	c->supervisor_alive = container_pid_alive (s->supervisor_pid, s->supervisor_start);
	created = streq (s->status, "created");
	if (!created && !streq (s->status, "running") && !streq (s->status, "paused")) {
		c->init_alive = false;
		c->init_check = INIT_GONE;
		return 0;
	}
	c->init_check = container_check_init (s, c->init_why, sizeof c->init_why);
	c->init_alive = c->init_check == INIT_LIVE;
	if (c->init_alive) {
		int frozen = container_frozen (s);
		/* READY and held by its supervisor until a start: the
		 * workload has not run. */
		if (created && frozen <= 0)
			return 0;
		if (frozen >= 0)
			set_status (s, frozen ? "paused" : "running");
		return 0;
	}
	/* Still starting: the supervisor has not seen the init yet. */
	if (created && s->init_pid <= 0 && c->supervisor_alive)
		return 0;
	set_status (s, "stopped");
	/* A record that names a process not ours is not corrected on disk:
	 * the truth is that its init is not running, nothing more. */
	*persist = !c->supervisor_alive && c->init_check == INIT_GONE;
	return 0;
}

static int lock_dir_path (const char *dir, lxcshim_error_t *err);

int
container_load_state (struct container *c, lxcshim_error_t *err)
{
	_cleanup_error_ lxcshim_error_t werr = NULL;
	bool persist, was_locked = c->locked;
	int ret;

	if (read_and_correct (c, &persist, err) < 0)
		return -1;
	if (!persist)
		return 0;
	/* Decide again under the lock: someone may have recorded it. */
	if (!was_locked && container_lock (c, err) < 0)
		return -1;
	ret = read_and_correct (c, &persist, err);
	/* Reading never depends on writing: the truth stands even if it
	 * cannot be saved (a full state root); the caller may say so. */
	if (ret == 0 && persist && container_save_state (c, &werr) < 0) {
		free (c->warning);
		c->warning = xasprintf ("could not save the state of %s: %s", c->id, werr->msg);
	}
	if (!was_locked)
		container_unlock (c);
	return ret;
}

int
container_save_state (struct container *c, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/state.json", c->dir);
	return state_write (path, &c->state, err);
}

/* The space kept for the record of the exit (see container.h). */
#define RESERVE_NAME "state.json.reserve"
#define RESERVE_SIZE 65536

void
container_state_reserve (const char *dir)
{
	_cleanup_free_ char *path = xasprintf ("%s/" RESERVE_NAME, dir);
	_cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return;
	if (fallocate (fd, 0, 0, RESERVE_SIZE) < 0)
		unlink (path);
}

/* Writes S into the reserve's already allocated blocks and renames it
 * over state.json: no new space is needed, and it is still atomic. */
static int
write_into_reserve (const char *dir, const struct state *s, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/" RESERVE_NAME, dir);
	_cleanup_free_ char *target = xasprintf ("%s/state.json", dir);
	_cleanup_free_ char *text = state_to_json (s);
	_cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen (text);

	if (fd < 0 || len > RESERVE_SIZE)
		return -1;
	if (pwrite (fd, text, len, 0) != (ssize_t) len || ftruncate (fd, (off_t) len) < 0 || fsync (fd) < 0 ||
	    rename (path, target) < 0)
		return -1;
	(void) err;
	return 0;
}

/* The caller holds DIR's lock. */
static int
write_exit (const char *dir, const struct state *s, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/state.json", dir);
	_cleanup_error_ lxcshim_error_t werr = NULL;

	if (state_write (path, s, &werr) == 0)
		return 0;
	if ((werr->status == ENOSPC || werr->status == EDQUOT) && write_into_reserve (dir, s, NULL) == 0)
		return 0;
	*err = steal_pointer (&werr);
	return -1;
}

int
container_record_exit (const char *dir, const struct state *s, lxcshim_error_t *err)
{
	_cleanup_close_ int lock = lock_dir_path (dir, err);

	if (lock < 0)
		return -1;
	return write_exit (dir, s, err);
}

int
container_save_exit (struct container *c, lxcshim_error_t *err)
{
	return write_exit (c->dir, &c->state, err);
}

bool
container_is_active (const struct container *c)
{
	const char *st = c->state.status;
	return st && (streq (st, "running") || streq (st, "paused") || streq (st, "created"));
}

/* Opens and locks DIR; the fd is the lock. */
static int
lock_dir_path (const char *dir, lxcshim_error_t *err)
{
	_cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return lxcshim_fail_errno (err, "open %s", dir);
	if (flock_dir (fd) < 0)
		return lxcshim_fail_errno (err, "lock %s", dir);
	/* Removed (delete) while we waited. */
	if (fstat (fd, &st) < 0 || st.st_nlink == 0)
		return lxcshim_fail (err, ENOENT, "%s was removed", dir);
	return steal_fd (&fd);
}

int
container_state_write (const char *dir, const struct state *s, lxcshim_error_t *err)
{
	_cleanup_close_ int lock = lock_dir_path (dir, err);
	_cleanup_free_ char *path = NULL;

	if (lock < 0)
		return -1;
	path = xasprintf ("%s/state.json", dir);
	return state_write (path, s, err);
}

int
container_state_update (const char *dir, container_state_fn fn, void *data, lxcshim_error_t *err)
{
	_cleanup_close_ int lock = lock_dir_path (dir, err);
	_cleanup_free_ char *path = NULL;
	struct state s;
	int ret;

	if (lock < 0)
		return -1;
	path = xasprintf ("%s/state.json", dir);
	if (state_read (path, &s, err) < 0)
		return -1;
	ret = fn (&s, data, err);
	if (ret == 0)
		ret = state_write (path, &s, err);
	state_release (&s);
	return ret;
}
