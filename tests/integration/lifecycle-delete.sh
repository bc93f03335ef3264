#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxcshim delete: removes a stopped container's files; refuses a running
# one unless -f, which kills it first; never touches other containers.
. "${TESTS_LIB:?}"

# ---- a stopped container ------------------------------------------------------------
n=$(new_name)
lx run --name "$n" -- true > /dev/null 2>&1
ok "a stopped container is kept without --rm" test -d "$(cdir "$n")"
xrun 0 "delete of a stopped container exits 0" lx delete "$n"
is "$(cat "$TMPD/out")$(cat "$TMPD/err")" "" "delete prints nothing"
assert_no_leftovers "$n" "" "delete removes the container's dir"
xrun 1 "a second delete exits 1" lx delete "$n"
is "$(cat "$TMPD/err")" "lxcshim: no such container: $n" "a second delete: message"
xrun 1 "state after delete exits 1" lx state "$n"
is "$(cat "$TMPD/err")" "lxcshim: no such container: $n" "state after delete: message"

# ---- a running container --------------------------------------------------------------
n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
xrun 1 "delete of a running container exits 1" lx delete "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is running: stop it first or use delete -f" "delete running: message"
ok "the refused container is still running" lxc_running "$n"
ok "its dir is still there" test -f "$(state_file "$n")"
xrun 0 "delete -f of a running container exits 0" lx delete -f "$n"
bg_rc
is "$RC" 137 "delete -f kills the workload (run exits 137)"
assert_no_leftovers "$n" "" "delete -f leaves nothing"

n=$(new_name)
start_bg "$n" -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
lx pause "$n"
xrun 1 "delete of a paused container exits 1" lx delete "$n"
is "$(cat "$TMPD/err")" "lxcshim: container $n is paused: stop it first or use delete -f" "delete paused: message"
xrun 0 "delete --force of a paused container exits 0" lx delete --force "$n"
bg_rc
is "$RC" 137 "the paused container was killed (run exits 137)"
assert_no_leftovers "$n" "" "delete --force of a paused container leaves nothing"

n=$(new_name)
start_bg "$n" --rm -- sleep 1000 || fail "the --rm container starts" "$(cat "$TMPD/$n.err")"
xrun 0 "delete -f of a --rm container exits 0" lx delete -f "$n"
bg_rc
is "$RC" 137 "the --rm container was killed (run exits 137)"
assert_no_leftovers "$n" "" "delete -f of a --rm container leaves nothing"

# ---- other containers are left alone ----------------------------------------------------
a=$(new_name)
b=$(new_name)
start_bg "$a" -- sleep 1000 || fail "container a starts"
bpid_a=$BGP
start_bg "$b" -- sleep 1000 || fail "container b starts"
bpid_b=$BGP
bmem=$(cg_path "$b" memory)
xrun 0 "delete -f of a exits 0" lx delete -f "$a"
BGP=$bpid_a
bg_rc
assert_no_leftovers "$a" "" "a is gone"
ok "b still runs" lxc_running "$b"
is "$(state_get "$b" status)" running "b's state.json is untouched"
ok "b's memory cgroup is still there" test -d "$bmem"
xrun 0 "exec into b still works" lx exec "$b" true
lx delete -f "$b" > /dev/null
BGP=$bpid_b
bg_rc
assert_no_leftovers "$b" "" "b is gone too"

# A name that is a prefix of another: deleting "x" must not touch "x-1"'s
# or "x1"'s cgroups.
p=$(new_name)
record_name "$p-1"
record_name "${p}1"
start_bg "$p-1" -- sleep 1000 || fail "container $p-1 starts"
bpid_1=$BGP
start_bg "${p}1" -- sleep 1000 || fail "container ${p}1 starts"
bpid_2=$BGP
lx run --name "$p" -- true > /dev/null 2>&1
xrun 0 "delete of a stopped prefix-named container exits 0" lx delete "$p"
ok "$p-1 still runs" lxc_running "$p-1"
ok "${p}1 still runs" lxc_running "${p}1"
ok "$p-1's cgroup is intact" test -d "$(cg_path "$p-1" memory)"
ok "${p}1's cgroup is intact" test -d "$(cg_path "${p}1" memory)"
lx delete -f "$p-1" > /dev/null
lx delete -f "${p}1" > /dev/null
BGP=$bpid_1
bg_rc
BGP=$bpid_2
bg_rc

# ---- errors -------------------------------------------------------------------------------
xrun 1 "delete of an unknown container exits 1" lx delete lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "delete unknown: message"
xrun 1 "delete -f of an unknown container exits 1" lx delete -f lxt-no-such-container
is "$(cat "$TMPD/err")" "lxcshim: no such container: lxt-no-such-container" "delete -f unknown: message"
xrun 1 "delete with a malformed id exits 1" lx delete 'a b'
like "$(cat "$TMPD/err")" '^lxcshim: invalid container name "a b"' "delete malformed id: message"
xrun 1 "delete without an id exits 1" lx delete
is "$(cat "$TMPD/err")" "lxcshim: usage: lxcshim delete [-f] ID" "delete usage"
xrun 1 "delete with an unknown option exits 1" lx delete -x foo
like "$(cat "$TMPD/err")" '^lxcshim: invalid option "-x"' "delete unknown option: message"
ok "no container dirs are left" containers_empty
