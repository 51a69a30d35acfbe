#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ContinuousUpdates and Fence (tests/client/flow.py): told to a viewer
# that lists them, updates without requests while on, a Fence request
# answered in order, pings that pace the updates; and a viewer that breaks
# their rules is closed while a canary viewer goes on being served.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
FLOW="python3 $top_srcdir/tests/client/flow.py"


FRAMES=$WORK/screen.frames
make_frames sparse 96 64 30 30 "$FRAMES"
rampart_start

$FLOW 127.0.0.1 "$PORT" "$FRAMES" >"$WORK/flow.out" 2>&1
tap_lines "$WORK/flow.out"

# The canary watches while the others break the rules.
"$TESTCLIENT" --hold 8 "127.0.0.1:$PORT" >"$WORK/canary.out" 2>&1 &
CANARY=$!
sleep 1
for c in early-fence early-continuous long-fence; do
	$FLOW 127.0.0.1 "$PORT" bad $c >"$WORK/bad-$c.out" 2>&1
	tap_lines "$WORK/bad-$c.out"
done
wait $CANARY
check "the canary viewer was served all along" \
    grep -Eq "held 8 s, [1-9][0-9]+ updates" "$WORK/canary.out"
check "the broker says why it closed them" \
    grep -q "Fence before the server sent one" "$WORK/rampart.log"
check "rampart is still running" rampart_alive

done_testing
