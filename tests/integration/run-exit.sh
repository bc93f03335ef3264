#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: the exit status follows docker's convention (SPEC, "Exit
# status of run and exec").
. "${TESTS_LIB:?}"

# run_status WANT DESC [RUN-OPTION...] -- CMD...: a --rm run, stdout and
# stderr to $TMPD/out and $TMPD/err; checks the status and that nothing
# is left.
run_status() {
	_want=$1
	_desc=$2
	shift 2
	_n=$(new_name)
	lx run --rm --name "$_n" "$@" > "$TMPD/out" 2> "$TMPD/err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		pass "$_desc"
	else
		fail "$_desc" "expected status $_want, got $_rc" "stdout: $(cat "$TMPD/out")" "stderr: $(cat "$TMPD/err")"
	fi
	LAST_NAME=$_n
}

run_status 0 "exit 0 -> 0" -- sh -c 'exit 0'
run_status 3 "exit 3 -> 3" -- sh -c 'exit 3'
run_status 255 "exit 255 -> 255" -- sh -c 'exit 255'
run_status 1 "false -> 1" -- false
run_status 143 'kill -TERM $$ -> 143' -- sh -c 'kill -TERM $$'
run_status 137 'kill -KILL $$ -> 137' -- sh -c 'kill -KILL $$'
run_status 130 'kill -INT $$ -> 130' -- sh -c 'kill -INT $$'
run_status 7 'a TERM-trapping workload signalled by itself exits 7' -- sh -c 'trap "exit 7" TERM; kill -TERM $$; exit 1'
assert_no_leftovers "$LAST_NAME" "" "nothing left after a trapped signal"

# ---- command not found / not executable -----------------------------------
run_status 127 "a command not found -> 127" -- lxt-no-such-command
is "$(line_count "$TMPD/err")" 1 "one line on stderr for a command not found"
like "$(cat "$TMPD/err")" 'lxt-no-such-command' "the message names the command"
assert_no_leftovers "$LAST_NAME" "" "nothing left after a command not found"
run_status 127 "a missing absolute path -> 127" -- /lxt/no/such/file
like "$(cat "$TMPD/err")" '/lxt/no/such/file' "the message names the path"
run_status 126 "a non-executable file (/etc/passwd) -> 126" -- /etc/passwd
is "$(line_count "$TMPD/err")" 1 "one line on stderr for a non-executable file"
like "$(cat "$TMPD/err")" '/etc/passwd' "the message names the file"
run_status 126 "a directory (/etc) -> 126" -- /etc
is "$(line_count "$TMPD/err")" 1 "one line on stderr for a directory"
like "$(cat "$TMPD/err")" '/etc' "the message names the directory"
run_status 127 "sh -c with a command not found -> 127 (the shell's own status)" -- sh -c 'lxt-no-such-command'

# ---- orphans do not hold the status ----------------------------------------
run_status 4 "sh -c 'sleep 1 & exit 4' -> 4" -- sh -c 'sleep 1 & exit 4'

# ---- stdout and stderr stay apart ------------------------------------------
run_status 0 "a workload writing to both streams exits 0" -- sh -c 'echo to-out; echo to-err >&2; echo more-out'
is "$(cat "$TMPD/out")" "to-out
more-out" "stdout carries only stdout"
is "$(cat "$TMPD/err")" "to-err" "stderr carries only stderr"

# ---- exit status kept in state.json ---------------------------------------
n=$(new_name)
lx run --name "$n" -- sh -c 'exit 42' > /dev/null 2>&1
is "$?" 42 "exit 42 without --rm -> 42"
is "$(state_get "$n" exit_code)" 42 "state.json exit_code 42"
is "$(state_get "$n" status)" stopped "state.json status stopped"
n=$(new_name)
lx run --name "$n" -- sh -c 'kill -TERM $$' > /dev/null 2>&1
is "$?" 143 "kill -TERM \$\$ without --rm -> 143"
is "$(state_get "$n" exit_code)" 143 "state.json exit_code 143"
is "$(state_get "$n" oom_killed)" false "state.json oom_killed false after SIGTERM"

# ---- lxc-stop -k of a running container -------------------------------------
n=$(new_name)
bg_start "$n" -- sleep 100
if bg_wait_running; then
	pass "background container $n is running"
	lxc-stop -k -n "$n" -P "$LXCPATH" > "$TMPD/stop.out" 2>&1 ||
		diag "lxc-stop -k: $(cat "$TMPD/stop.out")"
else
	fail "background container $n is running" "stderr: $(cat "$TMPD/$n.err")"
fi
bg_wait
is "$BG_RC" 137 "lxc-stop -k of a running container -> 137"
is "$(state_get "$n" exit_code)" 137 "state.json exit_code 137 after lxc-stop -k"
is "$(state_get "$n" oom_killed)" false "state.json oom_killed false after lxc-stop -k"
is "$(state_get "$n" status)" stopped "state.json status stopped after lxc-stop -k"
assert_no_leftovers "$n" keep-dir "nothing but the dir left after lxc-stop -k"

# ---- signals to the lxcshim process reach the workload ----------------------
n=$(new_name)
bg_start "$n" -- sh -c 'echo ready > /lxtsync/ready; exec sleep 100'
if wait_file_match "$TMPD/$n.sync/ready" ready "$BG_PID"; then
	pass "sleep 100 is running in $n"
	kill -TERM "$BG_PID"
else
	fail "sleep 100 is running in $n" "stderr: $(cat "$TMPD/$n.err")"
fi
bg_wait
is "$BG_RC" 143 "SIGTERM to a foreground lxcshim running sleep 100 -> 143"
is "$(state_get "$n" exit_code)" 143 "state.json exit_code 143 after SIGTERM"
assert_no_leftovers "$n" keep-dir "nothing but the dir left after SIGTERM"

n=$(new_name)
bg_start "$n" -- sh -c 'trap "exit 7" TERM; echo ready > /lxtsync/ready; while :; do sleep 0.05; done'
if wait_file_match "$TMPD/$n.sync/ready" ready "$BG_PID"; then
	pass "a TERM-trapping workload is running in $n"
	kill -TERM "$BG_PID"
else
	fail "a TERM-trapping workload is running in $n" "stderr: $(cat "$TMPD/$n.err")"
fi
bg_wait
is "$BG_RC" 7 "SIGTERM to lxcshim reaches a trapping workload, which exits 7"

n=$(new_name)
bg_start "$n" -- sh -c 'trap "echo got-int; exit 5" INT; echo ready > /lxtsync/ready; while :; do sleep 0.05; done'
if wait_file_match "$TMPD/$n.sync/ready" ready "$BG_PID"; then
	pass "an INT-trapping workload is running in $n"
	kill -INT "$BG_PID"
else
	fail "an INT-trapping workload is running in $n" "stderr: $(cat "$TMPD/$n.err")"
fi
bg_wait
is "$BG_RC:$(cat "$TMPD/$n.out")" "5:got-int" "SIGINT to lxcshim reaches the workload"

exit 0
