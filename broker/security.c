/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The security handshake of a session (rfbproto.rst, "Security Types"):
 * from the client's version to SecurityResult.  What is offered is the
 * listener's policy (s->security); the checks themselves are the client's
 * (callbacks), which answer with session_auth_done().
 *
 *   None (1)        nothing to check
 *   VNC auth (2)    a 16-byte challenge, DES-encrypted by the client with
 *                   its password; rampart-auth holds the passwords
 *   VeNCrypt (19)   version 0.2, then a subtype: X509Plain (262) and
 *                   TLSPlain (259) are TLS and then a user name and
 *                   password; X509None (260) is TLS with a client
 *                   certificate that names the user
 *
 * Everything here is strict: a type or subtype that was not offered, a
 * VeNCrypt version other than 0.2, bytes sent before the TLS handshake
 * (credentials pipelined in clear), credentials longer than
 * SESSION_PLAIN_MAX or with a NUL byte inside close the client, with the
 * reason where the protocol has room for one.
 */
#include "config.h"

#include <event2/buffer.h>
#include <openssl/rand.h>
#include <rfb/rfbproto.h>

#include <string.h>

#include "broker/session.h"
#include "broker/wire.h"
#include "common/ipc.h"
#include "common/log.h"

#define SEC_NONE		1
#define SEC_VNCAUTH		2
#define SEC_VENCRYPT		19

#define VENCRYPT_TLSPLAIN	259
#define VENCRYPT_X509NONE	260
#define VENCRYPT_X509PLAIN	262

/* VeNCrypt subtypes in the order offered, and their IPC_SEC_* bits. */
static const struct {
	uint32_t	code;
	uint32_t	bit;
	const char	*name;
} subtypes[] = {
	{ VENCRYPT_X509NONE, IPC_SEC_X509NONE, "VeNCrypt X509None" },
	{ VENCRYPT_X509PLAIN, IPC_SEC_X509PLAIN, "VeNCrypt X509Plain" },
	{ VENCRYPT_TLSPLAIN, IPC_SEC_TLSPLAIN, "VeNCrypt TLSPlain" },
};

#define NSUBTYPES	(sizeof(subtypes) / sizeof(subtypes[0]))

static const char no_type[] =
    "no security type is offered to this address";
static const char need_37[] =
    "this server needs RFB 3.7 or later (VeNCrypt)";

const char *
session_security_name(const struct session *s)
{
	switch (s->chosen) {
	case IPC_SEC_NONE:
		return "None";
	case IPC_SEC_VNCAUTH:
		return "VNC authentication";
	}
	for (size_t i = 0; i < NSUBTYPES; i++)
		if (s->chosen == subtypes[i].bit)
			return subtypes[i].name;
	return "nothing yet";
}

/* Security is done: ClientInit comes next. */
static void
secured(struct session *s)
{
	s->state = SESSION_INIT;
	if (s->cbs->secured != NULL)
		s->cbs->secured(s->arg);
}

/* Refused before a type is chosen: the reason in place of the types. */
static void
refuse_early(struct session *s, const char *reason)
{
	if (s->minor == 3)
		wire_add32(s->out, rfbConnFailed);
	else
		wire_add8(s->out, 0);
	wire_add_string(s->out, reason);
	session_fail(s, reason);
}

/* SecurityResult: failed, with a reason from RFB 3.8 on. */
static void
result_failed(struct session *s, const char *reason)
{
	wire_add32(s->out, 1);
	if (s->minor == 8)
		wire_add_string(s->out, reason);
	session_fail(s, reason);
}

static void
send_challenge(struct session *s)
{
	if (RAND_bytes(s->challenge, sizeof(s->challenge)) != 1) {
		result_failed(s, "no randomness for a challenge");
		return;
	}
	evbuffer_add(s->out, s->challenge, sizeof(s->challenge));
	s->chosen = IPC_SEC_VNCAUTH;
	s->state = SESSION_VNC_RESPONSE;
}

void
security_offer(struct session *s)
{
	uint8_t types[3];
	size_t n = 0;

	if (s->refusal != NULL) {
		refuse_early(s, s->refusal);
		return;
	}
	if (s->security & IPC_SEC_VENCRYPT)
		types[n++] = SEC_VENCRYPT;
	if (s->security & IPC_SEC_VNCAUTH)
		types[n++] = SEC_VNCAUTH;
	if (s->security & IPC_SEC_NONE)
		types[n++] = SEC_NONE;
	if (n == 0) {
		refuse_early(s, no_type);
		return;
	}
	if (s->minor == 3) {
		/* The server chooses, among what 3.3 knows. */
		if (s->security & IPC_SEC_NONE) {
			wire_add32(s->out, rfbSecTypeNone);
			s->chosen = IPC_SEC_NONE;
			secured(s);
		} else if (s->security & IPC_SEC_VNCAUTH) {
			wire_add32(s->out, rfbSecTypeVncAuth);
			send_challenge(s);
		} else
			refuse_early(s, need_37);
		return;
	}
	wire_add8(s->out, (uint8_t)n);
	evbuffer_add(s->out, types, n);
	s->state = SESSION_SECURITY;
}

static long
on_type(struct session *s, const uint8_t *p, size_t len)
{
	static const char bad[] = "security type not offered";
	uint32_t bit;

	if (len < 1)
		return 0;
	bit = p[0] == SEC_NONE ? IPC_SEC_NONE :
	    p[0] == SEC_VNCAUTH ? IPC_SEC_VNCAUTH :
	    p[0] == SEC_VENCRYPT ? IPC_SEC_VENCRYPT : 0;
	if ((s->security & bit) == 0) {
		if (s->minor == 8) {
			wire_add32(s->out, 1);
			wire_add_string(s->out, bad);
		}
		session_fail(s, bad);
		return 1;
	}
	switch (p[0]) {
	case SEC_NONE:
		if (s->minor == 8)
			wire_add32(s->out, 0);	/* SecurityResult: OK */
		s->chosen = IPC_SEC_NONE;
		secured(s);
		break;
	case SEC_VNCAUTH:
		send_challenge(s);
		break;
	case SEC_VENCRYPT:
		wire_add8(s->out, 0);
		wire_add8(s->out, 2);
		s->state = SESSION_VENCRYPT_VERSION;
		break;
	}
	return 1;
}

static long
on_vencrypt_version(struct session *s, const uint8_t *p, size_t len)
{
	uint8_t list[NSUBTYPES * 4];
	size_t n = 0;

	if (len < 2)
		return 0;
	if (p[0] != 0 || p[1] != 2) {
		log_info("%s: refused: VeNCrypt %u.%u (only 0.2 is spoken)",
		    s->tag, p[0], p[1]);
		wire_add8(s->out, 0xff);
		s->state = SESSION_CLOSING;
		return 2;
	}
	wire_add8(s->out, 0);
	for (size_t i = 0; i < NSUBTYPES; i++)
		if (s->security & subtypes[i].bit)
			wire_put32(list + 4 * n++, subtypes[i].code);
	wire_add8(s->out, (uint8_t)n);
	evbuffer_add(s->out, list, 4 * n);
	s->state = SESSION_VENCRYPT_SUBTYPE;
	return 2;
}

static long
on_vencrypt_subtype(struct session *s, const uint8_t *p, size_t len)
{
	uint32_t code;
	size_t i;

	if (len < 4)
		return 0;
	code = wire_get32(p);
	for (i = 0; i < NSUBTYPES; i++)
		if (subtypes[i].code == code &&
		    (s->security & subtypes[i].bit))
			break;
	if (i == NSUBTYPES) {
		log_info("%s: refused: VeNCrypt subtype %u not offered",
		    s->tag, code);
		wire_add8(s->out, 0);
		s->state = SESSION_CLOSING;
		return 4;
	}
	/*
	 * The client must wait for our answer before it starts TLS: a byte
	 * after the subtype was sent without it, in clear (credentials
	 * pipelined ahead of the handshake, or a confused client).
	 */
	if (len > 4) {
		log_info("%s: refused: sent bytes before the TLS handshake",
		    s->tag);
		s->state = SESSION_CLOSING;
		return (long)len;
	}
	wire_add8(s->out, 1);
	s->chosen = subtypes[i].bit;
	s->state = SESSION_TLS;
	if (s->cbs->start_tls(s->arg, code == VENCRYPT_TLSPLAIN) < 0)
		session_fail(s, "TLS is not available");
	return 4;
}

void
session_tls_ready(struct session *s)
{
	if (s->state != SESSION_TLS)
		return;
	if (s->chosen == IPC_SEC_X509NONE) {
		s->state = SESSION_CHECKING;
		s->cbs->check_certificate(s->arg);
	} else
		s->state = SESSION_PLAIN;
}

/* Plain: U32 user length, U32 password length, the user, the password. */
static long
on_plain(struct session *s, const uint8_t *p, size_t len)
{
	uint32_t ulen, plen;
	const char *user, *password;

	if (len < 8)
		return 0;
	ulen = wire_get32(p);
	plen = wire_get32(p + 4);
	if (ulen > SESSION_PLAIN_MAX || plen > SESSION_PLAIN_MAX) {
		result_failed(s, "user name or password longer than "
		    "1024 bytes");
		return (long)len;
	}
	if (len < 8 + (size_t)ulen + plen)
		return 0;
	user = (const char *)p + 8;
	password = user + ulen;
	if (memchr(user, '\0', ulen) != NULL ||
	    memchr(password, '\0', plen) != NULL) {
		result_failed(s, "NUL byte in user name or password");
		return (long)len;
	}
	s->state = SESSION_CHECKING;
	s->cbs->check_password(s->arg, user, ulen, password, plen);
	/* The password is not left in the input buffer, which is ours to
	 * change (the client reads it in place and drains it after us). */
	explicit_bzero((void *)(uintptr_t)password, plen);
	return (long)(8 + (size_t)ulen + plen);
}

static long
on_vnc_response(struct session *s, const uint8_t *p, size_t len)
{
	if (len < sizeof(s->challenge))
		return 0;
	s->state = SESSION_CHECKING;
	s->cbs->check_vnc(s->arg, s->challenge, p);
	return (long)sizeof(s->challenge);
}

void
session_auth_done(struct session *s, int ok, const char *reason)
{
	if (s->state != SESSION_CHECKING)
		return;
	if (!ok) {
		result_failed(s, reason);
		return;
	}
	wire_add32(s->out, 0);		/* SecurityResult: OK */
	secured(s);
}

long
security_input(struct session *s, const uint8_t *buf, size_t len)
{
	switch (s->state) {
	case SESSION_SECURITY:
		return on_type(s, buf, len);
	case SESSION_VENCRYPT_VERSION:
		return on_vencrypt_version(s, buf, len);
	case SESSION_VENCRYPT_SUBTYPE:
		return on_vencrypt_subtype(s, buf, len);
	case SESSION_PLAIN:
		return on_plain(s, buf, len);
	case SESSION_VNC_RESPONSE:
		return on_vnc_response(s, buf, len);
	default:
		/* TLS handshake, a check under way: the client has nothing
		 * to say; what it sends waits (within the input limit). */
		return 0;
	}
}
