/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim-exec: lxcshim_exec's attach for a multi-threaded caller, in a
 * process of its own (see exec.h).  Not for direct use. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "exec.h"

int
main (int argc, char **argv)
{
	(void) argv;
	if (argc != 1 || isatty (EXEC_HELPER_REPLY_FD)) {
		fputs ("usage: lxcshim-exec (started by liblxcshim, not by hand)\n", stderr);
		return 125;
	}
	return exec_helper_main ();
}
