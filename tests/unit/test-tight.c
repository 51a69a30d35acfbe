/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Tight (7) and JPEG (21) encoders against a decoder of this test's
 * own, written from rfbproto.rst alone: control bytes, filters, palettes,
 * compact lengths, zlib streams reset where a rectangle says so (decoded
 * out of order, so that none may lean on another), JPEG framing found the
 * way noVNC finds it, TurboJPEG to decompress.  Lossless paths must give
 * every pixel exactly; JPEG a PSNR floor.  Every true-colour format, odd
 * and large sizes, noise, photo-like and text-like content.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <turbojpeg.h>
#include <zlib.h>

#include "broker/encoders/encoder.h"
#include "tests/tap.h"
#include "tests/unit/rfbdecode.h"

/* ---- The screen ---- */

struct screen {
	uint8_t		*px;
	size_t		stride;
	uint32_t	w, h;
};

static uint32_t rng = 0x12345678;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
screen_alloc(struct screen *s, uint32_t w, uint32_t h)
{
	s->w = w;
	s->h = h;
	s->stride = (size_t)w * 4 + 12;	/* rows not packed */
	free(s->px);
	if ((s->px = malloc(s->stride * h)) == NULL)
		bail("out of memory");
}

static void
put(struct screen *s, uint32_t x, uint32_t y, uint8_t r, uint8_t g,
    uint8_t b)
{
	uint8_t *p = s->px + y * s->stride + x * 4;

	p[0] = b;
	p[1] = g;
	p[2] = r;
	p[3] = (uint8_t)rnd();	/* the X byte is junk: never sent */
}

static uint8_t
clamp8(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* A triangle wave of period 510: smooth wherever the screen is. */
static uint8_t
tri(uint32_t v)
{
	v %= 510;
	return (uint8_t)(v < 256 ? v : 510 - v);
}

enum content { NOISE, PHOTO, TEXT, SOLID, TWO, FEW };
static const char *const content_name[] = { "noise", "photo", "text",
    "solid", "two colours", "five colours" };

static void
fill_rect(struct screen *s, const struct rect *a, enum content c)
{
	static const uint8_t few[5][3] = { { 255, 255, 255 }, { 0, 0, 0 },
	    { 200, 30, 30 }, { 30, 30, 200 }, { 128, 128, 128 } };
	uint32_t x, y, i, gx, gy, gw, gh;
	uint8_t v;

	rng = 0x12345678 + c;	/* the same content every time */
	for (y = a->y; y < a->y + a->h; y++)
		for (x = a->x; x < a->x + a->w; x++) {
			switch (c) {
			case NOISE:
				i = rnd();
				put(s, x, y, (uint8_t)i, (uint8_t)(i >> 8),
				    (uint8_t)(i >> 16));
				break;
			case PHOTO:
				/* Smooth shading with a little grain: a photo
				 * or a rendered scene; red saturates in bands,
				 * where the gradient's prediction clamps. */
				put(s, x, y, clamp8(128 + 160 * sin(x / 37.0) +
				    (rnd() % 5)),
				    (uint8_t)(128 + 90 * cos(y / 23.0 + x / 91.0)),
				    tri((x + 2 * y) / 7 + (rnd() % 3)));
				break;
			case SOLID:
				put(s, x, y, 40, 80, 120);
				break;
			case TWO:
				v = ((x / 3 + y / 5) % 3 == 0) ? 0 : 255;
				put(s, x, y, v, v, (uint8_t)(v ^ 0x20));
				break;
			case FEW:
				i = (x / 4 * 7 + y / 3 * 3) % 5;
				put(s, x, y, few[i][0], few[i][1], few[i][2]);
				break;
			case TEXT:
				put(s, x, y, 255, 255, 255);
				break;
			}
		}
	if (c != TEXT)
		return;
	/* Glyphs: dark strokes with antialiased edges in a few greys, some
	 * blue (links), on white; a title bar. */
	for (i = 0; i < a->w * a->h / 200 + 1; i++) {
		gx = a->x + rnd() % a->w;
		gy = a->y + rnd() % a->h;
		gw = 1 + rnd() % 6;
		gh = 1 + rnd() % 9;
		v = (uint8_t)((rnd() % 4) * 60);
		for (y = gy; y < gy + gh && y < a->y + a->h; y++)
			for (x = gx; x < gx + gw && x < a->x + a->w; x++)
				if (i % 7 == 0)
					put(s, x, y, 20, 20, (uint8_t)(200 - v / 2));
				else
					put(s, x, y, v, v, v);
	}
	for (y = a->y; y < a->y + a->h && y < a->y + 20; y++)
		for (x = a->x; x < a->x + a->w; x++)
			put(s, x, y, 50, 60, 90);
}

static void
fill_content(struct screen *s, enum content c)
{
	struct rect all = { 0, 0, s->w, s->h };

	fill_rect(s, &all, c);
}


/* ---- Client pixels ---- */

struct fmt {
	const char	*name;
	struct pixfmt	pf;
};

static const struct fmt formats[] = {
	{ "32 le", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 0 } },
	{ "32 be", { 32, 24, 1, 1, 255, 255, 255, 16, 8, 0 } },
	{ "bgr32", { 32, 24, 0, 1, 255, 255, 255, 0, 8, 16 } },
	{ "24 in the top of 32", { 32, 24, 0, 1, 255, 255, 255, 24, 16, 8 } },
	{ "32 depth 32 (4-byte TPIXEL)", { 32, 32, 0, 1, 255, 255, 255, 16, 8,
	    0 } },
	{ "32 10-bit", { 32, 30, 0, 1, 1023, 1023, 1023, 20, 10, 0 } },
	{ "565 le", { 16, 16, 0, 1, 31, 63, 31, 11, 5, 0 } },
	{ "565 be", { 16, 16, 1, 1, 31, 63, 31, 11, 5, 0 } },
	{ "555 le", { 16, 15, 0, 1, 31, 31, 31, 10, 5, 0 } },
	{ "332", { 8, 8, 0, 1, 7, 7, 3, 0, 3, 6 } },
	{ "colour map", { 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 } },
};
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

/* The colour-map formats' pixels are indices of the 3-3-2 map. */
static const struct pixfmt map332 = { 8, 8, 0, 1, 7, 7, 3, 0, 3, 6 };

static int
is_tpixel(const struct pixfmt *pf)
{
	return pf->true_colour && pf->bpp == 32 && pf->depth == 24 &&
	    pf->red_max == 255 && pf->green_max == 255 && pf->blue_max == 255;
}

static uint32_t
pixel_value(const struct pixfmt *pf, const uint8_t *p)
{
	switch (pf->bpp) {
	case 32:
		return pf->big_endian ? (uint32_t)p[0] << 24 |
		    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
		    (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[1] << 8 | p[0];
	case 16:
		return pf->big_endian ? (uint32_t)(p[0] << 8 | p[1]) :
		    (uint32_t)(p[1] << 8 | p[0]);
	default:
		return p[0];
	}
}

/* Channels of a client pixel at the client's precision, 10 bits each. */
static uint32_t
channels(const struct pixfmt *pf, uint32_t v)
{
	const struct pixfmt *t = pf->true_colour ? pf : &map332;

	return (v >> t->red_shift & t->red_max) |
	    (v >> t->green_shift & t->green_max) << 10 |
	    (v >> t->blue_shift & t->blue_max) << 20;
}

/* ---- The decoder ---- */

struct dec {
	const struct pixfmt *pf;
	size_t		psize, tsize;	/* pixel, TPIXEL */
	uint32_t	*fb;		/* channels() of every pixel */
	uint32_t	w, h;
	z_stream	zs[4];
	int		active[4];
	/* What came: */
	unsigned int	fills, monos, indexed, full, gradient, jpegs, raws;
	unsigned int	big_fill;	/* fills past 65536 pixels */
	int		subsamp_seen;	/* of the last JPEG */
	const char	*error;
};

static const uint8_t *rd_p, *rd_end;

static int
rd(void *dst, size_t n)
{
	if ((size_t)(rd_end - rd_p) < n)
		return -1;
	memcpy(dst, rd_p, n);
	rd_p += n;
	return 0;
}

static long
rd_compact(void)
{
	uint8_t b;
	long v;

	if (rd(&b, 1) < 0)
		return -1;
	v = b & 0x7f;
	if (b & 0x80) {
		if (rd(&b, 1) < 0)
			return -1;
		v |= (long)(b & 0x7f) << 7;
		if (b & 0x80) {
			if (rd(&b, 1) < 0)
				return -1;
			v |= (long)b << 14;
		}
	}
	return v;
}

/* A TPIXEL (or the client pixel it stands for) as channels. */
static uint32_t
tpixel_channels(const struct dec *d, const uint8_t *p)
{
	if (d->tsize == 3)
		return p[0] | (uint32_t)p[1] << 10 | (uint32_t)p[2] << 20;
	return channels(d->pf, pixel_value(d->pf, p));
}

static int
fail(struct dec *d, const char *why)
{
	d->error = why;
	return -1;
}

/* size bytes of a Tight data block: as is under 12, else zlib. */
static int
tight_data(struct dec *d, int stream, uint8_t *dst, size_t size)
{
	long len;
	z_stream *z = &d->zs[stream];

	if (size < 12)
		return rd(dst, size) < 0 ? fail(d, "short data") : 0;
	if ((len = rd_compact()) <= 0 || (size_t)(rd_end - rd_p) < (size_t)len)
		return fail(d, "bad compact length");
	if (!d->active[stream]) {
		*z = (z_stream){ 0 };
		if (inflateInit(z) != Z_OK)
			return fail(d, "inflateInit");
		d->active[stream] = 1;
	}
	z->next_in = (Bytef *)(uintptr_t)rd_p;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = (uInt)size;
	if (inflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_out != 0 ||
	    z->avail_in != 0)
		return fail(d, "zlib data is not the rectangle's");
	rd_p += len;
	return 0;
}

static int
tight_rect(struct dec *d, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
	uint8_t ctl, filter = 0, n1, pal[256 * 4], *buf;
	uint32_t palc[256], x, y, c, prev[2048 * 3], cur[2048 * 3];
	size_t row, size;
	int stream, i;

	if (rd(&ctl, 1) < 0)
		return fail(d, "no control byte");
	for (i = 0; i < 4; i++)
		if ((ctl & 1 << i) && d->active[i]) {
			inflateEnd(&d->zs[i]);
			d->active[i] = 0;
		}
	ctl >>= 4;
	if (ctl == 8) {
		if (rd(pal, d->tsize) < 0)
			return fail(d, "short fill");
		c = tpixel_channels(d, pal);
		for (y = y0; y < y0 + h; y++)
			for (x = x0; x < x0 + w; x++)
				d->fb[y * d->w + x] = c;
		d->fills++;
		if (w * h > 65536)
			d->big_fill++;
		return 0;
	}
	if (w > 2048 || w * h > 65536)
		return fail(d, "a piece over Tight's limits");
	if (ctl == 9) {
		int jw, jh, ss, cs;
		long len = rd_compact();
		uint8_t *rgb;
		tjhandle tj;

		if (!d->pf->true_colour || d->pf->bpp < 16)
			return fail(d, "JPEG at 8 bits a pixel");
		if (len <= 0 || (size_t)(rd_end - rd_p) < (size_t)len)
			return fail(d, "bad JPEG length");
		if ((tj = tjInitDecompress()) == NULL ||
		    (rgb = malloc((size_t)w * h * 3)) == NULL)
			bail("out of memory");
		if (tjDecompressHeader3(tj, rd_p, (unsigned long)len, &jw, &jh,
		    &ss, &cs) != 0 || (uint32_t)jw != w || (uint32_t)jh != h ||
		    tjDecompress2(tj, rd_p, (unsigned long)len, rgb, (int)w, 0,
		    (int)h, TJPF_RGB, 0) != 0) {
			free(rgb);
			tjDestroy(tj);
			return fail(d, "not a JPEG of the rectangle's size");
		}
		d->subsamp_seen = ss;
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				uint8_t *p = rgb + (y * w + x) * 3;

				d->fb[(y0 + y) * d->w + x0 + x] =
				    (p[0] * d->pf->red_max + 127) / 255 |
				    (p[1] * d->pf->green_max + 127) / 255 << 10 |
				    (p[2] * d->pf->blue_max + 127) / 255 << 20;
			}
		free(rgb);
		tjDestroy(tj);
		rd_p += len;
		d->jpegs++;
		return 0;
	}
	if (ctl > 7)
		return fail(d, "bad compression type");
	stream = ctl & 3;
	if (ctl & 4) {
		if (rd(&filter, 1) < 0 || filter > 2)
			return fail(d, "bad filter");
	}
	if (filter == 2 && (d->pf->bpp == 8 || !d->pf->true_colour))
		return fail(d, "gradient at 8 bits a pixel");
	n1 = 0;
	if (filter == 1) {
		if (rd(&n1, 1) < 0 || n1 == 0 ||
		    rd(pal, (size_t)(n1 + 1) * d->tsize) < 0)
			return fail(d, "bad palette");
		for (i = 0; i <= n1; i++)
			palc[i] = tpixel_channels(d, pal + i * d->tsize);
		row = n1 == 1 ? (w + 7) / 8 : w;
	} else
		row = w * d->tsize;
	size = row * h;
	if ((buf = malloc(size)) == NULL)
		bail("out of memory");
	if (tight_data(d, stream, buf, size) < 0) {
		free(buf);
		return -1;
	}
	memset(prev, 0, sizeof(prev));
	for (y = 0; y < h; y++) {
		const uint8_t *s = buf + y * row;

		for (x = 0; x < w; x++) {
			if (filter == 1 && n1 == 1)
				c = palc[s[x / 8] >> (7 - x % 8) & 1];
			else if (filter == 1) {
				if (s[x] > n1) {
					free(buf);
					return fail(d, "index past the palette");
				}
				c = palc[s[x]];
			} else if (filter == 2) {
				/* Channels: predicted plus the difference,
				 * modulo max + 1. */
				const struct pixfmt *pf = d->pf;
				uint32_t dv, max[3], k;

				max[0] = d->tsize == 3 ? 255 : pf->red_max;
				max[1] = d->tsize == 3 ? 255 : pf->green_max;
				max[2] = d->tsize == 3 ? 255 : pf->blue_max;
				dv = tpixel_channels(d, s + x * d->tsize);
				c = 0;
				for (k = 0; k < 3; k++) {
					int l = x ? (int)cur[(x - 1) * 3 + k] : 0;
					int u = (int)prev[x * 3 + k];
					int ul = x ? (int)prev[(x - 1) * 3 + k] : 0;
					int p = l + u - ul;

					p = p < 0 ? 0 : p > (int)max[k] ?
					    (int)max[k] : p;
					cur[x * 3 + k] = ((dv >> (10 * k) &
					    1023) + (uint32_t)p) & max[k];
					c |= cur[x * 3 + k] << (10 * k);
				}
			} else
				c = tpixel_channels(d, s + x * d->tsize);
			d->fb[(y0 + y) * d->w + x0 + x] = c;
		}
		memcpy(prev, cur, sizeof(prev));
	}
	free(buf);
	if (filter == 1)
		n1 == 1 ? d->monos++ : d->indexed++;
	else if (filter == 2)
		d->gradient++;
	else
		d->full++;
	return 0;
}

/* The end of a JPEG image as noVNC's decoder finds it: segment by
 * segment, then through the entropy-coded data to a marker that is not
 * a stuffed 0 or a restart, up to End Of Image. */
static long
jpeg_length(const uint8_t *p, size_t avail)
{
	size_t i = 0, len;

	for (;;) {
		if (i + 2 > avail || p[i] != 0xff)
			return -1;
		if (p[i + 1] == 0xd9)
			return (long)(i + 2);
		if ((p[i + 1] >= 0xd0 && p[i + 1] <= 0xd8) || p[i + 1] == 1) {
			i += 2;
			continue;
		}
		if (i + 4 > avail)
			return -1;
		len = (size_t)(p[i + 2] << 8 | p[i + 3]);
		if (len < 2 || i + 2 + len > avail)
			return -1;
		i += 2 + len;
		if (p[i - len - 1] == 0xda) {
			while (i + 1 < avail && !(p[i] == 0xff &&
			    p[i + 1] != 0 && (p[i + 1] < 0xd0 ||
			    p[i + 1] > 0xd7)))
				i++;
		}
	}
}

static int
jpeg21_rect(struct dec *d, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
	long len = jpeg_length(rd_p, (size_t)(rd_end - rd_p));
	int jw, jh, ss, cs;
	uint8_t *rgb;
	tjhandle tj;

	if (len < 0 || rd_p[0] != 0xff || rd_p[1] != 0xd8)
		return fail(d, "no whole JPEG image");
	if (w > 2048 || w * h > 65536)
		return fail(d, "a JPEG piece over the limits");
	if ((tj = tjInitDecompress()) == NULL ||
	    (rgb = malloc((size_t)w * h * 3)) == NULL)
		bail("out of memory");
	if (tjDecompressHeader3(tj, rd_p, (unsigned long)len, &jw, &jh, &ss,
	    &cs) != 0 || (uint32_t)jw != w || (uint32_t)jh != h ||
	    tjDecompress2(tj, rd_p, (unsigned long)len, rgb, (int)w, 0, (int)h,
	    TJPF_RGB, 0) != 0) {
		free(rgb);
		tjDestroy(tj);
		return fail(d, "not a JPEG of the rectangle's size");
	}
	d->subsamp_seen = ss;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const struct pixfmt *t = d->pf->true_colour ? d->pf :
			    &map332;
			uint8_t *p = rgb + (y * w + x) * 3;

			d->fb[(y0 + y) * d->w + x0 + x] =
			    (p[0] * t->red_max + 127) / 255 |
			    (p[1] * t->green_max + 127) / 255 << 10 |
			    (p[2] * t->blue_max + 127) / 255 << 20;
		}
	free(rgb);
	tjDestroy(tj);
	rd_p += len;
	d->jpegs++;
	return 0;
}

static int
raw_rect(struct dec *d, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
	uint8_t p[4];

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if (rd(p, d->psize) < 0)
				return fail(d, "short raw rectangle");
			d->fb[(y0 + y) * d->w + x0 + x] =
			    channels(d->pf, pixel_value(d->pf, p));
		}
	d->raws++;
	return 0;
}

struct hdr {
	uint32_t	x, y, w, h;
	int32_t		enc;
	const uint8_t	*at;		/* its data */
};

/*
 * Decode n rectangles from buf.  Tight rectangles go in reverse order, so
 * that a rectangle that leaned on a stream's state from one before it
 * would fail: the stream would not be where it left it.
 */
static int
decode(struct dec *d, const uint8_t *buf, size_t len, int n)
{
	struct hdr *hs;
	int i, rc = 0;

	if (n <= 0)
		return fail(d, "no rectangle");
	if ((hs = calloc((size_t)n, sizeof(*hs))) == NULL)
		bail("out of memory");
	/* First pass: find each rectangle by decoding it. */
	rd_p = buf;
	rd_end = buf + len;
	for (i = 0; i < n && rc == 0; i++) {
		uint8_t h[12];

		if (rd(h, 12) < 0) {
			rc = fail(d, "short header");
			break;
		}
		hs[i].x = (uint32_t)(h[0] << 8 | h[1]);
		hs[i].y = (uint32_t)(h[2] << 8 | h[3]);
		hs[i].w = (uint32_t)(h[4] << 8 | h[5]);
		hs[i].h = (uint32_t)(h[6] << 8 | h[7]);
		hs[i].enc = (int32_t)((uint32_t)h[8] << 24 |
		    (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11]);
		hs[i].at = rd_p;
		if (hs[i].w == 0 || hs[i].h == 0 ||
		    hs[i].x + hs[i].w > d->w || hs[i].y + hs[i].h > d->h)
			rc = fail(d, "rectangle off the screen");
		else if (hs[i].enc == 7)
			rc = tight_rect(d, hs[i].x, hs[i].y, hs[i].w, hs[i].h);
		else if (hs[i].enc == 21)
			rc = jpeg21_rect(d, hs[i].x, hs[i].y, hs[i].w,
			    hs[i].h);
		else if (hs[i].enc == 0)
			rc = raw_rect(d, hs[i].x, hs[i].y, hs[i].w, hs[i].h);
		else
			rc = fail(d, "unexpected encoding");
	}
	if (rc == 0 && rd_p != rd_end)
		rc = fail(d, "bytes after the last rectangle");
	/* Again, backwards, with the streams as the first pass left them;
	 * what came is counted once. */
	struct dec counts = *d;

	for (i = n; rc == 0 && i-- > 0;) {
		rd_p = hs[i].at;
		/* Fills and JPEG touch no stream (nor reset one here). */
		if (hs[i].enc == 7 && (rd_p[0] >> 4 < 8 || (rd_p[0] & 15)))
			rc = tight_rect(d, hs[i].x, hs[i].y, hs[i].w, hs[i].h);
	}
	d->fills = counts.fills;
	d->monos = counts.monos;
	d->indexed = counts.indexed;
	d->full = counts.full;
	d->gradient = counts.gradient;
	d->jpegs = counts.jpegs;
	d->big_fill = counts.big_fill;
	free(hs);
	return rc;
}

static void
dec_free(struct dec *d)
{
	for (int i = 0; i < 4; i++)
		if (d->active[i])
			inflateEnd(&d->zs[i]);
	free(d->fb);
	*d = (struct dec){ 0 };
}

static void
dec_init(struct dec *d, const struct pixfmt *pf, uint32_t w, uint32_t h)
{
	dec_free(d);
	*d = (struct dec){ .pf = pf, .w = w, .h = h };
	d->psize = pf->bpp / 8;
	d->tsize = is_tpixel(pf) ? 3 : d->psize;
	if ((d->fb = calloc((size_t)w * h, sizeof(*d->fb))) == NULL)
		bail("out of memory");
	/* Streams in some state: a rectangle must reset what it uses. */
	for (int i = 0; i < 4; i++) {
		if (inflateInit(&d->zs[i]) != Z_OK)
			bail("inflateInit");
		d->active[i] = 1;
	}
}

/* ---- Checks ---- */

struct result {
	int		n;		/* rectangles, or -1 */
	size_t		bytes;
	uint32_t	wrong;		/* pixels not exact */
	double		psnr;		/* over channels scaled to 0..255 */
};

static int
encode(const struct encoder *enc, const struct screen *s, const struct rect *r,
    const struct pixfmt *pf, const struct encode_settings *set,
    struct evbuffer *out)
{
	static struct pixconv pc;
	static void *scratch[2];
	struct encode_src src = { s->px, s->stride, s->w, s->h };
	int slot = enc == &encoder_tight ? 0 : 1;

	pixconv_init(&pc, pf);
	return enc->encode(&src, r, &pc, set, &scratch[slot], out);
}

static double
scale(uint32_t v, uint32_t max)
{
	return max ? v * 255.0 / max : 0;
}

/*
 * Encode r, decode it into a screen of the same size, and compare the
 * rectangle with what the client should see (the source through the
 * client's format).
 */
/*
 * How fb (channels() of every pixel of the screen) shows the rectangle r
 * of s in pf: pixels not exact, PSNR.  A grayscale JPEG is compared with
 * the source's luma.
 */
static void
compare(const struct screen *s, const struct rect *r, const struct pixfmt *pf,
    int gray, const uint32_t *fb, struct result *res)
{
	const struct pixfmt *t = pf->true_colour ? pf : &map332;
	size_t psize = pf->bpp / 8;
	struct pixconv pc;
	uint8_t *want, *grey;
	uint32_t x, y, got, exp, k, max[3] = { t->red_max, t->green_max,
	    t->blue_max };
	const uint8_t *sp;
	double se = 0, e, lut[3][1024];

	if ((want = malloc((size_t)r->w * psize)) == NULL ||
	    (grey = malloc((size_t)r->w * 4)) == NULL)
		bail("out of memory");
	for (k = 0; k < 3; k++)
		for (x = 0; x <= max[k]; x++)
			lut[k][x] = scale(x, max[k]);
	pixconv_init(&pc, pf);
	res->wrong = 0;
	for (y = r->y; y < r->y + r->h; y++) {
		sp = s->px + y * s->stride + r->x * 4;
		if (gray) {
			for (x = 0; x < r->w; x++)
				grey[4 * x] = grey[4 * x + 1] = grey[4 * x + 2] =
				    (uint8_t)(0.299 * sp[4 * x + 2] + 0.587 *
				    sp[4 * x + 1] + 0.114 * sp[4 * x] + 0.5);
			sp = grey;
		}
		pixconv_rect(&pc, want, sp, s->stride, r->w, 1);
		for (x = 0; x < r->w; x++) {
			exp = channels(pf, pixel_value(pf, want + x * psize));
			got = fb[y * s->w + r->x + x];
			if (got == exp)
				continue;
			res->wrong++;
			for (k = 0; k < 3; k++) {
				e = lut[k][got >> (10 * k) & 1023 & max[k]] -
				    lut[k][exp >> (10 * k) & 1023];
				se += e * e;
			}
		}
	}
	free(want);
	free(grey);
	se /= 3.0 * r->w * r->h;
	res->psnr = se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
}

/*
 * Encode r, decode it with the test's decoder into a screen of the same
 * size, and compare the rectangle with what the client should see.
 */
static struct result
run(const struct encoder *enc, const struct screen *s, const struct rect *r,
    const struct pixfmt *pf, const struct encode_settings *set,
    struct dec *d)
{
	struct result res = { 0 };
	struct evbuffer *out = evbuffer_new();
	uint8_t *buf;

	res.n = encode(enc, s, r, pf, set, out);
	res.bytes = evbuffer_get_length(out);
	dec_init(d, pf, s->w, s->h);
	buf = evbuffer_pullup(out, -1);
	if (res.n < 0 || decode(d, buf, res.bytes, res.n) < 0) {
		diag("%s", d->error ? d->error : "encoder failed");
		res.n = -1;
		evbuffer_free(out);
		return res;
	}
	evbuffer_free(out);
	compare(s, r, pf, set->subsampling == ENCODE_SUBSAMP_GRAY &&
	    d->jpegs != 0, d->fb, &res);
	return res;
}

static const struct encode_settings lossless = ENCODE_SETTINGS_NONE;

static int
settings_with(int quality, int fine, int subsamp, int compress,
    struct encode_settings *set)
{
	*set = (struct encode_settings){ quality, fine, subsamp, compress };
	return 0;
}

/* Control byte and more of the first rectangle in out, for the checks of
 * structure. */
static const uint8_t *
first_data(struct evbuffer *out)
{
	return evbuffer_pullup(out, -1) + 12;
}

static void
test_structure(struct dec *d)
{
	const struct pixfmt *native = &formats[0].pf;
	const struct pixfmt *p565 = &formats[6].pf;
	struct evbuffer *out = evbuffer_new();
	struct screen s = { 0 };
	struct encode_settings q6;
	struct rect r;
	const uint8_t *p;
	uint8_t inflated[256];
	z_stream z = { 0 };
	int n;

	settings_with(6, -1, -1, -1, &q6);
	screen_alloc(&s, 300, 200);
	fill_content(&s, SOLID);

	r = (struct rect){ 10, 20, 100, 50 };
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && evbuffer_get_length(out) == 12 + 4 && p[-4] == 0 &&
	    p[-1] == 7 && p[0] == 0x80 && p[1] == 40 && p[2] == 80 &&
	    p[3] == 120, "solid, 32 bpp depth 24: fill, TPIXEL R, G, B "
	    "(%d rects, %zu bytes)", n, evbuffer_get_length(out));
	evbuffer_drain(out, evbuffer_get_length(out));

	n = encode(&encoder_tight, &s, &r, p565, &lossless, out);
	p = first_data(out);
	/* 40, 80, 120 in 565: r 5, g 20, b 15 -> 0x2a8f, little endian. */
	ok(n == 1 && evbuffer_get_length(out) == 12 + 3 && p[0] == 0x80 &&
	    p[1] == 0x8f && p[2] == 0x2a, "solid, 565: fill, a 2-byte pixel");
	evbuffer_drain(out, evbuffer_get_length(out));

	n = encode(&encoder_tight, &s, &r, &formats[4].pf, &lossless, out);
	p = first_data(out);
	ok(n == 1 && evbuffer_get_length(out) == 12 + 5 && p[0] == 0x80 &&
	    p[1] == 120 && p[2] == 80 && p[3] == 40 && p[4] == 0xff,
	    "solid, 32 bpp depth 32: not a 3-byte TPIXEL but the pixel");
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Two colours: mono on stream 1, reset. */
	fill_content(&s, TWO);
	r = (struct rect){ 0, 0, 64, 16 };
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == (0x40 | 0x10 | 0x02) && p[1] == 1 && p[2] == 1,
	    "two colours: stream 1 reset, palette filter, 2 colours "
	    "(control %02x)", p[0]);
	ok(((p[3] == 0 && p[4] == 0 && p[5] == 0x20) && (p[6] == 255 &&
	    p[7] == 255 && p[8] == 0xdf)) || ((p[6] == 0 && p[7] == 0 &&
	    p[8] == 0x20) && (p[3] == 255 && p[4] == 255 && p[5] == 0xdf)),
	    "the palette is the two colours as TPIXELs");
	ok(p[9] < 0x80 && p[10] == 0x78 && p[11] == 0x01,
	    "compact length, then a zlib header");
	if (inflateInit(&z) != Z_OK)
		bail("inflateInit");
	z.next_in = (Bytef *)(uintptr_t)(p + 10);
	z.avail_in = p[9];
	z.next_out = inflated;
	z.avail_out = sizeof(inflated);
	inflate(&z, Z_SYNC_FLUSH);
	{
		uint8_t want = 0;

		/* A pixel's bit is 1 where it has the second colour. */
		for (int x = 0; x < 8; x++)
			if (s.px[x * 4 + 2] == p[6])
				want |= (uint8_t)(0x80 >> x);
		ok(z.avail_in == 0 && sizeof(inflated) - z.avail_out ==
		    8 * 16 && inflated[0] == want && want != 0 && want != 0xff,
		    "8 bytes a row of bits, leftmost pixel in the top bit "
		    "(first byte %02x, want %02x)", inflated[0], want);
	}
	inflateEnd(&z);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Five colours: indexed on stream 2. */
	fill_content(&s, FEW);
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == (0x40 | 0x20 | 0x04) && p[1] == 1 && p[2] == 4,
	    "five colours: stream 2 reset, palette of 5 (control %02x)",
	    p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Under 12 bytes of data: sent as is, no stream touched. */
	r = (struct rect){ 2, 0, 3, 2 };
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == (0x40 | 0x10) && p[1] == 1 && p[2] == 1 &&
	    evbuffer_get_length(out) == 12 + 3 + 2 * 3 + 2,
	    "3x2, two colours: a byte of bits a row, as it is, no reset "
	    "(control %02x, %zu bytes)", p[0], evbuffer_get_length(out));
	evbuffer_drain(out, evbuffer_get_length(out));
	fill_content(&s, NOISE);
	r = (struct rect){ 0, 0, 1, 3 };
	n = encode(&encoder_tight, &s, &r, native, &q6, out);
	p = first_data(out);
	ok(n == 1 && p[0] == 0 && evbuffer_get_length(out) == 12 + 1 + 9 &&
	    p[1] == s.px[2] && p[2] == s.px[1] && p[3] == s.px[0],
	    "1x3 of noise: 9 bytes of TPIXELs as they are, no palette or "
	    "JPEG for so few pixels (control %02x)", p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Noise without JPEG: full colour on stream 0. */
	fill_content(&s, NOISE);
	r = (struct rect){ 0, 0, 100, 100 };
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == 0x01, "noise, no quality: full colour, stream 0 "
	    "reset (control %02x)", p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Noise at quality 6: JPEG. */
	n = encode(&encoder_tight, &s, &r, native, &q6, out);
	p = first_data(out);
	{
		size_t len = p[1] & 0x7f, k = 2;

		if (p[1] & 0x80) {
			len |= (size_t)(p[2] & 0x7f) << 7;
			k = 3;
			if (p[2] & 0x80) {
				len |= (size_t)p[3] << 14;
				k = 4;
			}
		}
		ok(n == 1 && p[0] == 0x90 && len + 12 + k ==
		    evbuffer_get_length(out) && p[k] == 0xff &&
		    p[k + 1] == 0xd8, "noise, quality 6: JPEG, the compact "
		    "length of all that follows, a JFIF stream (%zu bytes)",
		    len);
	}
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Smooth shading without JPEG: the gradient filter on stream 3. */
	fill_content(&s, PHOTO);
	n = encode(&encoder_tight, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == (0x40 | 0x30 | 0x08) && p[1] == 2,
	    "photo-like, no quality: gradient filter, stream 3 reset "
	    "(control %02x %02x)", p[0], p[1]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* With a quality, no gradient even where JPEG is not worth it:
	 * noVNC before 1.5 has no gradient filter. */
	r = (struct rect){ 0, 0, 20, 20 };
	n = encode(&encoder_tight, &s, &r, native, &q6, out);
	p = first_data(out);
	ok(n == 1 && p[0] == 0x01, "photo-like 20x20 at quality 6: too small "
	    "for JPEG, plain pixels, no gradient (control %02x)", p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));
	r = (struct rect){ 0, 0, 100, 100 };

	/* The same in 565 big endian: no gradient (libvncclient would
	 * read it in its own byte order), plain pixels. */
	n = encode(&encoder_tight, &s, &r, &formats[7].pf, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[0] == 0x01, "photo-like, 565 big endian: plain pixels "
	    "(control %02x)", p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* 8 bits: never JPEG, never gradient. */
	n = encode(&encoder_tight, &s, &r, &formats[9].pf, &q6, out);
	p = first_data(out);
	ok(n == 1 && p[0] == 0x01, "photo-like, 332 at quality 6: plain "
	    "pixels (control %02x)", p[0]);
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Refusals leave out as it was. */
	evbuffer_add(out, "x", 1);
	r = (struct rect){ 250, 0, 51, 10 };
	ok(encode(&encoder_tight, &s, &r, native, &q6, out) == -1 &&
	    evbuffer_get_length(out) == 1, "tight: a rectangle past the "
	    "screen is refused, nothing added");
	ok(encode(&encoder_jpeg, &s, &r, native, &q6, out) == -1 &&
	    evbuffer_get_length(out) == 1, "jpeg: the same");
	r = (struct rect){ 0, 0, 0, 5 };
	ok(encode(&encoder_tight, &s, &r, native, &q6, out) == -1 &&
	    encode(&encoder_jpeg, &s, &r, native, &q6, out) == -1 &&
	    evbuffer_get_length(out) == 1, "an empty rectangle is refused");
	evbuffer_drain(out, 1);

	/* The JPEG encoding: a header and a JFIF image, no length. */
	r = (struct rect){ 0, 0, 100, 100 };
	n = encode(&encoder_jpeg, &s, &r, native, &lossless, out);
	p = first_data(out);
	ok(n == 1 && p[-1] == 21 && p[0] == 0xff && p[1] == 0xd8 &&
	    p[evbuffer_get_length(out) - 14] == 0xff &&
	    p[evbuffer_get_length(out) - 13] == 0xd9,
	    "jpeg: encoding 21, SOI ... EOI, nothing else");
	evbuffer_drain(out, evbuffer_get_length(out));
	n = encode(&encoder_jpeg, &s, &r, &formats[9].pf, &q6, out);
	ok(n == 1 && first_data(out)[-1] == 21 && first_data(out)[0] == 0xff,
	    "jpeg at 8 bits a pixel: JPEG too (not limited as Tight's is)");
	evbuffer_drain(out, evbuffer_get_length(out));

	/* Shareable: the same rectangle gives the same bytes, whatever was
	 * encoded between. */
	{
		struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
		struct rect r2 = { 5, 5, 60, 60 };
		struct encode_settings q0;
		int same;

		settings_with(0, -1, -1, 9, &q0);
		fill_content(&s, TEXT);
		encode(&encoder_tight, &s, &r, native, &lossless, a);
		encode(&encoder_tight, &s, &r2, p565, &q0, b);
		fill_content(&s, PHOTO);
		encode(&encoder_tight, &s, &r2, native, &q0, b);
		evbuffer_drain(b, evbuffer_get_length(b));
		fill_content(&s, TEXT);
		encode(&encoder_tight, &s, &r, native, &lossless, b);
		same = evbuffer_get_length(a) == evbuffer_get_length(b) &&
		    memcmp(evbuffer_pullup(a, -1), evbuffer_pullup(b, -1),
		    evbuffer_get_length(a)) == 0;
		ok(same, "the same rectangle twice: the same bytes, with "
		    "others between");
		evbuffer_free(a);
		evbuffer_free(b);
	}
	free(s.px);
	evbuffer_free(out);
	(void)d;
}

static void
test_lossless(struct dec *d)
{
	static const enum content contents[] = { NOISE, PHOTO, TEXT, SOLID,
	    TWO, FEW };
	static const struct { uint32_t w, h; } sizes[] = { { 1, 1 },
	    { 4097, 3 }, { 3, 2161 }, { 2049, 5 }, { 200, 150 } };
	struct screen s = { 0 };
	struct encode_settings c9;
	struct result res;
	struct rect r;
	size_t f, c, z;
	int good;

	settings_with(-1, -1, -1, 9, &c9);
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		screen_alloc(&s, sizes[z].w + 2, sizes[z].h + 1);
		r = (struct rect){ 1, 1, sizes[z].w, sizes[z].h };
		for (c = 0; c < sizeof(contents) / sizeof(contents[0]); c++) {
			fill_content(&s, contents[c]);
			good = 1;
			for (f = 0; f < NFORMATS; f++) {
				res = run(&encoder_tight, &s, &r,
				    &formats[f].pf, f % 2 ? &c9 : &lossless, d);
				if (res.n < 0 || res.wrong != 0) {
					diag("%s: %d rects, %u pixels wrong",
					    formats[f].name, res.n, res.wrong);
					good = 0;
				}
			}
			ok(good, "lossless %ux%u %s: exact in all %zu formats",
			    sizes[z].w, sizes[z].h, content_name[contents[c]],
			    NFORMATS);
		}
	}
	free(s.px);
}

/*
 * The PSNR a JPEG must reach, by content and quality: a few dB under what
 * TurboJPEG gave when this test was written (over every size and format
 * here; the worst case is named), so that a change of quality table,
 * subsampling or DCT shows, and far above a wrong decoding (channels
 * swapped, a piece misplaced: unrelated pixels score 8 to 12 dB).  Noise
 * whose chroma is subsampled loses its colour whatever the quality
 * (11 to 13 dB): it must only beat unrelated pixels.
 */
static double
jpeg_floor(enum content c, const struct encode_settings *set)
{
	int level = set->fine_quality >= 0 ? (set->fine_quality >= 95 ? 8 :
	    set->fine_quality >= 79 ? 6 : 0) : set->quality < 0 ? 6 :
	    set->quality;
	int sub = set->subsampling;

	switch (c) {
	case PHOTO:		/* worst: q0 29.5, q6 32.5, q9 33.7 */
		return level == 0 ? 27 : 30;
	case TEXT:		/* worst: q0 24.8, q6 33.4, q95 36.9 */
		return level == 0 ? 22 : level == 6 ? 30 : 33;
	default:		/* noise, worst in 4:4:4: q0 11.4, q6 23, */
		/* fine 95 33.3, q9 42.2 */
		if (set->quality < 0 && set->fine_quality >= 0 && sub < 0)
			sub = ENCODE_SUBSAMP_4X;	/* 4:2:0 */
		if (level == 0 || (sub != -1 && sub != ENCODE_SUBSAMP_NONE &&
		    sub != ENCODE_SUBSAMP_GRAY) ||
		    (sub == -1 && set->quality >= 0 && set->quality < 6))
			return 10;
		return level == 6 ? 20 : level == 8 ? 30 : 38;
	}
}

/* The subsampling TurboJPEG should find in the image for these settings. */
static int
want_subsamp(const struct encode_settings *set)
{
	static const int level[10] = { TJSAMP_420, TJSAMP_420, TJSAMP_420,
	    TJSAMP_422, TJSAMP_422, TJSAMP_422, TJSAMP_444, TJSAMP_444,
	    TJSAMP_444, TJSAMP_444 };

	switch (set->subsampling) {
	case ENCODE_SUBSAMP_NONE:
		return TJSAMP_444;
	case ENCODE_SUBSAMP_4X:
	case ENCODE_SUBSAMP_8X:
	case ENCODE_SUBSAMP_16X:
		return TJSAMP_420;
	case ENCODE_SUBSAMP_2X:
		return TJSAMP_422;
	case ENCODE_SUBSAMP_GRAY:
		return TJSAMP_GRAY;
	}
	if (set->quality >= 0)
		return level[set->quality > 9 ? 9 : set->quality];
	if (set->fine_quality >= 0)
		return TJSAMP_420;
	return TJSAMP_444;	/* encoding 21's default, level 6 */
}

static void
test_jpeg(struct dec *d)
{
	static const struct { int q, fine; } qs[] = { { 0, -1 }, { 6, -1 },
	    { 9, -1 }, { -1, 95 } };
	static const int subs[] = { -1, ENCODE_SUBSAMP_NONE, ENCODE_SUBSAMP_4X,
	    ENCODE_SUBSAMP_2X, ENCODE_SUBSAMP_GRAY, ENCODE_SUBSAMP_8X,
	    ENCODE_SUBSAMP_16X };
	static const enum content contents[] = { NOISE, PHOTO, TEXT };
	static const size_t jfmts[] = { 0, 1, 5, 6 };
	static const struct { uint32_t w, h; } sizes[] = { { 1, 1 },
	    { 4097, 3 }, { 3, 2161 }, { 2049, 5 }, { 300, 200 } };
	const struct encoder *encs[2] = { &encoder_tight, &encoder_jpeg };
	struct encode_settings set;
	struct screen s = { 0 };
	struct result res;
	struct rect r;
	size_t q, u, c, z, f, e;
	double floor, worst;
	int good;

	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		screen_alloc(&s, sizes[z].w, sizes[z].h);
		r = (struct rect){ 0, 0, sizes[z].w, sizes[z].h };
		for (c = 0; c < sizeof(contents) / sizeof(contents[0]); c++) {
			fill_content(&s, contents[c]);
			for (e = 0; e < 2; e++)
			for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
				good = 1;
				worst = 99;
				for (u = 0; u < sizeof(subs) / sizeof(subs[0]);
				    u++)
				for (f = 0; f < sizeof(jfmts) / sizeof(jfmts[0]);
				    f++) {
					settings_with(qs[q].q, qs[q].fine,
					    subs[u], -1, &set);
					res = run(encs[e], &s, &r,
					    &formats[jfmts[f]].pf, &set, d);
					floor = jpeg_floor(contents[c], &set);
					if (res.psnr < worst)
						worst = res.psnr;
					if (getenv("PSNR_TABLE") != NULL)
						diag("%s %s %ux%u q%d f%d s%d "
						    "%s: %.1f dB %zu bytes",
						    encs[e]->name,
						    content_name[contents[c]],
						    sizes[z].w, sizes[z].h,
						    qs[q].q, qs[q].fine, subs[u],
						    formats[jfmts[f]].name,
						    res.psnr, res.bytes);
					if (res.n < 0 || res.psnr < floor ||
					    (d->jpegs != 0 && d->subsamp_seen !=
					    want_subsamp(&set))) {
						diag("%s %s: PSNR %.1f < %.1f, "
						    "subsampling %d", formats[
						    jfmts[f]].name, subs[u] < 0 ?
						    "" : "sub", res.psnr, floor,
						    d->subsamp_seen);
						good = 0;
					}
				}
				ok(good, "%s %ux%u %s, quality %d fine %d: "
				    "every subsampling and format above its "
				    "floor (worst %.1f dB)", encs[e]->name,
				    sizes[z].w, sizes[z].h,
				    content_name[contents[c]], qs[q].q,
				    qs[q].fine, worst);
			}
		}
	}
	free(s.px);
}

/* One update of a whole 4K screen: pieces within the limits, big solid
 * areas as few fills, every pixel right. */
static void
test_4k(struct dec *d)
{
	struct screen s = { 0 };
	struct encode_settings q6;
	struct rect r = { 0, 0, 3840, 2160 };
	struct result res;
	uint32_t x, y;

	settings_with(6, -1, -1, -1, &q6);
	screen_alloc(&s, 3840, 2160);
	fill_content(&s, SOLID);
	res = run(&encoder_tight, &s, &r, &formats[0].pf, &q6, d);
	ok(res.n == 2 && d->fills == 2 && res.wrong == 0,
	    "4K solid: one fill a column of 2048 (%d rectangles)", res.n);

	fill_content(&s, TEXT);
	res = run(&encoder_tight, &s, &r, &formats[0].pf, &lossless, d);
	ok(res.n > 0 && res.wrong == 0, "4K text, lossless: exact (%d "
	    "rectangles, %zu bytes; %u fills, %u mono, %u indexed, %u full, "
	    "%u gradient)", res.n, res.bytes, d->fills, d->monos,
	    d->indexed, d->full, d->gradient);
	res = run(&encoder_tight, &s, &r, &formats[6].pf, &q6, d);
	ok(res.n > 0 && res.psnr >= jpeg_floor(TEXT, &q6),
	    "4K text, quality 6, 565: %.1f dB (%d rectangles, %zu bytes, "
	    "%u JPEG)", res.psnr, res.n, res.bytes, d->jpegs);

	/* Photo on the left, a solid panel on the right. */
	fill_content(&s, PHOTO);
	for (y = 0; y < s.h; y++)
		for (x = 2500; x < s.w; x++)
			put(&s, x, y, 250, 250, 250);
	res = run(&encoder_tight, &s, &r, &formats[0].pf, &q6, d);
	ok(res.n > 0 && res.psnr >= jpeg_floor(PHOTO, &q6) && d->fills >= 1 &&
	    d->big_fill >= 1, "4K photo and panel, quality 6, the panel a "
	    "fill: %.1f dB (%d rectangles, %zu "
	    "bytes, %u JPEG, %u fills)", res.psnr, res.n, res.bytes,
	    d->jpegs, d->fills);
	res = run(&encoder_jpeg, &s, &r, &formats[0].pf, &lossless, d);
	ok(res.n > 0 && res.psnr >= jpeg_floor(PHOTO, &q6),
	    "4K photo and panel, encoding 21 at its default: %.1f dB (%d "
	    "rectangles, %zu bytes)", res.psnr, res.n, res.bytes);
	res = run(&encoder_tight, &s, &r, &formats[0].pf, &lossless, d);
	ok(res.n > 0 && res.wrong == 0, "4K photo and panel, lossless: "
	    "exact (%d rectangles, %zu bytes)", res.n, res.bytes);
	free(s.px);
}

/* ---- libvncclient ---- */

/*
 * Where libvncclient 0.9.14 misreads a format's Tight pixels, a format of
 * the same bytes that it reads right: 1 and *use, or 0.  Its 3-byte
 * TPIXELs (fill, palette, plain pixels) become a pixel through a shift of
 * a host-order value, right only for formats of the host's byte order: a
 * big-endian 32-bit format is decoded with the little-endian one of the
 * same bytes.  (Its JPEG does handle big endian, the other way: so no
 * format reads both right, and JPEG is not checked big-endian here.)
 */
static int
vnc_decode_format(const struct pixfmt *pf, struct pixfmt *use)
{
	if (!is_tpixel(pf) || !pf->big_endian || pf->red_shift % 8 != 0 ||
	    pf->green_shift % 8 != 0 || pf->blue_shift % 8 != 0)
		return 0;
	*use = *pf;
	use->big_endian = 0;
	use->red_shift = (uint8_t)(24 - pf->red_shift);
	use->green_shift = (uint8_t)(24 - pf->green_shift);
	use->blue_shift = (uint8_t)(24 - pf->blue_shift);
	return 1;
}

struct vjob {
	struct rect	r;		/* its place on the screen */
	enum content	c;
	struct encode_settings set;
	struct result	res;
};

/*
 * Draw each job's content in its place, encode it with its settings, and
 * send the lot to libvncclient over loopback, one update a job; then
 * compare each place with what libvncclient shows.  dpf: the format
 * libvncclient decodes with, where it misreads pf (NULL: pf).  0, or -1
 * when the connection failed.
 */
static int
vnc_batch(const struct encoder *enc, struct screen *s, const struct pixfmt *pf,
    const struct pixfmt *dpf, struct vjob *jobs, size_t n)
{
	struct rfbdecode_params p = { .pf = pf, .decode_pf = dpf,
	    .width = s->w, .height = s->h, .encodings = "tight",
	    .quality = -1, .compress = -1 };
	struct rfbdecode_update *ups = calloc(n, sizeof(*ups));
	struct evbuffer **outs = calloc(n, sizeof(*outs));
	size_t psize = pf->bpp / 8, npx = (size_t)s->w * s->h, i;
	uint8_t *fb = malloc(npx * psize);
	uint32_t *ch = malloc(npx * sizeof(*ch));
	const char *why = NULL;
	int rc = 0;

	if (ups == NULL || outs == NULL || fb == NULL || ch == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++) {
		fill_rect(s, &jobs[i].r, jobs[i].c);
		if ((outs[i] = evbuffer_new()) == NULL)
			bail("out of memory");
		jobs[i].res.n = encode(enc, s, &jobs[i].r, pf, &jobs[i].set,
		    outs[i]);
		jobs[i].res.bytes = evbuffer_get_length(outs[i]);
		if (jobs[i].res.n <= 0 || jobs[i].res.n > UINT16_MAX) {
			why = "the encoder failed";
			rc = -1;
		}
		ups[i] = (struct rfbdecode_update){ evbuffer_pullup(outs[i],
		    -1), jobs[i].res.bytes, (uint16_t)jobs[i].res.n };
	}
	if (rc == 0)
		rc = rfbdecode(&p, ups, n, fb, &why);
	if (rc == 0) {
		for (i = 0; i < npx; i++)
			ch[i] = channels(pf, pixel_value(pf, fb + i * psize));
		for (i = 0; i < n; i++)
			compare(s, &jobs[i].r, pf, jobs[i].set.subsampling ==
			    ENCODE_SUBSAMP_GRAY && (jobs[i].set.quality >= 0 ||
			    jobs[i].set.fine_quality >= 0), ch, &jobs[i].res);
	} else
		diag("libvncclient: %s", why ? why : "?");
	for (i = 0; i < n; i++)
		evbuffer_free(outs[i]);
	free(outs);
	free(ups);
	free(fb);
	free(ch);
	return rc;
}

/* A screen for n places of w x h: stacked down when wide, side by side
 * when tall. */
static void
vnc_layout(struct screen *s, uint32_t w, uint32_t h, struct vjob *jobs,
    size_t n)
{
	size_t i;

	if (w >= h)
		screen_alloc(s, w, h * (uint32_t)n);
	else
		screen_alloc(s, w * (uint32_t)n, h);
	for (i = 0; i < n; i++)
		jobs[i].r = w >= h ? (struct rect){ 0, h * (uint32_t)i, w, h } :
		    (struct rect){ w * (uint32_t)i, 0, w, h };
}

static const struct { uint32_t w, h; } vnc_sizes[] = { { 1, 1 },
    { 4097, 3 }, { 3, 2161 }, { 2049, 5 }, { 97, 61 } };
#define NVNC_SIZES	(sizeof(vnc_sizes) / sizeof(vnc_sizes[0]))

/* Lossless Tight decoded by libvncclient: exact in every format. */
static void
test_vnc_lossless(void)
{
	static const enum content contents[] = { NOISE, PHOTO, TEXT, SOLID,
	    TWO, FEW };
#define NLC	(sizeof(contents) / sizeof(contents[0]))
	struct vjob jobs[NLC * 2];
	struct screen s = { 0 };
	struct pixfmt dpf;
	size_t f, z, i;
	uint32_t wrong;
	int good, rc;

	for (f = 0; f < NFORMATS; f++) {
		const struct pixfmt *pf = &formats[f].pf;
		const struct pixfmt *use = vnc_decode_format(pf, &dpf) ?
		    &dpf : NULL;

		for (z = 0; z < NVNC_SIZES; z++) {
			vnc_layout(&s, vnc_sizes[z].w, vnc_sizes[z].h, jobs,
			    NLC * 2);
			for (i = 0; i < NLC * 2; i++) {
				jobs[i].c = contents[i % NLC];
				settings_with(-1, -1, -1, i < NLC ? -1 : 9,
				    &jobs[i].set);
			}
			rc = vnc_batch(&encoder_tight, &s, pf, use, jobs,
			    NLC * 2);
			good = rc == 0;
			for (i = 0, wrong = 0; rc == 0 && i < NLC * 2; i++) {
				if (jobs[i].res.wrong != 0) {
					diag("%s, compress %d: %u pixels wrong",
					    content_name[jobs[i].c],
					    jobs[i].set.compress,
					    jobs[i].res.wrong);
					good = 0;
				}
				wrong += jobs[i].res.wrong;
			}
			ok(good, "libvncclient, lossless %s %ux%u: every "
			    "content exact, CompressLevel unset and 9 (%u "
			    "wrong)", formats[f].name, vnc_sizes[z].w,
			    vnc_sizes[z].h, wrong);
		}
	}
	free(s.px);
}

/* Tight's JPEG decoded by libvncclient: above the floors. */
static void
test_vnc_jpeg(void)
{
	static const struct { int q, fine; } qs[] = { { 0, -1 }, { 6, -1 },
	    { 9, -1 }, { -1, 95 } };
	static const int subs[] = { -1, ENCODE_SUBSAMP_NONE, ENCODE_SUBSAMP_4X,
	    ENCODE_SUBSAMP_2X, ENCODE_SUBSAMP_GRAY, ENCODE_SUBSAMP_8X,
	    ENCODE_SUBSAMP_16X };
	static const enum content contents[] = { NOISE, PHOTO, TEXT };
	/* What libvncclient decodes JPEG into right, and Tight's other
	 * rectangles too (above): 32 bits little endian with red and blue
	 * at bits 16 and 0 or 0 and 16, 16 bits little endian. */
	static const size_t jfmts[] = { 0, 2, 6, 8 };
#define NJOBS	(4 * 7 * 3)
	struct vjob jobs[NJOBS];
	struct screen s = { 0 };
	size_t f, z, i;
	double worst;
	int good, rc;

	for (f = 0; f < sizeof(jfmts) / sizeof(jfmts[0]); f++) {
		const struct pixfmt *pf = &formats[jfmts[f]].pf;

		for (z = 0; z < NVNC_SIZES; z++) {
			vnc_layout(&s, vnc_sizes[z].w, vnc_sizes[z].h, jobs,
			    NJOBS);
			for (i = 0; i < NJOBS; i++) {
				jobs[i].c = contents[i % 3];
				settings_with(qs[i / 21].q, qs[i / 21].fine,
				    subs[i / 3 % 7], -1, &jobs[i].set);
			}
			rc = vnc_batch(&encoder_tight, &s, pf, NULL, jobs,
			    NJOBS);
			good = rc == 0;
			worst = 99;
			for (i = 0; rc == 0 && i < NJOBS; i++) {
				double floor = jpeg_floor(jobs[i].c,
				    &jobs[i].set);

				if (jobs[i].res.psnr < worst)
					worst = jobs[i].res.psnr;
				if (jobs[i].res.psnr < floor) {
					diag("%s q%d f%d s%d: %.1f dB < %.1f",
					    content_name[jobs[i].c],
					    jobs[i].set.quality,
					    jobs[i].set.fine_quality,
					    jobs[i].set.subsampling,
					    jobs[i].res.psnr, floor);
					good = 0;
				}
			}
			ok(good, "libvncclient, JPEG %s %ux%u: quality 0, 6, "
			    "9, fine 95, every subsampling, noise, photo and "
			    "text above their floors (worst %.1f dB)",
			    formats[jfmts[f]].name, vnc_sizes[z].w,
			    vnc_sizes[z].h, worst);
		}
	}
	free(s.px);
}

/* One update of a whole 4K screen, decoded by libvncclient. */
static void
test_vnc_4k(void)
{
	static const enum content contents[] = { NOISE, PHOTO, TEXT };
	struct screen s = { 0 };
	struct vjob job;
	size_t c;
	int rc;

	for (c = 0; c < 3; c++) {
		screen_alloc(&s, 3840, 2160);
		job = (struct vjob){ .r = { 0, 0, 3840, 2160 },
		    .c = contents[c] };
		settings_with(-1, -1, -1, -1, &job.set);
		rc = vnc_batch(&encoder_tight, &s, &formats[0].pf, NULL, &job,
		    1);
		ok(rc == 0 && job.res.wrong == 0, "libvncclient, 4K %s, "
		    "lossless: exact (%d rectangles, %zu bytes)",
		    content_name[contents[c]], job.res.n, job.res.bytes);
		settings_with(6, -1, -1, -1, &job.set);
		rc = vnc_batch(&encoder_tight, &s, &formats[0].pf, NULL, &job,
		    1);
		ok(rc == 0 && job.res.psnr >= jpeg_floor(contents[c],
		    &job.set), "libvncclient, 4K %s, quality 6: %.1f dB (%d "
		    "rectangles, %zu bytes)", content_name[contents[c]],
		    job.res.psnr, job.res.n, job.res.bytes);
	}
	free(s.px);
}

int
main(void)
{
	struct dec d = { 0 };

	test_structure(&d);
	test_lossless(&d);
	test_jpeg(&d);
	test_4k(&d);
	dec_free(&d);
	test_vnc_lossless();
	test_vnc_jpeg();
	test_vnc_4k();
	return done_testing();
}
