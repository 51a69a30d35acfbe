/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "tests/tap.h"

#define SW	5
#define SH	4
#define STRIDE	(SW * 4 + 8)

static void
put_pixel(uint8_t *screen, uint32_t x, uint32_t y, uint8_t r, uint8_t g,
    uint8_t b)
{
	uint8_t *p = screen + y * STRIDE + x * 4;

	p[0] = b;
	p[1] = g;
	p[2] = r;
	p[3] = 0x5a;
}

/* 565 from 8-bit channels with rounding, as RFB pixel formats define. */
static uint16_t
rgb565(uint8_t r, uint8_t g, uint8_t b)
{
	return (uint16_t)(((r * 31 + 127) / 255) << 11 |
	    ((g * 63 + 127) / 255) << 5 | ((b * 31 + 127) / 255));
}

int
main(void)
{
	static const struct pixfmt be565 = {
		.bpp = 16, .depth = 16, .big_endian = 1, .true_colour = 1,
		.red_max = 31, .green_max = 63, .blue_max = 31,
		.red_shift = 11, .green_shift = 5, .blue_shift = 0,
	};
	static const uint8_t colours[6][3] = {
		{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
		{ 255, 255, 255 }, { 0, 0, 0 }, { 200, 100, 7 },
	};
	uint8_t screen[STRIDE * SH], got[64], want[64];
	struct encode_src src = { screen, STRIDE, SW, SH };
	struct rect r = { 1, 2, 3, 2 };
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	void *scratch = NULL;
	struct evbuffer *out;
	struct pixconv pc;
	uint32_t y;
	uint16_t v;
	size_t len;
	int i;

	memset(screen, 0xee, sizeof(screen));
	for (i = 0; i < 6; i++)
		put_pixel(screen, r.x + i % 3, r.y + i / 3, colours[i][0],
		    colours[i][1], colours[i][2]);
	/* Wanted: header, then the pixels row by row, big endian 565. */
	memcpy(want, "\0\1\0\2\0\3\0\2\0\0\0\0", 12);
	for (i = 0; i < 6; i++) {
		v = rgb565(colours[i][0], colours[i][1], colours[i][2]);
		want[12 + 2 * i] = v >> 8;
		want[13 + 2 * i] = v & 0xff;
	}
	ok(want[12] == 0xf8 && want[13] == 0x00 && want[18] == 0xff &&
	    want[19] == 0xff, "reference: red is f800, white ffff");

	if ((out = evbuffer_new()) == NULL)
		return 1;
	pixconv_init(&pc, &be565);
	ok(encoder_raw.encoding == 0, "raw is encoding 0");
	ok(encoder_raw.encode(&src, &r, &pc, &set, &scratch, out) == 1,
	    "encode 3x2 at 1,2: one rectangle");
	len = evbuffer_get_length(out);
	ok(len == 12 + 3 * 2 * 2, "12 header bytes and 6 pixels of 2 bytes "
	    "(got %zu)", len);
	memset(got, 0, sizeof(got));
	evbuffer_remove(out, got, sizeof(got));
	ok(memcmp(got, want, 12) == 0, "header: x 1, y 2, w 3, h 2, raw");
	ok(memcmp(got + 12, want + 12, 12) == 0, "pixels big-endian 565");

	/* The native format: the screen's own bytes, but for the fourth of
	 * each pixel, which is in no channel: that is 0xff, not the 0x5a or
	 * 0xee of the screen. */
	pixconv_init(&pc, &pixfmt_native);
	r = (struct rect){ 0, 0, SW, SH };
	ok(encoder_raw.encode(&src, &r, &pc, &set, &scratch, out) == 1 &&
	    evbuffer_get_length(out) == 12 + SW * SH * 4,
	    "native: the whole screen, 4 bytes a pixel");
	evbuffer_drain(out, 12);
	for (y = 0, i = 0; y < SH; y++) {
		uint8_t row[SW * 4], want_row[SW * 4];
		int x;

		memcpy(want_row, screen + y * STRIDE, sizeof(want_row));
		for (x = 0; x < SW; x++)
			want_row[4 * x + 3] = 0xff;
		evbuffer_remove(out, row, sizeof(row));
		if (memcmp(row, want_row, sizeof(row)) == 0)
			i++;
	}
	ok(i == SH, "native: rows are the screen's bytes, the padding byte "
	    "0xff");

	r = (struct rect){ 3, 0, 3, 1 };
	ok(encoder_raw.encode(&src, &r, &pc, &set, &scratch, out) == -1 &&
	    evbuffer_get_length(out) == 0,
	    "a rect past the screen is refused and adds nothing");
	r = (struct rect){ 0, 0, 0, 0 };
	ok(encoder_raw.encode(&src, &r, &pc, &set, &scratch, out) == -1 &&
	    evbuffer_get_length(out) == 0, "an empty rect is refused");

	r = (struct rect){ 0x1234, 0x5678, 0x9abc, 0xdef0 };
	ok(encoder_rect_header(out, &r, -239) == 0, "header with cursor "
	    "pseudo-encoding");
	evbuffer_remove(out, got, 12);
	ok(memcmp(got, "\x12\x34\x56\x78\x9a\xbc\xde\xf0\xff\xff\xff\x11",
	    12) == 0, "header fields are big endian, encoding signed");
	r = (struct rect){ 65536, 0, 1, 1 };
	ok(encoder_rect_header(out, &r, 0) == -1 &&
	    evbuffer_get_length(out) == 0, "a coordinate above 65535 is "
	    "refused");
	evbuffer_free(out);
	return done_testing();
}
