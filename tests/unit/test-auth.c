/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real rampart-auth, started as the supervisor starts it (the channel
 * on fd 3, the users file and the VNC password file as sealed blobs on
 * fd 4 and 5), with the test as the broker: passwords right, wrong and of
 * users that do not exist, VNC responses computed here with a DES of the
 * test's own, the process's sandbox as /proc shows it, and questions out
 * of the rules, which end the helper without an answer.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/blob.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/users.h"
#include "tests/tap.h"
#include "tests/unit/spawn.h"

/*
 * Made by Python's hashlib.scrypt (n=2**10, r=8, p=1, dklen=32), not by
 * the code under test: "correct horse" with salt bytes(range(16)),
 * "builder" with salt bytes(range(100, 116)).
 */
#define ALICE_HASH	"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw" \
			"$nfkj3u1fRTHCea+fVr03sWV770kp5wLOLoEakziKhqE"
#define BOB_HASH	"$scrypt$ln=10,r=8,p=1$ZGVmZ2hpamtsbW5vcHFycw" \
			"$rll2ZFLGAXFBc+pYE0LBESt3N756v1M2gb8EfixCSFY"
#define ALICE_PW	"correct horse"
#define BOB_PW		"builder"

static const char vnc_text[] =
    "# old clients\ncontrol:sesame\nview:peekaboo1234\n";

/* ---- A DES of the test's own, from FIPS 46-3's tables. ---- */

static const uint8_t des_ip[64] = {
	58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
	62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
	57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
	61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
};
static const uint8_t des_fp[64] = {
	40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
	38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
	36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
	34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
};
static const uint8_t des_e[48] = {
	32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13,
	12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23,
	24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
};
static const uint8_t des_p[32] = {
	16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
	2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
};
static const uint8_t des_pc1[56] = {
	57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
	10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
	63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
	14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
};
static const uint8_t des_pc2[48] = {
	14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
	23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
	41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
	44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
};
static const uint8_t des_shifts[16] = {
	1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1,
};
static const uint8_t des_s[8][64] = {
	{ 14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
	  0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
	  4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
	  15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13 },
	{ 15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
	  3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
	  0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
	  13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9 },
	{ 10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
	  13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
	  13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
	  1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12 },
	{ 7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
	  13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
	  10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
	  3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14 },
	{ 2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
	  14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
	  4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
	  11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3 },
	{ 12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
	  10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
	  9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
	  4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13 },
	{ 4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
	  13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
	  1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
	  6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12 },
	{ 13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
	  1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
	  7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
	  2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11 },
};

/* Bits of in (inbits wide) picked by table (1 = the most significant). */
static uint64_t
permute(uint64_t in, int inbits, const uint8_t *table, int n)
{
	uint64_t out = 0;

	for (int i = 0; i < n; i++)
		out = out << 1 | ((in >> (inbits - table[i])) & 1);
	return out;
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
des_encrypt(const uint8_t key[8], const uint8_t in[8], uint8_t out[8])
{
	uint64_t cd = permute(load64(key), 64, des_pc1, 56), sub[16], b;
	uint32_t c = (uint32_t)(cd >> 28), d = (uint32_t)(cd & 0xfffffff);
	uint32_t l, r;

	for (int i = 0; i < 16; i++) {
		for (int s = 0; s < des_shifts[i]; s++) {
			c = ((c << 1) | (c >> 27)) & 0xfffffff;
			d = ((d << 1) | (d >> 27)) & 0xfffffff;
		}
		sub[i] = permute((uint64_t)c << 28 | d, 56, des_pc2, 48);
	}
	b = permute(load64(in), 64, des_ip, 64);
	l = (uint32_t)(b >> 32);
	r = (uint32_t)b;
	for (int i = 0; i < 16; i++) {
		uint64_t e = permute(r, 32, des_e, 48) ^ sub[i];
		uint32_t f = 0, t;

		for (int j = 0; j < 8; j++) {
			unsigned six = (unsigned)(e >> (42 - 6 * j)) & 0x3f;
			unsigned row = ((six >> 4) & 2) | (six & 1);

			f = f << 4 | des_s[j][row * 16 + ((six >> 1) & 0xf)];
		}
		t = l ^ (uint32_t)permute(f, 32, des_p, 32);
		l = r;
		r = t;
	}
	b = permute((uint64_t)r << 32 | l, 64, des_fp, 64);
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(b >> (56 - 8 * i));
}

/* VNC authentication: the password, NUL-padded to 8, each byte's bits
 * mirrored, is the DES key of two ECB blocks. */
static void
vnc_response(const char *password, const uint8_t challenge[16],
    uint8_t out[16])
{
	uint8_t key[8] = { 0 };
	size_t n = strlen(password);

	for (size_t i = 0; i < 8 && i < n; i++) {
		uint8_t b = (uint8_t)password[i], m = 0;

		for (int k = 0; k < 8; k++)
			if (b & (1u << k))
				m |= (uint8_t)(0x80u >> k);
		key[i] = m;
	}
	des_encrypt(key, challenge, out);
	des_encrypt(key, challenge + 8, out + 8);
}

/* ---- The helper. ---- */

struct helper {
	struct child	ch;
	int		users_fd, vnc_fd;
};

static int
start(struct helper *h, const char *users, const char *vnc,
    const char *level)
{
	char usize[32], vsize[32];
	char *argv[12];
	int fds[2] = { -1, -1 }, n = 0;

	h->users_fd = h->vnc_fd = -1;
	argv[n++] = "rampart-auth";
	if (users != NULL) {
		snprintf(usize, sizeof(usize), "%zu", strlen(users));
		argv[n++] = "--users-size";
		argv[n++] = usize;
		if ((h->users_fd = fds[0] = blob_create("users", users,
		    strlen(users))) < 0)
			return -1;
	}
	if (vnc != NULL) {
		snprintf(vsize, sizeof(vsize), "%zu", strlen(vnc));
		argv[n++] = "--vnc-size";
		argv[n++] = vsize;
		if ((h->vnc_fd = fds[1] = blob_create("vnc", vnc,
		    strlen(vnc))) < 0)
			return -1;
	}
	argv[n++] = "--log-level";
	argv[n++] = (char *)level;
	argv[n] = NULL;
	return spawn_helper_fds(&h->ch, "rampart-auth", argv, fds, 2);
}

static void
stop(struct helper *h)
{
	if (h->users_fd >= 0)
		close(h->users_fd);
	if (h->vnc_fd >= 0)
		close(h->vnc_fd);
	close(h->ch.sock);
	close(h->ch.err);
}

/* A line of /proc/PID/status, its value; "" when there is none. */
static const char *
status_field(pid_t pid, const char *key)
{
	static char value[256];
	char path[64], line[512];
	size_t klen = strlen(key);
	FILE *f;

	value[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return value;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(value, sizeof(value), "%s", v);
			value[strcspn(value, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
	return value;
}

/* Wait until the helper is in its sandbox (Seccomp 2), as the supervisor
 * does before it calls a helper up. */
static int
wait_sandboxed(pid_t pid, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited <= ms; waited += 10) {
		if (strcmp(status_field(pid, "Seccomp"), "2") == 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static uint32_t next_id = 1;

/* Ask a password question; the role answered, or -1 with no answer. */
static int
ask_password(struct helper *h, const char *user, size_t ulen,
    const char *pw, size_t plen)
{
	struct ipc_auth_password q;
	struct ipc_msg m;
	int fd;

	memset(&q, 0, sizeof(q));
	q.id = next_id++;
	q.user_len = (uint32_t)ulen;
	q.password_len = (uint32_t)plen;
	memcpy(q.user, user, ulen);
	memcpy(q.password, pw, plen);
	if (ipc_send(h->ch.sock, IPC_BRK2AUTH_PASSWORD, &q, sizeof(q),
	    -1) < 0)
		return -1;
	if (spawn_recv(&h->ch, &m, &fd, 10000, IPC_AUTH2BRK_FIRST,
	    IPC_AUTH2BRK_LAST) != 1 || m.hdr.type != IPC_AUTH2BRK_RESULT) {
		diag("no answer to the password question for %.*s",
		    (int)(ulen > 32 ? 32 : ulen), user);
		return -1;
	}
	if (m.u.auth_result.id != q.id) {
		diag("answer id %u to question %u", m.u.auth_result.id, q.id);
		return -1;
	}
	return (int)m.u.auth_result.role;
}

static int
ask(struct helper *h, const char *user, const char *pw)
{
	return ask_password(h, user, strlen(user), pw, strlen(pw));
}

static int
ask_vnc(struct helper *h, const uint8_t challenge[16],
    const uint8_t response[16])
{
	struct ipc_auth_vnc q = { .id = next_id++ };
	struct ipc_msg m;
	int fd;

	memcpy(q.challenge, challenge, 16);
	memcpy(q.response, response, 16);
	if (ipc_send(h->ch.sock, IPC_BRK2AUTH_VNC, &q, sizeof(q), -1) < 0 ||
	    spawn_recv(&h->ch, &m, &fd, 10000, IPC_AUTH2BRK_FIRST,
	    IPC_AUTH2BRK_LAST) != 1 || m.u.auth_result.id != q.id)
		return -1;
	return (int)m.u.auth_result.role;
}

static char users_text[1024];

static void
test_des(void)
{
	/* FIPS 46's worked example (and every DES tutorial's). */
	static const uint8_t key[8] = { 0x13, 0x34, 0x57, 0x79, 0x9b, 0xbc,
	    0xdf, 0xf1 };
	static const uint8_t pt[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	    0xcd, 0xef };
	static const uint8_t ct[8] = { 0x85, 0xe8, 0x13, 0x54, 0x0f, 0x0a,
	    0xb4, 0x05 };
	uint8_t out[8];

	des_encrypt(key, pt, out);
	if (!ok(memcmp(out, ct, 8) == 0, "the test's DES gives the known "
	    "answer 85E813540F0AB405"))
		bail("the reference DES is wrong");
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

static void
test_answers(void)
{
	struct helper h;
	uint8_t challenge[16], resp[16];
	char longname[IPC_AUTH_USER_MAX], longpw[IPC_AUTH_PASSWORD_MAX];
	const char *err, *v;
	int uid_ok, st;

	if (start(&h, users_text, vnc_text, "debug") < 0)
		bail("cannot start rampart-auth");
	ok(wait_sandboxed(h.ch.pid, 10000), "rampart-auth enters its "
	    "sandbox");
	v = status_field(h.ch.pid, "Seccomp");
	ok(strcmp(v, "2") == 0, "Seccomp: %s (filter)", v);
	v = status_field(h.ch.pid, "NoNewPrivs");
	ok(strcmp(v, "1") == 0, "NoNewPrivs: %s", v);
	v = status_field(h.ch.pid, "CapEff");
	ok(strcmp(v, "0000000000000000") == 0, "CapEff: %s", v);
	v = status_field(h.ch.pid, "CapPrm");
	ok(strcmp(v, "0000000000000000") == 0, "CapPrm: %s", v);
	v = status_field(h.ch.pid, "CapBnd");
	if (geteuid() == 0)
		ok(strcmp(v, "0000000000000000") == 0, "CapBnd: %s", v);
	else
		skip("CapBnd: not root, nothing to drop");
	v = status_field(h.ch.pid, "Uid");
	{
		unsigned a = 0, b = 0, c = 0, d = 0;

		uid_ok = sscanf(v, "%u %u %u %u", &a, &b, &c, &d) == 4 &&
		    a != 0 && b != 0 && c != 0 && d != 0;
		if (geteuid() == 0)
			ok(uid_ok, "started as root, runs as uid %s", v);
		else
			skip("not root: uid %s stays", v);
	}

	ok(ask(&h, "alice", ALICE_PW) == IPC_AUTH_CONTROL,
	    "alice, right password: control");
	ok(ask(&h, "bob", BOB_PW) == IPC_AUTH_VIEW,
	    "bob, right password: view");
	ok(ask(&h, "alice", BOB_PW) == IPC_AUTH_REFUSED,
	    "alice with bob's password: refused");
	ok(ask(&h, "alice", "correct horsE") == IPC_AUTH_REFUSED,
	    "alice, one letter wrong: refused");
	ok(ask(&h, "alice", "") == IPC_AUTH_REFUSED,
	    "alice, empty password: refused");
	ok(ask(&h, "mallory", ALICE_PW) == IPC_AUTH_REFUSED,
	    "unknown user with alice's password: refused");
	ok(ask(&h, "Alice", ALICE_PW) == IPC_AUTH_REFUSED,
	    "user names are matched exactly: refused");
	ok(ask(&h, "", "") == IPC_AUTH_REFUSED, "empty user: refused");
	memset(longname, 'a', sizeof(longname));
	ok(ask_password(&h, longname, sizeof(longname), ALICE_PW,
	    strlen(ALICE_PW)) == IPC_AUTH_REFUSED,
	    "a 256-byte name: refused, the channel stays");
	memset(longpw, 'p', sizeof(longpw));
	ok(ask_password(&h, "alice", 5, longpw, sizeof(longpw)) ==
	    IPC_AUTH_REFUSED, "a 1024-byte password: refused");
	ok(ask(&h, "alice", ALICE_PW) == IPC_AUTH_CONTROL,
	    "alice again after all that: control");

	for (int i = 0; i < 16; i++)
		challenge[i] = (uint8_t)(i * 37 + 11);
	vnc_response("sesame", challenge, resp);
	ok(ask_vnc(&h, challenge, resp) == IPC_AUTH_CONTROL,
	    "VNC response with the control password: control");
	vnc_response("peekaboo", challenge, resp);
	ok(ask_vnc(&h, challenge, resp) == IPC_AUTH_VIEW,
	    "VNC response with the view password's first 8 bytes: view");
	vnc_response("peekaboo1234", challenge, resp);
	ok(ask_vnc(&h, challenge, resp) == IPC_AUTH_VIEW,
	    "and with the whole of it (only 8 count): view");
	vnc_response("sesamE", challenge, resp);
	ok(ask_vnc(&h, challenge, resp) == IPC_AUTH_REFUSED,
	    "VNC response with a wrong password: refused");
	vnc_response("sesame", challenge, resp);
	challenge[15] ^= 1;
	ok(ask_vnc(&h, challenge, resp) == IPC_AUTH_REFUSED,
	    "VNC response to another challenge: refused");

	/* Error level: no more debug lines, and the answers go on. */
	{
		struct ipc_log_level l = { .level = LOG_LEVEL_ERROR };

		ok(ipc_send(h.ch.sock, IPC_BRK2AUTH_LOG_LEVEL, &l, sizeof(l),
		    -1) == 0 && ask(&h, "bob", BOB_PW) == IPC_AUTH_VIEW,
		    "log level error, then bob: view");
	}

	/* The end of the channel is the end of the helper, a clean one. */
	shutdown(h.ch.sock, SHUT_RDWR);
	st = spawn_wait(&h.ch, 10000);
	ok(st == 0, "the broker goes away: rampart-auth exits 0 (%d)", st);
	err = spawn_stderr(&h.ch);
	ok(strstr(err, "check for alice: ok, control") != NULL &&
	    strstr(err, "check for alice: refused") != NULL &&
	    strstr(err, "check for mallory: refused") != NULL,
	    "debug lines say who was checked and the answer");
	ok(strstr(err, "check for bob: ok, view") != NULL &&
	    strstr(strstr(err, "check for bob: ok, view") + 1,
	    "check for bob") == NULL,
	    "no check line after the level went to error");
	ok(strstr(err, ALICE_PW) == NULL && strstr(err, BOB_PW) == NULL &&
	    strstr(err, "sesame") == NULL && strstr(err, "peekaboo") == NULL &&
	    strstr(err, "$scrypt$") == NULL,
	    "no password or hash in the log");
	if (strstr(err, "fatal") != NULL || st != 0)
		diag("stderr:\n%s", err);
	stop(&h);
}

/*
 * Through the helper, with the default parameters: a wrong password for
 * a user that exists and any password for one that does not take the
 * same time (medians of 20, taken in turns).
 */
static void
test_timing(void)
{
	char hash[USERS_HASH_MAX + 1], text[512];
	double t[2][20], med[2];
	struct helper h;
	int refused = 0;

	if (users_hash("the real one", 12, hash, sizeof(hash)) < 0)
		bail("cannot hash");
	snprintf(text, sizeof(text), "carol:control:%s\n", hash);
	if (start(&h, text, NULL, "warn") < 0)
		bail("cannot start rampart-auth");
	if (!wait_sandboxed(h.ch.pid, 10000))
		diag("not in its sandbox yet");
	ok(ask(&h, "carol", "the real one") == IPC_AUTH_CONTROL,
	    "default parameters: carol, right password: control");
	for (int i = 0; i < 20; i++) {
		for (int k = 0; k < 2; k++) {
			double t0 = now_ms();

			refused += ask(&h, k == 0 ? "carol" : "nosuchuser",
			    "a wrong one") == IPC_AUTH_REFUSED;
			t[k][i] = now_ms() - t0;
		}
	}
	for (int k = 0; k < 2; k++) {
		qsort(t[k], 20, sizeof(double), cmp_double);
		med[k] = (t[k][9] + t[k][10]) / 2;
	}
	ok(refused == 40, "40 wrong checks, 40 refusals");
	if (!ok(med[0] <= med[1] * 1.2 && med[1] <= med[0] * 1.2,
	    "one check (ln=15, r=8, p=1), median of 20: wrong password "
	    "%.1f ms, unknown user %.1f ms: within 20%%", med[0], med[1]))
		diag("fastest %.1f / %.1f ms, slowest %.1f / %.1f ms",
		    t[0][0], t[1][0], t[0][19], t[1][19]);
	shutdown(h.ch.sock, SHUT_RDWR);
	spawn_wait(&h.ch, 10000);
	stop(&h);
}

/* A question out of the rules: the helper ends without answering. */
static void
bad(const char *name, uint16_t type, const void *payload, size_t len)
{
	struct helper h;
	struct ipc_hdr hdr = { .type = type, .version = IPC_VERSION };
	uint8_t buf[sizeof(hdr) + sizeof(struct ipc_auth_password) + 8];
	struct ipc_msg m;
	int fd, r, st;

	if (start(&h, users_text, vnc_text, "info") < 0)
		bail("cannot start rampart-auth");
	wait_sandboxed(h.ch.pid, 10000);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	if (send(h.ch.sock, buf, sizeof(hdr) + len, 0) < 0)
		diag("send: %s", strerror(errno));
	r = spawn_recv(&h.ch, &m, &fd, 10000, IPC_AUTH2BRK_FIRST,
	    IPC_AUTH2BRK_LAST);
	st = spawn_wait(&h.ch, 10000);
	if (!ok(r != 1 && st != 0 && st < 128, "%s: no answer, exits %d", name,
	    st))
		diag("recv %d, stderr:\n%s", r, spawn_stderr(&h.ch));
	stop(&h);
}

static void
test_bad(void)
{
	struct ipc_auth_password q;
	struct ipc_auth_vnc v;
	uint32_t level = 9;

	memset(&q, 0, sizeof(q));
	q.id = 1;
	q.user_len = 5;
	q.password_len = strlen(ALICE_PW);
	memcpy(q.user, "alice", 5);
	memcpy(q.password, ALICE_PW, strlen(ALICE_PW));

	bad("a password question one byte short", IPC_BRK2AUTH_PASSWORD, &q,
	    sizeof(q) - 1);
	{
		uint8_t longer[sizeof(q) + 1] = { 0 };

		memcpy(longer, &q, sizeof(q));
		bad("a password question one byte long",
		    IPC_BRK2AUTH_PASSWORD, longer, sizeof(longer));
	}
	q.pad = 1;
	bad("nonzero pad", IPC_BRK2AUTH_PASSWORD, &q, sizeof(q));
	q.pad = 0;
	q.user_len = IPC_AUTH_USER_MAX + 1;
	bad("user_len 257", IPC_BRK2AUTH_PASSWORD, &q, sizeof(q));
	q.user_len = 5;
	q.password_len = IPC_AUTH_PASSWORD_MAX + 1;
	bad("password_len 1025", IPC_BRK2AUTH_PASSWORD, &q, sizeof(q));
	q.password_len = strlen(ALICE_PW);
	q.password[600] = 'x';
	bad("a byte past the password", IPC_BRK2AUTH_PASSWORD, &q, sizeof(q));
	q.password[600] = 0;
	q.user[2] = '\0';
	bad("a NUL inside the user name", IPC_BRK2AUTH_PASSWORD, &q,
	    sizeof(q));
	memset(&v, 0, sizeof(v));
	v.pad = 7;
	bad("a VNC question with nonzero pad", IPC_BRK2AUTH_VNC, &v,
	    sizeof(v));
	bad("a log level that is none", IPC_BRK2AUTH_LOG_LEVEL, &level,
	    sizeof(level));
	bad("a type of another channel (an input key)", IPC_BRK2IN_KEY, &q,
	    sizeof(struct ipc_in_key));
	bad("an answer type sent to it", IPC_AUTH2BRK_RESULT, &q,
	    sizeof(struct ipc_auth_result));
}

/* What the supervisor should never send: the helper refuses to start. */
static void
test_start(void)
{
	struct helper h;
	const char *err;
	int st;

	if (start(&h, "alice:admin:x\n", NULL, "info") < 0)
		bail("cannot start rampart-auth");
	st = spawn_wait(&h.ch, 10000);
	err = spawn_stderr(&h.ch);
	ok(st == 1 && strstr(err, "users file: line 1: role is not") != NULL,
	    "a users file that does not parse: exit 1 with the line (%d)",
	    st);
	stop(&h);

	if (start(&h, NULL, "admin:x\n", "info") < 0)
		bail("cannot start rampart-auth");
	st = spawn_wait(&h.ch, 10000);
	err = spawn_stderr(&h.ch);
	ok(st == 1 && strstr(err, "VNC password file: line 1") != NULL,
	    "a VNC file that does not parse: exit 1 (%d)", st);
	stop(&h);

	/* A descriptor that is not a sealed blob on fd 4. */
	{
		char *argv[] = { "rampart-auth", "--users-size", "10", NULL };
		int fds[1];
		int p[2];

		if (pipe(p) < 0)
			bail("pipe");
		fds[0] = p[0];
		if (spawn_helper_fds(&h.ch, "rampart-auth", argv, fds, 1) < 0)
			bail("cannot start rampart-auth");
		close(p[0]);
		close(p[1]);
		st = spawn_wait(&h.ch, 10000);
		err = spawn_stderr(&h.ch);
		ok(st == 1 && strstr(err, "not a sealed blob") != NULL,
		    "fd 4 not a sealed blob: exit 1 (%d)", st);
		close(h.ch.sock);
		close(h.ch.err);
	}

	/* No files at all: every question is refused. */
	if (start(&h, NULL, NULL, "info") < 0)
		bail("cannot start rampart-auth");
	{
		uint8_t c[16] = { 0 }, r[16];

		vnc_response("", c, r);
		ok(ask(&h, "alice", ALICE_PW) == IPC_AUTH_REFUSED &&
		    ask_vnc(&h, c, r) == IPC_AUTH_REFUSED,
		    "no accounts, no VNC passwords: everything refused");
	}
	shutdown(h.ch.sock, SHUT_RDWR);
	ok(spawn_wait(&h.ch, 10000) == 0, "and it exits 0 at the end");
	stop(&h);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(users_text, sizeof(users_text),
	    "# accounts\nalice:control:%s\nbob:view:%s\n", ALICE_HASH,
	    BOB_HASH);
	test_des();
	test_answers();
	test_bad();
	test_start();
	test_timing();
	return done_testing();
}
