#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# exec -t: a real terminal inside the container (its own devpts): tty
# names /dev/pts/N, TERM, stty size and resizes follow the caller, job
# control and ^C work, and the caller's terminal mode comes back on every
# exit path.  Driven through a private tmux server, as tty.sh does.
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "${TESTS_LIB:?}"

tmux_setup lxet
VOL=$TMPD/vol
mkdir -p "$VOL"
chmod 1777 "$VOL" # -u 1000 writes there too

# ttype LINE: types LINE and Enter, for the shell inside the container
# (no status record: tsend's is the caller's shell).
ttype() {
	tmx send-keys -t "$TS" -l "$1"
	tmx send-keys -t "$TS" Enter
}

# The pid of the lxcshim the tmux shell runs now (the wrapper execs it).
exec_pid() {
	pgrep -P "$(tmx display-message -p -t "$TS" '#{pane_pid}')" | head -n 1
}

tmux_shell

n=$(new_name)
if ! start_bg "$n" -v "$VOL:/vol" -- sleep 1000; then
	fail "the container starts" "$(cat "$TMPD/$n.err")"
	exit 1
fi
pass "the container starts"

# ---- a terminal of the container's own ------------------------------------------
rm -f "$VOL/t1"
tsend t1 "$LXW exec -t -i $n sh -c 'tty > /vol/t1; stty size >> /vol/t1; echo \"TERM=\$TERM\" >> /vol/t1; test -t 0 -a -t 1 -a -t 2; echo \"ttys=\$?\" >> /vol/t1; ls /dev/pts >> /vol/t1; exit 3'"
is "$(twait t1)" 3 "exec -t -i: the process's exit status (3) comes through"
tty1=$(sed -n 1p "$VOL/t1" 2>/dev/null)
like "$tty1" '^/dev/pts/[0-9]+$' "exec -t: tty prints a /dev/pts/N (not \"not a tty\")"
ok "exec -t: that pty is in the container's devpts, not the host's" grep -qx "$(basename "${tty1:-none}")" "$VOL/t1"
is "$(sed -n 2p "$VOL/t1" 2>/dev/null)" "30 100" "exec -t: stty size is the caller's (30 100)"
is "$(sed -n 3p "$VOL/t1" 2>/dev/null)" "TERM=xterm" "exec -t: TERM=xterm"
is "$(sed -n 4p "$VOL/t1" 2>/dev/null)" "ttys=0" "exec -t: stdin, stdout and stderr are the terminal"

rm -f "$VOL/t2"
tsend t2 "$LXW exec -t -e TERM=vt100 $n sh -c 'echo \"\$TERM\" > /vol/t2; tty >> /vol/t2'"
is "$(twait t2)" 0 "exec -t without -i exits 0"
is "$(sed -n 1p "$VOL/t2" 2>/dev/null)" vt100 "exec -t -e TERM=vt100: -e wins over TERM=xterm"
like "$(sed -n 2p "$VOL/t2" 2>/dev/null)" '^/dev/pts/[0-9]+$' "exec -t without -i: tty still prints /dev/pts/N"

rm -f "$VOL/t3"
tsend t3 "$LXW exec -t -u 1000 $n sh -c 'stat -c %u \$(tty) > /vol/t3'"
is "$(twait t3)" 0 "exec -t -u 1000 exits 0"
is "$(cat "$VOL/t3" 2>/dev/null)" 1000 "exec -t -u 1000: the user owns its terminal"

# Output reaches the caller's terminal.
tsend t4 "clear; $LXW exec -t $n sh -c 'echo vis\"ible-\"exec-output'"
is "$(twait t4)" 0 "exec -t echo exits 0"
if poll screen_has '^visible-exec-output'; then
	pass "exec -t: the output shows on the caller's terminal"
else
	fail "exec -t: the output shows on the caller's terminal" "screen: $(screen)"
fi

# ---- window resize ------------------------------------------------------------------
rm -f "$VOL/size" "$TMPD/g.before" "$TMPD/g.after"
tsize 30 100
tsend winch "stty -g > $TMPD/g.before; $LXW exec -t -i $n sh -c 'trap \"stty size > /vol/size.tmp; mv /vol/size.tmp /vol/size\" WINCH; stty size > /vol/size; while :; do sleep 1; done'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll file_is "$VOL/size" "30 100"; then
	pass "resize: the process starts at 30 100"
	tresize "$VOL/size" 40 120 "resizing the caller's window to 40x120 resizes the exec terminal (SIGWINCH inside)"
	tresize "$VOL/size" 25 90 "a second resize (25x90) propagates too"
else
	fail "resize: the process starts at 30 100" "size: $(cat "$VOL/size" 2>&1)"
fi
tmx send-keys -t "$TS" C-c
is "$(twait winch)" 130 "exec -t -i: ^C ends the loop, exec exits 130"
ok "the caller's terminal modes are restored after ^C" cmp -s "$TMPD/g.before" "$TMPD/g.after"
tsize 30 100

# ---- job control ------------------------------------------------------------------------
rm -f "$VOL/sh.up" "$TMPD/g.before" "$TMPD/g.after"
tsend job "clear; stty -g > $TMPD/g.before; $LXW exec -t -i $n sh -i; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
ttype "touch /vol/sh.up"
if poll test -e "$VOL/sh.up"; then
	pass "an interactive sh runs under exec -t -i"
	ttype "sleep 100 &"
	ttype "jobs"
	if poll screen_has '^\[1\]\+? +Running +sleep 100'; then
		pass "job control: jobs lists the background sleep 100"
	else
		fail "job control: jobs lists the background sleep 100" "screen: $(screen)"
	fi
	rm -f "$VOL/s200.up"
	ttype "kill %1; touch /vol/s200.up; sleep 200"
	poll test -e "$VOL/s200.up"
	# ^Z must reach sleep, not the shell still between commands.
	poll sh -c "'$LXCSHIM' --root '$ROOT' --lxcpath '$LXCPATH' ps '$n' | grep -q ' sleep 200\$'"
	tmx send-keys -t "$TS" C-z
	if poll screen_has '\[[0-9]\]\+? +Stopped +sleep 200'; then
		pass "job control: ^Z stops the foreground sleep 200"
	else
		fail "job control: ^Z stops the foreground sleep 200" "screen: $(screen)"
	fi
	ttype "fg"
	poll screen_has '^sleep 200$' > /dev/null
	tmx send-keys -t "$TS" C-c
	ttype "echo fg-\$?-done"
	if poll screen_has '^fg-130-done'; then
		pass "job control: fg brings it back and ^C ends it (130)"
	else
		fail "job control: fg brings it back and ^C ends it (130)" "screen: $(screen)"
	fi
	ttype "exit 6"
	is "$(twait job)" 6 "exit 6 of the interactive sh: exec exits 6"
	ok "the caller's terminal modes are restored after the sh session" cmp -s "$TMPD/g.before" "$TMPD/g.after"
else
	fail "an interactive sh runs under exec -t -i" "screen: $(screen)"
	tmx send-keys -t "$TS" C-d
	twait job > /dev/null
fi

# ---- raw while it runs, restored on every exit path ---------------------------------------------
PANE_TTY=$(tmx display-message -p -t "$TS" '#{pane_tty}')
rm -f "$VOL/cat.up" "$TMPD/g.before" "$TMPD/g.after"
tsend rawd "stty -g > $TMPD/g.before; $LXW exec -t -i $n sh -c 'touch /vol/cat.up; exec cat'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll file_nonempty "$TMPD/g.before" && poll test -e "$VOL/cat.up"; then
	during=$(stty -a < "$PANE_TTY" 2>&1)
	like "$during" '(^|[ ;])-icanon([ ;]|$)' "while exec -t -i runs, the caller's terminal is not canonical"
	like "$during" '(^|[ ;])-isig([ ;]|$)' "while exec -t -i runs, the caller's terminal makes no signals"
else
	fail "the exec -t -i cat started" "screen: $(screen)"
fi
tmx send-keys -t "$TS" C-d
is "$(twait rawd)" 0 "^D ends that cat, exec exits 0"
ok "the caller's terminal modes are restored after ^D" cmp -s "$TMPD/g.before" "$TMPD/g.after"

# exec_restores KEY WANT DESC ARGS: ARGS typed as is after "exec -t -i".
exec_restores() {
	rm -f "$TMPD/g.before" "$TMPD/g.after"
	tsend "$1" "stty -g > $TMPD/g.before; $LXW exec -t -i $4 2> $TMPD/$1.err; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
	is "$(twait "$1")" "$2" "$3: exec -t -i exits $2"
	if cmp -s "$TMPD/g.before" "$TMPD/g.after"; then
		pass "$3: the caller's terminal modes are restored"
	else
		fail "$3: the caller's terminal modes are restored" \
			"before: $(cat "$TMPD/g.before" 2>&1)" " after: $(cat "$TMPD/g.after" 2>&1)"
	fi
}
exec_restores nodir 125 "a missing -w directory" "-w /lxt/no/dir $n true"
is "$(cat "$TMPD/nodir.err")" "lxcshim: cannot change to working directory /lxt/no/dir: No such file or directory" \
	"a missing -w directory: one line naming it"
exec_restores nocmd 127 "a command not found" "$n lxt-no-such-command"
exec_restores nouser 125 "an unknown user" "-u lxt-nosuchuser $n true"
exec_restores noid 125 "an unknown container" "lxt-no-such-container true"
exec_restores exit9 9 "a process exiting 9" "$n -- sh -c 'exit 9'"

# SIGTERM to lxcshim is forwarded; the terminal comes back.
rm -f "$VOL/sl.up" "$TMPD/g.before" "$TMPD/g.after"
tsend term "stty -g > $TMPD/g.before; $LXW exec -t -i $n sh -c 'touch /vol/sl.up; exec sleep 100'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll test -e "$VOL/sl.up" && xp=$(exec_pid) && [ -n "$xp" ]; then
	kill -TERM "$xp"
	is "$(twait term)" 143 "SIGTERM to exec -t -i reaches sleep 100: exec exits 143"
	ok "the caller's terminal modes are restored after a forwarded SIGTERM" cmp -s "$TMPD/g.before" "$TMPD/g.after"
else
	fail "the exec -t -i sleep started" "screen: $(screen)"
fi

# Without -i, ^C is the caller's SIGINT, forwarded.
rm -f "$VOL/sl2.up"
tsend ctrlc "$LXW exec -t $n sh -c 'touch /vol/sl2.up; exec sleep 100'"
if poll test -e "$VOL/sl2.up"; then
	tmx send-keys -t "$TS" C-c
	is "$(twait ctrlc)" 130 "exec -t without -i: ^C (SIGINT, forwarded) ends sleep 100, exit 130"
else
	fail "the exec -t sleep started" "screen: $(screen)"
fi

# ---- no terminal on the caller's side ------------------------------------------------------
out=$(printf 'abc\n' | timeout 60 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec -t -i "$n" cat | tr -d '\r')
is "$?:$out" "0:abc
abc" "printf abc | exec -t -i cat: the echo and cat's copy, then EOF ends it (124 = hung)"
out=$(timeout 60 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec -t "$n" sh -c 'tty; stty size' < /dev/null | tr -d '\r')
like "$out" '^/dev/pts/[0-9]+$' "exec -t with no caller terminal: still a /dev/pts/N"
like "$out" '^24 80$' "exec -t with no caller terminal: 24x80"
timeout 60 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec -t "$n" sh -c 'head -c 300000 /dev/zero | tr "\0" x; echo; echo END' < /dev/null > "$TMPD/big"
is "$?" 0 "exec -t writing 300 kB exits 0"
is "$(tr -cd x < "$TMPD/big" | wc -c | tr -d ' ')" 300000 "all 300000 bytes are there when exec -t returns"
xrun 0 "exec -t: no fd of lxcshim's reaches the process" lx exec -t "$n" sh -c 'ls /proc/self/fd | tr "\n" " "'
is "$(tr -d '\r' < "$TMPD/out")" "0 1 2 3 " "exec -t: only 0-2 (3 is ls's own directory)"

lx stop -t 0 "$n" > /dev/null 2>&1
wait "$BGP"
ok "delete after the execs" lx delete "$n"
assert_no_leftovers "$n"
