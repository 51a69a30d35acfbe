/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"

#define RFB_ENCODING_RAW	0

/*
 * Header and pixels go straight into space reserved in the output buffer,
 * in one piece: either the whole rectangle is appended or nothing.
 */
static int
raw_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct evbuffer_iovec v;
	size_t len;
	uint8_t *p;

	(void)set;
	(void)scratch;
	if (r->w == 0 || r->h == 0 || r->x > src->width || r->w > src->width - r->x ||
	    r->y > src->height || r->h > src->height - r->y)
		return -1;
	len = (size_t)r->w * r->h * pixconv_bytes_per_pixel(pc);
	if (len > EV_SSIZE_MAX - ENCODER_RECT_HEADER_SIZE)
		return -1;
	len += ENCODER_RECT_HEADER_SIZE;
	if (evbuffer_reserve_space(out, (ev_ssize_t)len, &v, 1) != 1)
		return -1;
	p = v.iov_base;
	if (encoder_rect_header_bytes(p, r, RFB_ENCODING_RAW) == -1)
		return -1;	/* nothing committed */
	pixconv_rect(pc, p + ENCODER_RECT_HEADER_SIZE,
	    src->pixels + (size_t)r->y * src->stride + (size_t)r->x * 4,
	    src->stride, r->w, r->h);
	v.iov_len = len;
	return evbuffer_commit_space(out, &v, 1) == 0 ? 1 : -1;
}

const struct encoder encoder_raw = {
	.name = "raw",
	.encoding = RFB_ENCODING_RAW,
	.flags = ENCODER_SHAREABLE,
	.encode = raw_encode,
};
