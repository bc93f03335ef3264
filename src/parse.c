/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "parse.h"
#include "util.h"

#define BAD_INPUT EINVAL

int
parse_id (const char *id, lxcshim_error_t *err)
{
	size_t n = id ? strlen (id) : 0;

	if (n == 0)
		return lxcshim_fail (err, BAD_INPUT, "invalid container name \"\": must not be empty");
	if (n > LXCSHIM_ID_MAX)
		return lxcshim_fail_value (err, "container name", id, "longer than %d characters", LXCSHIM_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = id[i];
		bool ok = isalnum (c) || (i > 0 && (c == '_' || c == '.' || c == '-'));
		if (!ok || !isascii (c))
			return lxcshim_fail_value (err, "container name", id, "only [A-Za-z0-9][A-Za-z0-9_.-]* is allowed");
	}
	return 0;
}

int
parse_uint (const char *what, const char *s, uint64_t max, uint64_t *out, lxcshim_error_t *err)
{
	char *end;
	unsigned long long v;

	if (s == NULL || !isdigit ((unsigned char) *s))
		goto bad;
	errno = 0;
	v = strtoull (s, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return lxcshim_fail_value (err, what, s, "expected a whole number from 0 to %llu", (unsigned long long) max);
}

int
parse_size (const char *what, const char *s, int64_t *out, lxcshim_error_t *err)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (s == NULL || !isdigit ((unsigned char) *s))
		goto bad;
	errno = 0;
	v = strtoull (s, &end, 10);
	if (errno)
		goto bad;
	switch (tolower ((unsigned char) *end)) {
	case '\0':
		break;
	case 'b':
		end++;
		goto done;
	case 'k':
		mult = 1ULL << 10;
		break;
	case 'm':
		mult = 1ULL << 20;
		break;
	case 'g':
		mult = 1ULL << 30;
		break;
	case 't':
		mult = 1ULL << 40;
		break;
	default:
		goto bad;
	}
	if (*end) {
		end++;
		if (tolower ((unsigned char) *end) == 'b')
			end++;
	}
done:
	if (*end || v > (uint64_t) INT64_MAX / mult)
		goto bad;
	*out = (int64_t) (v * mult);
	return 0;
bad:
	return lxcshim_fail_value (err, what, s, "expected bytes with an optional k, m or g suffix");
}

int
parse_cpus (const char *s, uint64_t *millicpus, lxcshim_error_t *err)
{
	uint64_t whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	if (s == NULL || !isdigit ((unsigned char) *p))
		goto bad;
	for (; isdigit ((unsigned char) *p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 1000000)
			goto bad;
	}
	if (*p == '.') {
		p++;
		for (; isdigit ((unsigned char) *p) && digits < 3; p++, digits++)
			frac = frac * 10 + (*p - '0');
		if (digits == 0)
			goto bad;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*p || whole * 1000 + frac == 0)
		goto bad;
	*millicpus = whole * 1000 + frac;
	return 0;
bad:
	return lxcshim_fail_value (err, "--cpus", s, "expected a positive number such as 1.5");
}

/* Sets BITS (CPUS_MAX of them) from a cpu list; -1 if malformed. */
#define CPUS_MAX 8192
static int
cpulist_bits (const char *s, unsigned char *bits)
{
	const char *p = s;
	long last = -1;

	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		char *end;
		long a, b;

		if (!isdigit ((unsigned char) *p))
			return -1;
		a = strtol (p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit ((unsigned char) *p))
				return -1;
			b = strtol (p, &end, 10);
			p = end;
		}
		if (a > b || a <= last || b >= CPUS_MAX)
			return -1;
		for (long i = a; bits && i <= b; i++)
			bits[i / 8] |= 1 << (i % 8);
		last = b;
		if (*p == '\0' || (*p == '\n' && p[1] == '\0'))
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int
parse_cpuset (const char *s, lxcshim_error_t *err)
{
	/* The kernel's sysfs form ends in a newline; a flag's value may not. */
	if (cpulist_bits (s, NULL) < 0 || strchr (s, '\n'))
		return lxcshim_fail_value (err, "cpu list", s, "expected ascending numbers and ranges like 0-2,4");
	return 0;
}

int
cpuset_check_online (const char *list, const char *online, lxcshim_error_t *err)
{
	unsigned char want[CPUS_MAX / 8] = { 0 }, have[CPUS_MAX / 8] = { 0 };
	_cleanup_free_ char *shown = NULL;

	if (parse_cpuset (list, err) < 0)
		return -1;
	cpulist_bits (list, want);
	/* An unreadable or odd sysfs file: let the kernel judge. */
	if (online == NULL || cpulist_bits (online, have) < 0)
		return 0;
	shown = xstrndup (online, strcspn (online, "\n"));
	for (int i = 0; i < CPUS_MAX; i++)
		if ((want[i / 8] & (1 << (i % 8))) && !(have[i / 8] & (1 << (i % 8))))
			return lxcshim_fail_value (err, "cpuset-cpus", list, "cpu %d is not online on this host (online: %s)",
			                           i, shown);
	return 0;
}

int
parse_cpu_quota (const char *s, uint64_t *millicpus, lxcshim_error_t *err)
{
	uint64_t m;

	if (parse_cpus (s, &m, err) < 0)
		return -1;
	if (m < 10)
		return lxcshim_fail_value (err, "--cpus", s,
		                           "the minimum is 0.01: the kernel refuses a CFS quota under 1 ms per 100 ms period");
	*millicpus = m;
	return 0;
}

int
parse_pids_limit (const char *s, int64_t *out, lxcshim_error_t *err)
{
	uint64_t n;

	if (s && streq (s, "-1")) {
		*out = 0;
		return 0;
	}
	if (parse_uint ("pids-limit", s, UINT64_MAX, &n, NULL) < 0 || n > LXCSHIM_PIDS_MAX)
		return lxcshim_fail_value (err, "pids-limit", s,
		                           "expected 1 to %d (the kernel's PID_MAX_LIMIT), or -1 for no limit",
		                           LXCSHIM_PIDS_MAX);
	*out = (int64_t) n;
	return 0;
}

int
parse_env_entry (const char *s, lxcshim_error_t *err)
{
	if (s == NULL || *s == '\0' || *s == '=')
		return lxcshim_fail_value (err, "environment entry", s, "expected KEY=VALUE");
	return 0;
}

int
parse_env_file (const char *text, size_t len, struct strvb *out, lxcshim_error_t *err)
{
	const char *line = text, *end = text + len;
	size_t lineno = 0;

	while (line < end) {
		const char *nl = memchr (line, '\n', end - line);
		size_t n = nl ? (size_t) (nl - line) : (size_t) (end - line);
		_cleanup_free_ char *entry = NULL;
		const char *p;

		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = line[i];
			if (c == '\0')
				return lxcshim_fail (err, BAD_INPUT, "line %zu: it contains a NUL byte (not a text file)", lineno);
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return lxcshim_fail (err, BAD_INPUT,
				                     "line %zu: it contains the control character \\x%02x (not a text file)",
				                     lineno, c);
		}
		entry = xstrndup (line, n);
		line = nl ? nl + 1 : end;
		for (p = entry; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (parse_env_entry (p, err) < 0)
			return lxcshim_error_prefix (err, "line %zu", lineno);
		strvb_push (out, xstrdup (p));
	}
	return 0;
}

size_t
exec_args_limit (uint64_t stack_rlimit)
{
	uint64_t limit = (uint64_t) 6 << 20;

	if (stack_rlimit / 4 < limit)
		limit = stack_rlimit / 4;
	if (limit < 128 * 1024)
		limit = 128 * 1024;
	return (size_t) limit;
}

static int
too_long (const char *what, const char *s, size_t n, lxcshim_error_t *err)
{
	_cleanup_free_ char *head = xstrndup (s, strcspn (s, "="));
	_cleanup_free_ char *q = NULL;

	if (strlen (head) > 40)
		head[40] = '\0';
	q = escape_for_message (head);
	return lxcshim_fail (err, E2BIG, "%s \"%s%s\" is %zu bytes: the kernel takes at most %zu per string", what, q,
	                     strlen (head) < strcspn (s, "=") ? "..." : "", n, LXCSHIM_ARG_STRLEN_MAX - 1);
}

int
check_exec_size (char *const *argv, char *const *env, size_t limit, size_t slack, lxcshim_error_t *err)
{
	size_t total = slack, count = 0;

	/* fs/exec.c: a pointer per string (argc + envc) and the strings. */
	for (size_t i = 0; argv && argv[i]; i++, count++) {
		size_t n = strlen (argv[i]);
		if (n + 1 > LXCSHIM_ARG_STRLEN_MAX)
			return too_long ("command argument", argv[i], n, err);
		total += n + 1;
	}
	for (size_t i = 0; env && env[i]; i++, count++) {
		size_t n = strlen (env[i]);
		if (n + 1 > LXCSHIM_ARG_STRLEN_MAX)
			return too_long ("environment variable", env[i], n, err);
		total += n + 1;
	}
	total += count * sizeof (char *);
	if (total > limit)
		return lxcshim_fail (err, E2BIG,
		                     "the command and its %zu environment variables take %zu bytes, more than the %zu "
		                     "that execve accepts here (a quarter of the stack limit)",
		                     strv_length (env), total - slack, limit - slack);
	return 0;
}

void
volume_release (struct volume *v)
{
	free (v->source);
	free (v->target);
	v->source = v->target = NULL;
}

int
parse_volume (const char *s, struct volume *out, lxcshim_error_t *err)
{
	_cleanup_free_ char *copy = xstrdup (s ? s : "");
	char *src = copy, *dst, *mode;

	dst = strchr (src, ':');
	if (dst == NULL)
		goto bad;
	*dst++ = '\0';
	mode = strchr (dst, ':');
	if (mode)
		*mode++ = '\0';
	if (*src != '/' || *dst != '/')
		goto bad;
	/* A target must stay inside the rootfs: lxc would follow "..". */
	for (const char *c = dst; (c = strstr (c, "..")); c += 2)
		if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0'))
			return lxcshim_fail_value (err, "volume", s, "the target must not contain \"..\"");
	if (dst[strspn (dst, "/")] == '\0')
		return lxcshim_fail_value (err, "volume", s, "the target must not be /");
	out->readonly = false;
	if (mode && streq (mode, "ro"))
		out->readonly = true;
	else if (mode && !streq (mode, "rw"))
		goto bad;
	out->source = xstrdup (src);
	out->target = xstrdup (dst);
	return 0;
bad:
	return lxcshim_fail_value (err, "volume", s, "expected /SRC:/DST[:ro|rw]");
}

int
parse_signal (const char *s, int *sig, lxcshim_error_t *err)
{
	uint64_t n;
	const char *name = s;

	if (s && isdigit ((unsigned char) *s)) {
		if (parse_uint ("signal", s, SIGRTMAX, &n, NULL) == 0 && n >= 1) {
			*sig = (int) n;
			return 0;
		}
		goto bad;
	}
	if (s == NULL)
		goto bad;
	if (strncasecmp (name, "SIG", 3) == 0)
		name += 3;
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *abbrev = sigabbrev_np (i);
		if (abbrev && strcasecmp (abbrev, name) == 0) {
			*sig = i;
			return 0;
		}
	}
bad:
	return lxcshim_fail_value (err, "signal", s, "expected a name like TERM or a number 1-%d", SIGRTMAX);
}

bool
mountinfo_root_is_shared (const char *mountinfo)
{
	const char *line = mountinfo;
	bool shared = false;

	while (line && *line) {
		const char *nl = strchr (line, '\n');
		size_t n = nl ? (size_t) (nl - line) : strlen (line);
		_cleanup_free_ char *l = xstrndup (line, n);
		char *save = NULL, *tok;
		int field = 0;
		bool is_root = false, this_shared = false;

		line = nl ? nl + 1 : NULL;
		/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 ... */
		for (tok = strtok_r (l, " ", &save); tok; tok = strtok_r (NULL, " ", &save), field++) {
			if (field == 4)
				is_root = streq (tok, "/");
			else if (field >= 6 && is_root) {
				if (streq (tok, "-"))
					break;
				if (strncmp (tok, "shared:", 7) == 0)
					this_shared = true;
			}
		}
		/* The last mount on "/" is the one in effect. */
		if (is_root)
			shared = this_shared;
	}
	return shared;
}

uint64_t
proc_stat_field (const char *stat, int want)
{
	/* comm (field 2) may hold spaces and parentheses: skip to the last ')'. */
	const char *p = stat ? strrchr (stat, ')') : NULL;
	int field = 2;

	if (p == NULL || want <= field)
		return 0;
	p++;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		field++;
		if (field == want)
			return strtoull (p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

uint64_t
proc_stat_starttime (const char *stat)
{
	return proc_stat_field (stat, 22);
}

int
check_config_value (const char *what, const char *value, size_t len, lxcshim_error_t *err)
{
	if (value == NULL)
		return 0;
	if (memchr (value, '\n', len) || memchr (value, '\r', len) || memchr (value, '\0', len))
		return lxcshim_fail (err, BAD_INPUT,
		                     "invalid %s: it contains a newline, carriage return or NUL, which would inject lines "
		                     "into the lxc config",
		                     what);
	return 0;
}
