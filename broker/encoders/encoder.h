/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One encoder per file behind this small table.  An encoder turns one
 * rectangle of the screen (XRGB8888 in the frame ring, read in place) into
 * the bytes of one RFB rectangle (header included) in the client's pixel
 * format, appended to out.
 */
#ifndef RAMPART_ENCODER_H
#define RAMPART_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "broker/damage.h"
#include "broker/pixfmt.h"

struct evbuffer;

struct encode_src {
	const uint8_t	*pixels;	/* top left of the screen */
	size_t		stride;
	uint32_t	width, height;
};

/*
 * What a client asked of the encoders with its pseudo-encodings, as it
 * sent them (rfbproto.rst; TigerVNC's fine quality and subsampling).  Each
 * encoder reads what it uses; -1 is "not sent".  Clients whose settings,
 * pixel format and encoder are equal share encoded rectangles, so every
 * field is part of that key: keep the struct free of padding.
 */
struct encode_settings {
	int32_t		quality;	/* QualityLevel 0..9 (-32..-23) */
	int32_t		fine_quality;	/* 0..100 (-512..-412) */
	int32_t		subsampling;	/* ENCODE_SUBSAMP_* (-768..-763) */
	int32_t		compress;	/* CompressLevel 0..9 (-256..-247) */
};

/* TigerVNC's subsampling levels, in the order of its pseudo-encodings. */
#define ENCODE_SUBSAMP_NONE	0	/* 4:4:4 */
#define ENCODE_SUBSAMP_4X	1	/* 4:2:0 */
#define ENCODE_SUBSAMP_2X	2	/* 4:2:2 */
#define ENCODE_SUBSAMP_GRAY	3
#define ENCODE_SUBSAMP_8X	4
#define ENCODE_SUBSAMP_16X	5

#define ENCODE_SETTINGS_NONE	{ -1, -1, -1, -1 }

/* The output depends only on the pixels, the rectangle, the pixel format
 * and the settings: clients with the same ones can share it.  (Every
 * encoder is, now: none keeps state between rectangles of a client.) */
#define ENCODER_SHAREABLE	0x01
/*
 * The encoder writes one rectangle of a zlib stream that lasts the whole
 * connection (Zlib, ZRLE): 12-byte header, u32 length, then raw deflate
 * data (no zlib header) that ends in a full flush, so that it depends on
 * nothing compressed before and any client can take it.  The sender puts
 * the 2-byte zlib header (ENCODER_ZLIB_HEADER) in front of the data of
 * the first such rectangle a client gets of that encoding, and adds 2 to
 * the length.
 */
#define ENCODER_ZLIB_STREAM	0x02
#define ENCODER_ZLIB_HEADER	"\x78\x01"

struct encoder {
	const char	*name;
	int32_t		encoding;	/* RFB encoding number */
	unsigned int	flags;		/* ENCODER_* */
	/*
	 * Append the rectangle r of src as one or more RFB rectangles (an
	 * encoder may split what its clients cannot take in one: Tight's
	 * width limit) and return how many; -1 when out of memory or r is
	 * not inside src or is empty (then nothing is appended; out is left
	 * as it was).  Touches nothing but its arguments: it runs on any
	 * thread.
	 *
	 * *scratch is this encoder's working memory on the calling thread
	 * (deflate and TurboJPEG handles, buffers): NULL at first, set by the
	 * encoder as it likes, kept between calls on that thread and given
	 * to scratch_free() when the thread ends.  Nothing of one call may
	 * leak into the bytes of the next.
	 */
	int		(*encode)(const struct encode_src *src,
			    const struct rect *r, const struct pixconv *pc,
			    const struct encode_settings *set, void **scratch,
			    struct evbuffer *out);
	void		(*scratch_free)(void *scratch);	/* optional */
};

/* Every encoder, in the order a client's tie is broken (none yet). */
extern const struct encoder encoder_raw;
extern const struct encoder encoder_copyrect;	/* not through encode() */
extern const struct encoder encoder_hextile;
extern const struct encoder encoder_zlib;
extern const struct encoder encoder_zrle;
extern const struct encoder encoder_tight;
extern const struct encoder encoder_jpeg;

/*
 * Scratch for every encoder on one thread: each worker thread has one, the
 * event loop's thread another (jobs run there when there are no workers).
 */
#define ENCODER_SLOTS	8	/* indexed by encoder_slot() */

struct encode_scratch {
	void		*slot[ENCODER_SLOTS];
};

/* The encoder of an RFB encoding number that clients are offered (one
 * with encode()); NULL: none. */
const struct encoder *encoder_by_number(int32_t encoding);
/* The slot of enc in a struct encode_scratch. */
unsigned int encoder_slot(const struct encoder *enc);
void	encode_scratch_free(struct encode_scratch *s);

/* Most rectangles in one update's job (damage_take_rects() gives no
 * more). */
#define ENCODE_JOB_MAX_RECTS	64

#define ENCODER_RECT_HEADER_SIZE	12

/* Append a rectangle header (RFB 7.6.1: x, y, w, h as u16, encoding as
 * s32, big endian) to out; -1 when out of memory or a field above 65535. */
int	encoder_rect_header(struct evbuffer *out, const struct rect *r,
	    int32_t encoding);
/* The same 12 bytes written to h, for an encoder that writes into space
 * reserved in its output; -1 when a field is above 65535. */
int	encoder_rect_header_bytes(uint8_t h[ENCODER_RECT_HEADER_SIZE],
	    const struct rect *r, int32_t encoding);

#endif
