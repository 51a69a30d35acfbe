/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a compromised broker can ask the key holder: the first byte picks
 * the key (EC P-256 or RSA 1024, made once: as good as P-384 and RSA 2048
 * for the checks, which test-keyholder makes with those, and each
 * signature here costs a fifth of theirs), the rest is the
 * question as it arrives, cut or zero-filled to its size.  Every answer
 * must be a refusal with only the id in it, or a signature that verifies
 * with the public key: a check that holds for any input.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/keyholder.h"

#define NKEYS	2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *keys[NKEYS], *pubs[NKEYS];

static EVP_PKEY *
public_only(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int len = i2d_PUBKEY(key, &der);

	if (len <= 0)
		abort();
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	if (pub == NULL)
		abort();
	return pub;
}

static int
verifies(EVP_PKEY *pub, const struct ipc_key_sign *q,
    const struct ipc_key_signature *a)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	uint8_t out[IPC_SIGN_MAX];
	size_t outlen = sizeof(out);
	int r;

	if (ctx == NULL)
		abort();
	if (q->op == IPC_SIGN_DIGEST)
		r = EVP_PKEY_verify_init(ctx) > 0 &&
		    EVP_PKEY_verify(ctx, a->sig, a->len, q->data, q->len) == 1;
	else
		r = EVP_PKEY_verify_recover_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, (int)q->padding) > 0 &&
		    EVP_PKEY_verify_recover(ctx, out, &outlen, a->sig,
		    a->len) == 1 && outlen == q->len &&
		    memcmp(out, q->data, q->len) == 0;
	EVP_PKEY_CTX_free(ctx);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[IPC_SIGN_MAX];
	struct keyholder kh = { .generation = 1 };
	struct ipc_key_signature a;
	struct ipc_key_sign q;
	unsigned int k;

	if (keys[0] == NULL) {
		keys[0] = EVP_EC_gen("P-256");
		keys[1] = EVP_RSA_gen(1024);
		for (k = 0; k < NKEYS; k++) {
			if (keys[k] == NULL)
				abort();
			pubs[k] = public_only(keys[k]);
		}
	}
	if (size < 1)
		return 0;
	k = data[0] % NKEYS;
	kh.key = keys[k];
	memset(&q, 0, sizeof(q));
	memcpy(&q, data + 1, size - 1 < sizeof(q) ? size - 1 : sizeof(q));
	if (keyholder_answer(&kh, &q, &a)) {
		if (a.ok != 1 || a.id != q.id || a.len == 0 ||
		    a.len > sizeof(a.sig) || a.pad != 0 ||
		    q.generation != kh.generation || !verifies(pubs[k], &q, &a))
			abort();
	} else if (a.ok != 0 || a.id != q.id || a.len != 0 || a.pad != 0 ||
	    memcmp(a.sig, zero, sizeof(zero)) != 0)
		abort();
	return 0;
}
