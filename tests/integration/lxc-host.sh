#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim on an existing LXC host: the host's lxcpath by default, the stock
# lxc-* tools work on its containers and what they do shows in `state`;
# names LXC defines are refused and never touched; the system config file.
. "${TESTS_LIB:?}"

host_lxcpath=$(lxc-config lxc.lxcpath)
# Our own --root, but no --lxcpath: the host's default applies.
hx() {
	"$LXCSHIM" --config "" --root "$ROOT" "$@"
}
hx_state() {
	hx state "$1" 2>/dev/null | sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p"
}
# Cleanup of containers started in the host's lxcpath.
HOST_NAMES=$TMPD/host-names
: > "$HOST_NAMES"
host_name() {
	_n=$(new_name)
	echo "$_n" >> "$HOST_NAMES"
	echo "$_n"
}
cleanup_host() {
	while read -r _n; do
		lxc-stop -k -n "$_n" -P "$host_lxcpath" > /dev/null 2>&1
		[ -n "$_n" ] && rm -rf "${host_lxcpath:?}/$_n.lxcshim-test"
	done < "$HOST_NAMES"
}
trap 'cleanup_host; _t_on_exit' EXIT

wait_host_running() {
	_i=0
	while [ $_i -lt 1000 ]; do
		[ "$(hx_state "$1" status)" = running ] && return 0
		sleep 0.01
		_i=$((_i + 1))
	done
	return 1
}

# ---- default lxcpath and the stock tools ------------------------------------
n=$(host_name)
hx run -d --name "$n" -- sleep 1000 > "$TMPD/id"
is "$(cat "$TMPD/id")" "$n" "run -d with the host's default lxcpath"
ok "it runs" wait_host_running "$n"
is "$(hx_state "$n" lxcpath)" "$host_lxcpath" "state.json records the host's lxcpath (lxc-config lxc.lxcpath)"

like "$(lxc-ls -P "$host_lxcpath" -1 --running)" "^$n\$" "lxc-ls lists it (no -P needed: it is the default lxcpath)"
like "$(lxc-ls --running -1)" "^$n\$" "plain lxc-ls lists it"
is "$(lxc-info -n "$n" -s -H)" "RUNNING" "lxc-info -n ID: RUNNING"
is "$(lxc-info -n "$n" -p -H)" "$(hx_state "$n" init_process_pid)" "lxc-info's PID is state.json's init_process_pid"
is "$(lxc-attach -n "$n" -- cat /proc/sys/kernel/hostname)" "$n" "lxc-attach -n ID runs inside it"
is "$(lxc-attach -n "$n" -- sh -c 'exit 7'; echo $?)" 7 "lxc-attach passes the exit status"

ok "lxc-stop -k -n ID" lxc-stop -k -n "$n"
_i=0
while [ $_i -lt 500 ] && [ "$(hx_state "$n" status)" != stopped ]; do sleep 0.01; _i=$((_i + 1)); done
is "$(hx_state "$n" status)" stopped "lxc-stop -k shows as stopped in lxcshim state"
_i=0
while [ $_i -lt 500 ] && [ -z "$(hx_state "$n" exit_code)" ]; do sleep 0.01; _i=$((_i + 1)); done
is "$(hx_state "$n" exit_code)" 137 "... with exit_code 137"
ok "delete it" hx delete "$n"
assert_no_leftovers "$n"

# A graceful lxc-stop: LXC sends its halt signal to the init (SIGRTMIN+3
# when it has no config of the container loaded, else lxc.signal.halt,
# SIGPWR by default), which passes it on.
n=$(host_name)
hx run -d --name "$n" -- sh -c 'trap "exit 42" PWR 37; while :; do sleep 0.1; done' > /dev/null
ok "a workload trapping the halt signals runs" wait_host_running "$n"
ok "lxc-stop -n ID (graceful)" lxc-stop -n "$n" -t 20
_i=0
while [ $_i -lt 500 ] && [ -z "$(hx_state "$n" exit_code)" ]; do sleep 0.01; _i=$((_i + 1)); done
is "$(hx_state "$n" exit_code)" 42 "lxc-stop's halt signal reached the workload's handler (exit 42)"
hx delete "$n" > /dev/null 2>&1

# ---- LXC's own containers are refused and untouched ---------------------------
n=$(host_name)
mkdir -p "$host_lxcpath/$n"
echo "$n" >> "$HOST_NAMES"
printf 'lxc.rootfs.path = dir:%s\nlxc.uts.name = %s\n' "$LXCSHIM_ROOTFS" "$n" > "$host_lxcpath/$n/config"
cp "$host_lxcpath/$n/config" "$TMPD/lxc-config.orig"
hx run --rm --name "$n" -- true > /dev/null 2> "$TMPD/err"
is "$?" 125 "a name LXC defines is refused with 125"
like "$(cat "$TMPD/err")" "already in use by LXC" "... saying LXC owns it"
is "$(wc -l < "$TMPD/err")" 1 "... on one line"
hx delete -f "$n" > /dev/null 2> "$TMPD/err"
is "$?" 1 "delete of LXC's container: refused"
like "$(cat "$TMPD/err")" "no such container" "... lxcshim does not know it"
ok "LXC's config is untouched" cmp -s "$host_lxcpath/$n/config" "$TMPD/lxc-config.orig"
unlike "$(hx list)" "$n" "list does not show LXC's container"
rm -rf "${host_lxcpath:?}/$n"

# ---- the system config file -----------------------------------------------------
conf=$TMPD/lxcshim.conf
mkdir -p "$TMPD/croot" "$TMPD/clxc"
cat > "$conf" <<CONF
# site defaults
root = $TMPD/croot
lxcpath = $TMPD/clxc
rootfs = $LXCSHIM_ROOTFS
template = ${LXCSHIM_TEMPLATE:-}
net = host
CONF
n=$(new_name)
out=$("$LXCSHIM" --config "$conf" run --name "$n" -- sh -c 'ls /sys/class/net | wc -l')
[ "$out" -gt 1 ] && pass "config file: net = host is the default ($out interfaces)" || fail "config file: net = host" "got $out interfaces"
ok "config file: root is used" test -f "$TMPD/croot/containers/$n/state.json"
like "$(cat "$TMPD/croot/containers/$n/state.json")" "\"lxcpath\": \"$TMPD/clxc\"" "config file: lxcpath is used"
n=$(new_name)
out=$("$LXCSHIM" --config "$conf" --root "$TMPD/croot2" run --rm --name "$n" --net none -- sh -c 'ls /sys/class/net')
is "$out" lo "flags override the config file (--net none)"
ok "flags override the config file (--root)" test -d "$TMPD/croot2/containers"
echo "bogus = 1" > "$TMPD/bad.conf"
"$LXCSHIM" --config "$TMPD/bad.conf" run -- true > /dev/null 2> "$TMPD/err"
is "$?" 125 "an unknown key in the config file: 125"
like "$(cat "$TMPD/err")" "bad.conf:1: unknown key" "... naming file, line and key"
"$LXCSHIM" --config "$TMPD/missing.conf" run -- true > /dev/null 2> "$TMPD/err"
is "$?" 125 "a missing --config file: 125"

# --lxc-include adds site policy: here a file that sets a sysctl-free key we can see.
printf 'lxc.environment = FROM_INCLUDE=yes\n' > "$TMPD/site-policy.conf"
n=$(new_name)
lx run --name "$n" --lxc-include "$TMPD/site-policy.conf" --dry-run -- true > "$TMPD/dry"
like "$(cat "$TMPD/dry")" "^lxc.include = $TMPD/site-policy.conf\$" "--lxc-include renders an lxc.include line"
printf 'lxc.uts.name = from-policy\n' > "$TMPD/site-policy.conf"
out=$(lx run --rm --name "$n" --lxc-include "$TMPD/site-policy.conf" -- cat /proc/sys/kernel/hostname)
is "$out" "$n" "lxcshim's own settings win over an included file"
out=$(lx run --rm --name "$n" --lxc-include /etc/lxc/default.conf -- sh -c 'ls /sys/class/net')
is "$out" lo "the host's /etc/lxc/default.conf can be included (its veth is overridden by --net none)"
lx run --rm --name "$n" --lxc-include "$TMPD/nonexistent.conf" -- true 2> "$TMPD/err"
is "$?" 125 "a missing --lxc-include file: 125"
