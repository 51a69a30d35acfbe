/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every encoder on what a client and a screen can make of it: a small
 * screen, any rectangle (out of range too), any 16 bytes of pixel format
 * that pixfmt_validate() takes, any settings, any pixels.  An encoder that
 * refuses (-1) must leave its output as it was; one that accepts must
 * have appended exactly the rectangles it counted, each a well-formed
 * header inside the rectangle asked for, with a body of the length its
 * encoding says (zlib data inflated to exactly what it stands for).
 *
 * Input: 4 bytes screen size, 8 bytes rectangle (a flag byte in front
 * makes the fields 32-bit wild ones), 16 bytes pixel format, 16 bytes
 * settings, 1 byte stride padding, 1 byte pixel mode, then pixels.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "broker/encoders/encoder.h"
#include "broker/wire.h"
#include "tests/fuzz/tight-body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCREEN_MAX	96

struct input {
	const uint8_t	*p;
	size_t		left;
};

static uint8_t
take8(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static uint32_t
take32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | take8(in);
	return v;
}

static struct inflater {
	z_stream	z;
	int		ready;
	uint8_t		*buf;
	size_t		cap;
} inf;

/* The raw deflate data at p (len bytes), inflated on its own: a zlib
 * stream rectangle must not depend on anything before it.  Returns the
 * inflated bytes (*out_len), or NULL when the data is broken. */
static const uint8_t *
inflate_rect(const uint8_t *p, size_t len, size_t want_max, size_t *out_len)
{
	int rc;

	if (!inf.ready) {
		if (inflateInit2(&inf.z, -15) != Z_OK)
			abort();
		inf.ready = 1;
	} else
		inflateReset(&inf.z);
	if (want_max + 1 > inf.cap) {
		free(inf.buf);
		inf.cap = want_max + 1;
		if ((inf.buf = malloc(inf.cap)) == NULL)
			abort();
	}
	inf.z.next_in = (Bytef *)(uintptr_t)p;
	inf.z.avail_in = (uInt)len;
	inf.z.next_out = inf.buf;
	inf.z.avail_out = (uInt)inf.cap;
	rc = inflate(&inf.z, Z_SYNC_FLUSH);
	if ((rc != Z_OK && rc != Z_BUF_ERROR) || inf.z.avail_in != 0)
		return NULL;
	*out_len = inf.cap - inf.z.avail_out;
	return inf.buf;
}

/* The length of a Hextile body of w x h at p, or 0 when it runs past
 * end. */
static size_t
hextile_len(const uint8_t *p, const uint8_t *end, uint32_t w, uint32_t h,
    size_t bpp)
{
	const uint8_t *start = p;
	uint32_t tx, ty, tw, th;
	uint8_t m;

	for (ty = 0; ty < h; ty += 16)
		for (tx = 0; tx < w; tx += 16) {
			tw = w - tx < 16 ? w - tx : 16;
			th = h - ty < 16 ? h - ty : 16;
			if (p >= end)
				return 0;
			m = *p++;
			if (m & 1) {
				p += (size_t)tw * th * bpp;
				continue;
			}
			if (m & 2)
				p += bpp;
			if (m & 4)
				p += bpp;
			if (m & 8) {
				if (p >= end)
					return 0;
				p += 1 + (size_t)*p * ((m & 16) ? bpp + 2 : 2);
			}
			if (p > end)
				return 0;
		}
	return (size_t)(p - start);
}

/* A ZRLE tile stream of w x h (cpp bytes a CPIXEL): 1 when it is exactly
 * n bytes of whole tiles. */
static int
zrle_walk(const uint8_t *p, size_t n, uint32_t w, uint32_t h, size_t cpp)
{
	const uint8_t *end = p + n;
	uint32_t tx, ty, tw, th;
	size_t left, run;
	uint8_t t;

	for (ty = 0; ty < h; ty += 64)
		for (tx = 0; tx < w; tx += 64) {
			tw = w - tx < 64 ? w - tx : 64;
			th = h - ty < 64 ? h - ty : 64;
			if (p >= end)
				return 0;
			t = *p++;
			if (t == 0)
				p += (size_t)tw * th * cpp;
			else if (t == 1)
				p += cpp;
			else if (t <= 16) {
				size_t bits = t == 2 ? 1 : t <= 4 ? 2 : 4;

				p += t * cpp + th * ((tw * bits + 7) / 8);
			} else if (t == 128 || t >= 130) {
				if (t >= 130)
					p += (size_t)(t - 128) * cpp;
				for (left = (size_t)tw * th; left > 0;
				    left -= run) {
					if (t == 128)
						p += cpp;
					if (p >= end)
						return 0;
					run = 1;
					if (t == 128 || (*p++ & 0x80)) {
						if (t >= 130 && p >= end)
							return 0;
						while (p < end && *p == 255) {
							run += 255;
							p++;
						}
						if (p >= end)
							return 0;
						run += *p++;
					}
					if (run > left)
						return 0;	/* past the tile */
				}
			} else
				return 0;	/* 17..127, 129: not written */
			if (p > end)
				return 0;
		}
	return p == end;
}

/* Bytes of a ZRLE CPIXEL (rfbproto.rst), as the encoder must use them. */
static size_t
zrle_cpp(const struct pixfmt *pf)
{
	uint32_t max;

	/* A colour map's shifts are anything: not read. */
	if (pf->bpp != 32 || !pf->true_colour || pf->depth > 24)
		return pf->bpp / 8;
	max = (uint32_t)pf->red_max << pf->red_shift |
	    (uint32_t)pf->green_max << pf->green_shift |
	    (uint32_t)pf->blue_max << pf->blue_shift;
	return max < 1u << 24 || (max & 0xff) == 0 ? 3 : 4;
}

/* The body of one rectangle of enc at p: its length, or 0 when it is
 * malformed. */
static size_t
body_len(const struct encoder *enc, const uint8_t *p, const uint8_t *end,
    const struct rect *r, const struct pixfmt *pf)
{
	size_t bpp = pf->bpp / 8, zlen, got, want;
	const uint8_t *raw;

	switch (enc->encoding) {
	case 0:		/* Raw */
		return (size_t)r->w * r->h * bpp;
	case 5:		/* Hextile */
		return hextile_len(p, end, r->w, r->h, bpp);
	case 6:		/* Zlib */
	case 16:	/* ZRLE */
		if (end - p < 4)
			return 0;
		zlen = wire_get32(p);
		if (zlen > (size_t)(end - p) - 4)
			return 0;
		want = enc->encoding == 6 ? (size_t)r->w * r->h * bpp :
		    ((size_t)(r->w + 63) / 64) * ((r->h + 63) / 64) +
		    (size_t)r->w * r->h * 4;
		if ((raw = inflate_rect(p + 4, zlen, want, &got)) == NULL)
			return 0;
		if (enc->encoding == 6 ? got != want :
		    !zrle_walk(raw, got, r->w, r->h, zrle_cpp(pf)))
			return 0;
		return 4 + zlen;
	case 7:		/* Tight */
		return tight_body_len(p, end, r, pf);
	case 21:	/* JPEG */
		return jpeg_body_len(p, end, r);
	}
	abort();
}

/* The encoders with an encode(). */
static const struct encoder *const encoders[] = {
	&encoder_raw, &encoder_hextile, &encoder_zlib, &encoder_zrle,
	&encoder_tight, &encoder_jpeg,
};

static void
check(const struct encoder *enc, const struct encode_src *src,
    const struct rect *r, const struct pixconv *pc,
    const struct encode_settings *set, struct encode_scratch *scratch)
{
	static const char prefix[] = "earlier bytes";
	struct evbuffer *out = evbuffer_new();
	const uint8_t *p, *end;
	size_t len, body;
	struct rect h;
	int n;

	if (out == NULL)
		abort();
	evbuffer_add(out, prefix, sizeof(prefix));
	n = enc->encode(src, r, pc, set, &scratch->slot[encoder_slot(enc)],
	    out);
	len = evbuffer_get_length(out);
	p = evbuffer_pullup(out, -1);
	if (len < sizeof(prefix) || memcmp(p, prefix, sizeof(prefix)) != 0)
		abort();	/* what was there before was touched */
	if (n <= 0) {
		if (n != -1 || len != sizeof(prefix))
			abort();	/* refused, but appended */
		evbuffer_free(out);
		return;
	}
	end = p + len;
	p += sizeof(prefix);
	for (; n > 0; n--) {
		if (end - p < ENCODER_RECT_HEADER_SIZE)
			abort();
		h.x = wire_get16(p);
		h.y = wire_get16(p + 2);
		h.w = wire_get16(p + 4);
		h.h = wire_get16(p + 6);
		if ((int32_t)wire_get32(p + 8) != enc->encoding ||
		    h.w == 0 || h.h == 0 || h.x < r->x || h.y < r->y ||
		    h.x + h.w > r->x + r->w || h.y + h.h > r->y + r->h)
			abort();	/* not a rectangle of what was asked */
		p += ENCODER_RECT_HEADER_SIZE;
		if ((body = body_len(enc, p, end, &h, &pc->pf)) == 0 ||
		    body > (size_t)(end - p))
			abort();
		p += body;
	}
	if (p != end)
		abort();	/* more bytes than the rectangles counted */
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct encode_scratch scratch;
	struct input in = { data, size };
	struct encode_settings set;
	struct encode_src src;
	struct pixfmt pf;
	struct pixconv pc;
	struct rect r;
	uint8_t wire[16], *screen, palette[8][4], mode;
	uint32_t sw, sh, i;
	size_t stride, k;

	sw = 1 + take8(&in) % SCREEN_MAX;
	sh = 1 + take8(&in) % SCREEN_MAX;
	take8(&in);
	if (take8(&in) & 0x80) {
		/* Anything at all, overflows included. */
		r.x = take32(&in);
		r.y = take32(&in);
		r.w = take32(&in);
		r.h = take32(&in);
	} else {
		r.x = take8(&in) % (SCREEN_MAX + 8);
		r.y = take8(&in) % (SCREEN_MAX + 8);
		r.w = take8(&in) % (SCREEN_MAX + 8);
		r.h = take8(&in) % (SCREEN_MAX + 8);
	}
	for (i = 0; i < 16; i++)
		wire[i] = take8(&in);
	pixfmt_from_wire(&pf, wire);
	if (pixfmt_validate(&pf, NULL) == -1)
		pf = pixfmt_native;
	set.quality = (int32_t)take32(&in);
	set.fine_quality = (int32_t)take32(&in);
	set.subsampling = (int32_t)take32(&in);
	set.compress = (int32_t)take32(&in);
	stride = (size_t)sw * 4 + take8(&in) % 16;
	mode = take8(&in);

	if ((screen = malloc(stride * sh)) == NULL)
		abort();
	/* The pixels: the input's bytes as they are, or as indices into a
	 * palette of 8 colours (runs and palettes for the tile encoders). */
	for (i = 0; i < 8; i++)
		for (k = 0; k < 4; k++)
			palette[i][k] = take8(&in);
	for (k = 0; k < stride * sh; k++) {
		if (mode & 1) {
			uint8_t b = in.left ? in.p[(k / 4 / (1 + mode / 2 % 8)) %
			    in.left] : 0;

			screen[k] = palette[b % 8][k % 4];
		} else
			screen[k] = in.left ? in.p[k % in.left] : (uint8_t)k;
	}
	src = (struct encode_src){ screen, stride, sw, sh };
	pixconv_init(&pc, &pf);
	for (i = 0; i < sizeof(encoders) / sizeof(encoders[0]); i++)
		check(encoders[i], &src, &r, &pc, &set, &scratch);
	free(screen);
	return 0;
}
