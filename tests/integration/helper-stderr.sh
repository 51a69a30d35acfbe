#!/bin/bash
# The helpers' standard streams.  Under --foreground on a terminal, no
# helper holds that terminal: stdin and stdout are /dev/null, stderr a
# pipe to rampart, and no helper has a controlling terminal.  What a
# helper writes to stderr reaches rampart's log as the helper's, under its
# name and pid, once: its log lines, lines it did not write through its
# log (a sanitizer report), a last line without a newline; an overlong
# line is cut and marked, and a flood does not make rampart grow.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"
INPUT_LOG=$WORK/input.log
: >"$INPUT_LOG"
LOG=$WORK/rampart.log

command -v script >/dev/null || skip_all "script (util-linux) is not installed"

# --- on a terminal ----------------------------------------------------------

PORT=$(free_port)
# script gives rampart a pseudo-terminal as stdin, stdout and stderr; what
# rampart writes there ends up in the log (with CR LF line ends).
script -qec "exec $RAMPART --foreground --config /dev/null --insecure-no-auth \
    --listen tcp:127.0.0.1:$PORT --capture replay:$FRAMES \
    --input log:$INPUT_LOG --log-level debug" /dev/null \
    </dev/null >"$LOG" 2>&1 &
SCRIPT_PID=$!
BG_PIDS="$BG_PIDS $SCRIPT_PID"
rampart_child() {
	RAMPART_PID=$(pgrep -P "$SCRIPT_PID" -x rampart)
	[ -n "$RAMPART_PID" ]
}
wait_until 10 rampart_child || bail_out "rampart did not start under script"
wait_until 10 port_listening "$PORT" || bail_out "rampart does not listen"

case $(readlink "/proc/$RAMPART_PID/fd/2") in
/dev/pts/*) pass "rampart runs on a terminal ($(readlink "/proc/$RAMPART_PID/fd/2"))" ;;
*) fail "rampart runs on a terminal" ;;
esac

# std_streams PID: fd 0 and 1 are /dev/null, fd 2 a pipe.
std_streams() {
	local fd0 fd1 fd2
	fd0=$(readlink "/proc/$1/fd/0")
	fd1=$(readlink "/proc/$1/fd/1")
	fd2=$(readlink "/proc/$1/fd/2")
	echo "fd 0 $fd0, fd 1 $fd1, fd 2 $fd2"
	[ "$fd0" = /dev/null ] && [ "$fd1" = /dev/null ] &&
	    case $fd2 in pipe:*) true ;; *) false ;; esac
}

# tty_nr, field 7 of /proc/PID/stat (after the command in parentheses).
ctty() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $5 }'
}

for name in rampart-broker rampart-capture rampart-input; do
	wait_until 10 helper_pid "$name"
	pid=$(helper_pid "$name")
	if [ -z "$pid" ]; then
		fail "$name runs"
		continue
	fi
	check "$name: stdin and stdout are /dev/null, stderr a pipe" \
	    std_streams "$pid"
	check "$name: no controlling terminal" test "$(ctty "$pid")" -eq 0
	eval "pid_${name#rampart-}=$pid"
done

# The helpers' log lines, at their levels, under their names and pids.
check "a line of the capture helper is in rampart's log" \
    wait_until 10 grep -q "^rampart-capture\[$pid_capture\]: replay of $FRAMES: 2 frames" "$LOG"
check "a debug line of the broker" \
    wait_until 10 grep -q "^rampart-broker\[$pid_broker\]: listener tcp:127.0.0.1:$PORT: security" "$LOG"
check "a debug line of the input helper" \
    wait_until 10 grep -q "^rampart-input\[$pid_input\]: sink log ready" "$LOG"
check "no line tagged twice, no priority prefix left" \
    sh -c "! grep -E 'rampart[a-z-]*\[[0-9]+\]: ([a-z]+: )?rampart[a-z-]*\[[0-9]+\]|<[0-9]>' '$LOG'"
check "a client is served" client --timeout 10 --expect "$FRAMES" "$(target)"
rampart_stop
wait "$SCRIPT_PID" 2>/dev/null

# --- what a helper writes that is not a log line ------------------------------

# Stand-ins for the capture helper, in a helper directory of their own:
# they write to stderr what the real one never would, then become it (or
# die).  The broker and input helper are the real ones.
HELPERS=$WORK/libexec
mkdir -p "$HELPERS"
for name in rampart-broker rampart-input; do
	ln -s "$top_builddir/$name" "$HELPERS/$name"
done
stand_in() {
	{
		echo '#!/bin/sh'
		cat
	} >"$HELPERS/rampart-capture"
	chmod 755 "$HELPERS/rampart-capture"
}

stand_in <<EOF
printf 'not a log line, with an escape \\033[31m, from %s\n' \$\$ >&2
head -c 3000 /dev/zero | tr '\\0' y >&2
echo ' the end of the long line' >&2
head -c 67108864 /dev/zero | tr '\\0' x >&2
echo >&2
echo 'after the flood' >&2
exec "$top_builddir/rampart-capture" "\$@"
EOF
: >"$LOG"
RAMPART_LIBEXECDIR=$HELPERS rampart_start
# The stand-in became the real helper once that says what it replays.
wait_until 20 grep -q "^rampart-capture\[[0-9]*\]: replay of" "$LOG"
pid=$(helper_pid rampart-capture)
check "a line without a log prefix is logged as the helper's" \
    grep -qx "rampart-capture\[$pid\]: not a log line, with an escape ?\[31m, from $pid" "$LOG"
no_escape() {
	! grep -q "$(printf '\033')" "$LOG"
}
check "(its control character replaced)" no_escape
long="rampart-capture\[$pid\]: $(printf 'y%.0s' $(seq 2048)) \[line cut at 2048 bytes\]"
check "an overlong line is cut at 2048 bytes and marked" grep -qx "$long" "$LOG"
check "and the rest of it dropped" \
    sh -c "! grep -q 'the end of the long line' '$LOG'"
check "a line of 64 MiB is cut the same way" \
    grep -qE "^rampart-capture\[$pid\]: x{2048} \[line cut at 2048 bytes\]$" "$LOG"
check "the line after the flood arrives whole" \
    grep -qx "rampart-capture\[$pid\]: after the flood" "$LOG"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RAMPART_PID/status")
check "the flood did not make rampart grow (peak RSS $hwm KiB)" \
    test "$hwm" -lt 49152
check "the helper it became serves a client" \
    client --timeout 10 --expect "$FRAMES" "$(target)"
rampart_stop

# A helper's last words, without a newline, before it dies: in the log,
# and before rampart's word on its death.
stand_in <<EOF
printf 'my last words, without a newline' >&2
exit 3
EOF
: >"$LOG"
PORT=$(free_port)
RAMPART_LIBEXECDIR=$HELPERS timeout 20 "$RAMPART" --foreground \
    --config /dev/null --insecure-no-auth --listen "tcp:127.0.0.1:$PORT" \
    --capture "replay:$FRAMES" 2>"$LOG"
rc=$?
check "a capture helper that cannot start: rampart exits non-zero" \
    test $rc -ne 0 -a $rc -ne 124
check "its last line, without a newline, is in the log" \
    grep -qE '^rampart-capture\[[0-9]+\]: my last words, without a newline$' "$LOG"
words=$(grep -n 'my last words' "$LOG" | cut -d: -f1)
death=$(grep -n 'rampart-capture could not start' "$LOG" | cut -d: -f1)
check "before the news of its death, on a line of its own" \
    test -n "$words" -a -n "$death" -a "${words:-0}" -lt "${death:-0}"
done_testing
