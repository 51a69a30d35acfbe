#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The listeners' security policy, as a client meets it.  None is never
# offered on an address that is not loopback, whatever the options: there
# VeNCrypt X509Plain is, and a client that picks None is refused with a
# reason.  With --insecure-no-auth a loopback address offers None, and so
# does a wildcard listener to the connections that reached it through
# loopback; without it, loopback asks for VeNCrypt too.  A unix socket
# offers None.  ",security=none" is refused at start, saying what to use.
# rampart and its clients run in a network namespace of their own with a
# non-loopback address (192.0.2.1, TEST-NET-1).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
SOCK=$WORK/rampart.sock
# The users file and the self-signed certificate of these runs, made by
# the first start.
AUTH_FILES="--users $WORK/etc/users --tls-dir $WORK/etc/tls"

# vc ARGS...: the raw security handshake (tests/client/vencrypt.py).
vc() {
	$NS_EXEC python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

# types_are WANT TARGET: the security types offered, comma-separated.
types_are() {
	local got
	got=$(vc --stop types --expect stopped "$2" | sed -n 's/^types: //p')
	[ "$got" = "$1" ] || { echo "types offered: '$got', not '$1'"; return 1; }
}

# subtypes_are WANT TARGET: the VeNCrypt subtypes offered.
subtypes_are() {
	local got
	got=$(vc --stop subtypes --expect stopped "$2" |
	    sed -n 's/^subtypes: //p')
	[ "$got" = "$1" ] || { echo "subtypes: '$got', not '$1'"; return 1; }
}

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
	# A wildcard listener, with --insecure-no-auth (rampart_start's
	# default here).
	PORT=$(free_port)
	LISTEN=tcp:0.0.0.0:$PORT
	rampart_start --listen "unix:$SOCK" $AUTH_FILES
	far=192.0.2.1:$PORT

	check "to 192.0.2.1 (not loopback), even with --insecure-no-auth: VeNCrypt only" \
	    types_are 19 "$far"
	check "its subtype X509Plain" subtypes_are 262 "$far"
	check "a client that picks None there is refused, with the reason" \
	    vc --type 1 --expect "failed: security type not offered" "$far"
	check "RFB 3.3 there is refused with a reason (3.3 has no VeNCrypt)" \
	    client --timeout 10 --version 3.3 --expect-refused "$far"
	check "libvncclient without a password gets no framebuffer there" \
	    sh -c "! $NS_EXEC $TESTCLIENT --timeout 5 --expect $FRAMES $far"
	check "to 127.0.0.1 on the same listener: None is offered" \
	    types_are 1 "127.0.0.1:$PORT"
	check "and a client sees the frames" \
	    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "127.0.0.1:$PORT"
	check "the log says at start what the wildcard listener offers" \
	    grep -q "listener tcp:0.0.0.0:$PORT: security None (no authentication) for connections to a loopback address; VeNCrypt X509Plain (TLS, then user and password) for the others" \
	    "$WORK/rampart.log"
	check "and warns of --insecure-no-auth" \
	    grep -q "warning: --insecure-no-auth: security None is offered on loopback addresses" \
	    "$WORK/rampart.log"
	rampart_stop

	# A listener on the address itself: the option changes nothing.
	PORT=$(free_port)
	LISTEN=tcp:192.0.2.1:$PORT
	rampart_start $AUTH_FILES
	far=192.0.2.1:$PORT
	check "a listener on 192.0.2.1 with --insecure-no-auth: VeNCrypt only" \
	    types_are 19 "$far"
	check "None refused there too, with the reason" \
	    vc --type 1 --expect "failed: security type not offered" "$far"
	check "the log says what it offers" \
	    grep -q "listener tcp:192.0.2.1:$PORT: security VeNCrypt X509Plain (TLS, then user and password)$" \
	    "$WORK/rampart.log"
	rampart_stop
else
	skip "None on a non-loopback address (no network namespace)"
	skip "a wildcard listener's policy (no network namespace)"
	skip "a listener on a network address (no network namespace)"
fi

# security=none is gone: the start says what to use instead.
out=$WORK/security-none.out
"$RAMPART" --foreground --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$(free_port),security=none" >"$out" 2>&1
rc=$?
check "a listener with ,security=none exits 2" test $rc -eq 2
check "in one line naming --insecure-no-auth and unix sockets" \
    grep -q '^rampart: --listen tcp:127.0.0.1:[0-9]*,security=none: "security=none" is no longer accepted: None is offered on unix sockets, and on loopback addresses with --insecure-no-auth; use a unix:PATH listener or --insecure-no-auth' \
    "$out"
check "(one line)" test "$(wc -l <"$out")" -eq 1

# Loopback without --insecure-no-auth: VeNCrypt there too.
PORT=
LISTEN=
NS_EXEC=
AUTH_ARGS=
rampart_start --listen "unix:$SOCK" $AUTH_FILES
unset AUTH_ARGS
check "loopback without --insecure-no-auth: VeNCrypt only" \
    types_are 19 "$(target)"
check "a client that picks None is refused, with the reason" \
    vc --type 1 --expect "failed: security type not offered" "$(target)"
check "RFB 3.3 is refused with a reason" \
    client --timeout 10 --version 3.3 --expect-refused "$(target)"
check "the log says the loopback listener asks for VeNCrypt" \
    grep -q "listener tcp:127.0.0.1:$PORT: security VeNCrypt X509Plain (TLS, then user and password)$" \
    "$WORK/rampart.log"

[ -S "$SOCK" ] && pass "the unix listener exists" || fail "the unix listener exists"
check "a client on the unix socket gets security None and the frames" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "unix:$SOCK"
check "and with RFB 3.3 through the raw session" \
    client --timeout 10 --version 3.3 --expect "$FRAMES" "unix:$SOCK"
check "the log says at start that the unix listener offers None" \
    grep -q "listener unix:$SOCK: security None (no authentication)$" \
    "$WORK/rampart.log"

check "rampart is still running" rampart_alive
done_testing
