#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rampart-passwd as an administrator uses it, passwords on standard input:
# add, set (password, role, both), del and list; the file keeps its mode,
# owner and comments and is replaced whole (no temporary file left); what
# it refuses, with one line and the exit status; and every hash it writes
# checked by Python's hashlib.scrypt, not by rampart's code.
. "$top_srcdir/tests/integration/lib.sh"

PASSWD=$top_builddir/rampart-passwd
DIR=$WORK/etc
F=$DIR/users
out=$WORK/out
mkdir -p "$DIR"

# one_error FILE: a single line "rampart-passwd: ...".
one_error() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q '^rampart-passwd: ' "$1"
}

# verify USER PASSWORD: the hash of USER in $F is scrypt of PASSWORD,
# by its own parameters, in Python.
verify() {
	python3 - "$F" "$1" "$2" <<'PY'
import base64, hashlib, sys
path, user, pw = sys.argv[1:]
def unb64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))
for line in open(path):
    name, role, h = (line.rstrip("\n").split(":", 2) + ["", ""])[:3]
    if name != user:
        continue
    _, kind, params, salt, key = h.split("$")
    p = dict(kv.split("=") for kv in params.split(","))
    n, r, par = 2 ** int(p["ln"]), int(p["r"]), int(p["p"])
    got = hashlib.scrypt(pw.encode(), salt=unb64(salt), n=n, r=r, p=par,
                         maxmem=256 << 20 << 2, dklen=32)
    sys.exit(0 if kind == "scrypt" and got == unb64(key) else 1)
sys.exit(2)
PY
}

hash_of() {
	grep "^$1:" "$F" | cut -d: -f3
}

mode_of() {
	stat -c %a "$1"
}

owner_of() {
	stat -c %U:%G "$1"
}

have_python=0
python3 -c 'import hashlib; hashlib.scrypt' 2>/dev/null && have_python=1

# --- add -------------------------------------------------------------------

printf 'alpha-1 pass\n' | "$PASSWD" --file "$F" add alice --role control \
    >"$out" 2>&1
check "add alice to a new file" test $? -eq 0 -a ! -s "$out"
check "the new file is mode 600" test "$(mode_of "$F")" = 600
check "and owned by the caller" \
    test "$(owner_of "$F")" = "$(id -un):$(id -gn)"
check "one line: alice:control:\$scrypt\$ln=15,r=8,p=1\$..." \
    grep -qxE 'alice:control:\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}' "$F"
if [ $have_python = 1 ]; then
	check "hashlib.scrypt agrees with alice's hash" verify alice 'alpha-1 pass'
	verify alice 'alpha-1 pasS'
	check "and not with another password" test $? -eq 1
else
	skip "python3 with hashlib.scrypt needed to check the hash"
	skip "python3 with hashlib.scrypt needed to check the hash"
fi

# A password without a final newline, and with spaces and colons.
printf 'b: o b' | "$PASSWD" --file "$F" add bob >"$out" 2>&1
check "add bob (no --role)" test $? -eq 0
if [ $have_python = 1 ]; then
	check "bob's password is the whole line, colons and spaces" \
	    verify bob 'b: o b'
else
	skip "python3 with hashlib.scrypt needed to check the hash"
fi
"$PASSWD" --file "$F" list >"$out" 2>&1
check "list: NAME ROLE lines, bob a viewer by default" \
    test "$(cat "$out")" = "$(printf 'alice control\nbob view')"

printf 'x\n' | "$PASSWD" --file "$F" add bob >"$out" 2>&1
rc=$?
check "a second add of bob fails with exit 1" test $rc -eq 1
check "with one line" one_error "$out"
check "saying bob exists" grep -q 'bob exists' "$out"

# --- what is refused -------------------------------------------------------

cp "$F" "$WORK/before"
printf 'x\n' | "$PASSWD" --file "$F" add carol --role admin >"$out" 2>&1
check "--role admin: usage error, exit 2" test $? -eq 2
check "naming the roles" grep -q 'control or view' "$out"
printf 'x\n' | "$PASSWD" --file "$F" add -- -carol >"$out" 2>&1
check "a name starting with -: exit 2" test $? -eq 2
printf 'x\n' | "$PASSWD" --file "$F" add 'car ol' >"$out" 2>&1
check "a name with a space: exit 2" test $? -eq 2
printf '\n' | "$PASSWD" --file "$F" add carol >"$out" 2>&1
rc=$?
check "an empty password: exit 1" test $rc -eq 1
check "with one line saying so" one_error "$out"
"$PASSWD" --file "$F" add carol </dev/null >"$out" 2>&1
check "no password at all (end of input): exit 1" test $? -eq 1
head -c 1025 /dev/zero | tr '\0' p | "$PASSWD" --file "$F" add carol \
    >"$out" 2>&1
check "a 1025-byte password: exit 1" test $? -eq 1
printf 'x\n' | "$PASSWD" --file "$F" frob carol >"$out" 2>&1
check "an unknown command: exit 2" test $? -eq 2
"$PASSWD" --file "$F" >"$out" 2>&1
check "no command: exit 2" test $? -eq 2
"$PASSWD" --file "$F" del >"$out" 2>&1
check "del without a user: exit 2" test $? -eq 2
"$PASSWD" --file "$F" del carol >"$out" 2>&1
check "del of a user not there: exit 1" test $? -eq 1
printf 'x\n' | "$PASSWD" --file "$F" set carol >"$out" 2>&1
check "set of a user not there: exit 1" test $? -eq 1
check "nothing refused changed the file" cmp -s "$F" "$WORK/before"
"$PASSWD" --file "$WORK/none" list >"$out" 2>&1
check "list of a file that does not exist: exit 1" test $? -eq 1
ln -s "$F" "$WORK/link"
printf 'x\n' | "$PASSWD" --file "$WORK/link" add carol >"$out" 2>&1
check "a symbolic link is refused" test $? -eq 1 -a -L "$WORK/link"
"$PASSWD" --help >"$out" 2>&1
check "--help: exit 0, a manual page" \
    grep -q 'EXIT STATUS' "$out"

# --- set and del -----------------------------------------------------------

old=$(hash_of alice)
"$PASSWD" --file "$F" set alice --role view </dev/null >"$out" 2>&1
check "set --role alone asks for no password" test $? -eq 0
check "alice is a viewer now" grep -q '^alice:view:' "$F"
check "with the same hash" test "$(hash_of alice)" = "$old"
printf 'alpha-2\n' | "$PASSWD" --file "$F" set alice >"$out" 2>&1
check "set alice changes her password" test $? -eq 0 -a \
    "$(hash_of alice)" != "$old"
check "and keeps her role" grep -q '^alice:view:' "$F"
printf 'alpha-3\n' | "$PASSWD" --file "$F" set alice --role control \
    --password >"$out" 2>&1
check "set --role --password changes both" \
    grep -q '^alice:control:' "$F"
if [ $have_python = 1 ]; then
	check "the new password is hers" verify alice 'alpha-3'
	verify alice 'alpha-1 pass'
	check "the first one no longer" test $? -eq 1
else
	skip "python3 with hashlib.scrypt needed to check the hash"
	skip "python3 with hashlib.scrypt needed to check the hash"
fi

# Comments and blank lines stay where the administrator put them.
{ echo '# the accounts of this BMC'; echo; cat "$F"; echo '# end'; } \
    >"$WORK/with-comments"
cat "$WORK/with-comments" >"$F"
"$PASSWD" --file "$F" del alice >"$out" 2>&1
check "del alice" test $? -eq 0
check "the comments and the blank line stay" test "$(sed -n '1,2p;$p' "$F")" \
    = "$(printf '# the accounts of this BMC\n\n# end')"
"$PASSWD" --file "$F" list >"$out" 2>&1
check "only bob is left" test "$(cat "$out")" = "bob view"

# --- mode and owner --------------------------------------------------------

if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	grp=$(id -gn nobody)
	chown "nobody:$grp" "$F"
	chmod 640 "$F"
	printf 'b2\n' | "$PASSWD" --file "$F" set bob >"$out" 2>&1
	rc=$?
	check "set on a file of nobody's, mode 640" test $rc -eq 0
	check "warns that group or others may read it" \
	    grep -q 'warning: .*mode 0640' "$out"
	check "the file keeps mode 640" test "$(mode_of "$F")" = 640
	check "and its owner nobody:$grp" \
	    test "$(owner_of "$F")" = "nobody:$grp"
	chown root:root "$F"
	chmod 600 "$F"
else
	for i in 1 2 3 4; do skip "not root: cannot give the file away"; done
fi
printf 'b3\n' | "$PASSWD" --file "$F" set bob >"$out" 2>&1
check "a 600 file: no warning" test $? -eq 0 -a ! -s "$out"
check "the file stays mode 600" test "$(mode_of "$F")" = 600
check "no temporary file is left beside it" \
    test "$(ls -A "$DIR")" = users

# A file that does not parse is not rewritten.
printf 'bob:view:hunter2\n' >"$F"
printf 'x\n' | "$PASSWD" --file "$F" add carol >"$out" 2>&1
rc=$?
check "a file that does not parse: exit 1" test $rc -eq 1
check "naming the file and line" grep -q "users: line 1: hash" "$out"
check "and left as it was" test "$(cat "$F")" = 'bob:view:hunter2'

done_testing
