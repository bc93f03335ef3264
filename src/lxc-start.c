/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>


#include "liblxc.h"
#include "lxc-start.h"
#include "util.h"

int
lxc_start_call_parse (char *const *argv, struct lxc_start_call *call, lxcshim_error_t *err)
{
	static const struct {
		const char *flag;
		size_t offset;
	} valued[] = {
		{ "-n", offsetof (struct lxc_start_call, name) },
		{ "-f", offsetof (struct lxc_start_call, config) },
		{ "-P", offsetof (struct lxc_start_call, lxcpath) },
		{ "-o", offsetof (struct lxc_start_call, log_file) },
		{ "-l", offsetof (struct lxc_start_call, log_level) },
	};
	size_t i;

	memset (call, 0, sizeof *call);
	if (argv == NULL || argv[0] == NULL)
		return lxcshim_fail (err, EINVAL, "empty lxc-start argv");
	for (i = 1; argv[i] && !streq (argv[i], "--"); i++) {
		size_t k;

		if (streq (argv[i], "-F")) {
			call->foreground = true;
			continue;
		}
		if (streq (argv[i], "-q")) {
			call->quiet = true;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE (valued); k++)
			if (streq (argv[i], valued[k].flag))
				break;
		if (k == ARRAY_SIZE (valued) || argv[i + 1] == NULL)
			return lxcshim_fail (err, EINVAL, "lxc-start argv: unexpected \"%s\"", argv[i]);
		*(const char **) ((char *) call + valued[k].offset) = argv[++i];
	}
	if (argv[i] == NULL || argv[i + 1] == NULL)
		return lxcshim_fail (err, EINVAL, "lxc-start argv: no command after --");
	if (call->name == NULL || call->config == NULL || call->lxcpath == NULL)
		return lxcshim_fail (err, EINVAL, "lxc-start argv: -n, -f and -P are needed");
	call->argv = argv + i + 1;
	return 0;
}

/* What tools/lxc_start.c does for "-n NAME -f CONFIG -P PATH -F": the
 * log first (so that errors in the config itself are logged), then the
 * config, then start() in the foreground. */
_Noreturn void
lxc_start_call_run (const struct lxc_start_call *call, char *const *envp)
{
	struct lxc_log log = {
		.name = call->name,
		.lxcpath = call->lxcpath,
		.file = call->log_file,
		.level = call->log_level ? call->log_level : "ERROR",
		.prefix = "lxc-start",
		.quiet = call->quiet,
	};
	struct lxc_container *c;

	/* ps tells it from its parent, whose command line it shares. */
	prctl (PR_SET_NAME, "lxcshim-monitor");
	environ = (char **) envp;
	if (call->log_file && liblxc_log_init (&log) < 0)
		_exit (EXIT_FAILURE);
	c = liblxc_container_new (call->name, call->lxcpath, NULL);
	if (c == NULL)
		_exit (EXIT_FAILURE);
	c->clear_config (c);
	if (!c->load_config (c, call->config))
		_exit (EXIT_FAILURE);
	/* Later users of the container (lxc-attach, lxc-info) are told this
	 * file, as lxc-start -f tells them. */
	free (c->configfile);
	c->configfile = strdup (call->config);
	if (c->configfile == NULL || c->is_running (c))
		_exit (EXIT_FAILURE);
	c->want_daemonize (c, false);
	_exit (c->start (c, 0, call->argv) ? EXIT_SUCCESS : EXIT_FAILURE);
}
