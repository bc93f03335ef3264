/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim_run: the data flow spec -> template -> params -> supervisor ->
 * state, with every check done before anything is created. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <lxc/version.h>

#include "abi.h"
#include "cgroup.h"
#include "container.h"
#include "detached.h"
#include "driver.h"
#include "error.h"
#include "liblxc.h"
#include "mountpoint.h"
#include "params.h"
#include "protocol.h"
#include "spec.h"
#include "state.h"
#include "supervisor.h"
#include "template.h"
#include "terminal.h"
#include "util.h"

#define BAD_INPUT EINVAL

struct prepared {
	char *dir, *config_path, *env_path, *log_path;
	char *config_text, *env_json;
	char **argv;
	bool shared_root;
	char *upper; /* the overlay's upper dir, or NULL: the rootfs in place */
};

static void
prepared_release (struct prepared *p)
{
	free (p->dir);
	free (p->config_path);
	free (p->env_path);
	free (p->log_path);
	free (p->config_text);
	free (p->env_json);
	free (p->upper);
	strv_free (p->argv);
}

static int
check_dir (const char *what, const char *path, lxcshim_error_t *err)
{
	struct stat st;

	if (stat (path, &st) < 0)
		return lxcshim_fail (err, BAD_INPUT, "%s %s does not exist", what, path);
	if (!S_ISDIR (st.st_mode))
		return lxcshim_fail (err, BAD_INPUT, "%s %s is not a directory", what, path);
	return 0;
}

/* Checks against the host: nothing is created here. */
static int
check_host (lxcshim_driver_t *d, lxcshim_spec_t *s, char **lxc_start, lxcshim_error_t *err)
{
	_cleanup_free_ char *real = NULL;

	if (s->rootfs == NULL)
		s->rootfs = xstrdup (d->rootfs);
	if (!s->net_set && d->default_net && lxcshim_spec_set (s, "net", d->default_net, err) < 0)
		return lxcshim_error_prefix (err, "config file");
	for (size_t i = 0; s->lxc_includes && s->lxc_includes[i]; i++)
		if (access (s->lxc_includes[i], R_OK) < 0)
			return lxcshim_fail (err, BAD_INPUT, "lxc-include %s does not exist", s->lxc_includes[i]);
	for (size_t i = 0; d->lxc_includes && d->lxc_includes[i]; i++)
		if (check_config_value ("lxc-include", d->lxc_includes[i], strlen (d->lxc_includes[i]), err) < 0 ||
		    access (d->lxc_includes[i], R_OK) < 0)
			return lxcshim_fail (err, BAD_INPUT, "lxc-include %s (from the config file) is not usable",
			                     d->lxc_includes[i]);
	if (check_dir ("rootfs", s->rootfs, err) < 0)
		return -1;
	real = realpath (s->rootfs, NULL);
	if (real == NULL)
		return lxcshim_fail_errno (err, "rootfs %s", s->rootfs);
	if (check_config_value ("rootfs", real, strlen (real), err) < 0)
		return -1;
	free (s->rootfs);
	s->rootfs = steal_pointer (&real);

	if (s->cpuset_cpus) {
		_cleanup_free_ char *online = NULL;
		/* The kernel would refuse it only once lxc-start runs, and LXC
		 * then reports a generic failure. */
		if (read_file ("/sys/devices/system/cpu/online", &online, NULL, NULL) == 0 &&
		    cpuset_check_online (s->cpuset_cpus, online, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->n_volumes; i++)
		if (access (s->volumes[i].source, F_OK) < 0)
			return lxcshim_fail (err, BAD_INPUT, "volume source %s does not exist", s->volumes[i].source);
	if (check_dir ("lxcpath", d->lxcpath, err) < 0)
		return -1;
	if (access (d->init_path, X_OK) < 0)
		return lxcshim_fail_errno (err, "lxcshim-init %s", d->init_path);
	*lxc_start = find_in_path ("lxc-start");
	if (*lxc_start == NULL)
		return lxcshim_fail (err, ENOENT, "lxc-start not found in PATH: install lxc");
	return 0;
}

/* LXC's own containers (and running ones started elsewhere) own the name. */
static int
check_name_free (lxcshim_driver_t *d, const char *id, lxcshim_error_t *err)
{
	struct lxc_container *c = liblxc_container_new (id, d->lxcpath, NULL);
	bool taken;

	if (c == NULL)
		return 0;
	taken = c->is_defined (c) || c->is_running (c);
	liblxc_container_put (c);
	if (taken)
		return lxcshim_fail (err, EEXIST, "container name %s is already in use by LXC under %s", id, d->lxcpath);
	return 0;
}

/* The default rootfs is shared by every container and never written:
 * whatever path names it, it gets an overlay, as --rootfs-overlay asks. */
static bool
wants_overlay (const lxcshim_driver_t *d, const lxcshim_spec_t *s)
{
	struct stat a, b;

	if (s->rootfs_overlay)
		return true;
	return stat (s->rootfs, &a) == 0 && stat (d->rootfs, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Makes (or with !create only checks) every mount point lxcshim binds in
 * the rootfs: in the overlay's upper dir over the rootfs, or in the
 * rootfs itself, or for a volume nested in another one, in that one's
 * source, as the mount will see it. */
static int
mount_points (const lxcshim_spec_t *s, const struct prepared *p, bool create, lxcshim_error_t *err)
{
	static const char *const own[] = { LXCSHIM_INIT_TARGET, LXCSHIM_ENV_TARGET };
	_cleanup_close_ int rootfd = open (s->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int upperfd = -1;
	int tree, lower;

	if (rootfd < 0)
		return lxcshim_fail_errno (err, "open rootfs %s", s->rootfs);
	/* The upper dir is new and empty when created: checks look at the
	 * rootfs alone. */
	tree = rootfd;
	lower = -1;
	if (create && p->upper) {
		upperfd = open (p->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (upperfd < 0)
			return lxcshim_fail_errno (err, "open %s", p->upper);
		tree = upperfd;
		lower = rootfd;
	}
	for (size_t i = 0; i < ARRAY_SIZE (own); i++)
		if (mountpoint_make (tree, lower, own[i], false, create, err) < 0)
			return lxcshim_error_prefix (err, "cannot bind %s", own[i]);
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct volume *v = &s->volumes[i];
		_cleanup_free_ char *rest = NULL;
		long parent = mountpoint_parent_volume (s->volumes, i, &rest);
		struct stat st;
		bool dir = stat (v->source, &st) < 0 || S_ISDIR (st.st_mode);
		int ret;

		if (parent >= 0) {
			_cleanup_close_ int pfd = open (s->volumes[parent].source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (pfd < 0)
				return lxcshim_fail (err, BAD_INPUT, "volume %s:%s: it lies in volume %s:%s, whose source is not a directory",
				                     v->source, v->target, s->volumes[parent].source, s->volumes[parent].target);
			ret = mountpoint_make (pfd, -1, rest, dir, create, err);
		} else if (mountpoint_in_autodev (v->target))
			continue;
		else
			ret = mountpoint_make (tree, lower, v->target, dir, create, err);
		if (ret < 0)
			return lxcshim_error_prefix (err, "volume %s:%s", v->source, v->target);
	}
	return 0;
}

/* The overlay's upper dir, with the rootfs's own mode and owner (it is
 * the merged root); LXC makes the work dir beside it. */
static int
make_upper (const lxcshim_spec_t *s, const struct prepared *p, lxcshim_error_t *err)
{
	_cleanup_free_ char *parent = xasprintf ("%s/overlay", p->dir);
	struct stat st;

	if (stat (s->rootfs, &st) < 0)
		return lxcshim_fail_errno (err, "stat rootfs %s", s->rootfs);
	if (mkdir (parent, 0700) < 0 || mkdir (p->upper, 0700) < 0)
		return lxcshim_fail_errno (err, "mkdir %s", p->upper);
	if (chown (p->upper, st.st_uid, st.st_gid) < 0 || chmod (p->upper, st.st_mode & 07777) < 0)
		return lxcshim_fail_errno (err, "chmod %s", p->upper);
	return 0;
}

static bool
root_is_shared (void)
{
	_cleanup_free_ char *mi = NULL;

	/* Like Docker: if we cannot tell, assume shared (safe either way). */
	if (read_file ("/proc/self/mountinfo", &mi, NULL, NULL) < 0)
		return true;
	return mountinfo_root_is_shared (mi);
}

/* The caller's signalfd fired while we prepare: a resize means nothing
 * yet, any other signal (TERM, INT, ...) means give up before anything
 * is created.  The signal is consumed: it has done its job. */
static bool
stop_signal (struct read_cancel *c)
{
	struct signalfd_siginfo si;

	while (read (c->fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo != SIGWINCH) {
			c->signo = (int) si.ssi_signo;
			return true;
		}
	}
	return false;
}

static int
check_stop (struct read_cancel *c, lxcshim_error_t *err)
{
	struct pollfd p = { .fd = c ? c->fd : -1, .events = POLLIN };

	if (c && poll (&p, 1, 0) > 0 && stop_signal (c))
		return lxcshim_fail (err, EINTR, "interrupted by SIG%s before the container was created",
		                     sigabbrev_np (c->signo) ? sigabbrev_np (c->signo) : "?");
	return 0;
}

/* execve's limits (the init passes this environment to the workload):
 * better refused now than as a start failure inside the container. */
static int
check_exec_limits (const lxcshim_spec_t *s, char *const *env, lxcshim_error_t *err)
{
	struct rlimit rl;
	uint64_t stack = 8 << 20;

	if (getrlimit (RLIMIT_STACK, &rl) == 0)
		stack = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	/* Slack for HOME, which the init adds, and the command's path. */
	return check_exec_size (s->command, env, exec_args_limit (stack), 8192, err);
}

/* A config without a lxc.rootfs.path value would make LXC run the
 * container on the host's own /. */
static int
check_rootfs_line (const char *config, const char *template, lxcshim_error_t *err)
{
	for (const char *l = config; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL) {
		l += strspn (l, " \t");
		if (strncmp (l, "lxc.rootfs.path", 15) != 0 || !l[15] || !strchr (" \t=", l[15]))
			continue;
		l += 15 + strspn (l + 15, " \t");
		if (*l == '=' && l[1 + strspn (l + 1, " \t")] != '\n' && l[1 + strspn (l + 1, " \t")] != '\0')
			return 0;
	}
	return lxcshim_fail (err, BAD_INPUT, "template %s renders no lxc.rootfs.path: the container would run on the host's /",
	                     template);
}

/* Everything that can be decided without creating anything. */

/* Each limit needs its controller; refused, never dropped, where the
 * host's cgroups cannot honour it. */
static int
check_limits (lxcshim_driver_t *d, const lxcshim_spec_t *s, lxcshim_error_t *err)
{
	const struct {
		bool set;
		const char *ctrl, *flag;
	} need[] = {
		{ s->memory > 0, "memory", "--memory" },
		{ s->memory_swap != 0, "memory", "--memory-swap" },
		{ s->cpu_shares > 0, "cpu", "--cpu-shares" },
		{ s->millicpus > 0, "cpu", "--cpus" },
		{ s->cpuset_cpus != NULL, "cpuset", "--cpuset-cpus" },
		{ s->pids_limit > 0, "pids", "--pids-limit" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (need); i++)
		if (need[i].set && cgroup_check_controller (need[i].ctrl, d->memory_v2, d->unified_mount, need[i].flag, err) < 0)
			return -1;
	return 0;
}

static int
prepare (lxcshim_driver_t *d, lxcshim_spec_t *s, struct prepared *p, const char *console,
         struct read_cancel *cancel, lxcshim_error_t *err)
{
	const char *template = s->template_path ? s->template_path : d->template_path;
	_cleanup_free_ char *lxc_start = NULL, *tmpl = NULL;
	_cleanup_strv_ char **env = NULL;
	struct template_paths paths;
	struct params params;
	json_object *view = NULL;
	int ret;

	if (spec_finalize (s, err) < 0 || check_host (d, s, &lxc_start, err) < 0)
		return -1;
	if (read_file_limited (template, LXCSHIM_FILE_MAX, cancel, &tmpl, NULL, err) < 0)
		return lxcshim_error_prefix (err, "cannot read template");
	if (spec_environment (s, cancel, &env, err) < 0 || check_exec_limits (s, env, err) < 0)
		return -1;

	p->dir = driver_container_dir (d, s->id);
	p->config_path = driver_container_file (d, s->id, "config");
	p->env_path = driver_container_file (d, s->id, "config.env");
	p->log_path = driver_container_file (d, s->id, "lxc.log");
	p->env_json = template_env_json (env);
	/* The init reads it back with the same limit (escapes can make the
	 * JSON longer than the environment). */
	if (strlen (p->env_json) > LXCSHIM_FILE_MAX)
		return lxcshim_fail (err, E2BIG, "the environment as config.env is larger than %zu bytes", LXCSHIM_FILE_MAX);
	if (wants_overlay (d, s)) {
		p->upper = driver_container_file (d, s->id, "overlay/upper");
		/* LXC splits "overlay:LOWER:UPPER" at colons and passes both in
		 * comma-separated mount options. */
		if (strpbrk (s->rootfs, ":,"))
			return lxcshim_fail (err, BAD_INPUT, "rootfs %s cannot be an overlay's lower dir: its path has a ':' or ','",
			                     s->rootfs);
		if (strpbrk (p->upper, ":,"))
			return lxcshim_fail (err, BAD_INPUT, "root %s cannot hold an overlay's upper dir: its path has a ':' or ','",
			                     d->root);
	}
	if (mount_points (s, p, false, err) < 0)
		return -1;
	if (check_limits (d, s, err) < 0)
		return -1;

	paths = (struct template_paths) {
		.init_source = d->init_path,
		.env_source = p->env_path,
		.log_file = p->log_path,
		.log_level = d->lxc_log_level,
		.cgroup2_memory = d->memory_v2,
		.console = console,
		.site_includes = d->lxc_includes,
		.rootfs_upper = p->upper,
	};
	if (template_view (s, &paths, &view, err) < 0)
		return -1;
	ret = template_render (tmpl, view, &p->config_text, err);
	json_object_put (view);
	if (ret < 0)
		return lxcshim_error_prefix (err, "cannot render the lxc config");
	if (check_rootfs_line (p->config_text, template, err) < 0)
		return -1;

	p->shared_root = root_is_shared ();
	params = (struct params) {
		.lxc_start = lxc_start,
		/* Decides -F only, which every liblxc.so.1 since 1.1 needs: the
		 * version built against says it without loading liblxc. */
		.lxc_version = LXC_VERSION,
		.config_path = p->config_path,
		.lxcpath = d->lxcpath,
		.shared_root = p->shared_root,
		.log_file = p->log_path,
		.log_level = d->lxc_log_level,
	};
	p->argv = params_argv (s, &params);
	return 0;
}

int
lxcshim_dry_run (lxcshim_driver_t *d, const lxcshim_spec_t *spec, int out_fd, lxcshim_error_t *err)
{
	_cleanup_spec_ lxcshim_spec_t *s = spec_copy (spec);
	struct prepared p = { 0 };
	_cleanup_free_ char *cmd = NULL, *text = NULL;
	int ret = -1;

	/* The pty is only made at run time; show where it will be bound. */
	if (prepare (d, s, &p, s->tty ? "/dev/pts/N" : NULL, NULL, err) < 0)
		goto out;
	cmd = params_printable (p.argv, p.shared_root);
	text = xasprintf ("## %s\n%s## %s\n%s\n## argv\n%s\n", p.config_path, p.config_text, p.env_path, p.env_json, cmd);
	if (write_all (out_fd, text, strlen (text)) < 0) {
		lxcshim_fail_errno (err, "write");
		goto out;
	}
	ret = 0;
out:
	prepared_release (&p);
	return ret;
}

/* Claims the name: mkdir is the atomic test-and-set between two lxcshim
 * runs; LXC's own containers are checked first. */
static int
claim (lxcshim_driver_t *d, const lxcshim_spec_t *s, const struct prepared *p, lxcshim_error_t *err)
{
	_cleanup_free_ char *parent = xasprintf ("%s/containers", d->root);

	if (check_name_free (d, s->id, err) < 0)
		return -1;
	if (mkdir_p (parent, 0700, err) < 0)
		return -1;
	if (mkdir (p->dir, 0700) < 0) {
		if (errno == EEXIST)
			return lxcshim_fail (err, EEXIST, "container name %s is already in use", s->id);
		return lxcshim_fail_errno (err, "mkdir %s", p->dir);
	}
	return 0;
}

/* What the supervisor needs, borrowed from the spec and the prepared run. */
static struct supervise_args
supervise_args (lxcshim_driver_t *d, lxcshim_spec_t *s, struct prepared *p)
{
	return (struct supervise_args) {
		.id = s->id,
		.lxcpath = d->lxcpath,
		.dir = p->dir,
		.log_path = p->log_path,
		.config_path = p->config_path,
		.rootfs = s->rootfs,
		.argv = p->argv,
		.command = s->command,
		.shared_root = p->shared_root,
		.exec_lxc_start = d->exec_lxc_start,
		.rm = s->rm,
		.interactive = s->interactive,
		.tty = s->tty,
		.tty_master = -1,
		.tty_slave = -1,
		.start_timeout_ms = s->start_timeout_ms,
		.unified_mount = d->unified_mount,
		.memory_v2 = d->memory_v2,
	};
}

enum run_mode { RUN_FOREGROUND, RUN_DETACHED, RUN_CREATE };

void
lxcshim_exit_release (struct lxcshim_exit *exit)
{
	if (exit == NULL)
		return;
	free (exit->message);
	free (exit->id);
	exit->message = exit->id = NULL;
}

static int
run_mode (lxcshim_driver_t *d, lxcshim_spec_t *s, enum run_mode mode, const struct lxcshim_run_options *opts,
          struct lxcshim_exit *exit, lxcshim_error_t *err)
{
	struct prepared p = { 0 };
	struct terminal tty = TERMINAL_INIT;
	struct supervise_args a;
	bool claimed = false, started = false, keep = false;
	struct read_cancel cancel = { .fd = opts ? opts->signal_fd : -1, .stop = stop_signal };
	struct read_cancel *c = cancel.fd >= 0 ? &cancel : NULL;
	int ret = -1;

	if (mode != RUN_FOREGROUND && access (d->supervisor_path, X_OK) < 0) {
		lxcshim_fail_errno (err, "lxcshim-supervisor %s", d->supervisor_path);
		goto out;
	}
	if (s->tty && terminal_open (&tty, opts ? opts->stdio.out : -1, err) < 0)
		goto out;
	/* A signal while preparing (a slow or waiting input) ends the run
	 * here, with nothing created. */
	if (prepare (d, s, &p, tty.slave_path, c, err) < 0 || check_stop (c, err) < 0 || claim (d, s, &p, err) < 0)
		goto out;
	claimed = true;
	if ((p.upper && make_upper (s, &p, err) < 0) || mount_points (s, &p, true, err) < 0)
		goto out;
	if (write_file (p.env_path, p.env_json, strlen (p.env_json), 0600, err) < 0 ||
	    write_file (p.config_path, p.config_text, strlen (p.config_text), 0600, err) < 0)
		goto out;
	a = supervise_args (d, s, &p);
	if (mode != RUN_FOREGROUND) {
		/* From here on the supervisor owns the container dir. */
		a.autostart = mode == RUN_DETACHED;
		a.tty_master = tty.master;
		a.tty_slave = tty.slave;
		ret = detached_spawn (d->supervisor_path, &a, err);
		started = ret == 0;
		goto out;
	}
	ret = run_supervise (&a, &tty, opts, exit, &keep, err);
	started = ret == 0;
out:
	/* A run that never started leaves nothing; --rm leaves nothing either. */
	if (claimed && (!started || (s->rm && mode == RUN_FOREGROUND && !keep)))
		run_remove_dir (p.dir);
	terminal_close (&tty);
	prepared_release (&p);
	return ret;
}

/* The caller's spec and structs are only read: the run works on a copy
 * of the spec and on full-size copies of the structs. */
int
lxcshim_run (lxcshim_driver_t *d, const lxcshim_spec_t *spec, const struct lxcshim_run_options *caller_opts,
             struct lxcshim_exit *caller_exit, lxcshim_error_t *err)
{
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;
	_cleanup_spec_ lxcshim_spec_t *s = NULL;
	int ret;

	if (abi_struct_out_check (caller_exit, ABI_SIZE0 (struct lxcshim_exit, id), "lxcshim_exit", err) < 0)
		return -1;
	abi_struct_out (caller_exit, &exit, sizeof exit);
	if (caller_opts && abi_struct_in (&opts, sizeof opts, caller_opts, ABI_SIZE0 (struct lxcshim_run_options, signal_fd),
	                                  "lxcshim_run_options", err) < 0)
		return -1;
	s = spec_copy (spec);
	ret = run_mode (d, s, s->detach ? RUN_DETACHED : RUN_FOREGROUND, &opts, &exit, err);
	if (ret == 0) {
		exit.id = steal_pointer (&s->id);
		abi_struct_out (caller_exit, &exit, sizeof exit);
	} else
		lxcshim_exit_release (&exit);
	return ret;
}

int
lxcshim_create (lxcshim_driver_t *d, const lxcshim_spec_t *spec, char **id, lxcshim_error_t *err)
{
	struct lxcshim_exit exit = LXCSHIM_EXIT_INIT;
	_cleanup_spec_ lxcshim_spec_t *s = spec_copy (spec);
	int ret;

	/* Created is detached by nature (its output goes to the logs), and
	 * refused what detached is refused. */
	s->detach = true;
	ret = run_mode (d, s, RUN_CREATE, NULL, &exit, err);
	lxcshim_exit_release (&exit);
	if (ret == 0 && id)
		*id = steal_pointer (&s->id);
	return ret;
}
