/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The users file (--users, /etc/rampart/users): one account a line,
 *
 *	NAME:ROLE:HASH
 *
 * NAME 1 .. USERS_NAME_MAX bytes of [A-Za-z0-9._@-], not starting with
 * '-'; ROLE "control" or "view"; HASH a salted scrypt hash in a format
 * that names its parameters:
 *
 *	$scrypt$ln=15,r=8,p=1$SALT$HASH
 *
 * (N = 2^ln; SALT 16 bytes and HASH 32 bytes in unpadded standard base64).
 * Empty lines and lines starting with '#' are kept as they are.  The
 * supervisor reads the file (and checks its owner and mode), rampart-auth
 * checks passwords against it, rampart-passwd edits it; each through this
 * one parser.
 *
 * The VNC password file (--vnc-passwords, for --insecure-vnc-auth) is
 * read here too: lines "control:SECRET" and "view:SECRET", either may be
 * missing; only the first 8 bytes of a secret count (VNC authentication
 * is DES with an 8-byte key).
 */
#ifndef RAMPART_USERS_H
#define RAMPART_USERS_H

#include <stddef.h>
#include <stdint.h>

#define USERS_NAME_MAX		63
#define USERS_HASH_MAX		127	/* the text of a hash */
#define USERS_MAX		4096	/* accounts in one file */

/* The scrypt parameters of new hashes: 2^15 x 8 x 1, 32 MiB of memory,
 * tens of milliseconds on a desktop core, a few hundred on a BMC's. */
#define USERS_SCRYPT_LN		15
#define USERS_SCRYPT_R		8
#define USERS_SCRYPT_P		1
/* The most a hash may ask for: parameters are read from the file, and a
 * file must not make a check take minutes or gigabytes. */
#define USERS_SCRYPT_LN_MAX	20
#define USERS_SCRYPT_MEM_MAX	(256U << 20)

enum users_role {
	USERS_CONTROL = 1,
	USERS_VIEW = 2,
};

struct users_entry {
	char		name[USERS_NAME_MAX + 1];
	enum users_role	role;
	char		hash[USERS_HASH_MAX + 1];
};

struct users {
	struct users_entry *entries;
	size_t		n;
	/* The lines that are not accounts (comments, blank), with the index
	 * of the account they came before, so that a rewrite keeps them. */
	char		**other;
	size_t		*other_at;
	size_t		nother;
};

/*
 * Parse a users file's text (len bytes, need not end in a newline).
 * Returns 0, or -1 with "line N: what is wrong" in why.  A name given
 * twice, a bad role, a hash that does not parse or asks for more than the
 * limits above are errors: a file is taken whole or not at all.
 */
int	users_parse(struct users *u, const char *text, size_t len, char *why,
	    size_t whylen);
void	users_free(struct users *u);
/* The file's text again (NUL-terminated, malloc'd; NULL when out of
 * memory): accounts and other lines in their order. */
char	*users_format(const struct users *u);
const struct users_entry *users_find(const struct users *u, const char *name);
/* Add (or, when name exists, replace) an account; -1 when out of memory
 * or the file is full. */
int	users_set(struct users *u, const char *name, enum users_role role,
	    const char *hash);
/* Remove an account: 0, or -1 when there is none of that name. */
int	users_del(struct users *u, const char *name);
/* 1 when name is a valid account name. */
int	users_name_ok(const char *name);
const char *users_role_name(enum users_role role);
/* "control" or "view": the role, or 0 for anything else. */
enum users_role users_role_parse(const char *s);

/*
 * A new hash of password (len bytes) with a random salt, in out.  Returns
 * 0, or -1 (no randomness, out of memory).
 */
int	users_hash(const char *password, size_t len, char *out, size_t outlen);
/*
 * The same with the parameters (ln, r, p) of model, a hash users_parse()
 * would take: rampart-auth's dummy for unknown users costs what the
 * accounts of the file cost.  -1 also when model is not a hash.
 */
int	users_hash_like(const char *model, const char *password, size_t len,
	    char *out, size_t outlen);
/*
 * 1 when password matches hash, 0 when not, -1 when the hash is not one
 * (never when it came from users_parse()).  Costs the same whether it
 * matches or not; the final comparison is constant-time.
 */
int	users_verify(const char *hash, const char *password, size_t len);

/* The VNC password file: secrets of up to 8 bytes, NUL-padded; a role
 * without a line has have_* 0. */
struct vnc_passwords {
	int		have_control, have_view;
	uint8_t		control[8], view[8];
};

int	vnc_passwords_parse(struct vnc_passwords *v, const char *text,
	    size_t len, char *why, size_t whylen);

#endif
