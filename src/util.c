/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "util.h"

#ifndef __GLIBC__
/* musl (the init may be linked with it) has no sigabbrev_np. */
static const char *
sigabbrev_np (int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
		[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT", [SIGBUS] = "BUS", [SIGFPE] = "FPE",
		[SIGKILL] = "KILL", [SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
		[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM", [SIGCHLD] = "CHLD",
		[SIGCONT] = "CONT", [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN",
		[SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGXCPU] = "XCPU", [SIGXFSZ] = "XFSZ",
		[SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH", [SIGIO] = "IO",
		[SIGPWR] = "PWR", [SIGSYS] = "SYS",
	};
	return sig > 0 && (size_t) sig < sizeof names / sizeof names[0] ? names[sig] : NULL;
}
#endif

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
	size_t n = strv_length (v);
	char **r = xmalloc ((n + 1) * sizeof (char *));

	/* Not strv_append: that is O(n) a call, and a command may have 100k+
	 * arguments. */
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup (v[i]);
	r[n] = NULL;
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
strvb_push (struct strvb *b, char *s)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->v = xrealloc (b->v, b->cap * sizeof (char *));
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

char **
strvb_steal (struct strvb *b)
{
	char **r = b->v ? b->v : xzalloc (sizeof (char *));

	b->v = NULL;
	b->n = b->cap = 0;
	return r;
}

void
strvb_free (struct strvb *b)
{
	strv_free (b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

struct env_key {
	const char *s;
	size_t klen, index;
};

static int
env_key_cmp (const void *a, const void *b)
{
	const struct env_key *x = a, *y = b;
	int c = memcmp (x->s, y->s, x->klen < y->klen ? x->klen : y->klen);

	if (c == 0 && x->klen != y->klen)
		c = x->klen < y->klen ? -1 : 1;
	if (c == 0)
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

void
env_dedupe (char **env)
{
	size_t n = strv_length (env), out = 0;
	_cleanup_free_ struct env_key *keys = NULL;

	if (n < 2)
		return;
	keys = xmalloc (n * sizeof *keys);
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct env_key) { env[i], strcspn (env[i], "="), i };
	/* Sorted by key, then position: a run of equal keys is first..last. */
	qsort (keys, n, sizeof *keys, env_key_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, first = keys[i].index;

		while (j < n && keys[j].klen == keys[i].klen && memcmp (keys[j].s, keys[i].s, keys[i].klen) == 0)
			j++;
		if (j - i > 1) {
			free (env[first]);
			env[first] = env[keys[j - 1].index];
			env[keys[j - 1].index] = NULL;
			for (size_t k = i + 1; k < j - 1; k++) {
				free (env[keys[k].index]);
				env[keys[k].index] = NULL;
			}
		}
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		if (env[i])
			env[out++] = env[i];
	env[out] = NULL;
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

/* Waits until FD can be read or C says stop; false (errno EINTR) on the
 * latter. */
static bool
wait_input (int fd, struct read_cancel *c)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = c->fd, .events = POLLIN } };

	for (;;) {
		int r = poll (p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (p[1].revents && c->stop (c)) {
			errno = EINTR;
			return false;
		}
		if (p[0].revents)
			return true;
	}
}

int
read_file_limited (const char *path, size_t max, struct read_cancel *cancel, char **out, size_t *len,
                   lxcshim_error_t *err)
{
	_cleanup_close_ int fd = -1;
	struct buf b = { 0 };
	struct stat st;
	bool poll_it;
	size_t chunk = 4096;

	/* Non-blocking, so that a FIFO without a writer cannot hang the open;
	 * polling below then waits for its writer as a blocking read would. */
	fd = open (path, O_RDONLY | O_CLOEXEC | (cancel ? O_NONBLOCK : 0));
	if (fd < 0)
		return lxcshim_fail_errno (err, "open %s", path);
	if (fstat (fd, &st) < 0)
		return lxcshim_fail_errno (err, "stat %s", path);
	if (S_ISDIR (st.st_mode))
		return lxcshim_fail (err, EISDIR, "read %s: it is a directory", path);
	if (S_ISREG (st.st_mode) && (uint64_t) st.st_size > max)
		goto too_big;
	poll_it = cancel && !S_ISREG (st.st_mode);
	/* A regular file in one read (and one more to see its end). */
	if (S_ISREG (st.st_mode) && st.st_size > 0)
		chunk = (size_t) st.st_size + 1;
	for (;;) {
		ssize_t r;

		/* Room for one byte past the limit tells "exactly max" from more. */
		if (b.cap < b.len + chunk + 1) {
			b.cap = b.len + chunk + 1 > 2 * b.cap ? b.len + chunk + 1 : 2 * b.cap;
			b.data = xrealloc (b.data, b.cap);
		}
		if (poll_it && !wait_input (fd, cancel)) {
			buf_free (&b);
			if (errno == EINTR)
				return lxcshim_fail (err, EINTR, "read %s: interrupted by SIG%s", path,
				                     sigabbrev_np (cancel->signo) ? sigabbrev_np (cancel->signo) : "?");
			return lxcshim_fail_errno (err, "poll %s", path);
		}
		r = read (fd, b.data + b.len, chunk < max + 1 - b.len ? chunk : max + 1 - b.len);
		if (r < 0 && (errno == EINTR || (poll_it && errno == EAGAIN)))
			continue;
		if (r < 0) {
			buf_free (&b);
			return lxcshim_fail_errno (err, "read %s", path);
		}
		if (r == 0)
			break;
		b.len += r;
		if (b.len > max) {
			buf_free (&b);
			goto too_big;
		}
		if (chunk < (size_t) 1 << 20)
			chunk = chunk * 2 < (size_t) 1 << 20 ? chunk * 2 : (size_t) 1 << 20;
	}
	if (b.data)
		b.data[b.len] = '\0';
	if (len)
		*len = b.len;
	*out = buf_steal (&b);
	return 0;
too_big:
	return lxcshim_fail (err, EFBIG, "%s is larger than %zu bytes", path, max);
}

int
read_file (const char *path, char **out, size_t *len, lxcshim_error_t *err)
{
	return read_file_limited (path, LXCSHIM_FILE_MAX, NULL, out, len, err);
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

long
stat_num_threads (const char *stat_line)
{
	const char *p = strrchr (stat_line, ')');
	char *end;
	long n;

	if (p == NULL)
		return -1;
	/* After ")": state is field 3, num_threads field 20. */
	for (int field = 2; field < 20; field++) {
		p = strchr (p + 1, ' ');
		if (p == NULL)
			return -1;
	}
	errno = 0;
	n = strtol (p + 1, &end, 10);
	if (errno || end == p + 1 || (*end != ' ' && *end != '\0' && *end != '\n') || n < 1)
		return -1;
	return n;
}

bool
process_single_threaded (void)
{
	_cleanup_close_ int fd = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	char line[1024];
	ssize_t n;

	if (fd < 0)
		return false;
	n = read_all (fd, line, sizeof line - 1);
	if (n <= 0)
		return false;
	line[n] = '\0';
	return stat_num_threads (line) == 1;
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
