/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cost of copying a frame out with its tile map (copyout_copy) and of
 * looking for changes alone (copyout_changed), against a plain memcpy and
 * a plain read of the same frame in the same run; and, on a recorded
 * workload, the broker's damage work per frame with a map against
 * damage_compare.
 *
 *	capture-bench [-n runs] [file.frames]
 *
 * The source stands in for device memory: a memfd mapping (no
 * write-combined memory here unless a dma-buf heap or udmabuf exists,
 * which is reported).  The destination is a memfd mapping too, as a ring
 * slot is.  Every figure is a median: of the runs (at least 51), or of the
 * workload's frames.  "hot": the source was just read or written and sits
 * in the caches as far as it fits; "cold": source and destination are
 * flushed from the caches (clflush) before each timed operation, as device
 * memory and a slot last written three frames ago are.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_CLFLUSH	1
#endif

#include "broker/damage.h"
#include "capture/copyout.h"
#include "common/frames.h"
#include "common/tiles.h"
#include "bench/bench.h"

#define DEFAULT_RUNS	101
#define MIN_RUNS	51
#define HOT_BLOCK	5	/* runs of one operation in a row, hot */

static volatile uint64_t sink;

/* A shared memfd mapping, as device memory and ring slots are mapped. */
static uint8_t *
memfd_buffer(const char *name, size_t size)
{
	void *p;
	int fd;

	if ((fd = memfd_create(name, MFD_CLOEXEC)) < 0 ||
	    ftruncate(fd, (off_t)size) < 0) {
		perror("memfd");
		exit(1);
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void
flush(const uint8_t *p, size_t len)
{
#ifdef HAVE_CLFLUSH
	size_t i;

	for (i = 0; i < len; i += 64)
		_mm_clflush(p + i);
	_mm_mfence();
#endif
}

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
synthesize(uint8_t *f, uint32_t width, uint32_t height, size_t stride)
{
	uint32_t x, y, v, seed = 12345;
	uint8_t *p;

	for (y = 0; y < height; y++) {
		for (x = 0; x < width; x++) {
			p = f + y * stride + x * 4;
			seed = seed * 1103515245 + 12345;
			v = (y / 16) % 3 == 0 && (x / 400) % 2 == 0 ?
			    (seed >> 16) & 0xff : 0;
			p[0] = (uint8_t)(x * 255 / width) ^ v;
			p[1] = (uint8_t)(y * 255 / height);
			p[2] = (uint8_t)((x + y) / 16) ^ v;
			p[3] = 0;
		}
	}
}

enum op {
	OP_MEMCPY, OP_READ, OP_COPY, OP_CHANGED, OP_PCOPY, OP_PCHANGED, OP_N
};

static const char *const op_names[OP_N] = {
	"memcpy", "plain read", "copyout_copy + map", "copyout_changed",
	"portable copyout_copy", "portable copyout_changed",
};

struct setup {
	uint32_t	width, height;
	size_t		stride, bytes;
	uint8_t		*src, *dst, *map;
	struct copyout	*co, *pco;
};

static double
time_op(struct setup *s, enum op op, int cold)
{
	double t0;

	if (cold) {
		flush(s->src, s->bytes);
		flush(s->dst, s->bytes);
	}
	t0 = bench_ns(CLOCK_MONOTONIC);
	switch (op) {
	case OP_MEMCPY:
		memcpy(s->dst, s->src, s->bytes);
		break;
	case OP_READ:
		sink = plain_read(s->src, s->bytes);
		break;
	case OP_COPY:
		sink = copyout_copy(s->co, s->dst, s->stride, s->src,
		    s->stride, s->map);
		break;
	case OP_CHANGED:
		sink = copyout_changed(s->co, s->src, s->stride);
		break;
	case OP_PCOPY:
		sink = copyout_copy(s->pco, s->dst, s->stride, s->src,
		    s->stride, s->map);
		break;
	default:
		sink = copyout_changed(s->pco, s->src, s->stride);
		break;
	}
	return bench_ns(CLOCK_MONOTONIC) - t0;
}

struct ratio {
	const char	*name;
	enum op		 num, den;
};

static const struct ratio ratios[] = {
	{ "copyout_copy + map / memcpy", OP_COPY, OP_MEMCPY },
	{ "copyout_changed / plain read", OP_CHANGED, OP_READ },
	{ "copyout_changed / memcpy", OP_CHANGED, OP_MEMCPY },
	{ "portable copy / memcpy", OP_PCOPY, OP_MEMCPY },
};
#define NRATIOS	(sizeof(ratios) / sizeof(ratios[0]))

/*
 * The operations take turns, so that a change of the machine's load hits
 * them alike; ratios are medians of per-turn ratios.  Hot: each operation
 * HOT_BLOCK times in a row, the first not counted.
 */
static void
bench_size(uint32_t width, uint32_t height, unsigned int runs)
{
	struct setup s;
	double *t[OP_N], *r[NRATIOS], med[2][OP_N], rat[2][NRATIOS];
	unsigned int i, j, k, op, n, cold;

	memset(&s, 0, sizeof(s));
	s.width = width;
	s.height = height;
	s.stride = (size_t)width * 4;
	s.bytes = s.stride * height;
	s.src = memfd_buffer("device", s.bytes);
	s.dst = memfd_buffer("slot", s.bytes);
	s.map = malloc(tiles_map_size(width, height));
	s.co = copyout_new(width, height);
	s.pco = copyout_new_portable(width, height);
	if (s.map == NULL || s.co == NULL || s.pco == NULL)
		exit(1);
	synthesize(s.src, width, height, s.stride);
	/* The first copy marks everything; the runs are the steady state. */
	copyout_copy(s.co, s.dst, s.stride, s.src, s.stride, s.map);
	copyout_copy(s.pco, s.dst, s.stride, s.src, s.stride, s.map);

	for (op = 0; op < OP_N; op++)
		if ((t[op] = calloc(runs + HOT_BLOCK, sizeof(double))) == NULL)
			exit(1);
	for (k = 0; k < NRATIOS; k++)
		if ((r[k] = calloc(runs + HOT_BLOCK, sizeof(double))) == NULL)
			exit(1);
	for (cold = 0; cold < 2; cold++) {
#ifndef HAVE_CLFLUSH
		if (cold)
			break;
#endif
		n = 0;
		if (!cold) {
			for (n = 0; n < runs; n += HOT_BLOCK - 1) {
				for (op = 0; op < OP_N; op++) {
					time_op(&s, op, 0);
					for (j = 0; j < HOT_BLOCK - 1; j++)
						t[op][n + j] = time_op(&s, op,
						    0);
				}
				for (j = 0; j < HOT_BLOCK - 1; j++)
					for (k = 0; k < NRATIOS; k++)
						r[k][n + j] =
						    t[ratios[k].num][n + j] /
						    t[ratios[k].den][n + j];
			}
		} else {
			for (n = 0; n < runs; n++) {
				for (op = 0; op < OP_N; op++)
					t[op][n] = time_op(&s, op, 1);
				for (k = 0; k < NRATIOS; k++)
					r[k][n] = t[ratios[k].num][n] /
					    t[ratios[k].den][n];
			}
		}
		for (op = 0; op < OP_N; op++)
			med[cold][op] = bench_median(t[op], n);
		for (k = 0; k < NRATIOS; k++)
			rat[cold][k] = bench_median(r[k], n);
		i = n;
	}

	printf("\n%ux%u XRGB8888 (%.1f MiB), %u runs; %s\n", width, height,
	    s.bytes / 1048576.0, runs, copyout_method(s.co, s.src, s.stride));
	printf("%-28s %22s   %22s\n", "median of runs", "hot", "cold");
	for (op = 0; op < OP_N; op++) {
		printf("%-28s %9.3f ms %7.2f GB/s", op_names[op],
		    med[0][op] / 1e6, s.bytes / med[0][op]);
#ifdef HAVE_CLFLUSH
		printf("   %9.3f ms %7.2f GB/s", med[1][op] / 1e6,
		    s.bytes / med[1][op]);
#endif
		printf("\n");
	}
	for (k = 0; k < NRATIOS; k++) {
		printf("ratio %-34s hot %5.2f", ratios[k].name, rat[0][k]);
#ifdef HAVE_CLFLUSH
		printf("   cold %5.2f", rat[1][k]);
#endif
		printf("\n");
	}
	(void)i;
	for (op = 0; op < OP_N; op++)
		free(t[op]);
	for (k = 0; k < NRATIOS; k++)
		free(r[k]);
	copyout_free(s.co);
	copyout_free(s.pco);
	free(s.map);
	munmap(s.src, s.bytes);
	munmap(s.dst, s.bytes);
}

#define SLOTS	3

/*
 * A recorded workload, frame by frame as the capture helper and the broker
 * would see it: the frame is written into the "device" (untimed), then
 * copied out with its map into the next of three slots (timed, cold and
 * hot), against a memcpy of it; in the broker, damage_compare of the slot
 * before and this one against damage_load_map of the map.  Each map is
 * checked against the compare: they must be equal.
 */
static void
bench_workload(const char *path)
{
	struct frames_file ff;
	struct damage dmg;
	struct copyout *co[2];
	const char *why;
	uint8_t *dev, *slot[SLOTS], *scratch, *map;
	size_t bytes, mapsize, ntiles = 0, mism = 0;
	double *tcopy[2], *tcpy[2], *rcopy[2], *tcmp, *tload, *rload;
	double *tiles, t0;
	uint32_t i, n, cold, k;

	if (frames_open(&ff, path, &why) == -1) {
		fprintf(stderr, "%s: %s\n", path, why);
		exit(1);
	}
	if (ff.fourcc != FRAMES_FOURCC_XRGB8888 || ff.count < 2) {
		fprintf(stderr, "%s: need XRGB8888 and 2 frames\n", path);
		exit(1);
	}
	bytes = (size_t)ff.stride * ff.height;
	mapsize = tiles_map_size(ff.width, ff.height);
	dev = memfd_buffer("device", bytes);
	for (k = 0; k < SLOTS; k++)
		slot[k] = memfd_buffer("slot", tiles_map_offset(bytes) +
		    mapsize);
	scratch = memfd_buffer("scratch", bytes);
	if ((co[0] = copyout_new(ff.width, ff.height)) == NULL ||
	    (co[1] = copyout_new(ff.width, ff.height)) == NULL ||
	    damage_init(&dmg, ff.width, ff.height) < 0)
		exit(1);
	n = ff.count - 1;
	for (k = 0; k < 2; k++) {
		tcopy[k] = calloc(n, sizeof(double));
		tcpy[k] = calloc(n, sizeof(double));
		rcopy[k] = calloc(n, sizeof(double));
	}
	tcmp = calloc(n, sizeof(double));
	tload = calloc(n, sizeof(double));
	rload = calloc(n, sizeof(double));
	tiles = calloc(n, sizeof(double));
	/* Fault the file in before any timing. */
	for (size_t j = 0; j < ff.size; j += 4096)
		sink += ff.map[j];

	/* One copy-out for the hot runs and one for the cold: each sees
	 * every frame once. */
	memcpy(dev, frames_frame(&ff, 0), bytes);
	for (k = 0; k < 2; k++)
		copyout_copy(co[k], slot[0], ff.stride, dev, ff.stride,
		    slot[0] + tiles_map_offset(bytes));
	for (i = 0; i < n; i++) {
		uint8_t *prev = slot[i % SLOTS], *cur = slot[(i + 1) % SLOTS];

		map = cur + tiles_map_offset(bytes);
		memcpy(dev, frames_frame(&ff, i + 1), bytes);
		for (cold = 0; cold < 2; cold++) {
			if (cold) {
				flush(dev, bytes);
				flush(scratch, bytes);
			}
			t0 = bench_ns(CLOCK_MONOTONIC);
			memcpy(scratch, dev, bytes);
			tcpy[cold][i] = bench_ns(CLOCK_MONOTONIC) - t0;
			if (cold) {
				flush(dev, bytes);
				flush(cur, bytes);
			}
			t0 = bench_ns(CLOCK_MONOTONIC);
			ntiles = copyout_copy(co[cold], cur, ff.stride, dev,
			    ff.stride, map);
			tcopy[cold][i] = bench_ns(CLOCK_MONOTONIC) - t0;
			rcopy[cold][i] = tcopy[cold][i] / tcpy[cold][i];
		}
		tiles[i] = (double)ntiles;
		/* The broker: the slot before was read a frame ago. */
		flush(prev, bytes);
		flush(cur, bytes);
		t0 = bench_ns(CLOCK_MONOTONIC);
		damage_compare(&dmg, prev, cur, ff.stride, 4);
		tcmp[i] = bench_ns(CLOCK_MONOTONIC) - t0;
		for (k = 0; k < mapsize; k++)
			if ((dmg.tiles[k] != 0) != (map[k] != 0))
				mism++;
		t0 = bench_ns(CLOCK_MONOTONIC);
		damage_load_map(&dmg, map);
		tload[i] = bench_ns(CLOCK_MONOTONIC) - t0;
		rload[i] = tload[i] / tcmp[i];
	}

	printf("\nworkload %s: %ux%u, %u frames (%u pairs); %s\n", path,
	    ff.width, ff.height, ff.count, n,
	    copyout_method(co[0], dev, ff.stride));
	printf("tiles changed per frame: median %.0f of %zu\n",
	    bench_median(tiles, n), mapsize);
	printf("map equal to damage_compare: %s (%zu tiles differ over all "
	    "frames)\n", mism == 0 ? "yes" : "NO", mism);
	printf("%-34s %12s %12s\n", "median of frames", "hot", "cold");
#ifndef HAVE_CLFLUSH
	printf("(no clflush here: the cold column is hot too)\n");
#endif
	printf("%-34s %9.3f ms %9.3f ms\n", "capture: memcpy",
	    bench_median(tcpy[0], n) / 1e6, bench_median(tcpy[1], n) / 1e6);
	printf("%-34s %9.3f ms %9.3f ms\n", "capture: copyout_copy + map",
	    bench_median(tcopy[0], n) / 1e6, bench_median(tcopy[1], n) / 1e6);
	printf("%-34s %9.2f    %9.2f     (target <= 1.2)\n",
	    "ratio copy + map / memcpy", bench_median(rcopy[0], n),
	    bench_median(rcopy[1], n));
	printf("%-34s %12s %9.3f ms\n", "broker: damage_compare", "",
	    bench_median(tcmp, n) / 1e6);
	printf("%-34s %9.4f ms\n", "broker: damage_load_map",
	    bench_median(tload, n) / 1e6);
	printf("%-34s %9.5f       (target < 0.10)\n",
	    "ratio load map / compare", bench_median(rload, n));

	for (k = 0; k < 2; k++) {
		free(tcopy[k]);
		free(tcpy[k]);
		free(rcopy[k]);
	}
	free(tcmp);
	free(tload);
	free(rload);
	free(tiles);
	damage_free(&dmg);
	copyout_free(co[0]);
	copyout_free(co[1]);
	frames_close(&ff);
}

/* Write-combined memory this process could map, if the host has any. */
static void
report_wc(void)
{
	static const char *const paths[] = { "/dev/dma_heap", "/dev/udmabuf",
	    "/dev/dri" };
	struct stat st;
	unsigned int i;
	int any = 0;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (stat(paths[i], &st) == 0) {
			printf("present: %s\n", paths[i]);
			any = 1;
		}
	}
	if (!any)
		printf("write-combined memory: none here (no /dev/dma_heap, "
		    "/dev/udmabuf, /dev/dri): memfd only\n");
}

int
main(int argc, char *argv[])
{
	unsigned int runs = DEFAULT_RUNS;
	int ch;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			runs = (unsigned int)strtoul(optarg, NULL, 10);
			if (runs < MIN_RUNS)
				runs = MIN_RUNS;
			break;
		default:
			fprintf(stderr, "usage: %s [-n runs] [file.frames]\n",
			    argv[0]);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;

	report_wc();
	bench_size(1920, 1080, runs);
	bench_size(3840, 2160, runs);
	if (argc > 0)
		bench_workload(argv[0]);
	return 0;
}
