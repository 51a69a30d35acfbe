/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key holder (supervisor/keyholder.c): signs for the broker's TLS
 * stack with a key the broker never sees.
 */
#ifndef RAMPART_KEYHOLDER_H
#define RAMPART_KEYHOLDER_H

#include <openssl/evp.h>

#include <stdint.h>

#include "common/ipc.h"

struct keyholder {
	EVP_PKEY	*key;		/* EC P-256/P-384 or RSA; NULL: none */
	uint32_t	generation;	/* of the certificate the broker has */
};

/*
 * Answer one question: a->id is q->id, and a->ok 1 with a->len bytes of
 * signature, or 0 (and nothing else) when the question is refused.
 * Returns a->ok.
 */
int	keyholder_answer(const struct keyholder *kh,
	    const struct ipc_key_sign *q, struct ipc_key_signature *a);

#endif
