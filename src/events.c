/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State-change events: the lines (see events.h) and lxcshim_events_*,
 * which follows them with inotify: IN_CREATE on the root and on
 * <root>/containers (new containers), on each container's directory (its
 * events file appearing) and IN_MODIFY on the events files. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "error.h"
#include "events.h"
#include "parse.h"
#include "util.h"

void
event_release (struct event *ev)
{
	free (ev->time);
	free (ev->id);
	free (ev->type);
	memset (ev, 0, sizeof *ev);
}

static bool
is_type (const char *t)
{
	static const char *const types[] = { "created", "started", "paused", "resumed", "exited", "deleted" };
	for (size_t i = 0; i < ARRAY_SIZE (types); i++)
		if (streq (t, types[i]))
			return true;
	return false;
}

char *
event_to_json (const struct event *ev)
{
	json_object *o = json_object_new_object ();
	char *r;

	json_object_object_add (o, "time", json_object_new_string (ev->time));
	json_object_object_add (o, "id", json_object_new_string (ev->id));
	json_object_object_add (o, "type", json_object_new_string (ev->type));
	if (streq (ev->type, "started"))
		json_object_object_add (o, "pid", json_object_new_int (ev->pid));
	if (streq (ev->type, "exited")) {
		json_object_object_add (o, "exit_code", ev->exit_code >= 0 ? json_object_new_int (ev->exit_code) : NULL);
		json_object_object_add (o, "oom_killed",
		                        ev->oom_killed >= 0 ? json_object_new_boolean (ev->oom_killed) : NULL);
	}
	r = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put (o);
	return r;
}

char *
event_to_plain (const struct event *ev)
{
	if (streq (ev->type, "started"))
		return xasprintf ("%s container started %s (pid=%d)", ev->time, ev->id, (int) ev->pid);
	if (streq (ev->type, "exited")) {
		char code[16];
		snprintf (code, sizeof code, "%d", ev->exit_code);
		return xasprintf ("%s container exited %s (exit_code=%s, oom_killed=%s)", ev->time, ev->id,
		                  ev->exit_code >= 0 ? code : "unknown",
		                  ev->oom_killed < 0 ? "unknown" : ev->oom_killed ? "true" : "false");
	}
	return xasprintf ("%s container %s %s", ev->time, ev->type, ev->id);
}

static const char *
get_string (json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
		return NULL;
	return json_object_get_string (v);
}

int
event_from_json (const char *line, struct event *ev, lxcshim_error_t *err)
{
	json_object *o = json_tokener_parse (line), *v;
	const char *time, *id, *type;
	struct timespec ts;
	int ret = -1;

	memset (ev, 0, sizeof *ev);
	ev->exit_code = -1;
	ev->oom_killed = -1;
	if (o == NULL || !json_object_is_type (o, json_type_object)) {
		lxcshim_fail (err, EINVAL, "malformed event: not a JSON object");
		goto out;
	}
	time = get_string (o, "time");
	id = get_string (o, "id");
	type = get_string (o, "type");
	if (time == NULL || id == NULL || type == NULL) {
		lxcshim_fail (err, EINVAL, "malformed event: no time, id or type");
		goto out;
	}
	if (!is_type (type) || parse_id (id, NULL) < 0 || event_parse_time (time, &ts, NULL) < 0) {
		lxcshim_fail (err, EINVAL, "malformed event: bad time, id or type");
		goto out;
	}
	if (json_object_object_get_ex (o, "pid", &v) && json_object_is_type (v, json_type_int))
		ev->pid = json_object_get_int (v);
	if (json_object_object_get_ex (o, "exit_code", &v) && json_object_is_type (v, json_type_int))
		ev->exit_code = json_object_get_int (v);
	if (json_object_object_get_ex (o, "oom_killed", &v) && json_object_is_type (v, json_type_boolean))
		ev->oom_killed = json_object_get_boolean (v);
	ev->time = xstrdup (time);
	ev->id = xstrdup (id);
	ev->type = xstrdup (type);
	ret = 0;
out:
	json_object_put (o);
	return ret;
}

/* N digits at *p, advancing it. */
static bool
digits (const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit ((unsigned char) (*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

int
event_parse_time (const char *text, struct timespec *out, lxcshim_error_t *err)
{
	const char *p = text;
	struct tm tm = { 0 };
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
	long ns = 0;
	time_t t;

	if (!digits (&p, 4, &y) || *p++ != '-' || !digits (&p, 2, &mo) || *p++ != '-' || !digits (&p, 2, &d) ||
	    (*p != 'T' && *p != 't' && *p != ' '))
		goto bad;
	p++;
	if (!digits (&p, 2, &h) || *p++ != ':' || !digits (&p, 2, &mi) || *p++ != ':' || !digits (&p, 2, &s))
		goto bad;
	if (*p == '.') {
		int n = 0;
		p++;
		if (!isdigit ((unsigned char) *p))
			goto bad;
		for (; isdigit ((unsigned char) *p); p++, n++)
			if (n < 9)
				ns = ns * 10 + (*p - '0');
		for (; n < 9; n++)
			ns *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits (&p, 2, &oh) || *p++ != ':' || !digits (&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm (&tm);
	out->tv_sec = t - sign * (oh * 3600 + om * 60);
	out->tv_nsec = ns;
	return 0;
bad:
	return lxcshim_fail_value (err, "time", text, "expected RFC 3339, e.g. 2026-12-02T00:00:00Z");
}

int
event_append (const char *path, const struct event *ev, lxcshim_error_t *err)
{
	_cleanup_free_ char *json = event_to_json (ev);
	_cleanup_free_ char *line = xasprintf ("%s\n", json);
	_cleanup_close_ int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen (line);
	ssize_t n;

	if (fd < 0)
		return lxcshim_fail_errno (err, "open %s", path);
	/* One write: O_APPEND keeps a line whole among other appenders. */
	do
		n = write (fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t) len)
		return lxcshim_fail (err, n < 0 ? errno : EIO, "append to %s", path);
	return 0;
}

bool
events_log_should_rotate (off_t size, size_t add, off_t limit)
{
	return size > 0 && (off_t) add > limit - size;
}

off_t
events_log_limit (void)
{
	const char *v = getenv (EVENTS_LOG_MAX_ENV);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return EVENTS_LOG_MAX;
	errno = 0;
	n = strtoll (v, &end, 10);
	if (errno || *end != '\0' || n <= 0)
		return EVENTS_LOG_MAX;
	return (off_t) n;
}

/* PATH opened for appending and locked, still the current file when the
 * lock was had (a rotation meanwhile: the new one). */
static int
open_locked (const char *path, struct stat *st, lxcshim_error_t *err)
{
	for (;;) {
		int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		struct stat now;

		if (fd < 0)
			return lxcshim_fail_errno (err, "open %s", path);
		while (flock (fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				lxcshim_fail_errno (err, "lock %s", path);
				close (fd);
				return -1;
			}
		if (fstat (fd, st) < 0) {
			lxcshim_fail_errno (err, "stat %s", path);
			close (fd);
			return -1;
		}
		if (stat (path, &now) == 0 && now.st_ino == st->st_ino && now.st_dev == st->st_dev)
			return fd;
		close (fd); /* rotated while we waited */
	}
}

int
events_log_append (const char *path, const char *text, size_t len, off_t limit, lxcshim_error_t *err)
{
	_cleanup_free_ char *old = xasprintf ("%s.1", path);
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;

	fd = open_locked (path, &st, err);
	if (fd < 0)
		return -1;
	if (events_log_should_rotate (st.st_size, len, limit)) {
		/* Under the lock: no appender writes to it after the rename,
		 * and the next one to lock it sees it is no longer current. */
		if (rename (path, old) < 0)
			return lxcshim_fail_errno (err, "rename %s", path);
		closep (&fd);
		fd = open_locked (path, &st, err);
		if (fd < 0)
			return -1;
	}
	/* One write: the block stays whole. */
	do
		n = write (fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t) len)
		return lxcshim_fail (err, n < 0 ? errno : EIO, "append to %s", path);
	return 0;
}

static void
emit (const char *dir, const char *type, const struct state *s)
{
	_cleanup_free_ char *path = xasprintf ("%s/" EVENTS_FILE, dir);
	_cleanup_free_ char *now = rfc3339_now ();
	struct event ev = {
		.time = now,
		.id = s->id,
		.type = (char *) type,
		.exit_code = -1,
		.oom_killed = -1,
	};

	if (s->id == NULL)
		return;
	if (streq (type, "started"))
		ev.pid = s->init_pid;
	if (streq (type, "exited") && s->exited) {
		ev.exit_code = s->exit_code;
		ev.oom_killed = s->oom_killed;
	}
	event_append (path, &ev, NULL);
}

void
events_transition (const char *dir, const struct state *prev, const struct state *now)
{
	const char *from = prev ? prev->status : NULL, *to = now->status;

	if (to == NULL)
		return;
	if (from == NULL) {
		emit (dir, "created", now);
		from = "created";
	}
	if (streq (from, to)) {
		/* A stop recorded first as unknown, then with the code the
		 * init left: the later event tells the truth. */
		if (prev && streq (to, "stopped") && !prev->exited && now->exited)
			emit (dir, "exited", now);
		return;
	}
	if (streq (to, "stopped")) {
		emit (dir, "exited", now);
		return;
	}
	if (streq (from, "stopped"))
		return;
	if (streq (from, "created")) {
		emit (dir, "started", now);
		from = "running";
	}
	if (streq (to, "paused") && !streq (from, "paused"))
		emit (dir, "paused", now);
	else if (streq (to, "running") && streq (from, "paused"))
		emit (dir, "resumed", now);
}

int
events_remove_container (const char *dir, lxcshim_error_t *err)
{
	_cleanup_free_ char *path = xasprintf ("%s/" EVENTS_FILE, dir);
	_cleanup_free_ char *history = NULL, *root = NULL, *log = NULL, *now = NULL, *json = NULL, *text = NULL;
	const char *slash = strrchr (dir, '/');
	size_t n, hlen = 0;
	struct event ev = { .type = (char *) "deleted", .exit_code = -1, .oom_killed = -1 };

	/* Its history outlives the directory, in the root's log. */
	if (read_file (path, &history, &hlen, NULL) < 0) {
		if (access (path, F_OK) < 0)
			return rm_rf (dir, err); /* never recorded: no events */
		hlen = 0;
	}
	if (rm_rf (dir, err) < 0)
		return -1;
	/* DIR is <root>/containers/<id>. */
	n = slash ? (size_t) (slash - dir) : 0;
	if (n < strlen ("/containers") || strncmp (dir + n - strlen ("/containers"), "/containers", strlen ("/containers")))
		return 0;
	root = xstrndup (dir, n - strlen ("/containers"));
	log = xasprintf ("%s/" EVENTS_FILE, root);
	now = rfc3339_now ();
	ev.time = now;
	ev.id = (char *) slash + 1;
	json = event_to_json (&ev);
	/* Only whole lines of the history, then "deleted": one write, so that
	 * the block stays whole among other appenders. */
	while (hlen > 0 && history[hlen - 1] != '\n')
		hlen--;
	text = xasprintf ("%.*s%s\n", (int) hlen, hlen ? history : "", json);
	events_log_append (log, text, strlen (text), events_log_limit (), NULL);
	return 0;
}

/* ---- following: lxcshim_events_* ------------------------------------- */

struct boxed_event {
	struct lxcshim_event pub; /* first: lxcshim_event_free casts back */
	struct event ev;
	char *json, *text;
	struct timespec ts;
	size_t seq;
};

/* A container directory being followed. */
struct followed {
	char *id;
	int dir_wd;
	int file_wd;
	int fd; /* its events file, -1 until it exists */
	struct buf partial;
	size_t lines; /* events read from it, not yet matched in the root's log */
	bool deleted; /* its "deleted" has come */
	bool mute;    /* counting what was there before we started, not telling it */
};

/* A followed container whose directory went: the root's log will repeat
 * the first LINES of its history before its "deleted". */
struct gone {
	char *id;
	size_t lines;
};

struct lxcshim_events {
	char *root, *containers, *only;
	bool have_since;
	struct timespec since;
	int ino;
	int root_wd, containers_wd;
	int log_fd; /* <root>/events.jsonl: the deletions */
	ino_t log_ino; /* log_fd's, to see a rotation */
	struct buf log_partial;
	struct followed *f;
	size_t n_f;
	struct gone *g;
	size_t n_g;
	struct boxed_event **q;
	size_t q_head, q_len, q_cap, seq;
};

static int
ts_cmp (const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

static void
push (lxcshim_events_t *h, struct event *ev)
{
	struct boxed_event *b;
	struct timespec ts;

	if (event_parse_time (ev->time, &ts, NULL) < 0 || (h->have_since && ts_cmp (&ts, &h->since) < 0) ||
	    (h->only && !streq (ev->id, h->only))) {
		event_release (ev);
		return;
	}
	b = xzalloc (sizeof *b);
	b->ev = *ev;
	memset (ev, 0, sizeof *ev);
	b->json = event_to_json (&b->ev);
	b->text = event_to_plain (&b->ev);
	b->ts = ts;
	b->seq = h->seq++;
	b->pub = (struct lxcshim_event) {
		.time = b->ev.time,
		.id = b->ev.id,
		.type = b->ev.type,
		.pid = b->ev.pid,
		.exit_code = b->ev.exit_code,
		.oom_killed = b->ev.oom_killed,
		.json = b->json,
		.text = b->text,
	};
	if (h->q_head + h->q_len == h->q_cap) {
		if (h->q_head > 0) {
			memmove (h->q, h->q + h->q_head, h->q_len * sizeof *h->q);
			h->q_head = 0;
		}
		if (h->q_len == h->q_cap) {
			h->q_cap = h->q_cap ? h->q_cap * 2 : 16;
			h->q = xrealloc (h->q, h->q_cap * sizeof *h->q);
		}
	}
	h->q[h->q_head + h->q_len++] = b;
}

static struct followed *
find_id (lxcshim_events_t *h, const char *id)
{
	for (size_t i = 0; i < h->n_f; i++)
		if (streq (h->f[i].id, id))
			return &h->f[i];
	return NULL;
}

static void drain (lxcshim_events_t *h, int fd, struct buf *partial, struct followed *f);

static struct gone *
find_gone (lxcshim_events_t *h, const char *id)
{
	for (size_t i = 0; i < h->n_g; i++)
		if (streq (h->g[i].id, id))
			return &h->g[i];
	return NULL;
}

static void
drop_gone (lxcshim_events_t *h, struct gone *g)
{
	free (g->id);
	memmove (g, g + 1, (size_t) (h->g + h->n_g - (g + 1)) * sizeof *g);
	h->n_g--;
}

/* A line of the root's log: a deleted container's history, then its
 * "deleted".  What was already read from its own file is not told
 * twice; the rest (a container gone before we could read it, or
 * deleted before we started) is. */
static void
from_log (lxcshim_events_t *h, struct event *ev)
{
	struct gone *g = find_gone (h, ev->id);
	struct followed *f = g ? NULL : find_id (h, ev->id);

	/* Deleted but its directory's removal not seen yet: read it to its
	 * end first. */
	if (f && f->fd >= 0)
		drain (h, f->fd, &f->partial, f);
	if (streq (ev->type, "deleted")) {
		if (g)
			drop_gone (h, g);
		else if (f) {
			f->deleted = true;
			f->lines = 0;
		}
		push (h, ev);
		return;
	}
	if (g && g->lines > 0) {
		g->lines--;
		event_release (ev);
		return;
	}
	if (f && !f->deleted && f->lines > 0) {
		f->lines--;
		event_release (ev);
		return;
	}
	push (h, ev);
}

/* Parses the complete lines of PARTIAL, from F's file or (F NULL) from
 * the root's log. */
static void
take_lines (lxcshim_events_t *h, struct buf *partial, struct followed *f)
{
	size_t start = 0;

	for (size_t i = 0; i < partial->len; i++) {
		struct event ev;
		if (partial->data[i] != '\n')
			continue;
		partial->data[i] = '\0';
		/* A malformed line (not ours) is skipped. */
		if (event_from_json (partial->data + start, &ev, NULL) == 0) {
			if (f == NULL) {
				from_log (h, &ev);
			} else {
				f->lines++;
				if (f->mute)
					event_release (&ev);
				else
					push (h, &ev);
			}
		}
		start = i + 1;
	}
	if (start > 0) {
		memmove (partial->data, partial->data + start, partial->len - start);
		partial->len -= start;
	}
}

static void
drain (lxcshim_events_t *h, int fd, struct buf *partial, struct followed *f)
{
	char chunk[16384];
	ssize_t n;

	while ((n = read (fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add (partial, chunk, (size_t) n);
	take_lines (h, partial, f);
}

/* Opens F's events file if it exists now; from_start: read what it holds,
 * else only what is appended from now on. */
static void
open_file (lxcshim_events_t *h, struct followed *f, bool from_start)
{
	_cleanup_free_ char *path = xasprintf ("%s/%s/" EVENTS_FILE, h->containers, f->id);

	if (f->fd >= 0)
		return;
	/* Watch first: nothing appended after the open is missed. */
	f->file_wd = inotify_add_watch (h->ino, path, IN_MODIFY);
	if (f->file_wd < 0)
		return;
	f->fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f->fd < 0) {
		inotify_rm_watch (h->ino, f->file_wd);
		f->file_wd = -1;
		return;
	}
	/* Not from the start: what is there is only counted, for the root's
	 * log to skip when it repeats this history. */
	f->mute = !from_start;
	drain (h, f->fd, &f->partial, f);
	f->mute = false;
}

static void
follow (lxcshim_events_t *h, const char *id, bool from_start)
{
	_cleanup_free_ char *path = NULL;
	struct followed *f;
	int wd;

	if ((h->only && !streq (id, h->only)) || parse_id (id, NULL) < 0)
		return;
	path = xasprintf ("%s/%s", h->containers, id);
	wd = inotify_add_watch (h->ino, path, IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_ONLYDIR);
	if (wd < 0)
		return; /* gone already */
	for (size_t i = 0; i < h->n_f; i++)
		if (h->f[i].dir_wd == wd)
			return; /* seen by the scan and by IN_CREATE */
	h->f = xrealloc (h->f, (h->n_f + 1) * sizeof *h->f);
	f = &h->f[h->n_f++];
	*f = (struct followed) { .id = xstrdup (id), .dir_wd = wd, .file_wd = -1, .fd = -1 };
	open_file (h, f, from_start);
}

static void
unfollow (lxcshim_events_t *h, size_t i)
{
	struct followed *f = &h->f[i];

	if (f->fd >= 0) {
		drain (h, f->fd, &f->partial, f);
		close (f->fd);
	}
	if (f->file_wd >= 0)
		inotify_rm_watch (h->ino, f->file_wd);
	if (!f->deleted) {
		h->g = xrealloc (h->g, (h->n_g + 1) * sizeof *h->g);
		h->g[h->n_g++] = (struct gone) { .id = steal_pointer (&f->id), .lines = f->lines };
	}
	free (f->id);
	buf_free (&f->partial);
	h->f[i] = h->f[--h->n_f];
}

/* Opens the root's log if it exists now; from_start: read what it holds
 * (after the older generation, with_old), else only what comes. */
static void
open_log (lxcshim_events_t *h, bool from_start, bool with_old)
{
	_cleanup_free_ char *path = xasprintf ("%s/" EVENTS_FILE, h->root);
	_cleanup_free_ char *old = xasprintf ("%s/" EVENTS_FILE_OLD, h->root);
	_cleanup_close_ int ofd = -1;
	struct stat st, ost;

	if (h->log_fd >= 0)
		return;
	h->log_fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (h->log_fd < 0 || fstat (h->log_fd, &st) < 0) {
		closep (&h->log_fd);
		/* Between a rotation and the new file: the old one is all. */
		if (from_start && with_old && (ofd = open (old, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
			struct buf partial = { 0 };
			drain (h, ofd, &partial, NULL);
			buf_free (&partial);
		}
		return;
	}
	h->log_ino = st.st_ino;
	buf_free (&h->log_partial);
	if (!from_start) {
		lseek (h->log_fd, 0, SEEK_END);
		return;
	}
	/* The current file first: if it was rotated before .1 was opened,
	 * .1 is that same file, read once, as the current one. */
	if (with_old && (ofd = open (old, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0 && fstat (ofd, &ost) == 0 &&
	    ost.st_ino != st.st_ino) {
		struct buf partial = { 0 };
		drain (h, ofd, &partial, NULL);
		buf_free (&partial);
	}
	drain (h, h->log_fd, &h->log_partial, NULL);
}

/* The root's log changed: what was appended to the file we hold, and,
 * if it was rotated, the new one from its start (and a generation that
 * came and went between: now .1). */
static void
sync_log (lxcshim_events_t *h)
{
	_cleanup_free_ char *path = xasprintf ("%s/" EVENTS_FILE, h->root);
	struct stat st;
	ino_t was;

	if (h->log_fd < 0) {
		open_log (h, true, false);
		return;
	}
	drain (h, h->log_fd, &h->log_partial, NULL);
	if (stat (path, &st) == 0 && st.st_ino == h->log_ino)
		return;
	/* Rotated (under the appenders' lock): nothing more comes to it. */
	was = h->log_ino;
	closep (&h->log_fd);
	if (stat (path, &st) < 0)
		return; /* the new one is not there yet: its IN_CREATE comes */
	{
		_cleanup_free_ char *old = xasprintf ("%s/" EVENTS_FILE_OLD, h->root);
		struct stat ost;
		open_log (h, true, stat (old, &ost) == 0 && ost.st_ino != was);
	}
}

static int
scan (lxcshim_events_t *h, bool from_start, lxcshim_error_t *err)
{
	DIR *d = opendir (h->containers);
	struct dirent *e;

	if (d == NULL)
		return lxcshim_fail_errno (err, "open %s", h->containers);
	while ((e = readdir (d)) != NULL)
		if (e->d_name[0] != '.')
			follow (h, e->d_name, from_start);
	closedir (d);
	return 0;
}

static int
by_time (const void *a, const void *b)
{
	const struct boxed_event *x = *(struct boxed_event *const *) a, *y = *(struct boxed_event *const *) b;
	int c = ts_cmp (&x->ts, &y->ts);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
lxcshim_events_open (lxcshim_driver_t *d, const char *id, const char *since, lxcshim_events_t **out,
                     lxcshim_error_t *err)
{
	lxcshim_events_t *h;
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	bool history = since != NULL;

	*out = NULL;
	if (id && parse_id (id, err) < 0)
		return -1;
	h = xzalloc (sizeof *h);
	h->ino = h->log_fd = h->root_wd = h->containers_wd = -1;
	h->root = xstrdup (d->root);
	h->containers = xasprintf ("%s/containers", d->root);
	h->only = id ? xstrdup (id) : NULL;
	if (since && event_parse_time (since, &h->since, err) < 0)
		goto fail;
	h->have_since = history;
	if (id) {
		dir = xasprintf ("%s/%s", h->containers, id);
		if (stat (dir, &st) < 0 || !S_ISDIR (st.st_mode)) {
			lxcshim_fail (err, ENOENT, "no such container: %s", id);
			goto fail;
		}
	} else if (mkdir_p (h->containers, 0700, err) < 0) {
		goto fail;
	}
	h->ino = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
	if (h->ino < 0) {
		lxcshim_fail_errno (err, "inotify_init1");
		goto fail;
	}
	h->root_wd = inotify_add_watch (h->ino, h->root, IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_ONLYDIR);
	h->containers_wd = inotify_add_watch (h->ino, h->containers, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (h->root_wd < 0 || h->containers_wd < 0) {
		lxcshim_fail_errno (err, "inotify_add_watch %s", h->containers);
		goto fail;
	}
	/* The containers before the log: a deletion found in the log then
	 * comes after that container's own history. */
	if (scan (h, history, err) < 0)
		goto fail;
	open_log (h, history, true);
	if (history && h->q_len > 1)
		qsort (h->q + h->q_head, h->q_len, sizeof *h->q, by_time);
	*out = h;
	return 0;
fail:
	lxcshim_events_close (h);
	return -1;
}

int
lxcshim_events_fd (const lxcshim_events_t *h)
{
	return h->ino;
}

static void
on_inotify (lxcshim_events_t *h, const struct inotify_event *e)
{
	if (e->mask & IN_Q_OVERFLOW) {
		/* Lost events: read everything again. */
		for (size_t i = 0; i < h->n_f; i++)
			if (h->f[i].fd >= 0)
				drain (h, h->f[i].fd, &h->f[i].partial, &h->f[i]);
			else
				open_file (h, &h->f[i], true);
		scan (h, true, NULL);
		sync_log (h);
		return;
	}
	if (e->wd == h->root_wd) {
		if (e->len && streq (e->name, EVENTS_FILE))
			sync_log (h);
		return;
	}
	if (e->wd == h->containers_wd) {
		if (e->len && (e->mask & IN_ISDIR))
			follow (h, e->name, true);
		return;
	}
	for (size_t i = 0; i < h->n_f; i++) {
		struct followed *f = &h->f[i];
		if (e->wd == f->dir_wd) {
			if (e->mask & (IN_DELETE_SELF | IN_IGNORED))
				unfollow (h, i);
			else if (e->len && streq (e->name, EVENTS_FILE))
				open_file (h, f, true);
			return;
		}
		if (e->wd == f->file_wd) {
			if (f->fd >= 0 && (e->mask & IN_MODIFY))
				drain (h, f->fd, &f->partial, f);
			return;
		}
	}
}

int
lxcshim_events_read (lxcshim_events_t *h, struct lxcshim_event **ev, lxcshim_error_t *err)
{
	*ev = NULL;
	if (h->q_len == 0) {
		char buf[8192] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
		ssize_t n;

		while ((n = read (h->ino, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
			for (char *p = buf; n > 0 && p < buf + n;) {
				const struct inotify_event *e = (const struct inotify_event *) p;
				on_inotify (h, e);
				p += sizeof *e + e->len;
			}
		if (n < 0 && errno != EAGAIN)
			return lxcshim_fail_errno (err, "read inotify");
	}
	if (h->q_len == 0)
		return 0;
	*ev = &h->q[h->q_head]->pub;
	h->q_head++;
	h->q_len--;
	if (h->q_len == 0)
		h->q_head = 0;
	return 1;
}

void
lxcshim_event_free (struct lxcshim_event *ev)
{
	struct boxed_event *b = (struct boxed_event *) ev;

	if (b == NULL)
		return;
	event_release (&b->ev);
	free (b->json);
	free (b->text);
	free (b);
}

void
lxcshim_events_close (lxcshim_events_t *h)
{
	if (h == NULL)
		return;
	while (h->n_f > 0) {
		struct followed *f = &h->f[--h->n_f];
		if (f->fd >= 0)
			close (f->fd);
		free (f->id);
		buf_free (&f->partial);
	}
	free (h->f);
	for (size_t i = 0; i < h->n_g; i++)
		free (h->g[i].id);
	free (h->g);
	for (size_t i = 0; i < h->q_len; i++)
		lxcshim_event_free (&h->q[h->q_head + i]->pub);
	free (h->q);
	if (h->log_fd >= 0)
		close (h->log_fd);
	buf_free (&h->log_partial);
	if (h->ino >= 0)
		close (h->ino);
	free (h->root);
	free (h->containers);
	free (h->only);
	free (h);
}
