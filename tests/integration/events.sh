#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim events: every state transition of real containers, in order, with
# the right fields, seen live by followers started before them; new
# containers in all-containers mode; the truth when the supervisor is gone.
. "${TESTS_LIB:?}"

# follow OUT ARGS...: `lxcshim events ARGS...` in the background, stdout
# to OUT; sets FP.
follow() {
	_fo=$1
	shift
	"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" events "$@" > "$_fo" 2> "$_fo.err" &
	FP=$!
	record_pid "$FP"
}

# ev_types FILE ID: the types of ID's events in the JSONL FILE, in order.
ev_types() {
	sed -n "s/.*\"id\":\"$2\",\"type\":\"\([a-z]*\)\".*/\1/p" "$1" | tr '\n' ' ' | sed 's/ $//'
}

# ev_line FILE ID TYPE: ID's (last) TYPE line.
ev_line() {
	grep -F "\"id\":\"$2\",\"type\":\"$3\"" "$1" | tail -n 1
}

# stop_follow PID DESC [SIGNAL]: the follower ends with 0 on SIGINT/SIGTERM.
stop_follow() {
	kill -"${3:-INT}" "$1"
	_frc=0
	wait "$1" || _frc=$?
	is "$_frc" 0 "$2"
}

now3339() {
	date -u +%Y-%m-%dT%H:%M:%S.%NZ
}

# ---- bad input --------------------------------------------------------------
xrun 125 "events of a missing container exits 125" lx events nosuchcontainer
is "$(wc -l < "$TMPD/err" | tr -d ' '):$(cat "$TMPD/err")" "1:lxcshim: no such container: nosuchcontainer" \
	"one line on stderr saying so"
xrun 125 "events --since with a bad time exits 125" lx events --since yesterday
like "$(cat "$TMPD/err")" 'invalid time "yesterday"' "... and says why"
xrun 125 "events with two ids exits 125" lx events a b

# ---- every transition, in order, live ----------------------------------------
t0=$(now3339)
follow "$TMPD/all.jsonl" --json --since "$t0"
allp=$FP
follow "$TMPD/all.txt" --since "$t0"
txtp=$FP

n=$(new_name)
mkdir -p "$TMPD/$n.sync"
xrun 0 "run -d of a container that exits 3 when told" lx run -d --name "$n" -v "$TMPD/$n.sync:/lxtsync" -- \
	sh -c "$WAIT_GO; exit 3"
pid=$(state_get "$n" init_process_pid)
ok "the all-containers follower sees it start" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"started\"" "$allp"
# A follower of the one container, started after it runs.
follow "$TMPD/one.jsonl" --json --since "$t0" "$n"
onep=$FP
xrun 0 "pause" lx pause "$n"
ok "the all-containers follower sees the pause live" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"paused\"" "$allp"
ok "the one-container follower is set up (sees the pause)" wait_file_match "$TMPD/one.jsonl" '"type":"paused"' "$onep"
xrun 0 "resume" lx resume "$n"
: > "$TMPD/$n.sync/go"
ok "the exit is recorded" wait_file_match "$(state_file "$n")" '"status": "stopped"'
is "$(state_get "$n" exit_code)" 3 "state says exit_code 3"
xrun 0 "delete" lx delete "$n"
ok "the follower sees deleted" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"deleted\"" "$allp"
ok "the one-container follower sees deleted" wait_file_match "$TMPD/one.jsonl" '"type":"deleted"' "$onep"
is "$(ev_types "$TMPD/all.jsonl" "$n")" "created started paused resumed exited deleted" \
	"all six transitions, in order, once each"
is "$(ev_types "$TMPD/one.jsonl" "$n")" "created started paused resumed exited deleted" \
	"the one-container follower: the same, once each"
like "$(ev_line "$TMPD/all.jsonl" "$n" started)" "\"pid\":$pid}\$" "started has the pid state reported ($pid)"
like "$(ev_line "$TMPD/all.jsonl" "$n" exited)" '"exit_code":3,"oom_killed":false}$' "exited: exit_code 3, oom_killed false"
like "$(ev_line "$TMPD/all.jsonl" "$n" created)" \
	'^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z","id":"[^"]+","type":"created"\}$' \
	"created: an RFC 3339 time with nanoseconds, id, type"
if [ -n "$T_PYTHON" ]; then
	ok "every line of --json is a JSON object" "$T_PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    assert isinstance(json.loads(l), dict)' "$TMPD/all.jsonl"
fi
times=$(grep -F "\"id\":\"$n\"" "$TMPD/all.jsonl" | sed 's/^{"time":"\([^"]*\)".*/\1/')
is "$times" "$(printf '%s\n' "$times" | sort)" "the times are in order"
ok "plain format of exited" wait_file_match "$TMPD/all.txt" \
	"^[0-9T:.-]+Z container exited $n \\(exit_code=3, oom_killed=false\\)\$" "$txtp"
like "$(grep " container started $n " "$TMPD/all.txt")" "^[0-9T:.-]+Z container started $n \\(pid=$pid\\)\$" \
	"plain format of started"
like "$(grep " container deleted $n" "$TMPD/all.txt")" "^[0-9T:.-]+Z container deleted $n\$" "plain format of deleted"
first=$n
stop_follow "$onep" "the one-container follower ends with 0 on SIGINT (after deleted it keeps following)"

# ---- OOM kill and --rm ------------------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -m 32m -- sh -c 'tail /dev/zero' > /dev/null 2>&1
is "$?" 137 "an OOM-killed workload -> 137"
ok "the follower sees its deletion (--rm)" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"deleted\"" "$allp"
is "$(ev_types "$TMPD/all.jsonl" "$n")" "created started exited deleted" "--rm: created started exited deleted"
like "$(ev_line "$TMPD/all.jsonl" "$n" exited)" '"exit_code":137,"oom_killed":true}$' \
	"exited of the OOM kill: exit_code 137, oom_killed true"

# ---- the supervisor is SIGKILLed ------------------------------------------------
n=$(new_name)
if start_bg "$n" -- sleep 1000; then pass "the container starts"; else fail "the container starts" "$(cat "$TMPD/$n.err")"; fi
kill -KILL "$BGP"
bg_rc
xrun 0 "stop without a supervisor" lx stop -t 1 "$n"
is "$(state_get "$n" exit_code)" 143 "stop recorded 143 itself"
ok "the follower sees the exit" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"exited\"" "$allp"
is "$(ev_types "$TMPD/all.jsonl" "$n")" "created started exited" "no supervisor: one exited event"
like "$(ev_line "$TMPD/all.jsonl" "$n" exited)" '"exit_code":143,"oom_killed":false}$' \
	"its exit code is the one state.json has (143), not unknown"

n=$(new_name)
if start_bg "$n" -- sleep 1000; then pass "the container starts"; else fail "the container starts" "$(cat "$TMPD/$n.err")"; fi
kill -KILL "$BGP"
bg_rc
xrun 0 "kill KILL without a supervisor" lx kill "$n" KILL
ok "state turns to stopped" poll sh -c "\"\$LXCSHIM\" --root '$ROOT' --lxcpath '$LXCPATH' state '$n' | grep -q '\"status\": \"stopped\"'"
ok "the follower sees the exit once it is recorded" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"exited\"" "$allp"
is "$(state_get "$n" exit_code)" null "nobody saw how it ended: state says exit_code null"
like "$(ev_line "$TMPD/all.jsonl" "$n" exited)" '"exit_code":null,"oom_killed":null}$' \
	"... and so does the event (never a made-up code)"
xrun 0 "delete it" lx delete "$n"
ok "deleted" wait_file_match "$TMPD/all.jsonl" "\"id\":\"$n\",\"type\":\"deleted\"" "$allp"
is "$(ev_types "$TMPD/all.jsonl" "$n")" "created started exited deleted" "no supervisor: created started exited deleted"
stop_follow "$allp" "the JSON follower ends with 0 on SIGINT"
stop_follow "$txtp" "the plain follower ends with 0 on SIGTERM" TERM

# ---- all-containers mode sees a container created after it started --------------
p=$(new_name)
if start_bg "$p" -- sleep 1000; then pass "a container exists before the follower"; else fail "a container exists before the follower"; fi
follow "$TMPD/new.jsonl" --json
newp=$FP
# Readiness: once it reports a pause of the existing container, it is set up.
ready=false
i=0
while [ $i -lt 200 ]; do
	lx pause "$p" && lx resume "$p"
	if grep -q "\"id\":\"$p\",\"type\":\"paused\"" "$TMPD/new.jsonl"; then
		ready=true
		break
	fi
	i=$((i + 1))
done
is "$ready" true "the follower (no --since) reports the live pause of an existing container"
unlike "$(cat "$TMPD/new.jsonl")" "\"id\":\"$p\",\"type\":\"(created|started)\"" "without --since, nothing from before it started"
# Idle (once it has reported the last resume too): no periodic wake-ups,
# its context switches do not move.
# (Not a count of pauses against resumes: it may have started watching
# between a pause and its resume, and seen only the resume.)
last_resumed() {
	tail -n 1 "$TMPD/new.jsonl" | grep -q "\"id\":\"$p\",\"type\":\"resumed\""
}
ok "it reports the last resume" poll last_resumed
cs() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$newp/status"; }
before=$(cs)
sleep 1
is "$(cs)" "$before" "an idle follower does not wake up (1 s)"
n=$(new_name)
xrun 3 "a run after the follower started" lx run --name "$n" -- sh -c 'exit 3'
ok "it sees the new container's exit" wait_file_match "$TMPD/new.jsonl" "\"id\":\"$n\",\"type\":\"exited\"" "$newp"
is "$(ev_types "$TMPD/new.jsonl" "$n")" "created started exited" "the new container: created started exited"
like "$(ev_line "$TMPD/new.jsonl" "$n" exited)" '"exit_code":3,"oom_killed":false}$' "the new container's exit code 3"
xrun 0 "stop the first" lx stop -t 0 "$p"
bg_rc
ok "it sees the first one's exit" wait_file_match "$TMPD/new.jsonl" "\"id\":\"$p\",\"type\":\"exited\"" "$newp"
xrun 0 "delete the first" lx delete "$p"
ok "it sees the first one's deletion" wait_file_match "$TMPD/new.jsonl" "\"id\":\"$p\",\"type\":\"deleted\"" "$newp"
# The root's log repeats the history with "deleted": not told again.
like "$(ev_types "$TMPD/new.jsonl" "$p")" '^(resumed )?(paused resumed )*exited deleted$' \
	"the first one: what happened while it followed, once, then deleted"
stop_follow "$newp" "the follower ends with 0 on SIGINT"
# ---- --since replays the history, oldest first --------------------------------
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" events --json --since "$t0" > "$TMPD/replay.jsonl" &
rp=$!
record_pid "$rp"
ok "the replay has the last deletion" wait_file_match "$TMPD/replay.jsonl" "\"id\":\"$p\",\"type\":\"deleted\"" "$rp"
stop_follow "$rp" "the replaying follower ends with 0"
is "$(ev_types "$TMPD/replay.jsonl" "$n")" "created started exited" "the replay of a stopped container: its history"
# A deleted container's history outlives its directory, in the root's log.
is "$(ev_types "$TMPD/replay.jsonl" "$first")" "created started paused resumed exited deleted" \
	"the replay of a deleted container: its whole history"
times=$(sed 's/^{"time":"\([^"]*\)".*/\1/' "$TMPD/replay.jsonl")
is "$times" "$(printf '%s\n' "$times" | sort)" "the replay is in time order"

xrun 0 "delete the new one" lx delete "$n"

# ---- a follower that lags behind ------------------------------------------------
# Stopped (SIGSTOP) while a container comes and goes: when it goes on, the
# directory is gone, and the root's log still gives the whole history.
t1=$(now3339)
n2=$(new_name)
xrun 0 "a container the lagging follower sees start" lx run -d --name "$n2" -- sleep 1000
follow "$TMPD/lag.jsonl" --json --since "$t1"
lagp=$FP
ok "the follower sees it start" wait_file_match "$TMPD/lag.jsonl" "\"id\":\"$n2\",\"type\":\"started\"" "$lagp"
kill -STOP "$lagp"
n=$(new_name)
xrun 0 "run --rm while the follower is stopped" lx run --rm --name "$n" -- true
xrun 0 "delete -f the followed one while the follower is stopped" lx delete -f "$n2"
kill -CONT "$lagp"
ok "it catches up" wait_file_match "$TMPD/lag.jsonl" "\"id\":\"$n2\",\"type\":\"deleted\"" "$lagp"
ok "it sees the deletion of the one it never saw" wait_file_match "$TMPD/lag.jsonl" "\"id\":\"$n\",\"type\":\"deleted\"" "$lagp"
is "$(ev_types "$TMPD/lag.jsonl" "$n")" "created started exited deleted" \
	"a container gone before the follower could look: its whole history, from the root's log"
is "$(ev_types "$TMPD/lag.jsonl" "$n2")" "created started exited deleted" \
	"a container it followed: every event once, not again from the root's log"
stop_follow "$lagp" "the lagging follower ends with 0"

assert_no_leftovers "$n"
assert_no_leftovers "$n2"
assert_no_leftovers "$p"
exit 0
