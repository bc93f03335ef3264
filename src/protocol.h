/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control channel between the supervisor and lxcshim-init.
 *
 * A SOCK_SEQPACKET socketpair; lxc-start passes the init's end through to
 * the container (it is inherited, and lxc-start is not given -C), where it
 * is fd LXCSHIM_INIT_FD.  One ASCII message per packet:
 *
 *   init -> supervisor
 *     "READY"               set up (env, user, cwd); waiting for GO
 *     "FAIL <code> <text>"  the workload cannot run: 125 before READY (bad
 *                           user, workdir, env file), 126/127 when exec fails
 *     "EXIT <status>"       the workload ended; <status> is its raw wait status
 *   supervisor -> init
 *     "GO"                  exec the workload now; carries the workload's
 *                           stdin, stdout, stderr as SCM_RIGHTS (lxc-start
 *                           itself only gets /dev/null: lxc chmods its
 *                           stdio to 0700)
 *
 * The status pipe.  The init also writes "EXIT <status>" into a pipe of
 * its own whose read end it keeps open at fd LXCSHIM_STATUS_FD.  Nobody
 * reads it while the supervisor lives; a lifecycle command that stops a
 * container whose supervisor is gone takes a copy of that read end with
 * pidfd_getfd() before signalling, and after the init's death reads what
 * really happened (or EOF: the init died without a word).
 *
 * If fd 3 is not a socket (someone runs the --dry-run command by hand) the
 * init runs the workload without reporting. */
#ifndef LXCSHIM_PROTOCOL_H
#define LXCSHIM_PROTOCOL_H

#define LXCSHIM_INIT_FD 3
#define LXCSHIM_STATUS_FD 4
#define LXCSHIM_MSG_MAX 1024

/* Where things appear inside the container. */
#define LXCSHIM_INIT_TARGET "/.lxcshim-init"
#define LXCSHIM_ENV_TARGET "/.dockerenv"

#endif
