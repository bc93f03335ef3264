/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/mountpoint.c: path splitting, and mount points made in temp dirs
 * with planted symlinks (nothing may appear outside the tree). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountpoint.h"
#include "util.h"

struct fixture {
	char base[64];
	char *tree, *outside, *lower;
	int tree_fd, lower_fd;
};

static int
setup (void **state)
{
	struct fixture *f = xzalloc (sizeof *f);

	strcpy (f->base, "/tmp/lxcshim-mp.XXXXXX");
	if (mkdtemp (f->base) == NULL)
		return -1;
	f->tree = xasprintf ("%s/tree", f->base);
	f->outside = xasprintf ("%s/outside", f->base);
	f->lower = xasprintf ("%s/lower", f->base);
	if (mkdir (f->tree, 0755) < 0 || mkdir (f->outside, 0755) < 0 || mkdir (f->lower, 0755) < 0)
		return -1;
	f->tree_fd = open (f->tree, O_RDONLY | O_DIRECTORY);
	f->lower_fd = open (f->lower, O_RDONLY | O_DIRECTORY);
	*state = f;
	return f->tree_fd < 0 || f->lower_fd < 0 ? -1 : 0;
}

static int
teardown (void **state)
{
	struct fixture *f = *state;

	close (f->tree_fd);
	close (f->lower_fd);
	rm_rf (f->base, NULL);
	free (f->tree);
	free (f->outside);
	free (f->lower);
	free (f);
	return 0;
}

static char *
at (const char *dir, const char *rel)
{
	return xasprintf ("%s/%s", dir, rel);
}

static bool
exists (const char *dir, const char *rel)
{
	_cleanup_free_ char *p = at (dir, rel);
	struct stat st;

	return lstat (p, &st) == 0;
}

static void
plant (const char *dir, const char *rel, const char *dest)
{
	_cleanup_free_ char *p = at (dir, rel);

	assert_int_equal (symlink (dest, p), 0);
}

static void
make_dir (const char *dir, const char *rel, mode_t mode)
{
	_cleanup_free_ char *p = at (dir, rel);

	assert_int_equal (mkdir (p, mode), 0);
	assert_int_equal (chmod (p, mode), 0);
}

static bool
outside_empty (const struct fixture *f)
{
	DIR *d = opendir (f->outside);
	struct dirent *de;
	bool empty = true;

	while ((de = readdir (d)))
		if (!streq (de->d_name, ".") && !streq (de->d_name, ".."))
			empty = false;
	closedir (d);
	return empty;
}

static void
test_split (void **state UNUSED)
{
	lxcshim_error_t err = NULL;
	char **v = mountpoint_split ("//a/./b//c/", &err);

	assert_non_null (v);
	assert_int_equal (strv_length (v), 3);
	assert_string_equal (v[0], "a");
	assert_string_equal (v[1], "b");
	assert_string_equal (v[2], "c");
	strv_free (v);
	assert_null (mountpoint_split ("a/b", &err));
	check_error (-1, &err, EINVAL, "absolute");
	assert_null (mountpoint_split ("/a/../b", &err));
	check_error (-1, &err, EINVAL, "..");
	assert_null (mountpoint_split ("/a/..", &err));
	check_error (-1, &err, EINVAL, "..");
	assert_null (mountpoint_split ("//./", &err));
	check_error (-1, &err, EINVAL, "must not be /");
	v = mountpoint_split ("/a..b/..c", &err);
	assert_non_null (v);
	assert_int_equal (strv_length (v), 2);
	strv_free (v);
}

static void
test_parent_volume (void **state UNUSED)
{
	struct volume v[] = {
		{ "/h", "/data", false },
		{ "/x", "/data/sub/y", false },
		{ "/z", "/database", false },
		{ "/w", "/data", false },
	};
	char *rest = NULL;

	assert_int_equal (mountpoint_parent_volume (v, 0, &rest), -1);
	assert_null (rest);
	assert_int_equal (mountpoint_parent_volume (v, 1, &rest), 0);
	assert_string_equal (rest, "/sub/y");
	free (rest);
	/* A name prefix is no path prefix; an equal target is no parent. */
	assert_int_equal (mountpoint_parent_volume (v, 2, NULL), -1);
	assert_int_equal (mountpoint_parent_volume (v, 3, NULL), -1);
	assert_true (mountpoint_in_autodev ("/dev/snd"));
	assert_true (mountpoint_in_autodev ("//dev"));
	assert_false (mountpoint_in_autodev ("/devices"));
	assert_false (mountpoint_in_autodev ("/tmp/dev"));
}

static void
test_in_place (void **state)
{
	struct fixture *f = *state;
	lxcshim_error_t err = NULL;
	struct stat st;
	_cleanup_free_ char *p = NULL;

	check_ok (mountpoint_make (f->tree_fd, -1, "/new/deep/dir", true, true, &err), &err);
	p = at (f->tree, "new/deep/dir");
	assert_int_equal (stat (p, &st), 0);
	assert_true (S_ISDIR (st.st_mode));
	assert_int_equal (st.st_mode & 07777, 0755);
	check_ok (mountpoint_make (f->tree_fd, -1, "/new/file", false, true, &err), &err);
	assert_true (exists (f->tree, "new/file"));
	/* Again: existing mount points are fine. */
	check_ok (mountpoint_make (f->tree_fd, -1, "/new/file", false, true, &err), &err);
	check_ok (mountpoint_make (f->tree_fd, -1, "/new/deep/dir", true, true, &err), &err);
	/* Check-only creates nothing. */
	check_ok (mountpoint_make (f->tree_fd, -1, "/other/x", true, false, &err), &err);
	assert_false (exists (f->tree, "other"));
	/* Kind mismatches. */
	check_error (mountpoint_make (f->tree_fd, -1, "/new/file/x", true, true, &err), &err, EINVAL,
	             "/new/file is not a directory");
	check_error (mountpoint_make (f->tree_fd, -1, "/new/deep", false, true, &err), &err, EINVAL,
	             "is a directory");
}

static void
test_symlinks_refused (void **state)
{
	struct fixture *f = *state;
	lxcshim_error_t err = NULL;
	_cleanup_free_ char *abs_out = xstrdup (f->outside);
	_cleanup_free_ char *rel_out = xstrdup ("../outside");

	make_dir (f->tree, "tmp", 01777);
	plant (f->tree, "tmp/abs", abs_out);         /* absolute */
	plant (f->tree, "tmp/rel", rel_out);         /* relative, leaves the tree */
	plant (f->tree, "tmp/chain", "abs");          /* chained */
	plant (f->tree, "tmp/inside", "/tmp");        /* harmless target, still refused */
	plant (f->tree, ".dockerenv", "/nonexistent-lxt-marker"); /* dangling, last */
	for (int create = 0; create <= 1; create++) {
		check_error (mountpoint_make (f->tree_fd, -1, "/tmp/abs/pwned", true, create, &err), &err, EINVAL,
		             "/tmp/abs is a symbolic link");
		check_error (mountpoint_make (f->tree_fd, -1, "/tmp/rel/pwned", false, create, &err), &err, EINVAL,
		             "/tmp/rel is a symbolic link");
		check_error (mountpoint_make (f->tree_fd, -1, "/tmp/chain/a/b", true, create, &err), &err, EINVAL,
		             "symbolic link");
		check_error (mountpoint_make (f->tree_fd, -1, "/tmp/inside/x", true, create, &err), &err, EINVAL,
		             "symbolic link");
		check_error (mountpoint_make (f->tree_fd, -1, "/tmp/abs", true, create, &err), &err, EINVAL,
		             "symbolic link");
		check_error (mountpoint_make (f->tree_fd, -1, "/.dockerenv", false, create, &err), &err, EINVAL,
		             "/.dockerenv is a symbolic link");
	}
	assert_true (outside_empty (f));
	assert_false (exists ("", "nonexistent-lxt-marker"));
}

static void
test_overlay (void **state)
{
	struct fixture *f = *state;
	lxcshim_error_t err = NULL;
	char *p;
	_cleanup_free_ char *abs_out = xstrdup (f->outside);
	struct stat st;

	/* The lower dir as LXC's overlay will show it: /srv (0750, 1:2)
	 * exists there, /etc/hostname is a file, /bad is a symlink. */
	make_dir (f->lower, "srv", 0750);
	p = at (f->lower, "srv");
	assert_int_equal (chown (p, 1, 2), 0);
	free (p);
	make_dir (f->lower, "etc", 0755);
	p = at (f->lower, "etc/hostname");
	close (open (p, O_CREAT | O_WRONLY, 0644));
	free (p);
	plant (f->lower, "bad", abs_out);

	check_ok (mountpoint_make (f->tree_fd, f->lower_fd, "/srv/www", true, true, &err), &err);
	p = at (f->tree, "srv");
	assert_int_equal (stat (p, &st), 0);
	assert_int_equal (st.st_mode & 07777, 0750);
	assert_int_equal (st.st_uid, 1);
	assert_int_equal (st.st_gid, 2);
	free (p);
	assert_true (exists (f->tree, "srv/www"));
	assert_false (exists (f->lower, "srv/www"));
	/* An existing lower file is the mount point: nothing to make. */
	check_ok (mountpoint_make (f->tree_fd, f->lower_fd, "/etc/hostname", false, true, &err), &err);
	assert_false (exists (f->tree, "etc/hostname"));
	check_error (mountpoint_make (f->tree_fd, f->lower_fd, "/etc/hostname/x", true, true, &err), &err, EINVAL,
	             "not a directory");
	check_error (mountpoint_make (f->tree_fd, f->lower_fd, "/bad/x", true, true, &err), &err, EINVAL,
	             "/bad is a symbolic link");
	check_error (mountpoint_make (f->tree_fd, f->lower_fd, "/bad", false, false, &err), &err, EINVAL,
	             "/bad is a symbolic link");
	assert_false (exists (f->tree, "bad"));
	assert_true (outside_empty (f));
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_split),
		cmocka_unit_test (test_parent_volume),
		cmocka_unit_test_setup_teardown (test_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown (test_symlinks_refused, setup, teardown),
		cmocka_unit_test_setup_teardown (test_overlay, setup, teardown),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
