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

int
parse_cpuset (const char *s, lxcshim_error_t *err)
{
	const char *p = s;
	long last = -1;

	if (s == NULL || *s == '\0')
		goto bad;
	for (;;) {
		char *end;
		long a, b;

		if (!isdigit ((unsigned char) *p))
			goto bad;
		a = strtol (p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit ((unsigned char) *p))
				goto bad;
			b = strtol (p, &end, 10);
			p = end;
		}
		if (a > b || a <= last || b > 8191)
			goto bad;
		last = b;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	return lxcshim_fail_value (err, "cpu list", s, "expected ascending numbers and ranges like 0-2,4");
}

int
parse_env_entry (const char *s, lxcshim_error_t *err)
{
	if (s == NULL || *s == '\0' || *s == '=')
		return lxcshim_fail_value (err, "environment entry", s, "expected KEY=VALUE");
	return 0;
}

int
parse_env_file (const char *text, char ***out, lxcshim_error_t *err)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr (line, '\n');
		size_t n = nl ? (size_t) (nl - line) : strlen (line);
		_cleanup_free_ char *entry = NULL;
		const char *p;

		if (n > 0 && line[n - 1] == '\r')
			n--;
		entry = xstrndup (line, n);
		line = nl ? nl + 1 : NULL;
		for (p = entry; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (parse_env_entry (p, err) < 0)
			return -1;
		strv_append (out, p);
	}
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
proc_stat_starttime (const char *stat)
{
	/* comm (field 2) may hold spaces and parentheses: skip to the last ')'. */
	const char *p = stat ? strrchr (stat, ')') : NULL;
	int field = 2;

	if (p == NULL)
		return 0;
	p++;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		field++;
		if (field == 22)
			return strtoull (p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return 0;
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
