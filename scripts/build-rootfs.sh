#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds lxcshim's built-in rootfs: Debian's static busybox with its
# applets, a minimal /etc, and the mount points lxc needs.
# usage: build-rootfs.sh DEST [BUSYBOX]
set -eu

dest=${1:?usage: build-rootfs.sh DEST [BUSYBOX]}
busybox=${2:-/bin/busybox}

if ! "$busybox" --list >/dev/null 2>&1; then
	echo "build-rootfs: $busybox is not a working busybox (install busybox-static)" >&2
	exit 1
fi
# A dynamically linked busybox would need a libc inside the rootfs.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "build-rootfs: $busybox is not statically linked (install busybox-static)" >&2
	exit 1
fi

mkdir -p "$dest"
cd "$dest"
mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys tmp root home run var/tmp mnt
chmod 1777 tmp var/tmp
chmod 0700 root
cp -f "$busybox" bin/busybox.new && mv -f bin/busybox.new bin/busybox
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -sfn busybox "bin/$applet"
done

cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GROUP
echo "lxcshim" > etc/hostname
: > etc/resolv.conf
