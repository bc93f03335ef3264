/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxcshim(1): a thin door onto liblxcshim.  Flags map one to one onto spec
 * keys; this file holds no container logic.  It is the one place that
 * prints errors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
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

/* The CLI's one table: each command with its flags.  It drives getopt,
 * --help (and so the bash completion, which reads --help) and the test
 * that keeps lxcshim(1) in step (tests/integration/cli-man.sh). */
struct flag {
	const char *name; /* long name; for run also the spec key, unless local */
	int letter;       /* short option, or 0 */
	const char *arg;  /* the argument's name; NULL: takes none */
	const char *help;
};

struct command;
typedef int (*command_fn) (struct globals *g, const struct command *cmd, int argc, char **argv);

struct command {
	const char *name;
	const char *usage; /* after "lxcshim " */
	const char *summary;
	const struct flag *flags; /* NULL-terminated; --help is implied */
	bool in_order;            /* options only before the first argument */
	command_fn fn;
};

#define END_FLAGS { NULL, 0, NULL, NULL }

static const struct flag global_flags[] = {
	{ "config", 0, "FILE", "site defaults from FILE (\"\": none) instead of " SYSCONFDIR "/lxcshim/lxcshim.conf" },
	{ "root", 0, "DIR", "the state root (default /run/lxcshim)" },
	{ "lxcpath", 0, "DIR", "the LXC path (default: the host's lxc.lxcpath)" },
	{ "log-level", 0, "LEVEL", "lxc's log level: error, warn, info or debug (default error)" },
	{ "help", 'h', NULL, "print this help and exit" },
	{ "version", 0, NULL, "print the versions and exit (as the version command)" },
	END_FLAGS,
};

static const struct flag run_flags[] = {
	{ "name", 0, "ID", "the container's name (default: 12 random hex digits)" },
	{ "rootfs", 0, "DIR", "the root file system (default: the built-in busybox one)" },
	{ "rootfs-overlay", 0, NULL, "give --rootfs DIR the default rootfs's overlay: DIR is never written" },
	{ "env", 'e', "K=V", "set an environment variable; K alone passes ours (repeatable)" },
	{ "env-file", 0, "FILE", "read K=V lines from FILE (repeatable)" },
	{ "user", 'u', "USER[:GROUP]", "run as USER, resolved in the container" },
	{ "workdir", 'w', "DIR", "the working directory (default /)" },
	{ "hostname", 0, "NAME", "the container's hostname (default: its name)" },
	{ "memory", 'm', "SIZE", "memory limit, e.g. 64m" },
	{ "memory-swap", 0, "SIZE", "memory plus swap limit (-1: unlimited swap)" },
	{ "cpu-shares", 0, "N", "relative cpu weight" },
	{ "cpus", 0, "X", "cpu quota in cpus, e.g. 1.5" },
	{ "cpuset-cpus", 0, "LIST", "the cpus it may use, e.g. 0-2,4" },
	{ "pids-limit", 0, "N", "the most processes (0 or -1: unlimited)" },
	{ "volume", 'v', "SRC:DST[:ro|rw]", "bind-mount SRC at DST (repeatable)" },
	{ "device", 0, "PATH", "not supported yet: refused" },
	{ "net", 0, "none|host", "the network (default none)" },
	{ "ipc", 0, "MODE", "not supported yet: refused" },
	{ "cap-add", 0, "CAP", "add a capability (repeatable)" },
	{ "cap-drop", 0, "CAP", "drop a capability, ALL for all (repeatable)" },
	{ "privileged", 0, NULL, "every capability, all devices, rw /proc and /sys" },
	{ "tty", 't', NULL, "give the workload a terminal (at /dev/console)" },
	{ "interactive", 'i', NULL, "connect our stdin to the workload" },
	{ "detach", 'd', NULL, "run in the background, print the id once running" },
	{ "rm", 0, NULL, "remove the container's directory when it exits" },
	{ "dry-run", 0, NULL, "print the lxc config and the lxc-start argv, run nothing" },
	{ "start-timeout", 0, "SEC", "give up when not running after SEC (default 10)" },
	{ "template", 0, "FILE", "render the lxc config from FILE" },
	{ "lxc-include", 0, "FILE", "add lxc.include = FILE to the config (repeatable)" },
	{ "spec", 0, "FILE", "settings from a JSON object keyed by these long names" },
	{ "sig-proxy", 0, "BOOL", "forward signals to the workload (default true)" },
	END_FLAGS,
};

static const struct flag exec_flags[] = {
	{ "tty", 't', NULL, "give CMD a terminal made inside the container" },
	{ "interactive", 'i', NULL, "connect our stdin to CMD" },
	{ "env", 'e', "K=V", "set an environment variable; K alone passes ours (repeatable)" },
	{ "user", 'u', "USER[:GROUP]", "run as USER, resolved in the container" },
	{ "workdir", 'w', "DIR", "the working directory (default /)" },
	END_FLAGS,
};

static const struct flag json_flags[] = {
	{ "json", 0, NULL, "print JSON" },
	END_FLAGS,
};

static const struct flag stop_flags[] = {
	{ "timeout", 't', "SEC", "seconds between TERM and KILL (default 10)" },
	{ "time", 0, "SEC", "the same as --timeout" },
	END_FLAGS,
};

static const struct flag delete_flags[] = {
	{ "force", 'f', NULL, "kill a running container first" },
	END_FLAGS,
};

static const struct flag logs_flags[] = {
	{ "follow", 'f', NULL, "keep copying until the container's init exits" },
	END_FLAGS,
};

static const struct flag events_flags[] = {
	{ "json", 0, NULL, "print each event as a line of JSON" },
	{ "since", 0, "TIME", "first the recorded events from TIME (RFC 3339) on" },
	END_FLAGS,
};

static const struct flag start_flags[] = {
	{ "attach", 'a', NULL, "wait for the workload and exit with its status" },
	{ "interactive", 'i', NULL, "attach stdin too (implies -a; for a container created with -i)" },
	END_FLAGS,
};

static const struct flag no_flags[] = {
	END_FLAGS,
};

static const struct flag attach_flags[] = {
	{ "detach-keys", 0, "KEYS", "keys that detach, e.g. ctrl-x,x (default ctrl-p,ctrl-q)" },
	{ "no-stdin", 0, NULL, "do not connect our stdin" },
	{ "sig-proxy", 0, "BOOL", "forward signals to the workload (default true)" },
	END_FLAGS,
};


static void
print_flags (FILE *out, const struct flag *flags, bool with_help)
{
	for (const struct flag *f = flags; f->name; f++) {
		char head[64];

		if (f->letter)
			snprintf (head, sizeof head, "-%c, --%s%s%s", f->letter, f->name, f->arg ? " " : "",
			          f->arg ? f->arg : "");
		else
			snprintf (head, sizeof head, "    --%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
		fprintf (out, "  %-32s %s\n", head, f->help);
	}
	if (with_help)
		fprintf (out, "  %-32s %s\n", "    --help", "print this help and exit");
}

static void
command_help (FILE *out, const struct command *cmd)
{
	fprintf (out, "usage: lxcshim %s\n%s\noptions:\n", cmd->usage, cmd->summary);
	print_flags (out, cmd->flags, true);
}

static void usage (FILE *out);

/* getopt's value for the flag at index I: its letter, or 256 + I. */
#define OPT_HELP 1
static int
flag_value (const struct flag *flags, size_t i)
{
	return flags[i].letter ? flags[i].letter : 256 + (int) i;
}

typedef bool (*flag_handler) (const struct flag *f, const char *arg, void *data);

/* Parses CMD's flags with getopt from its table, calling ON_FLAG for each;
 * --help prints CMD's help and exits 0; anything else wrong exits CODE
 * with one line.  Returns the index of the first argument. */
static int
parse_flags (const struct command *cmd, int code, int argc, char **argv, flag_handler on_flag, void *data)
{
	struct option longopts[64];
	char shortopts[64];
	size_t n = 0, ns = 0;
	int c;

	/* "+": stop at the first argument (what follows is a command's). */
	if (cmd->in_order)
		shortopts[ns++] = '+';
	for (size_t i = 0; cmd->flags[i].name && n < ARRAY_SIZE (longopts) - 2; i++) {
		const struct flag *f = &cmd->flags[i];

		longopts[n++] = (struct option) { f->name, f->arg ? required_argument : no_argument, NULL,
			                          flag_value (cmd->flags, i) };
		if (f->letter && ns < sizeof shortopts - 3) {
			shortopts[ns++] = (char) f->letter;
			if (f->arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[n++] = (struct option) { "help", no_argument, NULL, OPT_HELP };
	longopts[n] = (struct option) { NULL, 0, NULL, 0 };
	shortopts[ns] = '\0';

	optind = 0; /* 0: getopt re-reads the ordering ("+" or not) */
	opterr = 0;
	while ((c = getopt_long (argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct flag *f = NULL;

		if (c == OPT_HELP) {
			command_help (stdout, cmd);
			exit (0);
		}
		for (size_t i = 0; cmd->flags[i].name && f == NULL; i++)
			if (flag_value (cmd->flags, i) == c)
				f = &cmd->flags[i];
		if (f == NULL)
			die (code, "invalid option \"%s\": usage: lxcshim %s", argv[optind - 1], cmd->usage);
		if (!on_flag (f, optarg, data))
			die (code, "usage: lxcshim %s", cmd->usage);
	}
	return optind;
}

/* Checks that there are npos_min..npos_max arguments from I on. */
static int
check_args (const struct command *cmd, int code, int argc, int i, int npos_min, int npos_max)
{
	if (argc - i < npos_min || argc - i > npos_max)
		die (code, "usage: lxcshim %s", cmd->usage);
	return i;
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

/* run's flags go to the spec by their long names, after any --spec
 * document; --spec and --sig-proxy are run's own. */
struct run_flags {
	const char **keys, **values;
	size_t n;
	const char *spec_file;
	bool sig_proxy;
};

static bool
run_flag (const struct flag *f, const char *arg, void *data)
{
	struct run_flags *r = data;

	if (streq (f->name, "spec")) {
		r->spec_file = arg;
	} else if (streq (f->name, "sig-proxy")) {
		if (!streq (arg, "true") && !streq (arg, "false"))
			die (EXIT_LXCSHIM, "invalid --sig-proxy \"%s\": expected true or false", arg);
		r->sig_proxy = streq (arg, "true");
	} else {
		r->keys[r->n] = f->name;
		r->values[r->n++] = arg;
	}
	return true;
}

static int
cmd_run (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;
	lxcshim_spec_t *spec;
	struct lxcshim_run_options opts = LXCSHIM_RUN_OPTIONS_INIT;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	int code;

	opts.stdio = (struct lxcshim_stdio) { 0, 1, 2 };
	struct run_flags r = { .sig_proxy = true };
	int optind_end;
	bool dry_run = false, tty = false, interactive = false, detach = false, sig_proxy;
	bool create = streq (cmd->name, "create");

	r.keys = calloc (argc, sizeof (char *));
	r.values = calloc (argc, sizeof (char *));
	if (r.keys == NULL || r.values == NULL)
		die (EXIT_LXCSHIM, "out of memory");
	optind_end = parse_flags (cmd, EXIT_LXCSHIM, argc, argv, run_flag, &r);
	sig_proxy = r.sig_proxy;

	spec = lxcshim_spec_new ();
	if (r.spec_file && lxcshim_spec_load_json (spec, r.spec_file, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	/* Flags after the document: they override it. */
	for (size_t i = 0; i < r.n; i++)
		if (lxcshim_spec_set (spec, r.keys[i], r.values[i], &err) < 0)
			die_err (EXIT_LXCSHIM, &err);
	/* From the spec, not the flags: a --spec document may set them too. */
	dry_run = lxcshim_spec_get_bool (spec, "dry-run");
	tty = lxcshim_spec_get_bool (spec, "tty");
	interactive = lxcshim_spec_get_bool (spec, "interactive");
	detach = create || lxcshim_spec_get_bool (spec, "detach");
	free (r.keys);
	free (r.values);
	if (optind_end < argc && lxcshim_spec_set_command (spec, argv + optind_end, &err) < 0)
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
	if (create) {
		char *id = NULL;

		if (lxcshim_create (driver, spec, &id, &err) < 0)
			die_err (EXIT_LXCSHIM, &err);
		printf ("%s\n", id);
		free (id);
		lxcshim_spec_free (spec);
		lxcshim_driver_free (driver);
		return 0;
	}
	if (tty && interactive)
		make_raw (STDIN_FILENO);
	if (lxcshim_run (driver, spec, &opts, &exit_info, &err) < 0) {
		restore_terminal ();
		die_err (EXIT_LXCSHIM, &err);
	}
	restore_terminal ();
	if (detach)
		printf ("%s\n", exit_info.id);
	if (exit_info.message)
		fprintf (stderr, "lxcshim: %s\n", exit_info.message);
	if (opts.signal_fd >= 0)
		close (opts.signal_fd);
	code = exit_info.exit_code;
	lxcshim_exit_release (&exit_info);
	lxcshim_spec_free (spec);
	lxcshim_driver_free (driver);
	return code;
}

static bool set_flag (const struct flag *f, const char *arg, void *data);
static void attached (void *data, bool tty, bool stdin_fed);

struct start_flags {
	bool attach, interactive;
};

static bool
start_flag (const struct flag *f, const char *arg, void *data)
{
	struct start_flags *a = data;

	if (streq (f->name, "attach"))
		a->attach = true;
	else if (streq (f->name, "interactive"))
		a->attach = a->interactive = true; /* docker start -i attaches too */
	else
		return false;
	return true;
}

/* Exits 125 for its own failures: with -a the workload's status is ours. */
static int
cmd_start (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	struct start_flags a = { 0 };
	int i = check_args (cmd, EXIT_LXCSHIM, argc, parse_flags (cmd, EXIT_LXCSHIM, argc, argv, start_flag, &a), 1, 1);
	int code;

	if (lxcshim_driver_new (&g->opts, &driver, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	if (a.attach) {
		/* Attached before the start, so that no output is missed; its
		 * stdout and stderr (docker start -a), and with -i its stdin,
		 * which then must have somewhere to go. */
		struct lxcshim_attach_options o = LXCSHIM_ATTACH_OPTIONS_INIT;
		bool detached;

		if (a.interactive) {
			o.stdin_required = true;
			o.stdin_once = true;
			o.attached_hook = attached;
		} else {
			o.stdio.in = -1;
		}
		o.start = true;
		o.signal_fd = proxy_signals (true, true);
		if (lxcshim_attach (driver, argv[i], &o, &exit_info, &detached, &err) < 0) {
			restore_terminal ();
			die_err (EXIT_LXCSHIM, &err);
		}
		restore_terminal ();
		close (o.signal_fd);
		lxcshim_driver_free (driver);
		if (detached) {
			fputs ("read escape sequence\n", stderr);
			return 0;
		}
		if (exit_info.message)
			fprintf (stderr, "lxcshim: %s\n", exit_info.message);
		code = exit_info.exit_code;
		lxcshim_exit_release (&exit_info);
		return code;
	}
	if (lxcshim_start (driver, argv[i], NULL, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	lxcshim_driver_free (driver);
	printf ("%s\n", argv[i]);
	return 0;
}

static int
cmd_logs (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver = NULL;
	int follow = 0;
	int i = check_args (cmd, 1, argc, parse_flags (cmd, 1, argc, argv, set_flag, &follow), 1, 1);

	if (lxcshim_driver_new (&g->opts, &driver, &err) < 0 ||
	    lxcshim_logs (driver, argv[i], follow != 0, STDOUT_FILENO, STDERR_FILENO, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static lxcshim_driver_t *open_driver (struct globals *g, int code);

struct events_args {
	int json;
	const char *since;
};

static bool
events_flag (const struct flag *f, const char *arg, void *data)
{
	struct events_args *a = data;

	if (streq (f->name, "json"))
		a->json = 1;
	else if (streq (f->name, "since"))
		a->since = arg;
	else
		return false;
	return true;
}

/* Follows until SIGINT or SIGTERM (then exits 0), as docker events does,
 * also after the container's "deleted": an id may be used again. */
static int
cmd_events (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	lxcshim_events_t *events;
	struct events_args a = { 0 };
	struct lxcshim_event *ev;
	sigset_t mask;
	struct pollfd p[2];
	int i = check_args (cmd, EXIT_LXCSHIM, argc, parse_flags (cmd, EXIT_LXCSHIM, argc, argv, events_flag, &a), 0, 1);
	int r;

	sigemptyset (&mask);
	sigaddset (&mask, SIGINT);
	sigaddset (&mask, SIGTERM);
	sigprocmask (SIG_BLOCK, &mask, NULL);
	p[0] = (struct pollfd) { .fd = signalfd (-1, &mask, SFD_CLOEXEC), .events = POLLIN };
	if (p[0].fd < 0)
		die (EXIT_LXCSHIM, "signalfd: %s", strerror (errno));
	driver = open_driver (g, EXIT_LXCSHIM);
	if (lxcshim_events_open (driver, i < argc ? argv[i] : NULL, a.since, &events, &err) < 0)
		die_err (EXIT_LXCSHIM, &err);
	p[1] = (struct pollfd) { .fd = lxcshim_events_fd (events), .events = POLLIN };
	for (;;) {
		while ((r = lxcshim_events_read (events, &ev, &err)) > 0) {
			puts (a.json ? ev->json : ev->text);
			lxcshim_event_free (ev);
		}
		if (r < 0)
			die_err (1, &err);
		if (fflush (stdout) == EOF)
			die (1, "write: %s", strerror (errno));
		if (poll (p, 2, -1) < 0 && errno != EINTR)
			die (1, "poll: %s", strerror (errno));
		if (p[0].revents)
			break;
	}
	lxcshim_events_close (events);
	lxcshim_driver_free (driver);
	close (p[0].fd);
	return 0;
}

static bool no_opt (const struct flag *f, const char *arg, void *data);

static int
cmd_version (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_driver_t *driver = NULL;
	const char *name;

	check_args (cmd, EXIT_LXCSHIM, argc, parse_flags (cmd, EXIT_LXCSHIM, argc, argv, no_opt, NULL), 0, 0);
	/* The driver's name says which liblxc it loads ("lxc-5.0.2"); a
	 * broken site config does not hide the version. */
	if (lxcshim_driver_new (&g->opts, &driver, NULL) == 0 && (name = lxcshim_driver_name (driver)) &&
	    strncmp (name, "lxc-", 4) == 0)
		printf ("lxcshim %s\nliblxc %s\n", lxcshim_version (), name + 4);
	else
		printf ("lxcshim %s\nliblxc unknown\n", lxcshim_version ());
	lxcshim_driver_free (driver);
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

/* For a command whose one flag is a switch. */
static bool
set_flag (const struct flag *f, const char *arg, void *data)
{
	*(int *) data = 1;
	return true;
}

static bool
no_opt (const struct flag *f, const char *arg, void *data)
{
	return false;
}

/* parse_flags, then check_args; lifecycle commands exit 1 on bad input. */
static int
parse_id_args (const struct command *cmd, int argc, char **argv, flag_handler on_flag, void *data, int npos_min,
               int npos_max)
{
	return check_args (cmd, 1, argc, parse_flags (cmd, 1, argc, argv, on_flag, data), npos_min, npos_max);
}

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
cmd_state (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	char *json, *warning;
	int i = parse_id_args (cmd, argc, argv, no_opt, NULL, 1, 1);

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
cmd_list (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_container_info *list;
	size_t n;
	int json = 0, idw = 2;

	parse_id_args (cmd, argc, argv, set_flag, &json, 0, 0);
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
cmd_kill (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int sig = SIGTERM;
	int i = parse_id_args (cmd, argc, argv, no_opt, NULL, 1, 2);

	if (i + 1 < argc && lxcshim_parse_signal (argv[i + 1], &sig, &err) < 0)
		die_err (1, &err);
	driver = open_driver (g, 1);
	if (lxcshim_kill (driver, argv[i], sig, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static bool
stop_opt (const struct flag *f, const char *arg, void *data)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul (arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || v > 86400)
		die (1, "invalid timeout \"%s\": expected whole seconds, 0-86400", arg);
	*(unsigned *) data = (unsigned) v;
	return true;
}

static int
cmd_stop (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	unsigned timeout = 10;
	int i = parse_id_args (cmd, argc, argv, stop_opt, &timeout, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_stop (driver, argv[i], timeout, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
pause_resume (struct globals *g, const struct command *cmd, int argc, char **argv, bool pause)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int i = parse_id_args (cmd, argc, argv, no_opt, NULL, 1, 1);
	int ret;

	driver = open_driver (g, 1);
	ret = pause ? lxcshim_pause (driver, argv[i], &err) : lxcshim_resume (driver, argv[i], &err);
	if (ret < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

static int
cmd_pause (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	return pause_resume (g, cmd, argc, argv, true);
}

static int
cmd_resume (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	return pause_resume (g, cmd, argc, argv, false);
}

/* ps ID: "PID NSPID COMMAND" table; --json: [{"pid", "ns_pid", "command"}]. */
static int
cmd_ps (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_process *procs;
	size_t n;
	int json = 0;
	int i = parse_id_args (cmd, argc, argv, set_flag, &json, 1, 1);

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
	lxcshim_pids_free (procs, n);
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
cmd_stats (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_stats st = LXCSHIM_STATS_INIT;
	int json = 0;
	int i = parse_id_args (cmd, argc, argv, set_flag, &json, 1, 1);

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
cmd_delete (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	int force = 0;
	int i = parse_id_args (cmd, argc, argv, set_flag, &force, 1, 1);

	driver = open_driver (g, 1);
	if (lxcshim_delete (driver, argv[i], force != 0, &err) < 0)
		die_err (1, &err);
	lxcshim_driver_free (driver);
	return 0;
}

struct exec_flags {
	struct lxcshim_exec_options *o;
	char **env;
	size_t nenv;
};

static bool
exec_flag (const struct flag *f, const char *arg, void *data)
{
	struct exec_flags *x = data;

	switch (f->letter) {
	case 't':
		x->o->tty = true;
		break;
	case 'i':
		x->o->stdio.in = STDIN_FILENO;
		break;
	case 'e':
		x->env[x->nenv++] = (char *) arg;
		break;
	case 'u':
		x->o->user = arg;
		break;
	case 'w':
		x->o->workdir = arg;
		break;
	default:
		return false;
	}
	return true;
}

static int
cmd_exec (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	struct lxcshim_exec_options o = LXCSHIM_EXEC_OPTIONS_INIT;
	struct exec_flags x = { .o = &o };
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	char **env;
	int i, code;

	o.stdio.out = STDOUT_FILENO;
	o.stdio.err = STDERR_FILENO;
	env = x.env = calloc (argc + 1, sizeof (char *));
	if (env == NULL)
		die (EXIT_LXCSHIM, "out of memory");
	/* In order: the command's own options come after ID. */
	i = parse_flags (cmd, EXIT_LXCSHIM, argc, argv, exec_flag, &x);
	/* ID -- CMD: "--" ends the options as for run, lxc-attach and runc
	 * exec; a second "--" is the command's. */
	if (argc - i >= 2 && streq (argv[i + 1], "--")) {
		argv[i + 1] = argv[i];
		i++;
	}
	check_args (cmd, EXIT_LXCSHIM, argc, i, 2, argc);
	o.env = env;
	o.argv = argv + i + 1;

	o.signal_fd = proxy_signals (true, o.tty);
	driver = open_driver (g, EXIT_LXCSHIM);
	if (o.tty && o.stdio.in >= 0)
		make_raw (o.stdio.in);
	if (lxcshim_exec (driver, argv[i], &o, &exit_info, &err) < 0) {
		restore_terminal ();
		die_err (EXIT_LXCSHIM, &err);
	}
	restore_terminal ();
	if (exit_info.message)
		fprintf (stderr, "lxcshim: %s\n", exit_info.message);
	close (o.signal_fd);
	free (env);
	code = exit_info.exit_code;
	lxcshim_exit_release (&exit_info);
	lxcshim_driver_free (driver);
	return code;
}

struct attach_flags {
	const char *keys;
	bool no_stdin, sig_proxy;
};

static bool
attach_flag (const struct flag *f, const char *arg, void *data)
{
	struct attach_flags *a = data;

	if (streq (f->name, "detach-keys"))
		a->keys = arg;
	else if (streq (f->name, "no-stdin"))
		a->no_stdin = true;
	else if (streq (f->name, "sig-proxy")) {
		if (!streq (arg, "true") && !streq (arg, "false"))
			die (EXIT_LXCSHIM, "invalid --sig-proxy \"%s\": expected true or false", arg);
		a->sig_proxy = streq (arg, "true");
	} else
		return false;
	return true;
}

/* Once attached: our terminal goes raw when it feeds a container's. */
static void
attached (void *data, bool tty, bool stdin_fed)
{
	if (tty && isatty (STDIN_FILENO))
		make_raw (STDIN_FILENO);
}

static int
cmd_attach (struct globals *g, const struct command *cmd, int argc, char **argv)
{
	struct attach_flags a = { .sig_proxy = true };
	struct lxcshim_attach_options o = LXCSHIM_ATTACH_OPTIONS_INIT;
	lxcshim_error_t err = NULL;
	lxcshim_driver_t *driver;
	struct lxcshim_exit exit_info = LXCSHIM_EXIT_INIT;
	bool detached;
	int code;
	int i = check_args (cmd, EXIT_LXCSHIM, argc, parse_flags (cmd, EXIT_LXCSHIM, argc, argv, attach_flag, &a), 1, 1);

	o.attached_hook = attached;
	o.detach_keys = a.keys;
	o.sig_proxy = a.sig_proxy;
	if (a.no_stdin)
		o.stdio.in = -1;
	/* SIGWINCH always (a resize is not a signal to proxy). */
	o.signal_fd = proxy_signals (a.sig_proxy, true);
	driver = open_driver (g, EXIT_LXCSHIM);
	if (lxcshim_attach (driver, argv[i], &o, &exit_info, &detached, &err) < 0) {
		restore_terminal ();
		die_err (EXIT_LXCSHIM, &err);
	}
	restore_terminal ();
	close (o.signal_fd);
	lxcshim_driver_free (driver);
	if (detached) {
		/* docker's words; the container runs on. */
		fputs ("read escape sequence\n", stderr);
		return 0;
	}
	/* Why it never ran, as a foreground run says it. */
	if (exit_info.message)
		fprintf (stderr, "lxcshim: %s\n", exit_info.message);
	code = exit_info.exit_code;
	lxcshim_exit_release (&exit_info);
	return code;
}

static const struct command commands[] = {
	{ "run", "run [OPTIONS] [--] CMD [ARG...]", "Run CMD in a new container; exit with its status.", run_flags, true,
	  cmd_run },
	{ "create", "create [OPTIONS] [--] CMD [ARG...]",
	  "Create a container held before CMD runs (state created); print its id.", run_flags, true, cmd_run },
	{ "start", "start [-a] [-i] ID", "Start the workload of the created container ID (-a: wait, exit with its status; -i: attach stdin too).",
	  start_flags, false, cmd_start },
	{ "exec", "exec [-t] [-i] [-e K=V]... [-u USER[:GROUP]] [-w DIR] ID [--] CMD [ARG...]",
	  "Run CMD in the running container ID; exit with its status.", exec_flags, true, cmd_exec },
	{ "state", "state ID", "Print the container's state.json, corrected to the truth.", no_flags, true, cmd_state },
	{ "list", "list [--json]", "List the containers: ID STATUS PID CREATED COMMAND.", json_flags, false, cmd_list },
	{ "kill", "kill ID [SIGNAL]", "Send SIGNAL (default TERM) to the workload.", no_flags, true, cmd_kill },
	{ "stop", "stop [-t SEC] ID", "Send TERM, then KILL after SEC seconds; return once stopped.", stop_flags, false,
	  cmd_stop },
	{ "pause", "pause ID", "Freeze every process of the container.", no_flags, true, cmd_pause },
	{ "resume", "resume ID", "Thaw a paused container.", no_flags, true, cmd_resume },
	{ "ps", "ps ID [--json]", "List the container's processes: PID NSPID COMMAND.", json_flags, false, cmd_ps },
	{ "stats", "stats ID [--json]", "Print memory, cpu and pids usage.", json_flags, false, cmd_stats },
	{ "delete", "delete [-f] ID", "Remove a stopped container's files (-f: kill it first).", delete_flags, false,
	  cmd_delete },
	{ "logs", "logs [-f] ID", "Copy the output of a detached container.", logs_flags, false, cmd_logs },
	{ "events", "events [--json] [--since TIME] [ID]",
	  "Print the state changes of ID, or of all containers, as they happen.", events_flags, false, cmd_events },
	{ "attach", "attach [--detach-keys KEYS] [--no-stdin] [--sig-proxy BOOL] ID",
	  "Attach to a detached container's terminal or stdio; exit with its status.", attach_flags, false, cmd_attach },
	{ "version", "version", "Print the lxcshim and liblxc versions.", no_flags, true, cmd_version },
};
static const size_t n_commands = ARRAY_SIZE (commands);

static const struct command global_command = {
	"lxcshim", "[--config FILE] [--root DIR] [--lxcpath DIR] [--log-level LEVEL] COMMAND [ARG...]", "",
	global_flags, true, NULL,
};

/* Everything: the global options, then every command with its flags. */
static void
usage (FILE *out)
{
	fputs ("usage: lxcshim [--config FILE] [--root DIR] [--lxcpath DIR] [--log-level LEVEL] COMMAND [ARG...]\n"
	       "global options:\n",
	       out);
	print_flags (out, global_flags, false);
	fputs ("commands:\n", out);
	for (size_t i = 0; i < n_commands; i++) {
		fputc ('\n', out);
		command_help (out, &commands[i]);
	}
	fputs ("\nSee lxcshim(1).\n", out);
}

static bool
global_flag (const struct flag *f, const char *arg, void *data)
{
	struct globals *g = data;
	char *version_argv[] = { (char *) "version", NULL };

	if (streq (f->name, "root"))
		g->opts.root = arg;
	else if (streq (f->name, "lxcpath"))
		g->opts.lxcpath = arg;
	else if (streq (f->name, "log-level"))
		g->opts.log_level = arg;
	else if (streq (f->name, "config"))
		g->opts.config_file = arg;
	else if (streq (f->name, "help")) {
		usage (stdout);
		exit (0);
	} else if (streq (f->name, "version")) {
		for (size_t i = 0; i < n_commands; i++)
			if (commands[i].fn == cmd_version)
				exit (cmd_version (g, &commands[i], 1, version_argv));
	} else {
		return false;
	}
	return true;
}

int
main (int argc, char **argv)
{
	struct globals g = { .opts = LXCSHIM_DRIVER_OPTIONS_INIT };
	int i;

	/* A closed 0-2 would be taken by our own fds and leak into containers. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl (fd, F_GETFD) < 0 && open ("/dev/null", O_RDWR) != fd)
			return EXIT_LXCSHIM;

	/* Developer knobs: run an uninstalled build (make check sets them). */
	g.opts.init_path = getenv ("LXCSHIM_INIT");
	g.opts.template_path = getenv ("LXCSHIM_TEMPLATE");
	g.opts.rootfs = getenv ("LXCSHIM_ROOTFS");

	i = parse_flags (&global_command, EXIT_LXCSHIM, argc, argv, global_flag, &g);
	if (i >= argc)
		die (EXIT_LXCSHIM, "usage: lxcshim %s (see lxcshim --help)", global_command.usage);
	for (size_t k = 0; k < n_commands; k++)
		if (streq (argv[i], commands[k].name))
			return commands[k].fn (&g, &commands[k], argc - i, argv + i);
	die (EXIT_LXCSHIM, "unknown command \"%s\": see lxcshim --help", argv[i]);
}
