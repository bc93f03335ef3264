#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The truth of state.json against the host (issue 8, items 6, 9, 10): a
# record naming a process that is not the container's init is never
# signalled; after the supervisor is gone, stop records what really
# happened or that it is unknown; a full state root does not stop state
# and list from telling the truth.
. "${TESTS_LIB:?}"

# forge NAME KEY=JSON...: rewrites top-level keys of NAME's state.json.
forge() {
	_f=$(state_file "$1")
	shift
	python3 - "$_f" "$@" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    d[k] = json.loads(v)
open(p + ".new", "w").write(json.dumps(d))
PY
	mv "$_f.new" "$_f"
}

starttime() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'
}

# ---- item 6: forged records are never signalled ------------------------------
forged_records() {
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
sup=$BGP
cp "$(state_file "$n")" "$TMPD/real.json"
real_init=$(state_get "$n" init_process_pid)

# A harmless stand-in of ours; its start time is read, then forged.
sleep 1000 &
standin=$!
record_pid "$standin"
st=$(starttime "$standin")

check_refused() { # DESC PID START [CGROUPS-JSON]
	_d=$1
	cp "$TMPD/real.json" "$(state_file "$n")"
	forge "$n" "init_process_pid=$2" "init_process_start=$3" ${4:+"cgroup_paths=$4"}
	for _sig in KILL TERM; do
		xrun 1 "$_d: kill $_sig refuses" lx kill "$n" "$_sig"
		like "$(cat "$TMPD/err")" "^lxcshim: (state.json of $n does not match its init|container $n is not running)" \
			"$_d: kill $_sig says why"
		is "$(line_count "$TMPD/err")" 1 "$_d: one line"
	done
	if [ "${STOP_RC:-1}" = 0 ]; then
		xrun 0 "$_d: stop finds it stopped, signals nothing" lx stop -t 1 "$n"
	else
		xrun 1 "$_d: stop refuses" lx stop -t 1 "$n"
	fi
	xrun 1 "$_d: pause refuses" lx pause "$n"
	ok "$_d: the real init was not touched" pid_alive "$real_init"
}

check_refused "pid 1 with its real start time" 1 "$(starttime 1)"
like "$(lx kill "$n" KILL 2>&1)" "does not match its init \\(pid 1 is the host's init\\)" "pid 1: the reason is named"
check_refused "pid 1 without a start time" 1 0
xrun 1 "delete of that record refuses: LXC still runs the container" lx delete "$n"
like "$(cat "$TMPD/err")" "still running according to LXC" "delete says why"
ok "the record is kept" test -e "$(state_file "$n")"
ok "the real init was not touched by delete" pid_alive "$real_init"
check_refused "a host process with its real start time" "$standin" "$st"
like "$(lx kill "$n" KILL 2>&1)" "not the init of a pid namespace" "host process: the reason is named"
ok "the stand-in is still alive" pid_alive "$standin"
check_refused "a host process without a start time" "$standin" 0
STOP_RC=0 check_refused "a reused pid (wrong start time)" "$standin" "$((st + 1))"
is "$(lx kill "$n" KILL 2>&1)" "lxcshim: container $n is not running" "reused pid: not running"
is "$(lx state "$n" | sed -n 's/^ *"status": "\(.*\)",$/\1/p')" stopped "reused pid: state says stopped"
ok "the stand-in is still alive after all of that" pid_alive "$standin"

# A pid-namespace init outside the container's cgroups.
unshare --pid --fork --kill-child sleep 1000 &
ush=$!
record_pid "$ush"
nsinit=
poll sh -c "test -n \"\$(cat /proc/$ush/task/$ush/children 2>/dev/null)\"" &&
	nsinit=$(tr -d ' ' < "/proc/$ush/task/$ush/children")
if [ -n "$nsinit" ] && grep -q '^NSpid:.*[[:space:]]1$' "/proc/$nsinit/status"; then
	check_refused "a pid-namespace init outside the cgroup" "$nsinit" "$(starttime "$nsinit")"
	like "$(lx kill "$n" KILL 2>&1)" "not in the container's .* cgroup" "outside the cgroup: the reason is named"
	ok "the namespace init is still alive" pid_alive "$nsinit"
	# The same process, with cgroup paths forged to where it is.
	cg=$(python3 -c 'import json,sys
d={}
for l in open("/proc/%s/cgroup" % sys.argv[1]):
    i,c,p=l.rstrip("\n").split(":",2)
    if c and not c.startswith("name="):
        for k in c.split(","): d[k]="/sys/fs/cgroup/%s%s" % (c, "" if p=="/" else p)
print(json.dumps(d))' "$nsinit")
	check_refused "cgroup paths forged to the process's own" "$nsinit" "$(starttime "$nsinit")" "$cg"
	like "$(lx kill "$n" KILL 2>&1)" "no container cgroup is recorded" "forged cgroups: the reason is named"
	ok "the namespace init is still alive at the end" pid_alive "$nsinit"
else
	fail "a pid-namespace init stand-in starts" "unshare child: '$nsinit'"
fi
kill "$ush" "$standin" 2> /dev/null

# The true record works again.
cp "$TMPD/real.json" "$(state_file "$n")"
xrun 0 "kill WINCH with the true record" lx kill "$n" WINCH
xrun 0 "stop with the true record" lx stop "$n"
BGP=$sup
bg_rc
is "$RC" 143 "the run ends with 143"
xrun 0 "delete" lx delete "$n"
assert_no_leftovers "$n"
}
if [ -n "$T_PYTHON" ]; then
	forged_records
else
	skip "forged records" "python3 is needed to edit state.json"
fi

# ---- item 9: after the supervisor is SIGKILLed, stop records the truth ----------
trap7='trap "exit 7" TERM; sleep 1000 & wait'
# orphan: a new container $n running $trap7, its supervisor SIGKILLed
# (RC is the supervisor's status).
orphan() {
	n=$(new_name)
	start_bg "$n" -- sh -c "$trap7" || fail "the container starts" "$(cat "$TMPD/$n.err")"
	kill -KILL "$BGP"
	bg_rc
}
orphan
is "$RC" 137 "the supervisor died of SIGKILL"
xrun 0 "stop without a supervisor" lx stop -t 20 "$n"
is "$(state_get "$n" status)" stopped "stop recorded stopped"
is "$(state_get "$n" exit_code)" 7 "stop recorded the workload's real exit code 7 (not 143)"
is "$(lx state "$n" | sed -n 's/^ *"exit_code": \(.*\),$/\1/p')" 7 "state says 7"
xrun 0 "delete" lx delete "$n"
assert_no_leftovers "$n"

# The workload ends with nobody watching: the code is unknown, and says so.
orphan
init=$(state_get "$n" init_process_pid)
xrun 0 "kill TERM without a supervisor" lx kill "$n" TERM
ok "the init ends" poll sh -c "! [ -d /proc/$init ] || grep -q '^State:.*Z' /proc/$init/status"
xrun 0 "state of it" lx state "$n"
like "$(cat "$TMPD/out")" '"status": "stopped"' "state says stopped"
like "$(cat "$TMPD/out")" '"exit_code": null' "state says exit_code null: unknown, not made up"
is "$(state_get "$n" exit_code)" null "the unknown code is persisted as null"
like "$(lx list)" "^$n +stopped " "list says stopped"
xrun 0 "stop of it" lx stop "$n"
is "$(state_get "$n" exit_code)" null "stop of a stopped container invents nothing"
xrun 0 "delete" lx delete "$n"
assert_no_leftovers "$n"

# SIGKILL from stop (-t 0) without a supervisor: that death is 137, truly.
orphan
xrun 0 "stop -t 0 without a supervisor" lx stop -t 0 "$n"
is "$(state_get "$n" exit_code)" 137 "our own SIGKILL is recorded as 137"
xrun 0 "delete" lx delete "$n"
assert_no_leftovers "$n"

# ---- item 10: a full state root -----------------------------------------------------------
FULL=$TMPD/fullroot
mkdir -p "$FULL"
if mount -t tmpfs -o size=2m,mode=0700 lxtfull "$FULL"; then
	fx() { "$LXCSHIM" --root "$FULL" --lxcpath "$LXCPATH" "$@"; }
	# fbg NAME CMD: a background run under the full root; FBG_PID.
	fbg() {
		mkdir -p "$TMPD/$1.sync"
		# $! must be lxcshim itself, not a subshell.
		"$LXCSHIM" --root "$FULL" --lxcpath "$LXCPATH" run --name "$1" -v "$TMPD/$1.sync:/lxtsync" -- sh -c "$2" < /dev/null > "$TMPD/$1.out" 2> "$TMPD/$1.err" &
		FBG_PID=$!
		record_pid "$FBG_PID"
		wait_file_match "$FULL/containers/$1/state.json" '"status": *"running"' "$FBG_PID"
	}
	a=$(new_name)
	b=$(new_name)
	c=$(new_name)
	fbg "$a" "$WAIT_GO; exit 3" || fail "container a starts" "$(cat "$TMPD/$a.err")"
	apid=$FBG_PID
	fbg "$c" "$WAIT_GO; exit 4" || fail "container c starts" "$(cat "$TMPD/$c.err")"
	cpid=$FBG_PID
	fbg "$b" "sleep 1000" || fail "container b starts" "$(cat "$TMPD/$b.err")"
	kill -KILL "$FBG_PID"
	wait "$FBG_PID" 2> /dev/null
	binit=$(state_get "$FULL/containers/$b/state.json" init_process_pid)
	# c's supervisor never got its reserve (as when the root was already
	# nearly full at its start).
	rm -f "$FULL/containers/$c/state.json.reserve"
	# fill: takes whatever room is left (a record written into the
	# reserve frees its unused tail).
	fill() {
		_k=$(($(cat "$TMPD/.fills" 2> /dev/null || echo 0) + 1))
		echo "$_k" > "$TMPD/.fills"
		dd if=/dev/zero of="$FULL/fill.$_k" bs=1024 2> /dev/null
		! sh -c "printf x > '$FULL/probe'" 2> /dev/null
	}
	ok "the state root is full" fill

	: > "$TMPD/$a.sync/go"
	rc=0
	wait "$apid" || rc=$?
	is "$rc" 3 "a run that ends while the root is full exits with its workload's 3"
	is "$(cat "$TMPD/$a.err")" "" "and says nothing: the exit went into the reserved space"
	is "$(state_get "$FULL/containers/$a/state.json" exit_code)" 3 "state.json records 3"
	xrun 0 "state of it" fx state "$a"
	like "$(cat "$TMPD/out")" '"exit_code": 3' "state says 3"

	fill
	: > "$TMPD/$c.sync/go"
	rc=0
	wait "$cpid" || rc=$?
	is "$rc" 4 "without a reserve the run still exits with its workload's 4"
	like "$(cat "$TMPD/$c.err")" "^lxcshim: warning: could not record the exit of $c: " "and warns that it is unrecorded"
	is "$(line_count "$TMPD/$c.err")" 1 "in one line"

	fill
	xrun 0 "kill KILL of the unsupervised container" fx kill "$b" KILL
	ok "its init ends" poll sh -c "! [ -d /proc/$binit ] || grep -q '^State:.*Z' /proc/$binit/status"
	xrun 0 "state exits 0 although the correction cannot be saved" fx state "$b"
	like "$(cat "$TMPD/out")" '"status": "stopped"' "state tells the truth: stopped"
	like "$(cat "$TMPD/err")" "^lxcshim: warning: could not save the state of $b: .*No space left" "and says it could not be saved"
	is "$(line_count "$TMPD/err")" 1 "in one line"
	is "$(state_get "$FULL/containers/$b/state.json" status)" running "(indeed unsaved)"
	xrun 0 "list exits 0" fx list
	like "$(cat "$TMPD/out")" "$b +stopped " "list shows the unsaved container as stopped"
	like "$(cat "$TMPD/out")" "$a +stopped " "list shows the one whose exit was recorded"
	like "$(cat "$TMPD/out")" "$c +stopped " "list shows the one whose exit went unrecorded as stopped"
	is "$(grep -c "^lxcshim: warning: could not save the state of $b: " "$TMPD/err")" 1 "list warns once about b"
	is "$(grep -c "^lxcshim: warning: could not save the state of $c: " "$TMPD/err")" 1 "list warns once about c"
	is "$(line_count "$TMPD/err")" 2 "and about nothing else"
	xrun 0 "list --json exits 0" fx list --json
	ok "list --json is valid JSON" json_valid "$TMPD/out"

	xrun 0 "state of c" fx state "$c"
	like "$(cat "$TMPD/out")" '"exit_code": null' "c's exit code is unknown, not made up"
	rm -f "$FULL"/fill.*
	xrun 0 "state, once there is room again" fx state "$b"
	is "$(cat "$TMPD/err")" "" "no warning any more"
	is "$(state_get "$FULL/containers/$b/state.json" status)" stopped "and the truth is saved"
	for x in "$a" "$b" "$c"; do
		xrun 0 "delete $x" fx delete "$x"
		ok "nothing left of $x" test ! -e "$FULL/containers/$x"
	done
	umount "$FULL"
else
	skip "full state root" "cannot mount a tmpfs"
fi
