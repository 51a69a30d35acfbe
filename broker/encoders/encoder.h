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
	/* Append the rectangle r of src; 0, or -1 when out of memory. */
	int		(*encode)(const struct encode_src *src,
			    const struct rect *r, const struct pixconv *pc,
			    struct evbuffer *out);
};

extern const struct encoder encoder_raw;

/* Append a rectangle header (RFB 7.6.1) to out. */
int	encoder_rect_header(struct evbuffer *out, const struct rect *r,
	    int32_t encoding);

#endif
