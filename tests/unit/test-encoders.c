/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every lossless encoder (Raw, Hextile, Zlib, ZRLE) decoded by libvncclient
 * over a real connection (rfbdecode.h) and compared pixel by pixel with
 * the screen converted to the client's format: every class of pixel
 * format, odd sizes, rectangles away from the origin, noise, flat, text,
 * gradients and palettes of every size a subencoding cares about, several
 * updates in a row on one connection (the zlib stream goes on), the
 * sender's zlib header on the first rectangle only, as updates.c does.
 * Hextile's output is also held to rfbproto.rst's rules on what carries
 * from tile to tile, which libvncclient does not check.  And the refusals:
 * a rectangle outside the screen or empty appends nothing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "broker/encoders/encoder.h"
#include "broker/wire.h"
#include "tests/tap.h"
#include "tests/unit/rfbdecode.h"

struct named_fmt {
	const char	*name;
	struct pixfmt	pf;
};

#define TC(bpp, depth, be, rm, gm, bm, rs, gs, bs) \
	{ bpp, depth, be, 1, rm, gm, bm, rs, gs, bs }

static const struct named_fmt formats[] = {
	{ "32 le", TC(32, 24, 0, 255, 255, 255, 16, 8, 0) },
	{ "32 be", TC(32, 24, 1, 255, 255, 255, 16, 8, 0) },
	{ "bgr32", TC(32, 24, 0, 255, 255, 255, 0, 8, 16) },
	{ "32 depth 32", TC(32, 32, 0, 255, 255, 255, 16, 8, 0) },
	{ "32 high bytes le", TC(32, 24, 0, 255, 255, 255, 24, 16, 8) },
	{ "32 high bytes be", TC(32, 24, 1, 255, 255, 255, 24, 16, 8) },
	{ "24 in 32 low, be bgr", TC(32, 24, 1, 255, 255, 255, 0, 8, 16) },
	{ "32 10-10-10", TC(32, 30, 0, 1023, 1023, 1023, 20, 10, 0) },
	{ "565 in 32, middle bytes, be", TC(32, 16, 1, 31, 63, 31, 19, 13, 8) },
	{ "565 in 32, middle bytes, le", TC(32, 16, 0, 31, 63, 31, 19, 13, 8) },
	{ "32 10-10-10 be", TC(32, 30, 1, 1023, 1023, 1023, 20, 10, 0) },
	{ "16 444 be", TC(16, 12, 1, 15, 15, 15, 8, 4, 0) },
	{ "16 565 le", TC(16, 16, 0, 31, 63, 31, 11, 5, 0) },
	{ "16 565 be", TC(16, 16, 1, 31, 63, 31, 11, 5, 0) },
	{ "16 555", TC(16, 15, 0, 31, 31, 31, 10, 5, 0) },
	{ "8 332", TC(8, 8, 0, 7, 7, 3, 5, 2, 0) },
	{ "8 233", TC(8, 8, 0, 3, 7, 7, 6, 3, 0) },
	{ "8 111", TC(8, 3, 0, 1, 1, 1, 0, 1, 2) },
	{ "8 colour map", { 8, 8, 0, 0, 0, 0, 0, 0, 0, 0 } },
};
#define NFORMATS	(sizeof(formats) / sizeof(formats[0]))

static const struct {
	uint32_t	w, h;
} sizes[] = {
	{ 1, 1 }, { 4097, 3 }, { 3, 2161 }, { 64, 64 }, { 65, 65 }, { 17, 15 },
	{ 130, 70 },
};
#define NSIZES		(sizeof(sizes) / sizeof(sizes[0]))

enum content { NOISE, FLAT, TEXT, GRADIENT, FEW, DITHER, NCONTENTS };
static const char *const content_names[] = {
	"noise", "flat", "text", "gradient", "few colours", "dithered"
};

static const struct encoder *const encoders[] = {
	&encoder_raw, &encoder_hextile, &encoder_zlib, &encoder_zrle,
};
#define NENCODERS	(sizeof(encoders) / sizeof(encoders[0]))

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* A screen pixel; the X byte is noise, which no client may see. */
static void
put(uint8_t *screen, size_t stride, uint32_t x, uint32_t y, uint32_t rgb)
{
	uint8_t *p = screen + (size_t)y * stride + (size_t)x * 4;

	p[0] = (uint8_t)rgb;
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)(rgb >> 16);
	p[3] = (uint8_t)rng();
}

/* Colours a subencoding cares about: packed palettes of 1, 2 and 4 bits,
 * palette RLE up to its 127 and past it. */
static const unsigned int few_counts[] = { 2, 4, 12, 16, 60, 127, 128, 200 };

static void
fill(uint8_t *screen, size_t stride, const struct rect *r, enum content c,
    unsigned int variant)
{
	uint32_t x, y, i, run = 0, colour = 0, palette[256];
	unsigned int k;

	switch (c) {
	case NOISE:
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++)
				put(screen, stride, r->x + x, r->y + y,
				    rng() & 0xffffff);
		break;
	case FLAT:
		colour = rng() & 0xffffff;
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++)
				put(screen, stride, r->x + x, r->y + y, colour);
		break;
	case TEXT:
		/* Dark strokes and a grey edge on a light background, in
		 * 8x16 cells, as a terminal's glyphs. */
		palette[0] = 0xf0f0e8;
		palette[1] = 0x101020;
		palette[2] = 0x808488;
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++) {
				uint32_t cx = x % 8, cy = y % 16;
				uint32_t cell = (x / 8) * 7919 + (y / 16) * 104729;
				uint32_t h = (cell * 2654435761u) >> 16;

				i = 0;
				if (cy >= 3 && cy < 13 && cx < 6 && (h & 3) != 0 &&
				    ((h >> (cy % 8)) & 1 || cx == (h >> 4) % 6))
					i = (cx == 5 || cy == 12) ? 2 : 1;
				put(screen, stride, r->x + x, r->y + y,
				    palette[i]);
			}
		break;
	case GRADIENT:
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++)
				put(screen, stride, r->x + x, r->y + y,
				    (x * 255 / r->w) << 16 |
				    (y * 255 / r->h) << 8 |
				    ((x + y) * 127 / (r->w + r->h)));
		break;
	case DITHER:
		/* Few colours, every pixel its own pick: packed palettes. */
		k = 2 + variant % 15;
		for (i = 0; i < k; i++)
			palette[i] = rng() & 0xffffff;
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++)
				put(screen, stride, r->x + x, r->y + y,
				    palette[rng() % k]);
		break;
	default:
		k = few_counts[variant % (sizeof(few_counts) /
		    sizeof(few_counts[0]))];
		for (i = 0; i < k; i++)
			palette[i] = rng() & 0xffffff;
		for (y = 0; y < r->h; y++)
			for (x = 0; x < r->w; x++) {
				if (run == 0) {
					colour = palette[rng() % k];
					run = 1 + rng() % (rng() % 4 == 0 ?
					    300 : 6);
				}
				run--;
				put(screen, stride, r->x + x, r->y + y, colour);
			}
		break;
	}
}

/*
 * rfbproto.rst's rules for Hextile that a decoder may not check: the first
 * non-raw tile, and any after a raw one, specifies its background; a
 * foreground is specified unless it carries (not after a raw tile or one
 * with coloured subrectangles); Foreground and SubrectsColoured never
 * together; subrectangles inside their tile.  Returns NULL or what broke.
 */
static const char *
hextile_rules(const uint8_t *p, size_t len, uint32_t w, uint32_t h, size_t bpp)
{
	const uint8_t *end = p + len;
	uint32_t tx, ty, tw, th, i, n;
	int bg_ok = 0, fg_ok = 0;
	uint8_t m;

	for (ty = 0; ty < h; ty += 16)
		for (tx = 0; tx < w; tx += 16) {
			tw = w - tx < 16 ? w - tx : 16;
			th = h - ty < 16 ? h - ty : 16;
			if (p >= end)
				return "short";
			m = *p++;
			if (m & 1) {
				p += (size_t)tw * th * bpp;
				bg_ok = fg_ok = 0;
				continue;
			}
			if (m & 0xe0)
				return "unknown subencoding bits";
			if ((m & 4) && (m & 16))
				return "foreground with coloured subrects";
			if (m & 2) {
				p += bpp;
				bg_ok = 1;
			} else if (!bg_ok)
				return "background not specified where due";
			if (m & 4) {
				p += bpp;
				fg_ok = 1;
			}
			if (!(m & 8))
				continue;
			if (!(m & 16) && !fg_ok)
				return "foreground carried where it may not";
			if (p >= end)
				return "short";
			n = *p++;
			for (i = 0; i < n; i++) {
				if (m & 16)
					p += bpp;
				if (p + 2 > end)
					return "short";
				if ((uint32_t)(p[0] >> 4) + (p[1] >> 4) + 1 > tw ||
				    (uint32_t)(p[0] & 15) + (p[1] & 15) + 1 > th)
					return "subrect outside its tile";
				p += 2;
			}
			if (m & 16)
				fg_ok = 0;
		}
	return p == end ? NULL : "bytes after the last tile";
}

/*
 * Which subencodings the tests made the encoders use, so that a path no
 * content reaches shows: Hextile's raw, solid, solid carried, one colour
 * and coloured tiles; ZRLE's raw, solid, packed (1, 2, 4 bits), plain
 * RLE and palette RLE tiles.
 */
enum { HT_RAW, HT_SOLID, HT_CARRIED, HT_MONO, HT_COLOURED, HT_KINDS };
static const char *const ht_names[] = {
	"raw", "solid", "solid, background carried", "one colour",
	"coloured"
};
static unsigned int ht_seen[HT_KINDS];

enum { ZT_RAW, ZT_SOLID, ZT_PACKED1, ZT_PACKED2, ZT_PACKED4, ZT_PLAIN,
	ZT_PALETTE, ZT_KINDS };
static const char *const zt_names[] = {
	"raw", "solid", "packed 1 bit", "packed 2 bits", "packed 4 bits",
	"plain RLE", "palette RLE"
};
static unsigned int zt_seen[ZT_KINDS];

static void
hextile_tally(const uint8_t *p, const uint8_t *end, uint32_t w, uint32_t h,
    size_t bpp)
{
	uint32_t tx, ty, tw, th;
	uint8_t m;

	for (ty = 0; ty < h; ty += 16)
		for (tx = 0; tx < w && p < end; tx += 16) {
			tw = w - tx < 16 ? w - tx : 16;
			th = h - ty < 16 ? h - ty : 16;
			m = *p++;
			if (m & 1) {
				ht_seen[HT_RAW]++;
				p += (size_t)tw * th * bpp;
				continue;
			}
			p += ((m & 2) ? bpp : 0) + ((m & 4) ? bpp : 0);
			if (!(m & 8)) {
				ht_seen[(m & 2) ? HT_SOLID : HT_CARRIED]++;
				continue;
			}
			ht_seen[(m & 16) ? HT_COLOURED : HT_MONO]++;
			p += 1 + (size_t)*p * ((m & 16) ? bpp + 2 : 2);
		}
}

/* The tiles of a ZRLE rectangle (header, length, raw deflate data), by
 * subencoding. */
static void
zrle_tally(const uint8_t *rect, size_t len, size_t cpp)
{
	uint32_t w = wire_get16(rect + 4), h = wire_get16(rect + 6);
	uint32_t tx, ty, tw, th;
	size_t cap = (size_t)w * h * 4 + 4096, left, run;
	uint8_t *buf = malloc(cap), *p, *end, t;
	z_stream z = { 0 };

	if (buf == NULL || inflateInit2(&z, -15) != Z_OK)
		bail("inflate");
	z.next_in = (Bytef *)(uintptr_t)(rect + 16);
	z.avail_in = (uInt)(len - 16);
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	inflate(&z, Z_SYNC_FLUSH);
	end = z.next_out;
	inflateEnd(&z);
	p = buf;
	for (ty = 0; ty < h; ty += 64)
		for (tx = 0; tx < w && p < end; tx += 64) {
			tw = w - tx < 64 ? w - tx : 64;
			th = h - ty < 64 ? h - ty : 64;
			t = *p++;
			if (t == 0) {
				zt_seen[ZT_RAW]++;
				p += (size_t)tw * th * cpp;
			} else if (t == 1) {
				zt_seen[ZT_SOLID]++;
				p += cpp;
			} else if (t <= 16) {
				size_t bits = t == 2 ? 1 : t <= 4 ? 2 : 4;

				zt_seen[bits == 1 ? ZT_PACKED1 : bits == 2 ?
				    ZT_PACKED2 : ZT_PACKED4]++;
				p += t * cpp + th * ((tw * bits + 7) / 8);
			} else {
				zt_seen[t == 128 ? ZT_PLAIN : ZT_PALETTE]++;
				if (t > 128)
					p += (size_t)(t - 128) * cpp;
				for (left = (size_t)tw * th; left > 0 &&
				    p < end; left -= run > left ? left : run) {
					if (t == 128)
						p += cpp;
					run = 1;
					if (t == 128 || (*p++ & 0x80)) {
						while (p < end && *p == 255) {
							run += 255;
							p++;
						}
						run += *p++;
					}
				}
			}
		}
	free(buf);
}

/*
 * Take what the encoder appended to out (count rectangles) into an update,
 * with the zlib header in front of the first zlib data of the connection,
 * as the sender does.
 */
static uint8_t *
take_update(struct evbuffer *out, const struct encoder *enc, int *first,
    size_t *len)
{
	size_t n = evbuffer_get_length(out), hdr = 0;
	uint8_t *buf;

	if ((enc->flags & ENCODER_ZLIB_STREAM) && *first)
		hdr = 2;
	if (n < ENCODER_RECT_HEADER_SIZE + 2 * hdr)
		bail("%s wrote %zu bytes", enc->name, n);
	if ((buf = malloc(n + hdr)) == NULL)
		bail("out of memory");
	evbuffer_remove(out, buf, n);
	if (hdr != 0) {
		memmove(buf + 18, buf + 16, n - 16);
		memcpy(buf + 16, ENCODER_ZLIB_HEADER, 2);
		wire_put32(buf + 12, wire_get32(buf + 12) + 2);
		*first = 0;
	}
	*len = n + hdr;
	return buf;
}

/* The pixel bytes libvncclient is wanted to have at (x, y) of a client
 * framebuffer w pixels wide: compared under mask (32 bits) or exactly. */
static int
same_pixels(const uint8_t *got, const uint8_t *want, size_t n, size_t bpp,
    uint32_t mask, size_t *at)
{
	uint32_t a, b;
	size_t i;

	if (bpp != 4 || mask == 0xffffffffu) {
		for (i = 0; i < n * bpp; i++)
			if (got[i] != want[i]) {
				*at = i / bpp;
				return 0;
			}
		return 1;
	}
	for (i = 0; i < n; i++) {
		memcpy(&a, got + 4 * i, 4);
		memcpy(&b, want + 4 * i, 4);
		if ((a & mask) != (b & mask)) {
			*at = i;
			return 0;
		}
	}
	return 1;
}

static int hextile_broken;

/*
 * One connection: an update per content (two of them in one update, as
 * a sender with two damaged rectangles), each at its own place on a screen
 * wide enough for all, and the decoded screen compared with the source
 * converted, inside the rectangles, and untouched (zero) outside.
 */
static void
run_case(const struct encoder *enc, const struct named_fmt *nf, uint32_t rw,
    uint32_t rh, unsigned int variant, struct encode_scratch *scratch)
{
	struct rect rects[NCONTENTS];
	struct rfbdecode_update ups[NCONTENTS];
	struct rfbdecode_params p = { .pf = &nf->pf, .quality = -1,
	    .compress = -1 };
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct pixconv pc;
	struct pixfmt dpf;
	struct encode_src src;
	struct evbuffer *out;
	uint8_t *screen, *want, *got;
	size_t bpp = nf->pf.bpp / 8, stride, nups = 0, at = 0, i, before;
	uint32_t sw, sh, y, mask = 0xffffffffu;
	const char *why = NULL;
	int first = 1, n, ok_all = 1;
	unsigned int c;

	pixconv_init(&pc, &nf->pf);
	if (enc == &encoder_zrle) {
		switch (rfbdecode_zrle_format(&nf->pf, &dpf)) {
		case 1:
			p.decode_pf = &dpf;
			break;
		case -1:
			skip("zrle %s: libvncclient cannot read it", nf->name);
			return;
		}
		mask = rfbdecode_zrle_mask(&nf->pf);
	}
	/* Side by side, one pixel apart, every other one a row down: the
	 * first at the origin, the others not. */
	sw = NCONTENTS * (rw + 1);
	sh = rh + 2;
	stride = (size_t)sw * 4 + 12;
	if ((screen = malloc(stride * sh)) == NULL ||
	    (want = calloc((size_t)sw * sh, bpp)) == NULL ||
	    (got = malloc((size_t)sw * sh * bpp)) == NULL ||
	    (out = evbuffer_new()) == NULL)
		bail("out of memory");
	for (i = 0; i < stride * sh; i++)
		screen[i] = (uint8_t)rng();
	src = (struct encode_src){ screen, stride, sw, sh };
	for (c = 0; c < NCONTENTS; c++) {
		rects[c] = (struct rect){ c * (rw + 1), c % 2, rw, rh };
		fill(screen, stride, &rects[c], c, variant);
	}
	for (c = 0; c < NCONTENTS; c++) {
		const struct rect *r = &rects[c];

		before = evbuffer_get_length(out);
		n = enc->encode(&src, r, &pc, &set,
		    &scratch->slot[encoder_slot(enc)], out);
		if (n != 1) {
			ok(0, "%s %s %ux%u %s: encode returned %d", enc->name,
			    nf->name, rw, rh, content_names[c], n);
			ok_all = 0;
			goto out;
		}
		if (enc == &encoder_zrle) {
			const uint8_t *b = evbuffer_pullup(out, -1);
			uint32_t mx = rfbdecode_zrle_mask(&nf->pf);

			/* A masked byte: 3-byte CPIXELs. */
			zrle_tally(b + before, evbuffer_get_length(out) - before,
			    bpp == 4 && mx != 0xffffffffu ? 3 : bpp);
		}
		if (enc == &encoder_hextile) {
			const uint8_t *b = evbuffer_pullup(out, -1);

			hextile_tally(b + before + 12, b + evbuffer_get_length(out),
			    rw, rh, bpp);
			const char *e = hextile_rules(b + before + 12,
			    evbuffer_get_length(out) - before - 12, rw, rh,
			    bpp);

			if (e != NULL && hextile_broken++ < 5)
				ok(0, "hextile %s %ux%u %s: %s", nf->name, rw,
				    rh, content_names[c], e);
		}
		for (y = 0; y < r->h; y++)
			pixconv_rect(&pc, want + ((size_t)(r->y + y) * sw +
			    r->x) * bpp, screen + (size_t)(r->y + y) * stride +
			    (size_t)r->x * 4, stride, r->w, 1);
		/* Contents 2 and 3 travel in one update. */
		if (c == TEXT)
			continue;
		ups[nups].data = take_update(out, enc, &first, &ups[nups].len);
		ups[nups].nrects = c == GRADIENT ? 2 : 1;
		nups++;
	}
	p.width = sw;
	p.height = sh;
	p.encodings = enc->name;
	if (rfbdecode(&p, ups, nups, got, &why) == -1) {
		ok(0, "%s %s %ux%u: decode failed: %s", enc->name, nf->name,
		    rw, rh, why);
		ok_all = 0;
		goto out;
	}
	if (!same_pixels(got, want, (size_t)sw * sh, bpp, mask, &at)) {
		ok(0, "%s %s %ux%u: pixel %zu,%zu differs", enc->name,
		    nf->name, rw, rh, at % sw, at / sw);
		ok_all = 0;
	}
out:
	if (ok_all)
		ok(1, "%s %s %ux%u: %zu updates decode exactly", enc->name,
		    nf->name, rw, rh, nups);
	for (i = 0; i < nups; i++)
		free((void *)ups[i].data);
	evbuffer_free(out);
	free(screen);
	free(want);
	free(got);
}

/* A rectangle outside the screen, or empty, appends nothing. */
static void
refusals(const struct encoder *enc, struct encode_scratch *scratch)
{
	static const struct rect bad[] = {
		{ 0, 0, 0, 0 }, { 0, 0, 5, 0 }, { 0, 0, 0, 4 },
		{ 1, 0, 8, 4 }, { 0, 1, 8, 4 }, { 8, 0, 1, 1 }, { 0, 4, 1, 1 },
		{ UINT32_MAX, 0, 2, 1 }, { 0, UINT32_MAX, 1, 2 },
		{ 2, 2, UINT32_MAX, 1 }, { 2, 2, 1, UINT32_MAX },
	};
	uint8_t screen[8 * 4 * 4];
	struct encode_src src = { screen, 8 * 4, 8, 4 };
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct pixconv pc;
	struct evbuffer *out;
	size_t i, refused = 0;

	memset(screen, 0x42, sizeof(screen));
	pixconv_init(&pc, &pixfmt_native);
	if ((out = evbuffer_new()) == NULL)
		bail("out of memory");
	evbuffer_add(out, "before", 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (enc->encode(&src, &bad[i], &pc, &set,
		    &scratch->slot[encoder_slot(enc)], out) == -1 &&
		    evbuffer_get_length(out) == 6 &&
		    memcmp(evbuffer_pullup(out, -1), "before", 6) == 0)
			refused++;
	ok(refused == sizeof(bad) / sizeof(bad[0]), "%s: %zu of %zu bad "
	    "rectangles refused, output as it was", enc->name, refused,
	    sizeof(bad) / sizeof(bad[0]));
	evbuffer_free(out);
}

/*
 * libvncclient inflates Zlib and ZRLE through one stream: a client that
 * gets both sees one zlib header, on the first of either.  Shown with a
 * Zlib rectangle, then a ZRLE one in the same stream.
 */
static void
shared_stream(struct encode_scratch *scratch)
{
	struct rfbdecode_update ups[2];
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct rect r0 = { 0, 0, 40, 20 }, r1 = { 40, 0, 40, 20 };
	struct rfbdecode_params p = { .pf = &pixfmt_native, .width = 80,
	    .height = 20, .encodings = "zrle zlib", .quality = -1,
	    .compress = -1 };
	uint8_t screen[80 * 20 * 4], want[80 * 20 * 4], got[80 * 20 * 4];
	struct encode_src src = { screen, 80 * 4, 80, 20 };
	struct pixconv pc;
	struct evbuffer *out = evbuffer_new();
	const char *why = "";
	size_t at;
	int first = 1, rc;

	pixconv_init(&pc, &pixfmt_native);
	fill(screen, 80 * 4, &r0, TEXT, 0);
	fill(screen, 80 * 4, &r1, FEW, 1);
	pixconv_rect(&pc, want, screen, 80 * 4, 80, 20);
	encoder_zlib.encode(&src, &r0, &pc, &set,
	    &scratch->slot[encoder_slot(&encoder_zlib)], out);
	ups[0].data = take_update(out, &encoder_zlib, &first, &ups[0].len);
	ups[0].nrects = 1;
	encoder_zrle.encode(&src, &r1, &pc, &set,
	    &scratch->slot[encoder_slot(&encoder_zrle)], out);
	ups[1].data = take_update(out, &encoder_zrle, &first, &ups[1].len);
	ups[1].nrects = 1;
	rc = rfbdecode(&p, ups, 2, got, &why);
	ok(rc == 0 && same_pixels(got, want, 80 * 20, 4,
	    rfbdecode_zrle_mask(&pc.pf), &at), "zlib then zrle with one zlib "
	    "header: libvncclient's one stream decodes both (%s)",
	    why != NULL ? why : "ok");
	free((void *)ups[0].data);
	free((void *)ups[1].data);
	evbuffer_free(out);
}

/* Every level a client may ask for gives the same pixels. */
static void
levels(struct encode_scratch *scratch)
{
	const struct encoder *zenc[] = { &encoder_zlib, &encoder_zrle };
	struct rfbdecode_params p = { .pf = &pixfmt_native, .width = 70,
	    .height = 40, .quality = -1, .compress = -1 };
	struct rfbdecode_update ups[10];
	struct rect r = { 0, 0, 70, 40 };
	uint8_t screen[70 * 40 * 4], want[70 * 40 * 4], got[70 * 40 * 4];
	struct encode_src src = { screen, 70 * 4, 70, 40 };
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct pixconv pc;
	struct evbuffer *out = evbuffer_new();
	const char *why = "";
	size_t e, i, at;
	int first, rc;

	pixconv_init(&pc, &pixfmt_native);
	for (e = 0; e < 2; e++) {
		first = 1;
		for (i = 0; i < 10; i++) {
			fill(screen, 70 * 4, &r, (enum content)(i % NCONTENTS),
			    (unsigned int)i);
			set.compress = (int32_t)i;
			zenc[e]->encode(&src, &r, &pc, &set,
			    &scratch->slot[encoder_slot(zenc[e])], out);
			ups[i].data = take_update(out, zenc[e], &first,
			    &ups[i].len);
			ups[i].nrects = 1;
		}
		pixconv_rect(&pc, want, screen, 70 * 4, 70, 40);
		p.encodings = zenc[e]->name;
		rc = rfbdecode(&p, ups, 10, got, &why);
		ok(rc == 0 && same_pixels(got, want, 70 * 40, 4,
		    rfbdecode_zrle_mask(&pc.pf), &at),
		    "%s: levels 0 to 9 in one stream decode (%s)",
		    zenc[e]->name, why != NULL ? why : "ok");
		for (i = 0; i < 10; i++)
			free((void *)ups[i].data);
	}
	evbuffer_free(out);
}

/*
 * Rectangles whose deflate data is more than one of zstream's 64 KiB
 * pieces (noise, stored at level 0, at the default and at level 9), in
 * one stream.
 */
static void
big(struct encode_scratch *scratch)
{
	const struct encoder *zenc[] = { &encoder_zlib, &encoder_zrle };
	const int32_t lv[3] = { 0, -1, 9 };
	struct rfbdecode_params p = { .pf = &pixfmt_native, .width = 300,
	    .height = 300, .quality = -1, .compress = -1 };
	struct rfbdecode_update ups[3];
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	uint8_t *screen, *want, *got;
	struct encode_src src;
	struct pixconv pc;
	struct evbuffer *out = evbuffer_new();
	const char *why = "";
	size_t e, i, at, biggest;
	int first, rc;

	if ((screen = malloc(300 * 300 * 4)) == NULL ||
	    (want = malloc(300 * 300 * 4)) == NULL ||
	    (got = malloc(300 * 300 * 4)) == NULL || out == NULL)
		bail("out of memory");
	src = (struct encode_src){ screen, 300 * 4, 300, 300 };
	pixconv_init(&pc, &pixfmt_native);
	for (e = 0; e < 2; e++) {
		first = 1;
		biggest = 0;
		for (i = 0; i < 3; i++) {
			struct rect r = { 0, (uint32_t)i * 100, 300, 100 };

			fill(screen, 300 * 4, &r, NOISE, 0);
			set.compress = lv[i];
			zenc[e]->encode(&src, &r, &pc, &set,
			    &scratch->slot[encoder_slot(zenc[e])], out);
			if (evbuffer_get_length(out) > biggest)
				biggest = evbuffer_get_length(out);
			ups[i].data = take_update(out, zenc[e], &first,
			    &ups[i].len);
			ups[i].nrects = 1;
		}
		pixconv_rect(&pc, want, screen, 300 * 4, 300, 300);
		p.encodings = zenc[e]->name;
		rc = rfbdecode(&p, ups, 3, got, &why);
		ok(rc == 0 && biggest > 65536 &&
		    same_pixels(got, want, 300 * 300, 4,
		    rfbdecode_zrle_mask(&pc.pf), &at),
		    "%s: rectangles of up to %zu bytes of deflate data decode "
		    "(%s)", zenc[e]->name, biggest, why != NULL ? why : "ok");
		for (i = 0; i < 3; i++)
			free((void *)ups[i].data);
	}
	evbuffer_free(out);
	free(screen);
	free(want);
	free(got);
}

int
main(void)
{
	struct encode_scratch scratch = { { NULL } };
	size_t e, f, s;

	for (e = 0; e < NENCODERS; e++)
		refusals(encoders[e], &scratch);
	for (e = 0; e < NENCODERS; e++)
		for (f = 0; f < NFORMATS; f++)
			for (s = 0; s < NSIZES; s++)
				run_case(encoders[e], &formats[f], sizes[s].w,
				    sizes[s].h, (unsigned int)(f + s + e),
				    &scratch);
	ok(hextile_broken == 0, "hextile keeps rfbproto.rst's carry rules "
	    "(%d tiles broke them)", hextile_broken);
	for (e = 0; e < HT_KINDS; e++)
		ok(ht_seen[e] > 0, "hextile wrote %u %s tiles", ht_seen[e],
		    ht_names[e]);
	for (e = 0; e < ZT_KINDS; e++)
		ok(zt_seen[e] > 0, "zrle wrote %u %s tiles", zt_seen[e],
		    zt_names[e]);
	shared_stream(&scratch);
	levels(&scratch);
	big(&scratch);
	encode_scratch_free(&scratch);
	return done_testing();
}
