/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>

#include "conffile.h"
#include "error.h"
#include "util.h"

void
conffile_release (struct conffile *c)
{
	free (c->root);
	free (c->lxcpath);
	free (c->rootfs);
	free (c->template_path);
	free (c->net);
	strv_free (c->lxc_includes);
	memset (c, 0, sizeof *c);
}

static char *
trim (char *s)
{
	char *end;

	while (isspace ((unsigned char) *s))
		s++;
	end = s + strlen (s);
	while (end > s && isspace ((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

int
conffile_parse (const char *text, const char *path, struct conffile *out, lxcshim_error_t *err)
{
	const char *line = text;
	int lineno = 0;

	memset (out, 0, sizeof *out);
	while (line && *line) {
		const char *nl = strchr (line, '\n');
		_cleanup_free_ char *copy = xstrndup (line, nl ? (size_t) (nl - line) : strlen (line));
		char *l = trim (copy), *eq, *key, *value, **slot = NULL;

		lineno++;
		line = nl ? nl + 1 : NULL;
		if (*l == '\0' || *l == '#')
			continue;
		eq = strchr (l, '=');
		if (eq == NULL) {
			conffile_release (out);
			return lxcshim_fail (err, EINVAL, "%s:%d: expected \"key = value\"", path, lineno);
		}
		*eq = '\0';
		key = trim (l);
		value = trim (eq + 1);
		if (streq (key, "lxc-include")) {
			strv_append (&out->lxc_includes, value);
			continue;
		}
		if (streq (key, "lxc-start")) {
			/* exec: always exec the lxc-start binary (a host whose
			 * AppArmor or SELinux policy confines that binary); auto:
			 * a single-threaded supervisor starts the container through
			 * liblxc in its forked monitor, one exec and one liblxc load
			 * fewer. */
			if (!streq (value, "auto") && !streq (value, "exec")) {
				conffile_release (out);
				return lxcshim_fail (err, EINVAL, "%s:%d: lxc-start must be auto or exec, not \"%s\"", path,
				                     lineno, value);
			}
			out->exec_lxc_start = streq (value, "exec");
			continue;
		}
		if (streq (key, "root"))
			slot = &out->root;
		else if (streq (key, "lxcpath"))
			slot = &out->lxcpath;
		else if (streq (key, "rootfs"))
			slot = &out->rootfs;
		else if (streq (key, "template"))
			slot = &out->template_path;
		else if (streq (key, "net"))
			slot = &out->net;
		if (slot == NULL) {
			conffile_release (out);
			return lxcshim_fail (err, EINVAL,
			                     "%s:%d: unknown key \"%s\": expected root, lxcpath, rootfs, template, net, lxc-include or lxc-start",
			                     path, lineno, key);
		}
		free (*slot);
		*slot = xstrdup (value);
	}
	return 0;
}

int
conffile_load (const char *path, bool must_exist, struct conffile *out, lxcshim_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	lxcshim_error_t rerr = NULL;

	memset (out, 0, sizeof *out);
	if (read_file (path, &text, NULL, &rerr) < 0) {
		int status = rerr->status;
		if (status == ENOENT && !must_exist) {
			lxcshim_error_release (&rerr);
			return 0;
		}
		lxcshim_fail (err, status, "cannot read config file: %s", rerr->msg);
		lxcshim_error_release (&rerr);
		return -1;
	}
	return conffile_parse (text, path, out, err);
}
