/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>

#include "broker/conn.h"

#define CONN_STACK_MAX	4	/* socket, TLS, WebSocket, and one spare */
#define CONN_CLOSE_SECONDS	10

struct conn {
	struct bufferevent *stack[CONN_STACK_MAX];	/* [0] the socket */
	int		depth;
	const struct conn_cbs *cbs;
	void		*arg;
	int		closing;	/* closed() once the output is out */
	int		timeout;
	size_t		input_max, output_low;
	SSL		*ssl;		/* TLS, when it is on */
	struct event	*close_ev;	/* closing: the last byte is out */
	char		close_why[160];	/* and why, for closed() */
	uint64_t	bytes_in, bytes_out;	/* at the socket */
};

static void close_now(evutil_socket_t fd, short what, void *arg);

static struct bufferevent *
conn_top(const struct conn *c)
{
	return c->stack[c->depth - 1];
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	c->cbs->read(c->arg);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->closing) {
		if (conn_unsent(c) == 0)
			c->cbs->closed(c->arg, "closed after its last message");
		return;
	}
	c->cbs->drained(c->arg);
}

/* Why TLS failed, from OpenSSL's queue of errors. */
static void
tls_error(struct conn *c, struct bufferevent *bev)
{
	char why[160], reason[120] = "";
	unsigned long e;

	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		if (reason[0] == '\0')
			ERR_error_string_n(e, reason, sizeof(reason));
	snprintf(why, sizeof(why), "TLS: %s",
	    reason[0] != '\0' ? reason : "connection error");
	/*
	 * A failed handshake leaves its alert (a certificate revoked,
	 * expired, unknown...) in the socket's output: the client learns why
	 * once it is out.  Nothing more is read meanwhile.
	 */
	if (c->depth > 1 && !c->closing &&
	    evbuffer_get_length(bufferevent_get_output(c->stack[0])) > 0) {
		c->closing = 1;
		snprintf(c->close_why, sizeof(c->close_why), "%s", why);
		bufferevent_disable(conn_top(c), EV_READ | EV_WRITE);
		c->close_ev = event_new(bufferevent_get_base(c->stack[0]), -1,
		    0, close_now, c);
		if (c->close_ev != NULL) {
			struct timeval tv = { CONN_CLOSE_SECONDS, 0 };

			/* At most this long for a peer that does not read. */
			event_add(c->close_ev, &tv);
			return;
		}
	}
	c->cbs->closed(c->arg, why);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	/* Already failed, the alert on its way: the first reason stays. */
	if (c->close_why[0] != '\0') {
		c->cbs->closed(c->arg, c->close_why);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		/* Only a TLS filter says so: its handshake is done. */
		if (c->cbs->tls_ready != NULL)
			c->cbs->tls_ready(c->arg);
		return;
	}
	if ((what & BEV_EVENT_ERROR) && c->ssl != NULL)
		tls_error(c, bev);
	else if (what & BEV_EVENT_TIMEOUT)
		c->cbs->closed(c->arg, "timed out");
	else if (what & BEV_EVENT_EOF)
		c->cbs->closed(c->arg, "end of connection");
	else if (what & BEV_EVENT_ERROR)
		c->cbs->closed(c->arg, "connection error");
}

/* Bytes through the socket, for the audit log. */
static void
count_in(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	((struct conn *)arg)->bytes_in += info->n_added;
}

static void
count_out(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn *c = arg;

	c->bytes_out += info->n_deleted;
	/* Closing over TLS: the top drained first, the socket now.  Not
	 * closed from in here, in the middle of the socket's write. */
	if (c->closing && c->close_ev != NULL && conn_unsent(c) == 0)
		event_active(c->close_ev, EV_TIMEOUT, 0);
}

static void
close_now(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	c->cbs->closed(c->arg, c->close_why[0] != '\0' ? c->close_why :
	    "closed after its last message");
}

/* bev becomes the top of the stack: ours are its callbacks and limits. */
static void
conn_take(struct conn *c, struct bufferevent *bev)
{
	bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_setwatermark(bev, EV_READ, 0, c->input_max);
	bufferevent_setwatermark(bev, EV_WRITE, c->output_low, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct conn *
conn_new(struct bufferevent *bev, size_t input_max, size_t output_low,
    const struct conn_cbs *cbs, void *arg)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->stack[0] = bev;
	c->depth = 1;
	c->cbs = cbs;
	c->arg = arg;
	c->input_max = input_max;
	c->output_low = output_low;
	evbuffer_add_cb(bufferevent_get_input(bev), count_in, c);
	evbuffer_add_cb(bufferevent_get_output(bev), count_out, c);
	conn_take(c, bev);
	return c;
}

int
conn_start_tls(struct conn *c, struct ssl_st *ssl)
{
	struct bufferevent *under = conn_top(c), *bev;

	if (c->depth == CONN_STACK_MAX || c->ssl != NULL)
		return -1;
	/* Not BEV_OPT_CLOSE_ON_FREE: conn_free() frees each layer, and
	 * the SSL. */
	bev = bufferevent_openssl_filter_new(bufferevent_get_base(under),
	    under, ssl, BUFFEREVENT_SSL_ACCEPTING, 0);
	if (bev == NULL)
		return -1;
	/* A client that closes without close_notify has merely closed. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	c->ssl = ssl;
	c->stack[c->depth++] = bev;
	conn_take(c, bev);
	if (c->timeout > 0)
		conn_set_timeout(c, c->timeout);
	return 0;
}

struct ssl_st *
conn_ssl(const struct conn *c)
{
	return c->ssl;
}

void
conn_bytes(const struct conn *c, uint64_t *in, uint64_t *out)
{
	*in = c->bytes_in;
	*out = c->bytes_out;
}

struct conn *
conn_new_socket(struct event_base *base, int fd, size_t input_max,
    size_t output_low, const struct conn_cbs *cbs, void *arg)
{
	struct bufferevent *bev;
	struct conn *c;

	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;
	if ((c = conn_new(bev, input_max, output_low, cbs, arg)) == NULL)
		bufferevent_free(bev);
	return c;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	/*
	 * Our callbacks on the socket's buffers go first: libevent may free
	 * a bufferevent later than asked (while one of its callbacks runs),
	 * and they must not find this conn then.  Then the top first: a
	 * filter flushes into what is under it.
	 */
	evbuffer_remove_cb(bufferevent_get_input(c->stack[0]), count_in, c);
	evbuffer_remove_cb(bufferevent_get_output(c->stack[0]), count_out, c);
	while (c->depth > 0)
		bufferevent_free(c->stack[--c->depth]);
	SSL_free(c->ssl);
	if (c->close_ev != NULL)
		event_free(c->close_ev);
	free(c);
}

struct evbuffer *
conn_input(struct conn *c)
{
	return bufferevent_get_input(conn_top(c));
}

struct evbuffer *
conn_output(struct conn *c)
{
	return bufferevent_get_output(conn_top(c));
}

size_t
conn_unsent(const struct conn *c)
{
	size_t n = 0;

	for (int i = 0; i < c->depth; i++)
		n += evbuffer_get_length(bufferevent_get_output(c->stack[i]));
	return n;
}

void
conn_set_timeout(struct conn *c, int seconds)
{
	struct timeval tv = { seconds, 0 };

	c->timeout = seconds;
	bufferevent_set_timeouts(conn_top(c), seconds > 0 ? &tv : NULL, NULL);
}

void
conn_hold_input(struct conn *c, int hold)
{
	if (c->closing)
		return;
	if (hold)
		bufferevent_disable(conn_top(c), EV_READ);
	else
		bufferevent_enable(conn_top(c), EV_READ);
}

void
conn_close_after_flush(struct conn *c)
{
	/* A peer that does not read its last message does not hold us. */
	struct timeval tv = { CONN_CLOSE_SECONDS, 0 };

	if (c->closing)
		return;
	bufferevent_set_timeouts(conn_top(c), NULL, &tv);
	c->closing = 1;
	if (c->depth > 1)
		c->close_ev = event_new(bufferevent_get_base(conn_top(c)), -1,
		    0, close_now, c);
	bufferevent_disable(conn_top(c), EV_READ);
	/* Called back once the output is empty. */
	bufferevent_setwatermark(conn_top(c), EV_WRITE, 0, 0);
}
