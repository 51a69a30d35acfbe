/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fbdev source spends on one 1920x1080 frame, by depth: the
 * visible part of a framebuffer in memory to XRGB8888 (fbdev_copy_view),
 * against a memcpy of the same output size in the same run.
 *
 *	fbdev-bench [-n runs]
 *
 * Each figure is the median of the runs, in milliseconds.  The
 * framebuffer here is ordinary memory: a device's uncached or
 * write-combined memory is slower to read, which the memcpy line does
 * not show either.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/fbdev.h"
#include "bench/bench.h"

#define W		1920
#define H		1080
#define DEFAULT_RUNS	101

struct depth {
	const char	*name;
	uint32_t	 bpp;
	uint32_t	 ro, rl, go, gl, bo, bl;
};

static const struct depth depths[] = {
	{ "RGB565 (16 bpp)", 16, 11, 5, 5, 6, 0, 5 },
	{ "RGB888 (24 bpp)", 24, 16, 8, 8, 8, 0, 8 },
	{ "XRGB8888 (copied)", 32, 16, 8, 8, 8, 0, 8 },
	{ "XBGR8888 (converted)", 32, 0, 8, 8, 8, 16, 8 },
	{ "XRGB2101010", 32, 20, 10, 10, 10, 0, 10 },
};

int
main(int argc, char **argv)
{
	struct fb_var_screeninfo v = { 0 };
	struct fb_fix_screeninfo f = { 0 };
	struct fbdev_format fmt;
	uint8_t *map, *dst, *row;
	double *t, t0;
	char why[256];
	int runs = DEFAULT_RUNS, ch;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || (runs = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: fbdev-bench [-n runs]\n");
			return 2;
		}
	}
	map = malloc((size_t)W * 4 * H);
	dst = malloc((size_t)W * 4 * H);
	row = malloc((size_t)W * 4);
	t = calloc((size_t)runs, sizeof(*t));
	if (map == NULL || dst == NULL || row == NULL || t == NULL)
		return 1;
	srand(1);
	for (size_t i = 0; i < (size_t)W * 4 * H; i++)
		map[i] = (uint8_t)rand();

	for (int i = 0; i < runs; i++) {
		t0 = (bench_ns(CLOCK_MONOTONIC) / 1e6);
		memcpy(dst, map, (size_t)W * 4 * H);
		t[i] = (bench_ns(CLOCK_MONOTONIC) / 1e6) - t0;
	}
	printf("%-22s %7.3f ms\n", "memcpy of 1920x1080x4", bench_median(t, (size_t)(runs)));

	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		const struct depth *p = &depths[d];

		v = (struct fb_var_screeninfo){ .xres = W, .yres = H,
		    .xres_virtual = W, .yres_virtual = H,
		    .bits_per_pixel = p->bpp, .red = { p->ro, p->rl, 0 },
		    .green = { p->go, p->gl, 0 }, .blue = { p->bo, p->bl, 0 } };
		f = (struct fb_fix_screeninfo){ .type = FB_TYPE_PACKED_PIXELS,
		    .visual = FB_VISUAL_TRUECOLOR,
		    .line_length = W * p->bpp / 8 };
		if (fbdev_format_init(&fmt, &v, &f, why, sizeof(why)) < 0 ||
		    fbdev_view_check(&v, &f, (size_t)W * 4 * H, why,
		    sizeof(why)) < 0) {
			fprintf(stderr, "%s: %s\n", p->name, why);
			return 1;
		}
		for (int i = 0; i < runs; i++) {
			t0 = (bench_ns(CLOCK_MONOTONIC) / 1e6);
			fbdev_copy_view(&fmt, dst, map, &v, &f, row);
			t[i] = (bench_ns(CLOCK_MONOTONIC) / 1e6) - t0;
		}
		printf("%-22s %7.3f ms\n", p->name, bench_median(t, (size_t)(runs)));
	}
	free(t);
	free(row);
	free(dst);
	free(map);
	return 0;
}
