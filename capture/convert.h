/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pixel formats compose.c reads, inside the capture library: what each
 * format is, where its pixels lie, and rows of pixels decoded either to
 * XRGB8888 (a plane shown as it is) or to 16-bit ARGB (a plane to blend).
 * The public functions are in capture/compose.h.
 */
#ifndef RAMPART_CAPTURE_CONVERT_H
#define RAMPART_CAPTURE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/compose.h"
#include "common/blend.h"

enum fmt_kind {
	FMT_RGB8888,		/* 32 bits: x/a:R:G:B 8:8:8:8, little endian */
	FMT_BGR8888,		/* 32 bits: x/a:B:G:R 8:8:8:8 */
	FMT_RGB565,		/* 16 bits: R:G:B 5:6:5 */
	FMT_RGB2101010,		/* 32 bits: x/a:R:G:B 2:10:10:10 */
	FMT_BGR2101010,		/* 32 bits: x/a:B:G:R 2:10:10:10 */
	FMT_NV12,		/* Y plane, then a CbCr plane at half size both ways */
};

struct fmt_info {
	uint32_t	fourcc;
	uint8_t		kind;		/* enum fmt_kind */
	uint8_t		cpp;		/* bytes a pixel of plane 0 */
	uint8_t		alpha;		/* 1: has pixel alpha */
	uint8_t		yuv;		/* 1: YUV (COLOR_ENCODING, COLOR_RANGE apply) */
};

/* YUV to RGB, per sample value, in 1/4096 of a 16-bit output step. */
#define YUV_SHIFT	12
struct yuv_tab {
	int32_t		y[256];
	int32_t		rv[256], gu[256], gv[256], bu[256];
};

const struct fmt_info *fmt_lookup(uint32_t);
void	yuv_tab_init(struct yuv_tab *, uint32_t, uint32_t);

/*
 * Check that the pixels of rows r0 .. r1 and columns c0 .. c1 (inclusive) of
 * fb lie inside fb->size; -1 with a reason if not.
 */
int	fb_check(const struct fb_image *, const struct fmt_info *, uint32_t,
	    uint32_t, uint32_t, uint32_t, char *, size_t);

/* n pixels of one row from column col on, to XRGB8888 words (X byte 0). */
void	row_to_xrgb(const struct fb_image *, const struct fmt_info *,
	    const struct yuv_tab *, uint32_t, uint32_t, uint32_t, uint8_t *);

/*
 * n pixels at the rows and columns of a map: pixel k is (fixed, map[k])
 * (row, column), or (map[k], fixed) when map_is_row.  Each (row, column)
 * must have passed fb_check().
 */
void	gather_xrgb(const struct fb_image *, const struct fmt_info *,
	    const struct yuv_tab *, uint32_t, const uint32_t *, int, uint32_t,
	    uint8_t *);
void	gather_px16(const struct fb_image *, const struct fmt_info *,
	    const struct yuv_tab *, uint32_t, const uint32_t *, int, uint32_t,
	    struct px16 *);

#endif
