#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run --dry-run: prints the rendered lxc config, the environment
# and the exact lxc-start argv, shell-quoted; runs and creates nothing.
# --spec FILE supplies the same settings; flags override it.
. "${TESTS_LIB:?}"

LXC_START=$(command -v lxc-start)

# argv_of FILE: the "## argv" section of a dry-run output (it may span
# lines when an argument holds a newline).
argv_of() {
	sed '1,/^## argv$/d' "$1"
}

# section_of FILE PATH: the section whose header is "## PATH".
section_of() {
	awk -v h="## $2" '$0 == h { on = 1; next } /^## / { on = 0 } on' "$1"
}

# The limit lines lxcshim renders for this host's cgroup layout.
if cgroup_v2_only; then
	mem_key=lxc.cgroup2.memory.max
	cpus_half='lxc.cgroup2.cpu.max = 50000 100000'
	shares_256='lxc.cgroup2.cpu.weight = 10'
else
	mem_key=lxc.cgroup.memory.limit_in_bytes
	cpus_half='lxc.cgroup.cpu.cfs_quota_us = 50000'
	shares_256='lxc.cgroup.cpu.shares = 256'
fi

created_nothing() {
	_n=$1
	_l=$(leftovers "$_n")
	containers_empty || _l="$_l $ROOT/containers is not empty: $(ls -A "$ROOT/containers")"
	[ -z "$(lxc-ls -1 -P "$LXCPATH" 2>/dev/null)" ] || _l="$_l lxc-ls lists $(lxc-ls -1 -P "$LXCPATH")"
	if [ -z "$_l" ]; then
		pass "--dry-run ($2) creates nothing"
	else
		fail "--dry-run ($2) creates nothing" "$_l"
	fi
}

# ---- the plain case -------------------------------------------------------
n=$(new_name)
lx run --dry-run --name "$n" -- echo hello > "$TMPD/dry" 2> "$TMPD/err"
rc=$?
is "$rc" 0 "--dry-run exits 0"
is "$(cat "$TMPD/err")" "" "--dry-run writes nothing to stderr"
cfgpath=$ROOT/containers/$n/config
envpath=$ROOT/containers/$n/config.env
ok "--dry-run prints the config under its path" grep -qxF "## $cfgpath" "$TMPD/dry"
section_of "$TMPD/dry" "$cfgpath" > "$TMPD/config"
ok "the config names the container's hostname" grep -qx "lxc.uts.name = $n" "$TMPD/config"
# The default rootfs is never written: an overlay with its upper dir in
# the container's dir (rootfs-safety.sh runs it).
ok "the config has the default rootfs as an overlay" \
	grep -qx "lxc.rootfs.path = overlay:$(realpath "$LXCSHIM_ROOTFS"):$ROOT/containers/$n/overlay/upper" "$TMPD/config"
ok "the config keeps the console off (lxc.console.path = none)" grep -qx "lxc.console.path = none" "$TMPD/config"
ok "the config logs to the container dir" grep -qx "lxc.log.file = $ROOT/containers/$n/lxc.log" "$TMPD/config"
ok "the config bind-mounts config.env at /.dockerenv read-only" \
	grep -qE "^lxc.mount.entry = $envpath \.dockerenv none [^ ]*ro" "$TMPD/config"
ok "--dry-run prints config.env under its path" grep -qxF "## $envpath" "$TMPD/dry"
like "$(section_of "$TMPD/dry" "$envpath")" '^\[.*"container=lxc".*\]$' "the environment is a JSON array"
ok "--dry-run prints an argv section" grep -qx '## argv' "$TMPD/dry"
argv=$(argv_of "$TMPD/dry")
case $argv in
unshare\ *)
	diag "the host's / is shared: the argv is the unshare form"
	like "$argv" "exec $LXC_START " "the argv runs $LXC_START"
	;;
*)
	like "$argv" "^$LXC_START " "the argv starts with the lxc-start path ($LXC_START)"
	;;
esac
like "$argv" " -n $n -f $cfgpath -P $LXCPATH -F -q -o $ROOT/containers/$n/lxc\.log -l ERROR -- /\.lxcshim-init " \
	"the argv has -n NAME -f CONFIG -P LXCPATH -F -q -o LOG -l LEVEL -- /.lxcshim-init"
like "$argv" " -- /\.lxcshim-init -- echo hello\$" "the argv ends with -- CMD ARGS"
created_nothing "$n" "plain"

# ---- the argv round-trips through the shell ---------------------------------
# Hostile arguments: quotes, expansions, globs, an empty string, a newline,
# things that look like options.
n=$(new_name)
A1="it's"
A2='"double" quoted'
A3='$HOME ${PATH} $$'
A4="\$(touch $TMPD/pwned)"
A5="\`touch $TMPD/pwned2\`"
A6=''
A7='multi
line'
A8='*'
A9='~'
A10='back\slash \\ \n'
A11='; rm -rf / ; echo'
A12='-n'
A13='--'
A14='a	tab'
A15='ünïcödé ✓'
A16="'"
A17='!event [x] {a,b} | & < > #'
A18=' leading and trailing '
NA=18
set --
i=1
while [ "$i" -le "$NA" ]; do
	eval "set -- \"\$@\" \"\$A$i\""
	i=$((i + 1))
done
lx run --dry-run --name "$n" -- printf '%s\n' "$@" > "$TMPD/dry" 2> "$TMPD/err"
rc=$?
set --
is "$rc" 0 "--dry-run with hostile arguments exits 0"
argv=$(argv_of "$TMPD/dry")
case $argv in
unshare\ *) skip "the argv round-trips through eval" "the host's / is shared (unshare form)" ;;
*)
	rest=${argv#* -- /.lxcshim-init -- }
	if [ "$rest" = "$argv" ]; then
		fail "the argv round-trips through eval" "no ' -- /.lxcshim-init -- ' in: $argv"
	else
		eval "set -- $rest"
		problems=
		[ "$#" = $((NA + 2)) ] || problems="$# words, expected $((NA + 2))"
		[ "${1:-}" = printf ] || problems="$problems; word 1 is '${1:-}', expected 'printf'"
		[ "${2:-}" = '%s\n' ] || problems="$problems; word 2 is '${2:-}', expected '%s\\n'"
		shift 2
		i=1
		while [ "$i" -le "$NA" ] && [ "$#" -gt 0 ]; do
			eval "want=\$A$i"
			[ "$1" = "$want" ] || problems="$problems; word $((i + 2)) is '$1', expected '$want'"
			shift
			i=$((i + 1))
		done
		if [ -z "$problems" ]; then
			pass "the argv round-trips through eval"
		else
			fail "the argv round-trips through eval" "$problems" "argv: $argv"
		fi
		# The full argv: the lxc-start part too.
		eval "set -- $argv"
		is "$1|$2|$3|$4|$5|$6|$7|$8|$9" "$LXC_START|-n|$n|-f|$ROOT/containers/$n/config|-P|$LXCPATH|-F|-q" \
			"the argv's first words are lxc-start -n NAME -f CONFIG -P LXCPATH -F -q"
	fi
	;;
esac
set --
ok "eval of the argv ran no command substitution" test ! -e "$TMPD/pwned"
ok "eval of the argv ran no backquote substitution" test ! -e "$TMPD/pwned2"
created_nothing "$n" "hostile arguments"

# ---- init flags --------------------------------------------------------------
n=$(new_name)
lx run --dry-run --name "$n" -u 1000:2000 -w /tmp -- id > "$TMPD/dry" 2>&1
argv=$(argv_of "$TMPD/dry")
like "$argv" " /\.lxcshim-init (.* )?-u 1000:2000 (.* )?-- id\$" "-u reaches the init's flags"
like "$argv" " /\.lxcshim-init (.* )?-w /tmp (.* )?-- id\$" "-w reaches the init's flags"

# ---- limits and options are rendered -------------------------------------------
n=$(new_name)
lx run --dry-run --name "$n" -m 64m --cpus 0.5 --hostname dryhost --net host -e DRY=1 -- true > "$TMPD/dry" 2>&1
section_of "$TMPD/dry" "$ROOT/containers/$n/config" > "$TMPD/config"
ok "-m is rendered" grep -qx "$mem_key = 67108864" "$TMPD/config"
ok "--cpus is rendered" grep -qx "$cpus_half" "$TMPD/config"
ok "--hostname is rendered" grep -qx 'lxc.uts.name = dryhost' "$TMPD/config"
ok "--net host is rendered" grep -qx 'lxc.net.0.type = none' "$TMPD/config"
like "$(section_of "$TMPD/dry" "$ROOT/containers/$n/config.env")" '"DRY=1"' "-e is in the environment"
created_nothing "$n" "with limits"

# ---- bad input is still refused -----------------------------------------------
n=$(new_name)
lx run --dry-run --name "$n" -m 12x -- true > "$TMPD/dry" 2> "$TMPD/err"
is "$?" 125 "--dry-run with a bad value -> 125"
is "$(cat "$TMPD/dry")" "" "--dry-run with a bad value prints no config"
n=$(new_name)
lx run --dry-run --name "$n" --rootfs "$TMPD/no-such-rootfs" -- true > "$TMPD/dry" 2> "$TMPD/err"
is "$?" 125 "--dry-run with a missing rootfs -> 125"
created_nothing "$n" "bad input"

# ---- --spec ----------------------------------------------------------------------
cat > "$TMPD/spec.json" <<'EOF'
{
  "memory": "64m",
  "cpu-shares": 256,
  "hostname": "spechost",
  "env": ["FROM_SPEC=yes", "OVERRIDE=spec"],
  "command": ["echo", "from-spec"]
}
EOF
n=$(new_name)
lx run --dry-run --name "$n" --spec "$TMPD/spec.json" > "$TMPD/dry" 2> "$TMPD/err"
rc=$?
is "$rc" 0 "--dry-run --spec exits 0"
[ "$rc" = 0 ] || diag "stderr: $(cat "$TMPD/err")"
section_of "$TMPD/dry" "$ROOT/containers/$n/config" > "$TMPD/config"
section_of "$TMPD/dry" "$ROOT/containers/$n/config.env" > "$TMPD/env"
ok "--spec: memory is rendered" grep -qx "$mem_key = 67108864" "$TMPD/config"
ok "--spec: cpu-shares is rendered" grep -qx "$shares_256" "$TMPD/config"
ok "--spec: hostname is rendered" grep -qx 'lxc.uts.name = spechost' "$TMPD/config"
like "$(cat "$TMPD/env")" '"FROM_SPEC=yes"' "--spec: env is in the environment"
like "$(argv_of "$TMPD/dry")" ' -- /\.lxcshim-init -- echo from-spec$' "--spec: command is the workload"

n=$(new_name)
lx run --dry-run --name "$n" --spec "$TMPD/spec.json" -m 128m --hostname flaghost -e OVERRIDE=flag \
	-- echo from-flag > "$TMPD/dry" 2> "$TMPD/err"
rc=$?
is "$rc" 0 "--dry-run --spec with overriding flags exits 0"
section_of "$TMPD/dry" "$ROOT/containers/$n/config" > "$TMPD/config"
section_of "$TMPD/dry" "$ROOT/containers/$n/config.env" > "$TMPD/env"
ok "-m overrides the spec's memory" grep -qx "$mem_key = 134217728" "$TMPD/config"
is "$(grep -c "^$mem_key = ." "$TMPD/config")" 1 "only one memory limit is rendered"
ok "--hostname overrides the spec's hostname" grep -qx 'lxc.uts.name = flaghost' "$TMPD/config"
ok "the spec's value is kept where no flag overrides it" grep -qx "$shares_256" "$TMPD/config"
like "$(cat "$TMPD/env")" '"OVERRIDE=flag"' "-e overrides the spec's env entry"
unlike "$(cat "$TMPD/env")" '"OVERRIDE=spec"' "the spec's overridden env entry is gone"
like "$(cat "$TMPD/env")" '"FROM_SPEC=yes"' "the spec's other env entries stay"
like "$(argv_of "$TMPD/dry")" ' -- /\.lxcshim-init -- echo from-flag$' "the command line's command overrides the spec's"
created_nothing "$n" "--spec"

# The spec really runs.
n=$(new_name)
out=$(lx run --rm --name "$n" --spec "$TMPD/spec.json" 2>&1)
is "$?:$out" "0:from-spec" "run --spec runs the spec's command"
n=$(new_name)
out=$(lx run --rm --name "$n" --spec "$TMPD/spec.json" -- sh -c 'echo "$FROM_SPEC $OVERRIDE $(hostname)"' 2>&1)
is "$out" "yes spec spechost" "run --spec: the spec's env and hostname reach the container"

# ---- shared root: the printable form -----------------------------------------
if command -v unshare >/dev/null 2>&1 && unshare -m --propagation shared -- true 2> /dev/null; then
	n=$(new_name)
	unshare -m --propagation shared -- "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" \
		run --dry-run --name "$n" -- echo 'a b' > "$TMPD/dry" 2>&1
	argv=$(argv_of "$TMPD/dry")
	like "$argv" '^unshare -m ' "under a shared /, the argv is wrapped in unshare -m"
	like "$argv" 'mount --make-rslave /' "under a shared /, / is made rslave first"
	like "$argv" "exec $LXC_START -n $n " "under a shared /, the shell execs lxc-start"
	# The printable form runs as it reads: one eval, then sh -c.
	eval "set -- $argv"
	is "$1" unshare "the unshare form parses as a command line"
	set --
	created_nothing "$n" "shared root"
else
	skip "the shared-root printable form" "unshare -m --propagation shared is not available"
fi

exit 0
