/* lxcshim: run and supervise commands in LXC containers.
 *
 * The public C API.  Every call that can fail returns 0 on success and -1
 * on failure, with *err set to an error object carrying an errno-style
 * status and a message; release it with lxcshim_error_release().  The
 * library never prints.  There is no global mutable state: a driver handle
 * may be used from several threads as long as each thread works on its own
 * containers.  See lxcshim(3). */
#ifndef LXCSHIM_H
#define LXCSHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lxcshim_error_s {
	int status; /* an errno value, or 0 */
	char *msg;
};
typedef struct lxcshim_error_s *lxcshim_error_t;

void lxcshim_error_release (lxcshim_error_t *err);

/* ---- the driver ---------------------------------------------------- */

typedef struct lxcshim_driver lxcshim_driver_t;

struct lxcshim_driver_options {
	const char *root;          /* state root; default /run/lxcshim */
	const char *lxcpath;       /* default: the host's lxc.lxcpath */
	const char *template_path; /* lxc config template; default: installed one */
	const char *init_path;     /* lxcshim-init binary; default: installed one */
	const char *rootfs;        /* default rootfs; default: built-in busybox */
	const char *log_level;     /* error|warn|info|debug; default error */
};

int lxcshim_driver_new (const struct lxcshim_driver_options *opts, lxcshim_driver_t **out,
                        lxcshim_error_t *err);
void lxcshim_driver_free (lxcshim_driver_t *driver);

/* "lxc-<liblxc version>", like Docker's execdriver Name(). */
const char *lxcshim_driver_name (lxcshim_driver_t *driver);
const char *lxcshim_driver_lxcpath (lxcshim_driver_t *driver);
const char *lxcshim_driver_root (lxcshim_driver_t *driver);

/* ---- the container spec -------------------------------------------- */

/* One spec is filled by the CLI's flags, by a JSON document (--spec), or by
 * an embedding program; every setting has a key named like its long flag
 * ("memory", "env", "volume", ...).  Repeatable keys append. */
typedef struct lxcshim_spec lxcshim_spec_t;

lxcshim_spec_t *lxcshim_spec_new (void);
void lxcshim_spec_free (lxcshim_spec_t *spec);
int lxcshim_spec_set (lxcshim_spec_t *spec, const char *key, const char *value, lxcshim_error_t *err);
int lxcshim_spec_set_command (lxcshim_spec_t *spec, char *const argv[], lxcshim_error_t *err);
/* Loads a JSON object whose keys are those of lxcshim_spec_set, plus
 * "command": [argv...]. */
int lxcshim_spec_load_json (lxcshim_spec_t *spec, const char *path, lxcshim_error_t *err);
/* True if KEY names a setting; *repeatable says whether it appends. */
bool lxcshim_spec_has_key (const char *key, bool *repeatable);
const char *lxcshim_spec_id (const lxcshim_spec_t *spec);

/* ---- running ------------------------------------------------------- */

struct lxcshim_stdio {
	int in, out, err; /* fds handed to the workload; -1 means /dev/null */
};

struct lxcshim_run_options {
	struct lxcshim_stdio stdio;
	/* Called once the container is RUNNING and before the workload is
	 * exec'd.  oom_fd becomes readable if the container hits its memory
	 * limit; it stays valid until lxcshim_run returns.  A non-zero return
	 * aborts the run. */
	int (*start_hook) (void *data, const char *id, pid_t init_pid, int oom_fd);
	void *hook_data;
	/* Optional signalfd: the signals read from it are forwarded to the
	 * workload (docker's sig-proxy).  -1 for none. */
	int signal_fd;
};

struct lxcshim_exit {
	int exit_code;   /* docker's convention: N, 128+S, 126, 127 */
	bool oom_killed;
	char message[512]; /* why the workload never ran (126/127), else "" */
};

/* Creates, starts and waits for the container; *exit gets the workload's
 * status.  A failure before the workload started returns -1. */
int lxcshim_run (lxcshim_driver_t *driver, lxcshim_spec_t *spec, const struct lxcshim_run_options *opts,
                 struct lxcshim_exit *exit, lxcshim_error_t *err);

/* Writes the rendered lxc config and the exact argv to OUT; runs nothing. */
int lxcshim_dry_run (lxcshim_driver_t *driver, lxcshim_spec_t *spec, int out_fd, lxcshim_error_t *err);

/* A detached container's output (stdout.log to out_fd, stderr.log to
 * err_fd); with follow, keeps copying until the container's init exits. */
int lxcshim_logs (lxcshim_driver_t *driver, const char *id, bool follow, int out_fd, int err_fd,
                  lxcshim_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
