# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the integration tests: TAP output, a scratch directory, frame
# files, and a rampart started from the build tree and stopped at exit.
# A test sources this file, calls rampart_start, checks, and ends with
# done_testing.  Everything it starts is stopped by pid in the EXIT trap.

: "${top_builddir:?top_builddir must be set (make check sets it)}"
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"

# In a sanitizer build: leak checking stops the world with ptrace, which
# seccomp rightly forbids the helpers, and turns the exit status of a
# process that exits early into its own.  Leaks are for the unit tests and
# fuzzers; here the rest of ASan and UBSan stays on.
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

RAMPART=$top_builddir/rampart
TESTCLIENT=$top_builddir/tests/client/rampart-testclient
MKFRAMES=$top_builddir/tests/client/rampart-mkframes

TAP_N=0
TAP_FAILED=0
RAMPART_PID=
BG_PIDS=
NETNS=
NS_EXEC=

# --- TAP ------------------------------------------------------------------

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE [LINES]: the end of a file, as TAP comments.
diag_file() {
	[ -f "$1" ] || return 0
	echo "# --- $1 (last ${2:-40} lines)"
	tail -n "${2:-40}" "$1" | sed 's/^/#   /'
}

pass() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}

# check DESCRIPTION COMMAND...: one test point, the command's exit status;
# its output goes to the TAP stream as comments when it fails.
check() {
	local desc=$1 out rc
	shift
	out=$WORK/check.$TAP_N.out
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc"
		diag "command: $* (exit $rc)"
		sed 's/^/#   /' "$out" | head -n 40
	fi
	return $rc
}

# tap_lines FILE: the "ok - ..." and "not ok - ..." lines a test client
# printed (tests/client/eds.py, flow.py) as test points, and one that
# fails when there were none.
tap_lines() {
	local verdict rest n=0
	while read -r verdict rest; do
		case $verdict in
		ok) pass "${rest#- }" ;;
		not) fail "${rest#ok - }" ;;
		*) continue ;;
		esac
		n=$((n + 1))
	done <"$1"
	[ $n -gt 0 ] || { fail "$(basename "$1") said nothing"; diag_file "$1"; }
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	[ -n "$WORK" ] && diag_file "$WORK/rampart.log" 60
	exit 1
}

done_testing() {
	# A sanitizer report in a helper that was then restarted would
	# otherwise go unnoticed.
	if [ -f "$WORK/rampart.log" ] && grep -qE \
	    'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' \
	    "$WORK/rampart.log"; then
		fail "no sanitizer reports in rampart's log"
		grep -E -A 20 'ERROR: AddressSanitizer|runtime error:' \
		    "$WORK/rampart.log" | head -n 60 | sed 's/^/#   /'
	fi
	echo "1..$TAP_N"
	if [ "$TAP_FAILED" -gt 0 ]; then
		diag_file "$WORK/rampart.log" 60
	fi
	exit 0
}

# --- scratch space and clean-up ----------------------------------------------

cleanup() {
	local pid
	for pid in $BG_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $BG_PIDS; do
		wait "$pid" 2>/dev/null
	done
	rampart_stop
	if [ -n "$NETNS" ]; then
		ip netns del "$NETNS" 2>/dev/null
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root (rampart drops privileges itself)"
[ -x "$RAMPART" ] || bail_out "$RAMPART is not built"
[ -x "$TESTCLIENT" ] || bail_out "$TESTCLIENT is not built"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rampart-test.XXXXXX") || exit 1
# The broker runs as an unprivileged user: let it reach the sockets here.
chmod 755 "$WORK"
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# spawn COMMAND...: run in the background, stopped at exit; its pid in $!.
# The test client is started as itself (not in a subshell running the
# client function), so that the pid is the client's.
spawn() {
	if [ "$1" = client ]; then
		shift
		set -- $NS_EXEC "$TESTCLIENT" "$@"
	fi
	"$@" &
	BG_PIDS="$BG_PIDS $!"
}

# --- frames ------------------------------------------------------------------

# make_frames PATTERN W H COUNT FPS FILE: see tests/client/mkframes.c.
make_frames() {
	"$MKFRAMES" "$@" || bail_out "cannot write frames $*"
}

# --- rampart -----------------------------------------------------------------

# A port nobody listens on, in the network namespace tests use.
free_port() {
	local port tries=0
	while [ $tries -lt 50 ]; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if [ -z "$($NS_EXEC ss -Htan "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return 0
		fi
		tries=$((tries + 1))
	done
	return 1
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until the command holds.
wait_until() {
	local limit=$(($1 * 10)) i=0
	shift
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

port_listening() {
	[ -n "$($NS_EXEC ss -Htln "sport = :$1" 2>/dev/null)" ]
}

# helper_pid NAME: the pid of one of rampart's helpers (its direct child);
# fails when there is none (the pipeline's status would be head's).
helper_pid() {
	local pid
	pid=$(pgrep -P "$RAMPART_PID" -x "$1" | head -n 1)
	[ -n "$pid" ] && echo "$pid"
}

rampart_alive() {
	[ -n "$RAMPART_PID" ] && kill -0 "$RAMPART_PID" 2>/dev/null
}

# rampart_start [ARGS...]: rampart in the foreground, in the background,
# on $PORT (picked when unset) of 127.0.0.1 unless $LISTEN says otherwise,
# replaying $FRAMES, typing into $INPUT_LOG, with $AUTH_ARGS (by default
# --insecure-no-auth: security None on loopback, as the tests of what is
# not authentication need; AUTH_ARGS= empty for the real default).  Extra
# ARGS are added.  Waits until it listens and its broker runs.
rampart_start() {
	local listen tries=0
	INPUT_LOG=${INPUT_LOG:-$WORK/input.log}
	: >>"$INPUT_LOG"
	while :; do
		PORT=${PORT:-$(free_port)} || bail_out "no free port"
		listen=${LISTEN:-tcp:127.0.0.1:$PORT}
		echo "# rampart --listen $listen $*" >>"$WORK/rampart.log"
		$NS_EXEC "$RAMPART" --foreground --config /dev/null \
		    --listen "$listen" --capture "replay:$FRAMES" \
		    --input "log:$INPUT_LOG" --log-level debug \
		    ${AUTH_ARGS---insecure-no-auth} "$@" \
		    2>>"$WORK/rampart.log" &
		RAMPART_PID=$!
		if wait_until 10 port_listening "$PORT" &&
		    wait_until 10 helper_pid rampart-broker; then
			return 0
		fi
		rampart_stop
		tries=$((tries + 1))
		# Someone else may have taken the port: once more elsewhere.
		[ -z "$LISTEN" ] && [ $tries -lt 2 ] || break
		PORT=
	done
	bail_out "rampart did not start (listening on $listen)"
}

# rampart_stop: SIGTERM, then SIGKILL after 10 s; the helpers go with it.
rampart_stop() {
	local i=0
	rampart_alive || { RAMPART_PID=; return 0; }
	kill -TERM "$RAMPART_PID" 2>/dev/null
	while rampart_alive && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if rampart_alive; then
		diag "rampart did not stop on SIGTERM: killing it"
		pkill -KILL -P "$RAMPART_PID" 2>/dev/null
		kill -KILL "$RAMPART_PID" 2>/dev/null
	fi
	wait "$RAMPART_PID" 2>/dev/null
	RAMPART_PID=
}

# client ARGS...: the test client, against rampart unless ARGS name a target.
client() {
	$NS_EXEC "$TESTCLIENT" "$@"
}

target() {
	echo "127.0.0.1:$PORT"
}

# vm_rss PID: resident memory in KiB.
vm_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# --- X servers, for real viewers ---------------------------------------------

# stop PID: end one process started with spawn, and forget it.
stop() {
	local pid rest=
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for pid in $BG_PIDS; do
		[ "$pid" = "$1" ] || rest="$rest $pid"
	done
	BG_PIDS=$rest
}

# viewer_home: the viewers keep settings under $HOME, so a home of the
# test's own, not root's; and no session bus, so that nothing is started
# on one that would outlive the test.
viewer_home() {
	mkdir -p "$WORK/home"
	export HOME=$WORK/home NO_AT_BRIDGE=1 GDK_BACKEND=x11 \
	    GSETTINGS_BACKEND=memory \
	    DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/no-bus
	unset XAUTHORITY WAYLAND_DISPLAY
}

# xvfb_start W H: an X server on a display it picks itself; exports
# DISPLAY, sets XVFB_PID.
display_written() {
	grep -qx '[0-9][0-9]*' "$WORK/display"
}
xvfb_start() {
	: >"$WORK/display"
	spawn Xvfb -displayfd 9 -screen 0 "${1}x${2}x24" -nolisten tcp \
	    -noreset 9>"$WORK/display" 2>>"$WORK/xvfb.log"
	XVFB_PID=$!
	if ! wait_until 10 display_written; then
		diag_file "$WORK/xvfb.log"
		bail_out "Xvfb did not start"
	fi
	DISPLAY=:$(cat "$WORK/display")
	export DISPLAY
}
