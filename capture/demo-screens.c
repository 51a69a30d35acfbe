/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The demo's several monitors: N monitors of different sizes side by
 * side, top-aligned, in one frame that is their bounding box, with black
 * where no monitor is, as a capture of several outputs at once gives
 * them (DRM's --output all).  Each monitor is a still picture of its own:
 * an edge in its colour, its number large in the middle, a bar naming its
 * size, place and id, and a row of colour swatches.  Still, so that a
 * test can compare a viewer's screenshot with the frame it was served,
 * pixel for pixel, and see each monitor where the layout puts it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/demo.h"
#include "common/font.h"

#define EDGE		4	/* the monitor's frame, in its colour */
#define BAR_H		28
#define GRID		64
#define SWATCH_H	48

/* Ids as a DRM connector's: stable, and not the monitor's index. */
static const struct monitor {
	uint32_t	id;
	uint16_t	width, height;
	uint32_t	edge, background;
} monitors[DEMO_SCREENS_MAX] = {
	{ 101, 1024, 768, 0x4a90d9, 0x16324f },
	{ 102, 800, 600, 0x7cb342, 0x1e3a1a },
	{ 103, 1280, 720, 0xab47bc, 0x36183f },
	{ 104, 640, 480, 0xf4a742, 0x4a3110 },
};

/* Colour bars: a swapped channel or byte order shows at once. */
static const uint32_t swatches[] = {
	0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
	0xff00ff, 0xff0000, 0x0000ff, 0x000000,
};

int
demo_screens_parse(const char *arg, char *why, size_t whylen)
{
	static const char prefix[] = "screens=";
	const char *v = arg + sizeof(prefix) - 1;

	if (strncmp(arg, prefix, sizeof(prefix) - 1) != 0 || v[0] < '1' ||
	    v[0] > '0' + DEMO_SCREENS_MAX || v[1] != '\0') {
		snprintf(why, whylen, "demo takes screens=N, N from 1 to %d, "
		    "not \"%s\"", DEMO_SCREENS_MAX, arg);
		return -1;
	}
	return v[0] - '0';
}

void
demo_screens_layout(int n, struct capture_mode *mode)
{
	uint32_t x = 0, h = 0;

	mode->nscreens = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		const struct monitor *m = &monitors[i];

		mode->screens[i] = (struct ipc_screen){ .id = m->id,
		    .x = (uint16_t)x, .y = 0,
		    .width = m->width, .height = m->height };
		x += m->width;
		if (m->height > h)
			h = m->height;
	}
	mode->width = x;
	mode->height = h;
}

static void
fill(uint32_t *px, uint32_t stride, uint32_t x, uint32_t y, uint32_t w,
    uint32_t h, uint32_t color)
{
	for (uint32_t j = y; j < y + h; j++)
		for (uint32_t i = x; i < x + w; i++)
			px[(size_t)j * stride + i] = color;
}

/* The grid, a little lighter than the background. */
static uint32_t
lighter(uint32_t c)
{
	uint32_t r = c >> 16 & 0xff, g = c >> 8 & 0xff, b = c & 0xff;

	r += (255 - r) / 8;
	g += (255 - g) / 8;
	b += (255 - b) / 8;
	return r << 16 | g << 8 | b;
}

static void
monitor_draw(uint32_t *px, const struct capture_mode *mode, int i)
{
	const struct ipc_screen *s = &mode->screens[i];
	const struct monitor *m = &monitors[i];
	uint32_t stride = mode->width, x = s->x, y = s->y;
	uint32_t w = s->width, h = s->height, sw;
	uint32_t grid = lighter(m->background);
	char label[96], number[12];
	int scale, len;

	fill(px, stride, x, y, w, h, m->background);
	for (uint32_t gx = GRID; gx < w; gx += GRID)
		fill(px, stride, x + gx, y, 1, h, grid);
	for (uint32_t gy = GRID; gy < h; gy += GRID)
		fill(px, stride, x, y + gy, w, 1, grid);
	fill(px, stride, x, y, w, EDGE, m->edge);
	fill(px, stride, x, y + h - EDGE, w, EDGE, m->edge);
	fill(px, stride, x, y, EDGE, h, m->edge);
	fill(px, stride, x + w - EDGE, y, EDGE, h, m->edge);

	fill(px, stride, x + EDGE, y + EDGE, w - 2 * EDGE, BAR_H, 0x202428);
	len = snprintf(label, sizeof(label), "Monitor %d   %ux%u at %u,%u   "
	    "id %u", i + 1, w, h, x, y, m->id);
	font_draw(px, mode->width, mode->height, (int)x + EDGE + 10,
	    (int)y + EDGE + 7, 2, 0xe0e0e0, label, len);

	/* The number, a fifth of the monitor's height. */
	snprintf(number, sizeof(number), "%d", i + 1);
	scale = (int)h / 5 / FONT_HEIGHT;
	font_draw(px, mode->width, mode->height,
	    (int)(x + w / 2) - FONT_WIDTH * scale / 2,
	    (int)(y + h / 2) - FONT_HEIGHT * scale / 2, scale, m->edge,
	    number, 1);

	sw = (w - 2 * 40) / (sizeof(swatches) / sizeof(swatches[0]));
	for (size_t k = 0; k < sizeof(swatches) / sizeof(swatches[0]); k++)
		fill(px, stride, x + 40 + (uint32_t)k * sw,
		    y + h - EDGE - 24 - SWATCH_H, sw, SWATCH_H, swatches[k]);
}

void
demo_screens_draw(uint32_t *px, const struct capture_mode *mode)
{
	memset(px, 0, (size_t)mode->width * mode->height * 4);
	for (uint32_t i = 0; i < mode->nscreens; i++)
		monitor_draw(px, mode, (int)i);
}
