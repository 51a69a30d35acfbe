/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inside of the drm source, shared by its files:
 *   drm.c      the source: which card and outputs, their planes, frames;
 *   drm-fb.c   framebuffers: from a framebuffer id to mapped pixels;
 *   drm-writeback.c  the composed output from a writeback connector.
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
	const char	*how;		/* "dma-buf", "dumb map", "GETFB" */
	struct fb_image	 img;		/* data[] point into map */
};

#define DRM_BUFS		8

struct drm_fbs {
	int		 fd;		/* the card */
	enum drm_method	 method;
	uint64_t	 clock;		/* frames seen */
	int		 warned;	/* the method in use was logged */
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

#endif
