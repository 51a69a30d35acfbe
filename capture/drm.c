/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drm source: exactly what the display controller scans out.
 *
 * Finding the screen: the card named, or the first card with a connected
 * connector on an active CRTC (never card0 by assumption: with bochs and
 * vkms both loaded, vkms is card1).  An output is a connector and its
 * CRTC; --output picks one by name (as modetest prints it: Virtual-1,
 * HDMI-A-1), "all" takes every lit one side by side, and by default the
 * first lit one is taken.
 *
 * Every frame reads again, for each output, the CRTC and every plane on
 * it (with atomic modesetting: primary, overlays and cursor, with their
 * source and destination rectangles, zpos, alpha, blend mode, rotation),
 * maps each plane's current framebuffer (drm-fb.c) and composes them as
 * the display does (compose.c), but for the cursor plane: that goes to
 * the broker as the cursor, which draws it only for viewers that cannot
 * (a cursor plane the broker could not draw exactly, scaled, turned or
 * under another plane, stays composed).  The common case, one opaque
 * full-screen primary plane (and a cursor), is copied straight out of
 * device memory into the ring with the map of changed tiles (copyout.c);
 * anything else is composed into a scratch picture first.
 *
 * Changes are followed: the outputs are scanned again every second and
 * whenever a CRTC's mode differs from the one we know; then the mode
 * changes (the capture loop makes a new ring).  While nothing scans out
 * (no connector lit, the CRTC switched off, a framebuffer we cannot read)
 * a "no signal" picture with the reason is served at a low rate, and
 * capture resumes by itself.
 *
 * The helper opens the card before its sandbox, gives up DRM master if
 * opening made it master (it must never keep a compositor from starting),
 * and keeps CAP_SYS_ADMIN only permitted, raised around GETFB2/GETFB.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/dma-buf.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "capture/compose.h"
#include "capture/copyout.h"
#include "capture/drm.h"
#include "capture/source.h"
#include "common/font.h"
#include "common/ipc.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#define DRM_FPS			30	/* the full rate */
#define DRM_NOSIGNAL_FPS	2	/* looking for a signal again */
#define DRM_NOSIGNAL_W		1024	/* when there never was a mode */
#define DRM_NOSIGNAL_H		768
#define DRM_MAX_SIDE		16384
#define DRM_CARDS_MAX		16

/* The plane properties we read, by name. */
enum {
	P_TYPE, P_FB_ID, P_CRTC_ID, P_SRC_X, P_SRC_Y, P_SRC_W, P_SRC_H,
	P_CRTC_X, P_CRTC_Y, P_CRTC_W, P_CRTC_H, P_ZPOS, P_ALPHA, P_BLEND,
	P_ROTATION, P_COLOR_ENCODING, P_COLOR_RANGE, P_COUNT
};

static const char *const plane_prop_names[P_COUNT] = {
	"type", "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
	"CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H", "zpos", "alpha",
	"pixel blend mode", "rotation", "COLOR_ENCODING", "COLOR_RANGE",
};

struct drm_plane {
	uint32_t	id;
	uint32_t	prop[P_COUNT];		/* property ids; 0 absent */
};

/* One output: a connector and the CRTC that drives it. */
struct drm_output {
	uint32_t	conn_id, crtc_id;
	char		name[32];		/* "Virtual-1" */
	uint32_t	mode_w, mode_h;		/* the CRTC's mode */
	uint32_t	transform;		/* IPC_TRANSFORM_*: panel */
	uint32_t	x;			/* left edge in the frame */
	uint32_t	w, h;			/* in the frame, upright */
};

struct drm_source {
	int		 fd;
	char		 path[64];
	char		 driver[32];
	int		 atomic;
	char		 want[32];		/* --output: "", "all", a name */
	enum drm_method	 method;
	struct drm_fbs	 fbs;
	struct drm_writeback wb;		/* DRM_METHOD_WRITEBACK */
	struct drm_plane *planes;
	size_t		 nplanes;

	struct drm_output out[IPC_SCREENS_MAX];
	size_t		 nout;
	uint32_t	 width, height;		/* of the frame */
	char		 nosignal[160];		/* not empty: why nothing */
	char		 failure[160];		/* why the last read failed */
	time_t		 failed;		/* when: tried again a second on */
	int		 nosignal_drawn;
	time_t		 scanned;		/* when outputs were last read */

	struct copyout	*co;
	int		 still;			/* the last frame changed nothing */
	uint8_t		*scratch;		/* width x height, composed */
	uint8_t		*panel;			/* one output before turning */
	struct plane_state ps[16];		/* of the output composed */
	struct drm_buf	*psbuf[16];		/* their mappings */

	uint32_t	 cursor_img[IPC_CURSOR_MAX_SIDE * IPC_CURSOR_MAX_SIDE];
	struct source_cursor cursor;
};

static uint64_t
prop_value(const drmModeObjectProperties *props, uint32_t id, uint64_t def)
{
	if (id == 0)
		return def;
	for (uint32_t i = 0; i < props->count_props; i++)
		if (props->props[i] == id)
			return props->prop_values[i];
	return def;
}

uint32_t
drm_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0;

	if ((props = drmModeObjectGetProperties(fd, obj, type)) == NULL)
		return 0;
	for (uint32_t i = 0; i < props->count_props && id == 0; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p != NULL && strcmp(p->name, name) == 0)
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static uint64_t
obj_prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t def)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id;
	uint64_t v;

	if ((id = drm_prop_id(fd, obj, type, name)) == 0 ||
	    (props = drmModeObjectGetProperties(fd, obj, type)) == NULL)
		return def;
	v = prop_value(props, id, def);
	drmModeFreeObjectProperties(props);
	return v;
}

/* The planes of the card and the ids of their properties, once. */
static int
planes_load(struct drm_source *d, char *why, size_t whylen)
{
	drmModePlaneResPtr res;

	if ((res = drmModeGetPlaneResources(d->fd)) == NULL) {
		snprintf(why, whylen, "%s: planes: %s", d->path,
		    strerror(errno));
		return -1;
	}
	d->planes = calloc(res->count_planes, sizeof(*d->planes));
	if (d->planes == NULL && res->count_planes > 0) {
		drmModeFreePlaneResources(res);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < res->count_planes; i++) {
		struct drm_plane *p = &d->planes[d->nplanes++];

		p->id = res->planes[i];
		for (int k = 0; k < P_COUNT; k++)
			p->prop[k] = drm_prop_id(d->fd, p->id,
			    DRM_MODE_OBJECT_PLANE, plane_prop_names[k]);
	}
	drmModeFreePlaneResources(res);
	return 0;
}

/*
 * The values of the connector's "panel orientation" property (the
 * kernel's enum drm_panel_orientation, which no uapi header has).
 */
enum { PANEL_NORMAL, PANEL_BOTTOM_UP, PANEL_LEFT_UP, PANEL_RIGHT_UP };

/* How the panel's picture must be turned to be upright. */
static uint32_t
panel_transform(int fd, uint32_t conn_id)
{
	switch (obj_prop(fd, conn_id, DRM_MODE_OBJECT_CONNECTOR,
	    "panel orientation", PANEL_NORMAL)) {
	case PANEL_BOTTOM_UP:
		return IPC_TRANSFORM_180;
	case PANEL_LEFT_UP:
		/* Its left edge is on top: turned clockwise, 270 the
		 * other way. */
		return IPC_TRANSFORM_270;
	case PANEL_RIGHT_UP:
		return IPC_TRANSFORM_90;
	default:
		return IPC_TRANSFORM_NORMAL;
	}
}

static int
crtc_lit(int fd, int atomic, drmModeCrtcPtr crtc)
{
	if (!crtc->mode_valid || crtc->mode.hdisplay == 0 ||
	    crtc->mode.vdisplay == 0 || crtc->mode.hdisplay > DRM_MAX_SIDE ||
	    crtc->mode.vdisplay > DRM_MAX_SIDE)
		return 0;
	/* Enabled but in DPMS off: nothing on the wire. */
	if (atomic)
		return obj_prop(fd, crtc->crtc_id, DRM_MODE_OBJECT_CRTC,
		    "ACTIVE", 1) != 0;
	return crtc->buffer_id != 0;
}

/* The CRTC a connector is driven by, 0 for none. */
static uint32_t
connector_crtc(int fd, int atomic, drmModeConnectorPtr c)
{
	drmModeEncoderPtr enc;
	uint32_t id = 0;

	if (atomic)
		return (uint32_t)obj_prop(fd, c->connector_id,
		    DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	if (c->encoder_id != 0 &&
	    (enc = drmModeGetEncoder(fd, c->encoder_id)) != NULL) {
		id = enc->crtc_id;
		drmModeFreeEncoder(enc);
	}
	return id;
}

/*
 * The lit outputs of the card, in the order of its connectors, into out
 * (at most max).  Returns how many.
 */
static size_t
outputs_lit(int fd, int atomic, struct drm_output *out, size_t max)
{
	drmModeResPtr res;
	size_t n = 0;

	if ((res = drmModeGetResources(fd)) == NULL)
		return 0;
	for (int i = 0; i < res->count_connectors && n < max; i++) {
		drmModeConnectorPtr c;
		drmModeCrtcPtr crtc;
		uint32_t crtc_id;
		const char *type;

		c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
		if (c == NULL)
			continue;
		if (c->connection != DRM_MODE_CONNECTED ||
		    c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK ||
		    (crtc_id = connector_crtc(fd, atomic, c)) == 0 ||
		    (crtc = drmModeGetCrtc(fd, crtc_id)) == NULL) {
			drmModeFreeConnector(c);
			continue;
		}
		if (crtc_lit(fd, atomic, crtc)) {
			struct drm_output *o = &out[n++];

			type = drmModeGetConnectorTypeName(c->connector_type);
			*o = (struct drm_output){ .conn_id = c->connector_id,
			    .crtc_id = crtc_id, .mode_w = crtc->mode.hdisplay,
			    .mode_h = crtc->mode.vdisplay,
			    .transform = panel_transform(fd, c->connector_id) };
			snprintf(o->name, sizeof(o->name), "%s-%u",
			    type != NULL ? type : "Unknown", c->connector_type_id);
		}
		drmModeFreeCrtc(crtc);
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	return n;
}

/*
 * Which outputs to capture now, by --output, laid out side by side: into
 * d->out, or none with the reason in d->nosignal.  Returns 1 when that
 * changed the frame's geometry or layout.
 */
static int
outputs_pick(struct drm_source *d)
{
	struct drm_output lit[IPC_SCREENS_MAX], pick[IPC_SCREENS_MAX];
	size_t nlit, n = 0;
	uint32_t x = 0, h = 0;
	int changed;

	nlit = outputs_lit(d->fd, d->atomic, lit, IPC_SCREENS_MAX);
	for (size_t i = 0; i < nlit; i++) {
		if (strcmp(d->want, "all") == 0 ||
		    (d->want[0] == '\0' && n == 0) ||
		    strcmp(d->want, lit[i].name) == 0)
			pick[n++] = lit[i];
	}
	for (size_t i = 0; i < n; i++) {
		int turned = pick[i].transform & 1;

		pick[i].w = turned ? pick[i].mode_h : pick[i].mode_w;
		pick[i].h = turned ? pick[i].mode_w : pick[i].mode_h;
		pick[i].x = x;
		x += pick[i].w;
		h = pick[i].h > h ? pick[i].h : h;
	}
	if (n == 0) {
		if (nlit == 0)
			snprintf(d->nosignal, sizeof(d->nosignal),
			    "no output of %s is lit", d->path);
		else
			snprintf(d->nosignal, sizeof(d->nosignal),
			    "output %s of %s is not lit", d->want, d->path);
	} else if (x > DRM_MAX_SIDE) {
		snprintf(d->nosignal, sizeof(d->nosignal),
		    "the outputs are %u pixels wide side by side", x);
		n = 0;
	} else
		d->nosignal[0] = '\0';
	changed = n != d->nout || memcmp(pick, d->out, n * sizeof(*pick)) != 0;
	if (n > 0 && changed) {
		memcpy(d->out, pick, n * sizeof(*pick));
		d->width = x;
		d->height = h;
		for (size_t i = 0; i < n; i++)
			log_info("output %s: %ux%u at %u,0%s", pick[i].name,
			    pick[i].w, pick[i].h, pick[i].x,
			    pick[i].transform != 0 ? ", turned upright" : "");
	}
	if (n == 0 && d->nout > 0) {
		/* Keep the size the viewers know; only the picture says. */
		log_info("no signal: %s", d->nosignal);
		d->nosignal_drawn = 0;
		changed = 0;
	}
	if (n > 0)
		d->nout = n;
	else if (d->width == 0) {
		d->width = DRM_NOSIGNAL_W;
		d->height = DRM_NOSIGNAL_H;
		changed = 1;
	}
	if (n == 0)
		d->nout = 0;
	time(&d->scanned);
	return changed;
}

/* A card with a lit output, for auto and for no card named. */
static int
card_open(const char *path, char *why, size_t whylen)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/*
	 * Opening a card that has no master makes us its master, and a
	 * compositor started later would then fail to take the display.
	 */
	if (drmIsMaster(fd) && drmDropMaster(fd) < 0)
		log_warn("%s: giving up DRM master", path);
	return fd;
}

static int
card_lit(const char *path, char *why, size_t whylen)
{
	struct drm_output lit[1];
	int fd, atomic, n;

	if ((fd = card_open(path, why, whylen)) < 0)
		return -1;
	atomic = drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	n = (int)outputs_lit(fd, atomic, lit, 1);
	close(fd);
	if (n == 0)
		snprintf(why, whylen, "%s: no output lit", path);
	return n > 0;
}

/* The first card with a lit output, into path; 0 with a reason. */
static int
card_find(char *path, size_t pathlen, char *why, size_t whylen)
{
	char reason[160] = "";
	int found = 0;

	snprintf(why, whylen, "no DRM card in /dev/dri");
	for (int i = 0; i < DRM_CARDS_MAX && !found; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/dev/dri/card%d", i);
		if (access(p, F_OK) < 0)
			continue;
		if (card_lit(p, reason, sizeof(reason)) == 1) {
			snprintf(path, pathlen, "%s", p);
			found = 1;
		} else
			snprintf(why, whylen, "%s", reason);
	}
	return found;
}

int
drm_probe(char *path, size_t pathlen, char *why, size_t whylen)
{
	return card_find(path, pathlen, why, whylen);
}

/*
 * What the helper still does with the card inside its sandbox: read
 * modes, planes and framebuffers, map them, and nothing that changes the
 * display.  CAP_SYS_ADMIN stays permitted, raised only around GETFB2.
 */
static const unsigned long drm_ioctls[] = {
	DRM_IOCTL_MODE_GETRESOURCES, DRM_IOCTL_MODE_GETCONNECTOR,
	DRM_IOCTL_MODE_GETENCODER, DRM_IOCTL_MODE_GETCRTC,
	DRM_IOCTL_MODE_GETPLANERESOURCES, DRM_IOCTL_MODE_GETPLANE,
	DRM_IOCTL_MODE_OBJ_GETPROPERTIES, DRM_IOCTL_MODE_GETPROPERTY,
	DRM_IOCTL_MODE_GETPROPBLOB, DRM_IOCTL_MODE_GETFB,
	DRM_IOCTL_MODE_GETFB2, DRM_IOCTL_MODE_MAP_DUMB,
	DRM_IOCTL_PRIME_HANDLE_TO_FD, DRM_IOCTL_GEM_CLOSE,
	DMA_BUF_IOCTL_SYNC,
};
/* The same and what writeback does: a buffer per mode, a commit a frame
 * as the master for a moment. */
static const unsigned long drm_wb_ioctls[] = {
	DRM_IOCTL_MODE_GETRESOURCES, DRM_IOCTL_MODE_GETCONNECTOR,
	DRM_IOCTL_MODE_GETENCODER, DRM_IOCTL_MODE_GETCRTC,
	DRM_IOCTL_MODE_GETPLANERESOURCES, DRM_IOCTL_MODE_GETPLANE,
	DRM_IOCTL_MODE_OBJ_GETPROPERTIES, DRM_IOCTL_MODE_GETPROPERTY,
	DRM_IOCTL_MODE_GETPROPBLOB, DRM_IOCTL_MODE_MAP_DUMB,
	DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_DESTROY_DUMB,
	DRM_IOCTL_MODE_ADDFB2, DRM_IOCTL_MODE_RMFB, DRM_IOCTL_MODE_ATOMIC,
	DRM_IOCTL_SET_MASTER, DRM_IOCTL_DROP_MASTER,
};
/*
 * The same and what the EGL driver calls while it reads (drm-egl.c,
 * drm_egl_needs(): for Mesa's kms_swrast PRIME_FD_TO_HANDLE, MAP_DUMB,
 * DESTROY_DUMB, GEM_CLOSE), filled in at open with --capture-method egl:
 * that method widens the policy by PRIME_FD_TO_HANDLE (the import of a
 * dma-buf) and DESTROY_DUMB (of a handle), the others being in it already.
 */
static unsigned long drm_egl_ioctls[sizeof(drm_ioctls) /
    sizeof(drm_ioctls[0]) + 8];
static const int drm_syscalls[] = { SYS_capget, SYS_capset, SYS_lseek, SYS_poll };
static const int drm_caps[] = { CAP_SYS_ADMIN };

static struct sandbox_needs drm_needs = {
	.ioctls = drm_ioctls,
	.nioctls = sizeof(drm_ioctls) / sizeof(drm_ioctls[0]),
	.syscalls = drm_syscalls,
	.nsyscalls = sizeof(drm_syscalls) / sizeof(drm_syscalls[0]),
	.caps = drm_caps,
	.ncaps = sizeof(drm_caps) / sizeof(drm_caps[0]),
	.caps_lowered = 1,
};

static int
method_of(const char *s, enum drm_method *m)
{
	static const char *const names[] = {
		[DRM_METHOD_AUTO] = "auto", [DRM_METHOD_MMAP] = "mmap",
		[DRM_METHOD_EGL] = "egl", [DRM_METHOD_GETFB] = "getfb",
		[DRM_METHOD_WRITEBACK] = "writeback",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*m = (enum drm_method)i;
			return 0;
		}
	return -1;
}

static void drm_close(void *state);

/* EGL on the card, and its needs added to the sandbox's. */
static int
egl_open(struct drm_source *d, char *why, size_t whylen)
{
	const size_t nbase = sizeof(drm_ioctls) / sizeof(drm_ioctls[0]);
	const struct sandbox_needs *n;

	if ((d->fbs.egl = drm_egl_open(d->fd, why, whylen)) == NULL ||
	    (n = drm_egl_needs(d->fbs.egl, why, whylen)) == NULL)
		return -1;
	if (n->nioctls > sizeof(drm_egl_ioctls) / sizeof(drm_egl_ioctls[0]) -
	    nbase || n->nsyscalls > 0 || n->nfcntls > 0 || n->ncaps > 0) {
		snprintf(why, whylen, "egl: its sandbox needs do not fit the "
		    "drm source's");
		return -1;
	}
	memcpy(drm_egl_ioctls, drm_ioctls, sizeof(drm_ioctls));
	memcpy(drm_egl_ioctls + nbase, n->ioctls,
	    n->nioctls * sizeof(n->ioctls[0]));
	drm_needs.ioctls = drm_egl_ioctls;
	drm_needs.nioctls = nbase + n->nioctls;
	return 0;
}

static void *
drm_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	enum drm_method method = DRM_METHOD_AUTO;
	struct drm_source *d;
	drmVersionPtr v;

	if (opt->method != NULL && method_of(opt->method, &method) < 0) {
		snprintf(why, whylen, "unknown capture method %s", opt->method);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->fd = -1;
	d->wb.fd = -1;
	d->method = method;
	if (opt->output != NULL)
		snprintf(d->want, sizeof(d->want), "%s", opt->output);
	if (arg != NULL)
		snprintf(d->path, sizeof(d->path), "%s", arg);
	else if (!card_find(d->path, sizeof(d->path), why, whylen))
		goto fail;
	if ((d->fd = card_open(d->path, why, whylen)) < 0)
		goto fail;
	if ((v = drmGetVersion(d->fd)) == NULL) {
		snprintf(why, whylen, "%s is not a DRM device", d->path);
		goto fail;
	}
	snprintf(d->driver, sizeof(d->driver), "%s", v->name);
	drmFreeVersion(v);
	/* Atomic shows every plane with its state; universal planes at
	 * least lists them. */
	d->atomic = drmSetClientCap(d->fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	drmSetClientCap(d->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	if (planes_load(d, why, whylen) < 0)
		goto fail;
	drm_fb_init(&d->fbs, d->fd, method);
	outputs_pick(d);
	if (method == DRM_METHOD_WRITEBACK) {
		if (d->nout != 1) {
			snprintf(why, whylen, "writeback captures one lit "
			    "output; %zu are chosen", d->nout);
			goto fail;
		}
		if (drm_wb_open(&d->wb, d->fd, d->out[0].crtc_id, why,
		    whylen) < 0)
			goto fail;
		drm_needs.ioctls = drm_wb_ioctls;
		drm_needs.nioctls = sizeof(drm_wb_ioctls) /
		    sizeof(drm_wb_ioctls[0]);
	}
	/*
	 * EGL is loaded for --capture-method egl only.  auto would load it
	 * for tiled buffers, which only hardware drivers give; what those
	 * call inside the sandbox has not been measured (drm_egl_needs()),
	 * and the one driver that has been, kms_swrast, reads only linear
	 * buffers, as mmap does.
	 */
	if (method == DRM_METHOD_EGL && egl_open(d, why, whylen) < 0)
		goto fail;
	log_info("%s (%s%s): %s", d->path, d->driver,
	    d->atomic ? ", atomic" : "",
	    d->nout > 0 ? "capturing" : d->nosignal);
	return d;
fail:
	drm_close(d);
	return NULL;
}

static int
drm_describe(void *state, struct capture_mode *mode)
{
	struct drm_source *d = state;
	size_t size = (size_t)d->width * d->height * 4;
	char why[160];

	free(d->scratch);
	free(d->panel);
	copyout_free(d->co);
	d->panel = NULL;
	d->scratch = malloc(size);
	d->co = copyout_new(d->width, d->height);
	if (d->scratch == NULL || d->co == NULL) {
		log_warnx("out of memory for a %ux%u frame", d->width,
		    d->height);
		return -1;
	}
	if (d->method == DRM_METHOD_WRITEBACK && d->nout == 1 &&
	    drm_wb_size(&d->wb, d->out[0].mode_w, d->out[0].mode_h, why,
	    sizeof(why)) < 0) {
		log_warnx("%s", why);
		return -1;
	}
	*mode = (struct capture_mode){ .width = d->width, .height = d->height,
	    .stride = d->width * 4, .fourcc = DRM_FORMAT_XRGB8888,
	    .fps = d->nout > 0 ? DRM_FPS : DRM_NOSIGNAL_FPS,
	    .kind = IPC_FRAME_PIXELS, .max_length = size };
	if (d->nout == 1)
		mode->transform = d->out[0].transform;
	if (d->nout > 1) {
		mode->nscreens = (uint32_t)d->nout;
		for (size_t i = 0; i < d->nout; i++)
			mode->screens[i] = (struct ipc_screen){
			    .id = d->out[i].conn_id,
			    .x = (uint16_t)d->out[i].x,
			    .width = (uint16_t)d->out[i].w,
			    .height = (uint16_t)d->out[i].h };
	}
	d->nosignal_drawn = 0;
	return 0;
}

/* The "no signal" picture, with the reason, over the whole frame. */
static void
draw_nosignal(struct drm_source *d, uint8_t *dst)
{
	uint32_t *px = (uint32_t *)(void *)dst;
	int scale = d->width >= 1280 ? 3 : d->width >= 480 ? 2 : 1;
	int y = (int)d->height / 2 - FONT_HEIGHT * scale * 2;

	for (size_t i = 0; i < (size_t)d->width * d->height; i++)
		px[i] = 0x00101820;
	font_draw(px, d->width, d->height, 16 * scale, y, scale, 0x00ffffff,
	    "No signal", 80);
	font_draw(px, d->width, d->height, 16 * scale,
	    y + FONT_HEIGHT * scale * 2, scale, 0x00c0c0c0,
	    d->failure[0] != '\0' ? d->failure : d->nosignal,
	    (int)(d->width / (FONT_ADVANCE * scale)) - 6);
}

/*
 * The planes on an output's CRTC, into d->ps and d->psbuf, the cursor
 * plane's index in *cursor (-1: none); returns how many, or -1 with a
 * reason (a framebuffer we cannot read).  A CRTC that is off or has
 * another mode than we know sets *changed.
 */
static int
planes_of(struct drm_source *d, const struct drm_output *o, int *changed,
    int *cursor, char *why, size_t whylen)
{
	drmModeCrtcPtr crtc;
	int n = 0;

	*cursor = -1;
	if ((crtc = drmModeGetCrtc(d->fd, o->crtc_id)) == NULL ||
	    !crtc_lit(d->fd, d->atomic, crtc) ||
	    crtc->mode.hdisplay != o->mode_w ||
	    crtc->mode.vdisplay != o->mode_h) {
		drmModeFreeCrtc(crtc);
		*changed = 1;
		return 0;
	}
	if (!d->atomic) {
		/* The primary plane is all a legacy driver tells. */
		struct drm_buf *b = drm_fb_get(&d->fbs, crtc->buffer_id, why,
		    whylen);

		d->psbuf[0] = b;
		if (b != NULL)
			d->ps[n++] = (struct plane_state){ .fb = b->img,
			    .src_x = crtc->x << 16, .src_y = crtc->y << 16,
			    .src_w = o->mode_w << 16, .src_h = o->mode_h << 16,
			    .crtc_w = o->mode_w, .crtc_h = o->mode_h,
			    .rotation = DRM_MODE_ROTATE_0, .alpha = 0xffff };
		drmModeFreeCrtc(crtc);
		return b != NULL ? n : -1;
	}
	drmModeFreeCrtc(crtc);
	for (size_t i = 0; i < d->nplanes && n < 16; i++) {
		struct drm_plane *p = &d->planes[i];
		drmModeObjectPropertiesPtr props;
		struct plane_state *s = &d->ps[n];
		struct drm_buf *b;
		uint32_t fb;

		props = drmModeObjectGetProperties(d->fd, p->id,
		    DRM_MODE_OBJECT_PLANE);
		if (props == NULL)
			continue;
		fb = (uint32_t)prop_value(props, p->prop[P_FB_ID], 0);
		if (fb == 0 ||
		    prop_value(props, p->prop[P_CRTC_ID], 0) != o->crtc_id) {
			drmModeFreeObjectProperties(props);
			continue;
		}
		*s = (struct plane_state){
			.src_x = (uint32_t)prop_value(props, p->prop[P_SRC_X], 0),
			.src_y = (uint32_t)prop_value(props, p->prop[P_SRC_Y], 0),
			.src_w = (uint32_t)prop_value(props, p->prop[P_SRC_W], 0),
			.src_h = (uint32_t)prop_value(props, p->prop[P_SRC_H], 0),
			.crtc_x = (int32_t)prop_value(props, p->prop[P_CRTC_X], 0),
			.crtc_y = (int32_t)prop_value(props, p->prop[P_CRTC_Y], 0),
			.crtc_w = (uint32_t)prop_value(props, p->prop[P_CRTC_W], 0),
			.crtc_h = (uint32_t)prop_value(props, p->prop[P_CRTC_H], 0),
			.rotation = (uint32_t)prop_value(props,
			    p->prop[P_ROTATION], DRM_MODE_ROTATE_0),
			.alpha = (uint16_t)prop_value(props, p->prop[P_ALPHA],
			    0xffff),
			/* The kernel's enum values are compose's. */
			.blend = (uint32_t)prop_value(props, p->prop[P_BLEND],
			    COMPOSE_BLEND_PREMULTI),
			.yuv = (uint32_t)prop_value(props,
			    p->prop[P_COLOR_ENCODING], COMPOSE_YUV_BT601),
			.range = (uint32_t)prop_value(props,
			    p->prop[P_COLOR_RANGE], COMPOSE_RANGE_LIMITED),
			/* Without zpos, the kernel's order: primary first,
			 * cursor last. */
			.zpos = (uint32_t)prop_value(props, p->prop[P_ZPOS],
			    (uint32_t)i),
		};
		if (prop_value(props, p->prop[P_TYPE], DRM_PLANE_TYPE_OVERLAY) ==
		    DRM_PLANE_TYPE_CURSOR) {
			*cursor = n;
			if (p->prop[P_ZPOS] == 0)
				s->zpos = UINT32_MAX;
		}
		drmModeFreeObjectProperties(props);
		if ((b = drm_fb_get(&d->fbs, fb, why, whylen)) == NULL)
			return -1;
		s->fb = b->img;
		d->psbuf[n++] = b;
	}
	return n;
}

/*
 * The fast case: one opaque plane that fills the output, unturned and
 * unscaled, in a format that is the ring's: its rows are the frame's.
 * Returns the first byte of the rows, or NULL.
 */
static const uint8_t *
plane_is_frame(const struct plane_state *s, const struct drm_output *o)
{
	uint32_t sx = s->src_x >> 16, sy = s->src_y >> 16;

	if (s->crtc_x != 0 || s->crtc_y != 0 || s->crtc_w != o->mode_w ||
	    s->crtc_h != o->mode_h || s->src_w != o->mode_w << 16 ||
	    s->src_h != o->mode_h << 16 || (s->src_x & 0xffff) != 0 ||
	    (s->src_y & 0xffff) != 0 || s->rotation != DRM_MODE_ROTATE_0 ||
	    s->alpha != 0xffff || o->transform != IPC_TRANSFORM_NORMAL)
		return NULL;
	/* Over black, a premultiplied or unblended ARGB pixel shows its
	 * colour bits as they are. */
	if (s->fb.fourcc != DRM_FORMAT_XRGB8888 &&
	    !(s->fb.fourcc == DRM_FORMAT_ARGB8888 &&
	    s->blend != COMPOSE_BLEND_COVERAGE))
		return NULL;
	if (sx + o->mode_w > s->fb.width || sy + o->mode_h > s->fb.height ||
	    s->fb.pitch[0] < (size_t)o->mode_w * 4 ||
	    (size_t)(sy + o->mode_h - 1) * s->fb.pitch[0] +
	    (size_t)(sx + o->mode_w) * 4 > s->fb.size[0])
		return NULL;
	return s->fb.data[0] + (size_t)sy * s->fb.pitch[0] + (size_t)sx * 4;
}

/*
 * Whether the broker can draw the cursor plane c of the n planes on
 * output o exactly as the display shows it: ARGB8888, unscaled, unturned,
 * at full plane alpha, above every other plane, on an output that is not
 * turned, and not reaching into an output at its left.  Anything else
 * stays composed into the frame, as every plane is.
 */
static int
cursor_drawable(const struct drm_output *o, const struct plane_state *ps,
    int n, int c)
{
	const struct plane_state *s = &ps[c];
	uint32_t w = s->src_w >> 16, h = s->src_h >> 16;

	if (s->fb.fourcc != DRM_FORMAT_ARGB8888 || (s->src_x & 0xffff) != 0 ||
	    (s->src_y & 0xffff) != 0 || (s->src_w & 0xffff) != 0 ||
	    (s->src_h & 0xffff) != 0 || w != s->crtc_w || h != s->crtc_h ||
	    w == 0 || h == 0 || w > IPC_CURSOR_MAX_SIDE ||
	    h > IPC_CURSOR_MAX_SIDE || (s->rotation != 0 &&
	    s->rotation != DRM_MODE_ROTATE_0) || s->alpha != 0xffff ||
	    s->blend > BLEND_MODE_MAX || o->transform != IPC_TRANSFORM_NORMAL)
		return 0;
	if (s->crtc_x < 0 && o->x > 0)
		return 0;
	/* Off the output it shows nothing: composing it costs nothing. */
	if (s->crtc_x >= (int64_t)o->mode_w || s->crtc_y >= (int64_t)o->mode_h ||
	    (int64_t)s->crtc_x + w <= 0 || (int64_t)s->crtc_y + h <= 0)
		return 0;
	/* compose_planes() stacks by zpos, an equal one given later in
	 * front. */
	for (int j = 0; j < n; j++)
		if (j != c && (ps[j].zpos > s->zpos ||
		    (ps[j].zpos == s->zpos && j > c)))
			return 0;
	return 1;
}

/*
 * The cursor plane's picture, for the broker, cut to its output (the
 * frame may hold outputs at its right and below it); 0 when its buffer
 * does not hold it.
 */
static int
cursor_take(struct drm_source *d, const struct drm_output *o,
    const struct plane_state *s, struct drm_buf *buf)
{
	struct source_cursor *k = &d->cursor;
	uint32_t w = s->src_w >> 16, h = s->src_h >> 16;
	uint32_t sx = s->src_x >> 16, sy = s->src_y >> 16;
	int same = 1;

	if (sx + w > s->fb.width || sy + h > s->fb.height ||
	    (size_t)(sy + h - 1) * s->fb.pitch[0] + (size_t)(sx + w) * 4 >
	    s->fb.size[0])
		return 0;
	if ((int64_t)s->crtc_x + w > o->mode_w)
		w = (uint32_t)((int64_t)o->mode_w - s->crtc_x);
	if ((int64_t)s->crtc_y + h > o->mode_h)
		h = (uint32_t)((int64_t)o->mode_h - s->crtc_y);
	drm_fb_begin(buf);
	for (uint32_t y = 0; y < h; y++) {
		const uint8_t *row = s->fb.data[0] +
		    (size_t)(sy + y) * s->fb.pitch[0] + (size_t)sx * 4;
		uint32_t *dst = d->cursor_img + (size_t)y * w;

		same &= memcmp(dst, row, (size_t)w * 4) == 0;
		memcpy(dst, row, (size_t)w * 4);
	}
	drm_fb_end(buf);
	if (!same || w != k->width || h != k->height)
		k->serial++;
	/* A cursor plane has no hot spot: its top left is where it points. */
	k->image = d->cursor_img;
	k->width = w;
	k->height = h;
	k->hot_x = k->hot_y = 0;
	k->x = (int32_t)o->x + s->crtc_x;
	k->y = s->crtc_y;
	k->blend = s->blend;
	k->visible = 1;
	return 1;
}

/*
 * Compose output o into d->scratch at its place (turned upright through
 * d->panel when its panel is mounted turned).
 */
static int
compose_output(struct drm_source *d, const struct drm_output *o, int n,
    char *why, size_t whylen)
{
	size_t stride = (size_t)d->width * 4;
	uint8_t *at = d->scratch + (size_t)o->x * 4;

	if (o->transform == IPC_TRANSFORM_NORMAL)
		return compose_planes(at, stride, o->mode_w, o->mode_h, d->ps,
		    (size_t)n, why, whylen);
	if (d->panel == NULL &&
	    (d->panel = malloc((size_t)o->mode_w * o->mode_h * 4)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (compose_planes(d->panel, (size_t)o->mode_w * 4, o->mode_w,
	    o->mode_h, d->ps, (size_t)n, why, whylen) < 0)
		return -1;
	transform_picture(at, stride, d->panel, (size_t)o->mode_w * 4,
	    o->mode_w, o->mode_h, o->transform);
	return 0;
}

/* Nothing scans out: the picture says why, drawn once per mode. */
static int
grab_nosignal(struct drm_source *d, uint8_t *dst, struct source_frame *f)
{
	draw_nosignal(d, dst);
	f->length = d->width * d->height * 4;
	f->damage = d->nosignal_drawn ? SOURCE_DAMAGE_NONE :
	    SOURCE_DAMAGE_UNKNOWN;
	d->nosignal_drawn = 1;
	d->cursor.visible = 0;
	copyout_reset(d->co);
	return SOURCE_OK;
}

/*
 * Straight from device memory to the ring.  A screen that stood still
 * last time is first only looked at (one read, no write): most frames of
 * an idle console end there.
 */
static void
grab_rows(struct drm_source *d, uint8_t *dst, struct source_frame *f,
    const uint8_t *rows)
{
	size_t pitch = d->ps[0].fb.pitch[0];

	drm_fb_begin(d->psbuf[0]);
	if (d->still && !f->fresh && copyout_changed(d->co, rows, pitch) == 0)
		f->damage = SOURCE_DAMAGE_NONE;
	else {
		d->still = copyout_copy(d->co, dst, (size_t)d->width * 4, rows,
		    pitch, f->map) == 0;
		f->damage = SOURCE_DAMAGE_MAP;
	}
	drm_fb_end(d->psbuf[0]);
}

/*
 * Read every output once into the frame.  Returns 1 when done, 0 when a
 * CRTC changed under us (look at the outputs again), -1 with a reason.
 */
static int
grab_outputs(struct drm_source *d, uint8_t *dst, struct source_frame *f,
    char *why, size_t whylen)
{
	size_t stride = (size_t)d->width * 4;
	int changed = 0, cursor, n;

	d->cursor.visible = 0;
	for (size_t i = 0; i < d->nout; i++) {
		if ((n = planes_of(d, &d->out[i], &changed, &cursor, why,
		    whylen)) < 0)
			return -1;
		if (changed)
			return 0;
		/*
		 * The broker draws the cursor (one: the first output's that
		 * shows one); the frame goes without it.
		 */
		if (cursor >= 0 && !d->cursor.visible &&
		    cursor_drawable(&d->out[i], d->ps, n, cursor) &&
		    cursor_take(d, &d->out[i], &d->ps[cursor],
		    d->psbuf[cursor])) {
			memmove(&d->ps[cursor], &d->ps[cursor + 1],
			    (size_t)(n - cursor - 1) * sizeof(d->ps[0]));
			memmove(&d->psbuf[cursor], &d->psbuf[cursor + 1],
			    (size_t)(n - cursor - 1) * sizeof(d->psbuf[0]));
			d->psbuf[--n] = NULL;
		}
		if (d->nout == 1 && n == 1) {
			const uint8_t *rows = plane_is_frame(&d->ps[0],
			    &d->out[0]);

			if (rows != NULL) {
				grab_rows(d, dst, f, rows);
				return 1;
			}
		}
		for (int k = 0; k < n; k++)
			drm_fb_begin(d->psbuf[k]);
		n = compose_output(d, &d->out[i], n, why, whylen);
		for (int k = 0; k < (int)(sizeof(d->psbuf) /
		    sizeof(d->psbuf[0])) && d->psbuf[k] != NULL; k++)
			drm_fb_end(d->psbuf[k]);
		if (n < 0)
			return -1;
	}
	copyout_copy(d->co, dst, stride, d->scratch, stride, f->map);
	f->damage = SOURCE_DAMAGE_MAP;
	return 1;
}

/* The same by writeback: the hardware composed it. */
static int
grab_writeback(struct drm_source *d, uint8_t *dst, struct source_frame *f,
    char *why, size_t whylen)
{
	const struct drm_output *o = &d->out[0];
	size_t stride = (size_t)d->width * 4, pitch = d->wb.pitch;
	const uint8_t *px;

	if (d->wb.w != o->mode_w || d->wb.h != o->mode_h)
		return 0;
	if ((px = drm_wb_grab(&d->wb, o->crtc_id, why, whylen)) == NULL)
		return -1;
	if (o->transform != IPC_TRANSFORM_NORMAL) {
		transform_picture(d->scratch, stride, px, pitch, o->mode_w,
		    o->mode_h, o->transform);
		px = d->scratch;
		pitch = stride;
	}
	copyout_copy(d->co, dst, stride, px, pitch, f->map);
	f->damage = SOURCE_DAMAGE_MAP;
	return 1;
}

static int
drm_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct drm_source *d = state;
	char why[160] = "";
	int r = 0;

	if (time(NULL) != d->scanned && outputs_pick(d))
		return SOURCE_MODE_CHANGED;
	if (d->failure[0] != '\0' && time(NULL) - d->failed < 1)
		return grab_nosignal(d, dst, f);
	/* A CRTC that changed while we read it: once more, then say so. */
	for (int tries = 0; tries < 2 && d->nout > 0 && r == 0; tries++) {
		memset(d->psbuf, 0, sizeof(d->psbuf));
		if (d->method == DRM_METHOD_WRITEBACK)
			r = grab_writeback(d, dst, f, why, sizeof(why));
		else
			r = grab_outputs(d, dst, f, why, sizeof(why));
		if (r == 0 &&
		    outputs_pick(d))
			return SOURCE_MODE_CHANGED;
	}
	if (r != 1 && d->nout > 0) {
		/* Shown on the picture, logged once, tried again later. */
		if (r == 0)
			snprintf(why, sizeof(why), "the display changes");
		if (strcmp(why, d->failure) != 0)
			log_warnx("%s", why);
		snprintf(d->failure, sizeof(d->failure), "%s", why);
		snprintf(d->nosignal, sizeof(d->nosignal), "%s", why);
		d->nosignal_drawn = 0;
		d->failed = time(NULL);
		drm_fb_sweep(&d->fbs, 1);
	}
	if (r != 1)
		return grab_nosignal(d, dst, f);
	if (d->failure[0] != '\0')
		log_info("capturing again");
	d->failure[0] = '\0';
	f->length = d->width * d->height * 4;
	if (f->map == NULL && f->damage == SOURCE_DAMAGE_MAP)
		f->damage = SOURCE_DAMAGE_UNKNOWN;
	drm_fb_sweep(&d->fbs, 0);
	return SOURCE_OK;
}

static int
drm_cursor(void *state, struct source_cursor *k)
{
	struct drm_source *d = state;

	if (d->cursor.image == NULL) {
		/* Never seen one: a hidden 1x1 cursor. */
		static const uint32_t none;

		*k = (struct source_cursor){ .image = &none, .width = 1,
		    .height = 1 };
		return 0;
	}
	*k = d->cursor;
	return 0;
}

static void
drm_close(void *state)
{
	struct drm_source *d = state;

	if (d == NULL)
		return;
	if (d->fd >= 0) {
		drm_fb_sweep(&d->fbs, 1);
		drm_egl_close(d->fbs.egl);
		drm_wb_close(&d->wb);
		close(d->fd);
	}
	copyout_free(d->co);
	free(d->scratch);
	free(d->panel);
	free(d->planes);
	free(d);
}

const struct source_ops source_drm = {
	.open = drm_open,
	.describe = drm_describe,
	.grab = drm_grab,
	.close = drm_close,
	.cursor = drm_cursor,
	.needs = &drm_needs,
};
