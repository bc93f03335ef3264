/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "check.h"

#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsontab.h"
#include "util.h"

struct thing {
	char *name, *absent;
	char **list, **empty;
	bool flag;
	int neg;
	unsigned big;
};

static const struct jsontab_field table[] = {
	JSONTAB_FIELD (struct thing, name, JSONTAB_STRING, true),
	JSONTAB_FIELD (struct thing, absent, JSONTAB_STRING, false),
	JSONTAB_FIELD (struct thing, list, JSONTAB_STRV, true),
	JSONTAB_FIELD (struct thing, empty, JSONTAB_STRV, false),
	JSONTAB_FIELD (struct thing, flag, JSONTAB_BOOL, false),
	JSONTAB_FIELD (struct thing, neg, JSONTAB_INT, false),
	JSONTAB_FIELD (struct thing, big, JSONTAB_UINT, false),
};
#define N ARRAY_SIZE (table)

static void
test_round_trip (void **state UNUSED)
{
	char *list[] = { "a", "b \"q\"\n", "", NULL }, *none[] = { NULL };
	struct thing in = { .name = "x/y", .list = list, .empty = none, .flag = true, .neg = -7, .big = 4000000000U };
	struct thing out = { 0 };
	lxcshim_error_t err = NULL;
	char *text = jsontab_to_json (table, N, &in);

	assert_null (strchr (text, '\n'));
	assert_null (strstr (text, "absent")); /* NULL: left out */
	check_ok (jsontab_from_json (table, N, text, &out, "doc", &err), &err);
	assert_string_equal (out.name, "x/y");
	assert_null (out.absent);
	assert_int_equal (strv_length (out.list), 3);
	assert_string_equal (out.list[1], "b \"q\"\n");
	assert_string_equal (out.list[2], "");
	assert_non_null (out.empty);
	assert_null (out.empty[0]);
	assert_true (out.flag);
	assert_int_equal (out.neg, -7);
	assert_true (out.big == 4000000000U);
	jsontab_release (table, N, &out);
	assert_null (out.name);
	assert_null (out.list);
	free (text);
}

static void
test_errors (void **state UNUSED)
{
	struct thing out = { 0 };
	lxcshim_error_t err = NULL;

	check_error (jsontab_from_json (table, N, "[1]", &out, "doc", &err), &err, EINVAL, "malformed doc");
	check_error (jsontab_from_json (table, N, "{\"list\":[]}", &out, "doc", &err), &err, EINVAL, "\"name\" is missing");
	jsontab_release (table, N, &out);
	check_error (jsontab_from_json (table, N, "{\"name\":1,\"list\":[]}", &out, "doc", &err), &err, EINVAL,
	             "\"name\" has the wrong type");
	jsontab_release (table, N, &out);
	check_error (jsontab_from_json (table, N, "{\"name\":\"n\",\"list\":[1]}", &out, "doc", &err), &err, EINVAL,
	             "\"list\" has the wrong type");
	jsontab_release (table, N, &out);
	check_error (jsontab_from_json (table, N, "{\"name\":\"n\",\"list\":[],\"big\":-1}", &out, "doc", &err), &err,
	             EINVAL, "\"big\"");
	jsontab_release (table, N, &out);
	check_error (jsontab_from_json (table, N, "{\"name\":\"n\",\"list\":[],\"neg\":4294967296}", &out, "doc", &err),
	             &err, EINVAL, "\"neg\"");
	jsontab_release (table, N, &out);
	check_error (jsontab_from_json (table, N, "{\"name\":\"n\",\"list\":[],\"flag\":\"yes\"}", &out, "doc", &err),
	             &err, EINVAL, "\"flag\"");
	jsontab_release (table, N, &out);
	/* Optional keys may be missing or null. */
	check_ok (jsontab_from_json (table, N, "{\"name\":\"n\",\"list\":[],\"absent\":null}", &out, "doc", &err), &err);
	assert_null (out.absent);
	assert_false (out.flag);
	jsontab_release (table, N, &out);
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_round_trip),
		cmocka_unit_test (test_errors),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
