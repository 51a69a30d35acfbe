#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input over VeNCrypt, with real accounts: a client that picks a
# security type or subtype that was not offered, speaks VeNCrypt 0.1 or
# 1.0, sends bytes before the TLS handshake, sends garbage instead of a
# ClientHello, announces Plain lengths above 1024 or puts a NUL in its
# user name is closed, with a reason where the protocol has one; after
# logging in over TLS, an unknown message type is closed and a
# SetEncodings that stops halfway harms nobody (the idle timeout closes
# it).  Through all of it a controller and an observer stay connected
# and keep getting frames, and nothing reaches the input log.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
USERS=$WORK/users
TLS=$WORK/tls
PASSWD=$top_builddir/rampart-passwd
INPUT_LOG=$WORK/input.log
LOG=$WORK/rampart.log
IDLE=5

for u in alice:control carol:control bob:view; do
	printf '%s-pw\n' "${u%%:*}" |
	    "$PASSWD" --file "$USERS" add "${u%%:*}" --role "${u#*:}" ||
	    bail_out "rampart-passwd add $u"
done

vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 \
	    --ca "$TLS/cert.pem" "$@" "$(target)"
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

# exited_with PID STATUS: wait for it (30 s at most) and compare.
exited_with() {
	local rc
	wait_until 30 gone "$1" || { echo "still running"; return 1; }
	wait "$1"
	rc=$?
	[ "$rc" -eq "$2" ] || { echo "exit $rc, not $2"; return 1; }
}

AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS" --idle-timeout "$IDLE"
unset AUTH_ARGS
broker=$(helper_pid rampart-broker)

# The canaries: a controller and an observer, logged in before the
# first offender; once $WORK/go exists each must see 3 distinct frames
# of the replay and exit 0 (1 if the server closed it before).
for u in carol bob; do
	spawn client --ca "$TLS/cert.pem" --user "$u" --password "$u-pw" \
	    --expect "$FRAMES" --wait-file "$WORK/go" --expect-distinct 3 \
	    --timeout 300 "$(target)" >"$WORK/$u.out" 2>&1
	eval "$u=\$!"
	wait_until 15 grep -q "^waiting for" "$WORK/$u.out" ||
	    fail "the canary $u is in"
done

# offend DESC OUTCOME LOGLINE ARGS...: vencrypt.py with ARGS, staying
# 3 s at the end; its outcome must start with OUTCOME, the server must
# have closed the connection, the broker's log must have a line matching
# LOGLINE (a grep -E pattern) from then on, and both canaries must still
# be connected.
N=0
offend() {
	local desc=$1 outcome=$2 logline=$3 out from
	shift 3
	N=$((N + 1))
	out=$WORK/offender.$N.out
	from=$(($(wc -l <"$LOG") + 1))
	vc --hold 3 "$@" >"$out" 2>&1
	if grep -q "^outcome: $outcome" "$out" &&
	    grep -q "^closed by the server" "$out"; then
		pass "$desc: $(sed -n 's/^outcome: //p' "$out")"
	else
		fail "$desc: outcome '$outcome', then closed"
		diag "vencrypt.py $*"
		sed 's/^/#   /' "$out"
	fi
	wait_until 5 sh -c "tail -n +$from '$LOG' | grep -qE '$logline'"
	if tail -n +"$from" "$LOG" | grep -qE "$logline"; then
		pass "$desc: the log says why"
	else
		fail "$desc: the log says why"
		diag "no line matching: $logline"
		tail -n +"$from" "$LOG" | grep 'rampart-broker' | tail -n 5 |
		    sed 's/^/#   /'
	fi
	check "$desc: the canaries stay connected" \
	    sh -c "kill -0 $carol && kill -0 $bob"
}

CLOSED='client [0-9]+ \(127\.0\.0\.1:[0-9]+\): closed: '
REFUSED='client [0-9]+ \(127\.0\.0\.1:[0-9]+\): refused: '

# --- the handshake ----------------------------------------------------------

offend "security type None (1), not offered" \
    "failed: security type not offered" "${REFUSED}security type 1 not offered|${REFUSED}.*not offered" \
    --type 1
offend "VNC authentication (2), not offered" \
    "failed: security type not offered" "${REFUSED}.*not offered" \
    --type 2
offend "an unknown security type (30)" \
    "failed: security type not offered" "${REFUSED}.*not offered" \
    --type 30
offend "VeNCrypt subtype TLSPlain (259), not offered" \
    "closed: subtype refused (0)" "${REFUSED}VeNCrypt subtype 259 not offered" \
    --subtype tlsplain
offend "VeNCrypt subtype X509None (260), not offered" \
    "closed: subtype refused (0)" "${REFUSED}VeNCrypt subtype 260 not offered" \
    --subtype x509none
offend "an unknown VeNCrypt subtype (999)" \
    "closed: subtype refused (0)" "${REFUSED}VeNCrypt subtype 999 not offered" \
    --subtype 999
offend "VeNCrypt 0.1" \
    "closed: VeNCrypt version refused (255)" "${REFUSED}VeNCrypt 0\.1 " \
    --vencrypt-version 0.1
offend "VeNCrypt 1.0" \
    "closed: VeNCrypt version refused (255)" "${REFUSED}VeNCrypt 1\.0 " \
    --vencrypt-version 1.0
# Plain's lengths and credentials, pipelined with the subtype before
# the TLS handshake: the server must not take them.
offend "bytes before the TLS handshake (pipelined Plain)" \
    "closed: " "${REFUSED}sent bytes before the TLS handshake" \
    --user alice --password alice-pw \
    --pipeline "00000005 00000008 616c696365 616c6963652d7077"
offend "an HTTP request instead of a ClientHello" \
    "closed: end of connection" "${CLOSED}TLS: " \
    --tls-garbage "474554202f20485454502f312e310d0a0d0a"
offend "binary garbage instead of a ClientHello" \
    "closed: " "${CLOSED}TLS: " \
    --tls-garbage "$(printf '00ff7f80%.0s' $(seq 16))"
# A well-framed TLS record whose handshake message is of no known type.
offend "a TLS record of an unknown handshake message instead of a ClientHello" \
    "closed: " "${CLOSED}TLS: " \
    --tls-garbage "16 0301 0008 ff 000004 00000000"
offend "a Plain user name of 1025 bytes (announced)" \
    "failed: user name or password longer than 1024 bytes" \
    "${REFUSED}user name or password longer than 1024 bytes" \
    --user alice --password alice-pw --plain-lengths 1025,8
offend "a Plain password of 1025 bytes (announced)" \
    "failed: user name or password longer than 1024 bytes" \
    "${REFUSED}user name or password longer than 1024 bytes" \
    --user alice --password alice-pw --plain-lengths 5,1025
offend "Plain lengths of 4 GiB - 1" \
    "failed: user name or password longer than 1024 bytes" \
    "${REFUSED}user name or password longer than 1024 bytes" \
    --user alice --password alice-pw --plain-lengths 4294967295,4294967295
offend "a NUL byte in the user name (alice\\0)" \
    "failed: NUL byte in user name or password" \
    "${REFUSED}NUL byte in user name or password" \
    --user alice --user-hex 00 --password alice-pw
offend "a NUL byte inside the user name (al\\0ice)" \
    "failed: NUL byte in user name or password" \
    "${REFUSED}NUL byte in user name or password" \
    --user al --user-hex 00696365 --password alice-pw
check "a control user who logs in right gets in, with the same tool" \
    vc --user alice --password alice-pw

# --- after logging in -------------------------------------------------------

offend "an unknown message type (0xfe) after logging in" \
    "ok" "${CLOSED}protocol error" \
    --user alice --password alice-pw --send "fe 00 00 00 00 00 00 00"
# 65535 encodings is legal; the rest of the message never comes: the
# broker waits for it as for any slow client, and the idle timeout ends it.
N=$((N + 1))
from=$(($(wc -l <"$LOG") + 1))
vc --user alice --password alice-pw --send "02 00 ffff 00000000" \
    --hold $((IDLE + 5)) >"$WORK/offender.$N.out" 2>&1
t=$(sed -n 's/^closed by the server after \([0-9.]*\) s.*/\1/p' \
    "$WORK/offender.$N.out")
diag "SetEncodings of 65535 that stopped: closed ${t:-never} s after ServerInit"
check "a SetEncodings of 65535 encodings that stops after one: closed by the idle timeout ($IDLE s), not before" \
    awk -v t="${t:-99}" -v i="$IDLE" 'BEGIN { exit !(t >= i - 0.5 && t <= i + 2) }'
check "the log says why" sh -c \
    "tail -n +$from '$LOG' | grep -qE '${CLOSED}idle for $IDLE s'"
check "the canaries stay connected" sh -c "kill -0 $carol && kill -0 $bob"

# --- the canaries -----------------------------------------------------------

touch "$WORK/go"
check "the controller canary (carol) was connected throughout and still gets frames" \
    exited_with "$carol" 0 || diag_file "$WORK/carol.out" 10
check "the observer canary (bob) too" \
    exited_with "$bob" 0 || diag_file "$WORK/bob.out" 10
check "nothing reached the input log" test ! -s "$INPUT_LOG"
check "the broker is the same process" \
    test "$(helper_pid rampart-broker)" = "$broker"
check "rampart is still running" rampart_alive
done_testing
