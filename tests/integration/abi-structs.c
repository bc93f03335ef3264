/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* abi-structs: the growable structs and the read-only spec, as a caller
 * sees them.  Prints one "name: result" line per check; abi.sh compares.
 *
 *   abi-structs ROOT LXCPATH OUTDIR
 *
 * OUTDIR gets dry-run.before and dry-run.after: the same spec's dry run
 * before and after it was run twice. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lxcshim.h>

static lxcshim_driver_t *driver;

static void
dry_run (lxcshim_spec_t *spec, const char *dir, const char *name)
{
	char path[4096];
	lxcshim_error_t err = NULL;
	int fd;

	snprintf (path, sizeof path, "%s/%s", dir, name);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || lxcshim_dry_run (driver, spec, fd, &err) < 0)
		printf ("dry-run %s: failed: %s\n", name, err ? err->msg : strerror (errno));
	lxcshim_error_release (&err);
	if (fd >= 0)
		close (fd);
}

/* Runs SPEC with its output in OUTDIR/NAME; prints the generated id. */
static void
run_once (const lxcshim_spec_t *spec, const char *dir, const char *name)
{
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	lxcshim_error_t err = NULL;
	char path[4096];

	snprintf (path, sizeof path, "%s/%s", dir, name);
	opts.stdio.out = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	opts.stdio.err = STDERR_FILENO;
	if (lxcshim_run (driver, spec, &opts, &exit_info, &err) < 0)
		printf ("%s: failed: %s\n", name, err->msg);
	else
		printf ("%s: exit %d id %s\n", name, exit_info.exit_code, exit_info.id ? exit_info.id : "(null)");
	lxcshim_error_release (&err);
	lxcshim_exit_release (&exit_info);
	close (opts.stdio.out);
}

static void
spec_view (const char *when, const lxcshim_spec_t *spec)
{
	printf ("spec %s: id %s rm %d privileged %d\n", when, lxcshim_spec_id (spec) ? lxcshim_spec_id (spec) : "(null)",
	        lxcshim_spec_get_bool (spec, "rm"), lxcshim_spec_get_bool (spec, "privileged"));
}

/* A run with the given struct sizes: prints its status. */
static void
sized_run (const char *what, const lxcshim_spec_t *spec, size_t opts_extra, unsigned char opts_tail,
           size_t exit_size)
{
	struct {
		struct lxcshim_run_options o;
		unsigned char tail[16];
	} big;
	struct {
		struct lxcshim_exit e;
		unsigned char tail[16];
	} ex;
	struct lxcshim_run_options init = LXCSHIM_RUN_OPTIONS_INIT;
	lxcshim_error_t err = NULL;
	bool tail_zeroed = true;

	memset (&big, 0, sizeof big);
	big.o = init;
	big.o.size = sizeof big.o + opts_extra;
	big.tail[opts_extra ? opts_extra - 1 : 0] = opts_tail;
	memset (&ex, 0xff, sizeof ex);
	ex.e.size = exit_size;
	ex.e.message = ex.e.id = NULL;
	if (lxcshim_run (driver, spec, &big.o, &ex.e, &err) < 0)
		printf ("%s: errno %d: %s\n", what, err->status, err->msg);
	else {
		for (size_t i = sizeof ex.e; i < exit_size; i++)
			tail_zeroed &= ((unsigned char *) &ex)[i] == 0;
		printf ("%s: exit %d, exit's unknown tail %s\n", what, ex.e.exit_code, tail_zeroed ? "zeroed" : "NOT zeroed");
		lxcshim_exit_release (&ex.e);
	}
	lxcshim_error_release (&err);
}

int
main (int argc, char **argv)
{
	struct lxcshim_driver_options o = LXCSHIM_DRIVER_OPTIONS_INIT;
	char *cmd[] = { "/bin/sh", "-c", "echo $A $(hostname | wc -c) $(cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)", NULL };
	char *exit3[] = { "/bin/sh", "-c", "exit 3", NULL };
	lxcshim_error_t err = NULL;
	lxcshim_spec_t *spec, *quick;

	if (argc != 4) {
		fprintf (stderr, "usage: abi-structs ROOT LXCPATH OUTDIR\n");
		return 2;
	}
	o.root = argv[1];
	o.lxcpath = argv[2];
	o.init_path = getenv ("LXCSHIM_INIT");
	o.template_path = getenv ("LXCSHIM_TEMPLATE");
	o.rootfs = getenv ("LXCSHIM_ROOTFS");
	o.config_file = "";
	if (lxcshim_driver_new (&o, &driver, &err) < 0) {
		fprintf (stderr, "abi-structs: %s\n", err->msg);
		return 2;
	}

	/* One spec, no name: run twice, it stays as it was. */
	spec = lxcshim_spec_new ();
	if (lxcshim_spec_set (spec, "env", "A=1", &err) < 0 || lxcshim_spec_set (spec, "rm", "true", &err) < 0 ||
	    lxcshim_spec_set (spec, "memory", "64m", &err) < 0 || lxcshim_spec_set_command (spec, cmd, &err) < 0) {
		fprintf (stderr, "abi-structs: %s\n", err->msg);
		return 2;
	}
	spec_view ("before", spec);
	dry_run (spec, argv[3], "dry-run.before");
	run_once (spec, argv[3], "run1");
	run_once (spec, argv[3], "run2");
	spec_view ("after", spec);
	dry_run (spec, argv[3], "dry-run.after");

	/* Struct sizes. */
	quick = lxcshim_spec_new ();
	lxcshim_spec_set (quick, "rm", "true", NULL);
	lxcshim_spec_set_command (quick, exit3, NULL);
	sized_run ("sizes as compiled", quick, 0, 0, sizeof (struct lxcshim_exit));
	sized_run ("newer caller, unset tail", quick, 8, 0, sizeof (struct lxcshim_exit) + 16);
	sized_run ("newer caller, set tail", quick, 8, 1, sizeof (struct lxcshim_exit));
	sized_run ("exit size 0", quick, 0, 0, 0);
	{
		struct lxcshim_driver_options zero = { 0 };
		lxcshim_driver_t *d2 = NULL;
		if (lxcshim_driver_new (&zero, &d2, &err) < 0)
			printf ("driver options size 0: errno %d\n", err->status);
		else
			printf ("driver options size 0: accepted\n");
		lxcshim_error_release (&err);
		lxcshim_driver_free (d2);
	}

	lxcshim_spec_free (quick);
	lxcshim_spec_free (spec);
	lxcshim_driver_free (driver);
	return 0;
}
