/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim: run and supervise commands in LXC containers.
 *
 * The public C API.  Every call that can fail returns 0 on success and -1
 * on failure, with *err set to an error object carrying an errno-style
 * status and a message; release it with lxcshim_error_release().  The
 * library never prints.  There is no global mutable state: a driver handle
 * may be used from several threads as long as each thread works on its own
 * containers.  See lxcshim(3), THREADS and BLOCKING.
 *
 * Structs that can grow: every struct passed in (options) or filled in
 * (lxcshim_exit, lxcshim_stats) begins with `size_t size`, which the
 * caller sets to sizeof the struct it was compiled with -- start from the
 * LXCSHIM_*_INIT initializer.  The library reads and writes only the first
 * `size` bytes; fields past them take the defaults of the INIT macro.  New
 * fields are only ever added at the end, past the old struct's size (never
 * into its tail padding, which an old caller leaves undefined).  A size larger than the library's
 * struct is accepted when the extra bytes are zero (else E2BIG), one
 * smaller than the first version's is refused (EINVAL).  Strings in
 * structs the library fills are allocated; release them with the
 * matching _release / _free function. */
#ifndef LXCSHIM_H
#define LXCSHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lxcshim-version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the functions that leave the library; everything else in it is
 * hidden (-fvisibility=hidden and the version script src/liblxcshim.sym). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define LXCSHIM_API __attribute__ ((visibility ("default")))
#else
#define LXCSHIM_API
#endif

/* The library's own version, MAJOR.MINOR.MICRO, which may be newer than
 * the LXCSHIM_VERSION this program was compiled with. */
LXCSHIM_API const char *lxcshim_version (void);

struct lxcshim_error_s {
	int status; /* an errno value, or 0 */
	char *msg;
};
typedef struct lxcshim_error_s *lxcshim_error_t;

LXCSHIM_API void lxcshim_error_release (lxcshim_error_t *err);

/* ---- the driver ---------------------------------------------------- */

typedef struct lxcshim_driver lxcshim_driver_t;

struct lxcshim_driver_options {
	size_t size;               /* sizeof (struct lxcshim_driver_options) */
	const char *root;          /* state root, absolute; default /run/lxcshim */
	const char *lxcpath;       /* absolute; default: the host's lxc.lxcpath */
	const char *template_path; /* lxc config template; default: installed one */
	const char *init_path;     /* lxcshim-init binary; default: installed one */
	const char *rootfs;        /* default rootfs; default: built-in busybox */
	const char *log_level;     /* error|warn|info|debug; default error */
	/* Site defaults (root, lxcpath, rootfs, template, net, lxc-include)
	 * in lxc.conf's "key = value" form; the fields above override them.
	 * NULL: $(sysconfdir)/lxcshim/lxcshim.conf if it exists (/etc/... when
	 * configured with --sysconfdir=/etc); "": none. */
	const char *config_file;
};
#define LXCSHIM_DRIVER_OPTIONS_INIT { .size = sizeof (struct lxcshim_driver_options) }

LXCSHIM_API int lxcshim_driver_new (const struct lxcshim_driver_options *opts, lxcshim_driver_t **out,
                        lxcshim_error_t *err);
LXCSHIM_API void lxcshim_driver_free (lxcshim_driver_t *driver);

/* "lxc-<liblxc version>", like Docker's execdriver Name(). */
LXCSHIM_API const char *lxcshim_driver_name (lxcshim_driver_t *driver);
LXCSHIM_API const char *lxcshim_driver_lxcpath (lxcshim_driver_t *driver);
LXCSHIM_API const char *lxcshim_driver_root (lxcshim_driver_t *driver);

/* ---- the container spec -------------------------------------------- */

/* One spec is filled by the CLI's flags, by a JSON document (--spec), or by
 * an embedding program; every setting has a key named like its long flag
 * ("memory", "env", "volume", ...).  Repeatable keys append. */
typedef struct lxcshim_spec lxcshim_spec_t;

LXCSHIM_API lxcshim_spec_t *lxcshim_spec_new (void);
LXCSHIM_API void lxcshim_spec_free (lxcshim_spec_t *spec);
LXCSHIM_API int lxcshim_spec_set (lxcshim_spec_t *spec, const char *key, const char *value, lxcshim_error_t *err);
LXCSHIM_API int lxcshim_spec_set_command (lxcshim_spec_t *spec, char *const argv[], lxcshim_error_t *err);
/* Loads a JSON object whose keys are those of lxcshim_spec_set, plus
 * "command": [argv...]. */
LXCSHIM_API int lxcshim_spec_load_json (lxcshim_spec_t *spec, const char *path, lxcshim_error_t *err);
/* True if KEY names a setting; *repeatable says whether it appends. */
LXCSHIM_API bool lxcshim_spec_has_key (const char *key, bool *repeatable);
/* The "name" key, or NULL: a name a run generates is not stored in the
 * spec (it comes back in lxcshim_exit.id). */
LXCSHIM_API const char *lxcshim_spec_id (const lxcshim_spec_t *spec);
/* The value of a boolean setting ("tty", "interactive", "detach", "rm",
 * "dry-run", "privileged", "rootfs-overlay"); false for any other key. */
LXCSHIM_API bool lxcshim_spec_get_bool (const lxcshim_spec_t *spec, const char *key);

/* ---- running ------------------------------------------------------- */

struct lxcshim_stdio {
	/* fds handed to the workload; -1 means /dev/null.  Like docker, in
	 * is only used when the spec says "interactive". */
	int in, out, err;
};

struct lxcshim_run_options {
	size_t size; /* sizeof (struct lxcshim_run_options) */
	struct lxcshim_stdio stdio;
	/* Called once the container is RUNNING and before the workload is
	 * exec'd.  oom_fd becomes readable if the container hits its memory
	 * limit; it stays valid until lxcshim_run returns.  A non-zero return
	 * aborts the run. */
	int (*start_hook) (void *data, const char *id, pid_t init_pid, int oom_fd);
	void *hook_data;
	/* Optional signalfd: the signals read from it are forwarded to the
	 * workload (docker's sig-proxy).  -1 for none.  One other than
	 * SIGWINCH read while the run prepares ends it with EINTR, nothing
	 * created. */
	int signal_fd;
};
#define LXCSHIM_RUN_OPTIONS_INIT \
	{ .size = sizeof (struct lxcshim_run_options), .stdio = { -1, -1, -1 }, .signal_fd = -1 }

/* How a workload (lxcshim_run) or process (lxcshim_exec) ended.  Release
 * its strings with lxcshim_exit_release() after every call, success or
 * not. */
struct lxcshim_exit {
	size_t size;   /* sizeof (struct lxcshim_exit) */
	int exit_code; /* docker's convention: N, 128+S, 126, 127 */
	bool oom_killed;
	char *message; /* why the workload never ran (126/127); or a warning
	                  ("warning: could not record the exit ...") when its
	                  status could not be saved in state.json; else NULL */
	char *id;      /* lxcshim_run: the container's name (generated if the
	                  spec has none); else NULL */
};
#define LXCSHIM_EXIT_INIT { .size = sizeof (struct lxcshim_exit) }

/* Frees exit's strings and sets them to NULL; the struct itself is the
 * caller's.  NULL is allowed. */
LXCSHIM_API void lxcshim_exit_release (struct lxcshim_exit *exit);

/* Creates, starts and waits for the container; *exit gets the workload's
 * status.  A failure before the workload started returns -1.  The spec is
 * only read: the same spec may run again (a generated name is new each
 * time) or from several threads at once.  With the spec's "detach" it
 * returns once the workload runs (*exit zeroed but for exit->id), the
 * container supervised by an exec'd lxcshim-supervisor as for
 * lxcshim_create + lxcshim_start; opts->start_hook is not called then. */
LXCSHIM_API int lxcshim_run (lxcshim_driver_t *driver, const lxcshim_spec_t *spec,
                             const struct lxcshim_run_options *opts, struct lxcshim_exit *exit,
                             lxcshim_error_t *err);

/* Creates the container and brings it up to its init's READY, but holds
 * the workload: the container is "created" until lxcshim_start.  Like a
 * detached run (the spec's "detach" is implied; "tty" and "interactive"
 * are refused), it is supervised by lxcshim-supervisor, exec'd for it
 * (found beside the driver's init_path, else the installed one) and
 * nobody's child; its output goes to stdout.log and stderr.log
 * (lxcshim_logs).  *id gets the container's name (generated if the spec
 * has none; free() it); id may be NULL.  The spec is only read.  A failure
 * leaves nothing behind. */
LXCSHIM_API int lxcshim_create (lxcshim_driver_t *driver, const lxcshim_spec_t *spec, char **id,
                                lxcshim_error_t *err);

/* Starts the workload of a created container, through its supervisor's
 * control socket.  Returns once it runs; with exit non-NULL, waits for it
 * to end and fills *exit (as lxcshim_run).  EBUSY for a container that is
 * not created (running, paused, stopped); ESRCH when its supervisor is
 * gone (a created container cannot outlive it: its init exits). */
LXCSHIM_API int lxcshim_start (lxcshim_driver_t *driver, const char *id, struct lxcshim_exit *exit, lxcshim_error_t *err);

/* Writes the rendered lxc config and the exact argv to OUT; runs nothing. */
LXCSHIM_API int lxcshim_dry_run (lxcshim_driver_t *driver, const lxcshim_spec_t *spec, int out_fd,
                                 lxcshim_error_t *err);

/* A detached container's output (stdout.log to out_fd, stderr.log to
 * err_fd); with follow, keeps copying until the container's init exits. */
LXCSHIM_API int lxcshim_logs (lxcshim_driver_t *driver, const char *id, bool follow, int out_fd, int err_fd,
                  lxcshim_error_t *err);

/* ---- lifecycle of existing containers ------------------------------ */

/* These work on containers made by lxcshim_run (with or without a live
 * supervisor).  Errors: ENOENT "no such container: ID"; ESRCH "container
 * ID is not running"; EBUSY for other wrong states (paused, running, ...);
 * EINVAL for a malformed id or signal. */

/* *json gets state.json as JSON text (free() it), corrected to the truth:
 * a container whose init is gone says "stopped" even if its supervisor
 * was killed before it could record that. */
LXCSHIM_API int lxcshim_state (lxcshim_driver_t *driver, const char *id, char **json, lxcshim_error_t *err);

/* The same; when the corrected state had to be saved (nobody else is
 * left to) and could not be (a full state root), *warning gets a
 * one-line message saying so (free() it), else NULL.  The truth in *json
 * stands either way: reading never depends on writing. */
LXCSHIM_API int lxcshim_state_with_warning (lxcshim_driver_t *driver, const char *id, char **json, char **warning,
                                lxcshim_error_t *err);

/* One container of lxcshim_list.  Strings are never NULL. */
struct lxcshim_container_info {
	char *id;
	char *status;     /* created|running|paused|stopped, the truth */
	pid_t init_pid;   /* host pid of the init; 0 unless created/running/paused */
	char *created;    /* RFC 3339 */
	char *command;    /* the workload's argv joined by spaces */
	char *state_json; /* what lxcshim_state would return */
	char *warning;    /* as lxcshim_state_with_warning: why the truth is unsaved, or NULL */
};

/* All containers under the driver's root, stopped ones (kept without
 * --rm) included, oldest first.  Free with lxcshim_list_free(). */
LXCSHIM_API int lxcshim_list (lxcshim_driver_t *driver, struct lxcshim_container_info **list, size_t *n,
                  lxcshim_error_t *err);
LXCSHIM_API void lxcshim_list_free (struct lxcshim_container_info *list, size_t n);

/* True if the container exists and its init is alive (running or paused;
 * not created: its workload has not started). */
LXCSHIM_API bool lxcshim_is_running (lxcshim_driver_t *driver, const char *id);

/* Sends SIG to the container's init (through a pidfd verified against the
 * recorded start time, its being a pid-namespace init and the container's
 * own cgroups; EPERM, nothing signalled, for a record that does not match
 * the process: stop, pause and resume refuse it too, delete removes it
 * without a signal), which forwards it to the workload.  On a paused
 * container SIGKILL also thaws it, so that it dies at once; any other
 * signal stays pending until lxcshim_resume. */
LXCSHIM_API int lxcshim_kill (lxcshim_driver_t *driver, const char *id, int sig, lxcshim_error_t *err);

/* "TERM", "SIGTERM", "term" or a number 1-64 to a signal number. */
LXCSHIM_API int lxcshim_parse_signal (const char *s, int *sig, lxcshim_error_t *err);

/* SIGTERM, then SIGKILL after timeout_s seconds (0: SIGKILL at once); a
 * paused container is thawed so that it can handle SIGTERM.  Returns once
 * the init has exited and the exit is recorded in state.json: by the
 * supervisor, or here if the supervisor is gone: the wait status the init
 * left in its status pipe, 137 if this SIGKILL ended it, else unknown
 * ("exit_code": null).  Stopping a stopped container succeeds. */
LXCSHIM_API int lxcshim_stop (lxcshim_driver_t *driver, const char *id, unsigned timeout_s, lxcshim_error_t *err);

/* Freeze / thaw every process of the container (liblxc freeze, so that
 * lxc-info says FROZEN); state.json says "paused" / "running". */
LXCSHIM_API int lxcshim_pause (lxcshim_driver_t *driver, const char *id, lxcshim_error_t *err);
LXCSHIM_API int lxcshim_resume (lxcshim_driver_t *driver, const char *id, lxcshim_error_t *err);

/* One process of a container.  The element types of the arrays the
 * library allocates (this one, lxcshim_container_info) are fixed in ABI 0:
 * more information would come from a new function. */
struct lxcshim_process {
	pid_t pid;     /* on the host */
	pid_t ns_pid;  /* inside the container (last NSpid), 0 if unknown */
	char *command; /* its command line, spaces between arguments; never NULL */
};

/* The processes in the container's cgroup, sorted by host pid.  Free
 * them with lxcshim_pids_free(). */
LXCSHIM_API int lxcshim_pids (lxcshim_driver_t *driver, const char *id, struct lxcshim_process **procs, size_t *n,
                  lxcshim_error_t *err);
LXCSHIM_API void lxcshim_pids_free (struct lxcshim_process *procs, size_t n);

#define LXCSHIM_UNLIMITED UINT64_MAX

/* Resource usage, from the container's cgroups.  A value that cannot be
 * read is 0; a limit that is not set is LXCSHIM_UNLIMITED. */
struct lxcshim_stats {
	size_t size;               /* sizeof (struct lxcshim_stats) */
	uint64_t memory_usage;     /* bytes: memory.usage_in_bytes (v2 memory.current) */
	uint64_t memory_limit;     /* bytes: memory.limit_in_bytes (v2 memory.max) */
	uint64_t memory_max_usage; /* bytes: memory.max_usage_in_bytes (v2 memory.peak) */
	uint64_t oom_kills;        /* oom_kill of memory.oom_control (v2 memory.events) */
	uint64_t cpu_usage_ns;     /* cpuacct.usage (v2 cpu.stat usage_usec * 1000) */
	uint64_t pids_current;     /* pids.current */
	uint64_t pids_limit;       /* pids.max */
};
#define LXCSHIM_STATS_INIT { .size = sizeof (struct lxcshim_stats) }

/* The container must be running or paused. */
LXCSHIM_API int lxcshim_stats (lxcshim_driver_t *driver, const char *id, struct lxcshim_stats *stats, lxcshim_error_t *err);

/* Removes the container's files.  A running or paused container is
 * refused (EBUSY) unless force, which kills it first (SIGKILL); so is one
 * that LXC still runs in the recorded cgroups though the record is stale.  Also
 * removes the lxc.payload.NAME / lxc.monitor.NAME cgroups that a killed
 * lxc-start left behind (NAME from the recorded cgroup_paths), if no
 * process is in them. */
LXCSHIM_API int lxcshim_delete (lxcshim_driver_t *driver, const char *id, bool force, lxcshim_error_t *err);

struct lxcshim_exec_options {
	size_t size;               /* sizeof (struct lxcshim_exec_options) */
	char *const *argv;         /* the command; argv[0] is looked up in the container's PATH */
	char *const *env;          /* "K=V" over the container's config.env; "K" takes the caller's K */
	const char *user;          /* "USER[:GROUP]", resolved in the container; NULL: root */
	const char *workdir;       /* NULL: "/" */
	struct lxcshim_stdio stdio; /* used as given (-1: /dev/null); exec -i passes stdin */
	bool tty;                  /* a pty made in the container's devpts: the process's
	                            * ctty and stdio 0-2; its master is relayed to stdio.out
	                            * (and from stdio.in); TERM=xterm unless env sets it */
	int signal_fd;             /* signals read from it go to the process; -1 for none */
};
#define LXCSHIM_EXEC_OPTIONS_INIT \
	{ .size = sizeof (struct lxcshim_exec_options), .stdio = { -1, -1, -1 }, .signal_fd = -1 }

/* Runs a process in a running container (liblxc attach) and waits for it,
 * relaying its terminal if opts->tty (SIGWINCH read from signal_fd resizes
 * it to stdio.out's size);
 * *exit gets its status in docker's convention: N, 128+S, 126 (found but
 * not executable), 127 (not found), with exit->message saying why for
 * 126/127.  Returns -1 when the process could not be started at all
 * (container not running or paused, bad user or workdir): docker's 125. */
LXCSHIM_API int lxcshim_exec (lxcshim_driver_t *driver, const char *id, const struct lxcshim_exec_options *opts,
                  struct lxcshim_exit *exit, lxcshim_error_t *err);

/* ---- events -------------------------------------------------------- */

/* One state change of a container, as its events file records it.  The
 * library allocates it (new fields only ever go at the end); free it with
 * lxcshim_event_free(). */
struct lxcshim_event {
	const char *time; /* RFC 3339, UTC, nanoseconds */
	const char *id;
	const char *type; /* created|started|paused|resumed|exited|deleted */
	pid_t pid;        /* started: the init's host pid (what state reports); else 0 */
	int exit_code;    /* exited: docker's convention; -1 unknown (ended unseen) */
	int oom_killed;   /* exited: 1 or 0; -1 unknown */
	const char *json; /* the event as one line of JSON, no newline */
	const char *text; /* docker's plain form, no newline: "TIME container exited ID
	                   * (exit_code=3, oom_killed=false)", "... started ID (pid=N)" */
};

typedef struct lxcshim_events lxcshim_events_t;

/* Follows the events of container ID (ENOENT "no such container: ID" if
 * it does not exist), or of every container under the driver's root
 * (NULL), those created later included.  since: NULL for the events from
 * now on; an RFC 3339 time to get the recorded ones from then first
 * (oldest first), then the new ones.  Deleted containers' events are kept
 * in the root's events.jsonl, rotated past 1 MiB to events.jsonl.1 (one
 * older generation): the recorded ones are what those two hold.  Never
 * blocks. */
LXCSHIM_API int lxcshim_events_open (lxcshim_driver_t *driver, const char *id, const char *since, lxcshim_events_t **events,
                         lxcshim_error_t *err);
/* An fd that becomes readable (poll/epoll POLLIN) when events may be
 * waiting; it is the handle's own, do not close it. */
LXCSHIM_API int lxcshim_events_fd (const lxcshim_events_t *events);
/* Never blocks: 1 and *ev set (free it with lxcshim_event_free), 0 when
 * none is waiting (poll the fd, then call again), -1 on error.  Call it
 * until it returns 0 before polling. */
LXCSHIM_API int lxcshim_events_read (lxcshim_events_t *events, struct lxcshim_event **ev, lxcshim_error_t *err);
LXCSHIM_API void lxcshim_event_free (struct lxcshim_event *ev);
LXCSHIM_API void lxcshim_events_close (lxcshim_events_t *events);

/* ---- attach -------------------------------------------------------- */

struct lxcshim_attach_options {
	size_t size;                /* sizeof (struct lxcshim_attach_options) */
	struct lxcshim_stdio stdio; /* in: what to feed the workload's stdin (-1: nothing, --no-stdin);
	                             * out, err: where its output goes (a terminal's all to out) */
	const char *detach_keys;    /* docker's syntax ("ctrl-p,ctrl-q", the default if NULL); read
	                             * from stdio.in when the container has a terminal */
	int signal_fd;              /* -1, or a signalfd: SIGWINCH resizes the container's terminal
	                             * to stdio.out's size; others go to the workload if sig_proxy */
	bool sig_proxy;
	/* Start the created container once attached, so that none of its
	 * output is missed (start -a); as lxcshim_start, EBUSY if it is not
	 * created. */
	bool start;
	/* Called once attached, before any output: whether the container has a
	 * terminal and whether stdin is fed to it (a CLI makes its own terminal
	 * raw then).  May be NULL. */
	void (*attached_hook) (void *data, bool tty, bool stdin_fed);
	void *hook_data;
	/* stdio.in must reach the workload: EINVAL, before anything is
	 * started, for a container with no stdin to feed (made without
	 * "interactive" or "tty"), where stdio.in is otherwise ignored
	 * (start -a -i). */
	bool stdin_required;
	/* The end of stdio.in closes the workload's stdin (a pipe; not a
	 * terminal's), as docker's StdinOnce; else it stays open for other
	 * clients (docker attach). */
	bool stdin_once;
};
#define LXCSHIM_ATTACH_OPTIONS_INIT \
	{ .size = sizeof (struct lxcshim_attach_options), .stdio = { 0, 1, 2 }, .signal_fd = -1, .sig_proxy = true }

/* Attaches to the terminal or the stdio of a detached container (run -d,
 * with or without -t / -i) through its supervisor: the output from now on,
 * the input, the window size.  Returns 0 when the workload ended (*exit
 * its status, *detached false; exit->message as lxcshim_run's, e.g. why
 * the command could not be executed with 126/127: lxcshim_exit_release
 * it) or when the detach keys were read
 * (*detached true; the container runs on); -1 if it cannot attach:
 * EINVAL bad detach keys, ENOENT no such container, ESRCH not running or
 * its supervisor is gone (the message says which), EOPNOTSUPP a container
 * whose output nobody serves (a foreground run), or when the attach was
 * lost (EPIPE: the supervisor died, or this client fell more than 1 MiB
 * behind the output and was disconnected). */
LXCSHIM_API int lxcshim_attach (lxcshim_driver_t *driver, const char *id,
                                const struct lxcshim_attach_options *opts, struct lxcshim_exit *exit,
                                bool *detached, lxcshim_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
