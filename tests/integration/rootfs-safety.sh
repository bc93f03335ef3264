#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 8, items 1 and 2: whatever symlinks a rootfs holds, no lxcshim run
# creates anything outside it; the default rootfs is never written (each
# container gets an overlay whose upper dir lives in its container dir);
# --rootfs DIR is used in place unless --rootfs-overlay.
. "${TESTS_LIB:?}"

# This script works on the build tree's own rootfs (tests/lib.sh hands the
# other scripts a copy): it must stay byte-identical.
LXCSHIM_ROOTFS=$LXCSHIM_BUILTIN_ROOTFS
export LXCSHIM_ROOTFS
listing() {
	(cd "$1" && find . -printf '%p %y %m %u:%g %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum)
}
listing "$LXCSHIM_ROOTFS" > "$TMPD/builtin.before"

mark=lxtmark$$
# host_clean: none of the marker paths exists on the host.
host_paths() {
	for p in "/$mark" "/etc/$mark" "/tmp/$mark" "/$mark-d" "/tmp/$mark-env" "/tmp/$mark-init" "/etc/$mark-race" \
		"$TMPD/outside/$mark"; do
		[ -e "$p" ] || [ -L "$p" ] && echo "$p"
	done
}
host_clean() {
	_left=$(host_paths)
	if [ -z "$_left" ]; then
		pass "$1"
	else
		fail "$1" "created on the host: $_left"
	fi
}
# refused DESC RUN-ARGS...: 125, one stderr line naming a symlink, nothing
# left, nothing on the host.
refused() {
	_d=$1
	shift
	_n=$(new_name)
	lx run --rm --name "$_n" "$@" > "$TMPD/out" 2> "$TMPD/err"
	_rc=$?
	is "$_rc" 125 "$_d: refused (125)"
	like "$(cat "$TMPD/err")" 'symbolic link' "$_d: the message names the symlink"
	is "$(line_count "$TMPD/err")" 1 "$_d: one line on stderr"
	assert_no_leftovers "$_n" "" "$_d: nothing left"
	host_clean "$_d: nothing created on the host"
}

RF=$TMPD/rf
make_rootfs "$RF"
mkdir -p "$TMPD/outside" "$TMPD/vol"
echo vol > "$TMPD/vol/f"

# ---- item 1: symlinks in a user rootfs (in place) ---------------------------
ln -s / "$RF/tmp/abs"
refused "absolute symlink to / in the target" --rootfs "$RF" -v /etc/hostname:"/tmp/abs/$mark" -- true
ln -s ../../../../../../../../etc "$RF/tmp/rel"
refused "relative symlink out of the rootfs" --rootfs "$RF" -v /etc/hostname:"/tmp/rel/$mark" -- true
ln -s c2 "$RF/tmp/c1"
ln -s ../tmp/c3 "$RF/tmp/c2"
ln -s /tmp "$RF/tmp/c3"
refused "chained symlinks" --rootfs "$RF" -v "$TMPD/vol:/tmp/c1/$mark/sub" -- true
ln -s "/etc/$mark" "$RF/tmp/lastf"
refused "a dangling symlink as the last component (file source)" --rootfs "$RF" -v /etc/hostname:/tmp/lastf -- true
ln -s "/$mark-d" "$RF/tmp/lastd"
refused "a dangling symlink as the last component (dir source)" --rootfs "$RF" -v "$TMPD/vol:/tmp/lastd" -- true
ln -s /tmp "$RF/srvlink"
refused "a symlinked parent of the target" --rootfs "$RF" -v "$TMPD/vol:/srvlink/$mark/a/b" -- true
refused "a symlink to a directory inside the rootfs" --rootfs "$RF" -v "$TMPD/vol:/tmp/c3/x" -- true
refused "--dry-run checks too" --dry-run --rootfs "$RF" -v /etc/hostname:"/tmp/abs/$mark" -- true

# The issue's second example: a container plants the link for the next run.
n=$(new_name)
lx run --rm --name "$n" --rootfs "$RF" -- sh -c 'ln -s /etc /data' 2> "$TMPD/err"
is "$?" 0 "a container plants /data -> /etc in its in-place rootfs"
refused "a symlink planted by a previous run" --rootfs "$RF" -v /etc/hostname:"/data/$mark" -- true

# Dangling symlinks at lxcshim's own mount points.
RF2=$TMPD/rf2
make_rootfs "$RF2"
ln -s "/tmp/$mark-env" "$RF2/.dockerenv"
refused "a dangling symlink at /.dockerenv" --rootfs "$RF2" -- true
rm "$RF2/.dockerenv"
ln -s "/tmp/$mark-init" "$RF2/.lxcshim-init"
refused "a dangling symlink at /.lxcshim-init" --rootfs "$RF2" -- true
rm "$RF2/.lxcshim-init"
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF2" -- cat /etc/hostname 2>&1)
is "$?:$out" "0:lxcshim" "the same rootfs without the links runs"

# A rootfs whose /dev is a symlink: LXC's autodev refuses it, and the
# mount entries under /dev (create=) never run.
RF3=$TMPD/rf3
make_rootfs "$RF3"
rm -rf "$RF3/dev"
ln -s "$TMPD/outside" "$RF3/dev"
n=$(new_name)
lx run --rm --name "$n" --rootfs "$RF3" -v /etc/hostname:/dev/lxt-h -- true > /dev/null 2>&1
is "$?" 125 "a rootfs whose /dev is a symlink out of it: 125"
is "$(ls -A "$TMPD/outside")" "" "... nothing is created where /dev points (dev/shm, volumes)"
assert_no_leftovers "$n"

# A volume nested in another volume: its mount point is made in that
# volume's source, where a planted symlink is refused as well.
ln -s "$TMPD/outside" "$TMPD/vol/link"
refused "a symlink in the source of the volume a target is nested in" --rootfs "$RF" -v "$TMPD/vol:/data2" \
	-v /etc/hostname:"/data2/link/$mark" -- true
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF" -v "$TMPD/vol:/data2" -v /etc/hostname:/data2/sub/h -- cat /data2/sub/h 2>&1)
is "$?:$out" "0:$(cat /etc/hostname)" "a volume nested in another one works (mount point made in its source)"
ok "... its mount point is in the outer volume's source" test -f "$TMPD/vol/sub/h"
rm -rf "$TMPD/vol/sub"

# Volumes under /dev live in LXC's own fresh tmpfs.
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF" -v /etc/hostname:/dev/lxt-h -v "$TMPD/vol:/dev/lxt-d" -- sh -c 'cat /dev/lxt-h /dev/lxt-d/f' 2>&1)
is "$?:$out" "0:$(cat /etc/hostname)
vol" "volumes under /dev work"

# A running container swaps a directory for a symlink to /etc in a loop
# while other runs bind onto it: no run may create anything on the host.
n=$(new_name)
bg_start "$n" --rootfs "$RF" -- sh -c "i=0; while [ ! -e /lxtsync/go ] && [ \$i -lt 200000 ]; do
	rm -rf /swap; mkdir /swap; rm -rf /swap; ln -s /etc /swap; i=\$((i+1)); done; rm -rf /swap; echo \$i > /lxtsync/count"
ok "a container swapping /swap between a dir and a symlink runs" bg_wait_running
bad_rc=
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	m=$(new_name)
	lx run --rm --name "$m" --rootfs "$RF" -v /etc/hostname:"/swap/$mark-race" -- true > /dev/null 2>&1
	rc=$?
	case $rc in 0 | 125) ;; *) bad_rc="$bad_rc $rc" ;; esac
	[ -n "$(leftovers "$m")" ] && bad_rc="$bad_rc leftover:$m"
done
bg_release
bg_wait
is "$BG_RC" 0 "the swapping container ends"
diag "the container swapped $(cat "$TMPD/$n.sync/count" 2>/dev/null) times"
is "$bad_rc" "" "each racing run exits 0 or 125 and leaves nothing"
host_clean "racing a symlink swap creates nothing on the host"
ok "delete the swapping container" lx delete "$n"

# In place: writes persist (Docker's bind-rootfs semantics), mount points stay.
n=$(new_name)
lx run --rm --name "$n" --rootfs "$RF" -v "$TMPD/vol:/lxt-inplace" -- sh -c "echo x > /etc/$mark" 2> "$TMPD/err"
is "$?" 0 "--rootfs DIR: a write in place"
is "$(cat "$RF/etc/$mark" 2>&1)" x "--rootfs DIR: the write is in the rootfs"
ok "--rootfs DIR: the volume's mount point stays in it" test -d "$RF/lxt-inplace"
ok "--rootfs DIR: /.dockerenv's mount point stays in it" test -f "$RF/.dockerenv"
grep -q '^lxc.rootfs.path = dir:' "$ROOT/containers/$n/config" 2>/dev/null
lx run --dry-run --name "$n" --rootfs "$RF" -- true > "$TMPD/dry"
like "$(cat "$TMPD/dry")" "^lxc.rootfs.path = dir:$RF\$" "--rootfs DIR: lxc.rootfs.path = dir:DIR"

# --rootfs-overlay: the same rootfs, never written.
listing "$RF" > "$TMPD/rf.before"
n=$(new_name)
out=$(lx run --rm --name "$n" --rootfs "$RF" --rootfs-overlay -v "$TMPD/vol:/lxt-ovl/sub" -- sh -c "echo y > /etc/$mark; cat /etc/$mark; mkdir /lxt-new; rm -f /etc/passwd" 2>&1)
is "$?:$out" "0:y" "--rootfs-overlay: the container writes"
listing "$RF" > "$TMPD/rf.after"
ok "--rootfs-overlay: the rootfs is byte-identical afterwards" cmp -s "$TMPD/rf.before" "$TMPD/rf.after"
assert_no_leftovers "$n"
printf '{"rootfs": "%s", "rootfs-overlay": true, "command": ["true"]}' "$RF" > "$TMPD/spec.json"
lx run --dry-run --name "$n" --spec "$TMPD/spec.json" > "$TMPD/dry"
like "$(cat "$TMPD/dry")" "^lxc.rootfs.path = overlay:$RF:$ROOT/containers/$n/overlay/upper\$" \
	"spec key rootfs-overlay: lxc.rootfs.path = overlay:DIR:UPPER"
mkdir -p "$TMPD/a:b"
n=$(new_name)
lx run --rm --name "$n" --rootfs "$TMPD/a:b" --rootfs-overlay -- true 2> "$TMPD/err"
is "$?" 125 "--rootfs-overlay with a ':' in the rootfs path: 125"
like "$(cat "$TMPD/err")" "overlay" "... saying why"
assert_no_leftovers "$n"

# ---- item 2: the default rootfs ------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/vol:/lxt-vol/sub" -- sh -c "echo x > /etc/$mark; mkdir -p /root/lxt; rm /bin/ls" 2> "$TMPD/err"
is "$?" 0 "a container writes to the default rootfs"
assert_no_leftovers "$n"
n=$(new_name)
out=$(lx run --rm --name "$n" -- sh -c "cat /etc/$mark; test -e /bin/ls && echo ls-there; test -e /lxt-vol || echo no-vol" 2> /dev/null)
is "$out" "ls-there
no-vol" "the next container starts from the pristine rootfs (no file, ls back, no mount point)"

# The upper dir lives in the container's dir; delete removes it all.
n=$(new_name)
lx run --name "$n" -- sh -c 'echo hi > /lxt-upper; mkdir -m 000 /lxt-locked' 2> "$TMPD/err"
is "$?" 0 "a run without --rm"
d=$(cdir "$n")
is "$(cat "$d/overlay/upper/lxt-upper" 2>&1)" hi "its writes are in <root>/containers/ID/overlay/upper"
ok "LXC's overlay work dir is beside it" test -d "$d/overlay/work"
like "$(cat "$d/config")" "^lxc.rootfs.path = overlay:$LXCSHIM_ROOTFS:$d/overlay/upper\$" \
	"config: lxc.rootfs.path = overlay:ROOTFS:UPPER"
unlike "$(grep '^lxc.mount.entry' "$d/config" | grep -v ' dev/')" "create=" "config: no create= outside LXC's /dev tmpfs"
ok "delete" lx delete "$n"
assert_no_leftovers "$n"

# Detached, then delete -f while running.
n=$(new_name)
lx run -d --name "$n" -- sh -c 'echo d > /lxt-d; sleep 100' > /dev/null 2> "$TMPD/err"
is "$?" 0 "run -d on the default rootfs"
ok "... it runs" wait_running "$n"
ok "delete -f" lx delete -f "$n"
assert_no_leftovers "$n" "" "delete -f leaves nothing (overlay included)"

# A failed start (LXC refuses the config) removes the overlay too.
printf 'lxc.no.such.key = 1\n' > "$TMPD/bad.conf"
n=$(new_name)
lx run --rm --name "$n" --lxc-include "$TMPD/bad.conf" -- true > /dev/null 2>&1
is "$?" 125 "a start that LXC refuses: 125"
assert_no_leftovers "$n"

# Any path that names the default rootfs gets the overlay.
ln -s "$LXCSHIM_ROOTFS" "$TMPD/rootfs-link"
lx run --dry-run --name "$n" --rootfs "$TMPD/rootfs-link/." -- true > "$TMPD/dry"
like "$(cat "$TMPD/dry")" "^lxc.rootfs.path = overlay:$LXCSHIM_ROOTFS:" "--rootfs naming the default rootfs: overlay too"

listing "$LXCSHIM_ROOTFS" > "$TMPD/builtin.after"
if cmp -s "$TMPD/builtin.before" "$TMPD/builtin.after"; then
	pass "the built-in rootfs is byte-identical after all these runs"
else
	fail "the built-in rootfs is byte-identical after all these runs" "$(diff "$TMPD/builtin.before" "$TMPD/builtin.after" | head -n 20)"
fi
host_clean "nothing of this script was created on the host"
ok "nothing of this script is left in the root" containers_empty
