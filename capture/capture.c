#include "config.h"

#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "common/log.h"

#define RATE_MAX		240

static int
mode_check(const char *name, const struct capture_mode *m)
{
	if (m->width == 0 || m->height == 0 || m->fps == 0 ||
	    m->fps > RATE_MAX || m->max_length == 0 ||
	    m->max_length > UINT32_MAX ||
	    (m->kind != IPC_FRAME_PIXELS && m->kind != IPC_FRAME_JPEG) ||
	    (m->kind == IPC_FRAME_PIXELS && (m->stride == 0 ||
	    (uint64_t)m->stride * m->height > m->max_length))) {
		log_warnx("source %s gave an impossible mode: %ux%u stride %u, "
		    "%u fps, kind %u, %zu bytes", name, m->width, m->height,
		    m->stride, m->fps, m->kind, m->max_length);
		return -1;
	}
	return 0;
}

/* A ring for the source's current mode: the first one, or after a mode
 * change a new one with the next id (the broker drops its old mapping). */
static int
capture_new_ring(struct capture *c)
{
	struct capture_mode mode;
	struct frame_ring ring = RING_INIT;
	uint32_t id = c->ring.id + 1;

	if (c->src->describe(c->src_state, &mode) < 0 ||
	    mode_check(c->src->name, &mode) < 0)
		return -1;
	if (ring_create(&ring, id, CAPTURE_SLOTS, mode.max_length) < 0) {
		log_warn("frame ring of %u slots of %zu bytes", CAPTURE_SLOTS,
		    mode.max_length);
		return -1;
	}
	ring_destroy(&c->ring);
	c->ring = ring;
	c->mode = mode;
	log_info("mode %ux%u stride %u fourcc %.4s, %u fps: ring %u",
	    mode.width, mode.height, mode.stride, (const char *)&mode.fourcc,
	    mode.fps, id);
	return 0;
}

/* Arm the frame timer: at once, or one interval of the effective rate
 * (the source's, capped by the broker's) from now. */
static void
capture_schedule(struct capture *c, int now)
{
	uint32_t fps = c->mode.fps;
	struct timeval tv = { 0, 0 };

	if (c->timer == NULL)
		return;
	if (!c->running) {
		evtimer_del(c->timer);
		return;
	}
	if (c->rate != 0 && c->rate < fps)
		fps = c->rate;
	if (!now) {
		tv.tv_sec = fps == 1 ? 1 : 0;
		tv.tv_usec = fps == 1 ? 0 : 1000000 / fps;
	}
	evtimer_add(c->timer, &tv);
}

static void
capture_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct capture *c = arg;

	capture_schedule(c, 0);
	if (capture_tick(c) < 0)
		capture_stop(c, 1);
}

int
capture_init(struct capture *c, struct event_base *base, int fd,
    const struct source_ops *src, void *src_state)
{
	*c = (struct capture){ .fd = fd, .src = src, .src_state = src_state,
	    .ring = RING_INIT, .seq = 1, .base = base };
	if (capture_new_ring(c) < 0)
		return -1;
	c->timer = evtimer_new(base, capture_on_timer, c);
	if (c->timer == NULL) {
		log_warnx("cannot create the frame timer");
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
	};
	int r;

	/* The ring is sealed against writes through any new mapping: the
	 * broker gets the very descriptor and can only read. */
	r = ipc_send(c->fd, IPC_CAP_RING, &msg, sizeof(msg), c->ring.fd);
	if (r < 0)
		log_warn("send ring %u to the broker", c->ring.id);
	return r;
}

int
capture_tick(struct capture *c)
{
	struct ipc_cap_frame frame;
	uint32_t length = 0;
	int slot, r;

	if ((slot = ring_free_slot(&c->ring)) < 0) {
		log_debug("the broker holds every slot: frame skipped");
		return 0;
	}
	r = c->src->grab(c->src_state, ring_slot(&c->ring, (uint32_t)slot),
	    c->ring.slot_size, &length);
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
	if (length == 0 || length > c->mode.max_length) {
		log_warnx("source %s gave a frame of %u bytes (at most %zu)",
		    c->src->name, length, c->mode.max_length);
		return -1;
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
		.length = length,
	};
	if (ipc_send(c->fd, IPC_CAP_FRAME, &frame, sizeof(frame), -1) < 0) {
		log_warn("send frame %llu to the broker",
		    (unsigned long long)c->seq);
		return -1;
	}
	c->ring.busy |= 1u << slot;
	c->seq++;
	return 0;
}

int
capture_handle(struct capture *c, const struct ipc_msg *msg)
{
	const struct ipc_brk_release *rel = &msg->u.brk_release;
	const struct ipc_brk_rate *rate = &msg->u.brk_rate;

	switch (msg->hdr.type) {
	case IPC_BRK_RELEASE:
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
		return 0;
	case IPC_BRK_PAUSE:
		if (c->running)
			log_debug("paused");
		c->running = 0;
		capture_schedule(c, 0);
		return 0;
	case IPC_BRK_RESUME:
		if (c->running)
			return 0;
		log_debug("resumed");
		c->running = 1;
		/* A viewer that just arrived gets a frame at once. */
		capture_schedule(c, 1);
		return 0;
	case IPC_BRK_RATE:
		if (rate->fps == 0 || rate->fps > RATE_MAX) {
			log_warnx("protocol error: rate of %u fps", rate->fps);
			return -1;
		}
		c->rate = rate->fps;
		if (c->running)
			capture_schedule(c, 0);
		return 0;
	case IPC_BRK_LOG_LEVEL:
		if (msg->u.log_level.level > LOG_LEVEL_DEBUG) {
			log_warnx("protocol error: log level %u",
			    msg->u.log_level.level);
			return -1;
		}
		log_set_level((enum log_level)msg->u.log_level.level);
		return 0;
	default:
		log_warnx("protocol error: unexpected %s from the broker",
		    ipc_type_name(msg->hdr.type));
		return -1;
	}
}

static int
capture_on_message(void *arg, const struct ipc_msg *msg, int fd)
{
	return capture_handle(arg, msg);
}

static void
capture_on_channel(evutil_socket_t fd, short what, void *arg)
{
	struct capture *c = arg;
	enum ipc_drain r;

	r = ipc_drain(c->fd, IPC_BRK_RELEASE, IPC_BRK_LOG_LEVEL,
	    capture_on_message, c);
	if (r == IPC_OPEN)
		return;
	if (r == IPC_EOF)
		log_info("the broker closed the channel");
	else
		log_warnx("channel from the broker: %s", ipc_drain_reason(r));
	capture_stop(c, r != IPC_EOF);
}

int
capture_start(struct capture *c)
{
	c->chan = event_new(c->base, c->fd, EV_READ | EV_PERSIST,
	    capture_on_channel, c);
	if (c->chan == NULL || event_add(c->chan, NULL) < 0) {
		log_warnx("cannot watch the broker channel");
		return -1;
	}
	return 0;
}

void
capture_stop(struct capture *c, int status)
{
	c->status = status;
	c->running = 0;
	if (c->timer != NULL)
		evtimer_del(c->timer);
	if (c->chan != NULL)
		event_del(c->chan);
	event_base_loopbreak(c->base);
}

void
capture_free(struct capture *c)
{
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->chan != NULL)
		event_free(c->chan);
	c->timer = c->chan = NULL;
	ring_destroy(&c->ring);
	if (c->src != NULL && c->src_state != NULL)
		c->src->close(c->src_state);
	c->src_state = NULL;
}
