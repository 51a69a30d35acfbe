#include "config.h"

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"

int
encoder_rect_header_bytes(uint8_t h[ENCODER_RECT_HEADER_SIZE],
    const struct rect *r, int32_t encoding)
{
	uint32_t e = (uint32_t)encoding;

	if (r->x > UINT16_MAX || r->y > UINT16_MAX || r->w > UINT16_MAX ||
	    r->h > UINT16_MAX)
		return -1;
	h[0] = r->x >> 8;
	h[1] = r->x & 0xff;
	h[2] = r->y >> 8;
	h[3] = r->y & 0xff;
	h[4] = r->w >> 8;
	h[5] = r->w & 0xff;
	h[6] = r->h >> 8;
	h[7] = r->h & 0xff;
	h[8] = e >> 24;
	h[9] = (e >> 16) & 0xff;
	h[10] = (e >> 8) & 0xff;
	h[11] = e & 0xff;
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
