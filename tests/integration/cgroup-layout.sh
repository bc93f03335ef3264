#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroup layer on this host's layout (v1 hybrid or pure cgroup2):
# limits land in the right file, --cpu-shares maps onto cpu.weight,
# --memory-swap means memory+swap, exec joins the payload cgroup, stats
# and the default device allow-list hold.  Each check asks for the file
# of the layout the host has.
. "${TESTS_LIB:?}"

if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	V2=1
	diag "pure cgroup2 host"
else
	V2=
	diag "cgroup v1 (hybrid) host"
fi

# cg NAME CONTROLLER FILE: FILE of NAME's cgroup holding CONTROLLER.
cg() {
	if [ -n "$V2" ]; then
		_d=$(state_get "$1" cgroup_paths.unified)
	else
		_d=$(state_get "$1" "cgroup_paths.$2")
	fi
	if [ -r "$_d/$3" ]; then cat "$_d/$3"; else echo "<cannot read $_d/$3>"; fi
}

n=$(new_name)
bg_start "$n" -m 64m --memory-swap 96m --cpu-shares 512 --cpus 0.5 --pids-limit 40 -- sh -c "$WAIT_GO"
if bg_wait_running; then
	pass "a container with limits is running"
else
	fail "a container with limits is running" "stderr: $(cat "$TMPD/$n.err")"
fi
if [ -n "$V2" ]; then
	is "$(cg "$n" memory memory.max)" 67108864 "-m 64m: memory.max"
	# Docker's meaning: memory+swap 96m, so swap alone is 32m.
	is "$(cg "$n" memory memory.swap.max)" 33554432 "--memory-swap 96m: memory.swap.max is the swap alone (32m)"
	# runc/crun: weight = 1 + ((shares - 2) * 9999) / 262142
	is "$(cg "$n" cpu cpu.weight)" 20 "--cpu-shares 512: cpu.weight 20"
	is "$(cg "$n" cpu cpu.max)" "50000 100000" "--cpus 0.5: cpu.max"
	is "$(cg "$n" pids pids.max)" 40 "--pids-limit 40: pids.max"
else
	is "$(cg "$n" memory memory.limit_in_bytes)" 67108864 "-m 64m: memory.limit_in_bytes"
	is "$(cg "$n" memory memory.memsw.limit_in_bytes)" 100663296 "--memory-swap 96m: memory.memsw.limit_in_bytes is memory+swap"
	is "$(cg "$n" cpu cpu.shares)" 512 "--cpu-shares 512: cpu.shares"
	is "$(cg "$n" cpu cpu.cfs_quota_us) $(cg "$n" cpu cpu.cfs_period_us)" "50000 100000" "--cpus 0.5: cfs quota and period"
	is "$(cg "$n" pids pids.max)" 40 "--pids-limit 40: pids.max"
fi

# stats answers from the same cgroup.
out=$(lx stats --json "$n")
like "$out" '"limit": 67108864' "stats: memory limit 64m"
like "$out" '"oom_kill": 0' "stats: no OOM kill yet"
like "$out" '"pids": {"current": [1-9][0-9]*, "limit": 40}' "stats: pids current and limit 40"

# exec joins the payload cgroup (on v2 LXC puts it in a leaf below it).
lx exec "$n" sleep 30 > /dev/null 2>&1 &
epid=$!
record_pid "$epid"
sp=
i=0
while [ -z "$sp" ] && [ $i -lt 200 ]; do
	sp=$(pgrep -f -x "sleep 30" | while read -r p; do grep -q "lxc\.payload\.$n" "/proc/$p/cgroup" 2>/dev/null && echo "$p"; done | head -n 1)
	[ -n "$sp" ] || sleep 0.05
	i=$((i + 1))
done
if [ -n "$sp" ]; then
	if [ -n "$V2" ]; then
		like "$(cat "/proc/$sp/cgroup")" "^0::.*/lxc\.payload\.$n(/|$)" "exec's process is in the payload cgroup2 (or a leaf below it)"
	else
		like "$(grep ':memory:' "/proc/$sp/cgroup")" "lxc\.payload\.$n\$" "exec's process is in the payload memory cgroup"
	fi
	ps_out=$(lx ps "$n")
	like "$ps_out" "sleep 30" "ps lists the exec'd process"
	kill "$sp" 2> /dev/null
else
	fail "exec's process is in the payload cgroup" "no 'sleep 30' in lxc.payload.$n found"
	skip "ps lists the exec'd process" "no exec'd process"
fi
wait "$epid" 2> /dev/null
bg_release
bg_wait
is "$BG_RC" 0 "the container with limits exits 0"
assert_no_leftovers "$n" keep-dir "its cgroups are gone"

# ---- devices: the default allow-list (v1 devices cgroup / v2 eBPF) ----------
n=$(new_name)
out=$(lx run --rm --name "$n" -- sh -c '
	echo x > /dev/null && echo null-ok
	head -c 1 /dev/zero | wc -c
	mknod /tmp/sda b 8 0 && echo mknod-ok
	head -c 1 /tmp/sda > /dev/null' 2>&1)
like "$out" "null-ok" "devices: /dev/null is writable"
like "$out" "^1\$" "devices: /dev/zero is readable"
# CAP_MKNOD is kept (Docker's default), so the node is made; the device
# program, not a missing file, is what refuses it.
like "$out" "mknod-ok" "devices: mknod of a disk node (8:0) may succeed"
like "$out" "sda.*Operation not permitted" "devices: reading the disk node is refused (EPERM)"

exit 0
