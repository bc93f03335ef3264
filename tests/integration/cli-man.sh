#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim(1) in step with the CLI's own table of commands and flags (which
# `lxcshim --help` prints): every command has its SYNOPSIS line and its
# COMMANDS section, every flag of a command is described in that section
# (long and short names), every global flag under GLOBAL OPTIONS, and the
# man page names no command or flag that the table lacks.
. "${TESTS_LIB:?}"

MAN=${TOP_SRCDIR:?}/man/lxcshim.1
HELP=$TMPD/help
"$LXCSHIM" --help > "$HELP"
commands=$(sed -n 's/^usage: lxcshim \([a-z][a-z]*\).*/\1/p' "$HELP")
[ -n "$commands" ] || fail "--help lists commands"

# flags_of [COMMAND]: the long and short names in COMMAND's (or the global)
# part of --help, one a line.
flags_of() {
	if [ -n "${1:-}" ]; then
		"$LXCSHIM" "$1" --help
	else
		sed '/^commands:/q' "$HELP"
	fi | awk '/^  -|^      --/ { h = substr($0, 3, 32); gsub(",", "", h); n = split(h, w, " ");
		for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print w[i] }'
}

# man_section HEADING-ERE: the man source from a .SS/.SH line matching it
# to the next .SS or .SH.
man_section() {
	awk -v re="$1" '/^\.S[SH] / { on = ($0 ~ re) ? 1 : 0; if (on) { print; next } } on { print }' "$MAN"
}

# The man form of a flag: "-" is "\-".
man_form() {
	printf '%s' "$1" | sed 's/-/\\\\-/g'
}

# has_flag TEXT FLAG: FLAG in TEXT, not as the start of a longer one.
has_flag() {
	printf '%s\n' "$1" | grep -Eq -- "$(man_form "$2")([^a-zA-Z\\\\]|\\\\[^-]|\$)"
}

# The long flags (\-\-long\-name) that TEXT describes or names as flags:
# in the tags of .TP entries and on .B/.BR/.BI lines that start with one
# (not in quoted shell commands), unescaped.
man_flags() {
	printf '%s\n' "$1" | awk 'prev == ".TP" || /^\.B[RI]? \\-/ { print } { prev = $0 }' |
		grep -Eo -- '\\-\\-[a-z]([a-z]|\\-[a-z])*' | sed 's/\\-/-/g' | sort -u
}

synopsis=$(man_section '^\.SH SYNOPSIS')
globals=$(flags_of)
for c in $commands; do
	like "$synopsis" "^\\.B lxcshim $c\$" "SYNOPSIS has lxcshim $c"
	sec=$(man_section "^\\.SS (.* )?$c( |\$)")
	if [ -z "$sec" ]; then
		fail "COMMANDS has a section for $c"
		continue
	fi
	pass "COMMANDS has a section for $c"
	cflags=$(flags_of "$c" | grep -vx -- --help)
	for f in $cflags; do
		if has_flag "$sec" "$f"; then
			pass "lxcshim(1) describes $c $f"
		else
			fail "lxcshim(1) describes $c $f"
		fi
	done
	# The other way: each flag the section names is the command's, or
	# a global one, or --help.
	for f in $(man_flags "$sec"); do
		case " $(echo $cflags $globals) --help " in
		*" $f "*) pass "$c's section of lxcshim(1) names $f, a flag of the table" ;;
		*) fail "$c's section of lxcshim(1) names $f, a flag of the table" "not a flag of $c: $f" ;;
		esac
	done
done

# Every .SS of COMMANDS is a command of the table.
for s in $(man_section '^\.SH COMMANDS' | sed -n 's/^\.SS //p' | sed 's/\\f[BIRP]//g; s/[],[]/ /g' |
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[a-z]+$/) print $i }' | sort -u); do
	case " $(echo $commands) " in
	*" $s "*) pass "the man section $s is a command of the table" ;;
	*) fail "the man section $s is a command of the table" ;;
	esac
done

gsec=$(man_section '^\.SH GLOBAL OPTIONS')
for f in $globals; do
	if has_flag "$gsec" "$f"; then
		pass "GLOBAL OPTIONS describes $f"
	else
		fail "GLOBAL OPTIONS describes $f"
	fi
done
for f in $(man_flags "$gsec"); do
	case " $(echo $globals) " in
	*" $f "*) pass "GLOBAL OPTIONS names $f, a global flag" ;;
	*) fail "GLOBAL OPTIONS names $f, a global flag" ;;
	esac
done
