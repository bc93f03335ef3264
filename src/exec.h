/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim_exec's two ways: in the caller's process (single-threaded
 * callers such as the lxcshim command: fastest), or, when the caller has
 * other threads, in lxcshim-exec, an exec'd helper that does the same
 * attach, so that the library never forks without exec in a threaded
 * program.  The helper gets the caller's stdio as 0-2, the request as
 * JSON in a memfd (fd 3), answers on a pipe (fd 4) and reads the signals
 * to pass on from a socket (fd 5, a struct signalfd_siginfo a packet). */
#ifndef LXCSHIM_EXEC_H
#define LXCSHIM_EXEC_H

#include <stdbool.h>

#include "lxcshim.h"

#define EXEC_HELPER_REQUEST_FD 3
#define EXEC_HELPER_REPLY_FD 4
#define EXEC_HELPER_SIGNAL_FD 5

/* Every exec option, and the driver's settings the helper needs. */
struct exec_request {
	char *root, *lxcpath, *id;
	char **argv, **env;
	char *user, *workdir;
	bool tty;
	bool has_stdin, has_stdout, has_stderr; /* else -1 (/dev/null) */
};

/* What lxcshim_exec returns: an error (status and message), or the exit. */
struct exec_reply {
	bool failed;
	int status;
	char *error;
	int exit_code;
	char *message;
};

char *exec_request_to_json (const struct exec_request *r);
int exec_request_from_json (const char *text, struct exec_request *r, lxcshim_error_t *err);
void exec_request_release (struct exec_request *r);
char *exec_reply_to_json (const struct exec_reply *r);
int exec_reply_from_json (const char *text, struct exec_reply *r, lxcshim_error_t *err);
void exec_reply_release (struct exec_reply *r);

/* lxcshim-exec's main: one exec as the request on fd 3 says. */
int exec_helper_main (void);

#endif
