/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure parsers and validators for user-supplied values.  No I/O here:
 * everything is unit-tested in tests/unit/test-parse.c. */
#ifndef LXCSHIM_PARSE_H
#define LXCSHIM_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "lxcshim.h"

#define LXCSHIM_ID_MAX 64

/* [A-Za-z0-9][A-Za-z0-9_.-]*, 1..64 chars. */
int parse_id (const char *id, lxcshim_error_t *err);

/* Bytes with an optional b/k/m/g/t suffix (binary multiples, case
 * insensitive, optional trailing "b" as in "32mb"). */
int parse_size (const char *what, const char *s, int64_t *out, lxcshim_error_t *err);

/* A non-negative decimal integer no larger than max. */
int parse_uint (const char *what, const char *s, uint64_t max, uint64_t *out, lxcshim_error_t *err);

/* --cpus X: a positive decimal with up to 3 fraction digits, as millicpus. */
int parse_cpus (const char *s, uint64_t *millicpus, lxcshim_error_t *err);

/* "0-3,5,7-8": ascending ranges of cpu numbers. */
int parse_cpuset (const char *s, lxcshim_error_t *err);

/* "K=V" (or "K", meaning: take K from the caller's environment). */
int parse_env_entry (const char *s, lxcshim_error_t *err);

/* Splits the text of an --env-file into entries (comments and blank lines
 * dropped, a trailing \r stripped); appends them to *out. */
int parse_env_file (const char *text, char ***out, lxcshim_error_t *err);

struct volume {
	char *source, *target;
	bool readonly;
};
/* SRC:DST[:ro|rw]; both absolute. */
int parse_volume (const char *s, struct volume *out, lxcshim_error_t *err);
void volume_release (struct volume *v);

/* Signal names (TERM, SIGTERM, term) and numbers 1..64. */
int parse_signal (const char *s, int *sig, lxcshim_error_t *err);

/* True if the mount at "/" in this mountinfo text is shared. */
bool mountinfo_root_is_shared (const char *mountinfo);

/* Field 22 (starttime) of a /proc/PID/stat text; 0 if malformed. */
uint64_t proc_stat_starttime (const char *stat);

/* Rejects a string that would break out of a single lxc config line:
 * newline, carriage return (and, for text with an explicit length, NUL). */
int check_config_value (const char *what, const char *value, size_t len, lxcshim_error_t *err);

#endif
