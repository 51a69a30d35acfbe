/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a compromised broker can send to rampart-auth: the input is a
 * sequence of packets, each a 2-byte little-endian length and that many
 * bytes, decoded as ipc_recv() does and handed to auth_handle() until one
 * is refused.  The accounts use ln=1 hashes so that a check is cheap; the
 * dummy for unknown users takes their parameters.  Every answer must
 * carry the question's id, and a role only for a right password.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char	*name, *password;
	enum ipc_auth_role role;
} accounts[] = {
	{ "alice", "wonderland", IPC_AUTH_CONTROL },
	{ "bob", "builder", IPC_AUTH_VIEW },
};

static struct auth *
auth_once(void)
{
	static struct auth a;
	static int ready;
	struct vnc_passwords v;
	struct users u;
	char text[1024], hash[USERS_HASH_MAX + 1], why[256];
	static const char model[] = "$scrypt$ln=1,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0ODw$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	static const char vnc[] = "control:sesame\nview:peek\n";
	size_t off = 0;

	if (ready)
		return &a;
	log_init("fuzz-auth", LOG_LEVEL_ERROR, 0);
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		if (users_hash_like(model, accounts[i].password,
		    strlen(accounts[i].password), hash, sizeof(hash)) < 0)
			abort();
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "%s:%s:%s\n", accounts[i].name,
		    accounts[i].role == IPC_AUTH_CONTROL ? "control" : "view",
		    hash);
	}
	if (users_parse(&u, text, off, why, sizeof(why)) < 0 ||
	    vnc_passwords_parse(&v, vnc, strlen(vnc), why, sizeof(why)) < 0 ||
	    auth_init(&a, &u, &v) < 0)
		abort();
	ready = 1;
	return &a;
}

/* The role a password question may get: the account's, if right. */
static enum ipc_auth_role
expected(const struct ipc_auth_password *q)
{
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		const char *n = accounts[i].name, *p = accounts[i].password;

		if (q->user_len == strlen(n) && memcmp(q->user, n,
		    q->user_len) == 0 && q->password_len == strlen(p) &&
		    memcmp(q->password, p, q->password_len) == 0)
			return accounts[i].role;
	}
	return IPC_AUTH_REFUSED;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth *a = auth_once();
	struct ipc_auth_result res;
	struct ipc_msg msg;
	int r;

	/* A log level message of the last input stays behind it. */
	log_set_level(LOG_LEVEL_ERROR);
	while (size >= 2) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;

		if (len > size - 2)
			break;
		if (ipc_decode(data + 2, len, 0, &msg, IPC_BRK2AUTH_FIRST,
		    IPC_BRK2AUTH_LAST) < 0)
			break;
		memset(&res, 0xa5, sizeof(res));
		if ((r = auth_handle(a, &msg, &res)) < 0)
			break;
		if (r == 1) {
			if (res.role != IPC_AUTH_REFUSED &&
			    res.role != IPC_AUTH_CONTROL &&
			    res.role != IPC_AUTH_VIEW)
				abort();
			if (msg.hdr.type == IPC_BRK2AUTH_PASSWORD &&
			    (res.id != msg.u.auth_password.id ||
			    res.role != expected(&msg.u.auth_password)))
				abort();
			if (msg.hdr.type == IPC_BRK2AUTH_VNC &&
			    res.id != msg.u.auth_vnc.id)
				abort();
		} else if (msg.hdr.type != IPC_BRK2AUTH_LOG_LEVEL) {
			abort();
		}
		data += 2 + len;
		size -= 2 + len;
	}
	return 0;
}
