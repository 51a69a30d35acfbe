/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One viewer: its connection, its session, its role and its life.  What
 * it is sent is in updates.c; the protocol itself in session.c.
 *
 * Every byte queued for a client counts against its output: updates are
 * encoded only below CLIENT_OUTPUT_LOW, and other replies fit in
 * CLIENT_OUTPUT_SMALL on top of the last update, or the client is closed.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/client.h"
#include "broker/conn.h"
#include "broker/encoders/encoder.h"
#include "common/log.h"

#define STRINGIFY(x)	STRINGIFY_(x)
#define STRINGIFY_(x)	#x

static void client_read(void *arg);
static void client_drained(void *arg);
static void client_conn_closed(void *arg, const char *why);

static const struct conn_cbs client_conn_cbs = {
	.read = client_read,
	.drained = client_drained,
	.closed = client_conn_closed,
};

static void on_client_init(void *arg, int shared);
static int on_pixel_format(void *arg, const struct pixfmt *pf);
static void on_encodings(void *arg, const uint8_t *list, size_t n);
static void on_update_request(void *arg, const struct rect *r, int inc);
static void on_key(void *arg, uint32_t keysym, int down);
static void on_qemu_key(void *arg, uint32_t keysym, uint32_t xt, int down);
static void on_pointer(void *arg, uint16_t x, uint16_t y, uint16_t mask);
static void on_cut_text(void *arg, const uint8_t *text, size_t len,
    uint32_t total);
static int on_set_desktop_size(void *arg, int status);
static void client_emit_key(void *arg, uint16_t code, int down);

static const struct session_cbs client_session_cbs = {
	.client_init = on_client_init,
	.pixel_format = on_pixel_format,
	.encodings = on_encodings,
	.update_request = on_update_request,
	.key = on_key,
	.qemu_key = on_qemu_key,
	.pointer = on_pointer,
	.cut_text = on_cut_text,
	.set_desktop_size = on_set_desktop_size,
};

/*
 * A client's keyboard: one of the broker's, on its layout.  A broker whose
 * main() set no layout (a test's, a fuzz target's) types on the built-in
 * US table.
 */
static struct client *
client_alloc(struct broker *b)
{
	struct client *c;

	if (b->keys.map == NULL) {
		if (b->keymap == NULL)
			b->keymap = keymap_builtin();
		keyboards_init(&b->keys, b->keymap);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (keyboard_init(&c->kb, &b->keys, client_emit_key, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static struct client *
client_start(struct broker *b, struct client *c, const char *peer,
    uint32_t security)
{
	c->broker = b;
	c->id = ++b->next_id;
	c->role = CLIENT_CONTROL;	/* no roles before accounts exist */
	snprintf(c->tag, sizeof(c->tag), "client %u (%s)", c->id, peer);
	c->sub = (struct screen_sub){ .changed = updates_screen_changed,
	    .arg = c };
	session_init(&c->session, &client_session_cbs, c,
	    conn_output(c->conn), c->tag, security);
	conn_set_timeout(c->conn, CLIENT_HANDSHAKE_SECONDS);
	TAILQ_INSERT_TAIL(&b->clients, c, entry);
	b->nclients++;
	log_debug("%s: accepted", c->tag);
	return c;
}

struct client *
client_new(struct broker *b, int fd, const char *peer, uint32_t security)
{
	struct client *c;

	if ((c = client_alloc(b)) == NULL)
		return NULL;
	c->conn = conn_new_socket(b->base, fd, CLIENT_INPUT_MAX,
	    CLIENT_OUTPUT_LOW, &client_conn_cbs, c);
	if (c->conn == NULL) {
		keyboard_free(&c->kb);
		free(c);
		return NULL;
	}
	return client_start(b, c, peer, security);
}

struct client *
client_new_bev(struct broker *b, struct bufferevent *bev, const char *peer,
    uint32_t security)
{
	struct client *c;

	if ((c = client_alloc(b)) == NULL)
		return NULL;
	c->conn = conn_new(bev, CLIENT_INPUT_MAX, CLIENT_OUTPUT_LOW,
	    &client_conn_cbs, c);
	if (c->conn == NULL) {
		keyboard_free(&c->kb);
		free(c);
		return NULL;
	}
	return client_start(b, c, peer, security);
}

/*
 * The gate: the one way from a client to the input helper.  A client
 * without the control role never gets past it.
 */
static int
client_may_control(struct client *c)
{
	return c->role == CLIENT_CONTROL;
}

static void
client_emit_key(void *arg, uint16_t code, int down)
{
	struct client *c = arg;

	if (client_may_control(c)) {
		in_key(c->broker, code, down);
		cap_active(&c->broker->screen);
		c->gave_input = 1;
	}
}

static void
client_emit_pointer(struct client *c, const struct ipc_in_pointer *p)
{
	if (client_may_control(c)) {
		in_pointer(c->broker, p);
		cap_active(&c->broker->screen);
		c->gave_input = 1;
	}
}

void
client_close(struct client *c, const char *why)
{
	struct broker *b = c->broker;

	log_info("%s: closed: %s", c->tag, why);
	/* Whatever this client held down is let go; its paste stops. */
	paste_stop(c);
	keyboard_free(&c->kb);
	if (c->buttons & RFB_BUTTONS_HELD) {
		struct ipc_in_pointer p = { .x = c->ptr_x, .y = c->ptr_y };

		client_emit_pointer(c, &p);
	}
	TAILQ_REMOVE(&b->clients, c, entry);
	b->nclients--;
	if (c->active) {
		screen_unsubscribe(&b->screen, &c->sub);
		b->nactive--;
		screen_viewers_changed(&b->screen);
	}
	updates_free(c);
	conn_free(c->conn);
	free(c);
}

int
client_room(struct client *c, size_t more)
{
	size_t budget = CLIENT_OUTPUT_LOW + c->up.last_size +
	    CLIENT_OUTPUT_SMALL;

	if (conn_unsent(c->conn) + more <= budget)
		return 1;
	log_warnx("%s: asks for replies without reading them (%zu bytes "
	    "unsent): closing", c->tag, conn_unsent(c->conn));
	session_fail(&c->session, "does not read what it asked for");
	return 0;
}

/* Run the session over what arrived, until it needs more, the client is
 * done, or the input helper is too far behind to take more input from it
 * (a client that only watches is never held). */
static void
client_read(void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = conn_input(c->conn);
	size_t len = evbuffer_get_length(in), off = 0;
	const uint8_t *buf;

	if (len == 0 || c->input_held)
		return;
	if ((buf = evbuffer_pullup(in, -1)) == NULL) {
		client_close(c, "out of memory");
		return;
	}
	while (off < len) {
		long n;

		c->gave_input = 0;
		n = session_input(&c->session, buf + off, len - off);
		if (n < 0) {
			client_close(c, "protocol error");
			return;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (c->gave_input && in_busy(c->broker) && off < len) {
			c->input_held = 1;
			conn_hold_input(c->conn, 1);
			log_debug("%s: held until the input helper catches up",
			    c->tag);
			break;
		}
	}
	evbuffer_drain(in, off);
	if (c->session.state == SESSION_CLOSING) {
		conn_close_after_flush(c->conn);
		if (conn_unsent(c->conn) == 0)
			client_close(c, "refused");
	}
}

void
clients_leds_changed(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp)
		if (c->session.state == SESSION_NORMAL)
			updates_leds_changed(c);
}

void
clients_input_ready(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp) {
		if (!c->input_held || in_busy(b))
			continue;
		c->input_held = 0;
		conn_hold_input(c->conn, 0);
		client_read(c);
	}
}

static void
client_drained(void *arg)
{
	updates_try(arg);
}

static void
client_conn_closed(void *arg, const char *why)
{
	struct client *c = arg;

	if (c->session.state == SESSION_CLOSING)
		why = "refused";
	else if (strcmp(why, "timed out") == 0)
		why = "no ServerInit within " STRINGIFY(CLIENT_HANDSHAKE_SECONDS)
		    " s";
	client_close(c, why);
}

/* ServerInit, once the screen can be described: a frame is there. */
void
client_server_init(struct client *c)
{
	const struct frame *f = c->broker->screen.cur;

	if (c->session.state != SESSION_WAIT_SERVER || f == NULL)
		return;
	if (updates_start(c, f) < 0) {
		client_close(c, "out of memory");
		return;
	}
	session_server_init(&c->session, (uint16_t)f->width,
	    (uint16_t)f->height, c->broker->desktop_name);
	/* From now on a viewer may idle as long as it likes. */
	conn_set_timeout(c->conn, 0);
}

/* The handshake is done: this is a viewer, and capture runs for it. */
static void
on_client_init(void *arg, int shared)
{
	struct client *c = arg;
	struct broker *b = c->broker;

	/* The shared flag is ignored: every viewer shares the screen. */
	c->active = 1;
	b->nactive++;
	screen_subscribe(&b->screen, &c->sub);
	screen_viewers_changed(&b->screen);
	client_server_init(c);
}

static int
on_pixel_format(void *arg, const struct pixfmt *pf)
{
	struct client *c = arg;

	if (!pf->true_colour) {
		if (!client_room(c, SESSION_COLOUR_MAP_SIZE))
			return 0;
		session_send_colour_map(&c->session);
	}
	pixconv_init(&c->up.conv, pf);
	return 0;
}

static void
on_encodings(void *arg, const uint8_t *list, size_t n)
{
	updates_set_encodings(arg, list, n);
}

static void
on_update_request(void *arg, const struct rect *r, int incremental)
{
	updates_request(arg, r, incremental);
}

static int
on_set_desktop_size(void *arg, int status)
{
	return updates_set_desktop_size(arg, status);
}

/* A keysym the layout has no key for: said once, then dropped. */
static void
unknown_keysym(struct client *c, uint32_t keysym)
{
	struct broker *b = c->broker;

	for (unsigned int i = 0; i < b->nunknown; i++)
		if (b->unknown_keysyms[i] == keysym)
			return;
	if (b->nunknown < BROKER_UNKNOWN_KEYSYMS)
		b->unknown_keysyms[b->nunknown++] = keysym;
	log_info("%s: keysym 0x%04x has no key on the %s layout: dropped",
	    c->tag, keysym, keymap_name(b->keys.map));
}

/*
 * Keys of a client without control do not even reach its keyboard: what a
 * keyboard holds counts for every client (a Shift held lifted around
 * another's '8', and put back down), so a view-only client's keys must
 * hold nothing.
 */
static void
on_key(void *arg, uint32_t keysym, int down)
{
	struct client *c = arg;

	if (!client_may_control(c))
		return;
	if (keyboard_event(&c->kb, keysym, down) < 0)
		unknown_keysym(c, keysym);
}

/*
 * A QEMU Extended Key Event: the key by its scancode, whatever the layout.
 * A scancode that is no key we know is ignored (said once a client):
 * rfbproto.rst has clients send it only for keys whose code they know, so
 * it is a key our table lacks, not a broken client; and the keysym that
 * comes with it is not used instead, so that a press and its release never
 * take two different paths to two different keys.
 */
static void
on_qemu_key(void *arg, uint32_t keysym, uint32_t xt, int down)
{
	struct client *c = arg;
	uint16_t code = keymap_xt_code(xt);

	if (!client_may_control(c))
		return;
	if (code != 0 && keyboard_raw(&c->kb, code, keysym, down) == 0)
		return;
	if (!c->xt_unknown_said) {
		c->xt_unknown_said = 1;
		log_info("%s: XT scancode 0x%02x (keysym 0x%04x) is no key "
		    "we know: ignored", c->tag, xt, keysym);
	} else
		log_debug("%s: XT scancode 0x%02x ignored", c->tag, xt);
}

/*
 * A ClientCutText: typed on the layout when --paste-as-typing asks for it
 * and the client has control; dropped otherwise, as viewers send their
 * clipboard on their own.
 */
static void
on_cut_text(void *arg, const uint8_t *text, size_t len, uint32_t total)
{
	struct client *c = arg;

	if (!c->broker->paste_as_typing)
		return;
	if (!client_may_control(c)) {
		log_info("%s: paste of %u bytes not typed: view only", c->tag,
		    total);
		return;
	}
	paste_start(c, text, len, total);
}

static uint16_t
scale(uint16_t v, uint32_t size)
{
	if (size <= 1)
		return 0;
	if (v >= size)
		v = (uint16_t)(size - 1);
	return (uint16_t)((uint32_t)v * 65535 / (size - 1));
}

static void
on_pointer(void *arg, uint16_t x, uint16_t y, uint16_t mask)
{
	struct client *c = arg;
	uint16_t pressed = mask & ~c->buttons;
	struct ipc_in_pointer ev;

	memset(&ev, 0, sizeof(ev));
	ev.x = scale(x, c->up.width);
	ev.y = scale(y, c->up.height);
	/* RFB buttons 1-3 are left, middle, right; 4-7 the wheel, one notch
	 * a press; 8 the "back" side button; forward comes only with
	 * ExtendedMouseButtons. */
	ev.buttons = (mask & 1 ? IPC_BTN_LEFT : 0) |
	    (mask & 2 ? IPC_BTN_MIDDLE : 0) | (mask & 4 ? IPC_BTN_RIGHT : 0) |
	    (mask & SESSION_BUTTON_BACK ? IPC_BTN_SIDE : 0) |
	    (mask & SESSION_BUTTON_FORWARD ? IPC_BTN_EXTRA : 0);
	ev.wheel = (int8_t)((pressed & 8 ? 1 : 0) - (pressed & 16 ? 1 : 0));
	ev.hwheel = (int8_t)((pressed & 64 ? 1 : 0) - (pressed & 32 ? 1 : 0));
	if (!c->ptr_known || ev.x != c->ptr_x || ev.y != c->ptr_y ||
	    ev.wheel || ev.hwheel ||
	    (mask & RFB_BUTTONS_HELD) != (c->buttons & RFB_BUTTONS_HELD))
		client_emit_pointer(c, &ev);
	c->ptr_known = 1;
	c->buttons = mask;
	c->ptr_x = ev.x;
	c->ptr_y = ev.y;
}
