/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Zlib (RFB encoding 6): the Raw encoding's pixels, deflated.  Each
 * rectangle is compressed on its own and ends in a full flush (zstream.h),
 * so that one compression serves every client of the same format.  Rows
 * are converted a band at a time as deflate takes them: nothing the size
 * of the rectangle is kept.
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
 * compresses.  Raw pixels are a lot of bytes for deflate, whose time is
 * nearly all of this encoder's: on the recorded workloads level 3 saves
 * 5 to 7% of the bytes for 12 to 30% more time, and level 6 (lazy
 * matching) triples it (bench/encoder-bench, doc/PERFORMANCE.md).
 */
#define ZLIB_DEFAULT_LEVEL	1

/* Rows are converted and deflated this many bytes at a time (one row at
 * least), so that deflate reads them from the cache. */
#define ZLIB_BAND	(32 * 1024)

struct zlib_scratch {
	struct zstream	zs;
	struct evbuffer	*data;		/* a rectangle's deflate data */
	uint8_t		*band;		/* rows in the client's format */
	size_t		cap;
};

static int
zlib_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct zlib_scratch *s;
	size_t row, rows, need;
	uint32_t y, n;

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
	row = (size_t)r->w * pixconv_bytes_per_pixel(pc);
	rows = row < ZLIB_BAND ? ZLIB_BAND / row : 1;
	need = rows * row;
	if (need > s->cap) {
		uint8_t *p = realloc(s->band, need);

		if (p == NULL)
			return -1;
		s->band = p;
		s->cap = need;
	}
	if (zstream_begin(&s->zs, lossless_level(set, ZLIB_DEFAULT_LEVEL)) ==
	    -1)
		return -1;
	for (y = 0; y < r->h; y += n) {
		n = r->h - y < rows ? r->h - y : (uint32_t)rows;
		pixconv_rect(pc, s->band, lossless_src_at(src, r->x, r->y + y),
		    src->stride, r->w, n);
		if (zstream_feed(&s->zs, s->band, n * row, y + n == r->h,
		    s->data) == -1) {
			evbuffer_drain(s->data, evbuffer_get_length(s->data));
			return -1;
		}
	}
	return lossless_zlib_rect(out, s->data, r, RFB_ENCODING_ZLIB) == 0 ?
	    1 : -1;
}

static void
zlib_scratch_free(void *scratch)
{
	struct zlib_scratch *s = scratch;

	zstream_end(&s->zs);
	evbuffer_free(s->data);
	free(s->band);
	free(s);
}

const struct encoder encoder_zlib = {
	.name = "zlib",
	.encoding = RFB_ENCODING_ZLIB,
	.flags = ENCODER_SHAREABLE | ENCODER_ZLIB_STREAM,
	.encode = zlib_encode,
	.scratch_free = zlib_scratch_free,
};
