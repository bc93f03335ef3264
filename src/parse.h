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

/* --cpus as the kernel takes it: at least 0.01, since CFS refuses a quota
 * under 1 ms per period (lxcshim's period is 100 ms). */
int parse_cpu_quota (const char *s, uint64_t *millicpus, lxcshim_error_t *err);

/* --pids-limit: -1 or 0 (no limit, stored as 0), else 1 to the kernel's
 * PID_MAX_LIMIT, the most pids.max accepts. */
#define LXCSHIM_PIDS_MAX 4194304
int parse_pids_limit (const char *s, int64_t *out, lxcshim_error_t *err);

/* "0-3,5,7-8": ascending ranges of cpu numbers. */
int parse_cpuset (const char *s, lxcshim_error_t *err);

/* Every cpu of LIST (valid for parse_cpuset) is in ONLINE, the text of
 * /sys/devices/system/cpu/online; else which one is not. */
int cpuset_check_online (const char *list, const char *online, lxcshim_error_t *err);

/* "K=V" (or "K", meaning: take K from the caller's environment). */
int parse_env_entry (const char *s, lxcshim_error_t *err);

/* Splits the LEN bytes of an --env-file into entries (comments and blank
 * lines dropped, a trailing \r stripped); appends them to *out.  A NUL or
 * another control character than tab (a binary file) is refused, naming
 * the line. */
struct strvb;
int parse_env_file (const char *text, size_t len, struct strvb *out, lxcshim_error_t *err);

/* The kernel's limits on what execve takes: MAX_ARG_STRLEN per string, and
 * for all strings and their pointers a quarter of the stack rlimit, at
 * most 6 MiB and at least 128 KiB (fs/exec.c). */
#define LXCSHIM_ARG_STRLEN_MAX ((size_t) 128 * 1024)
size_t exec_args_limit (uint64_t stack_rlimit);
/* Refuses an ARGV and ENV that execve would refuse with E2BIG under LIMIT,
 * keeping SLACK bytes for what is added on the way (HOME, the path). */
int check_exec_size (char *const *argv, char *const *env, size_t limit, size_t slack, lxcshim_error_t *err);

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

/* Numeric field N (1-based, as in proc(5)) of a /proc/PID/stat text, and
 * field 22 (starttime); 0 if absent or malformed. */
uint64_t proc_stat_field (const char *stat, int field);
uint64_t proc_stat_starttime (const char *stat);

/* Rejects a string that would break out of a single lxc config line:
 * newline, carriage return (and, for text with an explicit length, NUL). */
int check_config_value (const char *what, const char *value, size_t len, lxcshim_error_t *err);

#endif
