/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* user_resolve and user_spec_check over in-memory passwd/group files. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "user.h"
#include "util.h"

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	"bob:x:1001:100::/home/bob:/bin/sh\n"
	"nohome:x:1002:1002:No Home::/bin/sh\n"
	"short:x:1003:1003\n";

static const char group_text[] =
	"root:x:0:root\n"
	"daemon:x:1:\n"
	"users:x:100:alice,bob\n"
	"alice:x:1000:\n"
	"wheel:x:10:root,alice\n"
	"audio:x:29: bob , alice \n"
	"staff:x:50\n"
	"docker:x:999:carol,alice\n";

static FILE *
mem (const char *text)
{
	FILE *f = fmemopen ((void *) text, strlen (text), "r");
	assert_non_null (f);
	return f;
}

struct files {
	FILE *passwd, *group;
};

static void
files_close (struct files *f)
{
	if (f->passwd)
		fclose (f->passwd);
	if (f->group)
		fclose (f->group);
}

/* Resolves spec against the texts (NULL = missing file); expects success. */
static void
resolve_ok (const char *spec, const char *pw, const char *gr, struct lxcshim_user *u)
{
	struct files f = { pw ? mem (pw) : NULL, gr ? mem (gr) : NULL };
	lxcshim_error_t err = NULL;
	int r = user_resolve (spec, f.passwd, f.group, u, &err);

	if (r < 0)
		fail_msg ("user_resolve (%s): %s", spec ? spec : "(null)", err->msg);
	assert_null (err);
	assert_non_null (u->home);
	files_close (&f);
}

/* Expects failure with exactly msg. */
static void
resolve_fails (const char *spec, const char *pw, const char *gr, const char *msg)
{
	struct files f = { pw ? mem (pw) : NULL, gr ? mem (gr) : NULL };
	struct lxcshim_user u = { .uid = 42, .home = NULL };
	lxcshim_error_t err = NULL;

	assert_int_equal (user_resolve (spec, f.passwd, f.group, &u, &err), -1);
	assert_non_null (err);
	assert_string_equal (err->msg, msg);
	assert_null (u.home);
	assert_null (u.groups);
	lxcshim_error_release (&err);
	files_close (&f);
}

static void
assert_groups (const struct lxcshim_user *u, size_t n, const gid_t *want)
{
	assert_int_equal (u->ngroups, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal (u->groups[i], want[i]);
}

static void
test_by_name (void **state)
{
	struct lxcshim_user u;

	resolve_ok ("alice", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1000);
	assert_int_equal (u.gid, 1000);
	assert_string_equal (u.home, "/home/alice");
	user_release (&u);
	assert_null (u.home);
	assert_null (u.groups);
}

static void
test_supplementary_groups (void **state)
{
	struct lxcshim_user u;

	/* In file order, without the primary group, whitespace tolerated. */
	resolve_ok ("alice", passwd_text, group_text, &u);
	assert_groups (&u, 4, (const gid_t[]) { 100, 10, 29, 999 });
	user_release (&u);

	/* bob's primary group 100 lists him too: not repeated. */
	resolve_ok ("bob", passwd_text, group_text, &u);
	assert_int_equal (u.gid, 100);
	assert_groups (&u, 1, (const gid_t[]) { 29 });
	user_release (&u);

	/* Listed twice: added once. */
	resolve_ok ("bob", passwd_text, "a:x:7:bob\nb:x:7:bob\nc:x:8:bob,bob\n", &u);
	assert_groups (&u, 2, (const gid_t[]) { 7, 8 });
	user_release (&u);

	/* A member name is matched whole, not as a prefix. */
	resolve_ok ("bob", passwd_text, "a:x:7:bobby,bo\n", &u);
	assert_groups (&u, 0, NULL);
	assert_null (u.groups);
	user_release (&u);
}

static void
test_by_uid_known (void **state)
{
	struct lxcshim_user u;

	/* Found by uid: takes gid, home and groups from the entry. */
	resolve_ok ("1000", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1000);
	assert_int_equal (u.gid, 1000);
	assert_string_equal (u.home, "/home/alice");
	assert_groups (&u, 4, (const gid_t[]) { 100, 10, 29, 999 });
	user_release (&u);

	resolve_ok ("1", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1);
	assert_int_equal (u.gid, 1);
	assert_string_equal (u.home, "/usr/sbin");
	user_release (&u);
}

static void
test_by_uid_unknown (void **state)
{
	struct lxcshim_user u;

	resolve_ok ("4242", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 4242);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/");
	assert_groups (&u, 0, NULL);
	user_release (&u);

	/* The largest valid id. */
	resolve_ok ("4294967294", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 4294967294U);
	user_release (&u);
}

static void
test_name_group (void **state)
{
	struct lxcshim_user u;

	resolve_ok ("alice:users", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1000);
	assert_int_equal (u.gid, 100);
	assert_string_equal (u.home, "/home/alice");
	/* An explicit group is all the user gets, as in docker. */
	assert_groups (&u, 0, NULL);
	user_release (&u);

	/* A group without a member list still resolves. */
	resolve_ok ("daemon:staff", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1);
	assert_int_equal (u.gid, 50);
	user_release (&u);

	/* Numeric gid that is in the file, and one that is not. */
	resolve_ok ("alice:10", passwd_text, group_text, &u);
	assert_int_equal (u.gid, 10);
	user_release (&u);
	resolve_ok ("alice:31337", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1000);
	assert_int_equal (u.gid, 31337);
	user_release (&u);
}

static void
test_uid_gid (void **state)
{
	struct lxcshim_user u;

	resolve_ok ("5000:6000", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 5000);
	assert_int_equal (u.gid, 6000);
	assert_string_equal (u.home, "/");
	assert_groups (&u, 0, NULL);
	user_release (&u);

	/* A known uid with an explicit gid keeps the passwd home. */
	resolve_ok ("1001:0", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1001);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/home/bob");
	user_release (&u);

	/* Numeric user with a named group. */
	resolve_ok ("5000:wheel", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 5000);
	assert_int_equal (u.gid, 10);
	user_release (&u);
}

static void
test_unknown_group (void **state)
{
	resolve_fails ("alice:nosuch", passwd_text, group_text,
	               "unable to find group nosuch: no matching entries in group file");
	resolve_fails ("1000:nosuch", passwd_text, NULL,
	               "unable to find group nosuch: no matching entries in group file");
	/* A user name is not a group name. */
	resolve_fails ("bob:bob", passwd_text, group_text,
	               "unable to find group bob: no matching entries in group file");
}

static void
test_unknown_user (void **state)
{
	resolve_fails ("carol", passwd_text, group_text,
	               "unable to find user carol: no matching entries in passwd file");
	resolve_fails ("carol:users", passwd_text, group_text,
	               "unable to find user carol: no matching entries in passwd file");
	/* Names are case sensitive. */
	resolve_fails ("Alice", passwd_text, group_text,
	               "unable to find user Alice: no matching entries in passwd file");
}

static void
test_home_fallback (void **state)
{
	struct lxcshim_user u;

	/* Empty home field. */
	resolve_ok ("nohome", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1002);
	assert_string_equal (u.home, "/");
	user_release (&u);

	/* Line without the home field at all. */
	resolve_ok ("short", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 1003);
	assert_int_equal (u.gid, 1003);
	assert_string_equal (u.home, "/");
	user_release (&u);
}

static void
test_null_files (void **state)
{
	struct lxcshim_user u;

	resolve_ok (NULL, NULL, NULL, &u);
	assert_int_equal (u.uid, 0);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/");
	assert_groups (&u, 0, NULL);
	user_release (&u);

	resolve_ok ("123:456", NULL, NULL, &u);
	assert_int_equal (u.uid, 123);
	assert_int_equal (u.gid, 456);
	assert_string_equal (u.home, "/");
	user_release (&u);

	/* passwd present, group missing: no supplementary groups. */
	resolve_ok ("alice", passwd_text, NULL, &u);
	assert_int_equal (u.uid, 1000);
	assert_groups (&u, 0, NULL);
	user_release (&u);

	resolve_fails ("alice", NULL, group_text,
	               "unable to find user alice: no matching entries in passwd file");
	resolve_fails ("0:users", NULL, NULL,
	               "unable to find group users: no matching entries in group file");
}

static void
test_malformed_lines (void **state)
{
	static const char pw[] =
		"# a comment\n"
		"\n"
		"   \n"
		"garbage\n"
		"alice:x\n"
		"alice:x:abc:1000:::\n"
		"alice:x:1000:-1:::\n"
		"alice:x:99999999999:1:::\n"
		":x:7:7:::\n"
		"#alice:x:1:1::/comment:\n"
		"  alice:x:1000:1000:Alice:/home/alice:/bin/sh  \r\n"
		"alice:x:2000:2000::/second:\n";
	static const char gr[] =
		"# comment listing alice:x:1:alice\n"
		"bad\n"
		"users:x:notanumber:alice\n"
		":x:5:alice\n"
		"ok:x:77:alice\n"
		"ok2:x:78:alice";
	struct lxcshim_user u;

	/* The first well-formed line wins; no trailing newline is fine. */
	resolve_ok ("alice", pw, gr, &u);
	assert_int_equal (u.uid, 1000);
	assert_int_equal (u.gid, 1000);
	assert_string_equal (u.home, "/home/alice");
	assert_groups (&u, 2, (const gid_t[]) { 77, 78 });
	user_release (&u);

	/* The uid of a malformed line does not match. */
	resolve_ok ("7", pw, gr, &u);
	assert_int_equal (u.uid, 7);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/");
	user_release (&u);

	resolve_fails ("garbage", pw, gr, "unable to find user garbage: no matching entries in passwd file");
	resolve_fails ("alice:users", pw, gr, "unable to find group users: no matching entries in group file");
}

static void
test_root_default (void **state)
{
	struct lxcshim_user u;

	resolve_ok (NULL, passwd_text, group_text, &u);
	assert_int_equal (u.uid, 0);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/root");
	assert_groups (&u, 1, (const gid_t[]) { 10 });
	user_release (&u);

	resolve_ok ("", passwd_text, group_text, &u);
	assert_int_equal (u.uid, 0);
	assert_string_equal (u.home, "/root");
	user_release (&u);

	/* No root entry. */
	resolve_ok ("", "alice:x:1000:1000::/home/alice:\n", group_text, &u);
	assert_int_equal (u.uid, 0);
	assert_int_equal (u.gid, 0);
	assert_string_equal (u.home, "/");
	user_release (&u);
}

static void
test_numeric_name (void **state)
{
	struct lxcshim_user u;

	/* A numeric spec also matches a user of that name; first line wins. */
	resolve_ok ("1234", "1234:x:5:6::/h5:\nx:x:1234:1::/hx:\n", NULL, &u);
	assert_int_equal (u.uid, 5);
	assert_int_equal (u.gid, 6);
	assert_string_equal (u.home, "/h5");
	user_release (&u);
}

static void
test_invalid_spec_resolve (void **state)
{
	resolve_fails ("a:b:c", passwd_text, group_text,
	               "invalid user \"a:b:c\": expected USER or USER:GROUP, each a name "
	               "([A-Za-z0-9_.-]+, not starting with '-') or a number up to 4294967294");
	resolve_fails ("4294967295", passwd_text, group_text,
	               "invalid user \"4294967295\": expected USER or USER:GROUP, each a name "
	               "([A-Za-z0-9_.-]+, not starting with '-') or a number up to 4294967294");
}

static void
test_spec_check (void **state)
{
	static const char *good[] = {
		NULL, "", "root", "0", "1000", "alice:users", "1000:1000", "a.b_c-d", "_x",
		"4294967294", "4294967294:4294967294", "00012", "x-:y.", "Alice9:G9",
	};
	static const char *bad[] = {
		":", "alice:", ":users", "a:b:c", "-alice", "alice:-g", "4294967295",
		"99999999999999999999999", "al ice", "alice\n", "al/ice", "+1", "-1", "1e3x:", "ä",
		"alice:gr oup", "a$", "alice::", "0:4294967295",
	};

	for (size_t i = 0; i < ARRAY_SIZE (good); i++) {
		lxcshim_error_t err = NULL;
		if (user_spec_check (good[i], &err) != 0)
			fail_msg ("\"%s\" rejected: %s", good[i] ? good[i] : "(null)", err ? err->msg : "?");
		assert_null (err);
	}
	for (size_t i = 0; i < ARRAY_SIZE (bad); i++) {
		lxcshim_error_t err = NULL;
		if (user_spec_check (bad[i], &err) != -1)
			fail_msg ("\"%s\" accepted", bad[i]);
		assert_non_null (err);
		assert_int_equal (err->status, EINVAL);
		assert_non_null (strstr (err->msg, "invalid user \""));
		/* One line, whatever the input held. */
		assert_null (strchr (err->msg, '\n'));
		lxcshim_error_release (&err);
	}

	/* The bad value is named, escaped. */
	lxcshim_error_t err = NULL;
	assert_int_equal (user_spec_check ("a\nb", &err), -1);
	assert_non_null (strstr (err->msg, "\"a\\x0ab\""));
	lxcshim_error_release (&err);

	/* A NULL err is allowed. */
	assert_int_equal (user_spec_check ("a:b:c", NULL), -1);
}

/* A container can make its passwd or group file /dev/zero: the read ends
 * at the limit instead of growing one endless line. */
static void
test_endless_files (void **state)
{
	struct lxcshim_user u = { .uid = 42, .home = NULL };
	lxcshim_error_t err = NULL;
	FILE *zero = fopen ("/dev/zero", "re");
	FILE *gr = mem (group_text);

	(void) state;
	assert_non_null (zero);
	assert_int_equal (user_resolve ("alice", zero, gr, &u, &err), -1);
	assert_non_null (err);
	assert_int_equal (err->status, EFBIG);
	assert_non_null (strstr (err->msg, "passwd file is larger than 16777216 bytes"));
	lxcshim_error_release (&err);
	fclose (zero);
	fclose (gr);

	zero = fopen ("/dev/zero", "re");
	assert_int_equal (user_resolve ("0:wheel", NULL, zero, &u, &err), -1);
	assert_non_null (err);
	assert_int_equal (err->status, EFBIG);
	assert_non_null (strstr (err->msg, "group file is larger than"));
	lxcshim_error_release (&err);
	fclose (zero);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_by_name),
		cmocka_unit_test (test_supplementary_groups),
		cmocka_unit_test (test_by_uid_known),
		cmocka_unit_test (test_by_uid_unknown),
		cmocka_unit_test (test_name_group),
		cmocka_unit_test (test_uid_gid),
		cmocka_unit_test (test_unknown_group),
		cmocka_unit_test (test_unknown_user),
		cmocka_unit_test (test_home_fallback),
		cmocka_unit_test (test_null_files),
		cmocka_unit_test (test_malformed_lines),
		cmocka_unit_test (test_root_default),
		cmocka_unit_test (test_numeric_name),
		cmocka_unit_test (test_invalid_spec_resolve),
		cmocka_unit_test (test_spec_check),
		cmocka_unit_test (test_endless_files),
	};

	return cmocka_run_group_tests (tests, NULL, NULL);
}
