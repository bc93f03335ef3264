#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/env-scaling: how preparing a run grows with the number of
# environment variables from an --env-file (--dry-run: everything up to
# starting lxc-start), and one real run with the most.  Linear-ish growth
# is the point (it was quadratic: 100k took 45 s).  Run from a build dir:
#   LXCSHIM=./lxcshim LXCSHIM_INIT=./lxcshim-init \
#   LXCSHIM_TEMPLATE=../templates/lxc.conf.tmpl LXCSHIM_ROOTFS=./rootfs \
#   sh ../bench/env-scaling.sh
set -eu

: "${LXCSHIM:?set LXCSHIM to the lxcshim binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root" "$tmp/lxc"

ms() {
	_s=$(date +%s%N)
	"$@" > /dev/null
	echo $((($(date +%s%N) - _s) / 1000000))
}

for n in ${COUNTS:-12500 25000 50000 100000}; do
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "V%05x=1\n", i }' > "$tmp/env"
	t=$(ms "$LXCSHIM" --root "$tmp/root" --lxcpath "$tmp/lxc" run --dry-run --env-file "$tmp/env" -- true)
	printf '%7d variables: prepare %5d ms\n' "$n" "$t"
done
t=$(ms "$LXCSHIM" --root "$tmp/root" --lxcpath "$tmp/lxc" run --rm --env-file "$tmp/env" -- true)
printf '%7d variables: whole run %5d ms\n' "$n" "$t"
