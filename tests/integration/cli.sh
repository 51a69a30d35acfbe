#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line and the configuration file, as a user meets them:
# both option forms, keys from the file, the command line winning, clear
# errors for what is wrong, and a clean stop of all four processes.
#
# An error is one line "rampart: ..." on stderr; the usage follows only a
# bad command line (an unknown option, a missing value), never a bad value.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"

out=$WORK/out

# one_error FILE: the file is a single line, "rampart: ...".
one_error() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q '^rampart: ' "$1"
}

"$RAMPART" --version >"$out" 2>&1
check "--version names the version" grep -qx 'rampart [0-9][0-9.]*' "$out"
"$RAMPART" -V >"$out" 2>&1
check "-V names the version" grep -qx 'rampart [0-9][0-9.]*' "$out"
"$RAMPART" --help >"$out" 2>&1
check "--help lists --listen" grep -q -- '--listen tcp:ADDR:PORT' "$out"
for opt in --users --tls-cert --tls-key --tls-dir --tls-client-ca --tls-crl \
    --allow-anonymous-tls --insecure-vnc-auth --vnc-passwords \
    --insecure-no-auth --sharing --handshake-timeout --idle-timeout; do
	check "--help explains $opt" grep -q -- "^  $opt" "$out"
done
"$RAMPART" -h >"$out" 2>&1
rc=$?
check "-h prints the usage and exits 0" \
    test $rc -eq 0 -a -n "$(grep 'usage: rampart' "$out")"
"$RAMPART" --no-such-option >"$out" 2>&1
rc=$?
check "an unknown option exits 2 with the usage" \
    test $rc -eq 2 -a -n "$(grep 'usage: rampart' "$out")"
check "after one line naming it" \
    test "$(head -n 1 "$out")" = "rampart: unknown option --no-such-option"
"$RAMPART" --config /dev/null --insecure-no-auth --listen >"$out" 2>&1
rc=$?
check "a missing value exits 2, says so, with the usage" \
    test $rc -eq 2 -a "$(head -n 1 "$out")" = "rampart: --listen needs a value" \
    -a -n "$(grep 'usage: rampart' "$out")"
"$RAMPART" --config /dev/null --insecure-no-auth --log-level loud >"$out" 2>&1
rc=$?
check "a bad value exits 2 with one line and no usage" \
    test $rc -eq 2 -a -n "$(grep -- '--log-level: expected error, warn, info or debug, not "loud"' "$out")"
check "(one line: rampart: ...)" one_error "$out"

# A user that does not exist is refused before anything starts; only the
# default user falls back to nobody.
PORT=$(free_port)
"$RAMPART" --foreground --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT" \
    --user no-such-user-rampart >"$out" 2>&1
rc=$?
check "--user of a user that does not exist exits 2" test $rc -eq 2
check "naming the user" \
    grep -q 'user no-such-user-rampart does not exist' "$out"
check "(one line: rampart: ...)" one_error "$out"
"$RAMPART" --config "$WORK/missing.conf" >"$out" 2>&1
rc=$?
check "a missing --config file exits 2, naming it" \
    test $rc -eq 2 -a -n "$(grep 'missing.conf' "$out")"
check "(one line: rampart: ...)" one_error "$out"
printf 'listen = tcp:127.0.0.1:1\nfrobnicate = yes\n' >"$WORK/bad.conf"
"$RAMPART" --config "$WORK/bad.conf" >"$out" 2>&1
rc=$?
check "an unknown key exits 2, naming file and line" \
    test $rc -eq 2 -a -n "$(grep 'bad.conf:2: unknown key "frobnicate"' "$out")"
check "(one line: rampart: ...)" one_error "$out"
"$RAMPART" --config /dev/null --insecure-no-auth --capture=v4l3:/dev/video0 >"$out" 2>&1
rc=$?
check "an unknown capture source exits 2" \
    test $rc -eq 2 -a -n "$(grep 'unknown capture source' "$out")"
check "(one line: rampart: ...)" one_error "$out"
# --output and --capture-method: checked before anything starts, and only
# for the drm source (or auto, which may pick it).
"$RAMPART" --config /dev/null --insecure-no-auth --capture-method mmapp >"$out" 2>&1
rc=$?
check "an unknown --capture-method exits 2, listing the methods" \
    test $rc -eq 2 -a -n "$(grep -x 'rampart: --capture-method: expected auto, mmap, egl, getfb or writeback, not "mmapp"' "$out")"
check "(one line: rampart: ...)" one_error "$out"
"$RAMPART" --config /dev/null --insecure-no-auth --output= >"$out" 2>&1
rc=$?
check "an empty --output exits 2" \
    test $rc -eq 2 -a -n "$(grep 'rampart: --output: an output name cannot be empty' "$out")"
check "(one line: rampart: ...)" one_error "$out"
"$RAMPART" --config /dev/null --insecure-no-auth --output "$(printf 'A%.0s' $(seq 64))" >"$out" 2>&1
rc=$?
check "an --output of 64 characters exits 2" \
    test $rc -eq 2 -a -n "$(grep 'an output name of 64 characters is too long (at most 63)' "$out")"
"$RAMPART" --config /dev/null --insecure-no-auth --output 'HDMI A' >"$out" 2>&1
rc=$?
check "an --output with a space exits 2" \
    test $rc -eq 2 -a -n "$(grep 'an output name has no spaces' "$out")"
"$RAMPART" --config /dev/null --insecure-no-auth --capture demo --capture-method egl >"$out" 2>&1
rc=$?
check "--capture-method with the demo source exits 2" \
    test $rc -eq 2 -a -n "$(grep -x 'rampart: --capture-method applies to the drm source only (--capture drm or auto), not to demo' "$out")"
check "(one line: rampart: ...)" one_error "$out"
"$RAMPART" --config /dev/null --insecure-no-auth --capture "replay:$FRAMES" --output HDMI-A-1 \
    >"$out" 2>&1
rc=$?
check "--output with a replay exits 2" \
    test $rc -eq 2 -a -n "$(grep 'rampart: --output applies to the drm source only' "$out")"
printf 'capture = demo\ncapture-method = writeback\n' >"$WORK/method.conf"
"$RAMPART" --config "$WORK/method.conf" >"$out" 2>&1
rc=$?
check "the same from the configuration file" \
    test $rc -eq 2 -a -n "$(grep 'applies to the drm source only' "$out")"
printf 'output = Virtual-1\ncapture-method = blit\n' >"$WORK/method.conf"
"$RAMPART" --config "$WORK/method.conf" >"$out" 2>&1
rc=$?
check "a bad method in the file names file and line" \
    test $rc -eq 2 -a -n "$(grep -x "rampart: $WORK/method.conf:2: capture-method: expected auto, mmap, egl, getfb or writeback, not \"blit\"" "$out")"

# auto, the default, is decided by rampart-capture: drm where a screen is
# lit, else /dev/fb0, else the demo, saying which and why; the options for
# drm reach the helper, and a restarted helper probes again.
PORT=$(free_port)
log=$WORK/auto.log
"$RAMPART" --foreground --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT" \
    --output HDMI-A-1 --capture-method mmap 2>"$log" &
RAMPART_PID=$!
check "rampart starts with the default source" \
    wait_until 10 grep -q 'connect with a VNC viewer' "$log"
check "the capture helper says what auto picked" \
    grep -q 'rampart-capture\[[0-9]*\]: capture auto: ' "$log"
if ls /dev/dri/card* >/dev/null 2>&1 || [ -e /dev/fb0 ]; then
	skip "this machine has a display device: auto need not fall back to the demo"
	skip "(the demo's size)"
	skip "(the options drm does not get)"
else
	check "no DRM and no /dev/fb0: the demo, and why" \
	    grep -q 'capture auto: demo (no DRM card with a lit CRTC: .*; no /dev/fb0)$' "$log"
	client --timeout 10 "$(target)" >"$out" 2>&1
	check "a client sees the demo's 1280x800 screen" \
	    grep -q '^server-init: 1280x800 ' "$out"
	check "the demo ignores --output and --capture-method, saying so" \
	    grep -q 'capture auto: --output and --capture-method apply to drm only: demo ignores them' "$log"
fi
capture=$(helper_pid rampart-capture)
check "rampart-capture is given --output and --capture-method" \
    sh -c "tr '\\0' ' ' </proc/$capture/cmdline | grep -q -- '--source auto --output HDMI-A-1 --capture-method mmap'"
kill -KILL "$capture" 2>/dev/null
check "a restarted capture helper probes again" \
    wait_until 10 sh -c "[ \$(grep -c 'capture auto: ' '$log') -ge 2 ]"
rampart_stop
cat "$log" >>"$WORK/rampart.log"

"$RAMPART" --config /dev/null --insecure-no-auth --listen=tcp:127.0.0.1:notaport >"$out" 2>&1
rc=$?
check "a bad listen address is refused, naming it" \
    test $rc -ne 0 -a -n "$(grep 'notaport' "$out")"
check "(one line: rampart: ...)" one_error "$out"

# A bad replay file: rampart says why and exits instead of serving.
printf 'NOTFRAMES%055d' 0 >"$WORK/bad.frames"
PORT=$(free_port)
timeout 20 "$RAMPART" --foreground --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$PORT" --capture "replay:$WORK/bad.frames" \
    >"$out" 2>&1
rc=$?
check "a bad replay file makes rampart exit non-zero" test $rc -ne 0 -a $rc -ne 124
check "and the reason is logged" grep -q 'bad magic' "$out"
check "no \"connect with a VNC viewer\" when the helpers did not come up" \
    sh -c "! grep -q 'connect with' '$out'"

# fbdev named on the command line but not there, or not a framebuffer:
# rampart says why and exits (auto would have fallen back to the demo).
for dev in "$WORK/no-fb0:No such file or directory" \
    "/dev/null:Inappropriate ioctl for device (not a framebuffer)"; do
	PORT=$(free_port)
	timeout 20 "$RAMPART" --foreground --config /dev/null --insecure-no-auth \
	    --listen "tcp:127.0.0.1:$PORT" --capture "fbdev:${dev%%:*}" \
	    >"$out" 2>&1
	rc=$?
	check "--capture fbdev:${dev%%:*} makes rampart exit non-zero" \
	    test $rc -ne 0 -a $rc -ne 124
	check "saying: ${dev#*:}" \
	    grep -qF "source fbdev: ${dev%%:*}: ${dev#*:}" "$out"
done

# A compressed recording: rampart says so and how to decompress it, by
# its content, whatever its name.
if command -v zstd >/dev/null; then
	zstd -q -f "$FRAMES" -o "$WORK/screen.frames.zst"
	cp "$WORK/screen.frames.zst" "$WORK/compressed.frames"
	for f in screen.frames.zst compressed.frames; do
		PORT=$(free_port)
		timeout 20 "$RAMPART" --foreground --config /dev/null --insecure-no-auth \
		    --listen "tcp:127.0.0.1:$PORT" \
		    --capture "replay:$WORK/$f" >"$out" 2>&1
		rc=$?
		check "a zstd-compressed $f: exit non-zero" \
		    test $rc -ne 0 -a $rc -ne 124
		check "saying it is compressed and to run zstd -d" \
		    grep -q "$f: bad magic: the file is compressed with zstd; decompress it first (zstd -d FILE)" "$out"
	done
else
	skip "zstd is not installed: no compressed recording to try"
fi

# --opt=value, and the rest from a configuration file.
PORT=$(free_port)
cat >"$WORK/rampart.conf" <<CONF
# a comment, then keys as the long options
listen = tcp:127.0.0.1:$PORT
capture replay:$FRAMES
input = log:$WORK/conf-input.log
log-level = debug
foreground = yes
insecure-no-auth = yes
CONF
"$RAMPART" --config="$WORK/rampart.conf" 2>>"$WORK/rampart.log" &
RAMPART_PID=$!
if wait_until 10 port_listening "$PORT"; then
	pass "the configuration file's listen, capture and foreground are used"
else
	fail "the configuration file's listen, capture and foreground are used"
fi
check "once the helpers are up, rampart says how to connect" \
    wait_until 10 grep -q "listening on tcp:127.0.0.1:$PORT: connect with a VNC viewer, e.g. vncviewer 127.0.0.1::$PORT" "$WORK/rampart.log"

# The address is taken: the reason, as an error, and a non-zero exit.
"$RAMPART" --foreground --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT" \
    >"$out" 2>&1
rc=$?
check "a second rampart on the same port exits 1" test $rc -eq 1
check "saying the address is in use, in one line" \
    grep -qx "rampart: cannot listen on tcp:127.0.0.1:$PORT: Address already in use" "$out"
check "(one line: rampart: ...)" one_error "$out"
check "a client sees the configured replay" \
    client --timeout 10 --expect "$FRAMES:1" "$(target)"
client --timeout 10 --keys a "$(target)" >/dev/null 2>&1
check "keys go to the configured input log" \
    wait_until 5 grep -qx 'key 30 KEY_A down' "$WORK/conf-input.log"

# SIGTERM stops everything.
helpers=$(pgrep -P "$RAMPART_PID" | tr '\n' ' ')
check "three helpers run under the supervisor" test "$(echo $helpers | wc -w)" -eq 3
kill -TERM "$RAMPART_PID"
wait_until 10 sh -c "! kill -0 $RAMPART_PID 2>/dev/null"
check "SIGTERM stops the supervisor" sh -c "! kill -0 $RAMPART_PID 2>/dev/null"
left=
for pid in $helpers; do
	kill -0 "$pid" 2>/dev/null && left="$left $pid"
done
check "and every helper" test -z "$left"
wait "$RAMPART_PID"
check "with exit status 0" test $? -eq 0
RAMPART_PID=

# The command line wins over the file.
PORT2=$(free_port)
"$RAMPART" --config "$WORK/rampart.conf" --listen "tcp:127.0.0.1:$PORT2" \
    2>>"$WORK/rampart.log" &
RAMPART_PID=$!
check "--listen on the command line replaces the file's" \
    wait_until 10 port_listening "$PORT2"
check "and the file's address is not used" \
    test -z "$(ss -Htln "sport = :$PORT")"
rampart_stop

# A unix socket: its own hint, and one in use is not taken over.
sock=$WORK/vnc.sock
"$RAMPART" --foreground --config /dev/null --insecure-no-auth --listen "unix:$sock" \
    --capture "replay:$FRAMES" 2>>"$WORK/rampart.log" &
RAMPART_PID=$!
check "a unix listener gets its connect hint" \
    wait_until 10 grep -q "listening on unix:$sock: connect with a VNC viewer that takes a unix socket, e.g. vncviewer $sock" "$WORK/rampart.log"
"$RAMPART" --foreground --config /dev/null --insecure-no-auth --listen "unix:$sock" \
    --capture "replay:$FRAMES" >"$out" 2>&1
rc=$?
check "a second rampart on the same unix socket exits 1" \
    test $rc -eq 1 -a -n "$(grep -x "rampart: cannot listen on unix:$sock: Address already in use" "$out")"
check "and the first still serves on it" \
    client --timeout 10 --expect "$FRAMES:1" "unix:$sock"
done_testing
