/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/damage.h"
#include "tests/tap.h"

#define W	1000	/* neither is a multiple of the tile */
#define H	700
#define PAD	96	/* bytes past the pixels of a row, when padded */
#define T	DAMAGE_TILE

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 16) % n);
}

static size_t
count_tiles(const struct damage *d)
{
	size_t i, n = 0;

	for (i = 0; i < (size_t)d->cols * d->rows; i++)
		n += d->tiles[i] != 0;
	return n;
}

/* Change n pixels (some at the edges) and compare; expected tiles aside. */
static void
test_compare_round(struct damage *d, uint8_t *prev, uint8_t *cur,
    size_t stride, unsigned int n, const char *what)
{
	static const uint32_t edges[][2] = {
		{ 0, 0 }, { W - 1, 0 }, { 0, H - 1 }, { W - 1, H - 1 },
		{ 960, 640 }, { 959, 639 }, { 63, 64 }, { 64, 63 },
	};
	uint8_t want[((W + T - 1) / T) * ((H + T - 1) / T)];
	uint32_t x, y;
	unsigned int i, wrong = 0;
	size_t got, nwant = 0;

	memcpy(cur, prev, stride * H);
	memset(want, 0, sizeof(want));
	for (i = 0; i < n; i++) {
		if (i < sizeof(edges) / sizeof(edges[0]) && n < 100) {
			x = edges[i][0];
			y = edges[i][1];
		} else {
			x = rnd(W);
			y = rnd(H);
		}
		/* Any byte of the pixel, the padding byte included. */
		cur[y * stride + x * 4 + rnd(4)] ^= 1 + rnd(255);
		want[(y / T) * d->cols + x / T] = 1;
	}
	/* Bytes past the width in each row are not pixels. */
	for (y = 0; stride > W * 4 && y < H; y += 7)
		cur[y * stride + W * 4 + rnd(PAD)] ^= 0xff;
	got = damage_compare(d, prev, cur, stride, 4);
	for (i = 0; i < sizeof(want); i++) {
		nwant += want[i];
		if (!want[i] != !d->tiles[i] && wrong++ == 0)
			diag("tile %u,%u: got %d want %d", i % d->cols,
			    i / d->cols, d->tiles[i], want[i]);
	}
	ok(wrong == 0 && got == nwant && d->count == nwant,
	    "compare, stride %zu, %s: exactly the %zu touched tiles (got %zu)",
	    stride, what, nwant, got);
}

static void
test_compare(size_t stride)
{
	struct damage d;
	uint8_t *prev, *cur;
	size_t i;

	prev = malloc(stride * H);
	cur = malloc(stride * H);
	if (prev == NULL || cur == NULL)
		abort();
	for (i = 0; i < stride * H; i++)
		prev[i] = rnd(256);
	ok(damage_init(&d, W, H) == 0 && d.cols == 16 && d.rows == 11,
	    "init 1000x700: 16 x 11 tiles");
	test_compare_round(&d, prev, cur, stride, 0, "unchanged");
	test_compare_round(&d, prev, cur, stride, 1, "the top left pixel");
	test_compare_round(&d, prev, cur, stride, 4, "the four corners");
	test_compare_round(&d, prev, cur, stride, 8,
	    "corners and tile borders");
	test_compare_round(&d, prev, cur, stride, 5, "5 pixels");
	test_compare_round(&d, prev, cur, stride, 30, "30 pixels");
	test_compare_round(&d, prev, cur, stride, 150, "150 pixels");
	test_compare_round(&d, prev, cur, stride, 3000, "3000 pixels");
	/* A marked tile must not hide a change in its neighbour below it
	 * in the same tile row. */
	memcpy(cur, prev, stride * H);
	cur[(2 * T) * stride + 5 * T * 4] ^= 1;
	cur[(2 * T + 63) * stride + 6 * T * 4 - 1] ^= 1;
	cur[(2 * T + 63) * stride + 9 * T * 4] ^= 1;
	ok(damage_compare(&d, prev, cur, stride, 4) == 2 &&
	    d.tiles[2 * d.cols + 5] && d.tiles[2 * d.cols + 9],
	    "changes in later rows of a tile row are found");
	/* The last row of a group of rows, and the last row of all. */
	memcpy(cur, prev, stride * H);
	cur[7 * stride + 3 * T * 4] ^= 1;
	cur[(H - 1) * stride + 2 * T * 4] ^= 1;
	ok(damage_compare(&d, prev, cur, stride, 4) == 2 &&
	    d.tiles[3] && d.tiles[10 * d.cols + 2],
	    "changes in the last row of a group and of the screen are found");
	damage_free(&d);
	free(prev);
	free(cur);
}

/*
 * Take with a clip and check every pixel: covered by exactly one
 * rectangle iff its tile was damaged and it is inside the clip (with
 * exact true; with exact false: at least covered, and all rectangles
 * inside screen and clip).  Then what stays damaged.
 */
static void
check_take(struct damage *d, const struct rect *clip, size_t max, int exact,
    const char *what)
{
	static uint8_t cover[H][W];
	uint8_t before[((W + T - 1) / T) * ((H + T - 1) / T)];
	struct rect out[512];
	uint64_t cx1, cy1;
	uint32_t x, y, tx, ty, tx1, ty1, cx0, cy0;
	unsigned int wrong = 0, outside = 0, kept = 0;
	size_t n, i;
	int want, inside;

	memcpy(before, d->tiles, sizeof(before));
	cx0 = clip ? clip->x : 0;
	cy0 = clip ? clip->y : 0;
	cx1 = clip ? (uint64_t)clip->x + clip->w : W;
	cy1 = clip ? (uint64_t)clip->y + clip->h : H;
	memset(cover, 0, sizeof(cover));
	n = damage_take_rects(d, clip, out, max);
	for (i = 0; i < n; i++) {
		if (out[i].w == 0 || out[i].h == 0 ||
		    out[i].x + out[i].w > W || out[i].y + out[i].h > H ||
		    out[i].x < cx0 || out[i].x + out[i].w > cx1 ||
		    out[i].y < cy0 || out[i].y + out[i].h > cy1) {
			outside++;
			continue;
		}
		for (y = out[i].y; y < out[i].y + out[i].h; y++)
			for (x = out[i].x; x < out[i].x + out[i].w; x++)
				cover[y][x]++;
	}
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			want = before[(y / T) * d->cols + x / T] &&
			    x >= cx0 && x < cx1 && y >= cy0 && y < cy1;
			if (exact ? cover[y][x] != want :
			    (want && cover[y][x] == 0) || cover[y][x] > 1) {
				if (wrong++ == 0)
					diag("%s: pixel %u,%u covered %d "
					    "times, want %d", what, x, y,
					    cover[y][x], want);
			}
		}
	}
	for (ty = 0; ty < d->rows; ty++) {
		for (tx = 0; tx < d->cols; tx++) {
			tx1 = tx * T + T < W ? tx * T + T : W;
			ty1 = ty * T + T < H ? ty * T + T : H;
			inside = tx * T >= cx0 && tx1 <= cx1 &&
			    ty * T >= cy0 && ty1 <= cy1;
			want = before[ty * d->cols + tx] && !inside;
			if (!d->tiles[ty * d->cols + tx] != !want)
				kept++;
		}
	}
	ok(n <= max && outside == 0 && wrong == 0,
	    "take %s: %zu rects cover %s", what, n,
	    exact ? "exactly the damage in the clip" : "all damage in the clip");
	ok(kept == 0 && d->count == count_tiles(d),
	    "take %s: tiles inside the clip cleared, the others kept", what);
}

static void
random_damage(struct damage *d, unsigned int percent)
{
	size_t i;

	damage_clear(d);
	for (i = 0; i < (size_t)d->cols * d->rows; i++)
		if (rnd(100) < percent)
			d->tiles[i] = 1;
	d->count = count_tiles(d);
}

static void
test_take(void)
{
	struct damage d;
	struct rect r, out[8], clip;
	char what[128];
	unsigned int round;
	size_t n;

	damage_init(&d, W, H);

	r = (struct rect){ 2 * T + 5, T + 1, 3 * T, 2 * T };
	damage_add_rect(&d, &r);
	ok(d.count == 4 * 3, "add_rect marks the 4 x 3 tiles it touches");
	n = damage_take_rects(&d, NULL, out, 8);
	ok(n == 1 && out[0].x == 2 * T && out[0].y == T &&
	    out[0].w == 4 * T && out[0].h == 3 * T && damage_empty(&d),
	    "a block of tiles is one rectangle");

	r = (struct rect){ W - 10, H - 10, 1000, 1000 };
	damage_add_rect(&d, &r);
	n = damage_take_rects(&d, NULL, out, 8);
	ok(n == 1 && out[0].x == 15 * T && out[0].y == 10 * T &&
	    out[0].w == W - 15 * T && out[0].h == H - 10 * T,
	    "the corner tile is clipped to the screen");

	r = (struct rect){ W, 0, 10, 10 };
	damage_add_rect(&d, &r);
	r = (struct rect){ 5, 5, 0, 10 };
	damage_add_rect(&d, &r);
	ok(damage_empty(&d), "empty and off-screen rects add nothing");

	damage_add_all(&d);
	ok(d.count == 16 * 11, "add_all marks all");
	check_take(&d, NULL, 64, 1, "all, no clip");
	ok(damage_empty(&d), "all taken");

	damage_add_all(&d);
	clip = (struct rect){ 100, 30, 400, 500 };
	check_take(&d, &clip, 64, 1, "all, inner clip");
	clip = (struct rect){ 0, 0, 5000, 5000 };
	check_take(&d, &clip, 64, 1, "rest, clip beyond the screen");
	ok(damage_empty(&d), "nothing left");

	for (round = 0; round < 200; round++) {
		random_damage(&d, 1 + rnd(70));
		if (round % 5 == 0) {
			snprintf(what, sizeof(what), "random %u, no clip",
			    round);
			check_take(&d, NULL, 512, 1, what);
			continue;
		}
		clip.x = rnd(W + 20);
		clip.y = rnd(H + 20);
		clip.w = rnd(W + 100);
		clip.h = rnd(H + 100);
		snprintf(what, sizeof(what), "random %u, clip %ux%u+%u+%u",
		    round, clip.w, clip.h, clip.x, clip.y);
		check_take(&d, &clip, 512, 1, what);
	}
	for (round = 0; round < 60; round++) {
		random_damage(&d, 5 + rnd(60));
		clip.x = rnd(W / 2);
		clip.y = rnd(H / 2);
		clip.w = W;
		clip.h = H;
		snprintf(what, sizeof(what), "overflow %u, max %u", round,
		    round % 4 + 1);
		check_take(&d, round % 2 ? &clip : NULL, round % 4 + 1, 0, what);
	}
	random_damage(&d, 50);
	n = d.count;
	ok(damage_take_rects(&d, NULL, out, 0) == 0 && d.count == n,
	    "max 0 takes nothing");
	damage_free(&d);
}

static void
test_union(void)
{
	struct damage a, b;
	struct rect r = { 0, 0, 1, 1 }, s = { 999, 699, 1, 1 };

	damage_init(&a, W, H);
	damage_init(&b, W, H);
	damage_add_rect(&a, &r);
	damage_add_rect(&b, &r);
	damage_add_rect(&b, &s);
	damage_union(&a, &b);
	ok(a.count == 2 && a.tiles[0] && a.tiles[16 * 11 - 1],
	    "union ORs and counts once");
	damage_clear(&a);
	ok(damage_empty(&a) && count_tiles(&a) == 0, "clear");
	damage_free(&a);
	damage_free(&b);
	ok(damage_init(&a, 0, 10) == -1, "init refuses a zero size");
}

/* 1000x700 is 16 x 11 tiles of 64. */
static void
test_moves(void)
{
	struct damage d, frame;
	uint8_t moved[16 * 11] = { 0 };
	struct rect tile5 = { 5 * 64 + 3, 64 + 2, 1, 1 };

	damage_init(&d, W, H);
	damage_init(&frame, W, H);
	ok(!damage_touches(&d, &(struct rect){ 0, 0, W, H }),
	    "nothing damaged touches nothing");
	damage_add_rect(&d, &tile5);
	ok(damage_touches(&d, &(struct rect){ 5 * 64 + 63, 64 + 63, 2, 2 }) &&
	    !damage_touches(&d, &(struct rect){ 6 * 64, 64, 10, 10 }) &&
	    !damage_touches(&d, &(struct rect){ 5 * 64, 0, 64, 64 }),
	    "touches: a rectangle over a damaged tile's corner does, the "
	    "tiles beside it do not");
	ok(!damage_touches(&d, &(struct rect){ 2000, 0, 10, 10 }) &&
	    !damage_touches(&d, &(struct rect){ 0, 0, 0, 5 }),
	    "nor off the screen, nor empty");

	/* The frame damages tiles 5, 6, 7 and 8 of row 1; move 0 has tile 5
	 * (which d has) right and tile 6 (which d has not) right, tile 7
	 * inside; move 1 (not taken) has tile 8 inside. */
	damage_add_rect(&frame, &(struct rect){ 5 * 64, 64, 4 * 64, 1 });
	moved[16 + 5] = DAMAGE_MOVE_RIGHT(0);
	moved[16 + 6] = DAMAGE_MOVE_RIGHT(0);
	moved[16 + 7] = DAMAGE_MOVE_INSIDE(0);
	moved[16 + 8] = DAMAGE_MOVE_INSIDE(1);
	damage_union_moved(&d, &frame, moved, 1u << 0);
	ok(d.tiles[16 + 5] && !d.tiles[16 + 6] && !d.tiles[16 + 7] &&
	    d.tiles[16 + 8] && d.count == 2 && count_tiles(&d) == 2,
	    "union with move 0 taken: a tile it puts right stays damaged "
	    "where the client was behind, goes where it was not; inside it "
	    "goes; move 1's tile, not taken, comes");
	damage_union_moved(&d, &frame, moved, 1u << 0 | 1u << 1);
	ok(d.tiles[16 + 5] && !d.tiles[16 + 8] && d.count == 1,
	    "with move 1 taken too, its tile inside goes, even one damaged "
	    "before");
	damage_free(&d);
	damage_free(&frame);
}

int
main(void)
{
	test_moves();
	test_compare(W * 4);
	test_compare(W * 4 + PAD);
	test_take();
	test_union();
	return done_testing();
}
