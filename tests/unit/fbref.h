/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For test-convert and test-compose: framebuffers in guarded memory, and a
 * reference reading of every pixel format written apart from
 * capture/convert.c: each channel described by its shift and width in a
 * little-endian word and read as a fraction in double; YUV through the
 * numerical inverse of the RGB to Y'CbCr matrix built from Kr and Kb.
 */
#ifndef RAMPART_TESTS_FBREF_H
#define RAMPART_TESTS_FBREF_H

#include <sys/mman.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "capture/compose.h"
#include "tests/tap.h"

static uint64_t fbref_rng = 0x9e3779b97f4a7c15ull;

static inline uint32_t
rnd32(void)
{
	fbref_rng ^= fbref_rng << 13;
	fbref_rng ^= fbref_rng >> 7;
	fbref_rng ^= fbref_rng << 17;
	return (uint32_t)(fbref_rng >> 16);
}

static inline uint32_t
rndn(uint32_t n)
{
	return n == 0 ? 0 : rnd32() % n;
}

/*
 * size bytes that end where an inaccessible page begins: a read one byte
 * past them faults, in any build, not only under ASan.
 */
struct guarded {
	uint8_t	*map;
	size_t	 maplen;
	uint8_t	*p;
};

static inline uint8_t *
guarded_alloc(struct guarded *g, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (size + page - 1) / page * page;

	g->maplen = body + page;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		bail("mmap %zu bytes", g->maplen);
	if (mprotect(g->map + body, page, PROT_NONE) == -1)
		bail("mprotect");
	g->p = g->map + body - size;
	return g->p;
}

static inline void
guarded_free(struct guarded *g)
{
	if (g->map != NULL)
		munmap(g->map, g->maplen);
	memset(g, 0, sizeof(*g));
}

/* Channel layout: shift and bits of r, g, b, a in a little-endian word. */
struct refdesc {
	uint32_t	fourcc;
	const char	*name;
	int		bytes;
	int		rs, rb, gs, gb, bs, bb, as, ab;
};

static const struct refdesc refdescs[] = {
	{ DRM_FORMAT_XRGB8888, "XR24", 4, 16, 8, 8, 8, 0, 8, 0, 0 },
	{ DRM_FORMAT_ARGB8888, "AR24", 4, 16, 8, 8, 8, 0, 8, 24, 8 },
	{ DRM_FORMAT_XBGR8888, "XB24", 4, 0, 8, 8, 8, 16, 8, 0, 0 },
	{ DRM_FORMAT_ABGR8888, "AB24", 4, 0, 8, 8, 8, 16, 8, 24, 8 },
	{ DRM_FORMAT_RGB565, "RG16", 2, 11, 5, 5, 6, 0, 5, 0, 0 },
	{ DRM_FORMAT_XRGB2101010, "XR30", 4, 20, 10, 10, 10, 0, 10, 0, 0 },
	{ DRM_FORMAT_ARGB2101010, "AR30", 4, 20, 10, 10, 10, 0, 10, 30, 2 },
	{ DRM_FORMAT_XBGR2101010, "XB30", 4, 0, 10, 10, 10, 20, 10, 0, 0 },
	{ DRM_FORMAT_ABGR2101010, "AB30", 4, 0, 10, 10, 10, 20, 10, 30, 2 },
	{ DRM_FORMAT_NV12, "NV12", 1, 0, 0, 0, 0, 0, 0, 0, 0 },
};
#define NREFDESC	(sizeof(refdescs) / sizeof(refdescs[0]))

static inline const struct refdesc *
refdesc_of(uint32_t fourcc)
{
	size_t i;

	for (i = 0; i < NREFDESC; i++)
		if (refdescs[i].fourcc == fourcc)
			return &refdescs[i];
	return NULL;
}

struct refpx {
	double	r, g, b, a;
};

static inline double
ref_field(uint32_t v, int shift, int bits)
{
	uint32_t max = (1u << bits) - 1;

	return (double)((v >> shift) & max) / max;
}

/* Y'CbCr to R'G'B' by solving the forward equations of BT.601/709/2020. */
static inline void
ref_yuv(int y, int cb, int cr, uint32_t enc, uint32_t range, struct refpx *o)
{
	double kr, kb, kg, m[3][4], yy, u, v, f;
	int i, j, k;

	kr = enc == COMPOSE_YUV_BT709 ? 0.2126 :
	    enc == COMPOSE_YUV_BT2020 ? 0.2627 : 0.299;
	kb = enc == COMPOSE_YUV_BT709 ? 0.0722 :
	    enc == COMPOSE_YUV_BT2020 ? 0.0593 : 0.114;
	kg = 1 - kr - kb;
	if (range == COMPOSE_RANGE_FULL) {
		yy = y / 255.0;
		u = (cb - 128) / 255.0;
		v = (cr - 128) / 255.0;
	} else {
		yy = (y - 16) / 219.0;
		u = (cb - 128) / 224.0;
		v = (cr - 128) / 224.0;
	}
	/* Y = kr R + kg G + kb B; Cb = (B - Y) / (2 (1 - kb));
	 * Cr = (R - Y) / (2 (1 - kr)): three equations in R, G, B. */
	m[0][0] = kr; m[0][1] = kg; m[0][2] = kb; m[0][3] = yy;
	m[1][0] = -kr; m[1][1] = -kg; m[1][2] = 1 - kb;
	m[1][3] = u * 2 * (1 - kb);
	m[2][0] = 1 - kr; m[2][1] = -kg; m[2][2] = -kb;
	m[2][3] = v * 2 * (1 - kr);
	for (i = 0; i < 3; i++) {
		for (k = i, j = i + 1; j < 3; j++)
			if (fabs(m[j][i]) > fabs(m[k][i]))
				k = j;
		for (j = 0; j < 4; j++) {
			f = m[i][j];
			m[i][j] = m[k][j];
			m[k][j] = f;
		}
		for (j = 0; j < 3; j++) {
			if (j == i)
				continue;
			f = m[j][i] / m[i][i];
			for (k = i; k < 4; k++)
				m[j][k] -= f * m[i][k];
		}
	}
	o->r = m[0][3] / m[0][0];
	o->g = m[1][3] / m[1][1];
	o->b = m[2][3] / m[2][2];
	o->a = 1;
	o->r = o->r < 0 ? 0 : o->r > 1 ? 1 : o->r;
	o->g = o->g < 0 ? 0 : o->g > 1 ? 1 : o->g;
	o->b = o->b < 0 ? 0 : o->b > 1 ? 1 : o->b;
}

/* The pixel at (col, row) of fb, as fractions. */
static inline void
ref_pixel(const struct fb_image *fb, uint32_t col, uint32_t row, uint32_t enc,
    uint32_t range, struct refpx *o)
{
	const struct refdesc *d = refdesc_of(fb->fourcc);
	const uint8_t *p;
	uint32_t v = 0;
	int i;

	if (d->fourcc == DRM_FORMAT_NV12) {
		p = fb->data[1] + (size_t)(row / 2) * fb->pitch[1] +
		    (col / 2) * 2;
		ref_yuv(fb->data[0][(size_t)row * fb->pitch[0] + col], p[0],
		    p[1], enc, range, o);
		return;
	}
	p = fb->data[0] + (size_t)row * fb->pitch[0] + (size_t)col * d->bytes;
	for (i = 0; i < d->bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	o->r = ref_field(v, d->rs, d->rb);
	o->g = ref_field(v, d->gs, d->gb);
	o->b = ref_field(v, d->bs, d->bb);
	o->a = d->ab ? ref_field(v, d->as, d->ab) : 1;
}

static inline int
ref_8(double v)
{
	v = v < 0 ? 0 : v > 1 ? 1 : v;
	return (int)floor(v * 255 + 0.5);
}

/*
 * A w x h framebuffer of random pixels in guarded memory (g[0], g[1] for
 * NV12's CbCr), pad bytes past each row, mapped exactly to its last pixel.
 * premul: colour channels no larger than the pixel's alpha.
 */
static inline void
make_fb(struct fb_image *fb, struct guarded g[2], uint32_t fourcc,
    uint32_t w, uint32_t h, uint32_t pad, int premul)
{
	const struct refdesc *d = refdesc_of(fourcc);
	uint32_t cw, ch, v, a, c, x, y, i, chan[3][2];
	size_t size;
	uint8_t *p;
	int k;

	memset(fb, 0, sizeof(*fb));
	memset(g, 0, 2 * sizeof(*g));
	fb->fourcc = fourcc;
	fb->width = w;
	fb->height = h;
	fb->pitch[0] = w * d->bytes + pad;
	size = (size_t)(h - 1) * fb->pitch[0] + (size_t)w * d->bytes;
	fb->data[0] = guarded_alloc(&g[0], size);
	fb->size[0] = size;
	for (i = 0; i < size; i++)
		g[0].p[i] = (uint8_t)rnd32();
	if (fourcc == DRM_FORMAT_NV12) {
		cw = (w + 1) / 2;
		ch = (h + 1) / 2;
		fb->pitch[1] = cw * 2 + pad;
		size = (size_t)(ch - 1) * fb->pitch[1] + (size_t)cw * 2;
		fb->data[1] = guarded_alloc(&g[1], size);
		fb->size[1] = size;
		for (i = 0; i < size; i++)
			g[1].p[i] = (uint8_t)rnd32();
		return;
	}
	if (!premul || d->ab == 0)
		return;
	chan[0][0] = d->rs; chan[0][1] = d->rb;
	chan[1][0] = d->gs; chan[1][1] = d->gb;
	chan[2][0] = d->bs; chan[2][1] = d->bb;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			p = g[0].p + (size_t)y * fb->pitch[0] + x * d->bytes;
			v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
			a = (v >> d->as) & ((1u << d->ab) - 1);
			for (k = 0; k < 3; k++) {
				uint32_t max = (1u << chan[k][1]) - 1;

				c = (v >> chan[k][0]) & max;
				/* c / max <= a / amax */
				c = (uint32_t)((uint64_t)c * a /
				    ((1u << d->ab) - 1));
				v = (v & ~(max << chan[k][0])) |
				    c << chan[k][0];
			}
			for (k = 0; k < 4; k++)
				p[k] = (uint8_t)(v >> (8 * k));
		}
	}
}

static inline void
free_fb(struct guarded g[2])
{
	guarded_free(&g[0]);
	guarded_free(&g[1]);
}

#endif
