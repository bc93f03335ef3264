#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: -u resolves users and groups inside the container; -w;
# --hostname.
. "${TESTS_LIB:?}"

RF=$TMPD/rootfs
make_rootfs "$RF"
cat >> "$RF/etc/passwd" <<'EOF'
user1:x:1000:1000:User One:/home/user1:/bin/sh
user2:x:1001:1001::/home/user2:/bin/sh
EOF
cat >> "$RF/etc/group" <<'EOF'
user1:x:1000:
user2:x:1001:
grp2:x:2000:user1
grp3:x:3000:user2,user1
EOF
mkdir -p "$RF/home/user1" "$RF/home/user2"
chown 1000:1000 "$RF/home/user1"
chmod 0700 "$RF/home/user1"

# urun RUN-ARGS...: a --rm run in $RF; stdout is the workload's, stderr goes
# to $TMPD/err
# (N: the name to use, for a later assert_no_leftovers; else a fresh one)
urun() {
	lx run --rm --name "${N:-$(new_name)}" --rootfs "$RF" "$@" 2> "$TMPD/err"
}

out=$(urun -u user1 -- id -u)
is "$?:$out" "0:1000" "-u user1: uid 1000"
out=$(urun -u user1 -- id -g)
is "$out" 1000 "-u user1: gid 1000"
out=$(urun -u user1 -- id -G)
like " $out " ' 2000 ' "-u user1: supplementary groups include 2000 (grp2)"
like " $out " ' 3000 ' "-u user1: supplementary groups include 3000 (grp3, listed second)"
unlike " $out " ' 0 ' "-u user1: no root group left over"
out=$(urun -u user1 -- sh -c 'echo "$HOME"')
is "$out" /home/user1 "-u user1: HOME=/home/user1"
out=$(urun -u user1 -- sh -c 'cd && touch own-file && echo written')
is "$out" written "-u user1 can write its own 0700 home"
out=$(urun -u user1 -- sh -c 'grep -E "^(Uid|Gid):" /proc/self/status | tr -s "\t" " "')
is "$out" "Uid: 1000 1000 1000 1000
Gid: 1000 1000 1000 1000" "-u user1: real, effective, saved and fs ids all 1000"
out=$(urun -u user1 -- sh -c 'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status')
is "$out" 0000000000000000 "-u user1: no effective capabilities"

out=$(urun -u 1000:2000 -- id)
rc=$?
is "$rc" 0 "-u 1000:2000 exits 0"
like "$out" '^uid=1000(\(user1\))? gid=2000(\(grp2\))?' "-u 1000:2000: uid 1000 gid 2000"
out=$(urun -u user1:grp3 -- sh -c 'id -u; id -g')
is "$out" "1000
3000" "-u user1:grp3: uid 1000 gid 3000"
out=$(urun -u 1001 -- sh -c 'id -g; echo "$HOME"')
is "$out" "1001
/home/user2" "-u 1001 takes user2's group and home from /etc/passwd"

out=$(urun -u 4242 -- sh -c 'id -u; id -g; echo "$HOME"')
rc=$?
is "$rc" 0 "-u 4242 (unknown numeric uid) exits 0"
is "$(printf '%s\n' "$out" | head -n 1)" 4242 "-u 4242: uid 4242"
is "$(printf '%s\n' "$out" | sed -n 2p)" 0 "-u 4242: gid 0, as docker does"
is "$(printf '%s\n' "$out" | sed -n 3p)" / "-u 4242: HOME=/"
out=$(urun -u 4242:4343 -- sh -c 'id -u; id -g')
is "$out" "4242
4343" "-u 4242:4343: unknown numeric uid and gid"

out=$(urun -u root -- sh -c 'id -u; echo "$HOME"')
is "$out" "0
/root" "-u root: uid 0, HOME=/root"
out=$(urun -- sh -c 'id -u; echo "$HOME"')
is "$out" "0
/root" "no -u: uid 0, HOME=/root"

# ---- unknown users and groups -------------------------------------------------
N=$(new_name)
out=$(urun -u nosuch -- id)
rc=$?
is "$rc" 125 "-u nosuch -> 125"
is "$out" "" "-u nosuch: the workload did not run"
is "$(line_count "$TMPD/err")" 1 "-u nosuch: one line on stderr"
like "$(cat "$TMPD/err")" 'nosuch' "-u nosuch: the message names the user"
assert_no_leftovers "$N" "" "-u nosuch leaves nothing"

N=$(new_name)
out=$(urun -u user1:nosuchgroup -- id)
rc=$?
is "$rc" 125 "-u user1:nosuchgroup -> 125"
is "$(line_count "$TMPD/err")" 1 "-u user1:nosuchgroup: one line on stderr"
like "$(cat "$TMPD/err")" 'nosuchgroup' "-u user1:nosuchgroup: the message names the group"
assert_no_leftovers "$N" "" "-u user1:nosuchgroup leaves nothing"
N=

# ---- -w -------------------------------------------------------------------------
out=$(urun -w /tmp -- pwd)
is "$?:$out" "0:/tmp" "-w /tmp: pwd is /tmp"
out=$(urun -w /home/user1 -u user1 -- pwd)
is "$?:$out" "0:/home/user1" "-w with -u: the user's 0700 home as workdir"
N=$(new_name)
out=$(urun -w /nonexistent -- pwd)
rc=$?
is "$rc" 125 "-w /nonexistent -> 125"
is "$out" "" "-w /nonexistent: the workload did not run"
like "$(cat "$TMPD/err")" '/nonexistent' "-w /nonexistent: the message names the dir"
is "$(line_count "$TMPD/err")" 1 "-w /nonexistent: one line on stderr"
assert_no_leftovers "$N" "" "-w /nonexistent leaves nothing"
N=
out=$(urun -w relative -- pwd)
is "$?" 125 "-w relative (not absolute) -> 125"
out=$(urun -w /etc/passwd -- pwd)
is "$?" 125 "-w /etc/passwd (a file) -> 125"

# ---- --hostname ---------------------------------------------------------------
out=$(urun --hostname myhost -- hostname)
is "$out" myhost "--hostname myhost: hostname"
out=$(urun --hostname myhost -- cat /proc/sys/kernel/hostname)
is "$out" myhost "--hostname myhost: the kernel's hostname"

exit 0
