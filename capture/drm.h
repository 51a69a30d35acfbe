/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inside of the drm source, shared by its files:
 *   drm.c      the source: which card and outputs, their planes, frames;
 *   drm-fb.c   framebuffers: from a framebuffer id to mapped pixels;
 *   drm-writeback.c  the composed output from a writeback connector;
 *   drm-egl.c  buffers the CPU cannot read, drawn back through EGL.
 */
#ifndef RAMPART_CAPTURE_DRM_H
#define RAMPART_CAPTURE_DRM_H

#include <stddef.h>
#include <stdint.h>

#include "capture/compose.h"

enum drm_method {
	DRM_METHOD_AUTO,	/* the strongest that works, per buffer */
	DRM_METHOD_MMAP,	/* GETFB2, then a dma-buf or dumb mapping */
	DRM_METHOD_EGL,		/* GETFB2, then EGL: tiled buffers */
	DRM_METHOD_GETFB,	/* legacy GETFB and a dumb mapping */
	DRM_METHOD_WRITEBACK,	/* the composed output, from the hardware */
};

/*
 * One framebuffer mapped for reading.  A plane's framebuffer is looked up
 * again every frame (a compositor flips between buffers, a VT switch
 * changes it), but the mapping is kept while the same buffer object comes
 * back: a dma-buf is known by its inode, a dumb mapping by its offset.
 */
struct drm_buf {
	uint64_t	 key;		/* 0: unused */
	int		 dmabuf;	/* -1 for a dumb mapping: no sync */
	uint8_t		*map;
	size_t		 size;
	uint64_t	 used;		/* the frame that last used it */
	uint64_t	 modifier;
	const char	*how;		/* "dma-buf", "dumb map", "GETFB", "EGL" */
	int		 drawn;		/* map is ours, drawn through EGL */
	struct fb_image	 img;		/* data[] point into map */
};

#define DRM_BUFS		8

struct drm_egl;

struct drm_fbs {
	int		 fd;		/* the card */
	enum drm_method	 method;
	uint64_t	 clock;		/* frames seen */
	int		 warned;	/* the method in use was logged */
	struct drm_egl	*egl;		/* not NULL: EGL reads what mmap cannot */
	struct drm_buf	 buf[DRM_BUFS];
};

/* No buffer mapped yet; fd stays the caller's. */
void		 drm_fb_init(struct drm_fbs *fbs, int fd, enum drm_method method);
/*
 * The mapped pixels of framebuffer fb_id, valid until drm_fb_sweep()
 * unmaps buffers that were not used for a while.  NULL with a reason in
 * why (the framebuffer is gone, its format or modifier cannot be read,
 * the process lacks CAP_SYS_ADMIN for a handle, ...).
 */
struct drm_buf	*drm_fb_get(struct drm_fbs *fbs, uint32_t fb_id, char *why,
		    size_t whylen);
/* Bracket CPU reads of a dma-buf (DMA_BUF_IOCTL_SYNC); nothing for others. */
void		 drm_fb_begin(struct drm_buf *b);
void		 drm_fb_end(struct drm_buf *b);
/* One frame is done: unmap buffers unused for some frames.  all: every one. */
void		 drm_fb_sweep(struct drm_fbs *fbs, int all);

/* A writeback connector and the buffer it writes into. */
struct drm_writeback {
	int		 fd;		/* the card */
	uint32_t	 conn_id;
	uint32_t	 prop_crtc, prop_fb, prop_fence;
	uint32_t	 crtc_id;	/* routed to, 0 before the first commit */
	uint32_t	 w, h, pitch;
	uint32_t	 handle, fb_id;
	uint8_t		*map;
	size_t		 size;
};

/* The writeback connector that CRTC crtc_id can feed; -1 with a reason. */
int		 drm_wb_open(struct drm_writeback *wb, int fd, uint32_t crtc_id,
		    char *why, size_t whylen);
/* A buffer of w x h XRGB8888 for it (again after a mode change). */
int		 drm_wb_size(struct drm_writeback *wb, uint32_t w, uint32_t h,
		    char *why, size_t whylen);
/* One frame: its pixels (wb->pitch bytes a row), or NULL with a reason. */
const uint8_t	*drm_wb_grab(struct drm_writeback *wb, uint32_t crtc_id,
		    char *why, size_t whylen);
void		 drm_wb_close(struct drm_writeback *wb);

/* The id of the property called name of an object; 0 when it has none. */
uint32_t	 drm_prop_id(int fd, uint32_t obj, uint32_t type,
		    const char *name);

/*
 * Raise CAP_SYS_ADMIN into the effective set, or lower it: the helper
 * keeps it only permitted and holds it effective only around the calls
 * that need it (GETFB2 and GETFB, for a handle to another's buffer).
 */
void		 drm_privileged(int on);

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
 * XRGB8888 into dst, dst_stride bytes a row; the X byte is the format's
 * alpha (so ARGB8888 for a format with alpha), 0xff where it has none.  Images
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
