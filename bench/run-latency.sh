#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run-latency: `lxcshim run --rm -- /bin/true` against raw
# `lxc-start -F` with the same rendered config and rootfs, alternating in one
# run, medians and the ratio.  Run from a build dir: make bench.
# The state root is a tmpfs, as /run is on a normal host.
set -eu

: "${LXCSHIM:?set LXCSHIM to the lxcshim binary}"
rounds=${ROUNDS:-100}
alternate=${ALTERNATE:-bench/alternate}
tmp=$(mktemp -d)
root=$tmp/root
lxcpath=$tmp/lxc
mkdir -p "$root" "$lxcpath"
mount -t tmpfs lxcshim-bench "$root"
cleanup () {
	umount "$root" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

name=bench$$
"$LXCSHIM" --root "$root" --lxcpath "$lxcpath" run --name "$name" -- /bin/true
cp "$root/containers/$name/config" "$tmp/config"
cp "$root/containers/$name/config.env" "$tmp/config.env"
sed -i "s|$root/containers/$name/|$tmp/|g" "$tmp/config"
rm -rf "${root:?}/containers/$name"

lxc_start=$(command -v lxc-start)
base="$lxc_start -n base$$ -f $tmp/config -P $lxcpath -F -q -- /bin/true"
ours="$LXCSHIM --root $root --lxcpath $lxcpath run --rm -- /bin/true"
set -- $("$alternate" "$rounds" "$base" "$ours")
echo "run-latency: lxc-start -F median ${1} us, lxcshim run --rm median ${2} us, ratio ${3} (target <= 1.10), ${rounds} rounds"
