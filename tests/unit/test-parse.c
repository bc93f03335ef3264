/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure parsers of src/parse.c, plus the other pure helpers that read
 * kernel or user text: caps, oom, cgroup, and the spec's own checks. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "oom.h"
#include "parse.h"
#include "spec.h"
#include "util.h"

/* ---- helpers --------------------------------------------------------- */

static void
check_strv (char *const *got, const char *const *want)
{
	size_t i;

	assert_non_null (got);
	for (i = 0; want[i]; i++) {
		if (got[i] == NULL)
			fail_msg ("vector ends at %zu, expected \"%s\"", i, want[i]);
		assert_string_equal (got[i], want[i]);
	}
	if (got[i] != NULL)
		fail_msg ("unexpected extra entry %zu: \"%s\"", i, got[i]);
}

/* ---- parse_id -------------------------------------------------------- */

static void
test_parse_id_valid (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char id64[LXCSHIM_ID_MAX + 1];

	check_ok (parse_id ("a", &err), &err);
	check_ok (parse_id ("web1", &err), &err);
	check_ok (parse_id ("0abc", &err), &err);
	check_ok (parse_id ("My_container.v2-b", &err), &err);
	check_ok (parse_id ("a..b", &err), &err);

	memset (id64, 'x', 64);
	id64[64] = '\0';
	check_ok (parse_id (id64, &err), &err);
}

static void
test_parse_id_invalid (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char id65[LXCSHIM_ID_MAX + 2];
	static const char *const bad[] = {
		"-a", ".a", "_a", "a/b", "/a", "..", ".", "a b", " a", "a ", "caf\xc3\xa9", "\xc3\xa9t\xc3\xa9",
		"a\nb", "a\n", "a\tb", "a:b", "a;b", "a$b", NULL,
	};

	check_error (parse_id ("", &err), &err, EINVAL, "must not be empty");
	check_error (parse_id (NULL, &err), &err, EINVAL, "must not be empty");

	memset (id65, 'x', 65);
	id65[65] = '\0';
	check_error (parse_id (id65, &err), &err, EINVAL, "longer than 64 characters");

	for (size_t i = 0; bad[i]; i++) {
		int rc = parse_id (bad[i], &err);
		if (rc != -1)
			fail_msg ("parse_id accepted \"%s\"", bad[i]);
		check_error (rc, &err, EINVAL, "only [A-Za-z0-9][A-Za-z0-9_.-]* is allowed");
	}
	/* The message names the offending id. */
	assert_int_equal (parse_id ("a b", &err), -1);
	assert_non_null (strstr (err->msg, "\"a b\""));
	lxcshim_error_release (&err);
}

/* ---- parse_size / parse_uint ----------------------------------------- */

static void
size_is (const char *s, int64_t want)
{
	lxcshim_error_t err = NULL;
	int64_t v = -12345;

	if (parse_size ("memory", s, &v, &err) != 0)
		fail_msg ("parse_size \"%s\" failed: %s", s, err ? err->msg : "?");
	assert_null (err);
	if (v != want)
		fail_msg ("parse_size \"%s\" = %lld, expected %lld", s, (long long) v, (long long) want);
}

static void
size_bad (const char *s)
{
	lxcshim_error_t err = NULL;
	int64_t v = -12345;
	int rc = parse_size ("memory", s, &v, &err);

	if (rc != -1)
		fail_msg ("parse_size accepted \"%s\" as %lld", s ? s : "(null)", (long long) v);
	assert_int_equal (v, -12345);
	check_error (rc, &err, EINVAL, "invalid memory \"");
}

static void
test_parse_size (void **state UNUSED)
{
	size_is ("0", 0);
	size_is ("1", 1);
	size_is ("1024", 1024);
	size_is ("1b", 1);
	size_is ("1B", 1);
	size_is ("1k", 1024);
	size_is ("1K", 1024);
	size_is ("1kb", 1024);
	size_is ("1KB", 1024);
	size_is ("32m", 33554432);
	size_is ("32M", 33554432);
	size_is ("32mb", 33554432);
	size_is ("32mB", 33554432);
	size_is ("2g", 2147483648LL);
	size_is ("2G", 2147483648LL);
	size_is ("2gb", 2147483648LL);
	size_is ("1t", 1099511627776LL);
	size_is ("1tb", 1099511627776LL);
	size_is ("9223372036854775807", INT64_MAX);
	size_is ("8388607t", 8388607LL << 40);

	size_bad ("");
	size_bad (NULL);
	size_bad ("-1");
	size_bad ("+1");
	size_bad (" 1");
	size_bad ("1 ");
	size_bad ("12x");
	size_bad ("12kx");
	size_bad ("12mbb");
	size_bad ("12bb");
	size_bad ("m");
	size_bad ("1.5m");
	size_bad ("9223372036854775808");  /* INT64_MAX + 1 */
	size_bad ("99999999999999999999"); /* > UINT64_MAX */
	size_bad ("8388608t");             /* 2^63 */
	size_bad ("9007199254740992k");    /* 2^53 * 2^10 = 2^63 */
	size_bad ("17179869184g");         /* 2^34 * 2^30 = 2^64 */
}

static void
test_parse_uint (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	uint64_t v = 77;

	check_ok (parse_uint ("n", "0", 10, &v, &err), &err);
	assert_int_equal (v, 0);
	check_ok (parse_uint ("n", "10", 10, &v, &err), &err);
	assert_int_equal (v, 10);
	check_ok (parse_uint ("n", "007", 10, &v, &err), &err);
	assert_int_equal (v, 7);
	check_ok (parse_uint ("n", "18446744073709551615", UINT64_MAX, &v, &err), &err);
	assert_true (v == UINT64_MAX);

	v = 77;
	check_error (parse_uint ("pids-limit", "11", 10, &v, &err), &err, EINVAL,
	             "invalid pids-limit \"11\": expected a whole number from 0 to 10");
	check_error (parse_uint ("n", "18446744073709551616", UINT64_MAX, &v, &err), &err, EINVAL, "\"18446744073709551616\"");
	check_error (parse_uint ("n", "-1", 10, &v, &err), &err, EINVAL, "\"-1\"");
	check_error (parse_uint ("n", "", 10, &v, &err), &err, EINVAL, "\"\"");
	check_error (parse_uint ("n", NULL, 10, &v, &err), &err, EINVAL, "\"\"");
	check_error (parse_uint ("n", " 1", 10, &v, &err), &err, EINVAL, NULL);
	check_error (parse_uint ("n", "+1", 10, &v, &err), &err, EINVAL, NULL);
	check_error (parse_uint ("n", "1a", 10, &v, &err), &err, EINVAL, NULL);
	check_error (parse_uint ("n", "0x1", 10, &v, &err), &err, EINVAL, NULL);
	assert_int_equal (v, 77);
}

/* ---- parse_cpus / parse_cpuset --------------------------------------- */

static void
cpus_is (const char *s, uint64_t want)
{
	lxcshim_error_t err = NULL;
	uint64_t v = 0;

	if (parse_cpus (s, &v, &err) != 0)
		fail_msg ("parse_cpus \"%s\" failed: %s", s, err ? err->msg : "?");
	if (v != want)
		fail_msg ("parse_cpus \"%s\" = %llu, expected %llu", s, (unsigned long long) v, (unsigned long long) want);
}

static void
cpus_bad (const char *s)
{
	lxcshim_error_t err = NULL;
	uint64_t v = 4242;
	int rc = parse_cpus (s, &v, &err);

	if (rc != -1)
		fail_msg ("parse_cpus accepted \"%s\" as %llu", s ? s : "(null)", (unsigned long long) v);
	assert_int_equal (v, 4242);
	check_error (rc, &err, EINVAL, "invalid --cpus \"");
}

static void
test_parse_cpus (void **state UNUSED)
{
	cpus_is ("1", 1000);
	cpus_is ("1.5", 1500);
	cpus_is ("0.001", 1);
	cpus_is ("0.5", 500);
	cpus_is ("2.25", 2250);
	cpus_is ("16", 16000);
	cpus_is ("1.000", 1000);
	cpus_is ("1000000", 1000000000ULL);

	cpus_bad ("0");
	cpus_bad ("0.0");
	cpus_bad ("0.000");
	cpus_bad ("0.0001");
	cpus_bad ("1.2345");
	cpus_bad ("1.");
	cpus_bad (".5");
	cpus_bad ("abc");
	cpus_bad ("");
	cpus_bad (NULL);
	cpus_bad ("-1");
	cpus_bad ("1.5 ");
	cpus_bad ("1,5");
	cpus_bad ("1e3");
	cpus_bad ("1000001");
	cpus_bad ("99999999999999999999999");
}

static void
cpuset_ok (const char *s)
{
	lxcshim_error_t err = NULL;
	int rc = parse_cpuset (s, &err);

	if (rc != 0)
		fail_msg ("parse_cpuset \"%s\" failed: %s", s, err ? err->msg : "?");
}

static void
cpuset_bad (const char *s)
{
	lxcshim_error_t err = NULL;
	int rc = parse_cpuset (s, &err);

	if (rc != -1)
		fail_msg ("parse_cpuset accepted \"%s\"", s ? s : "(null)");
	check_error (rc, &err, EINVAL, "invalid cpu list \"");
}

static void
test_parse_cpuset (void **state UNUSED)
{
	cpuset_ok ("0");
	cpuset_ok ("0-3");
	cpuset_ok ("0,2-3");
	cpuset_ok ("0-2,4,7-8");
	cpuset_ok ("3-3");
	cpuset_ok ("8191");

	cpuset_bad ("");
	cpuset_bad (NULL);
	cpuset_bad ("3-1");
	cpuset_bad ("0-3,2");
	cpuset_bad ("0-3,3-4");
	cpuset_bad ("2,1");
	cpuset_bad ("1,1");
	cpuset_bad ("0,");
	cpuset_bad (",0");
	cpuset_bad ("0-");
	cpuset_bad ("-1");
	cpuset_bad ("a");
	cpuset_bad ("0 ,1");
	cpuset_bad ("0-3 ");
	cpuset_bad ("8192");
	cpuset_bad ("0-8192");
	cpuset_bad ("99999999999999999999999");
}

/* ---- env ------------------------------------------------------------- */

static void
test_parse_env_entry (void **state UNUSED)
{
	lxcshim_error_t err = NULL;

	check_ok (parse_env_entry ("A=1", &err), &err);
	check_ok (parse_env_entry ("A=", &err), &err);
	check_ok (parse_env_entry ("A==b", &err), &err);
	check_ok (parse_env_entry ("KEY", &err), &err);

	check_error (parse_env_entry ("=x", &err), &err, EINVAL, "invalid environment entry \"=x\"");
	check_error (parse_env_entry ("=", &err), &err, EINVAL, "\"=\"");
	check_error (parse_env_entry ("", &err), &err, EINVAL, "expected KEY=VALUE");
	check_error (parse_env_entry (NULL, &err), &err, EINVAL, "expected KEY=VALUE");
}

static void
test_parse_env_file (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	struct strvb out = { 0 };
	static const char text[] = "# a comment\n"
	                           "\n"
	                           "A=1\n"
	                           "   \n"
	                           "B=2\r\n"
	                           "\r\n"
	                           "  C=with spaces  \n"
	                           "\tD=tab\n"
	                           "   # indented comment\n"
	                           "E=a=b=c\n"
	                           "KEY\n"
	                           "F=\n"
	                           "G=#not a comment\n"
	                           "T=a\tb\n"
	                           "U=\xc3\xa9t\xc3\xa9\n"
	                           "LAST=no newline";
	static const char *const want[] = {
		"A=1", "B=2", "C=with spaces  ", "D=tab", "E=a=b=c", "KEY", "F=", "G=#not a comment",
		"T=a\tb", "U=\xc3\xa9t\xc3\xa9", "LAST=no newline", NULL,
	};

	check_ok (parse_env_file (text, strlen (text), &out, &err), &err);
	check_strv (out.v, want);
	assert_int_equal (out.n, 11);
	strvb_free (&out);

	/* It appends to what is already there. */
	strvb_push (&out, xstrdup ("FIRST=1"));
	check_ok (parse_env_file ("SECOND=2\n", 9, &out, &err), &err);
	check_strv (out.v, (const char *const[]){ "FIRST=1", "SECOND=2", NULL });
	strvb_free (&out);

	/* Nothing but comments: nothing appended. */
	check_ok (parse_env_file ("# only\n\n  \n", 10, &out, &err), &err);
	assert_int_equal (out.n, 0);
	strvb_free (&out);
	check_ok (parse_env_file ("", 0, &out, &err), &err);
	assert_int_equal (out.n, 0);

	check_error (parse_env_file ("A=1\n=x\n", 7, &out, &err), &err, EINVAL, "line 2: invalid environment entry \"=x\"");
	strvb_free (&out);
	check_error (parse_env_file ("  =x\n", 5, &out, &err), &err, EINVAL, "\"=x\"");
	strvb_free (&out);
}

/* A NUL used to end the text early, silently; binary files were taken. */
static void
test_parse_env_file_binary (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	struct strvb out = { 0 };
	static const char nul[] = "A=1\nB=2\0C=3\nD=4\n";
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0";
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

	check_error (parse_env_file (nul, sizeof nul - 1, &out, &err), &err, EINVAL, "line 2: it contains a NUL byte");
	strvb_free (&out);
	/* A NUL as the very last byte is still in the file. */
	check_error (parse_env_file ("A=1\0", 4, &out, &err), &err, EINVAL, "line 1: it contains a NUL byte");
	strvb_free (&out);
	check_error (parse_env_file (elf, sizeof elf - 1, &out, &err), &err, EINVAL, "line 1: it contains the control character \\x7f");
	strvb_free (&out);
	check_error (parse_env_file (png, sizeof png - 1, &out, &err), &err, EINVAL, "line 2: it contains the control character \\x1a");
	strvb_free (&out);
	check_error (parse_env_file ("A=1\nB=x\ry\n", 10, &out, &err), &err, EINVAL, "line 2: it contains the control character \\x0d");
	strvb_free (&out);
	check_error (parse_env_file ("A=\x1b[1m\n", 8, &out, &err), &err, EINVAL, "line 1:");
	strvb_free (&out);
}

/* ---- exec size limits --------------------------------------------------- */

static void
test_exec_args_limit (void **state UNUSED)
{
	assert_int_equal (exec_args_limit (8 << 20), 2 << 20);
	assert_int_equal (exec_args_limit (UINT64_MAX), 6 << 20);
	assert_int_equal (exec_args_limit (64 << 20), 6 << 20);
	assert_int_equal (exec_args_limit (64 * 1024), 128 * 1024);
	assert_int_equal (exec_args_limit (0), 128 * 1024);
}

static void
test_check_exec_size (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char *argv[] = { "sh", "-c", "true", NULL };
	char **env = xzalloc (sizeof (char *));
	char *big = xmalloc (LXCSHIM_ARG_STRLEN_MAX + 8);
	char *bigv[] = { "echo", big, NULL };
	char *env1[] = { big, NULL };
	size_t used;

	check_ok (check_exec_size (argv, env, 128 * 1024, 0, &err), &err);
	check_ok (check_exec_size (argv, NULL, 128 * 1024, 0, &err), &err);

	/* One string: up to MAX_ARG_STRLEN with its NUL. */
	memset (big, 'x', LXCSHIM_ARG_STRLEN_MAX - 1);
	big[LXCSHIM_ARG_STRLEN_MAX - 1] = '\0';
	check_ok (check_exec_size (bigv, NULL, 6 << 20, 0, &err), &err);
	big[LXCSHIM_ARG_STRLEN_MAX - 1] = 'x';
	big[LXCSHIM_ARG_STRLEN_MAX] = '\0';
	check_error (check_exec_size (bigv, NULL, 6 << 20, 0, &err), &err, E2BIG, "command argument \"xxxx");
	memcpy (big, "LONGKEY=", 8);
	check_error (check_exec_size (argv, env1, 6 << 20, 0, &err), &err, E2BIG,
	             "environment variable \"LONGKEY\" is 131072 bytes: the kernel takes at most 131071");

	/* The total: strings with their NULs, plus a pointer each (and argv's
	 * and envp's NULL-less count as the kernel has it). */
	for (int i = 0; i < 1000; i++)
		strv_push (&env, xasprintf ("K%04d=v", i));
	used = (3 + 5 + 3) + 1000 * 8 + (3 + 1000) * sizeof (char *);
	check_ok (check_exec_size (argv, env, used, 0, &err), &err);
	check_error (check_exec_size (argv, env, used - 1, 0, &err), &err, E2BIG,
	             "the command and its 1000 environment variables take");
	check_error (check_exec_size (argv, env, used + 99, 100, &err), &err, E2BIG, "more than the");
	check_ok (check_exec_size (argv, env, used + 100, 100, &err), &err);
	strv_free (env);
	free (big);
}

/* ---- env_dedupe ---------------------------------------------------------- */

static void
test_env_dedupe (void **state UNUSED)
{
	char **env = NULL;
	static const char *const in[] = { "A=1", "B=1", "A=2", "AB=1", "C", "B=2", "A=3", "C=x", "D=", NULL };

	for (size_t i = 0; in[i]; i++)
		strv_append (&env, in[i]);
	env_dedupe (env);
	/* First place, last value. */
	check_strv (env, (const char *const[]){ "A=3", "B=2", "AB=1", "C=x", "D=", NULL });
	strv_free (env);

	env = NULL;
	env_dedupe (env);
	env = xzalloc (sizeof (char *));
	env_dedupe (env);
	assert_null (env[0]);
	strv_append (&env, "X=1");
	env_dedupe (env);
	check_strv (env, (const char *const[]){ "X=1", NULL });
	strv_free (env);
}

/* 100k variables, all distinct and then all the same key: linear-ish, and
 * right (a quadratic version took seconds here). */
static void
test_env_dedupe_large (void **state UNUSED)
{
	enum { N = 100000 };
	struct strvb b = { 0 };
	char **env;

	for (int i = 0; i < N; i++)
		strvb_push (&b, xasprintf ("V%06d=%d", N - 1 - i, i));
	for (int i = 0; i < N; i++)
		strvb_push (&b, xasprintf ("SAME=%d", i));
	env = strvb_steal (&b);
	env_dedupe (env);
	assert_int_equal (strv_length (env), N + 1);
	assert_string_equal (env[0], "V099999=0");
	assert_string_equal (env[N - 1], "V000000=99999");
	assert_string_equal (env[N], "SAME=99999");
	strv_free (env);
}

/* ---- cpu, cpuset and pids bounds ----------------------------------------- */

static void
test_parse_cpu_quota (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	uint64_t m = 0;

	check_ok (parse_cpu_quota ("0.01", &m, &err), &err);
	assert_int_equal (m, 10);
	check_ok (parse_cpu_quota ("1.5", &m, &err), &err);
	assert_int_equal (m, 1500);
	check_error (parse_cpu_quota ("0.001", &m, &err), &err, EINVAL,
	             "invalid --cpus \"0.001\": the minimum is 0.01: the kernel refuses a CFS quota under 1 ms");
	check_error (parse_cpu_quota ("0.009", &m, &err), &err, EINVAL, "the minimum is 0.01");
	check_error (parse_cpu_quota ("0", &m, &err), &err, EINVAL, "expected a positive number");
	check_error (parse_cpu_quota ("x", &m, &err), &err, EINVAL, "expected a positive number");
	assert_int_equal (m, 1500);
}

static void
test_parse_pids_limit (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	int64_t n = 7;

	check_ok (parse_pids_limit ("-1", &n, &err), &err);
	assert_int_equal (n, 0);
	check_ok (parse_pids_limit ("0", &n, &err), &err);
	assert_int_equal (n, 0);
	check_ok (parse_pids_limit ("1", &n, &err), &err);
	assert_int_equal (n, 1);
	check_ok (parse_pids_limit ("4194304", &n, &err), &err);
	assert_int_equal (n, 4194304);
	check_error (parse_pids_limit ("4194305", &n, &err), &err, EINVAL,
	             "invalid pids-limit \"4194305\": expected 1 to 4194304 (the kernel's PID_MAX_LIMIT), or -1");
	check_error (parse_pids_limit ("2147483647", &n, &err), &err, EINVAL, "PID_MAX_LIMIT");
	check_error (parse_pids_limit ("99999999999999999999999", &n, &err), &err, EINVAL, "PID_MAX_LIMIT");
	check_error (parse_pids_limit ("-2", &n, &err), &err, EINVAL, "PID_MAX_LIMIT");
	check_error (parse_pids_limit ("", &n, &err), &err, EINVAL, "PID_MAX_LIMIT");
	assert_int_equal (n, 4194304);
}

static void
test_cpuset_check_online (void **state UNUSED)
{
	lxcshim_error_t err = NULL;

	check_ok (cpuset_check_online ("0-1", "0-1\n", &err), &err);
	check_ok (cpuset_check_online ("1", "0-1\n", &err), &err);
	check_ok (cpuset_check_online ("0,2-3", "0-3,5\n", &err), &err);
	check_ok (cpuset_check_online ("5", "0-3,5\n", &err), &err);
	check_error (cpuset_check_online ("0-999", "0-1\n", &err), &err, EINVAL,
	             "invalid cpuset-cpus \"0-999\": cpu 2 is not online on this host (online: 0-1)");
	check_error (cpuset_check_online ("4", "0-3,5\n", &err), &err, EINVAL, "cpu 4 is not online");
	check_error (cpuset_check_online ("0-8191", "0\n", &err), &err, EINVAL, "cpu 1 is not online");
	/* An odd or missing sysfs text leaves it to the kernel. */
	check_ok (cpuset_check_online ("0-3", NULL, &err), &err);
	check_ok (cpuset_check_online ("0-3", "garbage", &err), &err);
	check_ok (cpuset_check_online ("0-3", "", &err), &err);
	/* A bad list is still a bad list. */
	check_error (cpuset_check_online ("3-1", "0-3\n", &err), &err, EINVAL, "expected ascending numbers");
	check_error (cpuset_check_online ("1\n", "0-3\n", &err), &err, EINVAL, "expected ascending numbers");
}

/* ---- parse_volume ---------------------------------------------------- */

static void
volume_is (const char *s, const char *src, const char *dst, bool ro)
{
	lxcshim_error_t err = NULL;
	struct volume v = { 0 };

	if (parse_volume (s, &v, &err) != 0)
		fail_msg ("parse_volume \"%s\" failed: %s", s, err ? err->msg : "?");
	assert_string_equal (v.source, src);
	assert_string_equal (v.target, dst);
	assert_int_equal (v.readonly, ro);
	volume_release (&v);
	assert_null (v.source);
	assert_null (v.target);
}

static void
volume_bad (const char *s)
{
	lxcshim_error_t err = NULL;
	struct volume v = { 0 };
	int rc = parse_volume (s, &v, &err);

	if (rc != -1)
		fail_msg ("parse_volume accepted \"%s\"", s ? s : "(null)");
	assert_null (v.source);
	assert_null (v.target);
	check_error (rc, &err, EINVAL, "expected /SRC:/DST[:ro|rw]");
}

static void
test_parse_volume (void **state UNUSED)
{
	volume_is ("/a:/b", "/a", "/b", false);
	volume_is ("/a:/b:rw", "/a", "/b", false);
	volume_is ("/a:/b:ro", "/a", "/b", true);
	volume_is ("/host dir:/data:ro", "/host dir", "/data", true);
	volume_is ("/:/mnt", "/", "/mnt", false);

	volume_bad ("a:/b");
	volume_bad ("/a:b");
	volume_bad ("./a:/b");
	volume_bad ("/a");
	volume_bad ("/a:");
	volume_bad ("/a::ro");
	volume_bad (":/b");
	volume_bad ("/a:/b:rx");
	volume_bad ("/a:/b:RO");
	volume_bad ("/a:/b:");
	volume_bad ("/a:/b:ro:x");
	volume_bad ("");
	volume_bad (NULL);
}

/* ---- parse_signal ---------------------------------------------------- */

static void
signal_is (const char *s, int want)
{
	lxcshim_error_t err = NULL;
	int sig = -1;

	if (parse_signal (s, &sig, &err) != 0)
		fail_msg ("parse_signal \"%s\" failed: %s", s, err ? err->msg : "?");
	if (sig != want)
		fail_msg ("parse_signal \"%s\" = %d, expected %d", s, sig, want);
}

static void
signal_bad (const char *s)
{
	lxcshim_error_t err = NULL;
	int sig = -1;
	int rc = parse_signal (s, &sig, &err);

	if (rc != -1)
		fail_msg ("parse_signal accepted \"%s\" as %d", s ? s : "(null)", sig);
	assert_int_equal (sig, -1);
	check_error (rc, &err, EINVAL, "invalid signal \"");
}

static void
test_parse_signal (void **state UNUSED)
{
	signal_is ("TERM", SIGTERM);
	signal_is ("SIGTERM", SIGTERM);
	signal_is ("term", SIGTERM);
	signal_is ("sigterm", SIGTERM);
	signal_is ("SigTerm", SIGTERM);
	signal_is ("KILL", SIGKILL);
	signal_is ("HUP", SIGHUP);
	signal_is ("USR1", SIGUSR1);
	signal_is ("SIGCHLD", SIGCHLD);
	signal_is ("9", 9);
	signal_is ("1", 1);
	signal_is ("15", 15);
	signal_is ("64", 64);

	signal_bad ("0");
	signal_bad ("65");
	signal_bad ("-9");
	signal_bad ("9x");
	signal_bad ("FOO");
	signal_bad ("SIGFOO");
	signal_bad ("SIG");
	signal_bad ("");
	signal_bad (NULL);
	signal_bad (" TERM");
	signal_bad ("TERM ");
}

/* ---- mountinfo_root_is_shared ---------------------------------------- */

static void
test_mountinfo_root_is_shared (void **state UNUSED)
{
	static const char shared[] =
		"22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
		"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
		"24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n";
	static const char slave[] =
		"612 540 259:2 / / rw,relatime master:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
		"613 612 0:21 / /proc rw,nosuid,nodev,noexec,relatime master:12 - proc proc rw\n";
	static const char private_root[] =
		"22 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
		"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
		"25 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=8141964k\n";
	static const char shared_and_slave[] = "22 1 259:2 / / rw,relatime shared:5 master:1 - ext4 /dev/sda1 rw\n";
	/* A shared mount whose *root* is "/" but mounted elsewhere: not it. */
	static const char other_point[] =
		"22 1 259:2 / / rw,relatime - ext4 /dev/sda1 rw\n"
		"40 22 259:3 / /home rw,relatime shared:7 - ext4 /dev/sda3 rw\n";
	/* A bind mount of a subtree onto "/" counts by its mount point. */
	static const char bind_root[] = "30 1 259:2 /srv/root / rw,relatime shared:9 - ext4 /dev/sda1 rw\n";
	/* Two mounts on "/": the last (top) one decides. */
	static const char shared_then_private[] =
		"22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"23 22 0:21 / /proc rw,relatime shared:12 - proc proc rw\n"
		"99 22 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n";
	static const char private_then_shared[] =
		"22 1 259:2 / / rw,relatime - ext4 /dev/sda1 rw\n"
		"99 22 0:40 / / rw,relatime shared:30 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
		"23 99 0:21 / /proc rw,relatime - proc proc rw";
	/* "shared:" after the "-" separator (in the super options) is not a tag. */
	static const char after_sep[] = "22 1 259:2 / / rw,relatime - ext4 shared:1 rw\n";

	assert_true (mountinfo_root_is_shared (shared));
	assert_false (mountinfo_root_is_shared (slave));
	assert_false (mountinfo_root_is_shared (private_root));
	assert_true (mountinfo_root_is_shared (shared_and_slave));
	assert_false (mountinfo_root_is_shared (other_point));
	assert_true (mountinfo_root_is_shared (bind_root));
	assert_false (mountinfo_root_is_shared (shared_then_private));
	assert_true (mountinfo_root_is_shared (private_then_shared));
	assert_false (mountinfo_root_is_shared (after_sep));
	assert_false (mountinfo_root_is_shared (""));
	assert_false (mountinfo_root_is_shared (NULL));
}

/* ---- proc_stat_starttime --------------------------------------------- */

static void
test_proc_stat_starttime (void **state UNUSED)
{
	/* Fields: 1 pid, 2 comm, 3 state, ... 22 starttime (87759 here). */
	static const char real[] =
		"19902 (cat) R 19897 19897 16658 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 87759 3133440 390 "
		"18446744073709551615 94733600104448 94733600124329 140720711437040 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 "
		"94733600140336 94733600141952 94734049107968 140720711445129 140720711445149 140720711445149 "
		"140720711446507 0\n";
	static const char tricky_comm[] =
		"42 (a) b (c) ) 9) S 1 42 42 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 123456789012 1 2 3\n";
	static const char big[] = "7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551 0 0\n";
	static const char truncated[] = "19902 (cat) R 19897 19897 16658 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0";
	char buf[4096];
	FILE *f;
	size_t n;

	assert_true (proc_stat_starttime (real) == 87759);
	assert_true (proc_stat_starttime (tricky_comm) == 123456789012ULL);
	assert_true (proc_stat_starttime (big) == 18446744073709551ULL);
	assert_true (proc_stat_starttime (truncated) == 0);
	assert_true (proc_stat_starttime ("19902 cat R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22") == 0);
	assert_true (proc_stat_starttime ("") == 0);
	assert_true (proc_stat_starttime (NULL) == 0);
	/* Field 9 is the flags word (4194304 = PF_RANDOMIZE here). */
	assert_true (proc_stat_field (real, 9) == 4194304);
	assert_true (proc_stat_field (tricky_comm, 9) == 4194560);
	assert_true (proc_stat_field (real, 4) == 19897);
	assert_true (proc_stat_field (real, 2) == 0);
	assert_true (proc_stat_field (real, 99) == 0);

	/* Our own stat parses to something non-zero. */
	f = fopen ("/proc/self/stat", "r");
	assert_non_null (f);
	n = fread (buf, 1, sizeof buf - 1, f);
	fclose (f);
	buf[n] = '\0';
	assert_true (proc_stat_starttime (buf) > 0);
}

/* ---- check_config_value ---------------------------------------------- */

static void
test_check_config_value (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	static const char with_nul[] = "ab\0cd";

	check_ok (check_config_value ("hostname", "clean value with spaces\tand tabs", 32, &err), &err);
	check_ok (check_config_value ("hostname", "", 0, &err), &err);
	check_ok (check_config_value ("hostname", NULL, 0, &err), &err);
	/* Only the first len bytes count. */
	check_ok (check_config_value ("x", with_nul, 2, &err), &err);

	check_error (check_config_value ("hostname", "a\nb", 3, &err), &err, EINVAL, "invalid hostname: it contains a newline");
	check_error (check_config_value ("rootfs", "a\rb", 3, &err), &err, EINVAL, "invalid rootfs");
	check_error (check_config_value ("log_file", "\n", 1, &err), &err, EINVAL, "invalid log_file");
	check_error (check_config_value ("x", with_nul, 5, &err), &err, EINVAL, "NUL");
	check_error (check_config_value ("x", "abc\n", 4, &err), &err, EINVAL, "inject");
}

/* ---- caps ------------------------------------------------------------ */

static const char *const docker_caps[] = {
	"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid",
	"setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write",
};

static bool
strv_has (char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp (v[i], s) == 0)
			return true;
	return false;
}

/* Same elements, no duplicates, in capability-number order. */
static void
check_cap_set (char **got, const char *const *want, size_t n_want)
{
	size_t n = strv_length (got);
	int last = -1;

	if (n != n_want)
		fail_msg ("%zu capabilities kept, expected %zu", n, n_want);
	for (size_t i = 0; i < n_want; i++)
		if (!strv_has (got, want[i]))
			fail_msg ("capability %s missing", want[i]);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *full = xasprintf ("cap_%s", got[i]);
		cap_value_t v;
		assert_int_equal (cap_from_name (full, &v), 0);
		if ((int) v <= last)
			fail_msg ("%s out of capability-number order", got[i]);
		last = v;
	}
}

static void
test_caps_check_name (void **state UNUSED)
{
	lxcshim_error_t err = NULL;

	check_ok (caps_check_name ("ALL", &err), &err);
	check_ok (caps_check_name ("all", &err), &err);
	check_ok (caps_check_name ("NET_ADMIN", &err), &err);
	check_ok (caps_check_name ("net_admin", &err), &err);
	check_ok (caps_check_name ("cap_net_admin", &err), &err);
	check_ok (caps_check_name ("CAP_NET_ADMIN", &err), &err);
	check_ok (caps_check_name ("Sys_Admin", &err), &err);

	check_error (caps_check_name ("NET_BOGUS", &err), &err, EINVAL, "unknown capability \"NET_BOGUS\"");
	check_error (caps_check_name ("", &err), &err, EINVAL, "unknown capability \"\"");
	check_error (caps_check_name (NULL, &err), &err, EINVAL, "unknown capability");
	check_error (caps_check_name ("cap_", &err), &err, EINVAL, "\"cap_\"");
}

/* A known name followed by junk is not that capability. */
static void
test_caps_check_name_trailing_junk (void **state UNUSED)
{
	static const char *const bad[] = { "chown,kill", "net_admin2", "sys_admin ", "CAP_KILL;", NULL };
	char *add[] = { "net_admin2", NULL };
	char **keep = NULL;

	for (size_t i = 0; bad[i]; i++) {
		lxcshim_error_t err = NULL;
		int rc = caps_check_name (bad[i], &err);
		if (rc != -1)
			fail_msg ("caps_check_name accepted \"%s\"", bad[i]);
		check_error (rc, &err, EINVAL, bad[i]);
	}
	{
		lxcshim_error_t err = NULL;
		int rc = caps_compute_keep (add, NULL, &keep, &err);
		if (rc != -1)
			fail_msg ("caps_compute_keep took \"net_admin2\" (net_admin kept: %d)", strv_has (keep, "net_admin"));
		check_error (rc, &err, EINVAL, "net_admin2");
	}
}

static void
test_caps_default (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char **keep = NULL;
	static const char *const ordered[] = {
		"chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid",
		"setpcap", "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap", NULL,
	};

	check_ok (caps_compute_keep (NULL, NULL, &keep, &err), &err);
	check_cap_set (keep, docker_caps, ARRAY_SIZE (docker_caps));
	check_strv (keep, ordered);
	assert_false (strv_has (keep, "sys_boot"));
	strv_free (keep);
}

static void
test_caps_add_drop (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char **keep = NULL;
	char *drop[] = { "kill", "MKNOD", NULL };
	char *add_upper[] = { "NET_ADMIN", NULL };
	char *add_prefixed[] = { "cap_net_admin", NULL };
	char *drop_prefixed[] = { "CAP_CHOWN", NULL };
	const char *want_drop[ARRAY_SIZE (docker_caps)];
	const char *want_add[ARRAY_SIZE (docker_caps) + 1];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE (docker_caps); i++)
		if (strcmp (docker_caps[i], "kill") && strcmp (docker_caps[i], "mknod"))
			want_drop[n++] = docker_caps[i];
	assert_int_equal (n, 12);
	check_ok (caps_compute_keep (NULL, drop, &keep, &err), &err);
	check_cap_set (keep, want_drop, n);
	strv_free (keep);

	memcpy (want_add, docker_caps, sizeof docker_caps);
	want_add[ARRAY_SIZE (docker_caps)] = "net_admin";
	check_ok (caps_compute_keep (add_upper, NULL, &keep, &err), &err);
	check_cap_set (keep, want_add, ARRAY_SIZE (want_add));
	strv_free (keep);
	check_ok (caps_compute_keep (add_prefixed, NULL, &keep, &err), &err);
	check_cap_set (keep, want_add, ARRAY_SIZE (want_add));
	strv_free (keep);

	check_ok (caps_compute_keep (NULL, drop_prefixed, &keep, &err), &err);
	assert_int_equal (strv_length (keep), 13);
	assert_false (strv_has (keep, "chown"));
	strv_free (keep);
}

static void
test_caps_all (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char **keep = NULL;
	char *all[] = { "ALL", NULL };
	char *all_lower[] = { "all", NULL };
	char *chown_only[] = { "chown", NULL };
	char *sys_boot[] = { "SYS_BOOT", NULL };
	char *all_and_boot[] = { "ALL", "sys_boot", NULL };
	char *drop_admin[] = { "sys_admin", NULL };
	unsigned max = cap_max_bits ();

	/* drop ALL: nothing. */
	check_ok (caps_compute_keep (NULL, all, &keep, &err), &err);
	assert_non_null (keep);
	assert_null (keep[0]);
	strv_free (keep);
	check_ok (caps_compute_keep (NULL, all_lower, &keep, &err), &err);
	assert_null (keep[0]);
	strv_free (keep);

	/* drop ALL + add chown: only chown. */
	check_ok (caps_compute_keep (chown_only, all, &keep, &err), &err);
	check_strv (keep, (const char *const[]){ "chown", NULL });
	strv_free (keep);

	/* add ALL: every capability the kernel knows but sys_boot. */
	check_ok (caps_compute_keep (all, NULL, &keep, &err), &err);
	assert_true (max > 37);
	assert_int_equal (strv_length (keep), max - 1);
	assert_false (strv_has (keep, "sys_boot"));
	assert_true (strv_has (keep, "sys_admin"));
	assert_true (strv_has (keep, "net_admin"));
	assert_true (strv_has (keep, "sys_module"));
	assert_true (strv_has (keep, "audit_read"));
	assert_string_equal (keep[0], "chown");
	for (unsigned i = 0; i < max; i++) {
		char *name = cap_to_name (i);
		assert_non_null (name);
		if (i == CAP_SYS_BOOT)
			assert_false (strv_has (keep, name + 4));
		else if (!strv_has (keep, name + 4))
			fail_msg ("add ALL lacks %s", name);
		cap_free (name);
	}
	strv_free (keep);

	/* add ALL, drop sys_admin. */
	check_ok (caps_compute_keep (all, drop_admin, &keep, &err), &err);
	assert_int_equal (strv_length (keep), max - 2);
	assert_false (strv_has (keep, "sys_admin"));
	strv_free (keep);

	/* sys_boot by name is refused, saying why, rather than dropped. */
	keep = NULL;
	check_error (caps_compute_keep (sys_boot, NULL, &keep, &err), &err, EINVAL,
	             "needs --privileged: with CAP_SYS_BOOT a reboot() inside would make lxc-start restart");
	assert_null (keep);
	check_error (caps_compute_keep (all_and_boot, NULL, &keep, &err), &err, EINVAL, "needs --privileged");
	assert_null (keep);
	/* ALL means all but sys_boot. */
	check_ok (caps_compute_keep (all, NULL, &keep, &err), &err);
	assert_false (strv_has (keep, "sys_boot"));
	assert_int_equal (strv_length (keep), max - 1);
	strv_free (keep);
}

static void
test_caps_unknown (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char **keep = NULL;
	char *bad_add[] = { "net_admin", "FROB", NULL };
	char *bad_drop[] = { "cap_wibble", NULL };

	check_error (caps_compute_keep (bad_add, NULL, &keep, &err), &err, EINVAL, "unknown capability \"FROB\"");
	strv_free (keep);
	keep = NULL;
	check_error (caps_compute_keep (NULL, bad_drop, &keep, &err), &err, EINVAL, "unknown capability \"cap_wibble\"");
	strv_free (keep);
}

/* ---- oom ------------------------------------------------------------- */

static void
test_oom_parse_kill_count (void **state UNUSED)
{
	assert_true (oom_parse_kill_count ("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n") == 3);
	assert_true (oom_parse_kill_count ("oom_kill_disable 1\nunder_oom 1\noom_kill 0\n") == 0);
	assert_true (oom_parse_kill_count ("oom_kill 12\noom_kill_disable 0\n") == 12);
	assert_true (oom_parse_kill_count ("oom_kill_disable 0\nunder_oom 0\noom_kill 18446744073709551615") ==
	             UINT64_MAX);
	/* Kernels before 4.13 have no oom_kill line. */
	assert_true (oom_parse_kill_count ("oom_kill_disable 0\nunder_oom 0\n") == 0);
	assert_true (oom_parse_kill_count ("oom_kill_disable 7\n") == 0);
	assert_true (oom_parse_kill_count ("xoom_kill 5\n") == 0);
	assert_true (oom_parse_kill_count ("xoom_kill 5\noom_kill 6\n") == 6);
	assert_true (oom_parse_kill_count ("") == 0);
	assert_true (oom_parse_kill_count (NULL) == 0);
}

static void
test_oom_verdict (void **state UNUSED)
{
	assert_false (oom_verdict (false, false, 0));
	assert_false (oom_verdict (false, false, 1));
	assert_false (oom_verdict (false, true, 0));
	assert_false (oom_verdict (false, true, 5));
	assert_false (oom_verdict (true, false, 0));
	assert_true (oom_verdict (true, false, 1));
	assert_true (oom_verdict (true, true, 0));
	assert_true (oom_verdict (true, true, 2));
}

/* ---- cgroup_parse_proc ----------------------------------------------- */

static void
kv_release (struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free (v[i].key);
		free (v[i].value);
	}
	free (v);
}

static void
check_kv (const struct kv *v, size_t n, const char *key, const char *want)
{
	const char *got = kv_get (v, n, key);

	if (want == NULL) {
		if (got)
			fail_msg ("unexpected key %s = %s", key, got);
		return;
	}
	if (got == NULL)
		fail_msg ("key %s missing", key);
	assert_string_equal (got, want);
}

static void
test_cgroup_parse_proc (void **state UNUSED)
{
	static const char hybrid[] = "12:pids:/lxc.payload.c1\n"
	                             "11:memory:/lxc.payload.c1\n"
	                             "10:cpu,cpuacct:/lxc.payload.c1\n"
	                             "9:devices:/lxc.payload.c1\n"
	                             "8:cpuset:/\n"
	                             "7:net_cls,net_prio:/lxc.payload.c1\n"
	                             "6:freezer:/odd:name\n"
	                             "1:name=systemd:/lxc.payload.c1\n"
	                             "0::/lxc.payload.c1\n";
	struct kv *v = NULL;
	size_t n = 0;

	cgroup_parse_proc (hybrid, "/sys/fs/cgroup/unified", &v, &n);
	assert_int_equal (n, 11);
	check_kv (v, n, "pids", "/sys/fs/cgroup/pids/lxc.payload.c1");
	check_kv (v, n, "memory", "/sys/fs/cgroup/memory/lxc.payload.c1");
	check_kv (v, n, "cpu", "/sys/fs/cgroup/cpu,cpuacct/lxc.payload.c1");
	check_kv (v, n, "cpuacct", "/sys/fs/cgroup/cpu,cpuacct/lxc.payload.c1");
	check_kv (v, n, "devices", "/sys/fs/cgroup/devices/lxc.payload.c1");
	check_kv (v, n, "cpuset", "/sys/fs/cgroup/cpuset");
	check_kv (v, n, "net_cls", "/sys/fs/cgroup/net_cls,net_prio/lxc.payload.c1");
	check_kv (v, n, "net_prio", "/sys/fs/cgroup/net_cls,net_prio/lxc.payload.c1");
	check_kv (v, n, "freezer", "/sys/fs/cgroup/freezer/odd:name");
	check_kv (v, n, "systemd", "/sys/fs/cgroup/systemd/lxc.payload.c1");
	check_kv (v, n, "name=systemd", NULL);
	check_kv (v, n, "unified", "/sys/fs/cgroup/unified/lxc.payload.c1");
	kv_release (v, n);

	/* No v2 hierarchy: the "0::" line is ignored. */
	v = NULL;
	n = 0;
	cgroup_parse_proc (hybrid, NULL, &v, &n);
	assert_int_equal (n, 10);
	check_kv (v, n, "unified", NULL);
	check_kv (v, n, "memory", "/sys/fs/cgroup/memory/lxc.payload.c1");
	kv_release (v, n);

	/* Pure v2. */
	v = NULL;
	n = 0;
	cgroup_parse_proc ("0::/x\n", "/sys/fs/cgroup", &v, &n);
	assert_int_equal (n, 1);
	check_kv (v, n, "unified", "/sys/fs/cgroup/x");
	kv_release (v, n);

	/* Malformed lines are skipped; no trailing newline is fine. */
	v = NULL;
	n = 0;
	cgroup_parse_proc ("garbage\n3\n\n4:blkio:/a/b", NULL, &v, &n);
	assert_int_equal (n, 1);
	check_kv (v, n, "blkio", "/sys/fs/cgroup/blkio/a/b");
	kv_release (v, n);

	v = NULL;
	n = 0;
	cgroup_parse_proc ("", "/sys/fs/cgroup", &v, &n);
	assert_int_equal (n, 0);
	assert_null (v);
}

/* ---- the spec's own checks ------------------------------------------- */

static lxcshim_spec_t *
spec_with_command (void)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	char *argv[] = { "true", NULL };
	lxcshim_error_t err = NULL;

	assert_non_null (s);
	check_ok (lxcshim_spec_set_command (s, argv, &err), &err);
	return s;
}

static void
test_spec_unknown_and_unsupported (void **state UNUSED)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;
	bool rep = false;
	int rc;

	check_error (lxcshim_spec_set (s, "frobnicate", "1", &err), &err, EINVAL, "unknown setting \"frobnicate\"");
	check_error (lxcshim_spec_set (s, NULL, "1", &err), &err, EINVAL, "unknown setting \"\"");
	check_error (lxcshim_spec_set (s, "Memory", "1m", &err), &err, EINVAL, "unknown setting \"Memory\"");
	assert_false (lxcshim_spec_has_key ("frobnicate", &rep));
	assert_true (lxcshim_spec_has_key ("volume", &rep));
	assert_true (rep);
	assert_true (lxcshim_spec_has_key ("memory", &rep));
	assert_false (rep);

	/* Not supported yet: refused clearly.  Should a later change support
	 * one of them, its assertion is skipped rather than failed. */
	static const char *const later[][2] = { { "tty", "true" }, { "detach", "true" }, { "device", "/dev/null" } };
	for (size_t i = 0; i < ARRAY_SIZE (later); i++) {
		rc = lxcshim_spec_set (s, later[i][0], later[i][1], &err);
		if (rc == 0) {
			/* Supported now; nothing to assert here. */
			assert_null (err);
			continue;
		}
		check_error (rc, &err, ENOTSUP, "not supported yet");
	}
	rc = lxcshim_spec_set (s, "net", "bridge", &err);
	check_error (rc, &err, ENOTSUP, "not supported yet");
	check_error (lxcshim_spec_set (s, "net", "wat", &err), &err, EINVAL, "invalid --net \"wat\"");
	lxcshim_spec_free (s);
}

static void
test_spec_values (void **state UNUSED)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	check_ok (lxcshim_spec_set (s, "memory", "32m", &err), &err);
	assert_true (s->memory == 33554432);
	check_ok (lxcshim_spec_set (s, "memory-swap", "-1", &err), &err);
	assert_true (s->memory_swap == -1);
	check_ok (lxcshim_spec_set (s, "cpus", "1.5", &err), &err);
	assert_true (s->millicpus == 1500);
	check_ok (lxcshim_spec_set (s, "cpu-shares", "512", &err), &err);
	assert_true (s->cpu_shares == 512);
	check_error (lxcshim_spec_set (s, "cpu-shares", "1", &err), &err, EINVAL, "cpu-shares");
	check_error (lxcshim_spec_set (s, "cpu-shares", "262145", &err), &err, EINVAL, "cpu-shares");
	check_ok (lxcshim_spec_set (s, "pids-limit", "100", &err), &err);
	assert_true (s->pids_limit == 100);
	check_ok (lxcshim_spec_set (s, "pids-limit", "-1", &err), &err);
	assert_true (s->pids_limit == 0);
	check_error (lxcshim_spec_set (s, "pids-limit", "2147483647", &err), &err, EINVAL, "PID_MAX_LIMIT");
	check_error (lxcshim_spec_set (s, "cpus", "0.001", &err), &err, EINVAL, "the minimum is 0.01");
	assert_true (s->millicpus == 1500);
	check_ok (lxcshim_spec_set (s, "privileged", "true", &err), &err);
	assert_true (s->privileged);
	check_ok (lxcshim_spec_set (s, "privileged", "false", &err), &err);
	assert_false (s->privileged);
	check_ok (lxcshim_spec_set (s, "privileged", NULL, &err), &err);
	assert_true (s->privileged);
	check_error (lxcshim_spec_set (s, "privileged", "yes", &err), &err, EINVAL, "invalid privileged \"yes\"");
	check_ok (lxcshim_spec_set (s, "net", "host", &err), &err);
	assert_int_equal (s->net, NET_HOST);
	check_ok (lxcshim_spec_set (s, "net", "none", &err), &err);
	assert_int_equal (s->net, NET_NONE);
	check_error (lxcshim_spec_set (s, "workdir", "rel/dir", &err), &err, EINVAL, "must be an absolute path");
	check_error (lxcshim_spec_set (s, "name", "-x", &err), &err, EINVAL, "invalid container name");
	check_error (lxcshim_spec_set (s, "hostname", "a_b", &err), &err, EINVAL, "invalid hostname");
	check_error (lxcshim_spec_set (s, "hostname", "-ab", &err), &err, EINVAL, "invalid hostname");
	check_error (lxcshim_spec_set (s, "rootfs", " /x", &err), &err, EINVAL, "leading or trailing white space");
	check_error (lxcshim_spec_set (s, "rootfs", "", &err), &err, EINVAL, "invalid rootfs");
	check_error (lxcshim_spec_set (s, "cap-add", "bogus", &err), &err, EINVAL, "unknown capability \"bogus\"");
	check_error (lxcshim_spec_set (s, "env", "=x", &err), &err, EINVAL, "\"=x\"");
	lxcshim_spec_free (s);
}

static void
test_spec_injection (void **state UNUSED)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	check_error (lxcshim_spec_set (s, "hostname", "h\nlxc.cap.keep = sys_admin", &err), &err, EINVAL, "hostname");
	check_error (lxcshim_spec_set (s, "hostname", "h\r", &err), &err, EINVAL, "hostname");
	check_error (lxcshim_spec_set (s, "rootfs", "/r\nlxc.mount.auto = sys:rw", &err), &err, EINVAL, "rootfs");
	check_error (lxcshim_spec_set (s, "rootfs", "/r\rx", &err), &err, EINVAL, "rootfs");
	check_error (lxcshim_spec_set (s, "volume", "/a\nlxc.x = 1:/b", &err), &err, EINVAL, "volume");
	check_error (lxcshim_spec_set (s, "volume", "/a:/b\n", &err), &err, EINVAL, "volume");
	check_error (lxcshim_spec_set (s, "cpuset-cpus", "0\n", &err), &err, EINVAL, "cpu list");
	assert_null (s->hostname);
	assert_null (s->rootfs);
	assert_int_equal (s->n_volumes, 0);
	lxcshim_spec_free (s);
}

static void
test_spec_finalize (void **state UNUSED)
{
	lxcshim_spec_t *s;
	lxcshim_error_t err = NULL;
	char *first;

	/* Generated id: 12 lower-case hex digits; hostname = id. */
	s = spec_with_command ();
	check_ok (spec_finalize (s, &err), &err);
	assert_non_null (s->id);
	assert_int_equal (strlen (s->id), 12);
	assert_int_equal (strspn (s->id, "0123456789abcdef"), 12);
	assert_string_equal (lxcshim_spec_id (s), s->id);
	check_ok (parse_id (s->id, &err), &err);
	assert_non_null (s->hostname);
	assert_string_equal (s->hostname, s->id);
	first = xstrdup (s->id);
	lxcshim_spec_free (s);

	s = spec_with_command ();
	check_ok (spec_finalize (s, &err), &err);
	assert_string_not_equal (s->id, first);
	free (first);
	lxcshim_spec_free (s);

	/* A given name and hostname are kept. */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "name", "web", &err), &err);
	check_ok (lxcshim_spec_set (s, "hostname", "box.example", &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	assert_string_equal (s->id, "web");
	assert_string_equal (s->hostname, "box.example");
	lxcshim_spec_free (s);

	/* The default hostname is the first 12 characters of the id, like Docker's. */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "name", "abcdefghijklmnop", &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	assert_string_equal (s->hostname, "abcdefghijkl");
	lxcshim_spec_free (s);

	/* No command. */
	s = lxcshim_spec_new ();
	check_error (spec_finalize (s, &err), &err, EINVAL, "no command given");
	lxcshim_spec_free (s);

	/* memory-swap smaller than memory. */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "memory", "64m", &err), &err);
	check_ok (lxcshim_spec_set (s, "memory-swap", "32m", &err), &err);
	check_error (spec_finalize (s, &err), &err, EINVAL, "invalid memory-swap 33554432");
	lxcshim_spec_free (s);

	/* memory-swap equal to memory is fine (no swap). */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "memory", "64m", &err), &err);
	check_ok (lxcshim_spec_set (s, "memory-swap", "64m", &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	lxcshim_spec_free (s);

	/* memory-swap without memory. */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "memory-swap", "64m", &err), &err);
	check_error (spec_finalize (s, &err), &err, EINVAL, "it needs --memory");
	lxcshim_spec_free (s);

	/* Below the 4m minimum. */
	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "memory", "1m", &err), &err);
	check_error (spec_finalize (s, &err), &err, EINVAL, "the minimum is 4m");
	lxcshim_spec_free (s);
}

static void
test_spec_set_command (void **state UNUSED)
{
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;
	char *empty[] = { NULL };
	char *blank[] = { "", "x", NULL };
	char *argv[] = { "sh", "-c", "echo $1", "--", NULL };

	check_error (lxcshim_spec_set_command (s, NULL, &err), &err, EINVAL, "no command given");
	check_error (lxcshim_spec_set_command (s, empty, &err), &err, EINVAL, "no command given");
	check_error (lxcshim_spec_set_command (s, blank, &err), &err, EINVAL, "no command given");
	check_ok (lxcshim_spec_set_command (s, argv, &err), &err);
	check_strv (s->command, (const char *const[]){ "sh", "-c", "echo $1", "--", NULL });
	/* A copy, not the caller's array. */
	assert_ptr_not_equal (s->command[0], argv[0]);
	lxcshim_spec_free (s);
}

/* ---- lxcshim_spec_load_json ------------------------------------------ */

static char *
write_temp (const char *text, size_t len)
{
	char *path = xstrdup ("/tmp/lxcshim-test-spec-XXXXXX");
	int fd = mkstemp (path);

	assert_true (fd >= 0);
	assert_int_equal (write (fd, text, len), (ssize_t) len);
	close (fd);
	return path;
}

static int
load_text (lxcshim_spec_t *s, const char *text, size_t len, lxcshim_error_t *err)
{
	char *path = write_temp (text, len);
	int rc = lxcshim_spec_load_json (s, path, err);

	unlink (path);
	free (path);
	return rc;
}

static void
test_spec_load_json (void **state UNUSED)
{
	static const char good[] = "{\n"
	                           "  \"name\": \"web\",\n"
	                           "  \"rootfs\": \"/srv/rootfs\",\n"
	                           "  \"env\": [\"A=1\", \"B=two words\"],\n"
	                           "  \"volume\": [\"/a:/b:ro\", \"/c:/d\"],\n"
	                           "  \"memory\": 33554432,\n"
	                           "  \"memory-swap\": \"64m\",\n"
	                           "  \"cpus\": 1.5,\n"
	                           "  \"cpu-shares\": 512,\n"
	                           "  \"privileged\": true,\n"
	                           "  \"cap-drop\": \"ALL\",\n"
	                           "  \"workdir\": \"/srv\",\n"
	                           "  \"command\": [\"sh\", \"-c\", \"echo \\\"$HOME\\\"\"]\n"
	                           "}\n";
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	check_ok (load_text (s, good, strlen (good), &err), &err);
	assert_string_equal (s->id, "web");
	assert_string_equal (s->rootfs, "/srv/rootfs");
	check_strv (s->env.v, (const char *const[]){ "A=1", "B=two words", NULL });
	assert_int_equal (s->n_volumes, 2);
	assert_string_equal (s->volumes[0].source, "/a");
	assert_string_equal (s->volumes[0].target, "/b");
	assert_true (s->volumes[0].readonly);
	assert_string_equal (s->volumes[1].source, "/c");
	assert_false (s->volumes[1].readonly);
	assert_true (s->memory == 33554432);
	assert_true (s->memory_swap == 67108864);
	assert_true (s->millicpus == 1500);
	assert_true (s->cpu_shares == 512);
	assert_true (s->privileged);
	check_strv (s->cap_drop, (const char *const[]){ "ALL", NULL });
	assert_string_equal (s->workdir, "/srv");
	check_strv (s->command, (const char *const[]){ "sh", "-c", "echo \"$HOME\"", NULL });
	check_ok (spec_finalize (s, &err), &err);
	lxcshim_spec_free (s);

	/* privileged false as a JSON bool; JSON null values are ignored. */
	s = lxcshim_spec_new ();
	{
		static const char t[] = "{\"privileged\": false, \"user\": null}";
		check_ok (load_text (s, t, strlen (t), &err), &err);
	}
	assert_false (s->privileged);
	assert_null (s->user);
	lxcshim_spec_free (s);
}

static void
test_spec_load_json_bad (void **state UNUSED)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{ "{\"name\": \"web\", \"frob\": 1}", "unknown key \"frob\"" },
		{ "[\"sh\"]", "expected a JSON object" },
		{ "\"just a string\"", "expected a JSON object" },
		{ "42\n", "expected a JSON object" },
		{ "{\"name\": ", "invalid spec" },
		{ "", "invalid spec" },
		{ "{\"hostname\": \"a\\u0000b\"}", "NUL" },
		{ "{\"env\": [\"A=1\\u0000B=2\"]}", "NUL" },
		{ "{\"command\": [\"sh\", \"a\\u0000b\"]}", "NUL" },
		{ "{\"name\": [\"a\", \"b\"]}", "\"name\" takes one value" },
		{ "{\"memory\": {\"x\": 1}}", "expected a string, number or boolean" },
		{ "{\"memory\": \"12x\"}", "invalid memory \"12x\"" },
		{ "{\"privileged\": \"maybe\"}", "invalid privileged" },
		{ "{\"command\": []}", "no command given" },
		{ "{\"command\": \"sh\"}", "no command given" },
		{ "{\"hostname\": \"a\\nlxc.cap.keep = sys_admin\"}", "hostname" },
		{ "{\"volume\": [\"/a:/b\", \"rel:/c\"]}", "invalid volume \"rel:/c\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (cases); i++) {
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		int rc = load_text (s, cases[i].text, strlen (cases[i].text), &err);

		if (rc != -1)
			fail_msg ("spec %s was accepted", cases[i].text);
		assert_non_null (err);
		if (strstr (err->msg, cases[i].needle) == NULL)
			fail_msg ("spec %s: message \"%s\" lacks \"%s\"", cases[i].text, err->msg, cases[i].needle);
		check_error (rc, &err, EINVAL, cases[i].needle);
		lxcshim_spec_free (s);
	}

	/* A missing file. */
	{
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		check_error (lxcshim_spec_load_json (s, "/nonexistent/lxcshim/spec.json", &err), &err, ENOENT,
		             "cannot read spec");
		lxcshim_spec_free (s);
	}
}

/* Text after the object is not silently ignored. */
static void
test_spec_load_json_trailing (void **state UNUSED)
{
	static const char text[] = "{\"name\": \"web\"} {\"memory\": \"1m\"}";
	lxcshim_spec_t *s = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;
	int rc = load_text (s, text, strlen (text), &err);

	if (rc == 0)
		fail_msg ("a spec with a second object after the first was accepted (the rest was ignored)");
	check_error (rc, &err, EINVAL, "invalid spec");
	lxcshim_spec_free (s);
}

/* "null" is refused as not an object, not with json-c's "success". */
static void
test_spec_load_json_null (void **state UNUSED)
{
	{
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		int rc = load_text (s, "null\n", 5, &err);

		if (rc != -1)
			fail_msg ("spec \"null\" was accepted");
		check_error (rc, &err, EINVAL, "expected a JSON object");
		lxcshim_spec_free (s);
	}
	/* Without a newline json-c waits for more input: it used to say
	 * "unexpected end of file". */
	static const char *const texts[] = { "null", "  null", "true", "42", "\"s\"", "[]" };
	for (size_t i = 0; i < ARRAY_SIZE (texts); i++) {
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		int rc = load_text (s, texts[i], strlen (texts[i]), &err);

		if (rc != -1)
			fail_msg ("spec %s was accepted", texts[i]);
		assert_non_null (err);
		if (strstr (err->msg, "expected a JSON object") == NULL)
			fail_msg ("spec %s: message \"%s\"", texts[i], err->msg);
		check_error (rc, &err, EINVAL, "expected a JSON object");
		lxcshim_spec_free (s);
	}
	/* A NUL byte in the file does not end it silently. */
	{
		static const char text[] = "{\"name\": \"web\"}\0{\"memory\": \"1x\"}";
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		check_error (load_text (s, text, sizeof text - 1, &err), &err, EINVAL, "text after the document");
		lxcshim_spec_free (s);
	}
}

/* A truncated spec file is not reported as json-c's internal "continue". */
static void
test_spec_load_json_truncated (void **state UNUSED)
{
	static const char *const texts[] = { "{\"name\": ", "{\"name\": \"web\"", "42" };

	for (size_t i = 0; i < ARRAY_SIZE (texts); i++) {
		lxcshim_spec_t *s = lxcshim_spec_new ();
		lxcshim_error_t err = NULL;
		int rc = load_text (s, texts[i], strlen (texts[i]), &err);

		if (rc != -1)
			fail_msg ("truncated spec %s was accepted", texts[i]);
		assert_non_null (err);
		if (strstr (err->msg, ": continue") != NULL)
			fail_msg ("truncated spec %s: unhelpful message \"%s\"", texts[i], err->msg);
		check_error (rc, &err, EINVAL, "invalid spec");
		lxcshim_spec_free (s);
	}
}

/* ---- spec_environment ------------------------------------------------ */

static void
test_spec_environment (void **state UNUSED)
{
	static const char env_file[] = "# defaults\n"
	                               "A=file\n"
	                               "B=file\r\n"
	                               "HOSTKEY\n"
	                               "UNSET_IN_FILE_QXZ\n"
	                               "  D=file d\n";
	char *path = write_temp (env_file, strlen (env_file));
	lxcshim_spec_t *s = spec_with_command ();
	lxcshim_error_t err = NULL;
	char **env = NULL;
	static const char *const want[] = {
		"PATH=/opt/bin", "HOSTNAME=box", "container=lxc", "A=file", "B=cli", "HOSTKEY=from the caller",
		"D=file d", "C=cli=with=equals", "HOSTKEY2=v2", NULL,
	};

	setenv ("HOSTKEY", "from the caller", 1);
	setenv ("HOSTKEY2", "v2", 1);
	unsetenv ("UNSET_IN_FILE_QXZ");
	unsetenv ("UNSET_ON_CLI_QXZ");

	check_ok (lxcshim_spec_set (s, "hostname", "box", &err), &err);
	check_ok (lxcshim_spec_set (s, "env-file", path, &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "B=cli", &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "C=cli=with=equals", &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "PATH=/opt/bin", &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "UNSET_ON_CLI_QXZ", &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "HOSTKEY2", &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	check_ok (spec_environment (s, NULL, &env, &err), &err);
	check_strv (env, want);
	strv_free (env);

	unlink (path);
	free (path);
	lxcshim_spec_free (s);
	unsetenv ("HOSTKEY");
	unsetenv ("HOSTKEY2");
}

static void
test_spec_environment_defaults (void **state UNUSED)
{
	lxcshim_spec_t *s = spec_with_command ();
	lxcshim_error_t err = NULL;
	char **env = NULL;
	char *host;

	check_ok (spec_finalize (s, &err), &err);
	check_ok (spec_environment (s, NULL, &env, &err), &err);
	host = xasprintf ("HOSTNAME=%s", s->hostname);
	check_strv (env, (const char *const[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", host,
	                                        "container=lxc", NULL });
	free (host);
	strv_free (env);

	/* -e HOSTNAME=x and -e container=y override the defaults in place. */
	check_ok (lxcshim_spec_set (s, "env", "container=docker", &err), &err);
	check_ok (lxcshim_spec_set (s, "env", "HOSTNAME=other", &err), &err);
	check_ok (spec_environment (s, NULL, &env, &err), &err);
	check_strv (env, (const char *const[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	                                        "HOSTNAME=other", "container=docker", NULL });
	strv_free (env);
	lxcshim_spec_free (s);
}

static void
test_spec_environment_bad_file (void **state UNUSED)
{
	lxcshim_spec_t *s = spec_with_command ();
	lxcshim_error_t err = NULL;
	char **env = NULL;
	char *path = write_temp ("OK=1\n=bad\n", 10);

	check_ok (lxcshim_spec_set (s, "env-file", "/nonexistent/lxcshim/env", &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	check_error (spec_environment (s, NULL, &env, &err), &err, ENOENT, "invalid env-file");
	assert_null (env);
	lxcshim_spec_free (s);

	s = spec_with_command ();
	check_ok (lxcshim_spec_set (s, "env-file", path, &err), &err);
	check_ok (spec_finalize (s, &err), &err);
	check_error (spec_environment (s, NULL, &env, &err), &err, EINVAL, "\"=bad\"");
	assert_null (env);
	lxcshim_spec_free (s);
	unlink (path);
	free (path);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_parse_id_valid),
		cmocka_unit_test (test_parse_id_invalid),
		cmocka_unit_test (test_parse_size),
		cmocka_unit_test (test_parse_uint),
		cmocka_unit_test (test_parse_cpus),
		cmocka_unit_test (test_parse_cpuset),
		cmocka_unit_test (test_parse_env_entry),
		cmocka_unit_test (test_parse_env_file),
		cmocka_unit_test (test_parse_env_file_binary),
		cmocka_unit_test (test_exec_args_limit),
		cmocka_unit_test (test_check_exec_size),
		cmocka_unit_test (test_env_dedupe),
		cmocka_unit_test (test_env_dedupe_large),
		cmocka_unit_test (test_parse_cpu_quota),
		cmocka_unit_test (test_parse_pids_limit),
		cmocka_unit_test (test_cpuset_check_online),
		cmocka_unit_test (test_parse_volume),
		cmocka_unit_test (test_parse_signal),
		cmocka_unit_test (test_mountinfo_root_is_shared),
		cmocka_unit_test (test_proc_stat_starttime),
		cmocka_unit_test (test_check_config_value),
		cmocka_unit_test (test_caps_check_name),
		cmocka_unit_test (test_caps_check_name_trailing_junk),
		cmocka_unit_test (test_caps_default),
		cmocka_unit_test (test_caps_add_drop),
		cmocka_unit_test (test_caps_all),
		cmocka_unit_test (test_caps_unknown),
		cmocka_unit_test (test_oom_parse_kill_count),
		cmocka_unit_test (test_oom_verdict),
		cmocka_unit_test (test_cgroup_parse_proc),
		cmocka_unit_test (test_spec_unknown_and_unsupported),
		cmocka_unit_test (test_spec_values),
		cmocka_unit_test (test_spec_injection),
		cmocka_unit_test (test_spec_finalize),
		cmocka_unit_test (test_spec_set_command),
		cmocka_unit_test (test_spec_load_json),
		cmocka_unit_test (test_spec_load_json_bad),
		cmocka_unit_test (test_spec_load_json_trailing),
		cmocka_unit_test (test_spec_load_json_null),
		cmocka_unit_test (test_spec_load_json_truncated),
		cmocka_unit_test (test_spec_environment),
		cmocka_unit_test (test_spec_environment_defaults),
		cmocka_unit_test (test_spec_environment_bad_file),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
