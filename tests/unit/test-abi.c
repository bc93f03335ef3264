/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/abi.c: growable structs copied in and out by the caller's size. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <errno.h>

#include "abi.h"

/* A library struct (v2) and what an older caller (v1) compiled.  b lies
 * past v1's tail padding, as a new field must (lxcshim.h). */
struct v2 {
	size_t size;
	int a;
	long b; /* new in v2; its default is 7 */
};
struct v1 {
	size_t size;
	int a;
};
#define V2_DEFAULTS { .size = sizeof (struct v2), .a = 0, .b = 7 }

static void
test_in_older_caller (void **state UNUSED)
{
	struct v1 caller;
	struct v2 lib = V2_DEFAULTS;
	lxcshim_error_t err = NULL;

	memset (&caller, 0xff, sizeof caller); /* its tail padding is not v2's b */
	caller = (struct v1) { .size = sizeof caller, .a = 5 };
	check_ok (abi_struct_in (&lib, sizeof lib, &caller, ABI_SIZE0 (struct v2, a), "v", &err), &err);
	assert_int_equal (lib.a, 5);
	assert_int_equal (lib.b, 7); /* not the caller's: the default */
	assert_int_equal (lib.size, sizeof lib);
}

static void
test_in_newer_caller (void **state UNUSED)
{
	struct {
		struct v2 s;
		long c;
	} caller;
	struct v2 lib = V2_DEFAULTS;
	lxcshim_error_t err = NULL;

	memset (&caller, 0, sizeof caller);
	caller.s = (struct v2) { .size = sizeof caller, .a = 1, .b = 2 };
	check_ok (abi_struct_in (&lib, sizeof lib, &caller, ABI_SIZE0 (struct v2, a), "v", &err), &err);
	assert_int_equal (lib.a, 1);
	assert_int_equal (lib.b, 2);
	assert_int_equal (lib.size, sizeof lib);
	/* A field this library does not know, set: refused, not ignored. */
	caller.c = 3;
	check_error (abi_struct_in (&lib, sizeof lib, &caller, ABI_SIZE0 (struct v2, a), "v", &err), &err, E2BIG,
	             "struct v: it sets fields this library");
}

static void
test_in_too_small (void **state UNUSED)
{
	struct v2 caller = { .size = 0 }, lib = V2_DEFAULTS;
	lxcshim_error_t err = NULL;

	check_error (abi_struct_in (&lib, sizeof lib, &caller, ABI_SIZE0 (struct v2, a), "v", &err), &err, EINVAL,
	             "struct v: size 0 is too small");
	caller.size = sizeof (size_t) + 1;
	check_error (abi_struct_in (&lib, sizeof lib, &caller, ABI_SIZE0 (struct v2, a), "v", &err), &err, EINVAL,
	             "too small");
	assert_int_equal (lib.b, 7);
}

static void
test_out (void **state UNUSED)
{
	struct v2 lib = { .size = sizeof lib, .a = 1, .b = 2 };
	struct v1 old = { .size = sizeof old, .a = -1 };
	struct {
		struct v2 s;
		long c;
	} newer;
	lxcshim_error_t err = NULL;

	check_ok (abi_struct_out_check (&old, ABI_SIZE0 (struct v2, a), "v", &err), &err);
	abi_struct_out (&old, &lib, sizeof lib);
	assert_int_equal (old.a, 1);
	assert_int_equal (old.size, sizeof old); /* the caller's size stays */

	memset (&newer, 0xff, sizeof newer);
	newer.s.size = sizeof newer;
	abi_struct_out (&newer, &lib, sizeof lib);
	assert_int_equal (newer.s.a, 1);
	assert_int_equal (newer.s.b, 2);
	assert_int_equal (newer.c, 0); /* unknown to this library: zeroed */
	assert_int_equal (newer.s.size, sizeof newer);

	old.size = 0;
	check_error (abi_struct_out_check (&old, ABI_SIZE0 (struct v2, a), "v", &err), &err, EINVAL, "size 0");
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_in_older_caller),
		cmocka_unit_test (test_in_newer_caller),
		cmocka_unit_test (test_in_too_small),
		cmocka_unit_test (test_out),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
