/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Zlib (RFB encoding 6): the Raw encoding's pixels, deflated.  Each
 * rectangle is compressed on its own and ends in a full flush (zstream.h),
 * so that one compression serves every client of the same format.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/encoders/lossless.h"
#include "broker/encoders/zstream.h"

#define RFB_ENCODING_ZLIB	6

/*
 * Without a CompressLevel from the client: level 1, the fastest that
 * compresses.  Raw pixels are a lot of bytes for deflate, its time is
 * nearly all of this encoder's: on the recorded workloads levels 2 and 3
 * save 3 to 7% of the bytes for 5 to 20% more time, and from level 4 on
 * (lazy matching) the time doubles (bench/encoder-bench).
 */
#define ZLIB_DEFAULT_LEVEL	1

struct zlib_scratch {
	struct zstream	zs;
	uint8_t		*buf;		/* the pixels in the client's format */
	size_t		cap;
};

static int
zlib_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct zlib_scratch *s;
	const uint8_t *data;
	size_t len, zlen;

	if (!lossless_rect_ok(src, r))
		return -1;
	if ((s = *scratch) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->zs = (struct zstream)ZSTREAM_INIT;
		*scratch = s;
	}
	len = (size_t)r->w * r->h * pixconv_bytes_per_pixel(pc);
	if (len > s->cap) {
		uint8_t *p = realloc(s->buf, len);

		if (p == NULL)
			return -1;
		s->buf = p;
		s->cap = len;
	}
	pixconv_rect(pc, s->buf, lossless_src_at(src, r->x, r->y),
	    src->stride, r->w, r->h);
	if ((data = zstream_compress(&s->zs,
	    lossless_level(set, ZLIB_DEFAULT_LEVEL), s->buf, len,
	    &zlen)) == NULL)
		return -1;
	return lossless_add_zlib_rect(out, r, RFB_ENCODING_ZLIB, data,
	    zlen) == 0 ? 1 : -1;
}

static void
zlib_scratch_free(void *scratch)
{
	struct zlib_scratch *s = scratch;

	zstream_end(&s->zs);
	free(s->buf);
	free(s);
}

const struct encoder encoder_zlib = {
	.name = "zlib",
	.encoding = RFB_ENCODING_ZLIB,
	.flags = ENCODER_SHAREABLE | ENCODER_ZLIB_STREAM,
	.encode = zlib_encode,
	.scratch_free = zlib_scratch_free,
};
