/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the lossless tile encoders (Hextile, Zlib, ZRLE) share: the check
 * of a rectangle, the screen's pixels as 24-bit keys for analysis, one
 * pixel converted to the client's format, and the compression level.
 *
 * Tiles are analysed on the screen's own pixels (XRGB8888, the X byte
 * masked off): equal keys are equal client pixels, so a tile's colours
 * are counted before anything is converted, and only what is sent is
 * converted.  (Two keys may still give one client pixel in a format of
 * fewer bits; that costs a few bytes, never a wrong pixel.)
 */
#ifndef RAMPART_LOSSLESS_H
#define RAMPART_LOSSLESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/wire.h"

/* Whether r is a non-empty rectangle inside src whose header fields fit
 * in 16 bits. */
static inline int
lossless_rect_ok(const struct encode_src *src, const struct rect *r)
{
	return r->w != 0 && r->h != 0 && r->x <= src->width &&
	    r->w <= src->width - r->x && r->y <= src->height &&
	    r->h <= src->height - r->y && r->x <= UINT16_MAX &&
	    r->y <= UINT16_MAX && r->w <= UINT16_MAX && r->h <= UINT16_MAX;
}

static inline const uint8_t *
lossless_src_at(const struct encode_src *src, uint32_t x, uint32_t y)
{
	return src->pixels + (size_t)y * src->stride + (size_t)x * 4;
}

/*
 * The screen pixel at p as 0x00RRGGBB, whatever the host's byte order:
 * bytes B, G, R, X in memory.  The X byte is not part of the colour.
 */
static inline uint32_t
lossless_key(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v & 0x00ffffffu;
}

/*
 * Four pixels at a time, as GCC and clang's vector extensions make them
 * (SSE2 on x86-64, NEON on arm64): the loops of a tile that touch every
 * pixel.  Loads and stores go through memcpy: no alignment is assumed.
 */
typedef uint32_t lossless_v4 __attribute__((vector_size(16)));
typedef int32_t lossless_m4 __attribute__((vector_size(16)));

static inline int
lossless_any(lossless_m4 m)
{
	uint64_t x[2];

	memcpy(x, &m, sizeof(x));
	return (x[0] | x[1]) != 0;
}

/* n screen pixels at p as keys at t. */
static inline void
lossless_load_row(uint32_t *t, const uint8_t *p, unsigned int n)
{
	unsigned int i = 0;
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const lossless_v4 mask = { 0xffffff, 0xffffff, 0xffffff, 0xffffff };
	lossless_v4 v;

	for (; i + 4 <= n; i += 4) {
		memcpy(&v, p + 4 * i, sizeof(v));
		v &= mask;
		memcpy(t + i, &v, sizeof(v));
	}
#endif
	for (; i < n; i++)
		t[i] = lossless_key(p + 4 * i);
}

/* Whether the n keys at t are all t[0]: a row at a time, so that a tile
 * of many colours is told early. */
static inline int
lossless_solid(const uint32_t *t, unsigned int n)
{
	const lossless_v4 c = { t[0], t[0], t[0], t[0] };
	lossless_v4 v, acc;
	unsigned int i = 0, end;
	uint32_t rest = 0;

	while (i + 4 <= n) {
		acc = (lossless_v4){ 0, 0, 0, 0 };
		end = i + 64 < n ? i + 64 : n;
		for (; i + 4 <= end; i += 4) {
			memcpy(&v, t + i, sizeof(v));
			acc |= v ^ c;
		}
		if (lossless_any((lossless_m4)acc))
			return 0;
	}
	for (; i < n; i++)
		rest |= t[i] ^ t[0];
	return rest == 0;
}

/* The end of the run of equal keys that starts at t[i]: the first j > i
 * where t[j] differs, or n. */
static inline unsigned int
lossless_run_end(const uint32_t *t, unsigned int i, unsigned int n)
{
	const uint32_t key = t[i];
	const lossless_v4 c = { key, key, key, key };
	unsigned int j = i + 1;
	lossless_v4 v;

	if (j == n || t[j] != key)
		return j;	/* the short runs of busy tiles: no vectors */
	for (j++; j + 4 <= n; j += 4) {
		memcpy(&v, t + j, sizeof(v));
		if (lossless_any(v != c))
			break;
	}
	while (j < n && t[j] == key)
		j++;
	return j;
}

/* A key in the client's format: an integer whose bytes in memory, the
 * first bpp / 8 of them when stored as a bpp-bit integer, are the
 * client's pixel (pixfmt.h). */
static inline uint32_t
lossless_conv(const struct pixconv *pc, uint32_t key)
{
	return pc->r[(key >> 16) & 0xff] | pc->g[(key >> 8) & 0xff] |
	    pc->b[key & 0xff];
}

/* Store a converted pixel of bpp / 8 = n bytes at p; returns p + n. */
static inline uint8_t *
lossless_put(uint8_t *p, uint32_t c, size_t n)
{
	uint16_t s;

	switch (n) {
	case 4:
		memcpy(p, &c, 4);
		break;
	case 2:
		s = (uint16_t)c;
		memcpy(p, &s, 2);
		break;
	default:
		*p = (uint8_t)c;
		break;
	}
	return p + n;
}

/*
 * The zlib level: the client's CompressLevel when it sent one (0..9),
 * else the encoder's default.  Any other value (a settings struct from
 * nowhere) is taken as not sent.
 */
static inline int
lossless_level(const struct encode_settings *set, int dflt)
{
	return set->compress >= 0 && set->compress <= 9 ? set->compress :
	    dflt;
}

/*
 * A rectangle of a zlib stream encoding (ENCODER_ZLIB_STREAM) whose
 * deflate data is all of tmp: its header and length go in front, and the
 * whole moves to out, in one piece.  On failure tmp is emptied and out
 * left as it was.  The length leaves room for the sender's 2-byte zlib
 * header.
 */
static inline int
lossless_zlib_rect(struct evbuffer *out, struct evbuffer *tmp,
    const struct rect *r, int32_t encoding)
{
	uint8_t h[ENCODER_RECT_HEADER_SIZE + 4];
	size_t len = evbuffer_get_length(tmp);

	if (len > UINT32_MAX - 2 ||
	    encoder_rect_header_bytes(h, r, encoding) == -1)
		goto fail;
	wire_put32(h + ENCODER_RECT_HEADER_SIZE, (uint32_t)len);
	if (evbuffer_prepend(tmp, h, sizeof(h)) != 0 ||
	    evbuffer_add_buffer(out, tmp) != 0)
		goto fail;
	return 0;
fail:
	evbuffer_drain(tmp, evbuffer_get_length(tmp));
	return -1;
}

#endif
