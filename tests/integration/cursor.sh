#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cursor from viewers' side, on the demo of two still monitors
# (demo:screens=2), whose pointer (an arrow) tours their centres apart
# from the picture: libvncclient asking for the Cursor pseudo-encoding
# gets the demo's arrow as the shape, in 32 and in 16 bits a pixel, and a
# picture without it that the moving pointer never changes; libvncclient
# without it sees that very arrow drawn into the same picture where the
# pointer is, and an update each time it moves.
. "$top_srcdir/tests/integration/lib.sh"

# The arrow of capture/demo.c, as rampart-testclient prints a shape.
ARROW='cursor-row |X           |
cursor-row |XX          |
cursor-row |X.X         |
cursor-row |X..X        |
cursor-row |X...X       |
cursor-row |X....X      |
cursor-row |X.....X     |
cursor-row |X......X    |
cursor-row |X.......X   |
cursor-row |X........X  |
cursor-row |X.........X |
cursor-row |X......XXXXX|
cursor-row |X...X..X    |
cursor-row |X..XX..X    |
cursor-row |X.X  X..X   |
cursor-row |XX   X..X   |
cursor-row |X     X..X  |
cursor-row |      X..X  |
cursor-row |       XX   |'

# rampart_start puts a replay first; the later --capture is the one used.
FRAMES=$WORK/unused.frames
make_frames sparse 64 48 1 1 "$FRAMES"
rampart_start --capture demo:screens=2
check "rampart runs the demo of two monitors" \
    wait_until 10 grep -q "mode 1824x768 .*ring 1" "$WORK/rampart.log"

# updates FILE: how many updates came while the client held on.
updates() {
	sed -n 's/^held [0-9]* s, \([0-9]*\) updates$/\1/p' "$1"
}

client --expect-cursor 12x19 --hold 3 --dump "$WORK/plain.ppm" "$(target)" \
    >"$WORK/with.out" 2>&1
rc=$?
check "a viewer that lists Cursor is sent a 12x19 shape" test $rc -eq 0
check "the capture helper told the broker where the pointer is" \
    grep -q "cursor 12x19 at " "$WORK/rampart.log"
check "with the hot spot at its tip, 0,0" \
    grep -q '^cursor 12x19 hot 0,0 ' "$WORK/with.out"
if [ "$(grep '^cursor-row' "$WORK/with.out")" = "$ARROW" ]; then
	pass "the shape is the demo's arrow: black outline, white inside, the rest transparent"
else
	fail "the shape is the demo's arrow"
	diag_file "$WORK/with.out"
fi
n=$(updates "$WORK/with.out")
check "while the pointer moves for 3 s, it gets no update at all (${n:-?})" \
    test "${n:-1}" -eq 0

client --hold 3 --dump "$WORK/drawn.ppm" "$(target)" >"$WORK/without.out" 2>&1
rc=$?
n=$(updates "$WORK/without.out")
check "a viewer without Cursor is sent no shape" test $rc -eq 0
check "and gets an update each time the pointer moves (${n:-?} in 3 s, 10 moves a second)" \
    test "${n:-0}" -ge 5

# Python with PIL: CI's python3; here maybe only Debian's.
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import PIL' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -n "$PY" ]; then
	check "its picture is the other's with that arrow drawn where the pointer is, nothing else" \
	    "$PY" "$top_srcdir/tests/client/cursor-check.py" "$WORK/plain.ppm" \
	    "$WORK/drawn.ppm" "$WORK/with.out"
else
	skip "the pointer drawn in the picture: no python3 with PIL"
fi

client --format 16 --expect-cursor 12x19 "$(target)" >"$WORK/with16.out" 2>&1
check "in 16 bits a pixel (5-6-5) the shape is the same arrow" \
    test "$(grep '^cursor-row' "$WORK/with16.out")" = "$ARROW"

check "the broker said it sent the shape" \
    grep -q 'cursor 12x19, hot spot 0,0$' "$WORK/rampart.log"
done_testing
