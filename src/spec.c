/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <inttypes.h>
#include <errno.h>
#include <json.h>
#include <strings.h>
#include <sys/random.h>

#include "caps.h"
#include "error.h"
#include "spec.h"
#include "user.h"
#include "util.h"

#define BAD_INPUT EINVAL

typedef int (*setter_fn) (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err);

struct key {
	const char *name;
	setter_fn set;
	bool repeatable;
};

static int
set_string (char **field, const char *key, const char *v, bool reaches_config, lxcshim_error_t *err)
{
	if (reaches_config && check_config_value (key, v, strlen (v), err) < 0)
		return -1;
	free (*field);
	*field = xstrdup (v);
	return 0;
}

static int
parse_bool (const char *key, const char *v, bool *out, lxcshim_error_t *err)
{
	if (v == NULL || *v == '\0' || streq (v, "true") || streq (v, "1"))
		*out = true;
	else if (streq (v, "false") || streq (v, "0"))
		*out = false;
	else
		return lxcshim_fail_value (err, key, v, "expected true or false");
	return 0;
}

static int
set_name (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (parse_id (v, err) < 0)
		return -1;
	return set_string (&s->id, key, v, true, err);
}

static int
no_edge_space (const char *key, const char *v, lxcshim_error_t *err)
{
	size_t n = strlen (v);

	/* lxc trims config values, so such a value would silently change. */
	if (n && (isspace ((unsigned char) v[0]) || isspace ((unsigned char) v[n - 1])))
		return lxcshim_fail_value (err, key, v, "leading or trailing white space");
	return 0;
}

static int
set_rootfs (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (check_config_value (key, v, strlen (v), err) < 0 || no_edge_space (key, v, err) < 0)
		return -1;
	if (*v == '\0')
		return lxcshim_fail (err, BAD_INPUT, "invalid rootfs \"\": expected a directory");
	return set_string (&s->rootfs, key, v, true, err);
}

static int
set_env (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (parse_env_entry (v, err) < 0)
		return -1;
	strvb_push (&s->env, xstrdup (v));
	return 0;
}

static int
set_env_file (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	strv_append (&s->env_files, v);
	return 0;
}

static int
set_user (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (user_spec_check (v, err) < 0)
		return -1;
	return set_string (&s->user, key, v, false, err);
}

static int
set_workdir (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (*v != '/')
		return lxcshim_fail_value (err, "workdir", v, "must be an absolute path");
	return set_string (&s->workdir, key, v, false, err);
}

static int
set_hostname (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	size_t n = strlen (v);

	if (check_config_value (key, v, n, err) < 0)
		return -1;
	if (n == 0 || n > 64 || *v == '-' || *v == '.')
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isascii ((unsigned char) v[i]) || !(isalnum ((unsigned char) v[i]) || v[i] == '-' || v[i] == '.'))
			goto bad;
	return set_string (&s->hostname, key, v, true, err);
bad:
	return lxcshim_fail_value (err, "hostname", v, "expected 1-64 letters, digits, '-' and '.'");
}

static int
set_template (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	return set_string (&s->template_path, key, v, false, err);
}

static int
set_memory (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	return parse_size ("memory", v, &s->memory, err);
}

static int
set_memory_swap (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (streq (v, "-1")) {
		s->memory_swap = -1;
		return 0;
	}
	return parse_size ("memory-swap", v, &s->memory_swap, err);
}

static int
set_cpu_shares (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (parse_uint ("cpu-shares", v, 262144, &s->cpu_shares, err) < 0)
		return -1;
	if (s->cpu_shares != 0 && s->cpu_shares < 2)
		return lxcshim_fail_value (err, "cpu-shares", v, "expected 2 to 262144");
	return 0;
}

static int
set_cpus (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	return parse_cpu_quota (v, &s->millicpus, err);
}

static int
set_cpuset (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (parse_cpuset (v, err) < 0)
		return -1;
	return set_string (&s->cpuset_cpus, key, v, true, err);
}

static int
set_pids_limit (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	return parse_pids_limit (v, &s->pids_limit, err);
}

static int
set_volume (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	struct volume vol;

	if (check_config_value ("volume", v, strlen (v), err) < 0 || parse_volume (v, &vol, err) < 0)
		return -1;
	s->volumes = xrealloc (s->volumes, (s->n_volumes + 1) * sizeof (struct volume));
	s->volumes[s->n_volumes++] = vol;
	return 0;
}

static int
set_cap_add (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (caps_check_name (v, err) < 0)
		return -1;
	strv_append (&s->cap_add, v);
	return 0;
}

static int
set_cap_drop (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (caps_check_name (v, err) < 0)
		return -1;
	strv_append (&s->cap_drop, v);
	return 0;
}

static int
set_net (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	s->net_set = true;
	if (streq (v, "none"))
		s->net = NET_NONE;
	else if (streq (v, "host"))
		s->net = NET_HOST;
	else if (strncmp (v, "bridge", 6) == 0 || strncmp (v, "container:", 10) == 0)
		return lxcshim_fail (err, ENOTSUP, "--net %s is not supported yet (only none and host)", v);
	else
		return lxcshim_fail_value (err, "--net", v, "expected none or host");
	return 0;
}

#define BOOL_SETTER(fn, field)                                                                   \
	static int fn (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err) \
	{                                                                                        \
		return parse_bool (key, v, &s->field, err);                                      \
	}
BOOL_SETTER (set_privileged, privileged)
BOOL_SETTER (set_rootfs_overlay, rootfs_overlay)
BOOL_SETTER (set_rm, rm)
BOOL_SETTER (set_dry_run, dry_run)
BOOL_SETTER (set_tty, tty)
BOOL_SETTER (set_interactive, interactive)
BOOL_SETTER (set_detach, detach)

static int
set_start_timeout (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	uint64_t ms;

	if (parse_cpus (v, &ms, NULL) < 0 || ms > 3600 * 1000)
		return lxcshim_fail_value (err, "start-timeout", v, "expected seconds, up to 3600");
	s->start_timeout_ms = (unsigned) ms;
	return 0;
}

static int
set_lxc_include (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	if (check_config_value (key, v, strlen (v), err) < 0 || no_edge_space (key, v, err) < 0)
		return -1;
	if (*v != '/')
		return lxcshim_fail_value (err, "lxc-include", v, "must be an absolute path");
	strv_append (&s->lxc_includes, v);
	return 0;
}

static int
unsupported (lxcshim_spec_t *s, const char *key, const char *v, lxcshim_error_t *err)
{
	return lxcshim_fail (err, ENOTSUP, "--%s is not supported yet", key);
}

static const struct key keys[] = {
	{ "name", set_name, false },
	{ "rootfs", set_rootfs, false },
	{ "rootfs-overlay", set_rootfs_overlay, false },
	{ "env", set_env, true },
	{ "env-file", set_env_file, true },
	{ "user", set_user, false },
	{ "workdir", set_workdir, false },
	{ "hostname", set_hostname, false },
	{ "memory", set_memory, false },
	{ "memory-swap", set_memory_swap, false },
	{ "cpu-shares", set_cpu_shares, false },
	{ "cpus", set_cpus, false },
	{ "cpuset-cpus", set_cpuset, false },
	{ "pids-limit", set_pids_limit, false },
	{ "volume", set_volume, true },
	{ "cap-add", set_cap_add, true },
	{ "cap-drop", set_cap_drop, true },
	{ "privileged", set_privileged, false },
	{ "net", set_net, false },
	{ "rm", set_rm, false },
	{ "dry-run", set_dry_run, false },
	{ "start-timeout", set_start_timeout, false },
	{ "template", set_template, false },
	{ "lxc-include", set_lxc_include, true },
	/* Later issues: refuse clearly rather than ignore. */
	{ "device", unsupported, true },
	{ "ipc", unsupported, false },
	{ "tty", set_tty, false },
	{ "interactive", set_interactive, false },
	{ "detach", set_detach, false },
};

static const struct key *
find_key (const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE (keys); i++)
		if (streq (keys[i].name, name))
			return &keys[i];
	return NULL;
}

bool
lxcshim_spec_has_key (const char *key, bool *repeatable)
{
	const struct key *k = key ? find_key (key) : NULL;

	if (k && repeatable)
		*repeatable = k->repeatable;
	return k != NULL;
}

lxcshim_spec_t *
lxcshim_spec_new (void)
{
	lxcshim_spec_t *s = xzalloc (sizeof *s);

	s->start_timeout_ms = 10 * 1000;
	return s;
}

void
lxcshim_spec_free (lxcshim_spec_t *s)
{
	if (s == NULL)
		return;
	free (s->id);
	free (s->rootfs);
	strv_free (s->command);
	strvb_free (&s->env);
	strv_free (s->env_files);
	free (s->user);
	free (s->workdir);
	free (s->hostname);
	free (s->template_path);
	free (s->cpuset_cpus);
	for (size_t i = 0; i < s->n_volumes; i++)
		volume_release (&s->volumes[i]);
	free (s->volumes);
	strv_free (s->cap_add);
	strv_free (s->cap_drop);
	strv_free (s->lxc_includes);
	free (s);
}

static char *
strdup_or_null (const char *s)
{
	return s ? xstrdup (s) : NULL;
}

static char **
strv_copy_or_null (char *const *v)
{
	return v ? strv_copy (v) : NULL;
}

lxcshim_spec_t *
spec_copy (const lxcshim_spec_t *s)
{
	lxcshim_spec_t *c = xmalloc (sizeof *c);

	*c = *s;
	c->id = strdup_or_null (s->id);
	c->rootfs = strdup_or_null (s->rootfs);
	c->command = strv_copy_or_null (s->command);
	c->env = (struct strvb) { 0 };
	for (size_t i = 0; i < s->env.n; i++)
		strvb_push (&c->env, xstrdup (s->env.v[i]));
	c->env_files = strv_copy_or_null (s->env_files);
	c->user = strdup_or_null (s->user);
	c->workdir = strdup_or_null (s->workdir);
	c->hostname = strdup_or_null (s->hostname);
	c->template_path = strdup_or_null (s->template_path);
	c->cpuset_cpus = strdup_or_null (s->cpuset_cpus);
	c->volumes = s->n_volumes ? xmalloc (s->n_volumes * sizeof *c->volumes) : NULL;
	for (size_t i = 0; i < s->n_volumes; i++)
		c->volumes[i] = (struct volume) { .source = xstrdup (s->volumes[i].source),
			                          .target = xstrdup (s->volumes[i].target),
			                          .readonly = s->volumes[i].readonly };
	c->cap_add = strv_copy_or_null (s->cap_add);
	c->cap_drop = strv_copy_or_null (s->cap_drop);
	c->lxc_includes = strv_copy_or_null (s->lxc_includes);
	return c;
}

const char *
lxcshim_spec_id (const lxcshim_spec_t *spec)
{
	return spec->id;
}

bool
lxcshim_spec_get_bool (const lxcshim_spec_t *s, const char *key)
{
	static const struct {
		const char *key;
		size_t offset;
	} bools[] = {
		{ "tty", offsetof (lxcshim_spec_t, tty) },
		{ "interactive", offsetof (lxcshim_spec_t, interactive) },
		{ "detach", offsetof (lxcshim_spec_t, detach) },
		{ "rm", offsetof (lxcshim_spec_t, rm) },
		{ "dry-run", offsetof (lxcshim_spec_t, dry_run) },
		{ "privileged", offsetof (lxcshim_spec_t, privileged) },
		{ "rootfs-overlay", offsetof (lxcshim_spec_t, rootfs_overlay) },
	};
	for (size_t i = 0; key && i < ARRAY_SIZE (bools); i++)
		if (streq (bools[i].key, key))
			return *(const bool *) ((const char *) s + bools[i].offset);
	return false;
}

int
lxcshim_spec_set (lxcshim_spec_t *spec, const char *key, const char *value, lxcshim_error_t *err)
{
	const struct key *k = key ? find_key (key) : NULL;

	if (k == NULL)
		return lxcshim_fail (err, BAD_INPUT, "unknown setting \"%s\"", key ? key : "");
	if (value == NULL)
		value = "";
	return k->set (spec, k->name, value, err);
}

int
lxcshim_spec_set_command (lxcshim_spec_t *spec, char *const argv[], lxcshim_error_t *err)
{
	if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
		return lxcshim_fail (err, BAD_INPUT, "no command given: expected CMD [ARG...]");
	strv_free (spec->command);
	spec->command = strv_copy (argv);
	return 0;
}

/* A JSON scalar as the string lxcshim_spec_set takes. */
static int
json_scalar (const char *key, json_object *v, char **out, lxcshim_error_t *err)
{
	switch (json_object_get_type (v)) {
	case json_type_string:
		if (strlen (json_object_get_string (v)) != (size_t) json_object_get_string_len (v))
			return lxcshim_fail (err, BAD_INPUT, "invalid %s: it contains a NUL byte", key);
		*out = xstrdup (json_object_get_string (v));
		return 0;
	case json_type_int:
		*out = xasprintf ("%" PRId64, json_object_get_int64 (v));
		return 0;
	case json_type_double:
		*out = xasprintf ("%g", json_object_get_double (v));
		return 0;
	case json_type_boolean:
		*out = xstrdup (json_object_get_boolean (v) ? "true" : "false");
		return 0;
	default:
		return lxcshim_fail (err, BAD_INPUT, "invalid %s: expected a string, number or boolean", key);
	}
}

int
lxcshim_spec_load_json (lxcshim_spec_t *spec, const char *path, lxcshim_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	json_tokener *tok;
	json_object *root;
	size_t len;
	int ret = 0;

	if (read_file (path, &text, &len, err) < 0)
		return lxcshim_error_prefix (err, "cannot read spec");
	tok = json_tokener_new ();
	/* With the terminating NUL, a bare literal such as "null" completes
	 * instead of waiting for more input; a NUL inside the file ends the
	 * document there and leaves "text after the document". */
	root = json_tokener_parse_ex (tok, text, (int) len + 1);
	if (json_tokener_get_error (tok) == json_tokener_continue) {
		ret = lxcshim_fail (err, BAD_INPUT, "invalid JSON: unexpected end of file");
		goto out;
	}
	if (json_tokener_get_error (tok) != json_tokener_success) {
		ret = lxcshim_fail (err, BAD_INPUT, "invalid JSON: %s",
		                    json_tokener_error_desc (json_tokener_get_error (tok)));
		goto out;
	}
	if (json_tokener_get_parse_end (tok) < len &&
	    json_tokener_get_parse_end (tok) + strspn (text + json_tokener_get_parse_end (tok), " \t\r\n") < len) {
		ret = lxcshim_fail (err, BAD_INPUT, "invalid JSON: text after the document");
		goto out;
	}
	if (!json_object_is_type (root, json_type_object)) {
		ret = lxcshim_fail (err, BAD_INPUT, "expected a JSON object");
		goto out;
	}
	json_object_object_foreach (root, key, val)
	{
		bool repeatable = false;

		if (val == NULL)
			continue;
		if (streq (key, "command")) {
			struct strvb argv = { 0 };
			size_t n = json_object_is_type (val, json_type_array) ? json_object_array_length (val) : 0;
			for (size_t i = 0; i < n; i++) {
				char *s;
				if ((ret = json_scalar (key, json_object_array_get_idx (val, i), &s, err)) < 0) {
					strvb_free (&argv);
					goto out;
				}
				strvb_push (&argv, s);
			}
			ret = lxcshim_spec_set_command (spec, argv.v ? argv.v : (char *[]) { NULL }, err);
			strvb_free (&argv);
			if (ret < 0)
				goto out;
			continue;
		}
		if (!lxcshim_spec_has_key (key, &repeatable)) {
			ret = lxcshim_fail (err, BAD_INPUT, "unknown key \"%s\"", key);
			goto out;
		}
		if (json_object_is_type (val, json_type_array)) {
			if (!repeatable) {
				ret = lxcshim_fail (err, BAD_INPUT, "\"%s\" takes one value, not a list", key);
				goto out;
			}
			for (size_t i = 0; i < json_object_array_length (val); i++) {
				_cleanup_free_ char *s = NULL;
				if ((ret = json_scalar (key, json_object_array_get_idx (val, i), &s, err)) < 0 ||
				    (ret = lxcshim_spec_set (spec, key, s, err)) < 0)
					goto out;
			}
		} else {
			_cleanup_free_ char *s = NULL;
			if ((ret = json_scalar (key, val, &s, err)) < 0 || (ret = lxcshim_spec_set (spec, key, s, err)) < 0)
				goto out;
		}
	}
out:
	json_tokener_free (tok);
	json_object_put (root);
	if (ret < 0)
		lxcshim_error_prefix (err, "invalid spec %s", path);
	return ret;
}

static char *
random_id (void)
{
	unsigned char bytes[6];
	char *id = xmalloc (13);

	if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
		abort (); /* 6 bytes from a booted kernel cannot fail */
	for (size_t i = 0; i < sizeof bytes; i++)
		sprintf (id + 2 * i, "%02x", bytes[i]);
	return id;
}

int
spec_finalize (lxcshim_spec_t *s, lxcshim_error_t *err)
{
	if (s->command == NULL || s->command[0] == NULL)
		return lxcshim_fail (err, BAD_INPUT, "no command given: expected CMD [ARG...]");
	if (s->id == NULL)
		s->id = random_id ();
	if (s->hostname == NULL)
		s->hostname = xstrndup (s->id, 12);
	if (s->memory_swap > 0 && s->memory == 0)
		return lxcshim_fail (err, BAD_INPUT, "invalid memory-swap: it needs --memory as well");
	if (s->memory_swap > 0 && s->memory_swap < s->memory)
		return lxcshim_fail (err, BAD_INPUT,
		                     "invalid memory-swap %" PRId64 ": it is memory plus swap, so at least --memory (%" PRId64 ")",
		                     s->memory_swap, s->memory);
	if (s->memory != 0 && s->memory < 4 * 1024 * 1024)
		return lxcshim_fail (err, BAD_INPUT, "invalid memory %" PRId64 ": the minimum is 4m", s->memory);
	return 0;
}

void
env_set (char ***env, const char *entry)
{
	size_t klen = strcspn (entry, "=");

	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp ((*env)[i], entry, klen) == 0 && (*env)[i][klen] == '=') {
			free ((*env)[i]);
			(*env)[i] = xstrdup (entry);
			return;
		}
	}
	strv_append (env, entry);
}

char *
env_resolve (const char *entry)
{
	const char *host;

	if (strchr (entry, '='))
		return xstrdup (entry);
	/* Docker's -e KEY: pass the caller's value, or nothing. */
	host = getenv (entry);
	return host ? xasprintf ("%s=%s", entry, host) : NULL;
}

void
env_apply (char ***env, const char *entry)
{
	_cleanup_free_ char *full = env_resolve (entry);

	if (full)
		env_set (env, full);
}

static void
push_resolved (struct strvb *b, const char *entry)
{
	char *full = env_resolve (entry);

	if (full)
		strvb_push (b, full);
}

int
spec_environment (const lxcshim_spec_t *s, struct read_cancel *cancel, char ***out, lxcshim_error_t *err)
{
	struct strvb env = { 0 };
	char **v;

	/* Everything in order, then one sort-based pass for "later wins":
	 * replacing in place would be quadratic in the number of variables. */
	strvb_push (&env, xstrdup ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	strvb_push (&env, xasprintf ("HOSTNAME=%s", s->hostname));
	strvb_push (&env, xstrdup ("container=lxc"));
	if (s->tty)
		strvb_push (&env, xstrdup ("TERM=xterm"));
	for (size_t i = 0; s->env_files && s->env_files[i]; i++) {
		_cleanup_free_ char *text = NULL;
		struct strvb entries = { 0 };
		size_t len;

		if (read_file_limited (s->env_files[i], LXCSHIM_FILE_MAX, cancel, &text, &len, err) < 0) {
			strvb_free (&env);
			/* A signal while we waited on it says nothing about the file. */
			return err && *err && (*err)->status == EINTR ? -1 : lxcshim_error_prefix (err, "invalid env-file");
		}
		if (parse_env_file (text, len, &entries, err) < 0) {
			strvb_free (&entries);
			strvb_free (&env);
			return lxcshim_error_prefix (err, "invalid env-file %s", s->env_files[i]);
		}
		for (size_t j = 0; j < entries.n; j++)
			push_resolved (&env, entries.v[j]);
		strvb_free (&entries);
	}
	for (size_t i = 0; i < s->env.n; i++)
		push_resolved (&env, s->env.v[i]);
	v = strvb_steal (&env);
	env_dedupe (v);
	*out = v;
	return 0;
}
