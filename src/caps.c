/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <sys/capability.h>

#include "caps.h"
#include "error.h"
#include "util.h"

/* Docker's default set (daemon/execdriver, native template). */
static const char *const default_caps[] = {
	"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid",
	"setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write",
};

static int
cap_value (const char *name, cap_value_t *out)
{
	_cleanup_free_ char *full = NULL;
	char *canonical;
	bool exact;

	if (strncasecmp (name, "cap_", 4) == 0)
		name += 4;
	full = xasprintf ("cap_%s", name);
	for (char *p = full; *p; p++)
		*p = tolower ((unsigned char) *p);
	if (cap_from_name (full, out) < 0)
		return -1;
	/* cap_from_name() stops at the first odd character ("net_admin2"
	 * would be net_admin): insist on the whole name. */
	canonical = cap_to_name (*out);
	exact = canonical && streq (canonical, full);
	cap_free (canonical);
	return exact ? 0 : -1;
}

int
caps_check_name (const char *name, lxcshim_error_t *err)
{
	cap_value_t v;

	if (name && strcasecmp (name, "ALL") == 0)
		return 0;
	if (name == NULL || cap_value (name, &v) < 0 || v > cap_max_bits () - 1) {
		_cleanup_free_ char *q = escape_for_message (name);
		return lxcshim_fail (err, EINVAL, "unknown capability \"%s\": expected a name like NET_ADMIN, or ALL", q);
	}
	return 0;
}

static bool
has_all (char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcasecmp (v[i], "ALL") == 0)
			return true;
	return false;
}

int
caps_compute_keep (char *const *add, char *const *drop, char ***out, lxcshim_error_t *err)
{
	unsigned max = cap_max_bits ();
	_cleanup_free_ bool *keep = xzalloc (max * sizeof (bool));
	cap_value_t v;

	if (has_all (add)) {
		for (unsigned i = 0; i < max; i++)
			keep[i] = true;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE (default_caps); i++)
			if (cap_value (default_caps[i], &v) == 0 && (unsigned) v < max)
				keep[v] = true;
	}
	if (has_all (drop))
		memset (keep, 0, max * sizeof (bool));
	for (size_t i = 0; drop && drop[i]; i++) {
		if (strcasecmp (drop[i], "ALL") == 0)
			continue;
		if (caps_check_name (drop[i], err) < 0)
			return -1;
		cap_value (drop[i], &v);
		keep[v] = false;
	}
	/* Explicit adds win over "drop ALL", as in Docker's TweakCapabilities. */
	for (size_t i = 0; add && add[i]; i++) {
		if (strcasecmp (add[i], "ALL") == 0)
			continue;
		if (caps_check_name (add[i], err) < 0)
			return -1;
		cap_value (add[i], &v);
		/* Said, not silently dropped: see below. */
		if (v == CAP_SYS_BOOT)
			return lxcshim_fail (err, EINVAL,
			                     "--cap-add %s needs --privileged: with CAP_SYS_BOOT a reboot() inside would "
			                     "make lxc-start restart the container behind lxcshim's back",
			                     add[i]);
		keep[v] = true;
	}
	keep[CAP_SYS_BOOT] = false;

	*out = xzalloc (sizeof (char *));
	for (unsigned i = 0; i < max; i++) {
		char *name;
		if (!keep[i])
			continue;
		name = cap_to_name (i);
		if (name == NULL)
			oom ();
		strv_append (out, strncmp (name, "cap_", 4) == 0 ? name + 4 : name);
		cap_free (name);
	}
	return 0;
}
