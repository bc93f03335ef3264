/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc's start in this process, as lxc-start would do it: the start
 * path of a single-threaded supervisor (the CLI's foreground run, the
 * exec'd lxcshim-supervisor), which forks and becomes the container's
 * monitor without exec'ing lxc-start and loading liblxc a second time.
 * Its input is the very lxc-start argv that --dry-run prints, parsed
 * back, so the two cannot drift apart. */
#ifndef LXCSHIM_LXC_START_H
#define LXCSHIM_LXC_START_H

#include <stdbool.h>

#include "error.h"

struct lxc_start_call {
	const char *name;      /* -n */
	const char *config;    /* -f */
	const char *lxcpath;   /* -P */
	const char *log_file;  /* -o, or NULL */
	const char *log_level; /* -l, or NULL */
	bool foreground;       /* -F */
	bool quiet;            /* -q */
	char *const *argv;     /* after "--": the init and its arguments */
};

/* Fills CALL from ARGV (params_argv()'s form; CALL points into it).
 * Refuses any option params_argv() does not write. */
int lxc_start_call_parse (char *const *argv, struct lxc_start_call *call, lxcshim_error_t *err);

/* In the forked child that is to be the monitor (fds and signals already
 * set up, the process single-threaded): loads the config, starts the
 * container in the foreground and exits 0 once it has ended, 1 if it
 * could not start (lxc-start's exit codes; the reason is in the log). */
_Noreturn void lxc_start_call_run (const struct lxc_start_call *call, char *const *envp);

#endif
