/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Screens (RFB's ExtendedDesktopSize) through the broker as it runs: the
 * test plays the capture helper on a real channel, with a real sealed
 * ring whose announcement carries the screens, and two viewers over
 * bufferevent pairs, one that announced ExtendedDesktopSize and one that
 * did not.  What the viewers get is compared byte for byte with what
 * rfbproto.rst says they must get, written out here by hand.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <rfb/rfbproto.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "broker/wire.h"
#include "common/log.h"
#include "common/ring.h"
#include "tests/tap.h"

#define W	96
#define H	40

static struct broker b;

struct viewer {
	struct bufferevent *bev[2];	/* [0] the client's, [1] ours */
	struct evbuffer	*in;		/* what the server sent us */
};

/* The capture helper's end of the channel, and its ring. */
struct capture {
	int		sock;
	struct frame_ring ring;
	uint32_t	ring_id;	/* of the last ring */
	uint64_t	seq;
	int		slot;
};

static void
pump(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
}

static int
viewer_open(struct viewer *v)
{
	if (bufferevent_pair_new(b.base, 0, v->bev) < 0)
		return -1;
	if (client_new_bev(&b, v->bev[0], "test", IPC_SEC_NONE) == NULL)
		return -1;
	bufferevent_enable(v->bev[1], EV_READ | EV_WRITE);
	v->in = bufferevent_get_input(v->bev[1]);
	pump();
	return 0;
}

static void
viewer_send(struct viewer *v, const void *p, size_t len)
{
	bufferevent_write(v->bev[1], p, len);
	pump();
}

static size_t
viewer_pending(struct viewer *v)
{
	pump();
	return evbuffer_get_length(v->in);
}

/* Take exactly len bytes the server sent, or fail. */
static int
viewer_take(struct viewer *v, void *p, size_t len)
{
	if (viewer_pending(v) < len)
		return -1;
	evbuffer_remove(v->in, p, len);
	return 0;
}

/* The next len bytes are exactly want, and nothing follows them. */
static int
viewer_got(struct viewer *v, const uint8_t *want, size_t len)
{
	uint8_t got[4096];

	return len <= sizeof(got) && viewer_pending(v) == len &&
	    viewer_take(v, got, len) == 0 && memcmp(got, want, len) == 0;
}

static void
viewer_drop(struct viewer *v)
{
	evbuffer_drain(v->in, viewer_pending(v));
}

static void
viewer_close(struct viewer *v)
{
	bufferevent_flush(v->bev[1], EV_WRITE, BEV_FINISHED);
	bufferevent_free(v->bev[1]);
	pump();
}

/* 3.8 with None to ServerInit, then SetEncodings: Raw and the list. */
static int
viewer_start(struct viewer *v, const int32_t *enc, int n)
{
	uint8_t buf[64], m[4 + 4 * 8] = { rfbSetEncodings };
	uint32_t namelen;

	if (viewer_open(v) < 0 || viewer_take(v, buf, 12) < 0)
		return -1;
	viewer_send(v, "RFB 003.008\n", 12);
	if (viewer_take(v, buf, 2) < 0)
		return -1;
	viewer_send(v, "\x01", 1);
	if (viewer_take(v, buf, 4) < 0)
		return -1;
	viewer_send(v, "\x01", 1);
	if (viewer_take(v, buf, 24) < 0 || wire_get16(buf) != W ||
	    wire_get16(buf + 2) != H)
		return -1;
	namelen = wire_get32(buf + 20);
	if (namelen > sizeof(buf) || viewer_take(v, buf, namelen) < 0)
		return -1;
	wire_put16(m + 2, (uint16_t)(n + 1));
	wire_put32(m + 4, rfbEncodingRaw);
	for (int i = 0; i < n; i++)
		wire_put32(m + 8 + 4 * i, (uint32_t)enc[i]);
	viewer_send(v, m, 8 + 4 * (size_t)n);
	return 0;
}

static void
request(struct viewer *v, int incremental)
{
	uint8_t m[10] = { rfbFramebufferUpdateRequest, (uint8_t)incremental };

	wire_put16(m + 6, 0xffff);
	wire_put16(m + 8, 0xffff);
	viewer_send(v, m, sizeof(m));
}

/*
 * A whole FramebufferUpdate of one ExtendedDesktopSize rectangle, as
 * rfbproto.rst lays it out, into b: 4 + 16 + 16 * n bytes.
 */
static size_t
eds_update(uint8_t *p, uint16_t reason, uint16_t status, uint16_t w,
    uint16_t h, const struct ipc_screen *s, int n)
{
	memset(p, 0, 4 + 16 + 16 * (size_t)n);
	p[0] = rfbFramebufferUpdate;
	wire_put16(p + 2, 1);
	wire_put16(p + 4, reason);		/* x */
	wire_put16(p + 6, status);		/* y */
	wire_put16(p + 8, w);
	wire_put16(p + 10, h);
	wire_put32(p + 12, (uint32_t)-308);
	p[16] = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		uint8_t *q = p + 20 + 16 * i;

		wire_put32(q, s[i].id);
		wire_put16(q + 4, s[i].x);
		wire_put16(q + 6, s[i].y);
		wire_put16(q + 8, s[i].width);
		wire_put16(q + 10, s[i].height);
		/* flags 0 */
	}
	return 4 + 16 + 16 * (size_t)n;
}

/* SetDesktopSize of n screens, into p: 8 + 16 * n bytes. */
static size_t
set_desktop_size(uint8_t *p, uint16_t w, uint16_t h,
    const struct ipc_screen *s, int n)
{
	memset(p, 0, 8 + 16 * (size_t)n);
	p[0] = rfbSetDesktopSize;
	wire_put16(p + 2, w);
	wire_put16(p + 4, h);
	p[6] = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		uint8_t *q = p + 8 + 16 * i;

		wire_put32(q, s[i].id);
		wire_put16(q + 4, s[i].x);
		wire_put16(q + 6, s[i].y);
		wire_put16(q + 8, s[i].width);
		wire_put16(q + 10, s[i].height);
	}
	return 8 + 16 * (size_t)n;
}

/* Read one update of Raw rectangles; the pixels it covered, or -1. */
static long
read_pixels(struct viewer *v)
{
	uint8_t hdr[4], rh[12];
	long covered = 0;

	if (viewer_take(v, hdr, 4) < 0 || hdr[0] != rfbFramebufferUpdate)
		return -1;
	for (uint16_t i = 0; i < wire_get16(hdr + 2); i++) {
		uint32_t w, h;

		if (viewer_take(v, rh, 12) < 0 || wire_get32(rh + 8) != 0)
			return -1;
		w = wire_get16(rh + 4);
		h = wire_get16(rh + 6);
		evbuffer_drain(v->in, (size_t)w * h * 4);
		covered += (long)w * h;
	}
	return covered;
}

/* --- the capture helper's side ------------------------------------------ */

static int
capture_open(struct capture *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	*c = (struct capture){ .sock = sv[1], .ring = RING_INIT, .seq = 1 };
	screen_set_capture(&b, sv[0]);
	pump();
	return 0;
}

static void
capture_close(struct capture *c)
{
	close(c->sock);
	ring_destroy(&c->ring);
	pump();
}

/* A new ring for w x h frames, announced with msg's screens. */
static int
capture_ring(struct capture *c, struct ipc_cap_ring *msg, uint32_t w,
    uint32_t h)
{
	ring_destroy(&c->ring);
	if (ring_create(&c->ring, ++c->ring_id, 3, (size_t)w * h * 4) < 0)
		return -1;
	c->slot = 0;
	msg->ring_id = c->ring.id;
	msg->nslots = c->ring.nslots;
	msg->slot_size = c->ring.slot_size;
	if (ipc_send(c->sock, IPC_CAP2BRK_RING, msg, sizeof(*msg),
	    c->ring.fd) < 0)
		return -1;
	pump();
	return 0;
}

/* A frame of w x h, every pixel seed, in the next slot. */
static int
capture_frame(struct capture *c, uint32_t w, uint32_t h, uint32_t seed)
{
	struct ipc_cap_frame f = { .seq = c->seq++, .ring_id = c->ring.id,
	    .slot = (uint32_t)c->slot, .kind = IPC_FRAME_PIXELS, .width = w,
	    .height = h, .stride = w * 4, .fourcc = 0x34325258,
	    .length = w * h * 4 };
	uint32_t *px = (uint32_t *)ring_slot(&c->ring, (uint32_t)c->slot);

	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i] = seed;
	c->slot = (c->slot + 1) % 3;
	if (ipc_send(c->sock, IPC_CAP2BRK_FRAME, &f, sizeof(f), -1) < 0)
		return -1;
	pump();
	return 0;
}

/* The broker takes this ring announcement, or ends the channel. */
static int
ring_taken(struct ipc_cap_ring *msg, uint32_t w, uint32_t h)
{
	struct capture c;
	int alive;

	if (capture_open(&c) < 0 || capture_ring(&c, msg, w, h) < 0)
		return -1;
	alive = b.screen.capture != NULL;
	capture_close(&c);
	return alive;
}

static const struct ipc_screen two[2] = {
	{ .id = 33, .x = 0, .y = 0, .width = 64, .height = 40 },
	{ .id = 41, .x = 64, .y = 8, .width = 32, .height = 24 },
};

static void
test_ring_checks(void)
{
	struct ipc_cap_ring m;
	struct capture c;

	m = (struct ipc_cap_ring){ .nscreens = 2 };
	memcpy(m.screens, two, sizeof(two));
	ok(ring_taken(&m, W, H) == 1, "a ring of two screens is taken");
	m.nscreens = IPC_SCREENS_MAX + 1;
	ok(ring_taken(&m, W, H) == 0, "nscreens %u ends the capture channel",
	    IPC_SCREENS_MAX + 1);
	m.nscreens = 0xffffffffu;
	ok(ring_taken(&m, W, H) == 0, "so does nscreens 2^32-1");
	m.nscreens = 1;
	ok(ring_taken(&m, W, H) == 0, "and a screen past nscreens");
	m.nscreens = 2;
	m.pad = 1;
	ok(ring_taken(&m, W, H) == 0, "and padding that is not zero");
	m.pad = 0;
	m.screens[1].x = 63;
	ok(ring_taken(&m, W, H) == 0, "and screens that overlap");
	m.screens[1].x = 64;
	m.screens[1].id = 33;
	ok(ring_taken(&m, W, H) == 0, "and two screens with one id");
	m.screens[1].id = 41;
	m.screens[1].height = 0;
	ok(ring_taken(&m, W, H) == 0, "and a screen of no height");
	m.screens[1] = (struct ipc_screen){ .id = 41, .x = 65535,
	    .width = 65535, .height = 1 };
	ok(ring_taken(&m, W, H) == 0, "and one past 65535 that a 16-bit sum "
	    "would wrap");

	/* A frame that does not hold its ring's screens. */
	m = (struct ipc_cap_ring){ .nscreens = 2 };
	memcpy(m.screens, two, sizeof(two));
	capture_open(&c);
	capture_ring(&c, &m, W, H);
	capture_frame(&c, W - 1, H, 0x101010);
	ok(b.screen.capture == NULL, "a %ux%u frame of a ring whose screens "
	    "reach %u wide is refused", W - 1, H, W);
	capture_close(&c);
}

static void
test_screens(void)
{
	static const int32_t ext[] = { rfbEncodingNewFBSize,
	    (int32_t)rfbEncodingExtDesktopSize };
	static const int32_t plain[] = { rfbEncodingNewFBSize };
	static uint8_t want[8192], msg[8 + 255 * 16 + 8 + 16];
	struct ipc_screen many[255], moved[2];
	struct ipc_cap_ring m = { .nscreens = 2 };
	struct viewer a, p;
	struct capture c;
	size_t n, len;
	long px;

	memcpy(m.screens, two, sizeof(two));
	capture_open(&c);
	capture_ring(&c, &m, W, H);
	capture_frame(&c, W, H, 0x204060);
	ok(b.screen.cur != NULL && b.screen.cur->layout.n == 2,
	    "the frame carries its ring's two screens");

	ok(viewer_start(&a, ext, 2) == 0, "a viewer with ExtendedDesktopSize "
	    "and DesktopSize");
	ok(viewer_start(&p, plain, 1) == 0, "a viewer with DesktopSize only");

	request(&a, 0);
	n = eds_update(want, 0, 0, W, H, two, 2);
	ok(viewer_got(&a, want, n), "a full request is answered by "
	    "ExtendedDesktopSize alone: reason 0, status 0, %ux%u, screens "
	    "33 and 41 where the ring put them (%zu bytes)", W, H, n);
	request(&a, 1);
	px = read_pixels(&a);
	ok(px == W * H, "the pixels answer the next request (%ld)", px);
	request(&p, 0);
	px = read_pixels(&p);
	ok(px == W * H && viewer_pending(&p) == 0, "the other viewer gets "
	    "only the pixels: no screens (%ld)", px);

	/* SetDesktopSize, refused with the size and screens the client
	 * knows, reason 1: prohibited, or invalid for what is no layout. */
	len = set_desktop_size(msg, 200, 100, (struct ipc_screen[]){
	    { .id = 1, .width = 200, .height = 100 } }, 1);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 1, W, H, two, 2);
	ok(viewer_got(&a, want, n), "SetDesktopSize of a good layout: "
	    "reason 1, status 1 (prohibited), at once");

	len = set_desktop_size(msg, W, H, two, 2);
	viewer_send(&a, msg, 7);
	ok(viewer_pending(&a) == 0, "7 bytes of it: nothing yet");
	viewer_send(&a, msg + 7, 8 + 16 - 7);
	ok(viewer_pending(&a) == 0, "its header and one of two screens: "
	    "nothing yet");
	viewer_send(&a, msg + 8 + 16, len - 8 - 16);
	ok(viewer_got(&a, want, n), "the rest: the answer");

	len = set_desktop_size(msg, W, H, NULL, 0);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 3, W, H, two, 2);
	ok(viewer_got(&a, want, n), "0 screens: status 3 (invalid layout)");

	len = set_desktop_size(msg, 0, H, two, 1);
	viewer_send(&a, msg, len);
	ok(viewer_got(&a, want, n), "a width of 0: status 3");

	/* 255 screens, then a second message in the same write: the
	 * length came from the count, so both are answered, in order. */
	for (int i = 0; i < 255; i++)
		many[i] = (struct ipc_screen){ .id = (uint32_t)i + 1,
		    .x = (uint16_t)i, .width = 1, .height = 1 };
	len = set_desktop_size(msg, 255, 1, many, 255);
	len += set_desktop_size(msg + len, W, H, NULL, 0);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 1, W, H, two, 2);
	n += eds_update(want + n, 1, 3, W, H, two, 2);
	ok(viewer_got(&a, want, n), "255 screens (4088 bytes) and a message "
	    "after them: status 1, then 3");
	many[254].id = 1;
	len = set_desktop_size(msg, 255, 1, many, 255);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 3, W, H, two, 2);
	ok(viewer_got(&a, want, n), "255 screens, two with one id: status 3");

	len = set_desktop_size(msg, 65535, 65535, (struct ipc_screen[]){
	    { .id = 9, .width = 65535, .height = 65535 } }, 1);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 1, W, H, two, 2);
	ok(viewer_got(&a, want, n), "65535x65535, one screen over it: "
	    "status 1");
	len = set_desktop_size(msg, 65535, 65535, (struct ipc_screen[]){
	    { .id = 9, .x = 65535, .y = 65535, .width = 65535,
	    .height = 65535 } }, 1);
	viewer_send(&a, msg, len);
	n = eds_update(want, 1, 3, W, H, two, 2);
	ok(viewer_got(&a, want, n), "a screen at 65535,65535 of 65535x65535: "
	    "status 3, no sum wraps");
	ok(b.nclients == 2, "after all of them the viewer is still there");

	/* The screens move, the size and pixels stay. */
	request(&a, 1);
	request(&p, 1);
	memcpy(moved, two, sizeof(two));
	moved[1].y = 16;
	memcpy(m.screens, moved, sizeof(moved));
	capture_ring(&c, &m, W, H);
	capture_frame(&c, W, H, 0x204060);
	n = eds_update(want, 0, 0, W, H, moved, 2);
	ok(viewer_got(&a, want, n), "screens that moved, no pixel changed: "
	    "ExtendedDesktopSize, reason 0, with the new place");
	ok(viewer_pending(&p) == 0, "and nothing to the other viewer");

	/* A new size. */
	request(&a, 1);
	m = (struct ipc_cap_ring){ 0 };
	capture_ring(&c, &m, W + 4, H + 2);
	capture_frame(&c, W + 4, H + 2, 0x305070);
	n = eds_update(want, 0, 0, W + 4, H + 2, (struct ipc_screen[]){
	    { .id = 1, .width = W + 4, .height = H + 2 } }, 1);
	ok(viewer_got(&a, want, n), "a new size: ExtendedDesktopSize alone, "
	    "no DesktopSize, one screen over the frame (a ring of none)");
	request(&a, 1);
	px = read_pixels(&a);
	ok(px == (W + 4) * (H + 2), "then every pixel (%ld)", px);
	{
		uint8_t hdr[4], rh[12];

		ok(viewer_take(&p, hdr, 4) == 0 && viewer_take(&p, rh, 12) == 0 &&
		    wire_get32(rh + 8) == (uint32_t)rfbEncodingNewFBSize &&
		    wire_get16(rh + 4) == W + 4 && wire_get16(rh + 6) == H + 2,
		    "the other viewer gets DesktopSize");
		viewer_drop(&p);
	}

	/* SetDesktopSize from a client that never announced the
	 * encoding: not its to send. */
	len = set_desktop_size(msg, W, H, two, 1);
	viewer_send(&p, msg, len);
	ok(b.nclients == 1, "SetDesktopSize from the viewer without "
	    "ExtendedDesktopSize closes it");
	viewer_close(&p);
	viewer_close(&a);
	capture_close(&c);
}

int
main(void)
{
	log_init("test-screens", LOG_LEVEL_ERROR, 0);
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "test");
	test_ring_checks();
	test_screens();
	screen_free(&b.screen);
	event_base_free(b.base);
	return done_testing();
}
