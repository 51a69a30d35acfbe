/*
 * The screen as the broker sees it: frames from the capture helper, read
 * in place in the read-only ring, compared with the frame before to find
 * what changed, and handed to every client as damage.  The broker holds
 * one slot (the current frame) and, for the compare, a second one for a
 * moment; every other slot is the capture helper's.
 */
#include "config.h"

#include <event2/event.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "broker/broker.h"
#include "common/frames.h"
#include "common/log.h"

#define SCREEN_MAX_SIDE	16384

void
screen_init(struct screen *s)
{
	*s = (struct screen){ .capture_fd = -1, .cur_slot = -1, .paused = -1 };
}

int
screen_has_frame(const struct screen *s)
{
	return s->cur_slot >= 0;
}

const uint8_t *
screen_pixels(const struct screen *s)
{
	return ring_slot(s->cur_ring, (uint32_t)s->cur_slot);
}

static void
ring_free(struct frame_ring *r)
{
	if (r != NULL) {
		ring_destroy(r);
		free(r);
	}
}

static void
capture_send(struct screen *s, uint16_t type, const void *p, size_t len)
{
	if (s->capture_fd >= 0 && ipc_send(s->capture_fd, type, p, len, -1) < 0)
		log_warn("capture channel: %s", ipc_type_name(type));
}

/* Let the current frame go back to the capture helper. */
static void
release_current(struct screen *s)
{
	if (s->cur_slot >= 0 && s->cur_live) {
		struct ipc_brk_release r = {
			.ring_id = s->cur_ring->id, .slot = (uint32_t)s->cur_slot,
		};

		capture_send(s, IPC_BRK_RELEASE, &r, sizeof(r));
	}
	s->cur_live = 0;
}

static void
capture_drop(struct broker *b, const char *why)
{
	struct screen *s = &b->screen;

	log_warnx("capture channel closed: %s", why);
	release_current(s);
	event_free(s->capture_ev);
	s->capture_ev = NULL;
	close(s->capture_fd);
	s->capture_fd = -1;
	/* The current frame stays readable in our mapping: clients keep
	 * what they have until the new capture helper sends frames. */
	if (s->ring != s->cur_ring)
		ring_free(s->ring);
	s->ring = NULL;
}

static int
on_ring(struct screen *s, const struct ipc_cap_ring *m, int fd)
{
	struct frame_ring *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		close(fd);
		return -1;
	}
	if (ring_map(r, fd, m->ring_id, m->nslots, m->slot_size) < 0) {
		log_warn("capture ring %u rejected", m->ring_id);
		free(r);
		return -1;
	}
	if (s->ring != s->cur_ring)
		ring_free(s->ring);
	s->ring = r;
	log_debug("capture ring %u: %u slots of %zu bytes", r->id, r->nslots,
	    r->slot_size);
	return 0;
}

static int
frame_valid(const struct screen *s, const struct ipc_cap_frame *f)
{
	return s->ring != NULL && f->ring_id == s->ring->id &&
	    f->slot < s->ring->nslots &&
	    !(s->ring == s->cur_ring && (int)f->slot == s->cur_slot) &&
	    f->kind == IPC_FRAME_PIXELS &&
	    f->fourcc == FRAMES_FOURCC_XRGB8888 &&
	    f->width >= 1 && f->width <= SCREEN_MAX_SIDE &&
	    f->height >= 1 && f->height <= SCREEN_MAX_SIDE &&
	    f->stride >= f->width * 4 && f->stride % 4 == 0 &&
	    (uint64_t)f->stride * f->height <= s->ring->slot_size &&
	    f->length == f->stride * f->height &&
	    f->seq >= s->next_seq;
}

static int
on_frame(struct broker *b, const struct ipc_cap_frame *f)
{
	struct screen *s = &b->screen;
	const uint8_t *pixels;
	struct client *c, *tmp;
	int resized;

	if (!frame_valid(s, f))
		return -1;
	pixels = ring_slot(s->ring, f->slot);
	resized = s->cur_slot < 0 || f->width != s->width ||
	    f->height != s->height;
	if (resized) {
		damage_free(&s->frame_damage);
		if (damage_init(&s->frame_damage, f->width, f->height) < 0)
			fatal("damage");
	}
	if (!resized && f->stride == s->stride)
		damage_compare(&s->frame_damage,
		    ring_slot(s->cur_ring, (uint32_t)s->cur_slot), pixels,
		    f->stride, 4);
	else
		damage_add_all(&s->frame_damage);
	release_current(s);
	if (s->cur_ring != s->ring)
		ring_free(s->cur_ring);
	s->cur_ring = s->ring;
	s->cur_slot = (int)f->slot;
	s->cur_live = 1;
	s->width = f->width;
	s->height = f->height;
	s->stride = f->stride;
	s->next_seq = f->seq + 1;
	if (resized)
		log_info("screen %ux%u", s->width, s->height);
	if (damage_empty(&s->frame_damage))
		return 0;
	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp) {
		if (c->state == CLIENT_WAIT_SCREEN)
			client_screen_ready(c);
		else
			client_screen_changed(c, &s->frame_damage);
	}
	return 0;
}

static int
on_capture_message(void *arg, const struct ipc_msg *m, int fd)
{
	struct broker *b = arg;

	if (m->hdr.type == IPC_CAP_RING)
		return on_ring(&b->screen, &m->u.cap_ring, fd);
	return on_frame(b, &m->u.cap_frame);
}

static void
capture_read_cb(int fd, short events, void *arg)
{
	struct broker *b = arg;
	enum ipc_drain r;

	r = ipc_drain(fd, IPC_CAP_RING, IPC_CAP_FRAME, on_capture_message, b);
	if (r != IPC_OPEN)
		capture_drop(b, ipc_drain_reason(r));
}

void
screen_set_capture(struct broker *b, int fd)
{
	struct screen *s = &b->screen;

	if (s->capture_fd >= 0)
		capture_drop(b, "replaced");
	s->capture_fd = fd;
	s->next_seq = 0;
	s->capture_ev = event_new(b->base, fd, EV_READ | EV_PERSIST,
	    capture_read_cb, b);
	if (s->capture_ev == NULL || event_add(s->capture_ev, NULL) < 0)
		fatalx("capture channel event");
	s->paused = -1;
	screen_clients_changed(b);
}

/* No viewers, no capture. */
void
screen_clients_changed(struct broker *b)
{
	struct screen *s = &b->screen;
	int pause = b->nclients == 0;

	if (s->capture_fd < 0 || pause == s->paused)
		return;
	capture_send(s, pause ? IPC_BRK_PAUSE : IPC_BRK_RESUME, NULL, 0);
	s->paused = pause;
	log_debug("capture %s", pause ? "paused" : "resumed");
}
