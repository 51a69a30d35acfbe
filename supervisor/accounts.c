/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounts on disk: the users file (--users) and, for
 * --insecure-vnc-auth, the VNC password file.  Read here when a listener
 * offers a type that needs them, checked (a regular file that only root
 * reads and writes) and parsed with the one parser (common/users.c), so
 * that a file rampart-auth would refuse is refused at the start, with
 * the line that is wrong.
 *
 * What goes where: the whole text of each file to rampart-auth (sealed
 * blobs on its fds 4 and 5), which alone checks passwords; to the broker
 * only "NAME ROLE" lines (IPC_SV2BRK_USERS), for X509None's names and to
 * disconnect a user that is gone.  No hash enters the broker.
 *
 * The first start without a users file makes one, as Jenkins does: the
 * user admin, role control, with a random password written to
 * initial-admin-password beside it (root only), and says where, once.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/users.h"
#include "supervisor/supervisor.h"

#define USERS_FILE_MAX		(4U << 20)
#define VNC_FILE_MAX		(64U << 10)
#define ADMIN_NAME		"admin"
#define ADMIN_PASSWORD_LEN	20
#define INITIAL_PASSWORD_FILE	"initial-admin-password"

/* len characters of [A-Za-z0-9] from RAND_bytes, without bias: a byte
 * of 248 or more (62 * 4) is drawn again. */
static int
random_password(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b;
	size_t n = 0;

	while (n < len) {
		if (RAND_bytes(&b, 1) != 1)
			return -1;
		if (b < 248)
			out[n++] = alphabet[b % 62];
	}
	out[len] = '\0';
	OPENSSL_cleanse(&b, sizeof(b));
	return 0;
}

static int
dir_of(const char *path, char *dir, size_t len)
{
	char *copy = strdup(path);

	if (copy == NULL)
		return -1;
	snprintf(dir, len, "%s", dirname(copy));
	free(copy);
	return 0;
}

/* The first start: see above.  The password file is written before the
 * users file, so that a users file never exists without the way in. */
static int
create_users(const char *path, struct accounts *a, char *why, size_t whylen)
{
	char password[ADMIN_PASSWORD_LEN + 2], hash[USERS_HASH_MAX + 1];
	char dir[4096], pwpath[4200];
	struct users u;
	char *text = NULL;
	int ret = -1;

	memset(&u, 0, sizeof(u));
	if (dir_of(path, dir, sizeof(dir)) < 0 ||
	    snprintf(pwpath, sizeof(pwpath), "%s/%s", dir,
	    INITIAL_PASSWORD_FILE) >= (int)sizeof(pwpath)) {
		snprintf(why, whylen, "users file %s: path too long", path);
		return -1;
	}
	if (file_make_dir(dir, why, whylen) < 0)
		return -1;
	if (random_password(password, ADMIN_PASSWORD_LEN) < 0 ||
	    users_hash(password, ADMIN_PASSWORD_LEN, hash, sizeof(hash)) < 0 ||
	    users_set(&u, ADMIN_NAME, USERS_CONTROL, hash) < 0 ||
	    (text = users_format(&u)) == NULL) {
		snprintf(why, whylen, "cannot make the first account: no "
		    "randomness or out of memory");
		goto out;
	}
	password[ADMIN_PASSWORD_LEN] = '\n';
	if (file_write_private(pwpath, password, ADMIN_PASSWORD_LEN + 1, why,
	    whylen) < 0 ||
	    file_write_private(path, text, strlen(text), why, whylen) < 0)
		goto out;
	snprintf(a->note, sizeof(a->note), "created the users file %s with "
	    "the user %s (role control); its password is in %s (readable by "
	    "root only): log in as %s with it, then change it with "
	    "`rampart-passwd set %s`", path, ADMIN_NAME, pwpath, ADMIN_NAME,
	    ADMIN_NAME);
	ret = 0;
out:
	OPENSSL_cleanse(password, sizeof(password));
	users_free(&u);
	free(text);
	return ret;
}

/* "NAME ROLE\n" for each account: what the broker may know. */
static int
make_list(const struct users *u, struct accounts *a)
{
	size_t size = 1, off = 0;

	for (size_t i = 0; i < u->n; i++)
		size += strlen(u->entries[i].name) + 1 +
		    strlen(users_role_name(u->entries[i].role)) + 1;
	if (size > IPC_USERS_MAX || (a->list = malloc(size)) == NULL)
		return -1;
	for (size_t i = 0; i < u->n; i++)
		off += (size_t)snprintf(a->list + off, size - off, "%s %s\n",
		    u->entries[i].name, users_role_name(u->entries[i].role));
	a->list_len = off;
	a->naccounts = u->n;
	return 0;
}

static int
load_users(const struct config *cfg, int create, struct accounts *a,
    char *why, size_t whylen)
{
	char line[256];
	struct users u;

	if (file_read(cfg->users, "users file", USERS_FILE_MAX, 1,
	    &a->users_text, &a->users_len, why, whylen) < 0) {
		if (errno != ENOENT || !create)
			return -1;
		if (create_users(cfg->users, a, why, whylen) < 0 ||
		    file_read(cfg->users, "users file", USERS_FILE_MAX, 1,
		    &a->users_text, &a->users_len, why, whylen) < 0)
			return -1;
	}
	if (users_parse(&u, a->users_text, a->users_len, line,
	    sizeof(line)) < 0) {
		snprintf(why, whylen, "users file %s: %s", cfg->users, line);
		return -1;
	}
	if (make_list(&u, a) < 0) {
		snprintf(why, whylen, "users file %s: too many accounts for "
		    "the broker (out of memory)", cfg->users);
		users_free(&u);
		return -1;
	}
	users_free(&u);
	return 0;
}

static int
load_vnc(const struct config *cfg, struct accounts *a, char *why,
    size_t whylen)
{
	struct vnc_passwords v;
	char line[256];
	int r;

	if (file_read(cfg->vnc_passwords, "VNC password file", VNC_FILE_MAX,
	    1, &a->vnc_text, &a->vnc_len, why, whylen) < 0)
		return -1;
	r = vnc_passwords_parse(&v, a->vnc_text, a->vnc_len, line,
	    sizeof(line));
	OPENSSL_cleanse(&v, sizeof(v));
	if (r < 0) {
		snprintf(why, whylen, "VNC password file %s: %s",
		    cfg->vnc_passwords, line);
		return -1;
	}
	return 0;
}

int
accounts_load(const struct config *cfg, int need_users, int need_vnc,
    int create, struct accounts *a, char *why, size_t whylen)
{
	memset(a, 0, sizeof(*a));
	if ((need_users && load_users(cfg, create, a, why, whylen) < 0) ||
	    (need_vnc && load_vnc(cfg, a, why, whylen) < 0)) {
		accounts_free(a);
		return -1;
	}
	a->have_users = need_users;
	a->have_vnc = need_vnc;
	return 0;
}

void
accounts_free(struct accounts *a)
{
	file_wipe(a->users_text, a->users_len);
	file_wipe(a->vnc_text, a->vnc_len);
	free(a->list);
	memset(a, 0, sizeof(*a));
}

/* The same texts for rampart-auth: a restart of it is needed only when
 * one changed. */
int
accounts_same_secrets(const struct accounts *a, const struct accounts *b)
{
	return a->have_users == b->have_users && a->have_vnc == b->have_vnc &&
	    a->users_len == b->users_len && a->vnc_len == b->vnc_len &&
	    (a->users_len == 0 ||
	    CRYPTO_memcmp(a->users_text, b->users_text, a->users_len) == 0) &&
	    (a->vnc_len == 0 ||
	    CRYPTO_memcmp(a->vnc_text, b->vnc_text, a->vnc_len) == 0);
}
