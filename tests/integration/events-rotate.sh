#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The root's events.jsonl (the history of deleted containers) is bounded:
# with a small limit (LXCSHIM_TEST_EVENTS_LOG_MAX, for tests only), many
# deletions of real containers rotate it to events.jsonl.1; both stay under
# the limit, a follower started before them sees every deletion across the
# rotations, and a replay (--since) gives the kept window whole, in order,
# each event once.
. "${TESTS_LIB:?}"

LIMIT=1500
export LXCSHIM_TEST_EVENTS_LOG_MAX=$LIMIT
N=10

size() {
	if [ -e "$1" ]; then wc -c < "$1" | tr -d ' '; else echo 0; fi
}

# ev_types FILE ID: the types of ID's events in the JSONL FILE, in order.
ev_types() {
	sed -n "s/.*\"id\":\"$2\",\"type\":\"\([a-z]*\)\".*/\1/p" "$1" | tr '\n' ' ' | sed 's/ $//'
}

# deleted_ids FILE: the ids of the deletions in FILE, in order, one line.
deleted_ids() {
	sed -n 's/.*"id":"\([^"]*\)","type":"deleted".*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

mkdir -p "$ROOT/containers"
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" events --json > "$TMPD/follow.jsonl" 2> "$TMPD/follow.err" &
fp=$!
record_pid "$fp"
# Ready once it has its inotify instance (its watches follow at once).
watching() {
	ls -l "/proc/$fp/fd" 2>/dev/null | grep -q inotify
}
ok "the follower is watching" poll watching
names=
max=0
max1=0
rotated=0
i=0
while [ "$i" -lt "$N" ]; do
	n=$(new_name)
	names="$names${names:+ }$n"
	if ! lx run --rm --name "$n" -- /bin/true > /dev/null 2> "$TMPD/run.err"; then
		fail "run --rm $n" "$(cat "$TMPD/run.err")"
	fi
	s=$(size "$ROOT/events.jsonl")
	[ "$s" -gt "$max" ] && max=$s
	s1=$(size "$ROOT/events.jsonl.1")
	[ "$s1" -gt "$max1" ] && max1=$s1
	[ -e "$ROOT/events.jsonl.1" ] && rotated=1
	if [ "$i" = 0 ]; then
		ok "the follower sees the first deletion" \
			wait_file_match "$TMPD/follow.jsonl" "\"id\":\"$n\",\"type\":\"deleted\"" "$fp"
	fi
	i=$((i + 1))
done
is "$rotated" 1 "$N deletions with a $LIMIT-byte limit rotate the log to events.jsonl.1"
ok "events.jsonl never passed the limit (at most $max bytes)" [ "$max" -le "$LIMIT" ]
ok "events.jsonl.1 never passed the limit (at most $max1 bytes)" [ "$max1" -le "$LIMIT" ]
ok "events.jsonl.1 is one generation: no events.jsonl.2" [ ! -e "$ROOT/events.jsonl.2" ]
total=$(($(size "$ROOT/events.jsonl") + $(size "$ROOT/events.jsonl.1")))
ok "what is kept is less than all that was written ($total bytes kept)" \
	[ "$(cat "$ROOT/events.jsonl" "$ROOT/events.jsonl.1" | grep -c '"type":"deleted"')" -lt "$N" ]

last=${names##* }
ok "the follower sees the last deletion" \
	wait_file_match "$TMPD/follow.jsonl" "\"id\":\"$last\",\"type\":\"deleted\"" "$fp"
is "$(deleted_ids "$TMPD/follow.jsonl")" "$names" \
	"the follower survived the rotations: every deletion once, in order"
bad=
for n in $names; do
	t=$(ev_types "$TMPD/follow.jsonl" "$n")
	[ "$t" = "created started exited deleted" ] || bad="$bad $n:[$t]"
done
is "$bad" "" "the follower got each container's whole history once"
kill -INT "$fp"
rc=0
wait "$fp" || rc=$?
is "$rc" 0 "the follower ends with 0 on SIGINT"
is "$(cat "$TMPD/follow.err")" "" "the follower printed nothing on stderr"

# The replay: .1, then the current file.
"$LXCSHIM" --root "$ROOT" --lxcpath "$LXCPATH" events --json --since 2000-01-01T00:00:00Z > "$TMPD/replay.jsonl" 2> "$TMPD/replay.err" &
rp=$!
record_pid "$rp"
ok "the replay reaches the last deletion" \
	wait_file_match "$TMPD/replay.jsonl" "\"id\":\"$last\",\"type\":\"deleted\"" "$rp"
kill -INT "$rp"
rc=0
wait "$rp" || rc=$?
is "$rc" 0 "the replay ends with 0 on SIGINT"
kept=$(deleted_ids "$TMPD/replay.jsonl")
want=$(cat "$ROOT/events.jsonl.1" "$ROOT/events.jsonl" | sed -n 's/.*"id":"\([^"]*\)","type":"deleted".*/\1/p' |
	tr '\n' ' ' | sed 's/ $//')
is "$kept" "$want" "the replay has the deletions of both generations, older first"
case " $names" in
*" $kept") pass "the kept window is the latest deletions, none lost between the two files" ;;
*) fail "the kept window is the latest deletions, none lost between the two files" "kept: $kept; all: $names" ;;
esac
ok "the replay keeps more than the current file alone" \
	[ "$(echo "$kept" | wc -w)" -gt "$(grep -c '"type":"deleted"' "$ROOT/events.jsonl")" ]
bad=
for n in $kept; do
	t=$(ev_types "$TMPD/replay.jsonl" "$n")
	[ "$t" = "created started exited deleted" ] || bad="$bad $n:[$t]"
done
is "$bad" "" "each container in the window: its whole history, once"
times=$(sed 's/^{"time":"\([^"]*\)".*/\1/' "$TMPD/replay.jsonl")
is "$times" "$(printf '%s\n' "$times" | sort)" "the replay is in time order"
