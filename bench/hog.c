/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hog: allocates and touches memory without end, so that a memory cgroup
 * limit makes the kernel OOM-kill it (bench/run.sh's OOM figure). Static:
 * it runs inside the busybox rootfs. */
#include <stdlib.h>
#include <string.h>

int
main (void)
{
	for (;;) {
		char *p = malloc (1 << 20);
		if (p)
			memset (p, 0x5a, 1 << 20);
	}
}
