/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The template renderer, its helpers, and the real lxc.conf.tmpl rendered
 * from specs. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "spec.h"
#include "template.h"
#include "util.h"

/* ---- helpers --------------------------------------------------------- */

static json_object *
parse_json (const char *text)
{
	json_object *o = json_tokener_parse (text);

	if (o == NULL)
		fail_msg ("bad test JSON: %s", text);
	return o;
}

/* Renders TMPL with the view given as JSON text and compares exactly. */
static void
render_is (const char *tmpl, const char *view_json, const char *want)
{
	json_object *view = parse_json (view_json);
	lxcshim_error_t err = NULL;
	char *out = NULL;
	int rc = template_render (tmpl, view, &out, &err);

	if (rc != 0)
		fail_msg ("render of \"%s\" failed: %s", tmpl, err ? err->msg : "?");
	assert_non_null (out);
	if (strcmp (out, want) != 0)
		fail_msg ("template \"%s\" with %s rendered\n\"%s\"\nexpected\n\"%s\"", tmpl, view_json, out, want);
	free (out);
	json_object_put (view);
}

static void
render_fails (const char *tmpl, json_object *view, const char *needle)
{
	lxcshim_error_t err = NULL;
	char *out = NULL;
	int rc = template_render (tmpl, view, &out, &err);

	if (rc != -1)
		fail_msg ("render of \"%s\" succeeded: \"%s\"", tmpl, out ? out : "");
	assert_null (out);
	check_error (rc, &err, EINVAL, needle);
}

static void
render_fails_json (const char *tmpl, const char *view_json, const char *needle)
{
	json_object *view = parse_json (view_json);

	render_fails (tmpl, view, needle);
	json_object_put (view);
}

/* ---- template_render ------------------------------------------------- */

static void
test_render_substitution (void **state UNUSED)
{
	render_is ("a = {{x}}\n", "{\"x\": \"one\"}", "a = one\n");
	render_is ("{{x}}{{y}} and {{x}}\n", "{\"x\": \"1\", \"y\": \"2\"}", "12 and 1\n");
	render_is ("no keys here\n", "{}", "no keys here\n");
	render_is ("last line without newline = {{x}}", "{\"x\": \"v\"}", "last line without newline = v\n");
	render_is ("", "{}", "");
	render_is ("\n\nx\n", "{}", "\n\nx\n");
	/* Integers as decimal, true as "true". */
	render_is ("m = {{m}}\nn = {{n}}\nz = {{z}}\nt = {{t}}\n",
	           "{\"m\": 33554432, \"n\": 9007199254740993, \"z\": 0, \"t\": true}",
	           "m = 33554432\nn = 9007199254740993\nz = 0\nt = true\n");
	/* Nested objects by dotted name. */
	render_is ("v = {{o.k}}\n", "{\"o\": {\"k\": \"deep\"}}", "v = deep\n");
	/* A substituted value is not expanded again. */
	render_is ("v = {{x}}\n", "{\"x\": \"{{y}}\", \"y\": \"no\"}", "v = {{y}}\n");
	/* Spaces and UTF-8 pass through. */
	render_is ("v = {{x}}\n", "{\"x\": \"h\\u00e9llo w\\u00f6rld\"}", "v = h\xc3\xa9llo w\xc3\xb6rld\n");
}

static void
test_render_drops (void **state UNUSED)
{
	/* Missing, null and false drop the whole line; the others stay. */
	render_is ("a\nb = {{missing}}\nc\n", "{}", "a\nc\n");
	render_is ("a\nb = {{n}}\nc\n", "{\"n\": null}", "a\nc\n");
	render_is ("a\nb = {{f}}\nc\n", "{\"f\": false}", "a\nc\n");
	render_is ("a = {{x}} {{missing}}\n", "{\"x\": \"1\"}", "");
	render_is ("v = {{o.missing}}\nw = {{nothere.k}}\nx = {{s.k}}\n", "{\"o\": {}, \"s\": \"str\"}", "");
	/* An empty string is a value: the line stays. */
	render_is ("a = {{e}}.\n", "{\"e\": \"\"}", "a = .\n");
	/* 0 is a value too. */
	render_is ("a = {{z}}\n", "{\"z\": 0}", "a = 0\n");
}

static void
test_render_conditions (void **state UNUSED)
{
	static const char tmpl[] = "{{?k}}set\n{{^k}}unset\n";

	render_is (tmpl, "{\"k\": true}", "set\n");
	render_is (tmpl, "{\"k\": \"x\"}", "set\n");
	render_is (tmpl, "{\"k\": 0}", "set\n");
	render_is (tmpl, "{\"k\": {}}", "set\n");
	render_is (tmpl, "{\"k\": false}", "unset\n");
	render_is (tmpl, "{\"k\": null}", "unset\n");
	render_is (tmpl, "{\"k\": \"\"}", "unset\n");
	render_is (tmpl, "{}", "unset\n");
	/* Two conditions: both must hold. */
	render_is ("{{?a}}{{^b}}yes\n", "{\"a\": true, \"b\": false}", "yes\n");
	render_is ("{{?a}}{{^b}}yes\n", "{\"a\": true, \"b\": true}", "");
	render_is ("{{?a}}{{^b}}yes\n", "{\"a\": false, \"b\": false}", "");
	/* A condition with a substitution. */
	render_is ("{{?a}}v = {{x}}\n", "{\"a\": true, \"x\": \"1\"}", "v = 1\n");
	render_is ("{{?a}}v = {{x}}\n", "{\"a\": true}", "");
	/* Conditions on a nested key. */
	render_is ("{{?o.k}}yes\n", "{\"o\": {\"k\": true}}", "yes\n");
	render_is ("{{?o.k}}yes\n", "{\"o\": {\"k\": false}}", "");
}

/* The header: an empty list is unset, a non-empty one is set; a condition
 * keeps or drops the line once, whatever the list's length. */
static void
test_render_conditions_on_lists (void **state UNUSED)
{
	static const char tmpl[] = "{{?k}}set\n{{^k}}unset\n";

	render_is (tmpl, "{\"k\": []}", "unset\n");
	render_is (tmpl, "{\"k\": [\"a\"]}", "set\n");
	render_is (tmpl, "{\"k\": [\"a\", \"b\"]}", "set\n");
}

static void
test_render_lists (void **state UNUSED)
{
	/* A list of objects: one line per element. */
	render_is ("m = {{m.a}} {{m.b}}\n", "{\"m\": [{\"a\": \"1\", \"b\": \"x\"}, {\"a\": \"2\", \"b\": \"y\"}]}",
	           "m = 1 x\nm = 2 y\n");
	/* An element without a field drops only its own line. */
	render_is ("m = {{m.a}} {{m.b}}\n", "{\"m\": [{\"a\": \"1\"}, {\"a\": \"2\", \"b\": \"y\"}, {\"a\": 3, \"b\": false}]}",
	           "m = 2 y\n");
	/* A list of strings. */
	render_is ("lxc.cap.keep = {{caps}}\n", "{\"caps\": [\"chown\", \"kill\", \"net_raw\"]}",
	           "lxc.cap.keep = chown\nlxc.cap.keep = kill\nlxc.cap.keep = net_raw\n");
	/* An empty list: no line at all. */
	render_is ("before\nc = {{caps}}\nafter\n", "{\"caps\": []}", "before\nafter\n");
	/* A list line with a plain key and a condition. */
	render_is ("{{?on}}{{id}}: {{caps}}\n", "{\"on\": true, \"id\": \"c1\", \"caps\": [\"a\", \"b\"]}", "c1: a\nc1: b\n");
	render_is ("{{?on}}{{id}}: {{caps}}\n", "{\"on\": false, \"id\": \"c1\", \"caps\": [\"a\", \"b\"]}", "");
	/* The same list twice on a line is fine. */
	render_is ("{{m.a}}={{m.a}}\n", "{\"m\": [{\"a\": \"1\"}, {\"a\": \"2\"}]}", "1=1\n2=2\n");
	/* Surrounding lines are rendered once. */
	render_is ("head\n{{l}}\ntail {{x}}\n", "{\"l\": [\"a\", \"b\"], \"x\": \"1\"}", "head\na\nb\ntail 1\n");
}

/* A plain key whose name starts with the list's name is not the list. */
static void
test_render_list_name_prefix (void **state UNUSED)
{
	render_is ("{{m.a}} {{mem}}\n", "{\"m\": [{\"a\": \"1\"}, {\"a\": \"2\"}], \"mem\": \"x\"}", "1 x\n2 x\n");
	render_is ("{{caps}} {{caps_none}}\n", "{\"caps\": [\"a\"], \"caps_none\": \"z\"}", "a z\n");
}

static void
test_render_two_lists (void **state UNUSED)
{
	render_fails_json ("{{a}} {{b}}\n", "{\"a\": [\"1\"], \"b\": [\"2\"]}", "template line names two lists");
	render_fails_json ("{{a.x}} {{b.y}}\n", "{\"a\": [{\"x\": 1}], \"b\": [{\"y\": 2}]}", "two lists");
	/* Even when both are empty. */
	render_fails_json ("ok\n{{a}} {{b}}\n", "{\"a\": [], \"b\": []}", "two lists");
}

static void
test_render_comments (void **state UNUSED)
{
	render_is ("## dropped {{missing}}\nkept\n##\n# single hash kept\n", "{}", "kept\n# single hash kept\n");
	render_is ("## {{a}} {{b}} two lists in a comment\n", "{\"a\": [\"1\"], \"b\": [\"2\"]}", "");
	render_is ("## unterminated {{ in a comment\nx\n", "{}", "x\n");
	/* "##" only counts at the start of a line. */
	render_is (" ## x\nv ## {{k}}\n", "{\"k\": \"1\"}", " ## x\nv ## 1\n");
}

static void
test_render_unterminated (void **state UNUSED)
{
	render_fails_json ("a = {{x\n", "{\"x\": \"1\"}", "unterminated {{");
	render_fails_json ("ok\na = {{x}} {{y\n", "{\"x\": \"1\", \"y\": \"2\"}", "unterminated {{ in template line: a = {{x}} {{y");
	render_fails_json ("{{", "{}", "unterminated");
	render_fails_json ("}} {{x", "{}", "unterminated");
}

static void
test_render_refuses_line_breaks (void **state UNUSED)
{
	render_fails_json ("h = {{hostname}}\n", "{\"hostname\": \"a\\nlxc.cap.keep = sys_admin\"}", "hostname");
	render_fails_json ("h = {{hostname}}\n", "{\"hostname\": \"a\\nb\"}", "newline");
	render_fails_json ("r = {{rootfs}}\n", "{\"rootfs\": \"/a\\rb\"}", "invalid rootfs");
	render_fails_json ("m = {{m.src}}\n", "{\"m\": [{\"src\": \"/ok\"}, {\"src\": \"/a\\nb\"}]}", "m.src");
	render_fails_json ("c = {{caps}}\n", "{\"caps\": [\"ok\", \"bad\\r\"]}", "caps");
	render_fails_json ("v = {{o.k}}\n", "{\"o\": {\"k\": \"x\\ny\"}}", "o.k");
	/* A NUL inside a json string. */
	render_fails_json ("v = {{nul}}\n", "{\"nul\": \"a\\u0000b\"}", "nul");
}

/* ---- fstab_escape / template_env_json -------------------------------- */

static void
escape_is (const char *in, const char *want)
{
	char *out = fstab_escape (in);

	assert_non_null (out);
	assert_string_equal (out, want);
	free (out);
}

static void
test_fstab_escape (void **state UNUSED)
{
	escape_is ("", "");
	escape_is ("/plain/path", "/plain/path");
	escape_is ("/host dir", "/host\\040dir");
	escape_is ("a\tb", "a\\011b");
	escape_is ("a\\b", "a\\134b");
	escape_is ("a\nb", "a\\012b");
	escape_is ("\\040", "\\134040");
	escape_is ("  ", "\\040\\040");
	escape_is ("/caf\xc3\xa9 #1,ro", "/caf\xc3\xa9\\040#1,ro");
}

static void
test_env_json (void **state UNUSED)
{
	char *env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"SPACES=a b  c",
		"QUOTES=\"double\" 'single'",
		"DOLLAR=$HOME ${X} $(id) `id`",
		"NEWLINES=line1\nline2\r\n",
		"UTF8=h\xc3\xa9llo",
		"EQ=a=b=c",
		"EMPTY=",
		"BACKSLASH=a\\b\\\\",
		"TAB=\t",
		"KEYONLY",
		NULL,
	};
	char *text = template_env_json (env);
	json_object *arr;
	size_t n = 0;

	assert_non_null (text);
	/* Slashes are not escaped. */
	assert_null (strstr (text, "\\/"));
	assert_non_null (strstr (text, "\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\""));
	/* One line: newlines inside values are escaped. */
	assert_null (strchr (text, '\n'));
	assert_null (strchr (text, '\r'));

	arr = json_tokener_parse (text);
	assert_non_null (arr);
	assert_true (json_object_is_type (arr, json_type_array));
	while (env[n])
		n++;
	assert_int_equal (json_object_array_length (arr), n);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx (arr, i);
		assert_true (json_object_is_type (e, json_type_string));
		assert_int_equal (json_object_get_string_len (e), strlen (env[i]));
		assert_memory_equal (json_object_get_string (e), env[i], strlen (env[i]));
	}
	json_object_put (arr);
	free (text);

	text = template_env_json (NULL);
	assert_string_equal (text, "[]");
	free (text);
	{
		char *empty[] = { NULL };
		text = template_env_json (empty);
		assert_string_equal (text, "[]");
		free (text);
	}
	{
		char *one[] = { "A=/b", NULL };
		text = template_env_json (one);
		assert_string_equal (text, "[\"A=/b\"]");
		free (text);
	}
}

/* ---- the real template ----------------------------------------------- */

static char *template_text;
static char tmpdir[64];

static int
setup_template (void **state UNUSED)
{
	const char *path = getenv ("LXCSHIM_TEMPLATE");
	lxcshim_error_t err = NULL;

	if (path == NULL || *path == '\0')
		path = "../templates/lxc.conf.tmpl";
	if (read_file (path, &template_text, NULL, &err) < 0) {
		/* From the source tree's top directory as well. */
		lxcshim_error_release (&err);
		if (read_file ("templates/lxc.conf.tmpl", &template_text, NULL, &err) < 0) {
			fprintf (stderr, "cannot read the template (set LXCSHIM_TEMPLATE): %s\n", err->msg);
			lxcshim_error_release (&err);
			return -1;
		}
	}
	strcpy (tmpdir, "/tmp/lxcshim-test-tmpl-XXXXXX");
	if (mkdtemp (tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown_template (void **state UNUSED)
{
	lxcshim_error_t err = NULL;

	free (template_text);
	template_text = NULL;
	if (tmpdir[0] && rm_rf (tmpdir, &err) < 0)
		lxcshim_error_release (&err);
	return 0;
}

static const struct template_paths default_paths = {
	.init_source = "/usr/libexec/lxcshim/lxcshim-init",
	.env_source = "/run/lxcshim/c1/config.env",
	.log_file = "/run/lxcshim/c1/lxc.log",
	.log_level = "ERROR",
	.cgroup2_memory = false,
};

/* A spec from KEY, VALUE pairs (NULL-terminated), with a command. */
static lxcshim_spec_t *
make_spec (const char *const *kv)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;
	char *argv[] = { "sh", "-c", "echo hi", NULL };

	for (size_t i = 0; kv && kv[i]; i += 2) {
		if (lxcshim_spec_set (s, kv[i], kv[i + 1], &err) < 0)
			fail_msg ("spec_set %s=%s: %s", kv[i], kv[i + 1], err->msg);
	}
	check_ok (lxcshim_spec_set_command (s, argv, &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	return s;
}

static char *
render_spec (const char *const *kv, const struct template_paths *paths)
{
	lxcshim_spec_t *s = make_spec (kv);
	lxcshim_error_t err = NULL;
	json_object *view = NULL;
	char *out = NULL;

	check_ok (template_view (s, paths ? paths : &default_paths, &view, &err), &err);
	check_ok (template_render (template_text, view, &out, &err), &err);
	json_object_put (view);
	lxcshim_spec_free (s);
	return out;
}

/* How many lines of TEXT are exactly LINE. */
static int
count_line (const char *text, const char *line)
{
	size_t n = strlen (line);
	int count = 0;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr (p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen (p);
		if (len == n && strncmp (p, line, n) == 0)
			count++;
		p = nl ? nl + 1 : NULL;
	}
	return count;
}

/* A reset line: "key =" with no value (the template's list resets). */
static bool
is_reset (const char *p, size_t len)
{
	return len >= 2 && p[len - 1] == '=' && p[len - 2] == ' ';
}

/* How many lines start with PREFIX, resets aside. */
static int
count_prefix (const char *text, const char *prefix)
{
	size_t n = strlen (prefix);
	int count = 0;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr (p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen (p);
		if (strncmp (p, prefix, n) == 0 && !is_reset (p, len))
			count++;
		p = nl ? nl + 1 : NULL;
	}
	return count;
}

/* The lines of TEXT sharing LINE's "key = " part, for failure messages. */
static char *
similar_lines (const char *text, const char *line)
{
	const char *eq = strstr (line, " = ");
	size_t n = eq ? (size_t) (eq - line) + 3 : strlen (line);
	struct buf b = { 0 };

	for (const char *p = text; p && *p;) {
		const char *nl = strchr (p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen (p);
		if (strncmp (p, line, n) == 0) {
			buf_puts (&b, "  ");
			buf_add (&b, p, len);
			buf_puts (&b, "\n");
		}
		p = nl ? nl + 1 : NULL;
	}
	return buf_steal (&b);
}

static void
has_line (const char *text, const char *line)
{
	int n = count_line (text, line);

	if (n != 1) {
		char *similar = similar_lines (text, line);
		fail_msg ("line \"%s\" appears %d times; lines with that key:\n%s", line, n, similar);
	}
}

static void
lacks_prefix (const char *text, const char *prefix)
{
	int n = count_prefix (text, prefix);

	if (n != 0)
		fail_msg ("%d lines start with \"%s\" in:\n%s", n, prefix, text);
}

static void
test_real_template_basic (void **state UNUSED)
{
	char *vol = xasprintf ("%s/host dir", tmpdir);
	char *vol_arg = xasprintf ("%s:/data:ro", vol);
	char *file = xasprintf ("%s/a file", tmpdir);
	char *file_arg = xasprintf ("%s:/etc/app.conf", file);
	const char *kv[] = {
		"name", "c1", "rootfs", "/srv/rootfs", "hostname", "box1", "memory", "32m", "memory-swap", "64m",
		"cpu-shares", "512", "cpus", "1.5", "cpuset-cpus", "0-1,3", "pids-limit", "100",
		"volume", vol_arg, "volume", file_arg, "volume", "/nonexistent host dir:/x/y",
		"net", "none", NULL,
	};
	char *out, *want;
	int fd;
	static const char *const docker_caps_ordered[] = {
		"chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid",
		"setpcap", "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap",
	};

	assert_int_equal (mkdir (vol, 0755), 0);
	fd = open (file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true (fd >= 0);
	close (fd);

	out = render_spec (kv, NULL);

	has_line (out, "# lxc config of container c1, rendered by lxcshim.");
	has_line (out, "lxc.uts.name = box1");
	has_line (out, "lxc.rootfs.path = dir:/srv/rootfs");
	has_line (out, "lxc.console.path = none");
	has_line (out, "lxc.tty.max = 0");
	has_line (out, "lxc.pty.max = 1024");
	has_line (out, "lxc.autodev = 1");
	has_line (out, "lxc.mount.auto = proc:mixed sys:ro cgroup:ro");
	assert_int_equal (count_prefix (out, "lxc.mount.auto"), 1);
	has_line (out, "lxc.mount.entry = shm dev/shm tmpfs size=65536k,nosuid,nodev,noexec,create=dir 0 0");
	has_line (out, "lxc.mount.entry = /usr/libexec/lxcshim/lxcshim-init .lxcshim-init none bind,ro 0 0");
	has_line (out, "lxc.mount.entry = /run/lxcshim/c1/config.env .dockerenv none bind,ro 0 0");
	want = xasprintf ("lxc.mount.entry = %s/host\\040dir data none rbind,ro 0 0", tmpdir);
	has_line (out, want);
	free (want);
	want = xasprintf ("lxc.mount.entry = %s/a\\040file etc/app.conf none rbind,rw 0 0", tmpdir);
	has_line (out, want);
	free (want);
	has_line (out, "lxc.mount.entry = /nonexistent\\040host\\040dir x/y none rbind,rw 0 0");
	assert_int_equal (count_prefix (out, "lxc.mount.entry = "), 6);

	/* Devices (cgroup v1). */
	has_line (out, "lxc.cgroup.devices.deny = a");
	has_line (out, "lxc.cgroup.devices.allow = c *:* m");
	has_line (out, "lxc.cgroup.devices.allow = c 136:* rwm");
	has_line (out, "lxc.cgroup.devices.allow = c 10:200 rwm");
	assert_int_equal (count_prefix (out, "lxc.cgroup.devices.allow = "), 14);
	lacks_prefix (out, "lxc.cgroup2.");

	/* Network none. */
	has_line (out, "lxc.net.0.type = empty");
	has_line (out, "lxc.net.0.flags = up");
	assert_int_equal (count_prefix (out, "lxc.net."), 2);

	/* Limits (cgroup v1). */
	has_line (out, "lxc.cgroup.memory.limit_in_bytes = 33554432");
	has_line (out, "lxc.cgroup.memory.memsw.limit_in_bytes = 67108864");
	has_line (out, "lxc.cgroup.cpu.shares = 512");
	has_line (out, "lxc.cgroup.cpu.cfs_period_us = 100000");
	has_line (out, "lxc.cgroup.cpu.cfs_quota_us = 150000");
	has_line (out, "lxc.cgroup.cpuset.cpus = 0-1,3");
	has_line (out, "lxc.cgroup.pids.max = 100");

	/* Docker's 14 capabilities, in capability-number order, and no sys_boot. */
	assert_int_equal (count_prefix (out, "lxc.cap.keep = "), 14);
	{
		const char *p = out;
		for (size_t i = 0; i < ARRAY_SIZE (docker_caps_ordered); i++) {
			char *line = xasprintf ("\nlxc.cap.keep = %s\n", docker_caps_ordered[i]);
			const char *at = strstr (p, line);
			if (at == NULL)
				fail_msg ("%s missing or out of order", line + 1);
			p = at + 1;
			free (line);
		}
	}
	lacks_prefix (out, "lxc.cap.keep = sys_boot");
	lacks_prefix (out, "lxc.cap.keep = none");
	lacks_prefix (out, "lxc.cap.drop");

	has_line (out, "lxc.log.file = /run/lxcshim/c1/lxc.log");
	has_line (out, "lxc.log.level = ERROR");

	/* Nothing left unrendered, no template comments. */
	assert_null (strstr (out, "{{"));
	assert_null (strstr (out, "}}"));
	lacks_prefix (out, "##");

	free (out);
	free (vol);
	free (vol_arg);
	free (file);
	free (file_arg);
}

/* The exact text for a minimal spec: the template's whole output. */
static void
test_real_template_minimal_exact (void **state UNUSED)
{
	static const char *const kv[] = { "name", "min", "rootfs", "/r", NULL };
	char *out = render_spec (kv, NULL);
	struct buf want = { 0 };
	static const char *const devs[] = {
		"c *:* m",    "b *:* m",    "c 5:1 rwm", "c 4:0 rwm", "c 4:1 rwm", "c 136:* rwm", "c 5:2 rwm",
		"c 10:200 rwm", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:9 rwm", "c 1:8 rwm",
	};
	static const char *const caps[] = {
		"chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid",
		"setpcap", "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap",
	};
	/* Reset after the includes, before lxcshim's own lines (issue 8). */
	static const char *const resets[] = {
		"lxc.rootfs.options", "lxc.mount.auto", "lxc.cap.keep", "lxc.cap.drop", "lxc.net",
		"lxc.cgroup.devices.allow", "lxc.cgroup.devices.deny", "lxc.cgroup.memory.limit_in_bytes",
		"lxc.cgroup.memory.memsw.limit_in_bytes", "lxc.cgroup.cpu.shares", "lxc.cgroup.cpu.cfs_period_us",
		"lxc.cgroup.cpu.cfs_quota_us", "lxc.cgroup.cpuset.cpus", "lxc.cgroup.pids.max",
		"lxc.cgroup2.devices.allow", "lxc.cgroup2.devices.deny", "lxc.cgroup2.memory.max",
		"lxc.cgroup2.memory.swap.max", "lxc.cgroup2.cpu.weight", "lxc.cgroup2.cpu.max",
		"lxc.cgroup2.cpuset.cpus", "lxc.cgroup2.pids.max",
	};
	char *w;

	buf_puts (&want, "# lxc config of container min, rendered by lxcshim.\n");
	for (size_t i = 0; i < ARRAY_SIZE (resets); i++)
		buf_printf (&want, "%s =\n", resets[i]);
	buf_puts (&want, "\n"
	                 "lxc.uts.name = min\n"
	                 "lxc.rootfs.path = dir:/r\n"
	                 "\n"
	                 "lxc.console.path = none\n"
	                 "lxc.tty.max = 0\n"
	                 "lxc.pty.max = 1024\n"
	                 "lxc.autodev = 1\n"
	                 "lxc.mount.auto = proc:mixed sys:ro cgroup:ro\n"
	                 "lxc.mount.entry = shm dev/shm tmpfs size=65536k,nosuid,nodev,noexec,create=dir 0 0\n"
	                 "lxc.mount.entry = /usr/libexec/lxcshim/lxcshim-init .lxcshim-init none bind,ro 0 0\n"
	                 "lxc.mount.entry = /run/lxcshim/c1/config.env .dockerenv none bind,ro 0 0\n"
	                 "\n"
	                 "lxc.cgroup.devices.deny = a\n");
	for (size_t i = 0; i < ARRAY_SIZE (devs); i++)
		buf_printf (&want, "lxc.cgroup.devices.allow = %s\n", devs[i]);
	buf_puts (&want, "\n"
	                 "lxc.net.0.type = empty\n"
	                 "lxc.net.0.flags = up\n"
	                 "\n"
	                 "\n");
	for (size_t i = 0; i < ARRAY_SIZE (caps); i++)
		buf_printf (&want, "lxc.cap.keep = %s\n", caps[i]);
	buf_puts (&want, "\n"
	                 "lxc.log.file = /run/lxcshim/c1/lxc.log\n"
	                 "lxc.log.level = ERROR\n");
	w = buf_steal (&want);
	if (strcmp (out, w) != 0)
		fail_msg ("rendered:\n%s\nexpected:\n%s", out, w);
	free (w);
	free (out);
}

static void
test_real_template_net_host (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c2", "rootfs", "/r", "net", "host", NULL };
	char *out = render_spec (kv, NULL);

	has_line (out, "lxc.net.0.type = none");
	assert_int_equal (count_prefix (out, "lxc.net."), 1);
	/* No limits given: no limit lines. */
	lacks_prefix (out, "lxc.cgroup.memory");
	lacks_prefix (out, "lxc.cgroup.cpu");
	lacks_prefix (out, "lxc.cgroup.pids");
	free (out);
}

static void
test_real_template_privileged (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c3", "rootfs", "/r", "privileged", "true", "cap-drop", "ALL", NULL };
	char *out = render_spec (kv, NULL);

	has_line (out, "lxc.mount.auto = proc:rw sys:rw cgroup:rw");
	assert_int_equal (count_prefix (out, "lxc.mount.auto"), 1);
	lacks_prefix (out, "lxc.cap.keep");
	lacks_prefix (out, "lxc.cap.drop");
	lacks_prefix (out, "lxc.cgroup.devices");
	lacks_prefix (out, "lxc.cgroup2.devices");
	has_line (out, "lxc.uts.name = c3");
	free (out);
}

static void
test_real_template_caps (void **state UNUSED)
{
	static const char *const drop_all[] = { "name", "c4", "rootfs", "/r", "cap-drop", "ALL", NULL };
	static const char *const drop_all_add[] = { "name", "c4", "rootfs", "/r", "cap-drop", "ALL", "cap-add",
		                                    "NET_ADMIN", NULL };
	static const char *const add_all[] = { "name", "c4", "rootfs", "/r", "cap-add", "ALL", NULL };
	static const char *const add_admin[] = { "name", "c4", "rootfs", "/r", "cap-add", "cap_sys_admin", "cap-drop",
		                                 "kill", NULL };
	char *out;

	out = render_spec (drop_all, NULL);
	has_line (out, "lxc.cap.keep = none");
	assert_int_equal (count_prefix (out, "lxc.cap.keep"), 1);
	free (out);

	out = render_spec (drop_all_add, NULL);
	has_line (out, "lxc.cap.keep = net_admin");
	assert_int_equal (count_prefix (out, "lxc.cap.keep"), 1);
	free (out);

	out = render_spec (add_all, NULL);
	has_line (out, "lxc.cap.keep = sys_admin");
	has_line (out, "lxc.cap.keep = sys_module");
	has_line (out, "lxc.cap.keep = chown");
	lacks_prefix (out, "lxc.cap.keep = sys_boot");
	lacks_prefix (out, "lxc.cap.keep = none");
	assert_true (count_prefix (out, "lxc.cap.keep = ") >= 37);
	free (out);

	out = render_spec (add_admin, NULL);
	has_line (out, "lxc.cap.keep = sys_admin");
	lacks_prefix (out, "lxc.cap.keep = sys_boot");
	lacks_prefix (out, "lxc.cap.keep = kill");
	assert_int_equal (count_prefix (out, "lxc.cap.keep = "), 14);
	free (out);
	/* --cap-add sys_boot without --privileged: refused in caps.c (see
	 * test-parse.c), so the view is never made. */
}

static void
test_real_template_cgroup2 (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c5", "rootfs", "/r", "memory", "32m", "cpu-shares", "512",
		                          "cpus", "1.5", "cpuset-cpus", "2", "pids-limit", "64", NULL };
	struct template_paths p = default_paths;
	char *out;

	p.cgroup2_memory = true;
	out = render_spec (kv, &p);
	has_line (out, "lxc.cgroup2.memory.max = 33554432");
	has_line (out, "lxc.cgroup2.cpu.max = 150000 100000");
	has_line (out, "lxc.cgroup2.cpuset.cpus = 2");
	has_line (out, "lxc.cgroup2.pids.max = 64");
	has_line (out, "lxc.cgroup2.devices.deny = a");
	assert_int_equal (count_prefix (out, "lxc.cgroup2.devices.allow = "), 14);
	assert_int_equal (count_prefix (out, "lxc.cgroup2.cpu.weight = "), 1);
	/* No memory-swap given: no swap line. */
	lacks_prefix (out, "lxc.cgroup2.memory.swap.max");
	lacks_prefix (out, "lxc.cgroup.");
	free (out);
}

/* cgroup2's memory.swap.max is the swap alone, while --memory-swap is
 * memory plus swap (as lxc.cgroup.memory.memsw.limit_in_bytes on v1). */
static void
test_real_template_cgroup2_swap (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c6", "rootfs", "/r", "memory", "32m", "memory-swap", "64m", NULL };
	static const char *const unlimited[] = { "name", "c6", "rootfs", "/r", "memory", "32m", "memory-swap", "-1",
		                                 NULL };
	struct template_paths p = default_paths;
	char *out;

	p.cgroup2_memory = true;
	out = render_spec (kv, &p);
	has_line (out, "lxc.cgroup2.memory.max = 33554432");
	has_line (out, "lxc.cgroup2.memory.swap.max = 33554432");
	free (out);

	/* Unlimited swap is "max" on cgroup2; it refuses "-1". */
	out = render_spec (unlimited, &p);
	has_line (out, "lxc.cgroup2.memory.swap.max = max");
	free (out);

	/* v1 takes -1 for unlimited. */
	out = render_spec (unlimited, NULL);
	has_line (out, "lxc.cgroup.memory.memsw.limit_in_bytes = -1");
	free (out);
}

/* cgroup2's cpu.weight takes 1..10000, --cpu-shares 2..262144. */
static void
test_real_template_cgroup2_weight (void **state UNUSED)
{
	static const char *const shares[] = { "262144", "2", "1024" };
	struct template_paths p = default_paths;

	p.cgroup2_memory = true;
	for (size_t i = 0; i < ARRAY_SIZE (shares); i++) {
		const char *kv[] = { "name", "c7", "rootfs", "/r", "cpu-shares", shares[i], NULL };
		char *out = render_spec (kv, &p);
		const char *line = strstr (out, "\nlxc.cgroup2.cpu.weight = ");
		long w;

		assert_non_null (line);
		w = strtol (line + strlen ("\nlxc.cgroup2.cpu.weight = "), NULL, 10);
		if (w < 1 || w > 10000)
			fail_msg ("--cpu-shares %s renders cpu.weight %ld, outside 1..10000", shares[i], w);
		free (out);
	}
}

static void
test_real_template_log_paths (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c8", "rootfs", "/r", NULL };
	struct template_paths p = default_paths;
	char *out;

	p.log_file = "/var/log/lxcshim/c8.log";
	p.log_level = "DEBUG";
	p.init_source = "/opt/lxc shim/init";
	p.env_source = "/run/a\\b/config.env";
	out = render_spec (kv, &p);
	has_line (out, "lxc.log.file = /var/log/lxcshim/c8.log");
	has_line (out, "lxc.log.level = DEBUG");
	has_line (out, "lxc.mount.entry = /opt/lxc\\040shim/init .lxcshim-init none bind,ro 0 0");
	has_line (out, "lxc.mount.entry = /run/a\\134b/config.env .dockerenv none bind,ro 0 0");
	free (out);

	/* No log file: no line for it. */
	p = default_paths;
	p.log_file = NULL;
	out = render_spec (kv, &p);
	lacks_prefix (out, "lxc.log.file");
	has_line (out, "lxc.log.level = ERROR");
	free (out);
}

static void
test_real_template_injection (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c9", "rootfs", "/r", NULL };
	lxcshim_spec_t *s = make_spec (kv);
	struct template_paths p = default_paths;
	lxcshim_error_t err = NULL;
	json_object *view = NULL;
	char *out = NULL;

	/* Values that reach the config are refused by spec_set. */
	check_error (lxcshim_spec_set (s, "hostname", "h\nlxc.cap.keep = sys_admin", &err), &err, EINVAL, "hostname");
	check_error (lxcshim_spec_set (s, "rootfs", "/r\nlxc.mount.auto = sys:rw", &err), &err, EINVAL, "rootfs");
	check_error (lxcshim_spec_set (s, "volume", "/a:/b\nlxc.cap.keep = sys_admin", &err), &err, EINVAL, "volume");
	check_error (lxcshim_spec_set (s, "volume", "/a\r:/b", &err), &err, EINVAL, "volume");
	assert_string_equal (s->hostname, "c9");
	assert_string_equal (s->rootfs, "/r");
	assert_int_equal (s->n_volumes, 0);

	/* A log file with a newline: template_render refuses it. */
	p.log_file = "/tmp/x.log\nlxc.cap.keep = sys_admin";
	check_ok (template_view (s, &p, &view, &err), &err);
	check_error (template_render (template_text, view, &out, &err), &err, EINVAL, "log_file");
	assert_null (out);
	json_object_put (view);

	p = default_paths;
	p.log_level = "ERROR\rX";
	check_ok (template_view (s, &p, &view, &err), &err);
	check_error (template_render (template_text, view, &out, &err), &err, EINVAL, "log_level");
	json_object_put (view);

	/* Mount sources are fstab-escaped, so a newline cannot break out. */
	p = default_paths;
	p.init_source = "/a\nlxc.cap.keep = sys_admin";
	check_ok (template_view (s, &p, &view, &err), &err);
	check_ok (template_render (template_text, view, &out, &err), &err);
	has_line (out, "lxc.mount.entry = /a\\012lxc.cap.keep\\040=\\040sys_admin .lxcshim-init none bind,ro 0 0");
	lacks_prefix (out, "lxc.cap.keep = sys_admin");
	free (out);
	json_object_put (view);

	lxcshim_spec_free (s);
}

/* Issue 8: the overlay rootfs, mount points without create= (but in LXC's
 * own /dev tmpfs), and the resets between the includes and lxcshim's lines. */
static void
test_real_template_rootfs_safety (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c1", "rootfs", "/srv/r", "lxc-include", "/etc/lxc/site.conf",
		                          "volume", "/nonexistent a:/dev/snd", "volume", "/nonexistent b:/dev/snd/x",
		                          "volume", "/nonexistent c:/devx", NULL };
	struct template_paths paths = default_paths;
	const char *inc, *reset, *own;
	char *out;

	paths.rootfs_upper = "/run/lxcshim/containers/c1/overlay/upper";
	out = render_spec (kv, &paths);
	has_line (out, "lxc.rootfs.path = overlay:/srv/r:/run/lxcshim/containers/c1/overlay/upper");
	assert_int_equal (count_prefix (out, "lxc.rootfs.path"), 1);
	/* In LXC's /dev tmpfs LXC makes the mount point; nested in another
	 * volume or elsewhere, lxcshim does. */
	has_line (out, "lxc.mount.entry = /nonexistent\\040a dev/snd none rbind,rw,create=dir 0 0");
	has_line (out, "lxc.mount.entry = /nonexistent\\040b dev/snd/x none rbind,rw 0 0");
	has_line (out, "lxc.mount.entry = /nonexistent\\040c devx none rbind,rw 0 0");
	inc = strstr (out, "lxc.include = /etc/lxc/site.conf\n");
	reset = strstr (out, "lxc.cap.keep =\n");
	own = strstr (out, "lxc.cap.keep = chown\n");
	assert_non_null (inc);
	assert_non_null (reset);
	assert_non_null (own);
	assert_true (inc < reset && reset < own);
	assert_true (strstr (out, "lxc.mount.auto =\n") < strstr (out, "lxc.mount.auto = proc"));
	assert_true (strstr (out, "lxc.net =\n") < strstr (out, "lxc.net.0.type"));
	assert_true (strstr (out, "lxc.cgroup.devices.deny =\n") < strstr (out, "lxc.cgroup.devices.deny = a"));
	free (out);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_render_substitution),
		cmocka_unit_test (test_render_drops),
		cmocka_unit_test (test_render_conditions),
		cmocka_unit_test (test_render_conditions_on_lists),
		cmocka_unit_test (test_render_lists),
		cmocka_unit_test (test_render_list_name_prefix),
		cmocka_unit_test (test_render_two_lists),
		cmocka_unit_test (test_render_comments),
		cmocka_unit_test (test_render_unterminated),
		cmocka_unit_test (test_render_refuses_line_breaks),
		cmocka_unit_test (test_fstab_escape),
		cmocka_unit_test (test_env_json),
		cmocka_unit_test (test_real_template_basic),
		cmocka_unit_test (test_real_template_minimal_exact),
		cmocka_unit_test (test_real_template_net_host),
		cmocka_unit_test (test_real_template_privileged),
		cmocka_unit_test (test_real_template_caps),
		cmocka_unit_test (test_real_template_cgroup2),
		cmocka_unit_test (test_real_template_cgroup2_swap),
		cmocka_unit_test (test_real_template_cgroup2_weight),
		cmocka_unit_test (test_real_template_log_paths),
		cmocka_unit_test (test_real_template_injection),
		cmocka_unit_test (test_real_template_rootfs_safety),
	};
	return cmocka_run_group_tests (tests, setup_template, teardown_template);
}
