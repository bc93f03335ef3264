/* lxcshim(1): a thin door onto liblxcshim.  Flags map one to one onto spec
 * keys; this file holds no container logic.  It is the one place that
 * prints errors. */
#include "config.h"

#include <errno.h>
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

static _Noreturn void
die (int code, const char *fmt, ...)
{
	va_list ap;

	fputs ("lxcshim: ", stderr);
	va_start (ap, fmt);
	vfprintf (stderr, fmt, ap);
	va_end (ap);
	fputc ('\n', stderr);
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

static void
make_raw (int fd)
{
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
	}
}

static bool
truthy (const char *v)
{
	return v == NULL || streq (v, "") || streq (v, "true") || streq (v, "1");
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
			sig_proxy = truthy (optarg);
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
	for (size_t i = 0; i < n; i++) {
		if (lxcshim_spec_set (spec, keys[i], values[i], &err) < 0)
			die_err (EXIT_LXCSHIM, &err);
		if (streq (keys[i], "dry-run"))
			dry_run = truthy (values[i]);
		else if (streq (keys[i], "tty"))
			tty = truthy (values[i]);
		else if (streq (keys[i], "interactive"))
			interactive = truthy (values[i]);
		else if (streq (keys[i], "detach"))
			detach = truthy (values[i]);
	}
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
	/* Like docker: no -i means the workload reads /dev/null. */
	if (!interactive)
		opts.stdio.in = -1;
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

static const struct {
	const char *name;
	int (*fn) (struct globals *g, int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "logs", cmd_logs },
	{ "version", cmd_version },
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
