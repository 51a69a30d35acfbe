/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "broker/encoders/zstream.h"

static int
zstream_setup(struct zstream *zs, int level)
{
	if (zs->level == level)
		return deflateReset(&zs->z) == Z_OK ? 0 : -1;
	if (zs->level >= 0)
		deflateEnd(&zs->z);
	zs->z = (z_stream){ 0 };
	zs->level = -1;
	/* Raw deflate (negative window bits): the zlib header is the
	 * sender's to write, once per client stream. */
	if (deflateInit2(&zs->z, level, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs->level = level;
	return 0;
}

const uint8_t *
zstream_compress(struct zstream *zs, int level, const void *in, size_t len,
    size_t *outlen)
{
	size_t need;
	int rc;

	if (level < 0 || level > 9 || len > INT32_MAX ||
	    zstream_setup(zs, level) < 0)
		return NULL;
	/* Room for all of it in one call: the bound, and the flush's
	 * empty stored block. */
	need = deflateBound(&zs->z, (uLong)len) + 16;
	if (need > zs->cap) {
		uint8_t *p = realloc(zs->buf, need);

		if (p == NULL)
			return NULL;
		zs->buf = p;
		zs->cap = need;
	}
	zs->z.next_in = (Bytef *)(uintptr_t)in;
	zs->z.avail_in = (uInt)len;
	zs->z.next_out = zs->buf;
	zs->z.avail_out = (uInt)(zs->cap > UINT32_MAX ? UINT32_MAX : zs->cap);
	rc = deflate(&zs->z, Z_FULL_FLUSH);
	if (rc != Z_OK || zs->z.avail_in != 0 || zs->z.avail_out == 0)
		return NULL;
	*outlen = (size_t)(zs->z.next_out - zs->buf);
	return zs->buf;
}

/* zstream_feed()'s output goes through zs->buf, this much at a time. */
#define ZSTREAM_CHUNK	(64 * 1024)

int
zstream_begin(struct zstream *zs, int level)
{
	if (level < 0 || level > 9 || zstream_setup(zs, level) < 0)
		return -1;
	if (zs->cap < ZSTREAM_CHUNK) {
		uint8_t *p = realloc(zs->buf, ZSTREAM_CHUNK);

		if (p == NULL)
			return -1;
		zs->buf = p;
		zs->cap = ZSTREAM_CHUNK;
	}
	zs->z.next_out = zs->buf;
	zs->z.avail_out = ZSTREAM_CHUNK;
	return 0;
}

int
zstream_feed(struct zstream *zs, const void *in, size_t len, int last,
    struct evbuffer *dst)
{
	int rc;

	if (len > INT32_MAX)
		return -1;
	zs->z.next_in = (Bytef *)(uintptr_t)in;
	zs->z.avail_in = (uInt)len;
	for (;;) {
		rc = deflate(&zs->z, last ? Z_FULL_FLUSH : Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return -1;
		if (zs->z.avail_out != 0 && zs->z.avail_in == 0)
			break;
		if (zs->z.avail_out != 0)
			return -1;	/* no progress with room: not zlib */
		/* A full chunk: out it goes, and deflate goes on (with the
		 * same flush, as zlib wants). */
		if (zs->z.avail_out == 0) {
			if (evbuffer_add(dst, zs->buf, ZSTREAM_CHUNK) != 0)
				return -1;
			zs->z.next_out = zs->buf;
			zs->z.avail_out = ZSTREAM_CHUNK;
		}
	}
	if (last && zs->z.next_out != zs->buf) {
		if (evbuffer_add(dst, zs->buf,
		    (size_t)(zs->z.next_out - zs->buf)) != 0)
			return -1;
		zs->z.next_out = zs->buf;
		zs->z.avail_out = ZSTREAM_CHUNK;
	}
	return 0;
}

void
zstream_end(struct zstream *zs)
{
	if (zs->level >= 0)
		deflateEnd(&zs->z);
	free(zs->buf);
	*zs = (struct zstream)ZSTREAM_INIT;
}
