/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pixel formats by name, and the comparison of what a client shows with
 * the frames of a .frames file.  A client pixel matches a frame pixel when
 * each channel holds one of the two levels of the client format nearest to
 * the 8-bit value (truncating and rounding servers both pass, a wrong
 * shift, order or byte order does not), and every bit of the pixel that
 * is in no channel is 1 (rampart's promise, see broker/pixfmt.h: a viewer
 * may take the fourth byte of a 32-bit pixel for alpha); through a colour
 * map, when the colour of the index lies within one level of the map.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/client/testclient.h"

struct named_fmt {
	const char	*name;
	struct fmt	 fmt;
};

static const struct named_fmt formats[] = {
	/*                 bpp dep be tc   max              shift */
	{ "32",		{ 32, 24, 0, 1, { 255, 255, 255 }, { 16, 8, 0 } } },
	{ "32be",	{ 32, 24, 1, 1, { 255, 255, 255 }, { 16, 8, 0 } } },
	{ "bgr32",	{ 32, 24, 0, 1, { 255, 255, 255 }, { 0, 8, 16 } } },
	{ "16",		{ 16, 16, 0, 1, { 31, 63, 31 }, { 11, 5, 0 } } },
	{ "16be",	{ 16, 16, 1, 1, { 31, 63, 31 }, { 11, 5, 0 } } },
	{ "555",	{ 16, 15, 0, 1, { 31, 31, 31 }, { 10, 5, 0 } } },
	{ "8",		{ 8, 8, 0, 1, { 7, 7, 3 }, { 0, 3, 6 } } },
	{ "8map",	{ 8, 8, 0, 0, { 0, 0, 0 }, { 0, 0, 0 } } },
};

int
fmt_by_name(const char *name, struct fmt *f)
{
	size_t	i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0) {
			*f = formats[i].fmt;
			return 0;
		}
	return -1;
}

void
fmt_print(const char *what, const struct fmt *f)
{
	printf("%s: bpp=%u depth=%u be=%u tc=%u max=%u,%u,%u "
	    "shift=%u,%u,%u\n", what, f->bpp, f->depth, f->big_endian,
	    f->true_colour != 0, f->max[0], f->max[1], f->max[2], f->shift[0],
	    f->shift[1], f->shift[2]);
}

uint32_t
fmt_rgb(const struct fmt *f, const uint8_t *p)
{
	uint32_t	 px = 0, rgb = 0;
	int		 i;

	for (i = 0; i < f->bpp / 8; i++) {
		if (f->big_endian)
			px = px << 8 | p[i];
		else
			px |= (uint32_t)p[i] << (8 * i);
	}
	for (i = 0; i < 3; i++) {
		uint32_t max = f->max[i], q = (px >> f->shift[i]) & max;

		rgb = rgb << 8 | (max ? (q * 255 + max / 2) / max : 0);
	}
	return rgb;
}

static uint32_t
view_pixel(const struct view *v, int x, int y)
{
	int		 bytes = v->fmt.bpp / 8;
	const uint8_t	*p = v->pixels + ((size_t)y * v->width + x) * bytes;
	uint32_t	 px = 0;
	int		 i;

	for (i = 0; i < bytes; i++) {
		if (v->fmt.big_endian)
			px = px << 8 | p[i];
		else
			px |= (uint32_t)p[i] << (8 * i);
	}
	return px;
}

static uint32_t
frame_pixel(const struct frames_file *ff, uint32_t idx, int x, int y)
{
	const uint8_t	*p = frames_frame(ff, idx) + (size_t)y * ff->stride +
			    (size_t)x * 4;

	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int
view_write_ppm(const struct view *v, const char *path)
{
	FILE		*f;
	uint32_t	 px;
	int		 x, y, ch, ret;
	uint8_t		 rgb[3];

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	fprintf(f, "P6\n%d %d\n255\n", v->width, v->height);
	for (y = 0; y < v->height; y++)
		for (x = 0; x < v->width; x++) {
			px = view_pixel(v, x, y);
			for (ch = 0; ch < 3; ch++) {
				if (!v->fmt.true_colour) {
					rgb[ch] = (px & 0xff) < (uint32_t)
					    v->map_entries ?
					    v->map[px & 0xff][ch] >> 8 : 0;
				} else {
					uint32_t max = v->fmt.max[ch];
					uint32_t q = (px >> v->fmt.shift[ch]) &
					    max;

					rgb[ch] = max ?
					    (q * 255 + max / 2) / max : 0;
				}
			}
			fwrite(rgb, 1, 3, f);
		}
	ret = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

/* Levels of one channel of the colour map: what one step is worth. */
static int
map_tolerance(const struct view *v, int ch)
{
	uint8_t	seen[256];
	int	i, levels = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < v->map_entries; i++)
		if (!seen[v->map[i][ch] >> 8]++)
			levels++;
	if (levels < 2)
		return 0;
	return (255 + levels - 2) / (levels - 1);
}

/* The bits of a true-colour pixel in none of its channels. */
static uint32_t
padding_bits(const struct fmt *f)
{
	uint32_t	pad = f->bpp >= 32 ? 0xffffffffu : (1u << f->bpp) - 1;
	int		ch;

	for (ch = 0; ch < 3; ch++)
		pad &= ~((uint32_t)f->max[ch] << f->shift[ch]);
	return pad;
}

static int
pixel_matches(const struct view *v, uint32_t px, uint32_t want,
    const int tol[3])
{
	uint32_t	pad = padding_bits(&v->fmt) & ~v->unsent;
	int		ch;

	if (v->fmt.true_colour && (px & pad) != pad)
		return 0;
	for (ch = 0; ch < 3; ch++) {
		int	c = (want >> (16 - 8 * ch)) & 0xff;
		long	d;

		if (v->fmt.true_colour) {
			long	max = v->fmt.max[ch];
			long	q = (px >> v->fmt.shift[ch]) & max;

			d = q * 255 - c * max;
			if (d <= -255 || d >= 255)
				return 0;
		} else {
			if ((int)(px & 0xff) >= v->map_entries)
				return 0;
			d = (v->map[px & 0xff][ch] >> 8) - c;
			if (d <= -tol[ch] || d >= tol[ch])
				return 0;
		}
	}
	return 1;
}

struct diff {
	long		count;
	int		x, y;
	uint32_t	got, want;
};

/* Differing pixels of the view and frame idx, up to limit (0: all). */
static long
frame_diff(const struct view *v, const struct frames_file *ff, uint32_t idx,
    long limit, struct diff *d)
{
	int	tol[3] = { 0, 0, 0 };
	int	x, y, ch;

	memset(d, 0, sizeof(*d));
	if (v->width != (int)ff->width || v->height != (int)ff->height) {
		d->count = (long)ff->width * ff->height;
		d->x = d->y = -1;
		return d->count;
	}
	if (!v->fmt.true_colour)
		for (ch = 0; ch < 3; ch++)
			tol[ch] = map_tolerance(v, ch);
	for (y = 0; y < v->height; y++)
		for (x = 0; x < v->width; x++) {
			uint32_t px = view_pixel(v, x, y);
			uint32_t want = frame_pixel(ff, idx, x, y);

			if (pixel_matches(v, px, want, tol))
				continue;
			if (d->count++ == 0) {
				d->x = x;
				d->y = y;
				d->got = px;
				d->want = want;
			}
			if (limit && d->count >= limit)
				return d->count;
		}
	return d->count;
}

/*
 * The PSNR of a true-colour view against frame idx, in dB over the three
 * channels scaled to 8 bits; INFINITY when equal, 0 when the sizes or
 * the kind of format do not allow a comparison.
 */
static double
frame_psnr(const struct view *v, const struct frames_file *ff, uint32_t idx)
{
	uint64_t	sse = 0;
	int		x, y, ch;

	if (!v->fmt.true_colour || v->width != (int)ff->width ||
	    v->height != (int)ff->height)
		return 0;
	for (y = 0; y < v->height; y++)
		for (x = 0; x < v->width; x++) {
			uint32_t px = view_pixel(v, x, y);
			uint32_t want = frame_pixel(ff, idx, x, y);

			for (ch = 0; ch < 3; ch++) {
				long max = v->fmt.max[ch];
				long q = (px >> v->fmt.shift[ch]) & max;
				long c = (want >> (16 - 8 * ch)) & 0xff;
				long d = max ? (q * 255 + max / 2) / max - c : c;

				sse += (uint64_t)(d * d);
			}
		}
	if (sse == 0)
		return INFINITY;
	return 10.0 * log10(255.0 * 255.0 * 3.0 * v->width * v->height /
	    (double)sse);
}

/* Whether the view shows frame idx: exactly, or to the PSNR floor. */
static int
frame_shown(const struct expectation *e, const struct view *v, uint32_t idx)
{
	struct diff	d;

	if (e->min_psnr > 0)
		return frame_psnr(v, &e->ff, idx) >= e->min_psnr;
	return frame_diff(v, &e->ff, idx, 1, &d) == 0;
}

int
expect_open(struct expectation *e, const char *spec, int distinct)
{
	char		*path, *colon, *end;
	const char	*why;
	long		 idx = -1;

	memset(e, 0, sizeof(*e));
	if ((path = strdup(spec)) == NULL)
		return -1;
	if ((colon = strrchr(path, ':')) != NULL && colon[1] != '\0') {
		idx = strtol(colon + 1, &end, 10);
		if (*end == '\0' && idx >= 0)
			*colon = '\0';
		else
			idx = -1;
	}
	if (frames_open(&e->ff, path, &why) == -1) {
		fprintf(stderr, "%s: %s\n", path, why);
		free(path);
		return -1;
	}
	free(path);
	if (idx >= (long)e->ff.count || distinct > (int)e->ff.count) {
		fprintf(stderr, "%s: %u frames only\n", spec, e->ff.count);
		frames_close(&e->ff);
		return -1;
	}
	e->index = idx;
	e->distinct = distinct;
	if ((e->seen = calloc(e->ff.count, 1)) == NULL)
		return -1;
	return 0;
}

int
expect_check(struct expectation *e, const struct view *v)
{
	uint32_t	i;

	e->updates++;
	for (i = 0; i < e->ff.count; i++) {
		if (e->index >= 0 && i != (uint32_t)e->index)
			continue;
		if (!frame_shown(e, v, i))
			continue;
		if (!e->seen[i]) {
			e->seen[i] = 1;
			e->nseen++;
			printf("matched frame %u (%d distinct) after %d "
			    "updates\n", i, e->nseen, e->updates);
			fflush(stdout);
		}
		break;
	}
	if (e->distinct > 0)
		return e->nseen >= e->distinct;
	return e->nseen > 0;
}

void
expect_explain(const struct expectation *e, const struct view *v)
{
	struct diff	d, best;
	uint32_t	i, best_i = 0;

	printf("expectation not met after %d updates: %d distinct frames "
	    "seen", e->updates, e->nseen);
	if (e->distinct > 0)
		printf(", %d wanted", e->distinct);
	printf("\n");
	if (v->pixels == NULL) {
		printf("no framebuffer\n");
		return;
	}
	if (v->width != (int)e->ff.width || v->height != (int)e->ff.height) {
		printf("size %dx%d, frames are %ux%u\n", v->width, v->height,
		    e->ff.width, e->ff.height);
		return;
	}
	if (e->min_psnr > 0) {
		double psnr, best_psnr = -1;

		for (i = 0; i < e->ff.count; i++) {
			if (e->index >= 0 && i != (uint32_t)e->index)
				continue;
			psnr = frame_psnr(v, &e->ff, i);
			if (psnr > best_psnr) {
				best_psnr = psnr;
				best_i = i;
			}
		}
		printf("closest frame %u: PSNR %.1f dB, %.1f dB wanted\n",
		    best_i, best_psnr, e->min_psnr);
		return;
	}
	best.count = -1;
	for (i = 0; i < e->ff.count; i++) {
		if (e->index >= 0 && i != (uint32_t)e->index)
			continue;
		frame_diff(v, &e->ff, i, 0, &d);
		if (best.count < 0 || d.count < best.count) {
			best = d;
			best_i = i;
		}
	}
	printf("closest frame %u: %ld of %d pixels differ", best_i,
	    best.count, v->width * v->height);
	if (best.count > 0)
		printf("; first at (%d,%d): got pixel 0x%08x, want rgb "
		    "0x%06x", best.x, best.y, best.got, best.want);
	printf("\n");
	if (!v->fmt.true_colour && v->map_entries == 0)
		printf("no colour map received\n");
}

void
expect_close(struct expectation *e)
{
	free(e->seen);
	e->seen = NULL;
	frames_close(&e->ff);
}
