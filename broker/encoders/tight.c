/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tight (encoding 7, rfbproto.rst).  A rectangle is cut into pieces no
 * decoder refuses (at most 2048 wide and 65536 pixels, as TigerVNC and
 * libvncserver cut); each piece is looked at on the screen's own XRGB8888
 * pixels and sent as the cheapest of
 *
 *	fill	one colour: the colour, whatever the size (and a fill grows
 *		down over the rows below that have that colour too)
 *	mono	two colours: a palette of two, a bit a pixel (zlib stream 1)
 *	indexed	a few colours: a palette, a byte a pixel (stream 2)
 *	JPEG	many colours, when the client asked for a quality
 *	full	many colours and no JPEG: the pixels (stream 0) or, where a
 *		quick look says it pays, their gradient filter (stream 3)
 *
 * Every client with the same format and settings shares the bytes, so no
 * rectangle may depend on what a client's zlib stream carried before:
 * each one that uses a stream resets it (its bit in the
 * compression-control byte) and brings a whole new zlib stream, the
 * 2-byte header and zstream_compress()'s deflate of this rectangle alone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <turbojpeg.h>

#include "broker/encoders/encoder.h"
#include "broker/encoders/tjpeg.h"
#include "broker/encoders/zstream.h"

#define RFB_ENCODING_TIGHT	7

/* The compression-control byte. */
#define CTL_STREAM(n)		((uint8_t)((n) << 4 | 1 << (n)))  /* reset n */
#define CTL_FILTER		0x40	/* a filter id follows */
#define CTL_FILL		0x80
#define CTL_JPEG		0x90
#define FILTER_PALETTE		1
#define FILTER_GRADIENT		2

/* One stream per kind of data: their statistics differ. */
#define STREAM_FULL		0
#define STREAM_MONO		1
#define STREAM_INDEXED		2
#define STREAM_GRADIENT		3

/* Less data than this goes as it is (rfbproto.rst). */
#define TIGHT_MIN_TO_COMPRESS	12
/* The compact length's largest value. */
#define TIGHT_MAX_LENGTH	4194303

#define TIGHT_MAX_PIXELS	TJPEG_MAX_AREA
#define TIGHT_MAX_COLOURS	256
/*
 * From this JPEG quality up (QualityLevel 4 and above) a palette of up to
 * 256 colours beats JPEG: antialiased text and smooth wallpapers have 100
 * to 256 colours in a piece, which TigerVNC sends as JPEG above 96; as
 * indexes they are exact and, on desktop-1080p at level 6, 42% fewer
 * bytes (zlib on the indexes costs some 14% more time a pixel than the
 * JPEG).  Below, subsampled JPEG of low quality takes about half the time
 * of the indexes, and the client asked for bytes over fidelity.
 */
#define PALETTE_JPEG_QUALITY	60
/* A JPEG's headers alone are some 600 bytes: not for tiny pieces. */
#define JPEG_MIN_AREA		512

/*
 * zlib levels for indexed, mono and full-colour data at each
 * CompressLevel.  TigerVNC's table from level 4 up; below, level 1, since
 * on this data (palette indices of desktop-1080p's pieces) zlib's level 3
 * costs 18% more time than level 1 for 5% fewer bytes, and what zlib
 * costs is most of a lossless update.
 */
static const struct {
	int	idx, mono, raw;
} zlevels[10] = {
	{ 0, 0, 0 }, { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 }, { 6, 7, 3 },
	{ 7, 8, 4 }, { 7, 8, 5 }, { 8, 9, 6 }, { 9, 9, 7 }, { 9, 9, 9 },
};
#define ZLEVEL_DEFAULT		2	/* no CompressLevel sent */

/*
 * A pixel of the screen loaded as a host integer: its colour bits (R, G
 * and B, whatever the host's byte order) and its channels.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PIX_MASK	0xffffff00u
#define PIX_R(v)	((v) >> 8 & 0xff)
#define PIX_G(v)	((v) >> 16 & 0xff)
#define PIX_B(v)	((v) >> 24)
#else
#define PIX_MASK	0x00ffffffu
#define PIX_R(v)	((v) >> 16 & 0xff)
#define PIX_G(v)	((v) >> 8 & 0xff)
#define PIX_B(v)	((v) & 0xff)
#endif

/* The colour table of the analysis: open addressing, keys the colours. */
#define HASH_BITS	10
#define HASH_SIZE	(1u << HASH_BITS)
#define HASH_EMPTY	0xffffffffu	/* no colour: PIX_MASK leaves a 0 */

/* Solid areas: searched in blocks of 16x16, sent from 2048 pixels. */
#define SOLID_BLOCK	16
#define SOLID_MIN_AREA	2048
#define TODO_MAX	1024

struct todo {
	struct rect	r;
	int		search;		/* for solid areas */
};

struct tight_scratch {
	struct todo	todo[TODO_MAX];
	struct tjpeg	jpeg;
	struct zstream	z[4];
	struct evbuffer	*pending;	/* this call's rectangles */
	uint8_t		idx[TIGHT_MAX_PIXELS];	/* palette index a pixel */
	uint8_t		pix[TIGHT_MAX_PIXELS * 4]; /* data before zlib */
	uint16_t	grad_rows[2][TJPEG_MAX_WIDTH * 3];
	uint32_t	hkey[HASH_SIZE];
	uint8_t		hval[HASH_SIZE];
};

/* What one call works with. */
struct tight {
	const struct encode_src	*src;
	const struct pixconv	*pc;
	struct tight_scratch	*s;
	int		tpixel;		/* a TPIXEL is R, G, B */
	size_t		psize;		/* bytes of a TPIXEL */
	int		compress;	/* CompressLevel 0..9, -1 */
	int		zidx, zmono, zraw;
	int		jpeg;		/* JpegCompression allowed */
	struct tjpeg_params jp;
	int		gradient;	/* the gradient filter allowed */
	int		gray;		/* JPEG in grayscale, for everything */
};

static inline uint32_t
load_pixel(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v & PIX_MASK;
}

static inline const uint8_t *
src_at(const struct tight *t, uint32_t x, uint32_t y)
{
	return t->src->pixels + (size_t)y * t->src->stride + (size_t)x * 4;
}

/* A colour as a TPIXEL of the client's format; returns its size. */
static size_t
put_tpixel(const struct tight *t, uint8_t *dst, uint32_t v)
{
	uint32_t p;
	uint16_t p16;

	if (t->tpixel) {
		dst[0] = (uint8_t)PIX_R(v);
		dst[1] = (uint8_t)PIX_G(v);
		dst[2] = (uint8_t)PIX_B(v);
		return 3;
	}
	p = t->pc->r[PIX_R(v)] | t->pc->g[PIX_G(v)] | t->pc->b[PIX_B(v)];
	switch (t->psize) {
	case 4:
		memcpy(dst, &p, 4);
		break;
	case 2:
		p16 = (uint16_t)p;
		memcpy(dst, &p16, 2);
		break;
	default:
		dst[0] = (uint8_t)p;
		break;
	}
	return t->psize;
}

static size_t
put_compact(uint8_t *p, size_t v)
{
	p[0] = v & 0x7f;
	if (v <= 0x7f)
		return 1;
	p[0] |= 0x80;
	p[1] = v >> 7 & 0x7f;
	if (v <= 0x3fff)
		return 2;
	p[1] |= 0x80;
	p[2] = (uint8_t)(v >> 14);
	return 3;
}

/*
 * The colours of a piece, at most max of them: their list in pal (in the
 * order they first appear) and each pixel's index in s->idx.  Returns
 * how many, or max + 1 as soon as there are more.  Only a change of
 * colour looks the table up: runs cost a compare.
 */
static unsigned int
analyse(struct tight_scratch *s, const uint8_t *p, size_t stride, uint32_t w,
    uint32_t h, unsigned int max, uint32_t *pal)
{
	uint8_t *idx = s->idx, cur = 0;
	uint32_t prev, v, k, x, y;
	unsigned int n = 1;

	memset(s->hkey, 0xff, sizeof(s->hkey));
	prev = load_pixel(p);
	k = (prev * 0x9e3779b1u) >> (32 - HASH_BITS);
	s->hkey[k] = prev;
	s->hval[k] = 0;
	pal[0] = prev;
	for (y = 0; y < h; y++, p += stride) {
		for (x = 0; x < w; x++) {
			v = load_pixel(p + 4 * x);
			if (v != prev) {
				k = (v * 0x9e3779b1u) >> (32 - HASH_BITS);
				while (s->hkey[k] != v) {
					if (s->hkey[k] == HASH_EMPTY) {
						if (n == max)
							return max + 1;
						s->hkey[k] = v;
						s->hval[k] = (uint8_t)n;
						pal[n++] = v;
						break;
					}
					k = (k + 1) & (HASH_SIZE - 1);
				}
				cur = s->hval[k];
				prev = v;
			}
			*idx++ = cur;
		}
	}
	return n;
}

/* Whether the w pixels at p all have colour v. */
static int
row_is(const uint8_t *p, uint32_t w, uint32_t v)
{
	for (uint32_t x = 0; x < w; x++)
		if (load_pixel(p + 4 * x) != v)
			return 0;
	return 1;
}

/*
 * One Tight rectangle: header, the head bytes (control byte, filter,
 * palette) and the data, compressed on stream (setting its reset bit in
 * head[0]) unless it is shorter than 12 bytes.
 */
static int
emit(struct tight *t, struct evbuffer *out, const struct rect *r,
    uint8_t *head, size_t hlen, const uint8_t *data, size_t dlen, int stream,
    int level)
{
	uint8_t h[ENCODER_RECT_HEADER_SIZE], len[3];
	const uint8_t *z = data;
	size_t zlen = dlen, n = 0;

	if (encoder_rect_header_bytes(h, r, RFB_ENCODING_TIGHT) == -1)
		return -1;
	if (dlen >= TIGHT_MIN_TO_COMPRESS) {
		z = zstream_compress(&t->s->z[stream], level, data, dlen, &zlen);
		if (z == NULL || zlen + 2 > TIGHT_MAX_LENGTH)
			return -1;
		head[0] |= CTL_STREAM(stream);
		n = put_compact(len, zlen + 2);
	}
	if (evbuffer_add(out, h, sizeof(h)) == -1 ||
	    evbuffer_add(out, head, hlen) == -1 ||
	    evbuffer_add(out, len, n) == -1 ||
	    (n != 0 && evbuffer_add(out, ENCODER_ZLIB_HEADER, 2) == -1) ||
	    evbuffer_add(out, z, zlen) == -1)
		return -1;
	return 0;
}

static int
send_fill(struct tight *t, struct evbuffer *out, const struct rect *r,
    uint32_t v)
{
	uint8_t b[ENCODER_RECT_HEADER_SIZE + 1 + 4];
	size_t n;

	if (encoder_rect_header_bytes(b, r, RFB_ENCODING_TIGHT) == -1)
		return -1;
	b[ENCODER_RECT_HEADER_SIZE] = CTL_FILL;
	n = put_tpixel(t, b + ENCODER_RECT_HEADER_SIZE + 1, v);
	return evbuffer_add(out, b, ENCODER_RECT_HEADER_SIZE + 1 + n);
}

/* The palette filter's head: control, filter, colours - 1, colours. */
static size_t
palette_head(const struct tight *t, uint8_t *head, int stream,
    const uint32_t *pal, unsigned int n)
{
	size_t len = 3;

	head[0] = (uint8_t)(stream << 4 | CTL_FILTER);
	head[1] = FILTER_PALETTE;
	head[2] = (uint8_t)(n - 1);
	for (unsigned int i = 0; i < n; i++)
		len += put_tpixel(t, head + len, pal[i]);
	return len;
}

static int
send_mono(struct tight *t, struct evbuffer *out, const struct rect *r,
    const uint32_t *pal)
{
	uint8_t head[3 + 2 * 4], *dst = t->s->pix, bits;
	const uint8_t *idx = t->s->idx;
	size_t hlen;
	uint32_t x, y, i;

	hlen = palette_head(t, head, STREAM_MONO, pal, 2);
	/* A bit a pixel, the leftmost the most significant; rows padded
	 * to a byte. */
	for (y = 0; y < r->h; y++) {
		for (x = 0; x + 8 <= r->w; x += 8, idx += 8)
			*dst++ = (uint8_t)(idx[0] << 7 | idx[1] << 6 |
			    idx[2] << 5 | idx[3] << 4 | idx[4] << 3 |
			    idx[5] << 2 | idx[6] << 1 | idx[7]);
		if (x < r->w) {
			for (bits = 0, i = 0; x < r->w; x++, i++)
				bits |= (uint8_t)(*idx++ << (7 - i));
			*dst++ = bits;
		}
	}
	return emit(t, out, r, head, hlen, t->s->pix,
	    (size_t)(dst - t->s->pix), STREAM_MONO, t->zmono);
}

static int
send_indexed(struct tight *t, struct evbuffer *out, const struct rect *r,
    const uint32_t *pal, unsigned int n)
{
	uint8_t head[3 + TIGHT_MAX_COLOURS * 4];
	size_t hlen;

	hlen = palette_head(t, head, STREAM_INDEXED, pal, n);
	return emit(t, out, r, head, hlen, t->s->idx, (size_t)r->w * r->h,
	    STREAM_INDEXED, t->zidx);
}

static int
send_jpeg(struct tight *t, struct evbuffer *out, const struct rect *r)
{
	uint8_t b[ENCODER_RECT_HEADER_SIZE + 1 + 3];
	const uint8_t *data;
	size_t len, n;

	data = tjpeg_compress(&t->s->jpeg, t->src, r, &t->jp, &len);
	if (data == NULL || len > TIGHT_MAX_LENGTH ||
	    encoder_rect_header_bytes(b, r, RFB_ENCODING_TIGHT) == -1)
		return -1;
	b[ENCODER_RECT_HEADER_SIZE] = CTL_JPEG;
	n = put_compact(b + ENCODER_RECT_HEADER_SIZE + 1, len);
	if (evbuffer_add(out, b, ENCODER_RECT_HEADER_SIZE + 1 + n) == -1 ||
	    evbuffer_add(out, data, len) == -1)
		return -1;
	return 0;
}

/* Gradient prediction of one channel: left + above - above-left, clamped. */
static inline int
predict(int left, int up, int upleft, int max)
{
	int p = left + up - upleft;

	return p < 0 ? 0 : p > max ? max : p;
}

/*
 * Whether the gradient filter is worth it for this piece, from every
 * eighth row: where a pixel differs from its left neighbour (which plain
 * pixels deflate as a literal), the filter leaves a residual that is
 * either small, which deflate codes in few bits, or not.  It pays when
 * most are small: photos, video, shading.  On text and window borders a
 * repeat is a match for deflate whatever the filter, and a sharp edge
 * leaves large residuals.  Measured (lossless, CompressLevel 1): video-720p
 * 15% fewer bytes than never filtering, desktop-1080p 1% more, where
 * always filtering costs 6% more.  Counted on the screen's 8-bit
 * channels whatever the client's format.
 */
#define GRADIENT_SMALL	6	/* sum of the three residuals */

static int
gradient_pays(const struct tight *t, const struct rect *r)
{
	uint32_t step, x, y, v, l, u, ul, nz_plain = 0, nz_grad = 0;
	const uint8_t *row, *up;
	int d, s;

	if (r->w < 8 || r->h < 8)
		return 0;
	step = r->h / 8 < 1 ? 1 : r->h / 8;
	for (y = 1; y < r->h; y += step) {
		row = src_at(t, r->x, r->y + y);
		up = row - t->src->stride;
		for (x = 1; x < r->w; x++) {
			v = load_pixel(row + 4 * x);
			l = load_pixel(row + 4 * x - 4);
			if (v == l)
				continue;
			nz_plain++;
			u = load_pixel(up + 4 * x);
			ul = load_pixel(up + 4 * x - 4);
			d = (int)PIX_R(v) - predict((int)PIX_R(l),
			    (int)PIX_R(u), (int)PIX_R(ul), 255);
			s = d < 0 ? -d : d;
			d = (int)PIX_G(v) - predict((int)PIX_G(l),
			    (int)PIX_G(u), (int)PIX_G(ul), 255);
			s += d < 0 ? -d : d;
			d = (int)PIX_B(v) - predict((int)PIX_B(l),
			    (int)PIX_B(u), (int)PIX_B(ul), 255);
			s += d < 0 ? -d : d;
			if (s > GRADIENT_SMALL)
				nz_grad++;
		}
	}
	return nz_grad * 2 < nz_plain;
}

/* The pixels of r as TPIXELs, packed, into dst; returns the bytes. */
static size_t
full_pixels(const struct tight *t, const struct rect *r, uint8_t *dst)
{
	const uint8_t *s;
	uint8_t *d = dst;
	uint32_t x, y;

	if (!t->tpixel) {
		pixconv_rect(t->pc, dst, src_at(t, r->x, r->y),
		    t->src->stride, r->w, r->h);
		return (size_t)r->w * r->h * t->psize;
	}
	for (y = 0; y < r->h; y++) {
		s = src_at(t, r->x, r->y + y);
		for (x = 0; x < r->w; x++, s += 4, d += 3) {
			d[0] = s[2];
			d[1] = s[1];
			d[2] = s[0];
		}
	}
	return (size_t)(d - dst);
}

/*
 * The gradient filter over RGB TPIXELs in place: from the last pixel back
 * to the first, so that every neighbour a prediction reads is still the
 * pixel itself.  Channels wrap modulo 256, as decoders add them back.
 */
static void
gradient_tpixel(uint8_t *p, uint32_t w, uint32_t h)
{
	size_t row = (size_t)w * 3;
	uint32_t x, y;
	uint8_t *q;
	int c, l, u, ul;

	for (y = h; y-- > 0;) {
		for (x = w; x-- > 0;) {
			q = p + y * row + x * 3;
			for (c = 0; c < 3; c++) {
				l = x > 0 ? q[c - 3] : 0;
				u = y > 0 ? q[c - (ptrdiff_t)row] : 0;
				ul = x > 0 && y > 0 ?
				    q[c - 3 - (ptrdiff_t)row] : 0;
				q[c] = (uint8_t)(q[c] - predict(l, u, ul, 255));
			}
		}
	}
}

/*
 * The gradient filter for other true-colour formats of 16 or 32 bits:
 * on each channel at the client's precision, the difference modulo
 * max + 1 at the channel's place, in the client's byte order.
 */
static size_t
gradient_pixels(struct tight *t, const struct rect *r, uint8_t *dst)
{
	const struct pixfmt *pf = &t->pc->pf;
	const unsigned int max[3] = { pf->red_max, pf->green_max,
	    pf->blue_max };
	const unsigned int shift[3] = { pf->red_shift, pf->green_shift,
	    pf->blue_shift };
	uint16_t *prev = t->s->grad_rows[0], *cur = t->s->grad_rows[1], *tmp;
	uint32_t x, y, v, pix;
	const uint8_t *s;
	unsigned int c, ch[3];
	uint8_t *d = dst;
	int l, u, ul;

	memset(prev, 0, (size_t)r->w * 3 * sizeof(*prev));
	for (y = 0; y < r->h; y++) {
		s = src_at(t, r->x, r->y + y);
		for (x = 0; x < r->w; x++, s += 4) {
			v = load_pixel(s);
			ch[0] = PIX_R(v);
			ch[1] = PIX_G(v);
			ch[2] = PIX_B(v);
			pix = 0;
			for (c = 0; c < 3; c++) {
				cur[x * 3 + c] = (uint16_t)((ch[c] * max[c] +
				    127) / 255);
				l = x > 0 ? cur[x * 3 - 3 + c] : 0;
				u = prev[x * 3 + c];
				ul = x > 0 ? prev[x * 3 - 3 + c] : 0;
				pix |= ((cur[x * 3 + c] - (unsigned int)predict(
				    l, u, ul, (int)max[c])) & max[c]) <<
				    shift[c];
			}
			if (pf->bpp == 32) {
				if (pf->big_endian)
					pix = pix >> 24 | (pix >> 8 & 0xff00) |
					    (pix << 8 & 0xff0000) | pix << 24;
				d[0] = (uint8_t)pix;
				d[1] = (uint8_t)(pix >> 8);
				d[2] = (uint8_t)(pix >> 16);
				d[3] = (uint8_t)(pix >> 24);
				d += 4;
			} else {
				if (pf->big_endian)
					pix = (pix >> 8 & 0xff) |
					    (pix << 8 & 0xff00);
				d[0] = (uint8_t)pix;
				d[1] = (uint8_t)(pix >> 8);
				d += 2;
			}
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return (size_t)(d - dst);
}

static int
send_full(struct tight *t, struct evbuffer *out, const struct rect *r)
{
	uint8_t head[2];
	size_t len;

	if (t->gradient && gradient_pays(t, r)) {
		head[0] = STREAM_GRADIENT << 4 | CTL_FILTER;
		head[1] = FILTER_GRADIENT;
		if (t->tpixel) {
			len = full_pixels(t, r, t->s->pix);
			gradient_tpixel(t->s->pix, r->w, r->h);
		} else
			len = gradient_pixels(t, r, t->s->pix);
		return emit(t, out, r, head, 2, t->s->pix, len,
		    STREAM_GRADIENT, t->zraw);
	}
	head[0] = STREAM_FULL << 4;
	len = full_pixels(t, r, t->s->pix);
	return emit(t, out, r, head, 1, t->s->pix, len, STREAM_FULL, t->zraw);
}

/*
 * How many colours a piece may have and still go as a palette, as
 * TigerVNC reckons: with JPEG, 96 (24 at CompressLevel 0 and 1), so that
 * photos go as JPEG, but 256 at higher JPEG qualities (above); without,
 * a colour per 16 pixels (per 8 x the CompressLevel), at most 256.  At 8
 * bits a pixel an index is no smaller than the pixel: only one and two
 * colours are worth a palette there.
 */
static unsigned int
max_colours(const struct tight *t, const struct rect *r)
{
	unsigned int m, div;

	if (t->psize == 1)
		return 2;
	if (t->jpeg)
		m = t->jp.quality >= PALETTE_JPEG_QUALITY ? TIGHT_MAX_COLOURS :
		    t->compress >= 0 && t->compress < 2 ? 24 : 96;
	else {
		div = t->compress < 0 ? 16 : (unsigned int)t->compress * 8;
		if (div < 4)
			div = 4;
		m = r->w * r->h / div;
	}
	return m < 2 ? 2 : m > TIGHT_MAX_COLOURS ? TIGHT_MAX_COLOURS : m;
}

/*
 * One piece (at most 2048 wide and 65536 pixels).  A single colour grows
 * down, over the rows of bottom that have that colour, into one fill:
 * *used is how many rows went.  Returns the rectangles written, or -1.
 */
static int
send_piece(struct tight *t, struct evbuffer *out, const struct rect *r,
    uint32_t bottom, uint32_t *used)
{
	uint32_t pal[TIGHT_MAX_COLOURS];
	unsigned int max, n;
	struct rect fill;

	*used = r->h;
	/* Grayscale was asked for: only JPEG gives it, so everything goes
	 * as JPEG, as TigerVNC and libvncserver do. */
	if (t->gray)
		return send_jpeg(t, out, r) == -1 ? -1 : 1;
	max = max_colours(t, r);
	n = analyse(t->s, src_at(t, r->x, r->y), t->src->stride, r->w, r->h,
	    max, pal);
	if (n == 1) {
		fill = *r;
		while (fill.y + fill.h < bottom && fill.h < UINT16_MAX &&
		    row_is(src_at(t, fill.x, fill.y + fill.h), fill.w, pal[0]))
			fill.h++;
		*used = fill.h;
		return send_fill(t, out, &fill, pal[0]) == -1 ? -1 : 1;
	}
	if (n == 2)
		return send_mono(t, out, r, pal) == -1 ? -1 : 1;
	/* A palette must be smaller than the pixels it stands for. */
	if (n <= max && t->psize > 1 &&
	    n * t->psize + r->w * r->h < r->w * r->h * t->psize)
		return send_indexed(t, out, r, pal, n) == -1 ? -1 : 1;
	if (t->jpeg && r->w * r->h >= JPEG_MIN_AREA)
		return send_jpeg(t, out, r) == -1 ? -1 : 1;
	return send_full(t, out, r) == -1 ? -1 : 1;
}

static struct tight_scratch *
scratch_get(void **scratch)
{
	struct tight_scratch *s = *scratch;

	if (s != NULL)
		return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->pending = evbuffer_new()) == NULL) {
		free(s);
		return NULL;
	}
	s->jpeg = (struct tjpeg)TJPEG_INIT;
	for (int i = 0; i < 4; i++)
		s->z[i] = (struct zstream)ZSTREAM_INIT;
	*scratch = s;
	return s;
}

static void
tight_scratch_free(void *scratch)
{
	struct tight_scratch *s = scratch;

	if (s == NULL)
		return;
	tjpeg_end(&s->jpeg);
	for (int i = 0; i < 4; i++)
		zstream_end(&s->z[i]);
	evbuffer_free(s->pending);
	free(s);
}

static void
tight_setup(struct tight *t, const struct encode_src *src,
    const struct pixconv *pc, const struct encode_settings *set,
    struct tight_scratch *s)
{
	const struct pixfmt *pf = &pc->pf;
	int level;

	*t = (struct tight){ .src = src, .pc = pc, .s = s };
	/* rfbproto.rst: a TPIXEL is R, G, B when the format is true
	 * colour, 32 bits, depth 24, each channel exactly 8 bits. */
	t->tpixel = pf->true_colour && pf->bpp == 32 && pf->depth == 24 &&
	    pf->red_max == 255 && pf->green_max == 255 && pf->blue_max == 255;
	t->psize = t->tpixel ? 3 : pixconv_bytes_per_pixel(pc);
	t->compress = set->compress < 0 ? -1 :
	    set->compress > 9 ? 9 : set->compress;
	level = t->compress < 0 ? ZLEVEL_DEFAULT : t->compress;
	t->zidx = zlevels[level].idx;
	t->zmono = zlevels[level].mono;
	t->zraw = zlevels[level].raw;
	/* JPEG only for true colour of 16 or 32 bits (rfbproto.rst), and
	 * only when the client asked for a quality. */
	t->jpeg = pf->true_colour && pf->bpp >= 16 &&
	    tjpeg_params(set, -1, &t->jp) == 0;
	t->gray = t->jpeg && t->jp.subsamp == TJSAMP_GRAY;
	/*
	 * The gradient filter is for 16 and 32 bits of true colour.  Not
	 * for other big-endian formats than TPIXEL's: libvncclient (0.9.14
	 * and later) reads a filtered pixel in its host's byte order, so
	 * a viewer built on it on a little-endian host would show wrong
	 * colours; plain pixels cost those rare clients some bytes.  And
	 * not when the client asked for JPEG: noVNC before 1.5 (Debian 12
	 * has 1.3) has no gradient filter and fails on one, but always
	 * sends a quality; with JPEG the filter would only serve pieces
	 * too small for JPEG anyway.
	 */
	t->gradient = pf->true_colour && pf->bpp >= 16 && !t->jpeg &&
	    (t->tpixel || !pf->big_endian);
}

/*
 * Column by column (at most 2048 wide), down each column in pieces of at
 * most 65536 pixels; a fill may take more rows than a piece has.
 */
static int
send_pieces(struct tight *t, struct evbuffer *out, const struct rect *r)
{
	uint32_t x, y, sw, sh, used;
	struct rect piece;
	int n, count = 0;

	for (x = r->x; x < r->x + r->w; x += sw) {
		sw = r->x + r->w - x;
		if (sw > TJPEG_MAX_WIDTH)
			sw = TJPEG_MAX_WIDTH;
		sh = TIGHT_MAX_PIXELS / sw;
		for (y = r->y; y < r->y + r->h; y += used) {
			piece = (struct rect){ x, y, sw, r->y + r->h - y };
			if (piece.h > sh)
				piece.h = sh;
			if ((n = send_piece(t, out, &piece, r->y + r->h,
			    &used)) < 0)
				return -1;
			count += n;
		}
	}
	return count;
}

/* Whether the w x h pixels at x, y all have colour v. */
static int
area_is(const struct tight *t, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
    uint32_t v)
{
	for (uint32_t i = 0; i < h; i++)
		if (!row_is(src_at(t, x, y + i), w, v))
			return 0;
	return 1;
}

/*
 * The largest area of colour v in whole blocks from x, y to the right and
 * bottom of r: as wide as it goes, then row of blocks by row of blocks no
 * wider than the row above, keeping the widest-by-tallest.
 */
static struct rect
grow_blocks(const struct tight *t, const struct rect *r, uint32_t x,
    uint32_t y, uint32_t v, uint32_t *first_w)
{
	uint32_t right = r->x + r->w, bottom = r->y + r->h;
	uint32_t w = right - x, dx, dy, dw, dh;
	struct rect best = { x, y, 0, 0 };

	*first_w = 0;
	for (dy = y; dy < bottom; dy += dh) {
		dh = bottom - dy < SOLID_BLOCK ? bottom - dy : SOLID_BLOCK;
		dw = w < SOLID_BLOCK ? w : SOLID_BLOCK;
		if (!area_is(t, x, dy, dw, dh, v))
			break;
		for (dx = x + dw; dx < x + w; dx += dw) {
			dw = x + w - dx < SOLID_BLOCK ? x + w - dx :
			    SOLID_BLOCK;
			if (!area_is(t, dx, dy, dw, dh, v))
				break;
		}
		w = dx - x;
		if (dy == y)
			*first_w = w;
		if ((uint64_t)w * (dy + dh - y) > (uint64_t)best.w * best.h) {
			best.w = w;
			best.h = dy + dh - y;
		}
	}
	return best;
}

/* The same area grown a pixel row or column at a time, within r. */
static void
grow_pixels(const struct tight *t, const struct rect *r, struct rect *a,
    uint32_t v)
{
	while (a->y > r->y && row_is(src_at(t, a->x, a->y - 1), a->w, v)) {
		a->y--;
		a->h++;
	}
	while (a->y + a->h < r->y + r->h &&
	    row_is(src_at(t, a->x, a->y + a->h), a->w, v))
		a->h++;
	while (a->x > r->x && area_is(t, a->x - 1, a->y, 1, a->h, v)) {
		a->x--;
		a->w++;
	}
	while (a->x + a->w < r->x + r->w &&
	    area_is(t, a->x + a->w, a->y, 1, a->h, v))
		a->w++;
}

/*
 * A large area of one colour in r, as TigerVNC finds them: the first
 * solid block of 16x16, grown by blocks, then by pixels; areas under
 * 2048 pixels are not worth the rectangles they cut r into.
 */
static int
find_solid(const struct tight *t, const struct rect *r, struct rect *found,
    uint32_t *colour)
{
	uint32_t right = r->x + r->w, bottom = r->y + r->h, x, y, w, h, v;
	uint32_t first_w;
	struct rect a;

	for (y = r->y; y < bottom; y += SOLID_BLOCK) {
		h = bottom - y < SOLID_BLOCK ? bottom - y : SOLID_BLOCK;
		for (x = r->x; x < right; x += SOLID_BLOCK) {
			w = right - x < SOLID_BLOCK ? right - x : SOLID_BLOCK;
			v = load_pixel(src_at(t, x, y));
			if (!area_is(t, x, y, w, h, v))
				continue;
			a = grow_blocks(t, r, x, y, v, &first_w);
			if (a.x == r->x && a.y == r->y && a.w == r->w &&
			    a.h == r->h) {
				*found = a;
				*colour = v;
				return 1;
			}
			if ((uint64_t)a.w * a.h < SOLID_MIN_AREA) {
				/* The blocks of this run start no larger
				 * area (nearly always): on, past it, so
				 * that a row costs one look. */
				if (first_w > SOLID_BLOCK)
					x += first_w - SOLID_BLOCK;
				continue;
			}
			grow_pixels(t, r, &a, v);
			*found = a;
			*colour = v;
			return 1;
		}
	}
	return 0;
}

/* A fill of any height, in columns no wider than Tight allows. */
static int
send_fills(struct tight *t, struct evbuffer *out, const struct rect *a,
    uint32_t v)
{
	struct rect c;
	int count = 0;

	for (c = (struct rect){ a->x, a->y, 0, a->h }; c.x < a->x + a->w;
	    c.x += c.w, count++) {
		c.w = a->x + a->w - c.x;
		if (c.w > TJPEG_MAX_WIDTH)
			c.w = TJPEG_MAX_WIDTH;
		if (send_fill(t, out, &c, v) == -1)
			return -1;
	}
	return count;
}

/*
 * Large solid areas go first, as fills; what is around them (above,
 * left, right, below) is searched again, but for the rows above, which
 * the search has passed.  A stack of what is left to do keeps the
 * recursion off the thread's stack.
 */
static int
tight_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct tight_scratch *s;
	struct tight t;
	struct todo *top;
	struct rect a, b;
	uint32_t v;
	size_t depth = 0;
	int n, count = 0;

	if (!encode_rect_inside(src, r) || r->x + r->w > UINT16_MAX + 1u ||
	    r->y + r->h > UINT16_MAX + 1u || (s = scratch_get(scratch)) == NULL)
		return -1;
	tight_setup(&t, src, pc, set, s);
	s->todo[depth++] = (struct todo){ *r, 1 };
	while (depth > 0) {
		top = &s->todo[--depth];
		b = top->r;
		if (!top->search || t.gray ||
		    (uint64_t)b.w * b.h < SOLID_MIN_AREA ||
		    depth + 4 > TODO_MAX || !find_solid(&t, &b, &a, &v)) {
			if ((n = send_pieces(&t, s->pending, &b)) < 0)
				goto fail;
			count += n;
			continue;
		}
		if ((n = send_fills(&t, s->pending, &a, v)) < 0)
			goto fail;
		count += n;
		if (a.y > b.y)
			s->todo[depth++] = (struct todo){ { b.x, b.y, b.w,
			    a.y - b.y }, 0 };
		if (a.x > b.x)
			s->todo[depth++] = (struct todo){ { b.x, a.y,
			    a.x - b.x, a.h }, 1 };
		if (a.x + a.w < b.x + b.w)
			s->todo[depth++] = (struct todo){ { a.x + a.w, a.y,
			    b.x + b.w - a.x - a.w, a.h }, 1 };
		if (a.y + a.h < b.y + b.h)
			s->todo[depth++] = (struct todo){ { b.x, a.y + a.h,
			    b.w, b.y + b.h - a.y - a.h }, 1 };
	}
	if (evbuffer_add_buffer(out, s->pending) == -1)
		goto fail;
	return count;
fail:
	evbuffer_drain(s->pending, evbuffer_get_length(s->pending));
	return -1;
}

const struct encoder encoder_tight = {
	.name = "tight",
	.encoding = RFB_ENCODING_TIGHT,
	.flags = ENCODER_SHAREABLE,
	.encode = tight_encode,
	.scratch_free = tight_scratch_free,
};
