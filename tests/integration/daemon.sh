#!/bin/bash
# rampart as a daemon (no --foreground).  It says where it logs, and stays
# in the foreground until its helpers are up: a start that fails is told
# on stderr with a non-zero exit, a good one exits 0 with rampart
# detached, its pid in the pid file.  The pid file is never taken from a
# live process, and SIGTERM to the daemon stops all four processes and
# removes it.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"
out=$WORK/out

# --- a start that fails -------------------------------------------------------

PORT=$(free_port)
start=$SECONDS
timeout 20 "$RAMPART" --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT" \
    --capture "replay:$WORK/missing.frames" --pid-file "$WORK/failed.pid" \
    >"$out" 2>&1
rc=$?
took=$((SECONDS - start))
check "a missing replay file: the daemon exits non-zero" \
    test $rc -ne 0 -a $rc -ne 124
check "within a few seconds ($took s)" test $took -le 5
check "it said where it logs" \
    grep -qx 'rampart: logging to syslog (daemon facility; audit lines authpriv)' "$out"
check "and why it did not start, on stderr" \
    grep -q "rampart-capture\[[0-9]*\]: fatal: source replay: $WORK/missing.frames: No such file or directory" "$out"
check "nothing listens on its port" sh -c "! ss -Htln 'sport = :$PORT' | grep -q ."
check "no pid file is left" test ! -e "$WORK/failed.pid"
check "no helper is left" \
    sh -c "! pgrep -f '[r]ampart-capture --source replay:$WORK/missing.frames'"

# --- a good start ---------------------------------------------------------------

# Relative paths: the daemon works in /, they must still name these files.
PORT=$(free_port)
INPUT_LOG=$WORK/input.log
start=$SECONDS
(cd "$WORK" && timeout 20 "$RAMPART" --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$PORT" --capture replay:screen.frames \
    --input log:input.log --pid-file rampart.pid >"$out" 2>&1)
rc=$?
took=$((SECONDS - start))
RAMPART_PID=$(cat "$WORK/rampart.pid" 2>/dev/null)
check "a good start in daemon mode exits 0 ($took s)" test $rc -eq 0
check "saying where it logs" \
    test "$(head -n 1 "$out")" = 'rampart: logging to syslog (daemon facility; audit lines authpriv)'
check "and nothing else but the warning of --insecure-no-auth, on the terminal" \
    sh -c "tail -n +2 '$out' | grep -qx 'rampart\[[0-9]*\]: warning: --insecure-no-auth: security None is offered on loopback addresses; every local user and process may control this machine' && test \$(wc -l <'$out') -eq 2"
check "the pid file holds the daemon's pid" \
    test -n "$RAMPART_PID" -a "$(cat "/proc/$RAMPART_PID/comm" 2>/dev/null)" = rampart
check "the daemon is detached: a session of its own, no terminal" \
    test "$(sed 's/.*) //' "/proc/$RAMPART_PID/stat" | awk '{ print $4, $5 }')" = "$RAMPART_PID 0"
check "its stdin, stdout and stderr are /dev/null" \
    test "$(readlink "/proc/$RAMPART_PID/fd/0") $(readlink "/proc/$RAMPART_PID/fd/1") $(readlink "/proc/$RAMPART_PID/fd/2")" = "/dev/null /dev/null /dev/null"
check "it listens at once" port_listening "$PORT"
check "its three helpers run" test "$(pgrep -P "$RAMPART_PID" | wc -l)" -eq 3
check "a client sees the replay (a relative path)" \
    client --timeout 10 --expect "$FRAMES:1" "$(target)"
client --timeout 10 --keys a "$(target)" >/dev/null 2>&1
check "keys reach the input log (a relative path)" \
    wait_until 5 grep -qx 'key 30 KEY_A down' "$INPUT_LOG"

# --- the pid file is not taken from a live process ------------------------------

PORT2=$(free_port)
"$RAMPART" --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT2" \
    --capture "replay:$FRAMES" --pid-file "$WORK/rampart.pid" >"$out" 2>&1
rc=$?
check "a second daemon with the same pid file exits 1" test $rc -eq 1
check "saying who holds it" \
    grep -qx "rampart: pid file $WORK/rampart.pid is held by a running rampart (pid $RAMPART_PID)" "$out"
check "the pid file is untouched" test "$(cat "$WORK/rampart.pid")" = "$RAMPART_PID"
check "the first daemon still serves" \
    client --timeout 10 --expect "$FRAMES:1" "$(target)"

spawn sleep 600
sleeper=$!
echo "$sleeper" >"$WORK/other.pid"
"$RAMPART" --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT2" \
    --capture "replay:$FRAMES" --pid-file "$WORK/other.pid" >"$out" 2>&1
rc=$?
check "a pid file naming another live process: exit 1" test $rc -eq 1
check "saying so" grep -qx "rampart: pid file $WORK/other.pid names process $sleeper, which is running: not overwriting it" "$out"
check "and not overwriting it" test "$(cat "$WORK/other.pid")" = "$sleeper"
check "nothing listens on the second port" \
    sh -c "! ss -Htln 'sport = :$PORT2' | grep -q ."

# --- SIGTERM ----------------------------------------------------------------------

helpers=$(pgrep -P "$RAMPART_PID" | tr '\n' ' ')
kill -TERM "$RAMPART_PID"
gone() {
	local pid
	for pid in "$RAMPART_PID" $helpers; do
		kill -0 "$pid" 2>/dev/null && return 1
	done
	return 0
}
check "SIGTERM to the daemon stops it and its three helpers" wait_until 10 gone
check "and removes the pid file" test ! -e "$WORK/rampart.pid"
check "and the port is free" sh -c "! ss -Htln 'sport = :$PORT' | grep -q ."
RAMPART_PID=
done_testing
