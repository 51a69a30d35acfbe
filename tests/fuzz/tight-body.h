/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The body of a Tight (7) or JPEG (21) rectangle as rampart's encoders
 * must write it, for the encoders' fuzz target (fuzz-encoders.c, whose
 * body_len() takes these two cases once tight and jpeg are in its table):
 * its length, or 0 when it is malformed.  Beyond rfbproto.rst it holds
 * the encoders to what makes their bytes shareable and what decoders
 * take: every zlib block resets its stream and is a whole zlib stream of
 * exactly the rectangle's data, pieces no wider than 2048 and no larger
 * than 65536 pixels but for fills, no JPEG or gradient where the format
 * forbids them, palette indexes inside the palette, a JPEG of the
 * rectangle's size.  A breach of those aborts, as the target does.
 */
#ifndef RAMPART_TIGHT_BODY_H
#define RAMPART_TIGHT_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>
#include <zlib.h>

#include "broker/damage.h"
#include "broker/pixfmt.h"

/* A compact length (1 to 3 bytes) at *p; 0 when it runs past end. */
static int
tight_body_compact(const uint8_t **p, const uint8_t *end, size_t *v)
{
	uint8_t b;

	*v = 0;
	for (int i = 0; i < 3; i++) {
		if (*p >= end)
			return 0;
		b = *(*p)++;
		*v |= (size_t)(i == 2 ? b : b & 0x7f) << (7 * i);
		if (i == 2 || !(b & 0x80))
			break;
	}
	return 1;
}

/* Whether len bytes at p are a JPEG of w x h. */
static int
tight_body_jpeg_ok(const uint8_t *p, size_t len, uint32_t w, uint32_t h)
{
	static tjhandle tj;
	int jw, jh, ss, cs;

	if (tj == NULL && (tj = tjInitDecompress()) == NULL)
		abort();
	return tjDecompressHeader3(tj, p, (unsigned long)len, &jw, &jh, &ss,
	    &cs) == 0 && (uint32_t)jw == w && (uint32_t)jh == h;
}

/* Whether the zlib stream of len bytes at p inflates to exactly want. */
static int
tight_body_zlib_ok(const uint8_t *p, size_t len, size_t want, int n_colours)
{
	static uint8_t *buf;
	static size_t cap;
	z_stream z = { 0 };
	int rc;

	if (want + 1 > cap) {
		free(buf);
		cap = want + 1;
		if ((buf = malloc(cap)) == NULL)
			abort();
	}
	if (inflateInit(&z) != Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_SYNC_FLUSH);
	inflateEnd(&z);
	/* Z_OK only: gtk-vnc takes the end of a stream for an error. */
	if (rc != Z_OK || z.avail_in != 0 || cap - z.avail_out != want)
		return 0;
	if (n_colours > 2)
		for (size_t i = 0; i < want; i++)
			if (buf[i] >= n_colours)
				return 0;
	return 1;
}

static size_t
tight_body_len(const uint8_t *p, const uint8_t *end, const struct rect *r,
    const struct pixfmt *pf)
{
	const uint8_t *start = p;
	int tpixel = pf->true_colour && pf->bpp == 32 && pf->depth == 24 &&
	    pf->red_max == 255 && pf->green_max == 255 && pf->blue_max == 255;
	size_t tsize = tpixel ? 3 : pf->bpp / 8, row, size, len;
	uint8_t ctl, filter = 0;
	int n = 0;

	if (p >= end)
		return 0;
	ctl = *p++;
	if (ctl >> 4 == 8)		/* fill: any size */
		return (size_t)(end - p) >= tsize ? 1 + tsize : 0;
	if (r->w > 2048 || (uint64_t)r->w * r->h > 65536)
		abort();
	if (ctl >> 4 == 9) {		/* JPEG */
		if ((ctl & 15) != 0 || !pf->true_colour || pf->bpp < 16)
			abort();
		if (!tight_body_compact(&p, end, &len) ||
		    len > (size_t)(end - p) ||
		    !tight_body_jpeg_ok(p, len, r->w, r->h))
			return 0;
		return (size_t)(p + len - start);
	}
	if (ctl >> 4 > 7)
		return 0;
	if (ctl & 0x40) {
		if (p >= end || (filter = *p++) > 2)
			return 0;
		if (filter == 2 && (pf->bpp == 8 || !pf->true_colour))
			abort();
	}
	if (filter == 1) {
		if (p >= end)
			return 0;
		n = *p++ + 1;
		if (n < 2 || (size_t)(end - p) < (size_t)n * tsize)
			return 0;
		p += (size_t)n * tsize;
		row = n == 2 ? (r->w + 7) / 8 : r->w;
	} else
		row = r->w * tsize;
	size = row * r->h;
	if (size < 12) {		/* as it is, no stream touched */
		if ((ctl & 15) != 0)
			abort();
		return (size_t)(end - p) >= size ? (size_t)(p + size - start) :
		    0;
	}
	if ((ctl & 15) != 1 << (ctl >> 4 & 3))
		abort();		/* its stream, and only it, reset */
	if (!tight_body_compact(&p, end, &len) || len > (size_t)(end - p) ||
	    !tight_body_zlib_ok(p, len, size, n))
		return 0;
	return (size_t)(p + len - start);
}

/* A JPEG image, segment by segment to End Of Image as noVNC reads it. */
static size_t
jpeg_body_len(const uint8_t *p, const uint8_t *end, const struct rect *r)
{
	const uint8_t *start = p;
	size_t len;
	int sos;

	if (end - p < 4 || p[0] != 0xff || p[1] != 0xd8)
		return 0;
	for (p += 2;;) {
		if (end - p < 2 || p[0] != 0xff)
			return 0;
		if (p[1] == 0xd9)
			break;
		if (end - p < 4)
			return 0;
		len = (size_t)(p[2] << 8 | p[3]);
		if (len < 2 || (size_t)(end - p) < 2 + len)
			return 0;
		sos = p[1] == 0xda;
		p += 2 + len;
		if (sos)
			while (end - p >= 2 && !(p[0] == 0xff && p[1] != 0 &&
			    (p[1] < 0xd0 || p[1] > 0xd7)))
				p++;
	}
	p += 2;
	if (r->w > 2048 || (uint64_t)r->w * r->h > 65536 ||
	    !tight_body_jpeg_ok(start, (size_t)(p - start), r->w, r->h))
		return 0;
	return (size_t)(p - start);
}

#endif
