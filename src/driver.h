/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The driver handle's internals: resolved settings and host facts,
 * computed once when the handle is made. */
#ifndef LXCSHIM_DRIVER_H
#define LXCSHIM_DRIVER_H

#include <pthread.h>
#include <stdbool.h>

#include "lxcshim.h"

struct lxcshim_driver {
	char *root;
	char *lxcpath;
	char *template_path;
	char *init_path;
	char *supervisor_path; /* lxcshim-supervisor, for detached containers */
	char *rootfs;
	char *lxc_log_level; /* ERROR, WARN, INFO, DEBUG */
	pthread_mutex_t name_lock;
	char *name;          /* "lxc-<liblxc version>", made when first asked (it loads liblxc) */
	bool exec_lxc_start; /* lxcshim.conf: lxc-start = exec */
	char *default_net;   /* from the config file, or NULL */
	char **lxc_includes; /* site lxc.include files, from the config file */
	const char *unified_mount;
	bool memory_v2;
};

char *driver_supervisor_path (const char *init_path);

/* <root>/containers/<id>[/<file>] */
char *driver_container_dir (const lxcshim_driver_t *d, const char *id);
char *driver_container_file (const lxcshim_driver_t *d, const char *id, const char *file);

#endif
