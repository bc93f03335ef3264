/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "util.h"

/* execvp without glibc's fallback of running ENOEXEC files with /bin/sh,
 * the same rules as lxcshim-init.  Runs in the container; returns errno. */
int
command_exec (char *const *argv)
{
	const char *name = argv[0], *path, *p;
	bool eacces = false;

	if (*name == '\0')
		return ENOENT;
	if (strchr (name, '/')) {
		execve (name, argv, environ);
		return errno;
	}
	path = getenv ("PATH");
	if (path == NULL)
		path = COMMAND_DEFAULT_PATH;
	for (p = path;; p++) {
		const char *end = strchrnul (p, ':');
		size_t dlen = end - p;
		char full[PATH_MAX];

		if (dlen + 1 + strlen (name) + 1 <= sizeof full) {
			if (dlen == 0)
				snprintf (full, sizeof full, "%s", name);
			else
				snprintf (full, sizeof full, "%.*s/%s", (int) dlen, p, name);
			execve (full, argv, environ);
			switch (errno) {
			case EACCES:
				eacces = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
			case ELOOP:
			case ENAMETOOLONG:
				break;
			default:
				return errno;
			}
		}
		p = end;
		if (*p == '\0')
			break;
	}
	return eacces ? EACCES : ENOENT;
}

int
command_failure (const char *cmd, int error, char *msg, size_t size)
{
	_cleanup_free_ char *q = escape_for_message (cmd);

	if (error == ENOENT && !strchr (cmd, '/'))
		snprintf (msg, size, "exec %s: executable file not found in $PATH", q);
	else
		snprintf (msg, size, "exec %s: %s", q, strerror (error));
	return command_exit_code (error);
}

int
command_exit_code (int error)
{
	return error == ENOENT || error == ENOTDIR ? 127 : 126;
}
