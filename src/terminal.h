/* The container's terminal for --tty: a pty whose slave becomes the
 * workload's stdio and controlling terminal, and whose master the
 * supervisor relays to the caller's fds. */
#ifndef LXCSHIM_TERMINAL_H
#define LXCSHIM_TERMINAL_H

#include "lxcshim.h"

struct terminal {
	int master, slave;
	char *slave_path;
};

#define TERMINAL_INIT { .master = -1, .slave = -1 }

/* Opens the pty, sized like size_from (a tty fd) or 24x80. */
int terminal_open (struct terminal *t, int size_from, lxcshim_error_t *err);
void terminal_close (struct terminal *t);

/* Copies the window size of FROM (if it is a tty) onto the pty; the kernel
 * then sends SIGWINCH to the workload's foreground process group. */
void terminal_resize (struct terminal *t, int from);

#endif
