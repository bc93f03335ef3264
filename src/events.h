/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State-change events: one JSON object a line, appended (O_APPEND, one
 * write() a line) to <root>/containers/ID/events.jsonl by whoever records
 * the transition in state.json, under the container lock.  "deleted"
 * cannot go into a directory that is gone: after the removal, the
 * container's history and then "deleted" are appended to
 * <root>/events.jsonl in one write, so the history outlives it and a
 * follower that could not read the container's own file in time (it was
 * gone) still gets every event.
 *
 * The root's log is bounded: an append that would take it past its limit
 * (EVENTS_LOG_MAX) first renames it to events.jsonl.1, replacing the older
 * generation, and starts a new one.  Appenders hold flock(LOCK_EX) on the
 * file they append to and check that it is still the current one, so a
 * block never lands in a rotated file or straddles two.  Readers take
 * .1 and then the current file; a follower that sees the current file
 * replaced reads the old one to its end, then the new one from its start. */
#ifndef LXCSHIM_EVENTS_H
#define LXCSHIM_EVENTS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "lxcshim.h"
#include "state.h"

#define EVENTS_FILE "events.jsonl"
#define EVENTS_FILE_OLD EVENTS_FILE ".1"
/* The root log's size limit; for tests only, LXCSHIM_TEST_EVENTS_LOG_MAX
 * (bytes) lowers it. */
#define EVENTS_LOG_MAX ((off_t) 1 << 20)
#define EVENTS_LOG_MAX_ENV "LXCSHIM_TEST_EVENTS_LOG_MAX"

/* One parsed event; the strings are owned. */
struct event {
	char *time; /* RFC 3339, UTC, nanoseconds */
	char *id;
	char *type; /* created|started|paused|resumed|exited|deleted */
	pid_t pid;  /* started */
	int exit_code;   /* exited: -1 unknown */
	int oom_killed;  /* exited: 1, 0, -1 unknown */
};

void event_release (struct event *ev);

/* The JSON line, without its newline. */
char *event_to_json (const struct event *ev);
/* docker's plain form: "TIME container TYPE ID (k=v, ...)", no newline. */
char *event_to_plain (const struct event *ev);
/* Parses one line (no newline); EINVAL for anything malformed. */
int event_from_json (const char *line, struct event *ev, lxcshim_error_t *err);

/* RFC 3339 ("2026-12-02T00:00:00Z", fractions and +HH:MM offsets too) to
 * a time; EINVAL "invalid time ...". */
int event_parse_time (const char *text, struct timespec *out, lxcshim_error_t *err);

/* Appends EV as one line to PATH (created 0600). */
int event_append (const char *path, const struct event *ev, lxcshim_error_t *err);

/* Whether a log of SIZE bytes is rotated before ADD more are appended: it
 * would pass LIMIT (an empty log takes any block, so one block larger
 * than LIMIT is still written whole). */
bool events_log_should_rotate (off_t size, size_t add, off_t limit);
/* EVENTS_LOG_MAX, or what EVENTS_LOG_MAX_ENV says (a positive number). */
off_t events_log_limit (void);
/* Appends TEXT (whole lines) to the root log PATH in one write, rotating
 * it first when events_log_should_rotate says so. */
int events_log_append (const char *path, const char *text, size_t len, off_t limit, lxcshim_error_t *err);

/* The events for a state change of the container in DIR from PREV
 * (NULL: no record yet) to NOW, appended to DIR/events.jsonl.  The caller
 * holds DIR's lock and has just written NOW.  Best effort: an event that
 * cannot be written never fails the transition. */
void events_transition (const char *dir, const struct state *prev, const struct state *now);

/* Removes the container directory DIR (<root>/containers/ID) and, if it
 * had an event history, appends that history and "deleted" to
 * <root>/events.jsonl. */
int events_remove_container (const char *dir, lxcshim_error_t *err);

#endif
