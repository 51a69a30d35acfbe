/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deflate for rectangles that depend on nothing sent before.  RFB's zlib
 * encodings keep one stream per connection (Zlib, ZRLE) or four (Tight),
 * so a server usually keeps a deflate state per client and per stream and
 * compresses each client's copy of a rectangle on its own.  Here every
 * rectangle is compressed from a reset state and ends in a full flush:
 * its bytes are the same whatever the stream carried before, so one
 * compression serves every client (ENCODER_ZLIB_STREAM), and a deflate
 * state is needed per thread, not per client.  The price is the history
 * across rectangles (doc/PERFORMANCE.md has the numbers).
 */
#ifndef RAMPART_ZSTREAM_H
#define RAMPART_ZSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

struct evbuffer;

struct zstream {
	z_stream	z;
	int		level;		/* of z; -1: z not set up */
	uint8_t		*buf;		/* the output */
	size_t		cap;
};

#define ZSTREAM_INIT	{ .level = -1 }

/*
 * The raw deflate data (no zlib header, no trailer) of len bytes at in,
 * compressed at level (0..9) from a reset state and ending in a full
 * flush, so that an inflate stream in any state after an earlier flush
 * takes it.  Returns the data, *outlen bytes, valid until the next call
 * on zs; NULL when out of memory or len is above 2^31.
 */
const uint8_t *zstream_compress(struct zstream *zs, int level,
	    const void *in, size_t len, size_t *outlen);
/*
 * The same for data made as it is compressed (a band of rows, a few tiles
 * at a time), appended to an evbuffer in pieces as it comes, so that
 * neither the whole input nor the whole output is ever held here:
 * zstream_begin(), then zstream_feed() with each piece, last set on the
 * final one (which may be empty).  Returns 0, or -1 when out of memory
 * (then what was appended to dst is the caller's to drop).
 */
int	zstream_begin(struct zstream *zs, int level);
int	zstream_feed(struct zstream *zs, const void *in, size_t len, int last,
	    struct evbuffer *dst);
/* Free what zs holds; it can be used again. */
void	zstream_end(struct zstream *zs);

#endif
