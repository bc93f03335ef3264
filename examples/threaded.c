/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* threaded: liblxcshim from a multi-threaded program.  One driver handle
 * is shared by every thread.  Each worker thread runs its own container
 * and acts on it while it runs:
 *
 *   - a "foreground" worker starts a runner thread that blocks in
 *     lxcshim_run(); the start hook tells the worker the container is up;
 *     the worker then execs into it, reads its state and stops it, and
 *     the runner's lxcshim_run() returns the workload's status (143:
 *     the stop's SIGTERM);
 *   - every other worker is a "detached" one (unless --no-detached): it
 *     runs its container with the "detach" and "interactive" keys (the
 *     workload is cat), execs into it, attaches to it from a thread of
 *     its own (what it writes to the attach's stdin comes back from cat
 *     through the attach's stdout), stops it while attached (the attach
 *     returns cat's 143) and deletes it, all from its own threads;
 *
 * while a lister thread keeps calling lxcshim_list() until they are done.
 *
 *   cc -pthread threaded.c $(pkg-config --cflags --libs lxcshim) -o threaded
 *   ./threaded [-n WORKERS] [--no-detached] [--no-exec] [--root DIR] [--lxcpath DIR]
 *
 * Both are safe in a threaded program because the library never forks
 * without exec there: a detached container's supervisor is the exec'd
 * lxcshim-supervisor, and an exec from a process with several threads
 * runs liblxc's attach (which forks and runs liblxc code in the child) in
 * the exec'd helper lxcshim-exec instead of in this process.  Each exec
 * checks that, while its process runs: the process must not be a child of
 * this program (an in-process attach makes it one: it lives in the
 * container's pid namespace), and a child of ours must be lxcshim-exec.
 * A fork that an in-process attach left holding another thread's lock
 * could hang for ever (seen under ThreadSanitizer: the attach child
 * spinning on TSan's allocator lock, about 1 run in 25 with 8 workers).
 *
 * --no-exec leaves the execs out.  Exits 0 when every worker saw what it
 * expected.  --race adds a data race of its own (an unlocked counter),
 * for checking that a race detector run over this program would see
 * one. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lxcshim.h>

static lxcshim_driver_t *driver;
static bool inject_race, with_detached = true, no_exec;
static long racy_counter; /* only touched with --race */

struct worker {
	int index;
	bool detached;
	char name[64];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, ended; /* under lock */
	int ready[2];        /* the workload says "ready" here once it runs */
	int run_status;      /* lxcshim_run's return, then the exit code */
	int exit_code;
	char error[512];
	bool ok;
};

struct lister {
	pthread_mutex_t lock;
	bool done; /* under lock */
	long rounds;
};

static void
set_error (struct worker *w, const char *what, lxcshim_error_t *err)
{
	snprintf (w->error, sizeof w->error, "%s: %s", what, err && *err ? (*err)->msg : "unexpected result");
	lxcshim_error_release (err);
}

static lxcshim_spec_t *
make_spec (struct worker *w)
{
	char *argv[] = { "/bin/sh", "-c", "echo ready; exec sleep 1000", NULL };
	char *cat[] = { "/bin/sh", "-c", "echo ready; exec cat", NULL };
	lxcshim_spec_t *spec = lxcshim_spec_new ();
	lxcshim_error_t err = NULL;

	if (lxcshim_spec_set (spec, "name", w->name, &err) < 0 ||
	    lxcshim_spec_set_command (spec, w->detached ? cat : argv, &err) < 0 ||
	    (w->detached ? lxcshim_spec_set (spec, "detach", "true", &err) < 0 ||
	                       lxcshim_spec_set (spec, "interactive", "true", &err) < 0
	                 : lxcshim_spec_set (spec, "rm", "true", &err) < 0)) {
		set_error (w, "spec", &err);
		lxcshim_spec_free (spec);
		return NULL;
	}
	return spec;
}

/* Called in the runner thread once the container runs. */
static int
on_start (void *data, const char *id, pid_t init_pid, int oom_fd)
{
	struct worker *w = data;

	(void) init_pid;
	(void) oom_fd;
	pthread_mutex_lock (&w->lock);
	w->started = strcmp (id, w->name) == 0;
	pthread_cond_broadcast (&w->cond);
	pthread_mutex_unlock (&w->lock);
	return 0;
}

static void *
runner (void *data)
{
	struct worker *w = data;
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	lxcshim_error_t err = NULL;
	lxcshim_spec_t *spec = make_spec (w);
	int r = -1;

	opts.stdio.out = w->ready[1];
	opts.stdio.err = STDERR_FILENO;
	opts.start_hook = on_start;
	opts.hook_data = w;
	if (spec && (r = lxcshim_run (driver, spec, &opts, &exit_info, &err)) < 0)
		set_error (w, "run", &err);
	pthread_mutex_lock (&w->lock);
	w->ended = true;
	w->run_status = r;
	w->exit_code = exit_info.exit_code;
	pthread_cond_broadcast (&w->cond);
	pthread_mutex_unlock (&w->lock);
	/* EOF for a worker still waiting for "ready". */
	close (w->ready[1]);
	lxcshim_exit_release (&exit_info);
	lxcshim_spec_free (spec);
	return NULL;
}

/* The workload's "ready": it runs, and the runner's lxcshim_run() is past
 * starting it. */
static bool
wait_ready (struct worker *w)
{
	char buf[16] = "";
	ssize_t n = read (w->ready[0], buf, sizeof buf - 1);

	if (n != 6 || memcmp (buf, "ready\n", 6) != 0) {
		if (!w->error[0])
			snprintf (w->error, sizeof w->error, "the workload did not say ready");
		return false;
	}
	return true;
}

/* Where the exec's process runs, seen from this program while it runs:
 * "" if right (in the helper), else what is wrong. */
static void
check_no_inprocess_fork (char *verdict, size_t size)
{
	char self_ns[256] = "";
	bool helper = false;
	ssize_t n = readlink ("/proc/self/ns/pid", self_ns, sizeof self_ns - 1);
	DIR *d = opendir ("/proc");
	struct dirent *e;

	snprintf (verdict, size, "cannot read /proc");
	if (d == NULL || n <= 0) {
		if (d)
			closedir (d);
		return;
	}
	self_ns[n] = '\0';
	verdict[0] = '\0';
	while ((e = readdir (d)) != NULL) {
		char path[300], buf[1024], ns[256] = "", exe[4096] = "";
		const char *paren;
		long ppid = 0;
		FILE *f;
		size_t len;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf (path, sizeof path, "/proc/%s/stat", e->d_name);
		f = fopen (path, "re");
		if (f == NULL)
			continue;
		len = fread (buf, 1, sizeof buf - 1, f);
		fclose (f);
		buf[len] = '\0';
		/* "PID (COMM) STATE PPID": COMM may hold spaces and parens. */
		paren = strrchr (buf, ')');
		if (paren == NULL || sscanf (paren + 1, " %*c %ld", &ppid) != 1 || ppid != (long) getpid ())
			continue;
		snprintf (path, sizeof path, "/proc/%s/ns/pid", e->d_name);
		n = readlink (path, ns, sizeof ns - 1);
		if (n > 0 && (ns[n] = '\0', strcmp (ns, self_ns) != 0)) {
			snprintf (verdict, size, "the exec's process %s is this program's own child: forked in-process", e->d_name);
			break;
		}
		snprintf (path, sizeof path, "/proc/%s/exe", e->d_name);
		n = readlink (path, exe, sizeof exe - 1);
		if (n > 0 && (exe[n] = '\0', strstr (exe, "lxcshim-exec") != NULL))
			helper = true;
	}
	closedir (d);
	if (!verdict[0] && !helper)
		snprintf (verdict, size, "no lxcshim-exec helper among this program's children during the exec");
}

struct exec_watch {
	int out, in; /* the exec's stdout (read), its stdin (write) */
	char got[128];
	char verdict[256];
};

/* Reads the exec's first line; with its process waiting for input, checks
 * where it runs, then lets it end (EOF on its stdin). */
static void *
exec_watcher (void *data)
{
	struct exec_watch *x = data;
	size_t len = 0;
	ssize_t n;

	while (len < sizeof x->got - 1 && (n = read (x->out, x->got + len, sizeof x->got - 1 - len)) > 0) {
		len += (size_t) n;
		if (x->got[len - 1] == '\n')
			break;
	}
	x->got[len] = '\0';
	if (len > 0)
		check_no_inprocess_fork (x->verdict, sizeof x->verdict);
	close (x->in);
	return NULL;
}

/* exec ID -- sh -c 'echo exec-NAME; read x; true': reads its output through a
 * pipe, and checks meanwhile that it was not forked in this process. */
static bool
exec_echo (struct worker *w)
{
	char *argv[] = { "/bin/sh", "-c", "echo exec-$0; read x; true", w->name, NULL };
	struct lxcshim_exec_options o = LXCSHIM_EXEC_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	struct exec_watch x = { .verdict = "" };
	lxcshim_error_t err = NULL;
	char want[128];
	int out[2], in[2];
	pthread_t t;
	bool ok;

	if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (in, O_CLOEXEC) < 0) {
		snprintf (w->error, sizeof w->error, "pipe: %s", strerror (errno));
		return false;
	}
	x.out = out[0];
	x.in = in[1];
	if (pthread_create (&t, NULL, exec_watcher, &x) != 0) {
		snprintf (w->error, sizeof w->error, "pthread_create failed");
		return false;
	}
	o.argv = argv;
	o.stdio.in = in[0];
	o.stdio.out = out[1];
	o.stdio.err = STDERR_FILENO;
	ok = lxcshim_exec (driver, w->name, &o, &exit_info, &err) == 0;
	close (out[1]);
	close (in[0]);
	pthread_join (t, NULL);
	close (out[0]);
	snprintf (want, sizeof want, "exec-%s\n", w->name);
	if (!ok)
		set_error (w, "exec", &err);
	else if (exit_info.exit_code != 0 || strcmp (x.got, want) != 0) {
		snprintf (w->error, sizeof w->error, "exec: exit %d, output \"%s\"", exit_info.exit_code, x.got);
		ok = false;
	} else if (x.verdict[0]) {
		snprintf (w->error, sizeof w->error, "exec: %s", x.verdict);
		ok = false;
	}
	lxcshim_exit_release (&exit_info);
	return ok;
}

struct attach_job {
	struct worker *w;
	struct lxcshim_attach_options o;
	struct lxcshim_exit exit_info;
	bool detached;
	int r;
	lxcshim_error_t err;
};

static void *
attacher (void *data)
{
	struct attach_job *a = data;

	a->r = lxcshim_attach (driver, a->w->name, &a->o, &a->exit_info, &a->detached, &a->err);
	/* EOF for the worker if the attach failed before cat answered. */
	close (a->o.stdio.out);
	return NULL;
}

/* Attaches from a thread of its own and checks that a line written to the
 * attach's stdin comes back from cat; the attach stays until the worker
 * stops the container (see attach_end). */
static bool
attach_start (struct worker *w, struct attach_job *a, pthread_t *t, int *to_cat, int *from_cat)
{
	char want[128], got[128];
	int in[2], out[2];
	size_t len = 0;
	ssize_t n;

	if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (out, O_CLOEXEC) < 0) {
		snprintf (w->error, sizeof w->error, "pipe: %s", strerror (errno));
		return false;
	}
	*a = (struct attach_job) { .w = w, .o = LXCSHIM_ATTACH_OPTIONS_INIT, .exit_info = LXCSHIM_EXIT_INIT };
	a->o.stdio.in = in[0];
	a->o.stdio.out = out[1];
	a->o.stdio.err = STDERR_FILENO;
	a->o.sig_proxy = false;
	if (pthread_create (t, NULL, attacher, a) != 0) {
		snprintf (w->error, sizeof w->error, "pthread_create failed");
		return false;
	}
	*to_cat = in[1];
	*from_cat = out[0];
	/* Fed once attached, so cat's answer is output from then on. */
	snprintf (want, sizeof want, "attach-%s\n", w->name);
	if (write (in[1], want, strlen (want)) != (ssize_t) strlen (want)) {
		snprintf (w->error, sizeof w->error, "write to the attach: %s", strerror (errno));
		return false;
	}
	while (len < sizeof got - 1 && (n = read (out[0], got + len, sizeof got - 1 - len)) > 0) {
		len += (size_t) n;
		if (got[len - 1] == '\n')
			break;
	}
	got[len] = '\0';
	if (strcmp (got, want) != 0) {
		snprintf (w->error, sizeof w->error, "attach: cat answered \"%s\"", got);
		return false;
	}
	return true;
}

/* After the stop: the attach returns the workload's status, not detached. */
static bool
attach_end (struct worker *w, struct attach_job *a, pthread_t t, int to_cat, int from_cat, bool ok)
{
	pthread_join (t, NULL);
	close (to_cat);
	close (from_cat);
	close (a->o.stdio.in);
	/* The attach's own error says more than cat's silence. */
	if (a->r < 0 && (ok || strstr (w->error, "cat answered \"\""))) {
		set_error (w, "attach", &a->err);
		ok = false;
	} else if (ok && (a->detached || a->exit_info.exit_code != 143)) {
		snprintf (w->error, sizeof w->error, "attach: detached %d, exit code %d (expected 143)", a->detached,
		          a->exit_info.exit_code);
		ok = false;
	}
	lxcshim_error_release (&a->err);
	lxcshim_exit_release (&a->exit_info);
	return ok;
}

static bool
is_running (struct worker *w)
{
	lxcshim_error_t err = NULL;
	char *json = NULL;
	bool ok;

	if (lxcshim_state (driver, w->name, &json, &err) < 0) {
		set_error (w, "state", &err);
		return false;
	}
	ok = strstr (json, "\"status\": \"running\"") != NULL;
	if (!ok)
		snprintf (w->error, sizeof w->error, "state: not running: %.400s", json);
	free (json);
	return ok;
}

/* What both kinds of worker do to a running container. */
static bool
act_on_running (struct worker *w)
{
	lxcshim_error_t err = NULL;
	struct attach_job a;
	pthread_t t;
	int to_cat = -1, from_cat = -1;
	bool ok, attaching = false;

	if (!is_running (w))
		return false;
	ok = no_exec || exec_echo (w);
	/* Only a detached container's supervisor serves attach. */
	if (ok && w->detached) {
		ok = attach_start (w, &a, &t, &to_cat, &from_cat);
		attaching = to_cat >= 0;
	}
	/* Stopped even when the exec or the attach went wrong: a foreground
	 * runner (and the attach) would wait for ever. */
	if (lxcshim_stop (driver, w->name, 10, &err) < 0) {
		if (ok)
			set_error (w, "stop", &err);
		lxcshim_error_release (&err);
		ok = false;
	}
	if (attaching)
		ok = attach_end (w, &a, t, to_cat, from_cat, ok);
	return ok;
}

static bool
foreground (struct worker *w)
{
	struct timespec deadline;
	pthread_t t;
	bool started, ok;
	int r = 0;

	if (pipe2 (w->ready, O_CLOEXEC) < 0 || pthread_create (&t, NULL, runner, w) != 0) {
		snprintf (w->error, sizeof w->error, "pipe2 or pthread_create failed");
		return false;
	}
	/* Bounded: the run has a start timeout of its own (10 s). */
	clock_gettime (CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 120;
	pthread_mutex_lock (&w->lock);
	while (!w->started && !w->ended && r == 0)
		r = pthread_cond_timedwait (&w->cond, &w->lock, &deadline);
	started = w->started;
	pthread_mutex_unlock (&w->lock);
	started = started && wait_ready (w);
	ok = started && act_on_running (w);
	if (!started && !w->error[0])
		snprintf (w->error, sizeof w->error, "the container did not start");
	pthread_join (t, NULL);
	close (w->ready[0]);
	if (ok && (w->run_status != 0 || w->exit_code != 143)) {
		snprintf (w->error, sizeof w->error, "run: returned %d, exit code %d (expected 143)", w->run_status,
		          w->exit_code);
		ok = false;
	}
	return ok;
}

static bool
detached (struct worker *w)
{
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	lxcshim_error_t err = NULL;
	lxcshim_spec_t *spec = make_spec (w);
	bool ok = false;

	if (spec == NULL)
		return false;
	if (lxcshim_run (driver, spec, NULL, &exit_info, &err) < 0)
		set_error (w, "run -d", &err);
	else if (exit_info.id == NULL || strcmp (exit_info.id, w->name) != 0)
		snprintf (w->error, sizeof w->error, "run -d: exit.id is %s", exit_info.id ? exit_info.id : "NULL");
	else
		ok = act_on_running (w);
	if (ok && lxcshim_delete (driver, w->name, false, &err) < 0) {
		set_error (w, "delete", &err);
		ok = false;
	} else if (!ok)
		lxcshim_delete (driver, w->name, true, NULL);
	lxcshim_exit_release (&exit_info);
	lxcshim_spec_free (spec);
	return ok;
}

static void *
worker_main (void *data)
{
	struct worker *w = data;

	if (inject_race)
		racy_counter++;
	w->ok = w->detached ? detached (w) : foreground (w);
	return NULL;
}

static void *
lister_main (void *data)
{
	struct lister *l = data;

	for (;;) {
		struct lxcshim_container_info *list = NULL;
		size_t n = 0;
		bool done;

		if (lxcshim_list (driver, &list, &n, NULL) == 0)
			lxcshim_list_free (list, n);
		l->rounds++;
		pthread_mutex_lock (&l->lock);
		done = l->done;
		pthread_mutex_unlock (&l->lock);
		if (done)
			return NULL;
		/* Not a timing assumption: just not a busy loop. */
		usleep (100 * 1000);
	}
}

int
main (int argc, char **argv)
{
	struct lxcshim_driver_options dopts = LXCSHIM_DRIVER_OPTIONS_INIT;
	struct lister lister = { .lock = PTHREAD_MUTEX_INITIALIZER };
	lxcshim_error_t err = NULL;
	struct worker *workers;
	pthread_t *threads, lt;
	int n = 4, bad = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--race") == 0)
			inject_race = true;
		else if (strcmp (argv[i], "--detached") == 0) /* the default; kept for old scripts */
			with_detached = true;
		else if (strcmp (argv[i], "--no-detached") == 0)
			with_detached = false;
		else if (strcmp (argv[i], "--no-exec") == 0)
			no_exec = true;
		else if (i + 1 < argc && strcmp (argv[i], "-n") == 0)
			n = atoi (argv[++i]);
		else if (i + 1 < argc && strcmp (argv[i], "--root") == 0)
			dopts.root = argv[++i];
		else if (i + 1 < argc && strcmp (argv[i], "--lxcpath") == 0)
			dopts.lxcpath = argv[++i];
		else {
			fprintf (stderr, "usage: threaded [-n WORKERS] [--no-detached] [--no-exec] [--root DIR] [--lxcpath DIR] [--race]\n");
			return 2;
		}
	}
	if (n < 1 || n > 64) {
		fprintf (stderr, "threaded: -n must be 1 to 64\n");
		return 2;
	}
	/* Developer knobs, as for the lxcshim command. */
	dopts.init_path = getenv ("LXCSHIM_INIT");
	dopts.template_path = getenv ("LXCSHIM_TEMPLATE");
	dopts.rootfs = getenv ("LXCSHIM_ROOTFS");
	dopts.config_file = "";
	if (lxcshim_driver_new (&dopts, &driver, &err) < 0) {
		fprintf (stderr, "threaded: %s\n", err->msg);
		lxcshim_error_release (&err);
		return 2;
	}

	workers = calloc (n, sizeof *workers);
	threads = calloc (n, sizeof *threads);
	if (workers == NULL || threads == NULL)
		return 2;
	pthread_create (&lt, NULL, lister_main, &lister);
	for (int i = 0; i < n; i++) {
		struct worker *w = &workers[i];

		w->index = i;
		w->detached = with_detached && i % 2 == 1;
		snprintf (w->name, sizeof w->name, "thr%dw%d", (int) getpid (), i);
		pthread_mutex_init (&w->lock, NULL);
		pthread_cond_init (&w->cond, NULL);
		pthread_create (&threads[i], NULL, worker_main, w);
	}
	if (inject_race)
		racy_counter++;
	for (int i = 0; i < n; i++) {
		struct worker *w = &workers[i];

		pthread_join (threads[i], NULL);
		printf ("worker %d (%s, %s): %s%s\n", i, w->name, w->detached ? "detached" : "foreground",
		        w->ok ? "ok" : "FAILED: ", w->ok ? "" : w->error);
		bad |= !w->ok;
		pthread_mutex_destroy (&w->lock);
		pthread_cond_destroy (&w->cond);
	}
	pthread_mutex_lock (&lister.lock);
	lister.done = true;
	pthread_mutex_unlock (&lister.lock);
	pthread_join (lt, NULL);
	printf ("lister: %s\n", lister.rounds > 0 ? "ok" : "never ran");
	free (workers);
	free (threads);
	lxcshim_driver_free (driver);
	return bad;
}
