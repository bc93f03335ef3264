/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket (protocol.h): the supervisor's server side, polled
 * from its loops, and the client side for lifecycle commands. */
#ifndef LXCSHIM_CONTROL_H
#define LXCSHIM_CONTROL_H

#include <poll.h>
#include <stdbool.h>

#include "lxcshim.h"

#define CONTROL_MAX_CLIENTS 16
/* Poll slots a server needs: the listening socket and every client. */
#define CONTROL_POLLFDS (1 + CONTROL_MAX_CLIENTS)

struct control_client {
	int fd;       /* -1: free slot */
	bool waiting; /* answered; gets "EXIT ..." when the workload ends */
};

struct control_server {
	int listen_fd; /* -1: no server */
	char *path;    /* DIR/control.sock, unlinked by control_server_close */
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

#define CONTROL_SERVER_INIT { .listen_fd = -1 }

/* Binds DIR/control.sock (mode 0600), replacing a stale one. */
int control_server_open (struct control_server *srv, const char *dir, lxcshim_error_t *err);
/* Closes every client and the socket, and unlinks the file. */
void control_server_close (struct control_server *srv);

/* Fills P[0..CONTROL_POLLFDS) (fd -1 where unused). */
void control_server_pollfds (const struct control_server *srv, struct pollfd *p);

/* A request read from client slot IDX: REQ is the whole packet, NUL
 * terminated.  The handler answers with control_reply (and may then
 * control_keep the client, or control_take its fd); a client it leaves
 * alone is closed after the handler returns. */
typedef void (*control_handler) (void *data, struct control_server *srv, int idx, const char *req);

/* Accepts (checking SO_PEERCRED: root only), reads requests, drops
 * clients that hung up.  P as filled by control_server_pollfds. */
void control_server_handle (struct control_server *srv, const struct pollfd *p, control_handler fn, void *data);

/* One packet to client IDX (printf-style; never blocks). */
__attribute__ ((format (printf, 3, 4))) int control_reply (struct control_server *srv, int idx, const char *fmt,
                                                           ...);
/* After the handler: keep IDX open as a waiter for "EXIT ...". */
void control_keep (struct control_server *srv, int idx);
/* After the handler: the fd is the caller's now, the slot is freed. */
int control_take (struct control_server *srv, int idx);
/* "EXIT <code> <oom>" to every waiter, then closes them. */
void control_broadcast_exit (struct control_server *srv, int exit_code, bool oom_killed);

/* ---- clients ----------------------------------------------------- */

/* Connects to DIR/control.sock.  ESRCH "the supervisor of ID is gone
 * (...)" when nobody listens there. */
int control_connect (const char *dir, const char *id, lxcshim_error_t *err);
/* "ERR <errno> <message>" (a supervisor's refusal) into *err: -1; any
 * other reply: 0. */
int control_fail_reply (const char *reply, lxcshim_error_t *err);
/* Sends REQ and reads the answer: 0 with DATA (after "OK ", may be
 * empty) for OK; -1 with *err = (errno, message) for ERR, or for a hang
 * up without an answer. */
int control_call (int fd, const char *id, const char *req, char *data, size_t size, lxcshim_error_t *err);
/* Reads "EXIT <code> <oom>" (blocking). */
int control_read_exit (int fd, const char *id, int *exit_code, bool *oom_killed, lxcshim_error_t *err);

#endif
