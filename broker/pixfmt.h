/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFB pixel formats: validation of what a client asks for in
 * SetPixelFormat, and conversion of the screen's XRGB8888 pixels into it.
 */
#ifndef RAMPART_PIXFMT_H
#define RAMPART_PIXFMT_H

#include <stddef.h>
#include <stdint.h>

struct pixfmt {
	uint8_t		bpp;		/* 8, 16 or 32 */
	uint8_t		depth;
	uint8_t		big_endian;
	uint8_t		true_colour;	/* 0: colour map, 8 bpp only (see below) */
	uint16_t	red_max, green_max, blue_max;
	uint8_t		red_shift, green_shift, blue_shift;
};

/* The format of ServerInit: 32 bpp, depth 24, little endian, RGB 8-8-8
 * at shifts 16, 8, 0: the bytes of XRGB8888 as they lie in memory. */
extern const struct pixfmt pixfmt_native;

/* The 16-byte PIXEL_FORMAT of the wire (RFB 7.4).  The flags are read as
 * 0 or 1 (any nonzero byte is true); padding is ignored and written as 0. */
void	pixfmt_from_wire(struct pixfmt *pf, const uint8_t wire[16]);
void	pixfmt_to_wire(const struct pixfmt *pf, uint8_t wire[16]);

/* 0 when a client may use pf; else -1 and a reason in *why.  Rejected:
 * bpp not 8/16/32, depth 0 or above bpp, a maximum that is 0 or not 2^n-1,
 * a channel that does not fit in bpp at its shift, overlapping channels,
 * a colour map at anything but 8 bpp. */
int	pixfmt_validate(const struct pixfmt *pf, const char **why);

/* Whether two valid formats give the same bytes; maxima and shifts are not
 * compared for colour-map formats. */
int	pixfmt_equal(const struct pixfmt *a, const struct pixfmt *b);

/*
 * A converter from XRGB8888 to one client format, built once per
 * SetPixelFormat.  An 8-bit channel value v becomes (v * max + 127) / 255
 * (rounded to nearest) at its shift.  The tables hold each channel's bits
 * already in the client's byte order, so a pixel is r[R] | g[G] | b[B]
 * stored as a host integer of bpp bits.  32 bpp formats with 8-bit
 * channels skip the tables: their channels only move, by shifts.
 *
 * Every bit of a pixel that is in none of the three channels (the fourth
 * byte of a 32-bit pixel, the top bit of 555, ...) is sent as 1, as other
 * servers do: a viewer that takes that byte for alpha shows opaque
 * pixels (Debian 12's noVNC 1.3.0 does: its Raw decoder sets alpha at
 * the wrong offset and leaves most of a large rectangle as it came), and
 * a viewer that masks the channels sees no difference.
 * pad holds those bits, in the client's byte order like the tables; it is
 * folded into r[].
 *
 * A colour-map format (8 bpp, true_colour 0) uses the fixed 3-3-2 map of
 * pixfmt_colour_map(): red in bits 0-2, green in bits 3-5, blue in bits
 * 6-7, as if the client had asked for that true-colour format; the
 * client's maxima and shifts are ignored.  All 8 bits of such a pixel are
 * the index into the map: none is padding, none is set beyond the colour.
 *
 * identity is set when the client's channels sit on the bytes they have in
 * XRGB8888 (32 bpp, 8-bit channels, whatever the byte order): rows are
 * then copied, with the padding byte set rather than the screen's.
 */
struct pixconv {
	struct pixfmt	pf;
	int		identity;	/* XRGB8888's bytes: rows are copied */
	uint32_t	pad;		/* bits in no channel: always 1 */
	uint32_t	r[256], g[256], b[256];
};

/* pf must have passed pixfmt_validate(). */
void	pixconv_init(struct pixconv *pc, const struct pixfmt *pf);
static inline size_t
pixconv_bytes_per_pixel(const struct pixconv *pc)
{
	return pc->pf.bpp / 8;
}
/* Convert w x h pixels at src (rows src_stride bytes apart) into dst,
 * packed: w * h * bytes_per_pixel bytes. */
void	pixconv_rect(const struct pixconv *pc, uint8_t *dst, const uint8_t *src,
	    size_t src_stride, uint32_t w, uint32_t h);

/* For a colour-map format: the 256 RGB entries (16-bit each channel,
 * as SetColourMapEntries carries them) of the fixed 3-3-2 map: entry i
 * has red i & 7, green (i >> 3) & 7, blue i >> 6, each scaled to 0..65535. */
void	pixfmt_colour_map(uint16_t rgb[256][3]);

#endif
