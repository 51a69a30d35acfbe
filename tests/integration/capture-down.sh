#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# While the capture helper keeps failing, viewers are told so on their
# screen instead of keeping a frozen picture, and the picture comes back
# with the frames.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
PY="python3 $top_srcdir/tests/client/flood.py"
FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 5 "$FRAMES"
rampart_start

check "a viewer sees frames" client --timeout 10 --expect "$FRAMES" "$(target)"
# The notice's background, where no frame of the recording has it.
spawn $PY 127.0.0.1 "$PORT" pixel 30 202830 2 2
watcher=$!
sleep 1
mv "$FRAMES" "$FRAMES.away"
kill -KILL "$(helper_pid rampart-capture)"
if wait "$watcher"; then
	pass "a connected viewer sees the notice while capture keeps failing"
else
	fail "a connected viewer sees the notice while capture keeps failing"
fi
check "the log says so" \
    grep -q 'capture unavailable: viewers see a notice' "$WORK/rampart.log"
check "a viewer that connects now sees it too" \
    $PY 127.0.0.1 "$PORT" pixel 10 202830 2 2
mv "$FRAMES.away" "$FRAMES"
check "frames come back once capture works again" \
    client --timeout 30 --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "and the log says so" grep -q 'capture is back' "$WORK/rampart.log"

check "rampart is still running" rampart_alive
done_testing
