/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/wire.h"

/*
 * Every encoder, each of them one a client may be given; its index here
 * is its scratch slot.
 */
static const struct encoder *const encoders[] = {
	&encoder_raw,
	&encoder_hextile,
	&encoder_zlib,
	&encoder_zrle,
	&encoder_tight,
	&encoder_jpeg,
};
#define NENCODERS	(sizeof(encoders) / sizeof(encoders[0]))
_Static_assert(NENCODERS <= ENCODER_SLOTS, "more encoders than slots");

const struct encoder *
encoder_by_number(int32_t encoding)
{
	for (unsigned int i = 0; i < NENCODERS; i++)
		if (encoders[i]->encoding == encoding)
			return encoders[i];
	return NULL;
}

unsigned int
encoder_slot(const struct encoder *enc)
{
	for (unsigned int i = 0; i < NENCODERS; i++)
		if (encoders[i] == enc)
			return i;
	return ENCODER_SLOTS - 1;	/* not reached: every encoder is listed */
}

void
encode_scratch_free(struct encode_scratch *s)
{
	for (unsigned int i = 0; i < NENCODERS; i++) {
		if (s->slot[i] != NULL && encoders[i]->scratch_free != NULL)
			encoders[i]->scratch_free(s->slot[i]);
		s->slot[i] = NULL;
	}
}

int
encoder_rect_header_bytes(uint8_t h[ENCODER_RECT_HEADER_SIZE],
    const struct rect *r, int32_t encoding)
{
	if (r->x > UINT16_MAX || r->y > UINT16_MAX || r->w > UINT16_MAX ||
	    r->h > UINT16_MAX)
		return -1;
	wire_put16(h, (uint16_t)r->x);
	wire_put16(h + 2, (uint16_t)r->y);
	wire_put16(h + 4, (uint16_t)r->w);
	wire_put16(h + 6, (uint16_t)r->h);
	wire_put32(h + 8, (uint32_t)encoding);
	return 0;
}

int
encoder_rect_header(struct evbuffer *out, const struct rect *r,
    int32_t encoding)
{
	uint8_t h[ENCODER_RECT_HEADER_SIZE];

	if (encoder_rect_header_bytes(h, r, encoding) == -1)
		return -1;
	return evbuffer_add(out, h, sizeof(h));
}
