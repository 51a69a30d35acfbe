#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Clients that ask for the encodings rampart has (and for some it has not),
# with pseudo-encodings, in SetEncodings exactly as listed
# (rampart-testclient --encodings): each sees every pixel of every frame,
# in every format, whatever encoding the server picks for it.  No jpeg:
# libvncclient 0.9.14 cannot decode encoding 21.  Where ZRLE sends 3-byte
# pixels, the fourth byte is not checked (the client's own).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start

for enc in zrle hextile zlib raw; do
	for fmt in 32 32be 16 8; do
		# libvncclient 0.9.14 decodes ZRLE's CPIXELs of a big-endian
		# format with its channels in the low bytes by shifting a
		# host-order value: right on big-endian hosts only.
		[ "$enc$fmt" = zrle32be ] && [ "$(printf '\001\000' |
		    od -An -tu2 | tr -d ' ')" = 1 ] && continue
		check "$enc first, format $fmt: all 3 frames, every pixel" \
		    client --timeout 15 --format "$fmt" \
		    --encodings "$enc,raw,compress=6,quality=5,last-rect" \
		    --expect "$FRAMES" --expect-distinct 3 "$(target)"
	done
done
check "tight first, then zrle and raw, with TigerVNC's quality settings" \
    client --timeout 15 --encodings tight,zrle,raw,quality=6,fine-quality=80,subsampling=1 \
    --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "pseudo-encodings of every kind, and a number nobody knows" \
    client --timeout 15 \
    --encodings raw,cursor,desktop-size,extended-desktop-size,desktop-name,continuous,fence,qemu-keys,-999 \
    --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "the raw session with a list of its own" \
    client --raw --timeout 15 --encodings raw,desktop-size,compress=1 \
    --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "rampart is still running" rampart_alive
done_testing
