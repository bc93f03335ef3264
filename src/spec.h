/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container spec: one struct filled by CLI flags, by a JSON --spec
 * document, or by an embedding program, all through lxcshim_spec_set(). */
#ifndef LXCSHIM_SPEC_H
#define LXCSHIM_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "lxcshim.h"
#include "parse.h"
#include "util.h"

enum net_mode { NET_NONE, NET_HOST };

/* A new field that owns memory must be copied in spec_copy too. */
struct lxcshim_spec {
	char *id;
	char *rootfs;
	bool rootfs_overlay; /* the default rootfs always gets one */
	char **command;
	struct strvb env; /* "K=V", later entries win */
	char **env_files;
	char *user;
	char *workdir;
	char *hostname;
	char *template_path;

	int64_t memory;      /* bytes, 0 = unlimited */
	int64_t memory_swap; /* bytes, 0 = unset, -1 = unlimited */
	uint64_t cpu_shares;
	uint64_t millicpus;
	char *cpuset_cpus;
	int64_t pids_limit; /* 0 = unlimited */

	struct volume *volumes;
	size_t n_volumes;
	char **cap_add, **cap_drop;
	bool privileged;
	enum net_mode net;
	bool net_set;      /* else the site default applies */
	char **lxc_includes;

	bool tty, interactive, detach, rm, dry_run;
	unsigned start_timeout_ms;
};

/* A deep copy: a run completes its own copy (id, hostname, rootfs,
 * site defaults), never the caller's spec. */
lxcshim_spec_t *spec_copy (const lxcshim_spec_t *spec);

static inline void
spec_freep (lxcshim_spec_t **s)
{
	lxcshim_spec_free (*s);
}
#define _cleanup_spec_ _cleanup_ (spec_freep)

/* Defaults, checks that need no filesystem, and the generated id. */
int spec_finalize (lxcshim_spec_t *spec, lxcshim_error_t *err);

/* The environment as it goes to config.env: PATH, HOSTNAME, container=lxc
 * (TERM for a tty), the --env-file entries, then -e; later keys win.  KEY
 * entries without '=' take the caller's value or are dropped.  O(n log n).
 * CANCEL as for read_file_limited (NULL: none). */
int spec_environment (const lxcshim_spec_t *spec, struct read_cancel *cancel, char ***out, lxcshim_error_t *err);

/* ENTRY as it enters an environment: "K=V" as is, a bare "K" with the
 * caller's value, or NULL when the caller has no K (docker's -e KEY). */
char *env_resolve (const char *entry);

/* Sets "KEY=VALUE" in *env, replacing an entry with the same KEY. */
void env_set (char ***env, const char *entry);
/* Like env_set, but a bare "KEY" takes the caller's value, or is dropped
 * (docker's -e KEY). */
void env_apply (char ***env, const char *entry);

#endif
