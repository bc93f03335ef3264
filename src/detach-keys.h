/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker's detach keys: a spec such as "ctrl-p,ctrl-q" (the default) and
 * a streaming matcher for the attach client's stdin.  The matcher holds
 * back bytes that may be the start of the sequence and releases them as
 * soon as the sequence breaks, so that typing ^P alone still reaches the
 * workload (one key late). */
#ifndef LXCSHIM_DETACH_KEYS_H
#define LXCSHIM_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "lxcshim.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX 16

struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;     /* >= 1 once parsed */
	size_t matched; /* bytes of seq seen (and held back) so far */
};

/* Parses SPEC (NULL or "": the default): comma-separated keys, each a
 * single character or ctrl-<a-z|@|[|\|]|^|_>, as docker has them.  A bad
 * spec is EINVAL naming the key. */
int detach_keys_parse (const char *spec, struct detach_keys *k, lxcshim_error_t *err);

/* Feeds IN[0..N) through the matcher.  What is not (or no longer) a
 * possible start of the sequence is copied to OUT, which must have room
 * for N + DETACH_KEYS_MAX bytes; returns the number of bytes written.
 * *HIT is set when the whole sequence was seen: what followed it in IN is
 * dropped (the client detaches). */
size_t detach_keys_feed (struct detach_keys *k, const void *in, size_t n, void *out, bool *hit);

/* Releases the held-back bytes (stdin ended: they were typed, not a
 * sequence) into OUT (room for DETACH_KEYS_MAX); returns their number. */
size_t detach_keys_flush (struct detach_keys *k, void *out);

#endif
