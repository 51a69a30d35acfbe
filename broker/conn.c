/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

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
};

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

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_TIMEOUT)
		c->cbs->closed(c->arg, "timed out");
	else if (what & BEV_EVENT_EOF)
		c->cbs->closed(c->arg, "end of connection");
	else if (what & BEV_EVENT_ERROR)
		c->cbs->closed(c->arg, "connection error");
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
	bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_setwatermark(bev, EV_READ, 0, input_max);
	bufferevent_setwatermark(bev, EV_WRITE, output_low, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
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
	/* The top first: a filter flushes into what is under it. */
	while (c->depth > 0)
		bufferevent_free(c->stack[--c->depth]);
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
	bufferevent_disable(conn_top(c), EV_READ);
	/* Called back once the output is empty. */
	bufferevent_setwatermark(conn_top(c), EV_WRITE, 0, 0);
}
