/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cursor, as the capture helper knows it (DRM's cursor plane, the
 * demo's pointer): its image, hot spot, position and whether it shows.
 * The frames never hold it.  A viewer that lists the Cursor
 * pseudo-encoding draws it itself and is sent its shape when that changes
 * (cursor_put_rect()); for the others the broker draws it into a copy of
 * the current frame (cursor_draw(), the screen's "drawn" frame, made the
 * first time such a viewer wants pixels and kept until the frame or the
 * cursor changes), and where it was and where it is are their damage.
 */
#ifndef RAMPART_CURSOR_H
#define RAMPART_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "broker/damage.h"
#include "common/ipc.h"

struct evbuffer;
struct pixconv;

struct cursor {
	uint32_t	*image;		/* ARGB8888 as sent, rows packed;
					 * NULL until the first */
	uint32_t	width, height;
	uint32_t	hot_x, hot_y;	/* inside the image */
	int32_t		x, y;		/* of the hot spot, on the screen */
	uint32_t	blend;		/* BLEND_* (common/blend.h) */
	int		visible;
	unsigned int	serial;		/* changes with what CURSOR_SHAPE says */
};

/* What changed: what a viewer that draws the cursor is told (the image,
 * the hot spot, hidden or not), what is drawn into the frames of the
 * others (that, the blend, or the place). */
#define CURSOR_SHAPE	0x01
#define CURSOR_DRAWN	0x02

void	cursor_free(struct cursor *k);

/*
 * Take the cursor the capture helper sent: m already checked (sizes within
 * IPC_CURSOR_MAX_SIDE, hot spot inside, visible 0 or 1, a blend mode we
 * know), img its m->size bytes of image, or NULL with size 0 to keep the
 * image (which must be there, of m's size).  Returns the CURSOR_* bits of
 * what changed, or -1: no memory, or no image to keep.
 */
int	cursor_set(struct cursor *k, const struct ipc_cap_cursor *m,
	    const void *img);
/* Hidden (the capture helper went away): what changed. */
int	cursor_hide(struct cursor *k);

/*
 * The part of a width x height screen the cursor covers: 1 with it in r,
 * or 0 when it covers none (none known, hidden, off the screen).
 */
int	cursor_rect(const struct cursor *k, uint32_t width, uint32_t height,
	    struct rect *r);

/* Draw it (if it shows) into an XRGB8888 picture, as the display would
 * (common/blend.c). */
void	cursor_draw(const struct cursor *k, uint8_t *px, size_t stride,
	    uint32_t width, uint32_t height);

/*
 * A pixel of the image as the Cursor pseudo-encoding carries it: its
 * colour, not pre-multiplied (XRGB8888, X byte 0), and whether it is
 * opaque (the mask has one bit a pixel: alpha 128 and up is opaque).
 */
uint32_t cursor_straight(uint32_t argb, uint32_t blend, int *opaque);

/*
 * The Cursor pseudo-rectangle (rfbproto.rst, "Cursor pseudo-encoding"):
 * x, y the hot spot, the size, then width * height pixels in the client's
 * format (pc), then the mask, (width + 7) / 8 bytes a row, the leftmost
 * pixel in the most significant bit, 1 opaque.  A cursor that does not
 * show (or none known) goes as a transparent 1x1: libvncclient ignores an
 * empty 0x0 one and keeps the shape it had.  0, or -1 when out of memory.
 */
int	cursor_put_rect(const struct cursor *k, const struct pixconv *pc,
	    struct evbuffer *out);

#endif
