/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's TLS (tls.h).  The private key is not here: the context's
 * key is a public key whose private operations are methods of ours that
 * ask the key holder, the way OpenBSD's relayd keeps its keys in the "ca"
 * process.  OpenSSL 3.0 takes such a key through the EC_KEY_METHOD and
 * RSA_METHOD interfaces (deprecated, and the only ones short of writing a
 * provider); it treats the key as a "foreign" legacy key and signs
 * through the method, for TLS 1.2 and 1.3 alike.  ECDSA keys have their
 * digest signed there; RSA keys the raw private operation, PSS padding
 * done by the TLS stack before it.  The question is synchronous: a
 * handshake waits for its one signature, tens of microseconds from the
 * supervisor, at most KEY_WAIT_MS.
 */
#define OPENSSL_SUPPRESS_DEPRECATED	1

#include "config.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/tls.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/users.h"

/* The longest a handshake waits for its signature. */
#define KEY_WAIT_MS	2000

/* TLS 1.2's suites: forward secrecy and AEAD only.  TLS 1.3's are all
 * of that kind; OpenSSL's default list of them stays. */
#define TLS12_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20"
/* TLSPlain: anonymous Diffie-Hellman, which only TLS 1.2 has and which
 * OpenSSL allows only at security level 0.  The client checks nothing:
 * only a passive listener is kept out. */
#define ANON_CIPHERS	"ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:" \
			"AECDH-AES256-SHA:AECDH-AES128-SHA:@SECLEVEL=0"

static struct {
	int		key_fd;
	uint32_t	generation;
	uint32_t	next_id;
	SSL_CTX		*ctx;		/* with our certificate */
	SSL_CTX		*anon;		/* TLSPlain */
	EC_KEY_METHOD	*ec_method;
	RSA_METHOD	*rsa_method;
} tls = { .key_fd = -1 };

static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Ask the key holder; the length of its answer in sig, or -1. */
static int
key_ask(uint32_t op, uint32_t padding, const uint8_t *data, size_t len,
    uint8_t *sig, size_t max)
{
	struct ipc_key_sign q;
	struct ipc_msg m;
	struct timespec deadline;
	struct pollfd pfd = { .fd = tls.key_fd };
	int fd, r = -1;

	if (tls.key_fd < 0 || len == 0 || len > IPC_SIGN_MAX)
		return -1;
	memset(&q, 0, sizeof(q));
	q.id = ++tls.next_id;
	q.op = op;
	q.padding = padding;
	q.len = (uint32_t)len;
	q.generation = tls.generation;
	memcpy(q.data, data, len);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += KEY_WAIT_MS / 1000;
	while (ipc_send(tls.key_fd, IPC_BRK2KEY_SIGN, &q, sizeof(q), -1) < 0) {
		pfd.events = POLLOUT;
		if (errno != EAGAIN || poll(&pfd, 1, ms_left(&deadline)) <= 0)
			goto failed;
	}
	for (;;) {
		r = ipc_recv(tls.key_fd, &m, &fd, IPC_KEY2BRK_FIRST,
		    IPC_KEY2BRK_LAST);
		if (r == 1) {
			const struct ipc_key_signature *a =
			    &m.u.key_signature;

			/* An answer to a question that timed out. */
			if (a->id != q.id)
				continue;
			if (a->ok != 1 || a->len == 0 || a->len > max ||
			    a->len > IPC_SIGN_MAX) {
				log_warnx("the key holder refused to sign");
				return -1;
			}
			memcpy(sig, a->sig, a->len);
			return (int)a->len;
		}
		if (r == 0 || errno != EAGAIN)
			goto failed;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms_left(&deadline)) <= 0)
			goto failed;
	}
failed:
	log_warnx("no signature from the key holder: %s",
	    r == 0 ? "it went away" : errno == EAGAIN || errno == 0 ?
	    "no answer in time" : strerror(errno));
	return -1;
}

static int
ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
    unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	int n;

	if (dlen <= 0)
		return 0;
	n = key_ask(IPC_SIGN_DIGEST, 0, dgst, (size_t)dlen, sig,
	    (size_t)ECDSA_size(ec));
	if (n <= 0)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *
ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char buf[IPC_SIGN_MAX];
	const unsigned char *p = buf;
	unsigned int len;

	if (ECDSA_size(ec) > (int)sizeof(buf) ||
	    !ec_sign(0, dgst, dlen, buf, &len, kinv, r, ec))
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, len);
}

static int
rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	int size = RSA_size(rsa);

	if (flen <= 0 || (padding != RSA_PKCS1_PADDING &&
	    padding != RSA_NO_PADDING))
		return -1;
	if (key_ask(IPC_SIGN_RSA, (uint32_t)padding, from, (size_t)flen, to,
	    (size_t)size) != size)
		return -1;
	return size;
}

/* Our suites never decrypt with the key (no RSA key exchange). */
static int
rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	return -1;
}

void
tls_init(void)
{
	SSL_CTX *warm;
	uint8_t b;

	if (tls.ec_method != NULL)
		return;
	OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
	/* Providers, ciphers and the random generator set up now. */
	if ((warm = SSL_CTX_new(TLS_server_method())) != NULL)
		SSL_CTX_free(warm);
	RAND_bytes(&b, 1);
	tls.ec_method = EC_KEY_METHOD_new(EC_KEY_get_default_method());
	tls.rsa_method = RSA_meth_dup(RSA_get_default_method());
	if (tls.ec_method == NULL || tls.rsa_method == NULL)
		fatalx("TLS: out of memory");
	EC_KEY_METHOD_set_sign(tls.ec_method, ec_sign, NULL, ec_sign_sig);
	RSA_meth_set_priv_enc(tls.rsa_method, rsa_priv_enc);
	RSA_meth_set_priv_dec(tls.rsa_method, rsa_priv_dec);
}

void
tls_set_key_channel(int fd)
{
	if (tls.key_fd >= 0)
		close(tls.key_fd);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	tls.key_fd = fd;
}

/* The certificate's public key, its private operations ours. */
static EVP_PKEY *
remote_key(X509 *cert, char *why, size_t whylen)
{
	EVP_PKEY *pub = X509_get_pubkey(cert), *pk = NULL;

	if (pub == NULL) {
		snprintf(why, whylen, "the certificate has no public key");
		return NULL;
	}
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_EC: {
		EC_KEY *ec = EC_KEY_dup(EVP_PKEY_get0_EC_KEY(pub));

		if (ec == NULL || (pk = EVP_PKEY_new()) == NULL ||
		    EC_KEY_set_method(ec, tls.ec_method) != 1 ||
		    EVP_PKEY_assign_EC_KEY(pk, ec) != 1) {
			EC_KEY_free(ec);
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		break;
	}
	case EVP_PKEY_RSA: {
		RSA *rsa = RSAPublicKey_dup(EVP_PKEY_get0_RSA(pub));

		if (rsa == NULL || (pk = EVP_PKEY_new()) == NULL ||
		    RSA_set_method(rsa, tls.rsa_method) != 1 ||
		    EVP_PKEY_assign_RSA(pk, rsa) != 1) {
			RSA_free(rsa);
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		break;
	}
	default:
		snprintf(why, whylen, "the certificate's key is neither EC "
		    "nor RSA");
	}
	if (pk == NULL && why[0] == '\0')
		snprintf(why, whylen, "out of memory");
	EVP_PKEY_free(pub);
	return pk;
}

/* Every certificate of a PEM text: 0, or -1 for none or a bad one. */
static int
read_certs(const void *pem, size_t len, STACK_OF(X509) **out)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x;

	*out = sk_X509_new_null();
	if (bio == NULL || *out == NULL)
		goto bad;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(*out, x) <= 0) {
			X509_free(x);
			goto bad;
		}
	ERR_clear_error();	/* the end of the text */
	BIO_free(bio);
	return sk_X509_num(*out) > 0 ? 0 : -1;
bad:
	BIO_free(bio);
	return -1;
}

/* Client certificates must chain to these CAs, and not be revoked. */
static int
load_client_ca(SSL_CTX *ctx, const void *ca, size_t ca_len, const void *crl,
    size_t crl_len, char *why, size_t whylen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509) *cas;
	int ret = -1;

	if (read_certs(ca, ca_len, &cas) < 0) {
		snprintf(why, whylen, "no client CA certificate");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(cas); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(cas, i)) != 1 ||
		    SSL_CTX_add_client_CA(ctx, sk_X509_value(cas, i)) != 1) {
			snprintf(why, whylen, "bad client CA certificate");
			goto out;
		}
	if (crl_len > 0) {
		BIO *bio = BIO_new_mem_buf(crl, (int)crl_len);
		X509_CRL *c;
		int n = 0;

		while (bio != NULL &&
		    (c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
			X509_STORE_add_crl(store, c);
			X509_CRL_free(c);
			n++;
		}
		ERR_clear_error();
		BIO_free(bio);
		if (n == 0) {
			snprintf(why, whylen, "no CRL in the CRL file");
			goto out;
		}
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	ret = 0;
out:
	sk_X509_pop_free(cas, X509_free);
	return ret;
}

static SSL_CTX *
new_ctx(int anon)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* No renegotiation, no compression, no resumption (a ticket key
	 * or a cache would be secrets to keep for nothing: a viewer
	 * connects once). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_TICKET);
	/* What a viewer sent, its password among it, is wiped from the
	 * record buffers once read. */
	SSL_CTX_set_options(ctx, SSL_OP_CLEANSE_PLAINTEXT);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (anon) {
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_dh_auto(ctx, 1);
		if (SSL_CTX_set_cipher_list(ctx, ANON_CIPHERS) != 1) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
tls_load(const struct ipc_sv_tls *t, const void *blob, char *why,
    size_t whylen)
{
	const uint8_t *p = blob;
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	SSL_CTX *ctx = NULL, *anon = NULL;
	int ret = -1;

	why[0] = '\0';
	if (read_certs(p, t->cert_len, &chain) < 0) {
		snprintf(why, whylen, "no certificate");
		goto out;
	}
	if ((ctx = new_ctx(0)) == NULL ||
	    (key = remote_key(sk_X509_value(chain, 0), why, whylen)) == NULL)
		goto out;
	if (SSL_CTX_use_certificate(ctx, sk_X509_value(chain, 0)) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		snprintf(why, whylen, "the certificate cannot be used: %s",
		    ERR_reason_error_string(ERR_get_error()));
		goto out;
	}
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)) != 1) {
			snprintf(why, whylen, "bad chain certificate");
			goto out;
		}
	if (t->ca_len > 0 && load_client_ca(ctx, p + t->cert_len, t->ca_len,
	    p + t->cert_len + t->ca_len, t->crl_len, why, whylen) < 0)
		goto out;
	/* Anonymous TLS may be missing from a build of OpenSSL: TLSPlain is
	 * then refused, the rest works. */
	if ((anon = new_ctx(1)) == NULL)
		log_warnx("TLS: no anonymous cipher suites: TLSPlain will "
		    "fail");
	SSL_CTX_free(tls.ctx);
	SSL_CTX_free(tls.anon);
	tls.ctx = ctx;
	tls.anon = anon;
	tls.generation = t->generation;
	ctx = anon = NULL;
	ret = 0;
out:
	if (ret < 0 && why[0] == '\0')
		snprintf(why, whylen, "out of memory");
	ERR_clear_error();
	SSL_CTX_free(ctx);
	SSL_CTX_free(anon);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return ret;
}

int
tls_ready(void)
{
	return tls.ctx != NULL;
}

SSL *
tls_new(int anon)
{
	SSL_CTX *ctx = anon ? tls.anon : tls.ctx;

	return ctx != NULL ? SSL_new(ctx) : NULL;
}

void
tls_describe(SSL *ssl, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
}

static int
take_name(const ASN1_STRING *s, char *buf, size_t len)
{
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, s), ok;

	ok = n > 0 && (size_t)n < len && memchr(utf8, '\0', (size_t)n) == NULL;
	if (ok) {
		memcpy(buf, utf8, (size_t)n);
		buf[n] = '\0';
		ok = users_name_ok(buf);
	}
	OPENSSL_free(utf8);
	return ok;
}

int
tls_peer_user(SSL *ssl, char *buf, size_t len)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	GENERAL_NAMES *sans;
	X509_NAME *subject;
	int i, found = 0;

	if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	subject = X509_get_subject_name(cert);
	i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (i >= 0 && take_name(X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(subject, i)), buf, len))
		return 0;
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; !found && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);

		if (g->type == GEN_EMAIL || g->type == GEN_DNS)
			found = take_name(g->d.ia5, buf, len);
	}
	GENERAL_NAMES_free(sans);
	return found ? 0 : -1;
}
