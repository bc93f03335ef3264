#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install everything lxcshim needs to build, run and test on Debian 12.
# Idempotent: apt-get skips what is already installed.  qemu, kmod and
# cpio are for the cgroup v2 test guest (scripts/v2vm.sh), which fetches
# its kernel package itself; libtsan2 (gcc's ThreadSanitizer runtime) is
# for the threaded embedder's test.
set -eu

packages="
  build-essential autoconf automake libtool pkg-config
  lxc lxc-dev libjson-c-dev libcap-dev libcmocka-dev
  busybox-static
  hyperfine tmux util-linux iproute2 procps
  libtsan2 runc jq gnuplot-nox
  musl-tools
  debhelper dpkg-dev fakeroot lintian git
  bash-completion
  qemu-system-x86 kmod cpio
"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root" >&2
	exit 1
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
