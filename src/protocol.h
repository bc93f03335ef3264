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
 *     "EXIT <status>"       the workload ended; <status> is its raw wait status.
 *                           The init then waits for DONE (or the socket's
 *                           end) before it exits: its cgroup, and so the OOM
 *                           counters, stay there until the verdict is made
 *   supervisor -> init
 *     "GO"                  exec the workload now; carries the workload's
 *                           stdin, stdout, stderr as SCM_RIGHTS (lxc-start
 *                           itself only gets /dev/null: lxc chmods its
 *                           stdio to 0700), and up to two more fds the init
 *                           only keeps open (close-on-exec): a detached
 *                           supervisor's pty master or output pipes, so
 *                           that its death hangs nothing up
 *     "DONE"                the exit is judged; the init may go
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

/* ---- the control socket ------------------------------------------------
 *
 * A supervisor listens on DIR/control.sock (LXCSHIM_CONTROL_SOCK; DIR is
 * the container's directory, mode 0700), an AF_UNIX SOCK_SEQPACKET socket
 * of mode 0600.  It serves only peers whose SO_PEERCRED uid is 0; others
 * get "ERR 1 ..." (EPERM) and are hung up on.  The file goes when the
 * supervisor ends (a SIGKILLed one leaves it: connect() then fails with
 * ECONNREFUSED, which clients report as "the supervisor is gone").
 *
 * One request per connection.  The client's first packet is the request,
 * "VERB" or "VERB ARG..." (ASCII, at most LXCSHIM_MSG_MAX bytes, no
 * newline); the supervisor answers with one packet:
 *
 *   "OK" or "OK <data>"        done (data as the verb says)
 *   "ERR <errno> <message>"    refused; <message> is one line for the user
 *
 * What follows on the connection after an OK belongs to the verb; a verb
 * with nothing more to say is hung up on.  A client that hangs up early
 * cancels nothing that was already done.  Unknown verbs get "ERR 95 ..."
 * (EOPNOTSUPP), so a client can tell an older supervisor.
 *
 *   start          GO: the workload runs.  "OK <init_pid>" once it was
 *                  started and state.json says running; "ERR 16 ..."
 *                  (EBUSY) unless the container is created.  The
 *                  connection then stays open; when the workload has
 *                  ended and its exit is recorded (and, with --rm, the
 *                  container removed) it gets one more packet,
 *                  "EXIT <exit_code> <oom_killed: 0|1>", and is closed.
 *   wait           "OK"; then "EXIT ..." as for start, when it ends.
 *   signal <N>     signal N (a number) to the init, which forwards it to
 *                  the workload: "OK"; "ERR 16 ..." while created (the
 *                  workload does not exist yet), "ERR 22 ..." for a bad N.
 *   status         "OK <created|running> <init_pid>" as the supervisor
 *                  sees it (it does not track pause: see state.json).
 *   attach [stdin [once]]
 *                  "OK <flags>" (flags: 1 the container has a stdin to
 *                  feed, 2 it has a terminal); the connection then is an
 *                  attach stream (attach-stream.h): the workload's output
 *                  from now on, input from this client with "stdin"
 *                  (with "once": the end of it closes the workload's
 *                  stdin pipe, start -a -i), resizes, and at the end its
 *                  exit code and, when it never ran, why.  "ERR 95 ..."
 *                  from a supervisor that serves no output (foreground),
 *                  "ERR 11 ..." when ATTACH_CLIENTS_MAX are attached.
 *   resize R C     the container's terminal to R rows, C columns: "OK";
 *                  "ERR 25 ..." (ENOTTY) without one, "ERR 22 ..." for
 *                  bad numbers.
 *
 * Verbs are matched as the first space-separated word; arguments are the
 * rest of the packet. */
#define LXCSHIM_CONTROL_SOCK "control.sock"

/* What a detached supervisor is exec'd with:
 *
 *   lxcshim-supervisor DIR
 *
 * (in $(pkglibexecdir), found beside lxcshim-init).  It reads
 * DIR/supervisor.json (LXCSHIM_SUPERVISOR_CONFIG, written by the caller),
 * and reports on the pipe it inherits as fd LXCSHIM_NOTIFY_FD, once:
 * "OK" when the container is created (or, with autostart, running), or
 * "ERR <errno> <message>" when it could not be, after cleaning up what it
 * started.  Its stdio is /dev/null. */
#define LXCSHIM_SUPERVISOR_CONFIG "supervisor.json"
#define LXCSHIM_NOTIFY_FD 3
/* With "tty" in supervisor.json, the container's pty (made by the caller:
 * the rendered config names its slave) is inherited at these fds. */
#define LXCSHIM_TTY_MASTER_FD 4
#define LXCSHIM_TTY_SLAVE_FD 5

#endif
