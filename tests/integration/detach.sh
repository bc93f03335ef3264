#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run -d: a daemon supervises, run prints the id and returns while
# the workload runs; output lands in stdout.log/stderr.log and `logs [-f]`
# shows it; state.json records how it ended; --rm cleans up afterwards.
. "${TESTS_LIB:?}"

VOL=$TMPD/vol
mkdir -p "$VOL"
TSOCK=$TMPD/tmux.sock

det_cleanup() {
	if command -v tmux >/dev/null 2>&1 && [ -S "$TSOCK" ]; then
		tmux -S "$TSOCK" kill-server >/dev/null 2>&1
	fi
}
trap '_det_rc=$?; det_cleanup; (exit $_det_rc); _t_on_exit' EXIT

alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'
}

dead() {
	! alive "$1"
}

status_is() {
	[ "$(state_get "$1" status 2>/dev/null)" = "$2" ]
}

gone() {
	[ ! -e "$1" ]
}

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# ---- run -d returns at once with the id, the workload runs on -----------------------
n=$(new_name)
out=$(tlx run -d --name "$n" -- sleep 1000 2> "$TMPD/d1.err")
rc=$?
is "$rc" 0 "run -d exits 0 while the workload runs (124 = it held the caller's stdout pipe)"
is "$out" "$n" "run -d prints exactly the id"
is "$(cat "$TMPD/d1.err")" "" "run -d prints nothing on stderr"
ok "the container is running after run -d returned" lxc_running "$n"
is "$(state_get "$n" status)" running "state.json says running"
ok "stdout.log exists" test -f "$(cdir "$n")/stdout.log"
ok "stderr.log exists" test -f "$(cdir "$n")/stderr.log"

sup=$(state_get "$n" supervisor_pid)
like "$sup" '^[1-9][0-9]*$' "state.json has the supervisor's pid"
if [ -n "$sup" ] && alive "$sup"; then
	pass "the supervisor is alive"
	my_sid=$(ps -o sid= -p $$ | tr -d ' ')
	sup_sid=$(ps -o sid= -p "$sup" | tr -d ' ')
	sup_ppid=$(ps -o ppid= -p "$sup" | tr -d ' ')
	isnt "$sup_sid" "$my_sid" "the supervisor is in a session of its own, not the caller's ($my_sid)"
	isnt "$sup_sid" "$sup" "the supervisor is not a session leader (double fork: it cannot get a terminal back)"
	isnt "$sup_ppid" "$$" "the supervisor is not a child of the caller"
	is "$(ps -o tty= -p "$sup" | tr -d ' ')" "?" "the supervisor has no controlling terminal"
	for fd in 0 1 2; do
		is "$(readlink "/proc/$sup/fd/$fd")" /dev/null "the supervisor's fd $fd is /dev/null"
	done
else
	fail "the supervisor is alive" "supervisor_pid: '$sup'"
fi

lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
if poll status_is "$n" stopped; then
	pass "after lxc-stop -k state.json says stopped"
else
	fail "after lxc-stop -k state.json says stopped" "state: $(cat "$(state_file "$n")" 2>&1)"
fi
is "$(state_get "$n" exit_code)" 137 "after lxc-stop -k, exit_code is 137"
if [ -n "$sup" ] && poll dead "$sup"; then
	pass "the supervisor exits when its container stops"
else
	fail "the supervisor exits when its container stops" "$(ps -o pid,ppid,sid,stat,args -p "$sup" 2>&1)"
fi
assert_no_leftovers "$n" keep-dir "a stopped detached container leaves no cgroup or lxc state"

# ---- a generated id ---------------------------------------------------------------
out=$(tlx run -d -- sleep 1000)
rc=$?
[ -n "$out" ] && record_name "$out"
is "$rc" 0 "run -d without --name exits 0"
like "$out" '^[0-9a-f]{12}$' "run -d without --name prints the generated 12-hex-digit id"
if [ -n "$out" ]; then
	ok "the generated id names a running container" lxc_running "$out"
	lxc-stop -k -n "$out" -P "$LXCPATH" > /dev/null 2>&1
	poll status_is "$out" stopped || true
fi

# ---- the supervisor outlives the caller's terminal --------------------------------------
if command -v tmux >/dev/null 2>&1; then
	n=$(new_name)
	TS=lxdet$$
	lx_wrapper "$TMPD/lxw"
	tmux -S "$TSOCK" new-session -d -s "$TS" -x 100 -y 30 \
		"sh -c '$TMPD/lxw run -d --name $n -- sleep 1000 > $TMPD/tmux.id; echo \$? > $TMPD/tmux.rc; exec sleep 1000'"
	if poll test -s "$TMPD/tmux.rc"; then
		is "$(cat "$TMPD/tmux.rc"):$(cat "$TMPD/tmux.id")" "0:$n" "run -d inside a terminal session exits 0 and prints the id"
		tsup=$(state_get "$n" supervisor_pid)
		tmux -S "$TSOCK" kill-session -t "$TS" > /dev/null 2>&1
		tmux -S "$TSOCK" kill-server > /dev/null 2>&1
		# The session's processes got SIGHUP; give a dying container
		# the chance to show it (readiness poll on the failure).
		i=0
		while [ $i -lt 50 ] && lxc_running "$n" && alive "$tsup"; do
			i=$((i + 1))
			sleep 0.02
		done
		ok "the container still runs after its terminal session was killed" lxc_running "$n"
		ok "its supervisor still runs after the terminal session was killed" alive "$tsup"
		is "$(state_get "$n" status)" running "state.json still says running"
	else
		fail "run -d inside a terminal session exits 0 and prints the id" "tmux screen: $(tmux -S "$TSOCK" capture-pane -p -t "$TS" 2>&1)"
	fi
	lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
	poll status_is "$n" stopped || true
else
	skip "the supervisor outlives the caller's terminal" "tmux is not installed"
fi

# ---- logs, state after the end --------------------------------------------------------
n=$(new_name)
out=$(tlx run -d --name "$n" -- sh -c 'echo out-line; echo err-line >&2; printf "no-newline"; exit 5')
is "$?:$out" "0:$n" "run -d of a short workload exits 0 with the id"
if poll status_is "$n" stopped; then
	pass "the short workload ends: status stopped"
else
	fail "the short workload ends: status stopped" "state: $(cat "$(state_file "$n")" 2>&1)"
fi
is "$(state_get "$n" exit_code)" 5 "state.json exit_code is 5"
is "$(state_get "$n" oom_killed)" false "state.json oom_killed is false"
like "$(state_get "$n" finished)" "$RFC3339" "state.json finished is RFC 3339"
is "$(state_get "$n" status)" stopped "state.json status is stopped"
printf 'out-line\nno-newline' > "$TMPD/want.out"
printf 'err-line\n' > "$TMPD/want.err"
ok "stdout.log holds exactly the workload's stdout" cmp -s "$TMPD/want.out" "$(cdir "$n")/stdout.log"
ok "stderr.log holds exactly the workload's stderr" cmp -s "$TMPD/want.err" "$(cdir "$n")/stderr.log"
is "$(file_mode "$(cdir "$n")/stdout.log")" 600 "stdout.log has mode 0600"
tlx logs "$n" > "$TMPD/l.out" 2> "$TMPD/l.err"
rc=$?
is "$rc" 0 "logs ID exits 0"
ok "logs prints stdout.log on stdout" cmp -s "$TMPD/want.out" "$TMPD/l.out"
ok "logs prints stderr.log on stderr" cmp -s "$TMPD/want.err" "$TMPD/l.err"
tlx logs -f "$n" > "$TMPD/l.out" 2> "$TMPD/l.err"
rc=$?
is "$rc" 0 "logs -f of a stopped container returns at once (124 = hung), exit 0"
ok "logs -f of a stopped container prints all of stdout" cmp -s "$TMPD/want.out" "$TMPD/l.out"
ok "logs -f of a stopped container prints all of stderr" cmp -s "$TMPD/want.err" "$TMPD/l.err"
assert_no_leftovers "$n" keep-dir "a finished detached container leaves no cgroup or lxc state"

# Binary output, byte-exact.
head -c 3000000 /dev/urandom > "$VOL/bin"
n=$(new_name)
tlx run -d --name "$n" -v "$VOL:/vol:ro" -- sh -c 'cat /vol/bin; cat /vol/bin >&2' > /dev/null
poll status_is "$n" stopped || true
ok "3 MB of binary stdout land byte-exact in stdout.log" cmp -s "$VOL/bin" "$(cdir "$n")/stdout.log"
ok "3 MB of binary stderr land byte-exact in stderr.log" cmp -s "$VOL/bin" "$(cdir "$n")/stderr.log"
tlx logs "$n" > "$TMPD/l.out" 2> "$TMPD/l.err"
ok "logs passes binary stdout through byte-exact" cmp -s "$VOL/bin" "$TMPD/l.out"
ok "logs passes binary stderr through byte-exact" cmp -s "$VOL/bin" "$TMPD/l.err"

# A detached workload reads /dev/null.
n=$(new_name)
tlx run -d --name "$n" -- sh -c 'cat; echo "stdin-ended"; readlink /proc/self/fd/0' > /dev/null
poll status_is "$n" stopped || true
is "$(cat "$(cdir "$n")/stdout.log")" "$(printf 'stdin-ended\n/dev/null')" "a detached workload's stdin is /dev/null"

# ---- logs -f follows until the workload ends ------------------------------------------------
n=$(new_name)
mkdir -p "$TMPD/$n.sync"
out=$(tlx run -d --name "$n" -v "$TMPD/$n.sync:/sync" -- sh -c \
	'echo first; echo first-err >&2; i=0; until [ -e /sync/go ]; do [ $i -ge 3000 ] && exit 98; i=$((i+1)); sleep 0.02; done; echo second; echo second-err >&2; exit 0')
is "$?:$out" "0:$n" "run -d of a waiting workload exits 0 with the id"
lx logs -f "$n" > "$TMPD/f.out" 2> "$TMPD/f.err" &
fpid=$!
record_pid "$fpid"
if poll grep -qx first "$TMPD/f.out" && poll grep -qx first-err "$TMPD/f.err"; then
	pass "logs -f prints what is already logged"
else
	fail "logs -f prints what is already logged" "out: $(cat "$TMPD/f.out")" "err: $(cat "$TMPD/f.err")"
fi
ok "logs -f is still running while the workload runs" alive "$fpid"
: > "$TMPD/$n.sync/go"
if poll dead "$fpid"; then
	pass "logs -f returns when the workload exits"
	wait "$fpid"
	is "$?" 0 "logs -f exits 0"
else
	fail "logs -f returns when the workload exits" "state: $(state_get "$n" status)"
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
fi
is "$(cat "$TMPD/f.out")" "$(printf 'first\nsecond')" "logs -f has all of stdout, including what came while following"
is "$(cat "$TMPD/f.err")" "$(printf 'first-err\nsecond-err')" "logs -f has all of stderr, including what came while following"
poll status_is "$n" stopped || true
is "$(state_get "$n" exit_code)" 0 "the followed workload's exit_code is 0"

# logs -f returns when the container is killed from outside, too.
n=$(new_name)
out=$(tlx run -d --name "$n" -- sh -c 'echo up; exec sleep 1000')
lx logs -f "$n" > "$TMPD/k.out" 2> /dev/null &
fpid=$!
record_pid "$fpid"
poll grep -qx up "$TMPD/k.out" || true
lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
if poll dead "$fpid"; then
	pass "logs -f returns when the container is killed (lxc-stop -k)"
	wait "$fpid"
else
	fail "logs -f returns when the container is killed (lxc-stop -k)"
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
fi
is "$(cat "$TMPD/k.out")" up "logs -f of a killed container has its output"
poll status_is "$n" stopped || true

# ---- -d --rm ------------------------------------------------------------------------------
n=$(new_name)
mkdir -p "$TMPD/$n.sync"
out=$(tlx run -d --rm --name "$n" -v "$TMPD/$n.sync:/sync" -- sh -c \
	'i=0; until [ -e /sync/go ]; do [ $i -ge 3000 ] && exit 98; i=$((i+1)); sleep 0.02; done; echo bye')
is "$?:$out" "0:$n" "run -d --rm exits 0 with the id"
ok "the container dir exists while a -d --rm workload runs" test -d "$(cdir "$n")"
ok "a -d --rm workload runs" lxc_running "$n"
: > "$TMPD/$n.sync/go"
i=0
while [ $i -lt 2000 ] && [ -e "$(cdir "$n")" ]; do
	i=$((i + 1))
	sleep 0.01
done
ok "-d --rm removes the container dir after the workload exits" test ! -e "$(cdir "$n")"
assert_no_leftovers "$n" "" "-d --rm leaves nothing behind"

# -d --rm killed from outside.
n=$(new_name)
out=$(tlx run -d --rm --name "$n" -- sleep 1000)
is "$?:$out" "0:$n" "run -d --rm sleep 1000 exits 0 with the id"
lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1
i=0
while [ $i -lt 2000 ] && [ -e "$(cdir "$n")" ]; do
	i=$((i + 1))
	sleep 0.01
done
assert_no_leftovers "$n" "" "-d --rm stopped by lxc-stop -k leaves nothing behind"

# ---- exits that happen at once ------------------------------------------------------------
n=$(new_name)
out=$(tlx run -d --name "$n" -- sh -c 'exit 3')
is "$?:$out" "0:$n" "run -d of a workload that exits at once: exit 0 and the id"
poll status_is "$n" stopped || true
is "$(state_get "$n" exit_code)" 3 "its exit_code 3 is recorded"

# (run -d -t and -d -i are allowed since attach exists: tests/integration/attach.sh.)

# A container that cannot start: the caller reports it and cleans up.
n=$(new_name)
# (An include LXC refuses: a cpu list it refuses is caught before starting.)
echo 'lxc.no.such.key = 1' > "$TMPD/bad-include.conf"
out=$(tlx run -d --name "$n" --lxc-include "$TMPD/bad-include.conf" -- true 2> "$TMPD/r.err")
rc=$?
is "$rc" 125 "run -d of a container lxc cannot start exits 125"
is "$out" "" "and prints no id"
like "$(cat "$TMPD/r.err")" "$n" "and the error names the container"
assert_no_leftovers "$n" "" "a failed run -d leaves nothing behind"

# ---- logs errors -----------------------------------------------------------------------------
out=$(tlx logs "nosuch$$" 2> "$TMPD/l.err")
rc=$?
is "$rc" 1 "logs of an unknown id exits 1"
like "$(cat "$TMPD/l.err")" 'no such container' "logs of an unknown id says no such container"
is "$out" "" "logs of an unknown id prints nothing on stdout"
out=$(tlx logs -f "nosuch$$" 2> "$TMPD/l.err")
rc=$?
is "$rc" 1 "logs -f of an unknown id exits 1"
like "$(cat "$TMPD/l.err")" 'no such container' "logs -f of an unknown id says no such container"
