#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rampart converts to the pixel format a client asks for: each client
# checks every pixel against the frame, within what its format can hold.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start

# libvncclient, a real client, for the true-colour formats.
for fmt in 32be bgr32 16 16be 555 8; do
	check "format $fmt: all 3 frames, every pixel" \
	    client --timeout 15 --format "$fmt" --expect "$FRAMES" \
	    --expect-distinct 3 "$(target)"
done

# The raw session: a colour map (libvncclient cannot) and one more look
# at 16 bpp big endian on the wire.
check "format 8map: a colour map arrives and indexes match the frames" \
    client --timeout 15 --format 8map --expect "$FRAMES" \
    --expect-distinct 3 "$(target)"
check "format 16be through the raw session" \
    client --raw --timeout 15 --format 16be --expect "$FRAMES" \
    --expect-distinct 3 "$(target)"

# Clients of different formats at once.
pids=
for fmt in 32 16 8 bgr32; do
	client --timeout 15 --format "$fmt" --expect "$FRAMES" \
	    --expect-distinct 3 "$(target)" >"$WORK/mixed.$fmt.out" 2>&1 &
	pids="$pids $fmt:$!"
done
for p in $pids; do
	if wait "${p#*:}"; then
		pass "format ${p%%:*} among four formats at once"
	else
		fail "format ${p%%:*} among four formats at once"
		diag_file "$WORK/mixed.${p%%:*}.out"
	fi
done

check "rampart is still running" rampart_alive
done_testing
