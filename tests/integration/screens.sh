#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several monitors to viewers: the demo's two (demo:screens=2) are told,
# as RFB's ExtendedDesktopSize screens, to a viewer that announced it, and
# a request to change them is refused; a viewer that did not announce it
# sees one plain screen; TigerVNC's vncviewer shows the frame pixel for
# pixel, asks to resize and hears no, and so does gtk-vnc's gvncviewer;
# a bad N stops rampart with a reason.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
EDS="python3 $top_srcdir/tests/client/eds.py"
XWDCMP=$top_builddir/tests/client/xwd-compare
[ -x "$XWDCMP" ] || bail_out "$XWDCMP is not built"

# What the demo documents for screens=2 (capture/demo-screens.c): 101,
# 1024x768 at 0,0, and 102, 800x600 at its right, in a 1824x768 frame.
LAYOUT=101:1024x768+0+0,102:800x600+1024+0
W=1824 H=768
DUMP=$WORK/served.frames


# rampart_start puts a replay first; the later --capture is the one used.
FRAMES=$WORK/unused.frames
make_frames sparse 64 48 1 1 "$FRAMES"
rampart_start --capture demo:screens=2
check "rampart runs the demo of two monitors" \
    wait_until 10 grep -q "mode ${W}x${H} .*ring 1" "$WORK/rampart.log"

$EDS 127.0.0.1 "$PORT" screens "$LAYOUT" "$DUMP" >"$WORK/eds.out" 2>&1
tap_lines "$WORK/eds.out"
check "the broker says it refused the resize" \
    grep -q 'SetDesktopSize 1824x768 with 1 screens refused' \
    "$WORK/rampart.log"

$EDS 127.0.0.1 "$PORT" plain "$DUMP" >"$WORK/plain.out" 2>&1
tap_lines "$WORK/plain.out"
check "the broker says why it closed that one" \
    grep -q 'SetDesktopSize without ExtendedDesktopSize' "$WORK/rampart.log"

viewer_home

connections() {
	grep -c '): connected' "$WORK/rampart.log"
}
connected_since() {
	[ "$(connections)" -gt "$1" ]
}

# shows WHERE: a screenshot shows the frame eds.py was served at WHERE
# (X,Y, or "any": found anywhere, its place into $WORK/place).
shows() {
	xwd -root -silent >"$WORK/shot.xwd" || return 1
	if [ "$1" = any ]; then
		"$XWDCMP" --find "$WORK/shot.xwd" "$DUMP" 0 >"$WORK/place"
	else
		"$XWDCMP" --at "$1" "$WORK/shot.xwd" "$DUMP" 0
	fi
}

# viewer NAME XW XH WHERE COMMAND...: the viewer on an XW x XH X screen
# of its own shows both monitors at WHERE; its log in $WORK/NAME.log.
viewer() {
	local name=$1 xw=$2 xh=$3 where=$4 before tool
	shift 4
	for tool in Xvfb xwd "$1"; do
		if ! command -v "$tool" >/dev/null; then
			skip "$name on two monitors: $tool is not installed"
			return 1
		fi
	done
	: >"$WORK/display"
	spawn Xvfb -displayfd 9 -screen 0 "${xw}x${xh}x24" -nolisten tcp \
	    -noreset 9>"$WORK/display" 2>>"$WORK/xvfb.log"
	XVFB_PID=$!
	if ! wait_until 10 grep -qx '[0-9][0-9]*' "$WORK/display"; then
		diag_file "$WORK/xvfb.log"
		fail "Xvfb starts for $name"
		return 1
	fi
	export DISPLAY=:$(cat "$WORK/display")
	before=$(connections)
	spawn "$@" >"$WORK/$name.log" 2>&1
	VIEWER_PID=$!
	check "$name connects" wait_until 10 connected_since "$before"
	if wait_until 15 shows "$where"; then
		[ "$where" = any ] && where=$(tr ' ' , <"$WORK/place")
		pass "$name shows both monitors exactly as served, at $where"
	else
		fail "$name shows both monitors exactly as served"
		shows "$where" 2>&1 | sed 's/^/#   /'
		diag_file "$WORK/$name.log"
	fi
	return 0
}

# TigerVNC's, full screen on an X screen of the frame's size.  It asks
# (RemoteResize, its default) for one screen the size of its own, is
# refused, and goes on showing the two.
if viewer vncviewer $W $H 0,0 vncviewer -FullScreen -Shared -MenuKey= \
    -ReconnectOnError=0 -AlertOnFatalError=0 "127.0.0.1::$PORT"; then
	check "it asked for one screen of its size and was refused (status 1)" \
	    wait_until 10 grep -q 'SetDesktopSize failed: 1' \
	    "$WORK/vncviewer.log"
	check "vncviewer is still running" kill -0 "$VIEWER_PID"
	check "and still shows both monitors" shows 0,0
	stop "$VIEWER_PID"
	stop "$XVFB_PID"
fi

# gtk-vnc's, in a window below its menu, wherever that is.
if viewer gvncviewer 1900 900 any gvncviewer \
    "127.0.0.1:$((PORT - 5900))"; then
	check "gvncviewer is still running" kill -0 "$VIEWER_PID"
	stop "$VIEWER_PID"
	stop "$XVFB_PID"
fi
check "rampart is still running" rampart_alive

# N outside 1..4: the capture helper cannot start; rampart says why.
rampart_stop
PORT=$(free_port)
timeout 20 "$RAMPART" --foreground --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$PORT" --capture demo:screens=5 \
    >"$WORK/bad.out" 2>&1
rc=$?
check "demo:screens=5 makes rampart exit non-zero" \
    test $rc -ne 0 -a $rc -ne 124
check "saying what N may be" \
    grep -q 'demo takes screens=N, N from 1 to 4, not "screens=5"' \
    "$WORK/bad.out"

done_testing
