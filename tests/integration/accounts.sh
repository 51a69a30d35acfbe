#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Accounts and TLS material on disk, as an administrator meets them.  The
# first start makes the users file (the user admin) and a password file
# that says how to get in, and a self-signed certificate whose
# fingerprint the log gives as openssl does; later starts make nothing.
# Files that others may read, keys of the wrong kind, a key that is not
# the certificate's, a users file that does not parse: each refused with
# one line that names the file and the fix.  SIGHUP reads everything
# again, or, when anything is wrong, keeps everything as it was.
. "$top_srcdir/tests/integration/lib.sh"

command -v openssl >/dev/null || skip_all "openssl is not installed"

FRAMES=$WORK/screen.frames
make_frames sparse 160 120 2 5 "$FRAMES"
ETC=$WORK/etc
USERS=$ETC/users
TLS=$ETC/tls
PWFILE=$ETC/initial-admin-password
out=$WORK/out
# The real default: VeNCrypt X509Plain on loopback, accounts needed.
AUTH_ARGS=

# vc ARGS...: the raw security handshake (tests/client/vencrypt.py).
vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

# login USER PASSWORD: VeNCrypt X509Plain with the certificate as the CA,
# up to ServerInit.
login() {
	vc --ca "$TLS/cert.pem" --hostname localhost --user "$1" \
	    --password "$2" "$(target)"
}

# fingerprint CERT: as openssl says it.
fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^.*=//'
}

# logged_fingerprint: the last one rampart logged.
logged_fingerprint() {
	sed -n 's/^.*TLS certificate SHA-256 fingerprint //p' \
	    "$WORK/rampart.log" | tail -n 1
}

# refused WANT ARGS...: rampart with ARGS exits 1 with one line, WANT.
refused() {
	local want=$1 rc
	shift
	timeout 20 "$RAMPART" --foreground --config /dev/null \
	    --listen "tcp:127.0.0.1:$(free_port)" --capture "replay:$FRAMES" \
	    "$@" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 1 ] || [ "$(cat "$out")" != "$want" ]; then
		echo "exit $rc, said:"
		cat "$out"
		echo "wanted: $want"
		return 1
	fi
}

# scrypt_line NAME ROLE PASSWORD: a users file line, hashed here.
scrypt_line() {
	python3 - "$@" <<'PY'
import base64, hashlib, os, sys
name, role, password = sys.argv[1:4]
salt = os.urandom(16)
key = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 15, r=8, p=1,
                     maxmem=64 << 20, dklen=32)
b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
print("%s:%s:$scrypt$ln=15,r=8,p=1$%s$%s" % (name, role, b64(salt), b64(key)))
PY
}

# --- the first start, as a daemon: it says on the terminal where the
# password is --------------------------------------------------------------

PORT=$(free_port)
timeout 30 "$RAMPART" --config /dev/null --listen "tcp:127.0.0.1:$PORT" \
    --capture "replay:$FRAMES" --users "$USERS" --tls-dir "$TLS" \
    --pid-file "$WORK/rampart.pid" >"$out" 2>&1
rc=$?
RAMPART_PID=$(cat "$WORK/rampart.pid" 2>/dev/null)
check "the first start, as a daemon, comes up" test $rc -eq 0
check "and says on the terminal where the first password is and how to change it" \
    grep -qx "rampart: created the users file $USERS with the user admin (role control); its password is in $PWFILE (readable by root only): log in as admin with it, then change it with \`rampart-passwd set admin\`" \
    "$out"
check "the users file is root's, mode 600" \
    test "$(stat -c '%U %a' "$USERS")" = "root 600"
check "holding the one account admin, role control, a scrypt hash" \
    grep -qx 'admin:control:\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]\{22\}\$[A-Za-z0-9+/]\{43\}' \
    "$USERS"
check "the password file is root's, mode 600" \
    test "$(stat -c '%U %a' "$PWFILE")" = "root 600"
check "holding 20 letters and digits" grep -qx '[A-Za-z0-9]\{20\}' "$PWFILE"
check "the directory made for them is 700" test "$(stat -c %a "$ETC")" = 700
check "the TLS directory is 700" test "$(stat -c %a "$TLS")" = 700
check "cert.pem and key.pem are root's, mode 600" \
    test "$(stat -c '%U %a' "$TLS/cert.pem" "$TLS/key.pem" | sort -u)" = "root 600"
auth=$(pgrep -P "$RAMPART_PID" -x rampart-auth)
check "rampart-auth runs, with the users file's size" \
    sh -c "tr '\0' ' ' </proc/$auth/cmdline | grep -q -- '--users-size $(stat -c %s "$USERS") '"
kill -TERM "$RAMPART_PID"
wait_until 10 sh -c "! kill -0 $RAMPART_PID 2>/dev/null"
RAMPART_PID=

# --- the certificate --------------------------------------------------------

check "the key is ECDSA P-256" \
    sh -c "openssl pkey -in '$TLS/key.pem' -noout -text | grep -q 'NIST CURVE: P-256'"
check "the certificate names the host" \
    sh -c "openssl x509 -in '$TLS/cert.pem' -noout -subject | grep -qx 'subject=CN = $(hostname)'"
san=$(openssl x509 -in "$TLS/cert.pem" -noout -ext subjectAltName | tail -n +2)
diag "SANs: $san"
check "its SANs hold localhost and 127.0.0.1" \
    sh -c "echo '$san' | grep -q 'DNS:localhost' && echo '$san' | grep -q 'IP Address:127.0.0.1'"
check "and ::1" sh -c "echo '$san' | grep -q 'IP Address:0:0:0:0:0:0:0:1'"
check "it is good for nine years and more" \
    openssl x509 -in "$TLS/cert.pem" -noout -checkend $((9 * 366 * 86400))
check "and verifies as its own CA (what a viewer given it does)" \
    openssl verify -CAfile "$TLS/cert.pem" "$TLS/cert.pem"

# --- the second start: nothing made again -------------------------------------

cp "$USERS" "$WORK/users.first"
cp "$PWFILE" "$WORK/password.first"
cp "$TLS/cert.pem" "$WORK/cert.first"
rampart_start --users "$USERS" --tls-dir "$TLS"
check "the second start makes no users file" \
    sh -c "! grep -q 'created the users file' '$WORK/rampart.log'"
check "nor a certificate" \
    sh -c "! grep -q 'created a self-signed TLS certificate' '$WORK/rampart.log'"
check "the users file, password and certificate are as they were" \
    sh -c "cmp '$USERS' '$WORK/users.first' && cmp '$PWFILE' '$WORK/password.first' && cmp '$TLS/cert.pem' '$WORK/cert.first'"
check "the fingerprint logged is openssl's" \
    test "$(logged_fingerprint)" = "$(fingerprint "$TLS/cert.pem")"
check "with the subject and the expiry" \
    grep -q "TLS certificate $TLS/cert.pem: subject CN=$(hostname), expires " \
    "$WORK/rampart.log"
check "the initial password logs admin in over X509Plain" \
    login admin "$(cat "$PWFILE")"
check "a wrong one does not" \
    vc --ca "$TLS/cert.pem" --user admin --password wrong \
    --expect failed "$(target)"

# --- reload -------------------------------------------------------------------

auth=$(helper_pid rampart-auth)
broker=$(helper_pid rampart-broker)
cp "$USERS" "$WORK/users.good"
sed -i 's/^admin:control:/admin:superuser:/' "$USERS"
kill -HUP "$RAMPART_PID"
check "SIGHUP with a broken users file: the log says why, and that all stays" \
    wait_until 10 grep -q "reload: users file $USERS: line 1: .*; the TLS material and accounts stay as they were" \
    "$WORK/rampart.log"
check "rampart-auth was not restarted" test "$(helper_pid rampart-auth)" = "$auth"
check "the old accounts still log in" login admin "$(cat "$PWFILE")"

{ cat "$WORK/users.good"; scrypt_line bob view "bob's secret"; } >"$USERS"
kill -HUP "$RAMPART_PID"
check "SIGHUP with a good file: 2 accounts" \
    wait_until 10 grep -q "users file $USERS: 2 accounts" "$WORK/rampart.log"
check "the broker has them" \
    wait_until 10 grep -q "rampart-broker\[$broker\]: 2 accounts" \
    "$WORK/rampart.log"
check "rampart-auth started afresh with them" \
    wait_until 10 sh -c "p=\$(pgrep -P $RAMPART_PID -x rampart-auth); [ -n \"\$p\" ] && [ \"\$p\" != $auth ]"
check "the new user logs in" wait_until 10 login bob "bob's secret"
check "and so does admin still" login admin "$(cat "$PWFILE")"
auth=$(helper_pid rampart-auth)

# A new certificate and key in the directory: the next generation.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$WORK/key384.pem" -out "$WORK/cert384.pem" -days 30 \
    -subj /CN=reloaded -addext subjectAltName=DNS:localhost \
    >/dev/null 2>&1 || bail_out "openssl req"
install -m 600 "$WORK/key384.pem" "$TLS/key.pem"
install -m 600 "$WORK/cert384.pem" "$TLS/cert.pem"
kill -HUP "$RAMPART_PID"
check "SIGHUP with a new certificate: its fingerprint is logged" \
    wait_until 10 sh -c "grep -q 'fingerprint $(fingerprint "$TLS/cert.pem")' '$WORK/rampart.log'"
check "the broker has generation 2" \
    wait_until 10 grep -q "rampart-broker\[$broker\]: TLS material, generation 2" \
    "$WORK/rampart.log"
check "rampart-auth was not restarted for it (its files did not change)" \
    test "$(helper_pid rampart-auth)" = "$auth"
check "a viewer logs in with the new certificate (P-384)" \
    login admin "$(cat "$PWFILE")"
check "the broker is the one it was: clients stay" \
    test "$(helper_pid rampart-broker)" = "$broker"
rampart_stop

# --- refused ------------------------------------------------------------------

chmod 644 "$USERS"
check "a users file that others may read is refused, naming chmod 600" \
    refused "rampart: users file $USERS may be read or written by group or others (mode 0644): it holds secrets; chmod 600 $USERS" \
    --users "$USERS" --tls-dir "$TLS"
chmod 600 "$USERS"
chown nobody "$USERS"
check "a users file not root's is refused" \
    refused "rampart: users file $USERS is owned by uid $(id -u nobody), not root: it holds secrets (chown root $USERS; chmod 600 $USERS)" \
    --users "$USERS" --tls-dir "$TLS"
chown root "$USERS"
chmod 640 "$TLS/key.pem"
check "a TLS key that the group may read is refused" \
    refused "rampart: TLS key $TLS/key.pem may be read or written by group or others (mode 0640): it holds secrets; chmod 600 $TLS/key.pem" \
    --users "$USERS" --tls-dir "$TLS"
chmod 600 "$TLS/key.pem"
printf 'admin:control:$scrypt$ln=15,r=8,p=1$x$y\n' >"$WORK/bad-users"
chmod 600 "$WORK/bad-users"
refused x --users "$WORK/bad-users" --tls-dir "$TLS" >/dev/null
check "a users file that does not parse is refused with its line" \
    grep -q "^rampart: users file $WORK/bad-users: line 1: " "$out"
mkdir -p "$WORK/half"
cp "$TLS/key.pem" "$WORK/half/key.pem"
check "a key without its certificate in --tls-dir is refused" \
    refused "rampart: $WORK/half/key.pem is there without $WORK/half/cert.pem: remove it, and rampart makes a new pair" \
    --users "$USERS" --tls-dir "$WORK/half"
check "a users path that is a directory is refused" \
    refused "rampart: users file $ETC is not a regular file" \
    --users "$ETC" --tls-dir "$TLS"

openssl req -x509 -newkey rsa:1024 -nodes -keyout "$WORK/rsa1024.key" \
    -out "$WORK/rsa1024.pem" -days 30 -subj /CN=small >/dev/null 2>&1
chmod 600 "$WORK/rsa1024.key"
check "an RSA key of 1024 bits is refused" \
    refused "rampart: TLS key $WORK/rsa1024.key: RSA key of 1024 bits: rampart takes 2048 to 4096" \
    --users "$USERS" --tls-cert "$WORK/rsa1024.pem" \
    --tls-key "$WORK/rsa1024.key"
check "a key that is not the certificate's is refused" \
    refused "rampart: TLS key $TLS/key.pem is not the key of the certificate $WORK/rsa1024.pem (the first in the file)" \
    --users "$USERS" --tls-cert "$WORK/rsa1024.pem" --tls-key "$TLS/key.pem"
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -aes256 \
    -pass pass:secret -out "$WORK/encrypted.key" >/dev/null 2>&1
chmod 600 "$WORK/encrypted.key"
refused x --users "$USERS" --tls-cert "$TLS/cert.pem" \
    --tls-key "$WORK/encrypted.key" >/dev/null
check "an encrypted key is refused" \
    grep -q "^rampart: TLS key $WORK/encrypted.key: not an unencrypted PEM private key" \
    "$out"
printf 'control:12345678\n' >"$WORK/vnc"
chmod 644 "$WORK/vnc"
check "a VNC password file that others may read is refused" \
    refused "rampart: VNC password file $WORK/vnc may be read or written by group or others (mode 0644): it holds secrets; chmod 600 $WORK/vnc" \
    --users "$USERS" --tls-dir "$TLS" --insecure-vnc-auth \
    --vnc-passwords "$WORK/vnc"
: >"$WORK/empty-ca.pem"
check "a client CA file without a certificate is refused" \
    refused "rampart: client CA file $WORK/empty-ca.pem: no PEM certificate in it" \
    --users "$USERS" --tls-dir "$TLS" --tls-client-ca "$WORK/empty-ca.pem"

# --- a certificate of one's own, and client certificates ----------------------

CA=$WORK/ca
mkdir -p "$CA"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$CA/ca.key" \
    -out "$CA/ca.pem" -days 30 -subj /CN=test-ca >/dev/null 2>&1 ||
    bail_out "openssl req (CA)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/server.key" \
    -out "$WORK/server.pem" -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1 ||
    bail_out "openssl req (server)"
chmod 600 "$WORK/server.key"
cat >"$CA/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $CA/index.txt
crlnumber = $CA/crlnumber
default_md = sha256
default_crl_days = 30
CNF
: >"$CA/index.txt"
echo 01 >"$CA/crlnumber"
openssl ca -batch -config "$CA/ca.cnf" -gencrl -keyfile "$CA/ca.key" \
    -cert "$CA/ca.pem" -out "$CA/crl.pem" >/dev/null 2>&1 ||
    bail_out "openssl ca -gencrl"
printf 'control:12345678\nview:abcdefgh\n' >"$WORK/vnc"
chmod 600 "$WORK/vnc"
PORT=
rampart_start --users "$USERS" --tls-cert "$WORK/server.pem" \
    --tls-key "$WORK/server.key" --tls-client-ca "$CA/ca.pem" \
    --tls-crl "$CA/crl.pem" --insecure-vnc-auth --vnc-passwords "$WORK/vnc"
check "--tls-cert and --tls-key: the fingerprint logged is openssl's (RSA 2048)" \
    test "$(logged_fingerprint)" = "$(fingerprint "$WORK/server.pem")"
check "with a client CA, the listener asks for X509None, and VNC authentication" \
    grep -q "listener tcp:127.0.0.1:$PORT: security VeNCrypt X509None (TLS, a client certificate names the user), VNC authentication (DES, nothing encrypted)$" \
    "$WORK/rampart.log"
vc --stop types --expect stopped "$(target)" >"$out"
check "which a viewer is offered: VeNCrypt and VNC authentication" \
    grep -qx 'types: 19,2' "$out"
vc --stop subtypes --expect stopped "$(target)" >"$out"
check "and X509None alone inside VeNCrypt" grep -qx 'subtypes: 260' "$out"
check "the start warned of VNC authentication" \
    grep -q "warning: --insecure-vnc-auth: VNC authentication is offered" \
    "$WORK/rampart.log"
auth=$(helper_pid rampart-auth)
check "rampart-auth has the VNC password file's size too" \
    sh -c "tr '\0' ' ' </proc/$auth/cmdline | grep -q -- '--vnc-size $(stat -c %s "$WORK/vnc") '"
rampart_stop
done_testing
