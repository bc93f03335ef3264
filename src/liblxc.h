/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc, loaded the first time a call needs it (dlopen of its soname,
 * once per process), not when lxcshim is loaded: a run, the exec'd
 * supervisor and the commands that read state.json never pay for
 * liblxc and its dependencies (seccomp, selinux, apparmor, ...), which
 * cost about 1 ms per process and 0.6 MiB of the supervisor's RSS.  The
 * container's monitor (lxc-start.h) and exec load it.  liblxc's API
 * past these entry points is the struct lxc_container's methods, which
 * need no lookup.  Safe from any thread. */
#ifndef LXCSHIM_LIBLXC_H
#define LXCSHIM_LIBLXC_H

#include <lxc/lxccontainer.h>

#include "error.h"

/* lxc_container_new; NULL (with a reason in ERR, if given) when liblxc
 * cannot be loaded or refuses. */
struct lxc_container *liblxc_container_new (const char *name, const char *lxcpath, lxcshim_error_t *err);
void liblxc_container_put (struct lxc_container *c);
/* lxc_get_version, or "unknown" without liblxc. */
const char *liblxc_version (void);
/* lxc_get_global_config_item, or NULL without liblxc. */
const char *liblxc_global_config_item (const char *key);
/* lxc_log_init, or -1 without liblxc. */
int liblxc_log_init (struct lxc_log *log);

#endif
