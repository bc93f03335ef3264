/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lxc/lxccontainer.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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
	c->dir = driver_container_dir (d, id);
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

int
container_init_pidfd (const struct state *s, lxcshim_error_t *err)
{
	int fd;

	if (s->init_pid <= 0)
		return lxcshim_fail (err, ESRCH, "container %s has no init process", s->id);
	fd = pidfd_open (s->init_pid);
	if (fd < 0) {
		if (errno == ESRCH)
			return lxcshim_fail (err, ESRCH, "container %s is not running", s->id);
		return lxcshim_fail_errno (err, "pidfd_open %d", (int) s->init_pid);
	}
	/* Checked after opening: if the pid was ours then, the fd is ours. */
	if (!container_pid_alive (s->init_pid, s->init_start)) {
		close (fd);
		return lxcshim_fail (err, ESRCH, "container %s is not running", s->id);
	}
	return fd;
}

int
container_frozen (const struct state *s)
{
	const char *dir = kv_get (s->cgroups, s->n_cgroups, "freezer");
	_cleanup_free_ char *path = NULL, *text = NULL;

	if (dir) {
		path = xasprintf ("%s/freezer.state", dir);
		if (read_file (path, &text, NULL, NULL) < 0)
			return -1;
		if (strncmp (text, "THAWED", 6) == 0)
			return 0;
		return strncmp (text, "FROZEN", 6) == 0 || strncmp (text, "FREEZING", 8) == 0 ? 1 : -1;
	}
	dir = kv_get (s->cgroups, s->n_cgroups, "unified");
	if (dir == NULL)
		return -1;
	path = xasprintf ("%s/cgroup.freeze", dir);
	if (read_file (path, &text, NULL, NULL) < 0)
		return -1;
	return text[0] == '1' ? 1 : 0;
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
		return 0;
	}
	c->init_alive = s->init_pid > 0 && container_pid_alive (s->init_pid, s->init_start);
	if (c->init_alive) {
		int frozen = container_frozen (s);
		if (frozen >= 0)
			set_status (s, frozen ? "paused" : "running");
		return 0;
	}
	/* Still starting: the supervisor has not seen the init yet. */
	if (created && s->init_pid <= 0 && c->supervisor_alive)
		return 0;
	set_status (s, "stopped");
	*persist = !c->supervisor_alive;
	return 0;
}

int
container_load_state (struct container *c, lxcshim_error_t *err)
{
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
	if (ret == 0 && persist)
		ret = container_save_state (c, err);
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

bool
container_is_active (const struct container *c)
{
	const char *st = c->state.status;
	return st && (streq (st, "running") || streq (st, "paused") || streq (st, "created"));
}

int
container_lxc (const struct container *c, bool load_config, struct lxc_container **out, lxcshim_error_t *err)
{
	const char *lxcpath = c->state.lxcpath ? c->state.lxcpath : c->driver->lxcpath;
	struct lxc_container *lc = lxc_container_new (c->id, lxcpath);

	if (lc == NULL)
		return lxcshim_fail (err, EIO, "liblxc cannot open container %s under %s", c->id, lxcpath);
	if (load_config) {
		if (c->state.config_path == NULL) {
			lxc_container_put (lc);
			return lxcshim_fail (err, EINVAL, "state.json of %s names no config_path", c->id);
		}
		if (!lc->load_config (lc, c->state.config_path)) {
			lxc_container_put (lc);
			return lxcshim_fail (err, EIO, "liblxc cannot load %s", c->state.config_path);
		}
	}
	*out = lc;
	return 0;
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
