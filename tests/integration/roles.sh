#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Roles, as users meet them, over VeNCrypt X509Plain with real accounts:
# a view-only user sees the screen, and nothing it types, points or
# pastes reaches the input log, while a control user's keys do, both
# connected at once.  --sharing exclusive-control: the first controller
# types, the second watches until the first leaves.  --sharing exclusive:
# a controller asking for the screen alone displaces the others, a
# view-only user asking for it displaces nobody, and with the default
# (shared) nobody is displaced.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
USERS=$WORK/users
TLS=$WORK/tls
PASSWD=$top_builddir/rampart-passwd
INPUT_LOG=$WORK/input.log

for u in alice:control carol:control bob:view; do
	printf '%s-pw\n' "${u%%:*}" |
	    "$PASSWD" --file "$USERS" add "${u%%:*}" --role "${u#*:}" ||
	    bail_out "rampart-passwd add $u"
done

# as USER ARGS...: the test client logged in as USER.
as() {
	local u=$1
	shift
	client --ca "$TLS/cert.pem" --user "$u" --password "$u-pw" "$@" \
	    "$(target)"
}

# start_as USER OUT ARGS...: as, in the background, output to OUT; pid $!.
start_as() {
	local u=$1 out=$2
	shift 2
	spawn client --ca "$TLS/cert.pem" --user "$u" --password "$u-pw" \
	    "$@" "$(target)" >"$out" 2>&1
}

keys_in_log() {
	grep '^key ' "$INPUT_LOG"
}

# has_key NAME: the input log has NAME pressed.
has_key() {
	grep -q "^key [0-9]* $1 down" "$INPUT_LOG"
}

# gone PID: the process has exited.
gone() {
	! kill -0 "$1" 2>/dev/null
}

# exited_with PID STATUS: wait for it (20 s at most) and compare.
exited_with() {
	local rc
	wait_until 20 gone "$1" || { echo "still running"; return 1; }
	wait "$1"
	rc=$?
	[ "$rc" -eq "$2" ] || { echo "exit $rc, not $2"; return 1; }
}

# client_tag USER: the broker's tag of USER's newest login.
client_tag() {
	sed -n "s/^.*audit: \(client [0-9]* ([^)]*)\): logged in as $1 (.*/\1/p" \
	    "$WORK/rampart.log" | tail -n 1
}

AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS" --paste-as-typing
unset AUTH_ARGS

# --- a view-only user and a control user at once -----------------------------

start_as bob "$WORK/bob.out" --expect "$FRAMES" --keys "b,o,Return" \
    --pointer "10,10,1;10,10,0;200,100,4;200,100,0" --cut-text "xyz" \
    --wait-file "$WORK/bob-go" --hold 1
bob=$!
wait_until 15 grep -q "^sent cut text" "$WORK/bob.out" ||
    fail "bob sent his input"
check "alice (control) types while bob (view) is connected" \
    as alice --keys "a,l" --cut-text "ic" --hold 1
wait_until 10 has_key KEY_C
touch "$WORK/bob-go"
check "bob saw the screen, exact pixels, and stayed connected" \
    exited_with "$bob" 0
check "the audit log has bob logged in as view" \
    grep -q "audit: client [0-9]* (127.0.0.1:[0-9]*): logged in as bob (view) by VeNCrypt X509Plain" \
    "$WORK/rampart.log"
got=$(keys_in_log | awk '$4 == "down" { print $3 }' | tr '\n' ' ')
expected="KEY_A KEY_L KEY_I KEY_C "
if [ "$got" = "$expected" ]; then
	pass "only alice's keys and paste arrive: $got"
else
	fail "only alice's keys and paste arrive"
	diag "expected: $expected" "got: $got"
fi
check "nothing of bob's pointer reaches the input log" \
    sh -c "! grep -q '^pointer' '$INPUT_LOG'"
check "and the log says his paste was not typed" \
    grep -q "paste of 3 bytes not typed: view only" "$WORK/rampart.log"
rampart_stop

# --- exclusive-control -------------------------------------------------------

: >"$INPUT_LOG"
AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS" --sharing exclusive-control
unset AUTH_ARGS
start_as alice "$WORK/alice.out" --keys 1 --wait-file "$WORK/alice-go" \
    --late-keys 2 --hold 1
alice=$!
check "the first controller (alice) types" wait_until 15 has_key KEY_1
wait_until 10 grep -q "audit: $(client_tag alice): has control" "$WORK/rampart.log"
check "and the audit log says she has control" \
    grep -q "audit: $(client_tag alice): has control (exclusive-control)" \
    "$WORK/rampart.log"
start_as carol "$WORK/carol.out" --keys 3 --wait-file "$WORK/carol-go" \
    --late-keys 4 --hold 1
carol=$!
wait_until 15 grep -q "^waiting for" "$WORK/carol.out" ||
    fail "carol sent her keys"
touch "$WORK/alice-go"
check "alice still types while carol is connected" wait_until 10 has_key KEY_2
check "carol's keys, the second controller's, did not arrive" \
    sh -c "! grep -q 'KEY_3' '$INPUT_LOG'"
check "alice leaves" exited_with "$alice" 0
check "then the audit log says carol has control" \
    wait_until 10 grep -q "audit: $(client_tag carol): has control (exclusive-control)" \
    "$WORK/rampart.log"
touch "$WORK/carol-go"
check "and carol's keys arrive" wait_until 10 has_key KEY_4
check "carol was connected throughout" exited_with "$carol" 0
check "her first key never arrived" sh -c "! grep -q 'KEY_3' '$INPUT_LOG'"
rampart_stop

# --- exclusive ---------------------------------------------------------------

# watcher USER OUT FILE: connected until FILE appears, then sees a frame
# and exits 0; exits 1 when the server closes the connection first.
watcher() {
	start_as "$1" "$2" --expect "$FRAMES" --wait-file "$3" --timeout 20
}

AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS" --sharing exclusive
unset AUTH_ARGS
watcher bob "$WORK/w-bob.out" "$WORK/never"
wbob=$!
watcher carol "$WORK/w-carol.out" "$WORK/never"
wcarol=$!
wait_until 15 grep -q "^waiting for" "$WORK/w-bob.out"
wait_until 15 grep -q "^waiting for" "$WORK/w-carol.out"
check "exclusive: a view user asking for the screen alone gets it" \
    as bob --exclusive --expect "$FRAMES" --hold 1
check "and displaces nobody" sh -c "kill -0 $wbob && kill -0 $wcarol"
check "a control user asking for it gets it" \
    as alice --exclusive --expect "$FRAMES" --hold 1
check "and displaces the others: bob" exited_with "$wbob" 1
check "and carol" exited_with "$wcarol" 1
check "(their clients saw the connection end)" \
    grep -q "connection ended" "$WORK/w-bob.out" "$WORK/w-carol.out"
check "the audit log says who displaced whom" \
    grep -q "audit: client [0-9]* ([^)]*): displaced by client" \
    "$WORK/rampart.log"
rampart_stop

# shared, the default: nobody is displaced.
AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS"
unset AUTH_ARGS
watcher bob "$WORK/s-bob.out" "$WORK/s-go"
sbob=$!
wait_until 15 grep -q "^waiting for" "$WORK/s-bob.out"
check "shared: a control user asking for the screen alone gets it" \
    as alice --exclusive --expect "$FRAMES" --hold 1
check "and displaces nobody" kill -0 "$sbob"
touch "$WORK/s-go"
check "the watcher, still connected, sees the screen" exited_with "$sbob" 0

check "rampart is still running" rampart_alive
done_testing
