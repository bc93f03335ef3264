/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "params.h"
#include "protocol.h"
#include "util.h"

bool
params_lxc_needs_foreground (const char *version)
{
	char *end;
	long major, minor = 0;

	if (version == NULL || *version == '\0')
		return false;
	major = strtol (version, &end, 10);
	if (*end == '.')
		minor = strtol (end + 1, NULL, 10);
	return major > 1 || (major == 1 && minor >= 1);
}

char **
params_argv (const lxcshim_spec_t *s, const struct params *p)
{
	char **argv = xzalloc (sizeof (char *));

	strv_append (&argv, p->lxc_start);
	strv_append (&argv, "-n");
	strv_append (&argv, s->id);
	strv_append (&argv, "-f");
	strv_append (&argv, p->config_path);
	strv_append (&argv, "-P");
	strv_append (&argv, p->lxcpath);
	if (params_lxc_needs_foreground (p->lxc_version))
		strv_append (&argv, "-F");
	/* -q keeps lxc's own chatter (e.g. every attach) off the workload's
	 * stderr; the log file in the config still gets it. */
	strv_append (&argv, "-q");
	/* The log from the start: the config's lxc.log.file only takes effect
	 * once parsed, so errors in the config itself (or in an include)
	 * would go nowhere and the failure would have no reason. */
	if (p->log_file) {
		strv_append (&argv, "-o");
		strv_append (&argv, p->log_file);
		strv_append (&argv, "-l");
		strv_append (&argv, p->log_level ? p->log_level : "ERROR");
	}
	strv_append (&argv, "--");
	strv_append (&argv, LXCSHIM_INIT_TARGET);
	if (s->user) {
		strv_append (&argv, "-u");
		strv_append (&argv, s->user);
	}
	if (s->workdir) {
		strv_append (&argv, "-w");
		strv_append (&argv, s->workdir);
	}
	if (s->tty)
		strv_append (&argv, "-t");
	strv_append (&argv, "--");
	{
		/* In O(1) each: the command may be long. */
		struct strvb b = { .v = argv, .n = strv_length (argv), .cap = strv_length (argv) + 1 };
		for (size_t i = 0; s->command && s->command[i]; i++)
			strvb_push (&b, xstrdup (s->command[i]));
		argv = strvb_steal (&b);
	}
	return argv;
}

char *
shell_quote (const char *arg)
{
	struct buf b = { 0 };

	if (*arg && arg[strcspn (arg, "\\'\"`${[|&;<>()~*?!# \t\n")] == '\0')
		return xstrdup (arg);
	buf_puts (&b, "'");
	for (const char *c = arg; *c; c++) {
		if (*c == '\'')
			buf_puts (&b, "'\\''");
		else
			buf_add (&b, c, 1);
	}
	buf_puts (&b, "'");
	return buf_steal (&b);
}

char *
shell_quote_argv (char *const *argv)
{
	struct buf b = { 0 };

	for (size_t i = 0; argv && argv[i]; i++) {
		_cleanup_free_ char *q = shell_quote (argv[i]);
		if (i)
			buf_puts (&b, " ");
		buf_puts (&b, q);
	}
	return buf_steal (&b);
}

char *
params_printable (char *const *argv, bool shared_root)
{
	_cleanup_free_ char *cmd = shell_quote_argv (argv);
	_cleanup_free_ char *script = NULL, *quoted = NULL;

	if (!shared_root)
		return steal_pointer (&cmd);
	/* util-linux unshare makes the new namespace private unless told
	 * otherwise; "unchanged" leaves the rslave step to the script. */
	script = xasprintf ("mount --make-rslave /; exec %s", cmd);
	quoted = shell_quote (script);
	return xasprintf ("unshare -m --propagation unchanged -- /bin/sh -c %s", quoted);
}
