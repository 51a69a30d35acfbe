#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The three protocol versions of RFB all reach ServerInit and frames.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start

for v in 3.3 3.7 3.8; do
	out=$WORK/v$v.out
	if client --timeout 10 --version $v --expect "$FRAMES" "$(target)" >"$out" 2>&1 &&
	    grep -q "^server-init: 320x240 name=\"[^\"]*\" version=$v\$" "$out"; then
		pass "RFB $v: handshake, ServerInit and a frame"
	else
		fail "RFB $v: handshake, ServerInit and a frame"
		diag_file "$out"
	fi
done

out=$WORK/libvnc.out
if client --timeout 10 --expect "$FRAMES" "$(target)" >"$out" 2>&1 &&
    grep -q 'version=3.8$' "$out"; then
	pass "libvncclient negotiates 3.8"
else
	fail "libvncclient negotiates 3.8"
	diag_file "$out"
fi

check "a version string that is not RFB: closed" \
    client --timeout 10 --garbage "584642203030332e3030380a" "$(target)"

check "rampart is still running" rampart_alive
done_testing
