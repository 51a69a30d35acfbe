/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scroll detection: the parts of a new frame that are the frame before
 * moved vertically (a terminal, a log, a browser page scrolling), found
 * inside the frame's damage, so that they go to a viewer as CopyRect and
 * only the newly exposed strip is encoded.  scroll.c says how.
 */
#ifndef RAMPART_SCROLL_H
#define RAMPART_SCROLL_H

#include <stddef.h>
#include <stdint.h>

#include "broker/damage.h"

struct scroll_move {
	struct rect	dst;	/* in cur: rows dst.y .. dst.y+dst.h-1, columns dst.x .. */
	int32_t		dy;	/* cur(x, y) == prev(x, y - dy) for every pixel of dst */
};

#define SCROLL_MAX_MOVES 4

/*
 * The smallest move worth a CopyRect (scroll.c says why): at least
 * SCROLL_MIN_HEIGHT rows and SCROLL_MIN_AREA pixels.
 */
#define SCROLL_MIN_HEIGHT	8
#define SCROLL_MIN_AREA		2048

/*
 * Memory reused from frame to frame (row hashes, a hash table, votes),
 * grown to the largest screen seen.  Zero it with scroll_scratch_init();
 * scroll_detect() allocates on first use.  One per thread that detects.
 */
struct scroll_scratch {
	int		 crc;		/* 1: SSE4.2 crc32 row hashes (init
					 * decides; a test may clear it) */
	uint32_t	 width, height;	/* what the arrays are sized for */
	uint32_t	*segc, *segp;	/* hash of each row of each tile
					 * column of a region, cur and prev */
	uint32_t	*rowc, *rowp;	/* a row over a range of columns */
	uint8_t		*donec, *donep;	/* rows hashed so far */
	struct scroll_slot *table;	/* prev's rows by hash */
	size_t		 table_size;
	uint32_t	*votes;		/* by dy + rows of the region */
	int32_t		*voted;		/* the dys that got a vote */
	uint32_t	*label;		/* tiles: connected groups */
	uint32_t	*stack;
	uint8_t		*cells;		/* tiles of a band still free */
	uint32_t	*hist;		/* largest rectangle: bar heights */
	uint32_t	*hstack;
	int32_t		*colbest;	/* best dy of each tile column */
	uint32_t	*colvotes;	/* and its votes */
	uint8_t		*match;		/* rows that moved by the dy tried */
	uint8_t		*taken;		/* rows in a move of a dy before */
	uint8_t		*trial_l, *trial_r; /* rows a column would keep */
	uint8_t		*colm;		/* rows each column moved on */
	uint8_t		*coltried;	/* colm is known for the column */
};

void	scroll_scratch_init(struct scroll_scratch *s);
void	scroll_scratch_free(struct scroll_scratch *s);

/*
 * Find vertical moves inside the damaged area of cur relative to prev
 * (same geometry, XRGB8888, rows stride apart; only the low 3 bytes of
 * each pixel count, the X byte is junk).  Returns how many (0..max) were
 * written to out.  Every move is exact (verified pixel for pixel), lies
 * inside the screen with its source (rows dst.y - dy ..), lies inside
 * damaged tiles, and is at least SCROLL_MIN_HEIGHT x SCROLL_MIN_AREA.
 *
 * The destinations are disjoint, and the moves come in an order in which
 * a client can apply them one after the other: no move reads (its source)
 * what a move before it in out wrote (its destination).  A single move's
 * source and destination overlap, as in every scroll; CopyRect allows it.
 * d must be of the screen's geometry, else nothing is found; so is
 * nothing when memory for the scratch cannot be had.
 *
 * The moves copy prev's pixels: they are right for a viewer that shows
 * prev (on their sources at least).  A viewer whose updates lag, whose
 * damage gathered over several frames, shows an older frame and must get
 * the pixels instead.  Moving a source that is damaged for that viewer
 * would copy stale pixels.
 *
 * Cost (bench/scroll-bench, doc/PERFORMANCE.md): a region where nothing
 * moved is read on a fifth of its rows in each frame; one that scrolled
 * is compared once over the moved rows.
 */
size_t	scroll_detect(const uint8_t *prev, const uint8_t *cur, size_t stride,
	    uint32_t width, uint32_t height, const struct damage *d,
	    struct scroll_move *out, size_t max, struct scroll_scratch *scratch);

#endif
