/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames with references.  A frame is the screen at one moment: pixels in
 * a slot of the capture helper's ring, read in place, or in memory of our
 * own (the "capture unavailable" notice).  Whoever reads a frame holds a
 * reference: the screen (its current frame), an encoder job (for as long
 * as it runs, on whatever thread).  The slot goes back to the capture
 * helper when the last reference goes, and the ring's mapping when the
 * last frame of it goes.
 *
 * References are taken and dropped on the event loop's thread only; a
 * worker thread reads the pixels of a frame whose reference its job holds.
 */
#ifndef RAMPART_FRAME_H
#define RAMPART_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "broker/scroll.h"
#include "common/ipc.h"
#include "common/ring.h"

struct screen;
struct encoded;

/*
 * The monitors a frame shows, as its ring announced them: the screens of
 * RFB's ExtendedDesktopSize.  n 0 is one monitor, the whole frame.
 */
struct layout {
	uint32_t	n;
	struct ipc_screen screens[IPC_SCREENS_MAX];
};

/* One mapping of a ring the capture helper announced. */
struct ring_map {
	int		refs;
	struct frame_ring ring;
	unsigned int	capture_gen;	/* the capture helper that sent it */
	uint32_t	held;		/* slots a frame of ours is in */
	struct layout	layout;		/* of every frame in it */
};

struct frame {
	int		refs;
	const uint8_t	*pixels;	/* XRGB8888, top left */
	size_t		stride;
	uint32_t	width, height;
	uint64_t	seq;
	/* The capture helper's map of the tiles that changed since frame
	 * seq - 1 of the same ring (IPC_TILES_MAP), in the slot; NULL: none. */
	const uint8_t	*map;
	struct ring_map	*ring;		/* NULL: pixels are ours (own) */
	uint32_t	slot;
	uint8_t		*own;
	struct screen	*screen;	/* where a slot is released */
	struct layout	layout;		/* its ring's; ours: n 0 */
	uint32_t	transform;	/* IPC_TRANSFORM_*: how it was turned */
	/* Areas that are the frame before moved (scroll.h), found when
	 * some viewer takes CopyRect, in an order a viewer can apply. */
	struct scroll_move moves[SCROLL_MAX_MOVES];
	uint32_t	nmoves;
	/* Rectangles encoded from it, for every client to share
	 * (share.c). */
	struct encoded	*cache;
	unsigned int	ncached;
};

struct ring_map *ring_map_new(int fd, unsigned int capture_gen,
	    uint32_t id, uint32_t nslots, uint64_t slot_size);
void	ring_map_unref(struct ring_map *r);

/* A frame in slot of ring (which it references), or in own memory
 * (which it frees). */
struct frame *frame_in_slot(struct screen *s, struct ring_map *ring,
	    uint32_t slot, uint32_t width, uint32_t height, size_t stride,
	    uint64_t seq);
struct frame *frame_own(uint8_t *pixels, uint32_t width, uint32_t height);
struct frame *frame_ref(struct frame *f);
void	frame_unref(struct frame *f);

/* The screens of f as a viewer is told them: at least one. */
void	frame_screens(const struct frame *f, struct layout *out);
int	layout_equal(const struct layout *a, const struct layout *b);

#endif
