/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "util.h"

_Noreturn void
oom (void)
{
	static const char msg[] = "lxcshim: out of memory\n";
	write (STDERR_FILENO, msg, sizeof msg - 1);
	abort ();
}

void *
xmalloc (size_t n)
{
	void *p = malloc (n ? n : 1);
	if (p == NULL)
		oom ();
	return p;
}

void *
xzalloc (size_t n)
{
	void *p = calloc (1, n ? n : 1);
	if (p == NULL)
		oom ();
	return p;
}

void *
xrealloc (void *p, size_t n)
{
	p = realloc (p, n ? n : 1);
	if (p == NULL)
		oom ();
	return p;
}

char *
xstrdup (const char *s)
{
	char *r = strdup (s);
	if (r == NULL)
		oom ();
	return r;
}

char *
xstrndup (const char *s, size_t n)
{
	char *r = strndup (s, n);
	if (r == NULL)
		oom ();
	return r;
}

char *
xasprintf (const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start (ap, fmt);
	if (vasprintf (&r, fmt, ap) < 0)
		oom ();
	va_end (ap);
	return r;
}

size_t
strv_length (char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void
strv_push (char ***v, char *s)
{
	size_t n = strv_length (*v);
	*v = xrealloc (*v, (n + 2) * sizeof (char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void
strv_append (char ***v, const char *s)
{
	strv_push (v, xstrdup (s));
}

char **
strv_copy (char *const *v)
{
	char **r = xzalloc (sizeof (char *));
	for (size_t i = 0; v && v[i]; i++)
		strv_append (&r, v[i]);
	return r;
}

void
strv_free (char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free (v[i]);
	free (v);
}

void
buf_add (struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc (b->data, b->cap);
	}
	memcpy (b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts (struct buf *b, const char *s)
{
	buf_add (b, s, strlen (s));
}

void
buf_printf (struct buf *b, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int n;

	va_start (ap, fmt);
	n = vasprintf (&s, fmt, ap);
	va_end (ap);
	if (n < 0)
		oom ();
	buf_add (b, s, n);
}

char *
buf_steal (struct buf *b)
{
	char *r = b->data ? b->data : xstrdup ("");
	b->data = NULL;
	b->len = b->cap = 0;
	return r;
}

void
buf_free (struct buf *b)
{
	free (b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

ssize_t
read_all (int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read (fd, (char *) buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

int
write_all (int fd, const void *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = write (fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		buf = (const char *) buf + r;
		n -= r;
	}
	return 0;
}

int
read_file (const char *path, char **out, size_t *len, lxcshim_error_t *err)
{
	_cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
	struct buf b = { 0 };
	char chunk[4096];

	if (fd < 0)
		return lxcshim_fail_errno (err, "open %s", path);
	for (;;) {
		ssize_t r = read (fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			buf_free (&b);
			return lxcshim_fail_errno (err, "read %s", path);
		}
		if (r == 0)
			break;
		buf_add (&b, chunk, r);
	}
	if (len)
		*len = b.len;
	*out = buf_steal (&b);
	return 0;
}

int
write_file (const char *path, const char *data, size_t len, mode_t mode, lxcshim_error_t *err)
{
	_cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return lxcshim_fail_errno (err, "create %s", path);
	if (write_all (fd, data, len) < 0)
		return lxcshim_fail_errno (err, "write %s", path);
	return 0;
}

int
write_file_atomic (const char *path, const char *data, size_t len, mode_t mode, lxcshim_error_t *err)
{
	_cleanup_free_ char *tmp = xasprintf ("%s.tmp.%d", path, (int) getpid ());
	_cleanup_close_ int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return lxcshim_fail_errno (err, "create %s", tmp);
	if (write_all (fd, data, len) < 0 || fsync (fd) < 0) {
		lxcshim_fail_errno (err, "write %s", tmp);
		unlink (tmp);
		return -1;
	}
	if (rename (tmp, path) < 0) {
		lxcshim_fail_errno (err, "rename %s", tmp);
		unlink (tmp);
		return -1;
	}
	return 0;
}

int
mkdir_p (const char *path, mode_t mode, lxcshim_error_t *err)
{
	_cleanup_free_ char *p = xstrdup (path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir (p, mode) < 0 && errno != EEXIST)
			return lxcshim_fail_errno (err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir (p, mode) < 0 && errno != EEXIST)
		return lxcshim_fail_errno (err, "mkdir %s", p);
	return 0;
}

static int
rm_rf_at (int parent, const char *name, lxcshim_error_t *err)
{
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *de;

	if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return lxcshim_fail_errno (err, "unlink %s", name);
	fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lxcshim_fail_errno (err, "open %s", name);
	d = fdopendir (steal_fd (&fd));
	if (d == NULL)
		return lxcshim_fail_errno (err, "opendir %s", name);
	while ((de = readdir (d))) {
		if (streq (de->d_name, ".") || streq (de->d_name, ".."))
			continue;
		if (rm_rf_at (dirfd (d), de->d_name, err) < 0) {
			closedir (d);
			return -1;
		}
	}
	closedir (d);
	if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return lxcshim_fail_errno (err, "rmdir %s", name);
	return 0;
}

int
rm_rf (const char *path, lxcshim_error_t *err)
{
	return rm_rf_at (AT_FDCWD, path, err);
}

char *
find_in_path (const char *name)
{
	const char *path = getenv ("PATH");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (strchr (name, '/'))
		return access (name, X_OK) == 0 ? xstrdup (name) : NULL;
	copy = xstrdup (path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save)) {
		char *full = xasprintf ("%s/%s", *dir ? dir : ".", name);
		struct stat st;
		if (stat (full, &st) == 0 && S_ISREG (st.st_mode) && access (full, X_OK) == 0)
			return full;
		free (full);
	}
	return NULL;
}

void
reset_signals (void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	/* The kernel's struct for the raw call: handler, flags, restorer, mask. */
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ksa = { 0 };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		/* glibc refuses 32 and 33 (its own); an ignored one would still be
		 * inherited by the workload, so reset them with the raw call. */
		if (sigaction (sig, &sa, NULL) < 0 && errno == EINVAL)
			syscall (SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask);
	}
	sigemptyset (&none);
	sigprocmask (SIG_SETMASK, &none, NULL);
}

char *
escape_for_message (const char *s)
{
	struct buf b = { 0 };

	for (; s && *s; s++) {
		unsigned char c = *s;
		if (c == '\\' || c == '"')
			buf_printf (&b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf (&b, "\\x%02x", c);
		else
			buf_add (&b, (const char *) &c, 1);
	}
	return buf_steal (&b);
}

char *
rfc3339_now (void)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime (CLOCK_REALTIME, &ts);
	gmtime_r (&ts.tv_sec, &tm);
	strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf ("%s.%09ldZ", base, ts.tv_nsec);
}
