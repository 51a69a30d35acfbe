/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core of rampart-auth: it alone holds the password hashes and the VNC
 * passwords, and answers the broker's questions with a role or a refusal.
 * Every field of a question is checked; a question out of its rules is a
 * protocol error, which ends the channel.
 */
#ifndef RAMPART_AUTH_H
#define RAMPART_AUTH_H

#include <stdint.h>

#include "common/ipc.h"
#include "common/users.h"

/* The most text the supervisor may pass for each file. */
#define AUTH_USERS_TEXT_MAX	(4U << 20)
#define AUTH_VNC_TEXT_MAX	(64U << 10)

struct evp_cipher_st;

struct auth {
	struct users		 users;
	struct vnc_passwords	 vnc;
	int			 have_vnc;
	/* Checked for a user that does not exist, so that the answer
	 * takes as long as for one that does. */
	char			 dummy[USERS_HASH_MAX + 1];
	struct evp_cipher_st	*des;
};

/*
 * Take users and vnc (either NULL for none; the auth owns them from here,
 * whatever the result).  Makes the dummy hash, with the parameters of the
 * first account (the defaults when there is none), and fetches the
 * cipher, so that nothing is loaded once in the sandbox.  0, or -1 with a
 * logged reason.
 */
int	auth_init(struct auth *a, struct users *users,
	    const struct vnc_passwords *vnc);
/*
 * One message of the broker.  Returns 1 with *res the answer to send, 0
 * when there is nothing to answer (a log level), or -1 with a logged
 * reason for a message out of the rules: the caller ends the channel.
 */
int	auth_handle(struct auth *a, const struct ipc_msg *msg,
	    struct ipc_auth_result *res);
void	auth_free(struct auth *a);

/* The 8-byte DES key of a VNC password: each byte bit-reversed. */
void	auth_vnc_key(const uint8_t password[8], uint8_t key[8]);

#endif
