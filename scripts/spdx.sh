#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The licence header of every source-like file: lists them, checks them,
# or adds the line where it is missing (idempotent).
#
# usage: spdx.sh --list|--check|--add [DIR]
#
# The files are git's (tracked, or untracked and not ignored) in a git
# checkout (DIR its top), else every file under DIR (a release tarball)
# but what autotools generate.  A file
# is source-like by its name (*.c *.h *.sh *.am *.ac *.in *.tmpl, man
# pages, debian/rules, maintainer scripts) or by a #! first line.  It has
# the header when one of its first 5 lines names
# "SPDX-License-Identifier: LGPL-2.1-or-later".  --check prints the files
# without it and fails; --add inserts it as line 1, or line 2 after a #!
# line, in the file's comment syntax.
set -eu

spdx="SPDX-License-Identifier: LGPL-2.1-or-later"
mode=${1:?usage: spdx.sh --list|--check|--add [DIR]}
dir=${2:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$dir"

tmpl=$(mktemp)
trap 'rm -f "$tmpl"' EXIT
all_files () {
	if [ "$(git rev-parse --show-toplevel 2> /dev/null)" = "$(pwd -P)" ]; then
		git ls-files --cached --others --exclude-standard
	else
		# Build trees inside it (make distcheck's _build/, _inst/) are
		# not sources either.
		find . -mindepth 2 -name config.status -printf '%h\n' | sed 's|^\./||' > "$tmpl"
		echo _inst >> "$tmpl"
		find . -type f | sed 's|^\./||' | awk -v skip="$tmpl" '
			BEGIN { while ((getline d < skip) > 0) dirs[d "/"] = 1 }
			{ for (d in dirs) if (index($0, d) == 1) next; print }' | grep -v -E \
			-e '^(build-aux|m4|autom4te\.cache)/' \
			-e '(^|/)(Makefile\.in|config\.h\.in|configure|aclocal\.m4)$' \
			-e '^\.git/'
	fi
}

source_like () {
	while IFS= read -r f; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		case $f in
		*.c | *.h | *.sh | *.am | *.ac | *.in | *.tmpl | man/*.[1-8] | debian/rules | \
		debian/*.preinst | debian/*.postinst | debian/*.prerm | debian/*.postrm)
			echo "$f" ;;
		*) [ "$(head -c 2 "$f")" = "#!" ] && echo "$f" ;;
		esac
	done
	return 0
}

has_spdx () {
	head -n 5 "$1" | grep -Fq "$spdx"
}

comment () { # FILE: the header line in FILE's syntax
	case $1 in
	*.c | *.h) echo "/* $spdx */" ;;
	*.tmpl) echo "## $spdx" ;;
	man/*) echo ".\\\" $spdx" ;;
	*) echo "# $spdx" ;;
	esac
}

add () { # FILE
	line=$(comment "$1")
	tmp=$1.spdx.$$
	if [ "$(head -c 2 "$1")" = "#!" ]; then
		{ head -n 1 "$1"; printf '%s\n' "$line"; tail -n +2 "$1"; } > "$tmp"
	else
		{ printf '%s\n' "$line"; cat "$1"; } > "$tmp"
	fi
	chmod --reference="$1" "$tmp"
	mv -f "$tmp" "$1"
}

files=$(all_files | source_like | sort)
case $mode in
--list)
	printf '%s\n' "$files" | grep . ;;
--check)
	missing=
	for f in $files; do has_spdx "$f" || missing="$missing $f"; done
	if [ -n "$missing" ]; then
		echo "spdx: no \"$spdx\" line in:$missing" >&2
		exit 1
	fi ;;
--add)
	for f in $files; do has_spdx "$f" || { add "$f"; echo "spdx: added to $f"; }; done ;;
*)
	echo "usage: spdx.sh --list|--check|--add [DIR]" >&2
	exit 2 ;;
esac
