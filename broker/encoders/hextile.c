/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hextile (RFB encoding 5): 16x16 tiles, each raw or a background with
 * subrectangles, one colour (the foreground) or each its own.  A tile is
 * read once into keys (the screen's pixels, X byte masked): a solid one
 * is a byte or a pixel; the others are cut into runs, row by row, whose
 * colours are counted (one with too many goes raw at once); the runs
 * that are not the background stack into subrectangles where a run
 * continues the one above it, until they cost more than raw.  Backgrounds and
 * foregrounds carry over between tiles as the protocol allows, so a flat
 * area costs one byte a tile.  Nothing carries over between rectangles:
 * the bytes depend on the rectangle alone (ENCODER_SHAREABLE).
 */
#include "config.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/encoders/lossless.h"

#define RFB_ENCODING_HEXTILE	5

#define HEX_RAW		0x01
#define HEX_BG		0x02	/* BackgroundSpecified */
#define HEX_FG		0x04	/* ForegroundSpecified */
#define HEX_ANY		0x08	/* AnySubrects */
#define HEX_COLOURED	0x10	/* SubrectsColoured */

#define HEX_SIDE	16
#define HEX_SLOTS	512	/* colour histogram: twice a tile's pixels */

/*
 * A tile's colours and how often each occurs, in an open-addressing table
 * whose slots are valid only with the current generation: no clearing per
 * tile.
 */
struct hextile_scratch {
	uint32_t	gen;
	uint32_t	slot_gen[HEX_SLOTS];
	uint32_t	slot_key[HEX_SLOTS];
	uint32_t	slot_count[HEX_SLOTS];
};

/* What carries over from one tile to the next within a rectangle. */
struct hex_state {
	uint32_t	bg, fg;
	int		bg_ok, fg_ok;
};

/* A tile row's run of one colour, and a subrectangle being built. */
struct hex_run {
	uint32_t	key;
	uint8_t		x, w;
};

struct hex_open {
	uint32_t	key;
	uint8_t		x, w, y;
};

/* A tile, read once into keys and cut into runs row by row. */
struct hex_tile {
	uint32_t	t[HEX_SIDE * HEX_SIDE];
	struct hex_run	run[HEX_SIDE * HEX_SIDE];
	unsigned int	row[HEX_SIDE + 1];	/* first run of each row */
	unsigned int	w, h;
};

static inline unsigned int
hex_hash(uint32_t key)
{
	return (key * 0x9e3779b1u) >> (32 - 9);
}

/*
 * Count the colours of the tile by its runs (a run costs one probe): the
 * most frequent is the background.  Returns the number of colours, or 0
 * as soon as there are so many that subrectangles cannot beat raw
 * (limit).
 */
static unsigned int
hex_colours(struct hextile_scratch *s, const struct hex_tile *ti,
    unsigned int limit, uint32_t *bg, uint32_t *other)
{
	unsigned int i, h, ncol = 0, best = 0, nruns = ti->row[ti->h];
	uint32_t key;

	if (++s->gen == 0) {
		memset(s->slot_gen, 0, sizeof(s->slot_gen));
		s->gen = 1;
	}
	for (i = 0; i < nruns; i++) {
		key = ti->run[i].key;
		for (h = hex_hash(key);; h = (h + 1) % HEX_SLOTS) {
			if (s->slot_gen[h] != s->gen) {
				if (++ncol >= limit)
					return 0;
				s->slot_gen[h] = s->gen;
				s->slot_key[h] = key;
				s->slot_count[h] = 0;
				if (ncol == 2)
					*other = key;
				break;
			}
			if (s->slot_key[h] == key)
				break;
		}
		s->slot_count[h] += ti->run[i].w;
		if (s->slot_count[h] > best) {
			best = s->slot_count[h];
			*bg = key;
		}
	}
	if (ncol == 2 && *other == *bg)
		*other = ti->run[0].key;
	return ncol;
}

/* A subrectangle closed at row y, written from p. */
static inline uint8_t *
hex_put_subrect(const struct pixconv *pc, size_t bpp, int coloured,
    const struct hex_open *o, unsigned int y, uint8_t *p)
{
	if (coloured)
		p = lossless_put(p, lossless_conv(pc, o->key), bpp);
	*p++ = (uint8_t)(o->x << 4 | o->y);
	*p++ = (uint8_t)((o->w - 1) << 4 | (y - o->y - 1));
	return p;
}

/*
 * The subrectangles: each row's runs that are not the background, a run
 * continuing the one right above it (same place, width and colour)
 * making that one taller.  Written from p; NULL as soon as they would
 * pass end or number more than 255.  *count gets how many.
 */
static uint8_t *
hex_subrects(const struct pixconv *pc, size_t bpp, const struct hex_tile *ti,
    uint32_t bg, int coloured, uint8_t *p, const uint8_t *end,
    unsigned int *count)
{
	struct hex_open open[2][HEX_SIDE], *cur = open[0], *next = open[1], *o;
	size_t each = coloured ? bpp + 2 : 2;
	unsigned int y, i, j, ncur = 0, nnext, n = 0;
	const struct hex_run *r;

	for (y = 0; y <= ti->h; y++) {
		nnext = 0;
		j = 0;
		for (i = y < ti->h ? ti->row[y] : 0;
		    y < ti->h && i < ti->row[y + 1]; i++) {
			r = &ti->run[i];
			if (r->key == bg)
				continue;
			/* What ends before this run, or is not continued by
			 * it, is closed. */
			while (j < ncur && cur[j].x <= r->x) {
				o = &cur[j++];
				if (o->x == r->x && o->w == r->w &&
				    o->key == r->key) {
					next[nnext++] = *o;
					goto continued;
				}
				if (n == 255 || (size_t)(end - p) < each)
					return NULL;
				p = hex_put_subrect(pc, bpp, coloured, o, y, p);
				n++;
			}
			next[nnext++] = (struct hex_open){ .key = r->key,
			    .x = r->x, .w = r->w, .y = (uint8_t)y };
continued:
			;
		}
		for (; j < ncur; j++) {
			if (n == 255 || (size_t)(end - p) < each)
				return NULL;
			p = hex_put_subrect(pc, bpp, coloured, &cur[j], y, p);
			n++;
		}
		o = cur;
		cur = next;
		next = o;
		ncur = nnext;
	}
	*count = n;
	return p;
}

/* One tile of w x h pixels at sp, written from p: returns the end. */
static uint8_t *
hex_tile(struct hextile_scratch *s, const struct pixconv *pc, size_t bpp,
    const uint8_t *sp, size_t stride, unsigned int w, unsigned int h,
    struct hex_state *st, uint8_t *p)
{
	struct hex_tile ti;
	uint32_t bg = 0, fg = 0, *row;
	unsigned int n = w * h, x, y, e, nr = 0, ncol, limit, nsub;
	size_t raw_size = 1 + (size_t)n * bpp;
	uint8_t *start = p, *flags, *count, *q;

	for (y = 0; y < h; y++)
		lossless_load_row(ti.t + y * w, sp + y * stride, w);
	if (lossless_solid(ti.t, n)) {
		/* Solid: nothing at all when the background carries. */
		if (st->bg_ok && st->bg == ti.t[0]) {
			*p++ = 0;
			return p;
		}
		*p++ = HEX_BG;
		p = lossless_put(p, lossless_conv(pc, ti.t[0]), bpp);
		st->bg = ti.t[0];
		st->bg_ok = 1;
		return p;
	}
	ti.w = w;
	ti.h = h;
	for (y = 0; y < h; y++) {
		ti.row[y] = nr;
		row = ti.t + y * w;
		for (x = 0; x < w; x = e) {
			e = lossless_run_end(row, x, w);
			ti.run[nr++] = (struct hex_run){ .key = row[x],
			    .x = (uint8_t)x, .w = (uint8_t)(e - x) };
		}
	}
	ti.row[h] = nr;

	/* Each colour but the background takes a subrectangle at least:
	 * from 1 + bpp + 1 + (colours - 1) (bpp + 2) bytes on, raw wins. */
	limit = (unsigned int)((raw_size - 2 - bpp) / (bpp + 2)) + 2;
	if ((ncol = hex_colours(s, &ti, limit, &bg, &fg)) == 0)
		goto raw;
	/* The mask, the colours that do not carry, the count. */
	if (2 + ((!st->bg_ok || st->bg != bg) ? bpp : 0) + (ncol == 2 &&
	    (!st->fg_ok || st->fg != fg) ? bpp : 0) > raw_size)
		goto raw;
	flags = p++;
	*flags = HEX_ANY;
	if (!st->bg_ok || st->bg != bg) {
		*flags |= HEX_BG;
		p = lossless_put(p, lossless_conv(pc, bg), bpp);
	}
	if (ncol == 2) {
		if (!st->fg_ok || st->fg != fg) {
			*flags |= HEX_FG;
			p = lossless_put(p, lossless_conv(pc, fg), bpp);
		}
	} else
		*flags |= HEX_COLOURED;
	count = p++;
	q = hex_subrects(pc, bpp, &ti, bg, ncol > 2, p, start + raw_size,
	    &nsub);
	if (q == NULL)
		goto raw;
	*count = (uint8_t)nsub;
	st->bg = bg;
	st->bg_ok = 1;
	if (ncol == 2) {
		st->fg = fg;
		st->fg_ok = 1;
	} else
		st->fg_ok = 0;	/* not after SubrectsColoured */
	return q;

raw:
	p = start;
	*p++ = HEX_RAW;
	pixconv_rect(pc, p, sp, stride, w, h);
	st->bg_ok = st->fg_ok = 0;	/* neither carries past a raw tile */
	return p + (size_t)n * bpp;
}

static int
hextile_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct hex_state st = { 0 };
	struct evbuffer_iovec v;
	size_t bpp, tiles, len;
	uint32_t tx, ty, tw, th;
	uint8_t *p;

	(void)set;
	if (!lossless_rect_ok(src, r))
		return -1;
	if (*scratch == NULL &&
	    (*scratch = calloc(1, sizeof(struct hextile_scratch))) == NULL)
		return -1;
	bpp = pixconv_bytes_per_pixel(pc);
	/* A tile is never bigger than raw with its subencoding byte. */
	tiles = (size_t)((r->w + HEX_SIDE - 1) / HEX_SIDE) *
	    ((r->h + HEX_SIDE - 1) / HEX_SIDE);
	len = ENCODER_RECT_HEADER_SIZE + tiles + (size_t)r->w * r->h * bpp;
	if (len > EV_SSIZE_MAX ||
	    evbuffer_reserve_space(out, (ev_ssize_t)len, &v, 1) != 1)
		return -1;
	p = v.iov_base;
	if (encoder_rect_header_bytes(p, r, RFB_ENCODING_HEXTILE) == -1)
		return -1;
	p += ENCODER_RECT_HEADER_SIZE;
	for (ty = 0; ty < r->h; ty += HEX_SIDE) {
		th = r->h - ty < HEX_SIDE ? r->h - ty : HEX_SIDE;
		for (tx = 0; tx < r->w; tx += HEX_SIDE) {
			tw = r->w - tx < HEX_SIDE ? r->w - tx : HEX_SIDE;
			p = hex_tile(*scratch, pc, bpp,
			    lossless_src_at(src, r->x + tx, r->y + ty),
			    src->stride, tw, th, &st, p);
		}
	}
	v.iov_len = (size_t)(p - (uint8_t *)v.iov_base);
	return evbuffer_commit_space(out, &v, 1) == 0 ? 1 : -1;
}

static void
hextile_scratch_free(void *scratch)
{
	free(scratch);
}

const struct encoder encoder_hextile = {
	.name = "hextile",
	.encoding = RFB_ENCODING_HEXTILE,
	.flags = ENCODER_SHAREABLE,
	.encode = hextile_encode,
	.scratch_free = hextile_scratch_free,
};
