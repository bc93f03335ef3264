#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run -t: the workload gets a real terminal of the caller's size,
# the caller's terminal goes raw for -t -i and comes back, resizes, ^C and
# ^D reach the workload, full-screen programs work.  Driven through a real
# pty: a private tmux server runs an interactive sh that we type into.
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
. "${TESTS_LIB:?}"

tmux_setup lxtty
VOL=$TMPD/vol
mkdir -p "$VOL"

# tclear: a fresh screen and no history, for capture-pane.
tclear() {
	tmx send-keys -t "$TS" -l "clear"
	tmx send-keys -t "$TS" C-j
	poll screen_is_clear || true
	tmx clear-history -t "$TS"
}

# At most the prompt is left on the screen.
screen_is_clear() {
	[ "$(screen | grep -c .)" -le 1 ]
}

tmux_shell

# ---- the workload's terminal ------------------------------------------------------
n=$(new_name)
rm -f "$VOL/t1"
tsend t1 "$LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'test -t 0 -a -t 1 -a -t 2; echo \"tty=\$?\" > /vol/t1; tty >> /vol/t1; stty size >> /vol/t1'"
rc=$(twait t1)
is "$rc" 0 "run -t -i in a terminal exits 0"
is "$(sed -n 1p "$VOL/t1" 2>/dev/null)" "tty=0" "with -t, stdin, stdout and stderr of the workload are terminals"
like "$(sed -n 2p "$VOL/t1" 2>/dev/null)" '^/dev/' "with -t, tty prints a /dev path"
is "$(sed -n 3p "$VOL/t1" 2>/dev/null)" "30 100" "with -t, stty size is the caller's size (30 100)"

n=$(new_name)
rm -f "$VOL/t2"
tsend t2 "$LXW run --rm -t --name $n -v $VOL:/vol -- sh -c 'tty > /vol/t2; stty size >> /vol/t2'"
rc=$(twait t2)
is "$rc" 0 "run -t without -i in a terminal exits 0"
like "$(sed -n 1p "$VOL/t2" 2>/dev/null)" '^/dev/' "with -t and no -i, tty still prints a /dev path"
is "$(sed -n 2p "$VOL/t2" 2>/dev/null)" "30 100" "with -t and no -i, stty size is the caller's size"

# The output reaches the caller's terminal.
tclear
n=$(new_name)
tsend t3 "$LXW run --rm -t -i --name $n -- sh -c 'echo vis\"ible-\"output'"
rc=$(twait t3)
is "$rc" 0 "run -t -i echo exits 0"
if screen | grep -q '^visible-output'; then
	pass "the workload's output shows on the caller's terminal"
else
	fail "the workload's output shows on the caller's terminal" "screen: $(screen)"
fi

# ---- the caller's terminal keeps its owner and mode ----------------------------------------
PANE_TTY=$(tmx display-message -p -t "$TS" '#{pane_tty}')
chmod 620 "$PANE_TTY"
for mode in "" "-t" "-t -i"; do
	n=$(new_name)
	before=$(stat -c '%a %u:%g' "$PANE_TTY")
	tsend tmode "$LXW run --rm $mode --name $n -- true"
	rc=$(twait tmode)
	after=$(stat -c '%a %u:%g' "$PANE_TTY")
	is "$rc:$after" "0:$before" "run ${mode:-(no -t)} leaves the mode and owner of the caller's terminal alone"
done

# ---- raw mode for -t -i, restored afterwards --------------------------------------------
n=$(new_name)
rm -f "$TMPD/g.before" "$TMPD/g.during" "$TMPD/g.after"
tsend raw "stty -g > $TMPD/g.before; $LXW run --rm -t -i --name $n -- true; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
rc=$(twait raw)
is "$rc" 0 "run -t -i true exits 0"
ok "the caller's terminal modes are restored after a -t -i run" cmp -s "$TMPD/g.before" "$TMPD/g.after"

# While it runs, the caller's terminal is raw: look at it from outside.
n=$(new_name)
rm -f "$VOL/rawd.up" "$TMPD/g.before" "$TMPD/g.after"
tsend rawd "stty -g > $TMPD/g.before; $LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'touch /vol/rawd.up; exec cat'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll file_nonempty "$TMPD/g.before" && poll test -e "$VOL/rawd.up"; then
	during=$(stty -a < "$PANE_TTY" 2>&1)
	like "$during" '(^|[ ;])-icanon([ ;]|$)' "while -t -i runs, the caller's terminal is not canonical"
	like "$during" '(^|[ ;])-echo([ ;]|$)' "while -t -i runs, the caller's terminal does not echo"
	like "$during" '(^|[ ;])-isig([ ;]|$)' "while -t -i runs, the caller's terminal makes no signals (^C goes to the workload)"
else
	fail "the -t -i cat session started" "screen: $(screen)"
fi
tmx send-keys -t "$TS" C-d
rc=$(twait rawd)
is "$rc" 0 "^D ends that cat, exit 0"
ok "the caller's terminal modes are restored after a -t -i cat ended by ^D" cmp -s "$TMPD/g.before" "$TMPD/g.after"

# Restored when lxcshim fails.  ARGS is typed as is into the tmux shell.
fail_restores() {
	_key=$1
	_want=$2
	_desc=$3
	rm -f "$TMPD/g.before" "$TMPD/g.after"
	tsend "$_key" "stty -g > $TMPD/g.before; $LXW run --rm -t -i $4 2> $TMPD/$_key.err; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
	_rc=$(twait "$_key")
	is "$_rc" "$_want" "$_desc: run -t -i exits $_want"
	if cmp -s "$TMPD/g.before" "$TMPD/g.after"; then
		pass "$_desc: the caller's terminal modes are restored"
	else
		fail "$_desc: the caller's terminal modes are restored" \
			"before: $(cat "$TMPD/g.before" 2>&1)" " after: $(cat "$TMPD/g.after" 2>&1)"
	fi
}
n=$(new_name)
fail_restores badmem 125 "a bad --memory" "--name $n --memory 12zz -- true"
n=$(new_name)
fail_restores badvol 125 "a missing volume source" "--name $n -v $TMPD/does-not-exist:/x -- true"
n=$(new_name)
fail_restores badcpu 125 "a cpuset the host lacks (lxc-start fails)" "--name $n --cpuset-cpus 4000 -- true"
n=$(new_name)
fail_restores nocmd 127 "a command not found" "--name $n -- /no/such/command"
n=$(new_name)
fail_restores exit9 9 "a workload exiting 9" "--name $n -- sh -c 'exit 9'"

# ---- window resize --------------------------------------------------------------------
n=$(new_name)
rm -f "$VOL/size"
tsize 30 100
tsend winch "$LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'while :; do stty size > /vol/size.tmp; mv /vol/size.tmp /vol/size; sleep 0.05; done'"
if poll file_is "$VOL/size" "30 100"; then
	pass "resize: the workload starts at 30 100"
else
	fail "resize: the workload starts at 30 100" "size: $(cat "$VOL/size" 2>&1)"
fi
tresize "$VOL/size" 40 120 "resizing the caller's terminal to 40x120 resizes the workload's terminal"
tresize "$VOL/size" 25 90 "a second resize (25x90) propagates too"
tmx send-keys -t "$TS" C-c
rc=$(twait winch)
is "$rc" 130 "^C ends the resize loop, run exits 130"
tsize 30 100

# SIGWINCH itself reaches the workload, the foreground process of its tty.
n=$(new_name)
rm -f "$VOL/winch" "$VOL/winch.up"
tsend trapw "$LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'trap \"stty size > /vol/winch\" WINCH; touch /vol/winch.up; while :; do sleep 0.05; done'"
if poll test -e "$VOL/winch.up"; then
	tsize 35 110
	if poll file_is "$VOL/winch" "35 110"; then
		pass "the workload gets SIGWINCH and sees the new size 35 110"
	else
		fail "the workload gets SIGWINCH and sees the new size 35 110" "winch: $(cat "$VOL/winch" 2>&1)"
	fi
else
	fail "the WINCH trap workload started" "screen: $(screen)"
fi
tmx send-keys -t "$TS" C-c
rc=$(twait trapw)
is "$rc" 130 "^C ends the WINCH trap loop, run exits 130"
tsize 30 100

# ---- ^C and ^D --------------------------------------------------------------------------
n=$(new_name)
rm -f "$VOL/sl.up" "$TMPD/g.before" "$TMPD/g.after"
tsend ctrlc "stty -g > $TMPD/g.before; $LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'touch /vol/sl.up; exec sleep 100'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll test -e "$VOL/sl.up"; then
	tmx send-keys -t "$TS" C-c
	rc=$(twait ctrlc)
	is "$rc" 130 "-t -i: ^C interrupts sleep 100 and run exits 130"
	ok "the caller's terminal modes are restored after ^C" cmp -s "$TMPD/g.before" "$TMPD/g.after"
else
	fail "the sleep 100 workload started" "screen: $(screen)"
fi

# Without -i, ^C is the caller's terminal's SIGINT: proxied to the workload.
n=$(new_name)
rm -f "$VOL/sl2.up"
tsend ctrlc2 "$LXW run --rm -t --name $n -v $VOL:/vol -- sh -c 'touch /vol/sl2.up; exec sleep 100'"
if poll test -e "$VOL/sl2.up"; then
	tmx send-keys -t "$TS" C-c
	rc=$(twait ctrlc2)
	is "$rc" 130 "-t without -i: ^C (SIGINT, proxied) ends sleep 100, run exits 130"
else
	fail "the sleep 100 workload (no -i) started" "screen: $(screen)"
fi

tclear
n=$(new_name)
rm -f "$VOL/cat.up"
tsend ctrld "$LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'touch /vol/cat.up; exec cat'"
if poll test -e "$VOL/cat.up"; then
	tmx send-keys -t "$TS" -l "hello-from-keyboard"
	tmx send-keys -t "$TS" Enter
	poll screen_has '^hello-from-keyboard$' >/dev/null
	tmx send-keys -t "$TS" C-d
	rc=$(twait ctrld)
	is "$rc" 0 "^D ends cat, run exits 0"
	cnt=$(screen | grep -c '^hello-from-keyboard$')
	is "$cnt" 2 "the typed line shows twice: the terminal's echo and cat's copy"
else
	fail "the cat workload started" "screen: $(screen)"
fi

# ---- signals to a -t -i run, and the caller's terminal ---------------------------------------
sup_of() {
	state_get "$1" supervisor_pid 2>/dev/null
}
n=$(new_name)
rm -f "$VOL/spt.up" "$TMPD/g.before" "$TMPD/g.after"
tsend spt "stty -g > $TMPD/g.before; $LXW run --rm -t -i --name $n -v $VOL:/vol -- sh -c 'touch /vol/spt.up; exec sleep 100'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll test -e "$VOL/spt.up"; then
	kill -TERM "$(sup_of "$n")"
	rc=$(twait spt)
	is "$rc" 143 "-t -i: SIGTERM to lxcshim is proxied, sleep 100 dies, run exits 143"
	ok "-t -i: the caller's terminal modes are restored after a proxied SIGTERM" cmp -s "$TMPD/g.before" "$TMPD/g.after"
else
	fail "the -t -i sleep workload started" "screen: $(screen)"
fi

# --sig-proxy=false: SIGTERM kills lxcshim itself; it must not leave the
# caller's terminal raw.
n=$(new_name)
rm -f "$VOL/spf.up" "$TMPD/g.before" "$TMPD/g.after"
tsend spf "stty -g > $TMPD/g.before; $LXW run --rm -t -i --sig-proxy=false --name $n -v $VOL:/vol -- sh -c 'touch /vol/spf.up; exec sleep 100'; r=\$?; stty -g > $TMPD/g.after; (exit \$r)"
if poll test -e "$VOL/spf.up"; then
	kill -TERM "$(sup_of "$n")"
	rc=$(twait spf)
	is "$rc" 143 "-t -i --sig-proxy=false: SIGTERM ends lxcshim itself (143)"
	if cmp -s "$TMPD/g.before" "$TMPD/g.after"; then
		pass "-t -i --sig-proxy=false: the caller's terminal modes are restored when SIGTERM ends lxcshim"
	else
		fail "-t -i --sig-proxy=false: the caller's terminal modes are restored when SIGTERM ends lxcshim" \
			"before: $(cat "$TMPD/g.before" 2>&1)" " after: $(cat "$TMPD/g.after" 2>&1)"
	fi
else
	fail "the -t -i --sig-proxy=false sleep workload started" "screen: $(screen)"
fi
lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
# Put the shell's terminal back for what follows.
tsend sane "stty \$(cat $TMPD/g.before)"
twait sane > /dev/null

# The caller's terminal goes away: SIGHUP reaches the workload, the
# container ends (docker run -it does the same).
TS2=lxtty2$$
n=$(new_name)
rm -f "$VOL/hup.up"
tmx new-session -d -s "$TS2" -x 80 -y 24 "$LXW run -t -i --name $n -v $VOL:/vol -- sh -c 'touch /vol/hup.up; exec sleep 1000'"
if poll test -e "$VOL/hup.up"; then
	tmx kill-session -t "$TS2"
	stopped() {
		[ "$(state_get "$1" status 2>/dev/null)" = stopped ]
	}
	if poll stopped "$n"; then
		pass "closing the caller's terminal ends a -t -i container"
		is "$(state_get "$n" exit_code)" 129 "it ended by SIGHUP (129)"
	else
		fail "closing the caller's terminal ends a -t -i container" "status: $(state_get "$n" status)"
	fi
	assert_no_leftovers "$n" keep-dir "closing the caller's terminal leaves no container running"
else
	fail "the -t -i sleep 1000 workload in a second session started"
	tmx kill-session -t "$TS2" 2>/dev/null
fi

# ---- a full-screen program --------------------------------------------------------------
n=$(new_name)
printf 'world\n' > "$VOL/vi.txt"
tclear
tsend vi "$LXW run --rm -t -i --name $n -v $VOL:/vol -- vi /vol/vi.txt"
if poll screen_has '^world'; then
	pass "vi draws the file"
	# Keys one step at a time: vi takes ESC followed at once by more
	# bytes for an escape sequence.
	tmx send-keys -t "$TS" -l "i"
	poll screen_has '^I ' >/dev/null
	tmx send-keys -t "$TS" -l "hello "
	poll screen_has '^hello world' >/dev/null
	tmx send-keys -t "$TS" Escape
	poll screen_has '^- ' >/dev/null
	tmx send-keys -t "$TS" -l ":wq"
	tmx send-keys -t "$TS" Enter
	rc=$(twait vi)
	is "$rc" 0 "vi :wq exits 0"
	is "$(cat "$VOL/vi.txt")" "hello world" "vi edited the file in the volume"
else
	fail "vi draws the file" "screen: $(screen)"
	tmx send-keys -t "$TS" Escape
	tmx send-keys -t "$TS" -l ":q!"
	tmx send-keys -t "$TS" Enter
	twait vi >/dev/null
fi

n=$(new_name)
tclear
tsend top "$LXW run --rm -t -i --name $n -- top -n 1"
rc=$(twait top)
is "$rc" 0 "top -n 1 exits 0"
if screen | grep -q 'PID'; then
	pass "top draws its process table"
else
	fail "top draws its process table" "screen: $(screen)"
fi

# ---- -t when the caller's stdin is not a terminal ------------------------------------------
n=$(new_name)
out=$(echo | tlx run --rm -t --name "$n" -- echo hi)
rc=$?
is "$rc" 0 "echo | run -t -- echo hi exits 0"
like "$out" 'hi' "echo | run -t -- echo hi prints hi"

n=$(new_name)
out=$(printf 'abc\n' | tlx run --rm -t -i --name "$n" -- cat | tr -d '\r')
rc=$?
is "$rc" 0 "printf abc | run -t -i -- cat: EOF of a piped stdin ends cat, exit 0 (124 = hung)"
like "$out" 'abc' "printf abc | run -t -i -- cat prints abc"

n=$(new_name)
out=$(tlx run --rm -t --name "$n" -- sh -c 'test -t 0 -a -t 1 && echo both-ttys' < /dev/null | tr -d '\r')
is "$out" both-ttys "-t with stdin and stdout not terminals still gives the workload a terminal"

# Everything the workload wrote is out when run -t returns.
n=$(new_name)
tlx run --rm -t --name "$n" -- sh -c 'head -c 1000000 /dev/zero | tr "\0" x; echo; echo END' < /dev/null > "$TMPD/big"
rc=$?
is "$rc" 0 "run -t writing 1 MB exits 0"
is "$(tr -cd x < "$TMPD/big" | wc -c | tr -d ' ')" 1000000 "all 1000000 bytes through the pty are there when run -t returns"
is "$(tail -n 1 "$TMPD/big" | tr -d '\r')" END "the last line through the pty is there when run -t returns"

# The workload's terminal when the caller has none: a sane default size.
n=$(new_name)
out=$(tlx run --rm -t --name "$n" -- stty size < /dev/null | tr -d '\r')
like "$out" '^[1-9][0-9]* [1-9][0-9]*$' "without a caller terminal the workload's terminal has a non-zero size ($out)"
