/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's terminal for --tty: a pty whose slave becomes the
 * workload's stdio and controlling terminal, and whose master the
 * supervisor relays to the caller's fds. */
#ifndef LXCSHIM_TERMINAL_H
#define LXCSHIM_TERMINAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "lxcshim.h"

struct terminal {
	int master, slave;
	char *slave_path;
};

#define TERMINAL_INIT { .master = -1, .slave = -1 }

/* Opens the pty, sized like size_from (a tty fd) or 24x80. */
int terminal_open (struct terminal *t, int size_from, lxcshim_error_t *err);
void terminal_close (struct terminal *t);

/* One direction of the --tty relay.  Reads only when the buffer is empty,
 * so a slow reader on the far side throttles the workload instead of
 * growing memory; writes go out in PIPE_BUF pieces after POLLOUT so that a
 * blocking caller fd never blocks the supervisor. */
struct relay {
	int from, to;
	char buf[4096];
	size_t len, off;
	bool from_done, to_broken;
};

void relay_poll (struct relay *r, struct pollfd *rd, struct pollfd *wr);
void relay_handle (struct relay *r, const struct pollfd *rd, const struct pollfd *wr);
/* Copies out what is left once the writers are gone (until EIO). */
void relay_drain (struct relay *r);

/* Copies the window size of FROM (if it is a tty) onto the pty; the kernel
 * then sends SIGWINCH to the workload's foreground process group. */
void terminal_resize (struct terminal *t, int from);

#endif
