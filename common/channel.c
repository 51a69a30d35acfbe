/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/channel.h"
#include "common/log.h"

/* Messages handled per wake-up, so that one busy channel does not starve
 * the rest of an event loop. */
#define CHAN_BURST		64
/* Questions that may wait for an answer at once. */
#define CHAN_ASKS_MAX		32

struct chan_qmsg {
	uint16_t	type;
	uint16_t	len;
	int		fd;		/* our copy, or -1 */
	uint8_t		payload[IPC_PAYLOAD_MAX];
};

struct channel {
	const struct chan_peer *peer;
	int		fd;
	struct event	*rev, *wev;
	chan_handler_fn	*handler;
	chan_closed_fn	*closed_cb;
	void		(*drained_cb)(void *);
	void		*arg;

	struct chan_qmsg *queue;	/* peer->queue_max, circular */
	size_t		head, count;

	uint8_t		seen[32];	/* CHAN_ONCE types received, by offset */
	int		started;
	uint32_t	asks[CHAN_ASKS_MAX];	/* ids without an answer yet */
	size_t		nasks;
	uint32_t	next_id;

	int		closed;
	int		depth;		/* inside one of our callbacks */
	int		free_pending;
};

static void chan_read_cb(evutil_socket_t fd, short what, void *arg);
static void chan_write_cb(evutil_socket_t fd, short what, void *arg);

struct channel *
channel_new(struct event_base *base, int fd, const struct chan_peer *peer,
    chan_handler_fn *handler, chan_closed_fn *closed, void *arg)
{
	struct channel *ch;
	int flags;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->queue = calloc(peer->queue_max > 0 ? peer->queue_max : 1,
	    sizeof(*ch->queue));
	ch->rev = event_new(base, fd, EV_READ | EV_PERSIST, chan_read_cb, ch);
	ch->wev = event_new(base, fd, EV_WRITE | EV_PERSIST, chan_write_cb, ch);
	if (ch->queue == NULL || ch->rev == NULL || ch->wev == NULL ||
	    event_add(ch->rev, NULL) < 0) {
		if (ch->rev != NULL)
			event_free(ch->rev);
		if (ch->wev != NULL)
			event_free(ch->wev);
		free(ch->queue);
		free(ch);
		return NULL;
	}
	if ((flags = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	ch->fd = fd;
	ch->peer = peer;
	ch->handler = handler;
	ch->closed_cb = closed;
	ch->arg = arg;
	return ch;
}

static struct chan_qmsg *
chan_at(struct channel *ch, size_t i)
{
	return &ch->queue[(ch->head + i) % ch->peer->queue_max];
}

static void
chan_pop(struct channel *ch)
{
	struct chan_qmsg *q = chan_at(ch, 0);

	if (q->fd >= 0)
		close(q->fd);
	ch->head = (ch->head + 1) % ch->peer->queue_max;
	ch->count--;
}

/* Stop everything and close the socket, so that the peer sees end of
 * file now; the object stays until channel_free(). */
static void
chan_shut(struct channel *ch)
{
	if (ch->closed)
		return;
	ch->closed = 1;
	event_del(ch->rev);
	event_del(ch->wev);
	while (ch->count > 0)
		chan_pop(ch);
	close(ch->fd);
	ch->fd = -1;
}

static void
chan_really_free(struct channel *ch)
{
	chan_shut(ch);
	event_free(ch->rev);
	event_free(ch->wev);
	free(ch->queue);
	free(ch);
}

void
channel_free(struct channel *ch)
{
	if (ch == NULL)
		return;
	if (ch->depth > 0) {
		chan_shut(ch);
		ch->free_pending = 1;
		return;
	}
	chan_really_free(ch);
}

/* Leave one of our callbacks: 1 when the channel was freed in it. */
static int
chan_leave(struct channel *ch)
{
	if (--ch->depth == 0 && ch->free_pending) {
		chan_really_free(ch);
		return 1;
	}
	return 0;
}

static void
chan_close(struct channel *ch, int error, const char *why)
{
	if (ch->closed)
		return;
	chan_shut(ch);
	if (ch->closed_cb != NULL)
		ch->closed_cb(ch->arg, error, why);
}

/*
 * A send or receive failed with errno: a peer that closed its end is an
 * end of file however we learn of it (EPIPE: we wrote first; ECONNRESET:
 * it left messages of ours unread), else an error.
 */
static void
chan_close_errno(struct channel *ch)
{
	if (errno == EPIPE || errno == ECONNRESET)
		chan_close(ch, 0, "closed by the peer");
	else
		chan_close(ch, 1, strerror(errno));
}

static const struct chan_rule *
chan_rule(const struct channel *ch, uint16_t type)
{
	for (size_t i = 0; i < ch->peer->nrules; i++)
		if (ch->peer->rules[i].type == type)
			return &ch->peer->rules[i];
	return NULL;
}

/* NULL when the message may come now, else why not. */
static const char *
chan_allowed(struct channel *ch, const struct ipc_msg *m)
{
	const struct chan_rule *rule = chan_rule(ch, m->hdr.type);
	unsigned int off = m->hdr.type - ch->peer->first;
	uint8_t bit = (uint8_t)(1u << (off % 8));

	if (rule == NULL)
		return NULL;
	if (rule->flags & (CHAN_ONCE | CHAN_START)) {
		if (off >= sizeof(ch->seen) * 8)
			return "type out of the rule table";
		if (ch->seen[off / 8] & bit)
			return "sent twice, allowed once";
		ch->seen[off / 8] |= bit;
	}
	if ((rule->flags & CHAN_BEFORE_START) && ch->started)
		return "allowed only before start";
	if ((rule->flags & CHAN_AFTER_START) && !ch->started)
		return "allowed only after start";
	if (rule->flags & CHAN_ANSWER) {
		uint32_t id;
		size_t i;

		memcpy(&id, m->u.raw, sizeof(id));
		for (i = 0; i < ch->nasks; i++)
			if (ch->asks[i] == id)
				break;
		if (i == ch->nasks)
			return "an answer to no question";
		ch->asks[i] = ch->asks[--ch->nasks];
	}
	if (rule->flags & CHAN_START)
		ch->started = 1;
	return NULL;
}

static void
chan_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel *ch = arg;
	struct ipc_msg m;
	const char *why = NULL;
	char buf[160];
	int mfd, r, error = 1;

	ch->depth++;
	for (int i = 0; i < CHAN_BURST && !ch->closed; i++) {
		r = ipc_recv(ch->fd, &m, &mfd, ch->peer->first, ch->peer->last);
		if (r == 0) {
			why = "end of file";
			error = 0;
			break;
		}
		if (r < 0) {
			if (errno == EPIPE || errno == ECONNRESET) {
				why = "closed by the peer";
				error = 0;
			} else if (errno != EAGAIN && errno != EINTR)
				why = errno == EPROTO ? "malformed message" :
				    strerror(errno);
			break;
		}
		if ((why = chan_allowed(ch, &m)) != NULL) {
			snprintf(buf, sizeof(buf), "%s: %s",
			    ipc_type_name(m.hdr.type), why);
			why = buf;
			if (mfd >= 0)
				close(mfd);
			break;
		}
		if (ch->handler(ch->arg, &m, mfd) < 0) {
			snprintf(buf, sizeof(buf), "%s refused",
			    ipc_type_name(m.hdr.type));
			why = buf;
			break;
		}
	}
	if (why != NULL)
		chan_close(ch, error, why);
	chan_leave(ch);
}

/* Send what is queued, in order, as far as the socket takes it. */
static void
chan_flush(struct channel *ch)
{
	while (ch->count > 0 && !ch->closed) {
		struct chan_qmsg *q = chan_at(ch, 0);

		if (ipc_send(ch->fd, q->type, q->payload, q->len, q->fd) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			chan_close_errno(ch);
			return;
		}
		chan_pop(ch);
	}
	if (ch->closed)
		return;
	if (ch->count > 0) {
		event_add(ch->wev, NULL);
		return;
	}
	event_del(ch->wev);
	if (ch->drained_cb != NULL)
		ch->drained_cb(ch->arg);
}

static void
chan_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel *ch = arg;

	ch->depth++;
	chan_flush(ch);
	chan_leave(ch);
}

int
channel_send(struct channel *ch, uint16_t type, const void *payload,
    size_t len, int fd)
{
	struct chan_qmsg *q;
	char why[96];

	if (ch->closed)
		return -1;
	if (ipc_valid(type, len, fd >= 0) < 0) {
		log_warnx("bug: %s of %zu bytes%s is not a message",
		    ipc_type_name(type), len, fd >= 0 ? " with fd" : "");
		return -1;
	}
	/* The fast way: nothing waits, the socket takes it now. */
	if (ch->count == 0) {
		if (ipc_send(ch->fd, type, payload, len, fd) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR) {
			ch->depth++;
			chan_close_errno(ch);
			chan_leave(ch);
			return -1;
		}
	}
	if (ch->count == ch->peer->queue_max) {
		if (ch->peer->on_full == CHAN_FULL_CLOSE) {
			snprintf(why, sizeof(why), "%s is not reading: %zu "
			    "messages queued", ch->peer->name, ch->count);
			ch->depth++;
			chan_close(ch, 1, why);
			chan_leave(ch);
			return -1;
		}
		log_debug("%s is behind: oldest %s dropped", ch->peer->name,
		    ipc_type_name(chan_at(ch, 0)->type));
		chan_pop(ch);
	}
	q = chan_at(ch, ch->count);
	q->fd = -1;
	if (fd >= 0 && (q->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		log_warn("to %s: %s", ch->peer->name, ipc_type_name(type));
		return -1;
	}
	q->type = type;
	q->len = (uint16_t)len;
	if (len > 0)
		memcpy(q->payload, payload, len);
	ch->count++;
	event_add(ch->wev, NULL);
	return 0;
}

uint32_t
channel_ask(struct channel *ch, uint16_t type, void *payload, size_t len)
{
	uint32_t id;

	if (len < sizeof(id) || ch->nasks == CHAN_ASKS_MAX)
		return 0;
	if (++ch->next_id == 0)
		ch->next_id = 1;
	id = ch->next_id;
	memcpy(payload, &id, sizeof(id));
	if (channel_send(ch, type, payload, len, -1) < 0)
		return 0;
	ch->asks[ch->nasks++] = id;
	return id;
}

void
channel_set_drained(struct channel *ch, void (*fn)(void *arg))
{
	ch->drained_cb = fn;
}

size_t
channel_queued(const struct channel *ch)
{
	return ch->count;
}

void *
channel_tail(struct channel *ch, uint16_t type)
{
	struct chan_qmsg *q;

	if (ch->count == 0)
		return NULL;
	q = chan_at(ch, ch->count - 1);
	return q->type == type ? q->payload : NULL;
}

int
channel_closed(const struct channel *ch)
{
	return ch->closed;
}

const struct chan_peer *
channel_peer(const struct channel *ch)
{
	return ch->peer;
}
