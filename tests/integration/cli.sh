#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lxcshim command as users expect it: --help and COMMAND --help list
# every command and flag, --version, exec ID -- CMD, and the bash
# completion (commands, flags, container ids of the right --root).
. "${TESTS_LIB:?}"

COMMANDS="run create start exec state list kill stop pause resume ps stats delete logs events attach version"

# ---- --help, COMMAND --help, --version -------------------------------------------
xrun 0 "--help exits 0" "$LXCSHIM" --help
help=$(cat "$TMPD/out")
is "$(cat "$TMPD/err")" "" "--help writes nothing to stderr"
listed=$(printf '%s\n' "$help" | sed -n 's/^usage: lxcshim \([a-z][a-z]*\).*/\1/p' | tr '\n' ' ')
is "$listed" "$COMMANDS " "--help lists every command"
xrun 0 "-h exits 0" "$LXCSHIM" -h
is "$(cat "$TMPD/out")" "$help" "-h prints what --help prints"
like "$help" '^  -t, --tty +give CMD a terminal' "--help lists exec -t"
like "$help" '^      --version ' "--help lists --version"
for c in $COMMANDS; do
	xrun 0 "$c --help exits 0" "$LXCSHIM" "$c" --help
	is "$(sed -n 1p "$TMPD/out")" "$(printf '%s\n' "$help" | grep "^usage: lxcshim $c\\( \\|\$\\)")" \
		"$c --help starts with its usage line"
	# What COMMAND --help lists is what --help lists for it.
	part=$(printf '%s\n' "$help" | awk -v c="$c" '
		/^usage: lxcshim / { on = ($3 == c) }
		!NF { on = 0 }
		on { print }')
	is "$(cat "$TMPD/out")" "$part" "$c --help is its part of --help"
done
xrun 0 "exec --help" "$LXCSHIM" exec --help
for f in '-t, --tty' '-i, --interactive' '-e, --env K=V' '-u, --user USER\[:GROUP\]' '-w, --workdir DIR' '    --help'; do
	like "$(cat "$TMPD/out")" "^  $f " "exec --help lists $f"
done
# --help works with whatever else the line holds, and creates nothing.
xrun 0 "run --name x --help exits 0" lx run --name lxt-help-only --help
ok "run --help starts no container" containers_empty

xrun 0 "--version exits 0" "$LXCSHIM" --version
v1=$(cat "$TMPD/out")
xrun 0 "version exits 0" "$LXCSHIM" version
is "$v1" "$(cat "$TMPD/out")" "--version prints what version prints"
like "$v1" '^lxcshim [0-9]' "--version names lxcshim's version"
like "$v1" '^liblxc [0-9]' "--version names liblxc's version"
xrun 125 "version with an argument -> 125" "$LXCSHIM" version extra
is "$(line_count "$TMPD/err")" 1 "one line for version with an argument"

xrun 125 "no command -> 125" "$LXCSHIM"
like "$(cat "$TMPD/err")" '^lxcshim: usage: lxcshim .*COMMAND' "no command: one usage line"
is "$(line_count "$TMPD/err")" 1 "no command: one line on stderr"
xrun 125 "an unknown command -> 125" "$LXCSHIM" lxt-frobnicate
is "$(cat "$TMPD/err")" 'lxcshim: unknown command "lxt-frobnicate": see lxcshim --help' "unknown command message"
xrun 125 "an unknown global option -> 125" "$LXCSHIM" --lxt-bogus list
like "$(cat "$TMPD/err")" '^lxcshim: invalid option "--lxt-bogus"' "unknown global option message"
xrun 125 "an unknown run option -> 125" lx run --lxt-bogus -- true
like "$(cat "$TMPD/err")" '^lxcshim: invalid option "--lxt-bogus": usage: lxcshim run ' "unknown run option message"
ok "a bad run option leaves nothing" containers_empty
xrun 125 "an unknown exec option -> 125" lx exec --lxt-bogus x true
like "$(cat "$TMPD/err")" '^lxcshim: invalid option "--lxt-bogus": usage: lxcshim exec ' "unknown exec option message"

# ---- a --spec document's booleans act as the flags do (lxcshim(1) no longer
# lists that as a bug) ------------------------------------------------------------
printf '{"dry-run": true, "command": ["true"]}\n' > "$TMPD/dry.json"
xrun 0 '--spec {"dry-run": true} exits 0' lx run --spec "$TMPD/dry.json"
like "$(cat "$TMPD/out")" '^lxc\.uts\.name = ' '--spec {"dry-run": true} prints the lxc config'
ok '--spec {"dry-run": true} runs and creates nothing' containers_empty
nd=$(new_name)
printf '{"detach": true, "name": "%s", "command": ["sleep", "1000"]}\n' "$nd" > "$TMPD/detach.json"
xrun 0 '--spec {"detach": true} exits 0' lx run --spec "$TMPD/detach.json"
is "$(cat "$TMPD/out")" "$nd" '--spec {"detach": true} prints the id'
is "$(state_get "$nd" status)" running '--spec {"detach": true}: the container runs in the background'
ok "delete -f the detached one" lx delete -f "$nd"

# ---- exec ID -- CMD ------------------------------------------------------------------
n=$(new_name)
if ! start_bg "$n" -- sleep 1000; then
	fail "the container starts" "$(cat "$TMPD/$n.err")"
	exit 1
fi
pass "the container starts"
xrun 7 "exec ID -- sh -c 'exit 7' exits 7" lx exec "$n" -- sh -c 'exit 7'
xrun 0 "exec ID -- echo a -- b" lx exec "$n" -- echo a -- b
is "$(cat "$TMPD/out")" "a -- b" "only the first -- after ID is lxcshim's; later ones are the command's"
xrun 0 "exec -e K=V ID -- env" lx exec -e LXT_K=v "$n" -- env
like "$(cat "$TMPD/out")" '^LXT_K=v$' "options before ID still apply with --"
xrun 0 "exec -- ID echo (-- before ID ends the options)" lx exec -- "$n" echo before-id
is "$(cat "$TMPD/out")" before-id "exec -- ID CMD runs CMD"
xrun 127 "exec ID -- -- runs a command named --" lx exec "$n" -- --
xrun 125 "exec ID -- with no command -> 125" lx exec "$n" --
like "$(cat "$TMPD/err")" '^lxcshim: usage: lxcshim exec ' "exec ID -- alone prints the usage"
xrun 0 "exec ID CMD still works without --" lx exec "$n" echo plain
is "$(cat "$TMPD/out")" plain "exec ID CMD output"
xrun 0 "the command's own options after ID are not lxcshim's" lx exec "$n" sh -c 'echo "$0 $1"' -t -i
is "$(cat "$TMPD/out")" "-t -i" "-t -i after CMD reach the command"

# ---- bash completion ------------------------------------------------------------------
COMPL=${TOP_SRCDIR:?}/completion/lxcshim
if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "no bash"
else
	# complete WORD...: the completions bash would offer for the last word.
	complete_words() {
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _lxcshim; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
			complete "$COMPL" "$@" | sort | tr '\n' ' '
	}
	is "$(bash -c '. "$1"; complete -p lxcshim' complete "$COMPL")" "complete -F _lxcshim lxcshim" \
		"the completion registers _lxcshim for lxcshim"
	is "$(complete_words "$LXCSHIM" '')" "$(printf '%s\n' $COMMANDS | sort | tr '\n' ' ')" \
		"completes every command"
	is "$(complete_words "$LXCSHIM" st)" "start state stats stop " "completes a command prefix"
	is "$(complete_words "$LXCSHIM" --l)" "--log-level --lxcpath " "completes global flags"
	is "$(complete_words "$LXCSHIM" exec --t)" "--tty " "completes exec's flags (--tty)"
	is "$(complete_words "$LXCSHIM" exec -)" "$(printf '%s\n' -t --tty -i --interactive -e --env -u --user -w --workdir --help | sort | tr '\n' ' ')" \
		"completes all of exec's short and long flags"
	is "$(complete_words "$LXCSHIM" stop --ti)" "--time --timeout " "completes stop's flags"
	is "$(complete_words "$LXCSHIM" --log-level '')" "debug error info warn " "completes --log-level's values"
	is "$(complete_words "$LXCSHIM" run --net '')" "host none " "completes --net's values"
	is "$(complete_words "$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" exec '')" "$n " \
		"completes container ids of --root for exec"
	is "$(complete_words "$LXCSHIM" --root "$ROOT" exec -t -e A=1 '')" "$n " \
		"completes the id after exec's flags and their arguments"
	is "$(complete_words "$LXCSHIM" --root "$ROOT" stop -t 5 "$(printf %s "$n" | cut -c1-4)")" "$n " \
		"completes an id prefix after stop -t SEC"
	is "$(complete_words "$LXCSHIM" --root "$TMPD" exec '')" "" \
		"another --root: none of these ids"
	is "$(complete_words "$LXCSHIM" --root "$ROOT" kill "$n" T)" "TERM " "completes kill's signal"
	is "$(complete_words "$LXCSHIM" --root "$ROOT" state "$n" '')" "" "no second id for state"
fi

lx stop -t 0 "$n" > /dev/null 2>&1
wait "$BGP"
ok "delete the container" lx delete "$n"
assert_no_leftovers "$n"
