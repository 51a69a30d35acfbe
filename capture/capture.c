/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "common/blend.h"
#include "common/blob.h"
#include "common/layout.h"
#include "common/log.h"
#include "common/tiles.h"

#define RATE_MAX		240

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
mode_check(const char *name, const struct capture_mode *m)
{
	const char *why;

	if (layout_check(m->screens, m->nscreens, m->width, m->height,
	    &why) < 0) {
		log_warnx("source %s gave %u screens in a %ux%u mode: %s",
		    name, m->nscreens, m->width, m->height, why);
		return -1;
	}
	if (m->width == 0 || m->height == 0 || m->fps == 0 ||
	    m->fps > RATE_MAX || m->max_length == 0 ||
	    m->max_length > UINT32_MAX || m->transform > IPC_TRANSFORM_MAX ||
	    (m->kind != IPC_FRAME_PIXELS && m->kind != IPC_FRAME_JPEG) ||
	    (m->kind == IPC_FRAME_PIXELS && (m->stride == 0 ||
	    (uint64_t)m->stride * m->height > m->max_length))) {
		log_warnx("source %s gave an impossible mode: %ux%u stride %u, "
		    "%u fps, kind %u, transform %u, %zu bytes", name, m->width,
		    m->height, m->stride, m->fps, m->kind, m->transform,
		    m->max_length);
		return -1;
	}
	return 0;
}

/* A slot: the frame, and after a frame of pixels the map of its tiles
 * on a cache line of its own (common/tiles.h). */
static size_t
capture_slot_size(const struct capture_mode *m)
{
	if (m->kind != IPC_FRAME_PIXELS)
		return m->max_length;
	return tiles_map_offset(m->max_length) +
	    tiles_map_size(m->width, m->height);
}

/* A ring for the source's current mode: the first one, or after a mode
 * change a new one with the next id (the broker drops its old mapping). */
static int
capture_new_ring(struct capture *c)
{
	struct capture_mode mode;
	struct frame_ring ring = RING_INIT;
	uint32_t id = c->ring.id + 1;
	size_t size;

	if (c->src->describe(c->src_state, &mode) < 0 ||
	    mode_check(c->name, &mode) < 0)
		return -1;
	size = capture_slot_size(&mode);
	if (ring_create(&ring, id, CAPTURE_SLOTS, size) < 0) {
		log_warn("frame ring of %u slots of %zu bytes", CAPTURE_SLOTS,
		    size);
		return -1;
	}
	ring_destroy(&c->ring);
	c->ring = ring;
	c->mode = mode;
	c->fresh = 1;
	c->starved = 0;
	/* Its position is of the old mode: the broker hears it again. */
	c->cursor_sent = 0;
	log_info("mode %ux%u stride %u fourcc %.4s, %u fps: ring %u",
	    mode.width, mode.height, mode.stride, (const char *)&mode.fourcc,
	    mode.fps, id);
	return 0;
}

/* What holds the loop below the source's rate: the broker's rate and,
 * while the screen is idle, CAPTURE_IDLE_FPS; 0 for nothing. */
static uint32_t
capture_cap(const struct capture *c)
{
	uint32_t cap = c->rate;

	if (c->idle && (cap == 0 || cap > CAPTURE_IDLE_FPS))
		cap = CAPTURE_IDLE_FPS;
	return cap;
}

static struct timeval
capture_interval(uint32_t fps)
{
	struct timeval tv;

	tv.tv_sec = fps == 1 ? 1 : 0;
	tv.tv_usec = fps == 1 ? 0 : 1000000 / fps;
	return tv;
}

/*
 * The wait until the next grab at fps.  Grabs are due every period from
 * the last one due, not from when the timer ran: neither the grab's time
 * nor the timer's lateness (libevent's coarse clock, a tick of up to
 * 4 ms) slows the rate down (a replay at 30 fps once ran at 24).  A due
 * time already past (a long grab) or beyond a period away (the rate went
 * up) starts afresh from now.
 */
static struct timeval
capture_next(struct capture *c, uint32_t fps)
{
	struct timespec ts;
	uint64_t now, period = fps <= 1 ? 1000000 : 1000000 / fps;
	struct timeval tv;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	c->due_us += period;
	if (c->due_us <= now || c->due_us > now + period)
		c->due_us = now + period;
	tv.tv_sec = (time_t)((c->due_us - now) / 1000000);
	tv.tv_usec = (suseconds_t)((c->due_us - now) % 1000000);
	return tv;
}

/*
 * A source with a descriptor: watch it while running, unless every slot
 * is held or the broker's rate has the timer holding it back.
 */
static void
capture_schedule_watch(struct capture *c)
{
	if (!c->running) {
		event_del(c->watch);
		evtimer_del(c->timer);
		return;
	}
	if (c->starved || evtimer_pending(c->timer, NULL))
		event_del(c->watch);
	else
		event_add(c->watch, NULL);
}

/* Arm the frame timer: at once, or one interval of the effective rate
 * (the source's, capped by the broker's and the idle back-off) from now. */
static void
capture_schedule(struct capture *c, int now)
{
	uint32_t fps = c->mode.fps, cap = capture_cap(c);
	struct timeval tv = { 0, 0 };

	if (c->timer == NULL)
		return;
	if (c->watch != NULL) {
		capture_schedule_watch(c);
		return;
	}
	if (!c->running) {
		evtimer_del(c->timer);
		return;
	}
	if (cap != 0 && cap < fps)
		fps = cap;
	if (!now)
		tv = capture_next(c, fps);
	evtimer_add(c->timer, &tv);
}

/*
 * Back to the full rate (a change, or a viewer acts): a timer armed for
 * the idle rate is armed again for the full one, and a descriptor held
 * back for the idle rate is watched again (or held for the broker's).
 */
static void
capture_wake(struct capture *c)
{
	struct timeval tv;

	if (!c->idle)
		return;
	c->idle = 0;
	if (!c->running || c->timer == NULL)
		return;
	if (c->watch == NULL) {
		capture_schedule(c, 0);
		return;
	}
	if (evtimer_pending(c->timer, NULL)) {
		evtimer_del(c->timer);
		if (c->rate != 0) {
			tv = capture_interval(c->rate);
			evtimer_add(c->timer, &tv);
		}
	}
	capture_schedule_watch(c);
}

/* After a grab: a frame that changed keeps the full rate; none for
 * CAPTURE_IDLE_AFTER_MS brings the idle rate. */
static void
capture_note(struct capture *c, int changed)
{
	uint64_t now = now_ms();

	if (changed) {
		c->active_ms = now;
		if (c->idle)
			log_debug("a change: full rate again");
		capture_wake(c);
	} else if (!c->idle && now - c->active_ms >= CAPTURE_IDLE_AFTER_MS) {
		log_debug("nothing changed for %d ms: %d frames a second",
		    CAPTURE_IDLE_AFTER_MS, CAPTURE_IDLE_FPS);
		c->idle = 1;
	}
}

/* A tick failed: our error, unless the channel ended, which said how. */
static void
capture_failed(struct capture *c)
{
	if (!channel_closed(c->ch))
		capture_stop(c, 1);
}

static void
capture_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct capture *c = arg;

	/* A source with a descriptor: the broker's rate or the idle rate
	 * held it back long enough. */
	if (c->watch != NULL) {
		capture_schedule_watch(c);
		return;
	}
	/* Armed before the grab, so that the grab's time is not added to
	 * the period; a grab that ends the idle rate arms it again. */
	capture_schedule(c, 0);
	if (capture_tick(c) < 0)
		capture_failed(c);
}

/* The source's descriptor is readable: a frame is ready. */
static void
capture_on_ready(evutil_socket_t fd, short what, void *arg)
{
	struct capture *c = arg;

	if (ring_free_slot(&c->ring) < 0) {
		/* The frame waits in the device until a slot is free. */
		log_debug("the broker holds every slot: not watching %s",
		    c->name);
		c->starved = 1;
		capture_schedule_watch(c);
		return;
	}
	if (capture_tick(c) < 0) {
		capture_failed(c);
		return;
	}
	if (c->running && capture_cap(c) != 0) {
		struct timeval tv = capture_interval(capture_cap(c));

		evtimer_add(c->timer, &tv);
		capture_schedule_watch(c);
	}
}

/*
 * The broker, as we see it: the less trusted side.  It holds at most the
 * ring's slots and reads what we send; one that stops reading is dropped
 * (we exit and are started afresh with a new channel).
 */
static const struct chan_peer broker_peer = {
	.name = "the broker",
	.first = IPC_BRK2CAP_FIRST, .last = IPC_BRK2CAP_LAST,
	.queue_max = 64, .on_full = CHAN_FULL_CLOSE,
};

static int
capture_on_message(void *arg, const struct ipc_msg *msg, int fd)
{
	return capture_handle(arg, msg);
}

static void
capture_on_closed(void *arg, int error, const char *why)
{
	struct capture *c = arg;

	if (error)
		log_warnx("channel from the broker: %s", why);
	else
		log_info("the broker closed the channel");
	capture_stop(c, error);
}

int
capture_init(struct capture *c, struct event_base *base, int fd,
    const char *name, const struct source_ops *src, void *src_state)
{
	int srcfd;

	*c = (struct capture){ .name = name, .src = src,
	    .src_state = src_state, .ring = RING_INIT, .seq = 1, .base = base,
	    .cursor_fd = -1, .active_ms = now_ms() };
	if (capture_new_ring(c) < 0)
		return -1;
	c->timer = evtimer_new(base, capture_on_timer, c);
	srcfd = src->fd != NULL ? src->fd(src_state) : -1;
	if (srcfd >= 0)
		c->watch = event_new(base, srcfd, EV_READ | EV_PERSIST,
		    capture_on_ready, c);
	c->ch = channel_new(base, fd, &broker_peer, capture_on_message,
	    capture_on_closed, c);
	if (c->timer == NULL || c->ch == NULL ||
	    (srcfd >= 0 && c->watch == NULL)) {
		log_warnx("cannot create the frame timer or the channel");
		if (c->timer != NULL)
			event_free(c->timer);
		if (c->watch != NULL)
			event_free(c->watch);
		c->timer = c->watch = NULL;
		channel_free(c->ch);
		c->ch = NULL;
		ring_destroy(&c->ring);
		return -1;
	}
	return 0;
}

int
capture_send_ring(struct capture *c)
{
	struct ipc_cap_ring msg = {
		.ring_id = c->ring.id,
		.nslots = c->ring.nslots,
		.slot_size = c->ring.slot_size,
		.nscreens = c->mode.nscreens,
	};
	int r;

	memcpy(msg.screens, c->mode.screens,
	    c->mode.nscreens * sizeof(msg.screens[0]));
	/* The ring is sealed against writes through any new mapping: the
	 * broker gets the very descriptor and can only read. */
	r = channel_send(c->ch, IPC_CAP2BRK_RING, &msg, sizeof(msg), c->ring.fd);
	if (r < 0)
		log_warn("send ring %u to the broker", c->ring.id);
	return r;
}

static int
damage_check(const struct capture *c, const struct source_frame *f)
{
	const struct capture_mode *m = &c->mode;

	switch (f->damage) {
	case SOURCE_DAMAGE_UNKNOWN:
	case SOURCE_DAMAGE_NONE:
		return 0;
	case SOURCE_DAMAGE_MAP:
		/* Only where the loop gave it room, after a whole frame. */
		if (f->map != NULL &&
		    f->length == (uint64_t)m->stride * m->height)
			return 0;
		break;
	case SOURCE_DAMAGE_RECT:
		if (f->width >= 1 && f->height >= 1 && f->x < m->width &&
		    f->y < m->height && f->width <= m->width - f->x &&
		    f->height <= m->height - f->y)
			return 0;
		break;
	}
	log_warnx("source %s gave damage %u at %u,%u %ux%u in a %ux%u mode",
	    c->name, f->damage, f->x, f->y, f->width, f->height, m->width,
	    m->height);
	return -1;
}

/* The tiles a source's map marks. */
static size_t
map_count(const struct capture *c, const uint8_t *map)
{
	size_t i, n = tiles_map_size(c->mode.width, c->mode.height), count = 0;

	for (i = 0; i < n; i++)
		count += map[i] != 0;
	return count;
}

/* One frame into a free slot; 0 also when nothing was sent. */
static int
capture_frame(struct capture *c, int slot)
{
	struct ipc_cap_frame frame;
	struct source_frame sf = { 0 };
	uint8_t *dst = ring_slot(&c->ring, (uint32_t)slot);
	int r;

	if (c->mode.kind == IPC_FRAME_PIXELS)
		sf.map = dst + tiles_map_offset((size_t)c->mode.stride *
		    c->mode.height);
	sf.fresh = c->fresh;
	r = c->src->grab(c->src_state, dst, c->ring.slot_size, &sf);
	if (r == SOURCE_MODE_CHANGED) {
		/* The next tick grabs into the new ring; its rate may
		 * differ from the old one. */
		if (capture_new_ring(c) < 0 || capture_send_ring(c) < 0)
			return -1;
		capture_schedule(c, 0);
		return 0;
	}
	if (r < 0)
		return -1;
	if (sf.length == 0 || sf.length > c->mode.max_length) {
		log_warnx("source %s gave a frame of %u bytes (at most %zu)",
		    c->name, sf.length, c->mode.max_length);
		return -1;
	}
	if (damage_check(c, &sf) < 0)
		return -1;
	if (sf.damage == SOURCE_DAMAGE_MAP && map_count(c, sf.map) == 0)
		sf.damage = SOURCE_DAMAGE_NONE;
	/*
	 * The broker already shows this picture: the slot stays free and
	 * the broker compares nothing.  A rectangle is not sent yet; the
	 * broker finds the damage by comparing tiles.
	 */
	if (sf.damage == SOURCE_DAMAGE_NONE && !c->fresh) {
		log_debug("source %s: frame unchanged, not sent", c->name);
		capture_note(c, 0);
		return 0;
	}
	frame = (struct ipc_cap_frame){
		.seq = c->seq,
		.ring_id = c->ring.id,
		.slot = (uint32_t)slot,
		.kind = c->mode.kind,
		.width = c->mode.width,
		.height = c->mode.height,
		.stride = c->mode.stride,
		.fourcc = c->mode.fourcc,
		.length = sf.length,
		.transform = c->mode.transform,
		/* A map is of the frame sent just before in this ring:
		 * a fresh frame has none before it for the broker. */
		.tiles = sf.damage == SOURCE_DAMAGE_MAP && !c->fresh ?
		    IPC_TILES_MAP : IPC_TILES_NONE,
	};
	if (channel_send(c->ch, IPC_CAP2BRK_FRAME, &frame, sizeof(frame),
	    -1) < 0) {
		log_warn("send frame %llu to the broker",
		    (unsigned long long)c->seq);
		return -1;
	}
	c->ring.busy |= 1u << slot;
	c->seq++;
	c->fresh = 0;
	capture_note(c, 1);
	return 0;
}

static int
cursor_check(const struct capture *c, const struct source_cursor *k)
{
	if (k->image != NULL && k->width >= 1 &&
	    k->width <= IPC_CURSOR_MAX_SIDE && k->height >= 1 &&
	    k->height <= IPC_CURSOR_MAX_SIDE && k->hot_x < k->width &&
	    k->hot_y < k->height && (k->visible == 0 || k->visible == 1) &&
	    k->blend <= BLEND_MODE_MAX)
		return 0;
	log_warnx("source %s gave an impossible cursor: %ux%u, hot spot "
	    "%u,%u, visible %d, blend %u", c->name, k->width, k->height,
	    k->hot_x, k->hot_y, k->visible, k->blend);
	return -1;
}

/*
 * The cursor, when it changed.  IPC_CAP2BRK_CURSOR always carries the
 * image: a new blob when the image changed, else the same sealed blob
 * again (the channel sends a copy of the descriptor; nothing is copied).
 * While the broker has not read a position yet, a newer one replaces it.
 */
static int
capture_cursor(struct capture *c)
{
	struct source_cursor k = { 0 };
	struct ipc_cap_cursor msg;
	void *queued;
	const struct source_cursor *o = &c->cursor;
	int new_image;

	if (c->src->cursor == NULL)
		return 0;
	if (c->src->cursor(c->src_state, &k) < 0 || cursor_check(c, &k) < 0)
		return -1;
	new_image = c->cursor_fd < 0 || k.serial != o->serial ||
	    k.width != o->width || k.height != o->height;
	if (!new_image && c->cursor_sent && k.hot_x == o->hot_x &&
	    k.hot_y == o->hot_y && k.x == o->x && k.y == o->y &&
	    k.visible == o->visible && k.blend == o->blend)
		return 0;
	if (new_image) {
		int fd = blob_create("rampart-cursor", k.image,
		    (size_t)k.width * k.height * 4);

		if (fd < 0) {
			log_warn("cursor image of %ux%u", k.width, k.height);
			return -1;
		}
		if (c->cursor_fd >= 0)
			close(c->cursor_fd);
		c->cursor_fd = fd;
	}
	msg = (struct ipc_cap_cursor){
		.size = (uint64_t)k.width * k.height * 4,
		.width = k.width, .height = k.height,
		.hot_x = k.hot_x, .hot_y = k.hot_y,
		.x = k.x, .y = k.y,
		.visible = (uint32_t)k.visible,
		.blend = k.blend,
	};
	k.image = NULL;
	c->cursor = k;
	c->cursor_sent = 1;
	/* The frames do not show the pointer: its moves are changes of
	 * the screen all the same, which keep the full rate. */
	capture_note(c, 1);
	if (!new_image &&
	    (queued = channel_tail(c->ch, IPC_CAP2BRK_CURSOR)) != NULL) {
		/* It carries the same blob. */
		memcpy(queued, &msg, sizeof(msg));
		return 0;
	}
	if (channel_send(c->ch, IPC_CAP2BRK_CURSOR, &msg, sizeof(msg),
	    c->cursor_fd) < 0) {
		log_warn("send cursor to the broker");
		return -1;
	}
	return 0;
}

int
capture_tick(struct capture *c)
{
	int slot;

	if ((slot = ring_free_slot(&c->ring)) < 0)
		log_debug("the broker holds every slot: frame skipped");
	else if (capture_frame(c, slot) < 0)
		return -1;
	return capture_cursor(c);
}

int
capture_handle(struct capture *c, const struct ipc_msg *msg)
{
	const struct ipc_brk_release *rel = &msg->u.brk_release;
	const struct ipc_brk_rate *rate = &msg->u.brk_rate;

	switch (msg->hdr.type) {
	case IPC_BRK2CAP_RELEASE:
		/* Releases of a ring we replaced may still be on the way. */
		if (rel->ring_id < c->ring.id) {
			log_debug("release of ring %u slot %u: old ring",
			    rel->ring_id, rel->slot);
			return 0;
		}
		if (rel->ring_id > c->ring.id || rel->slot >= c->ring.nslots ||
		    !(c->ring.busy & (1u << rel->slot))) {
			log_warnx("protocol error: release of ring %u slot %u, "
			    "which the broker does not hold", rel->ring_id,
			    rel->slot);
			return -1;
		}
		c->ring.busy &= ~(1u << rel->slot);
		if (c->starved) {
			c->starved = 0;
			capture_schedule(c, 0);
		}
		return 0;
	case IPC_BRK2CAP_PAUSE:
		if (c->running)
			log_debug("paused");
		c->running = 0;
		capture_schedule(c, 0);
		return 0;
	case IPC_BRK2CAP_RESUME:
		if (c->running)
			return 0;
		log_debug("resumed");
		c->running = 1;
		c->fresh = 1;
		c->idle = 0;
		c->active_ms = now_ms();
		/* A viewer that just arrived gets a frame at once. */
		capture_schedule(c, 1);
		return 0;
	case IPC_BRK2CAP_RATE:
		if (rate->fps == 0 || rate->fps > RATE_MAX) {
			log_warnx("protocol error: rate of %u fps", rate->fps);
			return -1;
		}
		c->rate = rate->fps;
		if (c->running)
			capture_schedule(c, 0);
		return 0;
	case IPC_BRK2CAP_ACTIVE:
		/* A viewer types or moves the pointer: the screen is about
		 * to change. */
		c->active_ms = now_ms();
		if (c->idle)
			log_debug("a viewer acts: full rate again");
		capture_wake(c);
		return 0;
	case IPC_BRK2CAP_LOG_LEVEL:
		return log_set_level_from(msg->u.log_level.level, "the broker");
	default:
		log_warnx("protocol error: unexpected %s from the broker",
		    ipc_type_name(msg->hdr.type));
		return -1;
	}
}

void
capture_stop(struct capture *c, int status)
{
	c->status = status;
	c->running = 0;
	if (c->timer != NULL)
		evtimer_del(c->timer);
	if (c->watch != NULL)
		event_del(c->watch);
	event_base_loopbreak(c->base);
}

void
capture_free(struct capture *c)
{
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->watch != NULL)
		event_free(c->watch);
	channel_free(c->ch);
	c->timer = c->watch = NULL;
	c->ch = NULL;
	if (c->cursor_fd >= 0)
		close(c->cursor_fd);
	c->cursor_fd = -1;
	ring_destroy(&c->ring);
	if (c->src != NULL && c->src_state != NULL)
		c->src->close(c->src_state);
	c->src_state = NULL;
}
