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

struct encoder {
	const char	*name;
	int32_t		encoding;	/* RFB encoding number */
	/* Append the rectangle r of src; 0, or -1 when out of memory or r
	 * is not inside src (then nothing is appended). */
	int		(*encode)(const struct encode_src *src,
			    const struct rect *r, const struct pixconv *pc,
			    struct evbuffer *out);
};

extern const struct encoder encoder_raw;

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
