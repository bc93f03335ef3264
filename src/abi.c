/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "abi.h"
#include "error.h"

static size_t
size_of (const void *p)
{
	size_t n;

	memcpy (&n, p, sizeof n);
	return n;
}

int
abi_struct_in (void *dst, size_t dst_size, const void *src, size_t min_size, const char *what, lxcshim_error_t *err)
{
	size_t n = size_of (src);

	if (n < min_size)
		return lxcshim_fail (err, EINVAL, "struct %s: size %zu is too small (at least %zu): initialize it with its _INIT macro",
		                     what, n, min_size);
	/* A newer caller's fields that this library does not know must be
	 * unset: ignoring a setting would be a silent lie. */
	for (size_t i = dst_size; i < n; i++)
		if (((const unsigned char *) src)[i] != 0)
			return lxcshim_fail (err, E2BIG, "struct %s: it sets fields this library (%s) does not know", what,
			                     PACKAGE_VERSION);
	memcpy (dst, src, n < dst_size ? n : dst_size);
	memcpy (dst, &dst_size, sizeof dst_size);
	return 0;
}

int
abi_struct_out_check (const void *dst, size_t min_size, const char *what, lxcshim_error_t *err)
{
	size_t n = size_of (dst);

	if (n < min_size)
		return lxcshim_fail (err, EINVAL, "struct %s: size %zu is too small (at least %zu): initialize it with its _INIT macro",
		                     what, n, min_size);
	return 0;
}

void
abi_struct_out (void *dst, const void *src, size_t src_size)
{
	size_t n = size_of (dst);

	memcpy ((char *) dst + sizeof n, (const char *) src + sizeof n, (n < src_size ? n : src_size) - sizeof n);
	if (n > src_size)
		memset ((char *) dst + src_size, 0, n - src_size);
}
