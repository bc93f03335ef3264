/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OOM watching and the OOM verdict.
 *
 * cgroup v1's memory.oom_control eventfd fires when the cgroup enters OOM
 * (before the kill), and fires again when the cgroup is removed, OOM or not
 * (lxc-platform.md §4).  So an event is only a hint; the verdict is made in
 * oom_verdict() from what is known when the workload's death is reported.
 *
 * cgroup v2 has no eventfd: memory.events raises IN_MODIFY (cgroup-v2.rst,
 * "*.events" files) and its oom_kill counter is the truth.  The kernel bumps
 * it before it sends the SIGKILL, so reading it when the workload's death
 * is reported (the cgroup is still there: our init lives) misses no kill,
 * and a removed cgroup reads as no kill. */
#ifndef LXCSHIM_OOM_H
#define LXCSHIM_OOM_H

#include <stdbool.h>
#include <stdint.h>

#include "lxcshim.h"

struct oom_watch {
	int event_fd;   /* v1: the cgroup's eventfd; v2: an inotify fd; -1 if not watching */
	int control_fd; /* memory.oom_control (v1) or memory.events (v2), kept open */
	char *dir;
	bool v2;
	uint64_t base;  /* oom_kill when the watch started */
	bool seen;      /* an OOM kill happened while the cgroup still existed */
};

#define OOM_WATCH_INIT { .event_fd = -1, .control_fd = -1 }

/* Registers on the v1 memory cgroup DIR. */
int oom_watch_start (struct oom_watch *w, const char *dir, lxcshim_error_t *err);

/* Watches memory.events of the cgroup2 cgroup DIR. */
int oom_watch_start_v2 (struct oom_watch *w, const char *dir, lxcshim_error_t *err);

/* Drains the eventfd; returns true if it was an OOM rather than removal. */
bool oom_watch_event (struct oom_watch *w);

/* OOM kills since the watch started, or 0 once the cgroup is gone. */
uint64_t oom_watch_kills (struct oom_watch *w);

void oom_watch_stop (struct oom_watch *w);

/* Parses "oom_kill N" out of a memory.oom_control or memory.events text. */
uint64_t oom_parse_kill_count (const char *text);

/* The verdict: the workload died of SIGKILL and its cgroup either reported
 * an OOM event while it lived or counts an OOM kill. */
bool oom_verdict (bool killed_by_sigkill, bool event_seen, uint64_t kill_count);

#endif
