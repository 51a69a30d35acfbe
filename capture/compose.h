/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a CRTC shows, made from the framebuffers of its planes: conversion of
 * each pixel format to XRGB8888 and the composition of planes, as the
 * kernel documents them (drivers/gpu/drm/drm_blend.c, "Plane Composition
 * Properties") and as vkms computes them where vkms defines the arithmetic
 * (capture/convert.c and compose.c say where).  Pure code: no device, no
 * allocation but the work space of compose_planes(), nothing kept between
 * calls.
 *
 * Every plane state is treated as untrusted (it comes from the kernel, but a
 * bug in reading it must not crash the helper): a plane that cannot be
 * composed is refused with a reason, and nothing is ever read outside
 * fb.size[].
 */
#ifndef RAMPART_CAPTURE_COMPOSE_H
#define RAMPART_CAPTURE_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "common/blend.h"

/* One framebuffer as mapped: up to 2 planes of memory (NV12: Y then CbCr). */
struct fb_image {
	const uint8_t	*data[2];
	uint32_t	 pitch[2];	/* bytes per row of each */
	size_t		 size[2];	/* bytes mapped at data[i]: reads stay inside */
	uint32_t	 fourcc;	/* DRM_FORMAT_* */
	uint32_t	 width, height;	/* of the buffer, pixels */
};

/* DRM "pixel blend mode"; PREMULTI is the kernel default (common/blend.h). */
enum compose_blend {
	COMPOSE_BLEND_PREMULTI = BLEND_PREMULTI,
	COMPOSE_BLEND_COVERAGE = BLEND_COVERAGE,
	COMPOSE_BLEND_NONE = BLEND_NONE
};
/* DRM COLOR_ENCODING */
enum compose_yuv { COMPOSE_YUV_BT601 = 0, COMPOSE_YUV_BT709, COMPOSE_YUV_BT2020 };
/* DRM COLOR_RANGE */
enum compose_range { COMPOSE_RANGE_LIMITED = 0, COMPOSE_RANGE_FULL };

struct plane_state {
	struct fb_image	 fb;
	/* The source rectangle in the buffer, 16.16 fixed point (DRM SRC_X/Y/W/H). */
	uint32_t	 src_x, src_y, src_w, src_h;
	/* Where it lands on the CRTC, pixels (DRM CRTC_X/Y/W/H); may be partly off screen. */
	int32_t		 crtc_x, crtc_y;
	uint32_t	 crtc_w, crtc_h;
	uint32_t	 rotation;	/* DRM_MODE_ROTATE_0/90/180/270 | DRM_MODE_REFLECT_X/Y, as the property */
	uint16_t	 alpha;		/* plane alpha 0 .. 0xffff (0xffff opaque) */
	uint32_t	 blend;		/* enum compose_blend */
	uint32_t	 yuv, range;	/* for YUV formats */
	uint32_t	 zpos;		/* normalized: lower is further back */
};

/* Planes compose_planes() takes at once; a CRTC has far fewer. */
#define COMPOSE_PLANES_MAX	32
/* A screen or CRTC rectangle wider or taller than this is refused. */
#define COMPOSE_CRTC_MAX	(1u << 24)

/*
 * 1 if fourcc can be read: XRGB8888 ARGB8888 XBGR8888 ABGR8888 RGB565
 * XRGB2101010 ARGB2101010 XBGR2101010 ABGR2101010 NV12.
 */
int	compose_format_supported(uint32_t fourcc);

/*
 * Compose n planes onto a width x height XRGB8888 picture at dst (dst_stride
 * bytes a row; little-endian words 0x00RRGGBB, the X byte 0), over black, as
 * the display does.  The planes may come in any order: they are sorted by
 * zpos here, stably (equal zpos: the order given, first further back).
 *
 * Per plane, as drm_blend.c documents: the source rectangle is sampled, then
 * reflected (REFLECT_X mirrors its columns, REFLECT_Y its rows), then rotated
 * counter-clockwise, then scaled to the CRTC rectangle, then blended over
 * what lies beneath by the plane's blend mode and plane alpha:
 *
 *	None:		out = pa * fg + (1 - pa) * bg
 *	Pre-multiplied:	out = pa * fg + (1 - pa * fg.alpha) * bg
 *	Coverage:	out = pa * fg.alpha * fg + (1 - pa * fg.alpha) * bg
 *
 * Scaling is nearest neighbour (what most scanout hardware does, and the
 * only choice that keeps every pixel a pixel of the buffer): CRTC pixel i
 * of n along an axis whose reflected and rotated source extent is S (16.16)
 * shows the pixel whose cell holds (i + 1/2) * S / n in that reflected and
 * rotated picture, counted from the source origin truncated to a whole
 * pixel (vkms 6.1 takes src_x >> 16): an unscaled plane is copied pixel for
 * pixel, and no pixel outside the source rectangle's pixels is read.
 * Rotation 0 (no bit set) is taken as DRM_MODE_ROTATE_0.  A plane whose
 * CRTC rectangle is empty or entirely off the screen is not drawn (but is
 * checked all the same).
 *
 * Alpha: plane alpha 0xffff is opaque (the kernel's default; a caller
 * whose plane has no "alpha" property must set it).  The result is opaque.
 *
 * Cost: the topmost plane that covers a whole row and hides what is
 * beneath is converted straight to XRGB8888, one pass; only where planes
 * above it lie (a cursor, an overlay) is anything blended.
 *
 * Returns 0, or -1 with a reason in why (when why is not NULL) for a plane
 * that cannot be composed: unsupported format, a source rectangle empty or
 * outside the buffer, a buffer smaller than its pitch and the source
 * rectangle need, a CRTC rectangle beyond COMPOSE_CRTC_MAX, an unknown
 * rotation, blend mode or YUV encoding; for more than COMPOSE_PLANES_MAX
 * planes, a screen beyond COMPOSE_CRTC_MAX, a dst_stride below a row; or
 * for no memory.  On -1 dst is unchanged.  Nothing is read outside
 * fb.size.
 */
int	compose_planes(uint8_t *dst, size_t dst_stride, uint32_t width,
	    uint32_t height, const struct plane_state *planes, size_t n,
	    char *why, size_t whylen);

/*
 * Convert the rectangle (x, y, w, h) of src to XRGB8888 at dst, its top left
 * pixel at dst, without scaling or blending (the fast path for a single
 * full-screen plane; pixel alpha is ignored, as a plane alone over black
 * with the default pre-multiplied blending shows).  yuv and range are
 * enum compose_yuv and compose_range, for NV12.  Returns 0, or -1 when the
 * format is not supported, the rectangle is not inside the buffer, or the
 * buffer is smaller than its pitch and the rectangle need.  The result is
 * exactly what compose_planes() gives for that plane alone, unscaled.
 */
int	convert_to_xrgb8888(uint8_t *dst, size_t dst_stride,
	    const struct fb_image *src, uint32_t x, uint32_t y, uint32_t w,
	    uint32_t h, uint32_t yuv, uint32_t range);

/*
 * Turn a whole picture upright: the panel's orientation or a transform of
 * the whole output.  transform is IPC_TRANSFORM_* (common/ipc.h): a
 * counter-clockwise rotation after an optional mirror about the vertical
 * axis, describing how the captured picture src (width x height, XRGB8888)
 * must be turned; dst is width x height for 0 and 180 and height x width for
 * 90 and 270.  src and dst must not overlap.
 *
 * With W = width and H = height, the source pixel (x, y) lands at dst (X, Y):
 *
 *	transform	(X, Y) from (x, y)	(x, y) from (X, Y)
 *	NORMAL		(x, y)			(X, Y)
 *	90		(y, W-1-x)		(W-1-Y, X)
 *	180		(W-1-x, H-1-y)		(W-1-X, H-1-Y)
 *	270		(H-1-y, x)		(Y, H-1-X)
 *	FLIPPED		(W-1-x, y)		(W-1-X, Y)
 *	FLIPPED_90	(y, x)			(Y, X)
 *	FLIPPED_180	(x, H-1-y)		(X, H-1-Y)
 *	FLIPPED_270	(H-1-y, W-1-x)		(W-1-Y, H-1-X)
 *
 * (the mirror first: x' = W-1-x; then the rotation, the picture's top right
 * corner going to the top left for 90).  A pointer at (X, Y) on the turned
 * picture is at (x, y) of the capture, the right-hand column.  An unknown
 * transform (above IPC_TRANSFORM_MAX) copies nothing.
 */
void	transform_picture(uint8_t *dst, size_t dst_stride, const uint8_t *src,
	    size_t src_stride, uint32_t width, uint32_t height,
	    uint32_t transform);

#endif
