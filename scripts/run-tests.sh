#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite: unit and integration tests against real containers
# (the embedding example and pkg-config included), once in a normal build
# and once under AddressSanitizer + UBSan, then `make distcheck` and the
# Debian package test (tests/package.sh), and the normal build's suite
# again in a pure cgroup v2 guest (scripts/v2vm.sh).  Must run
# as root on a host with LXC (scripts/install-deps.sh).  Prints
# "N passed, N failed" last.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

# The README's set-up builds out of tree too, in build/, with the same
# configure arguments: its build is reused here, never configured in place
# (which `make distcheck` forbids).
if [ -f config.status ]; then
	echo "run-tests: the source tree is configured in place; run \"make distclean\" in it first" >&2
	exit 1
fi
[ -x configure ] || autoreconf -fi

build () { # DIR CONFIGURE-ARGS...
	dir=$1; shift
	mkdir -p "$dir"
	# Reconfigure a build dir that was configured with other arguments.
	want=$(for a in "$@"; do printf "'%s' " "$a"; done)
	(cd "$dir" && {
		{ [ -f Makefile ] && [ "$(./config.status --config) " = "$want" ]; } ||
			"$top/configure" "$@" >/dev/null
	} && make -s -j"$jobs")
}

status=0
check () { # DIR
	(cd "$1" && make -s -j"$jobs" check) || status=1
}

build build --sysconfdir=/etc
check build
# LeakSanitizer needs ptrace-free operation; liblxc's own allocations that
# live until exit are not ours to fix, so only our code is instrumented.
build build-asan --sysconfdir=/etc --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 check build-asan

pass=0 fail=0

# ---- the same suite on a pure cgroup v2 host ---------------------------------
# scripts/v2vm.sh boots a throw-away guest with cgroup v2 only, sharing this
# tree; the normal build's suite runs there again in build-v2/ (the ASan pass
# stays on the host).  The guest shares the host's userland, so build-v2 is
# compiled here, at native speed, test programs included (TESTS= runs none),
# and the guest only runs the tests.  A guest that cannot start fails the
# suite, never skips it.  LXCSHIM_TEST_V2=0 leaves it out for a quick local
# run, and says so.
v2logs=
if [ "${LXCSHIM_TEST_V2:-1}" = 0 ]; then
	echo "run-tests: LXCSHIM_TEST_V2=0: the cgroup v2 guest run is left out"
	fail=$((fail + 1))
else
	build build-v2 --sysconfdir=/etc
	(cd build-v2 && make -s -j"$jobs" check TESTS= >/dev/null) || status=1
	rm -f build-v2/test-suite.log
	LXCSHIM_VM_SHARE=$top bash scripts/v2vm.sh run "cd build-v2 && make -s -j$jobs check" || status=1
	v2logs=build-v2/test-suite.log
fi

# The tarball builds, installs, passes its own checks and uninstalls cleanly.
if (cd build && make -s distcheck > distcheck.log 2>&1); then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	tail -n 40 build/distcheck.log
fi
# The Debian package: built from a clean export, installed, used, purged.
# Run once here (not in both builds): it installs into the system.
sh tests/package.sh > build/package.log 2>&1 || status=1
p=$(grep -c '^ok ' build/package.log || true)
f=$(grep -c '^not ok ' build/package.log || true)
pass=$((pass + p))
fail=$((fail + f))
if [ "$f" != 0 ] || ! grep -q '^1\.\.[0-9]' build/package.log; then
	[ "$f" != 0 ] || fail=$((fail + 1))
	cat build/package.log
fi
for log in build/test-suite.log build-asan/test-suite.log $v2logs; do
	[ -f "$log" ] || { echo "run-tests: no $log: that run did not finish"; fail=$((fail + 1)); continue; }
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -n1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -n1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -n1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | head -n1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -n1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0}))
	[ "${f:-0}${e:-0}${x:-0}" = 000 ] || cat "$log"
	echo "run-tests: $log: ${p:-0} passed, $((${f:-0} + ${e:-0} + ${x:-0})) failed, ${s:-0} skipped"
done
# Every test the guest left out, by name and reason.
if [ -n "$v2logs" ]; then
	for l in build-v2/tests/*/*.log; do
		grep -H '^ok .*# SKIP' "$l" 2>/dev/null | sed 's|^build-v2/|run-tests: v2 skipped: |'
	done
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$status" = 0 ]
