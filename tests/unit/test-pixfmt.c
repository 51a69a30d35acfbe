/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/pixfmt.h"
#include "tests/tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static struct pixfmt
fmt(uint8_t bpp, uint8_t depth, uint8_t be, uint8_t tc, uint16_t rm,
    uint16_t gm, uint16_t bm, uint8_t rs, uint8_t gs, uint8_t bs)
{
	struct pixfmt pf = {
		.bpp = bpp, .depth = depth, .big_endian = be, .true_colour = tc,
		.red_max = rm, .green_max = gm, .blue_max = bm,
		.red_shift = rs, .green_shift = gs, .blue_shift = bs,
	};

	return pf;
}

struct named {
	const char	*name;
	struct pixfmt	pf;
};

/*
 * The expected pixel of one source pixel, from the definition alone: each
 * channel rounded to its maximum at its shift, and every bit of the pixel
 * that is in no channel set.  A colour-map pixel is an index of 3-3-2,
 * all 8 bits of it.
 */
static uint32_t
reference(const struct pixfmt *pf, uint8_t r, uint8_t g, uint8_t b)
{
	uint32_t bit, pad = 0;
	int i;

	if (!pf->true_colour)
		return (uint32_t)((r * 7 + 127) / 255) |
		    (uint32_t)((g * 7 + 127) / 255) << 3 |
		    (uint32_t)((b * 3 + 127) / 255) << 6;
	for (i = 0; i < pf->bpp; i++) {
		bit = (uint32_t)1 << i;
		if (!(bit & (uint32_t)pf->red_max << pf->red_shift) &&
		    !(bit & (uint32_t)pf->green_max << pf->green_shift) &&
		    !(bit & (uint32_t)pf->blue_max << pf->blue_shift))
			pad |= bit;
	}
	return (uint32_t)((r * pf->red_max + 127) / 255) << pf->red_shift |
	    (uint32_t)((g * pf->green_max + 127) / 255) << pf->green_shift |
	    (uint32_t)((b * pf->blue_max + 127) / 255) << pf->blue_shift | pad;
}

static uint32_t
read_pixel(const struct pixfmt *pf, const uint8_t *p)
{
	uint32_t v = 0;
	int i, n = pf->bpp / 8;

	for (i = 0; i < n; i++) {
		if (pf->big_endian)
			v = v << 8 | p[i];
		else
			v |= (uint32_t)p[i] << (8 * i);
	}
	return v;
}

static void
test_conversion(const struct named *f)
{
	enum { W = 53, H = 31, STRIDE = W * 4 + 20, RW = 37, RH = 19 };
	uint8_t *src, *dst;
	struct pixconv pc;
	const uint8_t *s;
	uint32_t x, y, x0 = 7, y0 = 5, bad = 0, want, got, bpp;
	size_t i;

	src = malloc(STRIDE * H);
	bpp = f->pf.bpp / 8;
	dst = malloc(RW * RH * bpp + 1);
	if (src == NULL || dst == NULL)
		abort();
	for (i = 0; i < (size_t)STRIDE * H; i++)
		src[i] = rnd() & 0xff;
	/* The extremes of every channel are among the pixels. */
	memset(src + y0 * STRIDE + x0 * 4, 0xff, 4);
	memset(src + y0 * STRIDE + (x0 + 1) * 4, 0x00, 4);
	dst[RW * RH * bpp] = 0xa5;
	pixconv_init(&pc, &f->pf);
	pixconv_rect(&pc, dst, src + y0 * STRIDE + x0 * 4, STRIDE, RW, RH);
	for (y = 0; y < RH; y++) {
		for (x = 0; x < RW; x++) {
			s = src + (y0 + y) * STRIDE + (x0 + x) * 4;
			got = read_pixel(&f->pf, dst + (y * RW + x) * bpp);
			want = reference(&f->pf, s[2], s[1], s[0]);
			if (got != want && bad++ == 0)
				diag("%s: pixel %u,%u: got %#x want %#x",
				    f->name, x, y, got, want);
		}
	}
	ok(bad == 0, "%s: %u x %u pixels converted as defined", f->name,
	    RW, RH);
	ok(dst[RW * RH * bpp] == 0xa5, "%s: nothing written past the rect",
	    f->name);
	free(src);
	free(dst);
}

static void
hex(const uint8_t *p, size_t n, char out[16])
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 3 * i, 4, "%02x%s", p[i], i + 1 < n ? " " : "");
}

/*
 * The bytes on the wire for a few pixels, written out by hand: the bits in
 * no channel are 1 (a viewer that takes the fourth byte of a 32-bit pixel
 * for alpha must see it opaque), whatever the source's fourth byte held;
 * a colour-map index has no such bits.
 */
static void
test_padding(void)
{
	static const struct {
		const char	*name;
		struct pixfmt	 pf;
		uint8_t		 r, g, b, x;
		uint8_t		 want[4];
	} cases[] = {
		{ "native, black", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 0 },
		    0, 0, 0, 0x00, { 0x00, 0x00, 0x00, 0xff } },
		{ "native, a stray X byte", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 0 },
		    0x12, 0x34, 0x56, 0x5a, { 0x56, 0x34, 0x12, 0xff } },
		{ "noVNC's RGBX", { 32, 24, 0, 1, 255, 255, 255, 0, 8, 16 },
		    0x12, 0x34, 0x56, 0x00, { 0x12, 0x34, 0x56, 0xff } },
		{ "32bpp big endian", { 32, 24, 1, 1, 255, 255, 255, 16, 8, 0 },
		    0x12, 0x34, 0x56, 0x00, { 0xff, 0x12, 0x34, 0x56 } },
		{ "32bpp big endian, native bytes",
		    { 32, 24, 1, 1, 255, 255, 255, 8, 16, 24 },
		    0x12, 0x34, 0x56, 0x00, { 0x56, 0x34, 0x12, 0xff } },
		{ "32bpp big endian, odd shifts",
		    { 32, 24, 1, 1, 255, 255, 255, 20, 10, 0 },
		    0, 0, 0, 0x00, { 0xf0, 0x0c, 0x03, 0x00 } },
		{ "32bpp 10-bit", { 32, 30, 0, 1, 1023, 1023, 1023, 20, 10, 0 },
		    0, 0, 0, 0x00, { 0x00, 0x00, 0x00, 0xc0 } },
		{ "16bpp 555", { 16, 15, 0, 1, 31, 31, 31, 10, 5, 0 },
		    0, 0, 0, 0x00, { 0x00, 0x80 } },
		{ "16bpp 555 big endian", { 16, 15, 1, 1, 31, 31, 31, 10, 5, 0 },
		    0, 0, 0xff, 0x00, { 0x80, 0x1f } },
		{ "16bpp 565, no spare bit", { 16, 16, 0, 1, 31, 63, 31, 11, 5, 0 },
		    0, 0, 0, 0x00, { 0x00, 0x00 } },
		{ "8bpp rgb111", { 8, 3, 0, 1, 1, 1, 1, 2, 1, 0 },
		    0xff, 0, 0, 0x00, { 0xfc } },
		{ "8bpp bgr233, no spare bit", { 8, 8, 0, 1, 7, 7, 3, 0, 3, 6 },
		    0, 0, 0, 0xff, { 0x00 } },
		{ "8bpp colour map, black", { 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 },
		    0, 0, 0, 0xff, { 0x00 } },
		{ "8bpp colour map, red", { 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 },
		    0xff, 0, 0, 0xff, { 0x07 } },
	};
	enum { PW = 5, PH = 3 };
	uint8_t src[PW * PH * 4], dst[PW * PH * 4], want[PW * PH * 4];
	char w[16];
	struct pixconv pc;
	size_t i, n;
	int bad;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t px[4] = { cases[i].b, cases[i].g, cases[i].r,
		    cases[i].x };

		n = cases[i].pf.bpp / 8;
		/* A packed source (stride w * 4) of 5 x 3 such pixels: one
		 * long row where the paths can, and tails of odd length. */
		for (bad = 0; bad < PW * PH; bad++)
			memcpy(src + 4 * bad, px, 4);
		pixconv_init(&pc, &cases[i].pf);
		memset(dst, 0x11, sizeof(dst));
		pixconv_rect(&pc, dst, src, PW * 4, PW, PH);
		for (bad = 0; bad < PW * PH; bad++)
			memcpy(want + n * bad, cases[i].want, n);
		hex(cases[i].want, n, w);
		ok(memcmp(dst, want, n * PW * PH) == 0,
		    "%s: rgb %02x%02x%02x (X byte %02x) is sent as %s",
		    cases[i].name, cases[i].r, cases[i].g, cases[i].b,
		    cases[i].x, w);
		for (bad = 0; bad < PW * PH; bad++)
			if (memcmp(dst + n * bad, cases[i].want, n) != 0) {
				hex(dst + n * bad, n, w);
				diag("pixel %d is %s", bad, w);
				break;
			}
	}
}

static void
test_wire(void)
{
	struct pixfmt pf = fmt(16, 16, 1, 1, 31, 63, 31, 11, 5, 0), back;
	const uint8_t want[16] = { 16, 16, 1, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0,
	    0, 0, 0 };
	uint8_t wire[16], odd[16];

	pixfmt_to_wire(&pf, wire);
	ok(memcmp(wire, want, 16) == 0, "to_wire gives the RFB byte layout");
	pixfmt_from_wire(&back, wire);
	ok(pixfmt_equal(&pf, &back), "from_wire(to_wire(pf)) == pf");
	memcpy(odd, want, 16);
	odd[4] = 0x12;
	odd[5] = 0x34;
	odd[2] = 7;
	odd[13] = 0xff;
	pixfmt_from_wire(&back, odd);
	ok(back.red_max == 0x1234 && back.big_endian == 1,
	    "from_wire reads maxima big endian and flags as booleans");
}

static void
test_colour_map(void)
{
	uint16_t map[256][3];
	unsigned int i, bad = 0;

	pixfmt_colour_map(map);
	for (i = 0; i < 256; i++) {
		if (map[i][0] != (i & 7) * 65535 / 7 ||
		    map[i][1] != ((i >> 3) & 7) * 65535 / 7 ||
		    map[i][2] != (i >> 6) * 65535 / 3)
			bad++;
	}
	ok(bad == 0, "colour map is 3-3-2: red bits 0-2, green 3-5, blue 6-7");
	ok(map[255][0] == 65535 && map[255][1] == 65535 &&
	    map[255][2] == 65535 && map[0][0] == 0, "colour map spans 0..65535");
}

int
main(void)
{
	static const struct named good[] = {
		{ "native", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 0 } },
		{ "32bpp BGR", { 32, 24, 0, 1, 255, 255, 255, 0, 8, 16 } },
		{ "32bpp big endian", { 32, 24, 1, 1, 255, 255, 255, 16, 8, 0 } },
		{ "32bpp big endian, native bytes",
		    { 32, 24, 1, 1, 255, 255, 255, 8, 16, 24 } },
		{ "32bpp 10-bit", { 32, 30, 0, 1, 1023, 1023, 1023, 20, 10, 0 } },
		{ "32bpp odd shifts", { 32, 24, 0, 1, 255, 255, 255, 1, 9, 17 } },
		{ "32bpp big endian, odd shifts",
		    { 32, 24, 1, 1, 255, 255, 255, 20, 10, 0 } },
		{ "32bpp big endian BGR", { 32, 24, 1, 1, 255, 255, 255, 0, 8, 16 } },
		{ "16bpp 565", { 16, 16, 0, 1, 31, 63, 31, 11, 5, 0 } },
		{ "16bpp 565 big endian", { 16, 16, 1, 1, 31, 63, 31, 11, 5, 0 } },
		{ "16bpp 555", { 16, 15, 0, 1, 31, 31, 31, 10, 5, 0 } },
		{ "8bpp bgr233", { 8, 8, 0, 1, 7, 7, 3, 0, 3, 6 } },
		{ "8bpp rgb111", { 8, 3, 0, 1, 1, 1, 1, 2, 1, 0 } },
		{ "8bpp colour map", { 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 } },
	};
	static const struct named bad[] = {
		{ "24 bpp", { 24, 24, 0, 1, 255, 255, 255, 16, 8, 0 } },
		{ "0 bpp", { 0, 0, 0, 1, 1, 1, 1, 0, 0, 0 } },
		{ "depth 0", { 32, 0, 0, 1, 255, 255, 255, 16, 8, 0 } },
		{ "depth above bpp", { 16, 24, 0, 1, 31, 63, 31, 11, 5, 0 } },
		{ "red max 0", { 32, 24, 0, 1, 0, 255, 255, 16, 8, 0 } },
		{ "blue max 0", { 32, 24, 0, 1, 255, 255, 0, 16, 8, 0 } },
		{ "green max 200", { 32, 24, 0, 1, 255, 200, 255, 16, 8, 0 } },
		{ "red max 0x8000", { 32, 24, 0, 1, 0x8000, 255, 255, 16, 8, 0 } },
		{ "red beyond 16 bits", { 16, 16, 0, 1, 31, 63, 31, 12, 5, 0 } },
		{ "shift 40", { 32, 24, 0, 1, 255, 255, 255, 40, 8, 0 } },
		{ "shift 255", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 255 } },
		{ "max 65535 at 8 bpp", { 8, 8, 0, 1, 65535, 1, 1, 0, 0, 0 } },
		{ "overlap red/green", { 32, 24, 0, 1, 255, 255, 255, 12, 8, 0 } },
		{ "overlap green/blue", { 16, 16, 0, 1, 31, 63, 31, 11, 4, 0 } },
		{ "same shift", { 32, 24, 0, 1, 255, 255, 255, 0, 0, 0 } },
		{ "colour map at 16 bpp", { 16, 16, 0, 0, 0, 0, 0, 0, 0, 0 } },
		{ "colour map at 32 bpp", { 32, 24, 0, 0, 255, 255, 255, 16, 8, 0 } },
	};
	struct pixconv pc;
	const char *why;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = NULL;
		rc = pixfmt_validate(&good[i].pf, &why);
		ok(rc == 0, "accept %s%s%s", good[i].name, why ? ": " : "",
		    why ? why : "");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		rc = pixfmt_validate(&bad[i].pf, &why);
		ok(rc == -1 && why != NULL, "reject %s (%s)", bad[i].name,
		    why ? why : "no reason");
	}
	ok(pixfmt_equal(&pixfmt_native, &good[0].pf), "native is 32/24 RGB");
	ok(!pixfmt_equal(&good[0].pf, &good[1].pf), "native != BGR");

	pixconv_init(&pc, &pixfmt_native);
	ok(pc.identity, "native converts as a copy");
	pixconv_init(&pc, &good[3].pf);
	ok(pc.identity, "big endian with the same bytes converts as a copy");
	pixconv_init(&pc, &good[1].pf);
	ok(!pc.identity, "BGR does not convert as a copy");
	pixconv_init(&pc, &good[2].pf);
	ok(!pc.identity, "big endian RGB does not convert as a copy");

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		test_conversion(&good[i]);
	test_padding();
	test_wire();
	test_colour_map();
	return done_testing();
}
