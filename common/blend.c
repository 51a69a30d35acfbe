/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "common/blend.h"

/*
 * drm_blend.c's formulas in 16-bit fixed point with M = 0xffff for 1.0,
 * rounded to nearest once:
 *
 *	out = (ws * fg + wd * bg + M^2 / 2) / M^2
 *
 *	None:		ws = pa * M	wd = M^2 - pa * M
 *	Pre-multiplied:	ws = pa * M	wd = M^2 - pa * fg.alpha
 *	Coverage:	ws = pa * fg.alpha	wd = M^2 - pa * fg.alpha
 *
 * With pa = M (vkms 6.1 has no plane alpha property) pre-multiplied is
 * exactly vkms's pre_mul_blend_channel() (drivers/gpu/drm/vkms/
 * vkms_composer.c, Linux 6.1): DIV_ROUND_CLOSEST(fg * M + bg *
 * (M - alpha), M), the same fraction rounded the same way.  A
 * pre-multiplied colour larger than its alpha (invalid) would overflow
 * vkms's u32; here the sum is clamped to M.
 */

#define M	0xffffu
#define M2	((uint64_t)M * M)

static inline uint16_t
mix(uint32_t fg, uint32_t bg, uint64_t ws, uint64_t wd)
{
	uint64_t v = (ws * fg + wd * bg + M2 / 2) / M2;

	return v > M ? M : (uint16_t)v;
}

/*
 * No branch per pixel: the arithmetic is exact at the ends (ws = M^2, wd
 * = 0 gives fg; ws = 0, wd = M^2 gives bg), and a branch on alpha costs
 * more than the multiplications where alpha varies from pixel to pixel.
 */
#define BLEND_LOOP(WS, WD)						\
	for (k = 0; k < n; k++) {					\
		ws = (WS);						\
		wd = (WD);						\
		acc[k].r = mix(fg[k].r, acc[k].r, ws, wd);		\
		acc[k].g = mix(fg[k].g, acc[k].g, ws, wd);		\
		acc[k].b = mix(fg[k].b, acc[k].b, ws, wd);		\
	}

void
blend_span(struct px16 *acc, const struct px16 *fg, uint32_t n, uint32_t pa,
    uint32_t mode)
{
	uint64_t ws, wd, pam = (uint64_t)pa * M;
	uint32_t k;

	switch (mode) {
	case BLEND_NONE:
		BLEND_LOOP(pam, M2 - pam);
		break;
	case BLEND_COVERAGE:
		BLEND_LOOP((uint64_t)pa * fg[k].a, M2 - ws);
		break;
	default:
		BLEND_LOOP(pam, M2 - (uint64_t)pa * fg[k].a);
		break;
	}
}

/* A span at a time: a cursor is at most 256 pixels wide. */
#define SPAN	256

void
blend_argb_over(uint8_t *dst, size_t stride, uint32_t width, uint32_t height,
    const uint32_t *img, uint32_t w, uint32_t h, int64_t x, int64_t y,
    uint32_t mode)
{
	struct px16 acc[SPAN], fg[SPAN];
	int64_t x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
	int64_t x1 = x + w, y1 = y + h;

	if (x1 > width)
		x1 = width;
	if (y1 > height)
		y1 = height;
	for (int64_t row = y0; row < y1; row++) {
		const uint32_t *src = img + (size_t)(row - y) * w;

		for (int64_t at = x0; at < x1; at += SPAN) {
			uint32_t n = x1 - at > SPAN ? SPAN : (uint32_t)(x1 - at);
			uint8_t *p = dst + (size_t)row * stride + (size_t)at * 4;

			/* 8 bits to 16: c * 257, as the composition reads
			 * an XRGB8888 or ARGB8888 plane. */
			for (uint32_t k = 0; k < n; k++) {
				uint32_t v = src[at - x + k];

				acc[k] = (struct px16){ .b = p[4 * k] * 257,
				    .g = p[4 * k + 1] * 257,
				    .r = p[4 * k + 2] * 257, .a = M };
				fg[k] = (struct px16){
				    .b = (v & 0xff) * 257,
				    .g = ((v >> 8) & 0xff) * 257,
				    .r = ((v >> 16) & 0xff) * 257,
				    .a = (v >> 24) * 257 };
			}
			blend_span(acc, fg, n, M, mode);
			for (uint32_t k = 0; k < n; k++) {
				p[4 * k] = px16_to_8(acc[k].b);
				p[4 * k + 1] = px16_to_8(acc[k].g);
				p[4 * k + 2] = px16_to_8(acc[k].r);
				p[4 * k + 3] = 0;
			}
		}
	}
}
