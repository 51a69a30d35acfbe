/*
 * One viewer's connection: its buffers, its life and its updates.  The
 * protocol itself is in rfb.c.
 *
 * A client is sent an update only when it asked for one and has drained
 * what it was sent before below CLIENT_OUTPUT_LOW; until then its damage
 * accumulates.  So a slow client gets the newest pixels of everything that
 * changed, never a backlog, and a client that stops reading holds at most
 * one update in memory and costs the others nothing.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "common/log.h"

#define STRINGIFY(x)	STRINGIFY_(x)
#define STRINGIFY_(x)	#x

static void client_read_cb(struct bufferevent *bev, void *arg);
static void client_write_cb(struct bufferevent *bev, void *arg);
static void client_event_cb(struct bufferevent *bev, short what, void *arg);

struct client *
client_new(struct broker *b, int fd, const char *peer, int allow_none)
{
	static const char version[] = "RFB 003.008\n";
	static const struct timeval handshake = { CLIENT_HANDSHAKE_SECONDS, 0 };
	struct client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->broker = b;
	c->id = ++b->next_id;
	c->allow_none = allow_none;
	c->state = CLIENT_VERSION;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	keyboard_init(&c->kb);
	if (fd >= 0) {
		c->bev = bufferevent_socket_new(b->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			free(c);
			return NULL;
		}
		bufferevent_setcb(c->bev, client_read_cb, client_write_cb,
		    client_event_cb, c);
		bufferevent_setwatermark(c->bev, EV_READ, 0, CLIENT_INPUT_MAX);
		bufferevent_setwatermark(c->bev, EV_WRITE, CLIENT_OUTPUT_LOW, 0);
		bufferevent_set_timeouts(c->bev, &handshake, NULL);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		c->out = bufferevent_get_output(c->bev);
	} else if ((c->out = evbuffer_new()) == NULL) {
		free(c);
		return NULL;
	}
	evbuffer_add(c->out, version, sizeof(version) - 1);
	TAILQ_INSERT_TAIL(&b->clients, c, entry);
	b->nclients++;
	log_debug("client %u (%s): accepted%s", c->id, c->peer,
	    allow_none ? "" : ", not local");
	screen_clients_changed(b);
	return c;
}

/* The keyboard's way out: a key of this client to the input helper. */
void
client_emit_key(void *arg, uint16_t code, int down)
{
	struct client *c = arg;

	input_key(c->broker, code, down);
}

void
client_close(struct client *c, const char *why)
{
	struct broker *b = c->broker;

	log_info("client %u (%s): closed: %s", c->id, c->peer, why);
	/* Whatever this client held down is let go. */
	keyboard_release_all(&c->kb, client_emit_key, c);
	if (c->buttons & RFB_BUTTONS_HELD) {
		struct ipc_in_pointer p = { .x = c->ptr_x, .y = c->ptr_y };

		input_pointer(b, &p);
	}
	TAILQ_REMOVE(&b->clients, c, entry);
	b->nclients--;
	damage_free(&c->damage);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	else
		evbuffer_free(c->out);
	free(c);
	screen_clients_changed(b);
}

/* ServerInit is out: from now on a viewer may idle as long as it likes. */
void
client_initialized(struct client *c)
{
	if (c->bev != NULL)
		bufferevent_set_timeouts(c->bev, NULL, NULL);
}

void
client_fail(struct client *c, const char *reason)
{
	log_info("client %u (%s): refused: %s", c->id, c->peer, reason);
	c->state = CLIENT_CLOSING;
	c->update_wanted = 0;
	/* The reason is on its way; the connection closes once it is out. */
	if (c->bev != NULL) {
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	}
}

void
client_try_update(struct client *c)
{
	if (c->state != CLIENT_NORMAL || !c->update_wanted ||
	    evbuffer_get_length(c->out) >= CLIENT_OUTPUT_LOW ||
	    !screen_has_frame(&c->broker->screen))
		return;
	if (rfb_send_update(c) < 0)
		client_fail(c, "out of memory");
}

void
client_screen_ready(struct client *c)
{
	if (c->state == CLIENT_WAIT_SCREEN) {
		rfb_send_server_init(c);
		/* Messages that came early are waiting in the input buffer. */
		if (c->bev != NULL)
			client_read_cb(c->bev, c);
	}
}

/* The screen changed: d holds the damage, or the geometry is new. */
void
client_screen_changed(struct client *c, const struct damage *d)
{
	const struct screen *s = &c->broker->screen;

	if (c->state != CLIENT_NORMAL)
		return;
	if (s->width != c->width || s->height != c->height) {
		if (!c->desktop_size) {
			client_close(c, "the screen changed size and the "
			    "client does not support DesktopSize");
			return;
		}
		damage_free(&c->damage);
		if (damage_init(&c->damage, s->width, s->height) < 0) {
			client_close(c, "out of memory");
			return;
		}
		c->width = s->width;
		c->height = s->height;
		damage_add_all(&c->damage);
		c->wanted = (struct rect){ 0, 0, c->width, c->height };
		c->resize_pending = 1;
	} else
		damage_union(&c->damage, d);
	client_try_update(c);
}

/* Run the protocol over what arrived; returns the bytes consumed, or -1
 * when the client must be closed. */
long
client_feed(struct client *c, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		long n = rfb_input(c, buf + off, len - off);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	return (long)off;
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);
	const uint8_t *buf;
	long n;

	if (len == 0)
		return;
	if ((buf = evbuffer_pullup(in, -1)) == NULL) {
		client_close(c, "out of memory");
		return;
	}
	if ((n = client_feed(c, buf, len)) < 0) {
		client_close(c, "protocol error");
		return;
	}
	evbuffer_drain(in, (size_t)n);
	if (c->state == CLIENT_CLOSING && evbuffer_get_length(c->out) == 0)
		client_close(c, "refused");

}

static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	if (c->state == CLIENT_CLOSING) {
		if (evbuffer_get_length(c->out) == 0)
			client_close(c, "refused");
		return;
	}
	client_try_update(c);
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;

	if (what & BEV_EVENT_TIMEOUT)
		client_close(c, "no ServerInit within "
		    STRINGIFY(CLIENT_HANDSHAKE_SECONDS) " s");
	else if (what & BEV_EVENT_EOF)
		client_close(c, "end of connection");
	else if (what & BEV_EVENT_ERROR)
		client_close(c, "connection error");
}
