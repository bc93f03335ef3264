/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An existing container, as the lifecycle commands see it: its directory
 * under <root>/containers, its lock, and the truth about its state.
 *
 * Locking: every read-modify-write of state.json happens under an
 * exclusive flock() on an O_DIRECTORY fd of the container's directory.
 * Whoever holds it may also remove the directory (delete), so after the
 * lock is granted the holder re-checks that state.json is still there.
 * The lock is never held while waiting for the container (stop, exec):
 * the supervisor needs it to record the exit. */
#ifndef LXCSHIM_CONTAINER_H
#define LXCSHIM_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lxcshim.h"
#include "state.h"

struct lxc_container;

/* What the recorded init pid is now. */
enum init_check {
	INIT_GONE,     /* no such process, a zombie, or another process (start time differs) */
	INIT_LIVE,     /* the container's init: start time, pid namespace and cgroups match */
	INIT_MISMATCH, /* a live process the record cannot be trusted about: never signal it */
};

struct container {
	lxcshim_driver_t *driver;
	char *id;
	char *dir;           /* <root>/containers/<id> */
	int dir_fd;          /* O_DIRECTORY; the flock() target */
	bool locked;
	struct state state;  /* after container_load_state: the truth */
	bool have_state;
	bool init_alive;     /* the recorded init (pid + start time + cgroups) lives */
	enum init_check init_check;
	char init_why[256];  /* for INIT_MISMATCH: why */
	bool supervisor_alive;
	char *warning;       /* the truth could not be saved: why (one line), or NULL */
	/* Set by the caller: container_load_state leaves a correction that
	 * must be persisted to it (persist_pending), so that one write (one
	 * event) records the stop with all the caller knows. */
	bool defer_persist, persist_pending;
};

#define CONTAINER_INIT { .dir_fd = -1 }

/* Validates ID and opens its directory: ENOENT "no such container: ID". */
int container_open (lxcshim_driver_t *d, const char *id, struct container *c, lxcshim_error_t *err);
void container_release (struct container *c);

/* Takes (blocking) / drops the container lock.  ENOENT "no such
 * container" if the container was deleted while we waited. */
int container_lock (struct container *c, lxcshim_error_t *err);
void container_unlock (struct container *c);

/* Reads state.json and corrects it to the truth: a created, running or
 * paused container whose init is dead, a zombie or a different process
 * (start time differs) is "stopped"; a live one is "paused" or "running"
 * as its freezer says.  If the supervisor is gone too, nobody else will
 * record the stop, so it is persisted (under the lock; taken here if the
 * caller does not hold it).  If that write fails (a full state root) the
 * corrected state still stands and c->warning says why it is unsaved. */
int container_load_state (struct container *c, lxcshim_error_t *err);

/* Writes c->state; the caller holds the lock. */
int container_save_state (struct container *c, lxcshim_error_t *err);

/* True if status is one where the init should be alive. */
bool container_is_active (const struct container *c);

/* A pidfd for the recorded init, verified after opening against the
 * recorded start time, its being a pid-namespace init and the container's
 * cgroups, so that neither a reused pid nor a forged record (pid 1, a host
 * process) is ever signalled.  ESRCH if it is gone; EPERM if the record
 * does not match the process. */
int container_init_pidfd (const struct state *s, lxcshim_error_t *err);

/* Checks the recorded init of S (see enum init_check); WHY gets the
 * reason for INIT_MISMATCH. */
enum init_check container_check_init (const struct state *s, char *why, size_t size);

/* EPERM "state.json of ID does not match its init (WHY): refusing ...". */
int container_refuse_record (const struct state *s, const char *why, lxcshim_error_t *err);

/* Pure: does the NSpid line of a /proc/PID/status text say the process is
 * pid 1 of a nested pid namespace? */
bool container_nspid_is_init (const char *status);

/* Is PID alive (not a zombie), and, if START is non-zero, the same
 * process (field 22 of /proc/PID/stat)?  For supervisor_pid and the init. */
bool container_pid_alive (pid_t pid, uint64_t start);

/* 1 frozen (or freezing), 0 thawed, -1 cannot tell, from the recorded
 * cgroups: liblxc uses the v1 freezer when there is one, else cgroup2's
 * cgroup.freeze. */
int container_frozen (const struct state *s);

/* A liblxc handle for the container (lxc_container_new under the
 * recorded lxcpath); with load_config, its config is loaded too, which
 * freeze()/unfreeze() need for a "-f" container. */
int container_lxc (const struct container *c, bool load_config, struct lxc_container **out, lxcshim_error_t *err);

/* ---- for the supervisor -------------------------------------------- */

/* Writes S as DIR/state.json under DIR's container lock.  The supervisor
 * should use this (or container_state_update) instead of state_write()
 * so that its writes never interleave with pause/resume/stop/delete. */
int container_state_write (const char *dir, const struct state *s, lxcshim_error_t *err);

/* Space for the one record nobody else can make, the workload's exit:
 * container_state_reserve preallocates DIR/state.json.reserve (when the
 * supervisor first writes state.json), and container_record_exit writes
 * S like container_state_write, but if the state root is full it writes
 * into the reserve's allocated blocks and renames that over state.json. */
void container_state_reserve (const char *dir);
int container_record_exit (const char *dir, const struct state *s, lxcshim_error_t *err);
/* The same for c->state; the caller holds the lock. */
int container_save_exit (struct container *c, lxcshim_error_t *err);
/* The "exited" event for S (stopped) when no record is written for it
 * (--rm): the same event container_record_exit would make. */
void container_exit_event (const char *dir, const struct state *s);

/* Read-modify-write of DIR/state.json under the lock: FN gets the current
 * state and may change it; if it returns 0 the result is written.  ENOENT
 * if the container was deleted. */
typedef int (*container_state_fn) (struct state *s, void *data, lxcshim_error_t *err);
int container_state_update (const char *dir, container_state_fn fn, void *data, lxcshim_error_t *err);

#endif
