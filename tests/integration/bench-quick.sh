#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-quick: bench/run.sh --quick runs every figure of the benchmark
# end to end and leaves nothing behind.  It checks counts and leak-freedom
# only, never speed (the machine is shared and loaded).
. "${TESTS_LIB:?}"

bin=$(dirname "$LXCSHIM")/bench
tag=lxt$$q
out=$TMPD/results
if ! command -v bash > /dev/null; then
	skip "bench/run.sh" "bash is not installed"
	exit 0
fi

BENCH_TAG=$tag BENCH_BIN=$bin TMPDIR=$TMPD bash "$TOP_SRCDIR/bench/run.sh" --quick --out "$out" \
	> "$TMPD/bench.log" 2>&1
rc=$?
is "$rc" 0 "bench/run.sh --quick succeeds"
[ "$rc" = 0 ] || diag "$(tail -n 30 "$TMPD/bench.log")"

ok "results.json is valid JSON" json_valid "$out/results.json"
# A CSV field of the row whose first two fields are FIGURE and BASELINE.
field() { awk -F, -v f="$1" -v b="$2" -v c="$3" '$1 == f && $3 == b { print $c }' "$out/results.csv"; }

for fig in run-rm-true:lxc-execute run-rm-true:lxc-start-F exec-true:lxc-attach \
	supervisor-rss:lxc-start-d-monitor oom-to-exit: parallel-run-d:lxc-start-d \
	sequential-last-vs-first:first-5; do
	like "$(field "${fig%%:*}" "${fig#*:}" 2)" '^[0-9]+(\.[0-9]+)?$' "a measured value for ${fig%%:*} ${fig#*:}"
done
if command -v runc > /dev/null && command -v jq > /dev/null; then
	like "$(field run-rm-true runc-run 2)" '^[0-9]+$' "a measured value against runc run"
else
	skip "a measured value against runc run" "runc or jq not installed"
fi

is "$(field parallel-running lxc-start-d 2)" 10 "10 of 10 run -d at once are running"
is "$(field parallel-running lxc-start-d 4)" 10 "10 of 10 raw lxc-start -d at once are running"
is "$(field oom-exit-137 '' 2)" 3 "every OOM run exits 137, its kill seen in /dev/kmsg"
# The verdict itself is run-oom.sh's to assert; under heavy load it has
# been seen false now and then (docs/performance.md), so only shown here.
diag "OOM runs with oom_killed true: $(field oom-oom-killed '' 2) of 3"
is "$(field supervisor-wakeups lxc-start-d-monitor 2)" 0 "an idle supervisor never wakes up"
for what in processes zombies cgroups mounts files; do
	is "$(field "sequential-$what" before 2)" "$(field "sequential-$what" before 4)" \
		"sequential run --rm leave no $what"
done

if command -v gnuplot > /dev/null; then
	for png in start-latency exec-latency memory parallel sequential; do
		like "$(head -c 4 "$out/$png.png" | od -An -c | tr -d ' ')" 'PNG' "chart $png.png drawn"
	done
else
	skip "charts" "gnuplot not installed"
fi

# Nothing of the bench is left: its temp dir, mounts, cgroups, processes.
is "$(find "$TMPD" -maxdepth 1 -name 'lxcshim-bench.*' | wc -l)" 0 "the bench removed its temp dir"
is "$(grep -c "lxcshim-bench-$tag" /proc/self/mountinfo)" 0 "the bench unmounted its state root"
is "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "*$tag*" 2> /dev/null | wc -l)" 0 "no cgroup of the bench is left"
is "$(ps -eo args= | grep -c "[$(echo "$tag" | cut -c1)]$(echo "$tag" | cut -c2-)")" 0 "no process of the bench is left"
