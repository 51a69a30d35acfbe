/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cost of composing and converting a 1920x1080 screen, against a plain
 * copy of the frame (memcpy), the least any capture costs.
 *
 *	compose-bench [-n runs] [-o only]
 *
 * -o runs only the figures whose name holds the word only (and memcpy).
 * Each figure is the median of the runs, in the thread's CPU time (so that
 * a busy machine's preemptions do not count; its shared caches still do),
 * the same buffers every run (a 1080p frame is 8 MB, larger than most
 * caches: this is near memory speed anyway).  The planes: an XR24 primary, an AR24 640x480 overlay of
 * mixed alpha, an AR24 64x64 cursor (an arrow: opaque, transparent and
 * edges), as a desktop with a video window and a pointer.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <drm_mode.h>

#include "capture/compose.h"
#include "common/ipc.h"
#include "bench/bench.h"

#define W		1920
#define H		1080
#define DEFAULT_RUNS	101

static uint32_t seed = 12345;

static uint32_t
rnd(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 8;
}

static void
fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* Pre-multiplied pixels of alpha a: colours no larger than a. */
static void
premultiply(uint8_t *p, size_t npix, int mixed)
{
	size_t i;
	uint32_t a;
	int k;

	for (i = 0; i < npix; i++, p += 4) {
		a = mixed ? (rnd() % 3 == 0 ? 255 : rnd() & 0xff) : p[3];
		p[3] = (uint8_t)a;
		for (k = 0; k < 3; k++)
			p[k] = (uint8_t)(p[k] * a / 255);
	}
}

/* A 64x64 arrow: a triangle opaque, its edge half, the rest clear. */
static void
arrow(uint8_t *p)
{
	uint32_t x, y, a;

	for (y = 0; y < 64; y++) {
		for (x = 0; x < 64; x++, p += 4) {
			a = x < y / 2 ? 255 : x == y / 2 ? 128 : 0;
			p[0] = p[1] = p[2] = (uint8_t)(a == 255 && x > 1 &&
			    x + 1 < y / 2 ? 255 : 0) * (a != 0);
			p[3] = (uint8_t)a;
		}
	}
}

static void
fb_set(struct fb_image *fb, const uint8_t *data, uint32_t fourcc,
    uint32_t w, uint32_t h, uint32_t cpp)
{
	memset(fb, 0, sizeof(*fb));
	fb->data[0] = data;
	fb->pitch[0] = w * cpp;
	fb->size[0] = (size_t)w * cpp * h;
	fb->fourcc = fourcc;
	fb->width = w;
	fb->height = h;
}

static void
plane_set(struct plane_state *ps, const struct fb_image *fb, int32_t x,
    int32_t y, uint32_t zpos)
{
	memset(ps, 0, sizeof(*ps));
	ps->fb = *fb;
	ps->src_w = fb->width << 16;
	ps->src_h = fb->height << 16;
	ps->crtc_x = x;
	ps->crtc_y = y;
	ps->crtc_w = fb->width;
	ps->crtc_h = fb->height;
	ps->rotation = DRM_MODE_ROTATE_0;
	ps->alpha = 0xffff;
	ps->zpos = zpos;
}

enum job { J_MEMCPY, J_COMPOSE, J_CONVERT, J_TURN };

struct run {
	const char		*name;
	enum job		 job;
	const struct plane_state *planes;
	size_t			 n;
	const struct fb_image	*fb;
	uint32_t		 yuv;
};

static double
measure(const struct run *r, uint8_t *dst, const uint8_t *src,
    unsigned int runs)
{
	double *t = calloc(runs, sizeof(double)), m, t0;
	char why[200];
	unsigned int i;

	for (i = 0; i < runs; i++) {
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		switch (r->job) {
		case J_MEMCPY:
			memcpy(dst, src, (size_t)W * H * 4);
			break;
		case J_COMPOSE:
			if (compose_planes(dst, W * 4, W, H, r->planes, r->n,
			    why, sizeof(why))) {
				fprintf(stderr, "%s: %s\n", r->name, why);
				exit(1);
			}
			break;
		case J_CONVERT:
			if (convert_to_xrgb8888(dst, W * 4, r->fb, 0, 0, W, H,
			    r->yuv, COMPOSE_RANGE_LIMITED)) {
				fprintf(stderr, "%s: refused\n", r->name);
				exit(1);
			}
			break;
		case J_TURN:
			transform_picture(dst, H * 4, src, W * 4, W, H,
			    IPC_TRANSFORM_90);
			break;
		}
		t[i] = bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	}
	m = bench_median(t, runs);
	free(t);
	return m;
}

int
main(int argc, char **argv)
{
	struct fb_image prim, ovl, cur, rgb565, xr30, nv12;
	struct plane_state three[3], two[2];
	uint8_t *dst, *p_prim, *p_ovl, *p_cur, *p_565, *p_xr30, *p_y, *p_uv;
	unsigned int runs = DEFAULT_RUNS, i;
	const char *only = NULL;
	double copy, ms;
	int ch;

	while ((ch = getopt(argc, argv, "n:o:")) != -1) {
		switch (ch) {
		case 'n':
			runs = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: compose-bench [-n runs] "
			    "[-o only]\n");
			return 2;
		}
	}
	if (runs == 0)
		runs = 1;

	dst = bench_alloc((size_t)W * H * 4);
	p_prim = bench_alloc((size_t)W * H * 4);
	p_ovl = bench_alloc(640 * 480 * 4);
	p_cur = bench_alloc(64 * 64 * 4);
	p_565 = bench_alloc((size_t)W * H * 2);
	p_xr30 = bench_alloc((size_t)W * H * 4);
	p_y = bench_alloc((size_t)W * H);
	p_uv = bench_alloc((size_t)W * H / 2);
	fill(p_prim, (size_t)W * H * 4);
	fill(p_ovl, 640 * 480 * 4);
	premultiply(p_ovl, 640 * 480, 1);
	arrow(p_cur);
	fill(p_565, (size_t)W * H * 2);
	fill(p_xr30, (size_t)W * H * 4);
	fill(p_y, (size_t)W * H);
	fill(p_uv, (size_t)W * H / 2);

	fb_set(&prim, p_prim, DRM_FORMAT_XRGB8888, W, H, 4);
	fb_set(&ovl, p_ovl, DRM_FORMAT_ARGB8888, 640, 480, 4);
	fb_set(&cur, p_cur, DRM_FORMAT_ARGB8888, 64, 64, 4);
	fb_set(&rgb565, p_565, DRM_FORMAT_RGB565, W, H, 2);
	fb_set(&xr30, p_xr30, DRM_FORMAT_XRGB2101010, W, H, 4);
	fb_set(&nv12, p_y, DRM_FORMAT_NV12, W, H, 1);
	nv12.data[1] = p_uv;
	nv12.pitch[1] = W;
	nv12.size[1] = (size_t)W * H / 2;

	plane_set(&three[0], &prim, 0, 0, 0);
	plane_set(&three[1], &ovl, 400, 300, 1);
	plane_set(&three[2], &cur, 1000, 500, 2);
	plane_set(&two[0], &prim, 0, 0, 0);
	plane_set(&two[1], &cur, 1000, 500, 1);

	const struct run list[] = {
		{ "memcpy of the frame", J_MEMCPY, NULL, 0, NULL, 0 },
		{ "compose XR24 primary alone", J_COMPOSE, three, 1, NULL, 0 },
		{ "compose primary + 64x64 AR24 cursor", J_COMPOSE, two, 2,
		    NULL, 0 },
		{ "compose primary + 640x480 AR24 overlay + cursor", J_COMPOSE,
		    three, 3, NULL, 0 },
		{ "convert XR24", J_CONVERT, NULL, 0, &prim, 0 },
		{ "convert RG16 (RGB565)", J_CONVERT, NULL, 0, &rgb565, 0 },
		{ "convert XR30 (XRGB2101010)", J_CONVERT, NULL, 0, &xr30, 0 },
		{ "convert NV12 (BT.709 limited)", J_CONVERT, NULL, 0, &nv12,
		    COMPOSE_YUV_BT709 },
		{ "transform_picture 90", J_TURN, NULL, 0, NULL, 0 },
	};

	printf("1920x1080, median of %u runs\n", runs);
	copy = measure(&list[0], dst, p_prim, runs);
	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (i > 0 && only != NULL && strstr(list[i].name, only) == NULL)
			continue;
		ms = i == 0 ? copy : measure(&list[i], dst, p_prim, runs);
		printf("%-50s %7.2f ms  %5.2fx memcpy\n", list[i].name,
		    ms / 1e6, ms / copy);
	}
	return 0;
}
