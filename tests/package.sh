#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package, end to end: builds lxcshim, liblxcshim0 and
# liblxcshim-dev from a clean export of the checkout (git archive of HEAD
# plus uncommitted changes to tracked files), checks them (lintian, the
# symbols file, contents = what `make install` installs), installs them,
# runs the demo container with the installed /usr/bin/lxcshim and the
# example programs (embed.c, threaded.c) against the installed library and
# .pc, then purges them
# and shows that nothing is left.  A `make install` into /usr/local (the
# README's set-up) is neither used nor touched: the binary is run by its
# path, the loader and the compiler are pointed at the package's
# directories and checked, and /usr/local is compared before and after.
# The exit trap purges what this script installed, whatever happened.
#
# Needs root, LXC and a git checkout; run by scripts/run-tests.sh (once,
# not in every build).  Prints TAP.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
n=0 failed=0 installed=no tmp= name=
pkgs="lxcshim liblxcshim0 liblxcshim-dev"

pass () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for d in "$@"; do printf '%s\n' "$d" | sed 's/^/# /'; done; }
diag () { printf '%s\n' "$*" | sed 's/^/# /'; }
is () { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "expected: '$2'" "     got: '$1'"; fi; }
like () { if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else fail "$3" "expected to match /$2/" "got: '$1'"; fi; }
ok () { d=$1; shift; if "$@" > "$tmp/ok.out" 2>&1; then pass "$d"; else fail "$d" "failed: $*" "$(tail -n 30 "$tmp/ok.out")"; fi; }
skip_all () { echo "1..0 # SKIP $1"; exit 0; }

[ "$(id -u)" = 0 ] || skip_all "installs packages: needs root"
command -v lxc-start > /dev/null || skip_all "lxc is not installed"
for c in dpkg-buildpackage lintian fakeroot git; do
	command -v "$c" > /dev/null || skip_all "$c is not installed (scripts/install-deps.sh)"
done
# In a tarball (make distcheck) there is no checkout to export.
[ "$(git -C "$top" rev-parse --show-toplevel 2> /dev/null)" = "$top" ] ||
	skip_all "not a git checkout ($top): the package is built from git archive"
for p in $pkgs; do
	if dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed'; then
		skip_all "$p is already installed on this machine: not replacing it"
	fi
done

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$ma
lxcpath=$(lxc-config lxc.lxcpath)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxcshim-package.XXXXXX") || exit 1

# A snapshot of what is ours outside the package: /usr/local, the state
# root and the lxcpath, /etc/lxcshim, the loader cache.
snapshot () {
	for f in /usr/local/bin/lxcshim /usr/local/include/lxcshim.h /usr/local/lib/liblxcshim* \
		/usr/local/lib/pkgconfig/lxcshim.pc /usr/local/libexec/lxcshim /usr/local/share/lxcshim \
		/usr/local/lib/lxcshim /usr/local/share/man/man1/lxcshim.1 /usr/local/share/man/man3/lxcshim.3; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		find "$f" -printf '%p %y %l\n' | sort
		find "$f" -type f -exec md5sum {} + | sort
	done
	ls -A /etc/lxcshim 2> /dev/null | sed 's|^|/etc/lxcshim/|'
	# Files under the state root (the purge may rmdir it when empty).
	find /run/lxcshim -mindepth 1 ! -type d 2> /dev/null
	ldconfig -p | grep liblxcshim
}

cleanup () {
	rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$name" ] && [ "$(lxc-info -n "$name" -sH 2> /dev/null)" = RUNNING ]; then
		lxc-stop -k -n "$name" > /dev/null 2>&1
	fi
	if [ "$installed" = yes ]; then
		echo "# cleanup: purging $pkgs"
		# shellcheck disable=SC2086
		dpkg --purge $pkgs > /dev/null 2>&1
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	echo "1..$n"
	[ "$failed" = 0 ] && exit "$rc"
	exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

before=$(snapshot)
run_existed=no
[ -e /run/lxcshim ] && run_existed=yes

# ---- build from a clean export
tree=$(git -C "$top" stash create 2> /dev/null)
mkdir "$tmp/src"
if git -C "$top" archive "${tree:-HEAD}" | tar -x -C "$tmp/src"; then
	pass "a clean export of the checkout (${tree:+working tree of }HEAD $(git -C "$top" rev-parse --short HEAD))"
else
	fail "a clean export of the checkout"
fi
t0=$(date +%s)
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b builds ($(($(date +%s) - t0)) s)"
else
	fail "dpkg-buildpackage -us -uc -b builds" "$(tail -n 40 "$tmp/build.log")"
	exit 1
fi
ver=$(dpkg-parsechangelog -l "$tmp/src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
debs=
for p in $pkgs; do
	f=$tmp/${p}_${ver}_$arch.deb
	[ -f "$f" ] && pass "$p is built" || fail "$p is built"
	debs="$debs $f"
done
# DPKG_GENSYMBOLS_CHECK_LEVEL=4 (debian/rules) fails the build on any
# difference; this names it.
like "$(grep -c 'dpkg-gensymbols: warning' "$tmp/build.log")" '^0$' "debian/liblxcshim0.symbols matches the library exactly"
like "$(grep -E '^(PASS|FAIL|ERROR): tests/unit/' "$tmp/build.log" | sort | tr '\n' ' ')" '^(PASS: [^ ]+ )+$' "the unit tests ran in the build and passed"

lintian --fail-on error "$tmp/lxcshim_${ver}_$arch.changes" > "$tmp/lintian.out" 2>&1
r=$?
is "$r" 0 "lintian finds no errors"
[ -s "$tmp/lintian.out" ] && diag "lintian: $(grep -v 'running with root' "$tmp/lintian.out")"

# The packages ship exactly what `make install` installs (no .la).
(cd "$tmp/src/debian/tmp" && find . ! -type d ! -name '*.la' | sed 's|^\.||' | sort) > "$tmp/installed"
# (dh compresses man pages and adds docs and lintian overrides.)
for f in $debs; do dpkg-deb -c "$f"; done | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||; s|^\(/usr/share/man/.*\)\.gz$|\1|' |
	grep -v -e '^/usr/share/doc/' -e '^/usr/share/lintian/overrides/' | sort > "$tmp/shipped"
is "$(comm -3 "$tmp/installed" "$tmp/shipped" | tr '\n' ' ')" "" "the packages ship every file make install installs, once"
contents () { dpkg-deb -c "$tmp/${1}_${ver}_$arch.deb" | awk '{print $6}' | sed 's|^\.||' | tr '\n' ' '; }
c=$(contents lxcshim)
for f in /usr/bin/lxcshim /usr/libexec/lxcshim/lxcshim-init /usr/share/lxcshim/lxc.conf.tmpl \
	"$libdir/lxcshim/rootfs/bin/busybox" /usr/share/man/man1/lxcshim.1.gz; do
	like "$c" " $f " "lxcshim ships $f"
done
like "$(contents liblxcshim0)" " $libdir/liblxcshim.so.0 " "liblxcshim0 ships the shared library"
c=$(contents liblxcshim-dev)
for f in /usr/include/lxcshim.h "$libdir/pkgconfig/lxcshim.pc" /usr/share/man/man3/lxcshim.3.gz "$libdir/liblxcshim.so"; do
	like "$c" " $f " "liblxcshim-dev ships $f"
done
like "$(dpkg-deb -f "$tmp/lxcshim_${ver}_$arch.deb" Depends)" '(^|, )lxc(,|$).*liblxcshim0' "lxcshim depends on lxc and (shlibs) liblxcshim0"
like "$(dpkg-deb -f "$tmp/liblxcshim0_${ver}_$arch.deb" Depends)" 'liblxc1' "liblxcshim0's shlibs depends name liblxc1"

# Which of the packages' paths existed before (shared dirs like /usr/bin).
for f in $debs; do dpkg-deb -c "$f"; done | awk '{print $6}' | sed 's|^\.||; s|/$||' | grep . | sort -u > "$tmp/paths"
while read -r p; do { [ -e "$p" ] || [ -L "$p" ]; } && echo "$p"; done < "$tmp/paths" > "$tmp/existed"

# dpkg would silently replace, and the purge then delete, a file another
# install (make install) put at one of the packages' paths: refuse.
clash=
for f in $debs; do dpkg-deb -c "$f"; done | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||' > "$tmp/files"
while read -r p; do { [ -e "$p" ] || [ -L "$p" ]; } && clash="$clash $p"; done < "$tmp/files"
is "$clash" "" "no file the packages ship exists before they are installed"
[ -z "$clash" ] || exit 1

# ---- install
installed=yes
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=120 --no-install-recommends $debs > "$tmp/apt.out" 2>&1; then
	pass "apt-get install ./*.deb"
else
	fail "apt-get install ./*.deb" "$(tail -n 20 "$tmp/apt.out")"
	exit 1
fi
for p in $pkgs; do
	like "$(dpkg-query -W -f='${Status}' "$p")" "install ok installed" "$p is installed"
done

# The installed binary and library, not the build tree's or /usr/local's:
# no make-check overrides, the binary by its path, the loader pointed at
# the package's libdir (where /usr/local/lib would otherwise come first).
unset LXCSHIM LXCSHIM_INIT LXCSHIM_TEMPLATE LXCSHIM_ROOTFS PKG_CONFIG_PATH LIBLXCSHIM
export LD_LIBRARY_PATH=$libdir
like "$(ldd /usr/bin/lxcshim)" "liblxcshim\.so\.0 => $libdir/liblxcshim\.so\.0 " "/usr/bin/lxcshim loads the packaged liblxcshim.so.0"
out=$(/usr/bin/lxcshim version 2>&1)
like "$out" "^lxcshim $ver" "the installed lxcshim is version $ver"
name=lxpkg$$
out=$(/usr/bin/lxcshim run --dry-run --name "$name" -- /bin/true 2>&1)
like "$out" "/usr/libexec/lxcshim/lxcshim-init" "it uses the packaged init"
like "$out" "$libdir/lxcshim/rootfs" "it uses the packaged rootfs"

# The README's demo, with the defaults (state root /run/lxcshim, the
# host's lxcpath), under a name of ours; -d is not used: the foreground run
# reports the workload's status.
out=$(timeout 120 /usr/bin/lxcshim run --rm --name "$name" -- /bin/sh -c 'echo hello from $(hostname); exit 3' < /dev/null 2>&1)
r=$?
is "$out" "hello from $name" "the demo container runs with the installed lxcshim"
is "$r" 3 "and lxcshim exits with the workload's status"
[ ! -e "/run/lxcshim/containers/$name" ] && pass "run --rm left no /run/lxcshim/containers/$name" ||
	fail "run --rm left no /run/lxcshim/containers/$name" "$(ls -la "/run/lxcshim/containers/$name")"
[ ! -e "$lxcpath/$name" ] && pass "run --rm left nothing in the lxcpath $lxcpath" ||
	fail "run --rm left nothing in the lxcpath $lxcpath" "$(ls -la "$lxcpath/$name")"

# The example program, built against the installed package through its
# .pc only: PKG_CONFIG_LIBDIR is the package's pkgconfig dir, and the
# header and library dirs are given first on the command line (the
# compiler and linker would look in /usr/local before /usr).
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig
is "$(pkg-config --path lxcshim)" "$libdir/pkgconfig/lxcshim.pc" "pkg-config finds the packaged lxcshim.pc"
is "$(pkg-config --modversion lxcshim)" "${ver%%-*}" "... version $ver"
mkdir "$tmp/inc"
for h in lxcshim.h lxcshim-version.h; do
	ln -s "$(pkg-config --variable=includedir lxcshim)/$h" "$tmp/inc/$h"
done
ok "examples/embed.c builds against the package" \
	cc -Wall -Wextra -Werror -I"$tmp/inc" -o "$tmp/embed" "$top/examples/embed.c" \
	-L"$(pkg-config --variable=libdir lxcshim)" $(pkg-config --cflags --libs lxcshim)
cc -I"$tmp/inc" -M "$top/examples/embed.c" > "$tmp/deps" 2>&1
like "$(readlink -f "$tmp/inc/lxcshim.h")" "^/usr/include/lxcshim.h$" "... with the packaged header"
like "$(ldd "$tmp/embed" 2>&1)" "liblxcshim\.so\.0 => $libdir/liblxcshim\.so\.0 " "... and runs with the packaged library"
mkdir "$tmp/root" "$tmp/lxcpath"
out=$(timeout 120 "$tmp/embed" --root "$tmp/root" --lxcpath "$tmp/lxcpath" -- /bin/sh -c 'exit 5' < /dev/null 2>&1)
like "$out" "exit code 5, oom_killed false" "the example runs a container through the installed library"
is "$(ls -A "$tmp/root/containers" 2> /dev/null; ls -A "$tmp/lxcpath")" "" "... and leaves nothing in its root and lxcpath"
# The threaded embedder, the same way.
ok "examples/threaded.c builds against the package" \
	cc -Wall -Wextra -Werror -pthread -I"$tmp/inc" -o "$tmp/threaded" "$top/examples/threaded.c" \
	-L"$(pkg-config --variable=libdir lxcshim)" $(pkg-config --cflags --libs lxcshim)
out=$(timeout 300 "$tmp/threaded" -n 4 --root "$tmp/root" --lxcpath "$tmp/lxcpath" < /dev/null 2>&1)
r=$?
is "$r" 0 "it runs, execs into and stops containers from 4 threads through the installed library"
[ "$r" = 0 ] || diag "$out"
is "$(ls -A "$tmp/root/containers" 2> /dev/null; ls -A "$tmp/lxcpath")" "" "... and leaves nothing in its root and lxcpath"

# ---- purge
for p in $pkgs; do dpkg -L "$p"; done | grep -vx '/\.' | sort -u > "$tmp/listed"
if dpkg --purge $pkgs > "$tmp/purge.out" 2>&1; then
	installed=no
	pass "dpkg --purge $pkgs"
else
	fail "dpkg --purge $pkgs" "$(cat "$tmp/purge.out")"
fi
for p in $pkgs; do
	is "$(dpkg-query -W -f='${Status}' "$p" 2> /dev/null)" "" "$p is purged (dpkg knows nothing of it)"
done
left=
while read -r p; do
	if [ -e "$p" ] || [ -L "$p" ]; then
		grep -Fxq -- "$p" "$tmp/existed" || left="$left $p"
	fi
done < "$tmp/listed"
is "$left" "" "every path dpkg -L listed is gone (but shared dirs that existed before)"
gone=
while read -r p; do [ -e "$p" ] || [ -L "$p" ] || gone="$gone $p"; done < "$tmp/existed"
is "$gone" "" "nothing that existed before the install was removed"
after=$(snapshot)
is "$after" "$before" "/usr/local, /etc/lxcshim, files under /run/lxcshim and the loader cache are as before"
if [ "$run_existed" = no ]; then
	[ ! -e /run/lxcshim ] && pass "the purge removed the /run/lxcshim the demo made" ||
		fail "the purge removed the /run/lxcshim the demo made" "$(find /run/lxcshim)"
fi
