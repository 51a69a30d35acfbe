/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's security handshake as it runs: the real listener-side
 * client (conn, session, security, tls, auth) on one end of a socketpair,
 * a viewer of ours on the other end in a thread, speaking VeNCrypt with
 * OpenSSL as a client.  The test plays the two processes the broker
 * asks: the key holder (a thread that signs with the key the broker never
 * sees, counting signatures) and rampart-auth (a channel on the loop,
 * answering "alice" with control and "bob" with view).  And the input
 * helper: a socket whose messages are counted, so that "a view-only
 * client's keys, pointer and paste cause nothing" is a count of zero.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/event.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "broker/tls.h"
#include "broker/wire.h"
#include "common/channel.h"
#include "common/log.h"
#include "tests/tap.h"

static struct broker b;
static EVP_PKEY *key;		/* the key holder's */
static X509 *cert;
static atomic_int signatures;
static atomic_int done;
static int key_fds[2];

/* --- the key holder ----------------------------------------------------- */

static void *
key_holder(void *arg)
{
	struct pollfd pfd = { .fd = key_fds[1], .events = POLLIN };
	struct ipc_msg m;
	int fd;

	for (;;) {
		const struct ipc_key_sign *q = &m.u.key_sign;
		struct ipc_key_signature a;
		EVP_PKEY_CTX *ctx;
		size_t len = sizeof(a.sig);

		if (poll(&pfd, 1, -1) < 0)
			break;
		if (ipc_recv(key_fds[1], &m, &fd, IPC_BRK2KEY_FIRST,
		    IPC_BRK2KEY_LAST) != 1)
			break;
		memset(&a, 0, sizeof(a));
		a.id = q->id;
		ctx = EVP_PKEY_CTX_new(key, NULL);
		if (q->op == IPC_SIGN_DIGEST && q->len <= 64 &&
		    EVP_PKEY_sign_init(ctx) == 1 &&
		    EVP_PKEY_sign(ctx, a.sig, &len, q->data, q->len) == 1) {
			a.ok = 1;
			a.len = (uint32_t)len;
			signatures++;
		}
		EVP_PKEY_CTX_free(ctx);
		ipc_send(key_fds[1], IPC_KEY2BRK_SIGNATURE, &a, sizeof(a), -1);
	}
	return NULL;
}

/* --- rampart-auth, played on the loop ------------------------------------ */

static struct channel *auth_ch;
static int checks;

static const struct chan_peer broker_peer = {
	.name = "the broker", .first = IPC_BRK2AUTH_FIRST,
	.last = IPC_BRK2AUTH_LAST, .queue_max = 16,
	.on_full = CHAN_FULL_CLOSE,
};

static int
auth_answer(void *arg, const struct ipc_msg *m, int fd)
{
	const struct ipc_auth_password *q = &m->u.auth_password;
	struct ipc_auth_result r = { .id = q->id, .role = IPC_AUTH_REFUSED };

	checks++;
	if (m->hdr.type == IPC_BRK2AUTH_PASSWORD && q->password_len == 6 &&
	    memcmp(q->password, "secret", 6) == 0) {
		if (q->user_len == 5 && memcmp(q->user, "alice", 5) == 0)
			r.role = IPC_AUTH_CONTROL;
		if (q->user_len == 3 && memcmp(q->user, "bob", 3) == 0)
			r.role = IPC_AUTH_VIEW;
	}
	channel_send(auth_ch, IPC_AUTH2BRK_RESULT, &r, sizeof(r), -1);
	return 0;
}

static void
auth_closed(void *arg, int error, const char *why)
{
}

/* --- the viewer, in a thread --------------------------------------------- */

struct viewer {
	int		fd;
	/* What it does. */
	uint8_t		type;		/* security type chosen */
	uint8_t		vmajor, vminor;	/* VeNCrypt version */
	uint32_t	subtype;
	const char	*pipeline;	/* sent with the subtype */
	int		tls_max;	/* TLS1_x_VERSION, 0: any */
	const char	*user, *password;
	uint32_t	ulen, plen;	/* announced, 0: the real ones */
	const void	*after;		/* sent after ServerInit */
	size_t		after_len;
	/* What it saw. */
	uint8_t		types[8];
	int		ntypes;
	uint32_t	subtypes[8];
	int		nsubtypes;
	int		vencrypt_ack;	/* -1: none came */
	int		subtype_ack;
	int		tls_ok;
	uint32_t	result;		/* SecurityResult, 99: none */
	char		reason[128];
	int		server_init;
	int		closed;		/* the server closed */
};

static int
get(struct viewer *v, SSL *ssl, void *p, size_t len)
{
	uint8_t *q = p;
	size_t got = 0;

	while (got < len) {
		ssize_t n = ssl != NULL ? SSL_read(ssl, q + got, (int)(len - got)) :
		    read(v->fd, q + got, len - got);

		if (n <= 0) {
			v->closed = 1;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static void
put(struct viewer *v, SSL *ssl, const void *p, size_t len)
{
	if (ssl != NULL)
		SSL_write(ssl, p, (int)len);
	else if (write(v->fd, p, len) < 0)
		v->closed = 1;
}

static void *
viewer_run(void *arg)
{
	struct viewer *v = arg;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	uint8_t buf[64], n;
	uint32_t len;

	v->vencrypt_ack = v->subtype_ack = -1;
	v->result = 99;
	if (get(v, NULL, buf, 12) < 0)
		goto out;
	put(v, NULL, "RFB 003.008\n", 12);
	if (get(v, NULL, &n, 1) < 0 || n == 0 || n > 8 ||
	    get(v, NULL, v->types, n) < 0)
		goto out;
	v->ntypes = n;
	put(v, NULL, &v->type, 1);
	if (v->type == 19) {
		uint8_t ver[2] = { v->vmajor, v->vminor }, ack;

		if (get(v, NULL, buf, 2) < 0)
			goto out;
		put(v, NULL, ver, 2);
		if (get(v, NULL, &ack, 1) < 0)
			goto out;
		v->vencrypt_ack = ack;
		if (ack != 0 || get(v, NULL, &n, 1) < 0 || n > 8 ||
		    get(v, NULL, buf, 4 * (size_t)n) < 0)
			goto out;
		for (int i = 0; i < n; i++)
			v->subtypes[i] = wire_get32(buf + 4 * i);
		v->nsubtypes = n;
		wire_put32(buf, v->subtype);
		len = 4;
		if (v->pipeline != NULL) {
			memcpy(buf + 4, v->pipeline, strlen(v->pipeline));
			len += (uint32_t)strlen(v->pipeline);
		}
		put(v, NULL, buf, len);
		if (get(v, NULL, &ack, 1) < 0)
			goto out;
		v->subtype_ack = ack;
		if (ack != 1)
			goto out;
		ctx = SSL_CTX_new(TLS_client_method());
		if (v->tls_max != 0)
			SSL_CTX_set_max_proto_version(ctx, v->tls_max);
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, v->fd);
		if (SSL_connect(ssl) != 1) {
			v->closed = 1;
			goto out;
		}
		v->tls_ok = 1;
		if (v->subtype != 260) {
			uint32_t ul = v->ulen ? v->ulen : (uint32_t)strlen(v->user);
			uint32_t pl = v->plen ? v->plen :
			    (uint32_t)strlen(v->password);
			uint8_t hdr[8];

			wire_put32(hdr, ul);
			wire_put32(hdr + 4, pl);
			put(v, ssl, hdr, 8);
			put(v, ssl, v->user, v->ulen ? v->ulen :
			    strlen(v->user));
			put(v, ssl, v->password, strlen(v->password));
		}
	}
	if (get(v, ssl, buf, 4) < 0)
		goto out;
	v->result = wire_get32(buf);
	if (v->result != 0) {
		if (get(v, ssl, buf, 4) == 0) {
			len = wire_get32(buf);
			if (len < sizeof(v->reason))
				get(v, ssl, v->reason, len);
		}
		goto out;
	}
	put(v, ssl, "\x01", 1);
	if (get(v, ssl, buf, 24) == 0)
		v->server_init = 1;
	if (v->server_init && v->after_len > 0)
		put(v, ssl, v->after, v->after_len);
out:
	/* Refused or done: does the server close? */
	if (!v->closed && !v->server_init) {
		struct pollfd pfd = { .fd = v->fd, .events = POLLIN };

		while (poll(&pfd, 1, 3000) == 1 &&
		    read(v->fd, buf, sizeof(buf)) > 0)
			;
		v->closed = 1;
		if (poll(&pfd, 1, 0) == 0)
			v->closed = 0;
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	done = 1;
	return NULL;
}

static struct client *
newest(void)
{
	return TAILQ_LAST(&b.clients, client_list);
}

/* Run v against a new client of the broker offering security. */
static struct client *
run(struct viewer *v, uint32_t security)
{
	struct client_origin o = { .peer = "test", .addr = "192.0.2.9",
	    .listener = "test", .security = security };
	pthread_t t;
	int sv[2];
	struct client *c;

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	c = client_new(&b, sv[0], &o);
	v->fd = sv[1];
	done = 0;
	pthread_create(&t, NULL, viewer_run, v);
	/* The loop runs until the viewer is done (the thread cannot wake a
	 * loop that waits, so it does not wait long). */
	while (!done) {
		event_base_loop(b.base, EVLOOP_NONBLOCK);
		usleep(500);
	}
	pthread_join(t, NULL);
	for (int i = 0; i < 20; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
	c = newest();
	return c != NULL && c->conn != NULL ? c : NULL;
}

/* Run the loop for ms milliseconds: the broker reads what came, and its
 * pointer motion waits out its timer (IN_MOTION_MS). */
static void
pump(int ms)
{
	for (int i = 0; i < ms * 2; i++) {
		event_base_loop(b.base, EVLOOP_NONBLOCK);
		usleep(500);
	}
}

/* --- the input helper: counted ------------------------------------------- */

static int in_fds[2];

/* Every message that arrived on the input helper's end since the last
 * call; *keys of them key presses or releases. */
static int
input_messages(int *keys)
{
	struct ipc_msg m;
	int fd, n = 0;

	*keys = 0;
	for (;;) {
		struct pollfd pfd = { .fd = in_fds[1], .events = POLLIN };

		if (poll(&pfd, 1, 0) != 1)
			break;
		if (ipc_recv(in_fds[1], &m, &fd, IPC_BRK2IN_FIRST,
		    IPC_BRK2IN_LAST) != 1)
			break;
		if (fd >= 0)
			close(fd);
		n++;
		if (m.hdr.type == IPC_BRK2IN_KEY)
			(*keys)++;
	}
	return n;
}

static void
close_all(struct viewer *v)
{
	struct client *c, *tmp;

	close(v->fd);
	TAILQ_FOREACH_SAFE(c, &b.clients, entry, tmp)
		client_close(c, "test over");
}

/* A self-signed EC P-256 certificate, its key ours (the key holder's). */
static void
make_cert(char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *mem;

	key = EVP_EC_gen("P-256");
	cert = X509_new();
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN",
	    MBSTRING_ASC, (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_sign(cert, key, EVP_sha256());
	PEM_write_bio_X509(bio, cert);
	BIO_get_mem_ptr(bio, &mem);
	*pem = malloc(mem->length);
	memcpy(*pem, mem->data, mem->length);
	*len = mem->length;
	BIO_free(bio);
}

int
main(void)
{
	struct ipc_sv_tls t = { .generation = 1 };
	struct viewer v;
	struct client *c;
	pthread_t kt;
	char *pem, why[256];
	size_t pemlen;
	int afd[2];
	uint32_t *px;

	signal(SIGPIPE, SIG_IGN);	/* as the broker: a closed peer is EPIPE */
	log_init("test-vencrypt", getenv("DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR, 0);
	TAILQ_INIT(&b.clients);
	b.base = event_base_new();
	b.handshake_seconds = 20;
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	auth_init(&b);
	px = calloc(64 * 48, 4);
	screen_set_frame(&b.screen, frame_own((uint8_t *)px, 64, 48));

	tls_init();
	make_cert(&pem, &pemlen);
	t.cert_len = (uint32_t)pemlen;
	ok(tls_load(&t, pem, why, sizeof(why)) == 0,
	    "the certificate alone, without its key, makes a context (%s)",
	    why);
	free(pem);
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, key_fds);
	tls_set_key_channel(key_fds[0]);
	pthread_create(&kt, NULL, key_holder, NULL);
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, afd);
	auth_ch = channel_new(b.base, afd[1], &broker_peer, auth_answer,
	    auth_closed, NULL);
	auth_set_channel(&b, afd[0]);

	/* X509Plain, the right password: in, with alice's role. */
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "alice", .password = "secret" };
	c = run(&v, IPC_SEC_X509PLAIN);
	ok(v.ntypes == 1 && v.types[0] == 19, "X509Plain alone: VeNCrypt "
	    "is the one type offered");
	ok(v.nsubtypes == 1 && v.subtypes[0] == 262, "and X509Plain the one "
	    "subtype");
	ok(v.tls_ok && v.result == 0 && v.server_init,
	    "the right password: TLS, SecurityResult OK, ServerInit");
	ok(signatures == 1, "the handshake's signature came from the key "
	    "holder (%d)", signatures);
	ok(c != NULL && c->role == CLIENT_CONTROL && c->secured &&
	    strcmp(c->user, "alice") == 0, "alice has control");
	ok(b.nviewers == 1 && b.nunauth == 0, "a viewer, no longer logging "
	    "in");
	close_all(&v);

	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "bob", .password = "secret" };
	c = run(&v, IPC_SEC_X509PLAIN | IPC_SEC_TLSPLAIN);
	ok(v.nsubtypes == 2 && v.subtypes[0] == 262 && v.subtypes[1] == 259,
	    "with TLSPlain allowed too: X509Plain first, then TLSPlain");
	ok(v.server_init && c != NULL && c->role == CLIENT_VIEW,
	    "bob is in, view only");
	close_all(&v);

	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "alice", .password = "wrong" };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.result == 1 && strcmp(v.reason, "authentication failed") == 0,
	    "a wrong password: SecurityResult failed, \"%s\"", v.reason);
	ok(b.nclients == 0, "and the client is closed");
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "mallory", .password = "secret" };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.result == 1 && strcmp(v.reason, "authentication failed") == 0,
	    "an unknown user: the same answer");

	/* Strictness. */
	v = (struct viewer){ .type = 19, .vminor = 1 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.vencrypt_ack == 0xff && v.closed, "VeNCrypt 0.1: refused "
	    "(ack 255) and closed");
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 260 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.subtype_ack == 0 && v.closed && !v.tls_ok,
	    "X509None when only X509Plain is offered: refused, closed");
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 256 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.subtype_ack == 0 && v.closed, "Plain without TLS (256) is never "
	    "taken");
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .pipeline = "alice" };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.subtype_ack == -1 && v.closed && !v.tls_ok,
	    "bytes sent after the subtype, before TLS: closed without TLS");
	v = (struct viewer){ .type = 1 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.result == 1 && strstr(v.reason, "not offered") != NULL,
	    "None when it is not offered: \"%s\"", v.reason);
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .tls_max = TLS1_1_VERSION };
	run(&v, IPC_SEC_X509PLAIN);
	ok(!v.tls_ok && v.closed, "a TLS 1.1 client fails the handshake");
	checks = 0;
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "alice", .password = "secret", .plen = 2000 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.result == 1 && strstr(v.reason, "longer than 1024") &&
	    checks == 0, "a password announced at 2000 bytes: refused, "
	    "nothing asked");
	v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
	    .user = "ali\0ce", .password = "secret", .ulen = 6 };
	run(&v, IPC_SEC_X509PLAIN);
	ok(v.result == 1 && strstr(v.reason, "NUL") && checks == 0,
	    "a NUL byte in the user name: refused, nothing asked (%s)",
	    v.reason);
	ok(b.nclients == 0 && b.nunauth == 0 && b.nviewers == 0,
	    "nothing is left of any of them");

	/*
	 * Roles, counted at the input helper: bob (view) sends a key press
	 * and release, a click and a motion, and a paste that
	 * --paste-as-typing would type; nothing reaches the helper.  alice
	 * (control) sends the same and her keys arrive.
	 */
	{
		static const uint8_t msgs[] = {
			4, 1, 0, 0, 0, 0, 0, 'a',	/* KeyEvent 'a' down */
			4, 0, 0, 0, 0, 0, 0, 'a',	/* and up */
			5, 1, 0, 10, 0, 10,		/* PointerEvent, left */
			5, 0, 0, 20, 0, 20,		/* released, moved */
			6, 0, 0, 0, 0, 0, 0, 2, 'h', 'i', /* ClientCutText */
		};
		int keys, n;

		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, in_fds);
		in_set_channel(&b, in_fds[0]);
		b.paste_as_typing = 1;
		pump(20);
		n = input_messages(&keys);
		ok(n >= 1 && keys == 0, "the input helper is told the screen "
		    "(%d messages) and nothing else", n);

		v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
		    .user = "bob", .password = "secret", .after = msgs,
		    .after_len = sizeof(msgs) };
		c = run(&v, IPC_SEC_X509PLAIN);
		ok(v.server_init && c != NULL && c->role == CLIENT_VIEW,
		    "bob (view) is in and sends keys, pointer and a paste");
		pump(200);
		ok(c != NULL && c->conn != NULL && b.nviewers == 1,
		    "and he is still connected once they are read");
		n = input_messages(&keys);
		ok(n == 0, "his key, pointer and cut-text messages cause zero "
		    "messages to the input helper (%d)", n);
		close_all(&v);
		pump(20);
		n = input_messages(&keys);
		ok(n == 0, "nor does his leaving (%d)", n);

		v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
		    .user = "alice", .password = "secret", .after = msgs,
		    .after_len = sizeof(msgs) };
		c = run(&v, IPC_SEC_X509PLAIN);
		ok(v.server_init && c != NULL && c->role == CLIENT_CONTROL,
		    "alice (control) is in and sends the same");
		pump(200);
		n = input_messages(&keys);
		/* 'a' down and up, then "hi" typed: 2 + 4 key messages at
		 * least, and the pointer's. */
		ok(n > 0 && keys >= 6, "her messages reach the input helper: "
		    "%d, %d of them keys", n, keys);
		close_all(&v);
		pump(20);
		input_messages(&keys);
		b.paste_as_typing = 0;
	}

	/* A broker refuses an address in back-off at once, with the
	 * reason: five more failures from 192.0.2.9 (two so far). */
	for (int i = 0; i < 4; i++) {
		v = (struct viewer){ .type = 19, .vminor = 2, .subtype = 262,
		    .user = "alice", .password = "nope" };
		run(&v, IPC_SEC_X509PLAIN);
	}
	ok(auth_admit(&b, "192.0.2.9") != NULL &&
	    auth_admit(&b, "192.0.2.10") == NULL,
	    "after 6 failed logins the address is refused: %s; another "
	    "is not", auth_admit(&b, "192.0.2.9"));
	return done_testing();
}
