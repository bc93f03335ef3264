/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by the library, the CLI and the container init. */
#ifndef LXCSHIM_UTIL_H
#define LXCSHIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lxcshim.h"

#define _cleanup_(f) __attribute__ ((cleanup (f)))
#define _cleanup_free_ _cleanup_ (freep)
#define _cleanup_close_ _cleanup_ (closep)
#define _cleanup_fclose_ _cleanup_ (fclosep)
#define _cleanup_strv_ _cleanup_ (strv_freep)
#define _cleanup_error_ _cleanup_ (lxcshim_error_release)

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))
#define streq(a, b) (strcmp ((a), (b)) == 0)

static inline void
freep (void *p)
{
	free (*(void **) p);
}

static inline void
closep (int *fd)
{
	if (*fd >= 0)
		close (*fd);
	*fd = -1;
}

static inline void
fclosep (FILE **f)
{
	if (*f)
		fclose (*f);
}

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp) ({ __typeof__ (*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

_Noreturn void oom (void);
void *xmalloc (size_t n);
void *xzalloc (size_t n);
void *xrealloc (void *p, size_t n);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_length (char *const *v);
void strv_push (char ***v, char *s); /* takes ownership of s */
void strv_append (char ***v, const char *s);
char **strv_copy (char *const *v);
void strv_free (char **v);
static inline void
strv_freep (char ***v)
{
	strv_free (*v);
}

/* A string vector that grows in amortized O(1) (strv_push is O(n)). */
struct strvb {
	char **v;
	size_t n, cap;
};
void strvb_push (struct strvb *b, char *s); /* takes ownership of s */
char **strvb_steal (struct strvb *b);       /* NULL-terminated, never NULL */
void strvb_free (struct strvb *b);

/* Removes repeated keys from a vector of "K=V" (or "K") entries in
 * O(n log n): each key stays where it first appeared, with the value of
 * its last entry ("later wins").  Frees what it drops. */
void env_dedupe (char **env);

/* A growable byte buffer for rendering text. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add (struct buf *b, const char *s, size_t n);
void buf_puts (struct buf *b, const char *s);
void buf_printf (struct buf *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
char *buf_steal (struct buf *b); /* NUL-terminated, never NULL */
void buf_free (struct buf *b);

/* The most lxcshim reads of any one file (--env-file, --spec, --template,
 * lxcshim.conf, state.json, config.env, /proc and lxc files). */
#define LXCSHIM_FILE_MAX ((size_t) 16 << 20)

/* Reads at most LXCSHIM_FILE_MAX bytes; a longer file (or an endless one
 * such as /dev/zero) is an EFBIG error naming it.  *out is NUL-terminated. */
int read_file (const char *path, char **out, size_t *len, lxcshim_error_t *err);
/* A way to give up a read that waits (a FIFO whose writer never writes):
 * when FD becomes readable, STOP says whether to (and may set SIGNO). */
struct read_cancel {
	int fd;
	bool (*stop) (struct read_cancel *c);
	int signo;
};
/* The same with limit MAX.  With CANCEL, anything but a regular file is
 * read by polling it together with CANCEL->fd, and the read fails with
 * EINTR once CANCEL->stop says so. */
int read_file_limited (const char *path, size_t max, struct read_cancel *cancel, char **out, size_t *len,
                       lxcshim_error_t *err);
/* Write via a temp file in the same directory, fsync, rename. */
int write_file_atomic (const char *path, const char *data, size_t len, mode_t mode, lxcshim_error_t *err);
int write_file (const char *path, const char *data, size_t len, mode_t mode, lxcshim_error_t *err);
int mkdir_p (const char *path, mode_t mode, lxcshim_error_t *err);
int rm_rf (const char *path, lxcshim_error_t *err);

/* Full read/write over EINTR and short counts. */
ssize_t read_all (int fd, void *buf, size_t n);
int write_all (int fd, const void *buf, size_t n);

/* Looks up an executable in PATH (or "/usr/sbin:/usr/bin:/sbin:/bin" if unset). */
char *find_in_path (const char *name);

/* Resets every signal disposition to SIG_DFL and empties the mask: for
 * children about to exec. Async-signal-safe. */
void reset_signals (void);

/* S made safe for a one-line message: control characters, '"' and '\\'
 * escaped C-style. */
char *escape_for_message (const char *s);

/* The thread count of a /proc/PID/stat line (its 20th field, counted
 * after the ')' that ends the command name, which may hold spaces and
 * parentheses); -1 if the line is not one. */
long stat_num_threads (const char *stat_line);

/* Whether the calling process has exactly one thread: only then may the
 * library fork and go on without exec (no other thread can hold a lock
 * the child would need).  False when it cannot tell. */
bool process_single_threaded (void);

/* Now as an RFC 3339 string in UTC with nanoseconds. */
char *rfc3339_now (void);

#endif
