/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

static int
vfail (lxcshim_error_t *err, int status, const char *fmt, va_list ap)
{
	char *msg;

	if (err == NULL)
		return -1;
	if (vasprintf (&msg, fmt, ap) < 0)
		oom ();
	/* Keep the first error: it is the cause, later ones are fallout. */
	if (*err != NULL) {
		free (msg);
		return -1;
	}
	*err = xmalloc (sizeof **err);
	(*err)->status = status;
	(*err)->msg = msg;
	return -1;
}

int
lxcshim_fail (lxcshim_error_t *err, int status, const char *fmt, ...)
{
	va_list ap;

	va_start (ap, fmt);
	vfail (err, status, fmt, ap);
	va_end (ap);
	return -1;
}

int
lxcshim_fail_errno (lxcshim_error_t *err, const char *fmt, ...)
{
	int saved = errno;
	char *msg;
	va_list ap;

	va_start (ap, fmt);
	if (vasprintf (&msg, fmt, ap) < 0)
		oom ();
	va_end (ap);
	lxcshim_fail (err, saved, "%s: %s", msg, strerror (saved));
	free (msg);
	errno = saved;
	return -1;
}

int
lxcshim_fail_value (lxcshim_error_t *err, const char *what, const char *value, const char *hint_fmt, ...)
{
	_cleanup_free_ char *quoted = escape_for_message (value ? value : "");
	_cleanup_free_ char *hint = NULL;
	va_list ap;

	va_start (ap, hint_fmt);
	if (vasprintf (&hint, hint_fmt, ap) < 0)
		oom ();
	va_end (ap);
	return lxcshim_fail (err, EINVAL, "invalid %s \"%s\": %s", what, quoted, hint);
}

int
lxcshim_error_prefix (lxcshim_error_t *err, const char *fmt, ...)
{
	char *prefix, *msg;
	va_list ap;

	if (err == NULL || *err == NULL)
		return -1;
	va_start (ap, fmt);
	if (vasprintf (&prefix, fmt, ap) < 0)
		oom ();
	va_end (ap);
	if (asprintf (&msg, "%s: %s", prefix, (*err)->msg) < 0)
		oom ();
	free (prefix);
	free ((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void
lxcshim_error_release (lxcshim_error_t *err)
{
	if (err == NULL || *err == NULL)
		return;
	free ((*err)->msg);
	free (*err);
	*err = NULL;
}
