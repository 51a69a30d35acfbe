#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A client that sends what no client should is disconnected, and only it:
# the broker stays, and a client connected all along keeps seeing frames.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 4 "$FRAMES"
rampart_start
broker=$(helper_pid rampart-broker)

go=$WORK/go
spawn client --timeout 15 --wait-file "$go" --expect "$FRAMES" \
    --expect-distinct 3 "$(target)" >"$WORK/witness.out" 2>&1
witness=$!
wait_until 10 grep -q '^waiting for' "$WORK/witness.out"

# PIXEL_FORMAT: bpp depth big-endian true-colour rmax gmax bmax rs gs bs pad3
spf() {
	echo "00 000000 $1 000000"
}

check "an HTTP request instead of a protocol version: closed" \
    client --timeout 10 --garbage "474554202f20485454502f312e310d0a486f73743a20780d0a0d0a" "$(target)"
check "binary bytes instead of a protocol version: closed" \
    client --timeout 10 --garbage "$(printf '00ff7f80%.0s' $(seq 16))" "$(target)"
check "a security type that was not offered (2): closed" \
    client --timeout 10 --garbage "524642203030332e3030380a02" "$(target)"
check "an unknown message type (0xfe): closed" \
    client --timeout 10 --send "fe 00 00 00 00 00 00 00" --expect-close "$(target)"
check "SetPixelFormat with 13 bits per pixel: closed" \
    client --timeout 10 --send "$(spf "0d 0c 00 01 000f 000f 000f 08 04 00")" --expect-close "$(target)"
check "SetPixelFormat with a maximum that is not 2^n-1: closed" \
    client --timeout 10 --send "$(spf "20 18 00 01 00fe 00ff 00ff 10 08 00")" --expect-close "$(target)"
check "SetPixelFormat with a channel beyond its bits: closed" \
    client --timeout 10 --send "$(spf "10 10 00 01 001f 003f 001f 1c 05 00")" --expect-close "$(target)"
check "SetPixelFormat with a colour map at 16 bpp: closed" \
    client --timeout 10 --send "$(spf "10 10 00 00 0000 0000 0000 00 00 00")" --expect-close "$(target)"
check "SetPixelFormat with depth 0: closed" \
    client --timeout 10 --send "$(spf "20 00 00 01 00ff 00ff 00ff 10 08 00")" --expect-close "$(target)"
# ClientCutText is read and dropped: what follows it still counts.
client --timeout 10 --send "06 000000 00000005 68656c6c6f 04 01 0000 00000061" \
    "$(target)" >"$WORK/cut.out" 2>&1
check "ClientCutText is skipped: the key sent after it arrives" \
    wait_until 5 grep -qx 'key 30 KEY_A down' "$INPUT_LOG"
check "ClientCutText over the 1 MiB cap: closed" \
    client --timeout 10 --send "06 000000 00200000" --expect-close "$(target)"
check "ClientCutText of negative length (extended clipboard, not offered): closed" \
    client --timeout 10 --send "06 000000 ffffff00" --expect-close "$(target)"

# QEMU Client Messages (255): only the Extended Key Event, and only once
# -258 was offered and confirmed; an unknown submessage has no length we
# could skip.
check "a QEMU Extended Key Event from a client that did not offer -258: closed" \
    client --timeout 10 --send "ff 00 0001 00000061 0000001e" --expect-close "$(target)"
check "a QEMU message of an unknown submessage (1, audio), -258 offered: closed" \
    client --timeout 10 --offer qemu-keys --send "ff 01 0000" --expect-close "$(target)"
check "a QEMU message of submessage 0xff: closed" \
    client --timeout 10 --offer qemu-keys --send "ff ff 0000 0000 0000" --expect-close "$(target)"
n=$(grep -c '^key' "$INPUT_LOG")
client --timeout 10 --offer qemu-keys --qemu-keys "0x80,0xaa,0xffff,0x1e=a" \
    "$(target)" >"$WORK/xt.out" 2>&1
key_lines_are() {
	[ "$(grep -c '^key' "$INPUT_LOG")" -eq "$1" ]
}
check "scancodes that are no key (0x80, 0xaa, 0xffff) are ignored; the A after them arrives" \
    wait_until 5 key_lines_are $((n + 2))
check "which are A's down and up" test "$(grep '^key' "$INPUT_LOG" | tail -n 2 |
    tr '\n' ,)" = "key 30 KEY_A down,key 30 KEY_A up,"
check "and the log says so once" \
    grep -q 'XT scancode 0x80 (keysym 0x0000) is no key we know: ignored' "$WORK/rampart.log"

check "the broker is the same process" test "$(helper_pid rampart-broker)" = "$broker"
touch "$go"
if wait "$witness"; then
	pass "a client connected all along sees 3 frames after all this"
else
	fail "a client connected all along sees 3 frames after all this"
	diag_file "$WORK/witness.out"
fi
check "a new client sees frames" \
    client --timeout 10 --expect "$FRAMES" --expect-distinct 3 "$(target)"
check "rampart is still running" rampart_alive
done_testing
