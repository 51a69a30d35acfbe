/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>

#include <stdlib.h>
#include <string.h>

#include "broker/cursor.h"
#include "broker/encoders/encoder.h"
#include "broker/pixfmt.h"
#include "broker/session.h"
#include "common/blend.h"

void
cursor_free(struct cursor *k)
{
	free(k->image);
	*k = (struct cursor){ 0 };
}

int
cursor_set(struct cursor *k, const struct ipc_cap_cursor *m, const void *img)
{
	size_t n = (size_t)m->width * m->height;
	int what = 0, image, shape, moved;

	if (img == NULL && (k->image == NULL || m->width != k->width ||
	    m->height != k->height))
		return -1;
	if (k->image == NULL && (k->image = calloc((size_t)IPC_CURSOR_MAX_SIDE *
	    IPC_CURSOR_MAX_SIDE, sizeof(*k->image))) == NULL)
		return -1;
	/* A new blob that holds the same picture changes nothing: the
	 * capture helper sends one whenever its source's serial moves. */
	image = m->width != k->width || m->height != k->height ||
	    m->blend != k->blend ||
	    (img != NULL && memcmp(k->image, img, n * 4) != 0);
	shape = image || m->hot_x != k->hot_x || m->hot_y != k->hot_y;
	/* Where its top left corner is: a new hot spot alone moves
	 * nothing that is drawn. */
	moved = (int64_t)m->x - m->hot_x != (int64_t)k->x - k->hot_x ||
	    (int64_t)m->y - m->hot_y != (int64_t)k->y - k->hot_y;
	if ((int)m->visible != k->visible)
		what = CURSOR_SHAPE | CURSOR_DRAWN;
	else if (m->visible)
		what = (shape ? CURSOR_SHAPE : 0) |
		    (image || moved ? CURSOR_DRAWN : 0);
	/* Where it moves while hidden is nobody's business. */
	if (shape || (int)m->visible != k->visible)
		k->serial++;
	if (img != NULL)
		memcpy(k->image, img, n * 4);
	k->width = m->width;
	k->height = m->height;
	k->hot_x = m->hot_x;
	k->hot_y = m->hot_y;
	k->x = m->x;
	k->y = m->y;
	k->blend = m->blend;
	k->visible = (int)m->visible;
	return what;
}

int
cursor_hide(struct cursor *k)
{
	if (!k->visible)
		return 0;
	k->visible = 0;
	k->serial++;
	return CURSOR_SHAPE | CURSOR_DRAWN;
}

int
cursor_rect(const struct cursor *k, uint32_t width, uint32_t height,
    struct rect *r)
{
	int64_t x0, y0, x1, y1;

	if (k->image == NULL || !k->visible)
		return 0;
	x0 = (int64_t)k->x - k->hot_x;
	y0 = (int64_t)k->y - k->hot_y;
	x1 = x0 + k->width;
	y1 = y0 + k->height;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > width)
		x1 = width;
	if (y1 > height)
		y1 = height;
	if (x0 >= x1 || y0 >= y1)
		return 0;
	*r = (struct rect){ (uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0),
	    (uint32_t)(y1 - y0) };
	return 1;
}

void
cursor_draw(const struct cursor *k, uint8_t *px, size_t stride,
    uint32_t width, uint32_t height)
{
	if (k->image == NULL || !k->visible)
		return;
	blend_argb_over(px, stride, width, height, k->image, k->width,
	    k->height, (int64_t)k->x - k->hot_x, (int64_t)k->y - k->hot_y,
	    k->blend);
}

/*
 * TigerVNC's server dithers alpha into the mask (Floyd-Steinberg,
 * common/rfb/Cursor.cxx); a plain threshold keeps the outline of a
 * pointer drawn with hard edges, which is what cursor planes mostly hold,
 * exactly where it is, and a half transparent shadow goes either way.
 */
uint32_t
cursor_straight(uint32_t argb, uint32_t blend, int *opaque)
{
	uint32_t a = argb >> 24, c[3], out = 0;

	if (blend == BLEND_NONE) {
		*opaque = 1;
		return argb & 0xffffff;
	}
	*opaque = a >= 128;
	if (a == 0)
		return 0;
	for (int i = 0; i < 3; i++) {
		c[i] = (argb >> (8 * i)) & 0xff;
		/* Pre-multiplied: the colour is c / a, rounded; one
		 * larger than its alpha (invalid) shows as full. */
		if (blend == BLEND_PREMULTI && a < 255) {
			c[i] = (c[i] * 255 + a / 2) / a;
			if (c[i] > 255)
				c[i] = 255;
		}
		out |= c[i] << (8 * i);
	}
	return out;
}

int
cursor_put_rect(const struct cursor *k, const struct pixconv *pc,
    struct evbuffer *out)
{
	static const uint32_t none = 0;
	const uint32_t *img = &none;
	uint32_t w = 1, h = 1, blend = BLEND_PREMULTI;
	struct rect r = { 0, 0, 1, 1 };
	size_t bpp = pixconv_bytes_per_pixel(pc), mrow, n;
	uint32_t *xrgb = NULL;
	uint8_t *pixels = NULL, *mask = NULL;
	int opaque, ret = -1;

	if (k->image != NULL && k->visible) {
		img = k->image;
		w = k->width;
		h = k->height;
		blend = k->blend;
		r = (struct rect){ k->hot_x, k->hot_y, w, h };
	}
	n = (size_t)w * h;
	mrow = (w + 7) / 8;
	if ((xrgb = malloc(n * 4)) == NULL ||
	    (pixels = malloc(n * bpp)) == NULL ||
	    (mask = calloc(mrow, h)) == NULL)
		goto out;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			xrgb[(size_t)y * w + x] = cursor_straight(
			    img[(size_t)y * w + x], blend, &opaque);
			if (opaque)
				mask[y * mrow + x / 8] |= 0x80 >> (x % 8);
		}
	/* The bytes of XRGB8888 as they lie in memory, little endian. */
	for (size_t i = 0; i < n; i++) {
		uint32_t v = xrgb[i];
		uint8_t *p = (uint8_t *)&xrgb[i];

		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = 0;
	}
	pixconv_rect(pc, pixels, (const uint8_t *)xrgb, (size_t)w * 4, w, h);
	if (encoder_rect_header(out, &r, SESSION_ENC_CURSOR) < 0 ||
	    evbuffer_add(out, pixels, n * bpp) < 0 ||
	    evbuffer_add(out, mask, mrow * h) < 0)
		goto out;
	ret = 0;
out:
	free(xrgb);
	free(pixels);
	free(mask);
	return ret;
}
