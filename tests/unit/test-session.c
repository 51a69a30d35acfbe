/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's client side as it runs, over a bufferevent pair: the real
 * conn, session, client and updates, the real screen fed frames of our
 * own, and the real input channel to a socketpair we read as the input
 * helper would.  No screen state is poked into structs: the test is an RFB
 * viewer on the far end of the pair.
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
#include "broker/conn.h"
#include "broker/wire.h"
#include "common/log.h"
#include "tests/tap.h"

#define W	100
#define H	70

static struct broker b;

struct viewer {
	struct bufferevent *bev[2];	/* [0] the client's, [1] ours */
	struct evbuffer	*in;		/* what the server sent us */
};

static void
pump(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
}

static uint32_t
pixel(uint32_t x, uint32_t y, uint8_t seed)
{
	return (x * 7 + y * 131 + seed * 17) & 0xffffff;
}

static void
new_frame(uint32_t w, uint32_t h, uint8_t seed)
{
	uint32_t *px = malloc((size_t)w * h * 4);

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			px[y * w + x] = pixel(x, y, seed);
	screen_set_frame(&b.screen, frame_own((uint8_t *)px, w, h));
}

static struct client *
last_client(void)
{
	return TAILQ_LAST(&b.clients, client_list);
}

static int
viewer_open(struct viewer *v, uint32_t security)
{
	if (bufferevent_pair_new(b.base, 0, v->bev) < 0)
		return -1;
	if (client_new_bev(&b, v->bev[0], "test", security) == NULL)
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

/* Take exactly len bytes the server sent, or fail. */
static int
viewer_take(struct viewer *v, void *p, size_t len)
{
	pump();
	if (evbuffer_get_length(v->in) < len)
		return -1;
	evbuffer_remove(v->in, p, len);
	return 0;
}

static size_t
viewer_pending(struct viewer *v)
{
	pump();
	return evbuffer_get_length(v->in);
}

/* Through the 3.8 handshake to ServerInit; 0 when all was as it must. */
static int
handshake(struct viewer *v, uint16_t *w, uint16_t *h)
{
	uint8_t buf[64], sec[2], result[4], init[24];
	uint32_t namelen;

	if (viewer_take(v, buf, 12) < 0 || memcmp(buf, "RFB 003.008\n", 12))
		return -1;
	viewer_send(v, "RFB 003.008\n", 12);
	if (viewer_take(v, sec, 2) < 0 || sec[0] != 1 || sec[1] != 1)
		return -1;
	viewer_send(v, "\x01", 1);
	if (viewer_take(v, result, 4) < 0 || wire_get32(result) != 0)
		return -1;
	viewer_send(v, "\x01", 1);	/* ClientInit, shared */
	if (viewer_take(v, init, 24) < 0)
		return -1;
	*w = wire_get16(init);
	*h = wire_get16(init + 2);
	namelen = wire_get32(init + 20);
	if (namelen > sizeof(buf) || viewer_take(v, buf, namelen) < 0)
		return -1;
	return 0;
}

static void
request(struct viewer *v, int incremental, uint16_t x, uint16_t y,
    uint16_t w, uint16_t h)
{
	uint8_t m[10] = { rfbFramebufferUpdateRequest, (uint8_t)incremental };

	wire_put16(m + 2, x);
	wire_put16(m + 4, y);
	wire_put16(m + 6, w);
	wire_put16(m + 8, h);
	viewer_send(v, m, sizeof(m));
}

/*
 * Read one FramebufferUpdate of Raw rectangles in the native format and
 * check every pixel against frame seed; returns the pixels covered, or -1.
 */
static long
read_update(struct viewer *v, uint8_t seed)
{
	uint8_t hdr[4], rh[12];
	long covered = 0;
	uint16_t n;

	if (viewer_take(v, hdr, 4) < 0 || hdr[0] != rfbFramebufferUpdate)
		return -1;
	n = wire_get16(hdr + 2);
	for (uint16_t i = 0; i < n; i++) {
		uint16_t x, y, w, h;

		if (viewer_take(v, rh, 12) < 0 || wire_get32(rh + 8) != 0)
			return -1;
		x = wire_get16(rh);
		y = wire_get16(rh + 2);
		w = wire_get16(rh + 4);
		h = wire_get16(rh + 6);
		for (uint32_t j = 0; j < (uint32_t)w * h; j++) {
			uint8_t p[4];
			uint32_t want = pixel(x + j % w, y + j / w, seed);

			if (viewer_take(v, p, 4) < 0 ||
			    (uint32_t)(p[0] | p[1] << 8 | p[2] << 16) != want)
				return -1;
		}
		covered += (long)w * h;
	}
	return covered;
}

/* Hang up: the client sees the end of the connection. */
static void
viewer_close(struct viewer *v)
{
	bufferevent_flush(v->bev[1], EV_WRITE, BEV_FINISHED);
	bufferevent_free(v->bev[1]);
	pump();
}

static void
test_handshakes(void)
{
	struct viewer v;
	uint8_t buf[256];
	uint16_t w, h;

	w = h = 0;
	ok(viewer_open(&v, IPC_SEC_NONE) == 0 && handshake(&v, &w, &h) == 0 &&
	    w == W && h == H, "RFB 3.8 with None reaches ServerInit");
	ok(b.nactive == 1, "a client past ClientInit counts as a viewer");
	viewer_close(&v);
	ok(b.nclients == 0 && b.nactive == 0, "its end closes the client");

	/* A listener that offers nothing: the reason, then the end. */
	viewer_open(&v, 0);
	viewer_take(&v, buf, 12);
	viewer_send(&v, "RFB 003.008\n", 12);
	ok(viewer_take(&v, buf, 5) == 0 && buf[0] == 0 &&
	    wire_get32(buf + 1) > 0 && viewer_take(&v, buf + 5,
	    wire_get32(buf + 1)) == 0 && memmem(buf + 5, wire_get32(buf + 1),
	    "no security type", 16) != NULL,
	    "a listener without None refuses 3.8 with a reason");
	ok(b.nclients == 0, "and closes once the reason is out");
	ok(b.nactive == 0, "a refused connection never counted as a viewer");
	viewer_close(&v);

	viewer_open(&v, 0);
	viewer_take(&v, buf, 12);
	viewer_send(&v, "RFB 003.003\n", 12);
	ok(viewer_take(&v, buf, 4) == 0 && wire_get32(buf) == rfbConnFailed,
	    "and 3.3 with ConnFailed");
	viewer_close(&v);

	viewer_open(&v, IPC_SEC_NONE);
	viewer_take(&v, buf, 12);
	viewer_send(&v, "HTTP/1.1 200", 12);
	ok(b.nclients == 0, "a bad version closes the client");
	viewer_close(&v);
}

static void
test_updates(void)
{
	struct viewer v;
	uint16_t w, h;
	long px;

	viewer_open(&v, IPC_SEC_NONE);
	handshake(&v, &w, &h);
	request(&v, 0, 0, 0, W, H);
	px = read_update(&v, 1);
	ok(px == W * H, "a full request gets every pixel (%ld)", px);
	request(&v, 1, 0, 0, W, H);
	ok(viewer_pending(&v) == 0,
	    "an incremental request with nothing new gets nothing yet");
	new_frame(W, H, 1);	/* the same pixels: no damage */
	ok(viewer_pending(&v) == 0, "a frame that changed nothing neither");
	new_frame(W, H, 2);
	px = read_update(&v, 2);
	ok(px == W * H, "a changed frame answers the waiting request (%ld)",
	    px);
	request(&v, 1, 10, 10, 5, 5);
	new_frame(W, H, 3);
	px = read_update(&v, 3);
	ok(px == 25, "only the area asked for is sent (%ld)", px);
	request(&v, 1, 0, 0, W, H);
	px = read_update(&v, 3);
	/* The tile the small area cut stays damaged: all of it comes. */
	ok(px == W * H, "and every changed tile when the whole screen is "
	    "asked for (%ld)", px);

	/* A slow reader: the pair stops carrying bytes to us. */
	bufferevent_disable(v.bev[1], EV_READ);
	for (int i = 0; i < 50; i++) {
		request(&v, 0, 0, 0, W, H);
		new_frame(W, H, (uint8_t)(10 + i));
	}
	ok(conn_unsent(last_client()->conn) <
	    CLIENT_OUTPUT_LOW + W * H * 4 + 1024,
	    "a client that does not read holds one update at most (%zu "
	    "bytes unsent)", conn_unsent(last_client()->conn));
	viewer_close(&v);
	new_frame(W, H, 1);
}

static void
test_budget(void)
{
	uint8_t spf[20] = { rfbSetPixelFormat };
	struct viewer v;
	uint16_t w, h;
	int i;

	viewer_open(&v, IPC_SEC_NONE);
	handshake(&v, &w, &h);
	/* 8 bpp colour-mapped: each one asks for a SetColourMapEntries. */
	spf[4] = 8;
	spf[5] = 8;
	bufferevent_disable(v.bev[1], EV_READ);
	for (i = 0; i < 2000 &&
	    last_client()->session.state != SESSION_CLOSING; i++)
		viewer_send(&v, spf, sizeof(spf));
	ok(last_client()->session.state == SESSION_CLOSING,
	    "a client that floods colour-map requests without reading is "
	    "closed (after %d)", i);
	ok(conn_unsent(last_client()->conn) <=
	    CLIENT_OUTPUT_LOW + CLIENT_OUTPUT_SMALL + W * H * 4 + 64,
	    "before it cost more than its budget (%zu bytes unsent)",
	    conn_unsent(last_client()->conn));
	viewer_close(&v);
}

/* The input helper's end: every message it got. */
static void
drain_input(int fd, int *keys, int *pointers, struct ipc_in_pointer *last)
{
	struct ipc_msg m;
	int mfd;

	while (ipc_recv(fd, &m, &mfd, IPC_BRK2IN_FIRST, IPC_BRK2IN_LAST) == 1) {
		if (m.hdr.type == IPC_BRK2IN_POINTER) {
			(*pointers)++;
			*last = m.u.in_pointer;
		} else if (m.hdr.type == IPC_BRK2IN_KEY && m.u.in_key.down)
			(*keys)++;
	}
}

static void
test_input(void)
{
	uint8_t ptr[6] = { rfbPointerEvent }, key[8] = { rfbKeyEvent, 1 };
	struct ipc_in_pointer last = { 0 };
	struct viewer v;
	uint8_t *flood;
	int sv[2], keys = 0, pointers = 0, small = 4096;
	uint16_t w, h;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		bail("socketpair");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	in_set_channel(&b, sv[0]);
	viewer_open(&v, IPC_SEC_NONE);
	handshake(&v, &w, &h);

	/* 20000 motion events in one burst. */
	flood = malloc(20000 * sizeof(ptr));
	for (int i = 0; i < 20000; i++) {
		wire_put16(ptr + 2, (uint16_t)(i % W));
		wire_put16(ptr + 4, (uint16_t)(i % H));
		memcpy(flood + i * sizeof(ptr), ptr, sizeof(ptr));
	}
	viewer_send(&v, flood, 20000 * sizeof(ptr));
	free(flood);
	for (int i = 0; i < 30; i++) {
		usleep(2000);
		pump();
		drain_input(sv[1], &keys, &pointers, &last);
	}
	ok(pointers >= 1 && pointers < 200,
	    "20000 motion events reach the input helper as %d", pointers);
	ok(last.x == 19999 % W * 65535 / (W - 1) &&
	    last.y == 19999 % H * 65535 / (H - 1),
	    "and the last is the newest position (%u, %u)", last.x, last.y);

	/* A click between motions is never merged away. */
	pointers = 0;
	ptr[1] = 1;
	viewer_send(&v, ptr, sizeof(ptr));
	ptr[1] = 0;
	viewer_send(&v, ptr, sizeof(ptr));
	pump();
	drain_input(sv[1], &keys, &pointers, &last);
	ok(pointers == 2 && last.buttons == 0, "a press and a release both "
	    "arrive (%d)", pointers);

	/* 5000 key presses while the helper does not read: the client is
	 * held, nothing is dropped, the channel stays. */
	flood = malloc(5000 * 2 * sizeof(key));
	for (int i = 0; i < 5000; i++) {
		key[1] = 1;
		wire_put32(key + 4, 'a' + i % 26);
		memcpy(flood + i * 2 * sizeof(key), key, sizeof(key));
		key[1] = 0;
		memcpy(flood + (i * 2 + 1) * sizeof(key), key, sizeof(key));
	}
	viewer_send(&v, flood, 5000 * 2 * sizeof(key));
	free(flood);
	ok(last_client()->input_held && b.input.ch != NULL &&
	    channel_queued(b.input.ch) < IN_QUEUE_MAX,
	    "a key flood the helper cannot take holds the client (%zu queued)",
	    b.input.ch != NULL ? channel_queued(b.input.ch) : 0);
	keys = 0;
	for (int i = 0; i < 2000 && keys < 5000; i++) {
		drain_input(sv[1], &keys, &pointers, &last);
		pump();
	}
	ok(keys == 5000 && !last_client()->input_held,
	    "when it catches up, every key arrives (%d of 5000)", keys);
	viewer_close(&v);
	close(sv[1]);
	pump();
}

int
main(void)
{
	log_init("test-session", LOG_LEVEL_ERROR, 0);
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "test");
	new_frame(W, H, 1);
	test_handshakes();
	test_updates();
	test_budget();
	test_input();
	screen_free(&b.screen);
	event_base_free(b.base);
	return done_testing();
}
