#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scrolling goes as CopyRect: a terminal whose text scrolls up (below a
# still title bar) reaches a viewer that takes CopyRect as copies of what
# it shows plus the new lines, with every update leaving a whole frame
# on its screen, and for a small part of the Raw bytes a viewer without
# CopyRect needs; that viewer sees the same frames.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
FLOW="python3 $top_srcdir/tests/client/flow.py"

FRAMES=$WORK/screen.frames
make_frames scroll 640 400 60 15 "$FRAMES"
rampart_start

$FLOW 127.0.0.1 "$PORT" scroll "$FRAMES" 5 copyrect >"$WORK/copy.out" 2>&1
$FLOW 127.0.0.1 "$PORT" scroll "$FRAMES" 5 >"$WORK/raw.out" 2>&1
value() { sed -n "s/^$1 \([0-9]*\).*/\1/p" "$2"; }
updates=$(value updates "$WORK/copy.out")
whole=$(value whole "$WORK/copy.out")
copies=$(value copyrect "$WORK/copy.out")
raw_copy=$(value raw "$WORK/copy.out")
updates_raw=$(value updates "$WORK/raw.out")
whole_raw=$(value whole "$WORK/raw.out")
raw_raw=$(value raw "$WORK/raw.out")
diag "with CopyRect: $(tr '\n' ' ' <"$WORK/copy.out")"
diag "without: $(tr '\n' ' ' <"$WORK/raw.out")"

if [ -n "$updates" ] && [ "$updates" -ge 20 ] && [ "$whole" = "$updates" ]; then
	pass "with CopyRect, each of $updates updates leaves a whole frame on the viewer's screen"
else
	fail "with CopyRect, each update leaves a whole frame (${whole:-?} of ${updates:-?})"
	diag_file "$WORK/copy.out"
fi
check "the scrolling went as $copies CopyRect rectangles" \
    test "${copies:-0}" -ge $((updates / 2))
if [ -n "$raw_copy" ] && [ -n "$raw_raw" ] && [ "$updates_raw" -gt 0 ] &&
    [ $((raw_copy * 8 / updates)) -lt $((raw_raw / updates_raw)) ]; then
	pass "Raw bytes per update: $((raw_copy / updates)) with CopyRect, $((raw_raw / updates_raw)) without (under an eighth)"
else
	fail "Raw bytes per update with CopyRect under an eighth of without (${raw_copy:-?}/${updates:-?} vs ${raw_raw:-?}/${updates_raw:-?})"
fi
if [ -n "$updates_raw" ] && [ "$updates_raw" -ge 20 ] &&
    [ "$whole_raw" = "$updates_raw" ]; then
	pass "without CopyRect, each of $updates_raw updates leaves a whole frame too"
else
	fail "without CopyRect, each update leaves a whole frame (${whole_raw:-?} of ${updates_raw:-?})"
fi
check "rampart is still running" rampart_alive
done_testing
