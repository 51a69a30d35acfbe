#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Keys and pointer events of a client reach the input helper as Linux key
# codes and absolute positions, in order; what a client holds is let go
# when it leaves.  The log sink writes one line per event.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
W=320 H=240
make_frames sparse $W $H 3 2 "$FRAMES"
INPUT_LOG=$WORK/input.log
rampart_start

# lines_of PREFIX: the log's lines starting with PREFIX.
lines_of() {
	grep "^$1" "$INPUT_LOG"
}

# wait_lines PREFIX N: until the log has N such lines (10 s at most).
has_lines() {
	[ "$(lines_of "$1" | wc -l)" -ge "$2" ]
}
wait_lines() {
	wait_until 10 has_lines "$1" "$2"
}

# compare DESCRIPTION EXPECTED ACTUAL
compare() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		diag "expected:" "$2" "got:" "$3"
	fi
}

# --- keys ---
check "a client sends keys" client --timeout 10 \
    --keys "a,A,8,asterisk,+Shift_L,asterisk,-Shift_L,KP_Multiply,KP_8" \
    "$(target)"
expected="key 30 KEY_A down
key 30 KEY_A up
key 42 KEY_LEFTSHIFT down
key 30 KEY_A down
key 42 KEY_LEFTSHIFT up
key 30 KEY_A up
key 9 KEY_8 down
key 9 KEY_8 up
key 42 KEY_LEFTSHIFT down
key 9 KEY_8 down
key 42 KEY_LEFTSHIFT up
key 9 KEY_8 up
key 42 KEY_LEFTSHIFT down
key 9 KEY_8 down
key 9 KEY_8 up
key 42 KEY_LEFTSHIFT up
key 55 KEY_KPASTERISK down
key 55 KEY_KPASTERISK up
key 72 KEY_KP8 down
key 72 KEY_KP8 up"
wait_lines key "$(echo "$expected" | wc -l)"
compare "a A 8 * Shift+* KP_Multiply KP_8 arrive as these key codes, in order" \
    "$expected" "$(lines_of key)"

# --- pointer ---
# x * 65535 / (width - 1), y likewise: the absolute axis of the input side.
ax() { echo $(($1 * 65535 / (W - 1))); }
ay() { echo $(($1 * 65535 / (H - 1))); }
: >"$WORK/before"
check "a client sends pointer events" client --timeout 10 \
    --pointer "10,20,0;319,239,1;319,239,0;160,120,8;160,120,0;160,120,16;160,120,0;100,50,4;100,50,0" \
    "$(target)"
expected="pointer $(ax 10) $(ay 20) buttons=0x00 wheel=0 hwheel=0
pointer 65535 65535 buttons=0x01 wheel=0 hwheel=0
pointer 65535 65535 buttons=0x00 wheel=0 hwheel=0
pointer $(ax 160) $(ay 120) buttons=0x00 wheel=1 hwheel=0
pointer $(ax 160) $(ay 120) buttons=0x00 wheel=-1 hwheel=0
pointer $(ax 100) $(ay 50) buttons=0x04 wheel=0 hwheel=0
pointer $(ax 100) $(ay 50) buttons=0x00 wheel=0 hwheel=0"
wait_lines pointer "$(echo "$expected" | wc -l)"
sleep 0.3
# A server may repeat an unchanged position; a repeated line says nothing.
compare "moves, left click, wheel up/down and right click, scaled to 0..65535" \
    "$expected" "$(lines_of pointer | uniq)"

# The pointer is one, however many clients: a second client's move to
# the corner must arrive even though it is that client's first event.
n=$(lines_of pointer | wc -l)
check "another client moves the pointer to the top-left corner" \
    client --timeout 10 --pointer "0,0,0" "$(target)"
wait_lines pointer $((n + 1))
compare "the move to (0,0) arrives" "pointer 0 0 buttons=0x00 wheel=0 hwheel=0" \
    "$(lines_of pointer | tail -n +$((n + 1)) | uniq)"

# --- keys held at disconnect ---
n=$(lines_of key | wc -l)
check "a client presses b and Shift+C and leaves without letting go" \
    client --timeout 10 --keys "+b,+Shift_L,+C" "$(target)"
wait_lines key $((n + 6))
sleep 0.3
got=$(lines_of key | tail -n +$((n + 1)))
compare "its presses arrive" "key 48 KEY_B down
key 42 KEY_LEFTSHIFT down
key 46 KEY_C down" "$(echo "$got" | head -n 3)"
compare "and all three keys are released, nothing else" \
    "key 42 KEY_LEFTSHIFT up
key 46 KEY_C up
key 48 KEY_B up" "$(echo "$got" | tail -n +4 | sort)"

# A held left button is let go as well.
n=$(lines_of pointer | wc -l)
check "a client holds the left button and leaves" \
    client --timeout 10 --pointer "30,30,1" "$(target)"
wait_lines pointer $((n + 2))
compare "the button is released when it leaves" \
    "pointer $(ax 30) $(ay 30) buttons=0x00 wheel=0 hwheel=0" \
    "$(lines_of pointer | tail -n 1)"

# A keysym with no key on the layout (é on US) is dropped, and the log
# says so once, however often it comes.
if command -v python3 >/dev/null; then
	keys_before=$(lines_of key | wc -l)
	check "a client types é five times" python3 \
	    "$top_srcdir/tests/client/flood.py" 127.0.0.1 "$PORT" keysym 5 e9
	check "a second client types it again" python3 \
	    "$top_srcdir/tests/client/flood.py" 127.0.0.1 "$PORT" keysym 5 e9
	sleep 0.5
	n=$(grep -c 'keysym 0x00e9 has no key on the us layout' "$WORK/rampart.log")
	check "the log says once that é has no key ($n lines)" test "$n" -eq 1
	check "and no key reached the sink" \
	    test "$(lines_of key | wc -l)" -eq "$keys_before"
else
	skip "unknown keysyms (python3 is not installed)"
fi

# A flood of keys from one client: another client's key waits behind no
# more of it than the queue towards the input helper holds (the broker
# stops reading a client while the helper is behind), not behind the flood.
if command -v python3 >/dev/null; then
	n0=$(lines_of key | wc -l)
	rm -f "$WORK/go"
	python3 "$top_srcdir/tests/client/flood.py" 127.0.0.1 "$PORT" behind 0 \
	    7a "$INPUT_LOG" "$WORK/go" >"$WORK/behind.out" 2>&1 &
	other=$!
	sleep 0.5
	python3 "$top_srcdir/tests/client/flood.py" 127.0.0.1 "$PORT" keysym \
	    50000 61 >"$WORK/flood.out" 2>&1 &
	flood=$!
	wait_lines key $((n0 + 2000))
	touch "$WORK/go"
	wait "$other"
	ahead=$(sed -n 's/^behind //p' "$WORK/behind.out")
	# 1024 messages queued at most, and what the socket holds.
	check "during the flood another client's z waited behind ${ahead:-?} of its key events (at most 2048)" \
	    test "${ahead:-999999}" -le 2048
	wait "$flood"
	total=$(lines_of key | tail -n +$((n0 + 1)) | grep -c KEY_A)
	check "and the flood arrived whole: $total of 100000 events" \
	    test "$total" -eq 100000
else
	skip "a flood of keys (python3 is not installed)"
fi

check "rampart is still running" rampart_alive
done_testing
