#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# v2vm.sh: run a command as root in a throw-away QEMU guest that boots
# Debian's stock kernel with the unified cgroup v2 hierarchy only
# (cgroup_no_v1=all), so lxcshim can be tested on the layout most hosts
# have while this host is v1 hybrid.
#
#   scripts/v2vm.sh prepare     fetch the kernel, build the initramfs (idempotent)
#   scripts/v2vm.sh run 'CMD'   boot, run CMD with bash -c as root, print its
#                               stdout and stderr, power off, exit with its status
#
# The guest's / is the host's / read-only over virtio-9p under a tmpfs
# overlay, so it has exactly what the host has installed and nothing is
# downloaded but the kernel package (apt-get download linux-image-*,
# unpacked into the cache, not installed).  LXCSHIM_VM_SHARE (default: the
# current dir) is shared read-write at the same path and is CMD's working
# dir.  There is no network device: the guest has lo and a dummy eth0.
# CMD runs in /system.slice/lxcshim-vm.service, as a systemd service would.
# If the guest does not boot or does not report CMD's status, one line says
# so and the exit status is 125.
#
# Environment:
#   LXCSHIM_VM_CACHE    kernel, initramfs, run dirs   (/var/cache/lxcshim-vm)
#   LXCSHIM_VM_SHARE    dir shared read-write         ($PWD; "" = none)
#   LXCSHIM_VM_MEM      guest memory in MiB           (4096)
#   LXCSHIM_VM_SMP      guest vCPUs                   (nproc)
#   LXCSHIM_VM_ACCEL    kvm | tcg | auto              (auto: kvm if /dev/kvm is
#                       usable and is not kvm-pvm, which cannot run a stock kernel)
#   LXCSHIM_VM_TIMEOUT  seconds before the guest is killed (3600)
#   LXCSHIM_VM_APPEND   extra kernel command line
set -euo pipefail

CACHE=${LXCSHIM_VM_CACHE:-/var/cache/lxcshim-vm}
MEM=${LXCSHIM_VM_MEM:-4096}
SMP=${LXCSHIM_VM_SMP:-$(nproc)}
ACCEL=${LXCSHIM_VM_ACCEL:-auto}
TIMEOUT=${LXCSHIM_VM_TIMEOUT:-3600}
MODULES="virtio_pci virtio_console 9pnet_virtio 9p overlay"

die() { echo "v2vm: $*" >&2; exit 125; }

[ "$(id -u)" = 0 ] || die "must run as root"
for t in qemu-system-x86_64 modprobe depmod cpio dpkg-deb; do
	command -v "$t" >/dev/null || die "$t is missing (run scripts/install-deps.sh)"
done
[ -x /bin/busybox ] || die "/bin/busybox is missing (run scripts/install-deps.sh)"

# The kernel behind linux-image-amd64, unpacked into $CACHE/kernel.
prepare_kernel() {
	local pkg kv dl
	if [ -s "$CACHE/kernel.version" ]; then
		kv=$(cat "$CACHE/kernel.version")
		[ -f "$CACHE/kernel/boot/vmlinuz-$kv" ] && return 0
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || { apt-get update -qq; pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'); }
	[ -n "$pkg" ] || die "apt knows no linux-image-amd64"
	kv=${pkg#linux-image-}
	dl=$(mktemp -d "$CACHE/dl.XXXXXX")
	(cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1) || { rm -rf "$dl"; die "apt-get download $pkg failed"; }
	rm -rf "$CACHE/kernel"
	dpkg-deb -x "$dl"/*.deb "$CACHE/kernel"
	rm -rf "$dl"
	depmod -b "$CACHE/kernel" "$kv"
	echo "$kv" > "$CACHE/kernel.version"
}

# Stage 1, the initramfs's /init (busybox): load the modules for 9p and
# overlayfs, make the root from the host's / and switch to it.
stage1() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do insmod /modules/$m; done
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower &&
mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work &&
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work root /newroot ||
	{ echo "v2vm-init: cannot build the root"; poweroff -f; }
cp /stage2 /newroot/sbin/lxcshim-vm-stage2
mkdir -p /newroot/lib/modules
# The guest kernel's modules (modprobe dummy, overlay for lxc...).
mount --bind /newroot/@CACHE@/kernel/lib/modules /newroot/lib/modules
umount /proc /dev
exec switch_root /newroot /sbin/lxcshim-vm-stage2
EOF
}

# Stage 2, PID 1 in the real root: the mounts a host has, cgroup2 as
# systemd mounts it with every controller delegated down to the service,
# then CMD with its streams on the two virtio consoles.
stage2() {
	cat <<'EOF'
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
off() { sync; echo o > /proc/sysrq-trigger; sleep 10; }
trap off EXIT
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
mount -t mqueue mqueue /dev/mqueue
for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
	ln -sf "${l#*:}" "/dev/${l%%:*}"
done
mount -t tmpfs -o mode=755,nosuid,nodev run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /run/lock /run/vm /var/lib/lxc
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none ctl /run/vm
share=$(cat /run/vm/share)
if [ -n "$share" ]; then
	mkdir -p "$share"
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap,msize=512000 share "$share"
fi
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
svc=/sys/fs/cgroup/system.slice/lxcshim-vm.service
mkdir -p /sys/fs/cgroup/init.scope "$svc"
echo $$ > /sys/fs/cgroup/init.scope/cgroup.procs
for d in /sys/fs/cgroup /sys/fs/cgroup/system.slice; do
	for c in $(cat "$d/cgroup.controllers"); do echo "+$c" > "$d/cgroup.subtree_control"; done
done
hostname lxcshim-vm
ip link set lo up
modprobe dummy && ip link add eth0 type dummy && ip link set eth0 up
[ -e /etc/mtab ] || ln -s ../proc/self/mounts /etc/mtab
cd "${share:-/root}"
read -r up _ < /proc/uptime; echo "$up" > /run/vm/boot-end
(echo $BASHPID > "$svc/cgroup.procs"; trap - EXIT; exec bash -c "$(cat /run/vm/cmd)") \
	< /dev/null > /dev/hvc0 2> /dev/hvc1
rc=$?
read -r up _ < /proc/uptime; echo "$up" > /run/vm/cmd-end
echo $rc > /run/vm/rc.new && mv /run/vm/rc.new /run/vm/rc
EOF
}

prepare_initrd() {
	local kv stamp b m
	kv=$(cat "$CACHE/kernel.version")
	stamp=$({ stage1; stage2; echo "$kv $CACHE"; sha256sum /bin/busybox; } | sha256sum)
	[ -f "$CACHE/initrd.gz" ] && [ "$(cat "$CACHE/initrd.stamp" 2>/dev/null)" = "$stamp" ] && return 0
	b=$(mktemp -d "$CACHE/initrd.XXXXXX")
	mkdir -p "$b/bin" "$b/modules" "$b/proc" "$b/dev"
	cp /bin/busybox "$b/bin/"
	# shellcheck disable=SC2086
	for m in $MODULES; do
		modprobe -d "$CACHE/kernel" -S "$kv" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r m; do
		cp "$m" "$b/modules/" && basename "$m"
	done > "$b/modules.list"
	stage1 | sed "s|@CACHE@|${CACHE#/}|" > "$b/init"
	stage2 > "$b/stage2"
	chmod 755 "$b/init" "$b/stage2"
	(cd "$b" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initrd.gz.new"
	mv "$CACHE/initrd.gz.new" "$CACHE/initrd.gz"
	rm -rf "$b"
	echo "$stamp" > "$CACHE/initrd.stamp"
}

prepare() {
	mkdir -p "$CACHE"
	# One preparer at a time; a second run waits and then finds it done.
	exec 9> "$CACHE/.lock"
	flock 9
	prepare_kernel
	prepare_initrd
	exec 9>&-
}

run() {
	local share kv accel rc tail1 tail2 qrc=0
	share=${LXCSHIM_VM_SHARE-$PWD}
	[ -z "$share" ] || share=$(cd "$share" && pwd -P) || die "cannot share $LXCSHIM_VM_SHARE"
	prepare
	kv=$(cat "$CACHE/kernel.version")
	case $ACCEL in
	auto) if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; else accel=tcg; fi ;;
	kvm | tcg) accel=$ACCEL ;;
	*) die "LXCSHIM_VM_ACCEL must be kvm, tcg or auto" ;;
	esac
	local -a args=(-accel tcg,thread=multi -cpu max)
	[ "$accel" = tcg ] || args=(-accel kvm -cpu host)
	[ -z "$share" ] || args+=(-virtfs "local,path=$share,mount_tag=share,security_model=passthrough,multidevs=remap")
	mkdir -p "$CACHE/runs"
	# Global: the EXIT trap runs after this function has returned.
	run=$(mktemp -d "$CACHE/runs/XXXXXX")
	trap 'rm -rf "$run"' EXIT
	printf '%s' "$1" > "$run/cmd"
	printf '%s' "$share" > "$run/share"
	: > "$run/out"; : > "$run/err"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" -m "$MEM" -smp "$SMP" \
		-nodefaults -no-user-config -display none -no-reboot -nic none \
		-kernel "$CACHE/kernel/boot/vmlinuz-$kv" -initrd "$CACHE/initrd.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 rdinit=/init cgroup_no_v1=all apparmor=0 mitigations=off ${LXCSHIM_VM_APPEND:-}" \
		-serial "file:$run/console" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
		-virtfs "local,path=$run,mount_tag=ctl,security_model=passthrough" \
		-device virtio-serial-pci \
		-chardev "file,id=out,path=$run/out" -device virtconsole,chardev=out \
		-chardev "file,id=err,path=$run/err" -device virtconsole,chardev=err \
		> "$run/qemu" 2>&1 &
	local qpid=$!
	# Relay the guest's streams while it runs (tail follows by inotify).
	tail -n +1 -f --pid=$qpid "$run/out" & tail1=$!
	tail -n +1 -f --pid=$qpid "$run/err" >&2 & tail2=$!
	wait $qpid || qrc=$?
	wait $tail1 $tail2 || true
	if [ ! -s "$run/rc" ]; then
		cp "$run/console" "$CACHE/last-console.log" 2>/dev/null || true
		if [ -e "$run/boot-end" ]; then
			die "the cgroup v2 guest did not report the command's status (qemu exit $qrc; timeout ${TIMEOUT}s); console: $CACHE/last-console.log"
		fi
		die "the cgroup v2 guest did not boot (qemu exit $qrc: $(head -n 1 "$run/qemu")); console: $CACHE/last-console.log"
	fi
	rc=$(cat "$run/rc")
	echo "v2vm: accel=$accel booted in $(cat "$run/boot-end")s, command took $(awk -v a="$(cat "$run/boot-end")" -v b="$(cat "$run/cmd-end" 2>/dev/null || echo 0)" 'BEGIN { printf "%.0f", b - a }')s, exit $rc" >&2
	return "$rc"
}

case ${1:-} in
prepare) prepare ;;
run) [ $# = 2 ] || die "usage: $0 run 'COMMAND'"; run "$2" ;;
*) echo "usage: $0 prepare | run 'COMMAND'" >&2; exit 2 ;;
esac
