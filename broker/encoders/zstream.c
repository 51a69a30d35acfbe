/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>

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

void
zstream_end(struct zstream *zs)
{
	if (zs->level >= 0)
		deflateEnd(&zs->z);
	free(zs->buf);
	*zs = (struct zstream)ZSTREAM_INIT;
}
