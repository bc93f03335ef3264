#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Signals sent to a foreground `lxcshim run` reach the workload (docker's
# sig-proxy); --sig-proxy=false leaves them to lxcshim itself; the workload
# starts with default dispositions and an empty blocked mask whatever the
# caller had.
. "${TESTS_LIB:?}"

alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'
}

dead() {
	! alive "$1"
}

# up_or_dead FILE PID: FILE exists, or PID has ended (then FILE never will).
up_or_dead() {
	[ -e "$1" ] || dead "$2"
}

# reap PID: waits (bounded) for a background process of ours; sets RC
# ("hung" if it had to be killed).
reap() {
	if poll dead "$1"; then
		RC=0
		wait "$1" || RC=$?
	else
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		RC=hung
	fi
}

has_env_default_signal() {
	env --default-signal=INT true >/dev/null 2>&1
}

# A workload that traps SIG, says when the trap is set, and exits 7 on it.
trap_workload() {
	echo "trap 'echo got-$1; exit 7' $1; touch /sync/up; while :; do sleep 0.1; done"
}

# ---- each proxied signal reaches the workload -------------------------------------------
# dash gives a background command SIGINT and SIGQUIT ignored; env
# --default-signal undoes that, so this is the plain case.
if has_env_default_signal; then
	DEFSIG="env --default-signal"
else
	DEFSIG=
fi
for sig in INT TERM HUP QUIT USR1 USR2; do
	n=$(new_name)
	sync=$TMPD/$n.sync
	mkdir -p "$sync"
	$DEFSIG "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$n" -v "$sync:/sync" -- \
		sh -c "$(trap_workload "$sig")" < /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
	pid=$!
	record_pid "$pid"
	if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
		if [ "$(state_get "$n" status)" = running ]; then
			pass "SIG$sig: state.json says running before the signal"
		else
			fail "SIG$sig: state.json says running before the signal" "status: $(state_get "$n" status)"
		fi
		kill -"$sig" "$pid"
		reap "$pid"
		is "$RC" 7 "SIG$sig to a foreground run reaches the workload's trap: run exits 7"
		is "$(cat "$TMPD/$n.out")" "got-$sig" "SIG$sig: the workload printed got-$sig"
		is "$(state_get "$n" exit_code)" 7 "SIG$sig: state.json exit_code is 7"
	else
		reap "$pid"
		fail "SIG$sig: the trapping workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
	fi
done

# The same for a caller that ignores SIGINT and SIGQUIT (a plain `&` in sh,
# nohup-like callers): lxcshim still takes them and passes them on.
for sig in INT QUIT; do
	n=$(new_name)
	sync=$TMPD/$n.sync
	mkdir -p "$sync"
	(
		trap '' INT QUIT
		exec "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$n" -v "$sync:/sync" -- \
			sh -c "$(trap_workload "$sig")" < /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err"
	) &
	pid=$!
	record_pid "$pid"
	if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
		kill -"$sig" "$pid"
		reap "$pid"
		is "$RC:$(cat "$TMPD/$n.out")" "7:got-$sig" "SIG$sig reaches the workload even when the caller ignores it"
	else
		reap "$pid"
		fail "SIG$sig (caller ignores it): the trapping workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
	fi
done

# A signal number, sent twice: every one is forwarded.
n=$(new_name)
sync=$TMPD/$n.sync
mkdir -p "$sync"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$n" -v "$sync:/sync" -- \
	sh -c 'c=0; trap "c=\$((c+1)); echo usr1-\$c; [ \$c -ge 2 ] && exit 7" USR1; touch /sync/up; while :; do sleep 0.1; done' \
	< /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
pid=$!
record_pid "$pid"
if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
	kill -USR1 "$pid"
	if poll grep -qx usr1-1 "$TMPD/$n.out"; then
		pass "a first SIGUSR1 reaches the workload"
	else
		fail "a first SIGUSR1 reaches the workload" "out: $(cat "$TMPD/$n.out")"
	fi
	kill -USR1 "$pid"
	reap "$pid"
	is "$RC" 7 "a second SIGUSR1 reaches the workload too: run exits 7"
	is "$(cat "$TMPD/$n.out")" "$(printf 'usr1-1\nusr1-2')" "the workload saw both"
else
	reap "$pid"
	fail "the USR1-counting workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
fi

# ---- a workload without a handler dies of it -------------------------------------------------
for pair in TERM:143 INT:130 HUP:129 USR1:138; do
	sig=${pair%%:*}
	want=${pair#*:}
	n=$(new_name)
	sync=$TMPD/$n.sync
	mkdir -p "$sync"
	$DEFSIG "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$n" -v "$sync:/sync" -- \
		sh -c 'touch /sync/up; exec sleep 100' < /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
	pid=$!
	record_pid "$pid"
	if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
		kill -"$sig" "$pid"
		reap "$pid"
		is "$RC" "$want" "sleep 100 without a handler + SIG$sig: run exits $want"
		is "$(state_get "$n" exit_code)" "$want" "SIG$sig: state.json exit_code is $want"
	else
		reap "$pid"
		fail "sleep 100 (for SIG$sig) started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
	fi
done

# ---- -t: the signal goes to the workload's process group --------------------------------------
n=$(new_name)
sync=$TMPD/$n.sync
mkdir -p "$sync"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run -t --name "$n" -v "$sync:/sync" -- \
	sh -c "$(trap_workload TERM)" < /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
pid=$!
record_pid "$pid"
if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
	kill -TERM "$pid"
	reap "$pid"
	is "$RC" 7 "SIGTERM to a foreground run -t reaches the workload's trap: run exits 7"
	like "$(tr -d '\r' < "$TMPD/$n.out")" '^got-TERM$' "run -t: the workload printed got-TERM"
else
	reap "$pid"
	fail "the -t trapping workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
fi

n=$(new_name)
sync=$TMPD/$n.sync
mkdir -p "$sync"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run -t --name "$n" -v "$sync:/sync" -- \
	sh -c 'touch /sync/up; sleep 100; echo not-reached' < /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
pid=$!
record_pid "$pid"
if poll up_or_dead "$sync/up" "$pid" && [ -e "$sync/up" ]; then
	kill -HUP "$pid"
	reap "$pid"
	is "$RC" 129 "SIGHUP to run -t reaches the whole foreground group (sh and its sleep): run exits 129"
else
	reap "$pid"
	fail "the -t sleep workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
fi

# ---- --sig-proxy=false ----------------------------------------------------------------------------
# The workload beats a counter: two more beats after lxcshim died prove a
# forwarded signal would have been handled by then.
n=$(new_name)
sync=$TMPD/$n.sync
mkdir -p "$sync"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --sig-proxy=false --name "$n" -v "$sync:/sync" -- \
	sh -c 'trap "touch /sync/got-term; exit 7" TERM; i=0; while :; do i=$((i+1)); echo $i > /sync/beat.tmp; mv /sync/beat.tmp /sync/beat; sleep 0.05; done' \
	< /dev/null > "$TMPD/$n.out" 2> "$TMPD/$n.err" &
pid=$!
record_pid "$pid"
beat() {
	cat "$1/beat" 2>/dev/null || echo 0
}
beat_past() {
	[ "$(beat "$1")" -ge "$2" ] 2>/dev/null
}
if poll test -s "$sync/beat"; then
	kill -TERM "$pid"
	reap "$pid"
	is "$RC" 143 "--sig-proxy=false: SIGTERM kills lxcshim itself (143)"
	b=$(beat "$sync")
	if poll beat_past "$sync" $((b + 2)); then
		pass "--sig-proxy=false: the workload keeps running after lxcshim died"
	else
		fail "--sig-proxy=false: the workload keeps running after lxcshim died" "beat stuck at $(beat "$sync")"
	fi
	ok "--sig-proxy=false: the workload did not get the SIGTERM" test ! -e "$sync/got-term"
	ok "--sig-proxy=false: the container still runs" lxc_running "$n"
else
	reap "$pid"
	fail "the --sig-proxy=false workload started" "status $RC" "stderr: $(cat "$TMPD/$n.err")"
fi
lxc-stop -k -n "$n" -P "$LXCPATH" > /dev/null 2>&1

# ---- the workload's dispositions and mask ------------------------------------------------------------
zero=0000000000000000
sig_line() {
	sed -n "s/^$1:[[:space:]]*//p" "$2"
}
host=$( (trap '' INT PIPE; exec cat /proc/self/status) | sed -n 's/^SigIgn:[[:space:]]*//p')
isnt "$host" "$zero" "sanity: a host process started under trap '' INT PIPE ignores signals ($host)"

n=$(new_name)
(
	trap '' INT PIPE
	exec "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -- cat /proc/self/status
) < /dev/null > "$TMPD/st.fg" 2> "$TMPD/st.fg.err"
is "$?" 0 "run from a caller ignoring INT and PIPE exits 0"
is "$(sig_line SigIgn "$TMPD/st.fg")" "$zero" "the workload ignores no signal though the caller ignored INT and PIPE"
is "$(sig_line SigBlk "$TMPD/st.fg")" "$zero" "the workload blocks no signal"

n=$(new_name)
(
	trap '' INT PIPE
	exec "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm -t --name "$n" -- cat /proc/self/status
) < /dev/null > "$TMPD/st.tty" 2> "$TMPD/st.tty.err"
tr -d '\r' < "$TMPD/st.tty" > "$TMPD/st.tty2"
is "$(sig_line SigIgn "$TMPD/st.tty2")" "$zero" "run -t: the workload ignores no signal though the caller ignored INT and PIPE"
is "$(sig_line SigBlk "$TMPD/st.tty2")" "$zero" "run -t: the workload blocks no signal"

n=$(new_name)
(
	trap '' INT PIPE HUP
	exec "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run -d --name "$n" -- cat /proc/self/status
) < /dev/null > /dev/null 2> "$TMPD/st.d.err"
stopped() {
	[ "$(state_get "$1" status 2>/dev/null)" = stopped ]
}
poll stopped "$n" || true
is "$(sig_line SigIgn "$(cdir "$n")/stdout.log")" "$zero" "run -d: the workload ignores no signal though the caller ignored INT, PIPE and HUP"
is "$(sig_line SigBlk "$(cdir "$n")/stdout.log")" "$zero" "run -d: the workload blocks no signal"

# A blocked mask in the caller (python can set one up before exec).
if [ -n "$T_PYTHON" ]; then
	n=$(new_name)
	"$T_PYTHON" -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGTERM, signal.SIGCHLD, signal.SIGALRM])
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -- cat /proc/self/status \
		< /dev/null > "$TMPD/st.py" 2> "$TMPD/st.py.err"
	is "$?" 0 "run from a caller with a blocked mask exits 0"
	is "$(sig_line SigBlk "$TMPD/st.py")" "$zero" "the workload blocks no signal though the caller blocked USR1, TERM, CHLD, ALRM"
	is "$(sig_line SigIgn "$TMPD/st.py")" "$zero" "the workload ignores no signal though the caller ignored HUP and PIPE"
else
	skip "the workload's mask with a caller's blocked mask" "python3 is not installed"
fi

# Signals 32 and 33 (glibc's internal SIGCANCEL and SIGSETXID) ignored by
# the caller: glibc's sigaction() refuses to touch them, so only a raw
# rt_sigaction resets them.  Set them ignored with a raw syscall too.
case $(uname -m) in
x86_64) NR_RT_SIGACTION=13 ;;
aarch64) NR_RT_SIGACTION=134 ;;
*) NR_RT_SIGACTION= ;;
esac
if [ -n "$T_PYTHON" ] && [ -n "$NR_RT_SIGACTION" ]; then
	n=$(new_name)
	"$T_PYTHON" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class KSigaction(ctypes.Structure):
    _fields_ = [("handler", ctypes.c_ulong), ("flags", ctypes.c_ulong),
                ("restorer", ctypes.c_ulong), ("mask", ctypes.c_ulong)]
ign = KSigaction(1, 0, 0, 0)  # SIG_IGN
for sig in (32, 33):
    if libc.syscall(ctypes.c_long(int(sys.argv[1])), ctypes.c_long(sig), ctypes.byref(ign), None, ctypes.c_long(8)) != 0:
        sys.exit(99)
os.execv(sys.argv[2], sys.argv[2:])' "$NR_RT_SIGACTION" "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -- cat /proc/self/status \
		< /dev/null > "$TMPD/st.rt" 2> "$TMPD/st.rt.err"
	is "$?" 0 "run from a caller ignoring signals 32 and 33 exits 0"
	is "$(sig_line SigIgn "$TMPD/st.rt")" "$zero" "the workload ignores no signal though the caller ignored signals 32 and 33"
else
	skip "the workload's dispositions with signals 32 and 33 ignored by the caller" "needs python3 on x86_64 or aarch64"
fi

# The workload's SIGPIPE works: yes into a closed pipe dies of it (141);
# with SIGPIPE ignored it would exit 1 on EPIPE instead.
n=$(new_name)
mkdir -p "$TMPD/$n.sync"
out=$( (trap '' PIPE; exec timeout 60 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -v "$TMPD/$n.sync:/sync" -- \
	sh -c '{ yes; echo "yes-status=$?" > /sync/st; } | head -c 4 > /dev/null; cat /sync/st' 2>/dev/null) | head -c 100)
is "$out" yes-status=141 "yes in the workload dies of SIGPIPE under a caller that ignores SIGPIPE"
