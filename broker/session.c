/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFB protocol of one viewer, on bytes (session.h).  Every function
 * here reads from a buffer and writes to the session's output evbuffer, so
 * that tests and the fuzz target drive it over a bufferevent pair.
 */
#include "config.h"

#include <event2/buffer.h>
#include <rfb/rfbproto.h>

#include <stdio.h>
#include <string.h>

#include "broker/session.h"
#include "broker/wire.h"
#include "common/ipc.h"
#include "common/log.h"

#define RFB_VERSION_LEN		12

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

void
session_init(struct session *s, const struct session_cbs *cbs, void *arg,
    struct evbuffer *out, const char *tag, uint32_t security)
{
	static const char version[] = "RFB 003.008\n";

	*s = (struct session){ .cbs = cbs, .arg = arg, .out = out, .tag = tag,
	    .state = SESSION_VERSION, .security = security };
	evbuffer_add(out, version, sizeof(version) - 1);
}

void
session_set_output(struct session *s, struct evbuffer *out)
{
	s->out = out;
}

void
session_refuse(struct session *s, const char *reason)
{
	s->refusal = reason;
}

void
session_fail(struct session *s, const char *reason)
{
	log_info("%s: refused: %s", s->tag, reason);
	s->state = SESSION_CLOSING;
}

static long
on_version(struct session *s, const uint8_t *p, size_t len)
{
	if (len < RFB_VERSION_LEN)
		return 0;
	if (parse_version(p, &s->minor) < 0) {
		log_warnx("%s: bad protocol version", s->tag);
		return -1;
	}
	log_debug("%s: RFB 3.%d", s->tag, s->minor);
	security_offer(s);
	return RFB_VERSION_LEN;
}

static long
on_client_init(struct session *s, const uint8_t *p, size_t len)
{
	if (len < 1)
		return 0;
	s->state = SESSION_WAIT_SERVER;
	s->cbs->client_init(s->arg, p[0] != 0);
	return 1;
}

void
session_server_init(struct session *s, uint16_t width, uint16_t height,
    const char *name)
{
	uint8_t pf[sz_rfbPixelFormat];

	if (s->state != SESSION_WAIT_SERVER)
		return;
	s->width = width;
	s->height = height;
	wire_add16(s->out, width);
	wire_add16(s->out, height);
	pixfmt_to_wire(&pixfmt_native, pf);
	evbuffer_add(s->out, pf, sizeof(pf));
	wire_add_string(s->out, name);
	s->state = SESSION_NORMAL;
	log_info("%s: connected, RFB 3.%d, %ux%u", s->tag, s->minor, width,
	    height);
}

void
session_resized(struct session *s, uint16_t width, uint16_t height)
{
	s->width = width;
	s->height = height;
}

void
session_send_update_header(struct session *s, uint16_t nrects)
{
	wire_add8(s->out, rfbFramebufferUpdate);
	wire_add8(s->out, 0);
	wire_add16(s->out, nrects);
}

void
session_send_colour_map(struct session *s)
{
	uint16_t map[256][3];

	pixfmt_colour_map(map);
	wire_add8(s->out, rfbSetColourMapEntries);
	wire_add8(s->out, 0);
	wire_add16(s->out, 0);
	wire_add16(s->out, 256);
	for (int i = 0; i < 256; i++)
		for (int j = 0; j < 3; j++)
			wire_add16(s->out, map[i][j]);
}

static long
on_set_pixel_format(struct session *s, const uint8_t *p, size_t len)
{
	struct pixfmt pf;
	const char *why;

	if (len < 20)
		return 0;
	pixfmt_from_wire(&pf, p + 4);
	if (pixfmt_validate(&pf, &why) < 0) {
		log_warnx("%s: SetPixelFormat rejected: %s", s->tag, why);
		return -1;
	}
	if (s->cbs->pixel_format(s->arg, &pf) < 0)
		return -1;
	log_debug("%s: pixel format %u bpp, depth %u, %s endian, "
	    "max %u/%u/%u shift %u/%u/%u", s->tag, pf.bpp, pf.depth,
	    pf.big_endian ? "big" : "little", pf.red_max, pf.green_max,
	    pf.blue_max, pf.red_shift, pf.green_shift, pf.blue_shift);
	return 20;
}

static long
on_set_encodings(struct session *s, const uint8_t *p, size_t len)
{
	size_t n, need;

	if (len < 4)
		return 0;
	n = wire_get16(p + 2);
	need = 4 + n * 4;
	if (len < need)
		return 0;
	s->cbs->encodings(s->arg, p + 4, n);
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

static long
on_update_request(struct session *s, const uint8_t *p, size_t len)
{
	struct rect r;

	if (len < 10)
		return 0;
	r = (struct rect){ wire_get16(p + 2), wire_get16(p + 4),
	    wire_get16(p + 6), wire_get16(p + 8) };
	if (clip(&r, s->width, s->height) == 0)
		s->cbs->update_request(s->arg, &r, p[1] != 0);
	/* else nothing of the screen: nothing to send */
	return 10;
}

static long
on_key_event(struct session *s, const uint8_t *p, size_t len)
{
	if (len < 8)
		return 0;
	s->cbs->key(s->arg, wire_get32(p + 4), p[1] != 0);
	return 8;
}

/*
 * PointerEvent: 6 bytes.  Once ExtendedMouseButtons is confirmed, bit 7 of
 * the mask marks the 7-byte form, whose last byte holds back (bit 0) and
 * forward (bit 1); before, bit 7 is the back button (RFB button 8).
 */
static long
on_pointer_event(struct session *s, const uint8_t *p, size_t len)
{
	uint16_t buttons;

	if (len < 6)
		return 0;
	buttons = p[1];
	if ((s->confirmed & SESSION_EXT_MOUSE) && (p[1] & 0x80)) {
		if (len < 7)
			return 0;
		buttons = (uint16_t)((p[1] & 0x7f) |
		    (p[6] & 0x01 ? SESSION_BUTTON_BACK : 0) |
		    (p[6] & 0x02 ? SESSION_BUTTON_FORWARD : 0));
		s->cbs->pointer(s->arg, wire_get16(p + 2), wire_get16(p + 4),
		    buttons);
		return 7;
	}
	s->cbs->pointer(s->arg, wire_get16(p + 2), wire_get16(p + 4), buttons);
	return 6;
}

/*
 * A QEMU Client Message: only the Extended Key Event (submessage 0, 12
 * bytes), and only from a client we confirmed it to.  Anything else closes
 * the client: rfbproto.rst allows the message only after the confirmation,
 * and a submessage we do not know has a length we do not know, so nothing
 * after it could be read.
 */
static long
on_qemu(struct session *s, const uint8_t *p, size_t len)
{
	if (len < 2)
		return 0;
	if (p[1] != 0) {
		log_warnx("%s: QEMU client message of unknown submessage %u",
		    s->tag, p[1]);
		return -1;
	}
	if (!(s->confirmed & SESSION_QEMU_KEYS)) {
		log_warnx("%s: QEMU Extended Key Event not confirmed to it",
		    s->tag);
		return -1;
	}
	if (len < 12)
		return 0;
	s->cbs->qemu_key(s->arg, wire_get32(p + 4), wire_get32(p + 8),
	    wire_get16(p + 2) != 0);
	return 12;
}

static void
cut_done(struct session *s)
{
	if (s->cbs->cut_text != NULL)
		s->cbs->cut_text(s->arg, s->cut, s->cut_len, s->cut_total);
}

/* The text of a ClientCutText, as it comes. */
static long
on_cut_bytes(struct session *s, const uint8_t *buf, size_t len)
{
	size_t n = s->skip < len ? (size_t)s->skip : len;
	size_t keep = SESSION_CUT_KEEP - s->cut_len;

	if (keep > n)
		keep = n;
	memcpy(s->cut + s->cut_len, buf, keep);
	s->cut_len += keep;
	s->skip -= n;
	if (s->skip == 0)
		cut_done(s);
	return (long)n;
}

static long
on_cut_text(struct session *s, const uint8_t *p, size_t len)
{
	int32_t n;

	if (len < 8)
		return 0;
	n = (int32_t)wire_get32(p + 4);
	/* A negative length is the extended clipboard, which we did not
	 * offer. */
	if (n < 0 || n > SESSION_CUT_TEXT_MAX) {
		log_warnx("%s: ClientCutText of %ld bytes refused", s->tag,
		    (long)n);
		return -1;
	}
	/* Its first SESSION_CUT_KEEP bytes are kept as they arrive, the
	 * rest dropped: never more than that is buffered. */
	s->skip = (uint64_t)n;
	s->cut_total = (uint32_t)n;
	s->cut_len = 0;
	if (n == 0)
		cut_done(s);
	return 8;
}

void
session_put_desktop_size(struct evbuffer *out, int reason, int status,
    uint16_t width, uint16_t height, const struct ipc_screen *screens,
    uint32_t n)
{
	uint8_t b[SESSION_EDS_SIZE(IPC_SCREENS_MAX)] = { 0 }, *p = b;

	/* Callers pass a frame's screens (frame_screens()): 1 .. 8. */
	if (n < 1 || n > IPC_SCREENS_MAX)
		fatalx("ExtendedDesktopSize of %u screens", n);
	wire_put16(p, (uint16_t)reason);
	wire_put16(p + 2, (uint16_t)status);
	wire_put16(p + 4, width);
	wire_put16(p + 6, height);
	wire_put32(p + 8, (uint32_t)rfbEncodingExtDesktopSize);
	p[12] = (uint8_t)n;	/* and 3 bytes of padding */
	p += 16;
	for (uint32_t i = 0; i < n; i++, p += 16) {
		wire_put32(p, screens[i].id);
		wire_put16(p + 4, screens[i].x);
		wire_put16(p + 6, screens[i].y);
		wire_put16(p + 8, screens[i].width);
		wire_put16(p + 10, screens[i].height);
		/* flags: 0, none is defined */
	}
	evbuffer_add(out, b, SESSION_EDS_SIZE(n));
}

void
session_put_pseudo(struct evbuffer *out, int32_t encoding)
{
	uint8_t b[SESSION_PSEUDO_SIZE] = { 0 };

	wire_put32(b + 8, (uint32_t)encoding);
	evbuffer_add(out, b, sizeof(b));
}

/* Our LED bits (IPC_LED_*) are not RFB's: Scroll 0, Num 1, Caps 2. */
size_t
session_put_leds(struct evbuffer *out, int vmware, uint32_t leds)
{
	uint8_t b[SESSION_PSEUDO_SIZE + 4] = { 0 };
	uint8_t state = (uint8_t)((leds & IPC_LED_SCROLL_LOCK ? 1 : 0) |
	    (leds & IPC_LED_NUM_LOCK ? 2 : 0) |
	    (leds & IPC_LED_CAPS_LOCK ? 4 : 0));

	if (vmware) {
		wire_put32(b + 8, (uint32_t)SESSION_ENC_VMWARE_LEDS);
		wire_put32(b + 12, state);
		evbuffer_add(out, b, SESSION_PSEUDO_SIZE + 4);
		return SESSION_PSEUDO_SIZE + 4;
	}
	wire_put32(b + 8, (uint32_t)SESSION_ENC_QEMU_LEDS);
	b[12] = state;
	evbuffer_add(out, b, SESSION_PSEUDO_SIZE + 1);
	return SESSION_PSEUDO_SIZE + 1;
}

/*
 * The layout a SetDesktopSize asks for, checked as a viewer checks a
 * server's (TigerVNC's ScreenSet): a framebuffer of at least 1x1, at least
 * one screen, each at least 1x1 and inside it, no id twice.  Screens may
 * overlap (rfbproto.rst, Screen Model).
 */
static int
requested_layout_valid(const uint8_t *p, size_t n)
{
	uint32_t w = wire_get16(p + 2), h = wire_get16(p + 4);

	if (w == 0 || h == 0 || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *q = p + 8 + i * 16;
		uint32_t x = wire_get16(q + 4), y = wire_get16(q + 6);
		uint32_t sw = wire_get16(q + 8), sh = wire_get16(q + 10);

		if (sw == 0 || sh == 0 || x + sw > w || y + sh > h)
			return 0;
		for (size_t j = 0; j < i; j++)
			if (wire_get32(p + 8 + j * 16) == wire_get32(q))
				return 0;
	}
	return 1;
}

/* SetDesktopSize: 8 bytes, then as many screens of 16 as its count says. */
static long
on_set_desktop_size(struct session *s, const uint8_t *p, size_t len)
{
	size_t n, need;
	int status;

	if (len < 8)
		return 0;
	n = p[6];
	need = 8 + n * 16;
	if (len < need)
		return 0;
	status = requested_layout_valid(p, n) ? SESSION_EDS_PROHIBITED :
	    SESSION_EDS_INVALID;
	if (s->cbs->set_desktop_size(s->arg, status) < 0)
		return -1;
	/* Said once; a viewer that asks again and again is not news. */
	if (s->resize_refused++ == 0)
		log_info("%s: SetDesktopSize %ux%u with %zu screens refused: "
		    "%s", s->tag, wire_get16(p + 2), wire_get16(p + 4), n,
		    status == SESSION_EDS_INVALID ? "not a valid layout" :
		    "the console's mode is not set from here");
	else
		log_debug("%s: SetDesktopSize refused again (%u)", s->tag,
		    s->resize_refused);
	return (long)need;
}

/*
 * EnableContinuousUpdates: 10 bytes.  Only after the server announced
 * them (its EndOfContinuousUpdates); before that it is not a message the
 * client may send.
 */
static long
on_continuous(struct session *s, const uint8_t *p, size_t len)
{
	struct rect r;

	if (len < 10)
		return 0;
	if (!(s->announced & SESSION_ANNOUNCED_CONTINUOUS)) {
		log_warnx("%s: EnableContinuousUpdates before the server "
		    "offered them", s->tag);
		return -1;
	}
	r = (struct rect){ wire_get16(p + 2), wire_get16(p + 4),
	    wire_get16(p + 6), wire_get16(p + 8) };
	if (p[1] != 0 && clip(&r, s->width, s->height) < 0)
		r = (struct rect){ 0, 0, 0, 0 };
	s->cbs->continuous(s->arg, p[1] != 0, &r);
	return 10;
}

/* Fence: 9 bytes, then a payload of at most 64 (rfbproto.rst: longer is
 * a protocol error).  Only after the server sent one. */
static long
on_fence(struct session *s, const uint8_t *p, size_t len)
{
	size_t n;

	if (len < 9)
		return 0;
	if (!(s->announced & SESSION_ANNOUNCED_FENCE)) {
		log_warnx("%s: Fence before the server sent one", s->tag);
		return -1;
	}
	n = p[8];
	if (n > SESSION_FENCE_PAYLOAD_MAX) {
		log_warnx("%s: Fence with a payload of %zu bytes", s->tag, n);
		return -1;
	}
	if (len < 9 + n)
		return 0;
	s->cbs->fence(s->arg, wire_get32(p + 4), p + 9, n);
	return (long)(9 + n);
}

void
session_put_fence(struct evbuffer *out, uint32_t flags,
    const uint8_t *payload, size_t len)
{
	uint8_t b[9 + SESSION_FENCE_PAYLOAD_MAX] = { SESSION_MSG_FENCE };

	if (len > SESSION_FENCE_PAYLOAD_MAX)
		fatalx("Fence payload of %zu bytes", len);
	wire_put32(b + 4, flags);
	b[8] = (uint8_t)len;
	if (len > 0)
		memcpy(b + 9, payload, len);
	evbuffer_add(out, b, 9 + len);
}

void
session_put_end_of_continuous(struct evbuffer *out)
{
	wire_add8(out, SESSION_MSG_CONTINUOUS);
}

size_t
session_put_desktop_name(struct evbuffer *out, const char *name)
{
	uint8_t b[SESSION_PSEUDO_SIZE] = { 0 };

	wire_put32(b + 8, (uint32_t)SESSION_ENC_DESKTOP_NAME);
	evbuffer_add(out, b, sizeof(b));
	wire_add_string(out, name);
	return sizeof(b) + 4 + strlen(name);
}

typedef long handler_fn(struct session *, const uint8_t *, size_t);

/* Indexed by the message type: every byte has its entry. */
static handler_fn *const handlers[256] = {
	[rfbSetPixelFormat] = on_set_pixel_format,
	[rfbSetEncodings] = on_set_encodings,
	[rfbFramebufferUpdateRequest] = on_update_request,
	[rfbKeyEvent] = on_key_event,
	[rfbPointerEvent] = on_pointer_event,
	[rfbClientCutText] = on_cut_text,
	[rfbSetDesktopSize] = on_set_desktop_size,
	[rfbQemuEvent] = on_qemu,
	[SESSION_MSG_CONTINUOUS] = on_continuous,
	[SESSION_MSG_FENCE] = on_fence,
};

long
session_input(struct session *s, const uint8_t *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (s->skip > 0)
		return on_cut_bytes(s, buf, len);
	switch (s->state) {
	case SESSION_VERSION:
		return on_version(s, buf, len);
	case SESSION_SECURITY:
	case SESSION_VENCRYPT_VERSION:
	case SESSION_VENCRYPT_SUBTYPE:
	case SESSION_TLS:
	case SESSION_PLAIN:
	case SESSION_VNC_RESPONSE:
	case SESSION_CHECKING:
		return security_input(s, buf, len);
	case SESSION_INIT:
		return on_client_init(s, buf, len);
	case SESSION_WAIT_SERVER:
		return 0;	/* nothing is due before ServerInit */
	case SESSION_CLOSING:
		return (long)len;
	case SESSION_NORMAL:
		break;
	}
	if (handlers[buf[0]] == NULL) {
		log_warnx("%s: unknown message type %u", s->tag, buf[0]);
		return -1;
	}
	return handlers[buf[0]](s, buf, len);
}
