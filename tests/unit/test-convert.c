/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * convert_to_xrgb8888(): every format against the reference reading of
 * tests/unit/fbref.h, whole buffers and rectangles inside them, and the
 * refusals; buffers end at an inaccessible page, so that a read past
 * fb.size faults in any build.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>

#include "capture/compose.h"
#include "tests/unit/fbref.h"
#include "tests/tap.h"

#define SENTINEL	0xa5

/* Compare the (x, y, w, h) of fb converted at out (stride) with the
 * reference; count pixels off by one and by more, and X bytes not 0. */
static void
compare(const struct fb_image *fb, uint32_t x, uint32_t y, uint32_t w,
    uint32_t h, const uint8_t *out, size_t stride, uint32_t enc,
    uint32_t range, unsigned int *off1, unsigned int *worse,
    unsigned int *xbyte)
{
	struct refpx rp;
	const uint8_t *o;
	uint32_t i, j;
	int d[3], k;

	*off1 = *worse = *xbyte = 0;
	for (j = 0; j < h; j++) {
		for (i = 0; i < w; i++) {
			ref_pixel(fb, x + i, y + j, enc, range, &rp);
			o = out + (size_t)j * stride + (size_t)i * 4;
			d[0] = o[2] - ref_8(rp.r);
			d[1] = o[1] - ref_8(rp.g);
			d[2] = o[0] - ref_8(rp.b);
			for (k = 0; k < 3; k++) {
				if (abs(d[k]) == 1)
					(*off1)++;
				else if (d[k] != 0) {
					if (*worse == 0)
						diag("(%u,%u) channel %d: %d "
						    "off", x + i, y + j, k,
						    d[k]);
					(*worse)++;
				}
			}
			*xbyte += o[3] != 0;
		}
	}
}

/* Bytes of out beyond w pixels of each row, up to stride, still SENTINEL. */
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

static void
test_supported(void)
{
	size_t i;

	for (i = 0; i < NREFDESC; i++)
		ok(compose_format_supported(refdescs[i].fourcc),
		    "%s is supported", refdescs[i].name);
	ok(!compose_format_supported(DRM_FORMAT_RGB888), "RG24 is not");
	ok(!compose_format_supported(DRM_FORMAT_YUYV), "YUYV is not");
	ok(!compose_format_supported(DRM_FORMAT_XRGB16161616F), "XR4H is not");
	ok(!compose_format_supported(0), "fourcc 0 is not");
}

/* Whole buffers and a rectangle at an odd place, every RGB format: exact. */
static void
test_rgb_formats(void)
{
	struct fb_image fb;
	struct guarded g[2];
	const uint32_t W = 37, H = 11;
	size_t stride = W * 4 + 20, i;
	unsigned int off1, worse, xb;
	uint8_t *out;

	out = malloc(stride * H);
	for (i = 0; i < NREFDESC; i++) {
		const struct refdesc *d = &refdescs[i];

		if (d->fourcc == DRM_FORMAT_NV12)
			continue;
		make_fb(&fb, g, d->fourcc, W, H, 12, 0);
		memset(out, SENTINEL, stride * H);
		ok(convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 0, 0) == 0,
		    "%s %ux%u converts", d->name, W, H);
		compare(&fb, 0, 0, W, H, out, stride, 0, 0, &off1, &worse,
		    &xb);
		ok(off1 == 0 && worse == 0, "%s: every pixel as the reference "
		    "(%u off by one, %u worse)", d->name, off1, worse);
		ok(xb == 0, "%s: X byte 0 everywhere", d->name);
		ok(padding_intact(out, stride, W, H),
		    "%s: nothing written past a row", d->name);

		memset(out, SENTINEL, stride * H);
		ok(convert_to_xrgb8888(out, stride, &fb, 3, 1, 20, 7, 0, 0) == 0,
		    "%s rectangle (3,1) 20x7 converts", d->name);
		compare(&fb, 3, 1, 20, 7, out, stride, 0, 0, &off1, &worse,
		    &xb);
		ok(off1 == 0 && worse == 0 && xb == 0 &&
		    padding_intact(out, stride, 20, 7) &&
		    out[stride * 7] == SENTINEL,
		    "%s rectangle: as the reference, nothing else written",
		    d->name);

		/* The last pixel of the mapping, the page after it inaccessible. */
		ok(convert_to_xrgb8888(out, stride, &fb, W - 1, H - 1, 1, 1, 0,
		    0) == 0, "%s: the last mapped pixel reads", d->name);
		compare(&fb, W - 1, H - 1, 1, 1, out, stride, 0, 0, &off1,
		    &worse, &xb);
		ok(off1 == 0 && worse == 0, "%s: and is right", d->name);
		free_fb(g);
	}
	free(out);
}

/* Every code of RGB565, and the edges of the 10-bit formats. */
static void
test_all_codes(void)
{
	struct fb_image fb;
	struct guarded g[2];
	unsigned int off1, worse, xb;
	uint8_t *out, *p;
	uint32_t v, i;
	static const uint32_t c10[] = { 0, 1, 2, 511, 512, 513, 1021, 1022,
	    1023, 0x155, 0x2aa };
	size_t k, n = sizeof(c10) / sizeof(c10[0]);
	uint8_t want[4];

	make_fb(&fb, g, DRM_FORMAT_RGB565, 256, 256, 0, 0);
	for (v = 0; v < 65536; v++) {
		g[0].p[v * 2] = (uint8_t)v;
		g[0].p[v * 2 + 1] = (uint8_t)(v >> 8);
	}
	out = malloc(256 * 256 * 4);
	ok(convert_to_xrgb8888(out, 1024, &fb, 0, 0, 256, 256, 0, 0) == 0,
	    "RG16: all 65536 codes convert");
	compare(&fb, 0, 0, 256, 256, out, 1024, 0, 0, &off1, &worse, &xb);
	ok(off1 == 0 && worse == 0, "RG16: every code round(c * 255 / max) "
	    "(%u off by one, %u worse)", off1, worse);
	/* Known values: white, the top of each field, one step of each. */
	memcpy(want, out + 0xffff * 4, 4);
	ok(want[0] == 255 && want[1] == 255 && want[2] == 255,
	    "RG16 0xffff is white");
	ok(out[0xf800 * 4 + 2] == 255 && out[0x07e0 * 4 + 1] == 255 &&
	    out[0x001f * 4] == 255, "RG16: each full field is 255");
	ok(out[0x0800 * 4 + 2] == 8 && out[0x0020 * 4 + 1] == 4 &&
	    out[0x0001 * 4] == 8, "RG16: one step is 8, 4, 8 (255/31, "
	    "255/63 rounded)");
	free_fb(g);

	make_fb(&fb, g, DRM_FORMAT_XRGB2101010, n, n, 0, 0);
	for (i = 0; i < n * n; i++) {
		v = c10[i % n] << 20 | c10[i / n] << 10 | c10[(i + 3) % n];
		p = g[0].p + i * 4;
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
	ok(convert_to_xrgb8888(out, n * 4, &fb, 0, 0, n, n, 0, 0) == 0,
	    "XR30: edge codes convert");
	compare(&fb, 0, 0, n, n, out, n * 4, 0, 0, &off1, &worse, &xb);
	ok(off1 == 0 && worse == 0, "XR30: edge codes as the reference");
	for (k = 0; k < n; k++)
		if (c10[k] == 512)
			break;
	/* Row 0 column k: R = 512 -> 512 * 255 / 1023 = 127.6 -> 128. */
	ok(out[k * 4 + 2] == 128, "XR30: R 512 is 128 (got %u)",
	    out[k * 4 + 2]);
	free_fb(g);
	free(out);
}

static void
nv12_set(struct fb_image *fb, struct guarded g[2], uint8_t y, uint8_t cb,
    uint8_t cr)
{
	memset(g[0].p, y, fb->size[0]);
	for (size_t i = 0; i + 1 < fb->size[1]; i += 2) {
		g[1].p[i] = cb;
		g[1].p[i + 1] = cr;
	}
}

static void
test_nv12(void)
{
	static const char *const encs[] = { "BT.601", "BT.709", "BT.2020" };
	static const char *const ranges[] = { "limited", "full" };
	struct fb_image fb;
	struct guarded g[2];
	const uint32_t W = 33, H = 15;
	size_t stride = W * 4 + 8;
	unsigned int off1, worse, xb;
	uint32_t enc, range;
	uint8_t *out = malloc(stride * H);

	make_fb(&fb, g, DRM_FORMAT_NV12, W, H, 6, 0);
	for (enc = 0; enc < 3; enc++) {
		for (range = 0; range < 2; range++) {
			memset(out, SENTINEL, stride * H);
			ok(convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H,
			    enc, range) == 0, "NV12 %s %s %ux%u converts",
			    encs[enc], ranges[range], W, H);
			compare(&fb, 0, 0, W, H, out, stride, enc, range,
			    &off1, &worse, &xb);
			ok(worse == 0 && xb == 0, "NV12 %s %s: within one of "
			    "the reference (%u channels off by one of %u)",
			    encs[enc], ranges[range], off1, W * H * 3);
			ok(off1 * 50 < W * H * 3, "NV12 %s %s: fewer than 2%% "
			    "off by one", encs[enc], ranges[range]);
			ok(padding_intact(out, stride, W, H),
			    "NV12: nothing written past a row");
			/* An odd column and row: the chroma of the pair. */
			ok(convert_to_xrgb8888(out, stride, &fb, 5, 3, 21, 11,
			    enc, range) == 0, "NV12 rectangle at (5,3) converts");
			compare(&fb, 5, 3, 21, 11, out, stride, enc, range,
			    &off1, &worse, &xb);
			ok(worse == 0, "NV12 %s %s (5,3) 21x11: within one",
			    encs[enc], ranges[range]);
		}
	}

	/* Known values, exact: black and white of each range, mid grey. */
	nv12_set(&fb, g, 16, 128, 128);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 0, 0);
	ok(out[0] == 0 && out[1] == 0 && out[2] == 0, "limited Y 16 is black");
	nv12_set(&fb, g, 235, 128, 128);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 1, 0);
	ok(out[0] == 255 && out[1] == 255 && out[2] == 255,
	    "limited Y 235 is white");
	nv12_set(&fb, g, 5, 128, 128);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 0, 0);
	ok(out[0] == 0 && out[1] == 0 && out[2] == 0,
	    "limited Y 5 (below black) clamps to black");
	nv12_set(&fb, g, 255, 128, 128);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 2, 1);
	ok(out[0] == 255 && out[1] == 255 && out[2] == 255,
	    "full Y 255 is white");
	nv12_set(&fb, g, 126, 128, 128);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 0, 0);
	/* (126 - 16) / 219 * 255 = 128.08 */
	ok(out[0] == 128 && out[1] == 128 && out[2] == 128,
	    "limited Y 126 is grey 128");
	/* BT.601 limited red: Y 81, Cb 90, Cr 240 encodes (255, 0, 0). */
	nv12_set(&fb, g, 81, 90, 240);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 0, 0);
	ok(out[2] >= 253 && out[1] <= 2 && out[0] <= 2,
	    "BT.601 limited (81, 90, 240) is red (%u, %u, %u)", out[2],
	    out[1], out[0]);
	/* BT.709 limited red: Y 63, Cb 102, Cr 240. */
	nv12_set(&fb, g, 63, 102, 240);
	convert_to_xrgb8888(out, stride, &fb, 0, 0, W, H, 1, 0);
	ok(out[2] >= 253 && out[1] <= 2 && out[0] <= 2,
	    "BT.709 limited (63, 102, 240) is red (%u, %u, %u)", out[2],
	    out[1], out[0]);
	free_fb(g);
	free(out);
}

static void
test_refusals(void)
{
	struct fb_image fb, bad;
	struct guarded g[2];
	uint8_t out[64 * 4 * 4];

	make_fb(&fb, g, DRM_FORMAT_XRGB8888, 16, 4, 0, 0);
	bad = fb;
	bad.fourcc = DRM_FORMAT_RGB888;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "unsupported fourcc refused");
	ok(convert_to_xrgb8888(out, 64, &fb, 1, 0, 16, 4, 0, 0) == -1,
	    "rectangle past the right edge refused");
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 4, 16, 1, 0, 0) == -1,
	    "rectangle below the buffer refused");
	ok(convert_to_xrgb8888(out, 64, &fb, 0xffffffff, 0, 2, 1, 0, 0) == -1,
	    "x + w overflowing 32 bits refused");
	bad = fb;
	bad.size[0]--;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "a mapping one byte short refused");
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 3, 0, 0) == 0,
	    "rows it holds still convert");
	bad = fb;
	bad.pitch[0] = 1u << 31;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "a huge pitch refused");
	bad = fb;
	bad.data[0] = NULL;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "no mapping refused");
	ok(convert_to_xrgb8888(out, 60, &fb, 0, 0, 16, 4, 0, 0) == -1,
	    "destination stride below a row refused");
	memset(out, SENTINEL, sizeof(out));
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 0, 0, 4, 0, 0) == 0 &&
	    out[0] == SENTINEL, "an empty rectangle converts nothing");
	free_fb(g);

	make_fb(&fb, g, DRM_FORMAT_NV12, 16, 4, 0, 0);
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 0, 16, 4, 0, 0) == 0,
	    "NV12 16x4 converts");
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 0, 16, 4, 3, 0) == -1,
	    "NV12 with an unknown encoding refused");
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 0, 16, 4, 0, 2) == -1,
	    "NV12 with an unknown range refused");
	bad = fb;
	bad.size[1]--;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "NV12 with a CbCr plane one byte short refused");
	bad = fb;
	bad.data[1] = NULL;
	ok(convert_to_xrgb8888(out, 64, &bad, 0, 0, 16, 4, 0, 0) == -1,
	    "NV12 without a CbCr plane refused");
	free_fb(g);

	/* Odd NV12: 15x5 has 8x3 chroma samples; the last column reads
	 * the last pair, nothing past it. */
	make_fb(&fb, g, DRM_FORMAT_NV12, 15, 5, 0, 0);
	ok(convert_to_xrgb8888(out, 64, &fb, 0, 0, 15, 5, 0, 0) == 0,
	    "NV12 15x5 (odd) converts inside its mapping");
	free_fb(g);
}

int
main(void)
{
	test_supported();
	test_rgb_formats();
	test_all_codes();
	test_nv12();
	test_refusals();
	return done_testing();
}
