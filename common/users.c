/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/users.h"

#define SALT_LEN	16
#define KEY_LEN		32
#define SALT_B64	22	/* unpadded base64 of 16 bytes */
#define KEY_B64		43	/* of 32 bytes */
#define HASH_PREFIX	"$scrypt$"

struct scrypt_hash {
	unsigned	ln, r, p;
	uint8_t		salt[SALT_LEN];
	uint8_t		key[KEY_LEN];
};

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Unpadded standard base64 of n bytes into out (4n/3 rounded up, plus a
 * NUL). */
static void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t v;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64_alphabet[v >> 18 & 63];
		*out++ = b64_alphabet[v >> 12 & 63];
		*out++ = b64_alphabet[v >> 6 & 63];
		*out++ = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = b64_alphabet[v >> 18 & 63];
		*out++ = b64_alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = b64_alphabet[v >> 18 & 63];
		*out++ = b64_alphabet[v >> 12 & 63];
		*out++ = b64_alphabet[v >> 6 & 63];
	}
	*out = '\0';
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Exactly n bytes from len characters of unpadded base64; -1 for any other
 * length, a character outside the alphabet or unused low bits that are not
 * zero (so that one value has one text).
 */
static int
b64_decode(const char *in, size_t len, uint8_t *out, size_t n)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	int v;

	if (len != (n * 4 + 2) / 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if ((v = b64_value(in[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (o != n || acc != 0)
		return -1;
	return 0;
}

/* A decimal number of at most 7 digits at *s, advancing it. */
static int
parse_num(const char **s, unsigned *out)
{
	const char *p = *s;
	unsigned v = 0;
	int digits = 0;

	while (*p >= '0' && *p <= '9') {
		if (++digits > 7)
			return -1;
		v = v * 10 + (unsigned)(*p++ - '0');
	}
	if (digits == 0)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

/*
 * The scrypt memory OpenSSL will ask for, with room to spare: its V array
 * (128 r (N + 2)) and B (128 r p) and a little of its own.
 */
static uint64_t
scrypt_maxmem(const struct scrypt_hash *h)
{
	return 128ULL * h->r * ((1ULL << h->ln) + 2) +
	    128ULL * h->r * h->p + (1U << 20);
}

/*
 * The parameters of a hash text, checked against the limits: memory
 * 128 r N, and time, which grows as N r p, bounded the same way (a file
 * must not make one check take minutes).  NUL-terminated text.
 */
static int
hash_parse(const char *text, struct scrypt_hash *h, const char **why)
{
	const char *s = text, *salt, *key;
	uint64_t mem;

	if (strlen(text) > USERS_HASH_MAX) {
		*why = "hash too long";
		return -1;
	}
	if (strncmp(s, HASH_PREFIX "ln=", strlen(HASH_PREFIX "ln=")) != 0) {
		*why = "hash is not $scrypt$ln=..,r=..,p=..$SALT$HASH";
		return -1;
	}
	s += strlen(HASH_PREFIX "ln=");
	if (parse_num(&s, &h->ln) < 0 || strncmp(s, ",r=", 3) != 0 ||
	    (s += 3, parse_num(&s, &h->r)) < 0 || strncmp(s, ",p=", 3) != 0 ||
	    (s += 3, parse_num(&s, &h->p)) < 0 || *s != '$') {
		*why = "hash is not $scrypt$ln=..,r=..,p=..$SALT$HASH";
		return -1;
	}
	salt = s + 1;
	if ((key = strchr(salt, '$')) == NULL ||
	    b64_decode(salt, (size_t)(key - salt), h->salt, SALT_LEN) < 0) {
		*why = "hash salt is not 16 bytes of unpadded base64";
		return -1;
	}
	key++;
	if (b64_decode(key, strlen(key), h->key, KEY_LEN) < 0) {
		*why = "hash value is not 32 bytes of unpadded base64";
		return -1;
	}
	if (h->ln < 1 || h->r < 1 || h->p < 1) {
		*why = "hash parameters ln, r, p must be at least 1";
		return -1;
	}
	if (h->ln > USERS_SCRYPT_LN_MAX) {
		*why = "hash asks for too many iterations (ln)";
		return -1;
	}
	mem = 128ULL * h->r << h->ln;
	if (mem > USERS_SCRYPT_MEM_MAX) {
		*why = "hash asks for too much memory (r, ln)";
		return -1;
	}
	if (mem * h->p > USERS_SCRYPT_MEM_MAX) {
		*why = "hash asks for too much time (p)";
		return -1;
	}
	return 0;
}

static int
scrypt(const char *password, size_t len, const struct scrypt_hash *h,
    uint8_t *key)
{
	if (EVP_PBE_scrypt(password != NULL ? password : "", len, h->salt,
	    SALT_LEN, 1ULL << h->ln, h->r, h->p, scrypt_maxmem(h), key,
	    KEY_LEN) != 1)
		return -1;
	return 0;
}

static int
hash_new(struct scrypt_hash *h, const char *password, size_t len, char *out,
    size_t outlen)
{
	char salt[SALT_B64 + 1], key[KEY_B64 + 1];
	int n;

	if (RAND_bytes(h->salt, SALT_LEN) != 1 || scrypt(password, len, h,
	    h->key) < 0)
		return -1;
	b64_encode(h->salt, SALT_LEN, salt);
	b64_encode(h->key, KEY_LEN, key);
	OPENSSL_cleanse(h->key, KEY_LEN);
	n = snprintf(out, outlen, HASH_PREFIX "ln=%u,r=%u,p=%u$%s$%s", h->ln,
	    h->r, h->p, salt, key);
	OPENSSL_cleanse(key, sizeof(key));
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int
users_hash(const char *password, size_t len, char *out, size_t outlen)
{
	struct scrypt_hash h = { .ln = USERS_SCRYPT_LN, .r = USERS_SCRYPT_R,
	    .p = USERS_SCRYPT_P };

	return hash_new(&h, password, len, out, outlen);
}

int
users_hash_like(const char *model, const char *password, size_t len,
    char *out, size_t outlen)
{
	struct scrypt_hash h;
	const char *why;

	if (hash_parse(model, &h, &why) < 0) {
		errno = EINVAL;
		return -1;
	}
	return hash_new(&h, password, len, out, outlen);
}

int
users_verify(const char *hash, const char *password, size_t len)
{
	struct scrypt_hash h;
	uint8_t key[KEY_LEN];
	const char *why;
	int match;

	if (hash_parse(hash, &h, &why) < 0)
		return -1;
	if (scrypt(password, len, &h, key) < 0)
		return -1;
	/* Whole scrypt either way; the comparison takes the same time
	 * wherever the first difference is. */
	match = CRYPTO_memcmp(key, h.key, KEY_LEN) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	return match;
}

int
users_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > USERS_NAME_MAX || name[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '@' || c == '-'))
			return 0;
	}
	return 1;
}

const char *
users_role_name(enum users_role role)
{
	switch (role) {
	case USERS_CONTROL:
		return "control";
	case USERS_VIEW:
		return "view";
	}
	return "?";
}

enum users_role
users_role_parse(const char *s)
{
	if (strcmp(s, "control") == 0)
		return USERS_CONTROL;
	if (strcmp(s, "view") == 0)
		return USERS_VIEW;
	return 0;
}

const struct users_entry *
users_find(const struct users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->entries[i].name, name) == 0)
			return &u->entries[i];
	return NULL;
}

static int
entry_check(const char *name, enum users_role role, const char *hash,
    const char **why)
{
	struct scrypt_hash h;

	if (!users_name_ok(name)) {
		*why = "bad name (1 to 63 of A-Z a-z 0-9 . _ @ -, not "
		    "starting with -)";
		return -1;
	}
	if (role != USERS_CONTROL && role != USERS_VIEW) {
		*why = "role is not control or view";
		return -1;
	}
	return hash_parse(hash, &h, why);
}

int
users_set(struct users *u, const char *name, enum users_role role,
    const char *hash)
{
	struct users_entry *e;
	const char *why;
	size_t i;

	/* Only what users_parse() would take again. */
	if (entry_check(name, role, hash, &why) < 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < u->n; i++)
		if (strcmp(u->entries[i].name, name) == 0)
			break;
	if (i == u->n) {
		if (u->n >= USERS_MAX) {
			errno = ENOSPC;
			return -1;
		}
		e = reallocarray(u->entries, u->n + 1, sizeof(*e));
		if (e == NULL)
			return -1;
		u->entries = e;
		u->n++;
	}
	e = &u->entries[i];
	memset(e, 0, sizeof(*e));
	/* Lengths checked by entry_check(). */
	memcpy(e->name, name, strlen(name) + 1);
	e->role = role;
	memcpy(e->hash, hash, strlen(hash) + 1);
	return 0;
}

int
users_del(struct users *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->entries[i].name, name) == 0)
			break;
	if (i == u->n) {
		errno = ENOENT;
		return -1;
	}
	memmove(&u->entries[i], &u->entries[i + 1],
	    (u->n - i - 1) * sizeof(u->entries[0]));
	u->n--;
	/* The lines that came before the next account still do. */
	for (size_t k = 0; k < u->nother; k++)
		if (u->other_at[k] > i)
			u->other_at[k]--;
	return 0;
}

void
users_free(struct users *u)
{
	for (size_t k = 0; k < u->nother; k++)
		free(u->other[k]);
	free(u->other);
	free(u->other_at);
	if (u->entries != NULL)
		OPENSSL_cleanse(u->entries, u->n * sizeof(u->entries[0]));
	free(u->entries);
	memset(u, 0, sizeof(*u));
}

static int
other_add(struct users *u, const char *line, size_t len)
{
	char **o, *copy;
	size_t *at;

	if ((copy = strndup(line, len)) == NULL)
		return -1;
	if ((o = reallocarray(u->other, u->nother + 1, sizeof(*o))) == NULL)
		goto fail;
	u->other = o;
	if ((at = reallocarray(u->other_at, u->nother + 1,
	    sizeof(*at))) == NULL)
		goto fail;
	u->other_at = at;
	u->other[u->nother] = copy;
	u->other_at[u->nother++] = u->n;
	return 0;
fail:
	free(copy);
	return -1;
}

static int
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static void
set_why(char *why, size_t whylen, size_t line, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "line %zu: %s", line, what);
}

/* One "NAME:ROLE:HASH" line (len bytes, no newline). */
static int
account_parse(struct users *u, const char *s, size_t len, const char **why)
{
	char *line, *role, *hash;
	enum users_role r;
	int rc = -1;

	if ((line = strndup(s, len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if ((role = strchr(line, ':')) == NULL ||
	    (hash = strchr(role + 1, ':')) == NULL) {
		*why = "not NAME:ROLE:HASH";
		goto out;
	}
	*role++ = '\0';
	*hash++ = '\0';
	if ((r = users_role_parse(role)) == 0) {
		*why = "role is not control or view";
		goto out;
	}
	if (entry_check(line, r, hash, why) < 0)
		goto out;
	if (users_find(u, line) != NULL) {
		*why = "name given twice";
		goto out;
	}
	if (u->n >= USERS_MAX) {
		*why = "too many accounts";
		goto out;
	}
	if (users_set(u, line, r, hash) < 0) {
		*why = "out of memory";
		goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

int
users_parse(struct users *u, const char *text, size_t len, char *why,
    size_t whylen)
{
	const char *s = text, *end = text + len, *nl, *what;
	size_t lineno = 0, n;

	memset(u, 0, sizeof(*u));
	if (memchr(text, '\0', len) != NULL) {
		/* Which line, for the message. */
		const char *z = memchr(text, '\0', len);

		for (const char *p = text; p < z; p++)
			lineno += *p == '\n';
		set_why(why, whylen, lineno + 1, "NUL byte");
		return -1;
	}
	while (s < end) {
		lineno++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		if (n == 0 || s[0] == '#' || blank(s, n)) {
			if (other_add(u, s, n) < 0) {
				what = "out of memory";
				goto fail;
			}
		} else if (memchr(s, '\r', n) != NULL) {
			what = "carriage return (a DOS line end?)";
			goto fail;
		} else if (account_parse(u, s, n, &what) < 0)
			goto fail;
		s += n + (nl != NULL);
	}
	return 0;
fail:
	set_why(why, whylen, lineno, what);
	users_free(u);
	return -1;
}

struct buf {
	char	*p;
	size_t	len, size;
	int	failed;
};

static void
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t size;
	char *p;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->size - b->len) {
			b->len += (size_t)n;
			return;
		}
		size = b->size * 2 + (size_t)n + 1;
		if ((p = realloc(b->p, size)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->size = size;
	}
}

char *
users_format(const struct users *u)
{
	struct buf b = { 0 };
	size_t k = 0;

	if ((b.p = malloc(256)) == NULL)
		return NULL;
	b.size = 256;
	b.p[0] = '\0';
	for (size_t i = 0; i <= u->n; i++) {
		while (k < u->nother && u->other_at[k] <= i)
			buf_add(&b, "%s\n", u->other[k++]);
		if (i < u->n)
			buf_add(&b, "%s:%s:%s\n", u->entries[i].name,
			    users_role_name(u->entries[i].role),
			    u->entries[i].hash);
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/*
 * VNC authentication encrypts the challenge with DES keyed by the password,
 * so only its first 8 bytes can count: a longer secret is cut there, as
 * every VNC server and viewer does.
 */
int
vnc_passwords_parse(struct vnc_passwords *v, const char *text, size_t len,
    char *why, size_t whylen)
{
	const char *s = text, *end = text + len, *nl, *secret;
	size_t lineno = 0, n, slen;
	uint8_t *dst;
	int *have;

	memset(v, 0, sizeof(*v));
	while (s < end) {
		lineno++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		if (memchr(s, '\0', n) != NULL) {
			set_why(why, whylen, lineno, "NUL byte");
			goto fail;
		}
		if (n == 0 || s[0] == '#' || blank(s, n))
			goto next;
		/* It would be part of the secret, and never typed. */
		if (memchr(s, '\r', n) != NULL) {
			set_why(why, whylen, lineno,
			    "carriage return (a DOS line end?)");
			goto fail;
		}
		if (n > 8 && memcmp(s, "control:", 8) == 0) {
			secret = s + 8;
			dst = v->control;
			have = &v->have_control;
		} else if (n > 5 && memcmp(s, "view:", 5) == 0) {
			secret = s + 5;
			dst = v->view;
			have = &v->have_view;
		} else {
			set_why(why, whylen, lineno,
			    "not control:SECRET or view:SECRET "
			    "(the secret may not be empty)");
			goto fail;
		}
		if (*have) {
			set_why(why, whylen, lineno, "role given twice");
			goto fail;
		}
		slen = (size_t)(s + n - secret);
		memcpy(dst, secret, slen < 8 ? slen : 8);
		*have = 1;
next:
		s += n + (nl != NULL);
	}
	if (!v->have_control && !v->have_view) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen,
			    "no control:SECRET or view:SECRET line");
		goto fail;
	}
	return 0;
fail:
	OPENSSL_cleanse(v, sizeof(*v));
	return -1;
}
