/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "user.h"
#include "util.h"

/* (uid_t) -1 means "unchanged" to setuid() and friends, so the top id is
 * one less. */
#define ID_MAX 4294967294ULL

#define DEFAULT_HOME "/"

/* One useful /etc/passwd line. Points into the line buffer. */
struct pw_entry {
	const char *name;
	uint32_t uid, gid;
	const char *home;
};

static bool
all_digits (const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A decimal id in [0, ID_MAX]; digits only, no sign, no spaces. */
static bool
parse_id (const char *s, size_t len, uint32_t *out)
{
	unsigned long long v = 0;

	if (!all_digits (s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > ID_MAX)
			return false;
	}
	*out = (uint32_t) v;
	return true;
}

static bool
valid_name (const char *s, size_t len)
{
	if (len == 0 || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum ((unsigned char) s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* All-digit strings are numbers: one too big is an error rather than a
 * name, as docker treats it. */
static bool
valid_part (const char *s, size_t len)
{
	uint32_t id;

	if (all_digits (s, len))
		return parse_id (s, len, &id);
	return valid_name (s, len);
}

int
user_spec_check (const char *spec, lxcshim_error_t *err)
{
	const char *colon;
	size_t ulen;

	if (spec == NULL || *spec == '\0')
		return 0;
	colon = strchr (spec, ':');
	ulen = colon ? (size_t) (colon - spec) : strlen (spec);
	if (!valid_part (spec, ulen) || (colon && !valid_part (colon + 1, strlen (colon + 1)))) {
		_cleanup_free_ char *e = escape_for_message (spec);
		return lxcshim_fail (err, EINVAL,
		                     "invalid user \"%s\": expected USER or USER:GROUP, each a name "
		                     "([A-Za-z0-9_.-]+, not starting with '-') or a number up to %llu",
		                     e, ID_MAX);
	}
	return 0;
}

/* Strips surrounding whitespace in place; NULL for blank and comment lines. */
static char *
clean_line (char *line)
{
	char *end;

	while (isspace ((unsigned char) *line))
		line++;
	end = line + strlen (line);
	while (end > line && isspace ((unsigned char) end[-1]))
		*--end = '\0';
	if (*line == '\0' || *line == '#')
		return NULL;
	return line;
}

/* Splits at ':' in place; returns the field count, extra fields dropped. */
static size_t
split_fields (char *line, char **fields, size_t max)
{
	size_t n = 0;

	fields[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p != ':')
			continue;
		*p = '\0';
		if (n == max)
			break;
		fields[n++] = p + 1;
	}
	return n;
}

static bool
parse_pw_line (char *line, struct pw_entry *e)
{
	char *f[7];
	size_t n;

	line = clean_line (line);
	if (line == NULL)
		return false;
	n = split_fields (line, f, ARRAY_SIZE (f));
	/* name:password:uid:gid are the least we can use. */
	if (n < 4 || *f[0] == '\0')
		return false;
	if (!parse_id (f[2], strlen (f[2]), &e->uid) || !parse_id (f[3], strlen (f[3]), &e->gid))
		return false;
	e->name = f[0];
	e->home = n > 5 ? f[5] : "";
	return true;
}

/* Group lines: name:password:gid[:member,member...]. */
static bool
parse_gr_line (char *line, const char **name, uint32_t *gid, char **members)
{
	char *f[4];
	size_t n;

	line = clean_line (line);
	if (line == NULL)
		return false;
	n = split_fields (line, f, ARRAY_SIZE (f));
	if (n < 3 || *f[0] == '\0' || !parse_id (f[2], strlen (f[2]), gid))
		return false;
	*name = f[0];
	*members = n > 3 ? f[3] : (char *) "";
	return true;
}

static bool
has_member (char *members, const char *user)
{
	char *save = NULL;

	for (char *m = strtok_r (members, ",", &save); m; m = strtok_r (NULL, ",", &save)) {
		while (isspace ((unsigned char) *m))
			m++;
		size_t len = strlen (m);
		while (len > 0 && isspace ((unsigned char) m[len - 1]))
			len--;
		if (len == strlen (user) && memcmp (m, user, len) == 0)
			return true;
	}
	return false;
}

static void
add_group (struct lxcshim_user *u, gid_t gid)
{
	if (gid == u->gid)
		return;
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid)
			return;
	u->groups = xrealloc (u->groups, (u->ngroups + 1) * sizeof (gid_t));
	u->groups[u->ngroups++] = gid;
}

/* getline with the read limit: a passwd "file" that is /dev/zero (a
 * container can make it one) must end, not grow.  *total counts the bytes
 * so far; -2 past LXCSHIM_FILE_MAX. */
static ssize_t
bounded_getline (char **line, size_t *cap, FILE *f, size_t *total)
{
	size_t n = 0;
	int c;

	while ((c = getc (f)) != EOF) {
		if (++*total > LXCSHIM_FILE_MAX)
			return -2;
		if (n + 2 > *cap) {
			*cap = *cap ? 2 * *cap : 256;
			*line = xrealloc (*line, *cap);
		}
		(*line)[n++] = (char) c;
		if (c == '\n')
			break;
	}
	if (n == 0)
		return -1;
	(*line)[n] = '\0';
	return (ssize_t) n;
}

/* First passwd line whose name is arg or, for a numeric arg, whose uid is
 * id: libcontainer's rule.  Fills *name and *home (allocated) on a match. */
static int
lookup_passwd (FILE *f, const char *arg, bool numeric, uint32_t id, struct lxcshim_user *u,
               char **name, lxcshim_error_t *err)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t r;

	*name = NULL;
	if (f == NULL)
		return 0;
	while ((r = bounded_getline (&line, &cap, f, &total)) >= 0) {
		struct pw_entry e;

		if (!parse_pw_line (line, &e))
			continue;
		if (!streq (e.name, arg) && !(numeric && e.uid == id))
			continue;
		u->uid = e.uid;
		u->gid = e.gid;
		u->home = xstrdup (*e.home ? e.home : DEFAULT_HOME);
		*name = xstrdup (e.name);
		return 0;
	}
	if (r == -2)
		return lxcshim_fail (err, EFBIG, "the passwd file is larger than %zu bytes", LXCSHIM_FILE_MAX);
	if (ferror (f))
		return lxcshim_fail_errno (err, "read passwd file");
	return 0;
}

/* One pass over the group file: finds the named group (group_name
 * non-NULL) or collects the groups listing member (member non-NULL). */
static int
scan_groups (FILE *f, const char *group_name, const char *member, struct lxcshim_user *u,
             bool *found, lxcshim_error_t *err)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t r;

	*found = false;
	if (f == NULL)
		return 0;
	while ((r = bounded_getline (&line, &cap, f, &total)) >= 0) {
		const char *name;
		char *members;
		uint32_t gid;

		if (!parse_gr_line (line, &name, &gid, &members))
			continue;
		if (group_name) {
			if (streq (name, group_name)) {
				u->gid = gid;
				*found = true;
				return 0;
			}
		} else if (member && has_member (members, member))
			add_group (u, gid);
	}
	if (r == -2)
		return lxcshim_fail (err, EFBIG, "the group file is larger than %zu bytes", LXCSHIM_FILE_MAX);
	if (ferror (f))
		return lxcshim_fail_errno (err, "read group file");
	return 0;
}

int
user_resolve (const char *spec, FILE *passwd, FILE *group, struct lxcshim_user *out,
              lxcshim_error_t *err)
{
	struct lxcshim_user u = { .uid = 0, .gid = 0 };
	_cleanup_free_ char *user_arg = NULL;
	_cleanup_free_ char *pw_name = NULL;
	const char *group_arg = NULL;
	uint32_t uid = 0, gid = 0;
	bool numeric, found;
	char *colon;

	memset (out, 0, sizeof *out);
	if (user_spec_check (spec, err) < 0)
		return -1;

	/* No user means root, looked up like "0" so root keeps its home and
	 * groups from the image. */
	user_arg = xstrdup (spec && *spec ? spec : "0");
	colon = strchr (user_arg, ':');
	if (colon) {
		*colon = '\0';
		group_arg = colon + 1;
	}

	numeric = parse_id (user_arg, strlen (user_arg), &uid);
	if (lookup_passwd (passwd, user_arg, numeric, uid, &u, &pw_name, err) < 0)
		goto fail;
	if (pw_name == NULL) {
		if (!numeric) {
			lxcshim_fail (err, ENOENT, "unable to find user %s: no matching entries in passwd file",
			              user_arg);
			goto fail;
		}
		u.uid = uid;
		u.gid = 0;
		u.home = xstrdup (DEFAULT_HOME);
	}

	if (group_arg && parse_id (group_arg, strlen (group_arg), &gid)) {
		/* A number need not exist in /etc/group. */
		u.gid = gid;
	} else if (group_arg) {
		if (scan_groups (group, group_arg, NULL, &u, &found, err) < 0)
			goto fail;
		if (!found) {
			lxcshim_fail (err, ENOENT, "unable to find group %s: no matching entries in group file",
			              group_arg);
			goto fail;
		}
	} else if (pw_name) {
		/* Supplementary groups only with the implicit group, as in
		 * docker: "-u user:group" asks for exactly that group. */
		if (scan_groups (group, NULL, pw_name, &u, &found, err) < 0)
			goto fail;
	}

	*out = u;
	return 0;

fail:
	user_release (&u);
	return -1;
}

void
user_release (struct lxcshim_user *u)
{
	if (u == NULL)
		return;
	free (u->groups);
	free (u->home);
	u->groups = NULL;
	u->ngroups = 0;
	u->home = NULL;
}
