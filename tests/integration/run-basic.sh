#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: the basics of one container's life, its files, its
# capabilities, its network and the shared-root case.
. "${TESTS_LIB:?}"

# ---- hello world, and what stays behind without --rm -------------------
n=$(new_name)
out=$(lx run --name "$n" -- echo hello world 2> "$TMPD/err")
rc=$?
is "$rc" 0 "hello world exits 0"
is "$out" "hello world" "hello world prints its output"
is "$(cat "$TMPD/err")" "" "hello world writes nothing to stderr"
ok "container dir kept without --rm" test -d "$(cdir "$n")"
is "$(file_mode "$(cdir "$n")")" 700 "container dir has mode 0700"
sf=$(state_file "$n")
ok "state.json exists" test -f "$sf"
ok "state.json is valid JSON" json_valid "$sf"
is "$(file_mode "$sf")" 600 "state.json has mode 0600"
is "$(state_get "$n" id)" "$n" "state.json id"
is "$(state_get "$n" status)" stopped "state.json status is stopped"
is "$(state_get "$n" exit_code)" 0 "state.json exit_code is 0"
is "$(state_get "$n" oom_killed)" false "state.json oom_killed is false"
like "$(state_get "$n" finished)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' \
	"state.json finished is RFC 3339"
like "$(state_get "$n" created)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "state.json created is RFC 3339"
like "$(state_get "$n" init_process_start)" '^[1-9][0-9]*$' "state.json init_process_start is numeric"
like "$(state_get "$n" init_process_pid)" '^[1-9][0-9]*$' "state.json init_process_pid is numeric"
if cgroup_v2_only; then
	like "$(state_get "$n" cgroup_paths.unified)" '^/sys/fs/cgroup/(.*/)?lxc\.payload\.'"$n"'(-[0-9]+)?$' \
		"state.json cgroup_paths.unified is under /sys/fs/cgroup"
else
	like "$(state_get "$n" cgroup_paths.memory)" '^/sys/fs/cgroup/memory/.*lxc\.payload\.'"$n"'(-[0-9]+)?$' \
		"state.json cgroup_paths.memory is under /sys/fs/cgroup/memory"
fi
is "$(state_get "$n" lxcpath)" "$LXCPATH" "state.json lxcpath"

# config.env: mode 0600, a JSON array of strings
ce=$(cdir "$n")/config.env
is "$(file_mode "$ce")" 600 "config.env has mode 0600"
is "$(file_mode "$(cdir "$n")/config")" 600 "config has mode 0600"
if [ -n "$T_PYTHON" ]; then
	ok "config.env is a JSON array of strings" "$T_PYTHON" -c '
import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(0 if isinstance(a, list) and all(isinstance(x, str) for x in a) else 1)' "$ce"
else
	ok "config.env is a JSON array" grep -q '^\[.*\]$' "$ce"
fi
assert_no_leftovers "$n" keep-dir "a finished container leaves no cgroup or lxc state"

# ---- --rm ---------------------------------------------------------------
n=$(new_name)
out=$(lx run --rm --name "$n" -- sh -c 'echo bye; exit 0')
is "$?:$out" "0:bye" "--rm runs the container"
assert_no_leftovers "$n" "" "--rm leaves nothing behind"

# ---- generated id ---------------------------------------------------------
ls -A "$ROOT/containers" | sort > "$TMPD/before"
out=$(lx run -- hostname)
rc=$?
ls -A "$ROOT/containers" | sort > "$TMPD/after"
gen=$(comm -13 "$TMPD/before" "$TMPD/after")
is "$rc" 0 "run without --name exits 0"
like "$gen" '^[0-9a-f]{12}$' "the generated id is 12 hex digits"
is "$out" "$gen" "the hostname defaults to the generated id"
[ -n "$gen" ] && is "$(state_get "$gen" id)" "$gen" "state.json carries the generated id"

# ---- --name and --hostname ------------------------------------------------
n=$(new_name)
out=$(lx run --rm --name "$n" -- hostname)
is "$out" "$n" "the hostname defaults to the name"
n=$(new_name)
out=$(lx run --rm --name "$n" --hostname myhost.example -- hostname)
is "$out" "myhost.example" "--hostname sets the hostname"
n=$(new_name)
out=$(lx run --rm --name "$n" --hostname myhost -- sh -c 'echo $HOSTNAME')
is "$out" "myhost" "HOSTNAME follows --hostname"

# ---- /.dockerenv ------------------------------------------------------------
n=$(new_name)
out=$(lx run --name "$n" -e LXT_MARK=dockerenv -- sh -c 'if echo x >> /.dockerenv; then echo WRITABLE; else echo readonly; fi; cat /.dockerenv' 2> /dev/null)
rc=$?
is "$rc" 0 "a workload reading /.dockerenv exits 0"
is "$(printf '%s\n' "$out" | head -n 1)" readonly "/.dockerenv is read-only inside"
is "$(printf '%s\n' "$out" | sed 1d)" "$(cat "$(cdir "$n")/config.env")" "/.dockerenv carries config.env"
like "$out" '"LXT_MARK=dockerenv"' "/.dockerenv contains the environment"
n=$(new_name)
out=$(lx run --rm --name "$n" -- sh -c 'rm -f /.dockerenv 2>/dev/null; test -s /.dockerenv && echo still-there')
is "$out" still-there "/.dockerenv cannot be removed inside"

# ---- a name in use by a running lxcshim container ----------------------------
n=$(new_name)
bg_start "$n" -- sh -c "$WAIT_GO; echo released"
if bg_wait_running; then
	pass "background container $n is running"
else
	fail "background container $n is running" "state: $(cat "$(state_file "$n")" 2>&1)" "stderr: $(cat "$TMPD/$n.err")"
fi
cp "$(state_file "$n")" "$TMPD/state.before"
lx run --name "$n" -- echo second > "$TMPD/out2" 2> "$TMPD/err2"
rc=$?
is "$rc" 125 "a second run --name $n while $n runs exits 125"
is "$(cat "$TMPD/out2")" "" "the second run printed nothing on stdout"
is "$(line_count "$TMPD/err2")" 1 "the second run prints one line on stderr"
like "$(cat "$TMPD/err2")" "$n" "the error names the container"
ok "the first container is still running" lxc_running "$n"
ok "its dir is intact" cmp -s "$TMPD/state.before" "$(state_file "$n")"
ok "its config is intact" test -s "$(cdir "$n")/config"
bg_release
bg_wait
is "$BG_RC" 0 "the first container then exits 0"
is "$(cat "$TMPD/$n.out")" "released" "the first container ran to its end"
is "$(state_get "$n" status)" stopped "the first container is then stopped"

# ---- a name LXC itself defines ---------------------------------------------
n=$(new_name)
mkdir -p "$LXCPATH/$n"
printf 'lxc.uts.name = %s\nlxc.rootfs.path = dir:/nonexistent\n' "$n" > "$LXCPATH/$n/config"
cp "$LXCPATH/$n/config" "$TMPD/lxcconf"
lx run --name "$n" -- true > /dev/null 2> "$TMPD/err"
rc=$?
is "$rc" 125 "a name LXC defines is refused with 125"
is "$(line_count "$TMPD/err")" 1 "with one line on stderr"
like "$(cat "$TMPD/err")" "$n" "naming the container"
ok "the LXC container's config is untouched" cmp -s "$TMPD/lxcconf" "$LXCPATH/$n/config"
ok "no lxcshim dir was made for it" test ! -e "$(cdir "$n")"
rm -rf "${LXCPATH:?}/$n"

# ---- capabilities --------------------------------------------------------------
capeff() {
	_n=$(new_name)
	lx run --rm --name "$_n" "$@" -- sh -c 'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status' 2> "$TMPD/cap.err"
}
capeff_is() {
	_want=$1
	_desc=$2
	shift 2
	_got=$(capeff "$@")
	_rc=$?
	if [ "$_rc:$_got" = "0:$_want" ]; then
		pass "$_desc"
	else
		fail "$_desc" "expected: status 0, CapEff $_want" "     got: status $_rc, CapEff '$_got'" \
			"stderr: $(cat "$TMPD/cap.err")"
	fi
}
bit() {
	echo $(((0x$1 >> $2) & 1))
}
capeff_is 00000000a80425fb "default CapEff is Docker's 14 capabilities"
capeff_is 0000000000000000 "--cap-drop ALL gives CapEff 0" --cap-drop ALL
capeff_is 00000000a80435fb "--cap-add NET_ADMIN adds bit 12" --cap-add NET_ADMIN
capeff_is 00000000a80435fb "--cap-add cap_net_admin (lower case, cap_ prefix) adds bit 12" --cap-add cap_net_admin
capeff_is 00000000a80405fb "--cap-drop NET_RAW removes bit 13" --cap-drop NET_RAW
capeff_is 0000000000001000 "--cap-drop ALL --cap-add NET_ADMIN is just bit 12" --cap-drop ALL --cap-add NET_ADMIN
capeff_is 00000000a80425bb "--cap-drop SETGID (root workload) removes bit 6" --cap-drop SETGID
hostbnd=$(host_capbnd)
capeff_is "$hostbnd" "--privileged gives the host's full bounding set" --privileged
got=$(capeff --cap-add SYS_BOOT)
is "$(bit "${got:-0}" 22)" 0 "--cap-add SYS_BOOT does not give sys_boot (bit 22)"
got=$(capeff --cap-add ALL)
is "$(bit "${got:-0}" 22)" 0 "--cap-add ALL does not give sys_boot (bit 22)"
is "$(bit "${got:-0}" 21)" 1 "--cap-add ALL gives sys_admin (bit 21)"

# ---- reboot does not restart the container ------------------------------------
n=$(new_name)
mkdir -p "$TMPD/rb"
out=$(lx run --name "$n" -v "$TMPD/rb:/rb" -- sh -c '
	echo boot >> /rb/boots
	[ "$(wc -l < /rb/boots)" -gt 1 ] && exit 99
	reboot -f
	echo "reboot=$?"' 2> "$TMPD/err")
rc=$?
is "$rc" 0 "reboot -f inside fails and the workload carries on to exit 0"
like "$out" '^reboot=[1-9]' "reboot -f returned an error"
is "$(line_count "$TMPD/rb/boots")" 1 "the container booted exactly once"
is "$(state_get "$n" status)" stopped "state.json says stopped after reboot -f"

# ---- networking ---------------------------------------------------------------
netifs='sed -n "s/^ *\([^ :]*\):.*/\1/p" /proc/net/dev | sort | tr "\n" " "'
n=$(new_name)
out=$(lx run --rm --name "$n" --net none -- sh -c "$netifs")
is "$out" "lo " "--net none shows only lo"
n=$(new_name)
out=$(lx run --rm --name "$n" --net none -- sh -c 'echo $(( $(cat /sys/class/net/lo/flags) & 1 ))')
is "$out" 1 "--net none: lo is UP"
n=$(new_name)
out=$(lx run --rm --name "$n" -- sh -c "$netifs")
is "$out" "lo " "the default network is none: only lo"
hostif=$(ls /sys/class/net | grep -vx lo | head -n 1)
if [ -n "$hostif" ]; then
	n=$(new_name)
	out=$(lx run --rm --name "$n" --net host -- sh -c "$netifs")
	like "$out" "(^| )$hostif " "--net host shows the host interface $hostif"
	n=$(new_name)
	hostns=$(readlink /proc/self/ns/net)
	out=$(lx run --rm --name "$n" --net host -- readlink /proc/self/ns/net)
	is "$out" "$hostns" "--net host shares the host's network namespace"
else
	skip "--net host shows a host interface" "the host has no interface but lo"
	skip "--net host shares the host's network namespace" "the host has no interface but lo"
fi

# ---- shared root ----------------------------------------------------------------
if command -v unshare >/dev/null 2>&1 && unshare -m --propagation shared -- true 2> /dev/null; then
	n=$(new_name)
	n2=$(new_name)
	mkdir -p "$TMPD/sharedmnt"
	# shellcheck disable=SC2016
	res=$(unshare -m --propagation shared -- sh -c '
		prop=$(sed -n "s/^[0-9]* [0-9]* [^ ]* [^ ]* \/ .*shared:[0-9].*/shared/p" /proc/self/mountinfo | head -n 1)
		before=$(wc -l < /proc/self/mountinfo)
		"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$1" -- sh -c "exit 42" > /dev/null 2>&1
		rc=$?
		mid=$(wc -l < /proc/self/mountinfo)
		"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$2" --privileged -v "$3:/mnt" \
			-- sh -c "mount -t tmpfs lxtsharedmark /mnt && touch /mnt/inside && echo mounted" > /dev/null 2>&1
		rc2=$?
		after=$(wc -l < /proc/self/mountinfo)
		leak=$(grep -c lxtsharedmark /proc/self/mountinfo)
		echo "$prop $rc $before $mid $rc2 $after $leak"' sh "$n" "$n2" "$TMPD/sharedmnt")
	set -- $res
	is "${1:-}" shared "the unshare namespace has a shared /"
	is "${2:-}" 42 "a container under a shared / runs and exits 42"
	is "${4:-}" "${3:-}" "no new mounts in the shared namespace after a run"
	is "${5:-}" 0 "a privileged container mounting a tmpfs runs under a shared /"
	is "${6:-}" "${3:-}" "no new mounts in the shared namespace after the mounting container"
	is "${7:-}" 0 "the container's tmpfs did not propagate to the host namespace"
	assert_no_leftovers "$n" "" "nothing left of the shared-root run"
	assert_no_leftovers "$n2" "" "nothing left of the shared-root mounting run"
	set --
else
	skip "shared-root run" "unshare -m --propagation shared is not available"
fi

exit 0
