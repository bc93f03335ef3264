/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oomlat: how long after the kernel's OOM kill a command exits.
 * usage: oomlat COMM CMD [ARG...]
 * Runs CMD (stdin and stdout /dev/null) and waits for it, then finds the
 * kernel's "Killed process PID (COMM)" record in /dev/kmsg and prints
 * "STATUS LATENCY_US": CMD's exit code (or 128+signal) and the time from
 * that record to CMD's exit, both on CLOCK_MONOTONIC.  /dev/kmsg stamps
 * records with the kernel's local clock, so a marker record written just
 * before gives the offset between the two clocks.  LATENCY_US is -1 when
 * no such record was found. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
mono_us (void)
{
	struct timespec t;
	clock_gettime (CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* The next record: its timestamp (us) and message, or 0 when none came
 * within WAIT_MS (a record written a moment ago may not be readable yet). */
static int
next_record (int fd, int wait_ms, double *ts, char **msg)
{
	static char buf[8192];
	ssize_t n;
	unsigned long long us;
	char *semi;

	for (;;) {
		n = read (fd, buf, sizeof buf - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: skip on */
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll (&p, 1, wait_ms) > 0)
				continue;
		}
		if (n <= 0)
			return 0;
		buf[n] = '\0';
		semi = strchr (buf, ';');
		if (!semi || sscanf (buf, "%*u,%*u,%llu", &us) != 1)
			continue;
		*ts = (double) us;
		*msg = semi + 1;
		return 1;
	}
}

int
main (int argc, char **argv)
{
	char mark[128], want[64], *msg;
	double t0, t1, ts, offset = 0, t_exit, t_kill = -1;
	posix_spawn_file_actions_t fa;
	int rfd, wfd, status, found = 0, code;
	pid_t pid;

	if (argc < 3) {
		fprintf (stderr, "usage: oomlat COMM CMD [ARG...]\n");
		return 2;
	}
	rfd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	wfd = open ("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (rfd < 0 || wfd < 0) {
		perror ("/dev/kmsg");
		return 2;
	}
	lseek (rfd, 0, SEEK_END);
	snprintf (mark, sizeof mark, "lxcshim-bench: oomlat mark %d\n", (int) getpid ());
	/* The newline finalizes the record: without it readers see it only
	 * once the next record comes. */
	t0 = mono_us ();
	if (write (wfd, mark, strlen (mark)) < 0) {
		perror ("write /dev/kmsg");
		return 2;
	}
	t1 = mono_us ();
	while (next_record (rfd, 1000, &ts, &msg))
		if (strncmp (msg, mark, strlen (mark) - 1) == 0) {
			offset = ts - (t0 + t1) / 2;
			found = 1;
			break;
		}
	if (!found) {
		fprintf (stderr, "oomlat: marker record not seen in /dev/kmsg\n");
		return 2;
	}

	posix_spawn_file_actions_init (&fa);
	posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp (&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
		perror (argv[2]);
		return 2;
	}
	waitpid (pid, &status, 0);
	t_exit = mono_us ();
	code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);

	snprintf (want, sizeof want, "(%s)", argv[1]);
	while (next_record (rfd, 200, &ts, &msg))
		if (strstr (msg, "Killed process ") && strstr (msg, want))
			t_kill = ts - offset;
	if (t_kill < 0)
		printf ("%d -1\n", code);
	else
		printf ("%d %.0f\n", code, t_exit - t_kill);
	return 0;
}
