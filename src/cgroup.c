/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
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
