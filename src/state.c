/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <json.h>

#include "error.h"
#include "state.h"
#include "util.h"

void
kv_add (struct kv **v, size_t *n, const char *key, const char *value)
{
	*v = xrealloc (*v, (*n + 1) * sizeof (struct kv));
	(*v)[*n].key = xstrdup (key);
	(*v)[*n].value = xstrdup (value);
	(*n)++;
}

const char *
kv_get (const struct kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (streq (v[i].key, key))
			return v[i].value;
	return NULL;
}

void
kv_free (struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free (v[i].key);
		free (v[i].value);
	}
	free (v);
}

void
state_release (struct state *s)
{
	free (s->id);
	kv_free (s->cgroups, s->n_cgroups);
	kv_free (s->namespaces, s->n_namespaces);
	free (s->created);
	free (s->status);
	free (s->rootfs);
	free (s->config_path);
	free (s->lxcpath);
	strv_free (s->command);
	free (s->finished);
	memset (s, 0, sizeof *s);
}

static json_object *
kv_to_json (const struct kv *v, size_t n)
{
	json_object *o = json_object_new_object ();
	for (size_t i = 0; i < n; i++)
		json_object_object_add (o, v[i].key, json_object_new_string (v[i].value));
	return o;
}

static void
add_str (json_object *o, const char *k, const char *v)
{
	json_object_object_add (o, k, v ? json_object_new_string (v) : NULL);
}

char *
state_to_json (const struct state *s)
{
	json_object *o = json_object_new_object ();
	json_object *cmd = json_object_new_array ();
	char *r;

	add_str (o, "id", s->id);
	json_object_object_add (o, "init_process_pid", json_object_new_int (s->init_pid));
	json_object_object_add (o, "init_process_start", json_object_new_uint64 (s->init_start));
	json_object_object_add (o, "cgroup_paths", kv_to_json (s->cgroups, s->n_cgroups));
	json_object_object_add (o, "namespace_paths", kv_to_json (s->namespaces, s->n_namespaces));
	add_str (o, "created", s->created);
	add_str (o, "status", s->status);
	json_object_object_add (o, "supervisor_pid", json_object_new_int (s->supervisor_pid));
	json_object_object_add (o, "supervisor_start", json_object_new_uint64 (s->supervisor_start));
	add_str (o, "rootfs", s->rootfs);
	add_str (o, "config_path", s->config_path);
	add_str (o, "lxcpath", s->lxcpath);
	for (size_t i = 0; s->command && s->command[i]; i++)
		json_object_array_add (cmd, json_object_new_string (s->command[i]));
	json_object_object_add (o, "command", cmd);
	if (s->exited) {
		json_object_object_add (o, "exit_code", json_object_new_int (s->exit_code));
		json_object_object_add (o, "oom_killed", json_object_new_boolean (s->oom_killed));
		add_str (o, "finished", s->finished);
	} else if (s->status && streq (s->status, "stopped")) {
		/* It ended while no supervisor was there to see how. */
		json_object_object_add (o, "exit_code", NULL);
		json_object_object_add (o, "oom_killed", NULL);
		add_str (o, "finished", s->finished);
	}
	r = xasprintf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put (o);
	return r;
}

static char *
get_str (json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex (o, k, &v) || !json_object_is_type (v, json_type_string))
		return NULL;
	return xstrdup (json_object_get_string (v));
}

static void
get_kv (json_object *o, const char *k, struct kv **v, size_t *n)
{
	json_object *m;
	if (!json_object_object_get_ex (o, k, &m) || !json_object_is_type (m, json_type_object))
		return;
	json_object_object_foreach (m, key, val)
		if (json_object_is_type (val, json_type_string))
			kv_add (v, n, key, json_object_get_string (val));
}

int
state_from_json (const char *text, struct state *s, lxcshim_error_t *err)
{
	json_object *o = json_tokener_parse (text), *v;

	memset (s, 0, sizeof *s);
	if (o == NULL || !json_object_is_type (o, json_type_object)) {
		json_object_put (o);
		return lxcshim_fail (err, EINVAL, "malformed state.json");
	}
	s->id = get_str (o, "id");
	if (json_object_object_get_ex (o, "init_process_pid", &v))
		s->init_pid = json_object_get_int (v);
	if (json_object_object_get_ex (o, "init_process_start", &v))
		s->init_start = json_object_get_uint64 (v);
	get_kv (o, "cgroup_paths", &s->cgroups, &s->n_cgroups);
	get_kv (o, "namespace_paths", &s->namespaces, &s->n_namespaces);
	s->created = get_str (o, "created");
	s->status = get_str (o, "status");
	if (json_object_object_get_ex (o, "supervisor_pid", &v))
		s->supervisor_pid = json_object_get_int (v);
	if (json_object_object_get_ex (o, "supervisor_start", &v))
		s->supervisor_start = json_object_get_uint64 (v);
	s->rootfs = get_str (o, "rootfs");
	s->config_path = get_str (o, "config_path");
	s->lxcpath = get_str (o, "lxcpath");
	{
		struct strvb cmd = { 0 }; /* O(1) a push: a command may be long */
		if (json_object_object_get_ex (o, "command", &v) && json_object_is_type (v, json_type_array))
			for (size_t i = 0; i < json_object_array_length (v); i++)
				strvb_push (&cmd, xstrdup (json_object_get_string (json_object_array_get_idx (v, i))));
		s->command = strvb_steal (&cmd);
	}
	if (json_object_object_get_ex (o, "exit_code", &v) && v != NULL) {
		s->exited = true;
		s->exit_code = json_object_get_int (v);
		if (json_object_object_get_ex (o, "oom_killed", &v))
			s->oom_killed = json_object_get_boolean (v);
		s->finished = get_str (o, "finished");
	}
	json_object_put (o);
	if (s->id == NULL || s->status == NULL) {
		state_release (s);
		return lxcshim_fail (err, EINVAL, "malformed state.json: no id or status");
	}
	return 0;
}

int
state_write (const char *path, const struct state *s, lxcshim_error_t *err)
{
	_cleanup_free_ char *text = state_to_json (s);
	return write_file_atomic (path, text, strlen (text), 0600, err);
}

int
state_read (const char *path, struct state *out, lxcshim_error_t *err)
{
	_cleanup_free_ char *text = NULL;

	if (read_file (path, &text, NULL, err) < 0)
		return -1;
	if (state_from_json (text, out, err) < 0)
		return lxcshim_error_prefix (err, "%s", path);
	return 0;
}
