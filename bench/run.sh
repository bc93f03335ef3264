#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run.sh: every figure of issue 11's speed table in one invocation,
# each against a baseline measured in the same run (alternating rounds,
# medians, ratios), written as results.json and results.csv (plus raw
# samples and PNG charts when gnuplot is there) under the output dir.
#
#   bench/run.sh [--quick] [--out DIR] [--only FIG,...]
#   bench/run.sh --charts [--quick] [--out DIR]   (redraw DIR's charts only)
#
# FIG: latency exec memory oom parallel sequential (default: all).
# --quick scales the counts down (10 rounds, 10 containers, 10 sequential
# runs, a 2 s idle window); the test suite runs it (tests/integration/
# bench-quick.sh) and checks only counts and leak-freedom, never speed.
# Run from a build dir through `make bench` (BENCH_ARGS=...), which sets
# LXCSHIM, LXCSHIM_INIT, LXCSHIM_TEMPLATE, LXCSHIM_ROOTFS and BENCH_BIN
# (the dir of the helpers alternate, oomlat and hog).  Needs root, LXC;
# runc and gnuplot are optional (their row or the charts are skipped).
# Every container, cgroup, mount and temp dir it makes is gone at exit.
# BENCH_N_LAT, BENCH_N_EXEC, BENCH_N_PAR, BENCH_PAR_ROUNDS, BENCH_N_SEQ,
# BENCH_IDLE and BENCH_N_OOM override the counts; BENCH_TAG names its
# containers (the suite passes its own, to look for leftovers).
set -eu

: "${LXCSHIM:?set LXCSHIM to the lxcshim binary}"
: "${LXCSHIM_ROOTFS:?set LXCSHIM_ROOTFS to the built-in rootfs}"
: "${BENCH_BIN:?set BENCH_BIN to the dir of alternate, oomlat and hog}"

quick=0
charts_only=0
out=bench-results
only=latency,exec,memory,oom,parallel,sequential
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--only) only=$2; shift ;;
	--charts) only=none charts_only=1 ;;
	-h|--help) sed -n '3,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$quick" = 1 ]; then
	N_LAT=10 N_EXEC=10 N_PAR=10 PAR_ROUNDS=1 N_SEQ=10 IDLE=2 N_OOM=3
else
	N_LAT=100 N_EXEC=100 N_PAR=100 PAR_ROUNDS=3 N_SEQ=1000 IDLE=10 N_OOM=10
fi
# Overrides for experiments: BENCH_N_LAT=... and so on.
N_LAT=${BENCH_N_LAT:-$N_LAT} N_EXEC=${BENCH_N_EXEC:-$N_EXEC}
N_PAR=${BENCH_N_PAR:-$N_PAR} PAR_ROUNDS=${BENCH_PAR_ROUNDS:-$PAR_ROUNDS}
N_SEQ=${BENCH_N_SEQ:-$N_SEQ} IDLE=${BENCH_IDLE:-$IDLE} N_OOM=${BENCH_N_OOM:-$N_OOM}

want () { case ",$only," in *",$1,"*) return 0 ;; esac; return 1; }
log () { printf 'bench: %s\n' "$*" >&2; }
die () { printf 'bench: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it starts real containers)"
command -v lxc-start > /dev/null || die "lxc-start not found"
ALTERNATE=$BENCH_BIN/alternate OOMLAT=$BENCH_BIN/oomlat HOG=$BENCH_BIN/hog
for b in "$ALTERNATE" "$OOMLAT" "$HOG"; do
	[ -x "$b" ] || die "$b not built (make bench builds it)"
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ "$charts_only" = 0 ]; then
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxcshim-bench.XXXXXX")
tag=${BENCH_TAG:-b$$}
root=$tmp/root
lxcpath=$tmp/lxc
errlog=$tmp/stderr.log
mkdir -p "$root" "$lxcpath" "$tmp/base" "$tmp/raw"
: > "$tmp/raw-names"
# The state root is a tmpfs, as /run is on a normal host.
mount -t tmpfs "lxcshim-bench-$tag" "$root"

cleanup () {
	set +e
	for id in $("$LXCSHIM" --root "$root" --lxcpath "$lxcpath" list 2> /dev/null | awk 'NR > 1 { print $1 }'); do
		"$LXCSHIM" --root "$root" --lxcpath "$lxcpath" delete -f "$id" > /dev/null 2>&1
	done
	while read -r n; do
		lxc-stop -k -n "$n" -P "$lxcpath" > /dev/null 2>&1
	done < "$tmp/raw-names"
	[ -d "$tmp/runc" ] && for id in $(runc --root "$tmp/runc" list -q 2> /dev/null); do
		runc --root "$tmp/runc" delete -f "$id" > /dev/null 2>&1
	done
	umount "$root" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lx () { "$LXCSHIM" --root "$root" --lxcpath "$lxcpath" "$@"; }
LX="$LXCSHIM --root $root --lxcpath $lxcpath"

# The baselines run the very config and rootfs lxcshim renders: one real
# run gives the template of the files, each baseline name gets its own copy
# (its overlay upper dir with the mount points lxcshim made in it).
lx run --name "${tag}tmpl" -- /bin/true || die "lxcshim run failed"
tmpl=$root/containers/${tag}tmpl
base_dir () {
	d=$tmp/base/$1
	mkdir -p "$d"
	cp -a "$tmpl/overlay" "$d/"
	cp "$tmpl/config.env" "$d/"
	sed -e "s|$tmpl/|$d/|g" -e "s|^lxc.uts.name = .*|lxc.uts.name = $1|" "$tmpl/config" > "$d/config"
	echo "$1" >> "$tmp/raw-names"
}
lxc_start_args () { echo "-n $1 -f $tmp/base/$1/config -P $lxcpath -q"; }

# Results: one CSV row per figure; JSON made from them at the end.
csv=$out/results.csv
echo "figure,ours,baseline,baseline_value,ratio,unit,target,n,load" > "$csv"
load () { cut -d' ' -f1-3 /proc/loadavg; }
row () { # figure ours baseline baseline_value ratio unit target n
	echo "$1,$2,$3,$4,$5,$6,$7,$8,$(load)" >> "$csv"
	log "$1: $2 $6 (baseline $3: $4, ratio $5, target $7, n=$8, load $(load))"
}
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "" }'; }
# alt RAW-FILE [-w MS] N CMD...: alternate's medians in $ALT.  Called in
# this shell, never in $(...): a failure then ends the script here, with
# its message and the cleanup, not in a subshell whose exit nobody sees.
alt () {
	_f=$1
	shift
	ALT=$("$ALTERNATE" -e "$errlog" -r "$out/$_f" "$@") || { tail -n 20 "$errlog" >&2; die "a timed command failed"; }
	[ -n "$ALT" ] || die "alternate printed no medians"
}

# The median of column C of a raw file (alternate -r: "round wall... cpu...").
col_median () { awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# The init's host pid of a running container of ours, and of a raw one.
init_pid () { lx state "$1" | sed -n 's/.*"init_process_pid": \([0-9]*\).*/\1/p'; }
raw_init_pid () { lxc-info -n "$1" -P "$lxcpath" -pH; }
ppid_of () { awk '/^PPid:/ { print $2 }' "/proc/$1/status"; }
comm_of () { cat "/proc/$1/comm"; }
rss_kib () { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
pss_kib () { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
# Context switches (voluntary + involuntary) of every thread of PID: each
# wake-up of a sleeping process is one.
ctxt () {
	cat /proc/"$1"/task/*/status 2> /dev/null |
		awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
running_count () { # names...: how many of ours are running
	_c=0
	for _n in "$@"; do
		lx state "$_n" 2> /dev/null | grep -q '"status": "running"' && _c=$((_c + 1))
	done
	echo "$_c"
}
raw_running_count () {
	_c=0
	for _n in "$@"; do
		[ "$(lxc-info -n "$_n" -P "$lxcpath" -sH 2> /dev/null)" = RUNNING ] && _c=$((_c + 1))
	done
	echo "$_c"
}
now_ms () { echo $(($(date +%s%N) / 1000000)); }

meta_load_start=$(load)
log "start: $(uptime)"

# ---- N sequential run --rm: time per run flat, nothing left behind.
# First, while no detached supervisor of an earlier figure is around to be
# reaped (their zombies would count).
if want sequential; then
	base_dir "${tag}sf"
	snap () { # what a leak would grow, scoped to this bench
		procs=0 zombies=0
		for st in /proc/[0-9]*/stat; do
			p=${st%/stat}
			grep -qF "$tmp" "$p/cmdline" 2> /dev/null && procs=$((procs + 1))
			# A zombie whose parent is a process of this bench.
			if [ "$(cut -d' ' -f3 "$st" 2> /dev/null)" = Z ]; then
				pp=$(cut -d' ' -f4 "$st" 2> /dev/null)
				grep -qF "$tmp" "/proc/$pp/cmdline" 2> /dev/null && zombies=$((zombies + 1))
			fi
		done
		cgroups=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "*${tag}s*" 2> /dev/null | wc -l)
		mounts=$(grep -c "$tmp" /proc/self/mountinfo || true)
		# The root's events.jsonl (the history of deleted containers) is
		# made by the first deletion: it is one file however many follow.
		files=$(find "$root" "$lxcpath" ! -path "$root/events.jsonl" ! -path "$root/events.jsonl.1" | wc -l)
		fds=$(cut -f1 /proc/sys/fs/file-nr)
		echo "$procs $zombies $cgroups $mounts $files $fds"
	}
	before=$(snap)
	# lxc-start -F alternates with each run: a drift of the machine's load
	# shows in both, a growth of lxcshim's own cost only in ours.
	log "sequential: $N_SEQ runs (each followed by one lxc-start -F)"
	alt sequential.raw -w 0 "$N_SEQ" "$LX run --rm --name ${tag}s{} -- /bin/true" \
		"lxc-start $(lxc_start_args "${tag}sf") -F -- /bin/true"
	after=$(snap)
	seg=$((N_SEQ / 2 < 100 ? N_SEQ / 2 : 100))
	[ "$seg" -ge 1 ] || seg=1
	med_col () { awk -v c="$1" '{ print $c }' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
	first=$(head -n "$seg" "$out/sequential.raw" | med_col 2)
	last=$(tail -n "$seg" "$out/sequential.raw" | med_col 2)
	bfirst=$(head -n "$seg" "$out/sequential.raw" | med_col 3)
	blast=$(tail -n "$seg" "$out/sequential.raw" | med_col 3)
	row sequential-last-vs-first "$last" "first-$seg" "$first" "$(ratio "$last" "$first")" us "flat" "$N_SEQ"
	row sequential-baseline-last-vs-first "$blast" "first-$seg" "$bfirst" "$(ratio "$blast" "$bfirst")" us "report" "$N_SEQ"
	cfirst=$(head -n "$seg" "$out/sequential.raw" | med_col 4)
	clast=$(tail -n "$seg" "$out/sequential.raw" | med_col 4)
	row sequential-cpu-last-vs-first "$clast" "first-$seg" "$cfirst" "$(ratio "$clast" "$cfirst")" "us cpu" "flat" "$N_SEQ"
	set -- $before
	b_p=$1 b_z=$2 b_c=$3 b_m=$4 b_f=$5 b_fd=$6
	set -- $after
	row sequential-processes "$1" before "$b_p" "" count "no growth" "$N_SEQ"
	row sequential-zombies "$2" before "$b_z" "" count "no growth" "$N_SEQ"
	row sequential-cgroups "$3" before "$b_c" "" count "no growth" "$N_SEQ"
	row sequential-mounts "$4" before "$b_m" "" count "no growth" "$N_SEQ"
	row sequential-files "$5" before "$b_f" "" count "no growth" "$N_SEQ"
	row sequential-host-fds "$6" before "$b_fd" "" "count (whole host: other work counts too)" "report" "$N_SEQ"
fi

# ---- run --rm -- /bin/true against lxc-execute, lxc-start -F, runc run
if want latency; then
	base_dir "${tag}x"
	base_dir "${tag}f"
	cmds=("$LX run --rm -- /bin/true"
		"lxc-execute $(lxc_start_args "${tag}x") -- /bin/true"
		"lxc-start $(lxc_start_args "${tag}f") -F -- /bin/true")
	have_runc=0
	if command -v runc > /dev/null && command -v jq > /dev/null; then
		# An equivalent bundle: the same busybox rootfs, /bin/true, no
		# terminal, network none (a new netns with lo only, as --net none),
		# and a cgroup namespace as lxcshim gives.
		mkdir -p "$tmp/bundle"
		cp -a "$LXCSHIM_ROOTFS" "$tmp/bundle/rootfs"
		(cd "$tmp/bundle" && runc spec && jq '.process.terminal = false | .process.args = ["/bin/true"] | .linux.namespaces = ([.linux.namespaces[] | select(.type != "cgroup")] + [{"type": "cgroup"}])' config.json > c && mv c config.json)
		cmds+=("runc --root $tmp/runc run -b $tmp/bundle ${tag}r{}")
		have_runc=1
	fi
	log "latency: ${N_LAT} alternating rounds of ${#cmds[@]} commands"
	alt latency.raw "$N_LAT" "${cmds[@]}"
	# shellcheck disable=SC2086 # the medians, one word each
	set -- $ALT
	if [ "$have_runc" = 1 ]; then
		ours=$1 xm=$2 fm=$3 rm_=$4 rx=$5 rf=$6 rr=$7
	else
		ours=$1 xm=$2 fm=$3 rm_="" rx=$4 rf=$5 rr=""
	fi
	row run-rm-true "$ours" lxc-execute "$xm" "$(ratio "$ours" "$xm")" us "<=1.10" "$N_LAT"
	row run-rm-true "$ours" lxc-start-F "$fm" "$(ratio "$ours" "$fm")" us report "$N_LAT"
	[ "$have_runc" = 1 ] && row run-rm-true "$ours" runc-run "$rm_" "$(ratio "$ours" "$rm_")" us "<=0.5" "$N_LAT"
	# CPU time (user+system of the whole waited-for process tree), which
	# the load disturbs less than the wall time.
	k=${#cmds[@]}
	oc=$(col_median "$out/latency.raw" $((k + 2)))
	names=(lxc-execute lxc-start-F runc-run)
	for j in $(seq 2 "$k"); do
		bc=$(col_median "$out/latency.raw" $((k + 1 + j)))
		row run-rm-true-cpu "$oc" "${names[$((j - 2))]}" "$bc" "$(ratio "$oc" "$bc")" "us cpu" report "$N_LAT"
	done
	printf 'run --rm\t%s\nlxc-execute\t%s\nlxc-start -F\t%s\n' "$ours" "$xm" "$fm" > "$out/latency.dat"
	[ "$have_runc" = 1 ] && printf 'runc run\t%s\n' "$rm_" >> "$out/latency.dat"
	: "$rx $rf $rr"
fi

# ---- exec ID -- /bin/true against lxc-attach -n ID -- /bin/true
if want exec; then
	lx run -d --name "${tag}e" -- /bin/sleep 100000 > /dev/null
	log "exec: ${N_EXEC} alternating rounds"
	alt exec.raw "$N_EXEC" "$LX exec ${tag}e -- /bin/true" "lxc-attach -n ${tag}e -P $lxcpath -- /bin/true"
	# shellcheck disable=SC2086
	set -- $ALT
	row exec-true "$1" lxc-attach "$2" "$(ratio "$1" "$2")" us "<=1.0" "$N_EXEC"
	oc=$(col_median "$out/exec.raw" 4) bc=$(col_median "$out/exec.raw" 5)
	row exec-true-cpu "$oc" lxc-attach "$bc" "$(ratio "$oc" "$bc")" "us cpu" report "$N_EXEC"
	printf 'exec\t%s\nlxc-attach\t%s\n' "$1" "$2" > "$out/exec.dat"
	lx delete -f "${tag}e" > /dev/null
fi

# ---- RSS and idle wake-ups of the supervisor against lxc-start's monitor
if want memory; then
	lx run -d --name "${tag}m" -- /bin/sleep 100000 > /dev/null
	base_dir "${tag}d"
	lxc-start $(lxc_start_args "${tag}d") -d -- /bin/sleep 100000
	ini=$(init_pid "${tag}m")
	mon=$(ppid_of "$ini")          # lxc-start -F, the monitor of ours
	sup=$(ppid_of "$mon")          # lxcshim's supervisor
	rini=$(raw_init_pid "${tag}d")
	rmon=$(ppid_of "$rini")        # lxc-start -d's daemonized monitor
	log "memory: supervisor $sup ($(comm_of "$sup")), its lxc-start $mon ($(comm_of "$mon")), raw monitor $rmon ($(comm_of "$rmon"))"
	s_rss=$(rss_kib "$sup") m_rss=$(rss_kib "$mon") r_rss=$(rss_kib "$rmon")
	s_pss=$(pss_kib "$sup") m_pss=$(pss_kib "$mon") r_pss=$(pss_kib "$rmon")
	row supervisor-rss "$s_rss" lxc-start-d-monitor "$r_rss" "$(ratio "$s_rss" "$r_rss")" KiB "<=2048" 1
	row supervisor-pss "$s_pss" lxc-start-d-monitor "$r_pss" "$(ratio "$s_pss" "$r_pss")" KiB report 1
	row our-lxc-start-rss "$m_rss" lxc-start-d-monitor "$r_rss" "$(ratio "$m_rss" "$r_rss")" KiB report 1
	printf 'supervisor\t%s\nlxc-start -F (ours)\t%s\nlxc-start -d monitor\t%s\n' "$s_rss" "$m_rss" "$r_rss" > "$out/memory.dat"
	c1=$(ctxt "$sup") c2=$(ctxt "$mon") c3=$(ctxt "$rmon")
	# The measurement window itself: nothing touches the containers.
	sleep "$IDLE"
	w1=$(($(ctxt "$sup") - c1)) w2=$(($(ctxt "$mon") - c2)) w3=$(($(ctxt "$rmon") - c3))
	row supervisor-wakeups "$w1" lxc-start-d-monitor "$w3" "" "per ${IDLE}s" 0 1
	row our-lxc-start-wakeups "$w2" lxc-start-d-monitor "$w3" "" "per ${IDLE}s" 0 1
	lx delete -f "${tag}m" > /dev/null
	lxc-stop -k -n "${tag}d" -P "$lxcpath"
fi

# ---- OOM kill by the kernel -> run exits 137 with oom_killed
if want oom; then
	comm=bh$$
	mkdir -p "$tmp/hog"
	cp "$HOG" "$tmp/hog/$comm"
	: > "$out/oom.raw"
	oom_ok=0 oom_137=0
	for i in $(seq 1 "$N_OOM"); do
		set -- $("$OOMLAT" "$comm" $LX run --name "${tag}o$i" -m 32m -v "$tmp/hog:/hog:ro" -- "/hog/$comm" 2>> "$errlog")
		killed=$(lx state "${tag}o$i" | sed -n 's/.*"oom_killed": \([a-z]*\).*/\1/p')
		echo "$i $1 $2 $killed" >> "$out/oom.raw"
		[ "$1" = 137 ] && [ "$2" != -1 ] && oom_137=$((oom_137 + 1))
		[ "$killed" = true ] && oom_ok=$((oom_ok + 1))
		lx delete "${tag}o$i" > /dev/null
	done
	med=$(awk '$3 >= 0 { print $3 }' "$out/oom.raw" | sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
	row oom-to-exit "$med" "" "" "" us "<=10000" "$N_OOM"
	row oom-exit-137 "$oom_137" "" "" "" "runs of $N_OOM" "$N_OOM" "$N_OOM"
	row oom-oom-killed "$oom_ok" "" "" "" "runs of $N_OOM" "$N_OOM" "$N_OOM"
fi

# ---- N run -d at once until all are running, against N raw lxc-start -d
if want parallel; then
	: > "$out/parallel.raw"
	for r in $(seq 1 "$PAR_ROUNDS"); do
		for kind in ours raw; do
			names=()
			for i in $(seq 1 "$N_PAR"); do
				names+=("${tag}p${r}${kind:0:1}$i")
			done
			[ "$kind" = raw ] && for n in "${names[@]}"; do base_dir "$n"; done
			t0=$(now_ms)
			for n in "${names[@]}"; do
				if [ "$kind" = ours ]; then
					lx run -d --name "$n" -- /bin/sleep 100000 > /dev/null 2>> "$errlog" &
				else
					lxc-start $(lxc_start_args "$n") -d -- /bin/sleep 100000 2>> "$errlog" &
				fi
			done
			wait
			# Then until every one is running: run -d and lxc-start -d
			# both return once theirs is, so one check is enough unless
			# one did not (then a bounded poll, 60 s, counts too).
			t1=$(now_ms)
			deadline=$((t1 + 60000))
			while :; do
				if [ "$kind" = ours ]; then c=$(running_count "${names[@]}"); else c=$(raw_running_count "${names[@]}"); fi
				[ "$c" = "$N_PAR" ] && break
				[ "$(now_ms)" -gt "$deadline" ] && break
				t1=$(now_ms)
			done
			echo "$r $kind $((t1 - t0)) $c" >> "$out/parallel.raw"
			log "parallel round $r $kind: $c/$N_PAR running after $((t1 - t0)) ms"
			if [ "$kind" = ours ]; then
				printf '%s\n' "${names[@]}" | xargs -P 4 -n 1 "$LXCSHIM" --root "$root" --lxcpath "$lxcpath" delete -f > /dev/null
			else
				printf '%s\n' "${names[@]}" | xargs -P 4 -I{} lxc-stop -k -n {} -P "$lxcpath"
				for n in "${names[@]}"; do rm -rf "${tmp:?}/base/$n"; done
			fi
		done
	done
	med_of () { awk -v k="$1" '$2 == k { print $3 }' "$out/parallel.raw" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
	min_count () { awk -v k="$1" '$2 == k { if (m == "" || $4 < m) m = $4 } END { print m }' "$out/parallel.raw"; }
	po=$(med_of ours) pr=$(med_of raw)
	row parallel-run-d "$po" lxc-start-d "$pr" "$(ratio "$po" "$pr")" ms "<=1.1" "$N_PAR"
	row parallel-running "$(min_count ours)" lxc-start-d "$(min_count raw)" "" "of $N_PAR" "$N_PAR" "$N_PAR"
	printf 'run -d\t%s\nlxc-start -d\t%s\n' "$po" "$pr" > "$out/parallel.dat"
fi

fi

# ---- results.json from the CSV, and the charts
[ "$charts_only" = 1 ] || {
	printf '{\n  "date": "%s",\n  "quick": %s,\n  "kernel": "%s",\n  "lxc": "%s",\n  "load_start": "%s",\n  "load_end": "%s",\n  "results": [\n' \
		"$(date -u +%FT%TZ)" "$([ "$quick" = 1 ] && echo true || echo false)" "$(uname -r)" \
		"$(lxc-start --version)" "$meta_load_start" "$(load)"
	awk -F, 'NR > 1 {
		printf "%s    {\"figure\": \"%s\", \"ours\": %s, \"baseline\": \"%s\", \"baseline_value\": %s, \"ratio\": %s, \"unit\": \"%s\", \"target\": \"%s\", \"n\": %s, \"load\": \"%s\"}", sep, $1, ($2 == "" ? "null" : $2), $3, ($4 == "" ? "null" : $4), ($5 == "" ? "null" : $5), $6, $7, $8, $9
		sep = ",\n"
	} END { print "" }' "$csv"
	printf '  ]\n}\n'
} > "$out/results.json"

if command -v gnuplot > /dev/null; then
	bars () { # dat png title ylabel divisor
		[ -s "$out/$1" ] || return 0
		gnuplot <<-EOF
		set terminal pngcairo size 640,400 noenhanced
		set output "$out/$2"
		set title "$3"
		set ylabel "$4"
		set style fill solid 0.6 border -1
		set boxwidth 0.6
		set yrange [0:*]
		set offsets 0, 0, graph 0.12, 0
		set datafile separator "\t"
		set grid ytics
		unset key
		plot "$out/$1" using 0:(\$2/$5):xtic(1) with boxes lc rgb "#4477aa", \
		     "" using 0:(\$2/$5):(sprintf("%.1f", \$2/$5)) with labels offset 0,0.8
		EOF
	}
	bars latency.dat start-latency.png "run --rm -- /bin/true and baselines (median, alternating, N=$N_LAT)" "milliseconds" 1000
	bars exec.dat exec-latency.png "exec ID -- /bin/true vs lxc-attach (median, N=$N_EXEC)" "milliseconds" 1000
	bars memory.dat memory.png "RSS of an idle detached container's monitors" "MiB" 1024
	bars parallel.dat parallel.png "$N_PAR containers started at once until all run (median of $PAR_ROUNDS)" "seconds" 1000
	if [ -s "$out/sequential.raw" ]; then
		# Log scale: the load's outliers would flatten the rest; the CPU
		# time (wait4's rusage) is what a leak or growth would move.
		gnuplot <<-EOF
		set terminal pngcairo size 720,440 noenhanced
		set output "$out/sequential.png"
		set title "$N_SEQ sequential run --rm -- /bin/true, each with one lxc-start -F"
		set xlabel "run"
		set ylabel "milliseconds (log)"
		set logscale y
		set grid
		set key top left opaque
		plot "$out/sequential.raw" using 1:(\$2/1000) title "run --rm, wall" with points pt 7 ps 0.25 lc rgb "#88aacc", \
		     "" using 1:(\$3/1000) title "lxc-start -F, wall" with points pt 7 ps 0.25 lc rgb "#ddaabb", \
		     "" using 1:(\$4/1000) title "run --rm, CPU" with points pt 7 ps 0.25 lc rgb "#224488", \
		     "" using 1:(\$5/1000) title "lxc-start -F, CPU" with points pt 7 ps 0.25 lc rgb "#aa3355"
		EOF
	fi
else
	log "gnuplot not found: no charts"
fi
log "end: $(uptime)"
log "results in $out (results.json, results.csv)"
