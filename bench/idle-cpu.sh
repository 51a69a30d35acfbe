#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# idle-cpu.sh BUILD FRAMES [SECONDS] [VIEWERS]
#
# The CPU time that rampart takes, all of its processes together
# (supervisor, broker, capture and input helpers), while VIEWERS viewers
# (default 16) asking for updates watch a replayed screen: utime +
# stime from /proc/PID/stat, summed over the processes, over SECONDS
# (default 20) after a warm-up of WARM seconds (default 5).  BUILD is a
# build tree with a rampart in it (this one, or main's built elsewhere, to
# compare); the viewers are this tree's tests/client/rampart-testclient,
# asking for Raw, or for ENCODINGS when set (its --encodings list, e.g.
# ENCODINGS=tight,quality=6).
# Prints one line per process and the total in percent of one core.
# Must run as root (rampart drops its privileges itself).
set -u

[ $# -ge 2 ] || { echo "usage: $0 BUILD FRAMES [SECONDS] [VIEWERS]" >&2; exit 2; }
BUILD=$1
FRAMES=$2
SECS=${3:-20}
VIEWERS=${4:-16}
WARM=${WARM:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
TESTCLIENT=${TESTCLIENT:-$HERE/tests/client/rampart-testclient}
HZ=$(getconf CLK_TCK)
LOG=$(mktemp /tmp/idle-cpu.XXXXXX)
PIDS=

cleanup() {
	local p
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -f "$LOG"
}
trap cleanup EXIT

[ -x "$BUILD/rampart" ] || { echo "$BUILD/rampart is not built" >&2; exit 1; }
[ -x "$TESTCLIENT" ] || { echo "$TESTCLIENT is not built" >&2; exit 1; }

PORT=$((20000 + RANDOM % 40000))
"$BUILD/rampart" --foreground --config /dev/null --insecure-no-auth \
    --listen "tcp:127.0.0.1:$PORT" --capture "replay:$FRAMES" \
    --input none --log-level info 2>"$LOG" &
RAMPART=$!
PIDS=$RAMPART
for i in $(seq 100); do
	[ -n "$(ss -Htln "sport = :$PORT")" ] && break
	sleep 0.1
done
[ -n "$(ss -Htln "sport = :$PORT")" ] || { cat "$LOG" >&2; exit 1; }

for i in $(seq "$VIEWERS"); do
	"$TESTCLIENT" --hold $((WARM + SECS + 10)) \
	    ${ENCODINGS:+--encodings "$ENCODINGS"} "127.0.0.1:$PORT" \
	    >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	# At most 8 handshakes at once from one address: a little apart.
	sleep 0.1
done
sleep "$WARM"

# rampart and its helpers: "pid name ticks ns" lines.  Ticks: utime +
# stime of /proc/PID/stat (all threads, in clock ticks: coarse, a 10 ms
# tick is charged whole to whoever runs then); ns: the run time the
# scheduler counted for each thread (/proc/PID/task/*/schedstat), exact.
sample() {
	local p ns
	for p in $RAMPART $(pgrep -P "$RAMPART"); do
		[ -r "/proc/$p/stat" ] || continue
		ns=$(cat /proc/"$p"/task/*/schedstat 2>/dev/null |
		    awk '{ t += $1 } END { printf "%.0f", t }')
		# The name is in parentheses; utime and stime are fields 14
		# and 15, that is 12 and 13 after it.
		sed 's/^[0-9]* (\([^)]*\)) /\1 /' "/proc/$p/stat" |
		    awk -v p="$p" -v ns="$ns" '{ print p, $1, $13 + $14, ns }'
	done
}

before=$(sample)
sleep "$SECS"
after=$(sample)
connected=$(ss -Htn state established "dport = :$PORT" | wc -l)

echo "rampart $BUILD, replay of $FRAMES, $connected of $VIEWERS viewers" \
    "(${ENCODINGS:-raw}) connected, $SECS s"
printf "  %-16s %-11s %24s   %24s\n" "" "" "/proc/PID/stat ticks" \
    "schedstat run time"
join <(echo "$before" | sort) <(echo "$after" | sort) |
    awk -v hz="$HZ" -v s="$SECS" '
	# pid name ticks ns name ticks ns
	{ t = ($6 - $3) / hz; n = ($7 - $4) / 1e9; total += t; totaln += n
	  printf "  %-16s pid %-7s %7.3f s %6.2f%% core   %7.3f s %6.2f%% core\n",
	      $2, $1, t, 100 * t / s, n, 100 * n / s }
	END { printf "  %-16s %-11s %7.3f s %6.2f%% core   %7.3f s %6.2f%% core\n",
	      "total", "", total, 100 * total / s, totaln, 100 * totaln / s }'
