#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "error.h"
#include "terminal.h"
#include "util.h"

int
terminal_open (struct terminal *t, int size_from, lxcshim_error_t *err)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char name[64];

	if (size_from >= 0 && isatty (size_from))
		ioctl (size_from, TIOCGWINSZ, &ws);
	if (ws.ws_row == 0 || ws.ws_col == 0) {
		ws.ws_row = 24;
		ws.ws_col = 80;
	}
	if (openpty (&t->master, &t->slave, name, NULL, &ws) < 0)
		return lxcshim_fail_errno (err, "openpty");
	fcntl (t->master, F_SETFD, FD_CLOEXEC);
	fcntl (t->slave, F_SETFD, FD_CLOEXEC);
	t->slave_path = xstrdup (name);
	return 0;
}

void
terminal_close (struct terminal *t)
{
	closep (&t->master);
	closep (&t->slave);
	free (t->slave_path);
	t->slave_path = NULL;
}

void
terminal_resize (struct terminal *t, int from)
{
	struct winsize ws;

	if (t->master >= 0 && from >= 0 && ioctl (from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		ioctl (t->master, TIOCSWINSZ, &ws);
}
