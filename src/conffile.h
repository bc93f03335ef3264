/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/lxcshim/lxcshim.conf: site defaults in lxc.conf's own "key = value"
 * form.  Keys: root, lxcpath, rootfs, template, net, lxc-include
 * (repeatable), lxc-start (auto or exec).  Blank lines and lines starting with '#' are ignored. */
#ifndef LXCSHIM_CONFFILE_H
#define LXCSHIM_CONFFILE_H

#include <stdbool.h>

#include "lxcshim.h"

#define LXCSHIM_CONFFILE SYSCONFDIR "/lxcshim/lxcshim.conf"

struct conffile {
	char *root, *lxcpath, *rootfs, *template_path, *net;
	char **lxc_includes;
	bool exec_lxc_start; /* lxc-start = exec (default auto) */
};

int conffile_parse (const char *text, const char *path, struct conffile *out, lxcshim_error_t *err);
/* A missing file is an error only if must_exist. */
int conffile_load (const char *path, bool must_exist, struct conffile *out, lxcshim_error_t *err);
void conffile_release (struct conffile *c);

#endif
