/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "auth/auth.h"
#include "common/log.h"

static enum ipc_auth_role
role_of(enum users_role r)
{
	return r == USERS_CONTROL ? IPC_AUTH_CONTROL :
	    r == USERS_VIEW ? IPC_AUTH_VIEW : IPC_AUTH_REFUSED;
}

static const char *
answer_name(enum ipc_auth_role r)
{
	return r == IPC_AUTH_CONTROL ? "ok, control" :
	    r == IPC_AUTH_VIEW ? "ok, view" : "refused";
}

void
auth_vnc_key(const uint8_t password[8], uint8_t key[8])
{
	/* VNC's DES takes each key byte with its bits in reverse order. */
	for (int i = 0; i < 8; i++) {
		uint8_t b = password[i], r = 0;

		for (int bit = 0; bit < 8; bit++)
			r |= (uint8_t)(((b >> bit) & 1) << (7 - bit));
		key[i] = r;
	}
}

/*
 * The challenge encrypted with the password: DES in ECB mode, two blocks.
 * OpenSSL 3's default provider has no single DES, but triple DES with the
 * key three times over is single DES (encrypt, decrypt, encrypt with one
 * key), and needs no legacy provider, which would be a file to load.
 */
static int
vnc_encrypt(const struct auth *a, const uint8_t password[8],
    const uint8_t challenge[IPC_VNC_CHALLENGE],
    uint8_t out[IPC_VNC_CHALLENGE])
{
	uint8_t key[8], key3[24];
	EVP_CIPHER_CTX *ctx;
	int n = 0, rc = -1;

	auth_vnc_key(password, key);
	memcpy(key3, key, 8);
	memcpy(key3 + 8, key, 8);
	memcpy(key3 + 16, key, 8);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_EncryptInit_ex2(ctx, a->des, key3, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, challenge,
	    IPC_VNC_CHALLENGE) != 1 || n != IPC_VNC_CHALLENGE)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key3, sizeof(key3));
	return rc;
}

int
auth_init(struct auth *a, struct users *users,
    const struct vnc_passwords *vnc)
{
	static const uint8_t zero[IPC_VNC_CHALLENGE];
	uint8_t out[IPC_VNC_CHALLENGE];
	const char *model = NULL;

	memset(a, 0, sizeof(*a));
	if (users != NULL) {
		a->users = *users;
		memset(users, 0, sizeof(*users));
	}
	if (vnc != NULL) {
		a->vnc = *vnc;
		a->have_vnc = 1;
	}
	if (a->users.n > 0)
		model = a->users.entries[0].hash;
	/* Any password will do: nobody knows the dummy's. */
	if ((model != NULL ? users_hash_like(model, "dummy", 5, a->dummy,
	    sizeof(a->dummy)) : users_hash("dummy", 5, a->dummy,
	    sizeof(a->dummy))) < 0) {
		log_warnx("cannot make the dummy hash: %s",
		    ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	if ((a->des = EVP_CIPHER_fetch(NULL, "DES-EDE3-ECB", NULL)) == NULL ||
	    vnc_encrypt(a, zero, zero, out) < 0) {
		log_warnx("DES (as DES-EDE3-ECB) is not available: %s",
		    ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	return 0;
}

void
auth_free(struct auth *a)
{
	users_free(&a->users);
	EVP_CIPHER_free(a->des);
	OPENSSL_cleanse(a, sizeof(*a));
}

/* Zero from offset len to the end of a field of size bytes. */
static int
tail_zero(const char *p, size_t len, size_t size)
{
	for (size_t i = len; i < size; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static int
auth_answer_password(struct auth *a, const struct ipc_auth_password *q,
    struct ipc_auth_result *res)
{
	char name[IPC_AUTH_USER_MAX + 1];
	const struct users_entry *e = NULL;
	enum ipc_auth_role role = IPC_AUTH_REFUSED;
	int r;

	if (q->user_len > IPC_AUTH_USER_MAX ||
	    q->password_len > IPC_AUTH_PASSWORD_MAX || q->pad != 0 ||
	    memchr(q->user, '\0', q->user_len) != NULL ||
	    memchr(q->password, '\0', q->password_len) != NULL ||
	    !tail_zero(q->user, q->user_len, sizeof(q->user)) ||
	    !tail_zero(q->password, q->password_len, sizeof(q->password))) {
		log_warnx("protocol error: password question with user "
		    "length %u, password length %u, pad %u, or a NUL byte "
		    "inside or a byte past them", q->user_len,
		    q->password_len, q->pad);
		return -1;
	}
	memcpy(name, q->user, q->user_len);
	name[q->user_len] = '\0';
	if (q->user_len <= USERS_NAME_MAX)
		e = users_find(&a->users, name);
	/* An unknown user costs one scrypt too, against the dummy. */
	r = users_verify(e != NULL ? e->hash : a->dummy, q->password,
	    q->password_len);
	if (r < 0)
		log_warnx("cannot check a password: %s",
		    ERR_reason_error_string(ERR_get_error()));
	if (e != NULL && r == 1)
		role = role_of(e->role);
	if (users_name_ok(name))
		log_debug("check for %s: %s", name, answer_name(role));
	else
		log_debug("check for a name that cannot be one (%u bytes): "
		    "%s", q->user_len, answer_name(role));
	*res = (struct ipc_auth_result){ .id = q->id, .role = role };
	return 1;
}

static int
auth_answer_vnc(struct auth *a, const struct ipc_auth_vnc *q,
    struct ipc_auth_result *res)
{
	static const uint8_t none[8];
	uint8_t c[IPC_VNC_CHALLENGE], v[IPC_VNC_CHALLENGE];
	int ok_c, ok_v, failed;
	enum ipc_auth_role role;

	if (q->pad != 0) {
		log_warnx("protocol error: VNC question with pad %u", q->pad);
		return -1;
	}
	/* Both passwords, always, each compared in constant time: the
	 * time says nothing of which matched, or whether one is set. */
	failed = vnc_encrypt(a, a->vnc.have_control ? a->vnc.control : none,
	    q->challenge, c) < 0;
	failed |= vnc_encrypt(a, a->vnc.have_view ? a->vnc.view : none,
	    q->challenge, v) < 0;
	ok_c = !failed && a->vnc.have_control &&
	    CRYPTO_memcmp(c, q->response, sizeof(c)) == 0;
	ok_v = !failed && a->vnc.have_view &&
	    CRYPTO_memcmp(v, q->response, sizeof(v)) == 0;
	if (failed)
		log_warnx("cannot check a VNC response: %s",
		    ERR_reason_error_string(ERR_get_error()));
	role = ok_c ? IPC_AUTH_CONTROL : ok_v ? IPC_AUTH_VIEW :
	    IPC_AUTH_REFUSED;
	if (!a->have_vnc)
		log_debug("VNC check with no VNC passwords: refused");
	else
		log_debug("VNC check: %s", answer_name(role));
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(v, sizeof(v));
	*res = (struct ipc_auth_result){ .id = q->id, .role = role };
	return 1;
}

int
auth_handle(struct auth *a, const struct ipc_msg *msg,
    struct ipc_auth_result *res)
{
	switch (msg->hdr.type) {
	case IPC_BRK2AUTH_PASSWORD:
		return auth_answer_password(a, &msg->u.auth_password, res);
	case IPC_BRK2AUTH_VNC:
		return auth_answer_vnc(a, &msg->u.auth_vnc, res);
	case IPC_BRK2AUTH_LOG_LEVEL:
		return log_set_level_from(msg->u.log_level.level,
		    "the broker") < 0 ? -1 : 0;
	default:
		log_warnx("protocol error: unexpected %s from the broker",
		    ipc_type_name(msg->hdr.type));
		return -1;
	}
}
