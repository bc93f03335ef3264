/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The template renderer: the lxc config from a template file plus a view
 * built from the spec, and the container's config.env.
 *
 * Template language (line based, see templates/lxc.conf.tmpl):
 *   ## comment            dropped
 *   {{key}}               the view's value; a line naming a key with no
 *                         value (absent, null, false) is dropped
 *   {{?key}} / {{^key}}   at the start of a line: keep the line only if key
 *                         is set (not absent/null/false/""/[]) / is not set
 *   {{list.field}}        a line naming a list is emitted once per element
 *   {{list}}              (of objects, or of strings with {{list}})
 * Every substituted value is checked: a newline, CR or NUL is refused,
 * never escaped through. */
#ifndef LXCSHIM_TEMPLATE_H
#define LXCSHIM_TEMPLATE_H

#include <json.h>

#include "lxcshim.h"
#include "spec.h"

int template_render (const char *tmpl, json_object *view, char **out, lxcshim_error_t *err);

/* Replaces space, tab, newline and backslash by fstab's octal escapes. */
char *fstab_escape (const char *s);

struct template_paths {
	const char *init_source; /* host path of lxcshim-init */
	const char *env_source;  /* host path of config.env */
	const char *log_file;
	const char *log_level;   /* lxc's: ERROR, WARN, INFO, DEBUG */
	bool cgroup2_memory;     /* the memory controller is on cgroup2 */
	const char *console;     /* pty slave bound at /dev/console, or NULL */
	char *const *site_includes; /* lxc.include files from the config file */
	const char *rootfs_upper; /* the overlay's upper dir, or NULL: in place */
};

/* The view for the default template; its keys are documented there. */
int template_view (const lxcshim_spec_t *spec, const struct template_paths *paths, json_object **out,
                   lxcshim_error_t *err);

/* config.env: the environment as a JSON array of "K=V" strings. */
char *template_env_json (char *const *env);

#endif
