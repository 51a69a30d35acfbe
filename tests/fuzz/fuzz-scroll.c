/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scroll_detect on frames and damage made from the input: a small screen
 * (1..200 x 1..300, padded rows), prev drawn from a few row patterns of a
 * few colours (so that rows repeat and many dys look plausible), cur that
 * is prev moved by dy inside a band, with pixels of the input written over
 * it, and a damage map that is the true one, the input's bits, everything,
 * or of another geometry.  Whatever comes back must hold: every move exact
 * (the X byte aside), inside the screen with its source, inside damaged
 * tiles, at least the minimum size, destinations disjoint, and right when
 * applied in order as a viewer applies CopyRects.  Any break aborts.
 * One scratch serves every input, as in the broker, through every change
 * of geometry.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/damage.h"
#include "broker/scroll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MOVES	8

struct input {
	const uint8_t	*p;
	size_t		left;
};

static uint32_t
take(struct input *in, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes-- > 0) {
		v <<= 8;
		if (in->left > 0) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int
rect_meet(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

static void
check(const uint8_t *prev, const uint8_t *cur, size_t stride, uint32_t w,
    uint32_t h, const struct damage *d, const struct scroll_move *m,
    size_t n, size_t max)
{
	const uint8_t *a, *b;
	uint8_t *view;
	uint32_t x, y;
	int64_t sy;
	size_t i, j, rb;

	if (n > max)
		abort();
	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;

		sy = (int64_t)r->y - m[i].dy;
		if (m[i].dy == 0 || r->w == 0 || r->h < SCROLL_MIN_HEIGHT ||
		    (uint64_t)r->w * r->h < SCROLL_MIN_AREA ||
		    (uint64_t)r->x + r->w > w || (uint64_t)r->y + r->h > h ||
		    sy < 0 || sy + r->h > h)
			abort();
		for (y = r->y; y < r->y + r->h; y++) {
			for (x = r->x; x < r->x + r->w; x++) {
				if (!d->tiles[(size_t)(y / DAMAGE_TILE) *
				    d->cols + x / DAMAGE_TILE])
					abort();
				a = cur + (size_t)y * stride + (size_t)x * 4;
				b = prev + (size_t)(y - m[i].dy) * stride +
				    (size_t)x * 4;
				if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2])
					abort();
			}
		}
		for (j = 0; j < i; j++)
			if (rect_meet(&m[i].dst, &m[j].dst))
				abort();
	}
	if (n == 0)
		return;
	if ((view = malloc(stride * h)) == NULL)
		abort();
	memcpy(view, prev, stride * h);
	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;

		rb = (size_t)r->w * 4;
		/* Rows in the order that never reads one already written. */
		for (j = 0; j < r->h; j++) {
			y = m[i].dy > 0 ? r->h - 1 - (uint32_t)j : (uint32_t)j;
			memmove(view + (size_t)(r->y + y) * stride +
			    (size_t)r->x * 4, view + (size_t)(r->y + y -
			    m[i].dy) * stride + (size_t)r->x * 4, rb);
		}
	}
	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;

		for (y = r->y; y < r->y + r->h; y++) {
			for (x = r->x; x < r->x + r->w; x++) {
				a = view + (size_t)y * stride + (size_t)x * 4;
				b = cur + (size_t)y * stride + (size_t)x * 4;
				if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2])
					abort();
			}
		}
	}
	free(view);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scroll_scratch scratch;
	static int ready;
	struct input in = { data, size };
	struct scroll_move m[MAX_MOVES];
	struct damage d;
	uint8_t *prev, *cur, *p;
	uint32_t w, h, x, y, bx0, by0, bx1, by1, colours, patterns, flags, v;
	uint64_t seed, pat;
	size_t stride, max, n, i;
	int32_t dy;
	int crc;

	if (!ready) {
		scroll_scratch_init(&scratch);
		ready = 1;
	}
	w = 1 + take(&in, 1) % 200;
	h = 1 + take(&in, 2) % 300;
	stride = (size_t)w * 4 + take(&in, 1) % 24;
	dy = (int32_t)(int8_t)take(&in, 1);
	flags = take(&in, 1);
	max = take(&in, 1) % (MAX_MOVES + 1);
	seed = (uint64_t)take(&in, 4) << 32 | take(&in, 4);
	colours = 1 + (flags & 3) * 5;		/* 1, 6, 11 or 16 */
	patterns = 1 + take(&in, 1) % 64;
	bx0 = take(&in, 1) % w;
	bx1 = bx0 + 1 + take(&in, 1) % (w - bx0);
	by0 = take(&in, 2) % h;
	by1 = by0 + 1 + take(&in, 2) % (h - by0);

	if ((prev = malloc(stride * h)) == NULL ||
	    (cur = malloc(stride * h)) == NULL || damage_init(&d, w, h) == -1)
		abort();
	/* Each row one of a few patterns; the X bytes are junk. */
	for (y = 0; y < h; y++) {
		pat = mix64(seed ^ (mix64(y) % patterns));
		/* Padding past the pixels: not pixels, and it differs. */
		for (i = (size_t)w * 4; i < stride; i++) {
			prev[(size_t)y * stride + i] = (uint8_t)(seed + i);
			cur[(size_t)y * stride + i] = (uint8_t)~(seed + i);
		}
		for (x = 0; x < w; x++) {
			p = prev + (size_t)y * stride + (size_t)x * 4;
			v = (uint32_t)(((pat ^ x) * 0x9e3779b97f4a7c15ull) >>
			    40) % colours;
			p[0] = (uint8_t)(v * 37);
			p[1] = (uint8_t)(v * 91);
			p[2] = (uint8_t)(v * 13);
			p[3] = (uint8_t)(seed + y * 31 + x * 7);
		}
	}
	/* cur: prev, its band moved by dy, then the input's pixels. */
	for (y = 0; y < h; y++)
		memcpy(cur + (size_t)y * stride, prev + (size_t)y * stride,
		    (size_t)w * 4);
	for (y = by0; y < by1; y++) {
		int64_t sy = (int64_t)y - dy;

		if (sy < 0 || sy >= h)
			continue;
		memcpy(cur + (size_t)y * stride + (size_t)bx0 * 4,
		    prev + (size_t)sy * stride + (size_t)bx0 * 4,
		    (size_t)(bx1 - bx0) * 4);
	}
	if (flags & 0x80)
		cur[(size_t)(take(&in, 2) % h) * stride + take(&in, 1) % w * 4 +
		    3] ^= 0xff;
	while (in.left >= 6 && !(flags & 0x40)) {
		x = take(&in, 1) % w;
		y = take(&in, 2) % h;
		p = cur + (size_t)y * stride + (size_t)x * 4;
		p[take(&in, 1) % 3] = (uint8_t)take(&in, 1);
		if (take(&in, 1) == 0)
			break;
	}

	switch ((flags >> 2) & 3) {
	case 0:
		damage_compare(&d, prev, cur, stride, 4);
		break;
	case 1:		/* the input's bits, whatever the pixels did */
		damage_clear(&d);
		for (i = 0; i < (size_t)d.cols * d.rows; i++)
			if (take(&in, 1) & 1)
				damage_add_rect(&d, &(struct rect){
				    (uint32_t)(i % d.cols) * DAMAGE_TILE,
				    (uint32_t)(i / d.cols) * DAMAGE_TILE, 1, 1 });
		break;
	case 2:
		damage_add_all(&d);
		break;
	default:
		/* Another geometry: nothing may be found. */
		damage_free(&d);
		if (damage_init(&d, w + 1, h) == -1)
			abort();
		damage_add_all(&d);
		n = scroll_detect(prev, cur, stride, w, h, &d, m, max,
		    &scratch);
		if (n != 0)
			abort();
		goto out;
	}
	crc = scratch.crc;
	if (flags & 0x20)
		scratch.crc = 0;	/* the portable hash */
	n = scroll_detect(prev, cur, stride, w, h, &d, m, max, &scratch);
	check(prev, cur, stride, w, h, &d, m, n, max);
	scratch.crc = crc;
	if ((flags & 0x30) == 0x30)
		scroll_scratch_free(&scratch);
out:
	damage_free(&d);
	free(prev);
	free(cur);
	return 0;
}
