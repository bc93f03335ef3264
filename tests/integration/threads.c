/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* threads: several containers run at once from threads of one process
 * through one driver handle; each must report its own exit code. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <lxcshim.h>

#define N 4

static lxcshim_driver_t *driver;

static void *
worker (void *arg)
{
	long i = (long) arg;
	char code[32], name[64];
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	lxcshim_error_t err = NULL;
	lxcshim_spec_t *spec = lxcshim_spec_new ();
	long result = -1;

	opts.stdio.err = STDERR_FILENO;
	snprintf (code, sizeof code, "exit %ld", 10 + i);
	snprintf (name, sizeof name, "thr%dn%ld", (int) getpid (), i);
	argv[2] = code;
	if (lxcshim_spec_set (spec, "name", name, &err) == 0 && lxcshim_spec_set (spec, "rm", "true", &err) == 0 &&
	    lxcshim_spec_set_command (spec, argv, &err) == 0 && lxcshim_run (driver, spec, &opts, &exit_info, &err) == 0)
		result = exit_info.exit_code;
	if (err) {
		fprintf (stderr, "threads: %s: %s\n", name, err->msg);
		lxcshim_error_release (&err);
	}
	lxcshim_exit_release (&exit_info);
	lxcshim_spec_free (spec);
	return (void *) result;
}

int
main (int argc, char **argv)
{
	struct lxcshim_driver_options o = {
		.size = sizeof o,
		.root = argc > 2 ? argv[1] : NULL,
		.lxcpath = argc > 2 ? argv[2] : NULL,
		.init_path = getenv ("LXCSHIM_INIT"),
		.template_path = getenv ("LXCSHIM_TEMPLATE"),
		.rootfs = getenv ("LXCSHIM_ROOTFS"),
		.config_file = "",
	};
	lxcshim_error_t err = NULL;
	pthread_t t[N];
	int bad = 0;

	if (lxcshim_driver_new (&o, &driver, &err) < 0) {
		fprintf (stderr, "threads: %s\n", err->msg);
		return 2;
	}
	for (long i = 0; i < N; i++)
		pthread_create (&t[i], NULL, worker, (void *) i);
	for (long i = 0; i < N; i++) {
		void *r;
		pthread_join (t[i], &r);
		printf ("thread %ld: exit %ld\n", i, (long) r);
		bad |= (long) r != 10 + i;
	}
	lxcshim_driver_free (driver);
	return bad;
}
