/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls: the broker's TLS contexts, for VeNCrypt.  The certificate chain,
 * client CAs and CRLs come from the supervisor as bytes; the private key
 * never comes: every signature of a handshake is asked of the key holder
 * (the supervisor) over a channel of its own, synchronously.
 */
#ifndef RAMPART_TLS_H
#define RAMPART_TLS_H

#include <stddef.h>
#include <stdint.h>

struct ssl_st;
struct ipc_sv_tls;

/* Before the sandbox, when TLS is offered (again: nothing): OpenSSL reads
 * its configuration and sets up what the handshakes will use, so that
 * nothing is opened later. */
void	tls_init(void);
/* The key holder's end of the channel (IPC_SV2BRK_KEY_CHANNEL). */
void	tls_set_key_channel(int fd);
/*
 * New material (a mapped blob of t's lengths): the contexts of new
 * connections from now on.  0, or -1 with the reason in why (the old
 * contexts stay).
 */
int	tls_load(const struct ipc_sv_tls *t, const void *blob, char *why,
	    size_t whylen);
/* 1 when material was loaded. */
int	tls_ready(void);
/* A server TLS session: anonymous (TLSPlain) or with our certificate. */
struct ssl_st *tls_new(int anon);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for the audit log. */
void	tls_describe(struct ssl_st *ssl, char *buf, size_t len);
/* The user a verified client certificate names: its subject's CN, or
 * the first email or DNS name of its subjectAltName that is an account
 * name.  0, or -1 when it names none. */
int	tls_peer_user(struct ssl_st *ssl, char *buf, size_t len);

#endif
