/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lxc-start argv and its printable shell form; the quoting is proven
 * by running the quoted text through /bin/sh. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "params.h"
#include "protocol.h"
#include "spec.h"
#include "util.h"

static void
check_strv (char *const *got, const char *const *want)
{
	size_t i;

	assert_non_null (got);
	for (i = 0; want[i]; i++) {
		if (got[i] == NULL)
			fail_msg ("argv ends at %zu, expected \"%s\"", i, want[i]);
		if (strcmp (got[i], want[i]) != 0)
			fail_msg ("argv[%zu] = \"%s\", expected \"%s\"", i, got[i], want[i]);
	}
	if (got[i] != NULL)
		fail_msg ("unexpected extra argv[%zu]: \"%s\"", i, got[i]);
}

/* Hostile arguments: each must come back from the shell byte for byte. */
static char *const hostile[] = {
	"plain",
	"",
	"two words",
	"it's",
	"'",
	"''",
	"\"double\"",
	"$HOME",
	"${HOME}",
	"$(id -u)",
	"`id -u`",
	"a;b",
	"a && b || c",
	"a|b",
	"x > /tmp/lxcshim-should-not-exist",
	"<in",
	"*",
	"/*",
	"?",
	"[a-z]",
	"{a,b}",
	"~",
	"~root",
	"!",
	"back\\slash",
	"\\",
	"trailing\\",
	"line1\nline2",
	"\n",
	"tab\there",
	"cr\rhere",
	"-n",
	"--",
	"%s%d",
	"a=b",
	"caf\xc3\xa9",
	"(paren)",
	"&",
	NULL,
};

/* ---- params_argv ----------------------------------------------------- */

static lxcshim_spec_t *
spec_of (const char *const *kv, char *const *command)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	for (size_t i = 0; kv && kv[i]; i += 2)
		if (lxcshim_spec_set (s, kv[i], kv[i + 1], &err) < 0)
			fail_msg ("spec_set %s=%s: %s", kv[i], kv[i + 1], err->msg);
	check_ok (lxcshim_spec_set_command (s, command, &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	return s;
}

static const struct params params_5 = {
	.lxc_start = "/usr/bin/lxc-start",
	.lxc_version = "5.0.2",
	.config_path = "/run/lxcshim/web/config",
	.lxcpath = "/var/lib/lxc",
	.shared_root = false,
};

static void
test_params_argv_full (void **state UNUSED)
{
	static const char *const kv[] = { "name", "web", "user", "alice:staff", "workdir", "/srv/app dir", NULL };
	char *command[] = { "sh", "-c", "echo \"$HOME\"; rm -rf / `id`", "--", "-x", "", NULL };
	lxcshim_spec_t *s = spec_of (kv, command);
	char **argv = params_argv (s, &params_5);

	check_strv (argv, (const char *const[]){ "/usr/bin/lxc-start", "-n", "web", "-f", "/run/lxcshim/web/config", "-P",
	                                         "/var/lib/lxc", "-F", "-q", "--", LXCSHIM_INIT_TARGET, "-u", "alice:staff",
	                                         "-w", "/srv/app dir", "--", "sh", "-c",
	                                         "echo \"$HOME\"; rm -rf / `id`", "--", "-x", "", NULL });
	assert_string_equal (LXCSHIM_INIT_TARGET, "/.lxcshim-init");
	strv_free (argv);
	lxcshim_spec_free (s);
}

static void
test_params_argv_minimal (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c1", NULL };
	char *command[] = { "--help", NULL };
	lxcshim_spec_t *s = spec_of (kv, command);
	struct params p = params_5;
	char **argv;

	/* lxc 1.0 has no -F. */
	p.lxc_version = "1.0.7";
	p.lxc_start = "lxc-start";
	p.config_path = "/c";
	p.lxcpath = "/p";
	argv = params_argv (s, &p);
	check_strv (argv, (const char *const[]){ "lxc-start", "-n", "c1", "-f", "/c", "-P", "/p", "-q", "--",
	                                         "/.lxcshim-init", "--", "--help", NULL });
	strv_free (argv);

	/* Unknown version: no -F either. */
	p.lxc_version = NULL;
	argv = params_argv (s, &p);
	check_strv (argv, (const char *const[]){ "lxc-start", "-n", "c1", "-f", "/c", "-P", "/p", "-q", "--",
	                                         "/.lxcshim-init", "--", "--help", NULL });
	strv_free (argv);

	/* Shared root does not change the argv itself. */
	p.lxc_version = "4.0.12";
	p.shared_root = true;
	argv = params_argv (s, &p);
	check_strv (argv, (const char *const[]){ "lxc-start", "-n", "c1", "-f", "/c", "-P", "/p", "-F", "-q", "--",
	                                         "/.lxcshim-init", "--", "--help", NULL });
	strv_free (argv);
	lxcshim_spec_free (s);
}

static void
test_params_argv_user_only (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c2", "user", "1000", NULL };
	char *command[] = { "id", NULL };
	lxcshim_spec_t *s = spec_of (kv, command);
	char **argv = params_argv (s, &params_5);

	check_strv (argv, (const char *const[]){ "/usr/bin/lxc-start", "-n", "c2", "-f", "/run/lxcshim/web/config", "-P",
	                                         "/var/lib/lxc", "-F", "-q", "--", "/.lxcshim-init", "-u", "1000", "--",
	                                         "id", NULL });
	strv_free (argv);
	lxcshim_spec_free (s);
}

static void
test_params_argv_hostile_command (void **state UNUSED)
{
	static const char *const kv[] = { "name", "c3", NULL };
	lxcshim_spec_t *s = spec_of (kv, hostile);
	char **argv = params_argv (s, &params_5);
	size_t n = strv_length (hostile);

	/* 12 fixed entries (the last one "--"), then the command untouched. */
	assert_int_equal (strv_length (argv), 12 + n);
	assert_string_equal (argv[9], "--");
	assert_string_equal (argv[10], "/.lxcshim-init");
	assert_string_equal (argv[11], "--");
	for (size_t i = 0; i < n; i++)
		assert_string_equal (argv[12 + i], hostile[i]);
	strv_free (argv);
	lxcshim_spec_free (s);
}

static void
test_needs_foreground (void **state UNUSED)
{
	assert_true (params_lxc_needs_foreground ("5.0.2"));
	assert_true (params_lxc_needs_foreground ("1.1"));
	assert_true (params_lxc_needs_foreground ("1.1.0.rc4"));
	assert_true (params_lxc_needs_foreground ("1.1.5"));
	assert_true (params_lxc_needs_foreground ("2"));
	assert_true (params_lxc_needs_foreground ("2.0.0"));
	assert_true (params_lxc_needs_foreground ("3.0.0~beta1"));
	assert_true (params_lxc_needs_foreground ("6.0.0"));
	assert_true (params_lxc_needs_foreground ("1.10"));
	assert_false (params_lxc_needs_foreground ("1.0.7"));
	assert_false (params_lxc_needs_foreground ("1.0"));
	assert_false (params_lxc_needs_foreground ("1"));
	assert_false (params_lxc_needs_foreground ("0.9.0"));
	assert_false (params_lxc_needs_foreground (""));
	assert_false (params_lxc_needs_foreground (NULL));
	assert_false (params_lxc_needs_foreground ("garbage"));
}

/* ---- shell quoting --------------------------------------------------- */

static void
quote_is (const char *in, const char *want)
{
	char *q = shell_quote (in);

	assert_non_null (q);
	if (strcmp (q, want) != 0)
		fail_msg ("shell_quote(\"%s\") = %s, expected %s", in, q, want);
	free (q);
}

static void
test_shell_quote (void **state UNUSED)
{
	quote_is ("word", "word");
	quote_is ("/usr/bin/lxc-start", "/usr/bin/lxc-start");
	quote_is ("-n", "-n");
	quote_is ("a=b,c:d.e+f@g%h", "a=b,c:d.e+f@g%h");
	quote_is ("", "''");
	quote_is ("two words", "'two words'");
	quote_is ("it's", "'it'\\''s'");
	quote_is ("'", "''\\'''");
	quote_is ("$HOME", "'$HOME'");
	quote_is ("`id`", "'`id`'");
	quote_is ("a\nb", "'a\nb'");
	quote_is ("*", "'*'");
	quote_is ("a;b", "'a;b'");
	quote_is ("back\\slash", "'back\\slash'");
	quote_is ("\"q\"", "'\"q\"'");
	quote_is ("tab\t", "'tab\t'");
	quote_is ("~", "'~'");
	quote_is ("!", "'!'");
	quote_is ("{a}", "'{a}'");
	quote_is ("[a]", "'[a]'");
	quote_is ("a|b", "'a|b'");
	quote_is ("a&b", "'a&b'");
	quote_is ("<>", "'<>'");
	quote_is ("(x)", "'(x)'");
	quote_is ("?", "'?'");
}

static void
test_shell_quote_argv (void **state UNUSED)
{
	char *argv[] = { "echo", "it's", "", "$x", "plain", NULL };
	char *one[] = { "only", NULL };
	char *empty[] = { NULL };
	char *q;

	q = shell_quote_argv (argv);
	assert_string_equal (q, "echo 'it'\\''s' '' '$x' plain");
	free (q);
	q = shell_quote_argv (one);
	assert_string_equal (q, "only");
	free (q);
	q = shell_quote_argv (empty);
	assert_string_equal (q, "");
	free (q);
	q = shell_quote_argv (NULL);
	assert_string_equal (q, "");
	free (q);
}

static void
test_params_printable (void **state UNUSED)
{
	char *argv[] = { "/usr/bin/lxc-start", "-n", "c1", "--", "sh", "-c", "echo 'hi' $HOME", NULL };
	char *plain = params_printable (argv, false);
	char *quoted = shell_quote_argv (argv);
	char *shared = params_printable (argv, true);
	char *script = xasprintf ("mount --make-rslave /; exec %s", quoted);
	char *qscript = shell_quote (script);
	char *want = xasprintf ("unshare -m --propagation unchanged -- /bin/sh -c %s", qscript);

	assert_string_equal (plain, quoted);
	assert_string_equal (plain, "/usr/bin/lxc-start -n c1 -- sh -c 'echo '\\''hi'\\'' $HOME'");
	assert_string_equal (shared, want);
	assert_string_equal (shared, "unshare -m --propagation unchanged -- /bin/sh -c "
	                             "'mount --make-rslave /; exec /usr/bin/lxc-start -n c1 -- sh -c "
	                             "'\\''echo '\\''\\'\\'''\\''hi'\\''\\'\\'''\\'' $HOME'\\'''");
	free (plain);
	free (quoted);
	free (shared);
	free (script);
	free (qscript);
	free (want);
}

/* ---- the shell round trip -------------------------------------------- */

/* Runs `printf '%s\0' WORDS` in /bin/sh and returns the words it saw. */
static char **
shell_words (const char *words)
{
	char *cmd = xasprintf ("printf '%%s\\0' %s", words);
	FILE *f = popen (cmd, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	char **out = xzalloc (sizeof (char *));
	int status;

	assert_non_null (f);
	while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
		buf_add (&b, chunk, n);
	status = pclose (f);
	if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
		fail_msg ("sh failed (status %d) on: %s", status, cmd);
	for (size_t i = 0; i < b.len;) {
		size_t len = strnlen (b.data + i, b.len - i);
		if (i + len == b.len)
			fail_msg ("output not NUL-terminated after \"%s\"", b.data + i);
		strv_append (&out, b.data + i);
		i += len + 1;
	}
	buf_free (&b);
	free (cmd);
	return out;
}

static void
check_round_trip (char *const *argv)
{
	char *quoted = shell_quote_argv (argv);
	char **back = shell_words (quoted);
	size_t n = strv_length (argv);

	if (strv_length (back) != n)
		fail_msg ("%zu words came back from the shell for %zu arguments: %s", strv_length (back), n, quoted);
	for (size_t i = 0; i < n; i++) {
		if (strlen (back[i]) != strlen (argv[i]) || memcmp (back[i], argv[i], strlen (argv[i])) != 0)
			fail_msg ("argument %zu \"%s\" came back as \"%s\" (quoted: %s)", i, argv[i], back[i], quoted);
	}
	strv_free (back);
	free (quoted);
}

static void
test_round_trip_hostile (void **state UNUSED)
{
	check_round_trip (hostile);
	/* Each one alone too (no help from neighbours). */
	for (size_t i = 0; hostile[i]; i++) {
		char *one[] = { hostile[i], NULL };
		check_round_trip (one);
	}
	/* The file a redirection would have created. */
	assert_int_equal (access ("/tmp/lxcshim-should-not-exist", F_OK), -1);
}

/* A word starting with '#' would start a comment. */
static void
test_round_trip_hash (void **state UNUSED)
{
	char *argv[] = { "#not-a-comment", "a#b", "#", NULL };

	check_round_trip (argv);
}

/* The shared-root form: sh sees unshare's argv, whose script is the plain
 * printable form; that script's words are the original argv again. */
static void
test_round_trip_shared_root (void **state UNUSED)
{
	char *argv[ARRAY_SIZE (hostile) + 3];
	char *printable, *plain, **outer, **inner;
	static const char prefix[] = "mount --make-rslave /; exec ";
	size_t n = 0;

	argv[n++] = "/usr/bin/lxc-start";
	argv[n++] = "--";
	for (size_t i = 0; hostile[i]; i++)
		argv[n++] = hostile[i];
	argv[n] = NULL;

	printable = params_printable (argv, true);
	plain = params_printable (argv, false);
	outer = shell_words (printable);
	check_strv (outer, (const char *const[]){ "unshare", "-m", "--propagation", "unchanged", "--", "/bin/sh", "-c",
	                                          outer[7] ? outer[7] : "(missing)", NULL });
	assert_int_equal (strncmp (outer[7], prefix, strlen (prefix)), 0);
	assert_string_equal (outer[7] + strlen (prefix), plain);

	inner = shell_words (outer[7] + strlen (prefix));
	assert_int_equal (strv_length (inner), n);
	for (size_t i = 0; i < n; i++)
		if (strcmp (inner[i], argv[i]) != 0)
			fail_msg ("argument %zu \"%s\" came back as \"%s\"", i, argv[i], inner[i]);

	strv_free (inner);
	strv_free (outer);
	free (plain);
	free (printable);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_params_argv_full),
		cmocka_unit_test (test_params_argv_minimal),
		cmocka_unit_test (test_params_argv_user_only),
		cmocka_unit_test (test_params_argv_hostile_command),
		cmocka_unit_test (test_needs_foreground),
		cmocka_unit_test (test_shell_quote),
		cmocka_unit_test (test_shell_quote_argv),
		cmocka_unit_test (test_params_printable),
		cmocka_unit_test (test_round_trip_hostile),
		cmocka_unit_test (test_round_trip_hash),
		cmocka_unit_test (test_round_trip_shared_root),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
