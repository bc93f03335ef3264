#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim attach: run -d -t / -d -i containers reached later through their
# supervisor; the window size on attach and on resize, typing, output,
# docker's detach keys (default and --detach-keys), two clients at once,
# late attach, the exit status, start -a, and a supervisor that is gone.
# Driven through real terminals: a private tmux server.
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "${TESTS_LIB:?}"

tmux_setup lxatt
VOL=$TMPD/vol
mkdir -p "$VOL"

status_is() {
	[ "$(state_get "$1" status 2>/dev/null)" = "$2" ]
}

dead() {
	! pid_alive "$1"
}

# sockets NAME: how many sockets NAME's supervisor holds (an attach client
# is one more): for a bounded readiness wait.
sockets() {
	ls -l "/proc/$(state_get "$1" supervisor_pid)/fd" 2>/dev/null | grep -c 'socket:'
}

more_sockets() {
	[ "$(sockets "$1")" -gt "$2" ]
}

tmux_shell

# ---- run -d -t -i, then attach ---------------------------------------------------
# A shell, and beside it a loop that keeps writing the terminal's size.
A=$(new_name)
out=$(tlx run -d -t -i --name "$A" -v "$VOL:/vol" -- sh -c \
	'(while :; do stty size < /dev/console > /vol/a.size.tmp; mv /vol/a.size.tmp /vol/a.size; sleep 0.05; done) & exec sh' 2> "$TMPD/r.err")
is "$?:$out" "0:$A" "run -d -t -i exits 0 and prints the id"
is "$(cat "$TMPD/r.err")" "" "run -d -t -i prints nothing on stderr"
if poll file_is "$VOL/a.size" "24 80"; then
	pass "run -d -t from a pipe: the workload's terminal is 24x80 before anyone attached"
else
	fail "run -d -t from a pipe: the workload's terminal is 24x80 before anyone attached" "size: $(cat "$VOL/a.size" 2>&1)"
fi

tsend att1 "stty -g > $TMPD/g.before; $LXW attach $A 2> $TMPD/att1.err; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll file_is "$VOL/a.size" "30 100"; then
	pass "attach sends its window size: the workload's terminal is now 30x100"
else
	fail "attach sends its window size: the workload's terminal is now 30x100" "size: $(cat "$VOL/a.size" 2>&1)"
fi
tmx send-keys -t "$TS" -l 'echo out-$((6*7)) > /vol/a.out; echo out-$((6*7))'
tmx send-keys -t "$TS" Enter
ok "what is typed into attach reaches the workload's shell" poll file_is "$VOL/a.out" out-42
ok "the workload's output reaches the attached terminal" poll screen_has '^out-42'
tresize "$VOL/a.size" 40 120 "resizing the attached terminal to 40x120 resizes the workload's"
tmx send-keys -t "$TS" C-p C-q
rc=$(twait att1)
is "$rc" 0 "ctrl-p ctrl-q detaches: attach exits 0"
is "$(cat "$TMPD/att1.err")" "read escape sequence" "detaching says 'read escape sequence' (docker's words), one line"
ok "the terminal modes are restored after detaching" cmp -s "$TMPD/g.before" "$TMPD/g.after"
ok "the container runs on after the detach" lxc_running "$A"
tsize 30 100

# ^P alone is held back, then passed on once the sequence breaks.
tsend att2 "$LXW attach $A"
poll file_is "$VOL/a.size" "30 100" > /dev/null
tmx send-keys -t "$TS" -l 'cat > /vol/keys'
tmx send-keys -t "$TS" Enter
tmx send-keys -t "$TS" -l 'a'
tmx send-keys -t "$TS" C-p
tmx send-keys -t "$TS" -l 'b'
tmx send-keys -t "$TS" Enter
tmx send-keys -t "$TS" C-d
printf 'a\020b\n' > "$TMPD/keys.want"
if poll cmp -s "$TMPD/keys.want" "$VOL/keys"; then
	pass "a ctrl-p that does not start the detach sequence reaches the workload, in order"
else
	fail "a ctrl-p that does not start the detach sequence reaches the workload, in order" "keys: $(od -c "$VOL/keys" 2>&1)"
fi
tmx send-keys -t "$TS" C-p C-q
is "$(twait att2)" 0 "ctrl-p ctrl-q after that still detaches"

# --detach-keys: ctrl-p ctrl-q is just input then.
rm -f "$VOL/a.still"
tsend att3 "$LXW attach --detach-keys ctrl-x,x $A 2> $TMPD/att3.err"
tsize 33 90
poll file_is "$VOL/a.size" "33 90" > /dev/null
tmx send-keys -t "$TS" C-p C-q C-u
tmx send-keys -t "$TS" -l 'echo still > /vol/a.still'
tmx send-keys -t "$TS" Enter
ok "with --detach-keys ctrl-x,x, ctrl-p ctrl-q does not detach" poll file_is "$VOL/a.still" still
tmx send-keys -t "$TS" C-x
tmx send-keys -t "$TS" -l 'x'
is "$(twait att3)" 0 "ctrl-x x detaches with --detach-keys ctrl-x,x"
like "$(cat "$TMPD/att3.err")" 'read escape sequence' "and says so"
tsize 30 100

# ---- two clients at once ----------------------------------------------------------------
TS2=lxatt2$$
tsend att4 "$LXW attach $A"
poll file_is "$VOL/a.size" "30 100" > /dev/null
tmx new-session -d -s "$TS2" -x 90 -y 35 "$LXW attach $A; echo \$? > $TMPD/rc.att5; exec sleep 1000"
if poll file_is "$VOL/a.size" "35 90"; then
	pass "a second client attaches (its size, 35x90, is the terminal's now)"
else
	fail "a second client attaches (its size, 35x90, is the terminal's now)" "size: $(cat "$VOL/a.size" 2>&1)"
fi
tmx send-keys -t "$TS" -l 'echo both-$((40+2))'
tmx send-keys -t "$TS" Enter
ok "the first client sees the output" poll screen_has '^both-42'
if poll sh -c "tmux -S '$TSOCK' capture-pane -p -J -t '$TS2' | grep -q '^both-42'"; then
	pass "the second client sees the same output"
else
	fail "the second client sees the same output" "screen 2: $(tmx capture-pane -p -J -t "$TS2")"
fi
tmx send-keys -t "$TS2" C-p C-q
ok "the second client detaches on its own" poll file_is "$TMPD/rc.att5" 0
tmx send-keys -t "$TS" -l 'echo one-$((40+3))'
tmx send-keys -t "$TS" Enter
ok "the first client is still attached after the second detached" poll screen_has '^one-43'

# ---- the exit status through attach -----------------------------------------------------
rm -f "$TMPD/g.before" "$TMPD/g.after"
tmx send-keys -t "$TS" -l 'exit 5'
tmx send-keys -t "$TS" Enter
is "$(twait att4)" 5 "the workload's exit status (exit 5) is attach's"
poll status_is "$A" stopped > /dev/null
is "$(state_get "$A" exit_code)" 5 "state.json records exit_code 5"
ok "with -t the terminal's output is in stdout.log too" grep -q 'out-42' "$(cdir "$A")/stdout.log"
tmx kill-session -t "$TS2" > /dev/null 2>&1
assert_no_leftovers "$A" keep-dir "the -d -t -i container leaves nothing running"

# ---- run -d -i: stdin through a pipe ---------------------------------------------------------
B=$(new_name)
out=$(tlx run -d -i --name "$B" -- sh -c 'while read l; do echo "got $l"; [ "$l" = quit ] && exit 3; done')
is "$?:$out" "0:$B" "run -d -i exits 0 and prints the id"
printf 'hello\nquit\n' | tlx attach "$B" > "$TMPD/b.out" 2> "$TMPD/b.err"
is "$?" 3 "attach with a piped stdin to a -d -i container exits with its status (3)"
is "$(cat "$TMPD/b.out")" "$(printf 'got hello\ngot quit')" "its stdin reached the workload, its output came back"
is "$(cat "$(cdir "$B")/stdout.log")" "$(printf 'got hello\ngot quit')" "and stdout.log has it too"

# ---- late attach: output from then on, stdout and stderr apart ------------------------------------
C=$(new_name)
mkdir -p "$TMPD/c.sync"
out=$(tlx run -d --name "$C" -v "$TMPD/c.sync:/lxtsync" -- sh -c "echo before; $WAIT_GO; echo after; echo after-err >&2; exit 6")
is "$?:$out" "0:$C" "run -d of a waiting workload"
wait_file_match "$(cdir "$C")/stdout.log" before > /dev/null
base=$(sockets "$C")
lx attach --no-stdin "$C" > "$TMPD/c.out" 2> "$TMPD/c.err" &
apid=$!
record_pid "$apid"
ok "a late client attaches (bounded wait on the supervisor's sockets)" poll more_sockets "$C" "$base"
: > "$TMPD/c.sync/go"
wait "$apid"
is "$?" 6 "attach exits with the workload's status (6)"
is "$(cat "$TMPD/c.out")" after "a late attach gets the output from then on, not what came before"
is "$(cat "$TMPD/c.err")" after-err "the workload's stderr comes out on attach's stderr"
is "$(tlx logs "$C" 2>/dev/null)" "$(printf 'before\nafter')" "logs still has all of it"

# ---- create, then start -a ------------------------------------------------------------------------
E=$(new_name)
out=$(tlx create --name "$E" -- sh -c 'echo from-start; echo from-start-err >&2; exit 9')
is "$?:$out" "0:$E" "create prints the id"
tlx start -a "$E" > "$TMPD/e.out" 2> "$TMPD/e.err"
is "$?" 9 "start -a exits with the workload's status (9)"
is "$(cat "$TMPD/e.out")" from-start "start -a gets all of the workload's stdout (attached before it started)"
is "$(cat "$TMPD/e.err")" from-start-err "and its stderr"

# ---- what attach refuses: one line, 125 -----------------------------------------------------------
D=$(new_name)
tlx run -d --name "$D" -- sleep 1000 > /dev/null
xrun 125 "attach --detach-keys ctrl-1 is refused with 125" tlx attach --detach-keys ctrl-1 "$D"
like "$(cat "$TMPD/err")" 'invalid detach keys "ctrl-1"' "and says the detach keys are invalid"
is "$(line_count "$TMPD/err")" 1 "in one line"
xrun 125 "attach to an unknown id exits 125" tlx attach "nosuch$$"
like "$(cat "$TMPD/err")" 'no such container' "and says no such container"
xrun 125 "attach to a stopped container exits 125" tlx attach "$C"
like "$(cat "$TMPD/err")" 'is not running' "and says it is not running"

sup=$(state_get "$D" supervisor_pid)
kill -KILL "$sup"
poll dead "$sup" > /dev/null
xrun 125 "attach after the supervisor was SIGKILLed exits 125" tlx attach "$D"
like "$(cat "$TMPD/err")" 'supervisor .*is gone' "and says the supervisor is gone"
is "$(line_count "$TMPD/err")" 1 "in one line"
ok "the container itself still runs" lxc_running "$D"
ok "delete -f still removes it" tlx delete -f "$D"

# The init keeps a copy of what the supervisor read (pty master, output
# pipes): a workload that writes after its supervisor died is neither
# hung up (SIGHUP) nor killed by SIGPIPE.
for flag in -t -i; do
	F=$(new_name)
	mkdir -p "$TMPD/$F.sync"
	tlx run -d $flag --name "$F" -v "$TMPD/$F.sync:/lxtsync" -- sh -c \
		"$WAIT_GO; echo after-the-supervisor; echo oops >&2; touch /lxtsync/done; exec sleep 1000" > /dev/null
	sup=$(state_get "$F" supervisor_pid)
	kill -KILL "$sup"
	poll dead "$sup" > /dev/null
	: > "$TMPD/$F.sync/go"
	if poll test -e "$TMPD/$F.sync/done"; then
		pass "run -d $flag: the workload writes on after its supervisor was SIGKILLed"
	else
		fail "run -d $flag: the workload writes on after its supervisor was SIGKILLed" "state: $(lx state "$F" 2>&1)"
	fi
	ok "run -d $flag: the container still runs" lxc_running "$F"
	tlx delete -f "$F" > /dev/null 2>&1
done
