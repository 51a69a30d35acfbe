#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A connection that never completes the handshake is closed after 20 s
# (--handshake-timeout, counted from the connection), so idle half-open
# connections cannot hold the places of real viewers; a viewer that
# completed it may stay idle as long as it likes, unless --idle-timeout
# says otherwise.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 64 48 2 5 "$FRAMES"

# silent LIMIT: connect, read the server's version, send nothing; the
# server must close within about LIMIT seconds.
silent() {
	local limit=$1 version rest rc start elapsed
	exec 5<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
	start=$(date +%s)
	read -r -t 5 version <&5
	check "the server greets with its version" test "$version" = "RFB 003.008"
	# The server closes: read sees end of file (status 1), not a
	# time-out.
	read -r -t $((limit + 15)) rest <&5
	rc=$?
	elapsed=$(($(date +%s) - start))
	exec 5<&-
	check "a silent connection is closed ($elapsed s)" test $rc -eq 1
	check "after about $limit s" \
	    test $elapsed -ge $((limit - 2)) -a $elapsed -le $((limit + 10))
	check "the log says why" \
	    grep -q "no ServerInit within $limit s" "$WORK/rampart.log"
}

rampart_start
spawn client --timeout 60 --hold 30 "$(target)"
viewer=$!
silent 20
check "a viewer idle as long is still connected" kill -0 "$viewer"
rampart_stop

# The supervisor's options reach the broker.
PORT=
rampart_start --handshake-timeout 4 --idle-timeout 3
silent 4
# Bytes do not push the deadline back: one byte a second (the version
# would take 12 s) is closed at 4 s all the same.
exec 6<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
start=$(date +%s)
(for c in R F B ' ' 0 0 3 . 0 0 8; do printf %s "$c"; sleep 1; done >&6) \
    2>/dev/null &
trickle=$!
read -r -t 5 version <&6
read -r -t 15 rest <&6
rc=$?
elapsed=$(($(date +%s) - start))
check "a client sending a byte a second is closed too ($elapsed s)" \
    test $rc -eq 1 -a $elapsed -le 7
kill "$trickle" 2>/dev/null
wait "$trickle" 2>/dev/null
exec 6<&-
# A viewer that asks for updates and then sends nothing more.
spawn client --timeout 60 --stall "$(target)"
check "--idle-timeout 3: a viewer that sends nothing is closed" \
    wait_until 15 grep -q "closed: idle for 3 s" "$WORK/rampart.log"
done_testing
