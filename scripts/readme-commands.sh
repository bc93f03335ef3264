#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's marked commands, so that CI runs exactly what a newcomer
# reads.  A command block is the fenced block right after a line
# "<!-- ci:MARKER -->".
#
# usage: readme-commands.sh README MARKER   prints MARKER's block
#        readme-commands.sh README          checks that there is exactly one
#                                           ci:setup and one ci:test block,
#                                           set-up first
# Exits 1 with one line on stderr when a marker or its block is missing,
# repeated, empty or unterminated.
set -eu

readme=${1:?usage: readme-commands.sh README [MARKER]}
[ -r "$readme" ] || { echo "readme-commands: cannot read $readme" >&2; exit 1; }

# block MARKER: prints the block; fails with a message when it is not
# exactly one well-formed block.
block () {
	awk -v marker="$1" -v file="$readme" '
		function die(msg) { print "readme-commands: " file ": " msg > "/dev/stderr"; bad = 1; exit 1 }
		$0 ~ "^[[:space:]]*<!--[[:space:]]*ci:" marker "[[:space:]]*-->[[:space:]]*$" {
			if (++found > 1) die("more than one ci:" marker " marker (line " NR ")")
			state = "fence"; next
		}
		state == "fence" {
			if ($0 ~ /^[[:space:]]*$/) next
			if ($0 !~ /^```/) die("ci:" marker " marker is not followed by a fenced code block (line " NR ")")
			state = "body"; start = NR; next
		}
		state == "body" {
			if ($0 ~ /^```/) { state = "done"; next }
			if ($0 !~ /^[[:space:]]*$/) lines++
			text = text $0 "\n"
		}
		END {
			if (bad) exit 1
			if (!found) die("no ci:" marker " marker")
			if (state == "fence") die("ci:" marker " marker is not followed by a fenced code block")
			if (state == "body") die("the ci:" marker " block (line " start ") is not terminated")
			if (!lines) die("the ci:" marker " block is empty")
			printf "%s", text
		}' "$readme"
}

if [ $# -ge 2 ]; then
	block "$2"
	exit 0
fi

block setup > /dev/null
block test > /dev/null
# The same whole-line match as block()'s: a marker named in prose is text.
line () { grep -n -E "^[[:space:]]*<!--[[:space:]]*ci:$1[[:space:]]*-->[[:space:]]*\$" "$readme" | cut -d: -f1; }
s=$(line setup)
t=$(line test)
if [ "$s" -gt "$t" ]; then
	echo "readme-commands: $readme: the ci:test block comes before the ci:setup block" >&2
	exit 1
fi
