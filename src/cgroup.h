/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cgroup paths of a process, read from /proc/PID/cgroup (never computed:
 * lxc picks suffixed names when a name is taken), and their cleanup. */
#ifndef LXCSHIM_CGROUP_H
#define LXCSHIM_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lxcshim.h"
#include "state.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Maps each controller of a /proc/PID/cgroup text to its directory:
 * "memory" -> /sys/fs/cgroup/memory/<path>; the v2 line ("0::") becomes
 * key "unified" under unified_mount (NULL: no v2 hierarchy). */
void cgroup_parse_proc (const char *text, const char *unified_mount, struct kv **out, size_t *n);

int cgroup_paths_of_pid (pid_t pid, const char *unified_mount, struct kv **out, size_t *n, lxcshim_error_t *err);

/* Where cgroup2 is mounted on this host: /sys/fs/cgroup/unified on a
 * hybrid host, /sys/fs/cgroup on a pure v2 one, NULL if nowhere. */
const char *cgroup_unified_mount (void);

/* True if the memory controller is on cgroup2 (no v1 memory hierarchy). */
bool cgroup_memory_is_v2 (void);

/* For lxc's ".../lxc.payload.NAME" or ".../lxc.monitor.NAME", the
 * sibling ".../lxc.KIND.NAME" (KIND "payload" or "monitor"); NULL for any
 * other path.  NAME is taken from the path, never computed: lxc may have
 * suffixed it. */
char *cgroup_lxc_sibling (const char *dir, const char *kind);

/* Removes DIR and any child cgroups; ENOENT counts as success. */
int cgroup_remove (const char *dir, lxcshim_error_t *err);

/* Is BASE (a directory name) "lxc.payload.ID" or lxc's suffixed
 * "lxc.payload.ID-N"? */
bool cgroup_is_payload_of (const char *base, const char *id);

/* Does a process whose cgroups are LIVE belong to the container ID whose
 * recorded cgroup_paths are REC?  At least one recorded path must be
 * ID's own lxc.payload.ID[-N] cgroup, and the process must be in each
 * such one (or below it); other recorded paths are ignored.  False with the reason in
 * WHY otherwise.  Pure: for pid checks before a signal. */
bool cgroup_matches_record (const struct kv *rec, size_t nrec, const struct kv *live, size_t nlive, const char *id,
                            char *why, size_t size);

/* Removes what a SIGKILLed lxc-start leaves: lxc.payload.NAME and
 * lxc.monitor.NAME next to each of CG's paths that is ID's own payload
 * cgroup (NAME as recorded: lxc may have suffixed it).  Nothing is
 * removed while any of them holds a process: then it belongs to a live
 * container (ours still stopping, or a later one that took the name). */
int cgroup_remove_leftovers (const struct kv *cg, size_t n, const char *id, lxcshim_error_t *err);

/* Is any of those directories still there? */
bool cgroup_leftovers_exist (const struct kv *cg, size_t n, const char *id);

/* A number from DIR/FILE: its first line, or the value after "KEY " in
 * it when KEY is given.  "max" (v2) and v1's "no limit" are
 * LXCSHIM_UNLIMITED.  0 if unreadable. */
uint64_t cgroup_read_u64 (const char *dir, const char *file, const char *key);

/* Memory, cpu and pids figures from the container's recorded cgroups CG,
 * from whichever hierarchy holds each controller (v1 or cgroup2). */
void cgroup_stats (const struct kv *cg, size_t n, struct lxcshim_stats *st);

/* 1 frozen (v1 FROZEN/FREEZING, v2 cgroup.freeze 1), 0 thawed, -1 unknown. */
int cgroup_frozen (const struct kv *cg, size_t n);

/* The pids in the container's cgroup and its children (on v2 attached
 * processes sit in a child leaf such as .lxc), unsorted, unique. */
int cgroup_pids (const struct kv *cg, size_t n, pid_t **v, size_t *count, lxcshim_error_t *err);

/* Is CTRL a word of a cgroup.controllers / subtree_control TEXT? */
bool cgroup_list_has (const char *text, const char *ctrl);

/* Can this host honour a limit (FLAG, for the message) that needs
 * controller CTRL?  On v1 its hierarchy must be mounted; on cgroup2 it
 * must be available where LXC creates the container's cgroup.  EINVAL
 * with the reason otherwise: a limit is never silently dropped. */
int cgroup_check_controller (const char *ctrl, bool v2, const char *unified_mount, const char *flag,
                             lxcshim_error_t *err);

#endif
