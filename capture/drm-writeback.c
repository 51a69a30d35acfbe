/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --capture-method writeback: the composed output exactly as the display
 * hardware produces it, where the driver has a writeback connector (vkms
 * with enable_writeback=1, several SoCs).  Instead of reading planes and
 * composing them ourselves, we attach the writeback connector to the
 * output's CRTC and give it a buffer of ours each frame; the hardware
 * writes what it scans out into it and signals a fence when done.
 *
 * The price: an atomic commit per frame, which only the DRM master may
 * make.  We take master (CAP_SYS_ADMIN) around each commit and give it
 * back at once, so a compositor can still start; while a compositor holds
 * master the method cannot work, and the frame says so.  The first commit
 * routes the connector to the CRTC, a modeset (ALLOW_MODESET), once.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "capture/drm.h"
#include "common/log.h"

#define WB_FENCE_MS		1000

/* 1 when the writeback connector conn can be fed by CRTC index idx. */
static int
wb_reaches(int fd, drmModeConnectorPtr c, int idx)
{
	for (int i = 0; i < c->count_encoders; i++) {
		drmModeEncoderPtr e = drmModeGetEncoder(fd, c->encoders[i]);
		int ok = e != NULL && (e->possible_crtcs & (1u << idx));

		drmModeFreeEncoder(e);
		if (ok)
			return 1;
	}
	return 0;
}

int
drm_wb_open(struct drm_writeback *wb, int fd, uint32_t crtc_id, char *why,
    size_t whylen)
{
	drmModeResPtr res;
	int idx = -1;

	*wb = (struct drm_writeback){ .fd = fd };
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) < 0) {
		snprintf(why, whylen, "the driver has no writeback connectors");
		return -1;
	}
	if ((res = drmModeGetResources(fd)) == NULL) {
		snprintf(why, whylen, "resources: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < res->count_crtcs; i++)
		if (res->crtcs[i] == crtc_id)
			idx = i;
	for (int i = 0; i < res->count_connectors && wb->conn_id == 0; i++) {
		drmModeConnectorPtr c;

		c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
		if (c != NULL && idx >= 0 &&
		    c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK &&
		    wb_reaches(fd, c, idx))
			wb->conn_id = c->connector_id;
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	if (wb->conn_id == 0) {
		snprintf(why, whylen, "no writeback connector reaches CRTC %u",
		    crtc_id);
		return -1;
	}
	wb->prop_crtc = drm_prop_id(fd, wb->conn_id,
	    DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
	wb->prop_fb = drm_prop_id(fd, wb->conn_id,
	    DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID");
	wb->prop_fence = drm_prop_id(fd, wb->conn_id,
	    DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR");
	if (wb->prop_crtc == 0 || wb->prop_fb == 0 || wb->prop_fence == 0) {
		snprintf(why, whylen, "writeback connector %u lacks its "
		    "properties", wb->conn_id);
		return -1;
	}
	log_info("writeback connector %u for CRTC %u", wb->conn_id, crtc_id);
	return 0;
}

static void
wb_free_buffer(struct drm_writeback *wb)
{
	if (wb->map != NULL)
		munmap(wb->map, wb->size);
	if (wb->fb_id != 0)
		drmModeRmFB(wb->fd, wb->fb_id);
	if (wb->handle != 0) {
		struct drm_mode_destroy_dumb d = { .handle = wb->handle };

		drmIoctl(wb->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	wb->map = NULL;
	wb->fb_id = wb->handle = 0;
}

int
drm_wb_size(struct drm_writeback *wb, uint32_t w, uint32_t h, char *why,
    size_t whylen)
{
	struct drm_mode_create_dumb create = { .width = w, .height = h,
	    .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };

	wb_free_buffer(wb);
	if (drmIoctl(wb->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		snprintf(why, whylen, "writeback buffer %ux%u: %s", w, h,
		    strerror(errno));
		return -1;
	}
	wb->handle = create.handle;
	wb->pitch = create.pitch;
	wb->size = create.size;
	handles[0] = create.handle;
	pitches[0] = create.pitch;
	map.handle = create.handle;
	if (drmModeAddFB2(wb->fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches,
	    offsets, &wb->fb_id, 0) < 0 ||
	    drmIoctl(wb->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0 ||
	    (wb->map = mmap(NULL, wb->size, PROT_READ, MAP_SHARED, wb->fd,
	    (off_t)map.offset)) == MAP_FAILED) {
		snprintf(why, whylen, "writeback buffer: %s", strerror(errno));
		wb->map = NULL;
		wb_free_buffer(wb);
		return -1;
	}
	wb->w = w;
	wb->h = h;
	return 0;
}

const uint8_t *
drm_wb_grab(struct drm_writeback *wb, uint32_t crtc_id, char *why,
    size_t whylen)
{
	drmModeAtomicReqPtr req;
	int32_t fence = -1;
	uint32_t flags = 0;
	struct pollfd pfd;
	int r;

	if ((req = drmModeAtomicAlloc()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (wb->crtc_id != crtc_id)
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	drmModeAtomicAddProperty(req, wb->conn_id, wb->prop_crtc, crtc_id);
	drmModeAtomicAddProperty(req, wb->conn_id, wb->prop_fb, wb->fb_id);
	drmModeAtomicAddProperty(req, wb->conn_id, wb->prop_fence,
	    (uint64_t)(uintptr_t)&fence);
	drm_privileged(1);
	if (drmSetMaster(wb->fd) < 0) {
		drm_privileged(0);
		drmModeAtomicFree(req);
		snprintf(why, whylen, "writeback needs DRM master, which "
		    "another process (a compositor) holds");
		return NULL;
	}
	r = drmModeAtomicCommit(wb->fd, req, flags, NULL);
	drmDropMaster(wb->fd);
	drm_privileged(0);
	drmModeAtomicFree(req);
	if (r < 0) {
		/* vkms in Linux 6.1 cannot clone its output to writeback. */
		snprintf(why, whylen, "writeback commit: %s%s", strerror(errno),
		    errno == EINVAL ? " (the driver cannot write back the "
		    "output while it shows it)" : "");
		return NULL;
	}
	wb->crtc_id = crtc_id;
	pfd = (struct pollfd){ .fd = fence, .events = POLLIN };
	r = fence >= 0 ? poll(&pfd, 1, WB_FENCE_MS) : -1;
	if (fence >= 0)
		close(fence);
	if (r != 1) {
		snprintf(why, whylen, "writeback did not complete in %d ms",
		    WB_FENCE_MS);
		return NULL;
	}
	return wb->map;
}

void
drm_wb_close(struct drm_writeback *wb)
{
	if (wb->fd >= 0)
		wb_free_buffer(wb);
}
