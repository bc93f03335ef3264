/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json: what lxcshim knows about a container, written atomically.
 * Keys keep libcontainer's names (id, init_process_pid, init_process_start,
 * cgroup_paths, namespace_paths) so old readers keep working. */
#ifndef LXCSHIM_STATE_H
#define LXCSHIM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lxcshim.h"

struct kv {
	char *key, *value;
};

struct state {
	char *id;
	pid_t init_pid;
	uint64_t init_start;
	struct kv *cgroups;
	size_t n_cgroups;
	struct kv *namespaces;
	size_t n_namespaces;
	char *created;
	char *status; /* created|running|paused|stopped */
	pid_t supervisor_pid;
	uint64_t supervisor_start; /* starttime of supervisor_pid, against pid reuse */
	char *rootfs, *config_path, *lxcpath;
	char **command;
	bool exited;
	int exit_code;
	bool oom_killed;
	char *finished;
};

void kv_add (struct kv **v, size_t *n, const char *key, const char *value);
const char *kv_get (const struct kv *v, size_t n, const char *key);
void kv_free (struct kv *v, size_t n);

char *state_to_json (const struct state *s);
int state_from_json (const char *text, struct state *out, lxcshim_error_t *err);
int state_write (const char *path, const struct state *s, lxcshim_error_t *err);
int state_read (const char *path, struct state *out, lxcshim_error_t *err);
void state_release (struct state *s);

#endif
