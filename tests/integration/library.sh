#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# liblxcshim as an embedding program sees it: soname,
# pkg-config, the example program (start hook, OOM fd), threads.
. "${TESTS_LIB:?}"

lib=${LIBLXCSHIM:?}
src=${TOP_SRCDIR:?}
# A sanitized library needs its runtime linked into the program too.
cflags=${EXAMPLE_CFLAGS:-}

# Exported symbols = the header: tests/integration/abi.sh.
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
is "$soname" "liblxcshim.so.0" "versioned soname"

flags=$(pkg-config --cflags --libs lxcshim 2>&1)
like "$flags" "-llxcshim" "pkg-config knows lxcshim"
ok "example builds with pkg-config" ${CC:-cc} $cflags -Wall -Wextra -Werror -o "$TMPD/embed" "$src/examples/embed.c" $flags

out=$("$TMPD/embed" --root "$ROOT" --lxcpath "$LXCPATH" -- /bin/sh -c 'exit 3')
like "$out" "^driver lxc-[0-9]" "driver name is lxc-<version>"
like "$out" "started [0-9a-f]{12}, init pid [0-9]+" "start hook gets the id and init pid"
like "$out" "exit code 3, oom_killed false, oom fd readable no" "exit code, no OOM"

out=$("$TMPD/embed" -m 32m --root "$ROOT" --lxcpath "$LXCPATH" -- /bin/sh -c 'tail /dev/zero')
like "$out" "exit code 137, oom_killed true, oom fd readable yes" "OOM: 137, oom_killed, the hook's fd became readable"

ok "threads program builds" ${CC:-cc} $cflags -Wall -Wextra -Werror -pthread -o "$TMPD/threads" "$src/tests/integration/threads.c" $flags
out=$("$TMPD/threads" "$ROOT" "$LXCPATH" 2>&1)
rc=$?
is "$rc" 0 "4 containers from 4 threads each report their own status"
[ "$rc" = 0 ] || diag "$out"
left=$(ls "$ROOT/containers" 2>/dev/null)
is "$left" "" "no container dirs left by the library runs"
