/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alternate: times two commands run in turn, N rounds, so that both see
 * the same machine load; prints each median and the ratio B/A... as
 * "median_a_us median_b_us ratio".
 * usage: alternate N 'CMD A ...' 'CMD B ...'   (words split on spaces) */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static char **
split (char *s)
{
	char **argv = calloc (strlen (s) / 2 + 2, sizeof (char *));
	size_t n = 0;

	for (char *tok = strtok (s, " "); tok; tok = strtok (NULL, " "))
		argv[n++] = tok;
	return argv;
}

static double
run_once (char **argv)
{
	struct timespec a, b;
	pid_t pid;
	int status;

	clock_gettime (CLOCK_MONOTONIC, &a);
	if (posix_spawnp (&pid, argv[0], NULL, NULL, argv, environ) != 0) {
		perror (argv[0]);
		exit (2);
	}
	waitpid (pid, &status, 0);
	clock_gettime (CLOCK_MONOTONIC, &b);
	if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
		fprintf (stderr, "alternate: %s failed (status %#x)\n", argv[0], status);
		exit (2);
	}
	return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
}

static int
cmp (const void *x, const void *y)
{
	double a = *(const double *) x, b = *(const double *) y;
	return (a > b) - (a < b);
}

int
main (int argc, char **argv)
{
	int n = argc == 4 ? atoi (argv[1]) : 0;
	char **a, **b;
	double *ta, *tb;

	if (n <= 0) {
		fprintf (stderr, "usage: alternate N 'CMD A' 'CMD B'\n");
		return 2;
	}
	a = split (argv[2]);
	b = split (argv[3]);
	ta = calloc (n, sizeof (double));
	tb = calloc (n, sizeof (double));
	for (int i = 0; i < 3; i++) { /* warm-up */
		run_once (a);
		run_once (b);
	}
	for (int i = 0; i < n; i++) {
		ta[i] = run_once (a);
		tb[i] = run_once (b);
	}
	qsort (ta, n, sizeof (double), cmp);
	qsort (tb, n, sizeof (double), cmp);
	printf ("%.0f %.0f %.3f\n", ta[n / 2], tb[n / 2], tb[n / 2] / ta[n / 2]);
	return 0;
}
