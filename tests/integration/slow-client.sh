#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One stalled client does not slow the others, and what rampart holds for
# it is bounded: a client that asks for updates and never reads them,
# on a 1920x1080 screen that changes every frame (8 MB each).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames full 1920 1080 6 10 "$FRAMES"
# In a sanitizer build, freed memory would wait in ASan's quarantine and
# count as resident: measure the broker's own holding.
export ASAN_OPTIONS=quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
rampart_start

broker=$(helper_pid rampart-broker)
spawn client --stall --timeout 10 "$(target)" >"$WORK/stall.out" 2>&1
stall_pid=$!
if wait_until 10 grep -qx stalled "$WORK/stall.out"; then
	pass "a client connects, asks for updates and stops reading"
else
	fail "a client connects, asks for updates and stops reading"
	diag_file "$WORK/stall.out"
fi

# Let the stalled client's share of the updates pile up (or not).
sleep 2
rss_before=$(vm_rss "$broker")
diag "broker $broker VmRSS with a stalled client: ${rss_before:-?} KiB"

check "meanwhile another client sees 4 distinct frames within 20 s" \
    client --timeout 20 --expect "$FRAMES" --expect-distinct 4 "$(target)"
check "and a third, at 16 bpp, too" \
    client --timeout 20 --format 16 --expect "$FRAMES" --expect-distinct 4 \
    "$(target)"

sleep 2
rss_after=$(vm_rss "$broker")
diag "broker VmRSS after: ${rss_after:-?} KiB"
if [ -n "$rss_before" ] && [ -n "$rss_after" ] &&
    [ $((rss_after - rss_before)) -lt 65536 ] &&
    [ "$rss_after" -lt $((256 * 1024)) ]; then
	pass "the broker's memory stays bounded (grew $((rss_after - rss_before)) KiB, < 64 MiB)"
else
	fail "the broker's memory stays bounded (before ${rss_before:-?}, after ${rss_after:-?} KiB)"
fi

# Whether the server keeps or drops the stalled client is its choice.
diag "stalled connection: $(ss -Htn "dport = :$PORT" | grep -c . || true) socket(s) to rampart open"
check "the broker is the same process" test "$(helper_pid rampart-broker)" = "$broker"
check "rampart is still running" rampart_alive
done_testing
