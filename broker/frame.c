/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/frame.h"
#include "broker/share.h"
#include "common/log.h"

struct ring_map *
ring_map_new(int fd, unsigned int capture_gen, uint32_t id, uint32_t nslots,
    uint64_t slot_size)
{
	struct ring_map *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		close(fd);
		return NULL;
	}
	if (ring_map(&r->ring, fd, id, nslots, slot_size) < 0) {
		free(r);
		return NULL;
	}
	r->refs = 1;
	r->capture_gen = capture_gen;
	return r;
}

void
ring_map_unref(struct ring_map *r)
{
	if (r != NULL && --r->refs == 0) {
		ring_destroy(&r->ring);
		free(r);
	}
}

struct frame *
frame_in_slot(struct screen *s, struct ring_map *ring, uint32_t slot,
    uint32_t width, uint32_t height, size_t stride, uint64_t seq)
{
	struct frame *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	*f = (struct frame){ .refs = 1, .pixels = ring_slot(&ring->ring, slot),
	    .stride = stride, .width = width, .height = height, .seq = seq,
	    .ring = ring, .slot = slot, .screen = s, .layout = ring->layout };
	ring->refs++;
	ring->held |= 1u << slot;
	return f;
}

struct frame *
frame_own(uint8_t *pixels, uint32_t width, uint32_t height)
{
	struct frame *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		free(pixels);
		return NULL;
	}
	*f = (struct frame){ .refs = 1, .pixels = pixels,
	    .stride = (size_t)width * 4, .width = width, .height = height,
	    .own = pixels };
	return f;
}

struct frame *
frame_ref(struct frame *f)
{
	f->refs++;
	return f;
}

void
frame_unref(struct frame *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	share_frame_gone(f);
	if (f->ring != NULL) {
		cap_release(f->screen, f->ring, f->slot);
		ring_map_unref(f->ring);
	}
	free(f->own);
	free(f);
}

void
frame_screens(const struct frame *f, struct layout *out)
{
	if (f->layout.n > 0) {
		*out = f->layout;
		return;
	}
	/* Id 1: libvncclient 0.9.14 ignores a size change whose screen
	 * has id 0. */
	*out = (struct layout){ .n = 1, .screens[0] = { .id = 1, .x = 0,
	    .y = 0, .width = (uint16_t)f->width,
	    .height = (uint16_t)f->height } };
}

int
layout_equal(const struct layout *a, const struct layout *b)
{
	/* struct ipc_screen has no padding: memcmp sees only fields. */
	return a->n == b->n && memcmp(a->screens, b->screens,
	    a->n * sizeof(a->screens[0])) == 0;
}
