#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line and the configuration file, as a user meets them:
# both option forms, keys from the file, the command line winning, clear
# errors for what is wrong, and a clean stop of all four processes.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"

out=$WORK/out
"$RAMPART" --version >"$out" 2>&1
check "--version names the version" grep -qx 'rampart [0-9][0-9.]*' "$out"
"$RAMPART" --help >"$out" 2>&1
check "--help lists --listen" grep -q -- '--listen tcp:ADDR:PORT' "$out"
"$RAMPART" --no-such-option >"$out" 2>&1
rc=$?
check "an unknown option exits 2 with the usage" \
    test $rc -eq 2 -a -n "$(grep 'usage: rampart' "$out")"
"$RAMPART" --config "$WORK/missing.conf" >"$out" 2>&1
rc=$?
check "a missing --config file exits 2, naming it" \
    test $rc -eq 2 -a -n "$(grep 'missing.conf' "$out")"
printf 'listen = tcp:127.0.0.1:1\nfrobnicate = yes\n' >"$WORK/bad.conf"
"$RAMPART" --config "$WORK/bad.conf" >"$out" 2>&1
rc=$?
check "an unknown key exits 2, naming file and line" \
    test $rc -eq 2 -a -n "$(grep 'bad.conf:2: unknown key "frobnicate"' "$out")"
"$RAMPART" --config /dev/null --capture=v4l3:/dev/video0 >"$out" 2>&1
rc=$?
check "an unknown capture source exits 2" \
    test $rc -eq 2 -a -n "$(grep 'unknown capture source' "$out")"
"$RAMPART" --config /dev/null --listen=tcp:127.0.0.1:notaport >"$out" 2>&1
rc=$?
check "a bad listen address is refused, naming it" \
    test $rc -ne 0 -a -n "$(grep 'notaport' "$out")"

# A bad replay file: rampart says why and exits instead of serving.
printf 'NOTFRAMES%055d' 0 >"$WORK/bad.frames"
PORT=$(free_port)
timeout 20 "$RAMPART" --foreground --config /dev/null \
    --listen "tcp:127.0.0.1:$PORT" --capture "replay:$WORK/bad.frames" \
    >"$out" 2>&1
rc=$?
check "a bad replay file makes rampart exit non-zero" test $rc -ne 0 -a $rc -ne 124
check "and the reason is logged" grep -q 'bad magic' "$out"

# --opt=value, and the rest from a configuration file.
PORT=$(free_port)
cat >"$WORK/rampart.conf" <<CONF
# a comment, then keys as the long options
listen = tcp:127.0.0.1:$PORT
capture replay:$FRAMES
input = log:$WORK/conf-input.log
log-level = debug
foreground = yes
CONF
"$RAMPART" --config="$WORK/rampart.conf" 2>>"$WORK/rampart.log" &
RAMPART_PID=$!
if wait_until 10 port_listening "$PORT"; then
	pass "the configuration file's listen, capture and foreground are used"
else
	fail "the configuration file's listen, capture and foreground are used"
fi
check "a client sees the configured replay" \
    client --timeout 10 --expect "$FRAMES:1" "$(target)"
client --timeout 10 --keys a "$(target)" >/dev/null 2>&1
check "keys go to the configured input log" \
    wait_until 5 grep -qx 'key 30 KEY_A down' "$WORK/conf-input.log"

# SIGTERM stops everything.
helpers=$(pgrep -P "$RAMPART_PID" | tr '\n' ' ')
check "three helpers run under the supervisor" test "$(echo $helpers | wc -w)" -eq 3
kill -TERM "$RAMPART_PID"
wait_until 10 sh -c "! kill -0 $RAMPART_PID 2>/dev/null"
check "SIGTERM stops the supervisor" sh -c "! kill -0 $RAMPART_PID 2>/dev/null"
left=
for pid in $helpers; do
	kill -0 "$pid" 2>/dev/null && left="$left $pid"
done
check "and every helper" test -z "$left"
wait "$RAMPART_PID"
check "with exit status 0" test $? -eq 0
RAMPART_PID=

# The command line wins over the file.
PORT2=$(free_port)
"$RAMPART" --config "$WORK/rampart.conf" --listen "tcp:127.0.0.1:$PORT2" \
    2>>"$WORK/rampart.log" &
RAMPART_PID=$!
check "--listen on the command line replaces the file's" \
    wait_until 10 port_listening "$PORT2"
check "and the file's address is not used" \
    test -z "$(ss -Htln "sport = :$PORT")"
done_testing
