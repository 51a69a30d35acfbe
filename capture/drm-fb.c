/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From a framebuffer id to pixels we can read, strongest way first:
 *
 *   GETFB2 gives the format, the modifier and a handle per plane of
 *   memory; the handle is exported as a dma-buf (PRIME) and mapped, and
 *   reads are bracketed with DMA_BUF_IOCTL_SYNC so that the kernel can
 *   make the memory coherent for the CPU;
 *   where the driver cannot export (VRAM helpers: bochs), the handle's
 *   dumb-buffer map offset is mapped through the card instead;
 *   kernels older than 4.4 have no GETFB2: legacy GETFB gives one handle
 *   and a depth, and the format is XRGB8888 (or RGB565, XRGB2101010) at
 *   that depth;
 *   a tiled or compressed buffer, or any with --capture-method egl, is
 *   drawn through EGL (drm-egl.c) into memory of our own, again at
 *   every frame.
 *
 * A handle to a buffer that another process (the compositor, fbcon)
 * created is given only to the DRM master or to CAP_SYS_ADMIN: the helper
 * raises that capability around these two calls and nowhere else.
 * Handles are closed at once; the mapping keeps the memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <sys/capability.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "capture/drm.h"
#include "common/log.h"

/* A mapping unused for this many frames is dropped (a compositor that
 * stopped flipping to it, or freed it). */
#define DRM_BUF_IDLE_FRAMES	16

void
drm_privileged(int on)
{
	static int warned;
	cap_value_t admin = CAP_SYS_ADMIN;
	cap_t caps;

	if ((caps = cap_get_proc()) == NULL)
		return;
	if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &admin,
	    on ? CAP_SET : CAP_CLEAR) == 0 && cap_set_proc(caps) < 0 &&
	    on && !warned) {
		/* Not ours to raise: GETFB2 then works only for the master. */
		log_debug("cannot raise CAP_SYS_ADMIN: %s", strerror(errno));
		warned = 1;
	}
	cap_free(caps);
}

/* The format of a legacy GETFB framebuffer, from its depth and bpp. */
static uint32_t
legacy_format(uint32_t depth, uint32_t bpp)
{
	if (bpp == 32 && depth == 24)
		return DRM_FORMAT_XRGB8888;
	if (bpp == 32 && depth == 32)
		return DRM_FORMAT_ARGB8888;
	if (bpp == 32 && depth == 30)
		return DRM_FORMAT_XRGB2101010;
	if (bpp == 16 && depth == 16)
		return DRM_FORMAT_RGB565;
	return 0;
}

/* What the kernel says of a framebuffer, whichever call said it. */
struct fb_info {
	uint32_t	width, height, fourcc;
	uint64_t	modifier;
	uint32_t	handles[4], pitches[4], offsets[4];
	int		legacy;
};

static int
fb_info(struct drm_fbs *fbs, uint32_t fb_id, struct fb_info *fi, char *why,
    size_t whylen)
{
	drmModeFB2Ptr fb2 = NULL;
	drmModeFBPtr fb;

	*fi = (struct fb_info){ 0 };
	drm_privileged(1);
	if (fbs->method != DRM_METHOD_GETFB &&
	    (fb2 = drmModeGetFB2(fbs->fd, fb_id)) != NULL) {
		fi->width = fb2->width;
		fi->height = fb2->height;
		fi->fourcc = fb2->pixel_format;
		fi->modifier = (fb2->flags & DRM_MODE_FB_MODIFIERS) ?
		    fb2->modifier : DRM_FORMAT_MOD_LINEAR;
		memcpy(fi->handles, fb2->handles, sizeof(fi->handles));
		memcpy(fi->pitches, fb2->pitches, sizeof(fi->pitches));
		memcpy(fi->offsets, fb2->offsets, sizeof(fi->offsets));
		drmModeFreeFB2(fb2);
	} else if (fbs->method != DRM_METHOD_GETFB && errno == ENOENT) {
		drm_privileged(0);
		snprintf(why, whylen, "framebuffer %u is gone", fb_id);
		return -1;
	} else if ((fb = drmModeGetFB(fbs->fd, fb_id)) != NULL) {
		/* No GETFB2 (before Linux 4.4), or asked for GETFB. */
		fi->width = fb->width;
		fi->height = fb->height;
		fi->fourcc = legacy_format(fb->depth, fb->bpp);
		fi->modifier = DRM_FORMAT_MOD_LINEAR;
		fi->handles[0] = fb->handle;
		fi->pitches[0] = fb->pitch;
		fi->legacy = 1;
		if (fi->fourcc == 0) {
			snprintf(why, whylen, "framebuffer %u has depth %u at "
			    "%u bpp, which rampart cannot read", fb_id,
			    fb->depth, fb->bpp);
			drmModeFreeFB(fb);
			drm_privileged(0);
			return -1;
		}
		drmModeFreeFB(fb);
	} else {
		drm_privileged(0);
		snprintf(why, whylen, "framebuffer %u: %s", fb_id,
		    strerror(errno));
		return -1;
	}
	drm_privileged(0);
	if (fi->handles[0] == 0) {
		snprintf(why, whylen, "the kernel gave no handle to framebuffer "
		    "%u: rampart-capture needs CAP_SYS_ADMIN or DRM master",
		    fb_id);
		return -1;
	}
	return 0;
}

static void
close_handles(struct drm_fbs *fbs, const struct fb_info *fi)
{
	for (int i = 0; i < 4; i++) {
		int seen = 0;

		for (int j = 0; j < i; j++)
			seen |= fi->handles[j] == fi->handles[i];
		if (fi->handles[i] != 0 && !seen)
			drmCloseBufferHandle(fbs->fd, fi->handles[i]);
	}
}

static struct drm_buf *
buf_find(struct drm_fbs *fbs, uint64_t key)
{
	for (int i = 0; i < DRM_BUFS; i++)
		if (fbs->buf[i].key == key)
			return &fbs->buf[i];
	return NULL;
}

static void
buf_unmap(struct drm_buf *b)
{
	if (b->drawn)
		free(b->map);
	else if (b->map != NULL)
		munmap(b->map, b->size);
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	*b = (struct drm_buf){ .dmabuf = -1 };
}

/* A free entry: an unused one, else the least recently used. */
static struct drm_buf *
buf_slot(struct drm_fbs *fbs)
{
	struct drm_buf *lru = &fbs->buf[0];

	for (int i = 0; i < DRM_BUFS; i++) {
		if (fbs->buf[i].key == 0)
			return &fbs->buf[i];
		if (fbs->buf[i].used < lru->used)
			lru = &fbs->buf[i];
	}
	buf_unmap(lru);
	return lru;
}

/*
 * Map the buffer object of the first handle: as a dma-buf, known by its
 * inode, or through the card at its dumb map offset.  Returns the entry,
 * possibly one mapped before.
 */
static struct drm_buf *
buf_map(struct drm_fbs *fbs, const struct fb_info *fi, char *why,
    size_t whylen)
{
	struct drm_mode_map_dumb dumb = { .handle = fi->handles[0] };
	struct drm_buf *b;
	struct stat st;
	off_t end;
	int fd;

	if (!fi->legacy &&
	    drmPrimeHandleToFD(fbs->fd, fi->handles[0], DRM_CLOEXEC, &fd) == 0) {
		/* The same buffer object exports the same dma-buf. */
		if (fstat(fd, &st) < 0 || (end = lseek(fd, 0, SEEK_END)) <= 0) {
			snprintf(why, whylen, "dma-buf of framebuffer: %s",
			    strerror(errno));
			close(fd);
			return NULL;
		}
		if ((b = buf_find(fbs, (uint64_t)st.st_ino << 1)) != NULL) {
			close(fd);
			return b;
		}
		b = buf_slot(fbs);
		b->map = mmap(NULL, (size_t)end, PROT_READ, MAP_SHARED, fd, 0);
		if (b->map == MAP_FAILED) {
			/* Some exporters cannot be mapped: try the card. */
			log_debug("mmap of a dma-buf: %s", strerror(errno));
			b->map = NULL;
			close(fd);
		} else {
			b->key = (uint64_t)st.st_ino << 1;
			b->dmabuf = fd;
			b->size = (size_t)end;
			b->how = "dma-buf";
			return b;
		}
	}
	if (drmIoctl(fbs->fd, DRM_IOCTL_MODE_MAP_DUMB, &dumb) < 0) {
		snprintf(why, whylen, "neither a dma-buf nor a dumb map offset "
		    "for the framebuffer: %s", strerror(errno));
		return NULL;
	}
	if ((b = buf_find(fbs, dumb.offset | 1)) != NULL)
		return b;
	b = buf_slot(fbs);
	b->size = (size_t)fi->offsets[0] + (size_t)fi->pitches[0] * fi->height;
	if (fi->fourcc == DRM_FORMAT_NV12)
		b->size = (size_t)fi->offsets[1] +
		    (size_t)fi->pitches[1] * ((fi->height + 1) / 2);
	b->map = mmap(NULL, b->size, PROT_READ, MAP_SHARED, fbs->fd,
	    (off_t)dumb.offset);
	if (b->map == MAP_FAILED) {
		snprintf(why, whylen, "mmap of the framebuffer: %s",
		    strerror(errno));
		*b = (struct drm_buf){ .dmabuf = -1 };
		return NULL;
	}
	b->key = dumb.offset | 1;
	b->how = fi->legacy ? "GETFB" : "dumb map";
	return b;
}

/*
 * Read the framebuffer through EGL into memory of our own: its planes are
 * exported as dma-bufs for drm_egl_read(), which draws the whole buffer
 * back as XRGB8888 (ARGB8888 for a format with alpha, which composition
 * then blends).  The entry is kept by the dma-buf's inode, as a mapping
 * is, but its pixels are read again at every frame.
 */
static struct drm_buf *
buf_egl(struct drm_fbs *fbs, const struct fb_info *fi, char *why,
    size_t whylen)
{
	struct drm_egl_fb efb = { .fourcc = fi->fourcc,
	    .modifier = fi->modifier, .width = fi->width,
	    .height = fi->height };
	size_t size = (size_t)fi->width * fi->height * 4;
	struct drm_buf *b = NULL;
	struct stat st;
	int fds[4] = { -1, -1, -1, -1 }, i, j;

	for (i = 0; i < 4 && fi->handles[i] != 0; i++) {
		/* Planes in one buffer object share its dma-buf. */
		for (j = 0; j < i && fi->handles[j] != fi->handles[i]; j++)
			;
		if (j < i)
			efb.planes[i].fd = efb.planes[j].fd;
		else if (drmPrimeHandleToFD(fbs->fd, fi->handles[i],
		    DRM_CLOEXEC, &fds[i]) < 0) {
			snprintf(why, whylen, "the framebuffer's plane %d "
			    "cannot be a dma-buf for EGL: %s", i,
			    strerror(errno));
			goto out;
		} else
			efb.planes[i].fd = fds[i];
		efb.planes[i].offset = fi->offsets[i];
		efb.planes[i].pitch = fi->pitches[i];
		efb.nplanes = (uint32_t)i + 1;
	}
	if (fstat(efb.planes[0].fd, &st) < 0) {
		snprintf(why, whylen, "dma-buf of framebuffer: %s",
		    strerror(errno));
		goto out;
	}
	if ((b = buf_find(fbs, (uint64_t)st.st_ino << 1)) != NULL &&
	    (!b->drawn || b->size != size))
		buf_unmap(b);
	if (b == NULL || b->key == 0) {
		b = buf_slot(fbs);
		if ((b->map = malloc(size)) == NULL) {
			snprintf(why, whylen, "out of memory for a %ux%u "
			    "framebuffer", fi->width, fi->height);
			b = NULL;
			goto out;
		}
		b->key = (uint64_t)st.st_ino << 1;
		b->size = size;
		b->drawn = 1;
		b->how = "EGL";
	}
	if (drm_egl_read(fbs->egl, &efb, 0, 0, fi->width, fi->height, b->map,
	    (size_t)fi->width * 4, why, whylen) < 0) {
		buf_unmap(b);
		b = NULL;
		goto out;
	}
	b->modifier = fi->modifier;
	b->img = (struct fb_image){ .width = fi->width, .height = fi->height,
	    .fourcc = fi->fourcc == DRM_FORMAT_ARGB8888 ||
	    fi->fourcc == DRM_FORMAT_ABGR8888 ||
	    fi->fourcc == DRM_FORMAT_ARGB2101010 ||
	    fi->fourcc == DRM_FORMAT_ABGR2101010 ?
	    DRM_FORMAT_ARGB8888 : DRM_FORMAT_XRGB8888,
	    .data = { b->map }, .pitch = { fi->width * 4 },
	    .size = { size } };
out:
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return b;
}

/* The image of the buffer, checked against the mapping. */
static int
buf_image(struct drm_buf *b, const struct fb_info *fi, char *why,
    size_t whylen)
{
	int planes = fi->fourcc == DRM_FORMAT_NV12 ? 2 : 1;

	b->img = (struct fb_image){ .fourcc = fi->fourcc, .width = fi->width,
	    .height = fi->height };
	b->modifier = fi->modifier;
	if (planes == 2 && fi->handles[1] != fi->handles[0]) {
		snprintf(why, whylen, "an NV12 framebuffer in two buffer "
		    "objects, which rampart cannot read");
		return -1;
	}
	for (int i = 0; i < planes; i++) {
		if (fi->offsets[i] >= b->size || fi->pitches[i] == 0) {
			snprintf(why, whylen, "plane %d of the framebuffer at "
			    "offset %u, pitch %u, outside its %zu bytes", i,
			    fi->offsets[i], fi->pitches[i], b->size);
			return -1;
		}
		b->img.data[i] = b->map + fi->offsets[i];
		b->img.pitch[i] = fi->pitches[i];
		b->img.size[i] = b->size - fi->offsets[i];
	}
	return 0;
}

void
drm_fb_init(struct drm_fbs *fbs, int fd, enum drm_method method)
{
	*fbs = (struct drm_fbs){ .fd = fd, .method = method };
	for (int i = 0; i < DRM_BUFS; i++)
		fbs->buf[i].dmabuf = -1;
}

struct drm_buf *
drm_fb_get(struct drm_fbs *fbs, uint32_t fb_id, char *why, size_t whylen)
{
	struct fb_info fi;
	struct drm_buf *b;

	if (fb_info(fbs, fb_id, &fi, why, whylen) < 0)
		return NULL;
	if (!compose_format_supported(fi.fourcc)) {
		snprintf(why, whylen, "framebuffer %u is %.4s, which rampart "
		    "cannot read", fb_id, (const char *)&fi.fourcc);
		b = NULL;
	} else if (fbs->egl != NULL && (fbs->method == DRM_METHOD_EGL ||
	    fi.modifier != DRM_FORMAT_MOD_LINEAR))
		b = buf_egl(fbs, &fi, why, whylen);
	else if (fi.modifier != DRM_FORMAT_MOD_LINEAR) {
		snprintf(why, whylen, "framebuffer %u is tiled or compressed "
		    "(modifier 0x%016llx): it needs --capture-method egl",
		    fb_id, (unsigned long long)fi.modifier);
		b = NULL;
	} else if ((b = buf_map(fbs, &fi, why, whylen)) != NULL &&
	    buf_image(b, &fi, why, whylen) < 0) {
		buf_unmap(b);
		b = NULL;
	}
	close_handles(fbs, &fi);
	if (b == NULL)
		return NULL;
	b->used = fbs->clock;
	if (!fbs->warned) {
		log_info("reading framebuffers by %s", b->how);
		fbs->warned = 1;
	}
	return b;
}

static void
buf_sync(struct drm_buf *b, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };

	if (b->dmabuf >= 0 && drmIoctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &sync) < 0)
		log_debug("DMA_BUF_IOCTL_SYNC: %s", strerror(errno));
}

void
drm_fb_begin(struct drm_buf *b)
{
	buf_sync(b, DMA_BUF_SYNC_START);
}

void
drm_fb_end(struct drm_buf *b)
{
	buf_sync(b, DMA_BUF_SYNC_END);
}

void
drm_fb_sweep(struct drm_fbs *fbs, int all)
{
	for (int i = 0; i < DRM_BUFS; i++) {
		struct drm_buf *b = &fbs->buf[i];

		if (b->key != 0 &&
		    (all || fbs->clock - b->used > DRM_BUF_IDLE_FRAMES))
			buf_unmap(b);
	}
	fbs->clock++;
}
