/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include "error.h"
#include "oom.h"
#include "util.h"

int
oom_watch_start (struct oom_watch *w, const char *dir, lxcshim_error_t *err)
{
	_cleanup_free_ char *control = xasprintf ("%s/memory.oom_control", dir);
	_cleanup_free_ char *event_control = xasprintf ("%s/cgroup.event_control", dir);
	_cleanup_close_ int cfd = -1, efd = -1, ecfd = -1;
	char line[64];
	int n;

	cfd = open (control, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return lxcshim_fail_errno (err, "open %s", control);
	efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return lxcshim_fail_errno (err, "eventfd");
	ecfd = open (event_control, O_WRONLY | O_CLOEXEC);
	if (ecfd < 0)
		return lxcshim_fail_errno (err, "open %s", event_control);
	n = snprintf (line, sizeof line, "%d %d", efd, cfd);
	if (write_all (ecfd, line, n) < 0)
		return lxcshim_fail_errno (err, "register OOM eventfd in %s", event_control);
	w->event_fd = steal_fd (&efd);
	w->control_fd = steal_fd (&cfd);
	w->dir = xstrdup (dir);
	w->v2 = false;
	w->seen = false;
	w->base = 0;
	w->base = oom_watch_kills (w);
	return 0;
}

int
oom_watch_start_v2 (struct oom_watch *w, const char *dir, lxcshim_error_t *err)
{
	_cleanup_free_ char *events = xasprintf ("%s/memory.events", dir);
	_cleanup_close_ int cfd = -1, ifd = -1;

	cfd = open (events, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return lxcshim_fail_errno (err, "open %s", events);
	ifd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0)
		return lxcshim_fail_errno (err, "inotify_init1");
	if (inotify_add_watch (ifd, events, IN_MODIFY) < 0)
		return lxcshim_fail_errno (err, "watch %s", events);
	w->event_fd = steal_fd (&ifd);
	w->control_fd = steal_fd (&cfd);
	w->dir = xstrdup (dir);
	w->v2 = true;
	w->seen = false;
	w->base = 0;
	w->base = oom_watch_kills (w);
	return 0;
}

/* v2: any event (a counter moved, or the watch went with the cgroup) is
 * only a reason to read oom_kill again. */
static bool
oom_watch_event_v2 (struct oom_watch *w)
{
	char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));

	while (read (w->event_fd, buf, sizeof buf) > 0)
		;
	if (w->seen || oom_watch_kills (w) == 0)
		return false;
	w->seen = true;
	return true;
}

bool
oom_watch_event (struct oom_watch *w)
{
	uint64_t count;
	_cleanup_free_ char *probe = NULL;

	if (w->event_fd < 0)
		return false;
	if (w->v2)
		return oom_watch_event_v2 (w);
	if (read (w->event_fd, &count, sizeof count) != sizeof count)
		return false;
	/* Docker's test: after a removal event the cgroup is gone. */
	probe = xasprintf ("%s/cgroup.event_control", w->dir);
	if (access (probe, F_OK) < 0)
		return false;
	w->seen = true;
	return true;
}

uint64_t
oom_parse_kill_count (const char *text)
{
	const char *p = text ? strstr (text, "oom_kill ") : NULL;

	/* Only at the start of a line: the key, not part of another value. */
	while (p && p != text && p[-1] != '\n')
		p = strstr (p + 1, "oom_kill ");
	return p ? strtoull (p + 9, NULL, 10) : 0;
}

uint64_t
oom_watch_kills (struct oom_watch *w)
{
	char text[512];
	uint64_t kills;
	ssize_t n;

	if (w->control_fd < 0)
		return 0;
	/* A removed cgroup's file reads ENODEV: no kill. */
	n = pread (w->control_fd, text, sizeof text - 1, 0);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	kills = oom_parse_kill_count (text);
	return kills > w->base ? kills - w->base : 0;
}

void
oom_watch_stop (struct oom_watch *w)
{
	closep (&w->event_fd);
	closep (&w->control_fd);
	free (w->dir);
	w->dir = NULL;
}

bool
oom_verdict (bool killed_by_sigkill, bool event_seen, uint64_t kill_count)
{
	return killed_by_sigkill && (event_seen || kill_count > 0);
}
