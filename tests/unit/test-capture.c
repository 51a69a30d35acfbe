/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "common/blob.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/ring.h"
#include "common/tiles.h"
#include "tests/tap.h"

/*
 * A source of our own whose geometry the test can change: frame n has
 * every byte equal to n, so that a slot tells which frame it holds.
 */
struct pattern {
	uint32_t	width, height, fps;
	int		changed;	/* the next grab reports a new mode */
	uint8_t		n;
	uint32_t	nscreens;	/* the monitors it says it has */
	struct ipc_screen screens[IPC_SCREENS_MAX + 1];
};

static void *
pattern_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	return NULL;
}

static int
pattern_describe(void *state, struct capture_mode *mode)
{
	struct pattern *p = state;

	*mode = (struct capture_mode){ .width = p->width, .height = p->height,
	    .stride = p->width * 4, .fourcc = FRAMES_FOURCC_XRGB8888,
	    .fps = p->fps, .kind = IPC_FRAME_PIXELS,
	    .max_length = (size_t)p->width * 4 * p->height,
	    .nscreens = p->nscreens };
	memcpy(mode->screens, p->screens, sizeof(mode->screens));
	return 0;
}

static int
pattern_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct pattern *p = state;

	if (p->changed) {
		p->changed = 0;
		return SOURCE_MODE_CHANGED;
	}
	memset(dst, ++p->n, (size_t)p->width * 4 * p->height);
	f->length = p->width * 4 * p->height;
	return SOURCE_OK;
}

static void
pattern_close(void *state)
{
}

static const struct source_ops source_pattern = {
	.open = pattern_open,
	.describe = pattern_describe,
	.grab = pattern_grab,
	.close = pattern_close,
};

static int
handle(struct capture *c, uint16_t type, uint32_t a, uint32_t b)
{
	struct ipc_msg m = { .hdr = { .type = type, .version = IPC_VERSION } };

	if (type == IPC_BRK2CAP_RELEASE) {
		m.u.brk_release.ring_id = a;
		m.u.brk_release.slot = b;
	} else if (type == IPC_BRK2CAP_RATE)
		m.u.brk_rate.fps = a;
	else if (type == IPC_BRK2CAP_LOG_LEVEL)
		m.u.log_level.level = a;
	return capture_handle(c, &m);
}

/* The next message the capture sent, or -1 when there is none. */
static int
peer_recv(int peer, struct ipc_msg *m, int *fd)
{
	int r = ipc_recv(peer, m, fd, IPC_CAP2BRK_RING, IPC_CAP2BRK_FRAME);

	return r == 1 ? m->hdr.type : -1;
}

static double timer_due(struct capture *c);

/*
 * A source that says when a frame is ready (as V4L2 does): a byte in its
 * pipe is a frame.  It reports the damage, transform and cursor the test
 * sets.
 */
struct ready {
	int		pipe[2];
	uint32_t	transform;
	struct source_frame frame;	/* what grab() reports, but length */
	struct source_cursor cursor;
	uint32_t	img[4 * 3];
	int		grabs;
};

static int
ready_fd(void *state)
{
	return ((struct ready *)state)->pipe[0];
}

static int
ready_describe(void *state, struct capture_mode *mode)
{
	struct ready *r = state;

	*mode = (struct capture_mode){ .width = 8, .height = 4, .stride = 32,
	    .fourcc = FRAMES_FOURCC_XRGB8888, .fps = 30,
	    .kind = IPC_FRAME_PIXELS, .transform = r->transform,
	    .max_length = 32 * 4 };
	return 0;
}

static int
ready_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct ready *r = state;
	char b;

	if (read(r->pipe[0], &b, 1) != 1)
		return -1;
	memset(dst, b, 32 * 4);
	*f = r->frame;
	f->length = 32 * 4;
	r->grabs++;
	return SOURCE_OK;
}

static int
ready_cursor(void *state, struct source_cursor *k)
{
	struct ready *r = state;

	*k = r->cursor;
	k->image = r->img;
	return 0;
}

static const struct source_ops source_ready = {
	.open = pattern_open,
	.describe = ready_describe,
	.grab = ready_grab,
	.close = pattern_close,
	.fd = ready_fd,
	.cursor = ready_cursor,
};

/* Run what the loop has ready now, without waiting. */
static void
loop_once(struct event_base *base)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static int
frame_ready(struct event_base *base, struct ready *r)
{
	int n = r->grabs;

	if (write(r->pipe[1], "r", 1) != 1)
		return -1;
	loop_once(base);
	return r->grabs - n;
}

/* Every message the capture sent by now: frames and cursors counted, the
 * last of each kept. */
struct sent {
	int			frames, cursors;
	struct ipc_cap_frame	frame;
	struct ipc_cap_cursor	cursor;
	uint8_t			image[IPC_CURSOR_MAX_SIDE * 4 * 4];
	int			image_ok;	/* a sealed blob of size bytes */
};

static void
drain(int peer, struct sent *st)
{
	struct ipc_msg m;
	int fd;

	memset(st, 0, sizeof(*st));
	while (ipc_recv(peer, &m, &fd, IPC_CAP2BRK_FIRST,
	    IPC_CAP2BRK_LAST) == 1) {
		if (m.hdr.type == IPC_CAP2BRK_FRAME) {
			st->frames++;
			st->frame = m.u.cap_frame;
		} else if (m.hdr.type == IPC_CAP2BRK_CURSOR) {
			const void *p;

			st->cursors++;
			st->cursor = m.u.cap_cursor;
			p = blob_map(fd, m.u.cap_cursor.size,
			    sizeof(st->image));
			st->image_ok = p != NULL;
			if (p != NULL)
				memcpy(st->image, p, m.u.cap_cursor.size);
			blob_unmap(p, m.u.cap_cursor.size);
		}
		if (fd >= 0)
			close(fd);
	}
}

static void
test_ready_source(void)
{
	struct ready r = {
		.transform = IPC_TRANSFORM_FLIPPED | IPC_TRANSFORM_90,
		.cursor = { .serial = 1, .width = 4, .height = 3, .hot_x = 1,
		    .hot_y = 2, .x = 100, .y = -3, .visible = 1 },
	};
	struct event_base *base = event_base_new();
	struct capture c;
	struct sent st;
	int sv[2];

	for (int i = 0; i < 12; i++)
		r.img[i] = 0xff000000u | (uint32_t)i * 0x010203u;
	if (base == NULL || pipe(r.pipe) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
		ok(0, "ready source: set-up");
		return;
	}
	ok(capture_init(&c, base, sv[0], "ready", &source_ready, &r) == 0 &&
	    capture_send_ring(&c) == 0, "ready source: capture_init");
	ok(c.watch != NULL && !event_pending(c.watch, EV_READ, NULL) &&
	    timer_due(&c) < 0, "paused: its descriptor is not watched");
	handle(&c, IPC_BRK2CAP_RESUME, 0, 0);
	ok(event_pending(c.watch, EV_READ, NULL) && timer_due(&c) < 0,
	    "resumed: its descriptor is watched, and no timer is set");
	drain(sv[1], &st);

	ok(frame_ready(base, &r) == 1, "readable: one grab");
	drain(sv[1], &st);
	ok(st.frames == 1 && st.frame.transform == (IPC_TRANSFORM_FLIPPED |
	    IPC_TRANSFORM_90) && st.frame.tiles == IPC_TILES_NONE,
	    "a frame, with the mode's transform (flipped, 90)");
	ok(st.cursors == 1 && st.cursor.size == 4 * 3 * 4 &&
	    st.cursor.width == 4 && st.cursor.height == 3 &&
	    st.cursor.hot_x == 1 && st.cursor.hot_y == 2 &&
	    st.cursor.x == 100 && st.cursor.y == -3 && st.cursor.visible == 1,
	    "and the cursor: 4x3, hot spot 1,2, at 100,-3");
	ok(st.image_ok && memcmp(st.image, r.img, sizeof(r.img)) == 0,
	    "its image is a sealed blob holding the source's pixels");
	handle(&c, IPC_BRK2CAP_RELEASE, 1, st.frame.slot);

	/* Unchanged, the frame stays here; the pointer moved. */
	r.frame.damage = SOURCE_DAMAGE_NONE;
	r.cursor.x = 101;
	ok(frame_ready(base, &r) == 1, "readable again: one grab");
	drain(sv[1], &st);
	ok(st.frames == 0, "an unchanged frame is not sent");
	ok(st.cursors == 1 && st.cursor.x == 101 && st.image_ok &&
	    memcmp(st.image, r.img, sizeof(r.img)) == 0,
	    "a moved pointer is sent, with the same image");
	ok(ring_free_slot(&c.ring) >= 0 && c.ring.busy == 0,
	    "no slot is held for an unsent frame");
	ok(frame_ready(base, &r) == 1, "a third grab");
	drain(sv[1], &st);
	ok(st.frames == 0 && st.cursors == 0,
	    "nothing changed: nothing sent");

	/* A new picture of the pointer. */
	r.cursor.visible = 0;
	r.cursor.serial = 2;
	r.img[0] = 0x80ffffff;
	r.frame.damage = SOURCE_DAMAGE_RECT;
	r.frame.x = 2;
	r.frame.y = 1;
	r.frame.width = 6;
	r.frame.height = 3;
	ok(frame_ready(base, &r) == 1, "a frame with a damage rectangle");
	drain(sv[1], &st);
	ok(st.frames == 1, "is sent");
	ok(st.cursors == 1 && st.cursor.visible == 0 && st.image_ok &&
	    memcmp(st.image, r.img, sizeof(r.img)) == 0,
	    "a new cursor image goes in a new blob, hidden");
	handle(&c, IPC_BRK2CAP_RELEASE, 1, st.frame.slot);

	/* Every slot held: the descriptor is left alone until a release. */
	r.frame.damage = SOURCE_DAMAGE_UNKNOWN;
	for (int i = 0; i < CAPTURE_SLOTS; i++)
		frame_ready(base, &r);
	drain(sv[1], &st);
	ok(st.frames == CAPTURE_SLOTS && c.ring.busy == 7,
	    "%d frames fill the ring", CAPTURE_SLOTS);
	ok(frame_ready(base, &r) == 0 && c.starved &&
	    !event_pending(c.watch, EV_READ, NULL),
	    "a frame ready with no free slot: not grabbed, not watched");
	handle(&c, IPC_BRK2CAP_RELEASE, 1, st.frame.slot);
	ok(!c.starved && event_pending(c.watch, EV_READ, NULL),
	    "a release: watched again");
	loop_once(base);
	drain(sv[1], &st);
	ok(st.frames == 1, "and the waiting frame is grabbed");
	for (uint32_t i = 0; i < CAPTURE_SLOTS; i++)
		if (c.ring.busy & (1u << i))
			handle(&c, IPC_BRK2CAP_RELEASE, 1, i);

	/* The broker's rate holds the descriptor back. */
	handle(&c, IPC_BRK2CAP_RATE, 2, 0);
	{
		int grabbed = frame_ready(base, &r);
		double due = timer_due(&c);

		ok(grabbed == 1 && !event_pending(c.watch, EV_READ, NULL) &&
		    due > 0.4, "at rate 2, after a frame the descriptor "
		    "rests 0.5 s (%.3f s)", due);
	}
	drain(sv[1], &st);
	handle(&c, IPC_BRK2CAP_PAUSE, 0, 0);
	ok(!event_pending(c.watch, EV_READ, NULL) && timer_due(&c) < 0,
	    "pause: neither watched nor timed");
	for (uint32_t i = 0; i < CAPTURE_SLOTS; i++)
		if (c.ring.busy & (1u << i))
			handle(&c, IPC_BRK2CAP_RELEASE, 1, i);

	/* After a resume the broker gets a frame even if unchanged. */
	handle(&c, IPC_BRK2CAP_RATE, 240, 0);
	handle(&c, IPC_BRK2CAP_RESUME, 0, 0);
	r.frame.damage = SOURCE_DAMAGE_NONE;
	ok(frame_ready(base, &r) == 1, "resumed, a grab");
	drain(sv[1], &st);
	ok(st.frames == 1, "the first frame after a resume is sent, "
	    "unchanged or not");

	/* What the source must not say. */
	handle(&c, IPC_BRK2CAP_RELEASE, 1, st.frame.slot);
	r.frame = (struct source_frame){ .damage = SOURCE_DAMAGE_RECT,
	    .x = 4, .y = 0, .width = 5, .height = 1 };
	ok(write(r.pipe[1], "r", 1) == 1 && capture_tick(&c) == -1,
	    "a damage rectangle outside the mode is an error");
	r.frame = (struct source_frame){ .damage = 7 };
	ok(write(r.pipe[1], "r", 1) == 1 && capture_tick(&c) == -1,
	    "an unknown damage kind is an error");
	r.frame.damage = SOURCE_DAMAGE_UNKNOWN;
	r.cursor.hot_x = 4;
	ok(write(r.pipe[1], "r", 1) == 1 && capture_tick(&c) == -1,
	    "a hot spot outside the cursor is an error");
	capture_free(&c);
	close(sv[1]);

	r.transform = IPC_TRANSFORM_MAX + 1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0) {
		ok(capture_init(&c, base, sv[0], "ready", &source_ready,
		    &r) == -1, "a mode with an unknown transform is refused");
		close(sv[0]);
		close(sv[1]);
	}
	close(r.pipe[0]);
	close(r.pipe[1]);
	event_base_free(base);
}

/*
 * A source that leaves maps: 200x130 (4 x 3 tiles), frames of one byte
 * value; what grab() returns is set by the test, and what the loop gave it
 * is kept.
 */
#define MW	200
#define MH	130
#define MLEN	(MW * 4 * MH)

struct mapper {
	uint32_t	kind;		/* of the mode */
	uint32_t	damage;		/* what grab() says */
	uint32_t	length;		/* what grab() says it wrote */
	uint8_t		marks[12];	/* the map it writes */
	uint8_t		*dst, *map;	/* what the loop gave the last grab */
	int		fresh;
	int		grabs;
	uint32_t	fps;
};

static int
mapper_describe(void *state, struct capture_mode *mode)
{
	struct mapper *m = state;

	*mode = (struct capture_mode){ .width = MW, .height = MH,
	    .stride = MW * 4, .fourcc = FRAMES_FOURCC_XRGB8888,
	    .fps = m->fps, .kind = m->kind, .max_length = MLEN };
	return 0;
}

static int
mapper_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct mapper *m = state;

	m->grabs++;
	m->dst = dst;
	m->map = f->map;
	m->fresh = f->fresh;
	memset(dst, m->grabs, MLEN);
	if (f->map != NULL)
		memcpy(f->map, m->marks, sizeof(m->marks));
	f->length = m->length;
	f->damage = m->damage;
	return SOURCE_OK;
}

static const struct source_ops source_mapper = {
	.open = pattern_open,
	.describe = mapper_describe,
	.grab = mapper_grab,
	.close = pattern_close,
};

/* Release every slot the capture holds, as the broker would. */
static void
release_all(struct capture *c)
{
	for (uint32_t i = 0; i < CAPTURE_SLOTS; i++)
		if (c->ring.busy & (1u << i))
			handle(c, IPC_BRK2CAP_RELEASE, c->ring.id, i);
}

static void
test_maps(void)
{
	struct mapper m = { .kind = IPC_FRAME_PIXELS, .length = MLEN,
	    .damage = SOURCE_DAMAGE_MAP, .fps = 30 };
	struct event_base *base = event_base_new();
	struct frame_ring seen = RING_INIT;
	struct capture c;
	struct ipc_msg msg;
	struct sent st;
	int sv[2], fd, t;

	if (base == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		bail("maps: set-up");
	memset(m.marks, 1, sizeof(m.marks));
	ok(capture_init(&c, base, sv[0], "mapper", &source_mapper, &m) == 0 &&
	    capture_send_ring(&c) == 0, "maps: capture_init");
	t = peer_recv(sv[1], &msg, &fd);
	ok(t == IPC_CAP2BRK_RING && fd >= 0 &&
	    msg.u.cap_ring.slot_size >= tiles_map_offset(MLEN) + 12 &&
	    ring_map(&seen, fd, msg.u.cap_ring.ring_id, msg.u.cap_ring.nslots,
	    msg.u.cap_ring.slot_size) == 0,
	    "a slot has room for the frame and, on a cache line after it, "
	    "its 12-tile map (%llu >= %zu)",
	    (unsigned long long)msg.u.cap_ring.slot_size,
	    tiles_map_offset(MLEN) + 12);

	ok(capture_tick(&c) == 0 && m.map == m.dst + tiles_map_offset(MLEN) &&
	    m.fresh == 1, "the source is given the map's place in its slot, "
	    "and told the first frame of a ring is fresh");
	drain(sv[1], &st);
	ok(st.frames == 1 && st.frame.tiles == IPC_TILES_NONE,
	    "a fresh frame goes without a map, though the source made one");

	memset(m.marks, 0, sizeof(m.marks));
	m.marks[3] = 1;
	m.marks[10] = 0x80;
	ok(capture_tick(&c) == 0 && m.fresh == 0, "the next grab is not "
	    "fresh");
	drain(sv[1], &st);
	ok(st.frames == 1 && st.frame.tiles == IPC_TILES_MAP &&
	    st.frame.seq == 2 && st.frame.length == MLEN,
	    "a map marking 2 tiles: frame 2 is sent with IPC_TILES_MAP");
	ok(seen.base != NULL &&
	    ring_slot(&seen, st.frame.slot)[tiles_map_offset(MLEN) + 3] == 1 &&
	    ring_slot(&seen, st.frame.slot)[tiles_map_offset(MLEN) + 10] ==
	    0x80 && ring_slot(&seen, st.frame.slot)[MLEN - 1] == m.grabs,
	    "the broker's mapping shows the pixels and, after them, the map");

	memset(m.marks, 0, sizeof(m.marks));
	release_all(&c);
	ok(capture_tick(&c) == 0 && m.grabs == 3, "a grab whose map marks "
	    "nothing");
	drain(sv[1], &st);
	ok(st.frames == 0 && c.ring.busy == 0,
	    "is not sent and holds no slot");

	handle(&c, IPC_BRK2CAP_PAUSE, 0, 0);
	handle(&c, IPC_BRK2CAP_RESUME, 0, 0);
	ok(capture_tick(&c) == 0 && m.fresh == 1, "after a resume the source "
	    "is told the frame is fresh");
	drain(sv[1], &st);
	ok(st.frames == 1 && st.frame.tiles == IPC_TILES_NONE,
	    "and an empty map does not hold it back: sent, without a map");
	handle(&c, IPC_BRK2CAP_PAUSE, 0, 0);
	release_all(&c);

	m.length = MLEN - 4;
	m.marks[0] = 1;
	ok(capture_tick(&c) == -1, "a map with a frame shorter than the mode's "
	    "stride * height is an error");
	m.length = MLEN;
	capture_free(&c);
	close(sv[1]);
	ring_destroy(&seen);

	/* A mode of JPEG frames has no room for a map. */
	m.kind = IPC_FRAME_JPEG;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		bail("maps: socketpair");
	ok(capture_init(&c, base, sv[0], "mapper", &source_mapper, &m) == 0 &&
	    capture_tick(&c) == -1 && m.map == NULL,
	    "JPEG frames: no map is offered, and a source that says it made "
	    "one is an error");
	capture_free(&c);
	close(sv[1]);
	event_base_free(base);
}

/* Run the loop for ms milliseconds; the grabs made meanwhile. */
static int
grabs_in(struct event_base *base, struct mapper *m, struct capture *c,
    int peer, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct sent st;
	int n = m->grabs;

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	drain(peer, &st);
	release_all(c);
	return m->grabs - n;
}

/*
 * Idle back-off, in real time: 30 fps while frames change, 5 a second
 * after a second without a change, 30 again at the first change or when
 * the broker says a viewer acts.  Bounds are generous: the machine may be
 * busy.
 */
static void
test_idle(void)
{
	struct mapper m = { .kind = IPC_FRAME_PIXELS, .length = MLEN,
	    .damage = SOURCE_DAMAGE_MAP, .fps = 30 };
	struct event_base *base = event_base_new();
	struct capture c;
	struct sent st;
	double due;
	int sv[2], n;

	if (base == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		bail("idle: set-up");
	if (capture_init(&c, base, sv[0], "mapper", &source_mapper, &m) < 0 ||
	    capture_send_ring(&c) < 0)
		bail("idle: capture_init");
	drain(sv[1], &st);
	handle(&c, IPC_BRK2CAP_RESUME, 0, 0);

	/* Nothing ever changes after the fresh frame. */
	n = grabs_in(base, &m, &c, sv[1], 800);
	ok(n >= 15 && n <= 30 && !c.idle, "the first 0.8 s: the full rate "
	    "(%d grabs, 24 due)", n);
	grabs_in(base, &m, &c, sv[1], 700);
	ok(c.idle, "after 1 s without a change: idle");
	n = grabs_in(base, &m, &c, sv[1], 1000);
	ok(n >= 3 && n <= 7, "the next second: %d a second (%d grabs)",
	    CAPTURE_IDLE_FPS, n);

	/* A change: the full rate at once. */
	m.marks[5] = 1;
	n = grabs_in(base, &m, &c, sv[1], 250);
	memset(m.marks, 0, sizeof(m.marks));
	ok(!c.idle, "a grab that finds a change ends the idle rate");
	n = grabs_in(base, &m, &c, sv[1], 500);
	ok(n >= 9, "the next 0.5 s at the full rate (%d grabs, 15 due)", n);

	/* Idle again; then a viewer acts. */
	grabs_in(base, &m, &c, sv[1], 1200);
	due = timer_due(&c);
	ok(c.idle && due > 0.05, "idle again after 1 s: the next grab in "
	    "%.3f s", due);
	ok(handle(&c, IPC_BRK2CAP_ACTIVE, 0, 0) == 0 && !c.idle,
	    "IPC_BRK2CAP_ACTIVE ends the idle rate");
	due = timer_due(&c);
	/* libevent's timers run on the coarse monotonic clock (a tick of
	 * up to 4 ms): a period, give or take ticks, far from idle's 0.2 s. */
	ok(due >= 0 && due <= 1.0 / 30 + 0.015, "and the next grab is due in "
	    "one full-rate period (%.3f s)", due);
	n = grabs_in(base, &m, &c, sv[1], 500);
	ok(n >= 9, "the next 0.5 s at the full rate (%d grabs, 15 due)", n);
	due = timer_due(&c);
	ok(handle(&c, IPC_BRK2CAP_ACTIVE, 0, 0) == 0 &&
	    fabs(timer_due(&c) - due) < 0.003, "IPC_BRK2CAP_ACTIVE at the "
	    "full rate leaves the timer as it was (%.3f s)", due);
	handle(&c, IPC_BRK2CAP_PAUSE, 0, 0);
	ok(handle(&c, IPC_BRK2CAP_ACTIVE, 0, 0) == 0 && timer_due(&c) < 0,
	    "nor while paused: no timer");
	capture_free(&c);
	close(sv[1]);
	event_base_free(base);
}

/*
 * A source with a descriptor, idle: after a grab its descriptor rests for
 * the idle period, and IPC_BRK2CAP_ACTIVE has it watched again at once (or
 * held for the broker's rate only).
 */
static void
test_idle_watch(void)
{
	struct ready r = { .frame = { .damage = SOURCE_DAMAGE_NONE },
	    .cursor = { .serial = 1, .width = 4, .height = 3, .visible = 1 } };
	struct event_base *base = event_base_new();
	struct capture c;
	struct sent st;
	double due;
	int sv[2], n;

	if (base == NULL || pipe(r.pipe) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    capture_init(&c, base, sv[0], "ready", &source_ready, &r) < 0)
		bail("idle watch: set-up");
	handle(&c, IPC_BRK2CAP_RESUME, 0, 0);
	frame_ready(base, &r);
	drain(sv[1], &st);
	release_all(&c);
	ok(frame_ready(base, &r) == 1 && !c.idle &&
	    event_pending(c.watch, EV_READ, NULL) && timer_due(&c) < 0,
	    "a descriptor source, unchanged frames: watched all the time");
	/* As if the last change were 2 s ago. */
	c.active_ms -= 2000;
	due = timer_due(&c);
	n = frame_ready(base, &r);
	due = timer_due(&c);
	ok(n == 1 && c.idle && !event_pending(c.watch, EV_READ, NULL) &&
	    due > 0.15 && due <= 1.0 / CAPTURE_IDLE_FPS,
	    "a grab 2 s after the last change: idle, the descriptor rests "
	    "%.3f s", due);
	ok(handle(&c, IPC_BRK2CAP_ACTIVE, 0, 0) == 0 && !c.idle &&
	    event_pending(c.watch, EV_READ, NULL) && timer_due(&c) < 0,
	    "IPC_BRK2CAP_ACTIVE: watched again at once");
	handle(&c, IPC_BRK2CAP_RATE, 2, 0);
	c.active_ms -= 2000;
	frame_ready(base, &r);
	due = timer_due(&c);
	ok(c.idle && due > 0.4, "at rate 2 an idle grab rests the slower of "
	    "the two (%.3f s)", due);
	n = handle(&c, IPC_BRK2CAP_ACTIVE, 0, 0);
	due = timer_due(&c);
	ok(n == 0 && !c.idle && !event_pending(c.watch, EV_READ, NULL) &&
	    due > 0.4 && due <= 0.51, "IPC_BRK2CAP_ACTIVE at rate 2: held for "
	    "the broker's rate only (%.3f s)", due);
	capture_free(&c);
	close(sv[1]);
	close(r.pipe[0]);
	close(r.pipe[1]);
	event_base_free(base);
}

/* capture_init() takes the pattern's screens: the ring it then sends. */
static int
screens_sent(struct pattern *p, struct ipc_cap_ring *ring)
{
	struct event_base *base = event_base_new();
	struct capture c;
	struct ipc_msg m;
	int sv[2], fd = -1, r = -1;

	if (base == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return -1;
	if (capture_init(&c, base, sv[0], "pattern", &source_pattern,
	    p) == 0) {
		if (capture_send_ring(&c) == 0 &&
		    peer_recv(sv[1], &m, &fd) == IPC_CAP2BRK_RING) {
			*ring = m.u.cap_ring;
			r = 0;
		}
		capture_free(&c);
	} else
		close(sv[0]);
	if (fd >= 0)
		close(fd);
	close(sv[1]);
	event_base_free(base);
	return r;
}

static void
test_screens(void)
{
	static const struct ipc_screen two[2] = {
		{ .id = 33, .x = 0, .y = 0, .width = 40, .height = 16 },
		{ .id = 41, .x = 40, .y = 0, .width = 24, .height = 10 },
	};
	struct pattern p = { .width = 64, .height = 16, .fps = 30,
	    .nscreens = 2 };
	struct ipc_cap_ring r;

	memcpy(p.screens, two, sizeof(two));
	ok(screens_sent(&p, &r) == 0 && r.nscreens == 2 && r.pad == 0 &&
	    memcmp(r.screens, two, sizeof(two)) == 0 &&
	    r.screens[2].id == 0 && r.screens[2].width == 0,
	    "the ring carries the source's two screens, zeros after them");
	p.nscreens = 0;
	ok(screens_sent(&p, &r) == 0 && r.nscreens == 0 &&
	    r.screens[0].width == 0, "and none for a source of one");
	p.nscreens = 2;
	p.width = 63;
	ok(screens_sent(&p, &r) == -1, "a screen outside the mode is refused");
	p.width = 64;
	p.screens[1].x = 39;
	ok(screens_sent(&p, &r) == -1, "so are overlapping screens");
	p.screens[1].x = 40;
	p.screens[1].height = 0;
	ok(screens_sent(&p, &r) == -1, "and a screen of no height");
	p.screens[1].height = 10;
	p.screens[1].id = 33;
	ok(screens_sent(&p, &r) == -1, "and two screens of one id");
	p.screens[1].id = 41;
	p.width = 64 * 9;
	p.nscreens = IPC_SCREENS_MAX + 1;
	for (int i = 0; i < IPC_SCREENS_MAX + 1; i++)
		p.screens[i] = (struct ipc_screen){ .id = (uint32_t)i + 1,
		    .x = (uint16_t)(64 * i), .width = 64, .height = 16 };
	ok(screens_sent(&p, &r) == -1, "and %d screens",
	    IPC_SCREENS_MAX + 1);
	p.nscreens = IPC_SCREENS_MAX;
	ok(screens_sent(&p, &r) == 0 && r.nscreens == IPC_SCREENS_MAX,
	    "%d are taken", IPC_SCREENS_MAX);
}

/* Seconds until the frame timer fires, or -1 when it is not pending. */
static double
timer_due(struct capture *c)
{
	struct timeval due, now;

	if (!evtimer_pending(c->timer, &due))
		return -1;
	gettimeofday(&now, NULL);
	return (double)(due.tv_sec - now.tv_sec) +
	    (double)(due.tv_usec - now.tv_usec) / 1e6;
}

int
main(void)
{
	struct pattern pat = { .width = 32, .height = 16, .fps = 30 };
	struct frame_ring seen = RING_INIT;
	struct event_base *base;
	struct capture c;
	struct ipc_msg m;
	int sv[2], fd, t;
	double due;

	log_init("test-capture", LOG_LEVEL_ERROR, 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    (base = event_base_new()) == NULL) {
		printf("Bail out! socketpair or event base\n");
		return 1;
	}

	ok(capture_init(&c, base, sv[0], "pattern", &source_pattern, &pat) == 0,
	    "capture_init");
	ok(c.ring.id == 1 && c.ring.nslots == CAPTURE_SLOTS &&
	    c.ring.slot_size >= 32 * 4 * 16 && !c.running,
	    "first ring: id 1, %u slots, paused", c.ring.nslots);
	ok(peer_recv(sv[1], &m, &fd) == -1 && errno == EAGAIN,
	    "nothing sent before capture_send_ring()");
	ok(capture_send_ring(&c) == 0, "capture_send_ring");
	t = peer_recv(sv[1], &m, &fd);
	ok(t == IPC_CAP2BRK_RING && fd >= 0 && m.u.cap_ring.ring_id == 1 &&
	    m.u.cap_ring.nslots == CAPTURE_SLOTS,
	    "the broker gets ring 1 with a descriptor");
	ok(fd >= 0 && ring_map(&seen, fd, m.u.cap_ring.ring_id,
	    m.u.cap_ring.nslots, m.u.cap_ring.slot_size) == 0,
	    "the broker can map it read-only");

	/* Releases: only of slots the broker holds. */
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 0) == -1,
	    "release of a slot never sent is an error");
	ok(capture_tick(&c) == 0, "a tick");
	t = peer_recv(sv[1], &m, &fd);
	ok(t == IPC_CAP2BRK_FRAME && m.u.cap_frame.ring_id == 1 &&
	    m.u.cap_frame.slot == 0 && m.u.cap_frame.seq == 1 &&
	    m.u.cap_frame.kind == IPC_FRAME_PIXELS &&
	    m.u.cap_frame.width == 32 && m.u.cap_frame.height == 16 &&
	    m.u.cap_frame.stride == 128 && m.u.cap_frame.length == 128 * 16 &&
	    m.u.cap_frame.fourcc == FRAMES_FOURCC_XRGB8888,
	    "frame 1 in ring 1 slot 0");
	ok(seen.base != NULL && ring_slot(&seen, 0)[0] == 1 &&
	    ring_slot(&seen, 0)[128 * 16 - 1] == 1,
	    "the broker's mapping shows frame 1's pixels");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, CAPTURE_SLOTS) == -1,
	    "release of slot nslots is an error");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 0xffffffffu) == -1,
	    "release of slot 2^32-1 is an error");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 2, 0) == -1,
	    "release in a ring not yet created is an error");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 1) == -1,
	    "release of a free slot is an error");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 0) == 0, "release of slot 0");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 0) == -1,
	    "a second release of slot 0 is an error");

	/* Three slots: a fourth frame waits for a release. */
	for (int i = 0; i < 4; i++)
		capture_tick(&c);
	int frames = 0, slots = 0;
	while (peer_recv(sv[1], &m, &fd) == IPC_CAP2BRK_FRAME) {
		frames++;
		slots |= 1 << m.u.cap_frame.slot;
	}
	ok(frames == 3 && slots == 7, "4 ticks with 3 free slots: 3 frames "
	    "(%d), one in each slot", frames);
	ok(ring_free_slot(&c.ring) == -1, "every slot is held");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 1) == 0 && capture_tick(&c) == 0 &&
	    peer_recv(sv[1], &m, &fd) == IPC_CAP2BRK_FRAME &&
	    m.u.cap_frame.slot == 1 && m.u.cap_frame.seq == 5,
	    "after releasing slot 1 the next frame (seq 5) goes there");
	ok(ring_slot(&seen, 1)[0] == 5, "and slot 1 holds its pixels");

	/* Rate bounds. */
	ok(handle(&c, IPC_BRK2CAP_RATE, 0, 0) == -1, "rate 0 is an error");
	ok(handle(&c, IPC_BRK2CAP_RATE, 241, 0) == -1, "rate 241 is an error");
	ok(handle(&c, IPC_BRK2CAP_RATE, 0xffffffffu, 0) == -1,
	    "rate 2^32-1 is an error");
	ok(handle(&c, IPC_BRK2CAP_RATE, 240, 0) == 0, "rate 240 accepted");
	ok(handle(&c, IPC_BRK2CAP_RATE, 1, 0) == 0, "rate 1 accepted");
	ok(timer_due(&c) < 0, "paused: no timer even after a rate");

	/* Log levels: 0 .. 3, applied at once. */
	ok(handle(&c, IPC_BRK2CAP_LOG_LEVEL, LOG_LEVEL_DEBUG, 0) == 0 &&
	    log_get_level() == LOG_LEVEL_DEBUG, "log level debug applied");
	ok(handle(&c, IPC_BRK2CAP_LOG_LEVEL, 4, 0) == -1 &&
	    log_get_level() == LOG_LEVEL_DEBUG, "log level 4 is an error");
	ok(handle(&c, IPC_BRK2CAP_LOG_LEVEL, 0xffffffffu, 0) == -1,
	    "log level 2^32-1 is an error");
	ok(handle(&c, IPC_BRK2CAP_LOG_LEVEL, LOG_LEVEL_ERROR, 0) == 0 &&
	    log_get_level() == LOG_LEVEL_ERROR, "log level error applied");

	/* Pause and resume. */
	for (int s = 0; s < CAPTURE_SLOTS; s++)
		if (c.ring.busy & (1u << s))
			handle(&c, IPC_BRK2CAP_RELEASE, 1, (uint32_t)s);
	ok(handle(&c, IPC_BRK2CAP_RESUME, 0, 0) == 0 && c.running,
	    "resume");
	due = timer_due(&c);
	ok(due >= -0.01 && due < 0.01, "resume: a frame is due at once (%.3f s)",
	    due);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(peer_recv(sv[1], &m, &fd) == IPC_CAP2BRK_FRAME,
	    "resume sends a frame at once");
	due = timer_due(&c);
	ok(due > 0.5 && due <= 1.01, "at rate 1 the next frame is due in 1 s "
	    "(%.3f s)", due);
	ok(handle(&c, IPC_BRK2CAP_RESUME, 0, 0) == 0, "a second resume is no error");
	ok(handle(&c, IPC_BRK2CAP_RATE, 240, 0) == 0, "rate 240 while running");
	due = timer_due(&c);
	ok(due > 0.0 && due < 0.05, "the source's 30 fps bound the rate "
	    "(%.3f s)", due);
	ok(handle(&c, IPC_BRK2CAP_PAUSE, 0, 0) == 0 && !c.running &&
	    timer_due(&c) < 0, "pause stops the timer");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(peer_recv(sv[1], &m, &fd) == -1, "no frame while paused");
	ok(handle(&c, IPC_BRK2CAP_PAUSE, 0, 0) == 0, "a second pause is no error");

	/* A mode change: a new ring, releases of the old one ignored. */
	pat.width = 48;
	pat.height = 20;
	pat.changed = 1;
	ok(capture_tick(&c) == 0, "a tick that finds a new mode");
	t = peer_recv(sv[1], &m, &fd);
	ok(t == IPC_CAP2BRK_RING && m.u.cap_ring.ring_id == 2 && fd >= 0 &&
	    m.u.cap_ring.slot_size >= 48 * 4 * 20, "ring 2 is sent");
	if (fd >= 0)
		close(fd);
	ok(c.ring.id == 2 && c.ring.busy == 0, "capture uses ring 2");
	ok(capture_tick(&c) == 0 && peer_recv(sv[1], &m, &fd) ==
	    IPC_CAP2BRK_FRAME && m.u.cap_frame.ring_id == 2 &&
	    m.u.cap_frame.width == 48 && m.u.cap_frame.length == 48 * 4 * 20,
	    "the next frame is in ring 2 with the new geometry");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 1, 0) == 0,
	    "a release in ring 1 is ignored");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 3, 0) == -1,
	    "a release in ring 3 is an error");
	ok(handle(&c, IPC_BRK2CAP_RELEASE, 2, m.u.cap_frame.slot) == 0,
	    "a release in ring 2 is accepted");

	/* Types of another range. */
	memset(&m, 0, sizeof(m));
	m.hdr.type = IPC_BRK2IN_KEY;
	m.hdr.version = IPC_VERSION;
	ok(capture_handle(&c, &m) == -1, "an input message is an error");
	m.hdr.type = IPC_CAP2BRK_FRAME;
	ok(capture_handle(&c, &m) == -1, "our own frame message is an error");

	/* A frame that cannot be sent (the broker is gone) ends the loop. */
	close(sv[1]);
	ok(capture_tick(&c) == -1, "a tick with the broker gone fails");
	ok(c.status == 0, "the broker went away: the capture ends without an "
	    "error (status %d)", c.status);

	ring_destroy(&seen);
	capture_free(&c);
	event_base_free(base);

	test_ready_source();
	test_maps();
	test_idle();
	test_idle_watch();
	test_screens();
	return done_testing();
}
