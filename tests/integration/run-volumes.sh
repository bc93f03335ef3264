#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: -v bind mounts, read-write and read-only.
. "${TESTS_LIB:?}"

# ---- read-write ----------------------------------------------------------------
mkdir -p "$TMPD/rw"
echo from-host > "$TMPD/rw/host.txt"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/rw:/data" -- sh -c 'cat /data/host.txt; echo from-container > /data/ct.txt' 2> "$TMPD/err")
rc=$?
is "$rc" 0 "a rw volume: the workload exits 0"
is "$out" from-host "a rw volume: the container reads the host's file"
is "$(cat "$TMPD/rw/ct.txt" 2>&1)" from-container "a rw volume: the host reads what the container wrote"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/rw:/data:rw" -- sh -c 'echo explicit > /data/rw2.txt && echo ok')
is "$out" ok "an explicit :rw volume is writable"
is "$(cat "$TMPD/rw/rw2.txt" 2>&1)" explicit "an explicit :rw volume: the host reads the file"

# ---- read-only -------------------------------------------------------------------
mkdir -p "$TMPD/ro"
echo readonly-data > "$TMPD/ro/data.txt"
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/ro:/data:ro" -- sh -c 'echo x > /data/new.txt' > /dev/null 2> "$TMPD/err"
rc=$?
isnt "$rc" 0 "a ro volume: writing fails inside (non-zero exit)"
like "$(cat "$TMPD/err")" 'Read-only file system' "a ro volume: the write fails with EROFS"
ok "a ro volume: nothing was written on the host" test ! -e "$TMPD/ro/new.txt"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/ro:/data:ro" -- cat /data/data.txt)
is "$?:$out" "0:readonly-data" "a ro volume is readable"
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/ro:/data:ro" -- rm -f /data/data.txt > /dev/null 2>&1
isnt "$?" 0 "a ro volume: removing a file fails"
ok "a ro volume: the host file is still there" test -e "$TMPD/ro/data.txt"
ok "a ro volume does not make the host dir read-only" touch "$TMPD/ro/host-can-write"

# ---- a path with a space --------------------------------------------------------
mkdir -p "$TMPD/with space/dir"
echo spaced > "$TMPD/with space/dir/f.txt"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/with space/dir:/data dir" -- sh -c 'cat "/data dir/f.txt"; echo back > "/data dir/back.txt"' 2> "$TMPD/err")
rc=$?
is "$rc:$out" "0:spaced" "a host dir with a space, at a target with a space"
[ "$rc" = 0 ] || diag "stderr: $(cat "$TMPD/err")"
is "$(cat "$TMPD/with space/dir/back.txt" 2>&1)" back "the host reads what the container wrote through a spaced path"

# ---- a single file ---------------------------------------------------------------
printf 'single file\n' > "$TMPD/single.txt"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/single.txt:/etc/single.txt:ro" -- sh -c 'cat /etc/single.txt; [ -f /etc/single.txt ] && echo is-file')
is "$out" "single file
is-file" "a single-file volume"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/single.txt:/new/dir/single.txt" -- cat /new/dir/single.txt)
is "$?:$out" "0:single file" "a single-file volume at a target whose parents do not exist"
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/single.txt:/single.txt" -- sh -c 'echo appended >> /single.txt' > /dev/null 2>&1
is "$(tail -n 1 "$TMPD/single.txt")" appended "a rw single-file volume writes through to the host"

# ---- several volumes; nested targets --------------------------------------------
mkdir -p "$TMPD/a" "$TMPD/b"
echo A > "$TMPD/a/f"
echo B > "$TMPD/b/f"
n=$(new_name)
out=$(lx run --rm --name "$n" -v "$TMPD/a:/mnt/a" -v "$TMPD/b:/mnt/a/b:ro" -- sh -c 'cat /mnt/a/f /mnt/a/b/f')
is "$out" "A
B" "two volumes, one nested in the other"

# ---- the rootfs is not changed by volumes ----------------------------------------
RF=$TMPD/rootfs
make_rootfs "$RF"
n=$(new_name)
lx run --rm --name "$n" --rootfs "$RF" -v "$TMPD/a:/lxt-newdir/sub" -- true > /dev/null 2>&1
is "$?" 0 "a volume at a new path in a private rootfs"
ok "no host mount is left on the rootfs" sh -c "! grep -qF ' $RF/' /proc/self/mountinfo"

# ---- a target with ".." must not leave the rootfs --------------------------------
# lxc joins a relative target to the rootfs' mount point
# (/usr/lib/<arch>/lxc/rootfs) and creates it there (create=dir), so
# "/../X" would make X next to that mount point, on the host.  Docker
# cleans the target ("/../X" is "/X"); refusing it with 125 is fine too.
mark=lxtdotdot$$
escaped() {
	for _d in "$LXCSHIM_ROOTFS/.." "$RF/.." /usr/lib/*/lxc /usr/lib/lxc /usr/local/lib/*/lxc /usr/local/lib/lxc; do
		[ -e "$_d/$mark" ] && echo "$_d/$mark"
	done
}
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF" -v "$TMPD/a:/../$mark" -- sh -c "cat /$mark/f" 2> "$TMPD/err")
rc=$?
if [ "$rc" = 125 ] || [ "$rc:$out" = "0:A" ]; then
	pass "-v SRC:/../X is refused (125) or mounted at /X"
else
	fail "-v SRC:/../X is refused (125) or mounted at /X" "status $rc, stdout '$out'" "stderr: $(cat "$TMPD/err")"
fi
left=$(escaped)
is "$left" "" "-v SRC:/../X creates nothing outside the rootfs"
for _p in $left; do
	rmdir "$_p" 2> /dev/null || rm -f "$_p"
done
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF" -v "$TMPD/a:/mnt/../../../$mark" -- sh -c "cat /$mark/f" 2> "$TMPD/err")
rc=$?
if [ "$rc" = 125 ] || [ "$rc:$out" = "0:A" ]; then
	pass "-v SRC:/mnt/../../../X is refused (125) or mounted at /X"
else
	fail "-v SRC:/mnt/../../../X is refused (125) or mounted at /X" "status $rc, stdout '$out'" "stderr: $(cat "$TMPD/err")"
fi
left=$(escaped)
is "$left" "" "-v SRC:/mnt/../../../X creates nothing outside the rootfs"
for _p in $left; do
	rmdir "$_p" 2> /dev/null || rm -f "$_p"
done

# ---- a missing source -----------------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/no-such-dir:/data" -- true > "$TMPD/out" 2> "$TMPD/err"
rc=$?
is "$rc" 125 "a missing volume source -> 125"
is "$(line_count "$TMPD/err")" 1 "a missing volume source: one line on stderr"
like "$(cat "$TMPD/err")" 'no-such-dir' "a missing volume source: the message names it"
ok "a missing volume source is not created" test ! -e "$TMPD/no-such-dir"
assert_no_leftovers "$n" "" "a missing volume source leaves nothing"

n=$(new_name)
lx run --name "$n" -v "$TMPD/no-such-dir:/data" -- true > /dev/null 2>&1
is "$?" 125 "a missing volume source without --rm -> 125"
assert_no_leftovers "$n" "" "a missing volume source without --rm leaves nothing either"

# ---- malformed specs -------------------------------------------------------------
for bad in "$TMPD/rw" "$TMPD/rw:relative" "$TMPD/rw:/data:bogus" "relative:/data" "$TMPD/rw:"; do
	n=$(new_name)
	lx run --rm --name "$n" -v "$bad" -- true > /dev/null 2> "$TMPD/err"
	rc=$?
	if [ "$rc" = 125 ] && [ "$(line_count "$TMPD/err")" = 1 ]; then
		pass "-v '$bad' -> 125 with one line"
	else
		fail "-v '$bad' -> 125 with one line" "status $rc" "stderr: $(cat "$TMPD/err")"
	fi
	assert_no_leftovers "$n" "" "-v '$bad' leaves nothing"
done

exit 0
