#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The secrets never enter the broker: after logins (so that its TLS stack
# did handshakes, signing through the key holder) the running broker's
# whole memory holds neither the TLS key's private scalar (in either byte
# order: OpenSSL keeps a BIGNUM's words least significant first), nor any
# password hash of the users file (its text or its 32 raw bytes), nor the
# initial admin password made by the first start.  The same scan finds
# the scalar in the supervisor (the key holder) and the hashes in
# rampart-auth, or the test would prove nothing.  And the broker and
# rampart-auth run confined: seccomp filter mode, no capabilities, not
# root.
. "$top_srcdir/tests/integration/lib.sh"

command -v openssl >/dev/null || skip_all "openssl is not installed"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"
USERS=$WORK/etc/users
TLS=$WORK/etc/tls
PWFILE=$WORK/etc/initial-admin-password
PASSWD=$top_builddir/rampart-passwd
MEMSCAN="python3 $top_srcdir/tests/client/memscan.py"

vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

login() {
	vc --ca "$TLS/cert.pem" --hostname localhost --user "$1" \
	    --password "$2" "$(target)"
}

# The real default (VeNCrypt X509Plain), and a first start: rampart makes
# the users file with admin, its password file and the certificate.
AUTH_ARGS=
rampart_start --users "$USERS" --tls-dir "$TLS"
unset AUTH_ARGS
wait_until 10 test -s "$PWFILE" || bail_out "the first start made no $PWFILE"
ADMIN_PW=$(cat "$PWFILE")

printf 'alice-secret-1\n' | "$PASSWD" --file "$USERS" add alice --role control ||
    bail_out "rampart-passwd add alice"
printf 'bob-secret-2\n' | "$PASSWD" --file "$USERS" add bob --role view ||
    bail_out "rampart-passwd add bob"
kill -HUP "$RAMPART_PID"
wait_until 10 login alice alice-secret-1 ||
    bail_out "alice cannot log in after the reload"

logins=0
# (Three wrong passwords: five from one address would back off.)
for i in 1 2 3 4 5; do
	login alice alice-secret-1 >/dev/null && logins=$((logins + 1))
	login bob bob-secret-2 >/dev/null && logins=$((logins + 1))
	[ $i -gt 3 ] || vc --ca "$TLS/cert.pem" --user bob --password wrong \
	    --expect failed "$(target)" >/dev/null
done
check "ten logins over TLS (and three refusals) before the scan" \
    test "$logins" -eq 10

broker=$(helper_pid rampart-broker)
auth=$(helper_pid rampart-auth)
[ -n "$broker" ] || bail_out "no rampart-broker"
[ -n "$auth" ] || bail_out "no rampart-auth"

# The key's private scalar, 32 bytes for P-256, as openssl prints it
# (a leading 00 when its top bit is set).
scalar=$(openssl pkey -in "$TLS/key.pem" -text -noout |
    sed -n '/^priv:/,/^pub:/p' | sed '1d;$d' | tr -d ' :\n')
scalar=$(printf '%064s' "${scalar#00}" | tr ' ' 0)
scalar=${scalar: -64}
scalar_le=$(echo "$scalar" | fold -w2 | tac | tr -d '\n')
check "the key's private scalar is 32 bytes" test ${#scalar} -eq 64
# The key file's DER body, as the supervisor read it.
# The certificate's signed part (TBSCertificate), whose DER OpenSSL keeps
# in the broker as it was parsed (it sends the certificate).
certder=$(openssl x509 -in "$TLS/cert.pem" -outform DER | python3 -c '
import sys
d = sys.stdin.buffer.read()
def skip(i):  # past a DER header at i: the index of its content, its length
    n = d[i + 1]
    if n < 0x80:
        return i + 2, n
    k = n & 0x7f
    return i + 2 + k, int.from_bytes(d[i + 2:i + 2 + k], "big")
c, _ = skip(0)
t, n = skip(c)
print(d[c:t + n].hex())')
keyder=$(openssl pkey -in "$TLS/key.pem" -outform DER | od -An -v -tx1 | tr -d ' \n')

# Every hash of the users file: its text and its raw bytes.
hashpats=
while IFS=: read -r name role hash; do
	[ -n "$hash" ] || continue
	raw=$(python3 -c 'import base64, sys
s = sys.argv[1].rsplit("$", 1)[1]
print(base64.b64decode(s + "=" * (-len(s) % 4)).hex())' "$hash")
	hashpats="$hashpats hash-$name=$(printf '%s' "$hash" | od -An -v -tx1 | tr -d ' \n')"
	hashpats="$hashpats raw-$name=$raw"
done <"$USERS"
check "three accounts' hashes to search for" \
    test "$(echo $hashpats | wc -w)" -eq 6
adminpw=$(printf '%s' "$ADMIN_PW" | od -An -v -tx1 | tr -d ' \n')

scan() {
	local who=$1 pid=$2
	shift 2
	$MEMSCAN "$pid" "$@" >"$WORK/scan.$who" 2>&1 ||
	    { diag_file "$WORK/scan.$who"; return 1; }
	diag "$who: $(tail -n 1 "$WORK/scan.$who")"
}

scan broker "$broker" scalar=$scalar scalar-le=$scalar_le key-der=$keyder \
    admin-password=$adminpw cert-der=$certder $hashpats ||
    fail "the broker's memory could be read"
scan supervisor "$RAMPART_PID" scalar=$scalar scalar-le=$scalar_le
scan auth "$auth" $hashpats

# found WHO NAME: the scan of WHO found NAME.
found() {
	grep -q "^$2: found at" "$WORK/scan.$1"
}

check "the scan read the broker's memory (megabytes of it)" \
    test "$(sed -n 's/^scanned: \([0-9]*\) bytes.*/\1/p' "$WORK/scan.broker")" -gt 1000000
check "and finds there the certificate's signed part, which the broker holds" \
    found broker cert-der
check "the key's private scalar is not in the broker" \
    sh -c "! grep -E '^scalar(-le)?: found' '$WORK/scan.broker'"
check "nor the key file's DER" \
    sh -c "! grep '^key-der: found' '$WORK/scan.broker'"
check "the scan finds the scalar in the supervisor, the key holder" \
    grep -qE '^scalar(-le)?: found' "$WORK/scan.supervisor"
grep -E '^scalar' "$WORK/scan.supervisor" | sed 's/^/# supervisor /'
check "no password hash (text or raw bytes) is in the broker" \
    sh -c "! grep -E '^(hash|raw)-[a-z]*: found' '$WORK/scan.broker'"
for u in admin alice bob; do
	check "the scan finds $u's hash text in rampart-auth" \
	    found auth "hash-$u"
done
check "the initial admin password is not in the broker" \
    sh -c "! grep '^admin-password: found' '$WORK/scan.broker'"

# The password of a user who logs in passes through the broker on its way
# to rampart-auth: the broker wipes it once asked (security.c, auth.c).
check "admin logs in with the initial password" login admin "$ADMIN_PW"
scan broker-after "$broker" admin-password=$adminpw
# Under AddressSanitizer freed memory waits in a quarantine, never reused
# nor cleared: the copies libevent frees (not only ours, which are wiped)
# stay readable there, by design of the sanitizer.
if ldd "$top_builddir/rampart-broker" 2>/dev/null | grep -q libasan; then
	skip "it does not stay in the broker after the login (ASan keeps freed memory)"
else
	check "and it does not stay in the broker after the login" \
	    grep -q '^admin-password: not found' "$WORK/scan.broker-after"
fi

# status PID FIELD: a field of /proc/PID/status.
status() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
for who in broker auth; do
	eval pid=\$$who
	check "$who: Seccomp 2 (filter)" test "$(status "$pid" Seccomp)" = 2
	check "$who: no effective capabilities" \
	    test "$(status "$pid" CapEff)" = 0000000000000000
	check "$who: not root" test "$(status "$pid" Uid)" != 0
	check "$who: no root group" test "$(status "$pid" Gid)" != 0
done

check "rampart is still running" rampart_alive
done_testing
