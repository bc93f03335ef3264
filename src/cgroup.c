/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"
#include "error.h"
#include "util.h"

void
cgroup_parse_proc (const char *text, const char *unified_mount, struct kv **out, size_t *n)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr (line, '\n');
		_cleanup_free_ char *l = xstrndup (line, nl ? (size_t) (nl - line) : strlen (line));
		char *ctrls, *path, *save = NULL;

		line = nl ? nl + 1 : NULL;
		/* ID:CONTROLLERS:PATH; the path may itself contain ':'. */
		ctrls = strchr (l, ':');
		if (ctrls == NULL)
			continue;
		ctrls++;
		path = strchr (ctrls, ':');
		if (path == NULL)
			continue;
		*path++ = '\0';
		if (*ctrls == '\0') {
			if (unified_mount) {
				_cleanup_free_ char *dir = xasprintf ("%s%s", unified_mount, path);
				kv_add (out, n, "unified", dir);
			}
			continue;
		}
		{
			const char *mount = strncmp (ctrls, "name=", 5) == 0 ? ctrls + 5 : ctrls;
			_cleanup_free_ char *dir = xasprintf ("%s/%s%s", CGROUP_ROOT, mount, streq (path, "/") ? "" : path);
			_cleanup_free_ char *copy = xstrdup (ctrls);
			for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
				kv_add (out, n, strncmp (c, "name=", 5) == 0 ? c + 5 : c, dir);
		}
	}
}

int
cgroup_paths_of_pid (pid_t pid, const char *unified_mount, struct kv **out, size_t *n, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("/proc/%d/cgroup", (int) pid);
	_cleanup_free_ char *text = NULL;

	if (read_file (path, &text, NULL, err) < 0)
		return -1;
	cgroup_parse_proc (text, unified_mount, out, n);
	return 0;
}

static bool
is_fs (const char *path, long magic)
{
	struct statfs st;
	return statfs (path, &st) == 0 && st.f_type == magic;
}

const char *
cgroup_unified_mount (void)
{
	if (is_fs (CGROUP_ROOT "/unified", CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT "/unified";
	if (is_fs (CGROUP_ROOT, CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT;
	return NULL;
}

bool
cgroup_memory_is_v2 (void)
{
	return !is_fs (CGROUP_ROOT "/memory", CGROUP_SUPER_MAGIC);
}

char *
cgroup_lxc_sibling (const char *dir, const char *kind)
{
	const char *base = strrchr (dir, '/'), *name;

	if (base == NULL)
		return NULL;
	if (strncmp (base, "/lxc.payload.", 13) == 0)
		name = base + 13;
	else if (strncmp (base, "/lxc.monitor.", 13) == 0)
		name = base + 13;
	else
		return NULL;
	if (*name == '\0')
		return NULL;
	return xasprintf ("%.*s/lxc.%s.%s", (int) (base - dir), dir, kind, name);
}

int
cgroup_remove (const char *dir, lxcshim_error_t *err)
{
	DIR *d = opendir (dir);
	struct dirent *de;

	if (d == NULL)
		return errno == ENOENT ? 0 : lxcshim_fail_errno (err, "open cgroup %s", dir);
	while ((de = readdir (d))) {
		_cleanup_free_ char *child = NULL;
		if (de->d_type != DT_DIR || streq (de->d_name, ".") || streq (de->d_name, ".."))
			continue;
		child = xasprintf ("%s/%s", dir, de->d_name);
		if (cgroup_remove (child, err) < 0) {
			closedir (d);
			return -1;
		}
	}
	closedir (d);
	if (rmdir (dir) < 0 && errno != ENOENT)
		return lxcshim_fail_errno (err, "remove cgroup %s", dir);
	return 0;
}

/* Is LIVE (the cgroup of a process below DIR) DIR itself or inside it? */
static bool
path_within (const char *live, const char *dir)
{
	size_t n = strlen (dir);
	return strncmp (live, dir, n) == 0 && (live[n] == '\0' || live[n] == '/');
}

/* Is BASE "lxc.payload.ID" or lxc's suffixed "lxc.payload.ID-N"? */
bool
cgroup_is_payload_of (const char *base, const char *id)
{
	size_t n = strlen (id);
	const char *p;

	if (strncmp (base, "lxc.payload.", 12) != 0 || strncmp (base + 12, id, n) != 0)
		return false;
	p = base + 12 + n;
	if (*p == '\0')
		return true;
	if (*p++ != '-' || *p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

bool
cgroup_matches_record (const struct kv *rec, size_t nrec, const struct kv *live, size_t nlive, const char *id,
                       char *why, size_t size)
{
	size_t payloads = 0;

	for (size_t i = 0; i < nrec; i++) {
		const char *base = strrchr (rec[i].value, '/');
		const char *now = kv_get (live, nlive, rec[i].key);

		/* Hierarchies lxc does not manage stay at the root. */
		if (base == NULL || !cgroup_is_payload_of (base + 1, id))
			continue;
		payloads++;
		/* A privileged workload may move itself into a child cgroup. */
		if (now == NULL || !path_within (now, rec[i].value)) {
			snprintf (why, size, "it is not in the container's %s cgroup", rec[i].key);
			return false;
		}
	}
	if (payloads == 0) {
		snprintf (why, size, "no container cgroup is recorded");
		return false;
	}
	return true;
}

/* Does DIR or a child cgroup hold a process? */
static bool
cgroup_populated (const char *dir)
{
	_cleanup_free_ char *path = xasprintf ("%s/cgroup.procs", dir);
	_cleanup_free_ char *text = NULL;
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (read_file (path, &text, NULL, NULL) == 0 && text[strspn (text, " \n")] != '\0')
		return true;
	d = opendir (dir);
	if (d == NULL)
		return false;
	while (!found && (de = readdir (d))) {
		_cleanup_free_ char *child = NULL;
		if (de->d_type != DT_DIR || streq (de->d_name, ".") || streq (de->d_name, ".."))
			continue;
		child = xasprintf ("%s/%s", dir, de->d_name);
		found = cgroup_populated (child);
	}
	closedir (d);
	return found;
}

int
cgroup_remove_leftovers (const struct kv *cg, size_t n, const char *id, lxcshim_error_t *err)
{
	char **dirs = NULL;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const char *path = cg[i].value;
		const char *base = strrchr (path, '/');
		char *monitor;

		/* Only this container's own cgroups, whatever the record says. */
		if (base == NULL || !cgroup_is_payload_of (base + 1, id))
			continue;
		monitor = cgroup_lxc_sibling (path, "monitor");
		if (monitor == NULL)
			continue;
		strv_append (&dirs, path);
		strv_push (&dirs, monitor);
	}
	for (size_t i = 0; dirs && dirs[i]; i++)
		if (cgroup_populated (dirs[i]))
			goto out;
	for (size_t i = 0; dirs && dirs[i] && ret == 0; i++)
		ret = cgroup_remove (dirs[i], err);
out:
	strv_free (dirs);
	return ret;
}

bool
cgroup_leftovers_exist (const struct kv *cg, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr (cg[i].value, '/');
		_cleanup_free_ char *monitor = NULL;

		if (base == NULL || !cgroup_is_payload_of (base + 1, id))
			continue;
		monitor = cgroup_lxc_sibling (cg[i].value, "monitor");
		if (access (cg[i].value, F_OK) == 0 || (monitor && access (monitor, F_OK) == 0))
			return true;
	}
	return false;
}

/* ---- what the lifecycle commands read ---------------------------------- */

/* A number from DIR/FILE: its first line, or the value after "KEY " in
 * it when key is given.  "max" (v2) and v1's "no limit" (2^63 rounded
 * down to a page) are LXCSHIM_UNLIMITED.  0 if unreadable. */
uint64_t
cgroup_read_u64 (const char *dir, const char *file, const char *key)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *p;
	uint64_t v;

	if (dir == NULL)
		return 0;
	path = xasprintf ("%s/%s", dir, file);
	if (read_file (path, &text, NULL, NULL) < 0)
		return 0;
	p = text;
	if (key) {
		size_t klen = strlen (key);
		for (p = text; p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp (p, key, klen) == 0 && p[klen] == ' ')
				break;
		if (p == NULL)
			return 0;
		p += klen + 1;
	}
	if (strncmp (p, "max", 3) == 0)
		return LXCSHIM_UNLIMITED;
	v = strtoull (p, NULL, 10);
	return v >= (UINT64_C (1) << 62) ? LXCSHIM_UNLIMITED : v;
}

void
cgroup_stats (const struct kv *cg, size_t ncg, struct lxcshim_stats *st)
{
	const char *mem = kv_get (cg, ncg, "memory");
	const char *cpuacct = kv_get (cg, ncg, "cpuacct");
	const char *pids = kv_get (cg, ncg, "pids");
	const char *unified = kv_get (cg, ncg, "unified");

	if (mem) {
		st->memory_usage = cgroup_read_u64 (mem, "memory.usage_in_bytes", NULL);
		st->memory_limit = cgroup_read_u64 (mem, "memory.limit_in_bytes", NULL);
		st->memory_max_usage = cgroup_read_u64 (mem, "memory.max_usage_in_bytes", NULL);
		st->oom_kills = cgroup_read_u64 (mem, "memory.oom_control", "oom_kill");
	} else if (unified) {
		st->memory_usage = cgroup_read_u64 (unified, "memory.current", NULL);
		st->memory_limit = cgroup_read_u64 (unified, "memory.max", NULL);
		st->memory_max_usage = cgroup_read_u64 (unified, "memory.peak", NULL);
		st->oom_kills = cgroup_read_u64 (unified, "memory.events", "oom_kill");
	}
	if (st->memory_limit == 0)
		st->memory_limit = LXCSHIM_UNLIMITED;

	if (cpuacct)
		st->cpu_usage_ns = cgroup_read_u64 (cpuacct, "cpuacct.usage", NULL);
	else if (unified)
		st->cpu_usage_ns = cgroup_read_u64 (unified, "cpu.stat", "usage_usec") * 1000;

	if (pids == NULL)
		pids = unified;
	st->pids_current = cgroup_read_u64 (pids, "pids.current", NULL);
	st->pids_limit = cgroup_read_u64 (pids, "pids.max", NULL);
	if (st->pids_limit == 0)
		st->pids_limit = LXCSHIM_UNLIMITED;
}

int
cgroup_frozen (const struct kv *cg, size_t ncg)
{
	const char *dir = kv_get (cg, ncg, "freezer");
	_cleanup_free_ char *path = NULL, *text = NULL;

	if (dir) {
		path = xasprintf ("%s/freezer.state", dir);
		if (read_file (path, &text, NULL, NULL) < 0)
			return -1;
		if (strncmp (text, "THAWED", 6) == 0)
			return 0;
		return strncmp (text, "FROZEN", 6) == 0 || strncmp (text, "FREEZING", 8) == 0 ? 1 : -1;
	}
	dir = kv_get (cg, ncg, "unified");
	if (dir == NULL)
		return -1;
	path = xasprintf ("%s/cgroup.freeze", dir);
	if (read_file (path, &text, NULL, NULL) < 0)
		return -1;
	return text[0] == '1' ? 1 : 0;
}

/* The directory whose cgroup.procs lists the payload: any v1 hierarchy
 * will do (attached processes join them all), else the v2 one. */
static const char *
payload_dir (const struct kv *cg, size_t ncg)
{
	static const char *const keys[] = { "pids", "freezer", "memory", "cpuacct", "cpu", "devices", "unified" };

	for (size_t i = 0; i < ARRAY_SIZE (keys); i++) {
		const char *dir = kv_get (cg, ncg, keys[i]);
		if (dir)
			return dir;
	}
	return ncg ? cg[0].value : NULL;
}

static void
push_pid (pid_t **v, size_t *n, pid_t pid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == pid)
			return;
	*v = xrealloc (*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = pid;
}

/* cgroup.procs of DIR and of its children (on v2, attached processes sit
 * in a child: lxc.payload.NAME/.lxc). */
static int
collect_pids (const char *dir, pid_t **v, size_t *n, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/cgroup.procs", dir);
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	struct dirent *de;
	DIR *d;

	if (read_file (path, &text, NULL, err) < 0)
		return -1;
	for (char *tok = strtok_r (text, "\n", &save); tok; tok = strtok_r (NULL, "\n", &save))
		push_pid (v, n, (pid_t) strtol (tok, NULL, 10));
	d = opendir (dir);
	if (d == NULL)
		return 0;
	while ((de = readdir (d))) {
		_cleanup_free_ char *child = NULL;
		if (de->d_type != DT_DIR || streq (de->d_name, ".") || streq (de->d_name, ".."))
			continue;
		child = xasprintf ("%s/%s", dir, de->d_name);
		collect_pids (child, v, n, NULL);
	}
	closedir (d);
	return 0;
}

int
cgroup_pids (const struct kv *cg, size_t ncg, pid_t **v, size_t *n, lxcshim_error_t *err)
{
	const char *dir = payload_dir (cg, ncg);

	if (dir == NULL)
		return lxcshim_fail (err, EINVAL, "state.json records no cgroup");
	return collect_pids (dir, v, n, err);
}

/* Is CTRL a word of the space-separated list TEXT? */
bool
cgroup_list_has (const char *text, const char *ctrl)
{
	size_t n = strlen (ctrl);

	for (const char *p = text; p && *p;) {
		p += strspn (p, " \n");
		if (strncmp (p, ctrl, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
		p += strcspn (p, " \n");
	}
	return false;
}

int
cgroup_check_controller (const char *ctrl, bool v2, const char *unified_mount, const char *flag, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;

	if (!v2) {
		path = xasprintf ("%s/%s", CGROUP_ROOT, ctrl);
		if (is_fs (path, CGROUP_SUPER_MAGIC))
			return 0;
		return lxcshim_fail (err, EINVAL, "%s needs the %s cgroup controller, which this host does not mount", flag,
		                     ctrl);
	}
	if (unified_mount == NULL)
		return lxcshim_fail (err, EINVAL, "%s needs the %s cgroup controller, and this host has no cgroup2", flag, ctrl);
	/* LXC 5.0.2 (as root) creates lxc.payload.NAME at the root of the
	 * hierarchy, even when started from a delegated service cgroup. */
	path = xasprintf ("%s/cgroup.controllers", unified_mount);
	if (read_file (path, &text, NULL, NULL) < 0 || !cgroup_list_has (text, ctrl))
		return lxcshim_fail (err, EINVAL, "%s needs the %s cgroup controller, which is not in %s", flag, ctrl, path);
	return 0;
}
