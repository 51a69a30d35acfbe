/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compose_planes() and transform_picture() against references of their own:
 *
 * - where each screen pixel samples its plane, found by doing to a picture
 *   of coordinates what drm_blend.c says is done to the plane (take the
 *   source rectangle, mirror it, turn it counter-clockwise by quarter
 *   turns, scale it by nearest neighbour), not by per-axis maps;
 * - the colour, blended in double precision by drm_blend.c's formulas
 *   (within one of the result: the code rounds to 16 bits at each plane);
 * - and, for pre-multiplied planes at full plane alpha, vkms 6.1's integer
 *   arithmetic, which must be matched exactly;
 *
 * plus hand-computed pictures and values, every refusal, and planes in
 * memory that ends at an inaccessible page.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>
#include <drm_mode.h>

#include "capture/compose.h"
#include "common/ipc.h"
#include "tests/unit/fbref.h"
#include "tests/tap.h"

#define SW	48		/* the screen of most tests */
#define SH	36
#define STRIDE	(SW * 4 + 16)
#define SENTINEL 0xa5

static const uint32_t rotations[] = {
	DRM_MODE_ROTATE_0, DRM_MODE_ROTATE_90, DRM_MODE_ROTATE_180,
	DRM_MODE_ROTATE_270,
};
static const uint32_t reflections[] = {
	0, DRM_MODE_REFLECT_X, DRM_MODE_REFLECT_Y,
	DRM_MODE_REFLECT_X | DRM_MODE_REFLECT_Y,
};

/* A picture of source coordinates. */
struct cimg {
	uint32_t	w, h;
	uint32_t	*col, *row;
};

static void
cimg_alloc(struct cimg *c, uint32_t w, uint32_t h)
{
	c->w = w;
	c->h = h;
	c->col = calloc((size_t)w * h, sizeof(uint32_t));
	c->row = calloc((size_t)w * h, sizeof(uint32_t));
	if (c->col == NULL || c->row == NULL)
		bail("calloc");
}

static void
cimg_free(struct cimg *c)
{
	free(c->col);
	free(c->row);
}

/* One quarter turn counter-clockwise: the top right corner goes to the top
 * left, the picture h x w. */
static void
cimg_turn(struct cimg *c)
{
	struct cimg t;
	uint32_t r, k;

	cimg_alloc(&t, c->h, c->w);
	for (r = 0; r < t.h; r++) {
		for (k = 0; k < t.w; k++) {
			t.col[r * t.w + k] = c->col[k * c->w + (c->w - 1 - r)];
			t.row[r * t.w + k] = c->row[k * c->w + (c->w - 1 - r)];
		}
	}
	cimg_free(c);
	*c = t;
}

static void
cimg_mirror(struct cimg *c, int columns)
{
	struct cimg t;
	uint32_t r, k, sr, sk;

	cimg_alloc(&t, c->w, c->h);
	for (r = 0; r < c->h; r++) {
		for (k = 0; k < c->w; k++) {
			sr = columns ? r : c->h - 1 - r;
			sk = columns ? c->w - 1 - k : k;
			t.col[r * c->w + k] = c->col[sr * c->w + sk];
			t.row[r * c->w + k] = c->row[sr * c->w + sk];
		}
	}
	cimg_free(c);
	*c = t;
}

/*
 * The picture of the plane before scaling: the coordinates of its source
 * rectangle (whole pixels from the truncated origin), mirrored, turned.
 * Only for whole-pixel source sizes; see sample_fraction().
 */
static void
plane_picture(const struct plane_state *ps, struct cimg *c)
{
	uint32_t r, k, turns, rot = ps->rotation & DRM_MODE_ROTATE_MASK;

	cimg_alloc(c, ps->src_w >> 16, ps->src_h >> 16);
	for (r = 0; r < c->h; r++) {
		for (k = 0; k < c->w; k++) {
			c->col[r * c->w + k] = (ps->src_x >> 16) + k;
			c->row[r * c->w + k] = (ps->src_y >> 16) + r;
		}
	}
	if (ps->rotation & DRM_MODE_REFLECT_X)
		cimg_mirror(c, 1);
	if (ps->rotation & DRM_MODE_REFLECT_Y)
		cimg_mirror(c, 0);
	turns = rot == DRM_MODE_ROTATE_90 ? 1 : rot == DRM_MODE_ROTATE_180 ?
	    2 : rot == DRM_MODE_ROTATE_270 ? 3 : 0;
	while (turns-- > 0)
		cimg_turn(c);
}

/*
 * Unturned planes of fractional source size: the centre of CRTC pixel i of
 * n is at s = (i + 1/2) extent / n in the source, and shows the pixel whose
 * cell [k, k + 1) holds it; mirrored, the point is extent - s and the cell
 * (k, k + 1], the mirror image of the cell.  The tests' fractions are
 * halves: a centre falls on a pixel edge or at least 1/(2n) away from it.
 */
static uint32_t
sample_fraction(uint32_t origin16, uint32_t extent16, uint32_t n, uint32_t i,
    int mirror)
{
	double s = (i + 0.5) * (extent16 / 65536.0) / n;

	if (mirror)
		return (origin16 >> 16) + (uint32_t)(ceil(extent16 / 65536.0 -
		    s - 1e-9) - 1);
	return (origin16 >> 16) + (uint32_t)floor(s + 1e-9);
}

struct refscreen {
	double		rgb[SH * 4][SW * 4][3];	/* big enough for every test */
	uint32_t	vk[SH * 4][SW * 4][3];	/* vkms arithmetic, 16 bits */
};

/* vkms 6.1: 8 bits * 257, others rounded to 16; a premultiplied blend. */
static void
vkms_pixel(const struct fb_image *fb, uint32_t col, uint32_t row,
    uint32_t c[4])
{
	const struct refdesc *d = refdesc_of(fb->fourcc);
	const uint8_t *p = fb->data[0] + (size_t)row * fb->pitch[0] +
	    (size_t)col * d->bytes;
	uint32_t v = 0, max;
	int i, sh[4] = { d->rs, d->gs, d->bs, d->as };
	int bits[4] = { d->rb, d->gb, d->bb, d->ab };

	for (i = 0; i < d->bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	for (i = 0; i < 4; i++) {
		if (bits[i] == 0) {
			c[i] = 0xffff;
			continue;
		}
		max = (1u << bits[i]) - 1;
		c[i] = bits[i] == 8 ? ((v >> sh[i]) & max) * 257 :
		    (uint32_t)floor(((v >> sh[i]) & max) * 65535.0 / max + 0.5);
	}
}

static void
ref_compose(struct refscreen *rs, uint32_t w, uint32_t h,
    const struct plane_state *pl, size_t n)
{
	const struct plane_state *ps;
	struct refpx fg;
	struct cimg c;
	size_t order[COMPOSE_PLANES_MAX], i, j, k;
	uint32_t x, y, col, row, sr, sk, vc[4];
	int64_t sx, sy;
	double pa, fa, ws, wd, *o, f[3];
	int frac, ch;

	memset(rs, 0, sizeof(*rs));
	/* Back to front: the lowest zpos first, ties in the order given. */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (pl[order[j]].zpos < pl[order[i]].zpos ||
			    (pl[order[j]].zpos == pl[order[i]].zpos &&
			    order[j] < order[i])) {
				k = order[i];
				order[i] = order[j];
				order[j] = k;
			}
	for (k = 0; k < n; k++) {
		ps = &pl[order[k]];
		if (ps->crtc_w == 0 || ps->crtc_h == 0)
			continue;
		frac = (ps->src_w & 0xffff) || (ps->src_h & 0xffff);
		if (!frac)
			plane_picture(ps, &c);
		pa = ps->alpha / 65535.0;
		for (y = 0; y < h; y++) {
			sy = (int64_t)y - ps->crtc_y;
			if (sy < 0 || sy >= ps->crtc_h)
				continue;
			for (x = 0; x < w; x++) {
				sx = (int64_t)x - ps->crtc_x;
				if (sx < 0 || sx >= ps->crtc_w)
					continue;
				if (frac) {
					col = sample_fraction(ps->src_x,
					    ps->src_w, ps->crtc_w, (uint32_t)sx,
					    (ps->rotation & DRM_MODE_REFLECT_X)
					    != 0);
					row = sample_fraction(ps->src_y,
					    ps->src_h, ps->crtc_h, (uint32_t)sy,
					    (ps->rotation & DRM_MODE_REFLECT_Y)
					    != 0);
				} else {
					/* Nearest: floor((i + 1/2) * from / to). */
					sr = (uint32_t)(((2 * (uint64_t)sy + 1) *
					    c.h) / (2 * (uint64_t)ps->crtc_h));
					sk = (uint32_t)(((2 * (uint64_t)sx + 1) *
					    c.w) / (2 * (uint64_t)ps->crtc_w));
					col = c.col[sr * c.w + sk];
					row = c.row[sr * c.w + sk];
				}
				ref_pixel(&ps->fb, col, row, ps->yuv, ps->range,
				    &fg);
				fa = fg.a;
				switch (ps->blend) {
				case COMPOSE_BLEND_NONE:
					ws = pa;
					wd = 1 - pa;
					break;
				case COMPOSE_BLEND_COVERAGE:
					ws = pa * fa;
					wd = 1 - pa * fa;
					break;
				default:
					ws = pa;
					wd = 1 - pa * fa;
					break;
				}
				o = rs->rgb[y][x];
				f[0] = fg.r;
				f[1] = fg.g;
				f[2] = fg.b;
				for (ch = 0; ch < 3; ch++) {
					o[ch] = ws * f[ch] + wd * o[ch];
					if (o[ch] > 1)
						o[ch] = 1;
				}
				if (ps->fb.fourcc == DRM_FORMAT_NV12)
					continue;
				vkms_pixel(&ps->fb, col, row, vc);
				for (ch = 0; ch < 3; ch++)
					rs->vk[y][x][ch] = (uint32_t)
					    (((uint64_t)vc[ch] * 0xffff +
					    (uint64_t)rs->vk[y][x][ch] *
					    (0xffff - vc[3]) + 0x7fff) / 0xffff);
			}
		}
		if (!frac)
			cimg_free(&c);
	}
}

/* Differences of out from the reference: off by one, worse. */
static void
ref_diff(const struct refscreen *rs, const uint8_t *out, size_t stride,
    uint32_t w, uint32_t h, unsigned int *off1, unsigned int *worse,
    unsigned int *vkms_off, unsigned int *xbyte)
{
	const uint8_t *o;
	uint32_t x, y;
	int ch, d, v;

	*off1 = *worse = *vkms_off = *xbyte = 0;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			o = out + (size_t)y * stride + (size_t)x * 4;
			*xbyte += o[3] != 0;
			for (ch = 0; ch < 3; ch++) {
				d = o[2 - ch] - ref_8(rs->rgb[y][x][ch]);
				if (abs(d) == 1)
					(*off1)++;
				else if (d != 0) {
					if (*worse == 0)
						diag("(%u,%u) channel %d: %u, "
						    "reference %d", x, y, ch,
						    o[2 - ch],
						    ref_8(rs->rgb[y][x][ch]));
					(*worse)++;
				}
				v = (int)((rs->vk[y][x][ch] + 128) / 257);
				*vkms_off += o[2 - ch] != v;
			}
		}
	}
}

static struct refscreen refs;

static void
plane_init(struct plane_state *ps, const struct fb_image *fb)
{
	memset(ps, 0, sizeof(*ps));
	ps->fb = *fb;
	ps->src_w = fb->width << 16;
	ps->src_h = fb->height << 16;
	ps->crtc_w = fb->width;
	ps->crtc_h = fb->height;
	ps->rotation = DRM_MODE_ROTATE_0;
	ps->alpha = 0xffff;
	ps->blend = COMPOSE_BLEND_PREMULTI;
}

static uint8_t *
screen_new(void)
{
	uint8_t *s = malloc((size_t)STRIDE * SH * 4);

	if (s == NULL)
		bail("malloc");
	memset(s, SENTINEL, (size_t)STRIDE * SH * 4);
	return s;
}

static int
padding_intact(const uint8_t *out, size_t stride, uint32_t w, uint32_t h)
{
	size_t i;
	uint32_t j;

	for (j = 0; j < h; j++)
		for (i = (size_t)w * 4; i < stride; i++)
			if (out[(size_t)j * stride + i] != SENTINEL)
				return 0;
	return 1;
}

/* A 2x2 source [A B; C D], each orientation shown unscaled: by hand. */
static void
test_orientation_by_hand(void)
{
	static const struct {
		uint32_t	rot;
		const char	*name;
		const char	*want;	/* top left, top right, bottom left, right */
	} cases[] = {
		{ DRM_MODE_ROTATE_0, "rotate-0", "ABCD" },
		{ DRM_MODE_ROTATE_90, "rotate-90", "BDAC" },
		{ DRM_MODE_ROTATE_180, "rotate-180", "DCBA" },
		{ DRM_MODE_ROTATE_270, "rotate-270", "CADB" },
		{ DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_X, "reflect-x", "BADC" },
		{ DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_Y, "reflect-y", "CDAB" },
		{ DRM_MODE_ROTATE_90 | DRM_MODE_REFLECT_X,
		    "rotate-90 reflect-x", "ACBD" },
		{ DRM_MODE_ROTATE_90 | DRM_MODE_REFLECT_Y,
		    "rotate-90 reflect-y", "DBCA" },
	};
	/* A B C D as XRGB8888 words, blue = the letter. */
	uint8_t src[16] = { 'A', 0, 0, 0, 'B', 0, 0, 0,
	    'C', 0, 0, 0, 'D', 0, 0, 0 };
	struct plane_state ps;
	struct fb_image fb;
	uint8_t out[4 * 4 * 2];
	char got[5], why[128];
	size_t i;

	memset(&fb, 0, sizeof(fb));
	fb.data[0] = src;
	fb.pitch[0] = 8;
	fb.size[0] = sizeof(src);
	fb.fourcc = DRM_FORMAT_XRGB8888;
	fb.width = fb.height = 2;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plane_init(&ps, &fb);
		ps.rotation = cases[i].rot;
		ok(compose_planes(out, 8, 2, 2, &ps, 1, why, sizeof(why)) == 0,
		    "%s composes", cases[i].name);
		got[0] = (char)out[0];
		got[1] = (char)out[4];
		got[2] = (char)out[8];
		got[3] = (char)out[12];
		got[4] = '\0';
		ok(strcmp(got, cases[i].want) == 0, "%s shows %s (got %s)",
		    cases[i].name, cases[i].want, got);
	}

	/* Not square: a 3x1 row [A B C] turned a quarter is a column. */
	fb.width = 3;
	fb.height = 1;
	fb.pitch[0] = 12;
	fb.size[0] = 12;
	plane_init(&ps, &fb);
	ps.rotation = DRM_MODE_ROTATE_90;
	ps.crtc_w = 1;
	ps.crtc_h = 3;
	memset(out, 0, sizeof(out));
	ok(compose_planes(out, 4, 1, 3, &ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 'C' && out[4] == 'B' && out[8] == 'A',
	    "rotate-90 of [A B C] is the column C B A, top down");
	ps.rotation = DRM_MODE_ROTATE_270;
	ok(compose_planes(out, 4, 1, 3, &ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 'A' && out[4] == 'B' && out[8] == 'C',
	    "rotate-270 of [A B C] is the column A B C");
}

/* Nearest neighbour by hand: which source pixel each CRTC pixel shows. */
static void
test_scaling_by_hand(void)
{
	static const struct {
		uint32_t	from, to;
		const char	*want;
	} cases[] = {
		{ 2, 4, "AABB" },	/* centres 0.25 0.75 1.25 1.75 */
		{ 3, 2, "AC" },		/* 0.75 2.25 */
		{ 4, 3, "ACD" },	/* 0.67 2.0 3.33 */
		{ 4, 1, "C" },		/* 2.0 */
		{ 1, 3, "AAA" },
		{ 4, 7, "AABCCDD" },	/* 0.29 0.86 1.43 2.0 2.57 3.14 3.71 */
	};
	uint8_t src[16] = { 'A', 0, 0, 0, 'B', 0, 0, 0, 'C', 0, 0, 0,
	    'D', 0, 0, 0 };
	struct plane_state ps;
	struct fb_image fb;
	uint8_t out[8 * 4];
	char got[9], why[128];
	size_t i;
	uint32_t k;

	memset(&fb, 0, sizeof(fb));
	fb.data[0] = src;
	fb.pitch[0] = 16;
	fb.size[0] = 16;
	fb.fourcc = DRM_FORMAT_XRGB8888;
	fb.width = 4;
	fb.height = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plane_init(&ps, &fb);
		ps.src_w = cases[i].from << 16;
		ps.crtc_w = cases[i].to;
		ps.crtc_h = 1;
		ok(compose_planes(out, sizeof(out), cases[i].to, 1, &ps, 1, why,
		    sizeof(why)) == 0, "%u to %u composes", cases[i].from,
		    cases[i].to);
		for (k = 0; k < cases[i].to; k++)
			got[k] = (char)out[k * 4];
		got[k] = '\0';
		ok(strcmp(got, cases[i].want) == 0, "%u pixels to %u: %s "
		    "(got %s)", cases[i].from, cases[i].to, cases[i].want, got);
	}
	/* Sampling comes after the reflection: 2 pixels to 3 mirrored show
	 * [B A] at 1/3, 1, 5/3: B A A (not A B B mirrored, B B A). */
	plane_init(&ps, &fb);
	ps.src_w = 2 << 16;
	ps.crtc_w = 3;
	ps.crtc_h = 1;
	ps.rotation = DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_X;
	ok(compose_planes(out, sizeof(out), 3, 1, &ps, 1, why,
	    sizeof(why)) == 0 && out[0] == 'B' && out[4] == 'A' &&
	    out[8] == 'A', "2 to 3 mirrored: B A A (got %c %c %c)", out[0],
	    out[4], out[8]);
	ps.rotation = DRM_MODE_ROTATE_180;
	ok(compose_planes(out, sizeof(out), 3, 1, &ps, 1, why,
	    sizeof(why)) == 0 && out[0] == 'B' && out[4] == 'A' &&
	    out[8] == 'A', "2 to 3 turned 180: B A A");
	/* A source origin of 1.5 is taken at pixel 1, as vkms does. */
	plane_init(&ps, &fb);
	ps.src_x = 0x18000;
	ps.src_w = 2 << 16;
	ps.crtc_w = 2;
	ps.crtc_h = 1;
	ok(compose_planes(out, sizeof(out), 2, 1, &ps, 1, why,
	    sizeof(why)) == 0 && out[0] == 'B' && out[4] == 'C',
	    "source x 1.5 width 2 shows B C");
}

/* Each format, each orientation, scaled up and down and partly off the
 * screen: every pixel where the coordinate picture says. */
static void
test_geometry(void)
{
	static const struct {
		uint32_t	sw, sh;		/* source size */
		int32_t		cx, cy;
		uint32_t	cw, ch;
		const char	*what;
	} geo[] = {
		{ 13, 9, 5, 4, 13, 9, "unscaled" },
		{ 13, 9, 3, 2, 29, 23, "scaled up" },
		{ 31, 23, 6, 5, 11, 7, "scaled down" },
		{ 20, 16, -7, -5, 25, 21, "off the top left" },
		{ 20, 16, SW - 9, SH - 6, 17, 14, "off the bottom right" },
		{ 10, 30, -3, 4, 60, 12, "wider than the screen" },
	};
	struct fb_image fb;
	struct guarded g[2];
	struct plane_state ps;
	uint8_t *out = screen_new();
	unsigned int off1, worse, vk, xb, bad = 0, tried = 0, maxoff = 0;
	size_t f, r, m, i;
	char why[160];
	int isnv;

	for (f = 0; f < NREFDESC; f++) {
		isnv = refdescs[f].fourcc == DRM_FORMAT_NV12;
		for (i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
			make_fb(&fb, g, refdescs[f].fourcc, geo[i].sw + 5,
			    geo[i].sh + 3, 8, 0);
			for (r = 0; r < 4; r++) {
				for (m = 0; m < 4; m++) {
					plane_init(&ps, &fb);
					ps.src_x = 3 << 16;
					ps.src_y = 2 << 16;
					ps.src_w = geo[i].sw << 16;
					ps.src_h = geo[i].sh << 16;
					ps.crtc_x = geo[i].cx;
					ps.crtc_y = geo[i].cy;
					ps.crtc_w = geo[i].cw;
					ps.crtc_h = geo[i].ch;
					ps.rotation = rotations[r] |
					    reflections[m];
					ps.yuv = (uint32_t)(i % 3);
					ps.range = (uint32_t)(r % 2);
					memset(out, SENTINEL, STRIDE * SH);
					tried++;
					if (compose_planes(out, STRIDE, SW, SH,
					    &ps, 1, why, sizeof(why)) != 0) {
						diag("%s %s: %s",
						    refdescs[f].name,
						    geo[i].what, why);
						bad++;
						continue;
					}
					ref_compose(&refs, SW, SH, &ps, 1);
					ref_diff(&refs, out, STRIDE, SW, SH,
					    &off1, &worse, &vk, &xb);
					if (worse || xb || (!isnv && off1) ||
					    !padding_intact(out, STRIDE, SW,
					    SH)) {
						if (bad++ < 5)
							diag("%s %s rotation "
							    "0x%x: %u off by "
							    "one, %u worse",
							    refdescs[f].name,
							    geo[i].what,
							    ps.rotation, off1,
							    worse);
					}
					if (off1 > maxoff)
						maxoff = off1;
				}
			}
			free_fb(g);
		}
	}
	ok(bad == 0, "%u planes: each format, rotation, reflection and "
	    "scale where the reference puts them, exact (NV12: at most %u "
	    "channels off by one)", tried, maxoff);
	free(out);
}

/* Fractional source rectangles (halves), unturned, mirrored or not. */
static void
test_fractional(void)
{
	struct fb_image fb;
	struct guarded g[2];
	struct plane_state ps;
	uint8_t *out = screen_new();
	unsigned int off1, worse, vk, xb, bad = 0, n = 0;
	char why[160];
	uint32_t i, m;

	make_fb(&fb, g, DRM_FORMAT_XRGB8888, 40, 30, 0, 0);
	for (i = 0; i < 40; i++) {
		for (m = 0; m < 4; m++) {
			plane_init(&ps, &fb);
			ps.src_x = (rndn(20) << 16) | (rndn(2) << 15);
			ps.src_y = (rndn(10) << 16) | (rndn(2) << 15);
			ps.src_w = ((1 + rndn(19)) << 16) | (rndn(2) << 15);
			ps.src_h = ((1 + rndn(19)) << 16) | (rndn(2) << 15);
			ps.crtc_x = (int32_t)rndn(20) - 5;
			ps.crtc_y = (int32_t)rndn(20) - 5;
			ps.crtc_w = 1 + rndn(40);
			ps.crtc_h = 1 + rndn(30);
			ps.rotation = DRM_MODE_ROTATE_0 | reflections[m];
			n++;
			if (compose_planes(out, STRIDE, SW, SH, &ps, 1, why,
			    sizeof(why))) {
				diag("%s", why);
				bad++;
				continue;
			}
			ref_compose(&refs, SW, SH, &ps, 1);
			ref_diff(&refs, out, STRIDE, SW, SH, &off1, &worse, &vk,
			    &xb);
			bad += off1 || worse || xb;
		}
	}
	ok(bad == 0, "%u planes with half-pixel source rectangles, mirrored "
	    "or not, sample where the reference does", n);
	free_fb(g);
	free(out);
}

/* Stacking: opaque planes given out of order, ties in the given order. */
static void
test_zpos(void)
{
	struct fb_image fb[4];
	struct guarded g[4][2];
	struct plane_state ps[4];
	uint8_t *out = screen_new();
	unsigned int off1, worse, vk, xb;
	char why[160];
	int i;
	uint32_t want;

	for (i = 0; i < 4; i++) {
		make_fb(&fb[i], g[i], DRM_FORMAT_XRGB8888, 20, 20, 0, 0);
		memset(g[i][0].p, 0x10 * (i + 1), fb[i].size[0]);
		plane_init(&ps[i], &fb[i]);
		ps[i].crtc_x = 5 * i;
		ps[i].crtc_y = 3 * i;
	}
	ps[0].zpos = 3;		/* top */
	ps[1].zpos = 0;		/* bottom */
	ps[2].zpos = 1;		/* a tie with 3: 2 goes behind 3 */
	ps[3].zpos = 1;
	ok(compose_planes(out, STRIDE, SW, SH, ps, 4, why, sizeof(why)) == 0,
	    "four overlapping planes compose");
	ref_compose(&refs, SW, SH, ps, 4);
	ref_diff(&refs, out, STRIDE, SW, SH, &off1, &worse, &vk, &xb);
	ok(off1 == 0 && worse == 0, "stacked by zpos as the reference");
	/* (16, 10) is inside all four: plane 0 is on top. */
	want = 0x10;
	ok(out[10 * STRIDE + 16 * 4] == want, "where all overlap the "
	    "highest zpos shows (0x%02x)", out[10 * STRIDE + 16 * 4]);
	/* (22, 12) is in 1 (x 5..24, y 3..22), 2 (10..29, 6..25) and 3
	 * (15..34, 9..28), not in 0: 3 ties 2 and was given later. */
	ok(out[12 * STRIDE + 22 * 4] == 0x40, "an equal zpos given later is "
	    "in front (0x%02x)", out[12 * STRIDE + 22 * 4]);
	/* (47, 35) is in no plane: black. */
	ok(out[35 * STRIDE + 47 * 4] == 0 && out[35 * STRIDE + 47 * 4 + 1] == 0,
	    "where no plane is, black");
	for (i = 0; i < 4; i++)
		free_fb(g[i]);
	free(out);
}

/* Blend modes by hand: base grey 200, over it one pixel of AR24 with alpha
 * 64 and colour 48, the plane alpha 1 or 0x8000 (0.500008); drm_blend.c's
 * formulas worked out in decimal. */
static void
test_blend_by_hand(void)
{
	static const struct {
		uint32_t	mode;
		uint16_t	pa;
		int		want;
		const char	*sum;
	} cases[] = {
		{ COMPOSE_BLEND_PREMULTI, 0xffff, 198, "48 + (1 - 64/255) 200 = 197.8" },
		{ COMPOSE_BLEND_COVERAGE, 0xffff, 162, "64/255 48 + (1 - 64/255) 200 = 161.8" },
		{ COMPOSE_BLEND_NONE, 0xffff, 48, "48" },
		{ COMPOSE_BLEND_PREMULTI, 0x8000, 199, "0.5 48 + (1 - 0.5 64/255) 200 = 198.9" },
		{ COMPOSE_BLEND_COVERAGE, 0x8000, 181, "0.5 64/255 48 + (1 - 0.5 64/255) 200 = 180.9" },
		{ COMPOSE_BLEND_NONE, 0x8000, 124, "0.5 48 + 0.5 200 = 124.0" },
		{ COMPOSE_BLEND_PREMULTI, 0, 200, "the base" },
		{ COMPOSE_BLEND_COVERAGE, 0, 200, "the base" },
		{ COMPOSE_BLEND_NONE, 0, 200, "the base" },
	};
	uint8_t base[4] = { 200, 200, 200, 0 }, top[4] = { 48, 48, 48, 64 };
	struct plane_state ps[2];
	struct fb_image fb;
	uint8_t out[4];
	char why[128];
	size_t i;

	memset(&fb, 0, sizeof(fb));
	fb.pitch[0] = 4;
	fb.size[0] = 4;
	fb.width = fb.height = 1;
	fb.data[0] = base;
	fb.fourcc = DRM_FORMAT_XRGB8888;
	plane_init(&ps[0], &fb);
	fb.data[0] = top;
	fb.fourcc = DRM_FORMAT_ARGB8888;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plane_init(&ps[1], &fb);
		ps[1].zpos = 1;
		ps[1].blend = cases[i].mode;
		ps[1].alpha = cases[i].pa;
		out[0] = out[1] = out[2] = out[3] = SENTINEL;
		ok(compose_planes(out, 4, 1, 1, ps, 2, why, sizeof(why)) == 0 &&
		    out[0] == cases[i].want && out[1] == cases[i].want &&
		    out[2] == cases[i].want && out[3] == 0,
		    "blend %u alpha 0x%04x: %d (%s), got %u", cases[i].mode,
		    cases[i].pa, cases[i].want, cases[i].sum, out[0]);
	}

	/* Alone over black, pre-multiplied alpha 64 colour 48 is 48 (vkms
	 * copies its primary); coverage is 48 * 64 / 255 = 12.05. */
	plane_init(&ps[0], &fb);
	ok(compose_planes(out, 4, 1, 1, ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 48, "pre-multiplied alone over black: its colour");
	ps[0].blend = COMPOSE_BLEND_COVERAGE;
	ok(compose_planes(out, 4, 1, 1, ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 12, "coverage alone over black: 12 (got %u)", out[0]);
	/* Invalid pre-multiplied data (colour 255 over alpha 64) saturates. */
	top[0] = top[1] = top[2] = 255;
	plane_init(&ps[0], &fb);
	fb.data[0] = base;
	fb.fourcc = DRM_FORMAT_XRGB8888;
	plane_init(&ps[1], &fb);
	ps[0].zpos = 1;
	ok(compose_planes(out, 4, 1, 1, ps, 2, why, sizeof(why)) == 0 &&
	    out[0] == 255, "pre-multiplied colour above its alpha clamps to "
	    "255 (got %u)", out[0]);
}

/* Blend modes and plane alphas over a primary, each alpha format. */
static void
test_blend(void)
{
	static const uint32_t fmts[] = { DRM_FORMAT_ARGB8888,
	    DRM_FORMAT_ABGR8888, DRM_FORMAT_ARGB2101010, DRM_FORMAT_ABGR2101010,
	    DRM_FORMAT_XRGB8888, DRM_FORMAT_RGB565 };
	static const uint16_t alphas[] = { 0, 1, 0x4000, 0x8000, 0xfffe,
	    0xffff };
	struct fb_image fb[3];
	struct guarded g[3][2];
	struct plane_state ps[3];
	uint8_t *out = screen_new();
	unsigned int off1, worse, vk, xb, n = 0, bad = 0, vbad = 0, nv = 0;
	unsigned int noff1 = 0;
	char why[160];
	size_t f, a, mode;

	make_fb(&fb[0], g[0], DRM_FORMAT_XRGB8888, SW, SH, 4, 0);
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (mode = 0; mode < 3; mode++) {
			make_fb(&fb[1], g[1], fmts[f], 30, 20, 0,
			    mode == COMPOSE_BLEND_PREMULTI);
			make_fb(&fb[2], g[2], DRM_FORMAT_ARGB8888, 8, 8, 0,
			    mode == COMPOSE_BLEND_PREMULTI);
			for (a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
				plane_init(&ps[0], &fb[0]);
				plane_init(&ps[1], &fb[1]);
				ps[1].crtc_x = 7;
				ps[1].crtc_y = -3;
				ps[1].crtc_w = 35;
				ps[1].crtc_h = 25;
				ps[1].rotation = rotations[a % 4];
				ps[1].blend = (uint32_t)mode;
				ps[1].alpha = alphas[a];
				ps[1].zpos = 1;
				plane_init(&ps[2], &fb[2]);
				ps[2].crtc_x = SW - 5;
				ps[2].crtc_y = 20;
				ps[2].blend = (uint32_t)mode;
				ps[2].alpha = a % 2 ? alphas[a] :
				    alphas[(a + 3) % 6];
				ps[2].zpos = 2;
				n++;
				if (compose_planes(out, STRIDE, SW, SH, ps, 3,
				    why, sizeof(why))) {
					diag("%s", why);
					bad++;
					continue;
				}
				ref_compose(&refs, SW, SH, ps, 3);
				ref_diff(&refs, out, STRIDE, SW, SH, &off1,
				    &worse, &vk, &xb);
				noff1 += off1;
				if (worse || xb) {
					bad++;
					diag("format %s mode %zu alpha 0x%x: "
					    "%u worse", refdesc_of(fmts[f])->name,
					    mode, alphas[a], worse);
				}
				if (mode == COMPOSE_BLEND_PREMULTI &&
				    ps[1].alpha == 0xffff &&
				    ps[2].alpha == 0xffff) {
					nv++;
					vbad += vk != 0;
				}
			}
			free_fb(g[1]);
			free_fb(g[2]);
		}
	}
	ok(bad == 0, "%u stacks of each blend mode and plane alpha: within "
	    "one of drm_blend.c's formulas (%u channels off by one of %u)",
	    n, noff1, n * SW * SH * 3);
	ok(nv > 0 && vbad == 0, "%u pre-multiplied stacks at full plane alpha: "
	    "exactly vkms's arithmetic", nv);
	free_fb(g[0]);
	free(out);
}

/* What the VM tests compare: random stacks vkms 6.1 could show (RGB,
 * pre-multiplied, full plane alpha, unscaled); must be exact. */
static void
test_vkms_exact(void)
{
	static const uint32_t fmts[] = { DRM_FORMAT_XRGB8888,
	    DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB565, DRM_FORMAT_XBGR8888,
	    DRM_FORMAT_ABGR8888, DRM_FORMAT_ARGB2101010 };
	struct fb_image fb[4];
	struct guarded g[4][2];
	struct plane_state ps[4];
	uint8_t *out = screen_new();
	unsigned int off1, worse, vk, xb, iter, bad = 0;
	char why[160];
	uint32_t i, np, w, h;

	for (iter = 0; iter < 60; iter++) {
		np = 1 + rndn(4);
		for (i = 0; i < np; i++) {
			w = i == 0 ? SW : 1 + rndn(SW);
			h = i == 0 ? SH : 1 + rndn(SH);
			/* The primary has no alpha: 0, 2 or 3 of fmts. */
			make_fb(&fb[i], g[i], i == 0 ? fmts[rndn(3) ? rndn(2) * 2 :
			    3] : fmts[rndn(6)], w, h, rndn(3) * 4, 1);
			plane_init(&ps[i], &fb[i]);
			if (i > 0) {
				ps[i].crtc_x = (int32_t)rndn(SW + 10) - 10;
				ps[i].crtc_y = (int32_t)rndn(SH + 10) - 10;
				ps[i].zpos = i;
			}
		}
		if (compose_planes(out, STRIDE, SW, SH, ps, np, why,
		    sizeof(why))) {
			diag("%s", why);
			bad++;
		} else {
			ref_compose(&refs, SW, SH, ps, np);
			ref_diff(&refs, out, STRIDE, SW, SH, &off1, &worse,
			    &vk, &xb);
			if (vk)
				diag("stack %u: %u channels not as vkms", iter,
				    vk);
			bad += vk != 0;
		}
		for (i = 0; i < np; i++)
			free_fb(g[i]);
	}
	ok(bad == 0, "60 random stacks vkms 6.1 can show: exactly its "
	    "arithmetic");
	free(out);
}

/* Anything goes: random formats, sizes, places, orientations, modes,
 * alphas, ties; one in eight planes broken. */
static void
test_random(void)
{
	struct fb_image fb[5];
	struct guarded g[5][2];
	struct plane_state ps[5];
	uint8_t *out = screen_new(), *copy = screen_new();
	unsigned int off1, worse, vk, xb, iter, bad = 0, refused = 0;
	unsigned int broken, wrongly = 0;
	char why[160];
	uint32_t i, np, sw, sh;

	for (iter = 0; iter < 400; iter++) {
		np = 1 + rndn(5);
		broken = 0;
		for (i = 0; i < np; i++) {
			make_fb(&fb[i], g[i], refdescs[rndn(NREFDESC)].fourcc,
			    1 + rndn(40), 1 + rndn(30), rndn(3) * 4, rndn(2));
			plane_init(&ps[i], &fb[i]);
			sw = 1 + rndn(fb[i].width);
			sh = 1 + rndn(fb[i].height);
			ps[i].src_x = rndn(fb[i].width - sw + 1) << 16;
			ps[i].src_y = rndn(fb[i].height - sh + 1) << 16;
			ps[i].src_w = sw << 16;
			ps[i].src_h = sh << 16;
			ps[i].crtc_x = (int32_t)rndn(SW + 20) - 20;
			ps[i].crtc_y = (int32_t)rndn(SH + 20) - 20;
			ps[i].crtc_w = rndn(60);
			ps[i].crtc_h = rndn(50);
			ps[i].rotation = rotations[rndn(4)] |
			    reflections[rndn(4)];
			ps[i].alpha = rndn(3) == 0 ? (uint16_t)rnd32() : 0xffff;
			ps[i].blend = rndn(3);
			ps[i].yuv = rndn(3);
			ps[i].range = rndn(2);
			ps[i].zpos = rndn(3);
			if (rndn(8) == 0) {
				broken++;
				switch (rndn(4)) {
				case 0:
					ps[i].src_x = (fb[i].width << 16) -
					    ps[i].src_w + 1;
					break;
				case 1:
					/* The whole buffer, a mapping short. */
					ps[i].src_x = ps[i].src_y = 0;
					ps[i].src_w = fb[i].width << 16;
					ps[i].src_h = fb[i].height << 16;
					ps[i].fb.size[0] -= 1 + rndn(4);
					break;
				case 2:
					ps[i].src_h = 0;
					break;
				case 3:
					ps[i].rotation |= DRM_MODE_ROTATE_90 <<
					    (ps[i].rotation &
					    DRM_MODE_ROTATE_90 ? 1 : 0);
					break;
				}
			}
		}
		memset(out, SENTINEL, STRIDE * SH);
		if (compose_planes(out, STRIDE, SW, SH, ps, np, why,
		    sizeof(why))) {
			refused++;
			memset(copy, SENTINEL, STRIDE * SH);
			if (!broken || why[0] == '\0' ||
			    memcmp(out, copy, STRIDE * SH) != 0) {
				diag("stack %u refused: %s", iter, why);
				wrongly++;
			}
		} else if (broken) {
			diag("stack %u with a broken plane composed", iter);
			wrongly++;
		} else {
			ref_compose(&refs, SW, SH, ps, np);
			ref_diff(&refs, out, STRIDE, SW, SH, &off1, &worse,
			    &vk, &xb);
			if (worse || xb || !padding_intact(out, STRIDE, SW, SH)) {
				diag("stack %u: %u worse than one", iter, worse);
				bad++;
			}
		}
		for (i = 0; i < np; i++)
			free_fb(g[i]);
	}
	ok(bad == 0, "400 random stacks: within one of the reference");
	ok(wrongly == 0, "%u stacks with a broken plane refused with a reason, "
	    "the screen untouched; none other refused", refused);
	free(out);
	free(copy);
}

/* The fast path and compose agree on a single unscaled full-screen plane. */
static void
test_convert_agrees(void)
{
	struct fb_image fb;
	struct guarded g[2];
	struct plane_state ps;
	uint8_t *a = screen_new(), *b = screen_new();
	char why[160];
	size_t f;

	for (f = 0; f < NREFDESC; f++) {
		make_fb(&fb, g, refdescs[f].fourcc, SW, SH, 12, 0);
		plane_init(&ps, &fb);
		ps.yuv = COMPOSE_YUV_BT709;
		ok(compose_planes(a, STRIDE, SW, SH, &ps, 1, why,
		    sizeof(why)) == 0 && convert_to_xrgb8888(b, STRIDE, &fb, 0,
		    0, SW, SH, COMPOSE_YUV_BT709, COMPOSE_RANGE_LIMITED) == 0 &&
		    memcmp(a, b, STRIDE * SH) == 0,
		    "%s: compose of one plane is convert_to_xrgb8888",
		    refdescs[f].name);
		/* Under a cursor the base is read to 16 bits and back: the
		 * pixels around an empty cursor must not change. */
		free_fb(g);
	}
	free(a);
	free(b);
}

/* Read to 16 bits and back, a base under a transparent plane is itself. */
static void
test_roundtrip(void)
{
	struct fb_image fb[2];
	struct guarded g[2][2];
	struct plane_state ps[2];
	uint8_t *a = screen_new(), *b = screen_new();
	char why[160];
	size_t f;

	make_fb(&fb[1], g[1], DRM_FORMAT_ARGB8888, SW, SH, 0, 0);
	memset(g[1][0].p, 0, fb[1].size[0]);	/* all transparent */
	for (f = 0; f < NREFDESC; f++) {
		make_fb(&fb[0], g[0], refdescs[f].fourcc, SW, SH, 0, 0);
		plane_init(&ps[0], &fb[0]);
		plane_init(&ps[1], &fb[1]);
		ps[1].zpos = 1;
		ok(compose_planes(a, STRIDE, SW, SH, ps, 2, why,
		    sizeof(why)) == 0 && compose_planes(b, STRIDE, SW, SH, ps,
		    1, why, sizeof(why)) == 0 && memcmp(a, b, STRIDE * SH) == 0,
		    "%s under a transparent plane shows as alone",
		    refdescs[f].name);
		free_fb(g[0]);
	}
	free_fb(g[1]);
	free(a);
	free(b);
}

static int
refused(const struct plane_state *ps, size_t n, const char *expect,
    const char *what)
{
	uint8_t *out = screen_new(), *copy = screen_new();
	char why[200];
	int r;

	memset(why, 0, sizeof(why));
	r = compose_planes(out, STRIDE, SW, SH, ps, n, why, sizeof(why));
	ok(r == -1 && strstr(why, expect) != NULL &&
	    memcmp(out, copy, STRIDE * SH) == 0,
	    "%s: refused (%s), screen untouched", what, why);
	free(out);
	free(copy);
	return r;
}

static void
test_refusals(void)
{
	struct fb_image fb, nv;
	struct guarded g[2], gn[2];
	struct plane_state ps, two[2], many[COMPOSE_PLANES_MAX + 1];
	uint8_t *out = screen_new();
	char why[200];
	size_t i;

	make_fb(&fb, g, DRM_FORMAT_XRGB8888, 20, 10, 0, 0);
	make_fb(&nv, gn, DRM_FORMAT_NV12, 20, 10, 0, 0);

	plane_init(&ps, &fb);
	ps.fb.fourcc = DRM_FORMAT_RGB888;
	refused(&ps, 1, "plane 0: unsupported format RG24", "RG24");
	plane_init(&two[0], &fb);
	plane_init(&two[1], &fb);
	two[1].fb.fourcc = DRM_FORMAT_YUYV;
	refused(two, 2, "plane 1: unsupported format YUYV", "YUYV as plane 1");

	plane_init(&ps, &fb);
	ps.src_x = 1;	/* 1/65536 past the right edge */
	refused(&ps, 1, "outside the 20x10 buffer", "source 1/65536 too far");
	plane_init(&ps, &fb);
	ps.src_h = 11 << 16;
	refused(&ps, 1, "outside", "source taller than the buffer");
	plane_init(&ps, &fb);
	ps.src_x = 0xffff0000;
	ps.src_w = 0x20000;
	refused(&ps, 1, "outside", "source x + w overflowing 32 bits");
	plane_init(&ps, &fb);
	ps.src_w = 0;
	refused(&ps, 1, "empty source", "source width 0");
	plane_init(&ps, &fb);
	ps.fb.width = 0;
	refused(&ps, 1, "outside", "buffer of width 0");

	plane_init(&ps, &fb);
	ps.fb.size[0]--;
	refused(&ps, 1, "smaller than", "mapping one byte short");
	plane_init(&ps, &fb);
	ps.src_h = 9 << 16;
	ps.fb.size[0] -= 80;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0,
	    "a mapping short of rows the source rectangle does not use is fine");
	plane_init(&ps, &fb);
	ps.fb.pitch[0] = 0x80000000u;
	refused(&ps, 1, "smaller than", "a pitch of 2 GiB");
	plane_init(&ps, &fb);
	ps.fb.data[0] = NULL;
	refused(&ps, 1, "no memory", "no mapping");
	plane_init(&ps, &nv);
	ps.fb.size[1]--;
	refused(&ps, 1, "CbCr plane", "NV12 CbCr one byte short");
	plane_init(&ps, &nv);
	ps.fb.data[1] = NULL;
	refused(&ps, 1, "CbCr", "NV12 without CbCr");
	plane_init(&ps, &nv);
	ps.yuv = 3;
	refused(&ps, 1, "YUV encoding", "NV12 encoding 3");
	plane_init(&ps, &nv);
	ps.range = 2;
	refused(&ps, 1, "range", "NV12 range 2");
	plane_init(&ps, &fb);
	ps.yuv = 7;
	ps.range = 9;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0,
	    "an RGB plane's YUV fields are not looked at");

	plane_init(&ps, &fb);
	ps.rotation = DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_180;
	refused(&ps, 1, "more than one angle", "two angles");
	plane_init(&ps, &fb);
	ps.rotation = 1u << 6;
	refused(&ps, 1, "unknown rotation", "an unknown rotation bit");
	plane_init(&ps, &fb);
	ps.rotation = 0;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0,
	    "rotation 0 is taken as rotate-0");
	plane_init(&ps, &fb);
	ps.blend = 3;
	refused(&ps, 1, "blend mode", "blend mode 3");

	plane_init(&ps, &fb);
	ps.crtc_w = COMPOSE_CRTC_MAX + 1;
	refused(&ps, 1, "too large", "a CRTC rectangle of 2^24 + 1");
	plane_init(&ps, &fb);
	ps.crtc_x = INT32_MIN;
	ps.crtc_w = COMPOSE_CRTC_MAX;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 0, "a plane far off the left edge: nothing of it");
	plane_init(&ps, &fb);
	ps.crtc_x = INT32_MAX;
	ps.crtc_y = INT32_MAX;
	ps.crtc_w = COMPOSE_CRTC_MAX;
	ps.crtc_h = COMPOSE_CRTC_MAX;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0,
	    "a plane at INT32_MAX: no overflow, nothing of it");
	plane_init(&ps, &fb);
	ps.crtc_x = -(int32_t)COMPOSE_CRTC_MAX + 3;
	ps.crtc_w = COMPOSE_CRTC_MAX;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0,
	    "a 2^24-wide plane ending at x 3 composes");
	plane_init(&ps, &fb);
	ps.crtc_w = 0;
	memset(out, SENTINEL, STRIDE * SH);
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, sizeof(why)) == 0 &&
	    out[0] == 0 && out[(SH - 1) * STRIDE] == 0,
	    "a plane of CRTC width 0 is not drawn: black");

	for (i = 0; i <= COMPOSE_PLANES_MAX; i++)
		plane_init(&many[i], &fb);
	refused(many, COMPOSE_PLANES_MAX + 1, "at most", "33 planes");
	ok(compose_planes(out, STRIDE, SW, SH, many, COMPOSE_PLANES_MAX, why,
	    sizeof(why)) == 0, "32 planes compose");

	plane_init(&ps, &fb);
	ok(compose_planes(out, SW * 4 - 1, SW, SH, &ps, 1, why,
	    sizeof(why)) == -1, "a destination stride below a row is refused");
	ps.fb.fourcc = 0;
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, NULL, 0) == -1,
	    "refused without a place for the reason");
	ok(compose_planes(out, STRIDE, SW, SH, &ps, 1, why, 1) == -1 &&
	    why[0] == '\0', "a reason cut to fit its buffer");
	memset(out, SENTINEL, STRIDE * SH);
	ok(compose_planes(out, STRIDE, SW, SH, NULL, 0, why, sizeof(why)) == 0 &&
	    out[0] == 0 && out[(SH - 1) * STRIDE + (SW - 1) * 4 + 2] == 0 &&
	    padding_intact(out, STRIDE, SW, SH), "no planes: a black screen");
	ok(compose_planes(out, STRIDE, 0, SH, &ps, 1, why, sizeof(why)) == 0,
	    "a screen of width 0: nothing to do");
	free_fb(g);
	free_fb(gn);
	free(out);
}

/* transform_picture against the table of compose.h, and by its laws. */
static void
test_transform(void)
{
	const uint32_t W = 7, H = 5;
	uint32_t src[7 * 5], dst[7 * 5], back[7 * 5], t, x, y, X, Y, dw, bad;
	uint32_t a[7 * 5], b[7 * 5];
	int i;

	for (i = 0; i < (int)(W * H); i++)
		src[i] = 0x010000u * (uint32_t)i + 0x77u;
	for (t = 0; t <= IPC_TRANSFORM_MAX; t++) {
		memset(dst, 0, sizeof(dst));
		transform_picture((uint8_t *)dst, ((t & 1) ? H : W) * 4,
		    (const uint8_t *)src, W * 4, W, H, t);
		dw = (t & 1) ? H : W;
		bad = 0;
		for (y = 0; y < H; y++) {
			for (x = 0; x < W; x++) {
				/* The mirror first, then the turns. */
				uint32_t mx = (t & IPC_TRANSFORM_FLIPPED) ?
				    W - 1 - x : x;

				switch (t & 3) {
				case 0: X = mx; Y = y; break;
				case 1: X = y; Y = W - 1 - mx; break;
				case 2: X = W - 1 - mx; Y = H - 1 - y; break;
				default: X = H - 1 - y; Y = mx; break;
				}
				bad += dst[Y * dw + X] != src[y * W + x];
			}
		}
		ok(bad == 0, "transform %u: every pixel where the table says", t);
	}
	/* Four quarter turns are none; a mirror twice is none. */
	memcpy(a, src, sizeof(a));
	for (i = 0; i < 4; i++) {
		transform_picture((uint8_t *)b, ((i & 1) ? W : H) * 4,
		    (const uint8_t *)a, ((i & 1) ? H : W) * 4, (i & 1) ? H : W,
		    (i & 1) ? W : H, IPC_TRANSFORM_90);
		memcpy(a, b, sizeof(a));
	}
	ok(memcmp(a, src, sizeof(a)) == 0, "four turns of 90 are the picture");
	transform_picture((uint8_t *)dst, W * 4, (const uint8_t *)src, W * 4, W,
	    H, IPC_TRANSFORM_FLIPPED);
	transform_picture((uint8_t *)back, W * 4, (const uint8_t *)dst, W * 4,
	    W, H, IPC_TRANSFORM_FLIPPED);
	ok(memcmp(back, src, sizeof(src)) == 0, "mirrored twice is the picture");
	/* 90 then 270 are none; the top right corner goes top left for 90. */
	transform_picture((uint8_t *)dst, H * 4, (const uint8_t *)src, W * 4, W,
	    H, IPC_TRANSFORM_90);
	ok(dst[0] == src[W - 1], "90: the top right corner is at the top left");
	transform_picture((uint8_t *)back, W * 4, (const uint8_t *)dst, H * 4,
	    H, W, IPC_TRANSFORM_270);
	ok(memcmp(back, src, sizeof(src)) == 0, "270 undoes 90");
	/* FLIPPED_90 is the transpose. */
	transform_picture((uint8_t *)dst, H * 4, (const uint8_t *)src, W * 4, W,
	    H, IPC_TRANSFORM_FLIPPED | IPC_TRANSFORM_90);
	ok(dst[1] == src[W] && dst[H] == src[1], "flipped 90 is the transpose");
	memset(dst, 0xee, sizeof(dst));
	transform_picture((uint8_t *)dst, W * 4, (const uint8_t *)src, W * 4, W,
	    H, IPC_TRANSFORM_MAX + 1);
	ok(dst[0] == 0xeeeeeeee, "an unknown transform copies nothing");

	/* A large picture crosses the tiles of a quarter turn. */
	{
		const uint32_t LW = 301, LH = 77;
		uint32_t *l = malloc(LW * LH * 4), *m = malloc(LW * LH * 4);

		for (i = 0; i < (int)(LW * LH); i++)
			l[i] = (uint32_t)i * 2654435761u;
		transform_picture((uint8_t *)m, LH * 4, (const uint8_t *)l,
		    LW * 4, LW, LH, IPC_TRANSFORM_270);
		bad = 0;
		for (y = 0; y < LH; y++)
			for (x = 0; x < LW; x++)
				bad += m[x * LH + (LH - 1 - y)] != l[y * LW + x];
		ok(bad == 0, "270 of 301x77: (x, y) at (H-1-y, x)");
		free(l);
		free(m);
	}
}

int
main(void)
{
	test_orientation_by_hand();
	test_scaling_by_hand();
	test_geometry();
	test_fractional();
	test_zpos();
	test_blend_by_hand();
	test_blend();
	test_vkms_exact();
	test_random();
	test_convert_agrees();
	test_roundtrip();
	test_refusals();
	test_transform();
	return done_testing();
}
