#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rampart restarts a helper that dies: capture (clients keep their
# connection and see frames again), input, and the broker itself.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
rampart_start

# other_pid NAME OLD: true when a helper NAME other than OLD runs.
other_pid() {
	local p
	p=$(helper_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ]
}

check "a client sees frames" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "$(target)"

# A client that stays connected across the crash and looks only after.
go=$WORK/go
spawn client --timeout 15 --wait-file "$go" --expect "$FRAMES" \
    --expect-distinct 3 "$(target)" >"$WORK/across.out" 2>&1
across=$!
wait_until 10 grep -q '^waiting for' "$WORK/across.out"

capture=$(helper_pid rampart-capture)
broker=$(helper_pid rampart-broker)
if [ -n "$capture" ] && kill -KILL "$capture"; then
	pass "kill -9 rampart-capture ($capture)"
else
	fail "kill -9 rampart-capture (no such helper)"
fi
if wait_until 10 other_pid rampart-capture "$capture"; then
	pass "a new rampart-capture runs ($(helper_pid rampart-capture))"
else
	fail "a new rampart-capture runs"
fi
touch "$go"
if wait "$across"; then
	pass "a client connected across the crash sees 3 frames after it"
else
	fail "a client connected across the crash sees 3 frames after it"
	diag_file "$WORK/across.out"
fi
check "a new client sees frames" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "the broker was not restarted" test "$(helper_pid rampart-broker)" = "$broker"

input=$(helper_pid rampart-input)
kill -KILL "$input" 2>/dev/null
if wait_until 10 other_pid rampart-input "$input"; then
	pass "kill -9 rampart-input: a new one runs"
else
	fail "kill -9 rampart-input: a new one runs"
fi
check "keys reach the new input helper" \
    client --timeout 10 --keys "x" "$(target)"
if wait_until 10 grep -qx 'key 45 KEY_X up' "$INPUT_LOG"; then
	pass "the key is in the log"
else
	fail "the key is in the log"
	diag_file "$INPUT_LOG" 10
fi

kill -KILL "$broker" 2>/dev/null
if wait_until 10 other_pid rampart-broker "$broker"; then
	pass "kill -9 rampart-broker: a new one runs"
else
	fail "kill -9 rampart-broker: a new one runs"
fi
check "clients connect to the new broker and see frames" \
    client --timeout 15 --expect "$FRAMES" --expect-distinct 3 "$(target)"

check "rampart is still running" rampart_alive
done_testing
