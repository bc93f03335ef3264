#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 8, items 4, 5, 11, 12 and 13: absolute --root/--lxcpath, bounded
# file reads, large environments, signals while preparing, binary
# env-files, specific messages for what the kernel or LXC would refuse,
# --spec null and --cap-add sys_boot.  Every refusal: exit 125, one line on
# stderr, nothing on stdout, nothing left behind.
. "${TESTS_LIB:?}"

# refused DESC ERE NAME CMD...: CMD (a full lxcshim command line) exits
# 125 with one stderr line matching ERE, nothing on stdout, and leaves
# nothing of container NAME (nor anything in $ROOT/containers).
refused() {
	_desc=$1 _ere=$2 _name=$3
	shift 3
	"$@" > "$TMPD/r.out" 2> "$TMPD/r.err"
	_rc=$?
	_p=
	[ "$_rc" = 125 ] || _p="status $_rc, expected 125"
	[ "$(line_count "$TMPD/r.err")" = 1 ] || _p="$_p; $(line_count "$TMPD/r.err") lines on stderr"
	grep -Eq -- "$_ere" "$TMPD/r.err" || _p="$_p; stderr does not match /$_ere/"
	[ -s "$TMPD/r.out" ] && _p="$_p; stdout: $(head -c 200 "$TMPD/r.out")"
	containers_empty || _p="$_p; $ROOT/containers: $(ls -A "$ROOT/containers" | tr '\n' ' ')"
	_left=$(leftovers "$_name")
	[ -z "$_left" ] || _p="$_p; left: $_left"
	if [ -z "$_p" ]; then
		pass "$_desc"
	else
		fail "$_desc" "$_p" "stderr: $(cat "$TMPD/r.err")"
	fi
}

# rrun DESC ERE RUN-ARGS...: refused for `lx run --rm --name NEW RUN-ARGS`.
rrun() {
	_d=$1 _e=$2
	shift 2
	_n=$(new_name)
	refused "$_d" "$_e" "$_n" lx run --rm --name "$_n" "$@"
}

# ---- item 4: --root and --lxcpath must be absolute ----------------------------
# From an empty scratch directory: a relative path would land in it.
mkdir -p "$TMPD/cwd"
had_containers=no
[ -e /containers ] && had_containers=yes
for args in "--root|" "--root|rel-root" "--root|./x" "--lxcpath|" "--lxcpath|rel-lxcpath"; do
	opt=${args%%|*} val=${args#*|}
	n=$(new_name)
	if [ "$opt" = --root ]; then
		(cd "$TMPD/cwd" && refused "run $opt '$val' is refused" "invalid $opt \"$val\": must be an absolute path" "$n" \
			"$LXCSHIM" --config "" --root "$val" --lxcpath "$LXCPATH" run --rm --name "$n" -- true)
	else
		(cd "$TMPD/cwd" && refused "run $opt '$val' is refused" "invalid $opt \"$val\": must be an absolute path" "$n" \
			"$LXCSHIM" --config "" --root "$ROOT" --lxcpath "$val" run --rm --name "$n" -- true)
	fi
	is "$(ls -A "$TMPD/cwd")" "" "run $opt '$val' creates nothing in the working directory"
done
[ "$had_containers" = no ] && ok "--root '' did not create /containers" test ! -e /containers

# The same from lxcshim.conf, which names itself in the message.
for kv in "root =" "root = rel" "lxcpath =" "lxcpath = rel/lxc"; do
	printf '%s\n' "$kv" > "$TMPD/bad.conf"
	n=$(new_name)
	(cd "$TMPD/cwd" && refused "lxcshim.conf '$kv' is refused" "config file $TMPD/bad.conf: invalid (root|lxcpath) .*must be an absolute path" "$n" \
		"$LXCSHIM" --config "$TMPD/bad.conf" run --rm --name "$n" -- true)
	is "$(ls -A "$TMPD/cwd")" "" "lxcshim.conf '$kv' creates nothing in the working directory"
done
[ "$had_containers" = no ] && ok "root = '' did not create /containers" test ! -e /containers
# Other commands refuse it too (exit 1, as lifecycle errors do).
(cd "$TMPD/cwd" && "$LXCSHIM" --config "" --root "" list > /dev/null 2> "$TMPD/l.err")
isnt "$?" 0 "list --root '' fails"
like "$(cat "$TMPD/l.err")" 'must be an absolute path' "and says the root must be absolute"

# ---- item 5: size limits -----------------------------------------------------------
rrun "--env-file /dev/zero" '/dev/zero is larger than 16777216 bytes' --env-file /dev/zero -- true
rrun "--template /dev/zero" 'template: /dev/zero is larger than 16777216 bytes' --template /dev/zero -- true
rrun "--spec /dev/zero" 'spec: /dev/zero is larger than 16777216 bytes' --spec /dev/zero -- true
n=$(new_name)
refused "--config /dev/zero" 'config file: /dev/zero is larger than 16777216 bytes' "$n" \
	"$LXCSHIM" --config /dev/zero --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -- true
# A regular file just over the limit (sparse: no 16 MiB written).
truncate -s $((16 * 1024 * 1024 + 1)) "$TMPD/big"
rrun "a 16 MiB + 1 byte --env-file" "$TMPD/big is larger than 16777216 bytes" --env-file "$TMPD/big" -- true
rrun "a 16 MiB + 1 byte --spec" "$TMPD/big is larger than 16777216 bytes" --spec "$TMPD/big" -- true
rrun "a 16 MiB + 1 byte --template" "$TMPD/big is larger than 16777216 bytes" --template "$TMPD/big" -- true
# An endless FIFO: ends at the limit, neither hangs nor grows.
mkfifo "$TMPD/endless"
cat /dev/zero > "$TMPD/endless" 2> /dev/null &
zpid=$!
record_pid "$zpid"
rrun "--env-file of an endless FIFO" "endless is larger than 16777216 bytes" --env-file "$TMPD/endless" -- true
kill "$zpid" 2> /dev/null
wait "$zpid" 2> /dev/null

# 100k variables: all reach the workload, later ones win, and nothing of
# it is quadratic (the time is for bench/, not asserted here).
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "V%05x=%d\n", i, i % 10; print "V00000=last" }' > "$TMPD/100k.env"
n=$(new_name)
lx run --rm --name "$n" --env-file "$TMPD/100k.env" -- env > "$TMPD/100k.out" 2> "$TMPD/100k.err"
is "$?" 0 "a run with 100k variables from --env-file exits 0"
is "$(grep -c '^V' "$TMPD/100k.out")" 100000 "the workload sees all 100000 variables"
is "$(grep '^V00000=' "$TMPD/100k.out")" "V00000=last" "a later duplicate wins"
is "$(grep '^V1869f=' "$TMPD/100k.out")" "V1869f=9" "the last distinct variable arrived"
is "$(cat "$TMPD/100k.err")" "" "and nothing on stderr"
assert_no_leftovers "$n" "" "the 100k run leaves nothing"

# 100k command arguments: all arrive (the argv, state.json and the spec
# are built in O(1) a string).
n=$(new_name)
# shellcheck disable=SC2046
out=$(lx run --rm --name "$n" -- sh -c 'echo "$# $1 ${100000}"' x $(seq 100000))
is "$out" "100000 1 100000" "100k command arguments reach the workload"
assert_no_leftovers "$n" "" "the 100k-argument run leaves nothing"

# More than execve takes: refused up front, not as a start failure.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "VARIABLE_%06d=a value of some length %d\n", i, i }' > "$TMPD/200k.env"
rrun "an environment larger than execve takes" \
	'the command and its 2000[0-9][0-9] environment variables take [0-9]+ bytes, more than the [0-9]+ that execve accepts' \
	--env-file "$TMPD/200k.env" -- true
{ printf 'LONG='; head -c 140000 /dev/zero | tr '\0' x; echo; } > "$TMPD/long.env"
rrun "one variable over MAX_ARG_STRLEN" 'environment variable "LONG" is 140005 bytes: the kernel takes at most 131071' \
	--env-file "$TMPD/long.env" -- true

# ---- item 5: SIGTERM/SIGINT while preparing ------------------------------------------
# A FIFO as --env-file that we hold open without writing: lxcshim waits in
# its preparation; the signal must end it promptly with nothing left.
# wait_gone PID: bounded wait for PID to end (10 s in 10 ms steps).
wait_gone() {
	_i=0
	while kill -0 "$1" 2> /dev/null && [ "$_i" -lt 1000 ]; do
		sleep 0.01
		_i=$((_i + 1))
	done
	! kill -0 "$1" 2> /dev/null
}

# holds_fifo PID: PID has $TMPD/hold open.
holds_fifo() {
	ls -l "/proc/$1/fd" 2> /dev/null | grep -q "$TMPD/hold"
}

mkfifo "$TMPD/hold"
for case in "TERM|--env-file" "INT|--env-file" "TERM|--template" "TERM|--env-file|--sig-proxy=false" "HUP|--env-file"; do
	sig=$(echo "$case" | cut -d'|' -f1)
	opt=$(echo "$case" | cut -d'|' -f2)
	extra=$(echo "$case" | cut -d'|' -f3)
	n=$(new_name)
	# Not through lx: $! must be lxcshim itself, not a subshell.
	# shellcheck disable=SC2086
	"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run $extra --rm --name "$n" "$opt" "$TMPD/hold" -- true \
		> "$TMPD/s.out" 2> "$TMPD/s.err" &
	rpid=$!
	record_pid "$rpid"
	# Read-write: a writer that never blocks and never writes the end.
	exec 7<> "$TMPD/hold"
	printf 'PARTIAL=1' >&7
	# Ready when lxcshim holds the FIFO open (bounded poll).
	_i=0
	until holds_fifo "$rpid" || [ "$_i" -ge 1000 ]; do
		sleep 0.01
		_i=$((_i + 1))
	done
	ok "lxcshim waits on the FIFO ($opt)" holds_fifo "$rpid"
	kill -"$sig" "$rpid"
	if wait_gone "$rpid"; then
		wait "$rpid"
		rc=$?
		pass "SIG$sig while reading $opt $extra ends lxcshim"
		case $extra in
		--sig-proxy=false) is "$rc" 143 "without sig-proxy it dies of the signal (143)" ;;
		*)
			is "$rc" 125 "SIG$sig while reading $opt: exit 125"
			like "$(cat "$TMPD/s.err")" "interrupted by SIG$sig" "the message says SIG$sig interrupted it"
			is "$(line_count "$TMPD/s.err")" 1 "one line on stderr"
			;;
		esac
	else
		fail "SIG$sig while reading $opt $extra ends lxcshim" "still running after 10 s"
		kill -KILL "$rpid" 2> /dev/null
		wait "$rpid" 2> /dev/null
	fi
	exec 7>&-
	ok "SIG$sig while preparing: no container dir" containers_empty
	assert_no_leftovers "$n" "" "SIG$sig while preparing leaves nothing of $n"
done

# ---- item 11: NUL bytes and binary env-files -------------------------------------------
printf 'A=1\nB=2\0C=3\nD=4\n' > "$TMPD/nul.env"
rrun "a NUL byte in --env-file" "invalid env-file $TMPD/nul.env: line 2: it contains a NUL byte" --env-file "$TMPD/nul.env" -- true
printf 'A=1\nB=2\0' > "$TMPD/nul-end.env"
rrun "a NUL as the last byte of --env-file" "line 2: it contains a NUL byte" --env-file "$TMPD/nul-end.env" -- true
rrun "a binary --env-file (busybox)" "line 1: it contains .*not a text file" --env-file "$LXCSHIM_ROOTFS/bin/busybox" -- true
printf 'A=1\nB=\033[1mbold\n' > "$TMPD/esc.env"
rrun "a control character in --env-file" 'line 2: it contains the control character \\x1b' --env-file "$TMPD/esc.env" -- true
# Tabs and UTF-8 are text.
printf 'T=a\tb\nU=\303\251t\303\251\n' > "$TMPD/text.env"
n=$(new_name)
out=$(lx run --rm --name "$n" --env-file "$TMPD/text.env" -- sh -c 'printf "%s|%s" "$T" "$U"')
is "$out" "$(printf 'a\tb|\303\251t\303\251')" "tabs and UTF-8 in --env-file are kept"

# ---- item 12: what the kernel would refuse, said before starting --------------------
rrun "--cpus 0.001" 'invalid --cpus "0.001": the minimum is 0.01' --cpus 0.001 -- true
rrun "--cpus 0.009" 'the minimum is 0.01' --cpus 0.009 -- true
n=$(new_name)
# A hundredth of a cpu also throttles LXC's own set-up inside the cgroup:
# on a slow machine (an emulated guest) that outlasts the default 10 s.
ok "--cpus 0.01 runs" lx run --rm --name "$n" --cpus 0.01 --start-timeout 600 -- true
online=$(cat /sys/devices/system/cpu/online)
last=$(echo "$online" | tr ',-' '\n\n' | sort -n | tail -1)
rrun "--cpuset-cpus 0-999" "invalid cpuset-cpus \"0-999\": cpu $((last + 1)) is not online on this host \\(online: $online\\)" \
	--cpuset-cpus 0-999 -- true
rrun "--cpuset-cpus of the first offline cpu" "cpu $((last + 1)) is not online" --cpuset-cpus "$((last + 1))" -- true
n=$(new_name)
ok "--cpuset-cpus of the last online cpu runs" lx run --rm --name "$n" --cpuset-cpus "$last" -- true
rrun "--pids-limit 2147483647" "invalid pids-limit \"2147483647\": expected 1 to 4194304 \\(the kernel's PID_MAX_LIMIT\\)" \
	--pids-limit 2147483647 -- true
rrun "--pids-limit 4194305" 'PID_MAX_LIMIT' --pids-limit 4194305 -- true
n=$(new_name)
ok "--pids-limit 4194304 runs" lx run --rm --name "$n" --pids-limit 4194304 -- true

# What only LXC knows: the first specific ERROR line, not "Failed to spawn".
echo 'lxc.no.such.key = 1' > "$TMPD/unknown-key.conf"
rrun "an include with an unknown key" 'lxc-start failed to start container lxt[0-9n]+: .*lxc\.no\.such\.key' \
	--lxc-include "$TMPD/unknown-key.conf" -- true
# A cgroup key lxcshim does not set (those it sets are reset after the
# includes, so an include cannot override them).
if [ -d /sys/fs/cgroup/memory ]; then ckey=memory.soft_limit_in_bytes pkey=lxc.cgroup.$ckey
else ckey=memory.high pkey=lxc.cgroup2.$ckey; fi
echo "$pkey = bogus" > "$TMPD/bad-cgroup.conf"
rrun "an include with a cgroup value the kernel refuses" "Failed to set \"$ckey\" to \"bogus\"" \
	--lxc-include "$TMPD/bad-cgroup.conf" -- true
# lxc.cap.drop in an include: either lxcshim's own capability lines win
# (the run works) or LXC's specific complaint is the message.
echo 'lxc.cap.drop = sys_admin' > "$TMPD/cap-drop.conf"
n=$(new_name)
lx run --rm --name "$n" --lxc-include "$TMPD/cap-drop.conf" -- true > /dev/null 2> "$TMPD/cd.err"
rc=$?
if [ "$rc" = 0 ]; then
	pass "an include with lxc.cap.drop: lxcshim's capability lines win"
else
	is "$rc" 125 "an include with lxc.cap.drop: 125"
	like "$(cat "$TMPD/cd.err")" 'Keeping and dropping capabilities are mutually exclusive' \
		"an include with lxc.cap.drop: LXC's specific reason"
fi
unlike "$(cat "$TMPD/cd.err")" 'Failed to spawn' "an include with lxc.cap.drop: never the generic reason"
assert_no_leftovers "$n" "" "an include with lxc.cap.drop leaves nothing"
: > "$TMPD/empty.tmpl"
rrun "an empty template" "template $TMPD/empty.tmpl renders no lxc.rootfs.path" --template "$TMPD/empty.tmpl" -- true
printf 'lxc.uts.name = x\nlxc.rootfs.path =\n' > "$TMPD/empty-rootfs.tmpl"
rrun "a template with an empty lxc.rootfs.path" "renders no lxc.rootfs.path" --template "$TMPD/empty-rootfs.tmpl" -- true
printf '## only comments\n' > "$TMPD/comments.tmpl"
rrun "a template of comments only" "renders no lxc.rootfs.path" --template "$TMPD/comments.tmpl" -- true

# ---- item 13 ------------------------------------------------------------------------------
printf null > "$TMPD/null.json"
rrun "--spec holding null" "invalid spec $TMPD/null.json: expected a JSON object" --spec "$TMPD/null.json" -- true
printf '  null  ' > "$TMPD/null2.json"
rrun "--spec holding null between spaces" "expected a JSON object" --spec "$TMPD/null2.json" -- true
printf '7' > "$TMPD/seven.json"
rrun "--spec holding a bare number" "expected a JSON object" --spec "$TMPD/seven.json" -- true
rrun "--cap-add sys_boot without --privileged" \
	'--cap-add sys_boot needs --privileged: with CAP_SYS_BOOT a reboot\(\) inside would make lxc-start restart' \
	--cap-add sys_boot -- true
rrun "--cap-add CAP_SYS_BOOT" 'needs --privileged' --cap-add CAP_SYS_BOOT -- true
printf '{"cap-add": ["chown", "SYS_BOOT"]}' > "$TMPD/boot.json"
rrun "cap-add sys_boot from --spec" 'needs --privileged' --spec "$TMPD/boot.json" -- true
n=$(new_name)
lx run --dry-run --name "$n" --privileged --cap-add sys_boot -- true > /dev/null 2> "$TMPD/pb.err"
is "$?" 0 "--privileged --cap-add sys_boot is accepted"
n=$(new_name)
out=$(lx run --rm --name "$n" --cap-add ALL -- sh -c 'grep ^CapEff /proc/self/status')
ok "--cap-add ALL still runs (all but sys_boot)" test -n "$out"
