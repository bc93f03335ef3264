/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The capability set a container keeps: Docker's default 14, adjusted by
 * --cap-add/--cap-drop.  Names are validated and enumerated with libcap. */
#ifndef LXCSHIM_CAPS_H
#define LXCSHIM_CAPS_H

#include <stdbool.h>

#include "lxcshim.h"

/* Checks one --cap-add/--cap-drop value ("ALL", "NET_ADMIN", "cap_net_admin"). */
int caps_check_name (const char *name, lxcshim_error_t *err);

/* Computes the kept set as lower-case names without "cap_" (lxc.cap.keep's
 * form), in capability-number order.  sys_boot is never kept (ALL means
 * all but it) and naming it in ADD is an error: a reboot() inside must not
 * make lxc-start restart the container. */
int caps_compute_keep (char *const *add, char *const *drop, char ***out, lxcshim_error_t *err);

#endif
