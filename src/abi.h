/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public structs that can grow (see lxcshim.h): each begins with the
 * size the caller compiled it with, and the library reads and writes only
 * that much, as the kernel does for clone3 and openat2. */
#ifndef LXCSHIM_ABI_H
#define LXCSHIM_ABI_H

#include <stddef.h>

#include "lxcshim.h"

/* The first (ABI 0) sizes: the smallest a caller may pass. */
#define ABI_SIZE0(type, last) (offsetof (type, last) + sizeof (((type *) 0)->last))

/* Copies the caller's struct SRC over DST, which holds the library's
 * defaults, DST_SIZE bytes: the fields past the caller's size keep them;
 * DST's size becomes DST_SIZE.  WHAT names the struct for the message. */
int abi_struct_in (void *dst, size_t dst_size, const void *src, size_t min_size, const char *what,
                   lxcshim_error_t *err);

/* The caller's struct DST that the library will fill: its size must be
 * at least MIN_SIZE. */
int abi_struct_out_check (const void *dst, size_t min_size, const char *what, lxcshim_error_t *err);

/* Fills the caller's DST (checked) from the library's SRC: as many bytes
 * as DST's size covers, zeros past SRC_SIZE; DST's size is kept. */
void abi_struct_out (void *dst, const void *src, size_t src_size);

#endif
