#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Inside a container its own cgroup is at /sys/fs/cgroup, read-only,
# through the cgroup namespace (as Docker and podman give it): cgroup2 on
# a pure v2 host, per-controller v1 mounts on a hybrid one.  Runtimes that
# size themselves from their limits read them there.
. "${TESTS_LIB:?}"

if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	limit=/sys/fs/cgroup/memory.max
	pids=/sys/fs/cgroup/pids.max
else
	limit=/sys/fs/cgroup/memory/memory.limit_in_bytes
	pids=/sys/fs/cgroup/pids/pids.max
fi
diag "limit file inside: $limit"

n=$(new_name)
out=$(lx run --rm --name "$n" -m 48m --pids-limit 33 -- sh -c "
	cat $limit; cat $pids
	if touch $limit.x 2> /dev/null || echo 1 > $pids 2> /dev/null; then echo writable; else echo read-only; fi
	grep -c lxc.payload /proc/self/cgroup" 2>&1)
like "$out" "^50331648\$" "inside: the memory limit (48m) is visible at $limit"
like "$out" "^33\$" "inside: the pids limit (33) is visible at $pids"
like "$out" "^read-only\$" "inside: /sys/fs/cgroup is read-only"
# The cgroup namespace: the container's own cgroup is its root.
like "$out" "^0\$" "inside: /proc/self/cgroup does not show the host's lxc.payload path"
assert_no_leftovers "$n" "" "nothing left"

exit 0
