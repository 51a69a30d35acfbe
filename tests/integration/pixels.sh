#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A client sees exactly the frames rampart captures: every pixel of every
# frame of a replayed screen, alone and with three other clients at once.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start

out=$WORK/init.out
client --timeout 10 "$(target)" >"$out" 2>&1
if grep -q '^server-init: 320x240 name="[^"]' "$out"; then
	pass "ServerInit gives the screen's size and a name"
else
	fail "ServerInit gives the screen's size and a name"
	diag_file "$out"
fi
if grep -qx 'server-format: bpp=32 depth=24 be=0 tc=1 max=255,255,255 shift=16,8,0' "$out"; then
	pass "ServerInit's format is 32 bpp, depth 24, little endian, RGB at 16/8/0"
else
	fail "ServerInit's format is 32 bpp, depth 24, little endian, RGB at 16/8/0"
	diag_file "$out"
fi

# In the server's own format: the pixels as captured, byte for byte.
for i in 0 1 2; do
	check "a client sees frame $i exactly" \
	    client --timeout 10 --format 32 --expect "$FRAMES:$i" "$(target)"
done

# Four at once, each until it has seen all three frames, in the format
# libvncclient asks for by default (red and blue swapped from rampart's).
pids=
for n in 1 2 3 4; do
	client --timeout 15 --expect "$FRAMES" --expect-distinct 3 \
	    "$(target)" >"$WORK/parallel.$n.out" 2>&1 &
	pids="$pids $!"
done
n=0
for pid in $pids; do
	n=$((n + 1))
	if wait "$pid"; then
		pass "client $n of 4 at once sees all 3 frames exactly"
	else
		fail "client $n of 4 at once sees all 3 frames exactly"
		diag_file "$WORK/parallel.$n.out"
	fi
done

# The raw session reads the wire itself and fails on any encoding but Raw.
check "a client asking for Raw only gets Raw, and the frames" \
    client --raw --timeout 10 --expect "$FRAMES" --expect-distinct 3 "$(target)"

# With no viewer left, nothing is captured.
last_capture_state() {
	grep -E 'rampart-broker.*capture (paused|resumed)' "$WORK/rampart.log" |
	    tail -n 1 | grep -q "$1"
}
check "with every viewer gone, the broker pauses the capture" \
    wait_until 5 last_capture_state paused
check "rampart is still running" rampart_alive
done_testing
