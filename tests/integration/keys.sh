#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The broker's key path with real clients, the log sink showing the key
# codes that reached the input helper: layouts (de, fr) from XKB data, dead
# keys, QEMU Extended Key Events (libvncclient, and TigerVNC's vncviewer
# driven by xdotool) passing through whatever the layout, LED state from
# the input helper to viewers (QEMU's and VMware's), ExtendedMouseButtons
# and the 8 RFB buttons, paste as typing, keys released across clients and
# when a client is killed, and a layout that does not exist.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
W=320 H=240
make_frames sparse $W $H 3 2 "$FRAMES"
INPUT_LOG=$WORK/input.log
# The log sink's LEDs: what is written here is what the target set.
LEDS=$INPUT_LOG.leds
mkfifo "$LEDS" || bail_out "mkfifo"

lines_of() {
	grep "^$1" "$INPUT_LOG"
}
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
# keys_after N COUNT: the key lines after the first N, waiting for COUNT.
keys_after() {
	wait_lines key $(($1 + $2))
	sleep 0.2
	lines_of key | tail -n +$(($1 + 1))
}
nkeys() {
	lines_of key | wc -l
}
ax() { echo $(($1 * 65535 / (W - 1))); }
ay() { echo $(($1 * 65535 / (H - 1))); }

# --- a layout that does not exist ---
port=$(free_port) || bail_out "no free port"
timeout 100 "$RAMPART" --foreground --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$port" --capture "replay:$FRAMES" \
    --input "log:$WORK/none.log" --keyboard-layout zz \
    >"$WORK/zz.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'keyboard layout "zz"' "$WORK/zz.out"; then
	pass "--keyboard-layout zz: rampart does not start (exit $rc), the log names the layout"
else
	fail "--keyboard-layout zz: rampart does not start, the log names the layout"
	diag "exit $rc"
	diag_file "$WORK/zz.out"
fi

# --- de ---
rampart_start --keyboard-layout de --paste-as-typing
check "the broker compiled the de layout" \
    grep -q 'keyboard layout de$' "$WORK/rampart.log"

n=$(nkeys)
check "keysyms @ € ä < | z y on de" client --timeout 10 \
    --keys "@,0x20ac,0xe4,<,|,z,y" "$(target)"
compare "they arrive as the keys and AltGr that type them on de" \
"key 100 KEY_RIGHTALT down
key 16 KEY_Q down
key 100 KEY_RIGHTALT up
key 16 KEY_Q up
key 100 KEY_RIGHTALT down
key 18 KEY_E down
key 100 KEY_RIGHTALT up
key 18 KEY_E up
key 40 KEY_APOSTROPHE down
key 40 KEY_APOSTROPHE up
key 86 KEY_102ND down
key 86 KEY_102ND up
key 100 KEY_RIGHTALT down
key 86 KEY_102ND down
key 100 KEY_RIGHTALT up
key 86 KEY_102ND up
key 21 KEY_Y down
key 21 KEY_Y up
key 44 KEY_Z down
key 44 KEY_Z up" "$(keys_after "$n" 20)"

n=$(nkeys)
check "the client holds AltGr and types @, then q" client --timeout 10 \
    --keys "+0xfe03,@,q,-0xfe03" "$(target)"
compare "@ under AltGr is Q alone; q under AltGr lifts it" \
"key 100 KEY_RIGHTALT down
key 16 KEY_Q down
key 16 KEY_Q up
key 100 KEY_RIGHTALT up
key 16 KEY_Q down
key 100 KEY_RIGHTALT down
key 16 KEY_Q up
key 100 KEY_RIGHTALT up" "$(keys_after "$n" 8)"

n=$(nkeys)
check "keysym é on de (a dead key there)" client --timeout 10 \
    --keys "0xe9" "$(target)"
compare "é is the dead acute key, then E" \
"key 13 KEY_EQUAL down
key 13 KEY_EQUAL up
key 18 KEY_E down
key 18 KEY_E up" "$(keys_after "$n" 4)"

# QEMU Extended Key Events: libvncclient asks for -258 on its own.  The
# scancodes of a US keyboard's Y (0x15) and of 2 (0x03, with the keysym
# '@') are those keys on de too: no layout, no AltGr.
n=$(nkeys)
check "libvncclient sends QEMU extended keys 0x15 (keysym y) and 0x03 (keysym @)" \
    client --timeout 10 --qemu-keys "0x15=y,0x03=@,0xcd=Right" "$(target)"
compare "the scancodes pass through unchanged: KEY_Y, KEY_2, KEY_RIGHT" \
"key 21 KEY_Y down
key 21 KEY_Y up
key 3 KEY_2 down
key 3 KEY_2 up
key 106 KEY_RIGHT down
key 106 KEY_RIGHT up" "$(keys_after "$n" 6)"
check "the broker confirmed QEMU Extended Key Event to it" \
    grep -q 'QEMU Extended Key Event confirmed' "$WORK/rampart.log"

# --- LEDs ---
echo 2 >"$LEDS"	# IPC_LED_CAPS_LOCK
check "a client offering QEMU LED State gets Caps Lock (0x04)" \
    client --timeout 10 --offer qemu-leds --expect-leds 4 "$(target)"
check "a client offering VMware LED State too" \
    client --timeout 10 --offer vmware-leds --expect-leds 4 "$(target)"
spawn client --timeout 10 --offer qemu-leds --expect-leds 4,3 "$(target)" \
    >"$WORK/leds.out" 2>&1
leds_pid=$!
wait_until 10 grep -q '^leds 0x04' "$WORK/leds.out"
echo 5 >"$LEDS"	# Num and Scroll Lock
if wait "$leds_pid"; then
	pass "a change while connected: Num and Scroll Lock (0x03) follow"
else
	fail "a change while connected: Num and Scroll Lock (0x03) follow"
	diag_file "$WORK/leds.out"
fi

# --- pointer buttons ---
n=$(lines_of pointer | wc -l)
check "ExtendedMouseButtons: left+forward, back, none (7-byte events)" \
    client --timeout 10 --offer ext-mouse \
    --ext-pointer "100,50,1,2;100,50,0,1;100,50,0,0" "$(target)"
wait_lines pointer $((n + 3))
compare "they arrive as left+extra, side, nothing" \
"pointer $(ax 100) $(ay 50) buttons=0x11 wheel=0 hwheel=0
pointer $(ax 100) $(ay 50) buttons=0x08 wheel=0 hwheel=0
pointer $(ax 100) $(ay 50) buttons=0x00 wheel=0 hwheel=0" \
    "$(lines_of pointer | tail -n +$((n + 1)) | uniq | head -n 3)"
n=$(lines_of pointer | wc -l)
check "RFB buttons 8 (back), 6 and 7 (wheel left, right)" client --timeout 10 \
    --pointer "20,20,128;20,20,0;20,20,32;20,20,0;20,20,64;20,20,0" "$(target)"
wait_lines pointer $((n + 4))
compare "they arrive as side, release, hwheel -1, hwheel +1" \
"pointer $(ax 20) $(ay 20) buttons=0x08 wheel=0 hwheel=0
pointer $(ax 20) $(ay 20) buttons=0x00 wheel=0 hwheel=0
pointer $(ax 20) $(ay 20) buttons=0x00 wheel=0 hwheel=-1
pointer $(ax 20) $(ay 20) buttons=0x00 wheel=0 hwheel=1" \
    "$(lines_of pointer | tail -n +$((n + 1)) | uniq | head -n 4)"

# --- paste as typing ---
n=$(nkeys)
check "a client pastes \"Hi!\\n\" and \"y@é<\"" client --timeout 10 \
    --cut-text 'Hi!\ny@\xe9<' --hold 1 "$(target)"
compare "typed on de: Shift+H, I, Shift+1, Enter, Z, AltGr+Q, dead acute+E, the ISO key" \
"key 42 KEY_LEFTSHIFT down
key 35 KEY_H down
key 35 KEY_H up
key 42 KEY_LEFTSHIFT up
key 23 KEY_I down
key 23 KEY_I up
key 42 KEY_LEFTSHIFT down
key 2 KEY_1 down
key 2 KEY_1 up
key 42 KEY_LEFTSHIFT up
key 28 KEY_ENTER down
key 28 KEY_ENTER up
key 44 KEY_Z down
key 44 KEY_Z up
key 100 KEY_RIGHTALT down
key 16 KEY_Q down
key 16 KEY_Q up
key 100 KEY_RIGHTALT up
key 13 KEY_EQUAL down
key 13 KEY_EQUAL up
key 18 KEY_E down
key 18 KEY_E up
key 86 KEY_102ND down
key 86 KEY_102ND up" "$(keys_after "$n" 24)"
check "the log says what was typed" \
    grep -q 'paste typed: 8 characters on the de layout, 0 skipped' "$WORK/rampart.log"

# --- keys across clients, and a client killed mid-chord ---
n=$(nkeys)
spawn client --timeout 10 --keys "+k" --hold 4 "$(target)" >/dev/null 2>&1
holder=$!
wait_lines key $((n + 1))
check "a second client releases the k the first holds" \
    client --timeout 10 --keys "-k" "$(target)"
wait "$holder"
sleep 0.3
compare "k goes up once, with the second client's release" \
"key 37 KEY_K down
key 37 KEY_K up" "$(lines_of key | tail -n +$((n + 1)))"

n=$(nkeys)
spawn client --timeout 10 --qemu-keys "+0x1d,+0x38,+0x20" --hold 20 "$(target)" \
    >"$WORK/chord.out" 2>&1
chord=$!
wait_lines key $((n + 3))
kill -KILL "$chord"
wait "$chord" 2>/dev/null
compare "Ctrl+Alt+D held by scancode, the client killed: all three released" \
"key 29 KEY_LEFTCTRL down
key 56 KEY_LEFTALT down
key 32 KEY_D down
key 32 KEY_D up
key 56 KEY_LEFTALT up
key 29 KEY_LEFTCTRL up" "$(keys_after "$n" 6)"

# --- TigerVNC's vncviewer: QEMU extended keys by default ---
if command -v vncviewer >/dev/null && command -v Xvfb >/dev/null &&
    command -v xdotool >/dev/null; then
	mkdir -p "$WORK/home"
	export HOME=$WORK/home NO_AT_BRIDGE=1
	unset XAUTHORITY WAYLAND_DISPLAY
	: >"$WORK/display"
	spawn Xvfb -displayfd 9 -screen 0 "${W}x${H}x24" -nolisten tcp \
	    -noreset 9>"$WORK/display" 2>>"$WORK/xvfb.log"
	wait_until 10 grep -qx '[0-9][0-9]*' "$WORK/display" ||
	    bail_out "Xvfb did not start"
	export DISPLAY=:$(cat "$WORK/display")
	before=$(grep -c 'QEMU Extended Key Event confirmed' "$WORK/rampart.log")
	spawn vncviewer -FullScreen -Shared -MenuKey= -ReconnectOnError=0 \
	    -AlertOnFatalError=0 -RemoteResize=0 "127.0.0.1::$PORT" \
	    >"$WORK/vncviewer.log" 2>&1
	confirmed() {
		[ "$(grep -c 'QEMU Extended Key Event confirmed' "$WORK/rampart.log")" -gt "$before" ]
	}
	check "vncviewer is confirmed QEMU Extended Key Event" wait_until 10 confirmed
	sleep 0.5
	xdotool mousemove $((W / 2)) $((H / 2))
	n=$(nkeys)
	# On the X server's US layout: the keys Z and Y, and Shift+2.  Sent
	# as scancodes they stay KEY_Z and KEY_Y on de (by keysym they would
	# swap) and '@' stays Shift+2 (by keysym it would be AltGr+Q).
	# (In whatever order xdotool lets go of Shift and 2.)
	xdotool type --delay 50 'zy@'
	compare "xdotool types z y @ into vncviewer: KEY_Z, KEY_Y, Shift+KEY_2, not de's keys" \
"key 44 KEY_Z down
key 21 KEY_Y down
key 42 KEY_LEFTSHIFT down
key 3 KEY_2 down
ups: 4" "$(keys_after "$n" 8 | grep down; echo "ups: $(keys_after "$n" 8 | grep -c ' up$')")"
else
	skip "vncviewer, Xvfb or xdotool is not installed"
fi

# --- fr ---
rampart_stop
PORT=
rampart_start --keyboard-layout fr
n=$(nkeys)
check "keysyms @ a 1 | on fr" client --timeout 10 --keys "@,a,1,|" "$(target)"
compare "AltGr+0, the key of Q, Shift+1, AltGr+6" \
"key 100 KEY_RIGHTALT down
key 11 KEY_0 down
key 100 KEY_RIGHTALT up
key 11 KEY_0 up
key 16 KEY_Q down
key 16 KEY_Q up
key 42 KEY_LEFTSHIFT down
key 2 KEY_1 down
key 42 KEY_LEFTSHIFT up
key 2 KEY_1 up
key 100 KEY_RIGHTALT down
key 7 KEY_6 down
key 100 KEY_RIGHTALT up
key 7 KEY_6 up" "$(keys_after "$n" 14)"
n=$(nkeys)
check "a paste on fr without --paste-as-typing" client --timeout 10 \
    --cut-text 'abc' --hold 1 "$(target)"
check "types nothing" test "$(nkeys)" -eq "$n"

check "rampart is still running" rampart_alive
done_testing
