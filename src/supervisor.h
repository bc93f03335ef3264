/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor: starts lxc-start, sees the container come up through the
 * init's READY message (no polling), records state.json, watches OOM,
 * forwards signals and reports the workload's real exit status. */
#ifndef LXCSHIM_SUPERVISOR_H
#define LXCSHIM_SUPERVISOR_H

#include <stdbool.h>

#include "attach-stream.h"
#include "control.h"
#include "lxcshim.h"
#include "state.h"
#include "terminal.h"

struct supervisor_config {
	const char *id;
	const char *lxcpath;
	const char *dir;            /* the container's directory (and lock) */
	const char *log_path;       /* lxc.log, mined for the reason of a failed start */
	char *const *argv;          /* from params_argv() */
	char *const *envp;          /* lxc-start's environment */
	/* Always exec lxc-start (lxcshim.conf's "lxc-start = exec"); else
	 * liblxc's start runs in the forked monitor when this process is
	 * single-threaded (lxc-start.h). */
	bool exec_lxc_start;
	bool shared_root;
	unsigned start_timeout_ms;
	const char *unified_mount;
	bool memory_v2;
	struct state *state;        /* pre-filled; updated and written here */
	struct terminal *tty;       /* --tty: relayed to the caller's in/out */
	bool interactive;           /* forward the caller's stdin */
	bool *cgroups_left;         /* out, may be NULL: cgroups of a killed lxc-start could not be removed */
	/* The exec'd supervisor's control socket (protocol.h), served while
	 * the container lives; NULL: none (a foreground run).  Waiters are
	 * left in it for the caller to tell the exit to. */
	struct control_server *control;
	/* Hold the container in "created" after READY until a "start"
	 * request (needs control); ready_hook is called once it is created. */
	bool wait_start;
	void (*ready_hook) (void *data);
	void *ready_data;
	/* The workload's stdio fds are the supervisor's own (its logs):
	 * closed once handed over with GO, so that it keeps none. */
	bool close_stdio_after_go;
	/* The exec'd supervisor's attach hub (attach-stream.h), or NULL: the
	 * workload's output is read here, copied to opts->stdio.out/err (the
	 * logs) and to every attached client; the control socket's attach and
	 * resize verbs reach it.  Its clients are left for the caller to
	 * finish (attach_hub_finish) once the exit is recorded. */
	struct attach_hub *hub;
};

int supervisor_run (const struct supervisor_config *cfg, const struct lxcshim_run_options *opts,
                    struct lxcshim_exit *exit, lxcshim_error_t *err);

/* Docker's convention for a raw wait status: N, or 128+S. */
int exit_code_from_status (int status);

#endif
