/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Error objects in the style of crun's libcrun_error_t: a function that
 * fails fills *err with an errno and a message and returns -1; each caller
 * may prefix context; only the outermost door (CLI) prints. */
#ifndef LXCSHIM_ERROR_H
#define LXCSHIM_ERROR_H

#include "lxcshim.h"

/* Always returns -1 so that `return lxcshim_fail (err, ...)` reads well. */
int lxcshim_fail (lxcshim_error_t *err, int status, const char *fmt, ...)
	__attribute__ ((format (printf, 3, 4)));

/* Like lxcshim_fail with status = errno. */
int lxcshim_fail_errno (lxcshim_error_t *err, const char *fmt, ...)
	__attribute__ ((format (printf, 2, 3)));

/* "invalid WHAT \"VALUE\": HINT", VALUE escaped so that the message stays
 * on one line whatever the user typed; returns -1 with status EINVAL. */
int lxcshim_fail_value (lxcshim_error_t *err, const char *what, const char *value, const char *hint_fmt, ...)
	__attribute__ ((format (printf, 4, 5)));

/* Prefix the message already in *err with context; returns -1. */
int lxcshim_error_prefix (lxcshim_error_t *err, const char *fmt, ...)
	__attribute__ ((format (printf, 2, 3)));

#endif
