#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The two ways a container is started (lxcshim.conf's lxc-start): by
# default the single-threaded supervisor forks the monitor and it calls
# liblxc's start() (comm lxcshim-monitor); "lxc-start = exec" executes
# lxc-start.  Both give the same container, as the same lxc-start argv
# (--dry-run) describes, and the stock lxc-* tools work on both.
. "${TESTS_LIB:?}"

EXEC_CONF=$TMPD/exec.conf
echo 'lxc-start = exec' > "$EXEC_CONF"
AUTO_CONF=$TMPD/auto.conf
echo 'lxc-start = auto' > "$AUTO_CONF"

# monitor_comm NAME: the comm of the init's parent.
monitor_comm() {
	_mc_init=$(state_get "$1" init_process_pid)
	_mc_mon=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$_mc_init/stat" 2> /dev/null)
	cat "/proc/$_mc_mon/comm" 2> /dev/null
}

# What the workload sees of its container, the same either way.
PROBE='grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status; hostname; readlink /proc/1/exe; cat /proc/1/cmdline | tr "\0" " "; echo; ls /; ls /proc/self/ns | wc -l; grep -c . /proc/self/mountinfo'

for mode in auto exec; do
	conf=$AUTO_CONF want=lxcshim-monitor
	[ "$mode" = exec ] && conf=$EXEC_CONF want=lxc-start
	n=$(new_name)
	xrun 0 "$mode: run -d" lx --config "$conf" run -d --name "$n" -- sleep 1000
	is "$(monitor_comm "$n")" "$want" "$mode: the init's parent is $want"
	is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" RUNNING "$mode: lxc-info sees it running"
	xrun 0 "$mode: lxc-attach works in it" lxc-attach -n "$n" -P "$LXCPATH" -- /bin/true
	xrun 4 "$mode: exec gives the command's status" lx exec "$n" -- sh -c 'exit 4'
	xrun 0 "$mode: delete -f" lx delete -f "$n"
	assert_no_leftovers "$n"

	n=$(new_name)
	lx --config "$conf" run --rm --name "$n" --hostname probe -- sh -c "$PROBE" > "$TMPD/probe.$mode" 2> "$TMPD/err"
	is "$?" 0 "$mode: the probe ran"
	assert_no_leftovers "$n"
	xrun 3 "$mode: run --rm gives exit 3" lx --config "$conf" run --rm -- sh -c 'exit 3'
	xrun 127 "$mode: a missing command gives 127" lx --config "$conf" run --rm -- /no/such
	n=$(new_name)
	xrun 137 "$mode: a kill -9 of the workload gives 137" lx --config "$conf" run --name "$n" -- sh -c 'kill -9 $$'
	xrun 0 "$mode: delete" lx delete "$n"
done
if cmp -s "$TMPD/probe.auto" "$TMPD/probe.exec"; then
	pass "the workload sees the same container either way"
else
	fail "the workload sees the same container either way" "$(diff "$TMPD/probe.auto" "$TMPD/probe.exec")"
fi
ok "the probe saw the init" grep -q '^/.lxcshim-init' "$TMPD/probe.auto"

# A config error: the same one-line reason either way (LXC's log, read
# back by the supervisor).
INC=$TMPD/bad.inc
echo 'lxc.no.such.key = 1' > "$INC"
for mode in auto exec; do
	conf=$AUTO_CONF
	[ "$mode" = exec ] && conf=$EXEC_CONF
	n=$(new_name)
	xrun 125 "$mode: an include with an unknown key fails the start" lx --config "$conf" run --name "$n" --lxc-include "$INC" -- true
	ok "$mode: its reason is LXC's" grep -q 'lxc\.no\.such\.key' "$TMPD/err"
	is "$(wc -l < "$TMPD/err")" 1 "$mode: one line"
	assert_no_leftovers "$n"
done

# A bad value: one line, 125, nothing made.
echo 'lxc-start = fork' > "$TMPD/bad.conf"
n=$(new_name)
xrun 125 "lxc-start = fork is refused" lx --config "$TMPD/bad.conf" run --name "$n" -- true
ok "the message names the key and the line" grep -q 'bad.conf:1: lxc-start must be auto or exec, not "fork"' "$TMPD/err"
is "$(wc -l < "$TMPD/err")" 1 "one line"
assert_no_leftovers "$n"

# The default (no config) is auto.
n=$(new_name)
xrun 0 "run -d with no config" lx --config "" run -d --name "$n" -- sleep 1000
is "$(monitor_comm "$n")" lxcshim-monitor "no config: the forked monitor"
xrun 0 "delete -f" lx delete -f "$n"

# The dry run prints the same lxc-start command in both modes.
lx --config "$AUTO_CONF" run --dry-run --name same -- true | sed '1,/^## argv$/d' > "$TMPD/argv.auto"
lx --config "$EXEC_CONF" run --dry-run --name same -- true | sed '1,/^## argv$/d' > "$TMPD/argv.exec"
ok "--dry-run prints an lxc-start argv" grep -q '/lxc-start -n same -f ' "$TMPD/argv.auto"
ok "the same argv in both modes" cmp -s "$TMPD/argv.auto" "$TMPD/argv.exec"
