/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* embed: run a command in a container through liblxcshim, watch the OOM fd
 * the start hook hands out, and print how it ended.
 *
 *   cc embed.c $(pkg-config --cflags --libs lxcshim) -o embed
 *   ./embed [-m SIZE] [--root DIR] [--lxcpath DIR] -- CMD [ARG...]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lxcshim.h>

struct watch {
	int oom_fd; /* our dup of the hook's fd, valid after the run */
};

static int
on_start (void *data, const char *id, pid_t init_pid, int oom_fd)
{
	struct watch *w = data;

	printf ("started %s, init pid %d\n", id, (int) init_pid);
	fflush (stdout);
	w->oom_fd = dup (oom_fd);
	return 0;
}

static int
fail (lxcshim_error_t *err)
{
	fprintf (stderr, "embed: %s\n", (*err)->msg);
	lxcshim_error_release (err);
	return 125;
}

int
main (int argc, char **argv)
{
	/* The _INIT macros set each struct's size (so that it can grow
	 * in later versions) and its defaults. */
	struct lxcshim_driver_options dopts = LXCSHIM_DRIVER_OPTIONS_INIT;
	struct watch w = { .oom_fd = -1 };
	struct lxcshim_run_options ropts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	lxcshim_spec_t *spec;
	struct pollfd p;
	int i;

	dopts.config_file = "";
	ropts.stdio.out = STDOUT_FILENO;
	ropts.stdio.err = STDERR_FILENO;
	ropts.start_hook = on_start;
	ropts.hook_data = &w;

	spec = lxcshim_spec_new ();
	for (i = 1; i < argc && strcmp (argv[i], "--") != 0; i++) {
		if (i + 1 >= argc)
			break;
		if (strcmp (argv[i], "-m") == 0 && lxcshim_spec_set (spec, "memory", argv[++i], &err) < 0)
			return fail (&err);
		else if (strcmp (argv[i], "--root") == 0)
			dopts.root = argv[++i];
		else if (strcmp (argv[i], "--lxcpath") == 0)
			dopts.lxcpath = argv[++i];
	}
	if (i + 1 >= argc) {
		fprintf (stderr, "usage: embed [-m SIZE] [--root DIR] [--lxcpath DIR] -- CMD [ARG...]\n");
		return 125;
	}
	/* Developer knobs, as for the lxcshim command. */
	dopts.init_path = getenv ("LXCSHIM_INIT");
	dopts.template_path = getenv ("LXCSHIM_TEMPLATE");
	dopts.rootfs = getenv ("LXCSHIM_ROOTFS");

	if (lxcshim_spec_set (spec, "rm", "true", &err) < 0 || lxcshim_spec_set_command (spec, argv + i + 1, &err) < 0)
		return fail (&err);
	if (lxcshim_driver_new (&dopts, &driver, &err) < 0)
		return fail (&err);
	printf ("driver %s, library %s\n", lxcshim_driver_name (driver), lxcshim_version ());
	if (lxcshim_run (driver, spec, &ropts, &exit_info, &err) < 0)
		return fail (&err);

	p = (struct pollfd) { .fd = w.oom_fd, .events = POLLIN };
	printf ("exit code %d, oom_killed %s, oom fd readable %s\n", exit_info.exit_code,
	        exit_info.oom_killed ? "true" : "false", poll (&p, 1, 0) == 1 ? "yes" : "no");
	close (w.oom_fd);
	lxcshim_exit_release (&exit_info);
	lxcshim_spec_free (spec);
	lxcshim_driver_free (driver);
	return 0;
}
