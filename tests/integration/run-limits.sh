#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: resource limits land in the rendered config and in the
# running container's cgroups (read from the host, at the paths that
# state.json gives).
. "${TESTS_LIB:?}"

# cg_read NAME CONTROLLER FILE: the value of FILE in NAME's cgroup of
# CONTROLLER, found through state.json.
cg_read() {
	_dir=$(cg_path "$1" "$2")
	if [ -z "$_dir" ]; then
		echo "<no cgroup_paths.$2 in state.json>"
	elif [ ! -r "$_dir/$3" ]; then
		echo "<cannot read $_dir/$3>"
	else
		cat "$_dir/$3"
	fi
}

# config_value NAME KEY: the value of KEY in NAME's rendered lxc config.
# The value set (the template's reset line, "KEY =", comes first).
config_value() {
	sed -n "s/^$2 *= *\(..*\)\$/\1/p" "$(cdir "$1")/config"
}

n=$(new_name)
bg_start "$n" -m 64m --memory-swap 128m --cpu-shares 512 --cpus 1.5 --cpuset-cpus 0 --pids-limit 50 \
	-- sh -c "$WAIT_GO"
if bg_wait_running; then
	pass "a container with limits is running"
else
	fail "a container with limits is running" "stderr: $(cat "$TMPD/$n.err")"
fi
if cgroup_v2_only; then
	# The same flags in the v2 files (--memory-swap is memory+swap, as on
	# Docker, so swap.max is the difference; cpu.weight is runc's mapping).
	like "$(cg_path "$n" memory)" "^/sys/fs/cgroup/(.*/)?lxc\.payload\.$n(-[0-9]+)?$" "state.json has the unified cgroup path"
	is "$(cg_read "$n" memory memory.max)" 67108864 "-m 64m: memory.max"
	is "$(cg_read "$n" memory memory.swap.max)" 67108864 "--memory-swap 128m: memory.swap.max"
	is "$(cg_read "$n" cpu cpu.weight)" 20 "--cpu-shares 512: cpu.weight"
	is "$(cg_read "$n" cpu cpu.max)" "150000 100000" "--cpus 1.5: cpu.max"
	is "$(cg_read "$n" cpuset cpuset.cpus)" 0 "--cpuset-cpus 0: cpuset.cpus"
	is "$(cg_read "$n" pids pids.max)" 50 "--pids-limit 50: pids.max"
	initpid=$(state_get "$n" init_process_pid)
	like "$(grep '^0::' "/proc/$initpid/cgroup" 2>&1)" "lxc\.payload\.$n" "the init pid is in the payload cgroup"

	is "$(config_value "$n" lxc.cgroup2.memory.max)" 67108864 "config: lxc.cgroup2.memory.max"
	is "$(config_value "$n" lxc.cgroup2.memory.swap.max)" 67108864 "config: lxc.cgroup2.memory.swap.max"
	is "$(config_value "$n" lxc.cgroup2.cpu.weight)" 20 "config: lxc.cgroup2.cpu.weight"
	is "$(config_value "$n" lxc.cgroup2.cpu.max)" "150000 100000" "config: lxc.cgroup2.cpu.max"
	is "$(config_value "$n" lxc.cgroup2.cpuset.cpus)" 0 "config: lxc.cgroup2.cpuset.cpus"
	is "$(config_value "$n" lxc.cgroup2.pids.max)" 50 "config: lxc.cgroup2.pids.max"
else
	like "$(state_get "$n" cgroup_paths.memory)" "^/sys/fs/cgroup/memory/" "state.json has the memory cgroup path"
	is "$(cg_read "$n" memory memory.limit_in_bytes)" 67108864 "-m 64m: memory.limit_in_bytes"
	is "$(cg_read "$n" memory memory.memsw.limit_in_bytes)" 134217728 "--memory-swap 128m: memory.memsw.limit_in_bytes"
	is "$(cg_read "$n" cpu cpu.shares)" 512 "--cpu-shares 512: cpu.shares"
	is "$(cg_read "$n" cpu cpu.cfs_quota_us)" 150000 "--cpus 1.5: cpu.cfs_quota_us"
	is "$(cg_read "$n" cpu cpu.cfs_period_us)" 100000 "--cpus 1.5: cpu.cfs_period_us"
	is "$(cg_read "$n" cpuset cpuset.cpus)" 0 "--cpuset-cpus 0: cpuset.cpus"
	is "$(cg_read "$n" pids pids.max)" 50 "--pids-limit 50: pids.max"
	initpid=$(state_get "$n" init_process_pid)
	like "$(grep ':memory:' "/proc/$initpid/cgroup" 2>&1)" "lxc\.payload\.$n" "the init pid is in the payload memory cgroup"

	# The same values in the rendered config.
	is "$(config_value "$n" lxc.cgroup.memory.limit_in_bytes)" 67108864 "config: lxc.cgroup.memory.limit_in_bytes"
	is "$(config_value "$n" lxc.cgroup.memory.memsw.limit_in_bytes)" 134217728 "config: lxc.cgroup.memory.memsw.limit_in_bytes"
	is "$(config_value "$n" lxc.cgroup.cpu.shares)" 512 "config: lxc.cgroup.cpu.shares"
	is "$(config_value "$n" lxc.cgroup.cpu.cfs_quota_us)" 150000 "config: lxc.cgroup.cpu.cfs_quota_us"
	is "$(config_value "$n" lxc.cgroup.cpu.cfs_period_us)" 100000 "config: lxc.cgroup.cpu.cfs_period_us"
	is "$(config_value "$n" lxc.cgroup.cpuset.cpus)" 0 "config: lxc.cgroup.cpuset.cpus"
	is "$(config_value "$n" lxc.cgroup.pids.max)" 50 "config: lxc.cgroup.pids.max"
fi
bg_release
bg_wait
is "$BG_RC" 0 "the container with limits exits 0"
assert_no_leftovers "$n" keep-dir "its cgroups are gone"

# ---- the limits bite ----------------------------------------------------------
n=$(new_name)
out=$(lx run --rm --name "$n" --pids-limit 5 -- sh -c '
	for i in 1 2 3 4 5 6 7 8; do sleep 5 & echo "started $i"; done; echo all-started' 2> "$TMPD/err")
started=$(printf '%s\n' "$out" | grep -c '^started')
unlike "$out" all-started "--pids-limit 5: the shell cannot start 8 children"
like "$started" '^[1-4]$' "--pids-limit 5: at most 4 children next to the shell (started $started)"
like "$(cat "$TMPD/err")" "fork" "--pids-limit 5: the shell says it cannot fork"
assert_no_leftovers "$n" "" "nothing left after hitting the pids limit"

# ---- size suffixes --------------------------------------------------------------
if cgroup_v2_only; then
	mem_key='lxc\.cgroup2\.memory\.max'
else
	mem_key='lxc\.cgroup\.memory\.limit_in_bytes'
fi
sized() {
	_n=$(new_name)
	lx run --dry-run --name "$_n" "$@" -- true 2>&1 | sed -n "s/^$mem_key *= *\\(..*\\)$/\\1/p"
}
is "$(sized -m 67108864)" 67108864 "-m in bytes"
is "$(sized -m 65536k)" 67108864 "-m 65536k"
is "$(sized -m 64M)" 67108864 "-m 64M (upper case)"
is "$(sized -m 1g)" 1073741824 "-m 1g"
is "$(sized --memory 64m)" 67108864 "--memory 64m"

# ---- no limits: nothing rendered but the resets ("KEY =", after includes) --------
n=$(new_name)
lx run --dry-run --name "$n" -- true > "$TMPD/dry" 2>&1
is "$(grep -cE '^lxc\.cgroup2?\.(memory|cpu|cpuset|pids)\..* = .' "$TMPD/dry")" 0 "no limit flags: no limit in the config"

# ---- --memory-swap -1 ----------------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -m 64m --memory-swap -1 -- true > "$TMPD/out" 2>&1
rc=$?
is "$rc" 0 "--memory-swap -1 (unlimited swap) runs"
[ "$rc" = 0 ] || diag "$(cat "$TMPD/out")"

exit 0
