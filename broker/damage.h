/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Damage: which parts of the screen changed, as a bitmap of square tiles.
 * The capture helper leaves a map of the tiles that changed with a frame;
 * without one the broker compares the new frame with the previous one in
 * place in the frame ring (no copy) and marks the tiles that differ.  Each
 * client ORs that into its own damage until it asks for an update.
 */
#ifndef RAMPART_DAMAGE_H
#define RAMPART_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/tiles.h"

#define DAMAGE_TILE	TILE_SIDE	/* pixels on a side */

struct rect {
	uint32_t	x, y, w, h;
};

struct damage {
	uint32_t	width, height;	/* of the screen, in pixels */
	uint32_t	cols, rows;	/* tiles */
	uint8_t		*tiles;		/* cols * rows, 1 = damaged */
	size_t		count;		/* tiles set */
};

/* 0, or -1 when a size is 0 or out of memory. */
int	damage_init(struct damage *d, uint32_t width, uint32_t height);
void	damage_free(struct damage *d);
void	damage_clear(struct damage *d);
void	damage_add_all(struct damage *d);
/* Mark every tile that the rectangle touches (clipped to the screen). */
void	damage_add_rect(struct damage *d, const struct rect *r);
/* Whether any damaged tile touches the rectangle (clipped to the
 * screen). */
int	damage_touches(const struct damage *d, const struct rect *r);
/*
 * The tiles a move of a frame puts right, per move i of the frame (up to
 * 4): bit 2i, the tile's part outside the move's destination did not
 * change (with the copy, the tile is right where the client had it
 * right); bit 2i+1, the tile lies wholly inside the destination (with
 * the copy it is right, whatever the client had).  cols * rows bytes.
 */
#define DAMAGE_MOVE_RIGHT(i)	(1u << (2 * (i)))
#define DAMAGE_MOVE_INSIDE(i)	(1u << (2 * (i) + 1))
/*
 * d |= frame, but for the tiles that the moves in taken (bit i: move i,
 * sent to this client as CopyRect) put right: moved is the map above.  A
 * tile inside a taken move's destination is not damaged after; a tile
 * it only partly covers is not when its part outside did not change and
 * d did not have it.
 */
void	damage_union_moved(struct damage *d, const struct damage *frame,
	    const uint8_t *moved, unsigned int taken);
/* d |= other; both of the same geometry. */
void	damage_union(struct damage *d, const struct damage *other);
static inline int
damage_empty(const struct damage *d)
{
	return d->count == 0;
}

/*
 * Load a map of changed tiles, as the capture helper leaves it after a
 * frame (IPC_TILES_MAP): cols * rows bytes, row by row, nonzero where the
 * tile changed.  d is cleared first; any byte value is safe.  Returns the
 * number of tiles marked.  The map may be in memory another process can
 * write: each byte is read once.
 */
size_t	damage_load_map(struct damage *d, const uint8_t *map);

/*
 * Compare two frames of the same geometry (bytes_pp bytes a pixel, rows
 * stride bytes apart) and mark in d (cleared first) the tiles that differ.
 * Returns the number of tiles marked.  Only the width * bytes_pp bytes of
 * each row are compared, not the padding up to stride.  Reads both frames
 * once (rows that differ are looked at again tile by tile, from the
 * caches): an unchanged frame costs about one pass of memcmp.
 */
size_t	damage_compare(struct damage *d, const uint8_t *prev,
	    const uint8_t *cur, size_t stride, uint32_t bytes_pp);

/*
 * Take the damage inside clip out of d as at most max rectangles and
 * return how many were written to out.  clip NULL means the whole screen.
 *
 * Each tile row gives the horizontal runs of its damaged tiles; a run is
 * clipped to the screen and to clip; a run that continues, with the very
 * same x range, a rectangle of the tile row above extends that rectangle
 * downwards.  The rectangles are disjoint and cover exactly the pixels of
 * damaged tiles that lie inside clip.
 *
 * When that needs more than max rectangles, each tile row gives one run
 * instead, from its first to its last damaged tile (merged downwards the
 * same way); when that still needs more than max, one rectangle: the
 * bounding box of the damage inside clip.  These cover more than the
 * damage but never less.
 *
 * A damaged tile whose whole on-screen area lies inside clip is cleared.
 * A damaged tile that clip cuts stays damaged (its part inside clip was
 * taken), so the rest of it is sent with a later, larger clip; damage
 * outside clip stays in d.  With max 0 nothing is taken.
 */
size_t	damage_take_rects(struct damage *d, const struct rect *clip,
	    struct rect *out, size_t max);

#endif
