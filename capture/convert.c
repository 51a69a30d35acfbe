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

/*
 * Little-endian words: one load or store on a little-endian host, byte by
 * byte elsewhere, the same result.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE	1
#else
#define HOST_LE	0
#endif

static inline uint32_t
ld16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t
ld32(const uint8_t *p)
{
	uint32_t v;

	if (HOST_LE) {
		memcpy(&v, p, 4);
		return v;
	}
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
st32(uint8_t *o, uint32_t v)
{
	if (HOST_LE) {
		memcpy(o, &v, 4);
		return;
	}
	o[0] = (uint8_t)v;
	o[1] = (uint8_t)(v >> 8);
	o[2] = (uint8_t)(v >> 16);
	o[3] = (uint8_t)(v >> 24);
}

static inline void
st_xrgb(uint8_t *o, uint32_t r, uint32_t g, uint32_t b)
{
	st32(o, r << 16 | g << 8 | b);
}

/*
 * The channel widths to 8 and 16 bits, tabulated at compile time: a lookup
 * is cheaper than the division, and nothing is computed at run time.
 */
#define R4(f, b)	f(b), f((b) + 1), f((b) + 2), f((b) + 3)
#define R16(f, b)	R4(f, b), R4(f, (b) + 4), R4(f, (b) + 8), R4(f, (b) + 12)
#define R64(f, b)	R16(f, b), R16(f, (b) + 16), R16(f, (b) + 32), \
			R16(f, (b) + 48)
#define R256(f, b)	R64(f, b), R64(f, (b) + 64), R64(f, (b) + 128), \
			R64(f, (b) + 192)
#define R1024(f, b)	R256(f, b), R256(f, (b) + 256), R256(f, (b) + 512), \
			R256(f, (b) + 768)

#define C5_8(c)		(uint8_t)(((c) * 255 + 15) / 31)
#define C6_8(c)		(uint8_t)(((c) * 255 + 31) / 63)
#define C10_8(c)	(uint8_t)(((c) * 255 + 511) / 1023)
#define C5_16(c)	(uint16_t)(((c) * 65535 + 15) / 31)
#define C6_16(c)	(uint16_t)(((c) * 65535 + 31) / 63)
#define C10_16(c)	(uint16_t)(((c) * 65535 + 511) / 1023)

static const uint8_t c5_8[32] = { R16(C5_8, 0), R16(C5_8, 16) };
static const uint8_t c6_8[64] = { R64(C6_8, 0) };
static const uint8_t c10_8[1024] = { R1024(C10_8, 0) };
static const uint16_t c5_16[32] = { R16(C5_16, 0), R16(C5_16, 16) };
static const uint16_t c6_16[64] = { R64(C6_16, 0) };
static const uint16_t c10_16[1024] = { R1024(C10_16, 0) };

static inline uint32_t
clamp16(int32_t v)
{
	v = (v + (1 << (YUV_SHIFT - 1))) >> YUV_SHIFT;
	return v < 0 ? 0 : v > 0xffff ? 0xffff : (uint32_t)v;
}

/* Forced inline: each loop below calls these with a constant kind, and the
 * switch must fold away, not run per pixel. */
#define INLINE	static inline __attribute__((always_inline))

/* One pixel of a packed format at p, to XRGB8888 at o. */
INLINE void
packed_xrgb(uint8_t kind, const uint8_t *p, uint8_t *o)
{
	uint32_t v;

	switch (kind) {
	case FMT_RGB8888:
		st32(o, ld32(p) & 0x00ffffff);
		break;
	case FMT_BGR8888:
		st_xrgb(o, p[0], p[1], p[2]);
		break;
	case FMT_RGB565:
		v = ld16(p);
		st_xrgb(o, c5_8[v >> 11], c6_8[(v >> 5) & 0x3f],
		    c5_8[v & 0x1f]);
		break;
	case FMT_RGB2101010:
		v = ld32(p);
		st_xrgb(o, c10_8[(v >> 20) & 0x3ff],
		    c10_8[(v >> 10) & 0x3ff], c10_8[v & 0x3ff]);
		break;
	case FMT_BGR2101010:
		v = ld32(p);
		st_xrgb(o, c10_8[v & 0x3ff], c10_8[(v >> 10) & 0x3ff],
		    c10_8[(v >> 20) & 0x3ff]);
		break;
	}
}

INLINE void
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
		o->r = (uint16_t)c5_16[v >> 11];
		o->g = (uint16_t)c6_16[(v >> 5) & 0x3f];
		o->b = (uint16_t)c5_16[v & 0x1f];
		o->a = 0xffff;
		break;
	case FMT_RGB2101010:
		v = ld32(p);
		o->r = (uint16_t)c10_16[(v >> 20) & 0x3ff];
		o->g = (uint16_t)c10_16[(v >> 10) & 0x3ff];
		o->b = (uint16_t)c10_16[v & 0x3ff];
		o->a = alpha ? (uint16_t)((v >> 30) * 0x5555) : 0xffff;
		break;
	case FMT_BGR2101010:
		v = ld32(p);
		o->r = (uint16_t)c10_16[v & 0x3ff];
		o->g = (uint16_t)c10_16[(v >> 10) & 0x3ff];
		o->b = (uint16_t)c10_16[(v >> 20) & 0x3ff];
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
struct chroma {
	int32_t	r, g, b;
};

INLINE void
chroma_of(const struct yuv_tab *t, const uint8_t *cbcr, struct chroma *c)
{
	c->r = t->rv[cbcr[1]];
	c->g = t->gu[cbcr[0]] + t->gv[cbcr[1]];
	c->b = t->bu[cbcr[0]];
}

INLINE void
yuv_xrgb(const struct yuv_tab *t, uint32_t y, const struct chroma *c,
    uint8_t *o)
{
	int32_t l = t->y[y];

	st_xrgb(o, px16_to_8(clamp16(l + c->r)), px16_to_8(clamp16(l + c->g)),
	    px16_to_8(clamp16(l + c->b)));
}

INLINE void
yuv_px16(const struct yuv_tab *t, uint32_t y, const struct chroma *c,
    struct px16 *o)
{
	int32_t l = t->y[y];

	o->r = (uint16_t)clamp16(l + c->r);
	o->g = (uint16_t)clamp16(l + c->g);
	o->b = (uint16_t)clamp16(l + c->b);
	o->a = 0xffff;
}

static void
nv12_row_xrgb(const struct fb_image *fb, const struct yuv_tab *t,
    uint32_t row, uint32_t col, uint32_t n, uint8_t *out)
{
	const uint8_t *y = fb->data[0] + (size_t)row * fb->pitch[0] + col;
	const uint8_t *uv = fb->data[1] + (size_t)(row / 2) * fb->pitch[1] +
	    (size_t)(col / 2) * 2;
	struct chroma c;
	uint32_t k = 0;

	if (col & 1) {
		chroma_of(t, uv, &c);
		yuv_xrgb(t, y[k++], &c, out);
		out += 4;
		uv += 2;
	}
	for (; k + 1 < n; k += 2, uv += 2, out += 8) {
		chroma_of(t, uv, &c);
		yuv_xrgb(t, y[k], &c, out);
		yuv_xrgb(t, y[k + 1], &c, out + 4);
	}
	if (k < n) {
		chroma_of(t, uv, &c);
		yuv_xrgb(t, y[k], &c, out);
	}
}

/* A loop of n pixels in a packed format, each with a constant kind. */
#define PACKED_KINDS(CASE)						\
	CASE(FMT_RGB8888)						\
	CASE(FMT_BGR8888)						\
	CASE(FMT_RGB565)						\
	CASE(FMT_RGB2101010)						\
	CASE(FMT_BGR2101010)

void
row_to_xrgb(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t row, uint32_t col, uint32_t n,
    uint8_t *out)
{
	const uint8_t *p;
	uint32_t k;

	if (f->kind == FMT_NV12) {
		nv12_row_xrgb(fb, yt, row, col, n, out);
		return;
	}
	p = fb->data[0] + (size_t)row * fb->pitch[0] + (size_t)col * f->cpp;
	if (f->kind == FMT_RGB8888) {
		/* Most of the screen: the X bytes (3 and 7) cleared, 64 bits
		 * at a time. */
		const uint64_t mask = HOST_LE ? 0x00ffffff00ffffffull :
		    0xffffff00ffffff00ull;
		uint64_t w;

		for (k = 0; k + 2 <= n; k += 2, p += 8, out += 8) {
			memcpy(&w, p, 8);
			w &= mask;
			memcpy(out, &w, 8);
		}
		if (k < n)
			packed_xrgb(FMT_RGB8888, p, out);
		return;
	}
	switch (f->kind) {
#define RUN(kind)							\
	case kind:							\
		for (k = 0; k < n; k++, p += f->cpp, out += 4)		\
			packed_xrgb(kind, p, out);			\
		break;
	PACKED_KINDS(RUN)
#undef RUN
	}
}

/* The address of pixel k of a map, its row and column set. */
#define MAP_PIXEL(k)							\
	(row = map_is_row ? map[k] : fixed,				\
	 col = map_is_row ? fixed : map[k],				\
	 fb->data[0] + (size_t)row * pitch + (size_t)col * cpp)

static inline const uint8_t *
nv12_cbcr(const struct fb_image *fb, uint32_t row, uint32_t col)
{
	return fb->data[1] + (size_t)(row / 2) * fb->pitch[1] +
	    (size_t)(col / 2) * 2;
}

void
gather_xrgb(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t fixed, const uint32_t *map,
    int map_is_row, uint32_t n, uint8_t *out)
{
	const uint8_t *p;
	struct chroma c;
	uint32_t k, row, col;
	size_t pitch = fb->pitch[0], cpp = f->cpp;

	switch (f->kind) {
	case FMT_NV12:
		for (k = 0; k < n; k++, out += 4) {
			p = MAP_PIXEL(k);
			chroma_of(yt, nv12_cbcr(fb, row, col), &c);
			yuv_xrgb(yt, *p, &c, out);
		}
		break;
#define GATHER(kind)							\
	case kind:							\
		for (k = 0; k < n; k++, out += 4)			\
			packed_xrgb(kind, MAP_PIXEL(k), out);		\
		break;
	PACKED_KINDS(GATHER)
#undef GATHER
	}
}

void
gather_px16(const struct fb_image *fb, const struct fmt_info *f,
    const struct yuv_tab *yt, uint32_t fixed, const uint32_t *map,
    int map_is_row, uint32_t n, struct px16 *out)
{
	const uint8_t *p;
	struct chroma c;
	uint32_t k, row, col;
	size_t pitch = fb->pitch[0], cpp = f->cpp;

	switch (f->kind) {
	case FMT_NV12:
		for (k = 0; k < n; k++) {
			p = MAP_PIXEL(k);
			chroma_of(yt, nv12_cbcr(fb, row, col), &c);
			yuv_px16(yt, *p, &c, &out[k]);
		}
		break;
#define GATHER(kind)							\
	case kind:							\
		if (f->alpha)						\
			for (k = 0; k < n; k++)				\
				packed_px16(kind, 1, MAP_PIXEL(k),	\
				    &out[k]);				\
		else							\
			for (k = 0; k < n; k++)				\
				packed_px16(kind, 0, MAP_PIXEL(k),	\
				    &out[k]);				\
		break;
	PACKED_KINDS(GATHER)
#undef GATHER
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
