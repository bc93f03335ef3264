#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run without -t: the workload's stdout and stderr are the caller's
# own fds, separate, byte-exact and binary-safe however large; stdin is
# /dev/null unless -i; slow and closed readers do not hang a run.
. "${TESTS_LIB:?}"

sha() {
	sha256sum | cut -d' ' -f1
}

VOL=$TMPD/vol
mkdir -p "$VOL"
# 50 MiB of binary data for stdout, a different 50 MiB for stderr.
head -c 52428800 /dev/urandom > "$VOL/a"
head -c 52428800 /dev/urandom > "$VOL/b"
SHA_A=$(sha < "$VOL/a")
SHA_B=$(sha < "$VOL/b")

# ---- 50 MiB through a pipe, stdout ------------------------------------------
n=$(new_name)
{ tlx run --rm --name "$n" -v "$VOL:/vol:ro" -- cat /vol/a 2> "$TMPD/a.err"; echo $? > "$TMPD/st"; } | sha > "$TMPD/got"
is "$(cat "$TMPD/st")" 0 "50 MiB on stdout: run exits 0"
is "$(cat "$TMPD/got")" "$SHA_A" "50 MiB of binary data on stdout through a pipe is byte-exact (sha256)"
is "$(cat "$TMPD/a.err")" "" "nothing on stderr while stdout carries 50 MiB"

# ---- 50 MiB through a pipe, stderr ------------------------------------------
n=$(new_name)
{ tlx run --rm --name "$n" -v "$VOL:/vol:ro" -- sh -c 'cat /vol/b >&2' 2>&1 > "$TMPD/b.out"; echo $? > "$TMPD/st"; } | sha > "$TMPD/got"
is "$(cat "$TMPD/st")" 0 "50 MiB on stderr: run exits 0"
is "$(cat "$TMPD/got")" "$SHA_B" "50 MiB of binary data on stderr through a pipe is byte-exact (sha256)"
is "$(wc -c < "$TMPD/b.out" | tr -d ' ')" 0 "nothing on stdout while stderr carries 50 MiB"

# ---- both at once, each to its own pipe ---------------------------------------
n=$(new_name)
rm -f "$TMPD/errfifo"
mkfifo "$TMPD/errfifo"
sha < "$TMPD/errfifo" > "$TMPD/got.err" &
errsum=$!
record_pid "$errsum"
{ tlx run --rm --name "$n" -v "$VOL:/vol:ro" -- sh -c 'cat /vol/a & cat /vol/b >&2; wait' 2> "$TMPD/errfifo"; echo $? > "$TMPD/st"; } | sha > "$TMPD/got.out"
wait "$errsum"
is "$(cat "$TMPD/st")" 0 "stdout and stderr concurrently: run exits 0"
is "$(cat "$TMPD/got.out")" "$SHA_A" "concurrent stdout is byte-exact and holds only stdout's data"
is "$(cat "$TMPD/got.err")" "$SHA_B" "concurrent stderr is byte-exact and holds only stderr's data"

# ---- small binary output, exact bytes, no added newline --------------------------
n=$(new_name)
tlx run --rm --name "$n" -- sh -c 'printf "o\000\377\r\nx"; printf "e\001\033[0m" >&2; printf "O"; printf "E" >&2' \
	> "$TMPD/small.out" 2> "$TMPD/small.err"
rc=$?
printf 'o\000\377\r\nxO' > "$TMPD/small.out.want"
printf 'e\001\033[0mE' > "$TMPD/small.err.want"
is "$rc" 0 "small binary output: run exits 0"
ok "stdout carries exactly the workload's bytes (NUL, 0xff, CR, no trailing newline added)" \
	cmp -s "$TMPD/small.out" "$TMPD/small.out.want"
ok "stderr carries exactly the workload's bytes, separate from stdout" \
	cmp -s "$TMPD/small.err" "$TMPD/small.err.want"

# ---- all output is there when run returns ------------------------------------------
n=$(new_name)
tlx run --rm --name "$n" -v "$VOL:/vol:ro" -- sh -c 'head -c 3000000 /vol/a; printf END; printf ERR-END >&2' \
	> "$TMPD/fl.out" 2> "$TMPD/fl.err"
rc=$?
is "$rc" 0 "flush test: run exits 0"
is "$(wc -c < "$TMPD/fl.out" | tr -d ' ')" 3000003 "all of stdout is in the file when run returns"
is "$(tail -c 3 "$TMPD/fl.out")" END "stdout's last bytes are there when run returns"
is "$(cat "$TMPD/fl.err")" ERR-END "stderr's last bytes are there when run returns"

# ---- the caller's files keep their modes ----------------------------------------------
# The fds are handed to lxc-start as they are; LXC's fix_stdio_permissions()
# fchmod()s its stdio to 0700.  The caller's files must not change.
n=$(new_name)
: > "$TMPD/mode.out"
: > "$TMPD/mode.err"
chmod 644 "$TMPD/mode.out" "$TMPD/mode.err"
tlx run --rm --name "$n" -- sh -c 'echo o; echo e >&2' > "$TMPD/mode.out" 2> "$TMPD/mode.err"
is "$(file_mode "$TMPD/mode.out")" 644 "run leaves the mode of the caller's stdout file alone (0644)"
is "$(file_mode "$TMPD/mode.err")" 644 "run leaves the mode of the caller's stderr file alone (0644)"
n=$(new_name)
chmod 640 "$TMPD/mode.out"
echo in > "$TMPD/mode.in"
chmod 604 "$TMPD/mode.in"
tlx run --rm -i --name "$n" -- cat < "$TMPD/mode.in" > "$TMPD/mode.out"
is "$(file_mode "$TMPD/mode.in")" 604 "run -i leaves the mode of the caller's stdin file alone (0604)"
is "$(file_mode "$TMPD/mode.out")" 640 "run -i leaves the mode of the caller's stdout file alone (0640)"

# ---- stdin ----------------------------------------------------------------------------
n=$(new_name)
out=$(echo x | tlx run --rm --name "$n" -- cat)
rc=$?
is "$rc:$out" "0:" "without -i the workload's stdin is empty (echo x | run -- cat prints nothing, exits 0)"

n=$(new_name)
out=$(echo x | tlx run --rm --name "$n" -- readlink /proc/self/fd/0)
is "$out" /dev/null "without -i the workload's stdin is /dev/null"

n=$(new_name)
out=$(printf 'a\nb\n' | tlx run --rm --name "$n" -i -- wc -l)
rc=$?
is "$rc:$(echo $out)" "0:2" "with -i: printf 'a\\nb\\n' | run -i -- wc -l prints 2 (EOF reaches the workload)"

n=$(new_name)
out=$(tlx run --rm --name "$n" -i -- sha256sum < "$VOL/a")
rc=$?
is "$rc:${out%% *}" "0:$SHA_A" "with -i: 50 MiB of binary stdin reaches the workload byte-exact"

n=$(new_name)
out=$(tlx run --rm --name "$n" -i -- sh -c 'cat; echo after-eof' < /dev/null)
is "$?:$out" "0:after-eof" "with -i and an empty stdin the workload sees EOF at once"

# A closed stdout (or stdin with -i) of the caller: the workload gets
# /dev/null there, never one of lxcshim's own fds.
n=$(new_name)
# (busybox runs readlink inside the shell: read the link in a subshell, so
# that no redirection of the shell's own fd 1 is in force meanwhile.)
tlx run --rm --name "$n" -- sh -c 'l=$(readlink /proc/$$/fd/1); echo "$l" >&2; echo hi' 2> "$TMPD/closed.err" >&-
rc=$?
is "$(head -n 1 "$TMPD/closed.err")" /dev/null "with the caller's stdout closed, the workload's stdout is /dev/null"
is "$rc" 0 "with the caller's stdout closed, echo hi in the workload succeeds"
n=$(new_name)
tlx run --rm -i --name "$n" -- sh -c 'readlink /proc/$$/fd/0; cat; echo "cat=$?"' <&- > "$TMPD/closed.out" 2>&1
rc=$?
is "$(cat "$TMPD/closed.out")" "$(printf '/dev/null\ncat=0')" "with -i and the caller's stdin closed, the workload's stdin is /dev/null"
is "$rc" 0 "with -i and the caller's stdin closed, run exits 0"

# ---- a slow reader -------------------------------------------------------------------
n=$(new_name)
{ tlx run --rm --name "$n" -- sh -c 'yes | head -c 5000000; exit 4'; echo $? > "$TMPD/st"; } |
	(sleep 0.5; wc -c > "$TMPD/cnt")
is "$(cat "$TMPD/st")" 4 "a slow reader still gets the workload's status (4)"
is "$(tr -d ' ' < "$TMPD/cnt")" 5000000 "a slow reader gets all 5000000 bytes"

# ---- a reader that goes away -----------------------------------------------------------
n=$(new_name)
{ tlx run --rm --name "$n" -- sh -c 'yes; exit 3'; echo $? > "$TMPD/st"; } | head -c 10 > "$TMPD/got"
is "$(cat "$TMPD/st")" 3 "a closed reader: yes dies of SIGPIPE, the shell goes on, run returns 3 (124 = hung)"
is "$(cat "$TMPD/got")" "$(printf 'y\ny\ny\ny\ny\n')" "the reader got its 10 bytes"

n=$(new_name)
{ tlx run --rm --name "$n" -- yes; echo $? > "$TMPD/st"; } | head -c 10 > /dev/null
is "$(cat "$TMPD/st")" 141 "a closed reader: a workload killed by SIGPIPE makes run return 141 (124 = hung)"

n=$(new_name)
{ tlx run --rm --name "$n" -- sh -c 'yes >&2; exit 6' 2>&1 >/dev/null; echo $? > "$TMPD/st"; } | head -c 10 > /dev/null
is "$(cat "$TMPD/st")" 6 "a closed reader on stderr: run returns the workload's status 6 (124 = hung)"
