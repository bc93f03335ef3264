/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/driver.c: the options and lxcshim.conf values a driver refuses. */
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
#include <unistd.h>

#include "lxcshim.h"
#include "util.h"

static char *
write_conf (const char *text)
{
	char *path = xstrdup ("/tmp/lxcshim-test-conf-XXXXXX");
	int fd = mkstemp (path);

	assert_true (fd >= 0);
	assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
	close (fd);
	return path;
}

/* An empty --root made /containers in the host's /, a relative one a
 * directory wherever lxcshim ran. */
static void
test_driver_paths_absolute (void **state UNUSED)
{
	static const struct {
		const char *root, *lxcpath, *needle;
	} bad[] = {
		{ "", "/var/lib/lxc", "invalid --root \"\": must be an absolute path" },
		{ "rel", "/var/lib/lxc", "invalid --root \"rel\": must be an absolute path" },
		{ "./run", "/var/lib/lxc", "invalid --root \"./run\"" },
		{ "/run/lxcshim", "", "invalid --lxcpath \"\": must be an absolute path" },
		{ "/run/lxcshim", "lxc", "invalid --lxcpath \"lxc\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (bad); i++) {
		struct lxcshim_driver_options o = { .size = sizeof o, .root = bad[i].root, .lxcpath = bad[i].lxcpath, .config_file = "" };
		lxcshim_driver_t *d = NULL;
		lxcshim_error_t err = NULL;

		check_error (lxcshim_driver_new (&o, &d, &err), &err, EINVAL, bad[i].needle);
		assert_null (d);
	}
	{
		struct lxcshim_driver_options o = { .size = sizeof o, .root = "/run/x", .lxcpath = "/var/lib/x", .config_file = "" };
		lxcshim_driver_t *d = NULL;
		lxcshim_error_t err = NULL;

		check_ok (lxcshim_driver_new (&o, &d, &err), &err);
		assert_string_equal (lxcshim_driver_root (d), "/run/x");
		assert_string_equal (lxcshim_driver_lxcpath (d), "/var/lib/x");
		lxcshim_driver_free (d);
	}
}

static void
test_driver_conf_paths_absolute (void **state UNUSED)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "root =\n", "invalid root \"\": must be an absolute path" },
		{ "root = containers\n", "invalid root \"containers\"" },
		{ "lxcpath =\n", "invalid lxcpath \"\": must be an absolute path" },
		{ "lxcpath = var/lib/lxc\n", "invalid lxcpath \"var/lib/lxc\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (bad); i++) {
		char *path = write_conf (bad[i].text);
		char *prefix = xasprintf ("config file %s: ", path);
		struct lxcshim_driver_options o = { .size = sizeof o, .config_file = path };
		lxcshim_driver_t *d = NULL;
		lxcshim_error_t err = NULL;
		int rc = lxcshim_driver_new (&o, &d, &err);

		assert_int_equal (rc, -1);
		assert_non_null (err);
		if (strstr (err->msg, prefix) == NULL)
			fail_msg ("\"%s\" does not name the file (%s)", err->msg, prefix);
		check_error (rc, &err, EINVAL, bad[i].needle);
		assert_null (d);
		/* An explicit option does not excuse a bad file value. */
		o.root = "/run/x";
		o.lxcpath = "/var/lib/x";
		check_error (lxcshim_driver_new (&o, &d, &err), &err, EINVAL, bad[i].needle);
		unlink (path);
		free (prefix);
		free (path);
	}
}

/* A config file is read with the size limit: /dev/zero ends, in error. */
static void
test_driver_conf_limit (void **state UNUSED)
{
	struct lxcshim_driver_options o = { .size = sizeof o, .config_file = "/dev/zero" };
	lxcshim_driver_t *d = NULL;
	lxcshim_error_t err = NULL;

	check_error (lxcshim_driver_new (&o, &d, &err), &err, EFBIG, "/dev/zero is larger than 16777216 bytes");
	assert_null (d);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_driver_paths_absolute),
		cmocka_unit_test (test_driver_conf_paths_absolute),
		cmocka_unit_test (test_driver_conf_limit),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
