#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Back-pressure: a client on a slow link (one that reads 300 KB/s through
# a small receive buffer, on continuous updates with Fence) and a client
# that stalls do not lower the update rate of a fast client; the slow one
# gets fewer, whole frames; the broker's memory stays bounded.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
FLOW="python3 $top_srcdir/tests/client/flow.py"

FRAMES=$WORK/screen.frames
make_frames full 480 320 30 30 "$FRAMES"
export ASAN_OPTIONS=quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
rampart_start
broker=$(helper_pid rampart-broker)

# updates_of FILE: N of "held S s, N updates".
updates_of() {
	sed -n 's/^held [0-9]* s, \([0-9]*\) updates.*/\1/p' "$1"
}

client --hold 5 "127.0.0.1:$PORT" >"$WORK/alone.out" 2>&1
alone=$(updates_of "$WORK/alone.out")
diag "a fast client alone: ${alone:-?} updates in 5 s"
rss_before=$(vm_rss "$broker")

spawn client --stall --timeout 30 "127.0.0.1:$PORT" >"$WORK/stall.out" 2>&1
$FLOW 127.0.0.1 "$PORT" slow "$FRAMES" 8 300000 >"$WORK/slow.out" 2>&1 &
slow_pid=$!
sleep 2
client --hold 5 "127.0.0.1:$PORT" >"$WORK/fast.out" 2>&1
fast=$(updates_of "$WORK/fast.out")
wait $slow_pid
rss_after=$(vm_rss "$broker")

if [ -n "$alone" ] && [ -n "$fast" ] && [ "$alone" -gt 20 ] &&
    [ $((fast * 10)) -ge $((alone * 8)) ]; then
	pass "with a slow and a stalled client, the fast one gets $fast updates in 5 s (alone: $alone)"
else
	fail "with a slow and a stalled client, the fast one gets ${fast:-?} updates in 5 s (alone: ${alone:-?})"
	diag_file "$WORK/fast.out"
fi
slow=$(sed -n 's/^updates //p' "$WORK/slow.out")
fresh=$(sed -n 's/^fresh \([0-9]*\) of.*/\1/p' "$WORK/slow.out")
# A 480x320 frame is 600 KB in Raw: at 300 KB/s, one every 2 s or so.
if [ -n "$slow" ] && [ "$slow" -ge 2 ] && [ "$slow" -lt "${fast:-0}" ] &&
    [ "$fresh" = "$slow" ]; then
	pass "the slow client gets fewer updates ($slow in 8 s), each a whole frame"
else
	fail "the slow client gets fewer updates, each a whole frame"
	diag_file "$WORK/slow.out"
fi
diag "broker VmRSS ${rss_before:-?} KiB before, ${rss_after:-?} KiB after"
if [ -n "$rss_before" ] && [ -n "$rss_after" ] &&
    [ $((rss_after - rss_before)) -lt 32768 ]; then
	pass "the broker's memory stays bounded (grew $((rss_after - rss_before)) KiB)"
else
	fail "the broker's memory stays bounded"
fi
check "rampart is still running" rampart_alive
done_testing
