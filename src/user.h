/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving "USER[:GROUP]" against a container's /etc/passwd and
 * /etc/group, like libcontainer's GetExecUser.  Pure: it reads only the
 * streams it is given and never consults NSS, so it behaves the same in a
 * static binary inside an arbitrary rootfs and in unit tests. */
#ifndef LXCSHIM_USER_H
#define LXCSHIM_USER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lxcshim.h"

struct lxcshim_user {
	uid_t uid;
	gid_t gid;      /* primary group */
	gid_t *groups;  /* supplementary groups, never containing gid */
	size_t ngroups;
	char *home;     /* never NULL after a successful resolve */
};

/* spec NULL or "" means root.  passwd and group may be NULL (missing
 * files).  On success fills *out, to be freed with user_release(). */
int user_resolve (const char *spec, FILE *passwd, FILE *group, struct lxcshim_user *out,
                  lxcshim_error_t *err);
void user_release (struct lxcshim_user *u);

/* Syntax only: "U" or "U:G", each a name ([A-Za-z0-9_.-]+, not starting
 * with '-') or a number up to 2^32-2.  For early checks on the host. */
int user_spec_check (const char *spec, lxcshim_error_t *err);

#endif
