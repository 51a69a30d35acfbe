#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a client costs the broker is bounded whatever it asks for: on a 4K
# screen (3840x2160) that changes every frame, clients that ask for
# updates in every encoding (Tight with JPEG, ZRLE, Hextile, Zlib, Raw,
# JPEG), one of them in 8-bit colour-map format, and then never read.
# The broker's memory stops growing once each holds what one update of
# its own takes, and a client that does read still gets every frame,
# whole, 4K wide (Tight splits its rectangles to 2048 pixels).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames full 3840 2160 3 5 "$FRAMES"
# In a sanitizer build, freed memory would wait in ASan's quarantine and
# count as resident: measure the broker's own holding.
export ASAN_OPTIONS=quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
rampart_start

broker=$(helper_pid rampart-broker)
n=0
for spec in "tight,quality=9" zrle hextile zlib raw "jpeg,raw" "raw 8map"; do
	set -- $spec
	n=$((n + 1))
	spawn client --stall --timeout 10 --encodings "$1" \
	    ${2:+--format "$2"} "$(target)" >"$WORK/stall.$n.out" 2>&1
	if wait_until 10 grep -qx stalled "$WORK/stall.$n.out"; then
		pass "a client asks for $1${2:+ in $2} and stops reading"
	else
		fail "a client asks for $1${2:+ in $2} and stops reading"
		diag_file "$WORK/stall.$n.out"
	fi
done

# Let what the stalled clients are owed pile up (or not), then see that
# it does not go on growing while frames keep coming.
sleep 3
rss_before=$(vm_rss "$broker")
check "meanwhile a client on Tight sees all 3 frames, 4K wide, exactly" \
    client --timeout 30 --encodings tight,raw --expect "$FRAMES" \
    --expect-distinct 3 "$(target)"
sleep 3
rss_after=$(vm_rss "$broker")
diag "broker VmRSS ${rss_before:-?} KiB, then ${rss_after:-?} KiB"
# One 4K frame is 32 MiB as Raw; each stalled client may hold about one
# update of its own in the socket and its output.
if [ -n "$rss_before" ] && [ -n "$rss_after" ] &&
    [ $((rss_after - rss_before)) -lt 32768 ] &&
    [ "$rss_after" -lt $((1024 * 1024)) ]; then
	pass "the broker's memory stops growing (+$((rss_after - rss_before)) KiB over 3 s and a viewer, ${rss_after} KiB in all)"
else
	fail "the broker's memory stops growing (${rss_before:-?} KiB, then ${rss_after:-?} KiB)"
fi
check "the broker is the same process" test "$(helper_pid rampart-broker)" = "$broker"
check "rampart is still running" rampart_alive
done_testing
