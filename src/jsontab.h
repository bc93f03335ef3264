/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One table of a struct's fields (JSON key, type, offset) that both
 * directions walk: a struct to a JSON object and back, with no second
 * hand-kept list to fall out of step (supervisor.json, the exec helper's
 * request and reply). */
#ifndef LXCSHIM_JSONTAB_H
#define LXCSHIM_JSONTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "lxcshim.h"

enum jsontab_type {
	JSONTAB_STRING, /* char *, NULL: key left out */
	JSONTAB_STRV,   /* char **, NULL-terminated; NULL: key left out */
	JSONTAB_BOOL,   /* bool */
	JSONTAB_INT,    /* int */
	JSONTAB_UINT,   /* unsigned */
};

struct jsontab_field {
	const char *key;
	enum jsontab_type type;
	size_t offset;
	bool required; /* from_json fails without it (a string or list must be there) */
};

#define JSONTAB_FIELD(st, member, type, required) { #member, type, offsetof (st, member), required }

/* The struct at OBJ as one line of JSON (free it). */
char *jsontab_to_json (const struct jsontab_field *t, size_t n, const void *obj);

/* Fills the struct at OBJ (zeroed by the caller) from TEXT; WHAT names
 * the document in errors.  On failure what was filled is still there for
 * jsontab_release. */
int jsontab_from_json (const struct jsontab_field *t, size_t n, const char *text, void *obj, const char *what,
                       lxcshim_error_t *err);

/* Frees the strings and lists of the struct at OBJ and sets them NULL. */
void jsontab_release (const struct jsontab_field *t, size_t n, void *obj);

#endif
