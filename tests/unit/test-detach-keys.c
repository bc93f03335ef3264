/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/detach-keys.c: docker's detach-key syntax and the streaming matcher
 * (held-back prefixes released when the sequence breaks, chunking). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>

#include "detach-keys.h"
#include "util.h"

static void
parse_ok (const char *spec, const char *want, size_t n)
{
	lxcshim_error_t err = NULL;
	struct detach_keys k;

	check_ok (detach_keys_parse (spec, &k, &err), &err);
	assert_int_equal (k.len, n);
	assert_memory_equal (k.seq, want, n);
	assert_int_equal (k.matched, 0);
}

static void
test_parse (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	struct detach_keys k;

	parse_ok (NULL, "\x10\x11", 2);
	parse_ok ("", "\x10\x11", 2);
	parse_ok ("ctrl-p,ctrl-q", "\x10\x11", 2);
	parse_ok ("ctrl-a", "\x01", 1);
	parse_ok ("ctrl-z", "\x1a", 1);
	parse_ok ("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\x00\x1b\x1c\x1d\x1e\x1f", 6);
	parse_ok ("a,b,c", "abc", 3);
	parse_ok ("ctrl-x,x", "\x18x", 2);
	/* A lone "-" or "c" is a character, not a half-written key. */
	parse_ok ("-,c", "-c", 2);

	check_error (detach_keys_parse ("ctrl-P", &k, &err), &err, EINVAL, "unknown key \"ctrl-P\"");
	check_error (detach_keys_parse ("ctrl-1", &k, &err), &err, EINVAL, "unknown key \"ctrl-1\"");
	check_error (detach_keys_parse ("ctrl-", &k, &err), &err, EINVAL, "unknown key \"ctrl-\"");
	check_error (detach_keys_parse ("ctrl-pp", &k, &err), &err, EINVAL, "unknown key \"ctrl-pp\"");
	check_error (detach_keys_parse ("ab", &k, &err), &err, EINVAL, "unknown key \"ab\"");
	check_error (detach_keys_parse ("ctrl-p,", &k, &err), &err, EINVAL, "unknown key \"\"");
	check_error (detach_keys_parse (",ctrl-p", &k, &err), &err, EINVAL, "invalid detach keys \",ctrl-p\"");
	check_error (detach_keys_parse ("ctrl-p,,ctrl-q", &k, &err), &err, EINVAL, "unknown key");
	check_error (detach_keys_parse ("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", &k, &err), &err, EINVAL, "at most 16 keys");
	parse_ok ("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", "abcdefghijklmnop", 16);
	/* Control bytes in the spec stay on one line in the message. */
	check_error (detach_keys_parse ("\n\n", &k, &err), &err, EINVAL, "unknown key \"\\x0a\\x0a\"");
}

/* Feeds IN in chunks of CHUNK bytes; returns the output, sets *hit and
 * *at (the input offset just after the hit). */
static char *
feed (const char *spec, const char *in, size_t n, size_t chunk, bool *hit, size_t *at)
{
	lxcshim_error_t err = NULL;
	struct detach_keys k;
	char *out = xzalloc (n + DETACH_KEYS_MAX + 1);
	size_t o = 0;

	check_ok (detach_keys_parse (spec, &k, &err), &err);
	*hit = false;
	*at = n;
	for (size_t i = 0; i < n && !*hit; i += chunk) {
		size_t len = n - i < chunk ? n - i : chunk;
		o += detach_keys_feed (&k, in + i, len, out + o, hit);
		if (*hit)
			*at = i + len;
	}
	if (!*hit)
		o += detach_keys_flush (&k, out + o);
	out[o] = '\0';
	return out;
}

static void
expect (const char *spec, const char *in, const char *want, bool want_hit)
{
	for (size_t chunk = 1; chunk <= strlen (in) + 1; chunk++) {
		bool hit;
		size_t at;
		char *out = feed (spec, in, strlen (in), chunk, &hit, &at);

		if (strcmp (out, want) != 0 || hit != want_hit)
			fail_msg ("spec %s, input \"%s\" in chunks of %zu: got \"%s\" (hit %d), want \"%s\" (hit %d)", spec, in,
			          chunk, out, hit, want, want_hit);
		free (out);
	}
}

static void
test_match (void **state UNUSED)
{
	/* No keys at all: everything passes. */
	expect ("ctrl-p,ctrl-q", "hello", "hello", false);
	/* The default sequence, alone and after text. */
	expect ("ctrl-p,ctrl-q", "\x10\x11", "", true);
	expect ("ctrl-p,ctrl-q", "ls\x10\x11", "ls", true);
	/* What follows the sequence is never forwarded. */
	expect ("ctrl-p,ctrl-q", "a\x10\x11zzz", "a", true);
	/* A broken sequence: the held ^P is released, in order. */
	expect ("ctrl-p,ctrl-q", "\x10x", "\x10x", false);
	expect ("ctrl-p,ctrl-q", "a\x10" "b\x10" "c", "a\x10" "b\x10" "c", false);
	/* ^P ^P ^Q: the first ^P goes through, the second begins the match. */
	expect ("ctrl-p,ctrl-q", "\x10\x10\x11", "\x10", true);
	/* A held prefix at the end of the input is released by the flush. */
	expect ("ctrl-p,ctrl-q", "ab\x10", "ab\x10", false);
	/* Overlaps: a,a,b in "aaab" matches at the end; a,b,a,c in "ababac". */
	expect ("a,a,b", "aaab", "a", true);
	expect ("a,b,a,c", "ababac", "ab", true);
	expect ("a,b,a,c", "abab", "abab", false);
	expect ("a,b,a,c", "abax", "abax", false);
	/* One key. */
	expect ("ctrl-x", "abc\x18" "def", "abc", true);
	/* NUL is a key like any other. */
	{
		bool hit;
		size_t at;
		char *out = feed ("ctrl-@,x", "ab\0xcd", 6, 1, &hit, &at);
		assert_true (hit);
		assert_int_equal (at, 4);
		assert_string_equal (out, "ab");
		free (out);
	}
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_parse),
		cmocka_unit_test (test_match),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
