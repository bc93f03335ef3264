#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim exec: another process in a running container (liblxc attach),
# its environment, user, working directory, stdio and exit statuses.
. "${TESTS_LIB:?}"

n=$(new_name)
if ! start_bg "$n" -e LXT_A=from-run -e LXT_B=kept -- sleep 1000; then
	fail "the container starts" "$(cat "$TMPD/$n.err")"
	exit 1
fi
pass "the container starts"

# ---- output and exit status ----------------------------------------------
xrun 0 "exec echo exits 0" lx exec "$n" echo hello exec
is "$(cat "$TMPD/out")" "hello exec" "exec's stdout reaches the caller"
is "$(cat "$TMPD/err")" "" "exec writes nothing to stderr"
xrun 0 "exec writing to both streams exits 0" lx exec "$n" sh -c 'echo to-out; echo to-err >&2'
is "$(cat "$TMPD/out")" "to-out" "stdout carries only stdout"
is "$(cat "$TMPD/err")" "to-err" "stderr carries only stderr"
xrun 7 "exit 7 -> 7" lx exec "$n" sh -c 'exit 7'
xrun 143 'kill -TERM $$ -> 143' lx exec "$n" sh -c 'kill -TERM $$'
xrun 137 'kill -KILL $$ -> 137' lx exec "$n" sh -c 'kill -KILL $$'

xrun 127 "a command not found -> 127" lx exec "$n" lxt-no-such-command
is "$(cat "$TMPD/err")" "lxcshim: exec lxt-no-such-command: executable file not found in \$PATH" \
	"one line naming the missing command"
xrun 127 "a missing absolute path -> 127" lx exec "$n" /lxt/no/such/file
like "$(cat "$TMPD/err")" '^lxcshim: exec /lxt/no/such/file: No such file or directory$' "the message names the path"
xrun 126 "a non-executable file -> 126" lx exec "$n" /etc/passwd
like "$(cat "$TMPD/err")" '^lxcshim: exec /etc/passwd: Permission denied$' "the message names the file"
xrun 126 "a directory -> 126" lx exec "$n" /etc
is "$(line_count "$TMPD/err")" 1 "one line on stderr for a directory"

# ---- it is inside the container ---------------------------------------------
xrun 0 "exec hostname" lx exec "$n" hostname
is "$(cat "$TMPD/out")" "$n" "exec runs in the container's UTS namespace"
xrun 0 "exec sees the workload" lx exec "$n" cat /proc/2/cmdline
is "$(tr '\0' ' ' < "$TMPD/out")" "sleep 1000 " "exec runs in the container's pid namespace"
xrun 0 "exec reads its cgroup" lx exec "$n" cat /proc/self/cgroup
if cgroup_v2_only; then
	# LXC attaches into a leaf (.lxc) of the payload cgroup on v2.
	like "$(grep '^0::' "$TMPD/out")" '^0::/(\.lxc)?$' "exec runs in the container's cgroup namespace"
else
	like "$(grep ':memory:' "$TMPD/out")" ':memory:/$' "exec runs in the container's cgroup namespace"
fi
xrun 0 "exec lists its fds" lx exec "$n" ls /proc/self/fd 7< /dev/null
unlike "$(cat "$TMPD/out")" '^7$' "the caller's other fds do not leak into exec"
is "$(state_get "$n" status)" running "the container keeps running after execs"

# ---- environment --------------------------------------------------------------
xrun 0 "exec env" lx exec "$n" env
env_out=$(cat "$TMPD/out")
like "$env_out" '^LXT_A=from-run$' "config.env reaches exec (-e of run)"
like "$env_out" "^HOSTNAME=$n\$" "HOSTNAME from config.env"
like "$env_out" '^PATH=' "PATH is set"
like "$env_out" '^container=lxc$' "container=lxc is set"
like "$env_out" '^HOME=/root$' "HOME is root's home"
unlike "$env_out" '^LXCSHIM' "the caller's environment does not leak"
xrun 0 "exec -e overrides" env LXT_CALLER=from-caller "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" \
	exec -e LXT_A=overridden -e LXT_NEW=new -e LXT_CALLER -e LXT_UNSET_IN_CALLER "$n" env
env_out=$(cat "$TMPD/out")
like "$env_out" '^LXT_A=overridden$' "-e K=V overrides config.env"
like "$env_out" '^LXT_NEW=new$' "-e K=V adds a variable"
like "$env_out" '^LXT_B=kept$' "other config.env entries stay"
like "$env_out" '^LXT_CALLER=from-caller$' "-e K takes the caller's value"
unlike "$env_out" 'LXT_UNSET_IN_CALLER' "-e K unset in the caller is dropped"
is "$(printf '%s\n' "$env_out" | grep -c '^LXT_A=')" 1 "an overridden key appears once"
xrun 125 "a malformed -e -> 125" lx exec -e '=x' "$n" true
is "$(line_count "$TMPD/err")" 1 "one line for a malformed -e"

# ---- user ---------------------------------------------------------------------
xrun 0 "exec -u 1000" lx exec -u 1000 "$n" sh -c 'id -u; id -g'
is "$(cat "$TMPD/out" | tr '\n' ' ')" "1000 0 " "-u 1000: uid 1000, gid 0 (not in passwd)"
xrun 0 "exec -u 1000:1000" lx exec -u 1000:1000 "$n" sh -c 'id -u; id -g'
is "$(cat "$TMPD/out" | tr '\n' ' ')" "1000 1000 " "-u 1000:1000"
xrun 0 "exec -u nobody" lx exec -u nobody "$n" sh -c 'id -u; echo $HOME'
is "$(cat "$TMPD/out" | tr '\n' ' ')" "65534 /nonexistent " "-u NAME is resolved in the container's passwd, HOME too"
xrun 0 "exec -u daemon:nogroup" lx exec -u daemon:nogroup "$n" sh -c 'id -u; id -g'
is "$(cat "$TMPD/out" | tr '\n' ' ')" "1 65534 " "-u USER:GROUP by names"
xrun 125 "an unknown user -> 125" lx exec -u lxt-nosuchuser "$n" true
is "$(line_count "$TMPD/err")" 1 "one line for an unknown user"
like "$(cat "$TMPD/err")" 'lxt-nosuchuser' "the message names the user"
xrun 125 "a malformed user -> 125" lx exec -u 'a:b:c' "$n" true
like "$(cat "$TMPD/err")" '^lxcshim: .*a:b:c' "the message names the bad user spec"

# ---- working directory ----------------------------------------------------------
xrun 0 "exec pwd" lx exec "$n" pwd
is "$(cat "$TMPD/out")" / "the default working directory is /"
xrun 0 "exec -w /tmp pwd" lx exec -w /tmp "$n" pwd
is "$(cat "$TMPD/out")" /tmp "-w sets the working directory"
xrun 125 "a missing -w directory -> 125" lx exec -w /lxt/no/dir "$n" pwd
is "$(cat "$TMPD/err")" "lxcshim: cannot change to working directory /lxt/no/dir: No such file or directory" \
	"the message names the directory"
xrun 125 "a relative -w -> 125" lx exec -w tmp "$n" pwd
like "$(cat "$TMPD/err")" 'working directory "tmp"' "the message names the relative directory"

# ---- stdin ----------------------------------------------------------------------
out=$(echo lxt-input | lx exec -i "$n" cat)
is "$?:$out" "0:lxt-input" "-i passes the caller's stdin"
out=$(echo lxt-input | lx exec "$n" cat)
is "$?:$out" "0:" "without -i stdin is /dev/null"

# ---- -t -------------------------------------------------------------------------
# -t: a pty whose size follows the caller's terminal, as the process's
# controlling terminal (script(1) gives the caller a terminal).
out=$(script -qec "stty rows 21 cols 77; $LXCSHIM --root $ROOT --lxcpath $LXCPATH exec -t $n sh -c 'stty size; test -t 0 -a -t 1 && echo tty-ok; cut -d\" \" -f7 /proc/self/stat; exit 4'; echo rc=\$?" /dev/null | tr -d '\r')
like "$out" "21 77" "exec -t: stty size is the caller's"
like "$out" "tty-ok" "exec -t: stdin and stdout are terminals"
unlike "$out" "^0\$" "exec -t: the process has a controlling terminal"
like "$out" "rc=4" "exec -t: the exit status comes through"

# ---- signals reach the process (sig-proxy) ---------------------------------------
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec "$n" sh -c 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.05; done' \
	> "$TMPD/sig.out" 2> "$TMPD/sig.err" &
xp=$!
record_pid "$xp"
if wait_file_match "$TMPD/sig.out" '^ready$'; then
	kill -TERM "$xp"
	rc=0
	wait "$xp" || rc=$?
	is "$rc" 5 "a TERM sent to exec reaches the process, whose status exec returns"
	like "$(cat "$TMPD/sig.out")" 'got-term' "the process handled TERM"
else
	fail "the exec'd process got ready" "$(cat "$TMPD/sig.err")"
	skip "TERM forwarding" "not ready"
fi

# ---- errors -----------------------------------------------------------------------
xrun 125 "an unknown container -> 125" lx exec lxt-no-such-container true
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "unknown container message"
xrun 125 "a malformed id -> 125" lx exec 'bad/id' true
like "$(cat "$TMPD/err")" '^lxcshim: invalid container name "bad/id"' "malformed id message"
xrun 125 "no command -> 125" lx exec "$n"
like "$(cat "$TMPD/err")" '^lxcshim: usage: ' "missing command prints the usage"

lx pause "$n"
xrun 125 "exec into a paused container -> 125" lx exec "$n" true
is "$(cat "$TMPD/err")" "lxcshim: container $n is paused: resume it first" "paused container message"
lx resume "$n"

lx stop -t 0 "$n" > /dev/null 2>&1
wait "$BGP"
xrun 125 "exec into a stopped container -> 125" lx exec "$n" true
is "$(cat "$TMPD/err")" "lxcshim: container $n is not running" "stopped container message"
ok "delete after the execs" lx delete "$n"
assert_no_leftovers "$n"
