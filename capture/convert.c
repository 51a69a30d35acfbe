/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <drm_fourcc.h>

#include "capture/convert.h"

/*
 * Each format is read two ways: to XRGB8888 for a plane shown as it is, and
 * to 16 bits a channel for a plane to blend, the way vkms composes
 * (drivers/gpu/drm/vkms/vkms_formats.c, Linux 6.1: every plane goes to
 * struct pixel_argb_u16, and the writeback writes XRGB8888 with
 * DIV_ROUND_CLOSEST(c, 257)).  The two agree: the 8-bit value of a pixel
 * is always px16_to_8() of its 16-bit value, so that a plane composed
 * alone and a plane converted give the same picture.
 *
 * - 8 bits to 16: c * 257, as vkms ("the conversion ratio").
 * - RGB565 to 16: round(c * 65535 / 31) and round(c * 65535 / 63).  vkms
 *   6.1 computes c * (65535 / 31) in drm_fixp 32.32 and truncates
 *   (drm_fixp2int), which gives one less for some values (31 -> 65534);
 *   the stable fix "drm/vkms: Fix RGB565 pixel conversion" (6.3.y, 6.4.y)
 *   rounds (drm_fixp2int_round), which is the exact value taken here.  For
 *   a pixel shown as it is both give the same 8-bit value, round(c * 255 /
 *   31), for all 32 and 64 codes, and under one pre-multiplied 8-bit pixel
 *   too (every code and alpha, colours in steps of 7, tried).
 * - 2101010 (which vkms 6.1 does not read): round(c * 65535 / 1023), the
 *   same rule as 565; its 8-bit value is round(c * 255 / 1023).  The 2-bit
 *   alpha of ARGB2101010 is a * 0x5555.
 * - NV12 (nor this): see yuv_tab_init().
 */
static const struct fmt_info formats[] = {
	{ DRM_FORMAT_XRGB8888,		FMT_RGB8888,	4, 0, 0 },
	{ DRM_FORMAT_ARGB8888,		FMT_RGB8888,	4, 1, 0 },
	{ DRM_FORMAT_XBGR8888,		FMT_BGR8888,	4, 0, 0 },
	{ DRM_FORMAT_ABGR8888,		FMT_BGR8888,	4, 1, 0 },
	{ DRM_FORMAT_RGB565,		FMT_RGB565,	2, 0, 0 },
	{ DRM_FORMAT_XRGB2101010,	FMT_RGB2101010,	4, 0, 0 },
	{ DRM_FORMAT_ARGB2101010,	FMT_RGB2101010,	4, 1, 0 },
	{ DRM_FORMAT_XBGR2101010,	FMT_BGR2101010,	4, 0, 0 },
	{ DRM_FORMAT_ABGR2101010,	FMT_BGR2101010,	4, 1, 0 },
	{ DRM_FORMAT_NV12,		FMT_NV12,	1, 0, 1 },
};

const struct fmt_info *
fmt_lookup(uint32_t fourcc)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	return NULL;
}

int
compose_format_supported(uint32_t fourcc)
{
	return fmt_lookup(fourcc) != NULL;
}

static int32_t
round_fixed(double v)
{
	return v >= 0 ? (int32_t)(v + 0.5) : -(int32_t)(-v + 0.5);
}

/*
 * Y'CbCr to R'G'B' as ITU-R BT.601, BT.709 and BT.2020 define it (Kr, Kb
 * of each; the DRM COLOR_ENCODING property), from limited range (Y' 16 ..
 * 235, Cb Cr 16 .. 240 about 128) or full range (0 .. 255, about 128) as
 * COLOR_RANGE says:
 *
 *	R = Y + 2 (1 - Kr) Cr
 *	G = Y - 2 Kb (1 - Kb) / Kg Cb - 2 Kr (1 - Kr) / Kg Cr
 *	B = Y + 2 (1 - Kb) Cb
 *
 * with Y = (Y' - 16) / 219 and C = (C' - 128) / 224 (limited) or Y = Y' /
 * 255 and C = (C' - 128) / 255 (full), each result clamped to 0 .. 1.  The
 * terms are tabulated per sample value in 1/4096 of a 16-bit step, so that
 * a pixel costs three sums.
 */
void
yuv_tab_init(struct yuv_tab *t, uint32_t yuv, uint32_t range)
{
	const double scale = 65535.0 * (1 << YUV_SHIFT);
	double kr, kb, kg, yv, cv;
	int i;

	switch (yuv) {
	case COMPOSE_YUV_BT709:
		kr = 0.2126;
		kb = 0.0722;
		break;
	case COMPOSE_YUV_BT2020:
		kr = 0.2627;
		kb = 0.0593;
		break;
	default:
		kr = 0.299;
		kb = 0.114;
		break;
	}
	kg = 1.0 - kr - kb;
	for (i = 0; i < 256; i++) {
		if (range == COMPOSE_RANGE_FULL) {
			yv = i / 255.0;
			cv = (i - 128) / 255.0;
		} else {
			yv = (i - 16) / 219.0;
			cv = (i - 128) / 224.0;
		}
		t->y[i] = round_fixed(yv * scale);
		t->rv[i] = round_fixed(2.0 * (1.0 - kr) * cv * scale);
		t->bu[i] = round_fixed(2.0 * (1.0 - kb) * cv * scale);
		t->gu[i] = round_fixed(-2.0 * kb * (1.0 - kb) / kg * cv * scale);
		t->gv[i] = round_fixed(-2.0 * kr * (1.0 - kr) / kg * cv * scale);
	}
}

int
fb_check(const struct fb_image *fb, const struct fmt_info *f, uint32_t c0,
    uint32_t r0, uint32_t c1, uint32_t r1, char *why, size_t whylen)
{
	uint64_t end;

	if (c0 > c1 || r0 > r1 || c1 >= fb->width || r1 >= fb->height) {
		snprintf(why, whylen, "pixels %u..%u x %u..%u outside the "
		    "%ux%u buffer", c0, c1, r0, r1, fb->width, fb->height);
		return -1;
	}
	if (fb->data[0] == NULL) {
		snprintf(why, whylen, "no memory mapped");
		return -1;
	}
	/* The last pixel read is at row r1, column c1; the pitch is that of
	 * the buffer, not checked against its width: reads stay inside the
	 * mapping whatever it is. */
	end = (uint64_t)r1 * fb->pitch[0] + ((uint64_t)c1 + 1) * f->cpp;
	if (end > fb->size[0]) {
		snprintf(why, whylen, "buffer of %zu bytes smaller than the "
		    "%llu its pitch %u and source rectangle need", fb->size[0],
		    (unsigned long long)end, fb->pitch[0]);
		return -1;
	}
	if (f->kind != FMT_NV12)
		return 0;
	if (fb->data[1] == NULL) {
		snprintf(why, whylen, "no memory mapped for the CbCr plane");
		return -1;
	}
	end = (uint64_t)(r1 / 2) * fb->pitch[1] + (uint64_t)(c1 / 2) * 2 + 2;
	if (end > fb->size[1]) {
		snprintf(why, whylen, "CbCr plane of %zu bytes smaller than the "
		    "%llu its pitch %u and source rectangle need", fb->size[1],
		    (unsigned long long)end, fb->pitch[1]);
		return -1;
	}
	return 0;
}

/* Byte by byte: the result does not depend on the host's byte order, and
 * compilers make one load of it. */
static inline uint32_t
ld16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t
ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
st_xrgb(uint8_t *o, uint32_t r, uint32_t g, uint32_t b)
{
	o[0] = (uint8_t)b;
	o[1] = (uint8_t)g;
	o[2] = (uint8_t)r;
	o[3] = 0;
}

static inline uint32_t
c5_to_8(uint32_t c)
{
	return (c * 255 + 15) / 31;
}

static inline uint32_t
c6_to_8(uint32_t c)
{
	return (c * 255 + 31) / 63;
}

static inline uint32_t
c10_to_8(uint32_t c)
{
	return (c * 255 + 511) / 1023;
}

static inline uint32_t
c5_to_16(uint32_t c)
{
	return (c * 65535 + 15) / 31;
}

static inline uint32_t
c6_to_16(uint32_t c)
{
	return (c * 65535 + 31) / 63;
}

static inline uint32_t
c10_to_16(uint32_t c)
{
	return (c * 65535 + 511) / 1023;
}

static inline uint32_t
clamp16(int32_t v)
{
	if (v <= 0)
		return 0;
	v = (v + (1 << (YUV_SHIFT - 1))) >> YUV_SHIFT;
	return v > 0xffff ? 0xffff : (uint32_t)v;
}

static inline void
yuv_px16(const struct yuv_tab *t, uint32_t y, uint32_t cb, uint32_t cr,
    struct px16 *o)
{
	int32_t l = t->y[y];

	o->r = (uint16_t)clamp16(l + t->rv[cr]);
	o->g = (uint16_t)clamp16(l + t->gu[cb] + t->gv[cr]);
	o->b = (uint16_t)clamp16(l + t->bu[cb]);
	o->a = 0xffff;
}

/* One pixel of a packed format at p, to XRGB8888 at o. */
static inline void
packed_xrgb(uint8_t kind, const uint8_t *p, uint8_t *o)
{
	uint32_t v;

	switch (kind) {
	case FMT_RGB8888:
		st_xrgb(o, p[2], p[1], p[0]);
		break;
	case FMT_BGR8888:
		st_xrgb(o, p[0], p[1], p[2]);
		break;
	case FMT_RGB565:
		v = ld16(p);
		st_xrgb(o, c5_to_8(v >> 11), c6_to_8((v >> 5) & 0x3f),
		    c5_to_8(v & 0x1f));
		break;
	case FMT_RGB2101010:
		v = ld32(p);
		st_xrgb(o, c10_to_8((v >> 20) & 0x3ff),
		    c10_to_8((v >> 10) & 0x3ff), c10_to_8(v & 0x3ff));
		break;
	case FMT_BGR2101010:
		v = ld32(p);
		st_xrgb(o, c10_to_8(v & 0x3ff), c10_to_8((v >> 10) & 0x3ff),
		    c10_to_8((v >> 20) & 0x3ff));
		break;
	}
}

static inline void
packed_px16(uint8_t kind, int alpha, const uint8_t *p, struct px16 *o)
{
	uint32_t v;

	switch (kind) {
	case FMT_RGB8888:
		o->r = (uint16_t)(p[2] * 257);
		o->g = (uint16_t)(p[1] * 257);
		o->b = (uint16_t)(p[0] * 257);
		o->a = alpha ? (uint16_t)(p[3] * 257) : 0xffff;
		break;
	case FMT_BGR8888:
		o->r = (uint16_t)(p[0] * 257);
		o->g = (uint16_t)(p[1] * 257);
		o->b = (uint16_t)(p[2] * 257);
		o->a = alpha ? (uint16_t)(p[3] * 257) : 0xffff;
		break;
	case FMT_RGB565:
		v = ld16(p);
		o->r = (uint16_t)c5_to_16(v >> 11);
		o->g = (uint16_t)c6_to_16((v >> 5) & 0x3f);
		o->b = (uint16_t)c5_to_16(v & 0x1f);
		o->a = 0xffff;
		break;
	case FMT_RGB2101010:
		v = ld32(p);
		o->r = (uint16_t)c10_to_16((v >> 20) & 0x3ff);
		o->g = (uint16_t)c10_to_16((v >> 10) & 0x3ff);
		o->b = (uint16_t)c10_to_16(v & 0x3ff);
		o->a = alpha ? (uint16_t)((v >> 30) * 0x5555) : 0xffff;
		break;
	case FMT_BGR2101010:
		v = ld32(p);
		o->r = (uint16_t)c10_to_16(v & 0x3ff);
		o->g = (uint16_t)c10_to_16((v >> 10) & 0x3ff);
		o->b = (uint16_t)c10_to_16((v >> 20) & 0x3ff);
		o->a = alpha ? (uint16_t)((v >> 30) * 0x5555) : 0xffff;
		break;
	}
}

/*
 * NV12's chroma is one CbCr pair for each 2x2 block of luma samples; it is
 * replicated over its block (nearest neighbour, no interpolation), which is
 * exact for chroma sited at the block's centre or top left and half a
 * chroma sample off for MPEG-2's left siting: colour edges may be one luma
 * pixel out, luma never is.
 */
static inline const uint8_t *
nv12_cbcr(const struct fb_image *fb, uint32_t row, uint32_t col)
{
	return fb->data[1] + (size_t)(row / 2) * fb->pitch[1] +
	    (size_t)(col / 2) * 2;
}

void
row_to_xrgb(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t row, uint32_t col, uint32_t n,
    uint8_t *out)
{
	const uint8_t *p, *uv;
	struct px16 px;
	uint32_t k, v;

	p = fb->data[0] + (size_t)row * fb->pitch[0] + (size_t)col * f->cpp;
	switch (f->kind) {
	case FMT_RGB8888:
		/* The common case: a copy with the X byte cleared. */
		for (k = 0; k < n; k++, p += 4, out += 4) {
			v = ld32(p) & 0x00ffffff;
			memcpy(out, &v, 4);
		}
		break;
	case FMT_NV12:
		uv = fb->data[1] + (size_t)(row / 2) * fb->pitch[1];
		for (k = 0; k < n; k++, out += 4) {
			v = (col + k) / 2 * 2;
			yuv_px16(yt, p[k], uv[v], uv[v + 1], &px);
			st_xrgb(out, px16_to_8(px.r), px16_to_8(px.g),
			    px16_to_8(px.b));
		}
		break;
	default:
		for (k = 0; k < n; k++, p += f->cpp, out += 4)
			packed_xrgb(f->kind, p, out);
		break;
	}
}

void
gather_xrgb(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t fixed, const uint32_t *map,
    int map_is_row, uint32_t n, uint8_t *out)
{
	const uint8_t *uv;
	struct px16 px;
	uint32_t k, row, col;
	size_t pitch = fb->pitch[0], cpp = f->cpp;

	for (k = 0; k < n; k++, out += 4) {
		row = map_is_row ? map[k] : fixed;
		col = map_is_row ? fixed : map[k];
		if (f->kind == FMT_NV12) {
			uv = nv12_cbcr(fb, row, col);
			yuv_px16(yt, fb->data[0][row * pitch + col], uv[0],
			    uv[1], &px);
			st_xrgb(out, px16_to_8(px.r), px16_to_8(px.g),
			    px16_to_8(px.b));
		} else
			packed_xrgb(f->kind, fb->data[0] + row * pitch +
			    col * cpp, out);
	}
}

void
gather_px16(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t fixed, const uint32_t *map,
    int map_is_row, uint32_t n, struct px16 *out)
{
	const uint8_t *uv;
	uint32_t k, row, col;
	size_t pitch = fb->pitch[0], cpp = f->cpp;

	for (k = 0; k < n; k++) {
		row = map_is_row ? map[k] : fixed;
		col = map_is_row ? fixed : map[k];
		if (f->kind == FMT_NV12) {
			uv = nv12_cbcr(fb, row, col);
			yuv_px16(yt, fb->data[0][row * pitch + col], uv[0],
			    uv[1], &out[k]);
		} else
			packed_px16(f->kind, f->alpha, fb->data[0] +
			    row * pitch + col * cpp, &out[k]);
	}
}

int
convert_to_xrgb8888(uint8_t *dst, size_t dst_stride,
    const struct fb_image *src, uint32_t x, uint32_t y, uint32_t w,
    uint32_t h, uint32_t yuv, uint32_t range)
{
	const struct fmt_info *f;
	struct yuv_tab yt;
	char why[128];
	uint32_t j;

	if (src == NULL || (f = fmt_lookup(src->fourcc)) == NULL)
		return -1;
	if (w == 0 || h == 0)
		return 0;
	if (dst == NULL || dst_stride < (uint64_t)w * 4)
		return -1;
	if ((uint64_t)x + w > src->width || (uint64_t)y + h > src->height)
		return -1;
	if (fb_check(src, f, x, y, x + w - 1, y + h - 1, why, sizeof(why)))
		return -1;
	if (f->yuv) {
		if (yuv > COMPOSE_YUV_BT2020 || range > COMPOSE_RANGE_FULL)
			return -1;
		yuv_tab_init(&yt, yuv, range);
	}
	for (j = 0; j < h; j++)
		row_to_xrgb(src, f, &yt, y + j, x, w, dst + (size_t)j * dst_stride);
	return 0;
}
