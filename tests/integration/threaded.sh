#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The threaded embedder: examples/threaded.c, built with pkg-config like
# any embedding program, runs, execs into, stops (and deletes) containers
# from several threads through one driver handle, half of them detached;
# each detached one is also attached to from a thread of its own (a line
# through cat and back) and stopped while attached (the attach returns
# 143).
# In the normal build it runs under ThreadSanitizer on an instrumented
# copy of the library (tests/tsan/, built by make check), execs included,
# and must get no report; the same program with --race must get one, so
# that a silent detector cannot pass.  In the sanitizer build it runs
# under ASan/UBSan instead.
# Every exec checks, while its process runs, that the library did not
# fork it in this threaded program (the process is no child of ours; the
# exec'd helper lxcshim-exec is): liblxc's attach forks and runs liblxc
# code in the child, which can deadlock on a lock another thread held.
# LXCSHIM_EXEC_HELPER=0 forces that in-process attach, as the library
# did before, and the check must then fail.
. "${TESTS_LIB:?}"

src=${TOP_SRCDIR:?}
cflags=${EXAMPLE_CFLAGS:-}
tsan_lib=${LIBLXCSHIM_TSAN:-}
flags=$(pkg-config --cflags --libs lxcshim)

# The check is live: an in-process attach (the old way) is caught.
check_live () { # PROGRAM
	out=$(LXCSHIM_EXEC_HELPER=0 timeout 600 "$1" -n 1 --no-detached --root "$ROOT" --lxcpath "$LXCPATH" 2>&1)
	rc=$?
	is "$rc" 1 "with the in-process attach forced (LXCSHIM_EXEC_HELPER=0), the threaded program fails"
	like "$out" "worker 0 .*FAILED: exec: the exec's process [0-9]* is this program's own child: forked in-process" \
		"... saying that the exec was forked in-process"
	is "$(ls -A "$ROOT/containers" 2> /dev/null; ls -A "$LXCPATH")" "" "... and nothing is left in the root or the lxcpath"
}

expect_ok () { # OUTPUT N WHAT
	is "$(printf '%s\n' "$1" | grep -c '^worker [0-9]* (.*): ok$')" "$2" "... every worker $3 its container"
	like "$1" "^lister: ok" "... while another thread listed the containers"
	is "$(ls -A "$ROOT/containers" 2> /dev/null; ls -A "$LXCPATH")" "" "... and nothing is left in the root or the lxcpath"
}

if [ -z "$tsan_lib" ]; then
	# shellcheck disable=SC2086
	ok "examples/threaded.c builds with pkg-config" ${CC:-cc} $cflags -Wall -Wextra -Werror -pthread \
		-o "$TMPD/threaded" "$src/examples/threaded.c" $flags
	out=$(timeout 600 "$TMPD/threaded" -n 4 --root "$ROOT" --lxcpath "$LXCPATH" 2>&1)
	rc=$?
	is "$rc" 0 "4 worker threads, one driver handle (no ThreadSanitizer in this build)"
	[ "$rc" = 0 ] || diag "$out"
	expect_ok "$out" 4 "ran, exec'd into and stopped"
	like "$out" "worker 1 \\(.*, detached\\): ok" "... detached workers among them (attached to from their own thread)"
	check_live "$TMPD/threaded"
	skip "ThreadSanitizer finds no race" "no instrumented library in this build (sanitizer build or no libtsan)"
	exit 0
fi

like "$(nm -D --undefined-only "$tsan_lib" | grep -c '__tsan_func_entry')" '^[1-9]' "the TSan copy of the library is instrumented"
# shellcheck disable=SC2086
ok "examples/threaded.c builds with pkg-config and -fsanitize=thread" ${CC:-cc} -fsanitize=thread -g -Wall -Wextra -Werror \
	-pthread -o "$TMPD/threaded" "$src/examples/threaded.c" $flags
# The .pc's rpath is a RUNPATH: LD_LIBRARY_PATH wins over it.
tsan_dir=$(dirname "$tsan_lib")
like "$(LD_LIBRARY_PATH=$tsan_dir ldd "$TMPD/threaded")" "liblxcshim\.so\.0 => $tsan_dir/liblxcshim\.so\.0 " \
	"it loads the instrumented library"

mkdir "$TMPD/tsan"
# Every process (the exec'd helpers and lxc-start's parents too) writes
# its own report file.
out=$(LD_LIBRARY_PATH=$tsan_dir TSAN_OPTIONS="log_path=$TMPD/tsan/clean exitcode=66" \
	timeout 600 "$TMPD/threaded" -n 4 --root "$ROOT" --lxcpath "$LXCPATH" 2>&1)
rc=$?
is "$rc" 0 "4 worker threads under ThreadSanitizer succeed"
[ "$rc" = 0 ] || diag "$out"
expect_ok "$out" 4 "ran, exec'd into (through the helper) and stopped"
like "$out" "worker 1 \\(.*, detached\\): ok" "... detached workers among them (attached to from their own thread)"
reports=$(cat "$TMPD/tsan"/clean.* 2> /dev/null)
is "$(printf '%s' "$reports" | grep -c 'WARNING: ThreadSanitizer')" 0 "ThreadSanitizer reports nothing"
[ -z "$reports" ] || diag "$(printf '%s\n' "$reports" | head -n 80)"

# Without ThreadSanitizer (whose runtime an in-process attach's child may
# hang in): the check of the execs is live.
# shellcheck disable=SC2086
ok "examples/threaded.c builds without ThreadSanitizer" ${CC:-cc} $cflags -Wall -Wextra -Werror -pthread \
	-o "$TMPD/threaded-plain" "$src/examples/threaded.c" $flags
check_live "$TMPD/threaded-plain"

# The detector is live: the example's own deliberate race is reported.
out=$(LD_LIBRARY_PATH=$tsan_dir TSAN_OPTIONS="log_path=$TMPD/tsan/race exitcode=66" \
	timeout 600 "$TMPD/threaded" -n 2 --no-exec --race --root "$ROOT" --lxcpath "$LXCPATH" 2>&1)
rc=$?
is "$rc" 66 "with --race, the program exits with ThreadSanitizer's status"
like "$(cat "$TMPD/tsan"/race.* 2> /dev/null | tr '\n' ' ')" "WARNING: ThreadSanitizer: data race.*racy_counter" \
	"... and the report names the racy counter"
is "$(ls -A "$ROOT/containers" 2> /dev/null; ls -A "$LXCPATH")" "" "... and nothing is left in the root or the lxcpath"
