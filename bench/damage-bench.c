/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cost of damage_compare against the cost of reading a frame.
 *
 *	damage-bench [-n runs] [file.frames]
 *
 * With a .frames file (XRGB8888) its frames are used, else 1920x1080 frames
 * are made up.  Each figure is the median of the runs.  "hot" runs reuse
 * the same buffers, which then sit in the CPU's caches when they fit;
 * "cold" runs cycle through a pool of buffers four times the size of the
 * last-level cache, so that every byte comes from memory.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/damage.h"
#include "common/frames.h"
#include "bench/bench.h"

#define DEFAULT_RUNS	101
#define COLD_BYTES	((size_t)160 << 20)

struct bench {
	uint32_t	width, height;
	size_t		stride, frame_bytes;	/* frame_bytes: stride * height */
	size_t		pixel_bytes;		/* width * 4 * height */
	unsigned int	runs;
	struct damage	damage;
	uint8_t		**pool;			/* equal frames, cold runs */
	unsigned int	npool;
	const struct frames_file *ff;		/* NULL: synthetic */
};

static volatile uint64_t sink;

/* The plain read: every 64-bit word of the frame summed, one at a time. */
static uint64_t
plain_read(const uint8_t *p, size_t len)
{
	uint64_t sum = 0, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		sum += w;
	}
	return sum;
}

/* A screen-like picture: a gradient with text-like noise in places. */
static void
synthesize(uint8_t *f, const struct bench *b)
{
	uint32_t x, y, v, seed = 12345;
	uint8_t *p;

	for (y = 0; y < b->height; y++) {
		for (x = 0; x < b->width; x++) {
			p = f + y * b->stride + x * 4;
			seed = seed * 1103515245 + 12345;
			v = (y / 16) % 3 == 0 && (x / 400) % 2 == 0 ?
			    (seed >> 16) & 0xff : 0;
			p[0] = (uint8_t)(x * 255 / b->width) ^ v;
			p[1] = (uint8_t)(y * 255 / b->height);
			p[2] = (uint8_t)((x + y) / 16) ^ v;
			p[3] = 0;
		}
	}
}

/* About 5% of the pixels changed, in 10 windows like a terminal's text. */
static void
synthesize_change(uint8_t *f, const struct bench *b)
{
	uint32_t i, x, y, x0, y0, w = b->width / 13, h = b->height / 15;

	for (i = 0; i < 10; i++) {
		x0 = (i * 7919) % (b->width - w);
		y0 = (i * 104729) % (b->height - h);
		for (y = y0; y < y0 + h; y++)
			for (x = x0; x < x0 + w; x++)
				f[y * b->stride + x * 4 + 1] ^= 0x40;
	}
}

struct result {
	double		hot, cold;	/* ns, median */
	double		bytes;		/* read per run */
	double		tiles;		/* median tiles marked, compares */
};

/* Ratios of compare to read, to memcpy and to reading both frames. */
struct ratios {
	double		read_hot, read_cold, memcpy_hot, memcpy_cold;
	double		read2_hot, read2_cold;
};

enum op { OP_CMP, OP_READ, OP_CPY, OP_READ2, OP_N };

#define HOT_BLOCK	5	/* runs of one operation in a row, hot */

/* One operation on pool frames k and k + 1, timed. */
static double
time_op(struct bench *b, enum op op, unsigned int k)
{
	double t0 = bench_ns(CLOCK_MONOTONIC);

	switch (op) {
	case OP_CMP:
		sink = damage_compare(&b->damage, b->pool[k], b->pool[k + 1],
		    b->stride, 4);
		break;
	case OP_READ:
		sink = plain_read(b->pool[k], b->frame_bytes);
		break;
	case OP_CPY:
		memcpy(b->pool[k + 1], b->pool[k], b->frame_bytes);
		break;
	default:
		sink = plain_read(b->pool[k], b->frame_bytes) +
		    plain_read(b->pool[k + 1], b->frame_bytes);
		break;
	}
	return bench_ns(CLOCK_MONOTONIC) - t0;
}

/*
 * The unchanged compare, the plain reads and the memcpy take turns, so
 * that a change of the machine's load during the benchmark hits all of
 * them alike.  Hot: each operation HOT_BLOCK times in a row on frames 0
 * and 1, the first of them not counted, so that the others find what
 * fits of their data in the caches.  Cold: one run of each in turn, each
 * on frames of the pool not touched for a while; the cold ratios are
 * medians of per-turn ratios.
 */
static void
run_unchanged(struct bench *b, struct result *res, struct ratios *ra)
{
	double *t[OP_N], *r[OP_N], cmp;
	unsigned int i, j, n, op;

	for (op = 0; op < OP_N; op++)
		if ((t[op] = calloc(b->runs + HOT_BLOCK, sizeof(double))) ==
		    NULL || (r[op] = calloc(b->runs, sizeof(double))) == NULL)
			exit(1);

	for (n = 0; n < b->runs; n += HOT_BLOCK - 1) {
		for (op = 0; op < OP_N; op++) {
			time_op(b, op, 0);
			for (j = 0; j < HOT_BLOCK - 1; j++)
				t[op][n + j] = time_op(b, op, 0);
		}
	}
	for (op = 0; op < OP_N; op++)
		res[op].hot = bench_median(t[op], n);
	ra->read_hot = res[OP_CMP].hot / res[OP_READ].hot;
	ra->memcpy_hot = res[OP_CMP].hot / res[OP_CPY].hot;
	ra->read2_hot = res[OP_CMP].hot / res[OP_READ2].hot;

	for (i = 0; i < b->runs; i++) {
		for (op = 0; op < OP_N; op++)
			t[op][i] = time_op(b, op,
			    2 + (2 * (i * OP_N + op)) % (b->npool - 2));
		cmp = t[OP_CMP][i];
		for (op = 0; op < OP_N; op++)
			r[op][i] = cmp / t[op][i];
	}
	for (op = 0; op < OP_N; op++)
		res[op].cold = bench_median(t[op], b->runs);
	ra->read_cold = bench_median(r[OP_READ], b->runs);
	ra->memcpy_cold = bench_median(r[OP_CPY], b->runs);
	ra->read2_cold = bench_median(r[OP_READ2], b->runs);

	res[OP_CMP].bytes = 2.0 * b->pixel_bytes;
	res[OP_READ].bytes = b->frame_bytes;
	res[OP_CPY].bytes = b->frame_bytes;
	res[OP_READ2].bytes = 2.0 * b->frame_bytes;
	for (op = 0; op < OP_N; op++) {
		free(t[op]);
		free(r[op]);
	}
}

/*
 * Changed frames.  From a workload: each pair of consecutive frames once,
 * cold straight from the mapped file (far larger than the caches), hot
 * after copying the pair into two buffers.  Synthetic: the odd frames of
 * the pool are changed, and pairs of the pool compared.
 */
static void
run_changed(struct bench *b, struct result *r)
{
	unsigned int n, i, k;
	double *t, *tc, *tiles, t0;
	const uint8_t *p, *c;
	size_t j;

	n = b->ff ? b->ff->count - 1 : b->runs;
	t = calloc(n, sizeof(double));
	tc = calloc(n, sizeof(double));
	tiles = calloc(n, sizeof(double));
	if (b->ff) {
		/* Fault the whole mapping in before any timing. */
		for (j = 0; j < b->ff->size; j += 4096)
			sink += b->ff->map[j];
	} else {
		for (k = 1; k < b->npool; k += 2)
			synthesize_change(b->pool[k], b);
	}
	for (i = 0; i < n; i++) {
		if (b->ff) {
			p = frames_frame(b->ff, i);
			c = frames_frame(b->ff, i + 1);
		} else {
			k = 2 + (2 * i) % (b->npool - 2);
			p = b->pool[k];
			c = b->pool[k + 1];
		}
		t0 = bench_ns(CLOCK_MONOTONIC);
		tiles[i] = damage_compare(&b->damage, p, c, b->stride, 4);
		tc[i] = bench_ns(CLOCK_MONOTONIC) - t0;
		if (b->ff) {
			memcpy(b->pool[0], p, b->frame_bytes);
			memcpy(b->pool[1], c, b->frame_bytes);
		}
		t0 = bench_ns(CLOCK_MONOTONIC);
		damage_compare(&b->damage, b->pool[0], b->pool[1], b->stride,
		    4);
		t[i] = bench_ns(CLOCK_MONOTONIC) - t0;
	}
	r->hot = bench_median(t, n);
	r->cold = bench_median(tc, n);
	r->tiles = bench_median(tiles, n);
	r->bytes = 2.0 * b->pixel_bytes;
	free(t);
	free(tc);
	free(tiles);
}

static void
print_result(const char *name, const struct result *r)
{
	printf("%-28s %9.3f ms %7.2f GB/s   %9.3f ms %7.2f GB/s\n", name,
	    r->hot / 1e6, r->bytes / r->hot, r->cold / 1e6,
	    r->bytes / r->cold);
}

int
main(int argc, char *argv[])
{
	struct frames_file ff;
	struct bench b;
	struct result res[OP_N], changed;
	struct ratios ra;
	size_t unchanged_tiles;
	const char *why;
	unsigned int i;
	int ch;

	memset(&b, 0, sizeof(b));
	b.runs = DEFAULT_RUNS;
	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			b.runs = (unsigned int)strtoul(optarg, NULL, 10);
			if (b.runs < 1)
				b.runs = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-n runs] [file.frames]\n",
			    argv[0]);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0) {
		if (frames_open(&ff, argv[0], &why) == -1) {
			fprintf(stderr, "%s: %s\n", argv[0], why);
			return 1;
		}
		if (ff.fourcc != FRAMES_FOURCC_XRGB8888 || ff.count < 2) {
			fprintf(stderr, "%s: need XRGB8888 and 2 frames\n",
			    argv[0]);
			return 1;
		}
		b.ff = &ff;
		b.width = ff.width;
		b.height = ff.height;
		b.stride = ff.stride;
	} else {
		b.width = 1920;
		b.height = 1080;
		b.stride = 1920 * 4;
	}
	b.frame_bytes = b.stride * b.height;
	b.pixel_bytes = (size_t)b.width * 4 * b.height;
	b.npool = (unsigned int)(COLD_BYTES / b.frame_bytes + 4) & ~1u;
	if ((b.pool = calloc(b.npool, sizeof(*b.pool))) == NULL)
		return 1;
	for (i = 0; i < b.npool; i++)
		b.pool[i] = bench_alloc(b.frame_bytes);
	if (b.ff)
		memcpy(b.pool[0], frames_frame(b.ff, 0), b.frame_bytes);
	else
		synthesize(b.pool[0], &b);
	for (i = 1; i < b.npool; i++)
		memcpy(b.pool[i], b.pool[0], b.frame_bytes);
	if (damage_init(&b.damage, b.width, b.height) == -1)
		return 1;

	/* The changed runs come last: they change the pool. */
	run_unchanged(&b, res, &ra);
	unchanged_tiles = damage_compare(&b.damage, b.pool[2], b.pool[3],
	    b.stride, 4);
	run_changed(&b, &changed);

	printf("frames: %s, %ux%u XRGB8888, stride %zu\n",
	    b.ff ? argv[0] : "synthetic", b.width, b.height, b.stride);
	printf("runs: %u (changed: %u pairs); cold pool: %u frames, %zu MiB\n",
	    b.runs, b.ff ? b.ff->count - 1 : b.runs, b.npool,
	    b.npool * b.frame_bytes >> 20);
	printf("%-28s %22s   %22s\n", "median of runs", "hot", "cold");
	print_result("compare, unchanged", &res[OP_CMP]);
	print_result("compare, changed", &changed);
	print_result("plain read of one frame", &res[OP_READ]);
	print_result("memcpy of one frame", &res[OP_CPY]);
	print_result("plain read of two frames", &res[OP_READ2]);
	printf("changed: median %.0f of %u tiles marked\n", changed.tiles,
	    b.damage.cols * b.damage.rows);
	printf("unchanged: %zu tiles marked\n", unchanged_tiles);
	printf("ratio compare unchanged / plain read: hot %.2f, cold %.2f "
	    "(target <= 1.5)\n", ra.read_hot, ra.read_cold);
	printf("ratio compare unchanged / memcpy:     hot %.2f, cold %.2f\n",
	    ra.memcpy_hot, ra.memcpy_cold);
	printf("ratio compare unchanged / plain read of two frames: "
	    "hot %.2f, cold %.2f\n", ra.read2_hot, ra.read2_cold);
	damage_free(&b.damage);
	if (b.ff)
		frames_close(&ff);
	return 0;
}
