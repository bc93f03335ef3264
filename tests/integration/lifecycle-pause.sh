#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim pause / resume: liblxc freeze, so that LXC's own tools agree;
# state.json follows; wrong states are refused with a clear message.
. "${TESTS_LIB:?}"

# The status as `lxcshim state` reports it.
lx_status() {
	lx state "$1" | sed -n 's/^ *"status": "\(.*\)",$/\1/p'
}

# The state letter of PID (R, S, D, ...).
proc_state() {
	sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"
}

# init_frozen: the "frozen" value of cgroup.events of the init's v2 cgroup.
init_frozen() {
	_cg=$(sed -n 's/^0:://p' "/proc/$init/cgroup")
	sed -n 's/^frozen //p' "/sys/fs/cgroup$_cg/cgroup.events" 2>&1
}

n=$(new_name)
if ! start_bg "$n" -- sh -c 'echo ready; while :; do sleep 0.05; done'; then
	fail "the container starts" "$(cat "$TMPD/$n.err")"
	exit 1
fi
pass "the container starts"
init=$(state_get "$n" init_process_pid)
freezer=$(state_get "$n" cgroup_paths.freezer)

xrun 0 "pause exits 0" lx pause "$n"
is "$(cat "$TMPD/out")$(cat "$TMPD/err")" "" "pause prints nothing"
is "$(state_get "$n" status)" paused "state.json says paused"
ok "state.json stays valid JSON" json_valid "$(state_file "$n")"
is "$(lx_status "$n")" paused "lxcshim state says paused"
is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" FROZEN "lxc-info says FROZEN"
if cgroup_v2_only; then
	# v2 has no freezer.state: cgroup.events says whether it is frozen.
	is "$(sed -n 's/^frozen //p' "$(cg_path "$n" freezer)/cgroup.events" 2>&1)" 1 \
		"the payload's cgroup.events says frozen 1"
elif [ -n "$freezer" ] && [ -r "$freezer/freezer.state" ]; then
	is "$(cat "$freezer/freezer.state")" FROZEN "the payload's freezer.state is FROZEN"
else
	skip "the payload's freezer.state is FROZEN" "no v1 freezer"
fi
if cgroup_v2_only; then
	# A task frozen by cgroup v2 sleeps (State S, not v1's D): ask the
	# cgroup the init is in.
	is "$(init_frozen)" 1 "the init's own cgroup is frozen"
else
	is "$(proc_state "$init")" D "the init is frozen (State D)"
fi
like "$(lx list)" "^$n +paused +$init " "list says paused"

xrun 1 "pause of a paused container exits 1" lx pause "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is already paused" "already paused: message"
is "$(state_get "$n" status)" paused "a refused pause leaves it paused"

xrun 0 "resume exits 0" lx resume "$n"
is "$(cat "$TMPD/out")$(cat "$TMPD/err")" "" "resume prints nothing"
is "$(state_get "$n" status)" running "state.json says running"
is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" RUNNING "lxc-info says RUNNING"
if cgroup_v2_only; then
	# v2 has no freezer.state: cgroup.events says whether it is frozen.
	is "$(sed -n 's/^frozen //p' "$(cg_path "$n" freezer)/cgroup.events" 2>&1)" 0 \
		"the payload's cgroup.events says frozen 0"
elif [ -n "$freezer" ] && [ -r "$freezer/freezer.state" ]; then
	is "$(cat "$freezer/freezer.state")" THAWED "the payload's freezer.state is THAWED"
else
	skip "the payload's freezer.state is THAWED" "no v1 freezer"
fi
if cgroup_v2_only; then
	is "$(init_frozen)" 0 "the init's own cgroup is no longer frozen"
else
	isnt "$(proc_state "$init")" D "the init is no longer frozen"
fi
xrun 0 "the resumed container runs execs" lx exec "$n" echo alive
is "$(cat "$TMPD/out")" alive "exec output after resume"

xrun 1 "resume of a running container exits 1" lx resume "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is not paused" "not paused: message"

# Several rounds: each one leaves state.json and LXC in agreement.
rounds_ok=true
for i in 1 2 3 4 5; do
	lx pause "$n" && [ "$(state_get "$n" status)" = paused ] &&
		[ "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" = FROZEN ] &&
		lx resume "$n" && [ "$(state_get "$n" status)" = running ] &&
		[ "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" = RUNNING ] || rounds_ok=false
done
ok "five pause/resume rounds agree with lxc-info" $rounds_ok

# A freeze done behind our back (lxc-freeze) is reported as the truth.
lxc-freeze -n "$n" -P "$LXCPATH" --rcfile "$(cdir "$n")/config" > /dev/null 2>&1
if [ "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" = FROZEN ]; then
	is "$(lx_status "$n")" paused "state reports a container frozen by lxc-freeze as paused"
	xrun 0 "resume thaws a container frozen by lxc-freeze" lx resume "$n"
	is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" RUNNING "lxc-info agrees"
else
	skip "lxc-freeze by hand" "lxc-freeze did not freeze"
fi

# ---- errors ---------------------------------------------------------------------
xrun 1 "pause of an unknown container exits 1" lx pause lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "pause unknown: message"
xrun 1 "resume of an unknown container exits 1" lx resume lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "resume unknown: message"
xrun 1 "pause with a malformed id exits 1" lx pause '-bad'
like "$(cat "$TMPD/err")" '^lxcshim: ' "pause malformed id: one message"
xrun 1 "pause without an id exits 1" lx pause
is "$(cat "$TMPD/err")" "lxcshim: usage: lxcshim pause ID" "pause usage"

lx stop -t 0 "$n" > /dev/null
wait "$BGP"
xrun 1 "pause of a stopped container exits 1" lx pause "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is not running" "pause stopped: message"
xrun 1 "resume of a stopped container exits 1" lx resume "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is not running" "resume stopped: message"
is "$(state_get "$n" status)" stopped "a refused pause leaves it stopped"
ok "delete" lx delete "$n"
assert_no_leftovers "$n"
