/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drm source's parts, shared between its files.
 */
#ifndef RAMPART_CAPTURE_DRM_H
#define RAMPART_CAPTURE_DRM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reading through EGL (drm-egl.c), for framebuffers the CPU cannot read
 * (a tiled or compressed modifier), or for all of them with
 * --capture-method egl: the buffer is imported as an EGLImage, drawn by
 * the GPU into a linear target and read back.
 */
struct drm_egl;
struct sandbox_needs;

#define DRM_EGL_MAX_PLANES	4

/* A framebuffer as the card describes it, its planes as dma-bufs. */
struct drm_egl_fb {
	uint32_t	fourcc;		/* DRM_FORMAT_* */
	/* DRM_FORMAT_MOD_*; DRM_FORMAT_MOD_INVALID: none (implicit). */
	uint64_t	modifier;
	uint32_t	width, height;
	uint32_t	nplanes;	/* 1 .. DRM_EGL_MAX_PLANES */
	struct {
		int		fd;	/* dma-buf; the caller keeps it */
		uint32_t	offset;
		uint32_t	pitch;
	} planes[DRM_EGL_MAX_PLANES];
};

/*
 * EGL on the card drm_fd (already open): the EGL device of that card
 * (EGL_EXT_platform_device), else Mesa's surfaceless platform; a GLES2
 * context; the import extensions.  Called before the sandbox: it loads
 * the driver, starts its threads and, for a driver that compiles shaders
 * to CPU code (llvmpipe), draws each common format once so that no code
 * is compiled afterwards.  NULL with the reason in why.
 */
struct drm_egl	*drm_egl_open(int drm_fd, char *why, size_t whylen);
/*
 * Write the rectangle x, y, w, h (whole pixels, inside fb) of fb as
 * XRGB8888, its X byte 0xff, into dst, dst_stride bytes a row.  Images
 * stay imported while their dma-buf is among the last few read: a
 * compositor flips between two or three.  0, or -1 with the reason in
 * why.
 */
int		 drm_egl_read(struct drm_egl *e, const struct drm_egl_fb *fb,
		    uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		    uint8_t *dst, size_t dst_stride, char *why, size_t whylen);
/*
 * What the egl method adds to the drm source's sandbox for the driver e
 * reads through: the calls it makes while reading, once drm_egl_open()
 * is done (see drm-egl.c).  NULL, with the reason in why, for a driver
 * whose calls were never measured.
 */
const struct sandbox_needs *drm_egl_needs(const struct drm_egl *e,
		    char *why, size_t whylen);

/* What the reads go through, for the log: "llvmpipe (...) via ...". */
const char	*drm_egl_describe(const struct drm_egl *e);
void		 drm_egl_close(struct drm_egl *e);

#endif
