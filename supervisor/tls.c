/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS material: the server's certificate chain and private key, and,
 * for client certificates (X509None), the CAs and CRLs.  Read here, as
 * root, when a listener offers a VeNCrypt type; the public parts go to
 * the broker as one blob (IPC_SV2BRK_TLS), the key stays with the key
 * holder (keyholder.c).
 *
 * Without --tls-cert, rampart makes its own on the first start, as sshd
 * makes its host keys: an ECDSA P-256 key and a self-signed certificate
 * for ten years in --tls-dir (cert.pem, key.pem, 0600, the directory 0700),
 * naming the host and every address a viewer may connect to, so that a
 * viewer that is given the certificate as its CA (TigerVNC's -X509CA)
 * checks the name too.  Each start logs the certificate's SHA-256
 * fingerprint, in the words of `openssl x509 -fingerprint -sha256`, for
 * the user to compare with what a viewer shows.
 *
 * What goes to the broker is re-encoded from what was parsed: a key that
 * an administrator concatenated into the certificate file is never passed
 * on.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/blob.h"
#include "supervisor/supervisor.h"

#define TLS_FILE_MAX		(1U << 20)
#define TLS_SELF_DAYS		3650
#define TLS_SELF_CURVE		"P-256"

/* The last OpenSSL error in words, for a message. */
static const char *
ssl_error(void)
{
	static char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		return "no reason given";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* A passphrase callback that has none: an encrypted key is an error, not
 * a prompt on a terminal a daemon does not have. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* A BIO's bytes, malloc'd with a NUL after them. */
static char *
bio_text(BIO *b, size_t *len)
{
	char *data, *copy;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0 || (copy = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*len = (size_t)n;
	return copy;
}

/*
 * The certificates of a PEM file, at least one; out gets them again as
 * PEM, nothing else of the file.  first, when not NULL, gets a reference
 * to the first.
 */
static int
read_certs(const char *path, const char *what, char **out, size_t *outlen,
    X509 **first, char *why, size_t whylen)
{
	BIO *in = NULL, *pem = NULL;
	char *text;
	size_t len;
	X509 *x;
	int n = 0, ret = -1;

	if (file_read(path, what, TLS_FILE_MAX, 0, &text, &len, why,
	    whylen) < 0)
		return -1;
	if ((in = BIO_new_mem_buf(text, (int)len)) == NULL ||
	    (pem = BIO_new(BIO_s_mem())) == NULL)
		goto nomem;
	while ((x = PEM_read_bio_X509(in, NULL, no_passphrase, NULL)) != NULL) {
		if (PEM_write_bio_X509(pem, x) != 1) {
			X509_free(x);
			goto nomem;
		}
		if (n++ == 0 && first != NULL)
			*first = x;
		else
			X509_free(x);
	}
	ERR_clear_error();
	if (n == 0) {
		snprintf(why, whylen, "%s %s: no PEM certificate in it", what,
		    path);
		goto out;
	}
	if ((*out = bio_text(pem, outlen)) == NULL)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	snprintf(why, whylen, "%s %s: out of memory", what, path);
out:
	if (ret < 0 && first != NULL && *first != NULL) {
		X509_free(*first);
		*first = NULL;
	}
	BIO_free(in);
	BIO_free(pem);
	free(text);
	return ret;
}

static int
read_crls(const char *path, char **out, size_t *outlen, char *why,
    size_t whylen)
{
	BIO *in = NULL, *pem = NULL;
	X509_CRL *crl;
	char *text;
	size_t len;
	int n = 0, ret = -1;

	if (file_read(path, "CRL file", TLS_FILE_MAX, 0, &text, &len, why,
	    whylen) < 0)
		return -1;
	if ((in = BIO_new_mem_buf(text, (int)len)) == NULL ||
	    (pem = BIO_new(BIO_s_mem())) == NULL)
		goto nomem;
	while ((crl = PEM_read_bio_X509_CRL(in, NULL, no_passphrase,
	    NULL)) != NULL) {
		n++;
		if (PEM_write_bio_X509_CRL(pem, crl) != 1) {
			X509_CRL_free(crl);
			goto nomem;
		}
		X509_CRL_free(crl);
	}
	ERR_clear_error();
	if (n == 0) {
		snprintf(why, whylen, "CRL file %s: no PEM CRL in it", path);
		goto out;
	}
	if ((*out = bio_text(pem, outlen)) == NULL)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	snprintf(why, whylen, "CRL file %s: out of memory", path);
out:
	BIO_free(in);
	BIO_free(pem);
	free(text);
	return ret;
}

/* The private key of a PEM file that only root may read; the file's text
 * is wiped once parsed. */
static EVP_PKEY *
read_key(const char *path, char *why, size_t whylen)
{
	EVP_PKEY *key = NULL;
	char *text;
	size_t len;
	BIO *in;

	if (file_read(path, "TLS key", TLS_FILE_MAX, 1, &text, &len, why,
	    whylen) < 0)
		return NULL;
	if ((in = BIO_new_mem_buf(text, (int)len)) != NULL)
		key = PEM_read_bio_PrivateKey(in, NULL, no_passphrase, NULL);
	BIO_free(in);
	file_wipe(text, len);
	if (key == NULL)
		snprintf(why, whylen, "TLS key %s: not an unencrypted PEM "
		    "private key (%s)", path, ssl_error());
	return key;
}

/* The keys the key holder signs with: what every TLS 1.2 and 1.3 client
 * takes, at sizes that sign in at most a few milliseconds. */
static int
key_ok(EVP_PKEY *key, const char *path, char *why, size_t whylen)
{
	char group[64] = "";
	size_t glen;
	int bits = EVP_PKEY_get_bits(key);

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &glen) == 1 && (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "secp384r1") == 0))
			return 0;
		snprintf(why, whylen, "TLS key %s: EC key on curve %s: rampart "
		    "takes P-256 or P-384", path, group[0] ? group : "?");
		return -1;
	case EVP_PKEY_RSA:
		if (bits >= 2048 && bits <= 4096)
			return 0;
		snprintf(why, whylen, "TLS key %s: RSA key of %d bits: rampart "
		    "takes 2048 to 4096", path, bits);
		return -1;
	}
	snprintf(why, whylen, "TLS key %s: a %s key: rampart takes EC "
	    "(P-256, P-384) or RSA (2048 to 4096 bits)", path,
	    OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
	return -1;
}

/* --- the self-signed certificate ---------------------------------------- */

struct sans {
	GENERAL_NAMES	*names;
	char		seen[64][INET6_ADDRSTRLEN + 8];
	int		nseen;
};

static int
san_seen(struct sans *s, const char *what)
{
	for (int i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i], what) == 0)
			return 1;
	if (s->nseen == 64)
		return 1;	/* enough names for anyone */
	snprintf(s->seen[s->nseen++], sizeof(s->seen[0]), "%s", what);
	return 0;
}

static int
san_dns(struct sans *s, const char *name)
{
	GENERAL_NAME *g;
	ASN1_IA5STRING *ia5;

	if (san_seen(s, name))
		return 0;
	if ((g = GENERAL_NAME_new()) == NULL ||
	    (ia5 = ASN1_IA5STRING_new()) == NULL) {
		GENERAL_NAME_free(g);
		return -1;
	}
	if (ASN1_STRING_set(ia5, name, -1) != 1) {
		ASN1_IA5STRING_free(ia5);
		GENERAL_NAME_free(g);
		return -1;
	}
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	if (sk_GENERAL_NAME_push(s->names, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

/* An IP address in text; one that does not parse is not a name. */
static int
san_ip(struct sans *s, const char *addr)
{
	ASN1_OCTET_STRING *ip;
	GENERAL_NAME *g;

	if ((ip = a2i_IPADDRESS(addr)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	if (san_seen(s, addr) || (g = GENERAL_NAME_new()) == NULL) {
		ASN1_OCTET_STRING_free(ip);
		return 0;
	}
	GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	if (sk_GENERAL_NAME_push(s->names, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

/* Every address of the machine, for a wildcard listener. */
static int
san_interfaces(struct sans *s)
{
	struct ifaddrs *ifs, *i;
	char text[INET6_ADDRSTRLEN];
	int r = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i != NULL && r == 0; i = i->ifa_next) {
		const void *a;

		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)
			    i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)
			    i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, text,
		    sizeof(text)) != NULL)
			r = san_ip(s, text);
	}
	freeifaddrs(ifs);
	return r;
}

static int
is_wildcard(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	return host[0] == '\0' ||
	    (inet_pton(AF_INET, host, &a4) == 1 && a4.s_addr == INADDR_ANY) ||
	    (inet_pton(AF_INET6, host, &a6) == 1 &&
	    IN6_IS_ADDR_UNSPECIFIED(&a6));
}

/* A host name fit for a DNS name in a certificate. */
static int
dns_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= 253 && name[0] != '-' && name[0] != '.' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") == len;
}

static GENERAL_NAMES *
self_names(const struct config *cfg, const char *host)
{
	struct sans *s;
	GENERAL_NAMES *names;
	int r = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->names = sk_GENERAL_NAME_new_null()) == NULL) {
		free(s);
		return NULL;
	}
	if (dns_name_ok(host))
		r |= san_dns(s, host);
	r |= san_dns(s, "localhost");
	r |= san_ip(s, "127.0.0.1");
	r |= san_ip(s, "::1");
	for (int i = 0; r == 0 && i < cfg->nlisten; i++) {
		char addr[256];
		const char *port;

		if (strncmp(cfg->listen[i], "tcp:", 4) != 0 ||
		    listen_split(cfg->listen[i] + 4, addr, sizeof(addr),
		    &port) < 0)
			continue;
		if (is_wildcard(addr))
			r |= san_interfaces(s);
		else
			r |= san_ip(s, addr);
	}
	names = s->names;
	free(s);
	if (r != 0) {
		GENERAL_NAMES_free(names);
		return NULL;
	}
	return names;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int r;

	if (ext == NULL)
		return -1;
	r = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return r;
}

/* A new key and a self-signed certificate for it: see above. */
static int
self_signed(const struct config *cfg, EVP_PKEY **keyp, X509 **certp,
    char *why, size_t whylen)
{
	unsigned char serial[16];
	char host[256] = "";
	GENERAL_NAMES *names = NULL;
	X509V3_CTX ctx;
	BIGNUM *bn = NULL;
	EVP_PKEY *key;
	X509 *x = NULL;
	X509_NAME *name;

	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "rampart");
	if ((key = EVP_EC_gen(TLS_SELF_CURVE)) == NULL)
		goto fail;
	/* A random serial of 127 bits: positive, never zero. */
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
	if ((x = X509_new()) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    (bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    /* An hour back, for a viewer whose clock is a little behind. */
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_SELF_DAYS, 0,
	    NULL) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    (name = X509_get_subject_name(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		goto fail;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    (names = self_names(cfg, host)) == NULL ||
	    X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0,
	    X509V3_ADD_DEFAULT) != 1 ||
	    X509_sign(x, key, EVP_sha256()) <= 0)
		goto fail;
	GENERAL_NAMES_free(names);
	BN_free(bn);
	*keyp = key;
	*certp = x;
	return 0;
fail:
	snprintf(why, whylen, "cannot make a self-signed certificate: %s",
	    ssl_error());
	GENERAL_NAMES_free(names);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	return -1;
}

/* Write the pair made above: the key first, so that a certificate on
 * disk always has its key. */
static int
self_write(const char *dir, const char *key_path, const char *cert_path,
    EVP_PKEY *key, X509 *cert, char *why, size_t whylen)
{
	BIO *kb = NULL, *cb = NULL;
	char *data;
	long n;
	int ret = -1;

	if (file_make_dir(dir, why, whylen) < 0)
		return -1;
	if ((kb = BIO_new(BIO_s_secmem())) == NULL ||
	    (cb = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_X509(cb, cert) != 1) {
		snprintf(why, whylen, "cannot encode the new certificate: %s",
		    ssl_error());
		goto out;
	}
	n = BIO_get_mem_data(kb, &data);
	if (file_write_private(key_path, data, (size_t)n, why, whylen) < 0)
		goto out;
	n = BIO_get_mem_data(cb, &data);
	if (file_write_private(cert_path, data, (size_t)n, why, whylen) < 0)
		goto out;
	ret = 0;
out:
	BIO_free(kb);
	BIO_free(cb);
	return ret;
}

/* --- what is logged ------------------------------------------------------ */

static void
describe(struct tls_material *m, X509 *cert)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	BIO *b;
	char *data;
	long n;

	m->fingerprint[0] = '\0';
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) {
		size_t w = 0;

		for (unsigned int i = 0; i < mdlen; i++)
			w += (size_t)snprintf(m->fingerprint + w,
			    sizeof(m->fingerprint) - w, "%s%02X",
			    i == 0 ? "" : ":", md[i]);
	}
	m->subject[0] = m->not_after[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) != NULL) {
		X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
		    XN_FLAG_RFC2253);
		n = BIO_get_mem_data(b, &data);
		snprintf(m->subject, sizeof(m->subject), "%.*s", (int)n, data);
		(void)BIO_reset(b);
		ASN1_TIME_print(b, X509_get0_notAfter(cert));
		n = BIO_get_mem_data(b, &data);
		snprintf(m->not_after, sizeof(m->not_after), "%.*s", (int)n,
		    data);
		BIO_free(b);
	}
	m->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
}

/* --- loading ------------------------------------------------------------- */

static int
path_in(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
tls_load(const struct config *cfg, int create, struct tls_material *m,
    char *why, size_t whylen)
{
	char certbuf[4096], keybuf[4096];
	const char *cert_path = cfg->tls_cert, *key_path = cfg->tls_key;
	X509 *leaf = NULL;

	memset(m, 0, sizeof(*m));
	if (cert_path == NULL) {
		if (path_in(certbuf, sizeof(certbuf), cfg->tls_dir,
		    "cert.pem") < 0 || path_in(keybuf, sizeof(keybuf),
		    cfg->tls_dir, "key.pem") < 0) {
			snprintf(why, whylen, "--tls-dir %s: path too long",
			    cfg->tls_dir);
			return -1;
		}
		cert_path = certbuf;
		key_path = keybuf;
		if (!exists(cert_path) && !exists(key_path)) {
			EVP_PKEY *key;
			X509 *x;

			if (!create) {
				snprintf(why, whylen, "%s and %s are gone",
				    cert_path, key_path);
				return -1;
			}
			if (self_signed(cfg, &key, &x, why, whylen) < 0)
				return -1;
			if (self_write(cfg->tls_dir, key_path, cert_path, key, x,
			    why, whylen) < 0) {
				EVP_PKEY_free(key);
				X509_free(x);
				return -1;
			}
			EVP_PKEY_free(key);
			X509_free(x);
			m->created = 1;
		} else if (!exists(key_path) || !exists(cert_path)) {
			snprintf(why, whylen, "%s is there without %s: remove "
			    "it, and rampart makes a new pair", exists(key_path)
			    ? key_path : cert_path, exists(key_path) ?
			    cert_path : key_path);
			return -1;
		}
	}
	snprintf(m->cert_path, sizeof(m->cert_path), "%s", cert_path);
	if ((m->key = read_key(key_path, why, whylen)) == NULL ||
	    key_ok(m->key, key_path, why, whylen) < 0 ||
	    read_certs(cert_path, "TLS certificate", &m->cert, &m->cert_len,
	    &leaf, why, whylen) < 0)
		goto fail;
	if (X509_check_private_key(leaf, m->key) != 1) {
		ERR_clear_error();
		snprintf(why, whylen, "TLS key %s is not the key of the "
		    "certificate %s (the first in the file)", key_path,
		    cert_path);
		goto fail;
	}
	if (cfg->tls_client_ca != NULL && read_certs(cfg->tls_client_ca,
	    "client CA file", &m->ca, &m->ca_len, NULL, why, whylen) < 0)
		goto fail;
	if (cfg->tls_crl != NULL && read_crls(cfg->tls_crl, &m->crl,
	    &m->crl_len, why, whylen) < 0)
		goto fail;
	if (m->cert_len + m->ca_len + m->crl_len > IPC_TLS_MAX) {
		snprintf(why, whylen, "certificates, CAs and CRLs take more "
		    "than %u bytes together", IPC_TLS_MAX);
		goto fail;
	}
	describe(m, leaf);
	X509_free(leaf);
	return 0;
fail:
	X509_free(leaf);
	tls_free(m);
	return -1;
}

void
tls_free(struct tls_material *m)
{
	EVP_PKEY_free(m->key);
	free(m->cert);
	free(m->ca);
	free(m->crl);
	memset(m, 0, sizeof(*m));
}

/* The blob of IPC_SV2BRK_TLS: chain, CAs, CRLs, one after the other. */
int
tls_blob(const struct tls_material *m, uint32_t generation,
    struct ipc_sv_tls *msg)
{
	size_t len = m->cert_len + m->ca_len + m->crl_len;
	char *all;
	int fd;

	if ((all = malloc(len)) == NULL)
		return -1;
	memcpy(all, m->cert, m->cert_len);
	if (m->ca_len > 0)
		memcpy(all + m->cert_len, m->ca, m->ca_len);
	if (m->crl_len > 0)
		memcpy(all + m->cert_len + m->ca_len, m->crl, m->crl_len);
	fd = blob_create("rampart-tls", all, len);
	free(all);
	memset(msg, 0, sizeof(*msg));
	msg->cert_len = (uint32_t)m->cert_len;
	msg->ca_len = (uint32_t)m->ca_len;
	msg->crl_len = (uint32_t)m->crl_len;
	msg->generation = generation;
	return fd;
}
