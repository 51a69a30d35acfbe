#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP, as an administrator uses it on a running rampart: a user removed
# from the users file while logged in is disconnected within 1 s and the
# other viewers stay; a user whose role became view keeps its connection
# but its keys stop reaching the input log, and the audit log says so;
# a new certificate and key (same paths) is what new connections get,
# while connected viewers stay; a broken users file changes nothing (the
# old accounts still log in) and the log says why.
. "$top_srcdir/tests/integration/lib.sh"

command -v openssl >/dev/null || skip_all "no openssl"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
USERS=$WORK/users
CERT=$WORK/cert.pem
KEY=$WORK/key.pem
PASSWD=$top_builddir/rampart-passwd
INPUT_LOG=$WORK/input.log
LOG=$WORK/rampart.log

for u in alice:control carol:control bob:view dave:control; do
	printf '%s-pw\n' "${u%%:*}" |
	    "$PASSWD" --file "$USERS" add "${u%%:*}" --role "${u#*:}" ||
	    bail_out "rampart-passwd add $u"
done

# new_cert CERT KEY: a self-signed EC P-256 pair for localhost and
# 127.0.0.1 (libvncclient checks the address against the names).
new_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -subj /CN=localhost -days 30 -keyout "$2" -out "$1" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    2>/dev/null || bail_out "openssl req"
}

# fingerprint CERT: its SHA-256, lower-case hex without colons, as
# vencrypt.py prints it.
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 |
	    sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f'
}

vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

# login USER [ARGS...]: USER logs in with vencrypt.py up to ServerInit.
login() {
	local u=$1
	shift
	vc --user "$u" --password "$u-pw" "$@" "$(target)"
}

# start_as USER OUT ARGS...: the test client as USER, in the background.
start_as() {
	local u=$1 out=$2
	shift 2
	spawn client --ca "$CERT" --user "$u" --password "$u-pw" \
	    "$@" "$(target)" >"$out" 2>&1
}

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

has_key() {
	grep -q "^key [0-9]* $1 down" "$INPUT_LOG"
}

# client_tag USER: the broker's tag of USER's newest login.
client_tag() {
	sed -n "s/^.*audit: \(client [0-9]* ([^)]*)\): logged in as $1 (.*/\1/p" \
	    "$LOG" | tail -n 1
}

now() {
	date +%s.%N
}

# hup: SIGHUP to rampart, and wait until the supervisor logged the reload.
HUPS=0
reloads() {
	grep -c "reloaded /dev/null" "$LOG"
}
more_reloads_than() {
	[ "$(reloads)" -gt "$1" ]
}
hup() {
	local n
	n=$(reloads)
	kill -HUP "$RAMPART_PID"
	HUPS=$((HUPS + 1))
	wait_until 10 more_reloads_than "$n" ||
	    diag "no 'reloaded' line after SIGHUP $HUPS"
}

new_cert "$CERT" "$KEY"
FP1=$(fingerprint "$CERT")

AUTH_ARGS=
rampart_start --users "$USERS" --tls-cert "$CERT" --tls-key "$KEY"
unset AUTH_ARGS

# Two canaries, a controller and an observer, connected through every
# reload below; at the end each must see 3 distinct frames (the replay
# goes on) and exit 0.
start_as carol "$WORK/carol.out" --expect "$FRAMES" --wait-file "$WORK/go" \
    --expect-distinct 3 --timeout 120
carol=$!
start_as bob "$WORK/bob.out" --expect "$FRAMES" --wait-file "$WORK/go" \
    --expect-distinct 3 --timeout 120
bob=$!
wait_until 15 grep -q "^waiting for" "$WORK/carol.out" ||
    fail "the control canary (carol) is in"
wait_until 15 grep -q "^waiting for" "$WORK/bob.out" ||
    fail "the view canary (bob) is in"

# --- (a) a user removed while logged in -----------------------------------

vc --ca "$CERT" --user dave --password dave-pw --hold 30 "$(target)" \
    >"$WORK/dave.out" 2>&1 &
dave=$!
BG_PIDS="$BG_PIDS $dave"
wait_until 15 grep -q "^server-init" "$WORK/dave.out" ||
    fail "dave logged in"
check "dave is still connected before the reload" kill -0 "$dave"
check "rampart-passwd del dave" "$PASSWD" --file "$USERS" del dave
t0=$(now)
hup
wait_until 5 gone "$dave"
t1=$(now)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
diag "dave disconnected $took s after SIGHUP (polled every 0.1 s)"
check "the removed user dave is disconnected within 1 s of SIGHUP ($took s)" \
    awk -v t="$took" 'BEGIN { exit !(t <= 1.0) }'
check "dave's client saw the server close" \
    grep -q "^closed by the server" "$WORK/dave.out"
check "the audit log says dave was removed" \
    grep -q "audit: client [0-9]* ([^)]*): user dave was removed" "$LOG"
check "dave cannot log in again" \
    login dave --ca "$CERT" --expect "failed"
check "the canaries carol and bob stay connected" \
    sh -c "kill -0 $carol && kill -0 $bob"

# --- (b) control -> view while connected ----------------------------------

start_as alice "$WORK/alice.out" --keys 1 --wait-file "$WORK/alice-go" \
    --late-keys 2 --hold 1
alice=$!
check "alice (control) types" wait_until 15 has_key KEY_1
wait_until 15 grep -q "^waiting for" "$WORK/alice.out"
tag=$(client_tag alice)
check "rampart-passwd set alice --role view" \
    "$PASSWD" --file "$USERS" set alice --role view
hup
check "the audit log says alice is now view, on her connection ($tag)" \
    wait_until 5 grep -qF "audit: $tag: role of alice: control -> view" "$LOG"
touch "$WORK/alice-go"
wait_until 10 grep -q "^sent key 2" "$WORK/alice.out" ||
    fail "alice sent her key after the reload"
check "alice stayed connected through it (same connection, exit 0)" \
    exited_with "$alice" 0
check "alice logged in once: she did not reconnect" \
    test "$(grep -c "logged in as alice " "$LOG")" -eq 1
# A control user's key after hers: when it arrives, hers would have too.
check "carol's key arrives" \
    client --ca "$CERT" --user carol --password carol-pw --keys 3 --hold 1 \
    "$(target)"
wait_until 10 has_key KEY_3
check "carol's key 3 reached the input log" has_key KEY_3
check "alice's key after the reload never reached the input log" \
    sh -c "! grep -q 'KEY_2' '$INPUT_LOG'"

# --- (c) a new certificate and key -----------------------------------------

check "before: new connections get the first certificate" \
    login alice --ca "$CERT"
got=$(sed -n 's/^peer-cert: sha256 //p' "$WORK/check.$((TAP_N - 1)).out")
check "its fingerprint is openssl's ($got)" test "$got" = "$FP1"
start_as alice "$WORK/alice2.out" --expect "$FRAMES" \
    --wait-file "$WORK/go" --expect-distinct 3 --timeout 120
old=$!
wait_until 15 grep -q "^waiting for" "$WORK/alice2.out" ||
    fail "a viewer connected with the first certificate"
cp "$CERT" "$WORK/cert1.pem"
new_cert "$WORK/cert2.pem" "$WORK/key2.pem"
FP2=$(fingerprint "$WORK/cert2.pem")
# Replaced as an administrator would, whole files under the same names.
cp "$WORK/key2.pem" "$KEY.new" && mv "$KEY.new" "$KEY"
cp "$WORK/cert2.pem" "$CERT.new" && mv "$CERT.new" "$CERT"
test "$FP1" != "$FP2" || bail_out "openssl made the same certificate twice"
hup
check "after SIGHUP: new connections get the new certificate" \
    login alice --ca "$WORK/cert2.pem"
got=$(sed -n 's/^peer-cert: sha256 //p' "$WORK/check.$((TAP_N - 1)).out")
check "its fingerprint is the new one's, by openssl ($got)" \
    test "$got" = "$FP2"
check "a viewer trusting only the old certificate is refused the TLS" \
    login alice --ca "$WORK/cert1.pem" --expect "closed: TLS"
check "the log gives the new fingerprint" \
    grep -qi "fingerprint.*$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | sed 's/^.*=//')" "$LOG"
check "the viewer connected before stays" kill -0 "$old"

# --- (d) a broken users file -----------------------------------------------

printf 'eve-pw\n' | "$PASSWD" --file "$USERS" add eve --role control ||
    fail "rampart-passwd add eve"
cp "$USERS" "$WORK/users.good"
echo "this line is not an account" >>"$USERS"
hup
check "the log says why the users file was not taken" \
    wait_until 5 grep -q "reload: .*; the TLS material and accounts stay as they were" "$LOG"
grep "reload: " "$LOG" | tail -n 1 | sed 's/^/# /'
check "the old accounts still log in (alice)" login alice --ca "$CERT"
check "and carol" login carol --ca "$CERT"
check "eve, added with the broken line, is not in" \
    login eve --ca "$CERT" --expect "failed"
check "and dave, removed before, stays out" \
    login dave --ca "$CERT" --expect "failed"
cp "$WORK/users.good" "$USERS"
hup
check "the file mended, SIGHUP lets eve in" login eve --ca "$CERT"

# --- the canaries ----------------------------------------------------------

touch "$WORK/go"
check "the control canary (carol) was connected throughout and still gets frames" \
    exited_with "$carol" 0 || diag_file "$WORK/carol.out" 10
check "the view canary (bob) too" \
    exited_with "$bob" 0 || diag_file "$WORK/bob.out" 10
check "the viewer of the old certificate too" \
    exited_with "$old" 0 || diag_file "$WORK/alice2.out" 10
check "rampart is still running" rampart_alive
done_testing
