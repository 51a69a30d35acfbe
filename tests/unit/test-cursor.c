/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cursor.  The Cursor pseudo-rectangle's bytes for a known image in
 * 32 and 16 bpp (pixels not pre-multiplied, the mask's bits, the alpha
 * threshold, a hidden cursor as a transparent 1x1); the cursor the broker
 * draws equal, byte for byte, to the capture helper's composition of the
 * same cursor plane (capture/compose.c) in each blend mode; and the
 * broker with a capture helper of ours and two viewers: the one that
 * lists Cursor gets the shape and frames without the pointer, the other
 * the pointer drawn in, and a move of the pointer is damage to it alone.
 * Last, what a drawn frame costs at 1080p, and that an unchanged frame
 * and cursor cost nothing.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <rfb/rfbproto.h>

#include <drm_fourcc.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "broker/cursor.h"
#include "broker/pixfmt.h"
#include "broker/session.h"
#include "broker/wire.h"
#include "capture/compose.h"
#include "common/blend.h"
#include "common/blob.h"
#include "common/frames.h"
#include "common/log.h"
#include "common/ring.h"
#include "common/tiles.h"
#include "tests/tap.h"

static struct broker b;

static uint32_t rng = 0x2545f491;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- the pseudo-rectangle ------------------------------------------------ */

/* A cursor of ours, as the capture helper would send it. */
static void
cursor_of(struct cursor *k, const uint32_t *img, uint32_t w, uint32_t h,
    uint32_t hx, uint32_t hy, uint32_t blend, int visible)
{
	struct ipc_cap_cursor m = { .size = (uint64_t)w * h * 4, .width = w,
	    .height = h, .hot_x = hx, .hot_y = hy, .x = 10, .y = 10,
	    .visible = (uint32_t)visible, .blend = blend };

	if (cursor_set(k, &m, img) < 0)
		bail("cursor_set");
}

/* The bytes cursor_put_rect() gives in format pf. */
static size_t
rect_bytes(const struct cursor *k, const struct pixfmt *pf, uint8_t *out,
    size_t max)
{
	struct pixconv pc;
	struct evbuffer *eb = evbuffer_new();
	size_t n;

	pixconv_init(&pc, pf);
	if (eb == NULL || cursor_put_rect(k, &pc, eb) < 0)
		bail("cursor_put_rect");
	n = evbuffer_get_length(eb);
	if (n > max)
		bail("a rectangle of %zu bytes", n);
	evbuffer_remove(eb, out, n);
	evbuffer_free(eb);
	return n;
}

static void
test_straight(void)
{
	static const struct {
		uint32_t	argb, blend, want;
		int		opaque;
		const char	*what;
	} t[] = {
		{ 0xff123456, BLEND_PREMULTI, 0x123456, 1, "opaque: as it is" },
		{ 0x80402000, BLEND_PREMULTI, 0x804000, 1,
		    "alpha 128, pre-multiplied 64 and 32: 128 and 64, opaque" },
		{ 0x7f402000, BLEND_PREMULTI, 0x814000, 0,
		    "alpha 127: 129 and 64, transparent" },
		{ 0x00ffffff, BLEND_PREMULTI, 0x000000, 0,
		    "alpha 0: nothing, transparent" },
		{ 0x40ff0000, BLEND_PREMULTI, 0xff0000, 0,
		    "a colour above its alpha: full, transparent" },
		{ 0x80402000, BLEND_COVERAGE, 0x402000, 1,
		    "coverage: the colour as it is, opaque at 128" },
		{ 0x7f402000, BLEND_COVERAGE, 0x402000, 0,
		    "coverage: transparent at 127" },
		{ 0x00402000, BLEND_NONE, 0x402000, 1,
		    "blend none: alpha ignored, opaque" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int opaque = -1;
		uint32_t got = cursor_straight(t[i].argb, t[i].blend, &opaque);

		ok(got == t[i].want && opaque == t[i].opaque,
		    "0x%08x, blend %u: %s (got 0x%06x, %s)", t[i].argb,
		    t[i].blend, t[i].what, got, opaque ? "opaque" : "not");
	}
}

/*
 * A 10x2 cursor, hot spot 3,1: a mask of two bytes a row, the second
 * with 6 bits of padding.  Row 0: white, red, half green (pre-multiplied
 * 0x80), transparent, black, then alternately opaque blue and alpha 127.
 * Row 1: all transparent but the last, opaque white.
 */
static const uint32_t img10[20] = {
	0xffffffff, 0xffff0000, 0x80008000, 0x00000000, 0xff000000,
	0xff0000ff, 0x7f000000, 0xff0000ff, 0x7f000000, 0xff0000ff,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0xffffffff,
};

static void
test_rect(void)
{
	/* 16 bpp 5-6-5, big endian: a byte order other than ours. */
	static const struct pixfmt be565 = { .bpp = 16, .depth = 16,
	    .big_endian = 1, .true_colour = 1, .red_max = 31,
	    .green_max = 63, .blue_max = 31, .red_shift = 11,
	    .green_shift = 5, .blue_shift = 0 };
	static const uint8_t head[12] = { 0, 3, 0, 1, 0, 10, 0, 2,
	    0xff, 0xff, 0xff, 0x11 };
	/* Bits of row 0: 1 1 1 0 1 1 0 1 | 0 1; row 1: 0... | 0 1. */
	static const uint8_t mask[4] = { 0xed, 0x40, 0x00, 0x40 };
	/* B G R X as the native format lies in memory, X bits sent as 1. */
	static const uint8_t px32[20][4] = {
		{ 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0xff, 0xff },
		{ 0, 0xff, 0, 0xff }, { 0, 0, 0, 0xff }, { 0, 0, 0, 0xff },
		{ 0xff, 0, 0, 0xff }, { 0, 0, 0, 0xff }, { 0xff, 0, 0, 0xff },
		{ 0, 0, 0, 0xff }, { 0xff, 0, 0, 0xff },
		[19] = { 0xff, 0xff, 0xff, 0xff },
	};
	/* 5-6-5: white 0xffff, red 0xf800, green 0x07e0, blue 0x001f. */
	static const uint16_t px16[20] = {
		0xffff, 0xf800, 0x07e0, 0, 0, 0x001f, 0, 0x001f, 0, 0x001f,
		[19] = 0xffff,
	};
	struct cursor k = { 0 };
	uint8_t buf[1024], want[1024];
	size_t n, at;

	/* Rows 1 of px32 are transparent black: X bits still 1. */
	cursor_of(&k, img10, 10, 2, 3, 1, BLEND_PREMULTI, 1);
	n = rect_bytes(&k, &pixfmt_native, buf, sizeof(buf));
	memcpy(want, head, 12);
	at = 12;
	for (int i = 0; i < 20; i++, at += 4) {
		memcpy(want + at, px32[i], 4);
		if (i >= 10 && i < 19)
			want[at + 3] = 0xff;
	}
	memcpy(want + at, mask, 4);
	at += 4;
	ok(n == at && memcmp(buf, want, 12) == 0,
	    "32 bpp: x, y the hot spot 3,1, 10x2, encoding -239, %zu bytes "
	    "(12 + 80 + 4)", n);
	ok(n == at && memcmp(buf + 12, want + 12, 80) == 0,
	    "32 bpp: the pixels in the client's format, not pre-multiplied");
	ok(n == at && memcmp(buf + 92, mask, 4) == 0,
	    "the mask: two bytes a row, leftmost pixel in the top bit, alpha "
	    "128 and up opaque (0x%02x 0x%02x 0x%02x 0x%02x)", buf[92],
	    buf[93], buf[94], buf[95]);

	n = rect_bytes(&k, &be565, buf, sizeof(buf));
	at = 12;
	memcpy(want, head, 12);
	for (int i = 0; i < 20; i++, at += 2) {
		want[at] = (uint8_t)(px16[i] >> 8);
		want[at + 1] = (uint8_t)px16[i];
	}
	memcpy(want + at, mask, 4);
	at += 4;
	ok(n == at && memcmp(buf, want, at) == 0,
	    "16 bpp 5-6-5 big endian: 12 + 40 + 4 bytes, pixels and mask "
	    "as computed by hand (%zu bytes)", n);

	cursor_of(&k, img10, 10, 2, 3, 1, BLEND_PREMULTI, 0);
	n = rect_bytes(&k, &pixfmt_native, buf, sizeof(buf));
	ok(n == 12 + 4 + 1 && memcmp(buf, (const uint8_t[]){ 0, 0, 0, 0, 0,
	    1, 0, 1, 0xff, 0xff, 0xff, 0x11, 0, 0, 0, 0xff, 0 }, n) == 0,
	    "hidden: a transparent 1x1 at hot spot 0,0, mask 0");
	cursor_free(&k);
	n = rect_bytes(&k, &pixfmt_native, buf, sizeof(buf));
	ok(n == 17 && buf[5] == 1 && buf[7] == 1 && buf[16] == 0,
	    "none known: the same");
}

/* --- the broker draws it as the display composes it --------------------- */

static void
test_same_as_compose(void)
{
	enum { W = 64, H = 48, CW = 20, CH = 16 };
	static const int32_t at[][2] = { { 10, 5 }, { -7, -3 }, { 55, 40 },
	    { 0, 0 }, { 44, 32 } };
	uint32_t base[W * H], img[CW * CH];
	uint8_t a[W * H * 4], d[W * H * 4];
	struct cursor k = { 0 };
	int same = 0, total = 0;
	char why[160];

	for (size_t i = 0; i < W * H; i++)
		base[i] = rnd() & 0xffffff;
	for (uint32_t mode = 0; mode <= BLEND_MODE_MAX; mode++) {
		for (size_t i = 0; i < CW * CH; i++) {
			uint32_t v = rnd(), al = v >> 24, c[3];

			/* A quarter each transparent and opaque. */
			al = (v & 3) == 0 ? 0 : (v & 3) == 1 ? 255 : al;
			for (int j = 0; j < 3; j++) {
				c[j] = (rnd() >> 8) & 0xff;
				/* Pre-multiplied colour is at most alpha. */
				if (mode == BLEND_PREMULTI)
					c[j] = c[j] * al / 255;
			}
			img[i] = al << 24 | c[2] << 16 | c[1] << 8 | c[0];
		}
		for (size_t p = 0; p < sizeof(at) / sizeof(at[0]); p++) {
			struct plane_state ps[2] = {
				{ .fb = { .data = { (uint8_t *)base },
				    .pitch = { W * 4 }, .size = { sizeof(base) },
				    .fourcc = DRM_FORMAT_XRGB8888, .width = W,
				    .height = H },
				    .src_w = W << 16, .src_h = H << 16,
				    .crtc_w = W, .crtc_h = H, .alpha = 0xffff,
				    .rotation = DRM_MODE_ROTATE_0 },
				{ .fb = { .data = { (uint8_t *)img },
				    .pitch = { CW * 4 }, .size = { sizeof(img) },
				    .fourcc = DRM_FORMAT_ARGB8888, .width = CW,
				    .height = CH },
				    .src_w = CW << 16, .src_h = CH << 16,
				    .crtc_x = at[p][0], .crtc_y = at[p][1],
				    .crtc_w = CW, .crtc_h = CH, .alpha = 0xffff,
				    .rotation = DRM_MODE_ROTATE_0, .blend = mode,
				    .zpos = 1 },
			};
			struct ipc_cap_cursor m = { .size = sizeof(img),
			    .width = CW, .height = CH, .hot_x = 3, .hot_y = 2,
			    .x = at[p][0] + 3, .y = at[p][1] + 2, .visible = 1,
			    .blend = mode };

			if (compose_planes(a, W * 4, W, H, ps, 2, why,
			    sizeof(why)) < 0 || compose_planes(d, W * 4, W, H,
			    ps, 1, why, sizeof(why)) < 0)
				bail("compose: %s", why);
			if (cursor_set(&k, &m, img) < 0)
				bail("cursor_set");
			cursor_draw(&k, d, W * 4, W, H);
			total++;
			same += memcmp(a, d, sizeof(a)) == 0;
		}
	}
	ok(same == total, "the cursor drawn by the broker over a frame is the "
	    "capture helper's composition of that cursor plane, byte for "
	    "byte: %d of %d (3 blend modes, 5 places, partly off the screen "
	    "too)", same, total);
	cursor_free(&k);
}

/* --- the broker, a capture helper of ours, two viewers ------------------ */

#define W	200		/* 4 x 3 tiles */
#define H	130
#define STRIDE	(W * 4)
#define LENGTH	(STRIDE * H)

static void
pump(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
}

struct cap {
	int		sock;
	struct frame_ring ring;
	uint64_t	seq;
};

static int
cap_open(struct cap *c, uint32_t w, uint32_t h)
{
	struct ipc_cap_ring m;
	int sv[2];

	memset(c, 0, sizeof(*c));
	c->ring = (struct frame_ring)RING_INIT;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    ring_create(&c->ring, 1, 3, (size_t)w * 4 * h) < 0)
		return -1;
	c->sock = sv[1];
	screen_set_capture(&b, sv[0]);
	m = (struct ipc_cap_ring){ .ring_id = 1, .nslots = 3,
	    .slot_size = c->ring.slot_size };
	if (ipc_send(c->sock, IPC_CAP2BRK_RING, &m, sizeof(m), c->ring.fd) < 0)
		return -1;
	pump();
	return 0;
}

/* What the broker sends us we read and forget: releases come back. */
static void
cap_drain(struct cap *c)
{
	struct ipc_msg m;
	int fd;

	pump();
	while (ipc_recv(c->sock, &m, &fd, IPC_BRK2CAP_FIRST,
	    IPC_BRK2CAP_LAST) == 1)
		if (fd >= 0)
			close(fd);
}

/* The next frame, picture px (w x h), in the next slot. */
static int
cap_frame(struct cap *c, const uint32_t *px, uint32_t w, uint32_t h)
{
	uint32_t slot = (uint32_t)(c->seq % 3);
	struct ipc_cap_frame f = { .seq = ++c->seq, .ring_id = 1,
	    .slot = slot, .kind = IPC_FRAME_PIXELS, .width = w, .height = h,
	    .stride = w * 4, .fourcc = FRAMES_FOURCC_XRGB8888,
	    .length = w * 4 * h, .tiles = IPC_TILES_NONE };

	cap_drain(c);
	memcpy(ring_slot(&c->ring, slot), px, (size_t)w * h * 4);
	if (ipc_send(c->sock, IPC_CAP2BRK_FRAME, &f, sizeof(f), -1) < 0)
		return -1;
	cap_drain(c);
	return b.screen.capture != NULL ? 0 : -1;
}

/* The cursor, as capture.c sends it: always with a blob (size 0: the
 * image the broker has). */
static int
cap_cursor(struct cap *c, const uint32_t *img, uint32_t w, uint32_t h,
    uint32_t hx, uint32_t hy, int32_t x, int32_t y, int visible,
    int with_image)
{
	struct ipc_cap_cursor m = { .size = with_image ? (uint64_t)w * h * 4 :
	    0, .width = w, .height = h, .hot_x = hx, .hot_y = hy, .x = x,
	    .y = y, .visible = (uint32_t)visible };
	int fd = blob_create("test-cursor", img, (size_t)w * h * 4), r;

	if (fd < 0)
		return -1;
	r = ipc_send(c->sock, IPC_CAP2BRK_CURSOR, &m, sizeof(m), fd);
	close(fd);
	cap_drain(c);
	return r < 0 || b.screen.capture == NULL ? -1 : 0;
}

struct viewer {
	struct bufferevent *bev[2];	/* [0] the client's, [1] ours */
	uint32_t	fb[W * H];	/* what it shows */
	/* Of its last update: */
	int		nraw;		/* Raw rectangles */
	struct rect	raw_box;	/* their bounding box */
	int		ncursor;	/* Cursor rectangles */
	uint8_t		cur[12 + 64 * 64 * 4 + 8 * 64];	/* the last one */
	size_t		curlen;
};

/* len bytes from the broker, waiting up to a second for them. */
static int
take(struct viewer *v, void *p, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(v->bev[1]);

	for (int i = 0; i < 200 && evbuffer_get_length(in) < len; i++) {
		pump();
		if (evbuffer_get_length(in) < len)
			usleep(5000);
	}
	if (evbuffer_get_length(in) < len)
		return -1;
	evbuffer_remove(in, p, len);
	return 0;
}

static void
send_bytes(struct viewer *v, const void *p, size_t len)
{
	bufferevent_write(v->bev[1], p, len);
	pump();
}

static int
viewer_open(struct viewer *v, int cursor)
{
	uint8_t buf[256], init[24];
	uint8_t enc[4 + 8] = { rfbSetEncodings, 0, 0, cursor ? 2 : 1 };
	uint32_t namelen;

	memset(v, 0, sizeof(*v));
	if (bufferevent_pair_new(b.base, 0, v->bev) < 0 ||
	    client_new_bev(&b, v->bev[0], "test", IPC_SEC_NONE) == NULL)
		return -1;
	bufferevent_enable(v->bev[1], EV_READ | EV_WRITE);
	if (take(v, buf, 12) < 0)
		return -1;
	send_bytes(v, "RFB 003.008\n", 12);
	if (take(v, buf, 2) < 0)
		return -1;
	send_bytes(v, "\x01", 1);
	if (take(v, buf, 4) < 0)
		return -1;
	send_bytes(v, "\x01", 1);
	if (take(v, init, 24) < 0)
		return -1;
	namelen = wire_get32(init + 20);
	if (namelen > sizeof(buf) || take(v, buf, namelen) < 0)
		return -1;
	wire_put32(enc + 4, 0);				/* Raw */
	wire_put32(enc + 8, (uint32_t)SESSION_ENC_CURSOR);
	send_bytes(v, enc, cursor ? 12 : 8);
	return 0;
}

static void
request(struct viewer *v, int incremental)
{
	uint8_t m[10] = { rfbFramebufferUpdateRequest, (uint8_t)incremental };

	wire_put16(m + 6, W);
	wire_put16(m + 8, H);
	send_bytes(v, m, sizeof(m));
}

/* Whether an update waits to be read. */
static int
pending(struct viewer *v)
{
	pump();
	usleep(20000);
	pump();
	return evbuffer_get_length(bufferevent_get_input(v->bev[1])) > 0;
}

/* One FramebufferUpdate: Raw into fb, a Cursor rectangle kept whole. */
static int
update(struct viewer *v)
{
	uint8_t h[12];
	uint16_t n;

	v->nraw = v->ncursor = 0;
	v->raw_box = (struct rect){ 0, 0, 0, 0 };
	if (take(v, h, 4) < 0 || h[0] != rfbFramebufferUpdate)
		return -1;
	n = wire_get16(h + 2);
	for (uint16_t i = 0; i < n; i++) {
		uint16_t x, y, w, hh;
		int32_t enc;

		if (take(v, h, 12) < 0)
			return -1;
		x = wire_get16(h);
		y = wire_get16(h + 2);
		w = wire_get16(h + 4);
		hh = wire_get16(h + 6);
		enc = (int32_t)wire_get32(h + 8);
		if (enc == 0) {
			if (x + w > W || y + hh > H)
				return -1;
			for (uint16_t r = 0; r < hh; r++)
				if (take(v, v->fb + (size_t)(y + r) * W + x,
				    (size_t)w * 4) < 0)
					return -1;
			if (v->nraw++ == 0)
				v->raw_box = (struct rect){ x, y, w, hh };
			else {
				uint32_t x1 = v->raw_box.x + v->raw_box.w,
				    y1 = v->raw_box.y + v->raw_box.h;

				x1 = x + w > x1 ? x + w : x1;
				y1 = y + hh > y1 ? y + hh : y1;
				v->raw_box.x = x < v->raw_box.x ? x :
				    v->raw_box.x;
				v->raw_box.y = y < v->raw_box.y ? y :
				    v->raw_box.y;
				v->raw_box.w = x1 - v->raw_box.x;
				v->raw_box.h = y1 - v->raw_box.y;
			}
		} else if (enc == SESSION_ENC_CURSOR) {
			size_t len = (size_t)w * hh * 4 +
			    (size_t)(w + 7) / 8 * hh;

			if (12 + len > sizeof(v->cur))
				return -1;
			memcpy(v->cur, h, 12);
			if (take(v, v->cur + 12, len) < 0)
				return -1;
			v->curlen = 12 + len;
			v->ncursor++;
		} else
			return -1;
	}
	return n;
}

static uint32_t
pixel(uint32_t x, uint32_t y)
{
	return ((x * 7) ^ (y * 131)) & 0xffffff;
}

/* The pointer: 5x4, hot spot 1,1; X opaque black, o opaque white, . a
 * transparent pixel. */
static const char *const arrow[4] = { "XX...", "XooX.", "XoooX", "XX..X" };

static void
arrow_image(uint32_t *img)
{
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 5; x++)
			img[y * 5 + x] = arrow[y][x] == 'X' ? 0xff000000 :
			    arrow[y][x] == 'o' ? 0xffffffff : 0;
}

/* The viewer's pixels are the frame pic with the arrow's hot spot at
 * (x, y) (x < 0: no arrow), everywhere. */
static int
shows(const struct viewer *v, const uint32_t *pic, int x, int y)
{
	for (int py = 0; py < H; py++)
		for (int px = 0; px < W; px++) {
			uint32_t want = pic[py * W + px];
			int ax = px - (x - 1), ay = py - (y - 1);

			if (x >= 0 && ax >= 0 && ax < 5 && ay >= 0 && ay < 4 &&
			    arrow[ay][ax] != '.')
				want = arrow[ay][ax] == 'X' ? 0 : 0xffffff;
			if ((v->fb[py * W + px] & 0xffffff) != want) {
				diag("at %d,%d: 0x%06x, not 0x%06x", px, py,
				    v->fb[py * W + px] & 0xffffff, want);
				return 0;
			}
		}
	return 1;
}

static int
box_holds(const struct rect *box, int x, int y)
{
	return (uint32_t)x >= box->x && (uint32_t)x < box->x + box->w &&
	    (uint32_t)y >= box->y && (uint32_t)y < box->y + box->h;
}

/* The drawn frame is the current one with the arrow drawn afresh. */
static int
drawn_right(void)
{
	struct frame *f = b.screen.cur, *d = screen_drawn_frame(&b.screen);
	size_t bytes = (size_t)f->width * 4 * f->height;
	uint8_t *fresh = malloc(bytes);
	int good;

	if (fresh == NULL)
		bail("no memory");
	for (uint32_t y = 0; y < f->height; y++)
		memcpy(fresh + (size_t)y * f->width * 4,
		    f->pixels + y * f->stride, (size_t)f->width * 4);
	cursor_draw(&b.screen.cursor, fresh, (size_t)f->width * 4, f->width,
	    f->height);
	good = d != f && memcmp(d->pixels, fresh, bytes) == 0;
	free(fresh);
	return good;
}

static void
test_viewers(void)
{
	static uint32_t pic[W * H];
	struct viewer *with = calloc(1, sizeof(*with));
	struct viewer *without = calloc(1, sizeof(*without));
	uint32_t img[20];
	struct cap c;
	struct frame *held;
	const uint8_t *px;
	unsigned int made;
	int n;

	if (with == NULL || without == NULL)
		bail("no memory");
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			pic[y * W + x] = pixel(x, y);
	arrow_image(img);
	if (cap_open(&c, W, H) < 0 || cap_frame(&c, pic, W, H) < 0 ||
	    viewer_open(with, 1) < 0 || viewer_open(without, 0) < 0)
		bail("set-up");
	cap_drain(&c);

	/* The cursor comes: hot spot at 100,60. */
	ok(cap_cursor(&c, img, 5, 4, 1, 1, 100, 60, 1, 1) == 0,
	    "the capture helper's cursor is taken");
	request(with, 0);
	n = update(with);
	ok(n > 0 && with->ncursor == 1 && with->nraw > 0 &&
	    shows(with, pic, -1, -1), "the viewer that lists Cursor: the "
	    "frame as it is, no pointer in its pixels, and a Cursor "
	    "rectangle");
	ok(with->curlen == 12 + 80 + 4 && wire_get16(with->cur) == 1 &&
	    wire_get16(with->cur + 2) == 1 && wire_get16(with->cur + 4) == 5 &&
	    wire_get16(with->cur + 6) == 4 &&
	    memcmp(with->cur + 92, (const uint8_t[]){ 0xc0, 0xf0, 0xf8, 0xc8 },
	    4) == 0, "it is the arrow: hot spot 1,1, 5x4, its mask");
	ok(with->cur[12 + 4 * 7] == 0xff && with->cur[12 + 4 * 7 + 2] == 0xff &&
	    with->cur[12] == 0 && with->cur[12 + 2] == 0,
	    "black at 0,0, white at 2,1");
	request(without, 0);
	n = update(without);
	ok(n > 0 && without->ncursor == 0 && shows(without, pic, 100, 60),
	    "the viewer without Cursor: the same frame with the arrow drawn "
	    "at 100,60, and no Cursor rectangle");

	/* The pointer moves: damage for the one that does not draw it. */
	request(with, 1);
	request(without, 1);
	made = b.screen.drawn_made;
	ok(cap_cursor(&c, img, 5, 4, 1, 1, 30, 20, 1, 0) == 0,
	    "the pointer moves to 30,20 (no new image)");
	ok(!pending(with), "the viewer that draws it is sent nothing");
	n = update(without);
	ok(n > 0 && without->ncursor == 0 && shows(without, pic, 30, 20),
	    "the other one sees it moved: gone from 100,60, drawn at 30,20");
	ok(without->nraw > 0 && box_holds(&without->raw_box, 30, 20) &&
	    box_holds(&without->raw_box, 100, 60) &&
	    without->raw_box.w * without->raw_box.h < W * H,
	    "in rectangles over the old and the new place only (%ux%u at "
	    "%u,%u)", without->raw_box.w, without->raw_box.h,
	    without->raw_box.x, without->raw_box.y);
	ok(b.screen.drawn_made == made + 1 && drawn_right(),
	    "one drawn frame made for it, from the pixels of the one before: "
	    "the same as drawn afresh");

	/* Nothing changes: nothing is drawn again. */
	made = b.screen.drawn_made;
	ok(screen_drawn_frame(&b.screen) == screen_drawn_frame(&b.screen) &&
	    b.screen.drawn_made == made, "an unchanged frame and cursor: the "
	    "same drawn frame, nothing made");

	/* A new frame changes one tile: drawn again from the spare. */
	pic[5 * W + 150] ^= 0x00ff00;
	request(with, 1);
	request(without, 1);
	ok(cap_frame(&c, pic, W, H) == 0, "a frame with one pixel changed");
	n = update(with);
	ok(n > 0 && with->ncursor == 0 && shows(with, pic, -1, -1),
	    "the viewer with Cursor gets it, without the pointer");
	n = update(without);
	ok(n > 0 && shows(without, pic, 30, 20) && drawn_right(),
	    "the other gets it with the pointer, drawn right from the pixels "
	    "before and the damage since");

	/* A job still reads the drawn frame when the next frame comes: its
	 * pixels are taken back once it is done. */
	held = frame_ref(screen_drawn_frame(&b.screen));
	pic[100 * W + 20] ^= 0xff0000;
	ok(cap_frame(&c, pic, W, H) == 0 && b.screen.pending == held,
	    "a frame while a job reads the drawn one: it waits to be reused");
	px = held->own;
	frame_unref(held);
	request(with, 1);
	n = update(with);
	request(without, 1);
	n = update(without);
	ok(n > 0 && shows(without, pic, 30, 20) && drawn_right() &&
	    b.screen.drawn->pixels == px && b.screen.pending == NULL,
	    "once the job is done, the next is drawn into its pixels, right");

	/* A new shape: the hot spot moves. */
	request(with, 1);
	request(without, 1);
	ok(cap_cursor(&c, img, 5, 4, 0, 0, 29, 19, 1, 0) == 0,
	    "the hot spot moves to 0,0 (the arrow stays where it is)");
	n = update(with);
	ok(n == 1 && with->ncursor == 1 && wire_get16(with->cur) == 0 &&
	    wire_get16(with->cur + 2) == 0, "the viewer with Cursor is told "
	    "the new hot spot, alone");
	ok(!pending(without), "the other sees no change: nothing is sent");

	/* Hidden: a transparent 1x1, and the pixels without it. */
	request(with, 1);
	request(without, 1);
	ok(cap_cursor(&c, img, 5, 4, 0, 0, 29, 19, 0, 0) == 0,
	    "the cursor is hidden");
	n = update(with);
	ok(n == 1 && with->ncursor == 1 && with->curlen == 17 &&
	    wire_get16(with->cur + 4) == 1 && wire_get16(with->cur + 6) == 1 &&
	    with->cur[16] == 0, "the viewer with Cursor: a transparent 1x1");
	n = update(without);
	ok(n > 0 && shows(without, pic, -1, -1) &&
	    screen_drawn_frame(&b.screen) == b.screen.cur,
	    "the other: the pointer gone from its pixels, and the frame is "
	    "the current one itself");

	/* Stop listing Cursor: the pointer is drawn for it from now on. */
	request(with, 1);
	ok(cap_cursor(&c, img, 5, 4, 1, 1, 60, 70, 1, 0) == 0,
	    "shown again at 60,70");
	n = update(with);
	ok(n == 1 && with->ncursor == 1 && with->curlen == 96,
	    "the viewer with Cursor gets the arrow again");
	send_bytes(with, (const uint8_t[]){ rfbSetEncodings, 0, 0, 1, 0, 0, 0,
	    0 }, 8);
	request(with, 1);
	n = update(with);
	ok(n > 0 && with->ncursor == 0 && shows(with, pic, 60, 70),
	    "once it lists Raw alone, it sees the arrow drawn in its pixels");

	bufferevent_free(with->bev[1]);
	bufferevent_free(without->bev[1]);
	free(with);
	free(without);
	pump();
	close(c.sock);
	ring_destroy(&c.ring);
	pump();
}

/* --- the cost at 1080p ---------------------------------------------------- */

static int
by_value(const void *a, const void *bp)
{
	double x = *(const double *)a, y = *(const double *)bp;

	return x < y ? -1 : x > y;
}

/* The median of n samples (sorted in place): the machine is shared. */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return v[n / 2];
}

static void
test_cost(void)
{
	enum { BW = 1920, BH = 1080, REPS = 21 };
	uint32_t *pic = malloc((size_t)BW * BH * 4), img[64 * 64];
	double t0, fresh[REPS], full[REPS], moved[REPS], frame1[REPS];
	double same[REPS];
	struct frame *d;
	struct cap c;
	int right = 1;

	if (pic == NULL)
		bail("no memory");
	for (size_t i = 0; i < (size_t)BW * BH; i++)
		pic[i] = rnd() & 0xffffff;
	for (size_t i = 0; i < 64 * 64; i++)
		img[i] = (i % 3) ? 0xff202020 : 0x80404040;
	if (cap_open(&c, BW, BH) < 0 || cap_frame(&c, pic, BW, BH) < 0 ||
	    cap_cursor(&c, img, 64, 64, 0, 0, 900, 500, 1, 1) < 0)
		bail("set-up at 1080p");
	for (int i = 0; i < REPS; i++) {
		/* A new frame, every tile changed, and no pixels kept: what
		 * the first one costs, or when a job still reads the last. */
		for (size_t j = (size_t)i; j < (size_t)BW * BH; j += 997)
			pic[j] ^= 0x010101;
		if (cap_frame(&c, pic, BW, BH) < 0)
			bail("frame");
		free(b.screen.spare);
		b.screen.spare = NULL;
		t0 = now_ms();
		d = screen_drawn_frame(&b.screen);
		fresh[i] = now_ms() - t0;

		/* Again, with the pixels of the one before kept. */
		for (size_t j = (size_t)i; j < (size_t)BW * BH; j += 997)
			pic[j] ^= 0x010101;
		if (cap_frame(&c, pic, BW, BH) < 0)
			bail("frame");
		t0 = now_ms();
		d = screen_drawn_frame(&b.screen);
		full[i] = now_ms() - t0;

		/* The pointer moves. */
		if (cap_cursor(&c, img, 64, 64, 0, 0, 900 + i * 7, 500 + i,
		    1, 0) < 0)
			bail("cursor");
		t0 = now_ms();
		d = screen_drawn_frame(&b.screen);
		moved[i] = now_ms() - t0;
		right &= drawn_right();

		/* A frame where one tile changed. */
		pic[(size_t)(i * 40) * BW + 100 + i * 50] ^= 0x00ff00;
		if (cap_frame(&c, pic, BW, BH) < 0)
			bail("frame");
		t0 = now_ms();
		d = screen_drawn_frame(&b.screen);
		frame1[i] = now_ms() - t0;
		right &= drawn_right();

		t0 = now_ms();
		right &= screen_drawn_frame(&b.screen) == d;
		same[i] = now_ms() - t0;
	}
	ok(right, "at 1920x1080, every drawn frame is right");
	diag("a drawn frame at 1920x1080, 64x64 cursor, median of %d: %.2f ms "
	    "copied whole into new memory, %.2f ms whole into the pixels "
	    "kept, %.3f ms after a move of the pointer, %.3f ms after a frame "
	    "with one tile changed, %.4f ms asked again unchanged", REPS,
	    median(fresh, REPS), median(full, REPS), median(moved, REPS),
	    median(frame1, REPS), median(same, REPS));
	close(c.sock);
	ring_destroy(&c.ring);
	pump();
	free(pic);
}

int
main(void)
{
	log_init("test-cursor", LOG_LEVEL_ERROR, 0);
	test_straight();
	test_rect();
	test_same_as_compose();

	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "test");
	b.nactive = 1;
	test_viewers();
	test_cost();
	screen_free(&b.screen);
	pool_free(b.pool);
	event_base_free(b.base);
	return done_testing();
}
