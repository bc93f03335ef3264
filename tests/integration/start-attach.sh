#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What attach clients get when the workload cannot be executed (127 not
# found, 126 not executable): the code and the init's message, printed as
# a foreground run prints it, by start -a and by attach; and start -a -i,
# which feeds stdin to a container created with -i (its terminal with
# -t -i), closes it when its own stdin ends (docker's StdinOnce), and
# refuses a container created without -i.
. "${TESTS_LIB:?}"

sockets() {
	ls -l "/proc/$(state_get "$1" supervisor_pid)/fd" 2>/dev/null | grep -c 'socket:'
}

more_sockets() {
	[ "$(sockets "$1")" -gt "$2" ]
}

# ---- the message of a foreground run, for comparison ------------------------
tlx run --rm -- /nope > /dev/null 2> "$TMPD/fg.err"
is "$?" 127 "a foreground run of a missing command exits 127"
is "$(cat "$TMPD/fg.err")" "lxcshim: exec /nope: No such file or directory" "and prints the init's message"

# ---- start -a: 127 and 126 with the message -----------------------------------
A=$(new_name)
out=$(tlx create --name "$A" -- /nope)
is "$?:$out" "0:$A" "create of a missing command"
tlx start -a "$A" > "$TMPD/a.out" 2> "$TMPD/a.err"
is "$?" 127 "start -a of a missing command exits 127"
is "$(cat "$TMPD/a.err")" "$(cat "$TMPD/fg.err")" "start -a prints the same one line as a foreground run"
is "$(cat "$TMPD/a.out")" "" "and nothing on stdout"
tlx delete "$A" > /dev/null 2>&1

N=$(new_name)
out=$(tlx create --name "$N" -- /etc/passwd)
is "$?:$out" "0:$N" "create of a file that is not executable"
tlx start -a "$N" > /dev/null 2> "$TMPD/n.err"
is "$?" 126 "start -a of a command that cannot be executed exits 126"
is "$(cat "$TMPD/n.err")" "lxcshim: exec /etc/passwd: Permission denied" "and says why, in one line"
tlx delete "$N" > /dev/null 2>&1

# ---- attach before the start: the same --------------------------------------------
B=$(new_name)
out=$(tlx create --name "$B" -- /nope)
is "$?:$out" "0:$B" "create of another missing command"
base=$(sockets "$B")
lx attach --no-stdin "$B" > "$TMPD/b.out" 2> "$TMPD/b.err" &
apid=$!
record_pid "$apid"
ok "attach to the created container (bounded wait on the supervisor's sockets)" poll more_sockets "$B" "$base"
xrun 0 "start of it" tlx start "$B"
rc=0
wait "$apid" || rc=$?
is "$rc" 127 "attach exits 127"
is "$(cat "$TMPD/b.err")" "$(cat "$TMPD/fg.err")" "attach prints the init's message as a foreground run does"
tlx delete "$B" > /dev/null 2>&1

# ---- start -a -i -------------------------------------------------------------------
C=$(new_name)
out=$(tlx create -i --name "$C" -- sh -c 'while read l; do echo "got $l"; done; exit 4')
is "$?:$out" "0:$C" "create -i"
printf 'hi\nthere\n' | tlx start -a -i "$C" > "$TMPD/c.out" 2> "$TMPD/c.err"
is "$?" 4 "start -a -i exits with the workload's status once its stdin ended (4)"
is "$(cat "$TMPD/c.out")" "$(printf 'got hi\ngot there')" "its stdin reached the workload, its output came back"
is "$(cat "$TMPD/c.err")" "" "nothing on stderr"
tlx delete "$C" > /dev/null 2>&1

I=$(new_name)
out=$(tlx create -i --name "$I" -- cat)
is "$?:$out" "0:$I" "create -i -- cat"
echo hi | tlx start -i "$I" > "$TMPD/i.out" 2> "$TMPD/i.err"
# (cat ends only if the end of start's stdin closed the workload's)
is "$?:$(cat "$TMPD/i.out")" "0:hi" "start -i alone attaches too (docker start -i): echo hi | start -i gives hi"
tlx delete "$I" > /dev/null 2>&1

D=$(new_name)
out=$(tlx create --name "$D" -- cat)
is "$?:$out" "0:$D" "create without -i"
echo hi | tlx start -a -i "$D" > "$TMPD/d.out" 2> "$TMPD/d.err"
is "$?" 125 "start -a -i of a container created without -i exits 125"
is "$(cat "$TMPD/d.err")" "lxcshim: container $D has no stdin to attach: it was created without -i" \
	"in one line saying so"
is "$(state_get "$D" status)" created "and starts nothing: it is still created"
tlx delete -f "$D" > /dev/null 2>&1

# ---- start -a -i of a -t container, in a real terminal ------------------------------
if ! command -v tmux > /dev/null 2>&1; then
	skip "start -a -i of a -t container" "tmux is not installed"
else
	tmux_setup lxsai
	tmux_shell
	T=$(new_name)
	out=$(tlx create -t -i --name "$T" -- sh)
	is "$?:$out" "0:$T" "create -t -i"
	tsend sai "$LXW start -a -i $T 2> $TMPD/t.err"
	tmx send-keys -t "$TS" -l 'tty; echo out-$((6*7))'
	tmx send-keys -t "$TS" Enter
	ok "what is typed into start -a -i reaches the workload's shell, on its terminal" \
		poll screen_has '^/dev/console'
	ok "and its output comes back" screen_has '^out-42'
	tmx send-keys -t "$TS" -l 'exit 5'
	tmx send-keys -t "$TS" Enter
	is "$(twait sai)" 5 "start -a -i exits with the shell's status (5)"
	is "$(cat "$TMPD/t.err")" "" "nothing on stderr"
	tlx delete "$T" > /dev/null 2>&1
fi
