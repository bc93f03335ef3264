#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults around the lifecycle commands: concurrent commands on one
# container; a SIGKILLed supervisor (the `lxcshim run` process); a
# SIGKILLed lxc-start, whose cgroups LXC leaks; a delete racing readers.
. "${TESTS_LIB:?}"

lx_status() {
	lx state "$1" 2> /dev/null | sed -n 's/^ *"status": "\(.*\)",$/\1/p'
}

# wait_status NAME STATUS: bounded poll on what `state` reports.
wait_status() {
	_i=0
	while [ "$_i" -lt 500 ]; do
		[ "$(lx_status "$1")" = "$2" ] && return 0
		_i=$((_i + 1))
		sleep 0.01
	done
	return 1
}

# ---- 10 parallel state/pause/resume ---------------------------------------------
n=$(new_name)
if start_bg "$n" -- sleep 1000; then
	pass "the container starts"
else
	fail "the container starts" "$(cat "$TMPD/$n.err")"
fi
bgp=$BGP
i=0
pids=
while [ $i -lt 10 ]; do
	for cmd in state pause resume; do
		(
			lx $cmd "$n" > /dev/null 2> "$TMPD/par.$cmd.$i.err"
			echo $? > "$TMPD/par.$cmd.$i.rc"
		) &
		pids="$pids $!"
	done
	i=$((i + 1))
done
wait $pids
bad=
for f in "$TMPD"/par.*.rc; do
	rc=$(cat "$f")
	case $rc in 0 | 1) ;; *) bad="$bad $f:$rc" ;; esac
done
is "$bad" "" "30 parallel state/pause/resume all exit 0 or 1"
msgs=$(cat "$TMPD"/par.*.err | sort -u)
is "$(printf '%s\n' "$msgs" | grep -Ev "^(lxcshim: container $n is already paused|lxcshim: container $n is not paused|)\$")" "" \
	"no other error message"
ok "state.json is valid JSON after the storm" json_valid "$(state_file "$n")"
ls "$(cdir "$n")" | grep -q '\.tmp' && fail "no temp files left in the container dir" "$(ls "$(cdir "$n")")" ||
	pass "no temp files left in the container dir"
st=$(state_get "$n" status)
lxc=$(lxc-info -n "$n" -P "$LXCPATH" -sH)
case "$st:$lxc" in
running:RUNNING | paused:FROZEN) pass "state.json ($st) agrees with lxc-info ($lxc)" ;;
*) fail "state.json agrees with lxc-info" "state.json: $st, lxc-info: $lxc" ;;
esac
[ "$st" = paused ] && lx resume "$n"
is "$(lx_status "$n")" running "the container runs after the storm"

# ---- the supervisor is SIGKILLed ---------------------------------------------------
kill -KILL "$bgp"
BGP=$bgp
bg_rc
is "$RC" 137 "the supervisor (lxcshim run) died of SIGKILL"
is "$(lx_status "$n")" running "state still says running: the init lives"
ok "lxc-info agrees" lxc_running "$n"
xrun 0 "exec works without a supervisor" lx exec "$n" echo still-here
is "$(cat "$TMPD/out")" still-here "exec output without a supervisor"
xrun 0 "ps works without a supervisor" lx ps "$n"
xrun 0 "pause works without a supervisor" lx pause "$n"
is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" FROZEN "lxc-info says FROZEN"
xrun 0 "resume works without a supervisor" lx resume "$n"
xrun 0 "kill WINCH works without a supervisor" lx kill "$n" WINCH
is "$(lx_status "$n")" running "sleep ignores WINCH: still running"
xrun 0 "stop works without a supervisor" lx stop "$n"
is "$(state_get "$n" status)" stopped "stop recorded stopped itself (state.json)"
is "$(state_get "$n" exit_code)" 143 "stop recorded exit_code 128+TERM itself"
like "$(state_get "$n" finished)" '^[0-9]{4}-' "stop recorded finished itself"
ok "lxc-info no longer lists it as running" sh -c "! lxc-info -n '$n' -P '$LXCPATH' -sH 2>/dev/null | grep -q RUNNING"
xrun 0 "delete works without a supervisor" lx delete "$n"
assert_no_leftovers "$n"

# Supervisor gone, then the workload dies: the truth is found and kept.
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
kill -KILL "$BGP"
bg_rc
xrun 0 "kill KILL without a supervisor" lx kill "$n" KILL
ok "state turns to stopped once the init is gone" wait_status "$n" stopped
is "$(state_get "$n" status)" stopped "the stop is persisted in state.json (nobody else will)"
like "$(lx list)" "^$n +stopped +- " "list says stopped"
xrun 0 "stop of it exits 0" lx stop "$n"
xrun 0 "delete of it exits 0" lx delete "$n"
assert_no_leftovers "$n"

# Supervisor gone while paused: kill KILL must still not hang.
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
lx pause "$n"
kill -KILL "$BGP"
bg_rc
xrun 0 "delete -f of a paused container without a supervisor" lx delete -f "$n"
assert_no_leftovers "$n"

# ---- lxc-start is SIGKILLed --------------------------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
if kill_lxc_start "$n"; then
	pass "lxc-start (the init's parent) SIGKILLed"
	ok "state says stopped" wait_status "$n" stopped
	bg_rc
	is "$RC" 137 "run reports 137"
	is "$(lxc_cgroups "$n")" "" "the supervisor removed the cgroups LXC leaked"
	xrun 0 "delete exits 0" lx delete "$n"
	assert_no_leftovers "$n"
else
	fail "lxc-start (the init's parent) SIGKILLed" "no lxc-start parent found"
fi

# Both the supervisor and lxc-start are SIGKILLed: nobody records anything.
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
sup=$BGP
other=$(new_name)
start_bg "$other" -- sleep 1000 || fail "a bystander container starts"
bystander=$BGP
is "$(state_get "$n" supervisor_pid)" "$sup" "state.json names the run process as supervisor"
kill -KILL "$sup"
wait "$sup" 2> /dev/null
if kill_lxc_start "$n"; then
	ok "state says stopped with neither supervisor nor lxc-start" wait_status "$n" stopped
	is "$(state_get "$n" status)" stopped "the stop is persisted in state.json"
	xrun 0 "delete exits 0" lx delete "$n"
	is "$(lxc_cgroups "$n")" "" "delete removed the leaked cgroups"
	assert_no_leftovers "$n"
	ok "the bystander still runs" lxc_running "$other"
	ok "the bystander's cgroups are intact" test -d "$(cg_path "$other" memory)"
else
	fail "lxc-start SIGKILLed" "no lxc-start parent found"
fi

# ---- delete racing readers ------------------------------------------------------------
pids=
i=0
while [ $i -lt 5 ]; do
	(
		lx state "$other" > /dev/null 2> "$TMPD/race.$i.err"
		echo $? > "$TMPD/race.$i.rc"
	) &
	pids="$pids $!"
	i=$((i + 1))
done
lx delete -f "$other" > "$TMPD/del.out" 2>&1
delrc=$?
wait $pids
is "$delrc" 0 "delete -f racing readers exits 0"
bad=
for i in 0 1 2 3 4; do
	rc=$(cat "$TMPD/race.$i.rc")
	err=$(cat "$TMPD/race.$i.err")
	case "$rc:$err" in
	0: | "1:lxcshim: no such container: $other") ;;
	*) bad="$bad [$rc:$err]" ;;
	esac
done
is "$bad" "" "each racing state either succeeded or said 'no such container'"
BGP=$bystander
bg_rc
assert_no_leftovers "$other"
