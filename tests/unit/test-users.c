/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The users file, its scrypt hashes and the VNC password file
 * (common/users.c): what parses and what does not (with the line it
 * says), rewrites that keep comments, the name rules, hashes checked
 * against Python's hashlib.scrypt, the limits, and that a check costs the
 * same whether the password matches, does not, or the user is unknown.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/users.h"
#include "tests/tap.h"

/*
 * Made by Python's hashlib.scrypt, not by the code under test:
 *	salt = bytes(range(16))
 *	hashlib.scrypt(b"correct horse", salt=salt, n=2**10, r=8, p=1,
 *	    dklen=32)
 * and the same for b"tiny" with n=2**4, r=2, p=3.
 */
#define SALT_B64	"AAECAwQFBgcICQoLDA0ODw"
#define LN10_HASH	"$scrypt$ln=10,r=8,p=1$" SALT_B64 \
			"$nfkj3u1fRTHCea+fVr03sWV770kp5wLOLoEakziKhqE"
#define LN4_HASH	"$scrypt$ln=4,r=2,p=3$" SALT_B64 \
			"$Chv3Y35nNPdFV/zRcI5i5zNoKKOPD1kFJlJZ/AP86BA"
#define KEY_B64		"nfkj3u1fRTHCea+fVr03sWV770kp5wLOLoEakziKhqE"

static int
parses(const char *text, struct users *u)
{
	char why[256];

	return users_parse(u, text, strlen(text), why, sizeof(why)) == 0;
}

/* text does not parse, and the reason names line and what. */
static void
refused(const char *name, const char *text, size_t len, int line,
    const char *what)
{
	struct users u;
	char why[256] = "", want[32];
	int r = users_parse(&u, text, len, why, sizeof(why));

	snprintf(want, sizeof(want), "line %d: ", line);
	if (!ok(r == -1 && strncmp(why, want, strlen(want)) == 0 &&
	    strstr(why, what) != NULL, "refused: %s: \"%s%s\"", name, want,
	    what))
		diag("got %d, \"%s\"", r, why);
	if (!ok(u.n == 0 && u.entries == NULL && u.nother == 0,
	    "refused: %s: nothing kept", name))
		diag("n %zu nother %zu", u.n, u.nother);
}

static void
test_parse(void)
{
	const char *text =
	    "# rampart users\n"
	    "\n"
	    "alice:control:" LN10_HASH "\n"
	    "  \t\n"
	    "# the night shift\n"
	    "bob.smith@example.org:view:" LN4_HASH "\n"
	    "# end\n";
	const struct users_entry *e;
	struct users u;
	char *out;

	if (!ok(parses(text, &u), "a file with comments and blank lines "
	    "parses"))
		return;
	ok(u.n == 2 && u.nother == 5, "2 accounts, 5 other lines (%zu, %zu)",
	    u.n, u.nother);
	e = users_find(&u, "alice");
	ok(e != NULL && e->role == USERS_CONTROL &&
	    strcmp(e->hash, LN10_HASH) == 0, "alice: control, her hash");
	e = users_find(&u, "bob.smith@example.org");
	ok(e != NULL && e->role == USERS_VIEW, "bob.smith@example.org: view");
	ok(users_find(&u, "Alice") == NULL && users_find(&u, "alic") == NULL &&
	    users_find(&u, "") == NULL, "names are matched exactly");
	out = users_format(&u);
	ok(out != NULL && strcmp(out, text) == 0, "format gives the text back "
	    "byte for byte");
	free(out);
	users_free(&u);

	/* No newline at the end, one added by the rewrite. */
	ok(parses("carol:view:" LN10_HASH, &u) && u.n == 1,
	    "the last line needs no newline");
	out = users_format(&u);
	ok(out != NULL && strcmp(out, "carol:view:" LN10_HASH "\n") == 0,
	    "and gets one when written");
	free(out);
	users_free(&u);

	ok(parses("", &u) && u.n == 0, "an empty file has no accounts");
	users_free(&u);
	ok(parses("# only a comment\n", &u) && u.n == 0 && u.nother == 1,
	    "a file of comments has no accounts");
	users_free(&u);
}

/* A literal: its length without the final NUL, NULs inside counted. */
#define REFUSED(name, text, line, what) \
	refused(name, text, sizeof(text) - 1, line, what)

static void
test_refused(void)
{
	char buf[512], *big;
	size_t off = 0;

	REFUSED("not three fields", "# hello\nalice\n", 2,
	    "not NAME:ROLE:HASH");
	REFUSED("two fields", "alice:control\n", 1, "not NAME:ROLE:HASH");
	REFUSED("bad role", "\n\nalice:admin:" LN10_HASH "\n", 3,
	    "role is not control or view");
	REFUSED("role in capitals", "alice:Control:" LN10_HASH, 1,
	    "role is not control or view");
	snprintf(buf, sizeof(buf), "-alice:view:%s\n", LN10_HASH);
	refused("name starting with -", buf, strlen(buf), 1, "bad name");
	snprintf(buf, sizeof(buf), "al ice:view:%s\n", LN10_HASH);
	refused("name with a space", buf, strlen(buf), 1, "bad name");
	snprintf(buf, sizeof(buf), ":view:%s\n", LN10_HASH);
	refused("empty name", buf, strlen(buf), 1, "bad name");
	snprintf(buf, sizeof(buf), "%064d:view:%s\n", 0, LN10_HASH);
	refused("64-byte name", buf, strlen(buf), 1, "bad name");
	snprintf(buf, sizeof(buf), "alice:view:%s\nbob:view:%s\n"
	    "alice:control:%s\n", LN10_HASH, LN10_HASH, LN10_HASH);
	refused("a name given twice", buf, strlen(buf), 3, "name given twice");
	REFUSED("not scrypt", "alice:view:$2y$10$abcdefghijklmnopqrstuv\n", 1,
	    "hash is not");
	REFUSED("plain text", "alice:view:hunter2\n", 1, "hash is not");
	REFUSED("missing p", "alice:view:$scrypt$ln=10,r=8$" SALT_B64 "$"
	    KEY_B64 "\n", 1, "hash is not");
	REFUSED("salt of 15 bytes", "alice:view:$scrypt$ln=10,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0O$" KEY_B64 "\n", 1, "salt");
	REFUSED("padded salt", "alice:view:$scrypt$ln=10,r=8,p=1$"
	    SALT_B64 "==$" KEY_B64 "\n", 1, "salt");
	REFUSED("salt with unused bits set", "alice:view:$scrypt$ln=10,r=8,"
	    "p=1$AAECAwQFBgcICQoLDA0ODx$" KEY_B64 "\n", 1, "salt");
	REFUSED("salt outside the alphabet", "alice:view:$scrypt$ln=10,r=8,"
	    "p=1$AAECAwQFBgcICQoLDA0OD-$" KEY_B64 "\n", 1, "salt");
	REFUSED("value of 31 bytes", "alice:view:$scrypt$ln=10,r=8,p=1$"
	    SALT_B64 "$nfkj3u1fRTHCea+fVr03sWV770kp5wLOLoEakziKhg\n", 1,
	    "hash value");
	REFUSED("value missing", "alice:view:$scrypt$ln=10,r=8,p=1$"
	    SALT_B64 "\n", 1, "salt");
	REFUSED("ln 0", "alice:view:$scrypt$ln=0,r=8,p=1$" SALT_B64 "$"
	    KEY_B64 "\n", 1, "at least 1");
	REFUSED("r 0", "alice:view:$scrypt$ln=10,r=0,p=1$" SALT_B64 "$"
	    KEY_B64 "\n", 1, "at least 1");
	REFUSED("ln 21 (more than USERS_SCRYPT_LN_MAX)",
	    "alice:view:$scrypt$ln=21,r=1,p=1$" SALT_B64 "$" KEY_B64 "\n", 1,
	    "iterations");
	REFUSED("ln 20, r 8: 1 GiB", "alice:view:$scrypt$ln=20,r=8,p=1$"
	    SALT_B64 "$" KEY_B64 "\n", 1, "memory");
	REFUSED("ln 15, r 8, p 9: 32 MiB nine times",
	    "alice:view:$scrypt$ln=15,r=8,p=9$" SALT_B64 "$" KEY_B64 "\n", 1,
	    "time");
	REFUSED("r of 7 digits: 2.5 GB", "alice:view:$scrypt$ln=1,r=9999999,"
	    "p=1$" SALT_B64 "$" KEY_B64 "\n", 1, "memory");
	REFUSED("r of 8 digits", "alice:view:$scrypt$ln=1,r=10000000,p=1$"
	    SALT_B64 "$" KEY_B64 "\n", 1, "hash is not");
	REFUSED("a DOS line end", "# x\r\nalice:view:" LN10_HASH "\r\n", 2,
	    "carriage return");
	REFUSED("a NUL byte", "# x\n\nalice\0:view:" LN10_HASH "\n", 3,
	    "NUL");

	/* USERS_MAX accounts parse; one more is refused at its line. */
	if ((big = malloc((size_t)(USERS_MAX + 1) * 120)) == NULL)
		bail("out of memory");
	for (int i = 0; i <= USERS_MAX; i++)
		off += (size_t)sprintf(big + off, "u%d:view:%s\n", i,
		    LN4_HASH);
	{
		struct users u;
		char why[256];
		size_t len4096 = off - strlen("u4096:view:" LN4_HASH "\n");

		ok(users_parse(&u, big, len4096, why, sizeof(why)) == 0 &&
		    u.n == USERS_MAX, "%d accounts parse", USERS_MAX);
		users_free(&u);
	}
	refused("one account more than USERS_MAX", big, off, USERS_MAX + 1,
	    "too many accounts");
	free(big);
}

static void
test_set_del(void)
{
	const char *text =
	    "# head\n"
	    "alice:control:" LN10_HASH "\n"
	    "# before bob\n"
	    "bob:view:" LN10_HASH "\n"
	    "# tail\n";
	struct users u;
	char *out;

	if (!ok(parses(text, &u), "set/del: file parses"))
		return;
	ok(users_set(&u, "bob", USERS_CONTROL, LN4_HASH) == 0 && u.n == 2 &&
	    users_find(&u, "bob")->role == USERS_CONTROL &&
	    strcmp(users_find(&u, "bob")->hash, LN4_HASH) == 0,
	    "set on an existing name replaces its role and hash");
	ok(users_set(&u, "carol", USERS_VIEW, LN10_HASH) == 0 && u.n == 3,
	    "set on a new name adds it");
	ok(users_set(&u, "-x", USERS_VIEW, LN10_HASH) < 0 &&
	    users_set(&u, "dave", 7, LN10_HASH) < 0 &&
	    users_set(&u, "dave", USERS_VIEW, "hunter2") < 0 &&
	    users_set(&u, "dave", USERS_VIEW, "$scrypt$ln=21,r=1,p=1$"
	    SALT_B64 "$" KEY_B64) < 0 && u.n == 3,
	    "set refuses what the parser would: a bad name, role, hash");
	ok(users_del(&u, "alice") == 0 && users_find(&u, "alice") == NULL &&
	    u.n == 2, "del removes alice");
	ok(users_del(&u, "alice") == -1, "del of a name not there: -1");
	out = users_format(&u);
	ok(out != NULL && strcmp(out,
	    "# head\n"
	    "# before bob\n"
	    "bob:control:" LN4_HASH "\n"
	    "# tail\n"
	    "carol:view:" LN10_HASH "\n") == 0,
	    "comments stay where they were; a new account comes last");
	if (out != NULL) {
		struct users v;

		ok(parses(out, &v) && v.n == 2 && users_find(&v, "carol") &&
		    users_find(&v, "bob")->role == USERS_CONTROL,
		    "the rewrite parses to the same accounts");
		users_free(&v);
	}
	free(out);
	ok(users_del(&u, "bob") == 0 && users_del(&u, "carol") == 0 &&
	    u.n == 0, "del of the last accounts");
	out = users_format(&u);
	ok(out != NULL && strcmp(out, "# head\n# before bob\n# tail\n") == 0,
	    "the comments alone remain");
	free(out);
	users_free(&u);

	/* A new file: an empty struct. */
	memset(&u, 0, sizeof(u));
	ok(users_set(&u, "admin", USERS_CONTROL, LN10_HASH) == 0,
	    "set into an empty struct");
	out = users_format(&u);
	ok(out != NULL && strcmp(out, "admin:control:" LN10_HASH "\n") == 0,
	    "a new file of one account");
	free(out);
	users_free(&u);
}

static void
test_names(void)
{
	static const char *const good[] = {
		"a", "alice", "Bob", "x_y", "a.b", "ops@example.org", "a-",
		"0", "...", "_",
		"123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad[] = {
		"", "-a", "-", "a b", "a:b", "a/b", "é", "a\tb", "a\nb", "a#",
		"1234567890123456789012345678901234567890123456789012345678901234",
	};
	int all = 1;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!users_name_ok(good[i])) {
			diag("refused: \"%s\"", good[i]);
			all = 0;
		}
	ok(all, "good names pass (63 bytes at most, . _ @ - inside)");
	all = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (users_name_ok(bad[i])) {
			diag("passed: \"%s\"", bad[i]);
			all = 0;
		}
	ok(all, "bad names fail (empty, leading -, space, colon, UTF-8, 64 "
	    "bytes)");
	ok(users_role_parse("control") == USERS_CONTROL &&
	    users_role_parse("view") == USERS_VIEW &&
	    users_role_parse("admin") == 0 && users_role_parse("") == 0 &&
	    users_role_parse("views") == 0, "roles: control, view, no other");
	ok(strcmp(users_role_name(USERS_CONTROL), "control") == 0 &&
	    strcmp(users_role_name(USERS_VIEW), "view") == 0,
	    "role names");
}

static void
test_hash(void)
{
	char h1[USERS_HASH_MAX + 1], h2[USERS_HASH_MAX + 1];
	char like[USERS_HASH_MAX + 1], longpw[1024];
	const char *prefix = "$scrypt$ln=15,r=8,p=1$";

	ok(users_hash("right", 5, h1, sizeof(h1)) == 0, "hash made");
	ok(strncmp(h1, prefix, strlen(prefix)) == 0 &&
	    strlen(h1) == strlen(prefix) + 22 + 1 + 43 && h1[strlen(prefix) +
	    22] == '$', "it names its parameters: %s", h1);
	ok(users_verify(h1, "right", 5) == 1, "the right password matches");
	ok(users_verify(h1, "wrong", 5) == 0, "a wrong one does not");
	ok(users_verify(h1, "righ", 4) == 0 && users_verify(h1, "rightt",
	    6) == 0, "nor a prefix or a longer one");
	ok(users_verify(h1, "", 0) == 0, "nor the empty password");
	ok(users_hash("right", 5, h2, sizeof(h2)) == 0 && strcmp(h1, h2) != 0,
	    "the same password hashes differently (salt)");
	ok(users_hash("", 0, h2, sizeof(h2)) == 0 &&
	    users_verify(h2, "", 0) == 1 && users_verify(h2, "x", 1) == 0,
	    "the empty password's hash takes only the empty password");
	ok(users_hash("right", 5, h2, 40) == -1, "a short buffer: -1");

	memset(longpw, 'p', sizeof(longpw));
	longpw[1000] = 'q';
	ok(users_hash(longpw, sizeof(longpw), h2, sizeof(h2)) == 0 &&
	    users_verify(h2, longpw, sizeof(longpw)) == 1,
	    "a 1024-byte password matches");
	longpw[1023] = 'x';
	ok(users_verify(h2, longpw, sizeof(longpw)) == 0,
	    "and not with its last byte changed");
	ok(users_verify(h2, longpw, 1023) == 0, "nor without it");

	ok(users_verify(LN10_HASH, "correct horse", 13) == 1,
	    "a hash of Python's hashlib.scrypt with ln=10 matches");
	ok(users_verify(LN10_HASH, "correct horsf", 13) == 0,
	    "and not with a wrong password");
	ok(users_verify(LN4_HASH, "tiny", 4) == 1,
	    "ln=4, r=2, p=3 from hashlib matches too");

	ok(users_verify("hunter2", "x", 1) == -1 &&
	    users_verify("$scrypt$ln=21,r=1,p=1$" SALT_B64 "$" KEY_B64, "x",
	    1) == -1 && users_verify("$scrypt$ln=20,r=8,p=1$" SALT_B64 "$"
	    KEY_B64, "x", 1) == -1,
	    "verify refuses what is not a hash or asks for too much: -1");

	ok(users_hash_like(LN4_HASH, "abc", 3, like, sizeof(like)) == 0 &&
	    strncmp(like, "$scrypt$ln=4,r=2,p=3$", 21) == 0 &&
	    users_verify(like, "abc", 3) == 1 &&
	    strcmp(like + 21, LN4_HASH + 21) != 0,
	    "hash_like takes the model's parameters and a new salt: %s",
	    like);
	ok(users_hash_like("hunter2", "abc", 3, like, sizeof(like)) == -1,
	    "hash_like of a model that is not a hash: -1");
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define ROUNDS	9

/*
 * What rampart-auth does for each answer: verify against the user's hash
 * (match or not), or against the dummy made by users_hash_like() for an
 * unknown user.  Taken in turns, so that a busy machine slows all three
 * alike; medians of each.
 */
static void
test_timing(void)
{
	char real[USERS_HASH_MAX + 1], dummy[USERS_HASH_MAX + 1];
	double t[3][ROUNDS], med[3], lo, hi;
	static const char *const what[] = { "match", "mismatch", "unknown" };
	int results[3] = { 0, 0, 0 };

	if (users_hash("s3cret!", 7, real, sizeof(real)) < 0 ||
	    users_hash_like(real, "dummy", 5, dummy, sizeof(dummy)) < 0)
		bail("cannot hash");
	for (int i = 0; i < ROUNDS; i++) {
		for (int k = 0; k < 3; k++) {
			double t0 = now_ms();
			int r;

			if (k == 0)
				r = users_verify(real, "s3cret!", 7);
			else if (k == 1)
				r = users_verify(real, "s3cret?", 7);
			else
				r = users_verify(dummy, "s3cret!", 7);
			t[k][i] = now_ms() - t0;
			results[k] += r;
		}
	}
	ok(results[0] == ROUNDS && results[1] == 0 && results[2] == 0,
	    "timing: %d matches, no mismatch or dummy matched", ROUNDS);
	for (int k = 0; k < 3; k++) {
		qsort(t[k], ROUNDS, sizeof(double), cmp_double);
		med[k] = t[k][ROUNDS / 2];
	}
	lo = hi = med[0];
	for (int k = 1; k < 3; k++) {
		lo = med[k] < lo ? med[k] : lo;
		hi = med[k] > hi ? med[k] : hi;
	}
	if (!ok(hi <= lo * 1.2, "timing: medians within 20%%: %s %.1f ms, "
	    "%s %.1f ms, %s %.1f ms", what[0], med[0], what[1], med[1],
	    what[2], med[2]))
		diag("spread %.0f%%", (hi / lo - 1) * 100);
}

static void
test_vnc(void)
{
	struct vnc_passwords v;
	char why[256];
	const char *t;

	t = "# VNC passwords\n\ncontrol:sesame\nview:peek\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == 0 &&
	    v.have_control && v.have_view &&
	    memcmp(v.control, "sesame\0\0", 8) == 0 &&
	    memcmp(v.view, "peek\0\0\0\0", 8) == 0,
	    "vnc: control and view, NUL-padded to 8");
	t = "view:abcdefghijkl";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == 0 &&
	    !v.have_control && v.have_view &&
	    memcmp(v.view, "abcdefgh", 8) == 0,
	    "vnc: view only; a longer secret counts by its first 8 bytes");
	t = "control:a:b c\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == 0 &&
	    memcmp(v.control, "a:b c\0\0\0", 8) == 0,
	    "vnc: the secret is all after the first colon");

	t = "control:x\nadmin:y\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == -1 &&
	    strncmp(why, "line 2: ", 8) == 0, "vnc: unknown key: %s", why);
	t = "# c\ncontrol:\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == -1 &&
	    strncmp(why, "line 2: ", 8) == 0, "vnc: empty secret: %s", why);
	t = "view:a\nview:b\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == -1 &&
	    strncmp(why, "line 2: ", 8) == 0 && strstr(why, "twice"),
	    "vnc: a role twice: %s", why);
	ok(vnc_passwords_parse(&v, "view:a\0b\n", 9, why, sizeof(why)) == -1 &&
	    strncmp(why, "line 1: ", 8) == 0 && strstr(why, "NUL"),
	    "vnc: NUL byte: %s", why);
	t = "control:sesame\r\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == -1 &&
	    strncmp(why, "line 1: ", 8) == 0 && strstr(why, "carriage"),
	    "vnc: a DOS line end is not taken into the secret: %s", why);
	t = "# nothing\n\n";
	ok(vnc_passwords_parse(&v, t, strlen(t), why, sizeof(why)) == -1,
	    "vnc: no password at all is an error: %s", why);
	ok(!v.have_control && !v.have_view, "vnc: nothing kept on error");
}

int
main(void)
{
	test_parse();
	test_refused();
	test_set_del();
	test_names();
	test_hash();
	test_vnc();
	test_timing();
	return done_testing();
}
