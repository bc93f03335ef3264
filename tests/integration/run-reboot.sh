#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A reboot inside a --privileged container (issue 8, item 8): lxc-start
# would restart the container behind lxcshim's back.  The run ends with
# 129 (128+SIGHUP, what Docker reports), the workload does not run again,
# nothing is left running, and delete never drops the record of a
# container LXC still runs.
. "${TESTS_LIB:?}"

running_list() {
	lxc-ls -1 --running -P "$LXCPATH" 2> /dev/null
}

# ---- run --rm --------------------------------------------------------------------
n=$(new_name)
mkdir -p "$TMPD/boots.$n"
xrun 129 "reboot -f in run --rm --privileged exits 129" \
	tlx run --rm --privileged --name "$n" -v "$TMPD/boots.$n:/boots" -- sh -c 'echo x >> /boots/count; reboot -f; sleep 100'
is "$(line_count "$TMPD/boots.$n/count")" 1 "the workload ran once, not again after the reboot"
is "$(running_list)" "" "lxc-ls -P shows nothing running"
ok "no record is left with --rm" test ! -e "$(cdir "$n")"
assert_no_leftovers "$n"

# ---- kept: a truthful record ---------------------------------------------------------
n=$(new_name)
xrun 129 "reboot -f in run --privileged (no --rm) exits 129" \
	tlx run --privileged --name "$n" -- sh -c 'reboot -f'
is "$(running_list)" "" "lxc-ls -P shows nothing running"
is "$(state_get "$n" status)" stopped "the record says stopped"
is "$(state_get "$n" exit_code)" 129 "the record says 129"
like "$(lx list)" "^$n +stopped " "list says stopped"
xrun 0 "delete (no -f) of it" lx delete "$n"
assert_no_leftovers "$n"

# ---- a reboot well after GO, by a workload that ignores SIGTERM ------------------------
n=$(new_name)
bg_start "$n" --privileged -- sh -c "trap '' TERM; $WAIT_GO; reboot -f; sleep 100"
if bg_wait_running; then
	bg_release
	bg_wait
	is "$BG_RC" 129 "a reboot after GO ends a background run with 129"
else
	fail "the background run starts" "$(cat "$TMPD/$n.err")"
fi
is "$(running_list)" "" "nothing runs after it"
xrun 0 "delete" lx delete "$n"
assert_no_leftovers "$n"

# ---- run -d --rm ------------------------------------------------------------------------
n=$(new_name)
xrun 0 "run -d --rm --privileged" lx run -d --rm --privileged --name "$n" -- sh -c 'sleep 0.2; reboot -f; sleep 100'
ok "the detached container goes away after its reboot" poll test ! -e "$(cdir "$n")"
is "$(running_list)" "" "nothing runs after it"
assert_no_leftovers "$n"

# ---- delete never drops a record of a container LXC runs ------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
sup=$BGP
if [ -n "$T_PYTHON" ]; then
	# The record goes stale (as after a restart behind our back): its
	# init pid names a process that is gone.
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	f=$(state_file "$n")
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); d["init_process_pid"]=int(sys.argv[2]); d["init_process_start"]=1
open(sys.argv[1]+".new","w").write(json.dumps(d))' "$f" "$dead" && mv "$f.new" "$f"
	like "$(lx state "$n")" '"status": "stopped"' "the stale record reads as stopped"
	ok "LXC still runs it" lxc_running "$n"
	xrun 1 "delete without -f refuses" lx delete "$n"
	is "$(cat "$TMPD/err")" "lxcshim: container $n is still running according to LXC: use delete -f" "delete says why"
	ok "the record is kept" test -e "$f"
	xrun 0 "delete -f" lx delete -f "$n"
	not_ok "LXC no longer runs it" lxc_running "$n"
	BGP=$sup
	bg_rc
	is "$RC" 137 "the run ends (SIGKILL)"
	assert_no_leftovers "$n"
else
	skip "stale record" "python3 is needed to edit state.json"
	lx delete -f "$n"
fi
