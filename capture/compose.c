/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_mode.h>

#include "capture/compose.h"
#include "capture/convert.h"
#include "common/ipc.h"

/*
 * Composition, one row of the screen at a time.
 *
 * On each row the planes that cross it are known; the topmost of them that
 * covers the whole row and hides what is beneath (the "base") is written
 * straight to XRGB8888, as convert_to_xrgb8888() would: most of a desktop
 * is one plane, and that costs one pass.  Where planes above the base cross
 * the row (a cursor, an overlay), and only there, the base and those planes
 * are read to 16 bits a channel and blended as vkms does, then written.
 * With no base the row starts black, the CRTC's background.
 *
 * The blend is drm_blend.c's formulas in vkms's 16-bit arithmetic,
 * common/blend.c, which the broker uses too when it draws the cursor.
 * vkms 6.1 copies its primary plane's colour as it is, alpha ignored,
 * which is this over black.
 */

#define M	0xffffu

struct cplane {
	const struct plane_state *ps;
	const struct fmt_info	*fmt;
	struct yuv_tab		*yt;		/* NV12: its encoding's table */
	int32_t			 x0, x1, y0, y1;/* visible part of the screen */
	uint32_t		*xmap;		/* source index, per visible column */
	uint32_t		*ymap;		/* source index, per visible row */
	int			 x_is_row;	/* screen x walks source rows */
	int			 rev_x, rev_y;	/* walks them backwards */
	int			 contig;	/* xmap[k] == xmap[0] + k, columns */
	int			 opaque;	/* hides what is beneath */
	int			 direct;	/* over black, is its own colour */
	uint32_t		 pa, blend;
};

static void
fourcc_name(uint32_t fourcc, char name[5])
{
	int i;
	char c;

	for (i = 0; i < 4; i++) {
		c = (char)(fourcc >> (8 * i));
		name[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	name[4] = '\0';
}

/*
 * Check one plane and find what of it the screen shows.  The source pixels
 * a plane may be sampled at are the columns c0 .. c1 and rows r0 .. r1: the
 * origin truncated (as vkms: src.x1 >> 16) and as many pixels as the
 * extent covers; every sample index stays below origin + extent.
 */
static int
plane_check(struct cplane *cp, const struct plane_state *ps, size_t i,
    uint32_t width, uint32_t height, char *why, size_t whylen)
{
	const struct fb_image *fb = &ps->fb;
	uint32_t rot, c0, r0, c1, r1;
	int64_t x1, y1;
	char name[5], reason[160];

	memset(cp, 0, sizeof(*cp));
	cp->ps = ps;
	if ((cp->fmt = fmt_lookup(fb->fourcc)) == NULL) {
		fourcc_name(fb->fourcc, name);
		snprintf(why, whylen, "plane %zu: unsupported format %s "
		    "(0x%08x)", i, name, fb->fourcc);
		return -1;
	}
	if (ps->rotation & ~(uint32_t)(DRM_MODE_ROTATE_MASK |
	    DRM_MODE_REFLECT_MASK)) {
		snprintf(why, whylen, "plane %zu: unknown rotation 0x%x", i,
		    ps->rotation);
		return -1;
	}
	rot = ps->rotation & DRM_MODE_ROTATE_MASK;
	if (rot == 0)
		rot = DRM_MODE_ROTATE_0;
	if (rot & (rot - 1)) {
		snprintf(why, whylen, "plane %zu: rotation 0x%x has more than "
		    "one angle", i, ps->rotation);
		return -1;
	}
	if (ps->blend > COMPOSE_BLEND_NONE) {
		snprintf(why, whylen, "plane %zu: unknown blend mode %u", i,
		    ps->blend);
		return -1;
	}
	if (cp->fmt->yuv && (ps->yuv > COMPOSE_YUV_BT2020 ||
	    ps->range > COMPOSE_RANGE_FULL)) {
		snprintf(why, whylen, "plane %zu: unknown YUV encoding %u or "
		    "range %u", i, ps->yuv, ps->range);
		return -1;
	}
	if (ps->src_w == 0 || ps->src_h == 0) {
		snprintf(why, whylen, "plane %zu: empty source rectangle", i);
		return -1;
	}
	if ((uint64_t)ps->src_x + ps->src_w > (uint64_t)fb->width << 16 ||
	    (uint64_t)ps->src_y + ps->src_h > (uint64_t)fb->height << 16) {
		snprintf(why, whylen, "plane %zu: source rectangle %u.%04u+%u"
		    ".%04u,%u.%04u+%u.%04u outside the %ux%u buffer", i,
		    ps->src_x >> 16, (ps->src_x & 0xffff) * 625 / 4096,
		    ps->src_w >> 16, (ps->src_w & 0xffff) * 625 / 4096,
		    ps->src_y >> 16, (ps->src_y & 0xffff) * 625 / 4096,
		    ps->src_h >> 16, (ps->src_h & 0xffff) * 625 / 4096,
		    fb->width, fb->height);
		return -1;
	}
	if (ps->crtc_w > COMPOSE_CRTC_MAX || ps->crtc_h > COMPOSE_CRTC_MAX) {
		snprintf(why, whylen, "plane %zu: CRTC rectangle %ux%u too "
		    "large", i, ps->crtc_w, ps->crtc_h);
		return -1;
	}
	c0 = ps->src_x >> 16;
	r0 = ps->src_y >> 16;
	c1 = c0 + ((ps->src_w - 1) >> 16);
	r1 = r0 + ((ps->src_h - 1) >> 16);
	if (fb_check(fb, cp->fmt, c0, r0, c1, r1, reason, sizeof(reason))) {
		snprintf(why, whylen, "plane %zu: %s", i, reason);
		return -1;
	}

	/*
	 * drm_blend.c (drm_plane_create_rotation_property): "Rotation is the
	 * specified amount in degrees in counter clockwise direction, the X
	 * and Y axis are within the source rectangle ... After reflection,
	 * the rotation is applied to the image sampled from the source
	 * rectangle, before scaling it to fit the destination rectangle."
	 * Screen x walks source columns for 0 and 180, rows for 90 and 270;
	 * backwards for 180 and 270 (x), 90 and 180 (y): a quarter turn
	 * counter-clockwise puts the top right corner at the top left.
	 */
	cp->x_is_row = rot == DRM_MODE_ROTATE_90 || rot == DRM_MODE_ROTATE_270;
	cp->rev_x = rot == DRM_MODE_ROTATE_180 || rot == DRM_MODE_ROTATE_270;
	cp->rev_y = rot == DRM_MODE_ROTATE_90 || rot == DRM_MODE_ROTATE_180;
	/* Reflection comes before rotation: it turns the walk of source
	 * columns (x) or rows (y) around, whichever screen axis walks it. */
	if (ps->rotation & DRM_MODE_REFLECT_X) {
		if (cp->x_is_row)
			cp->rev_y = !cp->rev_y;
		else
			cp->rev_x = !cp->rev_x;
	}
	if (ps->rotation & DRM_MODE_REFLECT_Y) {
		if (cp->x_is_row)
			cp->rev_x = !cp->rev_x;
		else
			cp->rev_y = !cp->rev_y;
	}

	cp->pa = ps->alpha;
	cp->blend = ps->blend;
	cp->opaque = cp->pa == M && (!cp->fmt->alpha ||
	    cp->blend == COMPOSE_BLEND_NONE);
	cp->direct = cp->pa == M && (!cp->fmt->alpha ||
	    cp->blend != COMPOSE_BLEND_COVERAGE);

	x1 = (int64_t)ps->crtc_x + ps->crtc_w;
	y1 = (int64_t)ps->crtc_y + ps->crtc_h;
	cp->x0 = ps->crtc_x < 0 ? 0 : ps->crtc_x;
	cp->y0 = ps->crtc_y < 0 ? 0 : ps->crtc_y;
	cp->x1 = (int32_t)(x1 > width ? width : x1);
	cp->y1 = (int32_t)(y1 > height ? height : y1);
	if (cp->x0 >= cp->x1 || cp->y0 >= cp->y1)
		cp->x0 = cp->x1 = cp->y0 = cp->y1 = 0;
	return 0;
}

/*
 * The source index at each visible screen position along one axis.  The
 * screen position i of the CRTC extent n samples the reflected and rotated
 * picture at pos = (i + 1/2) * extent / n (16.16), in the pixel whose cell
 * [k, k + 1) holds it: sampling comes after the turn, as drm_blend.c
 * orders it.  Where the axis runs backwards through the source that cell
 * is (extent - k - 1, extent - k] of the source: the source pixel holding
 * extent - pos, an edge going to the pixel before it.
 */
static void
axis_map(uint32_t *map, int32_t from, int32_t to, int32_t crtc_pos,
    uint32_t n, uint32_t origin, uint32_t extent, int rev)
{
	uint64_t i, pos;
	int32_t s;

	for (s = from; s < to; s++) {
		i = (uint64_t)((int64_t)s - crtc_pos);
		pos = (2 * i + 1) * extent / (2 * (uint64_t)n);
		if (rev)
			pos = extent - 1 - pos;
		*map++ = origin + (uint32_t)(pos >> 16);
	}
}

static void
plane_maps(struct cplane *cp)
{
	const struct plane_state *ps = cp->ps;
	uint32_t k, nx = (uint32_t)(cp->x1 - cp->x0);

	if (cp->x_is_row) {
		axis_map(cp->xmap, cp->x0, cp->x1, ps->crtc_x, ps->crtc_w,
		    ps->src_y >> 16, ps->src_h, cp->rev_x);
		axis_map(cp->ymap, cp->y0, cp->y1, ps->crtc_y, ps->crtc_h,
		    ps->src_x >> 16, ps->src_w, cp->rev_y);
	} else {
		axis_map(cp->xmap, cp->x0, cp->x1, ps->crtc_x, ps->crtc_w,
		    ps->src_x >> 16, ps->src_w, cp->rev_x);
		axis_map(cp->ymap, cp->y0, cp->y1, ps->crtc_y, ps->crtc_h,
		    ps->src_y >> 16, ps->src_h, cp->rev_y);
	}
	cp->contig = !cp->x_is_row;
	for (k = 1; k < nx && cp->contig; k++)
		cp->contig = cp->xmap[k] == cp->xmap[0] + k;
}

static void
pack_span(uint8_t *out, const struct px16 *acc, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++, out += 4) {
		out[0] = px16_to_8(acc[k].b);
		out[1] = px16_to_8(acc[k].g);
		out[2] = px16_to_8(acc[k].r);
		out[3] = 0;
	}
}

/* Screen columns lo .. hi of row y of a plane, to XRGB8888 at out. */
static void
plane_xrgb(const struct cplane *cp, int32_t y, int32_t lo, int32_t hi,
    uint8_t *out)
{
	uint32_t fixed = cp->ymap[y - cp->y0], k = (uint32_t)(lo - cp->x0);

	if (cp->contig)
		row_to_xrgb(&cp->ps->fb, cp->fmt, cp->yt, fixed, cp->xmap[k],
		    (uint32_t)(hi - lo), out);
	else
		gather_xrgb(&cp->ps->fb, cp->fmt, cp->yt, fixed, cp->xmap + k,
		    cp->x_is_row, (uint32_t)(hi - lo), out);
}

static void
plane_px16(const struct cplane *cp, int32_t y, int32_t lo, int32_t hi,
    struct px16 *out)
{
	gather_px16(&cp->ps->fb, cp->fmt, cp->yt, cp->ymap[y - cp->y0],
	    cp->xmap + (lo - cp->x0), cp->x_is_row, (uint32_t)(hi - lo), out);
}

struct span {
	int32_t	lo, hi;
};

/* The union of the planes' columns on this row, as sorted disjoint spans. */
static size_t
row_spans(struct cplane *const *act, size_t from, size_t to, struct span *sp)
{
	struct span t;
	size_t i, j, n = 0, m;

	for (i = from; i < to; i++) {
		t.lo = act[i]->x0;
		t.hi = act[i]->x1;
		for (j = n; j > 0 && sp[j - 1].lo > t.lo; j--)
			sp[j] = sp[j - 1];
		sp[j] = t;
		n++;
	}
	for (i = 1, m = 0; i < n; i++) {
		if (sp[i].lo <= sp[m].hi) {
			if (sp[i].hi > sp[m].hi)
				sp[m].hi = sp[i].hi;
		} else
			sp[++m] = sp[i];
	}
	return n == 0 ? 0 : m + 1;
}

static void
compose_row(uint8_t *out, int32_t y, int32_t width, struct cplane *const *cps,
    size_t ncp, struct px16 *acc, struct px16 *stage)
{
	struct cplane *act[COMPOSE_PLANES_MAX];
	struct span sp[COMPOSE_PLANES_MAX];
	const struct cplane *base = NULL;
	size_t i, nact = 0, first = 0, nsp, s;
	int32_t lo, hi, end, at = 0;

	for (i = 0; i < ncp; i++)
		if (y >= cps[i]->y0 && y < cps[i]->y1)
			act[nact++] = cps[i];
	for (i = nact; i-- > 0;) {
		if (act[i]->opaque && act[i]->x0 == 0 &&
		    act[i]->x1 == width) {
			base = act[i];
			first = i + 1;
			break;
		}
	}
	if (base == NULL && nact > 0 && act[0]->direct && act[0]->x0 == 0 &&
	    act[0]->x1 == width) {
		base = act[0];
		first = 1;
	}

	nsp = row_spans(act, first, nact, sp);
	for (s = 0; s <= nsp; s++) {
		/* What only the base shows, up to the next span. */
		hi = s < nsp ? sp[s].lo : width;
		if (hi > at) {
			if (base != NULL)
				plane_xrgb(base, y, at, hi, out + (size_t)at * 4);
			else
				memset(out + (size_t)at * 4, 0,
				    (size_t)(hi - at) * 4);
		}
		if (s == nsp)
			break;
		at = sp[s].lo;
		hi = sp[s].hi;
		if (base != NULL)
			plane_px16(base, y, at, hi, acc + at);
		else
			memset(acc + at, 0, (size_t)(hi - at) * sizeof(*acc));
		for (i = first; i < nact; i++) {
			lo = act[i]->x0 > at ? act[i]->x0 : at;
			end = act[i]->x1 < hi ? act[i]->x1 : hi;
			if (lo >= end)
				continue;
			plane_px16(act[i], y, lo, end, stage + lo);
			blend_span(acc + lo, stage + lo, (uint32_t)(end - lo),
			    act[i]->pa, act[i]->blend);
		}
		pack_span(out + (size_t)at * 4, acc + at, (uint32_t)(hi - at));
		at = hi;
	}
}

int
compose_planes(uint8_t *dst, size_t dst_stride, uint32_t width,
    uint32_t height, const struct plane_state *planes, size_t n, char *why,
    size_t whylen)
{
	struct cplane cp[COMPOSE_PLANES_MAX], *order[COMPOSE_PLANES_MAX], *t;
	struct px16 *acc, *stage;
	struct yuv_tab *yt;
	uint32_t *maps;
	size_t i, j, ncp = 0, nmap = 0, nyuv = 0, bytes;
	uint8_t *mem;
	char dummy[1];
	uint32_t y;

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	*why = '\0';
	if (width == 0 || height == 0)
		return 0;
	if (width > COMPOSE_CRTC_MAX || height > COMPOSE_CRTC_MAX) {
		snprintf(why, whylen, "screen %ux%u too large", width, height);
		return -1;
	}
	if (dst == NULL || dst_stride < (uint64_t)width * 4) {
		snprintf(why, whylen, "destination stride %zu below a row of "
		    "%u pixels", dst_stride, width);
		return -1;
	}
	if (n > 0 && planes == NULL) {
		snprintf(why, whylen, "no planes");
		return -1;
	}
	if (n > COMPOSE_PLANES_MAX) {
		snprintf(why, whylen, "%zu planes, at most %d", n,
		    COMPOSE_PLANES_MAX);
		return -1;
	}

	for (i = 0; i < n; i++) {
		if (plane_check(&cp[ncp], &planes[i], i, width, height, why,
		    whylen))
			return -1;
		if (cp[ncp].x0 == cp[ncp].x1)
			continue;	/* off the screen, or empty */
		nmap += (size_t)(cp[ncp].x1 - cp[ncp].x0) +
		    (size_t)(cp[ncp].y1 - cp[ncp].y0);
		nyuv += cp[ncp].fmt->yuv;
		ncp++;
	}

	/* Stable: a plane goes behind the first one with a higher zpos. */
	for (i = 0; i < ncp; i++) {
		t = &cp[i];
		for (j = i; j > 0 && order[j - 1]->ps->zpos > t->ps->zpos; j--)
			order[j] = order[j - 1];
		order[j] = t;
	}

	/* Each map holds at most width + height entries (a few tens of KiB
	 * for all planes of a 4K screen), nothing here overflows. */
	bytes = 2 * (size_t)width * sizeof(struct px16) +
	    nyuv * sizeof(struct yuv_tab) + nmap * sizeof(uint32_t);
	if ((mem = malloc(bytes)) == NULL) {
		snprintf(why, whylen, "no memory for %zu bytes", bytes);
		return -1;
	}
	acc = (struct px16 *)mem;
	stage = acc + width;
	yt = (struct yuv_tab *)(stage + width);
	maps = (uint32_t *)(yt + nyuv);
	for (i = 0; i < ncp; i++) {
		cp[i].xmap = maps;
		maps += cp[i].x1 - cp[i].x0;
		cp[i].ymap = maps;
		maps += cp[i].y1 - cp[i].y0;
		plane_maps(&cp[i]);
		if (cp[i].fmt->yuv) {
			yuv_tab_init(yt, cp[i].ps->yuv, cp[i].ps->range);
			cp[i].yt = yt++;
		}
	}

	for (y = 0; y < height; y++)
		compose_row(dst + (size_t)y * dst_stride, (int32_t)y,
		    (int32_t)width, order, ncp, acc, stage);
	free(mem);
	return 0;
}

/*
 * A quarter turn reads the source down its columns: done in square tiles,
 * so that the rows of a tile stay in the cache while its columns are read.
 */
#define TURN_TILE	32

void
transform_picture(uint8_t *dst, size_t dst_stride, const uint8_t *src,
    size_t src_stride, uint32_t width, uint32_t height, uint32_t transform)
{
	const uint8_t *srow;
	uint8_t *drow;
	uint32_t X, Y, X0, Y0, X1, Y1, x, y, dw, dh;
	int up, flip = (transform & IPC_TRANSFORM_FLIPPED) != 0;

	if (dst == NULL || src == NULL || width == 0 || height == 0 ||
	    transform > IPC_TRANSFORM_MAX)
		return;
	switch (transform & 3) {
	case IPC_TRANSFORM_NORMAL:
	case IPC_TRANSFORM_180:
		for (Y = 0; Y < height; Y++) {
			y = (transform & 3) == IPC_TRANSFORM_180 ?
			    height - 1 - Y : Y;
			srow = src + (size_t)y * src_stride;
			drow = dst + (size_t)Y * dst_stride;
			/* 180 mirrors the row; so does FLIPPED; both: not. */
			if (flip == ((transform & 3) == IPC_TRANSFORM_180)) {
				memcpy(drow, srow, (size_t)width * 4);
				continue;
			}
			for (X = 0; X < width; X++)
				memcpy(drow + (size_t)X * 4,
				    srow + (size_t)(width - 1 - X) * 4, 4);
		}
		return;
	}

	/* 90 and 270: dst is height x width; dst row Y is source column
	 * W-1-Y (90, FLIPPED_270) or Y (270, FLIPPED_90), read downwards
	 * (90, FLIPPED_90) or upwards (270, FLIPPED_270). */
	dw = height;
	dh = width;
	up = (transform & 3) == IPC_TRANSFORM_270;
	for (Y0 = 0; Y0 < dh; Y0 += TURN_TILE) {
		Y1 = Y0 + TURN_TILE < dh ? Y0 + TURN_TILE : dh;
		for (X0 = 0; X0 < dw; X0 += TURN_TILE) {
			X1 = X0 + TURN_TILE < dw ? X0 + TURN_TILE : dw;
			for (Y = Y0; Y < Y1; Y++) {
				x = ((transform & 3) == IPC_TRANSFORM_90) !=
				    flip ? width - 1 - Y : Y;
				y = up ? height - 1 - X0 : X0;
				srow = src + (size_t)y * src_stride +
				    (size_t)x * 4;
				drow = dst + (size_t)Y * dst_stride +
				    (size_t)X0 * 4;
				for (X = X0; X < X1; X++, drow += 4) {
					memcpy(drow, srow, 4);
					if (up)
						srow -= src_stride;
					else
						srow += src_stride;
				}
			}
		}
	}
}
