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
