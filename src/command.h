/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running the workload's command the same way in lxcshim-init and in
 * lxcshim_exec: PATH search, and Docker's 126/127 convention. */
#ifndef LXCSHIM_COMMAND_H
#define LXCSHIM_COMMAND_H

#include <stddef.h>

#define COMMAND_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* execvp without glibc's habit of running ENOEXEC files with /bin/sh
 * (docker and runc do not do that either).  Returns errno on failure. */
int command_exec (char *const *argv);

/* 127 when exec failed with ERROR because the command is not there, else
 * 126: it is there but cannot be executed. */
int command_exit_code (int error);

/* The status and the one-line reason for an exec that failed with ERROR:
 * 127 when the command is not there, 126 when it cannot be executed. */
int command_failure (const char *cmd, int error, char *msg, size_t size);

#endif
