#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A SIGKILLed lxc-start leaks the container's lxc.payload.NAME and
# lxc.monitor.NAME cgroups (LXC cannot tear down).  The supervisor removes
# them itself, so `run --rm` leaves nothing and a kept container's record
# stays usable (issue 8, item 7).
. "${TESTS_LIB:?}"

# ---- run --rm, foreground ---------------------------------------------------------
n=$(new_name)
start_bg "$n" --rm -- sleep 1000 || fail "the container starts" "$(cat "$TMPD/$n.err")"
ok "it has cgroups while it runs" test -n "$(lxc_cgroups "$n")"
if kill_lxc_start "$n"; then
	pass "lxc-start SIGKILLed during run --rm"
	bg_rc
	is "$RC" 137 "run --rm reports 137"
	is "$(lxc_cgroups "$n")" "" "no lxc.payload/lxc.monitor cgroup of it is left"
	ok "no record is left" test ! -e "$(cdir "$n")"
	assert_no_leftovers "$n"
else
	fail "lxc-start SIGKILLed during run --rm" "no lxc-start parent found"
fi

# ---- run -d --rm --------------------------------------------------------------------
n=$(new_name)
xrun 0 "run -d --rm" lx run -d --rm --name "$n" -- sleep 1000
if kill_lxc_start "$n"; then
	pass "lxc-start SIGKILLed during run -d --rm"
	ok "the detached --rm container's record goes" poll test ! -e "$(cdir "$n")"
	is "$(lxc_cgroups "$n")" "" "no lxc.payload/lxc.monitor cgroup of it is left"
	assert_no_leftovers "$n"
else
	fail "lxc-start SIGKILLed during run -d --rm" "no lxc-start parent found"
fi

# ---- without --rm: the record stays, the cgroups go -----------------------------------
n=$(new_name)
start_bg "$n" -- sh -c 'exec sleep 1000' || fail "the container starts" "$(cat "$TMPD/$n.err")"
if kill_lxc_start "$n"; then
	pass "lxc-start SIGKILLed (no --rm)"
	bg_rc
	is "$RC" 137 "run reports 137"
	is "$(lxc_cgroups "$n")" "" "the supervisor removed the leaked cgroups"
	is "$(state_get "$n" status)" stopped "the record says stopped"
	is "$(state_get "$n" exit_code)" 137 "the record says 137"
	xrun 0 "delete exits 0" lx delete "$n"
	assert_no_leftovers "$n"
else
	fail "lxc-start SIGKILLed (no --rm)" "no lxc-start parent found"
fi

# The normal case leaves nothing either.
n=$(new_name)
xrun 0 "a normal run --rm" lx run --rm --name "$n" -- true
assert_no_leftovers "$n"
