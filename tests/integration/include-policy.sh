#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim's settings win over --lxc-include and the config file's
# lxc-include for every key lxcshim sets (issue 8, item 3): LXC adds up
# list keys over includes, so the template resets them after the includes.
# Each key is checked from inside a real container or in its host cgroup.
. "${TESTS_LIB:?}"

cg_v1() {
	[ -d /sys/fs/cgroup/memory ] && [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]
}
# A host block device for the device-access check (read-only probe).
blk=$(for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda; do [ -b "$d" ] && { echo "$d"; break; }; done)
blk_mm=
[ -n "$blk" ] && blk_mm="$(stat -c '%t %T' "$blk" | while read -r ma mi; do printf '%d %d' "0x$ma" "0x$mi"; done)"

mkdir -p "$TMPD/site"
echo site-file > "$TMPD/site/f"
echo '["LXT_FAKE=1"]' > "$TMPD/fake-env"
EVIL=$TMPD/evil.conf
cat > "$EVIL" <<CONF
lxc.uts.name = evil-host
lxc.rootfs.path = dir:/nonexistent-lxt-rootfs
lxc.rootfs.options = ro
lxc.console.path = /dev/null
lxc.tty.max = 4
lxc.pty.max = 1
lxc.autodev = 0
lxc.mount.auto = proc:rw sys:rw
lxc.mount.entry = $TMPD/fake-env .dockerenv none bind,ro 0 0
lxc.mount.entry = $TMPD/site mnt none bind,ro 0 0
lxc.cap.keep = sys_admin
lxc.cap.keep = net_admin
lxc.cap.keep = sys_boot
lxc.cap.keep = sys_module
lxc.net.0.type = none
lxc.cgroup.devices.allow = a
lxc.cgroup.devices.allow = b *:* rwm
lxc.cgroup.memory.limit_in_bytes = 536870912
lxc.cgroup.pids.max = 7
lxc.cgroup.cpu.shares = 3
lxc.cgroup2.memory.max = 536870912
lxc.cgroup2.pids.max = 7
lxc.cgroup2.cpu.weight = 3
lxc.cgroup2.devices.allow = a
lxc.log.file = $TMPD/evil.log
lxc.log.level = TRACE
CONF

# Docker's 14 default capabilities, minus --cap-drop chown.
default_caps=00000000a80425fb
caps_no_chown=00000000a80425fa

probe='
echo "host=$(hostname)"
echo "capeff=$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)"
echo "net=$(ls /sys/class/net | tr "\n" " ")"
echo "procsys=$(awk "\$2==\"/proc/sys\" {split(\$4, o, \",\"); print o[1]}" /proc/mounts | tail -n 1)"
echo "sys=$(awk "\$2==\"/sys\" {split(\$4, o, \",\"); print o[1]}" /proc/mounts | tail -n 1)"
echo "root=$(awk "\$2==\"/\" {print \$3}" /proc/mounts | tail -n 1)"
echo "dev=$(awk "\$2==\"/dev\" {print \$3}" /proc/mounts | tail -n 1)"
echo "devpts=$(awk "\$2==\"/dev/pts\" {print \$4}" /proc/mounts | tail -n 1)"
echo "tty1=$(test -e /dev/tty1 && echo yes || echo no)"
echo "dockerenv=$(cat /.dockerenv)"
echo "site=$(cat /mnt/f 2>/dev/null)"
if echo w > /lxt-write 2>/dev/null; then echo "write=yes"; else echo "write=no"; fi
'
get() {
	sed -n "s/^$1=//p" "$TMPD/out"
}

# ---- every key from one hostile include ---------------------------------------
n=$(new_name)
lx run --name "$n" --lxc-include "$EVIL" -e LXT_MARK=real --cap-drop chown --cap-drop sys_admin -- sh -c "$probe" \
	> "$TMPD/out" 2> "$TMPD/err"
is "$?" 0 "a run with an include overriding every key exits 0"
is "$(get host)" "$n" "lxc.uts.name: lxcshim's host name wins"
is "$(get capeff)" "$caps_no_chown" "lxc.cap.keep: CapEff is Docker's default minus --cap-drop chown (no sys_admin, net_admin, sys_boot, sys_module)"
is "$(get net)" "lo " "lxc.net: --net none wins over the include's host network"
is "$(get procsys)" ro "lxc.mount.auto: /proc/sys stays read-only (proc:mixed)"
is "$(get sys)" ro "lxc.mount.auto: /sys stays read-only"
is "$(get root)" overlay "lxc.rootfs.path: lxcshim's rootfs (the default rootfs's overlay) wins"
is "$(get write)" yes "lxc.rootfs.options: the include's ro is reset"
is "$(get dev)" tmpfs "lxc.autodev: /dev is LXC's tmpfs"
like "$(get devpts)" "max=1024" "lxc.pty.max: devpts keeps max=1024"
is "$(get tty1)" no "lxc.tty.max: no /dev/tty1"
like "$(get dockerenv)" '"LXT_MARK=real"' "mount entries: lxcshim's /.dockerenv is mounted over the include's"
is "$(get site)" site-file "the include's own mount entries (site mounts) are kept"
ok "lxc.log.file: lxcshim's lxc.log is in the container dir" test -f "$(cdir "$n")/lxc.log"
unlike "$(cat "$(cdir "$n")/lxc.log")" ' (TRACE|DEBUG|INFO|NOTICE) ' "lxc.log.level: lxcshim's level (ERROR) wins over TRACE"
ok "delete" lx delete "$n"
assert_no_leftovers "$n"

# ---- the issue's case: --cap-drop sys_admin with an include keeping it -------
printf 'lxc.cap.keep = sys_admin\n' > "$TMPD/keep-admin.conf"
n=$(new_name)
out=$(lx run --rm --name "$n" --lxc-include "$TMPD/keep-admin.conf" --cap-drop sys_admin -- \
	sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
is "$?:$out" "0:$default_caps" "--cap-drop sys_admin wins over an include keeping sys_admin"
# The config file's lxc-include is the same site policy.
printf 'lxc-include = %s\n' "$TMPD/keep-admin.conf" > "$TMPD/site.conf"
out=$("$LXCSHIM" --config "$TMPD/site.conf" --root "$ROOT" --lxcpath "$LXCPATH" run --rm --name "$n" -- \
	sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
is "$?:$out" "0:$default_caps" "lxc-include of the config file cannot add sys_admin either"
assert_no_leftovers "$n"

# An include that drops (lxc.cap.drop cannot be combined with lxc.cap.keep).
printf 'lxc.cap.drop = chown\n' > "$TMPD/drop.conf"
out=$(lx run --rm --name "$n" --lxc-include "$TMPD/drop.conf" -- sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
is "$?:$out" "0:$default_caps" "an include's lxc.cap.drop is reset: the run starts with lxcshim's caps"
out=$(lx run --rm --name "$n" --privileged --lxc-include "$TMPD/drop.conf" -- sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
is "$?:$out" "0:$(host_capbnd)" "--privileged: all capabilities despite the include's lxc.cap.drop"
out=$(lx run --rm --name "$n" --privileged --lxc-include "$TMPD/keep-admin.conf" -- sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
is "$?:$out" "0:$(host_capbnd)" "--privileged: all capabilities despite the include's lxc.cap.keep"
assert_no_leftovers "$n"

# ---- exit status with the hostile include ----------------------------------
out=$(lx run --rm --name "$n" --lxc-include "$EVIL" -- sh -c 'exit 3' 2>&1)
is "$?" 3 "the workload's exit status comes through with the include"

# ---- cgroup limits and devices, read from the host's cgroup files ----------
if cg_v1; then
	n=$(new_name)
	bg_start "$n" --lxc-include "$EVIL" -m 64m --pids-limit 100 --cpu-shares 512 -- sh -c "
		if [ -n '$blk_mm' ]; then
			mknod /dev/lxtblk b $blk_mm 2>/dev/null
			if dd if=/dev/lxtblk of=/dev/null bs=512 count=1 2>/dev/null; then echo blk=readable; else echo blk=denied; fi
		fi
		$WAIT_GO"
	ok "a container with the include runs" bg_wait_running
	is "$(cat "/sys/fs/cgroup/memory/lxc.payload.$n/memory.limit_in_bytes" 2>&1)" 67108864 \
		"memory limit: -m 64m wins over the include's 512m (host cgroup file)"
	is "$(cat "/sys/fs/cgroup/pids/lxc.payload.$n/pids.max" 2>&1)" 100 "pids.max: --pids-limit wins"
	is "$(cat "/sys/fs/cgroup/cpu/lxc.payload.$n/cpu.shares" 2>&1)" 512 "cpu.shares: --cpu-shares wins"
	devs=$(cat "/sys/fs/cgroup/devices/lxc.payload.$n/devices.list" 2>&1)
	unlike "$devs" '^(a|b \*:\* rwm)' "devices: the include's allow a / b *:* rwm are reset by deny = a"
	like "$devs" '^c 1:3 rwm$' "devices: lxcshim's default list is in place"
	bg_release
	bg_wait
	is "$BG_RC" 0 "the run exits 0"
	lx delete "$n"
	if [ -n "$blk_mm" ]; then
		is "$(cat "$TMPD/$n.out")" blk=denied "a host block device ($blk) cannot be read inside"
	else
		skip "a host block device cannot be read inside" "no block device found"
	fi
	assert_no_leftovers "$n"

	# No lxcshim flag: lxcshim's setting is "no limit", and it wins too.
	n=$(new_name)
	bg_start "$n" --lxc-include "$EVIL" -- sh -c "$WAIT_GO"
	ok "a container with the include and no limits runs" bg_wait_running
	lim=$(cat "/sys/fs/cgroup/memory/lxc.payload.$n/memory.limit_in_bytes" 2>&1)
	isnt "$lim" 536870912 "no -m: the include's memory limit is reset (got $lim)"
	isnt "$(cat "/sys/fs/cgroup/pids/lxc.payload.$n/pids.max" 2>&1)" 7 "no --pids-limit: the include's pids.max is reset"
	bg_release
	bg_wait
	is "$BG_RC" 0 "the run exits 0"
	lx delete "$n"
	assert_no_leftovers "$n"

	# --privileged: all devices, whatever the include denies.
	printf 'lxc.cgroup.devices.deny = a\nlxc.cgroup.devices.allow = c 1:3 rwm\n' > "$TMPD/deny.conf"
	n=$(new_name)
	bg_start "$n" --privileged --lxc-include "$TMPD/deny.conf" -- sh -c "$WAIT_GO"
	ok "a privileged container with a deny-all include runs" bg_wait_running
	is "$(cat "/sys/fs/cgroup/devices/lxc.payload.$n/devices.list" 2>&1)" "a *:* rwm" \
		"--privileged: the include's device rules are reset (a *:* rwm)"
	bg_release
	bg_wait
	is "$BG_RC" 0 "the run exits 0"
	lx delete "$n"
	assert_no_leftovers "$n"
elif cgroup_v2_only; then
	# The same on the unified hierarchy.  v2 has no devices.list (LXC loads
	# an eBPF program), so devices are probed from inside: /dev/kmsg (c 1:11,
	# not on the list) opened write-only, which needs no capability.
	kmsg_probe='mknod /dev/lxtkmsg c 1 11 && if (: >> /dev/lxtkmsg) 2>/dev/null; then echo kmsg=open; else echo kmsg=denied; fi'
	n=$(new_name)
	bg_start "$n" --lxc-include "$EVIL" -m 64m --pids-limit 100 --cpu-shares 512 -- sh -c "$kmsg_probe; $WAIT_GO"
	ok "a container with the include runs" bg_wait_running
	u=$(cg_path "$n" unified)
	is "$(cat "$u/memory.max" 2>&1)" 67108864 "memory.max: -m 64m wins over the include's 512m (host cgroup file)"
	is "$(cat "$u/pids.max" 2>&1)" 100 "pids.max: --pids-limit wins"
	is "$(cat "$u/cpu.weight" 2>&1)" 20 "cpu.weight: --cpu-shares 512 wins over the include's 3"
	bg_release
	bg_wait
	is "$BG_RC" 0 "the run exits 0"
	lx delete "$n"
	is "$(cat "$TMPD/$n.out")" kmsg=denied "devices: the include's allow a is reset: a node off the list cannot be opened"
	assert_no_leftovers "$n"

	n=$(new_name)
	bg_start "$n" --lxc-include "$EVIL" -- sh -c "$WAIT_GO"
	ok "a container with the include and no limits runs" bg_wait_running
	u=$(cg_path "$n" unified)
	is "$(cat "$u/memory.max" 2>&1)" max "no -m: the include's memory.max is reset"
	is "$(cat "$u/pids.max" 2>&1)" max "no --pids-limit: the include's pids.max is reset"
	is "$(cat "$u/cpu.weight" 2>&1)" 100 "no --cpu-shares: the include's cpu.weight is reset"
	bg_release
	bg_wait
	is "$BG_RC" 0 "the run exits 0"
	lx delete "$n"
	assert_no_leftovers "$n"

	printf 'lxc.cgroup2.devices.deny = a\nlxc.cgroup2.devices.allow = c 1:3 rwm\n' > "$TMPD/deny.conf"
	n=$(new_name)
	out=$(lx run --rm --name "$n" --privileged --lxc-include "$TMPD/deny.conf" -- sh -c "$kmsg_probe" 2>&1)
	is "$?:$out" 0:kmsg=open "--privileged: the include's device rules are reset (any node opens)"
	assert_no_leftovers "$n"
else
	skip "cgroup limits from the host's files" "the memory controller is on neither v1 nor a pure v2 hierarchy here"
fi

# ---- the rendered config: resets come after the includes ---------------------
lx run --dry-run --name "$(new_name)" --lxc-include "$EVIL" -- true > "$TMPD/dry"
inc_line=$(grep -n '^lxc.include = ' "$TMPD/dry" | head -n 1 | cut -d: -f1)
for k in lxc.cap.keep lxc.cap.drop lxc.mount.auto lxc.net lxc.cgroup.devices.allow lxc.cgroup.memory.limit_in_bytes \
	lxc.cgroup2.memory.max lxc.rootfs.options; do
	reset=$(grep -n "^$k =\$" "$TMPD/dry" | head -n 1 | cut -d: -f1)
	if [ -n "$reset" ] && [ "$reset" -gt "$inc_line" ]; then
		pass "--dry-run: '$k =' resets the list after the includes"
	else
		fail "--dry-run: '$k =' resets the list after the includes" "include at line $inc_line, reset at '$reset'"
	fi
done
ok "nothing of this script is left in the root" containers_empty
