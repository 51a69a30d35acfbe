#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Clients that ask for the encodings rampart has (and for some it has not),
# with pseudo-encodings, in SetEncodings exactly as listed
# (rampart-testclient --encodings): each sees every pixel of every frame,
# in every format, whatever encoding the server picks for it: exactly,
# or where Tight sends JPEG to a PSNR floor on a smooth picture.  No check
# of encoding 21 here: libvncclient 0.9.14 cannot decode it (test-tight
# decodes it with TurboJPEG).  Where ZRLE sends 3-byte pixels, the fourth
# byte is not checked (the client's own).
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start

# A quality level asks Tight for JPEG: the lossless runs go without.
for enc in zrle hextile zlib raw tight; do
	quality=quality=5,
	[ $enc = tight ] && quality=
	for fmt in 32 32be 16 8; do
		# libvncclient 0.9.14 decodes ZRLE's CPIXELs and Tight's
		# TPIXELs of a big-endian format with its channels in the low
		# bytes by shifting a host-order value: right on big-endian
		# hosts only.
		case $enc$fmt in zrle32be | tight32be)
			[ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] &&
			    continue
		esac
		check "$enc first, format $fmt: all 3 frames, every pixel" \
		    client --timeout 15 --format "$fmt" \
		    --encodings "$enc,raw,compress=6,${quality}last-rect" \
		    --expect "$FRAMES" --expect-distinct 3 "$(target)"
	done
done

# JPEG: each frame of a smooth picture comes, to a floor a little under
# what the encoder gives at that quality, and far above the 20-22 dB that
# one frame scores against another.  That it is JPEG and not lossless
# shows by the exact check failing.
PHOTO=$WORK/photo.frames
make_frames photo 320 240 3 2 "$PHOTO"
rampart_stop
FRAMES=$PHOTO
rampart_start
# lossy ARGS...: the client does not see a frame exactly (exit 1, not 2).
lossy() {
	local rc
	client "$@"
	rc=$?
	[ $rc -eq 1 ] || { echo "the client exited $rc, not 1"; return 1; }
}
check "tight with JPEG, TigerVNC's quality settings: 3 frames at 35 dB" \
    client --timeout 15 \
    --encodings tight,zrle,raw,quality=6,fine-quality=80,subsampling=1 \
    --expect "$PHOTO" --expect-psnr 35 --expect-distinct 3 "$(target)"
check "tight with JPEG at quality 0: 3 frames at 28 dB" \
    client --timeout 15 --encodings tight,raw,quality=0 \
    --expect "$PHOTO" --expect-psnr 28 --expect-distinct 3 "$(target)"
check "and not one of them exactly: it is JPEG" \
    lossy --timeout 3 --encodings tight,raw,quality=0 \
    --expect "$PHOTO" "$(target)"
check "tight without a quality level on the same picture: exact" \
    client --timeout 15 --encodings tight,raw \
    --expect "$PHOTO" --expect-distinct 3 "$(target)"
check "pseudo-encodings of every kind, and a number nobody knows" \
    client --timeout 15 \
    --encodings raw,cursor,desktop-size,extended-desktop-size,desktop-name,continuous,fence,qemu-keys,-999 \
    --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "the raw session with a list of its own" \
    client --raw --timeout 15 --encodings raw,desktop-size,compress=1 \
    --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "rampart is still running" rampart_alive
done_testing
