#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A connection that never completes the handshake is closed after 30 s,
# so idle half-open connections cannot hold the places of real viewers;
# a viewer that completed it may stay idle as long as it likes.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 64 48 2 5 "$FRAMES"
rampart_start

# Connects, reads the server's version, then sends nothing.
exec 5<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
start=$(date +%s)
spawn client --timeout 60 --hold 40 "$(target)"
viewer=$!
read -r -t 5 version <&5
check "the server greets with its version" test "$version" = "RFB 003.008"
# The server closes: read sees end of file (status 1), not a time-out.
read -r -t 45 rest <&5
rc=$?
elapsed=$(($(date +%s) - start))
check "a silent connection is closed ($elapsed s)" test $rc -eq 1
check "after about 30 s" test $elapsed -ge 28 -a $elapsed -le 40
check "the log says why" grep -q 'no ServerInit within 30 s' "$WORK/rampart.log"
check "a viewer idle as long is still connected" kill -0 "$viewer"
done_testing
