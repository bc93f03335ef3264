/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "detach-keys.h"
#include "error.h"
#include "util.h"

/* ctrl-@ is 0, ctrl-a 1 ... ctrl-z 26, then ctrl-[ \ ] ^ _ (27-31),
 * docker's table (case-sensitive, as there). */
static int
ctrl_code (const char *name)
{
	static const char tail[] = "[\\]^_";

	if (strncmp (name, "ctrl-", 5) != 0 || name[5] == '\0' || name[6] != '\0')
		return -1;
	if (name[5] == '@')
		return 0;
	if (name[5] >= 'a' && name[5] <= 'z')
		return name[5] - 'a' + 1;
	if (strchr (tail, name[5]))
		return 27 + (int) (strchr (tail, name[5]) - tail);
	return -1;
}

int
detach_keys_parse (const char *spec, struct detach_keys *k, lxcshim_error_t *err)
{
	const char *p;

	memset (k, 0, sizeof *k);
	if (spec == NULL || *spec == '\0')
		spec = DETACH_KEYS_DEFAULT;
	p = spec;
	for (;;) {
		size_t n = strcspn (p, ",");
		_cleanup_free_ char *key = xstrndup (p, n);
		int code = n == 1 ? (unsigned char) key[0] : ctrl_code (key);

		if (code < 0) {
			_cleanup_free_ char *ekey = escape_for_message (key);
			return lxcshim_fail_value (err, "detach keys", spec,
			                           "unknown key \"%s\": use a single character or ctrl-<a-z|@|[|\\|]|^|_>, comma-separated",
			                           ekey);
		}
		if (k->len == DETACH_KEYS_MAX)
			return lxcshim_fail_value (err, "detach keys", spec, "at most %d keys", DETACH_KEYS_MAX);
		k->seq[k->len++] = (unsigned char) code;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return 0;
}

size_t
detach_keys_feed (struct detach_keys *k, const void *in, size_t n, void *out, bool *hit)
{
	const unsigned char *src = in;
	unsigned char *dst = out;
	size_t o = 0;

	*hit = false;
	for (size_t i = 0; i < n; i++) {
		/* Bytes still to match, oldest first.  Held + pending never
		 * exceeds the sequence's length (a mismatch releases one). */
		unsigned char pending[DETACH_KEYS_MAX + 1];
		size_t np = 0, at = 0;

		pending[np++] = src[i];
		while (at < np) {
			unsigned char b = pending[at++];
			unsigned char again[DETACH_KEYS_MAX + 1];
			size_t na = 0;

			if (b == k->seq[k->matched]) {
				if (++k->matched == k->len) {
					k->matched = 0;
					*hit = true;
					return o;
				}
				continue;
			}
			if (k->matched == 0) {
				dst[o++] = b;
				continue;
			}
			/* The held prefix was not the sequence: its first byte
			 * is released, the rest is tried again from scratch
			 * (it may itself begin the sequence). */
			dst[o++] = k->seq[0];
			memcpy (again, k->seq + 1, k->matched - 1);
			na = k->matched - 1;
			again[na++] = b;
			memcpy (again + na, pending + at, np - at);
			na += np - at;
			k->matched = 0;
			memcpy (pending, again, na);
			np = na;
			at = 0;
		}
	}
	return o;
}

size_t
detach_keys_flush (struct detach_keys *k, void *out)
{
	size_t n = k->matched;

	memcpy (out, k->seq, n);
	k->matched = 0;
	return n;
}
