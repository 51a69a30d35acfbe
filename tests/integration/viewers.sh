#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real viewers, TigerVNC's vncviewer and gtk-vnc's gvncviewer, each on an
# X server of its own (Xvfb), with their default settings: what they draw
# is the frame rampart serves, to a PSNR floor (both ask for Tight with
# JPEG; viewer-encodings.sh checks the lossless encodings pixel for pixel),
# and what xdotool types and clicks into them reaches the input log as the
# right keys, with the right shift state, and as scaled positions and
# buttons.
. "$top_srcdir/tests/integration/lib.sh"

XWDCMP=$top_builddir/tests/client/xwd-compare
[ -x "$XWDCMP" ] || bail_out "$XWDCMP is not built"
for tool in Xvfb xwd xdotool; do
	command -v $tool >/dev/null ||
	    skip_all "$tool is not installed (packages xvfb, x11-apps, xdotool)"
done
command -v vncviewer >/dev/null || command -v gvncviewer >/dev/null ||
    skip_all "no VNC viewer (packages tigervnc-viewer, gvncviewer)"

W=320 H=240
# rampart replays one frame; frame 0 of the two here is that frame, frame
# 1 differs from it in a box: what a check must tell apart (at 20 dB, far
# under the floor).
FRAMES=$WORK/screen.frames
OTHER=$WORK/two.frames
FLOOR=30
make_frames photo $W $H 1 1 "$FRAMES"
make_frames photo $W $H 2 1 "$OTHER"
INPUT_LOG=$WORK/input.log
rampart_start

viewer_home

connections() {
	grep -c '): connected' "$WORK/rampart.log"
}
connected_since() {
	[ "$(connections)" -gt "$1" ]
}
departures() {
	grep -c '): closed' "$WORK/rampart.log"
}
departed_since() {
	[ "$(departures)" -gt "$1" ]
}

# screen_shows ARGS...: a screenshot of the whole screen to $WORK/shot.xwd
# and xwd-compare ARGS on it, to the floor; its verdict in
# $WORK/compare.out.
screen_shows() {
	xwd -root -silent >"$WORK/shot.xwd" 2>"$WORK/compare.out" &&
	    "$XWDCMP" "$@" --psnr $FLOOR "$WORK/shot.xwd" "$FRAMES" 0 \
	    >"$WORK/compare.out" 2>&1
}

# rejects ARGS... FRAMES INDEX: xwd-compare finds the last screenshot
# differs (exit 1 and says so), rather than failing to read it (exit 2).
rejects() {
	local rc
	"$XWDCMP" "$1" --psnr $FLOOR "$WORK/shot.xwd" "$2" "$3"
	rc=$?
	[ $rc -eq 1 ] || { echo "xwd-compare exited $rc, not 1"; return 1; }
}

# The keys pressed since line N of the input log, each as KEY_X or
# shift+KEY_X when a shift key was held at the time, on one line; on the
# next, "held:" and what is still down.
key_summary() {
	tail -n +"$1" "$INPUT_LOG" | awk '
	$1 != "key" { next }
	$4 == "down" { down[$3] = 1 }
	$4 == "up" { delete down[$3] }
	$3 == "KEY_LEFTSHIFT" || $3 == "KEY_RIGHTSHIFT" { next }
	$4 == "down" {
		shifted = ("KEY_LEFTSHIFT" in down) || ("KEY_RIGHTSHIFT" in down)
		s = shifted ? "shift+" : ""
		out = out sep s $3
		sep = " "
	}
	END {
		printf "%s\nheld:", out
		for (k in down)
			printf " %s", k
		printf "\n"
	}'
}
keys_done() {
	[ "$(key_summary "$1")" = "$2" ]
}

# in_order N EXPECTED: the lines of EXPECTED are among the input log's
# lines from line N on, in that order (others may come between).
in_order() {
	tail -n +"$1" "$INPUT_LOG" | WANT=$2 awk '
	BEGIN { n = split(ENVIRON["WANT"], w, "\n"); i = 1 }
	i <= n && $0 == w[i] { i++ }
	END { exit (i <= n) }'
}

ax() { echo $(($1 * 65535 / (W - 1))); }
ay() { echo $(($1 * 65535 / (H - 1))); }

# viewer_checks NAME XW XH OFFSET COMMAND...: the checks for one viewer,
# on an XW x XH screen; OFFSET is where the frame must show ("any" when
# the viewer places it as it likes).
viewer_checks() {
	local name=$1 xw=$2 xh=$3 where=$4 before pid ox oy n expected
	shift 4
	xvfb_start "$xw" "$xh"
	diag "$name on $DISPLAY (${xw}x${xh})"
	before=$(connections)
	spawn "$@" >"$WORK/$name.log" 2>&1
	pid=$!
	if wait_until 10 connected_since "$before"; then
		pass "$name connects to rampart"
	else
		fail "$name connects to rampart"
		diag_file "$WORK/$name.log"
	fi

	# Retried: the viewer may not have drawn everything yet.
	if wait_until 10 screen_shows --find; then
		read -r ox oy <"$WORK/compare.out"
		pass "$name shows the served frame, at $ox,$oy"
	else
		fail "$name shows the served frame"
		sed 's/^/#   /' "$WORK/compare.out"
		"$XWDCMP" --at "${where/any/0,0}" --psnr $FLOOR \
		    "$WORK/shot.xwd" "$FRAMES" 0 |
		    sed 's/^/#   /'
		ox=0 oy=0
	fi
	if [ "$where" != any ]; then
		check "$name maps the frame 1:1 at $where" \
		    "$XWDCMP" --at "$where" --psnr $FLOOR "$WORK/shot.xwd" \
		    "$FRAMES" 0
	fi
	check "the comparison tells frame 1 from what $name shows" \
	    rejects --at="$ox,$oy" "$OTHER" 1
	check "and does not find frame 1 anywhere on the screen" \
	    rejects --find "$OTHER" 1

	# Keys.  xdotool presses Shift itself for '*'; rampart adds it for
	# an asterisk that comes without.  Either way: KEY_8 under shift.
	xdotool mousemove $((ox + W / 2)) $((oy + H / 2))
	sleep 0.2
	n=$(($(wc -l <"$INPUT_LOG") + 1))
	xdotool type --delay 30 'a*8'
	xdotool key KP_Multiply
	xdotool key shift+a
	expected="KEY_A shift+KEY_8 KEY_8 KEY_KPASTERISK shift+KEY_A
held:"
	wait_until 10 keys_done "$n" "$expected"
	if [ "$(key_summary "$n")" = "$expected" ]; then
		pass "$name: a * 8 KP_Multiply Shift+a arrive as these keys, all let go"
	else
		fail "$name: a * 8 KP_Multiply Shift+a arrive as these keys, all let go"
		diag "expected:" "$expected" "got:" "$(key_summary "$n")" \
		    "log:" "$(tail -n +"$n" "$INPUT_LOG")"
	fi

	# Pointer: a left click, wheel up and down, a right click in the
	# bottom-right corner, at positions scaled to 0..65535.
	n=$(($(wc -l <"$INPUT_LOG") + 1))
	xdotool mousemove $((ox + 100)) $((oy + 50)) click 1
	xdotool mousemove $((ox + 160)) $((oy + 120)) click 4 click 5
	xdotool mousemove $((ox + W - 1)) $((oy + H - 1)) click 3
	expected="pointer $(ax 100) $(ay 50) buttons=0x01 wheel=0 hwheel=0
pointer $(ax 100) $(ay 50) buttons=0x00 wheel=0 hwheel=0
pointer $(ax 160) $(ay 120) buttons=0x00 wheel=1 hwheel=0
pointer $(ax 160) $(ay 120) buttons=0x00 wheel=-1 hwheel=0
pointer 65535 65535 buttons=0x04 wheel=0 hwheel=0
pointer 65535 65535 buttons=0x00 wheel=0 hwheel=0"
	if wait_until 10 in_order "$n" "$expected"; then
		pass "$name: left click, wheel up/down, right click arrive scaled"
	else
		fail "$name: left click, wheel up/down, right click arrive scaled"
		diag "expected, in this order:" "$expected" \
		    "got:" "$(tail -n +"$n" "$INPUT_LOG" | grep '^pointer')"
	fi

	if kill -0 "$pid" 2>/dev/null; then
		pass "$name is still running"
	else
		fail "$name is still running"
		diag_file "$WORK/$name.log"
	fi
	n=$(departures)
	stop "$pid"
	check "rampart sees $name leave" wait_until 10 departed_since "$n"
	stop "$XVFB_PID"
}

# Full screen on a screen of the frame's size: the frame fills it.
if command -v vncviewer >/dev/null; then
	viewer_checks vncviewer $W $H 0,0 vncviewer -FullScreen -Shared \
	    -MenuKey= -ReconnectOnError=0 -AlertOnFatalError=0 \
	    -RemoteResize=0 "127.0.0.1::$PORT"
else
	skip "vncviewer is not installed (package tigervnc-viewer)"
fi

# A window with a menu bar, placed by nobody (no window manager): the
# frame shows below the menu, wherever that is.  Display N is port 5900+N.
if command -v gvncviewer >/dev/null; then
	viewer_checks gvncviewer 640 480 any gvncviewer \
	    "127.0.0.1:$((PORT - 5900))"
else
	skip "gvncviewer is not installed (package gvncviewer)"
fi

check "rampart is still running" rampart_alive
done_testing
