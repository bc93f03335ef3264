/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec -t: a pty made inside the container by the attached process (in the
 * container's own devpts, as runc and crun do), whose master comes back to
 * lxcshim over a socketpair. */
#ifndef LXCSHIM_EXEC_PTY_H
#define LXCSHIM_EXEC_PTY_H

#include <sys/ioctl.h>

#include "lxcshim.h"

/* In the attached process: opens /dev/ptmx, sizes the pty to WS, sends
 * the master over SOCK, makes the slave the controlling terminal of a new
 * session and its stdio 0-2.  Returns 0, or -1 with errno set. */
int exec_pty_child (int sock, const struct winsize *ws);

/* In lxcshim: receives the master from SOCK into *master.  Returns 0 (with
 * *master -1 if the process ended before it sent one), or -1. */
int exec_pty_receive (int sock, int *master, lxcshim_error_t *err);

/* The size for the pty: that of FROM if it is a terminal, else 24x80. */
void exec_pty_size (int from, struct winsize *ws);

#endif
