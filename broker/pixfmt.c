/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "broker/pixfmt.h"
#include "broker/wire.h"

const struct pixfmt pixfmt_native = {
	.bpp = 32,
	.depth = 24,
	.big_endian = 0,
	.true_colour = 1,
	.red_max = 255, .green_max = 255, .blue_max = 255,
	.red_shift = 16, .green_shift = 8, .blue_shift = 0,
};

/* The fixed colour map of 8 bpp colour-map formats: pixel = r | g << 3 | b << 6. */
static const struct pixfmt pixfmt_map332 = {
	.bpp = 8,
	.depth = 8,
	.big_endian = 0,
	.true_colour = 1,
	.red_max = 7, .green_max = 7, .blue_max = 3,
	.red_shift = 0, .green_shift = 3, .blue_shift = 6,
};

void
pixfmt_from_wire(struct pixfmt *pf, const uint8_t wire[16])
{
	memset(pf, 0, sizeof(*pf));
	pf->bpp = wire[0];
	pf->depth = wire[1];
	pf->big_endian = wire[2] != 0;
	pf->true_colour = wire[3] != 0;
	pf->red_max = wire_get16(wire + 4);
	pf->green_max = wire_get16(wire + 6);
	pf->blue_max = wire_get16(wire + 8);
	pf->red_shift = wire[10];
	pf->green_shift = wire[11];
	pf->blue_shift = wire[12];
}

void
pixfmt_to_wire(const struct pixfmt *pf, uint8_t wire[16])
{
	memset(wire, 0, 16);
	wire[0] = pf->bpp;
	wire[1] = pf->depth;
	wire[2] = pf->big_endian != 0;
	wire[3] = pf->true_colour != 0;
	wire_put16(wire + 4, pf->red_max);
	wire_put16(wire + 6, pf->green_max);
	wire_put16(wire + 8, pf->blue_max);
	wire[10] = pf->red_shift;
	wire[11] = pf->green_shift;
	wire[12] = pf->blue_shift;
}

static int
bits_of(uint16_t max)
{
	int n = 0;

	while (max != 0) {
		n++;
		max >>= 1;
	}
	return n;
}

/* The bits of one channel within a pixel, or -1 when it does not fit. */
static int
channel_mask(uint16_t max, uint8_t shift, uint8_t bpp, uint32_t *mask,
    const char **why)
{
	int bits;

	if (max == 0) {
		*why = "a colour maximum is 0";
		return -1;
	}
	if ((max & (max + 1u)) != 0) {
		*why = "a colour maximum is not 2^n-1";
		return -1;
	}
	bits = bits_of(max);
	if (shift >= bpp || shift + bits > bpp) {
		*why = "a colour channel does not fit in bits-per-pixel";
		return -1;
	}
	*mask = (uint32_t)max << shift;
	return 0;
}

int
pixfmt_validate(const struct pixfmt *pf, const char **why)
{
	uint32_t r, g, b;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (pf->bpp != 8 && pf->bpp != 16 && pf->bpp != 32) {
		*why = "bits-per-pixel is not 8, 16 or 32";
		return -1;
	}
	if (pf->depth == 0 || pf->depth > pf->bpp) {
		*why = "depth is 0 or above bits-per-pixel";
		return -1;
	}
	if (!pf->true_colour) {
		/* The client's maxima and shifts mean nothing with a colour
		 * map: the map we send defines the colours. */
		if (pf->bpp != 8) {
			*why = "colour map at more than 8 bits-per-pixel";
			return -1;
		}
		return 0;
	}
	if (channel_mask(pf->red_max, pf->red_shift, pf->bpp, &r, why) == -1 ||
	    channel_mask(pf->green_max, pf->green_shift, pf->bpp, &g, why) == -1 ||
	    channel_mask(pf->blue_max, pf->blue_shift, pf->bpp, &b, why) == -1)
		return -1;
	if ((r & g) != 0 || (r & b) != 0 || (g & b) != 0) {
		*why = "colour channels overlap";
		return -1;
	}
	return 0;
}

int
pixfmt_equal(const struct pixfmt *a, const struct pixfmt *b)
{
	if (a->bpp != b->bpp || a->depth != b->depth ||
	    !a->big_endian != !b->big_endian ||
	    !a->true_colour != !b->true_colour)
		return 0;
	if (!a->true_colour)
		return 1;
	return a->red_max == b->red_max && a->green_max == b->green_max &&
	    a->blue_max == b->blue_max && a->red_shift == b->red_shift &&
	    a->green_shift == b->green_shift && a->blue_shift == b->blue_shift;
}

/*
 * A channel value in bits of the pixel, stored such that writing the
 * table sum as a host-order integer gives the client's byte order: the
 * byte swap of big-endian formats is folded into the tables.
 */
static uint32_t
wire_order(uint32_t v, uint8_t bpp, int big_endian)
{
	uint8_t b[4];
	uint32_t out = 0;
	uint16_t out16;

	switch (bpp) {
	case 32:
		if (big_endian) {
			b[0] = v >> 24;
			b[1] = v >> 16;
			b[2] = v >> 8;
			b[3] = v;
		} else {
			b[0] = v;
			b[1] = v >> 8;
			b[2] = v >> 16;
			b[3] = v >> 24;
		}
		memcpy(&out, b, 4);
		return out;
	case 16:
		if (big_endian) {
			b[0] = v >> 8;
			b[1] = v;
		} else {
			b[0] = v;
			b[1] = v >> 8;
		}
		memcpy(&out16, b, 2);
		return out16;
	default:
		return v & 0xff;
	}
}

/* Whether XRGB8888 bytes are already in the client's format. */
static int
is_identity(const struct pixfmt *pf)
{
	uint32_t r, g, b;

	if (pf->bpp != 32 || !pf->true_colour || pf->red_max != 255 ||
	    pf->green_max != 255 || pf->blue_max != 255)
		return 0;
	r = wire_order(0xffu << pf->red_shift, 32, pf->big_endian);
	g = wire_order(0xffu << pf->green_shift, 32, pf->big_endian);
	b = wire_order(0xffu << pf->blue_shift, 32, pf->big_endian);
	return r == wire_order(0xffu << 16, 32, 0) &&
	    g == wire_order(0xffu << 8, 32, 0) &&
	    b == wire_order(0xffu, 32, 0);
}

/*
 * The bits of a bpp-bit pixel that belong to no colour channel of t.  For
 * a colour-map format t is the 3-3-2 map, whose channels fill all 8 bits:
 * every bit of the index counts, none is padding.
 */
static uint32_t
padding_bits(const struct pixfmt *t, uint8_t bpp)
{
	uint32_t all = bpp >= 32 ? 0xffffffffu : (1u << bpp) - 1;

	return all & ~((uint32_t)t->red_max << t->red_shift |
	    (uint32_t)t->green_max << t->green_shift |
	    (uint32_t)t->blue_max << t->blue_shift);
}

void
pixconv_init(struct pixconv *pc, const struct pixfmt *pf)
{
	const struct pixfmt *t = pf->true_colour ? pf : &pixfmt_map332;
	uint32_t v;
	unsigned int i;

	memset(pc, 0, sizeof(*pc));
	pc->pf = *pf;
	pc->identity = is_identity(pf);
	pc->pad = wire_order(padding_bits(t, pf->bpp), pf->bpp, pf->big_endian);
	/* The padding rides in the red table: set in every pixel at no cost. */
	for (i = 0; i < 256; i++) {
		v = (i * t->red_max + 127) / 255;
		pc->r[i] = wire_order(v << t->red_shift, pf->bpp,
		    pf->big_endian) | pc->pad;
		v = (i * t->green_max + 127) / 255;
		pc->g[i] = wire_order(v << t->green_shift, pf->bpp,
		    pf->big_endian);
		v = (i * t->blue_max + 127) / 255;
		pc->b[i] = wire_order(v << t->blue_shift, pf->bpp,
		    pf->big_endian);
	}
}

/*
 * The source is XRGB8888 little-endian: bytes B, G, R, X in memory.  Reading
 * it as bytes keeps the loops independent of the host's byte order.
 */
static void
row32(const struct pixconv *pc, uint8_t *dst, const uint8_t *src, uint32_t w)
{
	uint32_t i, v;

	for (i = 0; i < w; i++, src += 4, dst += 4) {
		v = pc->r[src[2]] | pc->g[src[1]] | pc->b[src[0]];
		memcpy(dst, &v, 4);
	}
}

/*
 * 32 bpp with 8-bit channels, the byte order of the host (little-endian
 * hosts only): channels move by shifts alone, four pixels at a time, which
 * compilers turn into vector instructions.  A big-endian format whose
 * channels sit on whole bytes is the same with mirrored shifts.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static int
shift_path(const struct pixfmt *pf, unsigned int *rs, unsigned int *gs,
    unsigned int *bs)
{
	if (pf->bpp != 32 || !pf->true_colour || pf->red_max != 255 ||
	    pf->green_max != 255 || pf->blue_max != 255)
		return 0;
	*rs = pf->red_shift;
	*gs = pf->green_shift;
	*bs = pf->blue_shift;
	if (!pf->big_endian)
		return 1;
	if (*rs % 8 != 0 || *gs % 8 != 0 || *bs % 8 != 0)
		return 0;
	*rs = 24 - *rs;
	*gs = 24 - *gs;
	*bs = 24 - *bs;
	return 1;
}

static void
row32_shift(uint8_t *dst, const uint8_t *src, uint32_t w, unsigned int rs,
    unsigned int gs, unsigned int bs, uint32_t pad)
{
	uint32_t in[4], out[4], i, j, v;

	for (i = 0; i + 4 <= w; i += 4) {
		memcpy(in, src + 4 * i, sizeof(in));
		for (j = 0; j < 4; j++)
			out[j] = ((in[j] >> 16) & 0xff) << rs |
			    ((in[j] >> 8) & 0xff) << gs |
			    (in[j] & 0xff) << bs | pad;
		memcpy(dst + 4 * i, out, sizeof(out));
	}
	for (; i < w; i++) {
		memcpy(&v, src + 4 * i, 4);
		v = ((v >> 16) & 0xff) << rs | ((v >> 8) & 0xff) << gs |
		    (v & 0xff) << bs | pad;
		memcpy(dst + 4 * i, &v, 4);
	}
}
#else
static int
shift_path(const struct pixfmt *pf, unsigned int *rs, unsigned int *gs,
    unsigned int *bs)
{
	return 0;
}

static void
row32_shift(uint8_t *dst, const uint8_t *src, uint32_t w, unsigned int rs,
    unsigned int gs, unsigned int bs, uint32_t pad)
{
}
#endif

/*
 * The screen's own bytes (identity): copied, four pixels at a time, with
 * the padding byte set instead of whatever the source held there.
 */
static void
row32_copy(uint8_t *dst, const uint8_t *src, uint32_t w, uint32_t pad)
{
	uint32_t in[4], i, j, v;

	for (i = 0; i + 4 <= w; i += 4) {
		memcpy(in, src + 4 * i, sizeof(in));
		for (j = 0; j < 4; j++)
			in[j] |= pad;
		memcpy(dst + 4 * i, in, sizeof(in));
	}
	for (; i < w; i++) {
		memcpy(&v, src + 4 * i, 4);
		v |= pad;
		memcpy(dst + 4 * i, &v, 4);
	}
}

static void
row16(const struct pixconv *pc, uint8_t *dst, const uint8_t *src, uint32_t w)
{
	uint32_t i;
	uint16_t v;

	for (i = 0; i < w; i++, src += 4, dst += 2) {
		v = (uint16_t)(pc->r[src[2]] | pc->g[src[1]] | pc->b[src[0]]);
		memcpy(dst, &v, 2);
	}
}

static void
row8(const struct pixconv *pc, uint8_t *dst, const uint8_t *src, uint32_t w)
{
	uint32_t i;

	for (i = 0; i < w; i++, src += 4)
		dst[i] = (uint8_t)(pc->r[src[2]] | pc->g[src[1]] | pc->b[src[0]]);
}

void
pixconv_rect(const struct pixconv *pc, uint8_t *dst, const uint8_t *src,
    size_t src_stride, uint32_t w, uint32_t h)
{
	void (*row)(const struct pixconv *, uint8_t *, const uint8_t *,
	    uint32_t);
	size_t dst_stride = (size_t)w * pixconv_bytes_per_pixel(pc);
	unsigned int rs, gs, bs;
	uint32_t y;

	if (w == 0 || h == 0)
		return;
	if (pc->identity) {
		if (src_stride == dst_stride) {
			/* Whole rows back to back: one long row. */
			w *= h;
			h = 1;
		}
		for (y = 0; y < h; y++)
			row32_copy(dst + y * dst_stride, src + y * src_stride,
			    w, pc->pad);
		return;
	}
	if (shift_path(&pc->pf, &rs, &gs, &bs)) {
		for (y = 0; y < h; y++)
			row32_shift(dst + y * dst_stride, src + y * src_stride,
			    w, rs, gs, bs, pc->pad);
		return;
	}
	switch (pc->pf.bpp) {
	case 32:
		row = row32;
		break;
	case 16:
		row = row16;
		break;
	default:
		row = row8;
		break;
	}
	for (y = 0; y < h; y++)
		row(pc, dst + y * dst_stride, src + y * src_stride, w);
}

void
pixfmt_colour_map(uint16_t rgb[256][3])
{
	const struct pixfmt *t = &pixfmt_map332;
	unsigned int i, r, g, b;

	for (i = 0; i < 256; i++) {
		r = (i >> t->red_shift) & t->red_max;
		g = (i >> t->green_shift) & t->green_max;
		b = (i >> t->blue_shift) & t->blue_max;
		rgb[i][0] = (uint16_t)(r * 65535 / t->red_max);
		rgb[i][1] = (uint16_t)(g * 65535 / t->green_max);
		rgb[i][2] = (uint16_t)(b * 65535 / t->blue_max);
	}
}
