#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A connection that never completes the handshake is closed 20 s after
# it was made (--handshake-timeout's default), whatever it sends
# meanwhile: a client that trickles a byte every 3 s goes at the same
# time as a silent one.  Idle half-open connections cannot hold the
# places of real viewers; a viewer that completed the handshake may stay
# idle as long as it likes (no --idle-timeout).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 64 48 2 5 "$FRAMES"
rampart_start

# Connects, reads the server's version, then sends nothing.
exec 5<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
exec 6<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
start=$(date +%s)
# The trickle: its version, one byte every 3 s (36 s in all).
(for c in R F B ' ' 0 0 3 . 0 0 8; do printf %s "$c"; sleep 3; done >&6) \
    2>/dev/null &
trickle=$!
spawn client --timeout 60 --hold 40 "$(target)"
viewer=$!
read -r -t 5 version <&5
check "the server greets with its version" test "$version" = "RFB 003.008"
# The server closes: read sees end of file (status 1), not a time-out.
read -r -t 45 rest <&5
rc=$?
elapsed=$(($(date +%s) - start))
check "a silent connection is closed ($elapsed s)" test $rc -eq 1
check "after about 20 s" test $elapsed -ge 18 -a $elapsed -le 28
read -r -t 15 version <&6
read -r -t 15 rest <&6
rc=$?
elapsed=$(($(date +%s) - start))
check "one sending a byte every 3 s is closed too ($elapsed s)" \
    test $rc -eq 1 -a $elapsed -le 30
kill "$trickle" 2>/dev/null
wait "$trickle" 2>/dev/null
check "the log says why" grep -q 'no ServerInit within 20 s' "$WORK/rampart.log"
check "a viewer idle as long is still connected" kill -0 "$viewer"
done_testing
