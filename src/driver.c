/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <strings.h>

#include "abi.h"
#include "cgroup.h"
#include "conffile.h"
#include "driver.h"
#include "error.h"
#include "liblxc.h"
#include "util.h"

static const struct {
	const char *ours, *lxc;
} log_levels[] = {
	{ "error", "ERROR" },
	{ "warn", "WARN" },
	{ "info", "INFO" },
	{ "debug", "DEBUG" },
};

static int
check_abs (const char *what, const char *path, const char *file, lxcshim_error_t *err)
{
	if (path == NULL || *path == '/')
		return 0;
	lxcshim_fail_value (err, what, path, "must be an absolute path");
	if (file)
		lxcshim_error_prefix (err, "config file %s", file);
	return -1;
}

/* An explicit option, else the config file's value, else the default. */
static char *
pick (const char *option, const char *file, const char *fallback)
{
	return xstrdup (option ? option : file ? file : fallback);
}

/* lxcshim-supervisor lives beside lxcshim-init: an uninstalled build (or
 * any other init_path) brings its own; else the installed one. */
char *
driver_supervisor_path (const char *init_path)
{
	const char *slash = init_path ? strrchr (init_path, '/') : NULL;

	if (slash) {
		char *p = xasprintf ("%.*s/lxcshim-supervisor", (int) (slash - init_path), init_path);
		if (access (p, X_OK) == 0)
			return p;
		free (p);
	}
	return xstrdup (PKGLIBEXECDIR "/lxcshim-supervisor");
}

int
lxcshim_driver_new (const struct lxcshim_driver_options *caller, lxcshim_driver_t **out, lxcshim_error_t *err)
{
	struct lxcshim_driver_options o = LXCSHIM_DRIVER_OPTIONS_INIT, *opts = &o;
	struct conffile conf = { 0 };
	lxcshim_driver_t *d;
	const char *level;

	if (caller && abi_struct_in (&o, sizeof o, caller, ABI_SIZE0 (struct lxcshim_driver_options, config_file),
	                             "lxcshim_driver_options", err) < 0)
		return -1;
	if (opts->config_file == NULL ? conffile_load (LXCSHIM_CONFFILE, false, &conf, err) < 0
	    : *opts->config_file && conffile_load (opts->config_file, true, &conf, err) < 0)
		return -1;
	level = opts->log_level ? opts->log_level : "error";
	d = xzalloc (sizeof *d);
	pthread_mutex_init (&d->name_lock, NULL);
	for (size_t i = 0; i < ARRAY_SIZE (log_levels); i++)
		if (strcasecmp (level, log_levels[i].ours) == 0)
			d->lxc_log_level = xstrdup (log_levels[i].lxc);
	if (d->lxc_log_level == NULL) {
		conffile_release (&conf);
		lxcshim_driver_free (d);
		return lxcshim_fail (err, EINVAL, "invalid log level \"%s\": expected error, warn, info or debug", level);
	}
	/* A relative or empty path would land wherever we run ("" became
	 * /containers): refuse it before anything is made. */
	if (check_abs ("--root", opts->root, NULL, err) < 0 || check_abs ("--lxcpath", opts->lxcpath, NULL, err) < 0 ||
	    check_abs ("root", conf.root, opts->config_file ? opts->config_file : LXCSHIM_CONFFILE, err) < 0 ||
	    check_abs ("lxcpath", conf.lxcpath, opts->config_file ? opts->config_file : LXCSHIM_CONFFILE, err) < 0) {
		conffile_release (&conf);
		lxcshim_driver_free (d);
		return -1;
	}
	d->root = pick (opts->root, conf.root, "/run/lxcshim");
	if (opts->lxcpath || conf.lxcpath)
		d->lxcpath = pick (opts->lxcpath, conf.lxcpath, NULL);
	else {
		const char *p = liblxc_global_config_item ("lxc.lxcpath");
		d->lxcpath = xstrdup (p && *p == '/' ? p : "/var/lib/lxc");
	}
	d->template_path = pick (opts->template_path, conf.template_path, PKGDATADIR "/lxc.conf.tmpl");
	d->init_path = xstrdup (opts->init_path ? opts->init_path : PKGLIBEXECDIR "/lxcshim-init");
	d->supervisor_path = driver_supervisor_path (opts->init_path);
	d->rootfs = pick (opts->rootfs, conf.rootfs, PKGLIBDIR "/rootfs");
	d->default_net = steal_pointer (&conf.net);
	d->lxc_includes = steal_pointer (&conf.lxc_includes);
	d->exec_lxc_start = conf.exec_lxc_start;
	conffile_release (&conf);
	d->unified_mount = cgroup_unified_mount ();
	d->memory_v2 = cgroup_memory_is_v2 ();
	/* Config values must stay on one line; the root reaches the config
	 * through the log and env paths. */
	if (strpbrk (d->root, "\n\r") || strpbrk (d->lxcpath, "\n\r")) {
		lxcshim_driver_free (d);
		return lxcshim_fail (err, EINVAL, "invalid --root or --lxcpath: it contains a newline");
	}
	*out = d;
	return 0;
}

void
lxcshim_driver_free (lxcshim_driver_t *d)
{
	if (d == NULL)
		return;
	free (d->root);
	free (d->lxcpath);
	free (d->template_path);
	free (d->init_path);
	free (d->supervisor_path);
	free (d->rootfs);
	free (d->lxc_log_level);
	free (d->name);
	pthread_mutex_destroy (&d->name_lock);
	free (d->default_net);
	strv_free (d->lxc_includes);
	free (d);
}

const char *
lxcshim_version (void)
{
	return PACKAGE_VERSION;
}

const char *
lxcshim_driver_name (lxcshim_driver_t *d)
{
	const char *name;

	pthread_mutex_lock (&d->name_lock);
	if (d->name == NULL)
		d->name = xasprintf ("lxc-%s", liblxc_version ());
	name = d->name;
	pthread_mutex_unlock (&d->name_lock);
	return name;
}

const char *
lxcshim_driver_lxcpath (lxcshim_driver_t *d)
{
	return d->lxcpath;
}

const char *
lxcshim_driver_root (lxcshim_driver_t *d)
{
	return d->root;
}

char *
driver_container_dir (const lxcshim_driver_t *d, const char *id)
{
	return xasprintf ("%s/containers/%s", d->root, id);
}

char *
driver_container_file (const lxcshim_driver_t *d, const char *id, const char *file)
{
	return xasprintf ("%s/containers/%s/%s", d->root, id, file);
}
