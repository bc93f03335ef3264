/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What supervises a container, in the caller (a foreground run) or in an
 * exec'd lxcshim-supervisor (detached, create): the arguments both get,
 * their file form (DIR/supervisor.json), the spawn and the exec'd side. */
#ifndef LXCSHIM_DETACHED_H
#define LXCSHIM_DETACHED_H

#include <stdbool.h>

#include "attach-stream.h"
#include "control.h"
#include "lxcshim.h"
#include "terminal.h"

struct supervise_args {
	/* Kept in supervisor.json. */
	char *id, *lxcpath, *dir, *log_path, *config_path, *rootfs;
	char **argv;    /* lxc-start's, from params_argv() */
	char **command; /* the workload's, for state.json */
	bool shared_root, rm, interactive, tty;
	bool exec_lxc_start; /* lxcshim.conf's lxc-start = exec */
	bool autostart; /* detached run: GO at once; else (create) wait for "start" */
	unsigned start_timeout_ms;
	/* Host facts, found by whoever supervises. */
	const char *unified_mount;
	bool memory_v2;
	/* The caller's only: the pty of a tty, passed to the supervisor as
	 * LXCSHIM_TTY_MASTER_FD and LXCSHIM_TTY_SLAVE_FD. */
	int tty_master, tty_slave;
	/* The exec'd supervisor's only. */
	struct control_server *control;
	struct attach_hub *hub;
	void (*ready_hook) (void *data);
	void *ready_data;
};

/* Supervises from lxc-start to the workload's exit.  *keep: the
 * record must stay (--rm or not) because cgroups are left. */
int run_supervise (const struct supervise_args *a, struct terminal *tty, const struct lxcshim_run_options *opts,
                   struct lxcshim_exit *exit, bool *keep, lxcshim_error_t *err);

/* Removes DIR under its lock (--rm, a failed start). */
void run_remove_dir (const char *dir);

/* Writes A as DIR/supervisor.json, execs SUPERVISOR for it (posix_spawn,
 * own session, stdio /dev/null) and waits for its word: 0 once the
 * container is created (running with autostart), else -1 with its
 * reason.  The caller removes DIR on failure. */
int detached_spawn (const char *supervisor, const struct supervise_args *a, lxcshim_error_t *err);

/* supervisor.json: A as JSON (free it), and back (into a zeroed A; WHAT
 * names the document in errors), over one table of the fields. */
char *detached_args_to_json (const struct supervise_args *a);
int detached_args_from_json (const char *text, struct supervise_args *a, const char *what, lxcshim_error_t *err);
void detached_args_release (struct supervise_args *a);

/* The environment for an exec'd helper (PATH, the sanitizers' settings). */
char **detached_helper_env (void);

/* lxcshim-supervisor's main (after its daemonizing fork): reads
 * DIR/supervisor.json and supervises.  Returns the process's exit code. */
int detached_main (const char *dir);

#endif
