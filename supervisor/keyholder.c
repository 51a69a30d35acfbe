/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key holder: the TLS private key stays in the supervisor, and the
 * broker's TLS stack asks it for each signature over a channel of its own
 * (OpenBSD relayd's "ca" process).  A compromised broker can at most ask
 * for signatures while it runs; it never holds the key.
 *
 * keyholder_answer() is the whole of it, a pure function of the key and
 * the question, so that a unit test and a fuzz target reach exactly what
 * the broker reaches.  Every field is checked before the key is used: the
 * operation must suit the key (a digest for an EC key, the raw private
 * operation for an RSA key), the length must suit the operation, the
 * padding is one of two, the generation is the certificate's now (a
 * question about a certificate of before a reload is refused), and the
 * padding field is zero.  Anything else is answered "refused" (ok 0):
 * a handshake fails, nothing else happens.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string.h>

#include "supervisor/keyholder.h"

/* The least and most bytes of a digest: SHA-1 .. SHA-512. */
#define DIGEST_MIN	20
#define DIGEST_MAX	64
/* PKCS #1 v1.5 padding takes at least 11 bytes of the modulus. */
#define PKCS1_OVERHEAD	11

static int
question_ok(const struct keyholder *kh, const struct ipc_key_sign *q,
    int type, size_t size)
{
	if (kh->key == NULL || q->generation != kh->generation ||
	    q->pad != 0 || q->len > IPC_SIGN_MAX)
		return 0;
	switch (q->op) {
	case IPC_SIGN_DIGEST:
		return type == EVP_PKEY_EC && q->padding == 0 &&
		    q->len >= DIGEST_MIN && q->len <= DIGEST_MAX;
	case IPC_SIGN_RSA:
		if (type != EVP_PKEY_RSA || size > IPC_SIGN_MAX)
			return 0;
		if (q->padding == RSA_NO_PADDING)
			return q->len == size;
		if (q->padding == RSA_PKCS1_PADDING)
			return size >= PKCS1_OVERHEAD &&
			    q->len <= size - PKCS1_OVERHEAD;
		return 0;
	}
	return 0;
}

int
keyholder_answer(const struct keyholder *kh, const struct ipc_key_sign *q,
    struct ipc_key_signature *a)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t siglen = sizeof(a->sig), size;
	int type;

	memset(a, 0, sizeof(*a));
	a->id = q->id;
	if (kh->key == NULL)
		return 0;
	type = EVP_PKEY_get_base_id(kh->key);
	size = (size_t)EVP_PKEY_get_size(kh->key);
	if (!question_ok(kh, q, type, size))
		return 0;
	/*
	 * No digest is set on the context: EC signs the bytes given as the
	 * digest, DER out; RSA does the raw private operation with the
	 * padding asked (what RSA_private_encrypt() did), the broker's TLS
	 * stack having hashed and, for PSS, padded already.
	 */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, kh->key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) <= 0 ||
	    (type == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, (int)q->padding) <= 0) ||
	    EVP_PKEY_sign(ctx, a->sig, &siglen, q->data, q->len) <= 0 ||
	    siglen == 0 || siglen > sizeof(a->sig)) {
		EVP_PKEY_CTX_free(ctx);
		memset(a->sig, 0, sizeof(a->sig));
		return 0;
	}
	EVP_PKEY_CTX_free(ctx);
	a->ok = 1;
	a->len = (uint32_t)siglen;
	return 1;
}
