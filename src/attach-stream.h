/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attach stream: what flows over a control-socket connection
 * (protocol.h) after the supervisor answered "attach" with OK, and the
 * supervisor's side of it, the hub that fans the workload's output out to
 * every attached client and merges their input into the workload's stdin.
 *
 * Frames, both ways: a type byte, a 16-bit big-endian length, then that
 * many bytes (at most ATTACH_FRAME_MAX).  Each frame is sent as one packet
 * on the SOCK_SEQPACKET connection; the reader also copes with any
 * chunking (a SOCK_STREAM peer).
 *
 *   client -> supervisor
 *     'W' rows, cols (2 x 16-bit BE)     the client's window size (resize)
 *     'I' bytes                          stdin for the workload
 *     'E'                                the client's stdin ended (from a
 *                                        "stdin once" client, on a pipe:
 *                                        the workload's stdin is closed
 *                                        once what came before is fed)
 *   supervisor -> client
 *     'O' bytes                          stdout (with a tty: the terminal)
 *     'R' bytes                          stderr (never with a tty)
 *     'X' code, oom, [message]           the workload ended (code 32-bit BE,
 *                                        oom 1 byte, then, if any, why it
 *                                        never ran: the line a foreground
 *                                        run prints, e.g. "exec: /nope: No
 *                                        such file or directory" with 127;
 *                                        no newline); then EOF
 *
 * A client that falls more than ATTACH_QUEUE_MAX bytes behind is
 * disconnected (it gets EOF and says so): it never blocks the workload or
 * the other clients, and it never sees output with a hole in it. */
#ifndef LXCSHIM_ATTACH_STREAM_H
#define LXCSHIM_ATTACH_STREAM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct control_server;

#define ATTACH_FRAME_MAX 16384
#define ATTACH_HEADER 3
#define ATTACH_QUEUE_MAX ((size_t) 1 << 20)
#define ATTACH_CLIENTS_MAX 32

#define ATTACH_STDIN 1
#define ATTACH_TTY 2
#define ATTACH_STDIN_ONCE 4 /* a client's: its 'E' closes the workload's stdin pipe */

/* Appends one frame (N <= ATTACH_FRAME_MAX) to B. */
void attach_frame_add (struct buf *b, char type, const void *data, size_t n);
/* Encodes and writes one frame in full (blocking fd). */
int attach_frame_send (int fd, char type, const void *data, size_t n);

/* Incremental decoding of what a connection delivers in any chunks. */
struct frame_reader {
	unsigned char buf[ATTACH_HEADER + ATTACH_FRAME_MAX];
	size_t len;
	size_t consumed; /* of the last frame handed out */
};

/* Reads what FD has into R: 1 got bytes, 0 EOF, -1 error (EAGAIN
 * included: errno tells). */
int frame_reader_fill (struct frame_reader *r, int fd);
/* The next whole frame, if there is one: 1 with *type, *data, *n (valid
 * until the next call), 0 if more bytes are needed, -1 if the stream is
 * corrupt (a length over ATTACH_FRAME_MAX). */
int frame_reader_next (struct frame_reader *r, char *type, const unsigned char **data, size_t *n);

struct attach_client {
	int fd;
	struct frame_reader in;
	struct buf out; /* queued frames */
	size_t out_off;
	size_t frame_left; /* of the frame being sent */
	bool stdin;     /* forwards its stdin */
	bool stdin_once; /* its 'E' ends the workload's stdin (docker's StdinOnce) */
	bool closing;   /* flush what is queued, then close */
};

/* The supervisor's side.  Input from every client with stdin goes, in the
 * order it arrives, to in_fd (the pty master or the stdin pipe); resizes
 * go to tty_fd.  The hub never blocks: the connections are non-blocking,
 * and a client's input is not read while in_fd has not taken the last. */
struct attach_hub {
	struct attach_client *clients[ATTACH_CLIENTS_MAX];
	size_t n;
	int in_fd;      /* -1: the container has no stdin to feed */
	int tty_fd;     /* -1: no terminal */
	size_t queue_max;
	struct buf in;  /* input not yet taken by in_fd */
	size_t in_off;
	bool in_eof;    /* a stdin-once 'E' on a pipe: close in_fd once fed */
	bool in_closed; /* ... done: in_fd's number now holds /dev/null */
	size_t dropped; /* clients disconnected for being slow */
};

/* in_fd and tty_fd stay the caller's; -1 for none. */
void attach_hub_init (struct attach_hub *h, int in_fd, int tty_fd);
/* Takes CONN (a connected socket) as a client, with stdin if FLAGS has
 * ATTACH_STDIN (and the container has one), stdin once with
 * ATTACH_STDIN_ONCE too.  -1 (CONN left to the caller)
 * when ATTACH_CLIENTS_MAX are attached already. */
int attach_hub_add (struct attach_hub *h, int conn, unsigned flags);
/* What the container offers: ATTACH_TTY, ATTACH_STDIN. */
unsigned attach_hub_flags (const struct attach_hub *h);
/* The workload wrote N bytes to stream TYPE ('O' or 'R'). */
void attach_hub_output (struct attach_hub *h, char type, const void *data, size_t n);
/* The poll entries the hub needs: at most ATTACH_HUB_POLLFDS. */
#define ATTACH_HUB_POLLFDS (ATTACH_CLIENTS_MAX + 1)
size_t attach_hub_poll (struct attach_hub *h, struct pollfd *p);
void attach_hub_handle (struct attach_hub *h, const struct pollfd *p, size_t n);
/* The workload ended: every client gets 'X' (with MESSAGE, if not NULL,
 * cut to fit a frame), flushed for at most TIMEOUT_MS overall (the
 * supervisor is about to exit), then the hub is released. */
void attach_hub_finish (struct attach_hub *h, int code, bool oom_killed, const char *message, int timeout_ms);
/* Decodes an 'X' payload of N bytes: -1 if it is too short; *message
 * NULL without one, else malloc'd. */
int attach_exit_decode (const unsigned char *d, size_t n, int *code, bool *oom_killed, char **message);
void attach_hub_release (struct attach_hub *h);

/* The control socket's "attach [stdin]" and "resize ROWS COLS" verbs for
 * client IDX of SRV (H NULL: this supervisor has no hub to offer, a
 * foreground run).  Returns false when REQ is neither verb. */
bool attach_hub_request (struct attach_hub *h, struct control_server *srv, int idx, const char *req);

#endif
