/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ZRLE (RFB encoding 16): 64x64 tiles, each raw, solid, a packed palette
 * (2 to 16 colours), plain RLE or palette RLE (2 to 127 colours),
 * whichever is the fewest bytes, all deflated.  Each rectangle is
 * compressed on its own and ends in a full flush (zstream.h), so that one
 * compression serves every client of the same format.
 *
 * A tile is read once into keys (the screen's pixels, X byte masked), and
 * counted there: solid first; then its runs, with the palette built at
 * the start of each run only, so that a tile of few runs costs few
 * probes; the palette is given up past 127 colours, and the count stops
 * once plain RLE cannot beat raw.  Only the colours that are sent are
 * converted to the client's format, and raw tiles in one pass.
 *
 * CPIXEL (rfbproto.rst, ZRLE): 3 bytes when the format is 32 bits a pixel
 * of depth 24 or less whose colour bits fit in the three least or the
 * three most significant bytes.  Which three: where both would do, the
 * first three on the wire, as TigerVNC's and libvncclient's decoders
 * read them (and libvncserver's and TigerVNC's encoders write them);
 * rfbproto.rst's "least significant by convention" differs from them
 * only for big-endian formats of depth 16 or less at 32 bits.  The depth
 * is rfbproto.rst's and TigerVNC's rule; libvncclient 0.9.14 and
 * libvncserver ignore it, so a libvncclient asking for depth 25 to 32
 * with its channels in three bytes misreads ZRLE (tests/unit/rfbdecode.h).
 */
#include "config.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/encoders/lossless.h"
#include "broker/encoders/zstream.h"

#define RFB_ENCODING_ZRLE	16

/*
 * Without a CompressLevel from the client: level 2 (TigerVNC's and
 * noVNC's default CompressLevel).  Deflate is most of ZRLE's time: on the
 * recorded workloads levels 1 to 3 cost about the same and level 2 gives
 * up to 8% fewer bytes than level 1, at about half libvncserver's CPU;
 * level 6 (lazy matching) nearly doubles the time for 4 to 15% fewer
 * bytes (bench/encoder-bench, doc/PERFORMANCE.md).
 */
#define ZRLE_DEFAULT_LEVEL	2

#define ZRLE_SIDE	64
#define ZRLE_TILE	(ZRLE_SIDE * ZRLE_SIDE)
#define ZRLE_PALETTE	127
#define ZRLE_SLOTS	256	/* palette hash: twice the palette */

#define ZRLE_RAW	0
#define ZRLE_SOLID	1
#define ZRLE_PLAIN_RLE	128

/* Tiles go to deflate once this many bytes of them are made. */
#define ZRLE_FEED	(32 * 1024)

struct zrle_scratch {
	struct zstream	zs;
	struct evbuffer	*data;		/* a rectangle's deflate data */
	/* Tiles before deflate: what is not fed yet, and one more tile. */
	uint8_t		buf[ZRLE_FEED + 1 + ZRLE_TILE * 4];
	uint32_t	t[ZRLE_TILE];	/* a tile's keys */
	uint32_t	conv[ZRLE_TILE]; /* a raw tile in the client's format */
	/* A tile's runs, in raster order across rows: key, length and
	 * palette index of each. */
	uint32_t	run_key[ZRLE_TILE];
	uint16_t	run_len[ZRLE_TILE];
	uint8_t		run_idx[ZRLE_TILE];
	/* The palette: keys in order, and a hash from key to index whose
	 * slots are valid only with the current generation. */
	uint32_t	pal[ZRLE_PALETTE];
	uint32_t	gen;
	uint32_t	slot_gen[ZRLE_SLOTS];
	uint32_t	slot_key[ZRLE_SLOTS];
	uint8_t		slot_idx[ZRLE_SLOTS];
};

/* How a pixel goes on the wire: cpp bytes of the client's pixel, from
 * byte off of it. */
struct zrle_fmt {
	const struct pixconv *pc;
	size_t		bpp;		/* bytes of the client's pixel */
	size_t		cpp;		/* bytes of a CPIXEL */
	size_t		off;
};

static void
zrle_fmt_init(struct zrle_fmt *f, const struct pixconv *pc)
{
	const struct pixfmt *pf = &pc->pf;
	uint32_t max;
	int ls3, ms3;

	f->pc = pc;
	f->bpp = f->cpp = pixconv_bytes_per_pixel(pc);
	f->off = 0;
	if (pf->bpp != 32 || !pf->true_colour || pf->depth > 24)
		return;
	max = (uint32_t)pf->red_max << pf->red_shift |
	    (uint32_t)pf->green_max << pf->green_shift |
	    (uint32_t)pf->blue_max << pf->blue_shift;
	ls3 = max < 1u << 24;
	ms3 = (max & 0xff) == 0;
	if (!ls3 && !ms3)
		return;
	f->cpp = 3;
	/* The first three bytes on the wire hold the least significant
	 * three of a little-endian pixel, the most significant three of a
	 * big-endian one. */
	if (pf->big_endian ? !ms3 : !ls3)
		f->off = 1;
}

static inline uint8_t *
zrle_put(const struct zrle_fmt *f, uint8_t *p, uint32_t key)
{
	uint32_t c = lossless_conv(f->pc, key);
	uint8_t b[4];

	if (f->cpp != 3)
		return lossless_put(p, c, f->cpp);
	memcpy(b, &c, 4);
	memcpy(p, b + f->off, 3);
	return p + 3;
}

static inline unsigned int
zrle_hash(uint32_t key)
{
	return (key * 0x9e3779b1u) >> (32 - 8);
}

/* The palette index of key, added when new: -1 when the palette is
 * full. */
static inline int
zrle_insert(struct zrle_scratch *s, uint32_t key, unsigned int *npal)
{
	unsigned int h;

	for (h = zrle_hash(key);; h = (h + 1) % ZRLE_SLOTS) {
		if (s->slot_gen[h] != s->gen) {
			if (*npal == ZRLE_PALETTE)
				return -1;
			s->slot_gen[h] = s->gen;
			s->slot_key[h] = key;
			s->slot_idx[h] = (uint8_t)*npal;
			s->pal[*npal] = key;
			return (int)(*npal)++;
		}
		if (s->slot_key[h] == key)
			return s->slot_idx[h];
	}
}

/* A run's length as RLE writes it: 255s, then the rest. */
static inline uint8_t *
zrle_run_length(uint8_t *p, unsigned int len)
{
	len--;
	while (len >= 255) {
		*p++ = 255;
		len -= 255;
	}
	*p++ = (uint8_t)len;
	return p;
}

static uint8_t *
zrle_raw(struct zrle_scratch *s, const struct zrle_fmt *f, const uint8_t *sp,
    size_t stride, unsigned int w, unsigned int h, uint8_t *p)
{
	unsigned int i, n = w * h;

	*p++ = ZRLE_RAW;
	if (f->cpp == f->bpp) {
		pixconv_rect(f->pc, p, sp, stride, w, h);
		return p + (size_t)n * f->cpp;
	}
	pixconv_rect(f->pc, (uint8_t *)s->conv, sp, stride, w, h);
	for (i = 0; i < n; i++, p += 3)
		memcpy(p, (const uint8_t *)&s->conv[i] + f->off, 3);
	return p;
}

/* A packed palette tile: indices of 1, 2 or 4 bits, rows on whole bytes,
 * the leftmost pixel in the most significant bits. */
static uint8_t *
zrle_packed(const struct zrle_scratch *s, const struct zrle_fmt *f,
    unsigned int npal, size_t runs, unsigned int w, uint8_t *p)
{
	unsigned int bits = npal <= 2 ? 1 : npal <= 4 ? 2 : 4;
	unsigned int x = 0, fill = 0, idx, len, m, i;
	unsigned int byte = 0;
	size_t k;

	*p++ = (uint8_t)npal;
	for (k = 0; k < npal; k++)
		p = zrle_put(f, p, s->pal[k]);
	for (k = 0; k < runs; k++) {
		idx = s->run_idx[k];
		for (len = s->run_len[k]; len > 0; len -= m) {
			m = len < w - x ? len : w - x;
			x += m;
			for (i = 0; i < m; i++) {
				byte = byte << bits | idx;
				if ((fill += bits) == 8) {
					*p++ = (uint8_t)byte;
					byte = 0;
					fill = 0;
				}
			}
			if (x == w) {
				if (fill != 0)
					*p++ = (uint8_t)(byte << (8 - fill));
				byte = 0;
				fill = 0;
				x = 0;
			}
		}
	}
	return p;
}

/* Plain RLE (npal 0) or palette RLE. */
static uint8_t *
zrle_rle(const struct zrle_scratch *s, const struct zrle_fmt *f,
    unsigned int npal, size_t runs, uint8_t *p)
{
	size_t k;

	if (npal == 0) {
		*p++ = ZRLE_PLAIN_RLE;
		for (k = 0; k < runs; k++) {
			p = zrle_put(f, p, s->run_key[k]);
			p = zrle_run_length(p, s->run_len[k]);
		}
		return p;
	}
	*p++ = (uint8_t)(ZRLE_PLAIN_RLE + npal);
	for (k = 0; k < npal; k++)
		p = zrle_put(f, p, s->pal[k]);
	for (k = 0; k < runs; k++) {
		if (s->run_len[k] == 1)
			*p++ = s->run_idx[k];
		else {
			*p++ = (uint8_t)(s->run_idx[k] | 0x80);
			p = zrle_run_length(p, s->run_len[k]);
		}
	}
	return p;
}

/* One tile of w x h pixels at sp, written from p: returns the end. */
static uint8_t *
zrle_tile(struct zrle_scratch *s, const struct zrle_fmt *f, const uint8_t *sp,
    size_t stride, unsigned int w, unsigned int h, uint8_t *p)
{
	uint32_t *t = s->t;
	unsigned int n = w * h, y, i, j, len, npal = 0;
	size_t raw = (size_t)n * f->cpp, runs = 0, lens = 0, singles = 0;
	size_t best, cost, bail = raw / (f->cpp + 1);
	int idx = 0, pick;

	for (y = 0; y < h; y++)
		lossless_load_row(t + y * w, sp + y * stride, w);
	if (lossless_solid(t, n)) {
		*p++ = ZRLE_SOLID;
		return zrle_put(f, p, t[0]);
	}

	/* The runs, and the palette as long as it holds them; without a
	 * palette, stop where plain RLE already costs more than raw. */
	if (++s->gen == 0) {
		memset(s->slot_gen, 0, sizeof(s->slot_gen));
		s->gen = 1;
	}
	for (i = 0; i < n; i = j) {
		j = lossless_run_end(t, i, n);
		len = j - i;
		s->run_key[runs] = t[i];
		s->run_len[runs] = (uint16_t)len;
		if (idx >= 0 && (idx = zrle_insert(s, t[i], &npal)) >= 0)
			s->run_idx[runs] = (uint8_t)idx;
		runs++;
		lens += (len - 1) / 255 + 1;
		singles += len == 1;
		if (idx < 0 && runs >= bail)
			return zrle_raw(s, f, sp, stride, w, h, p);
	}

	/* The fewest bytes: raw, plain RLE, palette RLE, packed palette. */
	best = raw;
	pick = ZRLE_RAW;
	cost = runs * f->cpp + lens;
	if (cost < best) {
		best = cost;
		pick = ZRLE_PLAIN_RLE;
	}
	if (idx >= 0) {
		cost = npal * f->cpp + runs + lens - singles;
		if (cost < best) {
			best = cost;
			pick = ZRLE_PLAIN_RLE + 1;	/* palette RLE */
		}
		if (npal <= 16) {
			unsigned int bits = npal <= 2 ? 1 : npal <= 4 ? 2 : 4;

			cost = npal * f->cpp + (size_t)h * ((w * bits + 7) / 8);
			if (cost < best) {
				best = cost;
				pick = 2;		/* packed palette */
			}
		}
	}
	switch (pick) {
	case ZRLE_RAW:
		return zrle_raw(s, f, sp, stride, w, h, p);
	case ZRLE_PLAIN_RLE:
		return zrle_rle(s, f, 0, runs, p);
	case 2:
		return zrle_packed(s, f, npal, runs, w, p);
	default:
		return zrle_rle(s, f, npal, runs, p);
	}
}

static int
zrle_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct zrle_scratch *s;
	struct zrle_fmt f;
	uint32_t tx, ty, tw, th;
	uint8_t *p;

	if (!lossless_rect_ok(src, r))
		return -1;
	if ((s = *scratch) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->zs = (struct zstream)ZSTREAM_INIT;
		if ((s->data = evbuffer_new()) == NULL) {
			free(s);
			return -1;
		}
		*scratch = s;
	}
	zrle_fmt_init(&f, pc);
	if (zstream_begin(&s->zs, lossless_level(set, ZRLE_DEFAULT_LEVEL)) ==
	    -1)
		return -1;
	p = s->buf;
	for (ty = 0; ty < r->h; ty += ZRLE_SIDE) {
		th = r->h - ty < ZRLE_SIDE ? r->h - ty : ZRLE_SIDE;
		for (tx = 0; tx < r->w; tx += ZRLE_SIDE) {
			tw = r->w - tx < ZRLE_SIDE ? r->w - tx : ZRLE_SIDE;
			p = zrle_tile(s, &f,
			    lossless_src_at(src, r->x + tx, r->y + ty),
			    src->stride, tw, th, p);
			if (p - s->buf < ZRLE_FEED)
				continue;
			if (zstream_feed(&s->zs, s->buf, (size_t)(p - s->buf), 0,
			    s->data) == -1)
				goto fail;
			p = s->buf;
		}
	}
	if (zstream_feed(&s->zs, s->buf, (size_t)(p - s->buf), 1, s->data) ==
	    -1)
		goto fail;
	return lossless_zlib_rect(out, s->data, r, RFB_ENCODING_ZRLE) == 0 ?
	    1 : -1;
fail:
	evbuffer_drain(s->data, evbuffer_get_length(s->data));
	return -1;
}

static void
zrle_scratch_free(void *scratch)
{
	struct zrle_scratch *s = scratch;

	zstream_end(&s->zs);
	evbuffer_free(s->data);
	free(s);
}

const struct encoder encoder_zrle = {
	.name = "zrle",
	.encoding = RFB_ENCODING_ZRLE,
	.flags = ENCODER_SHAREABLE | ENCODER_ZLIB_STREAM,
	.encode = zrle_encode,
	.scratch_free = zrle_scratch_free,
};
