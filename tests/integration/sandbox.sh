#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The broker, the process that speaks to the network, is jailed: seccomp
# filter, no new privileges, no capabilities, not root, no files open.
. "$top_srcdir/tests/integration/lib.sh"

FRAMES=$WORK/screen.frames
make_frames sparse 320 240 3 2 "$FRAMES"
rampart_start
# A client, so that the broker has done real work (and has the frame ring).
client --timeout 10 --expect "$FRAMES" "$(target)" >/dev/null 2>&1

broker=$(helper_pid rampart-broker)
status=/proc/$broker/status
[ -n "$broker" ] && [ -r "$status" ] || bail_out "no broker process"
diag "$(grep -E '^(Uid|Gid|Groups|NoNewPrivs|Seccomp|Cap[A-Za-z]+):' "$status")"

field() {
	awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$status"
}

check_field() {
	local got
	got=$(field "$1")
	if [ "$got" = "$2" ]; then
		pass "broker $1: $2"
	else
		fail "broker $1 is '$got', want '$2'"
	fi
}

check_field Seccomp 2
check_field NoNewPrivs 1
check_field CapEff 0000000000000000
check_field CapPrm 0000000000000000
check_field CapInh 0000000000000000
check_field CapAmb 0000000000000000

for f in Uid Gid; do
	ids=$(field $f)
	if [ -n "$ids" ] && ! echo "$ids" | tr -s ' \t' '\n' | grep -qx 0; then
		pass "broker $f is not 0 in any field ($ids)"
	else
		fail "broker $f has a 0 ($ids)"
	fi
done
groups=$(field Groups)
if ! echo " $groups " | grep -q ' 0 '; then
	pass "broker is not in group 0 (Groups: $groups)"
else
	fail "broker is in group 0 (Groups: $groups)"
fi

# No file of the file system is open: past the standard streams (which
# it inherits), only sockets, pipes, anonymous inodes and memfds (the
# frame ring).
files=
for fd in /proc/$broker/fd/*; do
	n=${fd##*/}
	[ "$n" -le 2 ] && continue
	t=$(readlink "$fd") || continue
	case $t in
	socket:*|pipe:*|anon_inode:*|/memfd:*) ;;
	*) files="$files $n=$t" ;;
	esac
done
if [ -z "$files" ]; then
	pass "the broker holds no file of the file system open"
else
	fail "the broker holds files open:$files"
fi

# Its address space is limited: a bug that grows it ends in a restart,
# not in the OOM killer's choice.  (Sanitizer builds go without.)
limit=$(awk '/^Max address space/ { print $4 }' "/proc/$broker/limits")
if ldd "$top_builddir/rampart-broker" 2>/dev/null | grep -q libasan; then
	skip "broker address space limit (sanitizer build: $limit)"
elif [ "$limit" != unlimited ] && [ "$limit" -le $((4 << 30)) ]; then
	pass "broker address space is limited ($((limit >> 20)) MiB)"
else
	fail "broker address space is limited (Max address space: $limit)"
fi

# The privileged helpers are filtered too, with fewer limits.
for h in rampart-capture rampart-input; do
	pid=$(helper_pid $h)
	mode=$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	if [ "$mode" = 2 ]; then
		pass "$h runs under a seccomp filter"
	else
		fail "$h runs under a seccomp filter (Seccomp: ${mode:-?})"
	fi
done

check "rampart is still running" rampart_alive
done_testing
