/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's screen with a capture helper of our own on the far end of
 * its channel: a real sealed ring, frames announced as the capture helper
 * does, and a subscriber that records the damage it is given.  A map of
 * changed tiles sent with the frame right after the one shown is the
 * damage, whatever the pixels say; on any other frame it is ignored for a
 * compare; one that does not fit its slot, or an unknown kind of map, ends
 * the channel.  And a viewer's key or pointer event tells the capture
 * helper that someone acts, at most every CAP_ACTIVE_MS.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <rfb/rfbproto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "broker/wire.h"
#include "common/frames.h"
#include "common/log.h"
#include "common/ring.h"
#include "common/tiles.h"
#include "tests/tap.h"

#define W	200		/* 4 x 3 tiles, the last ones narrower */
#define H	130
#define STRIDE	(W * 4)
#define LENGTH	(STRIDE * H)
#define NTILES	12

static struct broker b;

/* What the subscriber was given last. */
static struct {
	int		calls;
	uint64_t	seq;
	uint8_t		tiles[NTILES];
	size_t		count;
} seen;

static void
on_changed(void *arg, const struct frame *f, const struct damage *d)
{
	seen.calls++;
	seen.seq = f->seq;
	seen.count = d->count;
	memset(seen.tiles, 0, NTILES);
	memcpy(seen.tiles, d->tiles, (size_t)d->cols * d->rows < NTILES ?
	    (size_t)d->cols * d->rows : NTILES);
}

static void
pump(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
}

/* Our capture helper: one end of the channel and a ring. */
struct cap {
	int		sock;
	struct frame_ring ring;
	uint32_t	released;	/* slots released, as a mask */
	int		resumed, actives;
};

static int
cap_open(struct cap *c, uint32_t id, size_t slot_size)
{
	struct ipc_cap_ring m;
	int sv[2];

	memset(c, 0, sizeof(*c));
	c->ring = (struct frame_ring)RING_INIT;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    ring_create(&c->ring, id, 3, slot_size) < 0)
		return -1;
	c->sock = sv[1];
	screen_set_capture(&b, sv[0]);
	m = (struct ipc_cap_ring){ .ring_id = id, .nslots = 3,
	    .slot_size = c->ring.slot_size };
	if (ipc_send(c->sock, IPC_CAP2BRK_RING, &m, sizeof(m), c->ring.fd) < 0)
		return -1;
	pump();
	return 0;
}

static void
cap_close(struct cap *c)
{
	close(c->sock);
	ring_destroy(&c->ring);
	pump();
}

/* What the broker sent us. */
static void
cap_drain(struct cap *c)
{
	struct ipc_msg m;
	int fd;

	pump();
	while (ipc_recv(c->sock, &m, &fd, IPC_BRK2CAP_FIRST,
	    IPC_BRK2CAP_LAST) == 1) {
		if (m.hdr.type == IPC_BRK2CAP_RELEASE)
			c->released |= 1u << m.u.brk_release.slot;
		else if (m.hdr.type == IPC_BRK2CAP_RESUME)
			c->resumed++;
		else if (m.hdr.type == IPC_BRK2CAP_ACTIVE)
			c->actives++;
		if (fd >= 0)
			close(fd);
	}
}

static uint32_t
pixel(uint32_t x, uint32_t y)
{
	return (x * 7 + y * 131) & 0xffffff;
}

/* The picture every frame starts from, into a slot. */
static void
draw(struct cap *c, uint32_t slot)
{
	uint8_t *p = ring_slot(&c->ring, slot);

	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t v = pixel(x, y);

			memcpy(p + y * STRIDE + x * 4, &v, 4);
		}
}

/* Change one pixel inside tile t of a slot. */
static void
touch(struct cap *c, uint32_t slot, uint32_t t)
{
	uint8_t *p = ring_slot(&c->ring, slot);
	uint32_t x = (t % 4) * TILE_SIDE + 3, y = (t / 4) * TILE_SIDE + 1;

	p[y * STRIDE + x * 4 + 1] ^= 0x80;
}

static uint8_t *
map_of(struct cap *c, uint32_t slot)
{
	return ring_slot(&c->ring, slot) + tiles_map_offset(LENGTH);
}

/* Announce frame seq in slot; 0 when the broker took it. */
static int
announce(struct cap *c, uint32_t slot, uint64_t seq, uint32_t tiles,
    uint32_t w, uint32_t h)
{
	struct ipc_cap_frame f = { .seq = seq, .ring_id = c->ring.id,
	    .slot = slot, .kind = IPC_FRAME_PIXELS, .width = w, .height = h,
	    .stride = w * 4, .fourcc = FRAMES_FOURCC_XRGB8888,
	    .length = w * 4 * h, .tiles = tiles };

	if (ipc_send(c->sock, IPC_CAP2BRK_FRAME, &f, sizeof(f), -1) < 0)
		return -1;
	cap_drain(c);
	return b.screen.capture != NULL ? 0 : -1;
}

/* The tiles given are exactly those in want[] (n of them). */
static int
damage_is(const uint8_t *want, size_t n)
{
	uint8_t t[NTILES] = { 0 };

	for (size_t i = 0; i < n; i++)
		t[want[i]] = 1;
	return seen.count == n && memcmp(seen.tiles, t, NTILES) == 0;
}

static void
test_maps(void)
{
	struct screen_sub sub = { .changed = on_changed };
	struct cap c;
	int calls;

	screen_subscribe(&b.screen, &sub);
	b.nactive = 1;
	if (cap_open(&c, 1, tiles_map_offset(LENGTH) + NTILES) < 0)
		bail("capture set-up");
	cap_drain(&c);
	ok(c.resumed == 1, "a viewer: the capture is resumed");

	draw(&c, 0);
	ok(announce(&c, 0, 1, IPC_TILES_NONE, W, H) == 0 && seen.calls == 1 &&
	    seen.count == NTILES, "frame 1: every tile, the screen is new");

	/* The pixels changed in tile 0; the map says 5 and 7. */
	draw(&c, 1);
	touch(&c, 1, 0);
	memset(map_of(&c, 1), 0, NTILES);
	map_of(&c, 1)[5] = 0xff;
	map_of(&c, 1)[7] = 2;
	ok(announce(&c, 1, 2, IPC_TILES_MAP, W, H) == 0 && seen.seq == 2 &&
	    damage_is((const uint8_t[]){ 5, 7 }, 2),
	    "frame 2 with a map: the damage is the map (tiles 5 and 7, "
	    "bytes 0xff and 2), not a compare");
	ok(c.released == 1, "frame 1's slot is released");

	/* Frame 3 never came: the map of 4 is not against frame 2. */
	draw(&c, 0);
	touch(&c, 0, 0);
	touch(&c, 0, 9);
	memset(map_of(&c, 0), 0, NTILES);
	map_of(&c, 0)[1] = 1;
	ok(announce(&c, 0, 4, IPC_TILES_MAP, W, H) == 0 && seen.seq == 4 &&
	    damage_is((const uint8_t[]){ 9 }, 1),
	    "frame 4 after frame 2: its map (tile 1) is ignored, a compare "
	    "finds tile 9");

	/* A map that marks nothing: nothing changed. */
	calls = seen.calls;
	draw(&c, 2);
	touch(&c, 2, 0);
	touch(&c, 2, 9);
	touch(&c, 2, 11);
	memset(map_of(&c, 2), 0, NTILES);
	ok(announce(&c, 2, 5, IPC_TILES_MAP, W, H) == 0 &&
	    seen.calls == calls, "frame 5 with an empty map: subscribers "
	    "hear nothing");
	memset(map_of(&c, 1), 0, NTILES);
	map_of(&c, 1)[11] = 1;
	draw(&c, 1);
	ok(announce(&c, 1, 6, IPC_TILES_MAP, W, H) == 0 && seen.seq == 6 &&
	    damage_is((const uint8_t[]){ 11 }, 1),
	    "frame 6's map, after 5: tile 11");

	/* A new screen size: every tile, map or not. */
	memset(map_of(&c, 0), 0, NTILES);
	ok(announce(&c, 0, 7, IPC_TILES_MAP, 130, 130) == 0 &&
	    seen.seq == 7 && seen.count == 9,
	    "frame 7 of another size with an empty map: all 9 tiles");
	draw(&c, 2);
	ok(announce(&c, 2, 8, IPC_TILES_NONE, W, H) == 0 && seen.seq == 8 &&
	    seen.count == NTILES, "frame 8 of the old size: all 12 tiles");
	cap_close(&c);

	/* A restarted capture helper: a new ring, seq counting from 1. */
	if (cap_open(&c, 1, tiles_map_offset(LENGTH) + NTILES) < 0)
		bail("capture set-up");
	draw(&c, 0);
	touch(&c, 0, 3);
	memset(map_of(&c, 0), 0, NTILES);
	map_of(&c, 0)[6] = 1;
	ok(announce(&c, 0, 1, IPC_TILES_MAP, W, H) == 0 && seen.seq == 1 &&
	    damage_is((const uint8_t[]){ 3 }, 1),
	    "the first frame of a new capture helper: its map is ignored "
	    "(the frame shown is of another ring), a compare finds tile 3");

	/* Kinds of map we do not know, and maps beyond the slot. */
	ok(announce(&c, 1, 2, 2, W, H) == -1,
	    "tiles 2 is a protocol error: the channel ends");
	cap_close(&c);
	/* A slot of exactly one page: a frame that fills it has no room. */
	if (cap_open(&c, 1, 64 * 4 * 16) < 0)
		bail("capture set-up");
	ok(c.ring.slot_size == 4096 &&
	    announce(&c, 0, 1, IPC_TILES_NONE, 64, 16) == 0,
	    "a 64x16 frame fills a 4096-byte slot: taken without a map");
	ok(announce(&c, 1, 2, IPC_TILES_MAP, 64, 16) == -1,
	    "the same with a map (1 byte at 4096) is a protocol error");
	cap_close(&c);
	if (cap_open(&c, 1, 64 * 4 * 15 + 64) < 0)
		bail("capture set-up");
	ok(announce(&c, 0, 1, IPC_TILES_MAP, 64, 15) == 0,
	    "a 64x15 frame in a 4096-byte slot leaves room for its map");
	ok(announce(&c, 1, 2, IPC_TILES_MAP, 1020, 1) == -1,
	    "a 1020x1 frame: the map would start at 4096, past the slot");
	cap_close(&c);
	screen_unsubscribe(&b.screen, &sub);
}

/* --- a viewer acts ------------------------------------------------------ */

struct viewer {
	struct bufferevent *bev[2];	/* [0] the client's, [1] ours */
};

static int
viewer_take(struct viewer *v, void *p, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(v->bev[1]);

	pump();
	if (evbuffer_get_length(in) < len)
		return -1;
	evbuffer_remove(in, p, len);
	return 0;
}

static void
viewer_send(struct viewer *v, const void *p, size_t len)
{
	bufferevent_write(v->bev[1], p, len);
	pump();
}

static int
viewer_open(struct viewer *v)
{
	uint8_t buf[256], init[24];
	uint32_t namelen;

	if (bufferevent_pair_new(b.base, 0, v->bev) < 0 ||
	    client_new_bev(&b, v->bev[0], "test", IPC_SEC_NONE) == NULL)
		return -1;
	bufferevent_enable(v->bev[1], EV_READ | EV_WRITE);
	if (viewer_take(v, buf, 12) < 0)
		return -1;
	viewer_send(v, "RFB 003.008\n", 12);
	if (viewer_take(v, buf, 2) < 0)
		return -1;
	viewer_send(v, "\x01", 1);
	if (viewer_take(v, buf, 4) < 0)
		return -1;
	viewer_send(v, "\x01", 1);
	if (viewer_take(v, init, 24) < 0)
		return -1;
	namelen = wire_get32(init + 20);
	if (namelen > sizeof(buf) || viewer_take(v, buf, namelen) < 0)
		return -1;
	return 0;
}

static void
key(struct viewer *v, uint32_t keysym, int down)
{
	uint8_t m[8] = { rfbKeyEvent, (uint8_t)down };

	wire_put32(m + 4, keysym);
	viewer_send(v, m, sizeof(m));
}

static void
pointer(struct viewer *v, uint16_t x, uint16_t y)
{
	uint8_t m[6] = { rfbPointerEvent, 0 };

	wire_put16(m + 2, x);
	wire_put16(m + 4, y);
	viewer_send(v, m, sizeof(m));
}

static void
test_active(void)
{
	struct viewer v;
	struct cap c;
	struct client *cl;

	b.nactive = 0;
	if (cap_open(&c, 1, tiles_map_offset(LENGTH) + NTILES) < 0 ||
	    viewer_open(&v) < 0)
		bail("set-up");
	cl = TAILQ_LAST(&b.clients, client_list);
	cap_drain(&c);
	ok(c.actives == 0, "a viewer that only connects: no 'active'");
	key(&v, 'a', 1);
	cap_drain(&c);
	ok(c.actives == 1, "a key from a viewer with control: 'active'");
	key(&v, 'a', 0);
	for (int i = 0; i < 500; i++)
		pointer(&v, (uint16_t)i, (uint16_t)i);
	cap_drain(&c);
	ok(c.actives == 1, "its release and 500 pointer events right after: "
	    "no more (%d)", c.actives);
	usleep((CAP_ACTIVE_MS + 50) * 1000);
	pointer(&v, 7, 7);
	pointer(&v, 8, 8);
	cap_drain(&c);
	ok(c.actives == 2, "%d ms later, a pointer event: one more",
	    CAP_ACTIVE_MS + 50);
	usleep((CAP_ACTIVE_MS + 50) * 1000);
	cl->role = CLIENT_VIEW;
	key(&v, 'b', 1);
	key(&v, 'b', 0);
	pointer(&v, 9, 9);
	cap_drain(&c);
	ok(c.actives == 2, "a view-only viewer's keys and pointer: none");
	bufferevent_free(v.bev[1]);
	pump();
	cap_close(&c);
}

int
main(void)
{
	log_init("test-screen", LOG_LEVEL_ERROR, 0);
	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "test");
	test_maps();
	test_active();
	screen_free(&b.screen);
	event_base_free(b.base);
	return done_testing();
}
