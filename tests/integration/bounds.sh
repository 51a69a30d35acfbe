#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What one hostile client can cost, against the real rampart: bare
# connections do not wake the capture helper, a pointer flood reaches the
# input helper coalesced, a key flood is throttled but never loses a key,
# a client that asks for replies without reading them is closed within its
# budget, and a stopped helper stalls nobody.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
FLOOD="python3 $top_srcdir/tests/client/flood.py"
FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 5 "$FRAMES"
rampart_start
LOG=$WORK/rampart.log

resumes() {
	grep -c 'capture resumed' "$LOG"
}

# 1. Bare connections: no handshake, no capture.
check "a first viewer sees frames" \
    client --timeout 10 --expect "$FRAMES" "$(target)"
wait_until 5 grep -q 'capture paused' "$LOG"
before=$(resumes)
check "200 bare connections" $FLOOD 127.0.0.1 "$PORT" connect 200
sleep 0.5
after=$(resumes)
check "do not wake the capture helper (resumed $before, then $after)" \
    test "$before" -eq "$after"

# 2. A pointer flood: coalesced to what a mouse reports.
input=$(helper_pid rampart-input)
cpu() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
cpu0=$(cpu "$input")
size0=$(stat -c %s "$INPUT_LOG")
check "a client sends 300000 pointer events" \
    $FLOOD 127.0.0.1 "$PORT" pointer 300000
sleep 0.5
cpu1=$(cpu "$input")
lines=$(($(tail -c +$((size0 + 1)) "$INPUT_LOG" | grep -c '^pointer')))
diag "pointer lines in the sink: $lines, input helper CPU: $((cpu1 - cpu0)) ticks"
check "the sink gets them coalesced ($lines lines)" test "$lines" -lt 3000
check "the input helper spent under a second on them" \
    test $((cpu1 - cpu0)) -lt "$(getconf CLK_TCK)"
check "the newest position arrives last" \
    sh -c "tail -n 3 '$INPUT_LOG' | grep -q '^pointer 1438 2467 '"

# 3. A key flood while the input helper is stopped: the broker is not
# blocked (another viewer is served), and no key is lost.
kill -STOP "$input"
spawn $FLOOD 127.0.0.1 "$PORT" keys 3000
flooder=$!
sleep 1
check "a viewer is served while the input helper is stopped" \
    client --timeout 10 --expect "$FRAMES" "$(target)"
kill -CONT "$input"
wait "$flooder"
keys_arrived() {
	[ "$(grep -c '^key .* down$' "$INPUT_LOG")" -ge 3000 ]
}
check "every one of 3000 key presses arrives once it goes on" \
    wait_until 20 keys_arrived
diag "key presses in the sink: $(grep -c '^key .* down$' "$INPUT_LOG")"

# 4. A capture helper that stops reading stalls nobody either.
capture=$(helper_pid rampart-capture)
kill -STOP "$capture"
check "a viewer is served while the capture helper is stopped" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 1 "$(target)"
kill -CONT "$capture"

# 5. Colour-map replies asked for and never read.
broker=$(helper_pid rampart-broker)
rss0=$(vm_rss "$broker")
check "a client that floods colour-map requests without reading is closed" \
    $FLOOD 127.0.0.1 "$PORT" colourmap 100000
rss1=$(vm_rss "$broker")
diag "broker RSS $rss0 KiB, then $rss1 KiB"
check "the broker grew by less than 16 MiB" test $((rss1 - rss0)) -lt 16384
check "and the log says why" grep -q 'asks for replies without reading them' "$LOG"

# 6. A broker that stops reading cannot stall the supervisor (root): every
# SIGHUP sends it the log level, and while it is stopped they queue, up to
# the broker's limit; then the supervisor drops it and starts a new one.
broker=$(helper_pid rampart-broker)
kill -STOP "$broker"
for i in $(seq 3000); do
	kill -HUP "$RAMPART_PID"
	sleep 0.002
	grep -q 'rampart-broker channel: .*not reading' "$LOG" && break
done
diag "$i SIGHUPs sent to rampart"
check "the supervisor drops a broker that does not read" \
    grep -q 'rampart-broker channel: rampart-broker is not reading' "$LOG"
kill -CONT "$broker" 2>/dev/null
newer_broker() {
	local p
	p=$(helper_pid rampart-broker)
	[ -n "$p" ] && [ "$p" != "$broker" ]
}
check "and starts a new one" wait_until 10 newer_broker
check "which serves viewers" \
    client --timeout 15 --expect "$FRAMES" "$(target)"

check "rampart is still running" rampart_alive
done_testing
