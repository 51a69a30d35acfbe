/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * copyout: the copy is the source, pixel for pixel and nothing more; the
 * map marks exactly the tiles that differ from the frame copied before,
 * as a plain comparison of the two frames finds them; copyout_changed
 * counts the same without changing anything.  Each for the path this CPU
 * takes and for the portable one, with aligned and unaligned buffers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/copyout.h"
#include "common/tiles.h"
#include "tests/tap.h"

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t
rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

/* A frame in memory of its own, at an offset from 64-byte alignment. */
struct buf {
	uint8_t		*mem, *p;
	uint32_t	width, height;
	size_t		stride;
};

static void
buf_init(struct buf *b, uint32_t width, uint32_t height, size_t stride,
    size_t misalign)
{
	b->width = width;
	b->height = height;
	b->stride = stride;
	/* C11: the size a multiple of the alignment. */
	if ((b->mem = aligned_alloc(64, (stride * height + 128 + 63) &
	    ~(size_t)63)) == NULL)
		bail("out of memory");
	b->p = b->mem + misalign;
}

static uint32_t
px(const struct buf *b, uint32_t x, uint32_t y)
{
	uint32_t v;

	memcpy(&v, b->p + y * b->stride + x * 4, 4);
	return v;
}

static void
set_px(struct buf *b, uint32_t x, uint32_t y, uint32_t v)
{
	memcpy(b->p + y * b->stride + x * 4, &v, 4);
}

static void
fill(struct buf *b)
{
	for (uint32_t y = 0; y < b->height; y++)
		for (uint32_t x = 0; x < b->width; x++)
			set_px(b, x, y, x * 2654435761u ^ y * 40503u ^ 0x5a);
}

/* Rows equal, the padding of dst left as it was (0xee). */
static int
copied(const struct buf *dst, const struct buf *src)
{
	size_t row = (size_t)src->width * 4;

	for (uint32_t y = 0; y < src->height; y++) {
		const uint8_t *d = dst->p + y * dst->stride;

		if (memcmp(d, src->p + y * src->stride, row) != 0)
			return 0;
		for (size_t i = row; i < dst->stride; i++)
			if (d[i] != 0xee)
				return 0;
	}
	return 1;
}

/* What the map must be: tiles where a and b differ, by plain compare. */
static size_t
truth(const struct buf *a, const struct buf *b, uint8_t *want)
{
	uint32_t cols = tiles_cols(a->width);
	size_t n = 0;

	memset(want, 0, tiles_map_size(a->width, a->height));
	for (uint32_t y = 0; y < a->height; y++)
		for (uint32_t x = 0; x < a->width; x++)
			if (px(a, x, y) != px(b, x, y)) {
				uint8_t *t = &want[(y / TILE_SIDE) * cols +
				    x / TILE_SIDE];

				n += *t == 0;
				*t = 1;
			}
	return n;
}

struct geometry {
	uint32_t	width, height;
	size_t		src_pad, dst_pad;	/* bytes after each row */
	size_t		src_mis, dst_mis;	/* bytes off 64-alignment */
};

static const struct geometry geometries[] = {
	{ 1, 1, 0, 0, 0, 0 },
	{ 3, 5, 4, 12, 0, 0 },
	{ 64, 64, 0, 0, 0, 0 },
	{ 65, 3, 0, 0, 0, 0 },
	{ 67, 70, 20, 4, 4, 0 },	/* src not 16-byte aligned */
	{ 130, 129, 56, 0, 0, 8 },	/* dst not 16-byte aligned */
	{ 200, 130, 0, 0, 0, 0 },
	{ 1366, 68, 8, 40, 0, 0 },	/* 5464-byte rows */
};

/*
 * One geometry with one kind of copyout: changes of many shapes, each
 * copied, the map checked against the truth.
 */
static void
run_geometry(const struct geometry *g, int portable)
{
	const char *kind = portable ? "portable" : "this CPU's";
	struct buf src, prev, dst;
	size_t size = tiles_map_size(g->width, g->height), n, want_n;
	uint8_t *map = malloc(size), *want = malloc(size);
	struct copyout *co;
	int bad_map = 0, bad_copy = 0, bad_changed = 0, rounds = 60;

	buf_init(&src, g->width, g->height, g->width * 4 + g->src_pad,
	    g->src_mis);
	buf_init(&prev, g->width, g->height, g->width * 4, 0);
	buf_init(&dst, g->width, g->height, g->width * 4 + g->dst_pad,
	    g->dst_mis);
	memset(dst.mem, 0xee, dst.stride * dst.height + 128);
	fill(&src);
	co = portable ? copyout_new_portable(g->width, g->height) :
	    copyout_new(g->width, g->height);
	if (co == NULL || map == NULL || want == NULL)
		bail("copyout_new %ux%u", g->width, g->height);

	ok(copyout_changed(co, src.p, src.stride) == size,
	    "%s %ux%u: before any copy every tile differs", kind, g->width,
	    g->height);
	memset(map, 7, size);
	n = copyout_copy(co, dst.p, dst.stride, src.p, src.stride, map);
	ok(n == size && memchr(map, 0, size) == NULL &&
	    memchr(map, 7, size) == NULL && copied(&dst, &src),
	    "%s %ux%u: the first copy is the source and marks all %zu tiles",
	    kind, g->width, g->height, size);
	n = copyout_copy(co, dst.p, dst.stride, src.p, src.stride, map);
	ok(n == 0 && memchr(map, 1, size) == NULL &&
	    copyout_changed(co, src.p, src.stride) == 0,
	    "%s %ux%u: the same frame again marks none", kind, g->width,
	    g->height);

	for (int r = 0; r < rounds; r++) {
		uint32_t shape = (uint32_t)r % 5, k, x, y, w, h;

		for (y = 0; y < g->height; y++)
			memcpy(prev.p + y * prev.stride, src.p + y * src.stride,
			    (size_t)g->width * 4);
		switch (shape) {
		case 0:		/* one bit of one pixel */
			x = rnd() % g->width;
			y = rnd() % g->height;
			set_px(&src, x, y, px(&src, x, y) ^ 1u << rnd() % 32);
			break;
		case 1:		/* 2 to 4 pixels side by side */
			k = 2 + rnd() % 3;
			x = rnd() % g->width;
			y = rnd() % g->height;
			for (; k > 0 && x < g->width; k--, x++)
				set_px(&src, x, y, rnd());
			break;
		case 2:		/* a rectangle of one new colour */
			x = rnd() % g->width;
			y = rnd() % g->height;
			w = 1 + rnd() % (g->width - x);
			h = 1 + rnd() % (g->height - y);
			k = rnd();
			for (uint32_t j = y; j < y + h; j++)
				for (uint32_t i = x; i < x + w; i++)
					set_px(&src, i, j, k);
			break;
		case 3:		/* pixels here and there */
			for (k = 0; k < 1 + rnd() % 8; k++)
				set_px(&src, rnd() % g->width,
				    rnd() % g->height, rnd());
			break;
		default:	/* nothing */
			break;
		}
		want_n = truth(&prev, &src, want);
		if (copyout_changed(co, src.p, src.stride) != want_n ||
		    copyout_changed(co, src.p, src.stride) != want_n)
			bad_changed++;
		memset(map, 7, size);
		n = copyout_copy(co, dst.p, dst.stride, src.p, src.stride,
		    map);
		if (n != want_n || memcmp(map, want, size) != 0)
			bad_map++;
		if (!copied(&dst, &src))
			bad_copy++;
	}
	ok(bad_map == 0, "%s %ux%u: %d changes of every shape, each map "
	    "exactly the tiles that differ (%d wrong)", kind, g->width,
	    g->height, rounds, bad_map);
	ok(bad_changed == 0, "%s %ux%u: copyout_changed counts them first, "
	    "twice the same: it changes nothing (%d wrong)", kind, g->width,
	    g->height, bad_changed);
	ok(bad_copy == 0, "%s %ux%u: every copy is the source, padding "
	    "untouched (%d wrong)", kind, g->width, g->height, bad_copy);

	/* Without a map: counted, and still the frame the next is against. */
	set_px(&src, g->width - 1, g->height - 1, px(&src, g->width - 1,
	    g->height - 1) ^ 0x10101);
	n = copyout_copy(co, dst.p, dst.stride, src.p, src.stride, NULL);
	ok(n == 1 && copied(&dst, &src) &&
	    copyout_copy(co, dst.p, dst.stride, src.p, src.stride, map) == 0,
	    "%s %ux%u: a copy with no map counts the change and is the frame "
	    "the next map is against", kind, g->width, g->height);

	copyout_reset(co);
	ok(copyout_changed(co, src.p, src.stride) == size &&
	    copyout_copy(co, dst.p, dst.stride, src.p, src.stride, map) ==
	    size && memchr(map, 0, size) == NULL,
	    "%s %ux%u: after a reset every tile is marked again", kind,
	    g->width, g->height);
	copyout_free(co);
	free(src.mem);
	free(prev.mem);
	free(dst.mem);
	free(map);
	free(want);
}

/* The fingerprint is of the pixels, not of where they are read from. */
static void
test_alignment(int portable)
{
	const char *kind = portable ? "portable" : "this CPU's";
	struct buf a, b, d;
	uint8_t map[8];
	struct copyout *co = portable ? copyout_new_portable(130, 70) :
	    copyout_new(130, 70);
	int same = 1;

	buf_init(&a, 130, 70, 130 * 4 + 24, 0);	/* 16-byte aligned */
	buf_init(&b, 130, 70, 130 * 4 + 4, 4);
	buf_init(&d, 130, 70, 130 * 4 + 4, 8);
	fill(&a);
	fill(&b);
	memset(d.mem, 0xee, d.stride * d.height + 128);
	copyout_copy(co, a.p, a.stride, a.p, a.stride, map);
	ok(copyout_copy(co, d.p, d.stride, b.p, b.stride, map) == 0 &&
	    copied(&d, &b) && copyout_changed(co, a.p, a.stride) == 0,
	    "%s: the same pixels read aligned and unaligned (%s, %s) are "
	    "the same frame", kind, copyout_method(co, a.p, a.stride),
	    copyout_method(co, b.p, b.stride));
	for (uint32_t i = 0; i < 8 && same; i++) {
		set_px(&b, 128 + i % 2, 64 + i / 2,
		    px(&b, 128 + i % 2, 64 + i / 2) + 1);
		same = copyout_changed(co, b.p, b.stride) == 1;
	}
	ok(same, "%s: and unaligned, a change in the last tile is found",
	    kind);
	copyout_free(co);
	free(a.mem);
	free(b.mem);
	free(d.mem);
}

/*
 * What copyout.c promises: a change that leaves one changed pixel in some
 * chain is always found; every single bit of a pixel, and every pair of
 * pixels in a row, tried in one tile.
 */
static void
test_small_changes(int portable)
{
	const char *kind = portable ? "portable" : "this CPU's";
	struct buf a;
	struct copyout *co = portable ? copyout_new_portable(64, 64) :
	    copyout_new(64, 64);
	uint8_t map[1];
	int missed = 0, tried = 0;

	buf_init(&a, 64, 64, 256, 0);
	fill(&a);
	copyout_copy(co, a.p, a.stride, a.p, a.stride, map);
	for (uint32_t y = 0; y < 64; y += 9)
		for (uint32_t x = 0; x < 64; x += 5)
			for (uint32_t bit = 0; bit < 32; bit++) {
				set_px(&a, x, y, px(&a, x, y) ^ 1u << bit);
				missed += copyout_changed(co, a.p, a.stride) !=
				    1;
				set_px(&a, x, y, px(&a, x, y) ^ 1u << bit);
				tried++;
			}
	ok(missed == 0, "%s: each of %d one-bit changes is found", kind,
	    tried);
	missed = tried = 0;
	for (uint32_t y = 0; y < 64; y += 3)
		for (uint32_t x = 0; x + 1 < 64; x++) {
			uint32_t p0 = px(&a, x, y), p1 = px(&a, x + 1, y);

			set_px(&a, x, y, rnd());
			set_px(&a, x + 1, y, rnd());
			missed += copyout_changed(co, a.p, a.stride) != 1;
			set_px(&a, x, y, p0);
			set_px(&a, x + 1, y, p1);
			tried++;
		}
	ok(missed == 0 && copyout_changed(co, a.p, a.stride) == 0,
	    "%s: each of %d changes of two pixels side by side is found",
	    kind, tried);
	copyout_free(co);
	free(a.mem);
}

int
main(void)
{
	ok(copyout_new(0, 10) == NULL && copyout_new(10, 0) == NULL &&
	    copyout_new(COPYOUT_MAX_SIDE + 1, 10) == NULL &&
	    copyout_new(10, COPYOUT_MAX_SIDE + 1) == NULL,
	    "no copyout for a side of 0 or above %d", COPYOUT_MAX_SIDE);
	for (int portable = 0; portable < 2; portable++) {
		for (size_t i = 0; i < sizeof(geometries) /
		    sizeof(geometries[0]); i++)
			run_geometry(&geometries[i], portable);
		test_alignment(portable);
		test_small_changes(portable);
	}
	return done_testing();
}
