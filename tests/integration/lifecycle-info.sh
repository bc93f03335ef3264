#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim state, list, ps and stats: what they report about running and
# stopped containers, in text and JSON.
. "${TESTS_LIB:?}"

# py CODE FILE: runs python on a JSON file (skips when there is none).
have_py() {
	[ -n "$T_PYTHON" ]
}

# ---- an empty root ----------------------------------------------------------------
xrun 0 "list with no containers exits 0" lx list
is "$(cat "$TMPD/out")" "$(printf '%-2s  %-7s  %-7s  %-30s  %s' ID STATUS PID CREATED COMMAND)" \
	"list with no containers prints the header only"
xrun 0 "list --json with no containers exits 0" lx list --json
is "$(cat "$TMPD/out")" "[]" "list --json with no containers prints []"

# ---- a stopped and a running container ---------------------------------------------
stopped=$(new_name)
lx run --name "$stopped" -- sh -c 'exit 5' > /dev/null 2>&1
running=$(new_name)
if ! start_bg "$running" -m 64m --pids-limit 50 -- sleep 1000; then
	fail "the container starts" "$(cat "$TMPD/$running.err")"
	exit 1
fi
init=$(state_get "$running" init_process_pid)

# state
xrun 0 "state of a running container exits 0" lx state "$running"
cp "$TMPD/out" "$TMPD/state.json"
ok "state prints valid JSON" json_valid "$TMPD/state.json"
is "$(state_get "$TMPD/state.json" status)" running "state: status running"
is "$(state_get "$TMPD/state.json" id)" "$running" "state: id"
is "$(state_get "$TMPD/state.json" init_process_pid)" "$(lxc-info -n "$running" -P "$LXCPATH" -pH)" \
	"state: init_process_pid is what lxc-info reports"
is "$(state_get "$TMPD/state.json" init_process_start)" "$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$init/stat")" \
	"state: init_process_start is field 22 of /proc/PID/stat"
is "$(cat "$TMPD/out")" "$(cat "$(state_file "$running")")" "state of a running container is state.json"
xrun 0 "state of a stopped container exits 0" lx state "$stopped"
cp "$TMPD/out" "$TMPD/state2.json"
is "$(state_get "$TMPD/state2.json" status)" stopped "state: status stopped"
is "$(state_get "$TMPD/state2.json" exit_code)" 5 "state: exit_code 5"

# list
xrun 0 "list exits 0" lx list
list=$(cat "$TMPD/out")
is "$(printf '%s\n' "$list" | head -n 1 | tr -s ' ')" "ID STATUS PID CREATED COMMAND" "list header"
is "$(printf '%s\n' "$list" | wc -l | tr -d ' ')" 3 "list: a header and two containers"
like "$list" "^$stopped +stopped +- +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +sh -c exit 5\$" "list: the stopped container"
like "$list" "^$running +running +$init +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +sleep 1000\$" "list: the running container"
is "$(printf '%s\n' "$list" | sed -n 2p | cut -d' ' -f1)" "$stopped" "list: oldest first"
xrun 0 "list --json exits 0" lx list --json
cp "$TMPD/out" "$TMPD/list.json"
ok "list --json is valid JSON" json_valid "$TMPD/list.json"
if have_py; then
	is "$("$T_PYTHON" -c '
import json, sys
print(" ".join("%s=%s" % (c["id"], c["status"]) for c in json.load(open(sys.argv[1]))))' "$TMPD/list.json")" \
		"$stopped=stopped $running=running" "list --json: ids and statuses"
else
	skip "list --json: ids and statuses" "no python3"
fi
xrun 1 "list with an argument exits 1" lx list extra
like "$(cat "$TMPD/err")" '^lxcshim: usage: lxcshim list \[--json\]$' "list usage"

# ps
xrun 0 "ps exits 0" lx ps "$running"
ps_out=$(cat "$TMPD/out")
is "$(printf '%s\n' "$ps_out" | head -n 1 | tr -s ' ')" "PID NSPID COMMAND" "ps header"
like "$ps_out" "^$init +1 +/\.lxcshim-init " "ps: the init, pid 1 inside"
like "$ps_out" "^[0-9]+ +2 +sleep 1000\$" "ps: the workload, pid 2 inside"
is "$(printf '%s\n' "$ps_out" | wc -l | tr -d ' ')" 3 "ps: two processes"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec "$running" sleep 500 > /dev/null 2>&1 &
xp=$!
record_pid "$xp"
i=0
while [ $i -lt 1000 ] && ! lx ps "$running" | grep -q 'sleep 500$'; do
	i=$((i + 1))
	sleep 0.01
done
like "$(lx ps "$running")" '^[0-9]+ +[0-9]+ +sleep 500$' "ps: an exec'd process shows up"
xrun 0 "ps --json exits 0" lx ps "$running" --json
cp "$TMPD/out" "$TMPD/ps.json"
ok "ps --json is valid JSON" json_valid "$TMPD/ps.json"
if have_py; then
	is "$("$T_PYTHON" -c '
import json, sys
ps = sorted(json.load(open(sys.argv[1])), key=lambda p: p["ns_pid"])
print(" ".join("%d:%s" % (p["ns_pid"], p["command"].split()[0]) for p in ps[:2]))' "$TMPD/ps.json")" \
		"1:/.lxcshim-init 2:sleep" "ps --json: ns_pid and command of init and workload"
	is "$("$T_PYTHON" -c '
import json, sys
print([p["pid"] for p in json.load(open(sys.argv[1])) if p["ns_pid"] == 1][0])' "$TMPD/ps.json")" "$init" \
		"ps --json: the host pid of the init"
else
	skip "ps --json contents" "no python3"
fi
kill "$xp" 2> /dev/null
wait "$xp" 2> /dev/null

# stats
xrun 0 "stats exits 0" lx stats "$running"
stats=$(cat "$TMPD/out")
like "$stats" '^memory\.usage +[1-9][0-9]*$' "stats: memory usage"
like "$stats" '^memory\.limit +67108864$' "stats: memory limit is -m 64m"
like "$stats" '^memory\.max_usage +[1-9][0-9]*$' "stats: memory max usage"
like "$stats" '^memory\.oom_kill +0$' "stats: no OOM kill"
like "$stats" '^cpu\.usage_ns +[1-9][0-9]*$' "stats: cpu usage"
like "$stats" '^pids\.current +[2-9]$' "stats: pids current (init + sleep)"
like "$stats" '^pids\.limit +50$' "stats: pids limit is --pids-limit 50"
xrun 0 "stats --json exits 0" lx stats "$running" --json
cp "$TMPD/out" "$TMPD/stats.json"
ok "stats --json is valid JSON" json_valid "$TMPD/stats.json"
if have_py; then
	is "$("$T_PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["id"], s["memory"]["limit"], s["memory"]["oom_kill"], s["pids"]["limit"], s["pids"]["current"] >= 2,
      s["cpu"]["usage_ns"] > 0, s["memory"]["usage"] > 0, s["memory"]["max_usage"] >= s["memory"]["usage"])' "$TMPD/stats.json")" \
		"$running 67108864 0 50 True True True True" "stats --json: keys and values"
else
	skip "stats --json contents" "no python3"
fi

unl=$(new_name)
BGP_RUNNING=$BGP
if start_bg "$unl" -- sleep 1000; then
	like "$(lx stats "$unl")" '^memory\.limit +unlimited$' "stats: no -m means unlimited"
	like "$(lx stats "$unl")" '^pids\.limit +unlimited$' "stats: no --pids-limit means unlimited"
	if have_py; then
		lx stats "$unl" --json > "$TMPD/stats2.json"
		is "$("$T_PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["memory"]["limit"], s["pids"]["limit"])' "$TMPD/stats2.json")" "None None" "stats --json: no limit is null"
	else
		skip "stats --json: no limit is null" "no python3"
	fi
	lx delete -f "$unl" > /dev/null
else
	fail "the unlimited container starts" "$(cat "$TMPD/$unl.err")"
fi

# ---- errors ---------------------------------------------------------------------------
for cmd in state ps stats; do
	xrun 1 "$cmd of an unknown container exits 1" lx $cmd lxt-no-such-container
	is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "$cmd of an unknown container: message"
	xrun 1 "$cmd with a malformed id exits 1" lx $cmd 'bad/id'
	like "$(cat "$TMPD/err")" '^lxcshim: invalid container name "bad/id"' "$cmd with a malformed id: message"
	xrun 1 "$cmd without an id exits 1" lx $cmd
	like "$(cat "$TMPD/err")" "^lxcshim: usage: lxcshim $cmd ID" "$cmd usage"
done
for cmd in ps stats; do
	xrun 1 "$cmd of a stopped container exits 1" lx $cmd "$stopped"
	is "$(cat "$TMPD/err")" "lxcshim: container $stopped is not running" "$cmd of a stopped container: message"
done

lx delete -f "$running" > /dev/null
BGP=$BGP_RUNNING
wait "$BGP"
lx delete "$stopped"
xrun 0 "list after deleting everything exits 0" lx list --json
is "$(cat "$TMPD/out")" "[]" "list is empty again"
assert_no_leftovers "$running"
assert_no_leftovers "$stopped"
