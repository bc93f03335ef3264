/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim-supervisor DIR: the exec'd supervisor of one detached container
 * (see protocol.h and detached.c).  Not for direct use. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "detached.h"
#include "protocol.h"

int
main (int argc, char **argv)
{
	pid_t pid;

	if (argc != 2 || argv[1][0] != '/') {
		fputs ("usage: lxcshim-supervisor DIR (started by liblxcshim, not by hand)\n", stderr);
		return 125;
	}
	/* Whatever the spawner leaked beyond the notify pipe. */
	syscall (SYS_close_range, LXCSHIM_TTY_SLAVE_FD + 1U, ~0U, 0U);
	/* Nobody's child: the spawner reaps this first process at once. */
	pid = fork ();
	if (pid < 0)
		return 125;
	if (pid > 0)
		_exit (0);
	signal (SIGPIPE, SIG_IGN);
	return detached_main (argv[1]);
}
