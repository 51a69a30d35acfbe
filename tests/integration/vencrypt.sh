#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Logging in with real clients, as a user meets it.  X509Plain, the
# default on TCP: the first start makes the account admin and a
# self-signed certificate, and libvncclient, TigerVNC's vncviewer and
# gtk-vnc, each trusting that certificate, log in and show the served
# frame pixel for pixel.  A wrong password and an unknown user are refused
# alike, in the same time; None and RFB 3.3 get a reason.  X509None with a
# test CA: a good client certificate logs in with its account's role;
# revoked, expired, self-signed and unknown ones are refused.  TLSPlain and
# VNC authentication only with their options, which warn.  And the
# README's first command, with /etc/rampart on a tmpfs of its own.
. "$top_srcdir/tests/integration/lib.sh"

command -v openssl >/dev/null || skip_all "openssl is not installed"

XWDCMP=$top_builddir/tests/client/xwd-compare
PASSWD=$top_builddir/rampart-passwd
GTKVIEW=$top_srcdir/tests/client/gtkvnc-view.py
[ -x "$XWDCMP" ] || bail_out "$XWDCMP is not built"
[ -x "$PASSWD" ] || bail_out "$PASSWD is not built"

W=320 H=240
# rampart replays one frame; frame 1 of the other file differs from it in
# a box: what a pixel check must tell apart.  A smooth picture: viewers
# that ask for JPEG are checked to a PSNR floor (20 dB between the two).
FRAMES=$WORK/screen.frames
OTHER=$WORK/two.frames
FLOOR=30
make_frames photo $W $H 1 1 "$FRAMES"
make_frames photo $W $H 2 1 "$OTHER"
INPUT_LOG=$WORK/input.log
ETC=$WORK/etc
USERS=$ETC/users
TLS=$ETC/tls
CERT=$TLS/cert.pem
PWFILE=$ETC/initial-admin-password
# The real default: no --insecure-no-auth.
AUTH_ARGS=

# vc ARGS...: the raw security handshake (tests/client/vencrypt.py).
vc() {
	python3 "$top_srcdir/tests/client/vencrypt.py" --timeout 10 "$@"
}

# audits PATTERN: how many audit lines of rampart's log match.
audits() {
	grep -c "audit: .*$1" "$WORK/rampart.log"
}
audits_since() {
	[ "$(audits "$1")" -gt "$2" ]
}

# --- 1. X509Plain, the default ------------------------------------------------

rampart_start --users "$USERS" --tls-dir "$TLS"

check "the first start makes the users file with the user admin (control)" \
    grep -q '^admin:control:\$scrypt\$' "$USERS"
check "and the initial password, root's only" \
    test "$(stat -c %a:%U "$PWFILE" 2>&1)" = 600:root
PW=$(cat "$PWFILE")
check "a password of 20 letters and digits" \
    sh -c "printf %s '$PW' | grep -qxE '[A-Za-z0-9]{20}'"
check "the log says where the password is and who to log in as" \
    grep -q "its password is in $PWFILE .*log in as admin with it" \
    "$WORK/rampart.log"
check "and the self-signed certificate in --tls-dir" \
    openssl x509 -noout -in "$CERT"

# The fingerprint a user compares with the viewer's.
want=$(openssl x509 -noout -fingerprint -sha256 -in "$CERT" | sed 's/^.*=//')
got=$(sed -n 's/^.*TLS certificate SHA-256 fingerprint //p' \
    "$WORK/rampart.log" | tail -n 1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	pass "the logged SHA-256 fingerprint is openssl's: $got"
else
	fail "the logged SHA-256 fingerprint is openssl's"
	diag "logged: '$got'" "openssl: '$want'"
fi

# A CA that is not the server's: what a check of the certificate must tell
# apart from the right one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/stranger.key" -out "$WORK/stranger.pem" \
    -subj /CN=localhost -days 2 2>/dev/null ||
    bail_out "openssl cannot make a certificate"

n=$(audits 'logged in as admin (control) by VeNCrypt X509Plain')
check "libvncclient logs in as admin over X509Plain and sees the frame exactly" \
    client --timeout 10 --user admin --password "$PW" --ca "$CERT" \
    --expect "$FRAMES:0" "$(target)"
check "the audit log says so" \
    audits_since 'logged in as admin (control) by VeNCrypt X509Plain, TLSv1\.[23] ' "$n"
check "libvncclient with another CA gets no frame (the certificate is checked)" \
    sh -c "! $TESTCLIENT --timeout 5 --user admin --password '$PW' \
    --ca '$WORK/stranger.pem' --expect '$FRAMES' '$(target)'"
check "libvncclient with a wrong password gets no frame" \
    sh -c "! $TESTCLIENT --timeout 5 --user admin --password 'x$PW' \
    --ca '$CERT' --expect '$FRAMES' '$(target)'"

# --- real viewers under Xvfb ----------------------------------------------------

viewer_home

have_x=yes
for tool in Xvfb xwd; do
	command -v $tool >/dev/null || have_x=
done

# shows_frame: a screenshot, and frame 0 found in it to the floor (the
# viewers ask for JPEG); where in $WORK/compare.out.
shows_frame() {
	xwd -root -silent >"$WORK/shot.xwd" 2>"$WORK/compare.out" &&
	    "$XWDCMP" --find --psnr $FLOOR "$WORK/shot.xwd" "$FRAMES" 0 \
	    >"$WORK/compare.out" 2>&1
}

# rejects FRAMES INDEX: xwd-compare finds that frame nowhere in the last
# screenshot (exit 1), rather than failing to read it (exit 2).
rejects() {
	local rc
	"$XWDCMP" --find --psnr $FLOOR "$WORK/shot.xwd" "$1" "$2"
	rc=$?
	[ $rc -eq 1 ] || { echo "xwd-compare exited $rc, not 1"; return 1; }
}

# viewer_logs_in NAME LOG COMMAND...: the viewer, on an X server of the
# frame's size, logs in as admin and shows the frame.
viewer_logs_in() {
	local name=$1 log=$2 n pid
	shift 2
	xvfb_start 640 480
	n=$(audits 'logged in as admin (control) by VeNCrypt X509Plain')
	spawn "$@" >"$log" 2>&1
	pid=$!
	if wait_until 15 audits_since \
	    'logged in as admin (control) by VeNCrypt X509Plain' "$n"; then
		pass "$name logs in as admin over X509Plain"
	else
		fail "$name logs in as admin over X509Plain"
		diag_file "$log"
	fi
	if wait_until 10 shows_frame; then
		pass "$name shows the served frame, at $(cat "$WORK/compare.out")"
	else
		fail "$name shows the served frame"
		sed 's/^/#   /' "$WORK/compare.out"
		diag_file "$log"
	fi
	check "the comparison finds the other frame nowhere on $name's screen" \
	    rejects "$OTHER" 1
	stop "$pid"
	stop "$XVFB_PID"
}

if [ -n "$have_x" ] && command -v vncviewer >/dev/null; then
	VNC_USERNAME=admin VNC_PASSWORD=$PW viewer_logs_in vncviewer \
	    "$WORK/vncviewer.log" vncviewer -Shared -MenuKey= \
	    -ReconnectOnError=0 -AlertOnFatalError=0 -RemoteResize=0 \
	    -SecurityTypes X509Plain -X509CA "$CERT" "127.0.0.1::$PORT"
	check "vncviewer chose X509Plain" \
	    grep -q 'Choosing security type X509Plain (262)' \
	    "$WORK/vncviewer.log"
else
	skip "TigerVNC's vncviewer (packages tigervnc-viewer, xvfb, x11-apps)"
fi

# gtk-vnc asks for credentials through a signal (gvncviewer answers it with
# a dialog): tests/client/gtkvnc-view.py answers it from VNC_USERNAME and
# VNC_PASSWORD.  gtk-vnc takes no CA from its caller: it reads
# CA/cacert.pem under /etc/pki or under the home directory of the passwd
# entry (not $HOME).  So it runs in a mount namespace of its own, with a
# tmpfs over that home (and over /etc/pki, when there is one) holding the
# CA: nothing of the host's changes.
gtkvnc() {
	local ca=$1
	shift
	unshare -m sh -c '
	    home=$(getent passwd "$(id -u)" | cut -d: -f6)
	    [ -n "$home" ] && mount -t tmpfs tmpfs "$home" || exit 3
	    if [ -d /etc/pki ]; then mount -t tmpfs tmpfs /etc/pki || exit 3; fi
	    mkdir -p "$home/.pki/CA" && cp "$1" "$home/.pki/CA/cacert.pem" &&
	    shift && exec /usr/bin/python3 "$@"' sh "$ca" "$GTKVIEW" "$@"
}
if [ -n "$have_x" ] && command -v unshare >/dev/null &&
    /usr/bin/python3 -c 'import gi; gi.require_version("GtkVnc", "2.0")' \
    2>/dev/null; then
	VNC_USERNAME=admin VNC_PASSWORD=$PW viewer_logs_in gtk-vnc \
	    "$WORK/gtkvnc.log" gtkvnc "$CERT" 127.0.0.1 "$PORT"
	check "gtk-vnc asked for the user and password" \
	    grep -q '^credentials username,password$' "$WORK/gtkvnc.log"

	# With another CA in that place, gtk-vnc refuses the certificate:
	# the CA above is what it checked.
	xvfb_start 640 480
	n=$(audits 'logged in as')
	VNC_USERNAME=admin VNC_PASSWORD=$PW \
	    spawn gtkvnc "$WORK/stranger.pem" 127.0.0.1 "$PORT" \
	    >"$WORK/gtkvnc-stranger.log" 2>&1
	pid=$!
	wait_until 15 grep -q '^disconnected' "$WORK/gtkvnc-stranger.log"
	stop "$pid"
	check "gtk-vnc with another CA: 'The certificate is not trusted'" \
	    grep -q '^error The certificate is not trusted' \
	    "$WORK/gtkvnc-stranger.log"
	check "and nobody logged in" test "$(audits 'logged in as')" -eq "$n"
	stop "$XVFB_PID"
else
	skip "gtk-vnc (packages gir1.2-gtk-vnc-2.0, python3-gi, xvfb, x11-apps)"
fi

# --- 2. refusals ----------------------------------------------------------------

# Accounts for what follows: carol (control) for the timing of wrong
# passwords, whose failures nothing else adds to (rampart backs off on a
# user name that failed more than five times); vera (view) and victor
# (control) for client certificates and roles.  A new start reads them,
# and starts with no failures counted.
rampart_stop
for acct in carol:control vera:view victor:control; do
	printf '%s-secret-1\n' "${acct%%:*}" |
	    "$PASSWD" --file "$USERS" add "${acct%%:*}" --role "${acct#*:}" \
	    >>"$WORK/passwd.out" 2>&1 ||
	    bail_out "rampart-passwd add ${acct%%:*} failed: $(cat "$WORK/passwd.out")"
done
rampart_start --users "$USERS" --tls-dir "$TLS"

check "a wrong password: 'authentication failed'" \
    vc --ca "$CERT" --user admin --password "x$PW" \
    --expect "failed: authentication failed" "$(target)"
check "an unknown user: 'authentication failed'" \
    vc --ca "$CERT" --user nobody-here --password "$PW" \
    --expect "failed: authentication failed" "$(target)"
check "None asked on TCP without --insecure-no-auth: refused with the reason" \
    vc --type 1 --expect "failed: security type not offered" "$(target)"
check "an RFB 3.3 client: refused with a reason" \
    vc --rfb 3 --expect "closed: refused: this server needs RFB 3.7 or later" \
    "$(target)"
check "TLSPlain is not offered without --allow-anonymous-tls" \
    vc --subtype tlsplain --user admin --password "$PW" \
    --expect "closed: subtype refused" "$(target)"

# The same time for both: five of each, in turns, each from an address of
# its own (127.0.0.2 to .11), so that the back-off of one address stays
# out; rampart's failures per user name stay under its free count too.
ms() {
	echo $(($(date +%s%N) / 1000000))
}
median() {
	tr ' ' '\n' | grep . | sort -n | sed -n 3p
}
t_wrong= t_unknown= i=2
while [ $i -le 11 ]; do
	t0=$(ms)
	if [ $((i % 2)) -eq 0 ]; then
		vc --source "127.0.0.$i" --ca "$CERT" --user carol \
		    --password "wrong-$i" \
		    --expect "failed: authentication failed" "$(target)" \
		    >/dev/null || t_wrong="$t_wrong x"
		t_wrong="$t_wrong $(($(ms) - t0))"
	else
		vc --source "127.0.0.$i" --ca "$CERT" --user "nobody-$i" \
		    --password "wrong-$i" \
		    --expect "failed: authentication failed" "$(target)" \
		    >/dev/null || t_unknown="$t_unknown x"
		t_unknown="$t_unknown $(($(ms) - t0))"
	fi
	i=$((i + 1))
done
diag "wrong password (ms):$t_wrong" "unknown user (ms):$t_unknown"
case "$t_wrong$t_unknown" in
*x*)
	fail "wrong password and unknown user take the same time (a try was not refused as expected)"
	;;
*)
	mw=$(echo "$t_wrong" | median)
	mu=$(echo "$t_unknown" | median)
	# Within 30% of the larger.
	big=$((mw > mu ? mw : mu))
	diff=$((mw > mu ? mw - mu : mu - mw))
	if [ $((diff * 100)) -le $((big * 30)) ]; then
		pass "wrong password and unknown user take the same time: medians $mw and $mu ms"
	else
		fail "wrong password and unknown user take the same time: medians $mw and $mu ms"
	fi
	;;
esac

check "admin still logs in after these failures" \
    client --timeout 10 --user admin --password "$PW" --ca "$CERT" \
    --expect "$FRAMES:0" "$(target)"
check "rampart is still running" rampart_alive
rampart_stop

# --- 3. X509None: client certificates -------------------------------------------

# A test CA made with openssl's own tools: "openssl ca" with a minimal
# configuration keeps the index that revocation and the CRL need.
CA=$WORK/ca
mkdir -p "$CA/new"
: >"$CA/index.txt"
echo 1000 >"$CA/serial"
echo 1000 >"$CA/crlnumber"
cat >"$CA/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $CA/index.txt
new_certs_dir = $CA/new
certificate = $CA/ca.pem
private_key = $CA/ca.key
serial = $CA/serial
crlnumber = $CA/crlnumber
default_md = sha256
default_days = 2
default_crl_days = 2
policy = any_name
unique_subject = no
x509_extensions = client
[ any_name ]
commonName = supplied
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
ossl() {
	openssl "$@" >>"$CA/openssl.log" 2>&1 ||
	    bail_out "openssl $1 failed: $(tail -n 5 "$CA/openssl.log")"
}
newkey() {
	ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}
# issue NAME CN [ca OPTIONS]: NAME.key and NAME.pem, signed by the CA.
issue() {
	local name=$1 cn=$2
	shift 2
	newkey "$CA/$name.key"
	ossl req -new -key "$CA/$name.key" -subj "/CN=$cn" -out "$CA/$name.csr"
	ossl ca -batch -config "$CA/ca.cnf" -notext -in "$CA/$name.csr" \
	    -out "$CA/$name.pem" "$@"
}
newkey "$CA/ca.key"
ossl req -x509 -new -key "$CA/ca.key" -subj "/CN=rampart test CA" \
    -days 2 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$CA/ca.pem"
issue vera vera			# an account with the role view
issue victor victor		# an account with the role control
issue unknown nobody-here	# no such account
issue revoked victor		# victor's, revoked
issue expired victor -startdate 20200101000000Z -enddate 20200102000000Z
ossl ca -batch -config "$CA/ca.cnf" -revoke "$CA/revoked.pem"
ossl ca -batch -config "$CA/ca.cnf" -gencrl -out "$CA/crl.pem"
# victor's name, signed by nobody but itself.
newkey "$CA/self.key"
ossl req -x509 -new -key "$CA/self.key" -subj /CN=victor -days 2 \
    -addext "extendedKeyUsage=clientAuth" -out "$CA/self.pem"
revoked_serial=$(openssl x509 -noout -serial -in "$CA/revoked.pem" |
    sed 's/^serial=//')
check "the CRL lists the revoked certificate, and only it" \
    test "$(openssl crl -noout -text -in "$CA/crl.pem" |
    sed -n 's/^ *Serial Number: *//p')" = "$revoked_serial"
check "the expired certificate has expired" \
    sh -c "! openssl x509 -noout -checkend 0 -in '$CA/expired.pem'"

rampart_start --users "$USERS" --tls-dir "$TLS" \
    --tls-client-ca "$CA/ca.pem" --tls-crl "$CA/crl.pem"
check "with --tls-client-ca the log says the listener offers X509None" \
    grep -q "listener tcp:127.0.0.1:$PORT: security VeNCrypt X509None" \
    "$WORK/rampart.log"
subs=$(vc --stop subtypes --expect stopped "$(target)" |
    sed -n 's/^subtypes: //p')
check "its subtypes ($subs): 260, X509None, among them" \
    sh -c "echo ',$subs,' | grep -q ',260,'"

# xnone NAME ARGS...: vencrypt.py with X509None and NAME's certificate.
xnone() {
	local name=$1
	shift
	vc --subtype x509none --ca "$CERT" --cert "$CA/$name.pem" \
	    --key "$CA/$name.key" "$@" "$(target)"
}
check "vencrypt.py with vera's certificate logs in" xnone vera --expect ok
check "the audit line names vera, her role and X509None" \
    grep -q 'audit: .*logged in as vera (view) by VeNCrypt X509None' \
    "$WORK/rampart.log"
check "libvncclient with victor's certificate sees the frame exactly" \
    client --timeout 10 --ca "$CERT" --cert "$CA/victor.pem" \
    --key "$CA/victor.key" --expect "$FRAMES:0" "$(target)"
check "the audit line names victor, his role and X509None" \
    grep -q 'audit: .*logged in as victor (control) by VeNCrypt X509None' \
    "$WORK/rampart.log"

# Roles: the same keys from each; the input log gets victor's only.
key_events() {
	tail -n +"$1" "$INPUT_LOG" | awk '$1 == "key" { printf "%s %s ", $3, $4 }'
}
n=$(($(wc -l <"$INPUT_LOG") + 1))
check "libvncclient as vera (view) types q, w and sees the frame" \
    client --timeout 10 --ca "$CERT" --cert "$CA/vera.pem" \
    --key "$CA/vera.key" --keys q,w --expect "$FRAMES:0" --hold 1 \
    "$(target)"
check "the input log shows nothing of vera's keys" \
    test -z "$(key_events "$n")"
check "libvncclient as victor (control) types q, w" \
    client --timeout 10 --ca "$CERT" --cert "$CA/victor.pem" \
    --key "$CA/victor.key" --keys q,w --expect "$FRAMES:0" --hold 1 \
    "$(target)"
want="KEY_Q down KEY_Q up KEY_W down KEY_W up "
if wait_until 5 eval '[ "$(key_events "$n")" = "$want" ]'; then
	pass "victor's keys arrive: q and w, down and up"
else
	fail "victor's keys arrive: q and w, down and up"
	diag "input log since line $n:" "$(tail -n +"$n" "$INPUT_LOG")"
fi

# Refused: each is victor's certificate but for the unknown name, so that
# what is wrong with it is the only reason.  The client gets the TLS alert
# that says what (revoked, expired, unknown CA), or "authentication
# failed" for a name without an account; rampart's log says why, once the
# alert is out.
verify_failed() {
	grep -c 'closed: TLS: .*certificate verify failed' "$WORK/rampart.log"
}
more_verify_failed() {
	test "$(verify_failed)" -gt "$1"
}
for bad in revoked expired self unknown; do
	before=$(audits 'logged in as')
	failed=$(verify_failed)
	out=$(xnone $bad --expect ok 2>&1)
	outcome=$(echo "$out" | sed -n 's/^outcome: //p')
	case $bad:$outcome in
	unknown:"failed: authentication failed" | \
	revoked:*"alert certificate revoked"* | \
	expired:*"alert certificate expired"* | \
	self:*"alert unknown ca"*)
		pass "the $bad certificate is refused: $outcome"
		;;
	*)
		fail "the $bad certificate is refused"
		diag "$out"
		;;
	esac
	if [ $bad = unknown ]; then
		check "rampart's log: login failed as nobody-here by X509None" \
		    grep -q 'audit: .*login failed as "nobody-here" by VeNCrypt X509None' \
		    "$WORK/rampart.log"
	else
		check "rampart's log: certificate verify failed" \
		    wait_until 5 more_verify_failed "$failed"
	fi
	check "libvncclient with the $bad certificate gets no frame" \
	    sh -c "! $TESTCLIENT --timeout 5 --ca '$CERT' \
	    --cert '$CA/$bad.pem' --key '$CA/$bad.key' --expect '$FRAMES' \
	    '$(target)'"
	check "and nobody logged in with it" \
	    test "$(audits 'logged in as')" -eq "$before"
done
check "rampart is still running" rampart_alive
rampart_stop

# --- 4. TLSPlain, with --allow-anonymous-tls ----------------------------------

rampart_start --users "$USERS" --tls-dir "$TLS" --allow-anonymous-tls
check "the start warns of --allow-anonymous-tls" \
    grep -q 'warning: --allow-anonymous-tls: VeNCrypt TLSPlain is offered' \
    "$WORK/rampart.log"
check "subtypes X509Plain and TLSPlain are offered" \
    sh -c "python3 '$top_srcdir/tests/client/vencrypt.py' --stop subtypes \
    --expect stopped '$(target)' | grep -qx 'subtypes: 262,259'"
check "vencrypt.py logs in as admin over TLSPlain (anonymous TLS)" \
    vc --subtype tlsplain --user admin --password "$PW" --expect ok "$(target)"
check "the audit line says TLSPlain" \
    grep -q 'audit: .*logged in as admin (control) by VeNCrypt TLSPlain' \
    "$WORK/rampart.log"
check "a wrong password over TLSPlain: 'authentication failed'" \
    vc --subtype tlsplain --user admin --password "x$PW" \
    --expect "failed: authentication failed" "$(target)"
# libvncclient takes the first subtype offered that it knows: X509Plain,
# which it will not do without a CA.  With the CA it logs in by X509Plain.
n=$(audits 'logged in as admin (control) by VeNCrypt X509Plain')
check "libvncclient (with the CA) still sees the frame" \
    client --timeout 10 --user admin --password "$PW" --ca "$CERT" \
    --expect "$FRAMES:0" "$(target)"
check "having picked X509Plain, not TLSPlain" \
    audits_since 'logged in as admin (control) by VeNCrypt X509Plain' "$n"
rampart_stop

# --- 5. VNC authentication, with --insecure-vnc-auth --------------------------

VNCPW=$ETC/vnc-passwords
printf 'control:ctl-8chr\nview:vw-8char\n' >"$VNCPW"
chmod 600 "$VNCPW"
rampart_start --users "$USERS" --tls-dir "$TLS" --insecure-vnc-auth \
    --vnc-passwords "$VNCPW"
check "the start warns of --insecure-vnc-auth" \
    grep -q 'warning: --insecure-vnc-auth: VNC authentication is offered' \
    "$WORK/rampart.log"
check "security types VeNCrypt and VNC authentication are offered" \
    sh -c "python3 '$top_srcdir/tests/client/vencrypt.py' --stop types \
    --expect stopped '$(target)' | grep -qx 'types: 19,2'"
n=$(($(wc -l <"$INPUT_LOG") + 1))
check "libvncclient with the view secret sees the frame, types e, r" \
    client --timeout 10 --security vnc --password vw-8char --keys e,r \
    --expect "$FRAMES:0" --hold 1 "$(target)"
check "the audit line: view, by VNC authentication" \
    grep -q 'audit: .*logged in (view) by VNC authentication' \
    "$WORK/rampart.log"
check "the input log shows nothing of the view secret's keys" \
    test -z "$(key_events "$n")"
check "libvncclient with the control secret types e, r" \
    client --timeout 10 --security vnc --password ctl-8chr --keys e,r \
    --expect "$FRAMES:0" --hold 1 "$(target)"
want="KEY_E down KEY_E up KEY_R down KEY_R up "
if wait_until 5 eval '[ "$(key_events "$n")" = "$want" ]'; then
	pass "the control secret's keys arrive: e and r, down and up"
else
	fail "the control secret's keys arrive: e and r, down and up"
	diag "input log since line $n:" "$(tail -n +"$n" "$INPUT_LOG")"
fi
n=$(audits 'login failed by VNC authentication')
check "a wrong secret gets no frame" \
    sh -c "! $TESTCLIENT --timeout 5 --security vnc --password wrong-12 \
    --expect '$FRAMES' '$(target)'"
check "and is logged as a failed login" \
    audits_since 'login failed by VNC authentication' "$n"
rampart_stop

# A file of secrets that others may read stops rampart, saying the fix.
chmod 644 "$VNCPW"
out=$WORK/vnc-644.out
timeout 20 "$RAMPART" --foreground --config /dev/null \
    --listen "tcp:127.0.0.1:$(free_port)" --capture "replay:$FRAMES" \
    --users "$USERS" --tls-dir "$TLS" --insecure-vnc-auth \
    --vnc-passwords "$VNCPW" >"$out" 2>&1
rc=$?
check "vnc-passwords with mode 0644: rampart exits 1" test $rc -eq 1
check "saying the file, its mode and chmod 600" \
    grep -q "$VNCPW .*(mode 0644).*chmod 600 $VNCPW" "$out"
diag "it said: $(cat "$out")"

# --- 6. the README's first command ----------------------------------------------

# ./rampart --foreground, with its defaults: the users file, the initial
# password and the certificate go to /etc/rampart.  That is a tmpfs of
# its own here, in a mount namespace of rampart's own, so the host's /etc
# stays as it is -- except that /etc/rampart must exist to be mounted on:
# when it did not, this test leaves it behind, empty.  The port and the
# screen are the test's; no --config, --users or --tls-dir.
if command -v unshare >/dev/null && [ -z "$NS_EXEC" ]; then
	[ -d /etc/rampart ] || mkdir -p /etc/rampart
	host_etc=$(ls -laR --time-style=full-iso /etc/rampart)
	PORT=$(free_port)
	QS=$WORK/quickstart.log
	unshare -m sh -c 'mount -t tmpfs -o mode=0755 tmpfs /etc/rampart &&
	    exec "$@"' sh "$RAMPART" --foreground \
	    --listen "tcp:127.0.0.1:$PORT" --capture "replay:$FRAMES" \
	    >"$QS" 2>&1 &
	RAMPART_PID=$!
	root=/proc/$RAMPART_PID/root
	if wait_until 20 grep -q 'listening on' "$QS"; then
		pass "./rampart --foreground starts with /etc/rampart empty"
	else
		fail "./rampart --foreground starts with /etc/rampart empty"
		diag_file "$QS"
	fi
	check "it prints where the password is and the user to log in as" \
	    grep -q 'its password is in /etc/rampart/initial-admin-password (readable by root only): log in as admin with it' \
	    "$QS"
	check "it prints how to connect" \
	    grep -q "connect with a VNC viewer, e.g. vncviewer 127.0.0.1::$PORT" \
	    "$QS"
	QPW=$(cat "$root/etc/rampart/initial-admin-password" 2>/dev/null)
	check "libvncclient logs in as admin with that password and the certificate" \
	    client --timeout 10 --user admin --password "$QPW" \
	    --ca "$root/etc/rampart/tls/cert.pem" --expect "$FRAMES:0" \
	    "$(target)"
	# rampart-passwd, as the README says, then SIGHUP: the old password
	# is refused, the new one logs in.
	n=$(grep -c 'users file /etc/rampart/users: 1 account' "$QS")
	printf 'a-new-pass-1\n' | "$PASSWD" --file "$root/etc/rampart/users" \
	    set admin >"$WORK/passwd-set.out" 2>&1
	check "rampart-passwd set admin" test $? -eq 0
	kill -HUP "$RAMPART_PID"
	check "SIGHUP reads the users file again" wait_until 10 eval \
	    '[ "$(grep -c "users file /etc/rampart/users: 1 account" "$QS")" -gt "$n" ]'
	check "the initial password is refused now" \
	    sh -c "! '$TESTCLIENT' --timeout 5 --user admin \
	    --password '$QPW' --ca '$root/etc/rampart/tls/cert.pem' \
	    --expect '$FRAMES' '$(target)'"
	check "the new one logs in" \
	    client --timeout 10 --user admin --password a-new-pass-1 \
	    --ca "$root/etc/rampart/tls/cert.pem" --expect "$FRAMES:0" \
	    "$(target)"
	check "the host's /etc/rampart is as it was" \
	    test "$(ls -laR --time-style=full-iso /etc/rampart)" = "$host_etc"
	rampart_stop
	diag_file "$QS" 12
else
	skip "the README's first command (no unshare)"
fi

done_testing
