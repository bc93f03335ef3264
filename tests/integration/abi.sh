#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library's ABI: the functions declared in the public header (as the
# compiler sees it through pkg-config) are exactly the functions the built
# liblxcshim.so exports, both ways, each in the version node of the
# linker version script; the Debian symbols file and the version script
# list the same set; the version macros, lxcshim_version(), `lxcshim
# --version` and the .pc agree.
. "${TESTS_LIB:?}"

lib=${LIBLXCSHIM:?}
src=${TOP_SRCDIR:?}
cflags=${EXAMPLE_CFLAGS:-}
node=LXCSHIM_0

pcflags=$(pkg-config --cflags lxcshim) || fail "pkg-config --cflags lxcshim"
# The header as a compiler sees it (macros expanded, comments gone), one
# declaration per line: a declaration names a public function when an
# lxcshim_ identifier is directly followed by its parameter list.
printf '#include <lxcshim.h>\n' > "$TMPD/h.c"
# shellcheck disable=SC2086
${CC:-cc} -E -P $pcflags "$TMPD/h.c" > "$TMPD/h.i" 2> "$TMPD/cpp.err" ||
	fail "the header preprocesses" "$(cat "$TMPD/cpp.err")"
declared=$(tr '\n' ' ' < "$TMPD/h.i" | tr ';{}' '\n\n\n' |
	grep -oE '(^|[^A-Za-z0-9_])lxcshim_[A-Za-z0-9_]+[[:space:]]*\(' |
	sed -E 's/^[^l]*//; s/[[:space:]]*\($//' | sort -u)
# Guard against a parse that finds nothing or misses the obvious.
like "$(echo "$declared" | tr '\n' ' ')" "lxcshim_run .*lxcshim_spec_new " "the header's declarations are found ($(echo "$declared" | wc -l) functions)"
unlike "$(echo "$declared" | tr '\n' ' ')" "lxcshim_error_s|lxcshim_driver_t|lxcshim_exit " "no struct or type name is taken for a function"

exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWiDdBbRrVv]$/ {print $3}' | sed 's/@.*//' | sort -u)
printf '%s\n' "$declared" > "$TMPD/decl"
printf '%s\n' "$exported" | grep -vx "$node" > "$TMPD/exp"
is "$(comm -13 "$TMPD/decl" "$TMPD/exp" | tr '\n' ' ')" "" "liblxcshim.so exports nothing the header does not declare"
is "$(comm -23 "$TMPD/decl" "$TMPD/exp" | tr '\n' ' ')" "" "every function the header declares is exported"

# Every exported function carries the version node.
unversioned=$(objdump -T "$lib" | awk '$NF ~ /^lxcshim_/ && $(NF-1) != "'"$node"'" {print $NF}')
is "$unversioned" "" "every exported function is in the version node $node"

# The version script and the Debian symbols file say the same.
sym=$src/src/liblxcshim.sym
if [ -f "$sym" ]; then
	listed=$(sed 's,/\*.*\*/,,' "$sym" | grep -oE '^[[:space:]]*lxcshim_[A-Za-z0-9_]+[[:space:]]*;' | tr -d ' \t;' | sort -u)
	is "$(printf '%s\n' "$listed" | comm -3 - "$TMPD/decl" | tr -s '\t\n' '  ')" "" "src/liblxcshim.sym lists exactly the header's functions"
else
	fail "src/liblxcshim.sym exists"
fi
debsyms=$(grep -oE '^ lxcshim_[A-Za-z0-9_]+@' "$src/debian/liblxcshim0.symbols" | tr -d ' @' | sort -u)
is "$(printf '%s\n' "$debsyms" | comm -3 - "$TMPD/decl" | tr -s '\t\n' '  ')" "" "debian/liblxcshim0.symbols lists exactly the header's functions"
like "$(grep -c "@$node " "$src/debian/liblxcshim0.symbols")" "^$(($(wc -l < "$TMPD/decl") + 1))\$" \
	"... each (and the node) with the version node $node"

# ---- version: macros, function, command, .pc
cat > "$TMPD/ver.c" << 'EOF'
#include <stdio.h>
#include <string.h>
#include <lxcshim.h>
int
main (void)
{
	char macros[64];
	snprintf (macros, sizeof macros, "%d.%d.%d", LXCSHIM_VERSION_MAJOR, LXCSHIM_VERSION_MINOR, LXCSHIM_VERSION_MICRO);
	printf ("%s %s %s\n", macros, LXCSHIM_VERSION, lxcshim_version ());
	return !LXCSHIM_CHECK_VERSION (LXCSHIM_VERSION_MAJOR, LXCSHIM_VERSION_MINOR, LXCSHIM_VERSION_MICRO) ||
	       LXCSHIM_CHECK_VERSION (LXCSHIM_VERSION_MAJOR, LXCSHIM_VERSION_MINOR, LXCSHIM_VERSION_MICRO + 1);
}
EOF
# shellcheck disable=SC2086
if ${CC:-cc} $cflags -Wall -Wextra -Werror -o "$TMPD/ver" "$TMPD/ver.c" $(pkg-config --cflags --libs lxcshim) > "$TMPD/cc.out" 2>&1; then
	pass "a program using the version macros and lxcshim_version() builds"
	v=$("$TMPD/ver")
	rc=$?
	is "$rc" 0 "LXCSHIM_CHECK_VERSION accepts the version and refuses the next"
else
	fail "a program using the version macros and lxcshim_version() builds" "$(cat "$TMPD/cc.out")"
	v=
fi
pc=$(pkg-config --modversion lxcshim)
cli=$("$LXCSHIM" --version | sed -n '1s/^lxcshim \([^ ]*\).*/\1/p')
like "$pc" '^[0-9]+\.[0-9]+\.[0-9]+$' "the .pc's version is MAJOR.MINOR.MICRO ($pc)"
is "$v" "$pc $pc $pc" "the macros, LXCSHIM_VERSION and lxcshim_version() say the .pc's version"
is "$cli" "$pc" "lxcshim --version says the same"

# ---- growable structs; the spec is not modified by a run
# shellcheck disable=SC2086
if ${CC:-cc} $cflags -Wall -Wextra -Werror -o "$TMPD/abi-structs" "$src/tests/integration/abi-structs.c" \
	$(pkg-config --cflags --libs lxcshim) > "$TMPD/cc.out" 2>&1; then
	pass "abi-structs builds"
else
	fail "abi-structs builds" "$(cat "$TMPD/cc.out")"
fi
mkdir "$TMPD/out"
out=$("$TMPD/abi-structs" "$ROOT" "$LXCPATH" "$TMPD/out" 2>&1)
diag "$out"
line () { printf '%s\n' "$out" | sed -n "s/^$1: //p"; }
is "$(line 'spec before')" "id (null) rm 1 privileged 0" "a spec without a name has no id before the runs"
is "$(line 'spec after')" "id (null) rm 1 privileged 0" "... nor after two runs: the run generated its id in its own copy"
id1=$(line run1 | sed -n 's/^exit 0 id \([0-9a-f]\{12\}\)$/\1/p')
id2=$(line run2 | sed -n 's/^exit 0 id \([0-9a-f]\{12\}\)$/\1/p')
like "$id1 $id2" '^[0-9a-f]{12} [0-9a-f]{12}$' "each run of the spec reports its own generated id in exit.id"
isnt "$id1" "$id2" "... two different ids"
is "$(cat "$TMPD/out/run1")" "1 13 67108864" "the first container got the spec's settings (env, hostname from its id, memory)"
is "$(cat "$TMPD/out/run2")" "$(cat "$TMPD/out/run1")" "the second got the same"
# The dry run names a fresh random id each time; all else must match.
sed -E 's/[0-9a-f]{12}/ID/g' "$TMPD/out/dry-run.before" > "$TMPD/before"
sed -E 's/[0-9a-f]{12}/ID/g' "$TMPD/out/dry-run.after" > "$TMPD/after"
like "$(wc -l < "$TMPD/before")" '^[1-9][0-9]+$' "the spec's dry run before the runs has a config"
is "$(diff "$TMPD/before" "$TMPD/after")" "" "its dry run after the two runs is the same (rootfs, net, hostname all underived)"
is "$(line 'sizes as compiled')" "exit 3, exit's unknown tail zeroed" "structs of the header's size work"
is "$(line 'newer caller, unset tail')" "exit 3, exit's unknown tail zeroed" \
	"a newer caller's bigger structs work when the unknown fields are unset; the exit's unknown tail is zeroed"
like "$(line 'newer caller, set tail')" "^errno 7: struct lxcshim_run_options: it sets fields this library" \
	"an unknown field that is set is refused (E2BIG), not ignored"
like "$(line 'exit size 0')" "^errno 22: struct lxcshim_exit: size 0 is too small" "a struct without its size is refused (EINVAL)"
is "$(line 'driver options size 0')" "errno 22" "... the driver options too"
is "$(ls -A "$ROOT/containers" 2> /dev/null)" "" "no container is left by these runs"
