/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The screen as the broker sees it: frames from the capture helper, read
 * in place in the read-only ring, with what changed since the frame
 * before (the capture helper's map of changed tiles when it sent one for
 * the very frame before, else a compare of the two), handed to every
 * subscriber.  The
 * stubs towards the capture helper (cap_*) pair with its handlers
 * (capture_answer_*).
 *
 * While the capture helper is down for more than NOTICE_SECONDS, the
 * viewers see a notice of ours instead of a frozen picture, until frames
 * come back.
 */
#include "config.h"

#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/share.h"
#include "common/blend.h"
#include "common/blob.h"
#include "common/font.h"
#include "common/frames.h"
#include "common/layout.h"
#include "common/log.h"
#include "common/tiles.h"

#define SCREEN_MAX_SIDE		16384
#define NOTICE_SECONDS		2
#define NOTICE_W		640	/* when there never was a frame */
#define NOTICE_H		480
#define NOTICE_BACKGROUND	0x00202830
#define NOTICE_TEXT		0x00f0c040

static void cap_closed(void *arg, int error, const char *why);
static int cap_answer(void *arg, const struct ipc_msg *m, int fd);

/*
 * The capture helper, as we see it: more trusted than us, and it must see
 * every release (a lost one is a slot lost until it restarts).  What we
 * send is bounded by the ring's slots; a helper that stops reading is
 * dropped and started afresh.
 */
static const struct chan_peer capture_peer = {
	.name = "the capture helper",
	.first = IPC_CAP2BRK_FIRST, .last = IPC_CAP2BRK_LAST,
	.queue_max = 64, .on_full = CHAN_FULL_CLOSE,
};

static void notice_cb(evutil_socket_t fd, short what, void *arg);

void
screen_init(struct screen *s, struct broker *b)
{
	*s = (struct screen){ .broker = b, .paused = -1 };
	scroll_scratch_init(&s->scroll);
	TAILQ_INIT(&s->subs);
	if (b->base != NULL &&
	    (s->notice_ev = evtimer_new(b->base, notice_cb, s)) == NULL)
		fatalx("notice timer");
}

static void drawn_retire(struct screen *s);
static void spare_drop(struct screen *s);

void
screen_free(struct screen *s)
{
	channel_free(s->capture);
	s->capture = NULL;
	drawn_retire(s);
	spare_drop(s);
	damage_free(&s->spare_damage);
	cursor_free(&s->cursor);
	frame_unref(s->cur);
	s->cur = NULL;
	ring_map_unref(s->ring);
	s->ring = NULL;
	damage_free(&s->frame_damage);
	scroll_scratch_free(&s->scroll);
	free(s->moved);
	s->moved = NULL;
	if (s->notice_ev != NULL)
		event_free(s->notice_ev);
	s->notice_ev = NULL;
}

void
screen_subscribe(struct screen *s, struct screen_sub *sub)
{
	TAILQ_INSERT_TAIL(&s->subs, sub, entry);
}

void
screen_unsubscribe(struct screen *s, struct screen_sub *sub)
{
	TAILQ_REMOVE(&s->subs, sub, entry);
}

/* Whether w x h pixels at x, y are the same in both frames. */
static int
same_pixels(const struct frame *a, const struct frame *b, uint32_t x,
    uint32_t y, uint32_t w, uint32_t h)
{
	size_t off = (size_t)y * a->stride + (size_t)x * 4;

	for (uint32_t r = 0; r < h; r++, off += a->stride)
		if (memcmp(a->pixels + off, b->pixels + off, (size_t)w * 4) != 0)
			return 0;
	return 1;
}

/*
 * Which tiles move i puts right (DAMAGE_MOVE_*): those wholly inside its
 * destination, and those whose part outside it did not change from prev
 * to f (at most the tiles along its edges are compared: a tile's worth of
 * pixels each).
 */
static void
mark_move(struct screen *s, const struct frame *prev, const struct frame *f,
    unsigned int i)
{
	const struct rect *d = &f->moves[i].dst;
	const struct damage *dm = &s->frame_damage;
	uint32_t dx1 = d->x + d->w, dy1 = d->y + d->h;

	for (uint32_t ty = d->y / DAMAGE_TILE; ty * DAMAGE_TILE < dy1; ty++)
		for (uint32_t tx = d->x / DAMAGE_TILE; tx * DAMAGE_TILE < dx1;
		    tx++) {
			uint32_t x0 = tx * DAMAGE_TILE, y0 = ty * DAMAGE_TILE;
			uint32_t x1 = x0 + DAMAGE_TILE < f->width ?
			    x0 + DAMAGE_TILE : f->width;
			uint32_t y1 = y0 + DAMAGE_TILE < f->height ?
			    y0 + DAMAGE_TILE : f->height;
			uint32_t cy0 = y0 > d->y ? y0 : d->y;
			uint32_t cy1 = y1 < dy1 ? y1 : dy1;
			uint8_t *m = &s->moved[(size_t)ty * dm->cols + tx];

			if (x0 >= d->x && x1 <= dx1 && y0 >= d->y && y1 <= dy1)
				*m |= DAMAGE_MOVE_INSIDE(i);
			else if ((y0 >= d->y ||
			    same_pixels(prev, f, x0, y0, x1 - x0, d->y - y0)) &&
			    (y1 <= dy1 ||
			    same_pixels(prev, f, x0, dy1, x1 - x0, y1 - dy1)) &&
			    (x0 >= d->x ||
			    same_pixels(prev, f, x0, cy0, d->x - x0, cy1 - cy0)) &&
			    (x1 <= dx1 ||
			    same_pixels(prev, f, dx1, cy0, x1 - dx1, cy1 - cy0)))
				*m |= DAMAGE_MOVE_RIGHT(i);
		}
}

/*
 * What of f is prev moved (a scroll), for viewers that take CopyRect:
 * only looked for when one is there (about 1-2 ms at 1080p when much
 * changed, doc/PERFORMANCE.md), with the tiles each move puts right.
 */
static void
find_moves(struct screen *s, const struct frame *prev, struct frame *f)
{
	struct screen_sub *sub;

	TAILQ_FOREACH(sub, &s->subs, entry)
		if (sub->moves)
			break;
	if (sub == NULL)
		return;
	f->nmoves = (uint32_t)scroll_detect(prev->pixels, f->pixels,
	    f->stride, f->width, f->height, &s->frame_damage, f->moves,
	    SCROLL_MAX_MOVES, &s->scroll);
	memset(s->moved, 0, (size_t)s->frame_damage.cols *
	    s->frame_damage.rows);
	for (unsigned int i = 0; i < f->nmoves; i++)
		mark_move(s, prev, f, i);
}

void
screen_set_frame(struct screen *s, struct frame *f)
{
	struct frame *prev = s->cur;
	struct screen_sub *sub, *tmp;
	int resized = prev == NULL || f->width != prev->width ||
	    f->height != prev->height;
	/* The monitors moved: viewers that know of screens hear of it
	 * even when no pixel changed. */
	int relayout = prev != NULL && !layout_equal(&f->layout, &prev->layout);

	if (resized) {
		drawn_retire(s);
		damage_free(&s->frame_damage);
		damage_free(&s->spare_damage);
		if (damage_init(&s->frame_damage, f->width, f->height) < 0 ||
		    damage_init(&s->spare_damage, f->width, f->height) < 0)
			fatal("damage");
		free(s->moved);
		if ((s->moved = calloc((size_t)s->frame_damage.cols *
		    s->frame_damage.rows, 1)) == NULL)
			fatal("damage");
		spare_drop(s);
		log_info("screen %ux%u", f->width, f->height);
	}
	/*
	 * A map is of the frame before in the same ring: it replaces the
	 * compare only when that frame is the one we show.  Otherwise (a
	 * frame lost to a restart, the notice in between) compare.
	 */
	if (!resized && f->map != NULL && prev->ring == f->ring &&
	    f->seq == prev->seq + 1 && f->stride == prev->stride)
		damage_load_map(&s->frame_damage, f->map);
	else if (!resized && f->stride == prev->stride)
		damage_compare(&s->frame_damage, prev->pixels, f->pixels,
		    f->stride, 4);
	else
		damage_add_all(&s->frame_damage);
	if (!resized && f->stride == prev->stride &&
	    !damage_empty(&s->frame_damage))
		find_moves(s, prev, f);
	/* The same pixels: the drawn frame still is the new one's. */
	if (!damage_empty(&s->frame_damage) || relayout ||
	    (prev != NULL && f->transform != prev->transform))
		drawn_retire(s);
	if (s->spare != NULL || s->pending != NULL)
		damage_union(&s->spare_damage, &s->frame_damage);
	s->cur = f;
	frame_unref(prev);
	/* The input helper maps pointer positions on this screen. */
	in_screen(s->broker, f->width, f->height, f->transform);
	if (damage_empty(&s->frame_damage) && !relayout)
		return;
	TAILQ_FOREACH_SAFE(sub, &s->subs, entry, tmp)
		sub->changed(sub->arg, f, &s->frame_damage);
}

/* No pixels kept to draw into. */
static void
spare_drop(struct screen *s)
{
	free(s->spare);
	s->spare = NULL;
	frame_unref(s->pending);
	s->pending = NULL;
}

/* The pixels of drawn frame f (the cursor at at) become the spare. */
static void
spare_take(struct screen *s, struct frame *f, const struct rect *at)
{
	free(s->spare);
	s->spare = f->own;
	f->own = NULL;
	s->spare_w = f->width;
	s->spare_h = f->height;
	s->spare_at = *at;
}

/*
 * The drawn frame goes (its frame or the cursor changed).  Its pixels
 * are kept to draw the next one into: only what changed since, and where
 * the cursor was, need copying again.  While a job still reads them they
 * wait (pending) until it is done; an older one that waits is given up.
 */
static void
drawn_retire(struct screen *s)
{
	struct frame *f = s->drawn;

	s->drawn = NULL;
	if (f == NULL)
		return;
	spare_drop(s);
	damage_clear(&s->spare_damage);
	if (f->own == NULL) {
		frame_unref(f);
		return;
	}
	if (f->refs == 1) {
		spare_take(s, f, &s->drawn_at);
		frame_unref(f);
		return;
	}
	/* No one starts an update on it again: its cache can go now. */
	share_frame_gone(f);
	s->pending = f;
	s->pending_at = s->drawn_at;
}

/* The rectangle r of frame f into the picture px (f's size, packed). */
static void
copy_rect(uint8_t *px, const struct frame *f, const struct rect *r)
{
	size_t stride = (size_t)f->width * 4;

	for (uint32_t y = r->y; y < r->y + r->h; y++)
		memcpy(px + y * stride + (size_t)r->x * 4,
		    f->pixels + y * f->stride + (size_t)r->x * 4,
		    (size_t)r->w * 4);
}

struct frame *
screen_drawn_frame(struct screen *s)
{
	struct frame *f = s->cur, *d;
	struct rect at, rs[64];
	uint8_t *px;
	size_t n;

	if (s->drawn != NULL)
		return s->drawn;
	if (f == NULL || !cursor_rect(&s->cursor, f->width, f->height, &at))
		return f;
	if (s->pending != NULL && s->pending->refs == 1) {
		spare_take(s, s->pending, &s->pending_at);
		frame_unref(s->pending);
		s->pending = NULL;
	}
	if (s->spare != NULL && s->spare_w == f->width &&
	    s->spare_h == f->height) {
		px = s->spare;
		s->spare = NULL;
		damage_add_rect(&s->spare_damage, &s->spare_at);
		while (!damage_empty(&s->spare_damage)) {
			n = damage_take_rects(&s->spare_damage, NULL, rs, 64);
			for (size_t i = 0; i < n; i++)
				copy_rect(px, f, &rs[i]);
		}
	} else {
		/* One still read by a job would be of use no more: the
		 * one made now is retired first. */
		spare_drop(s);
		damage_clear(&s->spare_damage);
		if ((px = malloc((size_t)f->width * 4 * f->height)) == NULL)
			return f;
		copy_rect(px, f, &(struct rect){ 0, 0, f->width, f->height });
	}
	cursor_draw(&s->cursor, px, (size_t)f->width * 4, f->width,
	    f->height);
	if ((d = frame_own(px, f->width, f->height)) == NULL)
		return f;
	d->seq = f->seq;
	d->layout = f->layout;
	d->transform = f->transform;
	s->drawn = d;
	s->drawn_at = at;
	s->drawn_made++;
	return d;
}

/* Tell the subscribers what of the cursor changed; was: where it was
 * drawn before. */
static void
cursor_changed(struct screen *s, const struct rect *was, int what)
{
	struct screen_sub *sub, *tmp;
	struct rect now = { 0, 0, 0, 0 };

	if (what == 0)
		return;
	if (s->cur != NULL)
		cursor_rect(&s->cursor, s->cur->width, s->cur->height, &now);
	if (what & CURSOR_DRAWN)
		drawn_retire(s);
	TAILQ_FOREACH_SAFE(sub, &s->subs, entry, tmp)
		if (sub->cursor != NULL)
			sub->cursor(sub->arg, was, &now, what);
}

void
cap_release(struct screen *s, struct ring_map *ring, uint32_t slot)
{
	struct ipc_brk_release r = { .ring_id = ring->ring.id, .slot = slot };

	ring->held &= ~(1u << slot);
	/* A slot of a capture helper that went away is nobody's. */
	if (s->capture != NULL && ring->capture_gen == s->capture_gen)
		channel_send(s->capture, IPC_BRK2CAP_RELEASE, &r, sizeof(r), -1);
}

/* A storm of pointer motion is one message every CAP_ACTIVE_MS: the
 * capture helper only needs to know that someone acts. */
void
cap_active(struct screen *s)
{
	uint64_t now = broker_now_ms();

	if (s->capture == NULL || (s->active_ms != 0 &&
	    now - s->active_ms < CAP_ACTIVE_MS))
		return;
	s->active_ms = now;
	channel_send(s->capture, IPC_BRK2CAP_ACTIVE, NULL, 0, -1);
}

static void
cap_pause(struct screen *s, int pause)
{
	if (s->capture == NULL || pause == s->paused)
		return;
	channel_send(s->capture, pause ? IPC_BRK2CAP_PAUSE : IPC_BRK2CAP_RESUME,
	    NULL, 0, -1);
	s->paused = pause;
	log_debug("capture %s", pause ? "paused" : "resumed");
}

/* No viewers, no capture: a bare connection does not count, only a client
 * that went through its handshake. */
void
screen_viewers_changed(struct screen *s)
{
	cap_pause(s, s->broker->nactive == 0);
}

static void
cap_closed(void *arg, int error, const char *why)
{
	struct screen *s = arg;
	struct timeval tv = { NOTICE_SECONDS, 0 };

	log_warnx("capture channel closed: %s", why);
	channel_free(s->capture);
	s->capture = NULL;
	/* The current frame stays readable in our mapping: clients keep
	 * what they have until the new capture helper sends frames, or the
	 * notice comes. */
	ring_map_unref(s->ring);
	s->ring = NULL;
	if (s->notice_ev != NULL)
		evtimer_add(s->notice_ev, &tv);
}

/* The capture helper has been gone for a while: say so on the screen. */
static void
notice_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char *const lines[] = {
		"capture unavailable, retrying",
		"rampart cannot read the screen right now;",
		"this picture is replaced as soon as it can again.",
	};
	struct screen *s = arg;
	struct rect was = { 0, 0, 0, 0 };
	int changed;
	uint32_t w = s->cur != NULL ? s->cur->width : NOTICE_W;
	uint32_t h = s->cur != NULL ? s->cur->height : NOTICE_H;
	int scale = w >= 1280 ? 3 : w >= 480 ? 2 : 1;
	uint32_t *px;
	struct frame *f;

	if (s->capture != NULL)
		return;
	if ((px = malloc((size_t)w * h * 4)) == NULL)
		return;
	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i] = NOTICE_BACKGROUND;
	for (int i = 0; i < 3; i++)
		font_draw(px, w, h, 16 * scale,
		    (int)h / 2 + (i - 1) * FONT_HEIGHT * scale * 2, scale,
		    i == 0 ? NOTICE_TEXT : 0x00c0c0c0, lines[i], 80);
	if ((f = frame_own((uint8_t *)px, w, h)) == NULL)
		return;
	log_info("capture unavailable: viewers see a notice");
	s->unavailable = 1;
	/* Nobody says where the pointer is any more. */
	if (s->cur != NULL)
		cursor_rect(&s->cursor, s->cur->width, s->cur->height, &was);
	changed = cursor_hide(&s->cursor);
	screen_set_frame(s, f);
	cursor_changed(s, &was, changed);
}

/* The screens of a ring: a layout (common/layout.h), and zeros past it,
 * as in every padding. */
static int
ring_screens_valid(const struct ipc_cap_ring *m)
{
	static const struct ipc_screen zero;
	const char *why = NULL;

	if (m->pad != 0)
		why = "bad padding";
	else if (layout_check(m->screens, m->nscreens, 0, 0, &why) == 0)
		for (uint32_t i = m->nscreens; i < IPC_SCREENS_MAX &&
		    why == NULL; i++)
			if (memcmp(&m->screens[i], &zero, sizeof(zero)) != 0)
				why = "a screen past nscreens";
	if (why == NULL)
		return 1;
	log_warnx("protocol error: ring %u with %u screens: %s", m->ring_id,
	    m->nscreens, why);
	return 0;
}

static int
on_ring(struct screen *s, const struct ipc_cap_ring *m, int fd)
{
	struct ring_map *r;

	if (!ring_screens_valid(m)) {
		close(fd);
		return -1;
	}
	r = ring_map_new(fd, s->capture_gen, m->ring_id, m->nslots,
	    m->slot_size);
	if (r == NULL) {
		log_warn("capture ring %u rejected", m->ring_id);
		return -1;
	}
	r->layout.n = m->nscreens;
	memcpy(r->layout.screens, m->screens, sizeof(r->layout.screens));
	ring_map_unref(s->ring);
	s->ring = r;
	log_debug("capture ring %u: %u slots of %zu bytes, %u screens",
	    r->ring.id, r->ring.nslots, r->ring.slot_size, m->nscreens);
	return 0;
}

/* A frame holds every screen of its ring. */
static int
frame_screens_inside(const struct ring_map *r, const struct ipc_cap_frame *f)
{
	const char *why;

	if (layout_check(r->layout.screens, r->layout.n, f->width, f->height,
	    &why) == 0)
		return 1;
	log_warnx("protocol error: frame %llu of %ux%u: %s",
	    (unsigned long long)f->seq, f->width, f->height, why);
	return 0;
}

/* A map must lie in the slot, after the frame. */
static int
map_valid(const struct screen *s, const struct ipc_cap_frame *f)
{
	if (f->tiles == IPC_TILES_NONE)
		return 1;
	return f->tiles == IPC_TILES_MAP &&
	    tiles_map_offset(f->length) + tiles_map_size(f->width, f->height) <=
	    s->ring->ring.slot_size;
}

static int
frame_valid(const struct screen *s, const struct ipc_cap_frame *f)
{
	return s->ring != NULL && f->ring_id == s->ring->ring.id &&
	    f->slot < s->ring->ring.nslots &&
	    !(s->ring->held & (1u << f->slot)) &&
	    f->kind == IPC_FRAME_PIXELS &&
	    f->fourcc == FRAMES_FOURCC_XRGB8888 &&
	    f->width >= 1 && f->width <= SCREEN_MAX_SIDE &&
	    f->height >= 1 && f->height <= SCREEN_MAX_SIDE &&
	    f->stride >= f->width * 4 && f->stride % 4 == 0 &&
	    (uint64_t)f->stride * f->height <= s->ring->ring.slot_size &&
	    f->length == f->stride * f->height &&
	    f->transform <= IPC_TRANSFORM_MAX && map_valid(s, f) &&
	    f->seq >= s->next_seq && frame_screens_inside(s->ring, f);
}

static int
on_frame(struct screen *s, const struct ipc_cap_frame *m)
{
	struct frame *f;

	if (!frame_valid(s, m))
		return -1;
	f = frame_in_slot(s, s->ring, m->slot, m->width, m->height,
	    m->stride, m->seq);
	if (f == NULL)
		return -1;
	if (m->tiles == IPC_TILES_MAP)
		f->map = f->pixels + tiles_map_offset(m->length);
	f->transform = m->transform;
	s->next_seq = m->seq + 1;
	if (s->unavailable)
		log_info("capture is back");
	s->unavailable = 0;
	screen_set_frame(s, f);
	return 0;
}

/*
 * The cursor: checked, its image (when it comes with one) copied out of
 * the blob.  Viewers that draw it hear of a new shape; for the others the
 * broker draws it, and where it was and is are their damage.
 */
static int
on_cursor(struct screen *s, const struct ipc_cap_cursor *m, int fd)
{
	const void *img = NULL;
	struct rect was = { 0, 0, 0, 0 };
	int what;

	if (m->width < 1 || m->width > IPC_CURSOR_MAX_SIDE || m->height < 1 ||
	    m->height > IPC_CURSOR_MAX_SIDE || m->hot_x >= m->width ||
	    m->hot_y >= m->height || m->visible > 1 ||
	    m->blend > BLEND_MODE_MAX ||
	    (m->size != 0 && m->size != (uint64_t)m->width * m->height * 4)) {
		log_warnx("protocol error: cursor %ux%u, hot spot %u,%u, "
		    "visible %u, blend %u, %llu bytes", m->width, m->height,
		    m->hot_x, m->hot_y, m->visible, m->blend,
		    (unsigned long long)m->size);
		close(fd);
		return -1;
	}
	if (m->size != 0 && (img = blob_map(fd, m->size, m->size)) == NULL) {
		log_warn("cursor image rejected");
		close(fd);
		return -1;
	}
	close(fd);
	if (s->cur != NULL)
		cursor_rect(&s->cursor, s->cur->width, s->cur->height, &was);
	what = cursor_set(&s->cursor, m, img);
	blob_unmap(img, m->size);
	if (what < 0) {
		log_warnx("protocol error: a cursor without an image");
		return -1;
	}
	log_debug("cursor %ux%u at %d,%d%s", m->width, m->height, m->x, m->y,
	    m->visible ? "" : ", hidden");
	cursor_changed(s, &was, what);
	return 0;
}

static int
cap_answer(void *arg, const struct ipc_msg *m, int fd)
{
	struct screen *s = arg;

	switch (m->hdr.type) {
	case IPC_CAP2BRK_RING:
		return on_ring(s, &m->u.cap_ring, fd);
	case IPC_CAP2BRK_FRAME:
		return on_frame(s, &m->u.cap_frame);
	case IPC_CAP2BRK_CURSOR:
		return on_cursor(s, &m->u.cap_cursor, fd);
	}
	return -1;
}

void
screen_set_capture(struct broker *b, int fd)
{
	struct screen *s = &b->screen;

	if (s->capture != NULL) {
		log_warnx("capture channel replaced");
		channel_free(s->capture);
		ring_map_unref(s->ring);
		s->ring = NULL;
	}
	s->capture_gen++;
	s->capture = channel_new(b->base, fd, &capture_peer, cap_answer,
	    cap_closed, s);
	if (s->capture == NULL)
		fatalx("capture channel");
	if (s->notice_ev != NULL)
		evtimer_del(s->notice_ev);
	s->next_seq = 0;
	s->paused = -1;
	s->active_ms = 0;
	screen_viewers_changed(s);
}
