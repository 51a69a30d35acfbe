/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scroll_detect on a recorded workload, frame by frame.
 *
 *	scroll-bench [-v] [-p] file.frames ...
 *
 * For each pair of consecutive frames: the damage (damage_compare, as the
 * broker computes it without a map from the capture helper), then
 * scroll_detect timed twice: "cold", after a read of 64 MiB of other
 * memory has pushed both frames out of the caches (as in the broker, where
 * the capture helper wrote the new frame with non-temporal stores), and
 * "hot", at once again.  Times are this thread's CPU time, which other
 * load on the machine disturbs less than the wall clock.  Every move is
 * then checked pixel for pixel against the frames (a move that is not
 * exact, or outside the damage, makes the exit status 1).
 *
 * "explained" is the area of the moves over the area of the damaged tiles
 * (clipped to the screen), summed over the frames.  -v prints every frame
 * with damage; -p takes the portable hash instead of SSE4.2's crc32.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "broker/damage.h"
#include "broker/scroll.h"
#include "common/frames.h"

#define EVICT_BYTES	((size_t)64 << 20)

static volatile uint64_t sink;

static void
evict(uint8_t *buf)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < EVICT_BYTES; i += 64) {
		buf[i]++;
		sum += buf[i];
	}
	sink += sum;
}

static uint64_t
damaged_area(const struct damage *d)
{
	uint64_t a = 0;
	uint32_t tx, ty, w, h;

	for (ty = 0; ty < d->rows; ty++) {
		h = d->height - ty * DAMAGE_TILE < DAMAGE_TILE ?
		    d->height - ty * DAMAGE_TILE : DAMAGE_TILE;
		for (tx = 0; tx < d->cols; tx++) {
			if (!d->tiles[(size_t)ty * d->cols + tx])
				continue;
			w = d->width - tx * DAMAGE_TILE < DAMAGE_TILE ?
			    d->width - tx * DAMAGE_TILE : DAMAGE_TILE;
			a += (uint64_t)w * h;
		}
	}
	return a;
}

/* The move is exact and inside the screen and the damage: 1, else 0. */
static int
move_ok(const struct frames_file *ff, const uint8_t *prev, const uint8_t *cur,
    const struct damage *d, const struct scroll_move *m)
{
	int64_t sy;
	uint32_t x, y;
	const uint8_t *a, *b;

	if (m->dst.w == 0 || m->dst.h == 0 ||
	    (uint64_t)m->dst.x + m->dst.w > ff->width ||
	    (uint64_t)m->dst.y + m->dst.h > ff->height || m->dy == 0)
		return 0;
	sy = (int64_t)m->dst.y - m->dy;
	if (sy < 0 || sy + m->dst.h > ff->height)
		return 0;
	for (y = m->dst.y; y < m->dst.y + m->dst.h; y++) {
		for (x = m->dst.x; x < m->dst.x + m->dst.w; x++) {
			if (!d->tiles[(size_t)(y / DAMAGE_TILE) * d->cols +
			    x / DAMAGE_TILE])
				return 0;
			a = cur + (size_t)y * ff->stride + (size_t)x * 4;
			b = prev + (size_t)(y - m->dy) * ff->stride +
			    (size_t)x * 4;
			if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2])
				return 0;
		}
	}
	return 1;
}

struct totals {
	double		*cold, *hot;
	unsigned int	pairs, damaged, with_moves, moves, bad;
	uint64_t	area_damaged, area_moved, area_damaged_moving;
};

static int
run(const char *path, int verbose, int portable, uint8_t *evbuf)
{
	struct frames_file ff;
	struct scroll_scratch scratch;
	struct scroll_move mv[SCROLL_MAX_MOVES];
	struct damage d;
	struct totals t;
	const uint8_t *prev, *cur;
	const char *why;
	double t0, *cold_all;
	uint64_t da, ma;
	unsigned int i, k, n, nd = 0;
	size_t got;

	if (frames_open(&ff, path, &why) == -1) {
		fprintf(stderr, "%s: %s\n", path, why);
		return 1;
	}
	if (ff.fourcc != FRAMES_FOURCC_XRGB8888 || ff.count < 2) {
		fprintf(stderr, "%s: need XRGB8888 and 2 frames\n", path);
		return 1;
	}
	if (damage_init(&d, ff.width, ff.height) == -1)
		return 1;
	scroll_scratch_init(&scratch);
	if (portable)
		scratch.crc = 0;
	memset(&t, 0, sizeof(t));
	t.cold = calloc(ff.count, sizeof(double));
	t.hot = calloc(ff.count, sizeof(double));
	cold_all = calloc(ff.count, sizeof(double));
	if (t.cold == NULL || t.hot == NULL || cold_all == NULL)
		return 1;
	for (i = 1; i < ff.count; i++) {
		prev = frames_frame(&ff, i - 1);
		cur = frames_frame(&ff, i);
		t.pairs++;
		if (damage_compare(&d, prev, cur, ff.stride, 4) == 0)
			continue;
		t.damaged++;
		evict(evbuf);
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		got = scroll_detect(prev, cur, ff.stride, ff.width, ff.height,
		    &d, mv, SCROLL_MAX_MOVES, &scratch);
		t.cold[nd] = bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
		cold_all[nd] = t.cold[nd];
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		n = (unsigned int)scroll_detect(prev, cur, ff.stride, ff.width,
		    ff.height, &d, mv, SCROLL_MAX_MOVES, &scratch);
		t.hot[nd] = bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (n != got)
			t.bad++;
		da = damaged_area(&d);
		ma = 0;
		for (k = 0; k < n; k++) {
			if (!move_ok(&ff, prev, cur, &d, &mv[k]))
				t.bad++;
			ma += (uint64_t)mv[k].dst.w * mv[k].dst.h;
		}
		t.area_damaged += da;
		t.area_moved += ma;
		if (n > 0) {
			t.with_moves++;
			t.moves += n;
			t.area_damaged_moving += da;
		}
		if (verbose) {
			printf("  frame %3u: %6.3f ms cold %6.3f hot, damage "
			    "%5.1f%% of screen, %u moves, explained %5.1f%%",
			    i, t.cold[nd] / 1e6, t.hot[nd] / 1e6,
			    100.0 * da / ((double)ff.width * ff.height), n,
			    100.0 * ma / da);
			for (k = 0; k < n; k++)
				printf(" [%ux%u+%u+%u dy %d]", mv[k].dst.w,
				    mv[k].dst.h, mv[k].dst.x, mv[k].dst.y,
				    mv[k].dy);
			printf("\n");
		}
		nd++;
	}
	if (nd > 0) {
		double sum = 0, mx = 0;

		for (i = 0; i < nd; i++) {
			sum += t.cold[i];
			if (t.cold[i] > mx)
				mx = t.cold[i];
		}
		printf("%-22s %ux%u, %u pairs, %u damaged (%s)\n", path,
		    ff.width, ff.height, t.pairs, t.damaged,
		    scratch.crc ? "crc32c" : "portable hash");
		printf("  ms/frame cold: median %.3f mean %.3f max %.3f; "
		    "hot: median %.3f\n", bench_median(t.cold, nd) / 1e6,
		    sum / nd / 1e6, mx / 1e6, bench_median(t.hot, nd) / 1e6);
		printf("  frames with moves %u, moves %u; explained: %.1f%% "
		    "of damaged area (%.1f%% in frames with moves)\n",
		    t.with_moves, t.moves,
		    100.0 * t.area_moved / (double)t.area_damaged,
		    t.area_damaged_moving ? 100.0 * t.area_moved /
		    (double)t.area_damaged_moving : 0.0);
	} else
		printf("%-22s no damaged frame\n", path);
	if (t.bad)
		printf("  NOT EXACT: %u moves\n", t.bad);
	free(t.cold);
	free(t.hot);
	free(cold_all);
	scroll_scratch_free(&scratch);
	damage_free(&d);
	frames_close(&ff);
	return t.bad != 0;
}

int
main(int argc, char *argv[])
{
	uint8_t *evbuf;
	int ch, verbose = 0, portable = 0, rc = 0, i;

	while ((ch = getopt(argc, argv, "pv")) != -1) {
		switch (ch) {
		case 'p':
			portable = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-p] file.frames ...\n",
			    argv[0]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-v] [-p] file.frames ...\n",
		    argv[0]);
		return 2;
	}
	evbuf = bench_alloc(EVICT_BYTES);
	for (i = optind; i < argc; i++)
		rc |= run(argv[i], verbose, portable, evbuf);
	return rc;
}
