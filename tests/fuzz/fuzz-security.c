/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The security handshake (broker/security.c) fed what a hostile client
 * could send, every step of it: the types offered, VeNCrypt's version and
 * subtype, Plain's lengths and bytes, the VNC response.  TLS, which a
 * fuzzer cannot speak, is taken as done the moment it is asked for; the
 * checks answer yes or no as the input's first byte says.  What the
 * session writes is checked for the one invariant that matters: nothing
 * past SecurityResult OK unless a check said yes (or None was offered).
 *
 * Input: byte 0 chooses the security offered and the checks' answers;
 * byte 1 how the rest is split; the rest is the client's byte stream.
 */
#include "config.h"

#include <event2/buffer.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/session.h"
#include "common/ipc.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct session s;
static int answer_yes, asked, said_yes;

static int
start_tls(void *arg, int anon)
{
	return 0;
}

static void
answer(void)
{
	asked++;
	if (answer_yes)
		said_yes = 1;
	session_auth_done(&s, answer_yes, "authentication failed");
}

static void
check_password(void *arg, const char *user, size_t ulen,
    const char *password, size_t plen)
{
	/* What the callback is promised. */
	if (ulen > SESSION_PLAIN_MAX || plen > SESSION_PLAIN_MAX ||
	    memchr(user, '\0', ulen) != NULL ||
	    memchr(password, '\0', plen) != NULL)
		abort();
	answer();
}

static void
check_vnc(void *arg, const uint8_t *challenge, const uint8_t *response)
{
	answer();
}

static void
check_certificate(void *arg)
{
	answer();
}

static void
secured(void *arg)
{
	/* Only None, or a check that said yes, gets here. */
	if (s.chosen != IPC_SEC_NONE && !said_yes)
		abort();
}

static void
client_init(void *arg, int shared)
{
	if (s.chosen != IPC_SEC_NONE && !said_yes)
		abort();
}

static const struct session_cbs cbs = {
	.start_tls = start_tls,
	.check_password = check_password,
	.check_vnc = check_vnc,
	.check_certificate = check_certificate,
	.secured = secured,
	.client_init = client_init,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *out, *in;
	size_t chunk;
	static int init;

	if (size < 2)
		return 0;
	if (!init) {
		log_init("fuzz-security", LOG_LEVEL_ERROR, 0);
		init = 1;
	}
	out = evbuffer_new();
	in = evbuffer_new();
	answer_yes = data[0] >> 7;
	asked = said_yes = 0;
	session_init(&s, &cbs, NULL, out, "fuzz", data[0] & IPC_SEC_ALL);
	if ((data[0] & 0x60) == 0x60)
		session_refuse(&s, "refused for the fuzzer");
	chunk = 1 + data[1];
	for (size_t off = 2; off < size; ) {
		size_t n = size - off < chunk ? size - off : chunk;
		const uint8_t *buf;
		size_t len;
		long used;

		evbuffer_add(in, data + off, n);
		off += n;
		len = evbuffer_get_length(in);
		buf = evbuffer_pullup(in, -1);
		while (len > 0 && s.state != SESSION_CLOSING &&
		    s.state < SESSION_INIT) {
			used = session_input(&s, buf, len);
			if (used < 0 || (size_t)used > len) {
				if (used > (long)len)
					abort();
				break;
			}
			if (used == 0)
				break;
			evbuffer_drain(in, (size_t)used);
			len = evbuffer_get_length(in);
			buf = evbuffer_pullup(in, -1);
			/* TLS, taken as done at once. */
			if (s.state == SESSION_TLS)
				session_tls_ready(&s);
		}
		if (s.state == SESSION_CLOSING || s.state >= SESSION_INIT)
			break;
	}
	evbuffer_free(in);
	evbuffer_free(out);
	return 0;
}
