/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the cmocka unit tests: include after <cmocka.h>. */
#ifndef LXCSHIM_TEST_CHECK_H
#define LXCSHIM_TEST_CHECK_H

#include <string.h>

#include "lxcshim.h"

/* cmocka passes a state pointer most tests do not need. */
#define UNUSED __attribute__ ((unused))

/* rc must be -1 with *err set to STATUS and a message containing NEEDLE. */
static inline void
check_error (int rc, lxcshim_error_t *err, int status, const char *needle)
{
	if (rc != -1)
		fail_msg ("expected -1, got %d", rc);
	assert_non_null (*err);
	assert_non_null ((*err)->msg);
	if ((*err)->status != status)
		fail_msg ("error status %d, expected %d (%s)", (*err)->status, status, (*err)->msg);
	if (needle && strstr ((*err)->msg, needle) == NULL)
		fail_msg ("error message \"%s\" does not contain \"%s\"", (*err)->msg, needle);
	lxcshim_error_release (err);
	assert_null (*err);
}

static inline void
check_ok (int rc, lxcshim_error_t *err)
{
	if (rc != 0)
		fail_msg ("expected 0, got %d: %s", rc, *err ? (*err)->msg : "(no error set)");
	assert_null (*err);
}

#endif
