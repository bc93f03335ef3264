/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/envjson.c: the init's json-c-free parser of config.env reads back
 * exactly what json-c writes (template.c), and refuses what is not an
 * array of strings, with the reason. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "envjson.h"

static void
roundtrip (const char *const *strs, size_t n, int flags)
{
	json_object *arr = json_object_new_array ();
	char **out = NULL, err[256] = "";
	const char *text;
	size_t got = 99;

	for (size_t i = 0; i < n; i++)
		json_object_array_add (arr, json_object_new_string (strs[i]));
	text = json_object_to_json_string_ext (arr, flags);
	if (envjson_parse (text, strlen (text), &out, &got, err, sizeof err) != 0)
		fail_msg ("parse of %s failed: %s", text, err);
	assert_int_equal (got, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal (out[i], strs[i]);
	assert_null (out[n]);
	envjson_free (out);
	json_object_put (arr);
}

static void
test_roundtrip (void **state UNUSED)
{
	static const char *const strs[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"Q=\"quoted\" and \\back\\slashes\\",
		"CTRL=\x01\x02\x1f\b\f\n\r\t end",
		"UTF8=h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80",
		"SLASH=a/b//c",
		"EMPTY=",
		"KEYONLY",
		"DEL=\x7f",
	};
	roundtrip (strs, sizeof strs / sizeof strs[0], JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	roundtrip (strs, sizeof strs / sizeof strs[0], JSON_C_TO_STRING_PLAIN);
	roundtrip (strs, sizeof strs / sizeof strs[0], JSON_C_TO_STRING_PRETTY);
	roundtrip (strs, 0, JSON_C_TO_STRING_PLAIN);
}

static void
test_escapes (void **state UNUSED)
{
	static const char doc[] = " [ \"A=\\u00e9\\u20AC\\ud83d\\ude00\\/\" ,\"B\" ]\n";
	char **out = NULL, err[256];
	size_t n;

	assert_int_equal (envjson_parse (doc, sizeof doc - 1, &out, &n, err, sizeof err), 0);
	assert_int_equal (n, 2);
	assert_string_equal (out[0], "A=\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/");
	assert_string_equal (out[1], "B");
	envjson_free (out);
}

/* Escapes json-c never writes but a hand-edited file may hold: each
 * decodes to what json-c's own parser makes of it. */
static void
test_like_json_c (void **state UNUSED)
{
	static const char *const docs[] = {
		"[\"\\ud800x\"]", "[\"\\udc00x\"]", "[\"\\ud800\\u0041\"]",
		"[\"\\ud800\\ud83d\\ude00\"]", "[\"x\\udbff\"]", "[\"\\udbff\\udfff\"]",
		"[\"\\u0001\\u007f\\u0080\\u07ff\\u0800\\uffff\"]",
	};

	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		json_object *arr = json_tokener_parse (docs[i]);
		char **out = NULL, err[256] = "";
		size_t n;

		assert_non_null (arr);
		if (envjson_parse (docs[i], strlen (docs[i]), &out, &n, err, sizeof err) != 0)
			fail_msg ("parse of %s failed: %s", docs[i], err);
		assert_int_equal (n, 1);
		assert_string_equal (out[0], json_object_get_string (json_object_array_get_idx (arr, 0)));
		envjson_free (out);
		json_object_put (arr);
	}
}

static void
refused (const char *doc, const char *reason)
{
	char **out = NULL, err[256] = "";
	size_t n;

	if (envjson_parse (doc, strlen (doc), &out, &n, err, sizeof err) != -1)
		fail_msg ("%s was accepted", doc);
	assert_null (out);
	if (strstr (err, reason) == NULL)
		fail_msg ("%s: reason \"%s\", expected \"%s\"", doc, err, reason);
}

static void
test_refused (void **state UNUSED)
{
	refused ("", "unexpected end of file");
	refused ("  \n", "unexpected end of file");
	refused ("null", "not a JSON array");
	refused ("7", "not a JSON array");
	refused ("{\"A\": \"1\"}", "not a JSON array");
	refused ("[", "unexpected end of file");
	refused ("[\"A=1\"", "unexpected end of file");
	refused ("[\"A=1", "unexpected end of file");
	refused ("[\"A=1\\", "unexpected end of file");
	refused ("[\"A=\\u00", "unexpected end of file");
	refused ("[\"A=1\",]", "entry 1 is not a string");
	refused ("[\"A=1\", 7]", "entry 1 is not a string");
	refused ("[null]", "entry 0 is not a string");
	refused ("[\"A=1\" \"B\"]", "expected ',' or ']' after entry 0");
	refused ("[\"A=1\"] x", "trailing data");
	refused ("[\"A=1\"][]", "trailing data");
	refused ("[\"A=\\u0000\"]", "entry 0 contains a NUL byte");
	refused ("[\"B\", \"A=\\x\"]", "invalid escape in entry 1");
	refused ("[\"A=\\u12g4\"]", "invalid \\u escape");
	refused ("[\"A=\n\"]", "entry 0 has a control character");
}

static void
test_raw_nul_byte (void **state UNUSED)
{
	static const char doc[] = "[\"A=1\0B\"]";
	char **out = NULL, err[256];
	size_t n;

	assert_int_equal (envjson_parse (doc, sizeof doc - 1, &out, &n, err, sizeof err), -1);
	assert_non_null (strstr (err, "control character"));
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_roundtrip),
		cmocka_unit_test (test_escapes),
		cmocka_unit_test (test_like_json_c),
		cmocka_unit_test (test_refused),
		cmocka_unit_test (test_raw_nul_byte),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
