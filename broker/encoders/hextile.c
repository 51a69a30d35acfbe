/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hextile (RFB encoding 5): 16x16 tiles, each raw or a background with
 * subrectangles, one colour (the foreground) or each its own.  A tile is
 * counted on the screen's pixels first: a solid one is a byte or a
 * pixel, one with too many colours goes raw at once, and the rest look
 * for subrectangles until they cost more than raw.  Backgrounds and
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

static inline unsigned int
hex_hash(uint32_t key)
{
	return (key * 0x9e3779b1u) >> (32 - 9);
}

/*
 * Count the colours of the n pixels of t by runs (a run costs one probe):
 * the most frequent is the background.  Returns the number of colours, or
 * 0 as soon as there are so many that subrectangles cannot beat raw
 * (limit).
 */
static unsigned int
hex_colours(struct hextile_scratch *s, const uint32_t *t, unsigned int n,
    unsigned int limit, uint32_t *bg, uint32_t *other)
{
	unsigned int i, j, h, ncol = 0, best = 0;

	if (++s->gen == 0) {
		memset(s->slot_gen, 0, sizeof(s->slot_gen));
		s->gen = 1;
	}
	for (i = 0; i < n; i = j) {
		j = lossless_run_end(t, i, n);
		for (h = hex_hash(t[i]);; h = (h + 1) % HEX_SLOTS) {
			if (s->slot_gen[h] != s->gen) {
				if (++ncol >= limit)
					return 0;
				s->slot_gen[h] = s->gen;
				s->slot_key[h] = t[i];
				s->slot_count[h] = 0;
				if (ncol == 2)
					*other = t[i];
				break;
			}
			if (s->slot_key[h] == t[i])
				break;
		}
		s->slot_count[h] += j - i;
		if (s->slot_count[h] > best) {
			best = s->slot_count[h];
			*bg = t[i];
		}
	}
	if (ncol == 2 && *other == *bg)
		*other = t[0];
	return ncol;
}

/*
 * Subrectangles of t (w x h, modified: covered pixels become the
 * background) written from p; NULL as soon as they would pass end or
 * number more than 255.  *count gets how many.
 */
static uint8_t *
hex_subrects(const struct pixconv *pc, size_t bpp, uint32_t *t, unsigned int w,
    unsigned int h, uint32_t bg, int coloured, uint8_t *p, const uint8_t *end,
    unsigned int *count)
{
	size_t each = coloured ? bpp + 2 : 2;
	unsigned int x, y, sw, sh, vw, vh, i, j, n = 0;
	uint32_t c;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			c = t[y * w + x];
			if (c == bg)
				continue;
			/* The longest run to the right, then as many rows
			 * down as hold it; and the same column first: the
			 * larger of the two. */
			for (sw = 1; x + sw < w && t[y * w + x + sw] == c; sw++)
				;
			for (sh = 1; y + sh < h; sh++) {
				for (i = 0; i < sw; i++)
					if (t[(y + sh) * w + x + i] != c)
						break;
				if (i < sw)
					break;
			}
			for (vh = 1; y + vh < h && t[(y + vh) * w + x] == c;
			    vh++)
				;
			if (vh > sh) {
				for (vw = 1; x + vw < w; vw++) {
					for (j = 0; j < vh; j++)
						if (t[(y + j) * w + x + vw] != c)
							break;
					if (j < vh)
						break;
				}
				if (vw * vh > sw * sh) {
					sw = vw;
					sh = vh;
				}
			}
			if (n == 255 || (size_t)(end - p) < each)
				return NULL;
			if (coloured)
				p = lossless_put(p, lossless_conv(pc, c), bpp);
			*p++ = (uint8_t)(x << 4 | y);
			*p++ = (uint8_t)((sw - 1) << 4 | (sh - 1));
			n++;
			for (j = 0; j < sh; j++)
				for (i = 0; i < sw; i++)
					t[(y + j) * w + x + i] = bg;
		}
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
	uint32_t t[HEX_SIDE * HEX_SIDE], bg = 0, fg = 0;
	unsigned int n = w * h, y, ncol, limit, nsub;
	size_t raw_size = 1 + (size_t)n * bpp;
	uint8_t *start = p, *flags, *count, *q;

	for (y = 0; y < h; y++)
		lossless_load_row(t + y * w, sp + y * stride, w);
	if (lossless_solid(t, n)) {
		/* Solid: nothing at all when the background carries. */
		if (st->bg_ok && st->bg == t[0]) {
			*p++ = 0;
			return p;
		}
		*p++ = HEX_BG;
		p = lossless_put(p, lossless_conv(pc, t[0]), bpp);
		st->bg = t[0];
		st->bg_ok = 1;
		return p;
	}

	/* Each colour but the background takes a subrectangle at least:
	 * from 1 + bpp + 1 + (colours - 1) (bpp + 2) bytes on, raw wins. */
	limit = (unsigned int)((raw_size - 2 - bpp) / (bpp + 2)) + 2;
	if ((ncol = hex_colours(s, t, n, limit, &bg, &fg)) == 0)
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
	q = hex_subrects(pc, bpp, t, w, h, bg, ncol > 2, p, start + raw_size,
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
