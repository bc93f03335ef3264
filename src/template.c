/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "mountpoint.h"
#include "error.h"
#include "parse.h"
#include "protocol.h"
#include "template.h"
#include "util.h"

#define BAD_INPUT EINVAL

/* runc's DefaultAllowedDevices, as Docker's LXC driver rendered them. */
static const char *const default_devices[] = {
	"c *:* m",    "b *:* m",    "c 5:1 rwm", "c 4:0 rwm", "c 4:1 rwm", "c 136:* rwm", "c 5:2 rwm",
	"c 10:200 rwm", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:9 rwm", "c 1:8 rwm",
};

static bool
truthy (json_object *v)
{
	switch (json_object_get_type (v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean (v);
	case json_type_string:
		return json_object_get_string_len (v) > 0;
	case json_type_array:
		return json_object_array_length (v) > 0;
	default:
		return true;
	}
}

/* Looks up "a" or "a.b"; for "list.field" in a list, looks in `elem`. */
static json_object *
lookup (json_object *view, const char *name, json_object *list_name_elem, const char *list_name)
{
	const char *dot = strchr (name, '.');
	json_object *v = NULL;

	if (list_name && strncmp (name, list_name, strlen (list_name)) == 0 &&
	    (name[strlen (list_name)] == '\0' || name[strlen (list_name)] == '.')) {
		size_t n = strlen (list_name);
		if (name[n] == '\0')
			return list_name_elem;
		if (json_object_object_get_ex (list_name_elem, name + n + 1, &v))
			return v;
		return NULL;
	}
	if (dot) {
		_cleanup_free_ char *head = xstrndup (name, dot - name);
		json_object *parent;
		if (!json_object_object_get_ex (view, head, &parent) || !json_object_is_type (parent, json_type_object))
			return NULL;
		json_object_object_get_ex (parent, dot + 1, &v);
		return v;
	}
	json_object_object_get_ex (view, name, &v);
	return v;
}

/* The list a line iterates over: the first {{x.y}} or {{x}} naming an array. */
static int
line_list (json_object *view, const char *line, char **list_name, lxcshim_error_t *err)
{
	const char *p = line;

	*list_name = NULL;
	while ((p = strstr (p, "{{"))) {
		const char *end = strstr (p, "}}");
		_cleanup_free_ char *name = NULL;
		json_object *v = NULL;
		size_t n;

		if (end == NULL)
			return lxcshim_fail (err, BAD_INPUT, "unterminated {{ in template line: %s", line);
		p += 2;
		/* A condition tests a list; it does not repeat the line. */
		if (*p == '?' || *p == '^') {
			p = end + 2;
			continue;
		}
		n = strcspn (p, ".}");
		name = xstrndup (p, n);
		if (json_object_object_get_ex (view, name, &v) && json_object_is_type (v, json_type_array)) {
			if (*list_name && !streq (*list_name, name))
				return lxcshim_fail (err, BAD_INPUT, "template line names two lists: %s", line);
			free (*list_name);
			*list_name = steal_pointer (&name);
		}
		p = end + 2;
	}
	return 0;
}

static int
value_text (json_object *v, const char *name, char **out, lxcshim_error_t *err)
{
	const char *s;
	size_t len;

	if (json_object_is_type (v, json_type_string)) {
		s = json_object_get_string (v);
		len = json_object_get_string_len (v);
	} else {
		s = json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN);
		len = strlen (s);
	}
	if (check_config_value (name, s, len, err) < 0)
		return -1;
	*out = xstrndup (s, len);
	return 0;
}

/* Renders one line for one list element (or none); *keep says whether the
 * line survives its conditions and lookups. */
static int
render_line (json_object *view, const char *line, const char *list_name, json_object *elem, struct buf *out,
             lxcshim_error_t *err)
{
	struct buf b = { 0 };
	const char *p = line;

	while (*p) {
		const char *open = strstr (p, "{{"), *close;
		_cleanup_free_ char *name = NULL, *text = NULL;
		json_object *v;
		char cond = 0;

		if (open == NULL) {
			buf_puts (&b, p);
			break;
		}
		buf_add (&b, p, open - p);
		close = strstr (open, "}}");
		name = xstrndup (open + 2, close - open - 2);
		p = close + 2;
		if (name[0] == '?' || name[0] == '^')
			cond = name[0];
		v = lookup (view, cond ? name + 1 : name, elem, list_name);
		if (cond) {
			if (truthy (v) != (cond == '?'))
				goto drop;
			continue;
		}
		if (v == NULL || json_object_is_type (v, json_type_null) ||
		    (json_object_is_type (v, json_type_boolean) && !json_object_get_boolean (v)))
			goto drop;
		if (value_text (v, name, &text, err) < 0) {
			buf_free (&b);
			return -1;
		}
		buf_puts (&b, text);
	}
	buf_add (out, b.data ? b.data : "", b.len);
	buf_add (out, "\n", 1);
drop:
	buf_free (&b);
	return 0;
}

int
template_render (const char *tmpl, json_object *view, char **out, lxcshim_error_t *err)
{
	struct buf b = { 0 };
	const char *line = tmpl;

	while (line && *line) {
		const char *nl = strchr (line, '\n');
		_cleanup_free_ char *l = xstrndup (line, nl ? (size_t) (nl - line) : strlen (line));
		_cleanup_free_ char *list_name = NULL;
		json_object *list;
		int ret = 0;

		line = nl ? nl + 1 : NULL;
		if (strncmp (l, "##", 2) == 0)
			continue;
		if (line_list (view, l, &list_name, err) < 0)
			goto fail;
		if (list_name == NULL) {
			ret = render_line (view, l, NULL, NULL, &b, err);
		} else {
			json_object_object_get_ex (view, list_name, &list);
			for (size_t i = 0; ret == 0 && i < json_object_array_length (list); i++)
				ret = render_line (view, l, list_name, json_object_array_get_idx (list, i), &b, err);
		}
		if (ret < 0)
			goto fail;
	}
	*out = buf_steal (&b);
	return 0;
fail:
	buf_free (&b);
	return -1;
}

char *
fstab_escape (const char *s)
{
	struct buf b = { 0 };

	for (; *s; s++) {
		switch (*s) {
		case ' ':
			buf_puts (&b, "\\040");
			break;
		case '\t':
			buf_puts (&b, "\\011");
			break;
		case '\n':
			buf_puts (&b, "\\012");
			break;
		case '\\':
			buf_puts (&b, "\\134");
			break;
		default:
			buf_add (&b, s, 1);
		}
	}
	return buf_steal (&b);
}

static void
add_string (json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add (o, key, json_object_new_string (v));
}

static void
add_escaped (json_object *o, const char *key, const char *v)
{
	_cleanup_free_ char *e = fstab_escape (v);
	add_string (o, key, e);
}

static void
add_int (json_object *o, const char *key, int64_t v)
{
	json_object_object_add (o, key, json_object_new_int64 (v));
}

/* A bind mount target relative to the rootfs, as lxc resolves it there. */
static void
add_target (json_object *o, const char *key, const char *abs)
{
	while (*abs == '/')
		abs++;
	add_escaped (o, key, abs);
}

int
template_view (const lxcshim_spec_t *s, const struct template_paths *paths, json_object **out, lxcshim_error_t *err)
{
	json_object *v = json_object_new_object ();
	json_object *mounts = json_object_new_array ();
	_cleanup_strv_ char **caps = NULL;

	{
		json_object *inc = json_object_new_array ();
		for (size_t i = 0; paths->site_includes && paths->site_includes[i]; i++)
			json_object_array_add (inc, json_object_new_string (paths->site_includes[i]));
		for (size_t i = 0; s->lxc_includes && s->lxc_includes[i]; i++)
			json_object_array_add (inc, json_object_new_string (s->lxc_includes[i]));
		json_object_object_add (v, "includes", inc);
	}
	add_string (v, "id", s->id);
	add_string (v, "hostname", s->hostname);
	add_string (v, "rootfs", s->rootfs);
	/* LXC mounts the overlay itself, in the container's own mount
	 * namespace, and puts its work dir beside the upper dir. */
	if (paths->rootfs_upper) {
		_cleanup_free_ char *rp = xasprintf ("overlay:%s:%s", s->rootfs, paths->rootfs_upper);
		add_string (v, "rootfs_upper", paths->rootfs_upper);
		add_string (v, "rootfs_path", rp);
	} else {
		_cleanup_free_ char *rp = xasprintf ("dir:%s", s->rootfs);
		add_string (v, "rootfs_path", rp);
	}
	add_escaped (v, "init_source", paths->init_source);
	add_target (v, "init_target", LXCSHIM_INIT_TARGET);
	add_escaped (v, "env_source", paths->env_source);
	add_target (v, "env_target", LXCSHIM_ENV_TARGET);
	add_string (v, "log_file", paths->log_file);
	if (paths->console)
		add_escaped (v, "console", paths->console);
	add_string (v, "log_level", paths->log_level);
	json_object_object_add (v, "privileged", json_object_new_boolean (s->privileged));
	json_object_object_add (v, "net_none", json_object_new_boolean (s->net == NET_NONE));
	json_object_object_add (v, "net_host", json_object_new_boolean (s->net == NET_HOST));
	json_object_object_add (v, "cgroup1", json_object_new_boolean (!paths->cgroup2_memory));
	json_object_object_add (v, "cgroup2", json_object_new_boolean (paths->cgroup2_memory));

	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct volume *vol = &s->volumes[i];
		json_object *m = json_object_new_object ();
		struct stat st;
		bool dir = stat (vol->source, &st) < 0 || S_ISDIR (st.st_mode);
		/* lxcshim makes the mount points (mountpoint.c): LXC's create=
		 * follows symlinks out of the rootfs.  Only in LXC's fresh /dev
		 * tmpfs, which lxcshim cannot reach before the start, does
		 * LXC make them. */
		bool lxc_creates = mountpoint_in_autodev (vol->target) && mountpoint_parent_volume (s->volumes, i, NULL) < 0;
		_cleanup_free_ char *opts = xasprintf ("rbind,%s%s", vol->readonly ? "ro" : "rw",
		                                       !lxc_creates ? "" : dir ? ",create=dir" : ",create=file");

		add_escaped (m, "source", vol->source);
		add_target (m, "target", vol->target);
		add_string (m, "options", opts);
		json_object_array_add (mounts, m);
	}
	json_object_object_add (v, "mounts", mounts);

	if (s->memory > 0)
		add_int (v, "memory", s->memory);
	if (s->memory_swap > 0)
		add_int (v, "memory_swap", s->memory_swap);
	else if (s->memory_swap < 0)
		add_string (v, "memory_swap", "-1");
	/* cgroup2 limits swap alone, and spells "unlimited" max. */
	if (s->memory_swap > 0)
		add_int (v, "swap_max", s->memory_swap - s->memory);
	else if (s->memory_swap < 0)
		add_string (v, "swap_max", "max");
	if (s->cpu_shares > 0) {
		add_int (v, "cpu_shares", (int64_t) s->cpu_shares);
		/* runc's mapping of shares [2, 262144] onto weight [1, 10000]. */
		add_int (v, "cpu_weight", 1 + ((int64_t) s->cpu_shares - 2) * 9999 / 262142);
	}
	if (s->millicpus > 0) {
		add_int (v, "cpu_period", 100000);
		add_int (v, "cpu_quota", (int64_t) s->millicpus * 100);
	}
	add_string (v, "cpuset_cpus", s->cpuset_cpus);
	if (s->pids_limit > 0)
		add_int (v, "pids_max", s->pids_limit);

	if (!s->privileged) {
		json_object *devs = json_object_new_array ();
		for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
			json_object_array_add (devs, json_object_new_string (default_devices[i]));
		json_object_object_add (v, "devices", devs);
	}
	if (!s->privileged) {
		json_object *arr = json_object_new_array ();
		if (caps_compute_keep (s->cap_add, s->cap_drop, &caps, err) < 0) {
			json_object_put (arr);
			json_object_put (v);
			return -1;
		}
		for (size_t i = 0; caps[i]; i++)
			json_object_array_add (arr, json_object_new_string (caps[i]));
		json_object_object_add (v, "caps_none", json_object_new_boolean (caps[0] == NULL));
		json_object_object_add (v, "caps", arr);
	}
	*out = v;
	return 0;
}

char *
template_env_json (char *const *env)
{
	json_object *arr = json_object_new_array ();
	char *r;

	for (size_t i = 0; env && env[i]; i++)
		json_object_array_add (arr, json_object_new_string (env[i]));
	r = xstrdup (json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put (arr);
	return r;
}
