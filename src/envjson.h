/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LXCSHIM_ENVJSON_H
#define LXCSHIM_ENVJSON_H

#include <stddef.h>

/* Parses config.env, a JSON array of strings (RFC 8259, strict: no
 * trailing commas, comments or bare words; whitespace around), into a
 * NULL-terminated vector of malloc'ed strings.  No json-c: the init
 * parses it with this alone, so that it links against any libc.
 * Returns 0, or -1 with a one-line reason in ERRBUF ("entry 2 is not a
 * string", "entry 0 contains a NUL byte", "unexpected end of file", ...). */
int envjson_parse (const char *data, size_t len, char ***out, size_t *n, char *errbuf, size_t errlen);
void envjson_free (char **v);

#endif
