/*
 * The RFB protocol (rfbproto.rst) on bytes: the handshake of versions 3.3,
 * 3.7 and 3.8, then one small handler per client message.  Every function
 * here reads from a buffer and writes to the client's output evbuffer, so
 * that a fuzz target can drive it without a socket.
 */
#include "config.h"

#include <event2/buffer.h>
#include <rfb/rfbproto.h>

#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/encoders/encoder.h"
#include "broker/wire.h"
#include "common/log.h"

#define RFB_VERSION_LEN		12
#define UPDATE_MAX_RECTS	64

static void
put8(struct evbuffer *out, uint8_t v)
{
	evbuffer_add(out, &v, 1);
}

static void
put16(struct evbuffer *out, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	evbuffer_add(out, b, sizeof(b));
}

static void
put32(struct evbuffer *out, uint32_t v)
{
	uint8_t b[4];

	wire_put32(b, v);
	evbuffer_add(out, b, sizeof(b));
}

static void
put_string(struct evbuffer *out, const char *s)
{
	put32(out, (uint32_t)strlen(s));
	evbuffer_add(out, s, strlen(s));
}

/* ProtocolVersion: "RFB xxx.yyy\n".  Minor versions other than 7 and 8
 * are handled as 3.3, as the specification asks; anything newer as 3.8. */
static int
parse_version(const uint8_t *p, int *minor)
{
	int major = 0, min = 0;

	if (memcmp(p, "RFB ", 4) != 0 || p[7] != '.' || p[11] != '\n')
		return -1;
	for (int i = 4; i < 11; i++) {
		if (i == 7)
			continue;
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (i < 7)
			major = major * 10 + (p[i] - '0');
		else
			min = min * 10 + (p[i] - '0');
	}
	if (major != 3)
		return -1;
	*minor = min >= 8 ? 8 : min == 7 ? 7 : 3;
	return 0;
}

static const char no_security[] =
    "no security type available: security None is allowed only on "
    "loopback and unix sockets";

static long
on_version(struct client *c, const uint8_t *p, size_t len)
{
	if (len < RFB_VERSION_LEN)
		return 0;
	if (parse_version(p, &c->minor) < 0) {
		log_warnx("client %u (%s): bad protocol version", c->id,
		    c->peer);
		return -1;
	}
	log_debug("client %u: RFB 3.%d", c->id, c->minor);
	if (c->minor == 3) {
		if (c->allow_none) {
			put32(c->out, rfbSecTypeNone);
			c->state = CLIENT_INIT;
		} else {
			put32(c->out, rfbConnFailed);
			put_string(c->out, no_security);
			client_fail(c, no_security);
		}
		return RFB_VERSION_LEN;
	}
	if (c->allow_none) {
		put8(c->out, 1);
		put8(c->out, rfbSecTypeNone);
		c->state = CLIENT_SECURITY;
	} else {
		put8(c->out, 0);
		put_string(c->out, no_security);
		client_fail(c, no_security);
	}
	return RFB_VERSION_LEN;
}

static long
on_security(struct client *c, const uint8_t *p, size_t len)
{
	if (len < 1)
		return 0;
	if (p[0] != rfbSecTypeNone) {
		static const char bad[] = "security type not offered";

		if (c->minor == 8) {
			put32(c->out, 1);
			put_string(c->out, bad);
		}
		client_fail(c, bad);
		return 1;
	}
	if (c->minor == 8)
		put32(c->out, 0);	/* SecurityResult: OK */
	c->state = CLIENT_INIT;
	return 1;
}

static long
on_client_init(struct client *c, const uint8_t *p, size_t len)
{
	if (len < 1)
		return 0;
	/* The shared flag is ignored: every viewer shares the screen. */
	rfb_client_init(c);
	return 1;
}

void
rfb_client_init(struct client *c)
{
	if (screen_has_frame(&c->broker->screen))
		rfb_send_server_init(c);
	else
		c->state = CLIENT_WAIT_SCREEN;
}

void
rfb_send_server_init(struct client *c)
{
	const struct screen *s = &c->broker->screen;
	uint8_t pf[sz_rfbPixelFormat];

	if (damage_init(&c->damage, s->width, s->height) < 0) {
		client_fail(c, "out of memory");
		return;
	}
	c->width = s->width;
	c->height = s->height;
	pixconv_init(&c->conv, &pixfmt_native);
	c->encoder = &encoder_raw;
	put16(c->out, (uint16_t)c->width);
	put16(c->out, (uint16_t)c->height);
	pixfmt_to_wire(&pixfmt_native, pf);
	evbuffer_add(c->out, pf, sizeof(pf));
	put_string(c->out, c->broker->desktop_name);
	c->state = CLIENT_NORMAL;
	client_initialized(c);
	log_info("client %u (%s): connected, RFB 3.%d, %ux%u", c->id, c->peer,
	    c->minor, c->width, c->height);
}

static void
send_colour_map(struct client *c)
{
	uint16_t map[256][3];

	pixfmt_colour_map(map);
	put8(c->out, rfbSetColourMapEntries);
	put8(c->out, 0);
	put16(c->out, 0);
	put16(c->out, 256);
	for (int i = 0; i < 256; i++)
		for (int j = 0; j < 3; j++)
			put16(c->out, map[i][j]);
}

static long
on_set_pixel_format(struct client *c, const uint8_t *p, size_t len)
{
	struct pixfmt pf;
	const char *why;

	if (len < 20)
		return 0;
	pixfmt_from_wire(&pf, p + 4);
	if (pixfmt_validate(&pf, &why) < 0) {
		log_warnx("client %u (%s): SetPixelFormat rejected: %s", c->id,
		    c->peer, why);
		return -1;
	}
	pixconv_init(&c->conv, &pf);
	if (!pf.true_colour)
		send_colour_map(c);
	log_debug("client %u: pixel format %u bpp, depth %u, %s endian, "
	    "max %u/%u/%u shift %u/%u/%u", c->id, pf.bpp, pf.depth,
	    pf.big_endian ? "big" : "little", pf.red_max, pf.green_max,
	    pf.blue_max, pf.red_shift, pf.green_shift, pf.blue_shift);
	return 20;
}

static const struct encoder *const encoders[] = {
	&encoder_raw,
};

static long
on_set_encodings(struct client *c, const uint8_t *p, size_t len)
{
	size_t n, need;

	if (len < 4)
		return 0;
	n = wire_get16(p + 2);
	need = 4 + n * 4;
	if (len < need)
		return 0;
	c->encoder = &encoder_raw;	/* every client must understand Raw */
	c->desktop_size = 0;
	/* The client lists encodings in its order of preference: the first
	 * one we have wins. */
	for (size_t i = n; i-- > 0;) {
		int32_t enc = (int32_t)wire_get32(p + 4 + i * 4);

		if (enc == (int32_t)rfbEncodingNewFBSize)
			c->desktop_size = 1;
		for (size_t j = 0; j < sizeof(encoders) / sizeof(encoders[0]); j++)
			if (encoders[j]->encoding == enc)
				c->encoder = encoders[j];
	}
	log_debug("client %u: %zu encodings, using %s%s", c->id, n,
	    c->encoder->name, c->desktop_size ? ", DesktopSize" : "");
	return (long)need;
}

static int
clip(struct rect *r, uint32_t width, uint32_t height)
{
	if (r->x >= width || r->y >= height)
		return -1;
	if (r->w > width - r->x)
		r->w = width - r->x;
	if (r->h > height - r->y)
		r->h = height - r->y;
	return r->w > 0 && r->h > 0 ? 0 : -1;
}

static void
rect_union(struct rect *a, const struct rect *b)
{
	uint32_t x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	uint32_t y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;

	a->x = a->x < b->x ? a->x : b->x;
	a->y = a->y < b->y ? a->y : b->y;
	a->w = x1 - a->x;
	a->h = y1 - a->y;
}

static long
on_update_request(struct client *c, const uint8_t *p, size_t len)
{
	struct rect r;

	if (len < 10)
		return 0;
	r = (struct rect){ wire_get16(p + 2), wire_get16(p + 4),
	    wire_get16(p + 6), wire_get16(p + 8) };
	if (clip(&r, c->width, c->height) < 0)
		return 10;	/* nothing of the screen: nothing to send */
	if (!p[1])
		damage_add_rect(&c->damage, &r);
	if (c->update_wanted)
		rect_union(&c->wanted, &r);
	else
		c->wanted = r;
	c->update_wanted = 1;
	client_try_update(c);
	return 10;
}

static long
on_key_event(struct client *c, const uint8_t *p, size_t len)
{
	if (len < 8)
		return 0;
	keyboard_event(&c->kb, wire_get32(p + 4), p[1] != 0, client_emit_key,
	    c);
	return 8;
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

static long
on_pointer_event(struct client *c, const uint8_t *p, size_t len)
{
	uint8_t mask, pressed;
	struct ipc_in_pointer ev;

	if (len < 6)
		return 0;
	mask = p[1];
	pressed = mask & ~c->buttons;
	memset(&ev, 0, sizeof(ev));
	ev.x = scale(wire_get16(p + 2), c->width);
	ev.y = scale(wire_get16(p + 4), c->height);
	/* RFB buttons 1-3 are left, middle, right; 4-7 the wheel, one notch
	 * a press; 8 the "back" side button. */
	ev.buttons = (mask & 1 ? IPC_BTN_LEFT : 0) |
	    (mask & 2 ? IPC_BTN_MIDDLE : 0) | (mask & 4 ? IPC_BTN_RIGHT : 0) |
	    (mask & 128 ? IPC_BTN_SIDE : 0);
	ev.wheel = (int8_t)((pressed & 8 ? 1 : 0) - (pressed & 16 ? 1 : 0));
	ev.hwheel = (int8_t)((pressed & 64 ? 1 : 0) - (pressed & 32 ? 1 : 0));
	if (!c->ptr_known || ev.x != c->ptr_x || ev.y != c->ptr_y ||
	    ev.wheel || ev.hwheel ||
	    (mask & RFB_BUTTONS_HELD) != (c->buttons & RFB_BUTTONS_HELD))
		input_pointer(c->broker, &ev);
	c->ptr_known = 1;
	c->buttons = mask;
	c->ptr_x = ev.x;
	c->ptr_y = ev.y;
	return 6;
}

static long
on_cut_text(struct client *c, const uint8_t *p, size_t len)
{
	int32_t n;

	if (len < 8)
		return 0;
	n = (int32_t)wire_get32(p + 4);
	/* A negative length is the extended clipboard, which we did not
	 * offer. */
	if (n < 0 || n > CLIENT_CUT_TEXT_MAX) {
		log_warnx("client %u (%s): ClientCutText of %ld bytes refused",
		    c->id, c->peer, (long)n);
		return -1;
	}
	c->skip = (uint64_t)n;	/* dropped as it arrives, never buffered */
	return 8;
}

typedef long handler_fn(struct client *, const uint8_t *, size_t);

static handler_fn *const handlers[] = {
	[rfbSetPixelFormat] = on_set_pixel_format,
	[rfbSetEncodings] = on_set_encodings,
	[rfbFramebufferUpdateRequest] = on_update_request,
	[rfbKeyEvent] = on_key_event,
	[rfbPointerEvent] = on_pointer_event,
	[rfbClientCutText] = on_cut_text,
};

long
rfb_input(struct client *c, const uint8_t *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (c->skip > 0) {
		size_t n = c->skip < len ? (size_t)c->skip : len;

		c->skip -= n;
		return (long)n;
	}
	switch (c->state) {
	case CLIENT_VERSION:
		return on_version(c, buf, len);
	case CLIENT_SECURITY:
		return on_security(c, buf, len);
	case CLIENT_INIT:
		return on_client_init(c, buf, len);
	case CLIENT_WAIT_SCREEN:
		return 0;	/* nothing is due before ServerInit */
	case CLIENT_CLOSING:
		return (long)len;
	case CLIENT_NORMAL:
		break;
	}
	if (buf[0] >= sizeof(handlers) / sizeof(handlers[0]) ||
	    handlers[buf[0]] == NULL) {
		log_warnx("client %u (%s): unknown message type %u", c->id,
		    c->peer, buf[0]);
		return -1;
	}
	return handlers[buf[0]](c, buf, len);
}

int
rfb_send_update(struct client *c)
{
	const struct screen *s = &c->broker->screen;
	struct encode_src src = {
		.pixels = screen_pixels(s), .stride = s->stride,
		.width = s->width, .height = s->height,
	};
	struct rect rects[UPDATE_MAX_RECTS];
	size_t n;
	int resize = c->resize_pending;

	if (c->width != s->width || c->height != s->height)
		return 0;	/* a resize is on its way to this client */
	n = damage_take_rects(&c->damage, &c->wanted, rects,
	    UPDATE_MAX_RECTS);
	if (n == 0 && !resize)
		return 0;
	put8(c->out, rfbFramebufferUpdate);
	put8(c->out, 0);
	put16(c->out, (uint16_t)(n + (resize ? 1 : 0)));
	if (resize) {
		struct rect all = { 0, 0, c->width, c->height };

		encoder_rect_header(c->out, &all, (int32_t)rfbEncodingNewFBSize);
		c->resize_pending = 0;
	}
	for (size_t i = 0; i < n; i++)
		if (c->encoder->encode(&src, &rects[i], &c->conv, c->out) < 0)
			return -1;
	c->update_wanted = 0;
	return 1;
}
