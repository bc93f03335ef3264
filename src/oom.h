/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OOM watching and the OOM verdict.
 *
 * cgroup v1's memory.oom_control eventfd fires when the cgroup enters OOM
 * (before the kill), and fires again when the cgroup is removed, OOM or not
 * (lxc-platform.md §4).  So an event is only a hint; the verdict is made in
 * oom_verdict() from what is known when the workload's death is reported. */
#ifndef LXCSHIM_OOM_H
#define LXCSHIM_OOM_H

#include <stdbool.h>
#include <stdint.h>

#include "lxcshim.h"

struct oom_watch {
	int event_fd;   /* the cgroup's eventfd, -1 if not watching */
	int control_fd; /* memory.oom_control, kept open to read oom_kill */
	char *dir;
	bool seen;      /* an event arrived while the cgroup still existed */
};

#define OOM_WATCH_INIT { .event_fd = -1, .control_fd = -1 }

/* Registers on the v1 memory cgroup DIR. */
int oom_watch_start (struct oom_watch *w, const char *dir, lxcshim_error_t *err);

/* Drains the eventfd; returns true if it was an OOM rather than removal. */
bool oom_watch_event (struct oom_watch *w);

/* The cgroup's oom_kill counter, or 0 once the cgroup is gone. */
uint64_t oom_watch_kills (struct oom_watch *w);

void oom_watch_stop (struct oom_watch *w);

/* Parses "oom_kill N" out of a memory.oom_control text. */
uint64_t oom_parse_kill_count (const char *text);

/* The verdict: the workload died of SIGKILL and its cgroup either reported
 * an OOM event while it lived or counts an OOM kill. */
bool oom_verdict (bool killed_by_sigkill, bool event_seen, uint64_t kill_count);

#endif
