#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: an OOM kill is reported as 137 with "oom_killed": true, and
# nothing else is mistaken for one.
. "${TESTS_LIB:?}"

# `tail /dev/zero` keeps the last lines of a file with no newline: it
# buffers without end.  sh -c execs it, so it is the workload itself.
n=$(new_name)
lx run --name "$n" -m 32m -- sh -c 'tail /dev/zero' > /dev/null 2> "$TMPD/err"
rc=$?
is "$rc" 137 "an OOM-killed workload -> 137"
is "$(state_get "$n" oom_killed)" true "state.json oom_killed true after an OOM kill"
is "$(state_get "$n" exit_code)" 137 "state.json exit_code 137 after an OOM kill"
is "$(state_get "$n" status)" stopped "state.json status stopped after an OOM kill"
assert_no_leftovers "$n" keep-dir "no cgroup left after an OOM kill"

n=$(new_name)
lx run --rm --name "$n" -m 32m -- sh -c 'tail /dev/zero' > /dev/null 2>&1
is "$?" 137 "an OOM-killed workload with --rm -> 137"
assert_no_leftovers "$n" "" "nothing left after an OOM kill with --rm"

# A helper process OOM-killed while the workload survives: the workload's
# own status counts.
n=$(new_name)
out=$(lx run --name "$n" -m 32m -- sh -c 'x=$(tail /dev/zero); echo survived; exit 3' 2> /dev/null)
rc=$?
is "$rc:$out" "3:survived" "a workload whose child was OOM-killed exits with its own status"
# Docker would say OOMKilled here (any OOM in the cgroup); the SPEC only
# speaks of the workload, so this is not asserted either way.
diag "oom_killed after a child's OOM kill: $(state_get "$n" oom_killed)"

# The verdict is made while the cgroup is still there: after EXIT the init
# waits for the supervisor's DONE.  A supervisor held (SIGSTOP) across the
# kill finds it counted however late it looks; before, the init went at
# once and LXC removed the cgroup, and a late look read no kill.
n=$(new_name)
bg_start "$n" -m 32m -- sh -c "$WAIT_GO; exec tail /dev/zero"
ok "a hog waiting to start runs" bg_wait_running
init=$(state_get "$n" init_process_pid)
kill -STOP "$BG_PID"
bg_release
i=0
while [ -n "$(cat "/proc/$init/task/$init/children" 2>/dev/null)" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(cat "/proc/$init/task/$init/children" 2>&1)" "" "the workload was OOM-killed and reaped while the supervisor was stopped"
# What LXC would have done meanwhile (the init gone, its cgroups removed).
i=0
while kill -0 "$init" 2>/dev/null && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "the init waits for the verdict (it lives 3 s after its workload's end)" kill -0 "$init"
kill -CONT "$BG_PID"
bg_wait
is "$BG_RC" 137 "a late supervisor: 137"
is "$(state_get "$n" oom_killed)" true "a late supervisor: oom_killed true"
assert_no_leftovers "$n" keep-dir "nothing left after a late verdict"

# ---- no false OOM ------------------------------------------------------------
# oom_check N WANT_RC CMD: N runs under -m 32m, each must exit WANT_RC with
# "oom_killed": false.
oom_check() {
	_runs=$1
	_want=$2
	_cmd=$3
	_bad=
	_i=0
	while [ "$_i" -lt "$_runs" ]; do
		_i=$((_i + 1))
		_n=$(new_name)
		lx run --name "$_n" -m 32m -- sh -c "$_cmd" > /dev/null 2>&1
		_rc=$?
		_oom=$(state_get "$_n" oom_killed)
		if [ "$_rc:$_oom" != "$_want:false" ]; then
			_bad="$_bad run $_i ($_n): status $_rc oom_killed '$_oom';"
		fi
		rm -rf "${ROOT:?}/containers/$_n"
	done
	if [ -z "$_bad" ]; then
		pass "$_runs runs of sh -c '$_cmd' under -m 32m: status $_want, oom_killed false"
	else
		fail "$_runs runs of sh -c '$_cmd' under -m 32m: status $_want, oom_killed false" "$_bad"
	fi
}
oom_check 20 0 'true'
oom_check 10 137 'exit 137'
oom_check 5 137 'kill -9 $$'
oom_check 3 0 'head -c 20000000 /dev/zero | tr "\0" a > /dev/null'

# kill -9 while under a memory limit, kept for a look at state.json
n=$(new_name)
lx run --name "$n" -m 32m -- sh -c 'kill -9 $$' > /dev/null 2>&1
is "$?" 137 "kill -9 \$\$ under -m 32m -> 137"
is "$(state_get "$n" oom_killed)" false "kill -9 \$\$ under -m 32m: oom_killed false"

# lxc-stop -k under a memory limit is not an OOM either
n=$(new_name)
bg_start "$n" -m 32m -- sleep 100
if bg_wait_running; then
	pass "background container $n is running"
	lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
else
	fail "background container $n is running" "stderr: $(cat "$TMPD/$n.err")"
fi
bg_wait
is "$BG_RC" 137 "lxc-stop -k under -m 32m -> 137"
is "$(state_get "$n" oom_killed)" false "lxc-stop -k under -m 32m: oom_killed false"

exit 0
