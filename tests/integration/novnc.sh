#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian 12's own noVNC (package novnc, 1.3.0) in headless Chromium,
# through Debian's websockify: what it draws is the frame rampart serves,
# pixel for pixel, both on a page that holds nothing but noVNC's RFB
# module (its canvas at 0,0) and in noVNC's own vnc_lite.html.
#
# noVNC 1.3.0's Raw decoder makes pixels opaque at the wrong offset, so
# most of a large rectangle keeps, as alpha, the fourth byte of each pixel
# as the server sent it: rampart must send the bits that are in no colour
# channel as 1 (broker/pixfmt.h), or the canvas shows the page through.
#
# Skipped only when a package cannot be had on this system at all; when
# it can be installed but is not, the test fails (run .ci/deps).
. "$top_srcdir/tests/integration/lib.sh"

VIEW=$top_srcdir/tests/client/chromium-view.py
NOVNC=/usr/share/novnc
# Debian's python3, the one python3-pil is installed for.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3) || PYTHON=python3

# need PACKAGE WHAT: WHAT is missing.  Skip when apt has no candidate for
# the package here; when it has one, not having installed it is an error.
need() {
	if command -v apt-cache >/dev/null &&
	    apt-cache policy "$1" 2>/dev/null |
	    grep -q '^ *Candidate: [^(]'; then
		bail_out "$2 is missing; package $1 can be installed: run .ci/deps"
	fi
	skip_all "$2 is missing and package $1 cannot be installed here"
}
[ -f "$NOVNC/core/rfb.js" ] || need novnc "noVNC ($NOVNC/core/rfb.js)"
command -v websockify >/dev/null || need websockify websockify
command -v chromium >/dev/null || need chromium chromium
"$PYTHON" -c 'import PIL' 2>/dev/null || need python3-pil "PIL for $PYTHON"
diag "noVNC $(dpkg-query -W -f='${Version}' novnc 2>/dev/null)," \
    "$(chromium --version 2>/dev/null)"

# noVNC asks for Tight with JPEG (quality 6): a smooth picture, checked
# to a PSNR floor far above the 20 dB of frame 1 (a box moved) against
# frame 0.
W=320 H=240 FLOOR=30
FRAMES=$WORK/screen.frames
OTHER=$WORK/two.frames
make_frames photo $W $H 1 1 "$FRAMES"
make_frames photo $W $H 2 1 "$OTHER"
rampart_start

# noVNC's files and our page, served by websockify beside the WebSocket
# that it turns into a TCP connection to rampart.
mkdir "$WORK/web"
for f in "$NOVNC"/*; do
	ln -s "$f" "$WORK/web/"
done
cp "$top_srcdir/tests/integration/novnc.html" "$WORK/web/rampart.html"
WSPORT=$(free_port) || bail_out "no free port"
spawn websockify --web "$WORK/web" "127.0.0.1:$WSPORT" "127.0.0.1:$PORT" \
    >"$WORK/websockify.log" 2>&1
WS_PID=$!
if ! wait_until 10 port_listening "$WSPORT"; then
	diag_file "$WORK/websockify.log"
	bail_out "websockify did not listen on $WSPORT"
fi

# Chromium keeps its state under $HOME and the profile: not in root's.
mkdir -p "$WORK/home"
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config \
    XDG_CACHE_HOME=$WORK/home/.cache \
    DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/no-bus
unset DISPLAY WAYLAND_DISPLAY XAUTHORITY

# shows NAME WINDOW URL: Chromium loads URL in a WINDOW (WxH) viewport and
# takes screenshots until noVNC's canvas shows frame 0 to the floor (20 s
# at most); the last one is $WORK/NAME.png, the verdict $WORK/NAME.out.
shows() {
	spawn timeout -k 5 40 "$PYTHON" "$VIEW" shoot --timeout 20 \
	    --psnr $FLOOR \
	    --window "$2" --profile "$WORK/profile.$1" \
	    --log "$WORK/chromium.$1.log" "$3" "$WORK/$1.png" "$FRAMES" 0 \
	    >"$WORK/$1.out" 2>"$WORK/$1.err"
	wait $!
	echo "exit $?" >>"$WORK/$1.out"
	grep -qx 'exit 0' "$WORK/$1.out"
}
# explain NAME: what went wrong, as TAP comments (Chromium's D-Bus
# complaints left out).
explain() {
	sed 's/^/#   /' "$WORK/$1.out" "$WORK/$1.err"
	echo "# --- $WORK/chromium.$1.log (last 15 lines but D-Bus)"
	grep -v 'dbus' "$WORK/chromium.$1.log" | tail -n 15 | sed 's/^/#   /'
	diag_file "$WORK/websockify.log" 15
}
canvas_at() {
	sed -n 's/^canvas at \([0-9]*,[0-9]*\).*/\1/p' "$WORK/$1.out"
}

if shows rfb ${W}x$H "http://127.0.0.1:$WSPORT/rampart.html?w=$W&h=$H" &&
    [ "$(canvas_at rfb)" = 0,0 ]; then
	pass "noVNC's RFB module shows the served frame, at 0,0"
else
	fail "noVNC's RFB module shows the served frame, at 0,0"
	explain rfb
fi

# vnc_lite.html connects at once and does not scale; it centres the
# canvas below its status bar.
url="http://127.0.0.1:$WSPORT/vnc_lite.html?host=127.0.0.1&port=$WSPORT"
if shows lite 800x600 "$url"; then
	pass "noVNC's vnc_lite.html shows the served frame, 1:1" \
	    "(canvas at $(canvas_at lite))"
else
	fail "noVNC's vnc_lite.html shows the served frame, 1:1"
	explain lite
fi

check "noVNC was served Tight" grep -q 'using tight (quality 6' \
    "$WORK/rampart.log"

# The comparison is no formality: the frame itself, drawn by PIL from the
# .frames file, passes; the same with one pixel's blue off by one fails
# the exact comparison, and frame 1 the comparison by PSNR.
# frame_png FRAMES INDEX OUT [X Y]: frame INDEX as a PNG, pixel X,Y
# changed if given.
frame_png() {
	"$PYTHON" -c '
import struct, sys
from PIL import Image
data = open(sys.argv[1], "rb").read()
w, h, stride = struct.unpack_from("<3I", data, 12)
at = 64 + stride * h * int(sys.argv[2])
img = Image.frombytes("RGB", (w, h), data[at:at + stride * h], "raw",
                      "BGRX", stride)
if len(sys.argv) > 4:
    x, y = int(sys.argv[4]), int(sys.argv[5])
    r, g, b = img.getpixel((x, y))
    img.putpixel((x, y), (r, g, b ^ 1))
img.save(sys.argv[3])' "$@"
}
# compare_says STATUS PATTERN PNG [OPTIONS]: chromium-view.py compare
# exits STATUS and says something matching PATTERN.
compare_says() {
	local out rc
	out=$("$PYTHON" "$VIEW" compare "${@:4}" "$3" "$FRAMES" 0)
	rc=$?
	echo "$out (exit $rc)"
	[ $rc -eq "$1" ] && echo "$out" | grep -q "$2"
}
frame_png "$FRAMES" 0 "$WORK/frame.png" &&
    frame_png "$FRAMES" 0 "$WORK/off.png" 200 100 &&
    frame_png "$OTHER" 1 "$WORK/other.png" ||
    bail_out "cannot draw the frame with PIL"
check "the comparison passes the frame itself" \
    compare_says 0 '^frame 0 shows exactly$' "$WORK/frame.png"
check "the comparison fails it with one pixel off by one" \
    compare_says 1 '^1 of 76800 pixels differ.* first at 200,100:' \
    "$WORK/off.png"
check "the PSNR comparison passes that one" \
    compare_says 0 "^frame 0 shows at $FLOOR.0 dB or better\$" \
    "$WORK/off.png" --psnr $FLOOR
check "and fails frame 1 (a box moved)" \
    compare_says 1 "^PSNR .* dB, under the floor of $FLOOR.0 dB\$" \
    "$WORK/other.png" --psnr $FLOOR

check "websockify is still running" kill -0 "$WS_PID"
check "rampart is still running" rampart_alive
done_testing
