/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-free part of the fbdev source (capture/fbdev.c): what a
 * framebuffer's pixels are, by its bitfields, and how its visible part is
 * turned into XRGB8888 rows.  Apart so that tests/unit/test-fbdev checks
 * them against values computed by hand, and the whole frame against a
 * framebuffer made in memory.
 */
#ifndef RAMPART_CAPTURE_FBDEV_H
#define RAMPART_CAPTURE_FBDEV_H

#include <linux/fb.h>

#include <stddef.h>
#include <stdint.h>

/* The widest channel read: 10 bits (2101010); a table of each value. */
#define FBDEV_CHANNEL_BITS	10
/* The largest side a frame may have (the broker's limit). */
#define FBDEV_MAX_SIDE		16384

struct fbdev_channel {
	uint8_t		offset;		/* of its lowest bit in the pixel */
	uint8_t		length;		/* 1 .. FBDEV_CHANNEL_BITS */
	/* Each value of the channel scaled to 0..255, rounded to nearest. */
	uint8_t		to8[1u << FBDEV_CHANNEL_BITS];
};

struct fbdev_format {
	uint32_t	bpp;		/* 16, 24 or 32 */
	/*
	 * 32 bpp with red at 16, green at 8, blue at 0, 8 bits each, on a
	 * little-endian machine: the pixels are XRGB8888 already, and rows
	 * are copied as they are.
	 */
	int		xrgb;
	struct fbdev_channel r, g, b;
};

/*
 * The format that var and fix describe: packed pixels of 16, 24 or 32
 * bits, true colour (or direct colour, read as true colour), each channel
 * 1 .. 10 bits inside the pixel, none overlapping another.  Returns 0, or
 * -1 with the reason in why.
 */
int	fbdev_format_init(struct fbdev_format *f,
	    const struct fb_var_screeninfo *var,
	    const struct fb_fix_screeninfo *fix, char *why, size_t whylen);

/* width pixels of src, in format f, to XRGB8888 in dst (X is 0). */
void	fbdev_convert_row(const struct fbdev_format *f, uint8_t *dst,
	    const uint8_t *src, uint32_t width);

/*
 * Whether the visible part of the screen (xres x yres at xoffset,
 * yoffset in the virtual screen, rows line_length apart; with
 * FB_VMODE_YWRAP the rows wrap around yres_virtual) lies inside the
 * map_len bytes mapped, in pixels of bits_per_pixel (already checked by
 * fbdev_format_init).  Returns 0, or -1 with the reason in why.
 */
int	fbdev_view_check(const struct fb_var_screeninfo *var,
	    const struct fb_fix_screeninfo *fix, size_t map_len, char *why,
	    size_t whylen);

/*
 * The visible part (checked by fbdev_view_check) of the framebuffer
 * mapped at map, to xres * 4-byte rows of XRGB8888 in dst.  row is a
 * buffer of xres * bpp / 8 bytes, for the rows that are converted.
 */
void	fbdev_copy_view(const struct fbdev_format *f, uint8_t *dst,
	    const uint8_t *map, const struct fb_var_screeninfo *var,
	    const struct fb_fix_screeninfo *fix, uint8_t *row);

#endif
