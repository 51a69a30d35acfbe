/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/wire.h"

/* Every encoder with a scratch slot: its index here. */
static const struct encoder *const with_slots[ENCODER_SLOTS] = {
	&encoder_raw,
	&encoder_hextile,
	&encoder_zlib,
	&encoder_zrle,
	&encoder_tight,
	&encoder_jpeg,
};

/*
 * What a client may be given.  Tight and JPEG are built, unit-tested and
 * fuzzed but not offered yet: with them gtk-vnc's viewer showed nothing,
 * and the viewer tests compare exactly what is lossy with JPEG (they need
 * a PSNR floor first).
 */
static const struct encoder *const offered[] = {
	&encoder_raw, &encoder_hextile, &encoder_zlib, &encoder_zrle,
};

const struct encoder *
encoder_by_number(int32_t encoding)
{
	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++)
		if (offered[i]->encoding == encoding)
			return offered[i];
	return NULL;
}

unsigned int
encoder_slot(const struct encoder *enc)
{
	for (unsigned int i = 0; i < ENCODER_SLOTS; i++)
		if (with_slots[i] == enc)
			return i;
	return ENCODER_SLOTS - 1;	/* not reached: every encoder is listed */
}

void
encode_scratch_free(struct encode_scratch *s)
{
	for (unsigned int i = 0; i < ENCODER_SLOTS; i++) {
		if (s->slot[i] != NULL && with_slots[i] != NULL &&
		    with_slots[i]->scratch_free != NULL)
			with_slots[i]->scratch_free(s->slot[i]);
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
