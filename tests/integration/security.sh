#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Security type None only for local connections: a connection whose local
# address is not loopback is refused, with a reason; loopback and a unix
# socket get in.  rampart and its clients run in a network namespace of
# their own with a non-loopback address (192.0.2.1, TEST-NET-1).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
SOCK=$WORK/rampart.sock

ns=rampart-test-$$
if ip netns add "$ns" 2>/dev/null; then
	NETNS=$ns
	ip -n "$ns" link set lo up
	# The address on a dummy interface; without the dummy driver, on lo
	# itself: either way the connection's local address is not loopback.
	if ip -n "$ns" link add d0 type dummy 2>/dev/null &&
	    ip -n "$ns" addr add 192.0.2.1/24 dev d0 &&
	    ip -n "$ns" link set d0 up; then
		NS_EXEC="ip netns exec $ns"
	elif ip -n "$ns" addr add 192.0.2.1/32 dev lo; then
		diag "no dummy interfaces here: 192.0.2.1 is on lo"
		NS_EXEC="ip netns exec $ns"
	else
		diag "cannot add an address in a network namespace"
	fi
else
	diag "cannot create a network namespace"
fi

if [ -n "$NS_EXEC" ]; then
	PORT=$(free_port)
	LISTEN=tcp:0.0.0.0:$PORT
	rampart_start --listen "unix:$SOCK"

	out=$WORK/refused.out
	for v in 3.8 3.7 3.3; do
		check "RFB $v to 192.0.2.1 (not loopback) is refused with a reason" \
		    client --timeout 10 --version $v --expect-refused "192.0.2.1:$PORT"
	done
	client --timeout 10 --expect-refused "192.0.2.1:$PORT" >"$out" 2>&1
	diag "$(grep '^refused' "$out")"
	check "libvncclient to 192.0.2.1 gets no framebuffer" \
	    sh -c "! $NS_EXEC $TESTCLIENT --timeout 5 --expect $FRAMES 192.0.2.1:$PORT"
	check "to 127.0.0.1 on the same listener: security None, frames" \
	    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "127.0.0.1:$PORT"
	check "the log says at start what the wildcard listener offers" \
	    grep -q "listener tcp:0.0.0.0:$PORT: security None for connections to a loopback address; others are refused" \
	    "$WORK/rampart.log"

	# The policy is the listener's: security=none on the non-loopback
	# address lets that address in (as behind a proxy that
	# authenticates), with a warning at start.
	rampart_stop
	PORT=$(free_port)
	LISTEN="tcp:192.0.2.1:$PORT,security=none"
	rampart_start
	check "security=none on 192.0.2.1: a client gets in and sees frames" \
	    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "192.0.2.1:$PORT"
	check "and the start-up warned that whoever reaches it controls the machine" \
	    grep -q "tcp:192.0.2.1:$PORT: security None on an address that is not loopback" \
	    "$WORK/rampart.log"
	rampart_stop
	LISTEN="tcp:192.0.2.1:$PORT"
	rampart_start --listen "unix:$SOCK"
	check "without it, the same address is refused with a reason" \
	    client --timeout 10 --expect-refused "192.0.2.1:$PORT"
	check "and the log says every connection there is refused" \
	    grep -q "listener tcp:192.0.2.1:$PORT: every connection is refused" \
	    "$WORK/rampart.log"
else
	for v in 3.8 3.7 3.3; do
		skip "RFB $v to a non-loopback address is refused (no network namespace)"
	done
	skip "libvncclient to a non-loopback address gets nothing (no network namespace)"
	skip "loopback on a wildcard listener (no network namespace)"
	skip "listener policies (no network namespace)"
	rampart_start --listen "unix:$SOCK"
fi

[ -S "$SOCK" ] && pass "the unix listener exists" || fail "the unix listener exists"
check "a client on the unix socket gets security None and the frames" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "unix:$SOCK"
check "and with RFB 3.3 through the raw session" \
    client --timeout 10 --version 3.3 --expect "$FRAMES" "unix:$SOCK"
check "the log says at start that the unix listener offers None" \
    grep -q "listener unix:$SOCK: security None" "$WORK/rampart.log"

check "rampart is still running" rampart_alive
done_testing
