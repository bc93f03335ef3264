#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's two commands as CI takes them: scripts/readme-commands.sh
# finds exactly one set-up and one test block, in that order, and refuses a
# README that lost, repeated or reordered one; .ci/run runs them in order
# with set -e semantics; the set-up builds out of tree, where the test
# command expects it.  Needs neither root nor LXC.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
rc=$top/scripts/readme-commands.sh
tap_name=readme
. "$top/tests/tap.sh"

# ---- the project's own README
readme=$top/README.md
if sh "$rc" "$readme" 2> "$tmp/err"; then pass "README.md has one ci:setup and one ci:test block, set-up first"
else fail "README.md has one ci:setup and one ci:test block, set-up first" "$(cat "$tmp/err")"; fi
setup=$(sh "$rc" "$readme" setup)
tests=$(sh "$rc" "$readme" test)
like "$setup" "scripts/install-deps.sh" "the set-up installs the dependencies"
like "$setup" "make install" "the set-up installs"
like "$setup" "lxcshim run --rm" "the set-up runs the demo container"
like "$tests" "^sh scripts/run-tests.sh$" "the test block is the test command"
# The set-up must not configure the source tree in place (distcheck and
# run-tests.sh refuse such a tree): it configures in build/ ...
if printf '%s\n' "$setup" | grep -Eq '(^|[^.])\./configure'; then
	fail "the set-up does not configure the source tree in place" "$setup"
else
	pass "the set-up does not configure the source tree in place"
fi
like "$setup" "mkdir -p build && \(cd build && \.\./configure " "... in build/"
# ... with the arguments run-tests.sh gives build/, so the test command
# reuses that build instead of reconfiguring it.
sargs=$(printf '%s\n' "$setup" | sed -n 's/.*\.\.\/configure \([^&]*\) &&.*/\1/p' | sed 's/ *$//')
targs=$(sed -n 's/^build build \(.*\)$/\1/p' "$top/scripts/run-tests.sh")
is "$sargs" "$targs" "set-up and run-tests.sh configure build/ alike"

# ---- broken READMEs are refused
good () {
	cat <<'MD'
# x
<!-- ci:setup -->
```sh
echo set-up
```
text
<!-- ci:test -->

```sh
echo test
```
MD
}
good > "$tmp/ok.md"
if out=$(sh "$rc" "$tmp/ok.md" 2>&1); then pass "a good README passes the check"; else fail "a good README passes the check" "$out"; fi
{ good; echo 'Prose naming `<!-- ci:setup -->` is not a marker.'; } > "$tmp/prose.md"
if out=$(sh "$rc" "$tmp/prose.md" 2>&1) && [ -z "$out" ]; then pass "a marker named in prose is not a marker"
else fail "a marker named in prose is not a marker" "$out"; fi
is "$(sh "$rc" "$tmp/ok.md" setup)" "echo set-up" "a block is printed"
is "$(sh "$rc" "$tmp/ok.md" test)" "echo test" "a block after a blank line is printed"

refused () { # DESC ERE FILE
	if out=$(sh "$rc" "$3" 2>&1); then
		fail "$1" "accepted"
	else
		like "$out" "$2" "$1"
	fi
}
good | sed '/ci:setup/d' > "$tmp/m1.md"
refused "a README without the set-up marker is refused" "no ci:setup marker" "$tmp/m1.md"
good | sed '/ci:test/d' > "$tmp/m2.md"
refused "a README without the test marker is refused" "no ci:test marker" "$tmp/m2.md"
good | sed 's/ci:setup/ci:tmp/; s/ci:test/ci:setup/; s/ci:tmp/ci:test/' > "$tmp/m3.md"
refused "a README with the blocks reordered is refused" "ci:test block comes before" "$tmp/m3.md"
{ good; echo '<!-- ci:test -->'; printf '```\necho again\n```\n'; } > "$tmp/m4.md"
refused "a second test block is refused" "more than one ci:test marker" "$tmp/m4.md"
good | sed '3,5d' > "$tmp/m5.md"
refused "a marker without its block is refused" "not followed by a fenced code block" "$tmp/m5.md"
good | sed '$d' > "$tmp/m6.md"
refused "an unterminated block is refused" "not terminated" "$tmp/m6.md"
good | sed '4d' > "$tmp/m7.md"
refused "an empty block is refused" "is empty" "$tmp/m7.md"
out=$(sh "$rc" "$tmp/m1.md" setup 2>&1)
[ $? != 0 ] && pass "printing a missing block fails" || fail "printing a missing block fails" "$out"

# ---- .ci/run on a stand-in project: order, set -e, refusal
ci () { # README-FILE: runs .ci/run in a copy whose README is that file
	rm -rf "$tmp/p"
	mkdir -p "$tmp/p/.ci" "$tmp/p/scripts"
	cp "$top/.ci/run" "$tmp/p/.ci/run"
	cp "$rc" "$tmp/p/scripts/"
	echo 'echo deps >> log' > "$tmp/p/scripts/install-deps.sh"
	cp "$1" "$tmp/p/README.md"
	sh "$tmp/p/.ci/run" < /dev/null > "$tmp/ci.out" 2>&1
}
cat > "$tmp/ci.md" <<'MD'
<!-- ci:setup -->
```sh
sh scripts/install-deps.sh && echo set-up >> log
```
<!-- ci:test -->
```sh
echo test >> log
```
MD
ci "$tmp/ci.md"
is "$?" 0 ".ci/run succeeds"
is "$(tr '\n' ' ' < "$tmp/p/log")" "deps set-up test " ".ci/run runs the set-up (which installs the deps), then the test"
sed 's/^sh scripts.*$/echo set-up >> log/' "$tmp/ci.md" > "$tmp/ci2.md"
ci "$tmp/ci2.md"
is "$(tr '\n' ' ' < "$tmp/p/log")" "deps set-up test " ".ci/run installs the deps first when the set-up does not"
sed 's/^sh scripts.*$/false \&\& true; false\necho set-up >> log/' "$tmp/ci.md" > "$tmp/ci3.md"
ci "$tmp/ci3.md"
r=$?
[ "$r" != 0 ] && pass "a failing set-up fails .ci/run" || fail "a failing set-up fails .ci/run" "$(cat "$tmp/ci.out")"
is "$(cat "$tmp/p/log" 2>/dev/null | tr '\n' ' ')" "deps " "... with set -e semantics: nothing after the failure runs"
ci "$tmp/m3.md"
r=$?
[ "$r" != 0 ] && [ ! -e "$tmp/p/log" ] && pass "a reordered README fails .ci/run before running anything" ||
	fail "a reordered README fails .ci/run before running anything" "$(cat "$tmp/ci.out")"
