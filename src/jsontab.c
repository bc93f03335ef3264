/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "jsontab.h"
#include "util.h"

#define FIELD(obj, f, type) ((type *) (void *) ((char *) (obj) + (f)->offset))

char *
jsontab_to_json (const struct jsontab_field *t, size_t n, const void *obj)
{
	json_object *o = json_object_new_object ();
	char *text;

	for (size_t i = 0; i < n; i++) {
		const struct jsontab_field *f = &t[i];
		json_object *v = NULL;

		switch (f->type) {
		case JSONTAB_STRING:
			if (*FIELD (obj, f, char *))
				v = json_object_new_string (*FIELD (obj, f, char *));
			break;
		case JSONTAB_STRV: {
			char **sv = *FIELD (obj, f, char **);
			if (sv == NULL)
				break;
			v = json_object_new_array ();
			for (size_t j = 0; sv[j]; j++)
				json_object_array_add (v, json_object_new_string (sv[j]));
			break;
		}
		case JSONTAB_BOOL:
			v = json_object_new_boolean (*FIELD (obj, f, bool));
			break;
		case JSONTAB_INT:
			v = json_object_new_int64 (*FIELD (obj, f, int));
			break;
		case JSONTAB_UINT:
			v = json_object_new_int64 (*FIELD (obj, f, unsigned));
			break;
		}
		if (v)
			json_object_object_add (o, f->key, v);
	}
	text = xstrdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put (o);
	return text;
}

static int
field_from_json (const struct jsontab_field *f, json_object *v, void *obj)
{
	switch (f->type) {
	case JSONTAB_STRING:
		if (!json_object_is_type (v, json_type_string))
			return -1;
		*FIELD (obj, f, char *) = xstrdup (json_object_get_string (v));
		return 0;
	case JSONTAB_STRV: {
		struct strvb b = { 0 };
		if (!json_object_is_type (v, json_type_array))
			return -1;
		for (size_t j = 0; j < json_object_array_length (v); j++) {
			json_object *e = json_object_array_get_idx (v, j);
			if (!json_object_is_type (e, json_type_string)) {
				strvb_free (&b);
				return -1;
			}
			strvb_push (&b, xstrdup (json_object_get_string (e)));
		}
		*FIELD (obj, f, char **) = strvb_steal (&b);
		return 0;
	}
	case JSONTAB_BOOL:
		if (!json_object_is_type (v, json_type_boolean))
			return -1;
		*FIELD (obj, f, bool) = json_object_get_boolean (v);
		return 0;
	case JSONTAB_INT: {
		int64_t x = json_object_get_int64 (v);
		if (!json_object_is_type (v, json_type_int) || x < INT_MIN || x > INT_MAX)
			return -1;
		*FIELD (obj, f, int) = (int) x;
		return 0;
	}
	case JSONTAB_UINT: {
		int64_t x = json_object_get_int64 (v);
		if (!json_object_is_type (v, json_type_int) || x < 0 || x > UINT_MAX)
			return -1;
		*FIELD (obj, f, unsigned) = (unsigned) x;
		return 0;
	}
	}
	return -1;
}

int
jsontab_from_json (const struct jsontab_field *t, size_t n, const char *text, void *obj, const char *what,
                   lxcshim_error_t *err)
{
	json_object *o = json_tokener_parse (text);
	int ret = 0;

	if (o == NULL || !json_object_is_type (o, json_type_object)) {
		json_object_put (o);
		return lxcshim_fail (err, EINVAL, "malformed %s", what);
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		json_object *v;

		if (!json_object_object_get_ex (o, t[i].key, &v) || json_object_is_type (v, json_type_null)) {
			if (t[i].required)
				ret = lxcshim_fail (err, EINVAL, "malformed %s: \"%s\" is missing", what, t[i].key);
			continue;
		}
		if (field_from_json (&t[i], v, obj) < 0)
			ret = lxcshim_fail (err, EINVAL, "malformed %s: \"%s\" has the wrong type", what, t[i].key);
	}
	json_object_put (o);
	return ret;
}

void
jsontab_release (const struct jsontab_field *t, size_t n, void *obj)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].type == JSONTAB_STRING) {
			free (*FIELD (obj, &t[i], char *));
			*FIELD (obj, &t[i], char *) = NULL;
		} else if (t[i].type == JSONTAB_STRV) {
			strv_free (*FIELD (obj, &t[i], char **));
			*FIELD (obj, &t[i], char **) = NULL;
		}
	}
}
