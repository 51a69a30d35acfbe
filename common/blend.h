/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blending a picture with alpha over what lies beneath it, as DRM
 * documents a plane's "pixel blend mode" (drivers/gpu/drm/drm_blend.c) and
 * in vkms's 16-bit arithmetic.  One implementation for the two places
 * that blend: the capture helper's composition of planes
 * (capture/compose.c) and the broker, which draws the cursor into the
 * frames of viewers that cannot draw it themselves (broker/cursor.c).
 * Were they two, a viewer's pointer could differ from the one the display
 * shows by a rounding.
 */
#ifndef RAMPART_COMMON_BLEND_H
#define RAMPART_COMMON_BLEND_H

#include <stddef.h>
#include <stdint.h>

/*
 * DRM "pixel blend mode", the kernel's enum values (the capture helper
 * passes the property on as it reads it).  PREMULTI is the kernel's
 * default.
 */
enum blend_mode {
	BLEND_PREMULTI = 0,
	BLEND_COVERAGE,
	BLEND_NONE
};
#define BLEND_MODE_MAX	BLEND_NONE

/* A pixel to blend: each channel 0 .. 0xffff, colour as the format stores it. */
struct px16 {
	uint16_t	b, g, r, a;
};

/* 16 bits a channel to 8, rounded to nearest as vkms writes XRGB8888. */
static inline uint8_t
px16_to_8(uint32_t v)
{
	return (uint8_t)((v + 128) / 257);
}

/*
 * Blend n pixels fg over acc, in place, by mode (enum blend_mode) and
 * plane alpha pa (0 .. 0xffff, 0xffff opaque), with M = 0xffff for 1.0:
 *
 *	None:		out = pa * fg + (1 - pa) * bg
 *	Pre-multiplied:	out = pa * fg + (1 - pa * fg.alpha) * bg
 *	Coverage:	out = pa * fg.alpha * fg + (1 - pa * fg.alpha) * bg
 *
 * each channel rounded to nearest once, a sum above M clamped (an invalid
 * pre-multiplied colour larger than its alpha).  acc's alpha is left as
 * it is: the result is opaque.
 */
void	blend_span(struct px16 *acc, const struct px16 *fg, uint32_t n,
	    uint32_t pa, uint32_t mode);

/*
 * Blend the ARGB8888 picture img (w x h, rows packed, little-endian words
 * 0xAARRGGBB) with its top left corner at (x, y), which may lie off the
 * picture, over the XRGB8888 picture dst (width x height, stride bytes a
 * row), by mode at plane alpha 0xffff: what compose_planes() gives for an
 * unscaled, unturned ARGB8888 plane over a picture of opaque pixels.  The
 * X byte of the pixels written is 0; pixels outside img are not touched.
 */
void	blend_argb_over(uint8_t *dst, size_t stride, uint32_t width,
	    uint32_t height, const uint32_t *img, uint32_t w, uint32_t h,
	    int64_t x, int64_t y, uint32_t mode);

#endif
