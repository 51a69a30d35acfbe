#!/bin/bash
# Signals to rampart.  SIGHUP reads the configuration file again: the log
# level changes at once, in rampart and in its helpers, which keep running
# and serving; a broken file is reported and changes nothing.  Signals not
# meant to stop (SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM) do not.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"
INPUT_LOG=$WORK/input.log
: >"$INPUT_LOG"
LOG=$WORK/rampart.log
CONF=$WORK/rampart.conf
PORT=$(free_port)

# conf LEVEL: the configuration file, at this log level.
conf() {
	cat >"$CONF" <<CONF
listen = tcp:127.0.0.1:$PORT
capture = replay:$FRAMES
input = log:$INPUT_LOG
foreground = yes
insecure-no-auth = yes
log-level = $1
CONF
}

# lines PATTERN: how many lines of the log match (extended regex).
lines() {
	grep -cE "$1" "$LOG"
}

# helpers: the pids of the three helpers, in order.
helpers() {
	echo "$(helper_pid rampart-broker) $(helper_pid rampart-capture)" \
	    "$(helper_pid rampart-input)"
}

conf info
"$RAMPART" --config "$CONF" 2>>"$LOG" &
RAMPART_PID=$!
wait_until 10 grep -q 'connect with a VNC viewer' "$LOG" ||
    bail_out "rampart did not start"
before=$(helpers)
broker=$(helper_pid rampart-broker)
capture=$(helper_pid rampart-capture)

rfb="^rampart-broker\[$broker\]: client [0-9]+ \([^)]*\): RFB 3\.8$"
client --timeout 10 --expect "$FRAMES:1" "$(target)" >/dev/null 2>&1
check "at log level info, the broker's debug lines are not logged" \
    test "$(lines "$rfb")" -eq 0

for sig in USR1 USR2 PIPE ALRM; do
	kill -"$sig" "$RAMPART_PID"
	sleep 0.2
	check "SIG$sig leaves rampart and its helpers running" \
	    test "$(rampart_alive && helpers)" = "$before"
done

kill -HUP "$RAMPART_PID"
check "SIGHUP: rampart says it reloaded the file" \
    wait_until 5 grep -q "reloaded $CONF: log level info$" "$LOG"
check "and it and its helpers keep running" \
    test "$(rampart_alive && helpers)" = "$before"
check "and serving" client --timeout 10 --expect "$FRAMES:1" "$(target)"

# info -> debug: the broker and the capture helper log at debug now.
conf debug
kill -HUP "$RAMPART_PID"
check "log level info -> debug: rampart says so" \
    wait_until 5 grep -q "reloaded $CONF: log level debug$" "$LOG"
check "the helpers are the same processes" test "$(helpers)" = "$before"
client --timeout 10 --expect "$FRAMES:1" "$(target)" >/dev/null 2>&1
check "a client: the broker's debug line is in the log" \
    wait_until 5 grep -qE "$rfb" "$LOG"
check "and the capture helper's" \
    wait_until 5 grep -qE "^rampart-capture\[$capture\]: resumed$" "$LOG"

# A broken file: said, and nothing changes.
printf 'log-level = loud\n' >"$CONF"
kill -HUP "$RAMPART_PID"
check "a broken file on reload is reported" \
    wait_until 5 grep -q "reload of $CONF failed: $CONF:1: log-level: expected error, warn, info or debug, not \"loud\"; the settings stay as they were" "$LOG"
n=$(lines "$rfb")
client --timeout 10 --expect "$FRAMES:1" "$(target)" >/dev/null 2>&1
check "rampart keeps serving, still at debug" \
    wait_until 5 test "$(lines "$rfb")" -gt "$n"

# What a reload cannot change is said to take a restart.
conf debug
sed -i "s/^listen = .*/listen = tcp:127.0.0.1:1/" "$CONF"
kill -HUP "$RAMPART_PID"
check "a changed listen address: a reload says it takes a restart" \
    wait_until 5 grep -q "$CONF: listen changed: that takes a restart of rampart" "$LOG"
check "and the old address still serves" \
    client --timeout 10 --expect "$FRAMES:1" "$(target)"

# info -> warn reaches the input helper too: the info line it logs when
# the broker goes away (end of file, or the SIGTERM that follows) is not
# logged any more.  First at info, to see that line.
conf info
kill -HUP "$RAMPART_PID"
wait_until 5 grep -q "reloaded $CONF: log level info$" "$LOG"
input=$(helper_pid rampart-input)
gone="^rampart-input\[$input\]: .*releasing everything"
kill -KILL "$(helper_pid rampart-broker)"
check "at info, the input helper says when the broker went away" \
    wait_until 10 grep -qE "$gone" "$LOG"
wait_until 10 sh -c "[ -n \"\$(pgrep -P $RAMPART_PID -x rampart-input)\" ] && \
    [ \"\$(pgrep -P $RAMPART_PID -x rampart-input)\" != $input ]"
wait_until 10 grep -q "connect with a VNC viewer" "$LOG"
input=$(helper_pid rampart-input)
gone="^rampart-input\[$input\]: .*releasing everything"
conf warn
kill -HUP "$RAMPART_PID"
wait_until 5 grep -q "reloaded $CONF: log level warn$" "$LOG"
sleep 1
kill -KILL "$(helper_pid rampart-broker)"
wait_until 10 sh -c "! kill -0 $input 2>/dev/null"
sleep 0.5
check "at warn, after a reload, it does not" \
    sh -c "! grep -qE '$gone' '$LOG'"
check "and rampart runs on" rampart_alive
done_testing
