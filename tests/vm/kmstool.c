/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmstool: put known pixels on a DRM device, and read back what the
 * display composes, for the VM tests (it runs in the guest, as root).
 *
 *   kmstool modeset [options]     light a connector with a pattern on the
 *                                 primary plane, maybe an overlay and a
 *                                 cursor; print "ready" and hold the mode
 *                                 until SIGTERM
 *   kmstool writeback [--card N] OUT.ppm
 *                                 one frame of vkms's writeback connector:
 *                                 the composition of every plane, as PPM
 *   kmstool draw [--format F] [--pattern P] WxH OUT.raw
 *                                 the bytes of a pattern in a format,
 *                                 without a device
 *
 * Every picture is a function of the pixel position only (see the
 * patterns below), so that a test can compute what it expects on its
 * own: tests/vm/kms.py holds the same definitions in Python.
 *
 * The modeset process is the DRM master only while it commits: between
 * commits it drops it, so that "kmstool writeback" (or another master)
 * can commit meanwhile.  SIGUSR1 makes one step: the cursor and the
 * overlay move by --move DX,DY, the primary plane shows its other buffer
 * (--flip), or, with --off, the CRTC goes on or off; "step N" is printed
 * once the step is on screen.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#define CURSOR_SIZE	64

/*
 * libdrm's drmMode*() calls return -errno (0 on success), drmIoctl() -1
 * with errno: one check for both.
 */
static int
drm_failed(int ret)
{
	if (ret == 0)
		return 0;
	if (ret < -1)
		errno = -ret;
	return 1;
}

/* --- pixel formats -------------------------------------------------------- */

struct format {
	const char	*name;
	uint32_t	 fourcc;
	int		 bpp;		/* of the first plane */
	int		 alpha;		/* carries alpha: premultiplied */
};

static const struct format formats[] = {
	{ "XR24", DRM_FORMAT_XRGB8888,		32, 0 },
	{ "AR24", DRM_FORMAT_ARGB8888,		32, 1 },
	{ "XB24", DRM_FORMAT_XBGR8888,		32, 0 },
	{ "AB24", DRM_FORMAT_ABGR8888,		32, 1 },
	{ "RG16", DRM_FORMAT_RGB565,		16, 0 },
	{ "XR30", DRM_FORMAT_XRGB2101010,	32, 0 },
	{ "XB30", DRM_FORMAT_XBGR2101010,	32, 0 },
	{ "NV12", DRM_FORMAT_NV12,		 8, 0 },
};

static const struct format *
format_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	errx(2, "unknown format %s (XR24 AR24 XB24 AB24 RG16 XR30 XB30 NV12)",
	    name);
}

/* A colour, straight (not premultiplied). */
struct rgba {
	uint8_t	r, g, b, a;
};

static uint8_t
premultiply(uint8_t c, uint8_t a)
{
	return (c * a + 127) / 255;
}

/* 8 bits to 10, by replicating the top bits: 0 stays 0, 255 is 1023. */
static uint32_t
ten(uint8_t c)
{
	return (uint32_t)c << 2 | c >> 6;
}

/* Store one pixel of a packed format at p. */
static void
store(const struct format *f, uint8_t *p, struct rgba c)
{
	uint32_t	v;
	uint8_t		a = f->alpha ? c.a : 0xff;

	if (f->alpha) {
		c.r = premultiply(c.r, c.a);
		c.g = premultiply(c.g, c.a);
		c.b = premultiply(c.b, c.a);
	}
	switch (f->fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		p[0] = c.b; p[1] = c.g; p[2] = c.r; p[3] = a;
		return;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		p[0] = c.r; p[1] = c.g; p[2] = c.b; p[3] = a;
		return;
	case DRM_FORMAT_RGB565:
		v = (c.r >> 3) << 11 | (c.g >> 2) << 5 | c.b >> 3;
		p[0] = v; p[1] = v >> 8;
		return;
	case DRM_FORMAT_XRGB2101010:
		v = 3u << 30 | ten(c.r) << 20 | ten(c.g) << 10 | ten(c.b);
		break;
	case DRM_FORMAT_XBGR2101010:
		v = 3u << 30 | ten(c.b) << 20 | ten(c.g) << 10 | ten(c.r);
		break;
	default:
		errx(1, "store: %s is not a packed format", f->name);
	}
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

/* --- the pictures --------------------------------------------------------- */

/*
 * The colour at x,y of a w x h picture.  The channels of a pixel differ
 * from each other, so that a swapped channel or byte order shows.
 */
typedef struct rgba (*pattern_fn)(int x, int y, int w, int h);

static struct rgba
gradient(int x, int y, int w, int h)
{
	struct rgba	c;

	c.r = x * 255 / (w > 1 ? w - 1 : 1);
	c.g = y * 255 / (h > 1 ? h - 1 : 1);
	c.b = ((x * 7) ^ (y * 3)) & 0xff;
	c.a = 0xff;
	return c;
}

/* The other buffer of --flip: the gradient with every channel inverted. */
static struct rgba
inverse(int x, int y, int w, int h)
{
	struct rgba	c = gradient(x, y, w, h);

	c.r = 255 - c.r;
	c.g = 255 - c.g;
	c.b = 255 - c.b;
	return c;
}

/* Eight vertical bars: white, yellow, cyan, green, magenta, red, blue,
 * black. */
static struct rgba
bars(int x, int y, int w, int h)
{
	static const uint32_t	colours[8] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
		0xff00ff, 0xff0000, 0x0000ff, 0x000000
	};
	uint32_t		v = colours[x * 8 / w];
	struct rgba		c = { v >> 16, v >> 8, v, 0xff };

	(void)y;
	(void)h;
	return c;
}

/* The overlay: a checkerboard of 16-pixel squares, opaque on its left
 * half and half transparent on its right half (where the format has
 * alpha). */
static struct rgba
checker(int x, int y, int w, int h)
{
	struct rgba	c;

	(void)h;
	if (((x / 16) + (y / 16)) & 1) {
		c.r = 0x20; c.g = 0x90; c.b = 0xe0;
	} else {
		c.r = 0xf0; c.g = 0x60; c.b = 0x10;
	}
	c.a = x < w / 2 ? 0xff : 0x80;
	return c;
}

/* The cursor: an opaque yellow diamond in a half transparent blue ring,
 * fully transparent around. */
static struct rgba
cursor_image(int x, int y, int w, int h)
{
	struct rgba	c = { 0, 0, 0, 0 };
	int		d = abs(x - w / 2) + abs(y - h / 2);

	if (d < 20) {
		c.r = 0xff; c.g = 0xe0; c.b = 0x00; c.a = 0xff;
	} else if (d < 28) {
		c.r = 0x00; c.g = 0x40; c.b = 0xff; c.a = 0x80;
	}
	return c;
}

static pattern_fn
pattern_by_name(const char *name)
{
	if (strcmp(name, "gradient") == 0)
		return gradient;
	if (strcmp(name, "inverse") == 0)
		return inverse;
	if (strcmp(name, "bars") == 0)
		return bars;
	if (strcmp(name, "checker") == 0)
		return checker;
	if (strcmp(name, "cursor") == 0)
		return cursor_image;
	errx(2, "unknown pattern %s (gradient inverse bars checker cursor)",
	    name);
}

/* --- dumb buffers --------------------------------------------------------- */

struct buffer {
	uint32_t		 handle, fb;
	uint32_t		 width, height, pitch;
	size_t			 size;
	uint8_t			*map;
	const struct format	*fmt;
};

static void
buffer_create(int fd, struct buffer *b, uint32_t w, uint32_t h,
    const struct format *f)
{
	struct drm_mode_create_dumb	create;
	struct drm_mode_map_dumb	map;
	uint32_t			handles[4] = { 0 }, pitches[4] = { 0 };
	uint32_t			offsets[4] = { 0 };

	memset(b, 0, sizeof(*b));
	memset(&create, 0, sizeof(create));
	/* NV12: a chroma row has a U and a V for each two pixels, the last
	 * odd one included. */
	create.width = f->fourcc == DRM_FORMAT_NV12 ? (w + 1) & ~1u : w;
	/* NV12: the chroma plane (half the rows) follows the luma plane. */
	create.height = f->fourcc == DRM_FORMAT_NV12 ? h + (h + 1) / 2 : h;
	create.bpp = f->bpp;
	if (drm_failed(drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create)))
		err(1, "cannot create a %ux%u dumb buffer", w, h);
	b->handle = create.handle;
	b->pitch = create.pitch;
	b->size = create.size;
	b->width = w;
	b->height = h;
	b->fmt = f;

	handles[0] = b->handle;
	pitches[0] = b->pitch;
	if (f->fourcc == DRM_FORMAT_NV12) {
		handles[1] = b->handle;
		pitches[1] = b->pitch;
		offsets[1] = b->pitch * h;
	}
	if (drm_failed(drmModeAddFB2(fd, w, h, f->fourcc, handles, pitches,
	    offsets, &b->fb, 0)))
		err(1, "cannot make a %ux%u %s framebuffer", w, h, f->name);

	memset(&map, 0, sizeof(map));
	map.handle = b->handle;
	if (drm_failed(drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map)))
		err(1, "cannot map a dumb buffer");
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    map.offset);
	if (b->map == MAP_FAILED)
		err(1, "mmap of a dumb buffer");
}

/* BT.601, limited range; the chroma of each 2x2 block is that of its
 * top-left pixel. */
static void
fill_nv12(struct buffer *b, pattern_fn fn)
{
	uint8_t		*uv = b->map + (size_t)b->pitch * b->height;
	uint32_t	 x, y;
	struct rgba	 c;

	for (y = 0; y < b->height; y++)
		for (x = 0; x < b->width; x++) {
			c = fn(x, y, b->width, b->height);
			b->map[(size_t)y * b->pitch + x] =
			    ((66 * c.r + 129 * c.g + 25 * c.b + 128) >> 8) + 16;
			if (x % 2 || y % 2)
				continue;
			uv[(size_t)(y / 2) * b->pitch + x] = ((-38 * c.r -
			    74 * c.g + 112 * c.b + 128) >> 8) + 128;
			uv[(size_t)(y / 2) * b->pitch + x + 1] = ((112 * c.r -
			    94 * c.g - 18 * c.b + 128) >> 8) + 128;
		}
}

static void
buffer_fill(struct buffer *b, pattern_fn fn)
{
	uint32_t	x, y;
	int		cpp = b->fmt->bpp / 8;

	if (b->fmt->fourcc == DRM_FORMAT_NV12) {
		fill_nv12(b, fn);
		return;
	}
	for (y = 0; y < b->height; y++)
		for (x = 0; x < b->width; x++)
			store(b->fmt, b->map + (size_t)y * b->pitch + x * cpp,
			    fn(x, y, b->width, b->height));
}

/* --- finding things ------------------------------------------------------- */

static uint32_t
prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties	*props;
	drmModePropertyRes	*p;
	uint32_t		 i, id = 0;

	if ((props = drmModeObjectGetProperties(fd, obj, type)) == NULL)
		return 0;
	for (i = 0; i < props->count_props && id == 0; i++) {
		if ((p = drmModeGetProperty(fd, props->props[i])) == NULL)
			continue;
		if (strcmp(p->name, name) == 0)
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static uint64_t
prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties	*props;
	uint32_t		 id = prop_id(fd, obj, type, name), i;
	uint64_t		 v = 0;

	if ((props = drmModeObjectGetProperties(fd, obj, type)) == NULL)
		return 0;
	for (i = 0; i < props->count_props; i++)
		if (props->props[i] == id)
			v = props->prop_values[i];
	drmModeFreeObjectProperties(props);
	return v;
}

/* Add OBJ.NAME = VALUE to an atomic request: a missing property is the
 * driver saying it cannot do what the test asked. */
static void
set(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type,
    const char *name, uint64_t value)
{
	uint32_t	id = prop_id(fd, obj, type, name);

	if (id == 0)
		errx(1, "object %u has no property %s on this driver", obj,
		    name);
	if (drmModeAtomicAddProperty(req, obj, id, value) < 0)
		errx(1, "cannot add %s to the request", name);
}

static void
connector_name(const drmModeConnector *c, char *buf, size_t len)
{
	const char	*type = drmModeGetConnectorTypeName(c->connector_type);

	snprintf(buf, len, "%s-%u", type ? type : "Unknown",
	    c->connector_type_id);
}

/* The CRTCs (a mask of their indices) the connector's encoders can use. */
static uint32_t
possible_crtcs(int fd, const drmModeConnector *c)
{
	drmModeEncoder	*e;
	uint32_t	 mask = 0;
	int		 i;

	for (i = 0; i < c->count_encoders; i++)
		if ((e = drmModeGetEncoder(fd, c->encoders[i])) != NULL) {
			mask |= e->possible_crtcs;
			drmModeFreeEncoder(e);
		}
	return mask;
}

/* The first plane of a type that can show fourcc on CRTC index ci. */
static uint32_t
find_plane(int fd, int ci, uint64_t type, uint32_t fourcc)
{
	drmModePlaneRes	*pr;
	drmModePlane	*p;
	uint32_t	 i, j, id = 0;

	if ((pr = drmModeGetPlaneResources(fd)) == NULL)
		err(1, "drmModeGetPlaneResources");
	for (i = 0; i < pr->count_planes && id == 0; i++) {
		if ((p = drmModeGetPlane(fd, pr->planes[i])) == NULL)
			continue;
		if ((p->possible_crtcs & (1u << ci)) &&
		    prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE,
		    "type") == type)
			for (j = 0; j < p->count_formats; j++)
				if (p->formats[j] == fourcc)
					id = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	return id;
}

static int
open_card(int card, int writeback)
{
	char	path[64];
	int	fd;

	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	if (drm_failed(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES,
	    1)) || drm_failed(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1)))
		errx(1, "%s: no atomic modesetting", path);
	if (writeback &&
	    drm_failed(drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
	    1)))
		errx(1, "%s: no writeback connectors", path);
	return fd;
}

/* Become the DRM master, waiting (up to 5 s) for another to let go. */
static void
acquire_master(int fd)
{
	int	i;

	for (i = 0; i < 500; i++) {
		if (!drm_failed(drmSetMaster(fd)))
			return;
		if (errno != EBUSY && errno != EACCES)
			break;
		usleep(10000);
	}
	err(1, "cannot become the DRM master");
}

/* --- modeset -------------------------------------------------------------- */

struct layer {
	int		 on;
	uint32_t	 plane;
	int		 x, y, w, h;
	uint64_t	 rotation;	/* 0: leave the property alone */
	int		 alpha;		/* 0..255, -1: leave it alone */
	struct buffer	 buf[2];
	int		 nbuf;
};

struct modeset {
	int			 fd;
	uint32_t		 connector, crtc, mode_blob;
	drmModeModeInfo		 mode;
	struct layer		 primary, overlay, cursor;
	int			 flip, off, dx, dy;
};

static uint64_t
parse_rotation(const char *s)
{
	if (strcmp(s, "0") == 0)
		return DRM_MODE_ROTATE_0;
	if (strcmp(s, "90") == 0)
		return DRM_MODE_ROTATE_90;
	if (strcmp(s, "180") == 0)
		return DRM_MODE_ROTATE_180;
	if (strcmp(s, "270") == 0)
		return DRM_MODE_ROTATE_270;
	if (strcmp(s, "reflect-x") == 0)
		return DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_X;
	if (strcmp(s, "reflect-y") == 0)
		return DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_Y;
	errx(2, "rotation: 0, 90, 180, 270, reflect-x or reflect-y");
}

/* A quarter turn shows the buffer on its side: its width is the
 * screen's height. */
static int
quarter_turn(uint64_t rotation)
{
	return (rotation & (DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_270)) != 0;
}

/* X,Y,W,H[,FORMAT][,alpha=A][,rotate=R] */
static void
parse_overlay(const char *spec, struct layer *l, const struct format **f)
{
	char	*copy, *tok, *save;
	int	 n = 0;

	if (sscanf(spec, "%d,%d,%d,%d", &l->x, &l->y, &l->w, &l->h) != 4 ||
	    l->w <= 0 || l->h <= 0)
		errx(2, "--overlay X,Y,W,H[,FORMAT][,alpha=A][,rotate=R]");
	if ((copy = strdup(spec)) == NULL)
		err(1, NULL);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save), n++) {
		if (n < 4)
			continue;
		if (strncmp(tok, "alpha=", 6) == 0) {
			l->alpha = atoi(tok + 6);
			if (l->alpha < 0 || l->alpha > 255)
				errx(2, "overlay alpha: 0 to 255");
		} else if (strncmp(tok, "rotate=", 7) == 0)
			l->rotation = parse_rotation(tok + 7);
		else
			*f = format_by_name(tok);
	}
	free(copy);
	l->on = 1;
}

static void
add_layer(drmModeAtomicReq *req, struct modeset *m, struct layer *l,
    int step, int moves)
{
	const struct buffer	*b = &l->buf[m->flip ? step % l->nbuf : 0];
	int			 x = l->x, y = l->y;
	uint32_t		 p = l->plane, T = DRM_MODE_OBJECT_PLANE;

	if (moves) {
		x += step * m->dx;
		y += step * m->dy;
	}
	set(req, m->fd, p, T, "FB_ID", b->fb);
	set(req, m->fd, p, T, "CRTC_ID", m->crtc);
	set(req, m->fd, p, T, "SRC_X", 0);
	set(req, m->fd, p, T, "SRC_Y", 0);
	set(req, m->fd, p, T, "SRC_W", (uint64_t)b->width << 16);
	set(req, m->fd, p, T, "SRC_H", (uint64_t)b->height << 16);
	set(req, m->fd, p, T, "CRTC_X", x);
	set(req, m->fd, p, T, "CRTC_Y", y);
	set(req, m->fd, p, T, "CRTC_W", l->w);
	set(req, m->fd, p, T, "CRTC_H", l->h);
	if (l->rotation != 0)
		set(req, m->fd, p, T, "rotation", l->rotation);
	if (l->alpha >= 0)
		set(req, m->fd, p, T, "alpha", l->alpha * 257);
}

static void
disable_layer(drmModeAtomicReq *req, struct modeset *m, struct layer *l)
{
	if (l->plane == 0)
		return;
	set(req, m->fd, l->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", 0);
	set(req, m->fd, l->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0);
}

/* Show step N; returns when it is on screen (a blocking commit). */
static void
commit(struct modeset *m, int step)
{
	drmModeAtomicReq	*req;
	int			 on = !m->off || step % 2 == 1;

	if ((req = drmModeAtomicAlloc()) == NULL)
		err(1, NULL);
	set(req, m->fd, m->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID",
	    on ? m->crtc : 0);
	set(req, m->fd, m->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID",
	    on ? m->mode_blob : 0);
	set(req, m->fd, m->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", on);
	if (on) {
		add_layer(req, m, &m->primary, step, 0);
		if (m->overlay.on)
			add_layer(req, m, &m->overlay, step, 1);
		if (m->cursor.on)
			add_layer(req, m, &m->cursor, step, 1);
	} else {
		disable_layer(req, m, &m->primary);
		disable_layer(req, m, &m->overlay);
		disable_layer(req, m, &m->cursor);
	}
	acquire_master(m->fd);
	if (drm_failed(drmModeAtomicCommit(m->fd, req,
	    DRM_MODE_ATOMIC_ALLOW_MODESET, NULL)))
		err(1, "atomic commit of step %d", step);
	drmDropMaster(m->fd);
	drmModeAtomicFree(req);
}

/* The connector (by name, else the first connected), its mode (by size,
 * else the preferred one) and a CRTC for it; the CRTC's index. */
static int
pick_output(struct modeset *m, const char *want_conn, const char *want_mode)
{
	drmModeRes		*res;
	drmModeConnector	*c, *chosen = NULL;
	const drmModeModeInfo	*mode = NULL;
	char			 name[64];
	uint32_t		 mask;
	int			 i, ci = -1, w = 0, h = 0;

	if (want_mode != NULL &&
	    (sscanf(want_mode, "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0))
		errx(2, "--mode WxH");
	if ((res = drmModeGetResources(m->fd)) == NULL)
		err(1, "drmModeGetResources");
	for (i = 0; i < res->count_connectors && chosen == NULL; i++) {
		if ((c = drmModeGetConnector(m->fd, res->connectors[i])) ==
		    NULL)
			continue;
		connector_name(c, name, sizeof(name));
		if (c->connector_type != DRM_MODE_CONNECTOR_WRITEBACK &&
		    (want_conn != NULL ? strcmp(name, want_conn) == 0 :
		    c->connection == DRM_MODE_CONNECTED && c->count_modes > 0))
			chosen = c;
		else
			drmModeFreeConnector(c);
	}
	if (chosen == NULL)
		errx(1, "no connector %s", want_conn ? want_conn : "connected");
	for (i = 0; i < chosen->count_modes && mode == NULL; i++) {
		const drmModeModeInfo *mi = &chosen->modes[i];

		if (want_mode != NULL ? mi->hdisplay == w && mi->vdisplay == h :
		    (mi->type & DRM_MODE_TYPE_PREFERRED) != 0)
			mode = mi;
	}
	if (mode == NULL && want_mode != NULL)
		errx(1, "connector %s has no mode %s", name, want_mode);
	if (mode == NULL && chosen->count_modes == 0)
		errx(1, "connector %s has no modes", name);
	m->mode = mode != NULL ? *mode : chosen->modes[0];

	mask = possible_crtcs(m->fd, chosen);
	for (i = 0; i < res->count_crtcs && ci == -1; i++)
		if (mask & (1u << i))
			ci = i;
	if (ci == -1)
		errx(1, "no CRTC can drive %s", name);
	m->connector = chosen->connector_id;
	m->crtc = res->crtcs[ci];
	if (drm_failed(drmModeCreatePropertyBlob(m->fd, &m->mode,
	    sizeof(m->mode), &m->mode_blob)))
		err(1, "cannot make a mode blob");
	fprintf(stderr, "kmstool: %s, %ux%u, CRTC %u\n", name,
	    m->mode.hdisplay, m->mode.vdisplay, m->crtc);
	drmModeFreeConnector(chosen);
	drmModeFreeResources(res);
	return ci;
}

static int
modeset(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "card",	required_argument, NULL, 'c' },
		{ "connector",	required_argument, NULL, 'C' },
		{ "mode",	required_argument, NULL, 'm' },
		{ "format",	required_argument, NULL, 'f' },
		{ "pattern",	required_argument, NULL, 'p' },
		{ "overlay",	required_argument, NULL, 'o' },
		{ "cursor",	required_argument, NULL, 'u' },
		{ "rotation",	required_argument, NULL, 'r' },
		{ "move",	required_argument, NULL, 'M' },
		{ "flip",	no_argument,	   NULL, 'F' },
		{ "off",	no_argument,	   NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	struct modeset		 m;
	const struct format	*pf = format_by_name("XR24");
	const struct format	*of = format_by_name("AR24");
	const struct format	*cf = format_by_name("AR24");
	const char		*conn = NULL, *mode = NULL;
	pattern_fn		 pattern = gradient;
	sigset_t		 set;
	int			 ch, card = 0, sig, step = 0, ci, w, h;
	uint32_t		 i;

	memset(&m, 0, sizeof(m));
	m.overlay.alpha = m.primary.alpha = m.cursor.alpha = -1;
	m.dx = 32;
	m.dy = 16;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': card = atoi(optarg); break;
		case 'C': conn = optarg; break;
		case 'm': mode = optarg; break;
		case 'f': pf = format_by_name(optarg); break;
		case 'p': pattern = pattern_by_name(optarg); break;
		case 'o': parse_overlay(optarg, &m.overlay, &of); break;
		case 'u':
			if (sscanf(optarg, "%d,%d", &m.cursor.x,
			    &m.cursor.y) != 2)
				errx(2, "--cursor X,Y");
			m.cursor.on = 1;
			break;
		case 'r': m.primary.rotation = parse_rotation(optarg); break;
		case 'M':
			if (sscanf(optarg, "%d,%d", &m.dx, &m.dy) != 2)
				errx(2, "--move DX,DY");
			break;
		case 'F': m.flip = 1; break;
		case 'O': m.off = 1; break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		errx(2, "modeset takes no operands");

	m.fd = open_card(card, 0);
	ci = pick_output(&m, conn, mode);

	/* The primary plane covers the screen. */
	if ((m.primary.plane = find_plane(m.fd, ci, DRM_PLANE_TYPE_PRIMARY,
	    pf->fourcc)) == 0)
		errx(1, "no primary plane can show %s", pf->name);
	m.primary.on = 1;
	m.primary.w = m.mode.hdisplay;
	m.primary.h = m.mode.vdisplay;
	w = quarter_turn(m.primary.rotation) ? m.primary.h : m.primary.w;
	h = quarter_turn(m.primary.rotation) ? m.primary.w : m.primary.h;
	m.primary.nbuf = m.flip ? 2 : 1;
	for (i = 0; i < (uint32_t)m.primary.nbuf; i++) {
		buffer_create(m.fd, &m.primary.buf[i], w, h, pf);
		buffer_fill(&m.primary.buf[i], i == 0 ? pattern : inverse);
	}
	if (m.overlay.on) {
		if ((m.overlay.plane = find_plane(m.fd, ci,
		    DRM_PLANE_TYPE_OVERLAY, of->fourcc)) == 0)
			errx(1, "no overlay plane can show %s", of->name);
		w = quarter_turn(m.overlay.rotation) ? m.overlay.h :
		    m.overlay.w;
		h = quarter_turn(m.overlay.rotation) ? m.overlay.w :
		    m.overlay.h;
		m.overlay.nbuf = 1;
		buffer_create(m.fd, &m.overlay.buf[0], w, h, of);
		buffer_fill(&m.overlay.buf[0], checker);
	}
	if (m.cursor.on) {
		if ((m.cursor.plane = find_plane(m.fd, ci,
		    DRM_PLANE_TYPE_CURSOR, cf->fourcc)) == 0)
			errx(1, "no cursor plane can show %s", cf->name);
		m.cursor.w = m.cursor.h = CURSOR_SIZE;
		m.cursor.nbuf = 1;
		buffer_create(m.fd, &m.cursor.buf[0], CURSOR_SIZE,
		    CURSOR_SIZE, cf);
		buffer_fill(&m.cursor.buf[0], cursor_image);
	}

	/* Signals are taken one at a time, in order, by sigwaitinfo(). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	commit(&m, step);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if ((sig = sigwaitinfo(&set, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "sigwaitinfo");
		}
		if (sig != SIGUSR1)
			break;
		commit(&m, ++step);
		printf("step %d\n", step);
		fflush(stdout);
	}
	return 0;
}

/* --- writeback ------------------------------------------------------------ */

static int
write_ppm(const char *path, const struct buffer *b)
{
	FILE		*f;
	uint32_t	 x, y;
	const uint8_t	*p;
	int		 ret;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	fprintf(f, "P6\n%u %u\n255\n", b->width, b->height);
	for (y = 0; y < b->height; y++)
		for (x = 0; x < b->width; x++) {
			p = b->map + (size_t)y * b->pitch + x * 4;
			fputc(p[2], f);
			fputc(p[1], f);
			fputc(p[0], f);
		}
	ret = ferror(f) ? -1 : 0;
	return fclose(f) == 0 ? ret : -1;
}

#define MAX_OUTPUTS	8

/*
 * Route the CRTC to the writeback connector alone, with a buffer and a
 * fence to fill (fb != 0), or back to the outputs it drove (fb == 0).
 * Alone: vkms (Linux 6.1) cannot drive an output and its writeback
 * connector at once, their encoders are not clones of each other.  Where
 * a driver can, this costs two modesets and nothing else.
 */
static void
route_writeback(int fd, uint32_t crtc, uint32_t wb, const uint32_t *outputs,
    int n, uint32_t fb, int32_t *fence)
{
	drmModeAtomicReq	*req;
	uint32_t		 T = DRM_MODE_OBJECT_CONNECTOR;
	int			 i;

	if ((req = drmModeAtomicAlloc()) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++)
		set(req, fd, outputs[i], T, "CRTC_ID", fb ? 0 : crtc);
	set(req, fd, wb, T, "CRTC_ID", fb ? crtc : 0);
	if (fb) {
		set(req, fd, wb, T, "WRITEBACK_FB_ID", fb);
		set(req, fd, wb, T, "WRITEBACK_OUT_FENCE_PTR",
		    (uint64_t)(uintptr_t)fence);
	}
	acquire_master(fd);
	if (drm_failed(drmModeAtomicCommit(fd, req,
	    DRM_MODE_ATOMIC_ALLOW_MODESET, NULL)))
		err(1, "%s commit", fb ? "writeback" : "restoring");
	drmDropMaster(fd);
	drmModeAtomicFree(req);
}

static int
writeback(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "card",	required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	drmModeRes		*res;
	drmModeConnector	*c;
	drmModeCrtc		*crtc;
	struct buffer		 b;
	struct pollfd		 pfd;
	uint32_t		 crtc_id = 0, wb = 0, w = 0, h = 0, mask = 0;
	uint32_t		 outputs[MAX_OUTPUTS];
	int32_t			 fence = -1;
	int			 ch, card = 0, fd, i, n = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': card = atoi(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 1)
		errx(2, "usage: kmstool writeback [--card N] OUT.ppm");

	fd = open_card(card, 1);
	if ((res = drmModeGetResources(fd)) == NULL)
		err(1, "drmModeGetResources");
	for (i = 0; i < res->count_connectors && wb == 0; i++) {
		if ((c = drmModeGetConnector(fd, res->connectors[i])) == NULL)
			continue;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK) {
			wb = c->connector_id;
			mask = possible_crtcs(fd, c);
		}
		drmModeFreeConnector(c);
	}
	if (wb == 0)
		errx(1, "card%d has no writeback connector", card);

	/* What the writeback copies is an active CRTC's composition. */
	for (i = 0; i < res->count_crtcs && crtc_id == 0; i++) {
		if ((crtc = drmModeGetCrtc(fd, res->crtcs[i])) == NULL)
			continue;
		if (crtc->mode_valid && (mask & (1u << i))) {
			crtc_id = crtc->crtc_id;
			w = crtc->mode.hdisplay;
			h = crtc->mode.vdisplay;
		}
		drmModeFreeCrtc(crtc);
	}
	if (crtc_id == 0)
		errx(1, "no active CRTC to write back (kmstool modeset first)");
	for (i = 0; i < res->count_connectors; i++)
		if (res->connectors[i] != wb && n < MAX_OUTPUTS &&
		    prop_value(fd, res->connectors[i],
		    DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID") == crtc_id)
			outputs[n++] = res->connectors[i];

	buffer_create(fd, &b, w, h, format_by_name("XR24"));
	memset(b.map, 0, b.size);
	route_writeback(fd, crtc_id, wb, outputs, n, b.fb, &fence);

	/* The fence signals once the frame is in the buffer. */
	if (fence < 0)
		errx(1, "the writeback commit gave no fence");
	pfd.fd = fence;
	pfd.events = POLLIN;
	if ((i = poll(&pfd, 1, 5000)) != 1)
		errx(1, "the writeback did not complete within 5 s (%d)", i);
	close(fence);
	route_writeback(fd, crtc_id, wb, outputs, n, 0, NULL);

	if (write_ppm(argv[optind], &b) == -1)
		err(1, "%s", argv[optind]);
	printf("wrote %ux%u to %s\n", w, h, argv[optind]);
	drmModeFreeResources(res);
	return 0;
}

/* --- draw ----------------------------------------------------------------- */

/*
 * kmstool draw --format F --pattern P WxH OUT: the bytes a framebuffer of
 * that format would hold (rows of width * bytes per pixel; NV12: the luma
 * rows, then the chroma rows, both of the width rounded up to even),
 * without a device: the check of the packing of formats no device here
 * can show (tests/vm/formats.py).
 */
static int
draw(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format",	required_argument, NULL, 'f' },
		{ "pattern",	required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const struct format	*f = format_by_name("XR24");
	pattern_fn		 pattern = gradient;
	struct buffer		 b;
	FILE			*out;
	int			 ch, w, h;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': f = format_by_name(optarg); break;
		case 'p': pattern = pattern_by_name(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 2 ||
	    sscanf(argv[optind], "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0)
		errx(2, "usage: kmstool draw [--format F] [--pattern P] WxH "
		    "OUT");
	memset(&b, 0, sizeof(b));
	b.width = w;
	b.height = h;
	b.fmt = f;
	b.pitch = (f->fourcc == DRM_FORMAT_NV12 ? (w + 1) & ~1 : w) *
	    f->bpp / 8;
	b.size = (size_t)b.pitch * (f->fourcc == DRM_FORMAT_NV12 ?
	    h + (h + 1) / 2 : h);
	if ((b.map = calloc(1, b.size)) == NULL)
		err(1, NULL);
	buffer_fill(&b, pattern);
	if ((out = fopen(argv[optind + 1], "wb")) == NULL ||
	    fwrite(b.map, 1, b.size, out) != b.size || fclose(out) != 0)
		err(1, "%s", argv[optind + 1]);
	free(b.map);
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
"usage: kmstool modeset [--card N] [--connector NAME] [--mode WxH]\n"
"           [--format XR24|AR24|XB24|AB24|RG16|XR30|XB30|NV12]\n"
"           [--pattern gradient|inverse|bars|checker|cursor]\n"
"           [--rotation R]\n"
"           [--overlay X,Y,W,H[,FORMAT][,alpha=A][,rotate=R]]\n"
"           [--cursor X,Y] [--move DX,DY] [--flip] [--off]\n"
"       kmstool writeback [--card N] OUT.ppm\n"
"       kmstool draw [--format F] [--pattern P] WxH OUT.raw\n"
"R: 0, 90, 180, 270, reflect-x, reflect-y.  A: 0..255.\n"
"modeset prints \"ready\" when the commit is on screen and holds it until\n"
"SIGTERM; each SIGUSR1 is a step: the overlay and cursor move by DX,DY\n"
"(default 32,16), --flip shows the other buffer (the inverse pattern),\n"
"--off turns the CRTC on and off; \"step N\" is printed when it shows.\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "modeset") == 0)
		return modeset(argc - 1, argv + 1);
	if (strcmp(argv[1], "writeback") == 0)
		return writeback(argc - 1, argv + 1);
	if (strcmp(argv[1], "draw") == 0)
		return draw(argc - 1, argv + 1);
	usage();
}
