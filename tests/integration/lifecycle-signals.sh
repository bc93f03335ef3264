#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim kill and stop: signals reach the workload through the init; stop
# escalates to SIGKILL, records the exit before it returns, and works on
# paused containers without hanging.
. "${TESTS_LIB:?}"

# wait_count FILE ERE N: bounded poll until N lines of FILE match.
wait_count() {
	_i=0
	while [ "$_i" -lt 1000 ]; do
		[ "$(grep -Ec -- "$2" "$1" 2> /dev/null)" -ge "$3" ] && return 0
		_i=$((_i + 1))
		sleep 0.01
	done
	return 1
}

TRAPPER='trap "echo got-usr1" USR1; trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'

# ---- kill ---------------------------------------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "container starts" "$(cat "$TMPD/$n.err")"
xrun 0 "kill ID (default TERM) exits 0" lx kill "$n"
bg_rc
is "$RC" 143 "a sleep without handler dies of the forwarded TERM: run exits 143"
is "$(state_get "$n" status)" stopped "state.json says stopped"
is "$(state_get "$n" exit_code)" 143 "state.json exit_code 143"
xrun 1 "kill of a stopped container exits 1" lx kill "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is not running" "kill of a stopped container: message"
lx delete "$n"

n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "container starts" "$(cat "$TMPD/$n.err")"
xrun 0 "kill ID KILL exits 0" lx kill "$n" KILL
bg_rc
is "$RC" 137 "run exits 137 after kill KILL"
is "$(state_get "$n" exit_code)" 137 "state.json exit_code 137"
lx delete "$n"

n=$(new_name)
start_bg "$n" -- sh -c "$TRAPPER" || fail "container starts" "$(cat "$TMPD/$n.err")"
if wait_file_match "$TMPD/$n.out" '^ready$'; then
	xrun 0 "kill ID SIGUSR1 exits 0" lx kill "$n" SIGUSR1
	ok "the workload got USR1 (by name SIGUSR1)" wait_file_match "$TMPD/$n.out" '^got-usr1$'
	xrun 0 "kill ID 10 (a number) exits 0" lx kill "$n" 10
	ok "the workload got USR1 again (by number)" wait_count "$TMPD/$n.out" '^got-usr1$' 2
	is "$(state_get "$n" status)" running "the container still runs after USR1"
	xrun 0 "kill ID term (lower case) exits 0" lx kill "$n" term
	bg_rc
	is "$RC" 3 "the workload's TERM handler decides the status (3)"
	is "$(grep -c '^got-usr1$' "$TMPD/$n.out")" 2 "both USR1 arrived"
else
	fail "trapping workload got ready" "$(cat "$TMPD/$n.err")"
fi
lx delete "$n" > /dev/null 2>&1

xrun 1 "kill with an unknown signal exits 1" lx kill "$n" LXTBOGUS
like "$(cat "$TMPD/err")" '^lxcshim: invalid signal "LXTBOGUS": ' "unknown signal message"
xrun 1 "kill with signal 65 exits 1" lx kill "$n" 65
like "$(cat "$TMPD/err")" '^lxcshim: invalid signal "65"' "out-of-range signal message"
xrun 1 "kill of an unknown container exits 1" lx kill lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "kill of an unknown container: message"
xrun 1 "kill without an id exits 1" lx kill
like "$(cat "$TMPD/err")" '^lxcshim: usage: lxcshim kill ID \[SIGNAL\]$' "kill usage"

# ---- stop -----------------------------------------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "container starts" "$(cat "$TMPD/$n.err")"
xrun 0 "stop ID exits 0" lx stop "$n"
# Read the file right away: stop returns only once the exit is recorded.
is "$(state_get "$n" status)" stopped "after stop returns, state.json already says stopped"
is "$(state_get "$n" exit_code)" 143 "TERM was enough for sleep (143, not 137)"
bg_rc
is "$RC" 143 "run exits 143"
xrun 0 "stop of a stopped container exits 0" lx stop "$n"
is "$(state_get "$n" exit_code)" 143 "stopping again changes nothing"
lx delete "$n"

n=$(new_name)
start_bg "$n" -- sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done' || fail "container starts"
if wait_file_match "$TMPD/$n.out" '^ready$'; then
	xrun 0 "stop -t 1 of a TERM-ignoring workload exits 0" lx stop -t 1 "$n"
	is "$(state_get "$n" exit_code)" 137 "stop escalated to SIGKILL (137)"
	bg_rc
	is "$RC" 137 "run exits 137"
else
	fail "TERM-ignoring workload got ready" "$(cat "$TMPD/$n.err")"
fi
lx delete "$n" > /dev/null 2>&1

n=$(new_name)
start_bg "$n" -- sh -c "$TRAPPER" || fail "container starts"
if wait_file_match "$TMPD/$n.out" '^ready$'; then
	xrun 0 "stop --time 30 of a TERM-handling workload exits 0" lx stop --time 30 "$n"
	is "$(state_get "$n" exit_code)" 3 "stop lets the TERM handler finish (exit 3)"
	bg_rc
	is "$RC" 3 "run exits 3"
else
	fail "trapping workload got ready" "$(cat "$TMPD/$n.err")"
fi
lx delete "$n" > /dev/null 2>&1

n=$(new_name)
start_bg "$n" -- sh -c "$TRAPPER" || fail "container starts"
xrun 0 "stop -t 0 exits 0" lx stop -t 0 "$n"
is "$(state_get "$n" exit_code)" 137 "stop -t 0 kills at once (137)"
bg_rc
is "$RC" 137 "run exits 137"
lx delete "$n"

n=$(new_name)
start_bg "$n" --rm -- sleep 1000 || fail "the --rm container starts"
xrun 0 "stop of a --rm container exits 0" lx stop "$n"
bg_rc
is "$RC" 143 "the --rm container got TERM (run exits 143)"
assert_no_leftovers "$n" "" "stop of a --rm container: --rm removed everything"

xrun 1 "stop of an unknown container exits 1" lx stop lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "stop of an unknown container: message"
xrun 1 "stop -t with a bad value exits 1" lx stop -t soon "$n"
is "$(cat "$TMPD/err")" 'lxcshim: invalid timeout "soon": expected whole seconds, 0-86400' "bad timeout message"
xrun 1 "stop -t -1 exits 1" lx stop -t -1 "$n"
like "$(cat "$TMPD/err")" 'invalid timeout "-1"' "negative timeout message"
xrun 1 "stop without an id exits 1" lx stop
like "$(cat "$TMPD/err")" '^lxcshim: usage: lxcshim stop \[-t SEC\] ID$' "stop usage"

# ---- paused containers -------------------------------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "container starts"
lx pause "$n"
xrun 0 "kill KILL of a paused container exits 0" lx kill "$n" KILL
# Bounded: a frozen init would never die without the thaw.
ok "a paused container dies of KILL (no hang)" wait_file_match "$(state_file "$n")" '"status": *"stopped"'
bg_rc
is "$RC" 137 "run exits 137"
lx delete "$n"

n=$(new_name)
start_bg "$n" -- sh -c "$TRAPPER" || fail "container starts"
if wait_file_match "$TMPD/$n.out" '^ready$'; then
	lx pause "$n"
	xrun 0 "kill TERM of a paused container exits 0" lx kill "$n" TERM
	is "$(lx state "$n" | sed -n 's/^ *"status": "\(.*\)",$/\1/p')" paused "a TERM leaves the container paused"
	is "$(lxc-info -n "$n" -P "$LXCPATH" -sH)" FROZEN "lxc-info still says FROZEN"
	unlike "$(cat "$TMPD/$n.out")" 'got-term' "the frozen workload has not run its handler"
	lx resume "$n"
	bg_rc
	is "$RC" 3 "on resume the pending TERM is handled (exit 3)"
else
	fail "trapping workload got ready" "$(cat "$TMPD/$n.err")"
fi
lx delete "$n" > /dev/null 2>&1

n=$(new_name)
start_bg "$n" -- sh -c "$TRAPPER" || fail "container starts"
if wait_file_match "$TMPD/$n.out" '^ready$'; then
	lx pause "$n"
	xrun 0 "stop of a paused container exits 0" lx stop "$n"
	is "$(state_get "$n" status)" stopped "the paused container is stopped"
	is "$(state_get "$n" exit_code)" 3 "stop thawed it so that its TERM handler ran (exit 3)"
	bg_rc
	is "$RC" 3 "run exits 3"
else
	fail "trapping workload got ready" "$(cat "$TMPD/$n.err")"
fi
lx delete "$n" > /dev/null 2>&1

n=$(new_name)
start_bg "$n" -- sh -c 'trap "" TERM; while :; do sleep 0.05; done' || fail "container starts"
lx pause "$n"
xrun 0 "stop -t 1 of a paused TERM-ignoring container exits 0" lx stop -t 1 "$n"
is "$(state_get "$n" exit_code)" 137 "it was killed after the timeout (137)"
bg_rc
is "$RC" 137 "run exits 137"
ok "delete after stop" lx delete "$n"
assert_no_leftovers "$n"
