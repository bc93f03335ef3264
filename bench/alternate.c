/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alternate: times K commands run in turn, N rounds, so that all see the
 * same machine load (the order rotates each round, so none always runs
 * first); prints each median in microseconds, then the ratio of each
 * later median to the first: "m1 m2 ... mK m2/m1 ... mK/m1".
 * usage: alternate [-r RAW] [-e ERRFILE] [-w WARMUP] N 'CMD1 ...' ['CMD2 ...'...]
 *   words split on spaces; "{}" in a word becomes the round number (w0,
 *   w1... for warm-ups), so each round may use a fresh name;
 *   -r RAW writes every sample, one line per round: "round us1 ... usK
 *   cpu1 ... cpuK", cpu being the user+system microseconds of the command
 *   and every descendant it waited for (wait4's rusage): less sensitive
 *   to the machine's load than the wall time;
 *   -e ERRFILE appends the commands' stderr there (stdin and stdout are
 *   always /dev/null: LXC chmods its stdio). Every command must exit 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
	char **words;
	size_t n;
	double *t, *cpu;
};

static void
split (struct cmd *c, char *s)
{
	c->words = calloc (strlen (s) / 2 + 2, sizeof (char *));
	c->n = 0;
	for (char *tok = strtok (s, " "); tok; tok = strtok (NULL, " "))
		c->words[c->n++] = tok;
}

/* The argv of one round: each word with "{}" replaced by TAG. */
static char **
expand (const struct cmd *c, const char *tag)
{
	char **argv = calloc (c->n + 1, sizeof (char *));

	for (size_t i = 0; i < c->n; i++) {
		const char *w = c->words[i], *p = strstr (w, "{}");
		if (!p) {
			argv[i] = strdup (w);
			continue;
		}
		if (asprintf (&argv[i], "%.*s%s%s", (int) (p - w), w, tag, p + 2) < 0)
			exit (2);
	}
	return argv;
}

static double
run_once (const struct cmd *c, const char *tag, const char *errfile, double *cpu)
{
	struct rusage ru;
	char **argv = expand (c, tag);
	posix_spawn_file_actions_t fa;
	struct timespec a, b;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
	if (errfile)
		posix_spawn_file_actions_addopen (&fa, 2, errfile, O_WRONLY | O_APPEND | O_CREAT, 0600);
	clock_gettime (CLOCK_MONOTONIC, &a);
	if (posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror (argv[0]);
		exit (2);
	}
	wait4 (pid, &status, 0, &ru);
	clock_gettime (CLOCK_MONOTONIC, &b);
	if (cpu)
		*cpu = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
	posix_spawn_file_actions_destroy (&fa);
	if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
		fprintf (stderr, "alternate: %s (round %s) failed (status %#x)\n", argv[0], tag, status);
		exit (2);
	}
	for (size_t i = 0; argv[i]; i++)
		free (argv[i]);
	free (argv);
	return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
}

static int
cmp (const void *x, const void *y)
{
	double a = *(const double *) x, b = *(const double *) y;
	return (a > b) - (a < b);
}

static double
median (double *t, int n)
{
	qsort (t, n, sizeof (double), cmp);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
	const char *raw = NULL, *errfile = NULL;
	int warmup = 3, opt, n, k;
	struct cmd *c;
	FILE *rf = NULL;
	char tag[32];

	while ((opt = getopt (argc, argv, "+r:e:w:")) != -1) {
		switch (opt) {
		case 'r': raw = optarg; break;
		case 'e': errfile = optarg; break;
		case 'w': warmup = atoi (optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind < 2 || (n = atoi (argv[optind])) <= 0)
		goto usage;
	k = argc - optind - 1;
	c = calloc (k, sizeof (*c));
	for (int j = 0; j < k; j++) {
		split (&c[j], argv[optind + 1 + j]);
		if (c[j].n == 0)
			goto usage;
		c[j].t = calloc (n, sizeof (double));
		c[j].cpu = calloc (n, sizeof (double));
	}
	if (raw && !(rf = fopen (raw, "w"))) {
		perror (raw);
		return 2;
	}
	for (int i = 0; i < warmup; i++) {
		snprintf (tag, sizeof tag, "w%d", i);
		for (int j = 0; j < k; j++)
			run_once (&c[j], tag, errfile, NULL);
	}
	for (int i = 0; i < n; i++) {
		snprintf (tag, sizeof tag, "%d", i);
		for (int s = 0; s < k; s++) {
			int j = (i + s) % k;
			c[j].t[i] = run_once (&c[j], tag, errfile, &c[j].cpu[i]);
		}
		if (rf) {
			fprintf (rf, "%d", i);
			for (int j = 0; j < k; j++)
				fprintf (rf, " %.1f", c[j].t[i]);
			for (int j = 0; j < k; j++)
				fprintf (rf, " %.0f", c[j].cpu[i]);
			fputc ('\n', rf);
		}
	}
	if (rf)
		fclose (rf);
	double m0 = median (c[0].t, n);
	printf ("%.0f", m0);
	for (int j = 1; j < k; j++)
		printf (" %.0f", median (c[j].t, n));
	for (int j = 1; j < k; j++)
		printf (" %.3f", median (c[j].t, n) / m0);
	putchar ('\n');
	return 0;
usage:
	fprintf (stderr, "usage: alternate [-r RAW] [-e ERRFILE] [-w WARMUP] N 'CMD1' ['CMD2'...]\n");
	return 2;
}
