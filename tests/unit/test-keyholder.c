/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key holder (supervisor/keyholder.c) with keys made here, EC P-256,
 * EC P-384 and RSA 2048: every signature it gives verifies with the
 * public key alone (a copy without the private part), the RSA answers are
 * byte for byte what RSA_private_encrypt() gives, and every question with
 * a bad field, or about a certificate before a reload, is refused with
 * nothing in the answer but its id.
 */
#define OPENSSL_SUPPRESS_DEPRECATED	/* RSA_private_encrypt, as reference */
#include "config.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <string.h>

#include "supervisor/keyholder.h"
#include "tests/tap.h"

/* The public half of a key, through its DER encoding: what verifies
 * cannot be the private key itself. */
static EVP_PKEY *
public_only(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int len = i2d_PUBKEY(key, &der);

	if (len <= 0)
		bail("i2d_PUBKEY");
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	if (pub == NULL)
		bail("d2i_PUBKEY");
	return pub;
}

static struct ipc_key_sign
question(uint32_t id, uint32_t op, uint32_t padding, uint32_t len,
    uint32_t generation)
{
	struct ipc_key_sign q;

	memset(&q, 0, sizeof(q));
	q.id = id;
	q.op = op;
	q.padding = padding;
	q.len = len;
	q.generation = generation;
	if (RAND_bytes(q.data, (int)sizeof(q.data)) != 1)
		bail("RAND_bytes");
	return q;
}

/* A refusal carries the id and nothing else. */
static int
refused(const struct ipc_key_sign *q, const struct ipc_key_signature *a)
{
	static const uint8_t zero[IPC_SIGN_MAX];

	return a->id == q->id && a->ok == 0 && a->len == 0 && a->pad == 0 &&
	    memcmp(a->sig, zero, sizeof(zero)) == 0;
}

static void
bad(const struct keyholder *kh, const struct ipc_key_sign *q,
    const char *what)
{
	struct ipc_key_signature a;

	memset(&a, 0x5a, sizeof(a));
	ok(keyholder_answer(kh, q, &a) == 0 && refused(q, &a),
	    "refused: %s", what);
}

/* An ECDSA signature of a digest verifies with the public key. */
static int
ec_verifies(EVP_PKEY *pub, const struct ipc_key_sign *q,
    const struct ipc_key_signature *a)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	int r;

	r = ctx != NULL && EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_verify(ctx, a->sig, a->len, q->data, q->len) == 1;
	EVP_PKEY_CTX_free(ctx);
	return r;
}

static void
ec_key(const char *curve, size_t sigmax)
{
	static const uint32_t lens[] = { 20, 32, 48, 64 };
	struct keyholder kh = { .generation = 7 };
	struct ipc_key_signature a;
	struct ipc_key_sign q;
	EVP_PKEY *pub;

	if ((kh.key = EVP_EC_gen(curve)) == NULL)
		bail("EVP_EC_gen %s", curve);
	pub = public_only(kh.key);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int r;

		q = question(100 + (uint32_t)i, IPC_SIGN_DIGEST, 0, lens[i], 7);
		r = keyholder_answer(&kh, &q, &a);
		ok(r == 1 && a.ok == 1 &&
		    a.id == q.id && a.len > 0 && a.len <= sigmax &&
		    ec_verifies(pub, &q, &a),
		    "%s: a digest of %u bytes, signed, verifies with the "
		    "public key (%u bytes of DER)", curve, lens[i], a.len);
	}
	/* The same digest changed by one bit does not verify: the check
	 * above can fail. */
	q = question(1, IPC_SIGN_DIGEST, 0, 32, 7);
	keyholder_answer(&kh, &q, &a);
	q.data[0] ^= 1;
	ok(!ec_verifies(pub, &q, &a), "%s: not for another digest", curve);

	q = question(2, IPC_SIGN_DIGEST, 0, 19, 7);
	bad(&kh, &q, "a digest of 19 bytes");
	q = question(3, IPC_SIGN_DIGEST, 0, 65, 7);
	bad(&kh, &q, "a digest of 65 bytes");
	q = question(4, IPC_SIGN_DIGEST, RSA_PKCS1_PADDING, 32, 7);
	bad(&kh, &q, "a digest with a padding");
	q = question(5, IPC_SIGN_RSA, RSA_PKCS1_PADDING, 32, 7);
	bad(&kh, &q, "the RSA operation with an EC key");
	q = question(6, IPC_SIGN_RSA, RSA_NO_PADDING,
	    (uint32_t)EVP_PKEY_get_size(kh.key), 7);
	bad(&kh, &q, "the RSA operation without padding, EC key");
	q = question(7, IPC_SIGN_DIGEST, 0, 32, 6);
	bad(&kh, &q, "the generation before");
	q = question(8, IPC_SIGN_DIGEST, 0, 32, 8);
	bad(&kh, &q, "a generation to come");
	q = question(9, IPC_SIGN_DIGEST, 0, 32, 7);
	q.pad = 1;
	bad(&kh, &q, "pad not zero");
	q = question(10, 0, 0, 32, 7);
	bad(&kh, &q, "operation 0");
	q = question(11, 3, 0, 32, 7);
	bad(&kh, &q, "operation 3");
	q = question(12, IPC_SIGN_DIGEST, 0, IPC_SIGN_MAX + 1, 7);
	bad(&kh, &q, "a length beyond the data");
	q = question(13, IPC_SIGN_DIGEST, 0, 0xffffffffu, 7);
	bad(&kh, &q, "a length of 2^32 - 1");

	/* A reload: a new key, the generation after.  The old generation
	 * is refused, the new one signs with the new key only. */
	EVP_PKEY_free(kh.key);
	if ((kh.key = EVP_EC_gen(curve)) == NULL)
		bail("EVP_EC_gen %s", curve);
	kh.generation = 8;
	q = question(14, IPC_SIGN_DIGEST, 0, 32, 7);
	bad(&kh, &q, "after a reload, the generation of before");
	q = question(15, IPC_SIGN_DIGEST, 0, 32, 8);
	ok(keyholder_answer(&kh, &q, &a) == 1 && !ec_verifies(pub, &q, &a),
	    "%s: after a reload, signed with the new key, not the old", curve);
	EVP_PKEY_free(pub);
	pub = public_only(kh.key);
	ok(ec_verifies(pub, &q, &a), "%s: and the new public key verifies "
	    "it", curve);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(kh.key);
}

/* What the public key recovers from an RSA signature, with padding. */
static int
rsa_recover(EVP_PKEY *pub, int padding, const struct ipc_key_signature *a,
    uint8_t *out, size_t *outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	int r;

	r = ctx != NULL && EVP_PKEY_verify_recover_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0 &&
	    EVP_PKEY_verify_recover(ctx, out, outlen, a->sig, a->len) == 1;
	EVP_PKEY_CTX_free(ctx);
	return r;
}

static void
rsa_key(void)
{
	struct keyholder kh = { .generation = 1 };
	struct ipc_key_signature a;
	struct ipc_key_sign q;
	uint8_t out[IPC_SIGN_MAX], ref[IPC_SIGN_MAX];
	size_t outlen, size;
	const RSA *rsa;
	EVP_PKEY *pub;
	int n;

	if ((kh.key = EVP_RSA_gen(2048)) == NULL)
		bail("EVP_RSA_gen");
	pub = public_only(kh.key);
	size = (size_t)EVP_PKEY_get_size(kh.key);
	rsa = EVP_PKEY_get0_RSA(kh.key);
	ok(size == 256, "RSA 2048: 256 bytes");

	/* PKCS #1 v1.5: what TLS 1.2 signs (a DigestInfo of SHA-256, 51
	 * bytes), and the longest the padding allows. */
	for (uint32_t len = 51; len <= 245; len += 245 - 51) {
		q = question(20 + len, IPC_SIGN_RSA, RSA_PKCS1_PADDING, len, 1);
		outlen = sizeof(out);
		n = RSA_private_encrypt((int)len, q.data, ref, (RSA *)rsa,
		    RSA_PKCS1_PADDING);
		ok(keyholder_answer(&kh, &q, &a) == 1 && a.len == size &&
		    rsa_recover(pub, RSA_PKCS1_PADDING, &a, out, &outlen) &&
		    outlen == len && memcmp(out, q.data, len) == 0,
		    "RSA PKCS #1 of %u bytes: the public key recovers them",
		    len);
		ok(n == (int)size && memcmp(ref, a.sig, size) == 0,
		    "and it is what RSA_private_encrypt gives");
	}
	/* No padding: the broker's TLS stack padded (PSS) already; the
	 * input is below the modulus when its top byte is 0. */
	q = question(30, IPC_SIGN_RSA, RSA_NO_PADDING, (uint32_t)size, 1);
	q.data[0] = 0;
	outlen = sizeof(out);
	n = RSA_private_encrypt((int)size, q.data, ref, (RSA *)rsa,
	    RSA_NO_PADDING);
	ok(keyholder_answer(&kh, &q, &a) == 1 && a.len == size &&
	    rsa_recover(pub, RSA_NO_PADDING, &a, out, &outlen) &&
	    outlen == size && memcmp(out, q.data, size) == 0,
	    "RSA without padding: the public key recovers the input");
	ok(n == (int)size && memcmp(ref, a.sig, size) == 0,
	    "and it is what RSA_private_encrypt gives");
	q.data[5] ^= 1;
	outlen = sizeof(out);
	ok(rsa_recover(pub, RSA_NO_PADDING, &a, out, &outlen) &&
	    memcmp(out, q.data, size) != 0, "not another input");

	q = question(31, IPC_SIGN_RSA, RSA_NO_PADDING, (uint32_t)size, 1);
	memset(q.data, 0xff, size);
	bad(&kh, &q, "no padding, an input above the modulus");
	q = question(32, IPC_SIGN_RSA, RSA_NO_PADDING, (uint32_t)size - 1, 1);
	bad(&kh, &q, "no padding, one byte short");
	q = question(33, IPC_SIGN_RSA, RSA_NO_PADDING, (uint32_t)size + 1, 1);
	bad(&kh, &q, "no padding, one byte over");
	q = question(34, IPC_SIGN_RSA, RSA_PKCS1_PADDING, (uint32_t)size - 10,
	    1);
	bad(&kh, &q, "PKCS #1, one byte more than the padding leaves");
	q = question(35, IPC_SIGN_RSA, RSA_PKCS1_OAEP_PADDING, 32, 1);
	bad(&kh, &q, "OAEP padding");
	q = question(36, IPC_SIGN_RSA, RSA_PKCS1_PSS_PADDING, 32, 1);
	bad(&kh, &q, "PSS padding (the broker pads PSS itself)");
	q = question(37, IPC_SIGN_RSA, 0, 32, 1);
	bad(&kh, &q, "padding 0");
	q = question(38, IPC_SIGN_DIGEST, 0, 32, 1);
	bad(&kh, &q, "a digest to sign with an RSA key");
	q = question(39, IPC_SIGN_RSA, RSA_PKCS1_PADDING, 51, 0);
	bad(&kh, &q, "a stale generation");
	q = question(40, IPC_SIGN_RSA, RSA_PKCS1_PADDING, 51, 1);
	q.pad = 0x80000000u;
	bad(&kh, &q, "pad not zero (RSA)");

	EVP_PKEY_free(pub);
	EVP_PKEY_free(kh.key);

	kh.key = NULL;
	q = question(41, IPC_SIGN_DIGEST, 0, 32, 1);
	bad(&kh, &q, "no key at all");
}

int
main(void)
{
	ec_key("P-256", 72);
	ec_key("P-384", 104);
	rsa_key();
	return done_testing();
}
