/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim(1): a thin door onto liblxcshim.  Flags map one to one onto spec
 * keys; this file holds no container logic.  It is the one place that
 * prints errors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <lxc/lxccontainer.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <termios.h>

#include "lxcshim.h"

#define EXIT_LXCSHIM 125
#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))
#define streq(a, b) (strcmp ((a), (b)) == 0)

struct globals {
	struct lxcshim_driver_options opts;
};

/* Every error is one line on stderr, whatever bytes a value carried. */
static _Noreturn void
die (int code, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start (ap, fmt);
	if (vasprintf (&msg, fmt, ap) < 0)
		msg = NULL;
	va_end (ap);
	fputs ("lxcshim: ", stderr);
	for (const char *c = msg ? msg : "out of memory"; *c; c++) {
		if ((unsigned char) *c < 0x20 || *c == 0x7f)
			fprintf (stderr, "\\x%02x", (unsigned char) *c);
		else
			fputc (*c, stderr);
	}
	fputc ('\n', stderr);
	free (msg);
	exit (code);
}

static _Noreturn void
die_err (int code, lxcshim_error_t *err)
{
	die (code, "%s", (*err)->msg);
}

static void
usage (FILE *out)
{
	fputs ("usage: lxcshim [--config FILE] [--root DIR] [--lxcpath DIR] [--log-level error|warn|info|debug]\n"
	       "               COMMAND ...\n"
	       "\n"
	       "commands:\n"
	       "  run [options] [--] CMD [ARG...]   run CMD in a new container, exit with its status\n"
	       "  logs [-f] ID                     output of a detached container\n"
	       "  exec [-i] [-e K=V] [-u U[:G]] [-w DIR] ID CMD [ARG...]\n"
	       "                                   run CMD in a running container\n"
	       "  state ID                         the container's state.json\n"
	       "  list [--json]                    all containers: ID STATUS PID CREATED COMMAND\n"
	       "  kill ID [SIGNAL]                 signal the workload (default TERM)\n"
	       "  stop [-t SEC] ID                 TERM, then KILL after SEC (default 10)\n"
	       "  pause ID, resume ID              freeze and thaw the container\n"
	       "  ps ID [--json]                   the container's processes\n"
	       "  stats ID [--json]                memory, cpu and pids usage\n"
	       "  delete [-f] ID                   remove a stopped container (-f: kill it first)\n"
	       "  version                          lxcshim and liblxc versions\n"
	       "\n"
	       "See lxcshim(1) for the run options.\n",
	       out);
}

/* run's flags: each long name is a spec key unless marked local. */
enum { OPT_SPEC = 1000, OPT_HELP, OPT_SIG_PROXY };

static const struct option run_options[] = {
	{ "name", required_argument, NULL, 0 },
	{ "rootfs", required_argument, NULL, 0 },
	{ "rootfs-overlay", no_argument, NULL, 0 },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, 0 },
	{ "user", required_argument, NULL, 'u' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "hostname", required_argument, NULL, 0 },
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-swap", required_argument, NULL, 0 },
	{ "cpu-shares", required_argument, NULL, 0 },
	{ "cpus", required_argument, NULL, 0 },
	{ "cpuset-cpus", required_argument, NULL, 0 },
	{ "pids-limit", required_argument, NULL, 0 },
	{ "volume", required_argument, NULL, 'v' },
	{ "device", required_argument, NULL, 0 },
	{ "net", required_argument, NULL, 0 },
	{ "ipc", required_argument, NULL, 0 },
	{ "cap-add", required_argument, NULL, 0 },
	{ "cap-drop", required_argument, NULL, 0 },
	{ "privileged", no_argument, NULL, 0 },
	{ "tty", no_argument, NULL, 't' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "detach", no_argument, NULL, 'd' },
	{ "rm", no_argument, NULL, 0 },
	{ "dry-run", no_argument, NULL, 0 },
	{ "start-timeout", required_argument, NULL, 0 },
	{ "template", required_argument, NULL, 0 },
	{ "lxc-include", required_argument, NULL, 0 },
	{ "spec", required_argument, NULL, OPT_SPEC },
	{ "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *
long_name_of_short (int c)
{
	for (const struct option *o = run_options; o->name; o++)
		if (o->val == c)
			return o->name;
	return NULL;
}

/* A signalfd for docker's sig-proxy: these reach the workload; SIGWINCH
 * resizes its terminal. */
static int
proxy_signals (bool proxy, bool tty)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	sigset_t set;

	sigemptyset (&set);
	for (size_t i = 0; proxy && i < ARRAY_SIZE (sigs); i++)
		sigaddset (&set, sigs[i]);
	if (tty)
		sigaddset (&set, SIGWINCH);
	if (sigisemptyset (&set))
		return -1;
	sigprocmask (SIG_BLOCK, &set, NULL);
	return signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The caller's terminal in raw mode for a --tty session, restored at exit
 * whatever the path (errors exit through die(), signals are proxied). */
static struct termios saved_termios;
static int raw_fd = -1;

static void
restore_terminal (void)
{
	if (raw_fd >= 0)
		tcsetattr (raw_fd, TCSADRAIN, &saved_termios);
	raw_fd = -1;
}

/* A signal that ends us while the terminal is raw (--sig-proxy=false):
 * restore it first, then die of the signal as before. */
static void
restore_and_die (int sig)
{
	if (raw_fd >= 0)
		tcsetattr (raw_fd, TCSADRAIN, &saved_termios);
	signal (sig, SIG_DFL);
	raise (sig);
}

static void
make_raw (int fd)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE };
	struct termios raw;

	if (!isatty (fd) || tcgetattr (fd, &saved_termios) < 0)
		return;
	raw = saved_termios;
	cfmakeraw (&raw);
	/* Keep output post-processing: the container's pty does its own. */
	raw.c_oflag = saved_termios.c_oflag;
	if (tcsetattr (fd, TCSADRAIN, &raw) == 0) {
		raw_fd = fd;
		atexit (restore_terminal);
		/* Signals proxied through the signalfd are blocked and never
		 * reach these handlers. */
		for (size_t i = 0; i < ARRAY_SIZE (fatal); i++)
			signal (fatal[i], restore_and_die);
	}
}

static int
cmd_run (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;
	lxcshim_spec_t *spec;
	struct lxcshim_run_options opts = { .stdio = { 0, 1, 2 }, .signal_fd = -1 };
	struct lxcshim_exit exit_info;
	const char *spec_file = NULL, **keys, **values;
	size_t n = 0;
	int c, idx;
	bool dry_run = false, tty = false, interactive = false, detach = false, sig_proxy = true;

	keys = calloc (argc, sizeof (char *));
	values = calloc (argc, sizeof (char *));
	if (keys == NULL || values == NULL)
		die (EXIT_LXCSHIM, "out of memory");
	optind = 1;
	while ((c = getopt_long (argc, argv, "+e:u:w:m:v:tid", run_options, &idx)) != -1) {
		switch (c) {
		case OPT_SPEC:
			spec_file = optarg;
			continue;
		case OPT_SIG_PROXY:
			if (!streq (optarg, "true") && !streq (optarg, "false"))
				die (EXIT_LXCSHIM, "invalid --sig-proxy \"%s\": expected true or false", optarg);
			sig_proxy = streq (optarg, "true");
			continue;
		case OPT_HELP:
			usage (stdout);
			return 0;
		case '?':
			exit (EXIT_LXCSHIM);
		case 0:
			keys[n] = run_options[idx].name;
			break;
		default:
			keys[n] = long_name_of_short (c);
			break;
		}
		values[n++] = optarg;
	}

	spec = lxcshim_spec_new ();
	if (spec_file && lxcshim_spec_load_json (spec, spec_file, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	/* Flags after the document: they override it. */
	for (size_t i = 0; i < n; i++)
		if (lxcshim_spec_set (spec, keys[i], values[i], &err) < 0)
			die_err (EXIT_LXCSHIM, &err);
	/* From the spec, not the flags: a --spec document may set them too. */
	dry_run = lxcshim_spec_get_bool (spec, "dry-run");
	tty = lxcshim_spec_get_bool (spec, "tty");
	interactive = lxcshim_spec_get_bool (spec, "interactive");
	detach = lxcshim_spec_get_bool (spec, "detach");
	free (keys);
	free (values);
	if (optind < argc && lxcshim_spec_set_command (spec, argv + optind, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);

	if (lxcshim_driver_new (&g->opts, &driver, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	if (dry_run) {
		if (lxcshim_dry_run (driver, spec, STDOUT_FILENO, &err) < 0)
			die_err (EXIT_LXCSHIM, &err);
		lxcshim_spec_free (spec);
		lxcshim_driver_free (driver);
		return 0;
	}
	if (!detach)
		opts.signal_fd = proxy_signals (sig_proxy, tty);
	if (tty && interactive)
		make_raw (STDIN_FILENO);
	if (lxcshim_run (driver, spec, &opts, &exit_info, &err) < 0) {
		restore_terminal ();
		die_err (EXIT_LXCSHIM, &err);
	}
	restore_terminal ();
	if (detach)
		printf ("%s\n", lxcshim_spec_id (spec));
	if (exit_info.message[0])
		fprintf (stderr, "lxcshim: %s\n", exit_info.message);
	if (opts.signal_fd >= 0)
		close (opts.signal_fd);
	lxcshim_spec_free (spec);
	lxcshim_driver_free (driver);
	return exit_info.exit_code;
}

static int
cmd_logs (struct globals *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;
	bool follow = false;
	int c;

	optind = 1;
	while ((c = getopt_long (argc, argv, "+f", options, NULL)) != -1) {
		if (c != 'f')
			exit (1);
		follow = true;
	}
	if (optind + 1 != argc)
		die (1, "usage: lxcshim logs [-f] ID");
	if (lxcshim_driver_new (&g->opts, &driver, &err) < 0 ||
	    lxcshim_logs (driver, argv[optind], follow, STDOUT_FILENO, STDERR_FILENO, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_version (struct globals *g, int argc, char **argv)
{
	printf ("lxcshim %s\nliblxc %s\n", PACKAGE_VERSION, lxc_get_version ());
	return 0;
}

/* ---- lifecycle commands: exit 1 on error (exec: 125) ----------------- */

static lxcshim_driver_t *
open_driver (struct globals *g, int code)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;

	if (lxcshim_driver_new (&g->opts, &driver, &err) < 0)
		die_err (code, &err);
	return driver;
}

/* Parses the options (on_opt handles each), then checks that there are
 * npos_min..npos_max positional arguments.  Returns the index of the
 * first one. */
static int
parse_id_args (int argc, char **argv, const char *shortopts, const struct option *longopts, const char *usage_line,
               bool (*on_opt) (int c, const char *arg, void *data), void *data, int npos_min, int npos_max)
{
	int c;

	optind = 0; /* 0: getopt re-reads the ordering ("+" or not) */
	opterr = 0;
	while ((c = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			die (1, "invalid option \"%s\": usage: lxcshim %s", argv[optind - 1],
			     usage_line);
		if (!on_opt (c, optarg, data))
			die (1, "usage: lxcshim %s", usage_line);
	}
	if (argc - optind < npos_min || argc - optind > npos_max)
		die (1, "usage: lxcshim %s", usage_line);
	return optind;
}

static bool
set_flag (int c, const char *arg, void *data)
{
	*(int *) data = c;
	return true;
}

static bool
no_opt (int c, const char *arg, void *data)
{
	return false;
}

static const struct option json_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

/* A JSON string literal for S. */
static void
print_json_string (const char *s)
{
	putchar ('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;
		if (ch == '"' || ch == '\\')
			printf ("\\%c", ch);
		else if (ch < 0x20)
			printf ("\\u%04x", ch);
		else
			putchar (ch);
	}
	putchar ('"');
}

static int
cmd_state (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	char *json, *warning;
	int i = parse_id_args (argc, argv, "+", NULL, "state ID", no_opt, NULL, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_state_with_warning (driver, argv[i], &json, &warning, &err) < 0)
		die_err (1, &err);
	fputs (json, stdout);
	if (warning)
		fprintf (stderr, "lxcshim: warning: %s\n", warning);
	free (json);
	free (warning);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_list (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_container_info *list;
	size_t n;
	int json = 0, idw = 2;

	parse_id_args (argc, argv, "", json_options, "list [--json]", set_flag, &json, 0, 0);
	driver = open_driver (g, 1);
	if (lxcshim_list (driver, &list, &n, &err) < 0)
		die_err (1, &err);
	if (json) {
		/* Each element is what `state ID` prints. */
		fputs ("[", stdout);
		for (size_t i = 0; i < n; i++)
			printf ("%s%s", i ? "," : "", list[i].state_json);
		fputs ("]\n", stdout);
	} else {
		for (size_t i = 0; i < n; i++)
			if ((int) strlen (list[i].id) > idw)
				idw = (int) strlen (list[i].id);
		printf ("%-*s  %-7s  %-7s  %-30s  %s\n", idw, "ID", "STATUS", "PID", "CREATED", "COMMAND");
		for (size_t i = 0; i < n; i++) {
			char pid[16] = "-";
			if (list[i].init_pid > 0)
				snprintf (pid, sizeof pid, "%d", (int) list[i].init_pid);
			printf ("%-*s  %-7s  %-7s  %-30s  %s\n", idw, list[i].id, list[i].status, pid, list[i].created,
			        list[i].command);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].warning)
			fprintf (stderr, "lxcshim: warning: %s\n", list[i].warning);
	lxcshim_list_free (list, n);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_kill (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int sig = SIGTERM;
	int i = parse_id_args (argc, argv, "+", NULL, "kill ID [SIGNAL]", no_opt, NULL, 1, 2);

	if (i + 1 < argc && lxcshim_parse_signal (argv[i + 1], &sig, &err) < 0)
		die_err (1, &err);
	driver = open_driver (g, 1);
	if (lxcshim_kill (driver, argv[i], sig, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static bool
stop_opt (int c, const char *arg, void *data)
{
	char *end;
	unsigned long v;

	if (c != 't')
		return false;
	errno = 0;
	v = strtoul (arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || v > 86400)
		die (1, "invalid timeout \"%s\": expected whole seconds, 0-86400", arg);
	*(unsigned *) data = (unsigned) v;
	return true;
}

static int
cmd_stop (struct globals *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	unsigned timeout = 10;
	int i = parse_id_args (argc, argv, "t:", options, "stop [-t SEC] ID", stop_opt, &timeout, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_stop (driver, argv[i], timeout, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
pause_resume (struct globals *g, int argc, char **argv, bool pause)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int i = parse_id_args (argc, argv, "+", NULL, pause ? "pause ID" : "resume ID", no_opt, NULL, 1, 1);
	int ret;

	driver = open_driver (g, 1);
	ret = pause ? lxcshim_pause (driver, argv[i], &err) : lxcshim_resume (driver, argv[i], &err);
	if (ret < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_pause (struct globals *g, int argc, char **argv)
{
	return pause_resume (g, argc, argv, true);
}

static int
cmd_resume (struct globals *g, int argc, char **argv)
{
	return pause_resume (g, argc, argv, false);
}

/* ps ID: "PID NSPID COMMAND" table; --json: [{"pid", "ns_pid", "command"}]. */
static int
cmd_ps (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_process *procs;
	size_t n;
	int json = 0;
	int i = parse_id_args (argc, argv, "", json_options, "ps ID [--json]", set_flag, &json, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_pids (driver, argv[i], &procs, &n, &err) < 0)
		die_err (1, &err);
	if (json) {
		fputs ("[", stdout);
		for (size_t k = 0; k < n; k++) {
			printf ("%s{\"pid\": %d, \"ns_pid\": %d, \"command\": ", k ? ", " : "", (int) procs[k].pid,
			        (int) procs[k].ns_pid);
			print_json_string (procs[k].command);
			putchar ('}');
		}
		fputs ("]\n", stdout);
	} else {
		printf ("%-8s %-8s %s\n", "PID", "NSPID", "COMMAND");
		for (size_t k = 0; k < n; k++)
			printf ("%-8d %-8d %s\n", (int) procs[k].pid, (int) procs[k].ns_pid, procs[k].command);
	}
	free (procs);
	lxcshim_driver_free (driver);
	return 0;
}

/* "KEY": N, or null for no limit. */
static void
print_limit (const char *key, uint64_t v)
{
	if (v == LXCSHIM_UNLIMITED)
		printf ("\"%s\": null", key);
	else
		printf ("\"%s\": %llu", key, (unsigned long long) v);
}

/* stats ID: "KEY VALUE" lines (limits: a number or "unlimited").
 * stats ID --json, for scripts:
 *   { "id": ID,
 *     "memory": { "usage": B, "limit": B|null, "max_usage": B, "oom_kill": N },
 *     "cpu": { "usage_ns": NS },
 *     "pids": { "current": N, "limit": N|null } }
 * bytes B, nanoseconds NS; null means no limit. */
static int
cmd_stats (struct globals *g, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_stats st;
	int json = 0;
	int i = parse_id_args (argc, argv, "", json_options, "stats ID [--json]", set_flag, &json, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_stats (driver, argv[i], &st, &err) < 0)
		die_err (1, &err);
	if (json) {
		printf ("{\"id\": ");
		print_json_string (argv[i]);
		printf (", \"memory\": {\"usage\": %llu, ", (unsigned long long) st.memory_usage);
		print_limit ("limit", st.memory_limit);
		printf (", \"max_usage\": %llu, \"oom_kill\": %llu}, ", (unsigned long long) st.memory_max_usage,
		        (unsigned long long) st.oom_kills);
		printf ("\"cpu\": {\"usage_ns\": %llu}, ", (unsigned long long) st.cpu_usage_ns);
		printf ("\"pids\": {\"current\": %llu, ", (unsigned long long) st.pids_current);
		print_limit ("limit", st.pids_limit);
		printf ("}}\n");
	} else {
		printf ("memory.usage      %llu\n", (unsigned long long) st.memory_usage);
		if (st.memory_limit == LXCSHIM_UNLIMITED)
			printf ("memory.limit      unlimited\n");
		else
			printf ("memory.limit      %llu\n", (unsigned long long) st.memory_limit);
		printf ("memory.max_usage  %llu\n", (unsigned long long) st.memory_max_usage);
		printf ("memory.oom_kill   %llu\n", (unsigned long long) st.oom_kills);
		printf ("cpu.usage_ns      %llu\n", (unsigned long long) st.cpu_usage_ns);
		printf ("pids.current      %llu\n", (unsigned long long) st.pids_current);
		if (st.pids_limit == LXCSHIM_UNLIMITED)
			printf ("pids.limit        unlimited\n");
		else
			printf ("pids.limit        %llu\n", (unsigned long long) st.pids_limit);
	}
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_delete (struct globals *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int force = 0;
	int i = parse_id_args (argc, argv, "f", options, "delete [-f] ID", set_flag, &force, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_delete (driver, argv[i], force != 0, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_exec (struct globals *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage_line = "exec [-t] [-i] [-e K=V]... [-u USER[:GROUP]] [-w DIR] ID CMD [ARG...]";
	struct lxcshim_exec_options o = { .stdio = { -1, 1, 2 }, .signal_fd = -1 };
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_exit exit_info;
	char **env;
	size_t nenv = 0;
	int c;

	env = calloc (argc + 1, sizeof (char *));
	if (env == NULL)
		die (EXIT_LXCSHIM, "out of memory");
	optind = 0;
	opterr = 0;
	/* '+': the command's own options come after ID. */
	while ((c = getopt_long (argc, argv, "+tie:u:w:", options, NULL)) != -1) {
		switch (c) {
		case 't':
			o.tty = true;
			break;
		case 'i':
			o.stdio.in = STDIN_FILENO;
			break;
		case 'e':
			env[nenv++] = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'w':
			o.workdir = optarg;
			break;
		default:
			die (EXIT_LXCSHIM, "invalid option \"%s\": usage: lxcshim %s",
			     argv[optind - 1], usage_line);
		}
	}
	if (argc - optind < 2)
		die (EXIT_LXCSHIM, "usage: lxcshim %s", usage_line);
	o.env = env;
	o.argv = argv + optind + 1;

	o.signal_fd = proxy_signals (true, o.tty);
	driver = open_driver (g, EXIT_LXCSHIM);
	if (o.tty && o.stdio.in >= 0)
		make_raw (o.stdio.in);
	if (lxcshim_exec (driver, argv[optind], &o, &exit_info, &err) < 0) {
		restore_terminal ();
		die_err (EXIT_LXCSHIM, &err);
	}
	restore_terminal ();
	if (exit_info.message[0])
		fprintf (stderr, "lxcshim: %s\n", exit_info.message);
	close (o.signal_fd);
	free (env);
	lxcshim_driver_free (driver);
	return exit_info.exit_code;
}

static const struct {
	const char *name;
	int (*fn) (struct globals *g, int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "logs", cmd_logs },
	{ "version", cmd_version },
	{ "exec", cmd_exec },
	{ "state", cmd_state },
	{ "list", cmd_list },
	{ "kill", cmd_kill },
	{ "stop", cmd_stop },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "ps", cmd_ps },
	{ "stats", cmd_stats },
	{ "delete", cmd_delete },
};

int
main (int argc, char **argv)
{
	static const struct option global_options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct globals g = { 0 };
	int c;

	/* A closed 0-2 would be taken by our own fds and leak into containers. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl (fd, F_GETFD) < 0 && open ("/dev/null", O_RDWR) != fd)
			return EXIT_LXCSHIM;

	/* Developer knobs: run an uninstalled build (see tests/env.sh). */
	g.opts.init_path = getenv ("LXCSHIM_INIT");
	g.opts.template_path = getenv ("LXCSHIM_TEMPLATE");
	g.opts.rootfs = getenv ("LXCSHIM_ROOTFS");

	while ((c = getopt_long (argc, argv, "+h", global_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.opts.root = optarg;
			break;
		case 'P':
			g.opts.lxcpath = optarg;
			break;
		case 'l':
			g.opts.log_level = optarg;
			break;
		case 'c':
			g.opts.config_file = optarg;
			break;
		case 'h':
			usage (stdout);
			return 0;
		default:
			usage (stderr);
			return EXIT_LXCSHIM;
		}
	}
	if (optind >= argc) {
		usage (stderr);
		return EXIT_LXCSHIM;
	}
	for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
		if (streq (argv[optind], commands[i].name))
			return commands[i].fn (&g, argc - optind, argv + optind);
	die (EXIT_LXCSHIM, "unknown command \"%s\": see lxcshim --help", argv[optind]);
}
