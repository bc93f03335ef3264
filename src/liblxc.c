/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "liblxc.h"
#include "util.h"

/* Written once under pthread_once, read-only after: the process's one
 * handle on liblxc (dlopen counts references anyway). */
static struct {
	struct lxc_container *(*container_new) (const char *, const char *);
	int (*container_put) (struct lxc_container *);
	const char *(*get_version) (void);
	const char *(*get_global_config_item) (const char *);
	int (*log_init) (struct lxc_log *);
	char why[256];
} lxc;
static pthread_once_t lxc_once = PTHREAD_ONCE_INIT;

static void
load (void)
{
	/* Never closed: liblxc keeps process-wide state of its own. */
	void *h = dlopen (LIBLXC_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (h == NULL) {
		e = dlerror ();
		snprintf (lxc.why, sizeof lxc.why, "cannot load %s: %s", LIBLXC_SONAME, e ? e : "unknown error");
		return;
	}
	*(void **) &lxc.container_new = dlsym (h, "lxc_container_new");
	*(void **) &lxc.container_put = dlsym (h, "lxc_container_put");
	*(void **) &lxc.get_version = dlsym (h, "lxc_get_version");
	*(void **) &lxc.get_global_config_item = dlsym (h, "lxc_get_global_config_item");
	*(void **) &lxc.log_init = dlsym (h, "lxc_log_init");
	if (!lxc.container_new || !lxc.container_put || !lxc.get_version || !lxc.get_global_config_item ||
	    !lxc.log_init) {
		snprintf (lxc.why, sizeof lxc.why, "%s lacks the API lxcshim was built for", LIBLXC_SONAME);
		lxc.container_new = NULL;
	}
}

static bool
loaded (void)
{
	pthread_once (&lxc_once, load);
	return lxc.container_new != NULL;
}

struct lxc_container *
liblxc_container_new (const char *name, const char *lxcpath, lxcshim_error_t *err)
{
	struct lxc_container *c;

	if (!loaded ()) {
		lxcshim_fail (err, ELIBACC, "%s", lxc.why);
		return NULL;
	}
	c = lxc.container_new (name, lxcpath);
	if (c == NULL)
		lxcshim_fail (err, EIO, "liblxc cannot open container %s under %s", name, lxcpath);
	return c;
}

void
liblxc_container_put (struct lxc_container *c)
{
	if (c && loaded ())
		lxc.container_put (c);
}

const char *
liblxc_version (void)
{
	return loaded () ? lxc.get_version () : "unknown";
}

const char *
liblxc_global_config_item (const char *key)
{
	return loaded () ? lxc.get_global_config_item (key) : NULL;
}

int
liblxc_log_init (struct lxc_log *log)
{
	return loaded () ? lxc.log_init (log) : -1;
}
