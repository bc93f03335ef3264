# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/tap.sh: the TAP preamble of the repo tests (tests/licence.sh,
# tests/readme.sh), which need neither root nor LXC and so cannot source
# tests/lib.sh.  Sourced as
#
#     top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
#     tap_name=NAME
#     . "$top/tests/tap.sh"
#
# It gives tmp (a scratch dir, lxcshim-NAME.XXXXXX, removed at exit), the
# counters n and failed, and pass DESC / fail DESC [DIAG...] /
# is GOT WANT DESC / like GOT ERE DESC.  The exit trap prints the plan and
# fails the script if a test failed.
n=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxcshim-${tap_name:?}.XXXXXX") || exit 1
trap 'rm -rf "$tmp"; echo "1..$n"; [ "$failed" = 0 ] || exit 1' EXIT

pass () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for d in "$@"; do printf '%s\n' "$d" | sed 's/^/# /'; done; }
is () { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "expected: '$2'" "     got: '$1'"; fi; }
like () { if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else fail "$3" "expected to match /$2/" "got: '$1'"; fi; }
