/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The params builder: the exact lxc-start argv for a container, and its
 * printable shell form for --dry-run. */
#ifndef LXCSHIM_PARAMS_H
#define LXCSHIM_PARAMS_H

#include <stdbool.h>

#include "spec.h"

struct params {
	const char *lxc_start;   /* path of lxc-start */
	const char *lxc_version; /* e.g. "5.0.2"; decides -F */
	const char *config_path;
	const char *lxcpath;
	bool shared_root;        /* run in a private mount ns with / rslave */
	const char *log_file;    /* NULL: no -o/-l (the config's log only) */
	const char *log_level;   /* lxc's name, "ERROR" if NULL */
};

/* lxc-start -n ID -f CONFIG -P LXCPATH [-F] -q [-o LOG -l LEVEL] -- INIT
 * [flags] -- CMD... */
char **params_argv (const lxcshim_spec_t *spec, const struct params *p);

/* lxc >= 1.1 daemonizes unless given -F. */
bool params_lxc_needs_foreground (const char *version);

/* Docker's ShellQuoteArguments: bare words stay bare, others go in single
 * quotes with ' written as '\''. */
char *shell_quote (const char *arg);
char *shell_quote_argv (char *const *argv);

/* The command line a user could paste to do what lxcshim does: the argv,
 * wrapped in unshare + mount --make-rslave / when the root is shared. */
char *params_printable (char *const *argv, bool shared_root);

#endif
