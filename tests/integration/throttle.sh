#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Throttling, as sshd's MaxStartups and LoginGraceTime and fail2ban do it:
# while 127.0.0.2 floods the server with 200 connections that never
# finish the handshake and 200 wrong passwords, a real user on 127.0.0.1
# logs in within 2 s, every time, and a viewer keeps getting frames; the
# flood's refused connections get a reason.  The handshake deadline
# counts from the connection (a client trickling its version a byte a
# second is closed at --handshake-timeout, not later), and
# --idle-timeout closes a viewer that sends nothing, not one that talks.
# Also measured: the cost of one login and rampart-auth's CPU time.
. "$top_srcdir/tests/integration/lib.sh"

ip -4 addr show dev lo 2>/dev/null | grep -q '127.0.0.1/8' ||
    skip_all "127.0.0.2 is not on lo here"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
USERS=$WORK/users
TLS=$WORK/tls
PASSWD=$top_builddir/rampart-passwd
FLOOD="python3 $top_srcdir/tests/client/flood-logins.py"

printf 'alice-pw\n' | "$PASSWD" --file "$USERS" add alice --role control ||
    bail_out "rampart-passwd add alice"

vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

# login OUT: alice logs in from 127.0.0.1 up to ServerInit; the output
# (with "elapsed: S s") in OUT.
login() {
	vc --ca "$TLS/cert.pem" --user alice --password alice-pw \
	    "$(target)" >"$1" 2>&1
}

elapsed() {
	sed -n 's/^elapsed: \([0-9.]*\) s$/\1/p' "$1"
}

# within FILE LO HI: the elapsed time in FILE is in [LO, HI].
within() {
	local t
	t=$(elapsed "$1")
	[ -n "$t" ] || { cat "$1"; return 1; }
	awk -v t="$t" -v lo="$2" -v hi="$3" 'BEGIN { exit !(t >= lo && t <= hi) }' ||
	    { cat "$1"; echo "took $t s, not $2 to $3 s"; return 1; }
}

AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS"
unset AUTH_ARGS

# --- the cost of one login -----------------------------------------------

auth=$(helper_pid rampart-auth)
[ -n "$auth" ] || bail_out "no rampart-auth"
cpu() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
tck=$(getconf CLK_TCK)
cpu0=$(cpu "$auth")
times=
for i in 1 2 3 4 5 6 7 8 9 10; do
	login "$WORK/cost.$i" || { fail "login $i"; diag_file "$WORK/cost.$i"; }
	times="$times $(elapsed "$WORK/cost.$i")"
done
cpu1=$(cpu "$auth")
median=$(echo $times | tr ' ' '\n' | sort -n | sed -n 5,6p |
    awk '{ s += $1 } END { printf "%.3f", s / 2 }')
diag "one login, connect to ServerInit (s):$times"
diag "median of 10: $median s; rampart-auth CPU for the 10: $(awk -v t=$((cpu1 - cpu0)) -v h="$tck" 'BEGIN { printf "%.2f", t / h }') s"
check "ten logins took under 2 s each (median $median s)" \
    awk -v m="$median" 'BEGIN { exit !(m < 2) }'

# --- the flood -----------------------------------------------------------

# A canary viewer, logged in before the flood, receiving frames through it.
spawn client --ca "$TLS/cert.pem" --user alice --password alice-pw \
    --expect "$FRAMES" --wait-file "$WORK/flood.done" --expect-distinct 3 \
    --timeout 100 "$(target)" >"$WORK/canary.out" 2>&1
canary=$!
wait_until 15 grep -q "^waiting for" "$WORK/canary.out" ||
    fail "the canary viewer is in"

# logins_during TAG WHAT [LIMIT]: alice logs in three times, a second
# apart; each must take under LIMIT seconds (2).
logins_during() {
	local i t worst=0 ok_n=0
	for i in 1 2 3; do
		if login "$WORK/$1.$i" && grep -q "^server-init" "$WORK/$1.$i"; then
			t=$(elapsed "$WORK/$1.$i")
			diag "login $i during $1: $t s"
			awk -v t="$t" -v l="${3:-2}" 'BEGIN { exit !(t < l) }' &&
			    ok_n=$((ok_n + 1))
			worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
		else
			diag_file "$WORK/$1.$i"
		fi
		sleep 1
	done
	check "during $2, alice logs in within ${3:-2} s every time ($ok_n of 3; worst $worst s)" \
	    test "$ok_n" -eq 3
}

# 1. From 127.0.0.2: 200 connections held open without a word (each one
# closed is opened again) and 200 wrong passwords.
$FLOOD --source 127.0.0.2 --half-open 200 --wrong 200 --threads 16 \
    --duration 12 "$(target)" >"$WORK/flood.out" 2>&1 &
flood=$!
BG_PIDS="$BG_PIDS $flood"
wait_until 10 grep -q "^ready" "$WORK/flood.out" || fail "the flood started"
sleep 1
logins_during flood1 "the flood of half-open connections and wrong passwords"
wait "$flood"
diag "$(cat "$WORK/flood.out")"
made=$(sed -n 's/^wrong logins made: //p' "$WORK/flood.out")
check "the flood made its 200 wrong logins" test "${made:-0}" -eq 200
check "and held 200 connections open, reopening the ones closed" \
    grep -q "^half-open: opened [0-9]\{3,\}" "$WORK/flood.out"
check "no wrong login got in" sh -c "! grep -q '^wrong: [0-9]* x ok' '$WORK/flood.out'"

# 2. 200 wrong passwords from 20 addresses, so that rampart-auth checks
# many of them.  One check is out at a time and the addresses take turns,
# so alice's check waits behind one of each address (20 checks of tens of
# milliseconds): she gets in, in more than 2 s on a loaded machine.
srcs=$(seq -s, -f '127.0.0.%g' 10 29)
$FLOOD --source "$srcs" --half-open 0 --wrong 200 --threads 16 --user-prefix eve \
    --duration 30 "$(target)" >"$WORK/flood2.out" 2>&1 &
flood=$!
BG_PIDS="$BG_PIDS $flood"
sleep 1
logins_during flood2 "200 wrong passwords from 20 addresses" 10
wait "$flood"
diag "$(cat "$WORK/flood2.out")"
check "no wrong login got in" sh -c "! grep -q '^wrong: [0-9]* x ok' '$WORK/flood2.out'"
check "the wrong passwords were checked and refused with the reason" \
    grep -q "^wrong: [0-9]* x failed: authentication failed" "$WORK/flood2.out"
touch "$WORK/flood.done"

# 3. Ten wrong passwords in a row from 127.0.0.4: past 5 failures the
# address is refused at connection, with the reason.
$FLOOD --source 127.0.0.4 --half-open 0 --wrong 10 --threads 1 --user-prefix oscar \
    --duration 30 "$(target)" >"$WORK/flood4.out" 2>&1
diag "$(cat "$WORK/flood4.out")"
check "ten wrong passwords from one address: the first ones are checked" \
    grep -q "^wrong: [5-9] x failed: authentication failed" "$WORK/flood4.out"
check "past 5 failures it is refused at connection, with the reason" \
    grep -q "^wrong: [0-9]* x closed: refused: too many failed logins from this address" \
    "$WORK/flood4.out"
check "and the audit log says for how long" \
    grep -q "audit: 127.0.0.4: [0-9]* failed logins: refused for [0-9]* s" \
    "$WORK/rampart.log"

# 4. Eight connections held from 127.0.0.3, the cap of one address: the
# ninth is refused with the reason.
$FLOOD --source 127.0.0.3 --half-open 8 --wrong 0 --duration 3 "$(target)" \
    >"$WORK/flood3.out" 2>&1 &
flood=$!
BG_PIDS="$BG_PIDS $flood"
wait_until 10 grep -q "^ready" "$WORK/flood3.out"
sleep 0.5
check "past the cap of connections logging in from one address: refused with a reason" \
    vc --source 127.0.0.3 --expect "closed: refused: " "$(target)"
grep '^outcome' "$WORK/check.$((TAP_N - 1)).out" | sed 's/^/# 127.0.0.3: /'
wait "$flood"
wait "$canary"
rc=$?
check "the canary viewer stayed connected and saw 3 distinct frames after the flood (exit $rc)" \
    test $rc -eq 0
if [ $rc -ne 0 ]; then diag_file "$WORK/canary.out" 10; fi
check "the flood left the broker running" test -n "$(helper_pid rampart-broker)"

# --- the handshake deadline ---------------------------------------------

rampart_stop
AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS" --handshake-timeout 3 \
    --idle-timeout 2
unset AUTH_ARGS

# 12 version bytes, one a second: without a deadline from the connection,
# each byte would start the 3 s again and this would take 12 s.
vc --slow-version 1 --stop types --expect closed "$(target)" \
    >"$WORK/slow.out" 2>&1
diag "a client trickling its version: $(grep -E '^(outcome|elapsed)' "$WORK/slow.out" | tr '\n' ' ')"
check "is closed" grep -q "^outcome: closed" "$WORK/slow.out"
check "at about 3 s from the connection (--handshake-timeout 3)" \
    within "$WORK/slow.out" 2.5 4.5
vc --stop subtypes --hold 10 "$(target)" >"$WORK/stall.out" 2>&1
diag "a client that stops after the subtypes: $(grep 'closed by' "$WORK/stall.out")"
check "one that stops in the middle is closed at about 3 s too" \
    grep -qE "closed by the server after .* \((2\.[5-9]|3\.[0-9]|4\.[0-4])[0-9]* s from the connection\)" \
    "$WORK/stall.out"

# --- the idle timeout -----------------------------------------------------

vc --ca "$TLS/cert.pem" --user alice --password alice-pw --hold 8 \
    "$(target)" >"$WORK/idle.out" 2>&1
diag "a viewer that sends nothing: $(grep 'closed by' "$WORK/idle.out")"
check "a logged-in viewer that sends nothing is closed after about 2 s" \
    grep -qE "closed by the server after (1\.[5-9]|2\.[0-9]|3\.[0-4])[0-9]* s " \
    "$WORK/idle.out"
check "the log says why" grep -q "idle for 2 s" "$WORK/rampart.log"
check "one that keeps asking for updates stays (5 s)" \
    client --ca "$TLS/cert.pem" --user alice --password alice-pw \
    --expect "$FRAMES" --hold 5 "$(target)"

check "rampart is still running" rampart_alive
done_testing
