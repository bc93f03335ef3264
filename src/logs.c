/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim_logs: the output of a detached container.  Following is
 * event-driven: inotify says when a log grew, the init's pidfd says when
 * nothing more can come. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>

#include "container.h"
#include "driver.h"
#include "error.h"
#include "parse.h"
#include "state.h"
#include "util.h"

/* Copies what was appended to FD since the last call. */
static int
copy_new (int fd, int out, lxcshim_error_t *err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read (fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lxcshim_fail_errno (err, "read log");
		if (n == 0)
			return 0;
		if (write_all (out, buf, n) < 0)
			return lxcshim_fail_errno (err, "write log");
	}
}

/* A pidfd on the container's init if it still runs as recorded. */
static int
open_live_init (const char *state_path)
{
	struct state st;
	int fd = -1;

	if (state_read (state_path, &st, NULL) < 0)
		return -1;
	if (!st.exited)
		fd = container_init_pidfd (&st, NULL);
	state_release (&st);
	return fd;
}

int
lxcshim_logs (lxcshim_driver_t *d, const char *id, bool follow, int out_fd, int err_fd, lxcshim_error_t *err)
{
	_cleanup_free_ char *dir = NULL, *out_path = NULL, *err_path = NULL, *state_path = NULL;
	_cleanup_close_ int out = -1, errf = -1, ino = -1, init = -1;

	if (parse_id (id, err) < 0)
		return -1;
	dir = driver_container_dir (d, id);
	state_path = driver_container_file (d, id, "state.json");
	if (access (state_path, F_OK) < 0)
		return lxcshim_fail (err, ENOENT, "no such container: %s", id);
	out_path = driver_container_file (d, id, "stdout.log");
	err_path = driver_container_file (d, id, "stderr.log");
	out = open (out_path, O_RDONLY | O_CLOEXEC);
	errf = open (err_path, O_RDONLY | O_CLOEXEC);
	if (out < 0 || errf < 0)
		return lxcshim_fail (err, ENOENT, "container %s has no logs: only detached containers log to files", id);
	if (follow) {
		/* Watch before reading, so that nothing written in between is missed. */
		ino = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
		if (ino < 0 || inotify_add_watch (ino, dir, IN_MODIFY | IN_DELETE_SELF) < 0)
			return lxcshim_fail_errno (err, "inotify on %s", dir);
		init = open_live_init (state_path);
	}
	if (copy_new (out, out_fd, err) < 0 || copy_new (errf, err_fd, err) < 0)
		return -1;
	while (follow && init >= 0) {
		struct pollfd p[2] = { { .fd = ino, .events = POLLIN }, { .fd = init, .events = POLLIN } };
		char events[4096];

		if (poll (p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return lxcshim_fail_errno (err, "poll");
		}
		while (read (ino, events, sizeof events) > 0)
			;
		if (copy_new (out, out_fd, err) < 0 || copy_new (errf, err_fd, err) < 0)
			return -1;
		if (p[1].revents)
			break;
	}
	return 0;
}
