/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-mkframes PATTERN WIDTH HEIGHT COUNT FPS FILE: write a .frames
 * file of deterministic, pairwise distinct frames for tests.
 *   sparse  one background for all frames; a box that moves and changes
 *           colour, and a single pixel that changes, per frame: what an
 *           incremental update must get right
 *   photo   sparse on a smooth background: what JPEG keeps well, for
 *           checks of lossy encodings by PSNR
 *   full    every pixel changes from one frame to the next
 *   scroll  a terminal: a still title bar, and below it lines of text
 *           that scroll up SCROLL_STEP rows a frame
 * The channels of a pixel differ from each other so that a swapped
 * channel or byte order shows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/frames.h"

static uint32_t
background(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t r = x * 255 / (w > 1 ? w - 1 : 1);
	uint32_t g = y * 255 / (h > 1 ? h - 1 : 1);
	uint32_t b = ((x * 7) ^ (y * 3)) & 0xff;

	return r << 16 | g << 8 | b;
}

/* Channels that run smoothly, each its own way. */
static uint32_t
smooth(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t r = x * 255 / (w > 1 ? w - 1 : 1);
	uint32_t g = y * 255 / (h > 1 ? h - 1 : 1);
	uint32_t b = 255 - (x + y) * 255 / (w + h > 2 ? w + h - 2 : 1);

	return r << 16 | g << 8 | b;
}

static uint32_t
sparse(uint32_t f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
    int photo)
{
	uint32_t bw = w / 6 + 1, bh = h / 7 + 1;
	uint32_t bx = (3 + f * 53) % (w - bw + 1);
	uint32_t by = (5 + f * 29) % (h - bh + 1);

	if (x >= bx && x < bx + bw && y >= by && y < by + bh)
		return ((f * 73 + 11) & 0xff) << 16 |
		    ((255 - f * 41) & 0xff) << 8 | ((f * 19 + 200) & 0xff);
	if (x == (w - 1 - f % w) && y == h - 1)
		return ((f * 97 + 1) & 0xff) << 16 | 0x80 << 8 | 0x40;
	return photo ? smooth(x, y, w, h) : background(x, y, w, h);
}

static uint32_t
full(uint32_t f, uint32_t x, uint32_t y)
{
	uint32_t r = (x * 3 + y + f * 67) & 0xff;
	uint32_t g = (y * 5 + x / 2 + f * 131) & 0xff;
	uint32_t b = ((x ^ y) + f * 29) & 0xff;

	return r << 16 | g << 8 | b;
}

#define SCROLL_TITLE	24	/* rows of the still title bar */
#define SCROLL_STEP	6	/* rows the text moves up a frame */

/* Text of 8x16 cells, a glyph's pixels from a hash of where it is: no
 * two lines alike, so that a move is found only where it is. */
static uint32_t
scroll(uint32_t f, uint32_t x, uint32_t y)
{
	uint32_t doc, line, h;

	if (y < SCROLL_TITLE)
		return (x / 8) % 2 ? 0x304a70 : 0x2c4468;
	doc = y - SCROLL_TITLE + f * SCROLL_STEP;
	line = doc / 16;
	if ((x / 8 + line * 7) % 9 == 0 || doc % 16 >= 13)
		return 0x101820;	/* a space, or between lines */
	h = line * 2654435761u ^ (x / 8) * 40503u ^ (doc % 16) * 97u ^
	    (x % 8) * 0x9e3779b9u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return (h & 3) == 0 ? 0xd0d0c8 : 0x101820;
}

int
main(int argc, char *argv[])
{
	uint8_t		 hdr[FRAMES_HEADER_SIZE], *row;
	uint32_t	 w, h, n, fps, f, x, y, px;
	int		 pattern;
	FILE		*fp;

	if (argc != 7) {
		fprintf(stderr, "usage: rampart-mkframes "
		    "sparse|photo|full|scroll WIDTH HEIGHT COUNT FPS FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "sparse") == 0)
		pattern = 0;
	else if (strcmp(argv[1], "full") == 0)
		pattern = 1;
	else if (strcmp(argv[1], "scroll") == 0)
		pattern = 2;
	else if (strcmp(argv[1], "photo") == 0)
		pattern = 3;
	else {
		fprintf(stderr, "unknown pattern %s\n", argv[1]);
		return 2;
	}
	w = strtoul(argv[2], NULL, 10);
	h = strtoul(argv[3], NULL, 10);
	n = strtoul(argv[4], NULL, 10);
	fps = strtoul(argv[5], NULL, 10);
	if (w < 8 || h < 8 || w > 8192 || h > 8192 || n < 1 || n > 255 ||
	    fps < 1) {
		fprintf(stderr, "bad size, count or rate\n");
		return 2;
	}
	if ((fp = fopen(argv[6], "wb")) == NULL) {
		perror(argv[6]);
		return 1;
	}
	if ((row = malloc((size_t)w * 4)) == NULL)
		return 1;
	frames_write_header(hdr, w, h, w * 4, n, fps);
	fwrite(hdr, 1, sizeof(hdr), fp);
	for (f = 0; f < n; f++)
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++) {
				px = pattern == 1 ? full(f, x, y) :
				    pattern == 2 ? scroll(f, x, y) :
				    sparse(f, x, y, w, h, pattern == 3);
				row[x * 4] = px & 0xff;
				row[x * 4 + 1] = (px >> 8) & 0xff;
				row[x * 4 + 2] = (px >> 16) & 0xff;
				row[x * 4 + 3] = 0;
			}
			fwrite(row, 4, w, fp);
		}
	free(row);
	if (ferror(fp) | fclose(fp)) {
		perror(argv[6]);
		return 1;
	}
	return 0;
}
