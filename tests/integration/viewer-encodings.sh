#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real viewers on each encoding they can be made to use: TigerVNC's
# vncviewer with its automatic settings and with ZRLE, Hextile, Tight
# (lossless and with JPEG) and Raw forced, gtk-vnc, and Remmina at its
# best and its good quality.  rampart replays
# three frames of a smooth picture with a moving box, over and over; each
# viewer must show every one of them, whole, on its X server (Xvfb):
# exactly where the encoding is lossless, to a PSNR floor where it is
# JPEG.  Between two of the frames the PSNR is 20-22 dB; JPEG as these
# viewers ask for it gives 37-50 dB.
. "$top_srcdir/tests/integration/lib.sh"

XWDCMP=$top_builddir/tests/client/xwd-compare
[ -x "$XWDCMP" ] || bail_out "$XWDCMP is not built"
for tool in Xvfb xwd; do
	command -v $tool >/dev/null ||
	    skip_all "$tool is not installed (packages xvfb, x11-apps)"
done
command -v vncviewer >/dev/null || command -v gvncviewer >/dev/null ||
    skip_all "no VNC viewer (packages tigervnc-viewer, gvncviewer)"

W=320 H=240 NFRAMES=3 FLOOR=30
FRAMES=$WORK/photo.frames
make_frames photo $W $H $NFRAMES 2 "$FRAMES"
rampart_start

viewer_home

# shoot: a screenshot of the whole screen, to $WORK/shot.xwd.
shoot() {
	xwd -root -silent >"$WORK/shot.xwd" 2>/dev/null
}

# shown AT ARGS...: which frame the last screenshot shows at AT (X,Y): its
# index on stdout, exactly or (with --psnr DB) to that floor; nothing when
# none.
shown() {
	local at=$1 i
	shift
	for i in $(seq 0 $((NFRAMES - 1))); do
		if "$XWDCMP" --at "$at" "$@" "$WORK/shot.xwd" "$FRAMES" "$i" \
		    >/dev/null 2>&1; then
			echo "$i"
			return
		fi
	done
}

# all_frames_shown AT ARGS...: every frame has shown at AT, as shown()
# judges with ARGS; what was seen so far in $WORK/seen.
all_frames_shown() {
	local at=$1 i
	shift
	shoot || return
	i=$(shown "$at" "$@")
	[ -n "$i" ] && echo "$i" >>"$WORK/seen"
	[ "$(sort -u "$WORK/seen" | wc -l)" -eq $NFRAMES ]
}

# located: where a viewer in a window shows the picture (gtk-vnc below
# its menu bar, Remmina inside its tab), to $WORK/at as X,Y.
located() {
	shoot && "$XWDCMP" --find --psnr $FLOOR "$WORK/shot.xwd" "$FRAMES" 0 \
	    >"$WORK/find.out" 2>&1 &&
	    tr ' ' , <"$WORK/find.out" >"$WORK/at"
}

uses() {
	[ "$(grep -c "$1" "$WORK/rampart.log")" -gt "$2" ]
}

# viewer DESC ENCODING LOSSY XW XH AT COMMAND...: COMMAND, a viewer on an
# XW x XH X server, is served ENCODING ("using ENCODING" in rampart's
# log) and shows every frame at AT ("find": wherever frame 0 shows), to
# the PSNR floor when LOSSY is 1, else exactly.
viewer() {
	local desc=$1 enc=$2 lossy=$3 xw=$4 xh=$5 at=$6 before pid i
	local how=exactly psnr=()
	shift 6
	[ "$lossy" = 1 ] && how="at $FLOOR dB or better" psnr=(--psnr $FLOOR)
	xvfb_start "$xw" "$xh"
	before=$(grep -c "using $enc" "$WORK/rampart.log")
	spawn "$@" >"$WORK/viewer.log" 2>&1
	pid=$!
	if ! wait_until 10 uses "using $enc" "$before"; then
		fail "$desc: served ${enc%% (*}"
		diag_file "$WORK/viewer.log"
		grep 'encodings, using' "$WORK/rampart.log" | tail -n 1 |
		    sed 's/^/#   /'
		stop "$pid"
		stop "$XVFB_PID"
		return
	fi
	pass "$desc: served ${enc%% (*}"
	if [ "$at" = find ]; then
		wait_until 10 located || { cat "$WORK/find.out"; echo 0,0 >"$WORK/at"; }
		at=$(cat "$WORK/at")
	fi
	: >"$WORK/seen"
	if wait_until 15 all_frames_shown "$at" "${psnr[@]}"; then
		pass "$desc: shows all $NFRAMES frames $how"
	else
		fail "$desc: shows all $NFRAMES frames $how"
		diag "seen: $(sort -u "$WORK/seen" | tr '\n' ' ')"
		for i in $(seq 0 $((NFRAMES - 1))); do
			"$XWDCMP" --at "$at" "${psnr[@]}" "$WORK/shot.xwd" \
			    "$FRAMES" "$i" | sed 's/^/#   /'
		done
		diag_file "$WORK/viewer.log"
	fi
	# The same screenshot to the floor, and not exactly.
	if [ "$lossy" = 1 ]; then
		shoot
		i=$(shown "$at" "${psnr[@]}")
		if [ -n "$i" ] && [ -z "$(shown "$at")" ]; then
			pass "$desc: a frame shown, not exactly: JPEG"
		else
			fail "$desc: a frame shown, not exactly: JPEG"
			"$XWDCMP" --at "$at" "$WORK/shot.xwd" "$FRAMES" \
			    "${i:-0}" | sed 's/^/#   /'
		fi
	fi
	stop "$pid"
	stop "$XVFB_PID"
}

if command -v vncviewer >/dev/null; then
	tiger() {
		vncviewer -FullScreen -Shared -MenuKey= -ReconnectOnError=0 \
		    -AlertOnFatalError=0 -RemoteResize=0 "$@" "127.0.0.1::$PORT"
	}
	viewer "TigerVNC, automatic settings" tight 1 $W $H 0,0 tiger
	viewer "TigerVNC, ZRLE" zrle 0 $W $H 0,0 \
	    tiger -AutoSelect=0 -FullColor=1 -PreferredEncoding=ZRLE
	viewer "TigerVNC, Hextile" hextile 0 $W $H 0,0 \
	    tiger -AutoSelect=0 -FullColor=1 -PreferredEncoding=Hextile
	viewer "TigerVNC, Tight without JPEG" 'tight (quality -1' 0 $W $H 0,0 \
	    tiger -AutoSelect=0 -FullColor=1 -PreferredEncoding=Tight -NoJPEG=1
	viewer "TigerVNC, Tight with JPEG quality 2" 'tight (quality 2' 1 \
	    $W $H 0,0 tiger -AutoSelect=0 -FullColor=1 \
	    -PreferredEncoding=Tight -NoJPEG=0 -QualityLevel=2
	viewer "TigerVNC, Raw" raw 0 $W $H 0,0 \
	    tiger -AutoSelect=0 -FullColor=1 -PreferredEncoding=Raw
else
	skip "vncviewer is not installed (package tigervnc-viewer)"
fi

# gtk-vnc asks for Tight with JPEG quality 5 (-27) and cannot be told
# otherwise by gvncviewer.
if command -v gvncviewer >/dev/null; then
	viewer "gtk-vnc" 'tight (quality 5' 1 640 480 find \
	    gvncviewer "127.0.0.1:$((PORT - 5900))"
else
	skip "gvncviewer is not installed (package gvncviewer)"
fi

# Remmina's VNC plugin (libvncclient) asks for Zlib at its best quality
# and for Tight with JPEG at the others.  A profile of its own: no
# dialog, nothing kept.
remmina_profile() {
	cat >"$WORK/$1.remmina" <<-EOF
	[remmina]
	name=rampart
	protocol=VNC
	server=127.0.0.1:$PORT
	colordepth=32
	quality=$2
	viewmode=1
	disableclipboard=1
	EOF
}
if command -v remmina >/dev/null &&
    [ -n "$(find /usr/lib -path '*remmina/plugins/remmina-plugin-vnc.so' \
    2>/dev/null)" ]; then
	remmina_profile best 9
	remmina_profile good 2
	viewer "Remmina, best quality" zlib 0 640 480 find \
	    remmina -c "$WORK/best.remmina"
	viewer "Remmina, good quality" tight 1 640 480 find \
	    remmina -c "$WORK/good.remmina"
else
	skip "Remmina is not installed (packages remmina, remmina-plugin-vnc)"
fi

check "rampart is still running" rampart_alive
done_testing
