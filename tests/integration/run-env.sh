#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim run: the environment arrives byte-exact, with docker's -e and
# --env-file rules and defaults.
. "${TESTS_LIB:?}"

# The workload writes each named variable's value with printf '%s' to
# /out/NAME, and nothing for an unset one.
# shellcheck disable=SC2016
DUMP='for v; do if eval "[ -n \"\${$v+set}\" ]"; then eval "printf %s \"\${$v}\"" > "/out/$v"; fi; done'

# nl: a value ending in a newline survives $(...) only with a sentinel.
V_NEWLINE=$(printf 'line1\nline2\n\nX')
V_NEWLINE=${V_NEWLINE%X}
V_CTRL=$(printf 'a\tb\rc\001d\177eX')
V_CTRL=${V_CTRL%X}
V_HIGH=$(printf 'raw\377\376bytes')

# name=value pairs, one per line of a table would not survive the
# newlines, so they are set one by one.
set_vals() {
	V_SPACES='a b  c  '
	V_LEADING='  leading'
	V_SQUOTE="it's 'quoted'"
	V_DQUOTE='say "hi" \"there\"'
	V_DOLLAR='$HOME ${PATH} $(id) $$ $1'
	V_BACKTICK='`id` `echo pwned`'
	V_BACKSLASH='a\b\\c\n\t\'
	V_UTF8='héllo wörld ✓ 日本語 🚀'
	V_EQUALS='a=b==c='
	V_EMPTY=''
	V_GLOB='* ? [a-z] ~'
	V_JSON='{"a": [1, "\u0000", "\\"]}'
	V_SEMI='x; rm -rf / ; echo y && z || w | v > u < t'
}
set_vals
VARS='V_SPACES V_LEADING V_SQUOTE V_DQUOTE V_DOLLAR V_BACKTICK V_BACKSLASH V_UTF8 V_EQUALS V_EMPTY V_GLOB V_JSON V_SEMI V_NEWLINE V_CTRL V_HIGH'

n=$(new_name)
mkdir -p "$TMPD/out"
set --
for v in $VARS; do
	eval "set -- \"\$@\" -e \"$v=\${$v}\""
done
lx run --rm --name "$n" -v "$TMPD/out:/out" "$@" -- sh -c "$DUMP" sh $VARS > "$TMPD/stdout" 2> "$TMPD/stderr"
rc=$?
set --
is "$rc" 0 "a run with hostile env values exits 0"
[ "$rc" = 0 ] || diag "stderr: $(cat "$TMPD/stderr")"
for v in $VARS; do
	eval "printf %s \"\${$v}\"" > "$TMPD/want.$v"
	if [ ! -e "$TMPD/out/$v" ]; then
		fail "-e $v arrives byte-exact" "$v is not set in the container"
	elif cmp -s "$TMPD/want.$v" "$TMPD/out/$v"; then
		pass "-e $v arrives byte-exact"
	else
		fail "-e $v arrives byte-exact" "expected: $(od -An -c "$TMPD/want.$v")" "     got: $(od -An -c "$TMPD/out/$v")"
	fi
done

# ---- -e KEY takes the caller's value; an unset KEY stays unset ---------------
rm -rf "$TMPD/out" && mkdir -p "$TMPD/out"
LXT_HOSTVAL='from the host $x "y"'
export LXT_HOSTVAL
unset LXT_UNSETVAL
LXT_LEAK=leaked
export LXT_LEAK
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/out:/out" -e LXT_HOSTVAL -e LXT_UNSETVAL \
	-- sh -c "$DUMP" sh LXT_HOSTVAL LXT_UNSETVAL LXT_LEAK > /dev/null 2>&1
is "$?" 0 "a run with -e KEY exits 0"
is "$(cat "$TMPD/out/LXT_HOSTVAL" 2>/dev/null)" "$LXT_HOSTVAL" "-e KEY takes the caller's value"
ok "-e KEY of an unset variable leaves it unset" test ! -e "$TMPD/out/LXT_UNSETVAL"
ok "the caller's environment does not leak in" test ! -e "$TMPD/out/LXT_LEAK"
unset LXT_HOSTVAL LXT_LEAK

# ---- later -e wins -------------------------------------------------------
n=$(new_name)
out=$(lx run --rm --name "$n" -e DUP=first -e DUP=second -e DUP=third -- sh -c 'echo "$DUP"')
is "$out" third "the last -e for a key wins"
n=$(new_name)
out=$(lx run --rm --name "$n" -e 'DUP2=x' -e 'DUP2=' -- sh -c 'echo "[${DUP2-unset}]"')
is "$out" "[]" "a later -e KEY= empties an earlier value"

# ---- --env-file ---------------------------------------------------------
LXT_FILEHOST='host value for the file'
export LXT_FILEHOST
{
	echo '# a comment'
	echo '   # an indented comment'
	echo ''
	echo '   '
	echo 'EF_PLAIN=plain value'
	echo 'EF_QUOTED="kept quotes"'
	echo '   EF_INDENTED=indented key'
	echo 'EF_EQ=a=b=c'
	echo 'EF_EMPTY='
	echo 'EF_HASH=value # not a comment'
	echo 'LXT_FILEHOST'
	echo 'EF_OVERRIDE=from the file'
	printf 'EF_LAST=no final newline'
} > "$TMPD/env.list"
rm -rf "$TMPD/out" && mkdir -p "$TMPD/out"
n=$(new_name)
lx run --rm --name "$n" -v "$TMPD/out:/out" --env-file "$TMPD/env.list" -e EF_OVERRIDE=from-flag \
	-- sh -c "$DUMP" sh EF_PLAIN EF_QUOTED EF_INDENTED EF_EQ EF_EMPTY EF_HASH LXT_FILEHOST EF_OVERRIDE EF_LAST \
	> /dev/null 2> "$TMPD/stderr"
rc=$?
is "$rc" 0 "a run with --env-file exits 0"
[ "$rc" = 0 ] || diag "stderr: $(cat "$TMPD/stderr")"
envf() {
	if [ -e "$TMPD/out/$1" ]; then
		cat "$TMPD/out/$1"
	else
		echo "<unset>"
	fi
}
is "$(envf EF_PLAIN)" "plain value" "--env-file: a plain value"
is "$(envf EF_QUOTED)" '"kept quotes"' "--env-file: quotes are kept literally (as docker does)"
is "$(envf EF_INDENTED)" "indented key" "--env-file: leading white space before the key is dropped"
is "$(envf EF_EQ)" "a=b=c" "--env-file: '=' inside the value"
is "$(envf EF_EMPTY)" "" "--env-file: an empty value is set"
is "$(envf EF_HASH)" "value # not a comment" "--env-file: '#' inside a value is kept"
is "$(envf LXT_FILEHOST)" "$LXT_FILEHOST" "--env-file: a bare KEY takes the caller's value"
is "$(envf EF_OVERRIDE)" "from-flag" "-e overrides --env-file"
is "$(envf EF_LAST)" "no final newline" "--env-file: the last line needs no newline"
unset LXT_FILEHOST
n=$(new_name)
out=$(lx run --rm --name "$n" --env-file "$TMPD/env.list" -- sh -c 'echo "$#"; env | grep -c "^#"')
is "$out" "0
0" "--env-file: comments and blank lines set nothing"

printf 'A=1\nB=2\n' > "$TMPD/env1"
printf 'B=3\nC=4\n' > "$TMPD/env2"
n=$(new_name)
out=$(lx run --rm --name "$n" --env-file "$TMPD/env1" --env-file "$TMPD/env2" -- sh -c 'echo "$A$B$C"')
is "$out" 134 "two --env-file: both apply, the later one wins"

# ---- defaults --------------------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -- env > "$TMPD/env.out" 2>&1
is "$?" 0 "env as the workload exits 0"
is "$(sort "$TMPD/env.out")" "HOME=/root
HOSTNAME=$(printf '%.12s' "$n")
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
container=lxc" "the default environment is HOME, HOSTNAME, PATH and container=lxc, nothing else"
n=$(new_name)
out=$(lx run --rm --name "$n" --hostname envhost -- sh -c 'echo "$HOSTNAME"')
is "$out" envhost "HOSTNAME is the container's hostname"
n=$(new_name)
out=$(lx run --rm --name "$n" -e PATH=/lxt:/bin -- sh -c 'echo "$PATH"')
is "$out" /lxt:/bin "-e PATH replaces the default PATH"
n=$(new_name)
out=$(lx run --rm --name "$n" -e HOME=/elsewhere -- sh -c 'echo "$HOME"')
is "$out" /elsewhere "-e HOME is kept"
n=$(new_name)
out=$(lx run --rm --name "$n" -e container=other -- sh -c 'echo "$container"')
is "$out" other "-e container=other replaces container=lxc"
n=$(new_name)
out=$(lx run --rm --name "$n" -e HOSTNAME=custom -- sh -c 'echo "$HOSTNAME"')
is "$out" custom "-e HOSTNAME is kept"

# ---- bad entries -----------------------------------------------------------
n=$(new_name)
lx run --rm --name "$n" -e =value -- true > /dev/null 2> "$TMPD/err"
is "$?" 125 "-e =value (empty name) -> 125"
is "$(line_count "$TMPD/err")" 1 "-e =value: one line on stderr"
n=$(new_name)
lx run --rm --name "$n" --env-file "$TMPD/no-such-env-file" -- true > /dev/null 2> "$TMPD/err"
is "$?" 125 "--env-file of a missing file -> 125"
like "$(cat "$TMPD/err")" 'no-such-env-file' "the message names the missing env-file"
assert_no_leftovers "$n" "" "nothing left after a missing env-file"

exit 0
