/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small bitmap font for the demo source and the broker's notices: glyphs
 * of printable ASCII drawn for rampart, 5 pixels wide, 7 high above the
 * baseline and one row below it for the tails of g, j, p, q, y and commas.
 */
#ifndef RAMPART_FONT_H
#define RAMPART_FONT_H

#include <stdint.h>

#define FONT_WIDTH	5
#define FONT_HEIGHT	8
#define FONT_ADVANCE	6	/* one column of space after each glyph */

/* The FONT_HEIGHT rows of a glyph, bit 4 the leftmost pixel; '?' for a
 * character outside ' ' .. '~'. */
const uint8_t	*font_glyph(unsigned char c);

/*
 * Draw at most maxchars characters of s into XRGB8888 pixels of width x
 * height (rows packed), glyph cells scale pixels square, the top left of
 * the first at x, y; what falls outside is clipped.
 */
void	font_draw(uint32_t *px, uint32_t width, uint32_t height, int x, int y,
	    int scale, uint32_t color, const char *s, int maxchars);

#endif
