#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The exec'd per-container supervisor (issue 11): create holds the workload
# (state created) until start; start/start -a over the control socket;
# start of anything else is refused; the socket is root only; a SIGKILLed
# supervisor leaves every command truthful; the supervisor keeps no fd it
# does not need and leaves nothing behind.
. "${TESTS_LIB:?}"

SUPERVISOR=$(dirname "${LXCSHIM_INIT:?}")/lxcshim-supervisor
# The system's: a python3 in root's home (pyenv) is out of reach of uid 65534.
PY3=$(command -v /usr/bin/python3 || command -v python3)

# ctl DIR REQUEST: one request on DIR/control.sock; prints every packet
# of the answer, one a line, until the supervisor hangs up (30 s at most).
ctl() {
	"$PY3" - "$1/control.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
while True:
    m = s.recv(2048)
    if not m:
        break
    print(m.decode())
PY
}

sup_pid() {
	state_get "$1" supervisor_pid
}

# wait_gone PID: bounded readiness wait for PID's end.
wait_gone() {
	poll sh -c "! [ -r /proc/$1/stat ] || sed 's/.*) //' /proc/$1/stat | grep -q '^[ZX]'"
}

# ---- create: set up, workload held -------------------------------------------

n=$(new_name)
out=$(lx create --name "$n" -- /bin/sh -c 'touch /ran; echo out; echo err >&2; exit 3' 2> "$TMPD/err")
rc=$?
is "$rc" 0 "create exits 0"
is "$out" "$n" "create prints exactly the id"
is "$(cat "$TMPD/err")" "" "create prints nothing on stderr"
is "$(state_get "$n" status)" created "state.json says created"
is "$(lx state "$n" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')" created "state says created"
like "$(lx list)" "^$n +created +[0-9]+ " "list says created, with the init's pid"
ipid=$(state_get "$n" init_process_pid)
ok "the init of a created container runs" pid_alive "$ipid"
ok "LXC sees the created container running (its init runs)" lxc_running "$n"
not_ok "the workload has not run: no /ran in the overlay" test -e "$(cdir "$n")/overlay/upper/ran"
is "$(cat "$(cdir "$n")/stdout.log")" "" "the workload has not run: stdout.log is empty"
is "$(lx ps "$n" | tail -n +2 | wc -l)" 1 "only the init is in the container"

spid=$(sup_pid "$n")
ok "the supervisor runs" pid_alive "$spid"
is "$(readlink "/proc/$spid/exe")" "$(readlink -f "$SUPERVISOR")" "the supervisor is the exec'd lxcshim-supervisor"
ppid=$(awk '{ print $4 }' "/proc/$spid/stat")
isnt "$ppid" "$$" "the supervisor is not a child of the caller's shell"
is "$(tr '\0' ' ' < "/proc/$spid/cmdline")" "$SUPERVISOR $(cdir "$n") " "its command line is lxcshim-supervisor DIR"
sock=$(cdir "$n")/control.sock
ok "control.sock is a socket" test -S "$sock"
is "$(file_mode "$sock")" 600 "control.sock has mode 0600"
like "$(ctl "$(cdir "$n")" status)" "^OK created $ipid\$" "the status request says created and the init pid"
like "$(ctl "$(cdir "$n")" 'signal 15')" "^ERR 16 .*created" "the signal request is refused while created"
like "$(ctl "$(cdir "$n")" 'frobnicate now')" "^ERR 95 unknown request" "an unknown request gets ERR 95"

lx kill "$n" TERM 2> "$TMPD/err"
is "$?" 1 "kill of a created container exits 1"
like "$(cat "$TMPD/err")" "created, not running: start it first" "and says it is created"
lx exec "$n" -- /bin/true 2> "$TMPD/err"
is "$?" 125 "exec in a created container exits 125"
like "$(cat "$TMPD/err")" "created, not running" "and says it is created"
is "$(state_get "$n" status)" created "still created after the refused kill and exec"

# ---- start -a ----------------------------------------------------------------

lx start -a "$n" > "$TMPD/out" 2> "$TMPD/err"
is "$?" 3 "start -a exits with the workload's status"
is "$(cat "$TMPD/out")" out "start -a attaches: the workload's stdout (and it goes to the logs too)"
is "$(cat "$TMPD/err")" err "start -a attaches: the workload's stderr"
is "$(state_get "$n" status)" stopped "state.json says stopped after start -a returned"
is "$(state_get "$n" exit_code)" 3 "the exit code is recorded"
ok "the workload ran: /ran in the overlay" test -e "$(cdir "$n")/overlay/upper/ran"
is "$(cat "$(cdir "$n")/stdout.log")" out "stdout.log has its output"
is "$(cat "$(cdir "$n")/stderr.log")" err "stderr.log has its errors"
ok "the supervisor ends with the workload" wait_gone "$spid"
not_ok "control.sock is removed when the supervisor ends" test -e "$sock"

cp "$(state_file "$n")" "$TMPD/before"
lx start "$n" > "$TMPD/out" 2> "$TMPD/err"
is "$?" 125 "start of a stopped container exits 125"
like "$(cat "$TMPD/err")" "^lxcshim: container $n is stopped: only a created container can be started\$" \
	"and says why"
is "$(line_count "$TMPD/err")" 1 "in one line"
is "$(cat "$TMPD/out")" "" "and prints nothing on stdout"
ok "and changes nothing" cmp -s "$TMPD/before" "$(state_file "$n")"
ok "delete of the started container" lx delete "$n"
assert_no_leftovers "$n"

# ---- start, twice; concurrent starts ----------------------------------------

n=$(new_name)
lx create --name "$n" -- sleep 1000 > /dev/null
is "$(lx start "$n")" "$n" "start prints the id"
is "$(state_get "$n" status)" running "state.json says running once start returned"
is "$(lx ps "$n" | tail -n +2 | wc -l)" 2 "the workload runs beside the init"
cp "$(state_file "$n")" "$TMPD/before"
lx start "$n" 2> "$TMPD/err"
is "$?" 125 "a second start exits 125"
like "$(cat "$TMPD/err")" "container $n is already running" "and says it runs"
ok "and changes nothing" cmp -s "$TMPD/before" "$(state_file "$n")"
like "$(ctl "$(cdir "$n")" start)" "^ERR 16 container $n is already running" \
	"the supervisor refuses a start request of a running container itself"
like "$(ctl "$(cdir "$n")" status)" "^OK running [0-9]+\$" "the status request says running"

# Fds: what is left is needed (the logs and the output pipes: the
# supervisor copies the output to the logs and to attach clients; the OOM
# watch is an eventfd + memory.oom_control on v1, an inotify fd + memory.events
# on v2).
spid=$(sup_pid "$n")
fds=$(ls -l "/proc/$spid/fd" | awk 'NR > 1 { print $NF }')
diag "supervisor fds: $(echo $fds)"
diag "supervisor RSS of a running container: $(ps -o rss= -p "$spid") KiB"
bad=$(printf '%s\n' "$fds" | grep -Ev '^(/dev/null|socket:\[[0-9]+\]|anon_inode:\[(pidfd|eventfd)\]|anon_inode:inotify|/sys/fs/cgroup/.*/memory\.(oom_control|events)|pipe:\[[0-9]+\]|.*/(stdout|stderr)\.log)$' || true)
is "$bad" "" "the supervisor holds only /dev/null, sockets, pidfds, the OOM watch, its logs and output pipes"
is "$(printf '%s\n' "$fds" | grep -c '^socket:')" 2 "two sockets: control.sock and the init's"
is "$(printf '%s\n' "$fds" | grep -c pidfd)" 2 "two pidfds: lxc-start and the init"
is "$(printf '%s\n' "$fds" | grep -c '^pipe:')" 2 "two pipes: the workload's stdout and stderr"
ok "at most 13 fds" test "$(printf '%s\n' "$fds" | wc -l)" -le 13
not_ok "the supervisor does not load liblxc (the init's pid comes with READY)" grep -q 'liblxc\.so' "/proc/$spid/maps"

# A waiter first, then the signal: the waiter hears of the end.
out=$("$PY3" - "$(cdir "$n")/control.sock" <<'PY'
import socket, sys
def conn(req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(30)
    s.connect(sys.argv[1])
    s.send(req)
    return s
w = conn(b"wait")
print(w.recv(2048).decode())
print(conn(b"signal 15").recv(2048).decode())
print(w.recv(2048).decode())
PY
)
is "$out" "$(printf 'OK\nOK\nEXIT 143 0')" "signal 15 is done, and a waiter hears the end: 128+TERM, no OOM"
ok "the supervisor ends" wait_gone "$spid"
is "$(state_get "$n" exit_code)" 143 "the signalled workload's 143 is recorded"
lx delete "$n"

n=$(new_name)
lx create --name "$n" -- sleep 1000 > /dev/null
lx start "$n" > "$TMPD/s1" 2>&1 &
p1=$!
lx start "$n" > "$TMPD/s2" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
is "$(echo $r1 $r2 | tr ' ' '\n' | sort | tr '\n' ' ')" "0 125 " "of two concurrent starts one wins, the other exits 125"
like "$(cat "$TMPD/s1" "$TMPD/s2")" "already running" "the loser says it runs already"
lx delete -f "$n"
assert_no_leftovers "$n"

# ---- the socket serves root only ---------------------------------------------

n=$(new_name)
lx create --name "$n" -- /bin/true > /dev/null
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PY3" - "$(cdir "$n")/control.sock" <<'PY' 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1])
    print("connected")
except PermissionError:
    print("EACCES")
PY
)
is "$out" EACCES "a non-root process cannot reach control.sock"
# A process that reaches the file (fsuid 0) but is not root (euid 65534,
# what SO_PEERCRED reports) is refused by the supervisor itself.
out=$("$PY3" - "$(cdir "$n")/control.sock" <<'PY' 2>&1
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
os.seteuid(65534)
libc.setfsuid(0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(sys.argv[1])
# Refused at accept: the answer comes without a request.
print(s.recv(2048).decode())
PY
)
like "$out" "^ERR 1 permission denied" "a client whose uid is not 0 gets ERR 1"
is "$(state_get "$n" status)" created "and did not start the container"
lx delete -f "$n"
assert_no_leftovers "$n"

# ---- stop and delete -f of a created container -------------------------------

n=$(new_name)
lx create --name "$n" -- /bin/sh -c 'touch /ran' > /dev/null
spid=$(sup_pid "$n")
ok "stop of a created container" lx stop "$n"
is "$(state_get "$n" status)" stopped "is recorded stopped"
is "$(state_get "$n" exit_code)" 137 "with 137: its init was killed"
not_ok "and its workload never ran" test -e "$(cdir "$n")/overlay/upper/ran"
ok "its supervisor ends" wait_gone "$spid"
lx delete "$n"
assert_no_leftovers "$n"

n=$(new_name)
lx create --name "$n" -- /bin/true > /dev/null
lx delete "$n" 2> "$TMPD/err"
is "$?" 1 "delete of a created container without -f exits 1"
like "$(cat "$TMPD/err")" "is created: stop it first" "and says why"
ok "delete -f of a created container" lx delete -f "$n"
assert_no_leftovers "$n"

# ---- create --rm -------------------------------------------------------------

n=$(new_name)
lx create --rm --name "$n" -- /bin/sh -c 'exit 4' > /dev/null
lx start -a "$n"
is "$?" 4 "start -a of a --rm container exits with its status"
not_ok "and the container is gone when it returns" test -e "$(cdir "$n")"
assert_no_leftovers "$n"

# ---- bad input ---------------------------------------------------------------

n=$(new_name)
lx create --name "$n" --rootfs /nonexistent -- /bin/true > "$TMPD/out" 2> "$TMPD/err"
is "$?" 125 "create with a missing rootfs exits 125"
is "$(cat "$TMPD/out")" "" "and prints no id"
is "$(line_count "$TMPD/err")" 1 "one line on stderr"
assert_no_leftovers "$n"
n=$(new_name)
lx create --name "$n" -u nosuchuser -- /bin/true > "$TMPD/out" 2> "$TMPD/err"
is "$?" 125 "create with a user the container lacks exits 125 (the init says so before READY)"
like "$(cat "$TMPD/err")" nosuchuser "and names the user"
assert_no_leftovers "$n"
n=$(new_name)
lx create --name "$n" -t -- /bin/true > /dev/null 2> "$TMPD/err"
is "$?" 0 "create -t is allowed (attach and start -a reach its terminal: attach.sh)"
lx delete -f "$n" > /dev/null 2>&1
assert_no_leftovers "$n"
lx start nosuch 2> "$TMPD/err"
is "$?" 125 "start of an unknown container exits 125"
like "$(cat "$TMPD/err")" "no such container: nosuch" "and says so"

# ---- a SIGKILLed supervisor: created -----------------------------------------

n=$(new_name)
lx create --name "$n" -- /bin/sh -c 'touch /ran' > /dev/null
spid=$(sup_pid "$n")
kill -KILL "$spid"
ok "the supervisor is gone" wait_gone "$spid"
lx start "$n" 2> "$TMPD/err"
is "$?" 125 "start of a created container whose supervisor was killed exits 125"
like "$(cat "$TMPD/err")" "supervisor" "and says the supervisor is gone"
not_ok "its workload never ran" test -e "$(cdir "$n")/overlay/upper/ran"
ok "the held init ends without its supervisor" poll sh -c "[ \"\$(\"$LXCSHIM\" --root \"$ROOT\" --lxcpath \"$LXCPATH\" state $n | sed -n 's/.*\"status\": *\"\\([a-z]*\\)\".*/\\1/p')\" = stopped ]"
ok "delete of it" lx delete "$n"
assert_no_leftovers "$n"

# ---- a SIGKILLed supervisor: running -----------------------------------------

n=$(new_name)
lx run -d --name "$n" -- /bin/sh -c 'trap "exit 7" TERM; while :; do sleep 1; done' > /dev/null
wait_workload "$n"
spid=$(sup_pid "$n")
is "$(readlink "/proc/$spid/exe")" "$(readlink -f "$SUPERVISOR")" "run -d is supervised by the exec'd lxcshim-supervisor"
isnt "$(awk '{ print $4 }' "/proc/$spid/stat")" "$$" "which is not the caller's child"
kill -KILL "$spid"
ok "the supervisor is gone" wait_gone "$spid"
ok "the container keeps running" lxc_running "$n"
is "$(lx state "$n" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')" running "state says running"
is "$(lx exec "$n" -- /bin/sh -c 'echo in')" in "exec still works"
lx start "$n" 2> "$TMPD/err"
is "$?" 125 "start of it exits 125"
like "$(cat "$TMPD/err")" "already running" "saying it runs"
ok "kill 0-like probe: kill CONT still works" lx kill "$n" CONT
ok "stop still works" lx stop -t 10 "$n"
is "$(state_get "$n" status)" stopped "stop recorded stopped"
is "$(state_get "$n" exit_code)" 7 "with the workload's real code, read from the init's status pipe"
ok "delete still works" lx delete "$n"
assert_no_leftovers "$n"
