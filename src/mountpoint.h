/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount points inside a rootfs, made by lxcshim instead of LXC's
 * create=dir|file (which follows symlinks out of the rootfs). */
#ifndef LXCSHIM_MOUNTPOINT_H
#define LXCSHIM_MOUNTPOINT_H

#include <stdbool.h>

#include "lxcshim.h"
#include "parse.h"

/* The components of an absolute TARGET ("/a//b/./c" -> a b c); refuses
 * a relative path, "..", "/" itself and over-long names (EINVAL). */
char **mountpoint_split (const char *target, lxcshim_error_t *err);

/* Makes TARGET (a directory if DIR, else a file) beneath TREE_FD, the
 * tree that is written: the rootfs itself, or an overlay's upper dir
 * whose lower dir is LOWER_FD (else -1).  Existing components must be
 * real directories (a file at the end for !DIR) in the view LXC will
 * mount in: a symbolic link anywhere is refused (EINVAL), never
 * followed.  With !CREATE it only checks, as far as the path exists. */
int mountpoint_make (int tree_fd, int lower_fd, const char *target, bool dir, bool create, lxcshim_error_t *err);

/* The last volume before VOLS[I] whose target strictly contains VOLS[I]'s
 * (its mount point then lies in that volume's source), or -1; *REST gets
 * the rest of the target ("/c" for /a/b/c under /a/b) when not NULL. */
long mountpoint_parent_volume (const struct volume *vols, size_t i, char **rest);

/* TARGET lies in LXC's own /dev tmpfs (lxc.autodev), which LXC makes
 * fresh for each start: there LXC's create= has no symlink to follow. */
bool mountpoint_in_autodev (const char *target);

#endif
