# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/lib.sh: a small POSIX sh TAP library for lxcshim's integration
# tests.  Sourced by every tests/integration/*.sh script:
#
#     . "${TESTS_LIB:?}"
#
# Environment (set by `make check`, see Makefile.am): LXCSHIM, LXCSHIM_INIT,
# LXCSHIM_TEMPLATE, LXCSHIM_ROOTFS.
#
# What it gives a test:
#   ROOT LXCPATH TMPD   private temp dirs (lxcshim --root, --lxcpath, scratch)
#   LXCSHIM_ROOTFS      re-exported as a private copy of the built-in rootfs
#                       (LXCSHIM_BUILTIN_ROOTFS is the original)
#   lx ARGS...          "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" ARGS...
#   new_name            prints a fresh name, "lxt<pid>n<counter>", and records
#                       it for the exit trap; record_name NAME, record_pid PID
#   ok DESC CMD...      passes when CMD succeeds; not_ok DESC CMD... when it fails
#   is GOT WANT DESC / isnt GOT UNWANTED DESC      string comparison
#   like GOT ERE DESC / unlike GOT ERE DESC        grep -E match
#   pass DESC / fail DESC [DIAG...] / skip DESC REASON / diag TEXT
#   make_rootfs DIR     a private copy of the built-in rootfs, to add users
#   leftovers NAME [keep-dir]            prints what is left of NAME
#   assert_no_leftovers NAME [keep-dir] [DESC]   no $ROOT/containers/NAME
#                       (unless keep-dir), no lxc.payload/monitor.NAME cgroup,
#                       not listed by lxc-ls -P $LXCPATH, not RUNNING
#   containers_empty    $ROOT/containers is absent or empty
#   state_get NAME|FILE KEY   a scalar of state.json (KEY may be a.b)
#   cgroup_v2_only      true on a pure cgroup v2 host
#   cg_path NAME CONTROLLER   NAME's cgroup dir of CONTROLLER (state.json)
#   json_valid FILE / file_mode FILE / line_count FILE / host_capbnd
#   wait_running NAME [PID]   bounded readiness poll on state.json
#   wait_file_match FILE ERE [PID]   the same for any file
#   bg_start NAME RUN-ARGS...  `run --name NAME` in the background, see
#                       below; bg_wait_running, bg_release, bg_wait (BG_RC)
#   lxc_cgroups NAME    the lxc.payload/lxc.monitor cgroup dirs of NAME
#   kill_lxc_start NAME SIGKILLs NAME's monitor: lxc-start, or the forked
#                       lxcshim-monitor that runs liblxc's start (fails if
#                       the init's parent is neither)
#   lx_wrapper FILE     writes FILE, an executable lx for shells without
#                       this environment (a tmux pane)
#   tmux_setup PREFIX   a private tmux server (TSOCK, TS) killed at exit,
#                       and LXW, an lx_wrapper for its shell
#   tmux helpers (after tmux_setup): tmx ARGS (tmux -S $TSOCK), tmux_shell
#                       (the session's sh, checked usable: one TAP line),
#                       screen / screen_has ERE (the pane's text),
#                       tsend KEY CMDLINE / twait KEY (type a line, wait for
#                       its status or "hung"), tsize ROWS COLS,
#                       tresize FILE ROWS COLS DESC (resize, test FILE follows),
#                       file_is FILE TEXT, file_nonempty FILE
# Polls are bounded readiness waits (10 ms steps); no test asserts timing.
# The exit trap adds a last test (no container of the script still
# running), stops every container the script started, kills the background
# processes it recorded, removes empty cgroups leaked under its names,
# unmounts and removes the temp dirs and prints the TAP plan.
# LXT_NO_PYTHON=1 makes the helpers use their grep/sed fallbacks.

if [ -z "${LXCSHIM:-}" ] || [ -z "${LXCSHIM_ROOTFS:-}" ]; then
	echo "1..0 # SKIP LXCSHIM and LXCSHIM_ROOTFS must be set (run via make check)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP these tests start real LXC containers and need root"
	exit 0
fi
if ! command -v lxc-start >/dev/null 2>&1; then
	echo "1..0 # SKIP lxc-start is not installed"
	exit 0
fi
export LXCSHIM LXCSHIM_ROOTFS
[ -n "${LXCSHIM_INIT:-}" ] && export LXCSHIM_INIT
[ -n "${LXCSHIM_TEMPLATE:-}" ] && export LXCSHIM_TEMPLATE

T_BASE=$(mktemp -d "${TMPDIR:-/tmp}/lxcshim-test.XXXXXX") || {
	echo "Bail out! mktemp -d failed"
	exit 1
}
ROOT=$T_BASE/root
LXCPATH=$T_BASE/lxcpath
TMPD=$T_BASE/tmp
mkdir -p "$ROOT" "$LXCPATH" "$TMPD"
export ROOT LXCPATH
# lxcshim never writes the default rootfs (each container gets an
# overlay; rootfs-safety.sh checks that on the build tree's own copy), but
# scripts also hand it to raw lxc-start or use it in place through other
# paths (lxc-host.sh), so each script still works on its own copy: the
# shared one in the build tree stays clean whatever a test does.
LXCSHIM_BUILTIN_ROOTFS=$LXCSHIM_ROOTFS
LXCSHIM_ROOTFS=$T_BASE/rootfs
cp -a "$LXCSHIM_BUILTIN_ROOTFS" "$LXCSHIM_ROOTFS" || {
	echo "Bail out! cannot copy the rootfs $LXCSHIM_BUILTIN_ROOTFS"
	rm -rf "$T_BASE"
	exit 1
}
# Counters and lists live in files, so that subshells can use the helpers.
: > "$T_BASE/.names"
: > "$T_BASE/.pids"
echo 0 > "$T_BASE/.count"
echo 0 > "$T_BASE/.ncount"
echo 0 > "$T_BASE/.failed"
BG_PID=
BG_RC=

_t_next() {
	_t_n=$(($(cat "$T_BASE/.count") + 1))
	echo "$_t_n" > "$T_BASE/.count"
}

# diag TEXT...: every line of TEXT as a TAP comment.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

pass() {
	_t_next
	printf 'ok %d - %s\n' "$_t_n" "$1"
}

fail() {
	_t_next
	printf 'not ok %d - %s\n' "$_t_n" "$1"
	echo $(($(cat "$T_BASE/.failed") + 1)) > "$T_BASE/.failed"
	shift
	for _t_d in "$@"; do
		diag "$_t_d"
	done
}

# skip DESC REASON
skip() {
	_t_next
	printf 'ok %d - %s # SKIP %s\n' "$_t_n" "$1" "${2:-}"
}

# ok DESC CMD [ARG...]: passes when CMD exits 0.
ok() {
	_t_desc=$1
	shift
	if "$@"; then
		pass "$_t_desc"
	else
		_t_rc=$?
		fail "$_t_desc" "command failed (status $_t_rc): $*"
	fi
}

# not_ok DESC CMD [ARG...]: passes when CMD exits non-zero.
not_ok() {
	_t_desc=$1
	shift
	if "$@"; then
		fail "$_t_desc" "command unexpectedly succeeded: $*"
	else
		pass "$_t_desc"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected: '$2'" "     got: '$1'"
	fi
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected anything but: '$2'"
	fi
}

# like GOT ERE DESC
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected to match: /$2/" "     got: '$1'"
	fi
}

# unlike GOT ERE DESC
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3" "expected not to match: /$2/" "     got: '$1'"
	else
		pass "$3"
	fi
}

failed_count() {
	cat "$T_BASE/.failed"
}

lx() {
	"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" "$@"
}

# new_name: prints "lxt<pid>n<counter>" and records it for the exit trap.
new_name() {
	_t_c=$(($(cat "$T_BASE/.ncount") + 1))
	echo "$_t_c" > "$T_BASE/.ncount"
	echo "lxt$$n$_t_c" >> "$T_BASE/.names"
	echo "lxt$$n$_t_c"
}

# record_name NAME: let the exit trap stop NAME too.
record_name() {
	printf '%s\n' "$1" >> "$T_BASE/.names"
}

# record_pid PID: a background process of ours the exit trap may kill.
record_pid() {
	echo "$1" >> "$T_BASE/.pids"
}

make_rootfs() {
	cp -a "$LXCSHIM_BUILTIN_ROOTFS" "$1"
}

cdir() {
	echo "$ROOT/containers/$1"
}

state_file() {
	echo "$ROOT/containers/$1/state.json"
}

# state_get NAME KEY: a top-level scalar (string unquoted) of state.json,
# or of FILE when NAME contains a '/'.
state_get() {
	case $1 in
	*/*) _t_f=$1 ;;
	*) _t_f=$(state_file "$1") ;;
	esac
	[ -r "$_t_f" ] || return 1
	if [ -n "$T_PYTHON" ]; then
		"$T_PYTHON" - "$_t_f" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
v = d
for k in sys.argv[2].split('.'):
    v = v[k]
if isinstance(v, bool):
    print("true" if v else "false")
elif v is None:
    print("null")
else:
    print(v)
EOF
	else
		# Pretty-printed by json-c: one key per line.
		_t_k=${2##*.}
		sed -n "s/^ *\"$_t_k\": *//p" "$_t_f" | head -n 1 | sed 's/,$//; s/^"\(.*\)"$/\1/'
	fi
}
# cgroup_v2_only: true on a pure cgroup v2 host (/sys/fs/cgroup is the
# unified hierarchy, no v1 controllers), where tests must ask for the v2
# files instead of the v1 ones.
cgroup_v2_only() {
	[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]
}

# cg_path NAME CONTROLLER: NAME's cgroup dir for CONTROLLER as state.json
# gives it; on a pure v2 host every controller is in the unified one.
cg_path() {
	if cgroup_v2_only; then
		state_get "$1" cgroup_paths.unified
	else
		state_get "$1" "cgroup_paths.$2"
	fi
}
T_PYTHON=
# LXT_NO_PYTHON=1 exercises the grep/sed fallbacks.
if [ -z "${LXT_NO_PYTHON:-}" ] && command -v python3 >/dev/null 2>&1 && python3 -c 'import json' >/dev/null 2>&1; then
	T_PYTHON=$(command -v python3)
fi

# json_valid FILE
json_valid() {
	if [ -n "$T_PYTHON" ]; then
		"$T_PYTHON" -m json.tool "$1" >/dev/null 2>&1
	else
		# Best effort without python: an object with balanced braces.
		head -c 1 "$1" | grep -q '[{[]' &&
			[ "$(tr -cd '{' < "$1" | wc -c)" = "$(tr -cd '}' < "$1" | wc -c)" ]
	fi
}

file_mode() {
	stat -c %a "$1"
}

# pid_alive PID: PID exists and is not a zombie.
pid_alive() {
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'
}

# wait_file_match FILE ERE [PID]: bounded readiness poll (not a timing
# assertion): up to 1000 times 10 ms; gives up early once PID is gone.
wait_file_match() {
	_t_i=0
	while [ "$_t_i" -lt 1000 ]; do
		if [ -s "$1" ] && grep -Eq -- "$2" "$1" 2>/dev/null; then
			return 0
		fi
		if [ -n "${3:-}" ] && ! pid_alive "$3"; then
			[ -s "$1" ] && grep -Eq -- "$2" "$1" 2>/dev/null
			return
		fi
		_t_i=$((_t_i + 1))
		sleep 0.01
	done
	return 1
}

# wait_running NAME [PID]: until state.json says "running" (about 10 s at
# most; PID: stop early when that process has exited).
wait_running() {
	wait_file_match "$(state_file "$1")" '"status": *"running"' "${2:-}"
}

# lxc_running NAME: does LXC itself consider NAME running in our lxcpath?
lxc_running() {
	[ "$(lxc-info -n "$1" -P "$LXCPATH" -sH 2>/dev/null)" = RUNNING ]
}

# bg_start NAME [RUN-OPTION...] -- CMD...: `run --name NAME ...` in the
# background (stdin /dev/null, stdout/stderr to $TMPD/NAME.out/.err), with
# the host dir $TMPD/NAME.sync bind-mounted at /lxtsync.  Sets BG_PID to the
# lxcshim pid itself (not a subshell), so it can be signalled.  A workload
# that should wait for the test runs "$WAIT_GO" (a loop, bounded at 60 s,
# on /lxtsync/go); bg_release creates that file.
WAIT_GO='i=0; until [ -e /lxtsync/go ]; do [ $i -ge 6000 ] && exit 98; i=$((i+1)); sleep 0.01; done'
bg_start() {
	BG_NAME=$1
	shift
	mkdir -p "$TMPD/$BG_NAME.sync"
	"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$BG_NAME" -v "$TMPD/$BG_NAME.sync:/lxtsync" "$@" \
		< /dev/null > "$TMPD/$BG_NAME.out" 2> "$TMPD/$BG_NAME.err" &
	BG_PID=$!
	record_pid "$BG_PID"
}

# bg_release: lets a workload waiting in "$WAIT_GO" go on.
bg_release() {
	: > "$TMPD/$BG_NAME.sync/go"
}

# bg_wait: waits for the background run, sets BG_RC.
bg_wait() {
	BG_RC=0
	wait "$BG_PID" || BG_RC=$?
}

# bg_wait_running: wait_running for the background container, giving up
# early if its lxcshim has already exited.
bg_wait_running() {
	wait_running "$BG_NAME" "$BG_PID"
}

# leftovers NAME [keep-dir]: prints what is left of NAME, nothing if clean.
leftovers() {
	if [ "${2:-}" != keep-dir ] && [ -e "$ROOT/containers/$1" ]; then
		echo "container dir $ROOT/containers/$1 exists"
	fi
	# v1 controllers (and a hybrid host's unified) one level down; a pure
	# v2 host has them at the top.
	for _t_g in /sys/fs/cgroup/*/lxc.payload."$1" /sys/fs/cgroup/*/lxc.payload."$1"-* \
		/sys/fs/cgroup/*/lxc.monitor."$1" /sys/fs/cgroup/*/lxc.monitor."$1"-* \
		/sys/fs/cgroup/lxc.payload."$1" /sys/fs/cgroup/lxc.payload."$1"-* \
		/sys/fs/cgroup/lxc.monitor."$1" /sys/fs/cgroup/lxc.monitor."$1"-*; do
		[ -e "$_t_g" ] && echo "cgroup $_t_g exists"
	done
	if lxc-ls -1 -P "$LXCPATH" 2>/dev/null | grep -Fqx -- "$1"; then
		echo "lxc-ls -P $LXCPATH lists $1"
	fi
	if lxc_running "$1"; then
		echo "lxc-info says $1 is RUNNING"
	fi
}

# assert_no_leftovers NAME [keep-dir] [DESC]
assert_no_leftovers() {
	_t_left=$(leftovers "$1" "${2:-}")
	if [ -z "$_t_left" ]; then
		pass "${3:-nothing left of $1}"
	else
		fail "${3:-nothing left of $1}" "$_t_left"
	fi
}

# containers_empty: $ROOT/containers is absent or empty.
containers_empty() {
	[ ! -d "$ROOT/containers" ] || [ -z "$(ls -A "$ROOT/containers")" ]
}

# line_count FILE
line_count() {
	wc -l < "$1" | tr -d ' '
}

# host_capbnd: the host's bounding set as printed in /proc/self/status.
host_capbnd() {
	sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status
}

_t_cleanup() {
	_t_rc=$?
	trap - EXIT INT TERM HUP
	# Containers of ours: recorded names, plus whatever lives in our
	# private root and lxcpath (generated ids).
	{
		cat "$T_BASE/.names"
		[ -d "$ROOT/containers" ] && ls -A "$ROOT/containers"
		lxc-ls -1 -P "$LXCPATH" 2>/dev/null
	} | sort -u | while read -r _t_cn; do
		[ -n "$_t_cn" ] || continue
		if lxc_running "$_t_cn"; then
			echo "# cleanup: stopping container $_t_cn"
			lxc-stop -k -n "$_t_cn" -P "$LXCPATH" >/dev/null 2>&1
		fi
	done
	# Background processes we started, by recorded pid only.
	for _t_p in $(cat "$T_BASE/.pids"); do
		if kill -0 "$_t_p" 2>/dev/null; then
			kill -KILL "$_t_p" 2>/dev/null
		fi
		wait "$_t_p" 2>/dev/null
	done
	# Empty cgroups a failing lxcshim leaked under our own names (the
	# tests have reported them already); rmdir leaves busy ones alone.
	while read -r _t_cn; do
		[ -n "$_t_cn" ] || continue
		for _t_g in /sys/fs/cgroup/*/lxc.payload."$_t_cn" /sys/fs/cgroup/*/lxc.monitor."$_t_cn" \
			/sys/fs/cgroup/lxc.payload."$_t_cn" /sys/fs/cgroup/lxc.monitor."$_t_cn"; do
			[ -d "$_t_g" ] && rmdir "$_t_g" 2>/dev/null
		done
	done < "$T_BASE/.names"
	# Anything still mounted inside our temp dirs, deepest first.
	awk -v base="$T_BASE" '{ p = $5; gsub(/\\040/, " ", p); if (index(p, base) == 1) print p }' \
		/proc/self/mountinfo | sort -r | while IFS= read -r _t_m; do
		umount -l "$_t_m" 2>/dev/null
	done
	rm -rf "$T_BASE"
	echo "1..$_t_n_final"
	exit "$_t_rc"
}

# tlx ARGS...: lx bounded by timeout(1) (124 means it hung).
tlx() {
	timeout 60 "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" "$@"
}

# poll CMD...: bounded readiness poll, up to ~30 s.
poll() {
	_p_i=0
	while [ "$_p_i" -lt 3000 ]; do
		"$@" && return 0
		_p_i=$((_p_i + 1))
		sleep 0.01
	done
	return 1
}

# ---- background runs for the lifecycle tests ---------------------------------

# start_bg NAME [RUN-OPTION...] -- CMD...: a background `run` ($! is
# lxcshim itself), output in $TMPD/NAME.out/.err; sets BGP; waits
# (bounded) until the container runs.
start_bg() {
	_sn=$1
	shift
	"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$_sn" "$@" > "$TMPD/$_sn.out" 2> "$TMPD/$_sn.err" &
	BGP=$!
	record_pid "$BGP"
	wait_running "$_sn" || return 1
	wait_workload "$_sn" "$BGP"
	return 0
}

# wait_workload NAME [PID]: until the init has forked the workload (ps
# lists a second process), or PID is gone. state.json says "running"
# just before the supervisor sends GO: a test that kills the supervisor
# must not do it in between, or the init, never told GO, exits.
wait_workload() {
	_w_i=0
	while [ "$_w_i" -lt 1000 ]; do
		[ "$("$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" ps "$1" 2>/dev/null | wc -l)" -ge 3 ] && return 0
		[ -n "${2:-}" ] && ! pid_alive "$2" && return 1
		_w_i=$((_w_i + 1))
		sleep 0.01
	done
	return 1
}

# bg_rc: waits for the background run and sets RC to its status (not in
# a $(subshell): only this shell can wait for it).
bg_rc() {
	RC=0
	wait "$BGP" 2> /dev/null || RC=$?
}

# xrun WANT DESC CMD...: checks CMD's status; output in $TMPD/out, err.
xrun() {
	_want=$1
	_desc=$2
	shift 2
	"$@" > "$TMPD/out" 2> "$TMPD/err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		pass "$_desc"
	else
		fail "$_desc" "expected status $_want, got $_rc" "stdout: $(cat "$TMPD/out")" "stderr: $(cat "$TMPD/err")"
	fi
}

# ---- tmux: driving a real terminal ---------------------------------------------
# A test calls tmux_setup, or sets TSOCK (its private server's socket) and
# TS (the session) and kills the server in its own exit trap.

# lx_wrapper FILE: writes an executable lx for a shell that does not have
# this one's environment (a tmux pane): absolute paths, the rootfs and
# init/template exported.
lx_wrapper() {
	cat > "$1" <<EOF
#!/bin/sh
LXCSHIM_ROOTFS='$LXCSHIM_ROOTFS'
export LXCSHIM_ROOTFS
${LXCSHIM_INIT:+LXCSHIM_INIT='$LXCSHIM_INIT'; export LXCSHIM_INIT}
${LXCSHIM_TEMPLATE:+LXCSHIM_TEMPLATE='$LXCSHIM_TEMPLATE'; export LXCSHIM_TEMPLATE}
exec '$LXCSHIM' --root '$ROOT' --lxcpath '$LXCPATH' "\$@"
EOF
	chmod +x "$1"
}

tmx() {
	tmux -S "$TSOCK" "$@"
}

# tmux_setup PREFIX: a private tmux server for this script (TSOCK, session
# TS=PREFIX<pid>) that the exit trap kills, and LXW, an lx_wrapper for its
# shell.
tmux_setup() {
	TSOCK=$TMPD/tmux.sock
	TS=$1$$
	LXW=$TMPD/lxw
	lx_wrapper "$LXW"
	trap '_tx_rc=$?; tmx kill-server >/dev/null 2>&1; (exit $_tx_rc); _t_on_exit' EXIT
}

# tmux_shell: the session's shell, 100x30, started and checked usable (a
# TAP line either way; the script ends if it is not).  A shell that is not
# bash: dash/sh has no line editor fiddling with the terminal modes, so
# `stty -g` at the prompt is the terminal's own state.
tmux_shell() {
	tmx new-session -d -s "$TS" -x 100 -y 30 "env PS1='$ ' sh"
	tmx set-option -t "$TS" history-limit 5000 >/dev/null 2>&1
	tsend ready true
	if [ "$(twait ready)" != 0 ]; then
		fail "the tmux shell is usable" "screen: $(screen)"
		exit 0
	fi
	pass "the tmux shell is usable"
}

# screen: what the pane shows now; screen_has ERE.
screen() {
	tmx capture-pane -p -J -t "$TS"
}

screen_has() {
	screen | grep -Eq -- "$1"
}

file_is() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}

file_nonempty() {
	[ -s "$1" ]
}

# tsend KEY CMDLINE: types CMDLINE into the tmux shell, followed by a
# record of its status in $TMPD/rc.KEY.
tsend() {
	rm -f "$TMPD/rc.$1"
	tmx send-keys -t "$TS" -l "$2; echo \$? > $TMPD/rc.$1"
	# ^J, not Enter: it ends the line even if a test left the
	# terminal without icrnl.
	tmx send-keys -t "$TS" C-j
}

# twait KEY: waits (bounded) for the command line KEY to finish; prints its
# status, or "hung".
twait() {
	if poll file_nonempty "$TMPD/rc.$1"; then
		cat "$TMPD/rc.$1"
	else
		echo hung
	fi
}

# tsize ROWS COLS
tsize() {
	tmx resize-window -t "$TS" -x "$2" -y "$1"
}

# tresize FILE ROWS COLS DESC: resizes the window and passes DESC when FILE
# (the workload's `stty size`) follows (bounded).
tresize() {
	tsize "$2" "$3"
	if poll file_is "$1" "$2 $3"; then
		pass "$4"
	else
		fail "$4" "size: $(cat "$1" 2>&1)"
	fi
}

# ---- LXC internals, for the fault tests -----------------------------------------

# lxc_cgroups NAME: the cgroup dirs LXC made for NAME, in every hierarchy.
lxc_cgroups() {
	for _lc_g in /sys/fs/cgroup/*/lxc.payload."$1" /sys/fs/cgroup/*/lxc.monitor."$1" \
		/sys/fs/cgroup/lxc.payload."$1" /sys/fs/cgroup/lxc.monitor."$1"; do
		[ -d "$_lc_g" ] && echo "$_lc_g"
	done
}

# kill_lxc_start NAME: SIGKILLs the monitor (the init's parent), and only
# if it really is one: lxc-start, or lxcshim's own (src/lxc-start.c).
kill_lxc_start() {
	_lc_init=$(state_get "$1" init_process_pid)
	_lc_mon=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$_lc_init/stat" 2> /dev/null)
	if [ -n "$_lc_mon" ] && grep -qx 'lxc-start\|lxcshim-monitor' "/proc/$_lc_mon/comm" 2> /dev/null; then
		kill -KILL "$_lc_mon"
		return 0
	fi
	return 1
}

_t_on_exit() {
	_t_rc0=$?
	# Every script must end with all its containers gone: one last test.
	_t_still=$(lxc-ls -1 --running -P "$LXCPATH" 2>/dev/null | tr '\n' ' ')
	if [ -z "$_t_still" ]; then
		pass "no container of this script is still running at its end"
	else
		fail "no container of this script is still running at its end" "still running: $_t_still"
	fi
	_t_n_final=$(cat "$T_BASE/.count")
	(exit "$_t_rc0")
	_t_cleanup
}
_t_n_final=0
trap _t_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
