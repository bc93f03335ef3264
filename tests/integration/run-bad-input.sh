#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: every bad input exits 125 with exactly one line on stderr
# that names the bad value, prints nothing on stdout and leaves nothing
# behind (SPEC, "Bad input").
. "${TESTS_LIB:?}"

NL='
'

# our_leftovers: anything of this script's containers left anywhere.
our_leftovers() {
	containers_empty || echo "$ROOT/containers is not empty: $(ls -A "$ROOT/containers" | tr '\n' ' ')"
	for _g in /sys/fs/cgroup/*/lxc.payload.lxt$$n* /sys/fs/cgroup/*/lxc.monitor.lxt$$n* \
		/sys/fs/cgroup/lxc.payload.lxt$$n* /sys/fs/cgroup/lxc.monitor.lxt$$n*; do
		[ -e "$_g" ] && echo "cgroup $_g exists"
	done
	_ls=$(lxc-ls -1 -P "$LXCPATH" 2>/dev/null)
	[ -z "$_ls" ] || echo "lxc-ls -P $LXCPATH lists: $_ls"
}

# bad DESC ERE RUN-ARGS...: `lx run RUN-ARGS...` must exit 125, print one
# line on stderr matching ERE and nothing on stdout, and leave nothing:
# no container dir, no lxc.payload/lxc.monitor cgroup of any of our names,
# nothing that lxc-ls lists.
bad() {
	_desc=$1
	_ere=$2
	shift 2
	lx run "$@" > "$TMPD/bad.out" 2> "$TMPD/bad.err"
	_rc=$?
	_check_bad "$_desc" "$_ere"
}

# _check_bad DESC ERE: judges the last run ($_rc, $TMPD/bad.out, bad.err).
_check_bad() {
	_desc=$1
	_ere=$2
	_problems=
	_lines=$(line_count "$TMPD/bad.err")
	[ "$_rc" = 125 ] || _problems="status $_rc, expected 125"
	[ "$_lines" = 1 ] || _problems="$_problems${_problems:+; }$_lines lines on stderr, expected 1"
	grep -Eq -- "$_ere" "$TMPD/bad.err" || _problems="$_problems${_problems:+; }stderr does not match /$_ere/"
	[ -s "$TMPD/bad.out" ] && _problems="$_problems${_problems:+; }stdout is not empty: $(head -c 300 "$TMPD/bad.out")"
	_left=$(our_leftovers)
	[ -z "$_left" ] || _problems="$_problems${_problems:+; }left behind: $_left"
	if [ -z "$_problems" ]; then
		pass "$_desc"
	else
		fail "$_desc" "$_problems" "stderr: $(cat "$TMPD/bad.err")"
		# Clean up so that the next case is judged on its own.
		rm -rf "${ROOT:?}/containers"
		for _g in /sys/fs/cgroup/*/lxc.payload.lxt$$n* /sys/fs/cgroup/*/lxc.monitor.lxt$$n* \
			/sys/fs/cgroup/lxc.payload.lxt$$n* /sys/fs/cgroup/lxc.monitor.lxt$$n*; do
			[ -d "$_g" ] && rmdir "$_g" 2> /dev/null
		done
	fi
}

# ---- container names ------------------------------------------------------
long=lxtlongname$(printf '%054d' 0)
bad "--name '' (empty)" 'name' --name '' -- true
bad "--name of 65 characters" 'name.*(lxtlongname|64)' --name "$long" -- true
bad "--name -x" 'name "?-x' --name -x -- true
bad "--name ../x" '\.\./x' --name ../x -- true
bad "--name a/b" 'a/b' --name a/b -- true
bad "--name 'a b'" 'a b' --name 'a b' -- true
bad "--name .hidden" '\.hidden' --name .hidden -- true
bad "--name with a newline" 'name' --name "lxt$$nl${NL}x" -- true
n64=lxt$(printf '%061d' 0)
record_name "$n64"
out=$(lx run --rm --name "$n64" -- true 2>&1)
is "$?:$out" "0:" "--name of exactly 64 characters is fine"

# ---- config injection: values with a newline -----------------------------------
bad "--hostname with a newline (config injection)" 'hostname' \
	--name "$(new_name)" --hostname "evil${NL}lxc.cap.keep = sys_admin" -- true
bad "--hostname with a carriage return" 'hostname' --name "$(new_name)" --hostname "evil$(printf '\r')x" -- true
bad "--hostname with a space" 'hostname' --name "$(new_name)" --hostname "bad host" -- true
bad "--hostname of 65 characters" 'hostname' --name "$(new_name)" --hostname "h$(printf '%064d' 0)" -- true
mkdir -p "$TMPD/rootfs${NL}lxc.cap.keep = sys_admin"
bad "--rootfs whose path has a newline (config injection)" 'rootfs' \
	--name "$(new_name)" --rootfs "$TMPD/rootfs${NL}lxc.cap.keep = sys_admin" -- true
mkdir -p "$TMPD/vol${NL}lxc.cap.keep = sys_admin"
bad "a volume source with a newline (config injection)" 'volume' \
	--name "$(new_name)" -v "$TMPD/vol${NL}lxc.cap.keep = sys_admin:/data" -- true
mkdir -p "$TMPD/vol"
bad "a volume target with a newline (config injection)" 'volume' \
	--name "$(new_name)" -v "$TMPD/vol:/data${NL}lxc.cap.keep = sys_admin" -- true

# ---- rootfs and volumes -------------------------------------------------------
bad "a missing rootfs" '/lxt/no/such/rootfs' --name "$(new_name)" --rootfs /lxt/no/such/rootfs -- true
printf 'x' > "$TMPD/rootfs-file"
bad "a rootfs that is a file" 'rootfs-file' --name "$(new_name)" --rootfs "$TMPD/rootfs-file" -- true
bad "--rootfs ''" 'rootfs' --name "$(new_name)" --rootfs '' -- true
bad "a missing volume source" 'no-such-source' --name "$(new_name)" -v "$TMPD/no-such-source:/data" -- true

# ---- sizes and limits ---------------------------------------------------------
bad "-m 12x" '12x' --name "$(new_name)" -m 12x -- true
bad "-m -5" '-5' --name "$(new_name)" -m -5 -- true
bad "-m ''" 'memory' --name "$(new_name)" -m '' -- true
bad "-m 99999999999g (overflow)" '99999999999g|memory' --name "$(new_name)" -m 99999999999g -- true
bad "--memory-swap smaller than -m" 'memory-swap|swap' --name "$(new_name)" -m 64m --memory-swap 32m -- true
bad "--memory-swap 12x" '12x' --name "$(new_name)" -m 64m --memory-swap 12x -- true
bad "--cpus 0" 'cpus.*"?0' --name "$(new_name)" --cpus 0 -- true
bad "--cpus -1" 'cpus' --name "$(new_name)" --cpus -1 -- true
bad "--cpus abc" 'abc' --name "$(new_name)" --cpus abc -- true
bad "--cpuset-cpus 3-1" '3-1' --name "$(new_name)" --cpuset-cpus 3-1 -- true
bad "--cpuset-cpus a" 'cpu' --name "$(new_name)" --cpuset-cpus a -- true
bad "--cpuset-cpus '0,'" 'cpu' --name "$(new_name)" --cpuset-cpus '0,' -- true
bad "--pids-limit abc" 'abc' --name "$(new_name)" --pids-limit abc -- true
bad "--cpu-shares abc" 'abc' --name "$(new_name)" --cpu-shares abc -- true
bad "--start-timeout abc" 'abc' --name "$(new_name)" --start-timeout abc -- true

# ---- capabilities, network, options -------------------------------------------
bad "--cap-add FOO" 'FOO' --name "$(new_name)" --cap-add FOO -- true
bad "--cap-drop FOO" 'FOO' --name "$(new_name)" --cap-drop FOO -- true
bad "--cap-add ''" 'capabilit' --name "$(new_name)" --cap-add '' -- true
bad "an unknown option --bogus" 'bogus' --name "$(new_name)" --bogus -- true
bad "--net bridge is not supported yet" 'not supported yet' --name "$(new_name)" --net bridge -- true
bad "--net bridge=br0 is not supported yet" 'not supported yet' --name "$(new_name)" --net bridge=br0 -- true
bad "--net container:x is not supported yet" 'not supported yet' --name "$(new_name)" --net container:x -- true
bad "--net bogus" 'bogus' --name "$(new_name)" --net bogus -- true
bad "-e '=value' (empty name)" '=value' --name "$(new_name)" -e =value -- true

# Not implemented yet: refused clearly, never ignored.
bad "--device is not supported yet" 'not supported yet' --rm --name "$(new_name)" --device /dev/null -- true
bad "--ipc is not supported yet" 'not supported yet' --rm --name "$(new_name)" --ipc host -- true
# (-d -t and -d -i are allowed: attach reaches them, see attach.sh.)

# ---- no command --------------------------------------------------------------
bad "no command" 'command' --name "$(new_name)"
bad "no command after --" 'command' --name "$(new_name)" --
bad "an empty command" 'command' --name "$(new_name)" -- ''

# ---- --spec ---------------------------------------------------------------------
printf '{"memory": "64m", "lxtbogus": 1}\n' > "$TMPD/spec-unknown.json"
bad "--spec with an unknown key" 'lxtbogus' --name "$(new_name)" --spec "$TMPD/spec-unknown.json" -- true
printf '{"memory": "64m",\n' > "$TMPD/spec-invalid.json"
bad "--spec with invalid JSON" 'spec-invalid\.json' --name "$(new_name)" --spec "$TMPD/spec-invalid.json" -- true
printf '[1, 2]\n' > "$TMPD/spec-array.json"
bad "--spec that is not an object" 'spec-array\.json' --name "$(new_name)" --spec "$TMPD/spec-array.json" -- true
printf '{"memory": "12x"}\n' > "$TMPD/spec-badval.json"
bad "--spec with a bad value" '12x' --name "$(new_name)" --spec "$TMPD/spec-badval.json" -- true
printf '{"hostname": "a\\nlxc.cap.keep = sys_admin"}\n' > "$TMPD/spec-inject.json"
bad "--spec with a newline in a value (config injection)" 'hostname' --name "$(new_name)" --spec "$TMPD/spec-inject.json" -- true
bad "--spec of a missing file" 'no-such-spec' --name "$(new_name)" --spec "$TMPD/no-such-spec.json" -- true

# ---- the name is taken ---------------------------------------------------------
n=$(new_name)
mkdir -p "$LXCPATH/$n"
printf 'lxc.uts.name = %s\n' "$n" > "$LXCPATH/$n/config"
lx run --name "$n" -- true > "$TMPD/bad.out" 2> "$TMPD/bad.err"
_rc=$?
rm -rf "${LXCPATH:?}/$n"
_check_bad "a name LXC defines" "$n"

# ---- lxc-start missing ---------------------------------------------------------
# A PATH without lxc-start but with what a libtool wrapper script needs.
mkdir -p "$TMPD/nolxc"
for tool in sh bash ls sed cat dirname basename expr; do
	t=$(command -v "$tool") && ln -sf "$t" "$TMPD/nolxc/$tool"
done
n=$(new_name)
PATH=$TMPD/nolxc "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" run --name "$n" -- true \
	> "$TMPD/bad.out" 2> "$TMPD/bad.err"
_rc=$?
_check_bad "lxc-start missing from PATH" 'lxc-start'

# ---- start timeouts ------------------------------------------------------------
n=$(new_name)
bad "--start-timeout 0.001" 'start|time' --name "$n" --start-timeout 0.001 -- true

if [ -n "${LXCSHIM_TEMPLATE:-}" ] && [ -r "$LXCSHIM_TEMPLATE" ]; then
	marker=$TMPD/sleep-lxtmark$$
	ln -sf "$(command -v sleep)" "$marker"
	cat > "$TMPD/hook.sh" <<EOF
#!/bin/sh
echo started > "$TMPD/hook.started"
exec "$marker" 30
EOF
	chmod +x "$TMPD/hook.sh"
	cp "$LXCSHIM_TEMPLATE" "$TMPD/slow.tmpl"
	echo "lxc.hook.pre-start = $TMPD/hook.sh" >> "$TMPD/slow.tmpl"
	n=$(new_name)
	bad "a pre-start hook sleeping 30 s with --start-timeout 1" 'start|time' \
		--name "$n" --template "$TMPD/slow.tmpl" --start-timeout 1 -- true
	ok "the slow hook did run" test -e "$TMPD/hook.started"
	pids=$(pgrep -f "sleep-lxtmark$$")
	is "$pids" "" "the hook's sleep was killed"
	for p in $pids; do
		kill -KILL "$p" 2> /dev/null
	done
else
	skip "a pre-start hook sleeping 30 s with --start-timeout 1" "LXCSHIM_TEMPLATE is not set"
fi

# ---- global level -------------------------------------------------------------------
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" lxtfrobnicate > "$TMPD/bad.out" 2> "$TMPD/bad.err"
is "$?" 125 "an unknown command -> 125"
like "$(cat "$TMPD/bad.err")" lxtfrobnicate "an unknown command is named"
n=$(new_name)
"$LXCSHIM" --root "$ROOT" --lxcpath "$TMPD/no-such-lxcpath" run --name "$n" -- true > "$TMPD/bad.out" 2> "$TMPD/bad.err"
_rc=$?
_check_bad "a missing --lxcpath" 'no-such-lxcpath'

ok "nothing at all is left in $ROOT/containers" containers_empty

exit 0
