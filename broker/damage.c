/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "broker/damage.h"

int
damage_init(struct damage *d, uint32_t width, uint32_t height)
{
	memset(d, 0, sizeof(*d));
	if (width == 0 || height == 0)
		return -1;
	d->width = width;
	d->height = height;
	d->cols = (width + DAMAGE_TILE - 1) / DAMAGE_TILE;
	d->rows = (height + DAMAGE_TILE - 1) / DAMAGE_TILE;
	d->tiles = calloc(d->cols, d->rows);
	if (d->tiles == NULL) {
		memset(d, 0, sizeof(*d));
		return -1;
	}
	return 0;
}

void
damage_free(struct damage *d)
{
	free(d->tiles);
	memset(d, 0, sizeof(*d));
}

void
damage_clear(struct damage *d)
{
	memset(d->tiles, 0, (size_t)d->cols * d->rows);
	d->count = 0;
}

void
damage_add_all(struct damage *d)
{
	memset(d->tiles, 1, (size_t)d->cols * d->rows);
	d->count = (size_t)d->cols * d->rows;
}

void
damage_add_rect(struct damage *d, const struct rect *r)
{
	uint64_t x1, y1;
	uint32_t tx, ty, tx1, ty1;
	uint8_t *t;

	if (r->w == 0 || r->h == 0 || r->x >= d->width || r->y >= d->height)
		return;
	x1 = (uint64_t)r->x + r->w;
	y1 = (uint64_t)r->y + r->h;
	if (x1 > d->width)
		x1 = d->width;
	if (y1 > d->height)
		y1 = d->height;
	tx1 = (uint32_t)((x1 + DAMAGE_TILE - 1) / DAMAGE_TILE);
	ty1 = (uint32_t)((y1 + DAMAGE_TILE - 1) / DAMAGE_TILE);
	for (ty = r->y / DAMAGE_TILE; ty < ty1; ty++) {
		t = d->tiles + (size_t)ty * d->cols;
		for (tx = r->x / DAMAGE_TILE; tx < tx1; tx++) {
			if (!t[tx]) {
				t[tx] = 1;
				d->count++;
			}
		}
	}
}

/* The tiles r touches, clipped to the screen: tx0..tx1-1, ty0..ty1-1;
 * 0 when none. */
static int
tiles_touched(const struct damage *d, const struct rect *r, uint32_t *tx0,
    uint32_t *ty0, uint32_t *tx1, uint32_t *ty1)
{
	uint64_t x1, y1;

	if (r->w == 0 || r->h == 0 || r->x >= d->width || r->y >= d->height)
		return 0;
	x1 = (uint64_t)r->x + r->w;
	y1 = (uint64_t)r->y + r->h;
	*tx0 = r->x / DAMAGE_TILE;
	*ty0 = r->y / DAMAGE_TILE;
	*tx1 = (uint32_t)(((x1 < d->width ? x1 : d->width) + DAMAGE_TILE - 1) /
	    DAMAGE_TILE);
	*ty1 = (uint32_t)(((y1 < d->height ? y1 : d->height) + DAMAGE_TILE -
	    1) / DAMAGE_TILE);
	return 1;
}

int
damage_touches(const struct damage *d, const struct rect *r)
{
	uint32_t tx, ty, tx0, ty0, tx1, ty1;

	if (d->count == 0 || !tiles_touched(d, r, &tx0, &ty0, &tx1, &ty1))
		return 0;
	for (ty = ty0; ty < ty1; ty++)
		for (tx = tx0; tx < tx1; tx++)
			if (d->tiles[(size_t)ty * d->cols + tx])
				return 1;
	return 0;
}

void
damage_union_moved(struct damage *d, const struct damage *frame,
    const uint8_t *moved, unsigned int taken)
{
	size_t i, n = (size_t)d->cols * d->rows;
	unsigned int inside = 0, right = 0;

	for (unsigned int m = 0; m < 4; m++)
		if (taken & (1u << m)) {
			inside |= DAMAGE_MOVE_INSIDE(m);
			right |= DAMAGE_MOVE_RIGHT(m);
		}
	for (i = 0; i < n; i++) {
		int was = d->tiles[i] != 0;
		int now = was || frame->tiles[i];

		if ((moved[i] & inside) || (!was && (moved[i] & right)))
			now = 0;
		if (now != was) {
			d->tiles[i] = (uint8_t)now;
			if (now)
				d->count++;
			else
				d->count--;
		}
	}
}

void
damage_union(struct damage *d, const struct damage *other)
{
	size_t i, n = (size_t)d->cols * d->rows;

	if (other->count == 0)
		return;
	for (i = 0; i < n; i++) {
		if (other->tiles[i] && !d->tiles[i]) {
			d->tiles[i] = 1;
			d->count++;
		}
	}
}

size_t
damage_load_map(struct damage *d, const uint8_t *map)
{
	/* Read once: tiles and count agree whatever the other side does. */
	const volatile uint8_t *m = map;
	size_t i, n = (size_t)d->cols * d->rows, count = 0;
	uint8_t t;

	for (i = 0; i < n; i++) {
		t = m[i] != 0;
		d->tiles[i] = t;
		count += t;
	}
	d->count = count;
	return count;
}

/*
 * Compare one row of pixels within a tile row whose marks are t; spans of
 * tiles not yet marked are compared at once, tile by tile only when they
 * differ.  Returns the number of tiles newly marked.
 */
static uint32_t
compare_row(const struct damage *d, uint8_t *t, const uint8_t *prev,
    const uint8_t *cur, size_t row_bytes, size_t tile_bytes)
{
	size_t off, end, len;
	uint32_t tx, span, marked = 0;

	for (tx = 0; tx < d->cols; tx = span) {
		if (t[tx]) {
			span = tx + 1;
			continue;
		}
		for (span = tx; span < d->cols && !t[span]; span++)
			;
		off = tx * tile_bytes;
		end = span * tile_bytes;
		if (end > row_bytes)
			end = row_bytes;
		if (memcmp(prev + off, cur + off, end - off) == 0)
			continue;
		for (; tx < span; tx++, off += tile_bytes) {
			len = row_bytes - off < tile_bytes ?
			    row_bytes - off : tile_bytes;
			if (memcmp(prev + off, cur + off, len) != 0) {
				t[tx] = 1;
				marked++;
			}
		}
	}
	return marked;
}

/*
 * memcmp (vectorised) over as many bytes at once as can be: while no tile
 * of a tile row is marked, a group of rows at a time when rows are
 * contiguous, else a row at a time.  Only rows that differ are looked at
 * tile by tile, from the caches, as the group was just read.  Tiles
 * already marked are not read again, and a tile row whose tiles are all
 * marked is left at once.
 */
#define COMPARE_GROUP_ROWS	8

size_t
damage_compare(struct damage *d, const uint8_t *prev, const uint8_t *cur,
    size_t stride, uint32_t bytes_pp)
{
	size_t tile_bytes = (size_t)DAMAGE_TILE * bytes_pp;
	size_t row_bytes = (size_t)d->width * bytes_pp;
	size_t off;
	uint32_t ty, y, y1, yend, marked;
	uint8_t *t;

	damage_clear(d);
	for (ty = 0; ty < d->rows; ty++) {
		t = d->tiles + (size_t)ty * d->cols;
		marked = 0;
		y1 = ty * DAMAGE_TILE + DAMAGE_TILE;
		if (y1 > d->height)
			y1 = d->height;
		for (y = ty * DAMAGE_TILE; y < y1 && marked < d->cols;) {
			off = (size_t)y * stride;
			yend = y + 1;
			if (marked == 0 && stride == row_bytes) {
				yend = y + COMPARE_GROUP_ROWS < y1 ?
				    y + COMPARE_GROUP_ROWS : y1;
				if (memcmp(prev + off, cur + off,
				    (yend - y) * row_bytes) == 0) {
					y = yend;
					continue;
				}
			}
			for (; y < yend && marked < d->cols; y++) {
				off = (size_t)y * stride;
				marked += compare_row(d, t, prev + off,
				    cur + off, row_bytes, tile_bytes);
			}
		}
		d->count += marked;
	}
	return d->count;
}

/* The part of the screen a take works on, in pixels and in tiles. */
struct take_area {
	uint32_t	x0, y0, x1, y1;		/* pixels, x1 and y1 excluded */
	uint32_t	cx0, cy0, cx1, cy1;	/* tiles touched */
};

enum take_mode {
	TAKE_RUNS,	/* each run of damaged tiles in a tile row */
	TAKE_BANDS,	/* first to last damaged tile of a tile row */
};

/* The next run of tile row ty at or after *pos, as tiles [*a, *b). */
static int
next_run(const struct damage *d, const struct take_area *ta,
    enum take_mode mode, uint32_t ty, uint32_t *pos, uint32_t *a, uint32_t *b)
{
	const uint8_t *t = d->tiles + (size_t)ty * d->cols;
	uint32_t i = *pos, last;

	while (i < ta->cx1 && !t[i])
		i++;
	if (i >= ta->cx1)
		return 0;
	*a = i;
	if (mode == TAKE_BANDS) {
		for (last = i; i < ta->cx1; i++)
			if (t[i])
				last = i;
		*b = last + 1;
		*pos = ta->cx1;
		return 1;
	}
	while (i < ta->cx1 && t[i])
		i++;
	*b = i;
	*pos = i;
	return 1;
}

static void
run_rect(const struct take_area *ta, uint32_t ty, uint32_t a, uint32_t b,
    struct rect *r)
{
	uint32_t x0 = a * DAMAGE_TILE, x1 = b * DAMAGE_TILE;
	uint32_t y0 = ty * DAMAGE_TILE, y1 = y0 + DAMAGE_TILE;

	if (x0 < ta->x0)
		x0 = ta->x0;
	if (x1 > ta->x1)
		x1 = ta->x1;
	if (y0 < ta->y0)
		y0 = ta->y0;
	if (y1 > ta->y1)
		y1 = ta->y1;
	r->x = x0;
	r->y = y0;
	r->w = x1 - x0;
	r->h = y1 - y0;
}

/*
 * Write the rectangles of one mode to out and return how many there are,
 * or max + 1 when they do not fit.  A run continues the rectangle that
 * ends right above it with the same x range; runs of one tile row are
 * disjoint, so at most one rectangle qualifies.
 */
static size_t
take_build(const struct damage *d, const struct take_area *ta,
    enum take_mode mode, struct rect *out, size_t max)
{
	struct rect r;
	size_t n = 0, i;
	uint32_t ty, pos, a, b;

	for (ty = ta->cy0; ty < ta->cy1; ty++) {
		pos = ta->cx0;
		while (next_run(d, ta, mode, ty, &pos, &a, &b)) {
			run_rect(ta, ty, a, b, &r);
			for (i = n; i > 0; i--) {
				if (out[i - 1].y + out[i - 1].h == r.y &&
				    out[i - 1].x == r.x && out[i - 1].w == r.w)
					break;
			}
			if (i > 0) {
				out[i - 1].h += r.h;
				continue;
			}
			if (n == max)
				return max + 1;
			out[n++] = r;
		}
	}
	return n;
}

static size_t
take_bbox(const struct damage *d, const struct take_area *ta, struct rect *out)
{
	const uint8_t *t;
	uint32_t tx, ty, bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;
	struct rect r;

	for (ty = ta->cy0; ty < ta->cy1; ty++) {
		t = d->tiles + (size_t)ty * d->cols;
		for (tx = ta->cx0; tx < ta->cx1; tx++) {
			if (!t[tx])
				continue;
			if (tx < bx0)
				bx0 = tx;
			if (tx >= bx1)
				bx1 = tx + 1;
			if (ty < by0)
				by0 = ty;
			by1 = ty + 1;
		}
	}
	if (by1 == 0)
		return 0;
	run_rect(ta, by0, bx0, bx1, &out[0]);
	run_rect(ta, by1 - 1, bx0, bx1, &r);
	out[0].h = r.y + r.h - out[0].y;
	return 1;
}

/* Clear the damaged tiles whose whole on-screen area lies inside the area. */
static void
take_clear(struct damage *d, const struct take_area *ta)
{
	uint32_t tx, ty, x0, x1, y0, y1;
	uint8_t *t;

	for (ty = ta->cy0; ty < ta->cy1; ty++) {
		y0 = ty * DAMAGE_TILE;
		y1 = y0 + DAMAGE_TILE < d->height ? y0 + DAMAGE_TILE : d->height;
		if (y0 < ta->y0 || y1 > ta->y1)
			continue;
		t = d->tiles + (size_t)ty * d->cols;
		for (tx = ta->cx0; tx < ta->cx1; tx++) {
			x0 = tx * DAMAGE_TILE;
			x1 = x0 + DAMAGE_TILE < d->width ?
			    x0 + DAMAGE_TILE : d->width;
			if (t[tx] && x0 >= ta->x0 && x1 <= ta->x1) {
				t[tx] = 0;
				d->count--;
			}
		}
	}
}

size_t
damage_take_rects(struct damage *d, const struct rect *clip,
    struct rect *out, size_t max)
{
	struct take_area ta;
	uint64_t x1, y1;
	size_t n;

	if (max == 0 || d->count == 0)
		return 0;
	if (clip == NULL) {
		ta.x0 = ta.y0 = 0;
		ta.x1 = d->width;
		ta.y1 = d->height;
	} else {
		if (clip->w == 0 || clip->h == 0 || clip->x >= d->width ||
		    clip->y >= d->height)
			return 0;
		x1 = (uint64_t)clip->x + clip->w;
		y1 = (uint64_t)clip->y + clip->h;
		ta.x0 = clip->x;
		ta.y0 = clip->y;
		ta.x1 = x1 < d->width ? (uint32_t)x1 : d->width;
		ta.y1 = y1 < d->height ? (uint32_t)y1 : d->height;
	}
	ta.cx0 = ta.x0 / DAMAGE_TILE;
	ta.cy0 = ta.y0 / DAMAGE_TILE;
	ta.cx1 = (ta.x1 + DAMAGE_TILE - 1) / DAMAGE_TILE;
	ta.cy1 = (ta.y1 + DAMAGE_TILE - 1) / DAMAGE_TILE;

	/* out doubles as scratch: a mode that does not fit is redone. */
	n = take_build(d, &ta, TAKE_RUNS, out, max);
	if (n > max)
		n = take_build(d, &ta, TAKE_BANDS, out, max);
	if (n > max)
		n = take_bbox(d, &ta, out);
	take_clear(d, &ta);
	return n;
}
