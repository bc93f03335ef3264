#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim_exec's two ways give the same results: the attach in the
# caller's process (a single-threaded caller: the lxcshim command) and the
# one in the exec'd helper lxcshim-exec (a caller with other threads).
# LXCSHIM_EXEC_HELPER=1 makes the command use the helper, =0 forbids it
# (for tests only).  Each case runs in both ways and compares the status,
# stdout and stderr; then the exec scripts run again whole on the helper.
. "${TESTS_LIB:?}"

n=$(new_name)
if ! start_bg "$n" -e LXT_A=from-run -- sleep 1000; then
	fail "the container starts" "$(cat "$TMPD/$n.err")"
	exit 1
fi
pass "the container starts"

: > "$TMPD/in"
# same DESC STATUS EXEC-ARGS...: lx exec EXEC-ARGS in both ways, stdin
# from $TMPD/in.
same() {
	_d=$1
	_w=$2
	shift 2
	LXCSHIM_EXEC_HELPER=0 lx exec "$@" < "$TMPD/in" > "$TMPD/o0" 2> "$TMPD/e0"
	_r0=$?
	LXCSHIM_EXEC_HELPER=1 lx exec "$@" < "$TMPD/in" > "$TMPD/o1" 2> "$TMPD/e1"
	_r1=$?
	is "$_r0" "$_w" "$_d: in-process, status $_w"
	is "$_r1" "$_r0" "... through the helper, the same status"
	is "$(cat "$TMPD/o1")" "$(cat "$TMPD/o0")" "... the same stdout"
	is "$(cat "$TMPD/e1")" "$(cat "$TMPD/e0")" "... the same stderr"
}

same "exit 0, both streams" 0 "$n" sh -c 'echo to-out; echo to-err >&2'
is "$(cat "$TMPD/o1") $(cat "$TMPD/e1")" "to-out to-err" "... which are the command's"
same "exit 3" 3 "$n" sh -c 'exit 3'
same "not executable" 126 "$n" /etc/passwd
like "$(cat "$TMPD/e1")" "^lxcshim: exec /etc/passwd: Permission denied$" "... the helper's message for 126"
same "not found" 127 "$n" lxt-no-such-command
like "$(cat "$TMPD/e1")" "executable file not found" "... the helper's message for 127"
same "killed by a signal" 137 "$n" sh -c 'kill -KILL $$'
same "terminated by a signal" 143 "$n" sh -c 'kill -TERM $$'

printf 'line one\nline two\n' > "$TMPD/in"
same "-i: the caller's stdin" 0 -i "$n" sh -c 'cat; echo end'
is "$(cat "$TMPD/o1")" "line one
line two
end" "... reaches the process"
same "no -i: stdin is /dev/null" 0 "$n" sh -c 'cat; echo end'
is "$(cat "$TMPD/o1")" "end" "... there too"
: > "$TMPD/in"

LXT_CALLER=from-caller
export LXT_CALLER
same "env: config.env, -e K=V, -e K" 0 -e LXT_X=1 -e LXT_CALLER -e LXT_UNSET_HERE "$n" env
like "$(cat "$TMPD/o1")" "LXT_CALLER=from-caller" "... -e K takes the caller's value through the helper too"
like "$(cat "$TMPD/o1")" "LXT_A=from-run" "... and config.env is there"
same "user by name" 0 -u nobody "$n" sh -c 'id -u; id -g; echo $HOME'
same "user and group by number" 0 -u 1000:1000 "$n" id
same "workdir" 0 -w /tmp "$n" pwd
is "$(cat "$TMPD/o1")" "/tmp" "... is /tmp"
same "the default workdir" 0 "$n" pwd

same "an unknown user" 125 -u lxt-nobody "$n" true
same "a missing workdir" 125 -w /lxt/none "$n" true
same "an unknown container" 125 lxt-no-such-container true
like "$(cat "$TMPD/e1")" "^lxcshim: .*lxt-no-such-container" "... the helper's error names it"

# A terminal: script(1) gives lxcshim one.
tty_run() { # MODE
	script -qec "stty rows 21 cols 77; LXCSHIM_EXEC_HELPER=$1 $LXCSHIM --root $ROOT --lxcpath $LXCPATH exec -t $n sh -c 'stty size; test -t 0 -a -t 1 && echo tty-ok; tty | sed s/[0-9]*\$//; echo \$TERM; exit 4'; echo rc=\$?" /dev/null < /dev/null | tr -d '\r' | tr '\n' ' '
}
t0=$(tty_run 0)
t1=$(tty_run 1)
like "$t0" "21 77 tty-ok /dev/pts/ xterm rc=4" "-t in-process: size, terminal, TERM, status"
is "$t1" "$t0" "-t through the helper: the same"

# A signal sent to the caller reaches the process through the helper.
LXCSHIM_EXEC_HELPER=1 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec "$n" sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.05; done' \
	> "$TMPD/sig.out" 2>&1 &
sp=$!
if wait_file_match "$TMPD/sig.out" ready; then
	like "$(ps -o comm= --ppid "$sp")" "lxcshim-exec" "the helper is the caller's child while the process runs"
	kill -TERM "$sp"
fi
rc=0
wait "$sp" || rc=$?
is "$rc" 9 "a TERM to the caller reaches the process in the helper's way; its status comes back"
is "$(cat "$TMPD/sig.out")" "ready
got-term" "... and the process handled it"
is "$(ps -o pid= --ppid "$sp" | wc -l)" 0 "... and the helper is gone"

lx pause "$n"
same "a paused container" 125 "$n" true
like "$(cat "$TMPD/e1")" "is paused: resume it first" "... the helper says why"
lx resume "$n"

# The exec scripts again, whole, on the helper.
for s in lifecycle-exec exec-tty; do
	out=$(LXCSHIM_EXEC_HELPER=1 sh "$TOP_SRCDIR/tests/integration/$s.sh" 2>&1)
	is "$(printf '%s\n' "$out" | grep -c '^not ok')" 0 "$s.sh through the helper: nothing fails"
	[ -n "$(printf '%s\n' "$out" | grep '^not ok')" ] && diag "$(printf '%s\n' "$out" | grep -A3 '^not ok' | head -n 40)"
	like "$(printf '%s\n' "$out" | grep -c '^ok')" "^[1-9][0-9]" "... of its many tests"
done

lx stop -t 0 "$n" > /dev/null 2>&1
bg_rc
ok "delete after the execs" lx delete "$n"
assert_no_leftovers "$n"
