/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xwd-compare [--at X,Y | --find] [--psnr DB] SHOT.xwd FILE.frames INDEX
 * xwd-compare --ppm OUT.ppm SHOT.xwd
 *
 * Checks a screenshot taken with xwd(1) against what rampart served:
 * the region of the screenshot at X,Y (0,0 unless told) must equal frame
 * INDEX of a .frames file, pixel for pixel.  With --find, looks for the
 * place where the whole frame shows and prints it as "X Y".  Exits 0 on
 * a match, 1 on a mismatch (saying how many pixels differ and the first),
 * 2 when a file cannot be read.  --ppm converts the screenshot, to look at.
 *
 * With --psnr, for a viewer shown JPEG: the region matches when its peak
 * signal-to-noise ratio against the frame (8-bit channels, all three) is
 * at least DB; --find then takes the place that matches best, judged on
 * a grid of samples first.  The PSNR is printed either way.
 *
 * The XWD file is parsed here, not with Xlib: a header of big-endian
 * CARD32 fields and the window's name, big-endian colour entries, then
 * the image in the byte order the header names.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/frames.h"

#define XWD_VERSION		7
#define XWD_HEADER_FIELDS	25
#define XWD_COLOR_SIZE		12
#define XWD_ZPIXMAP		2
#define XWD_MSBFIRST		1
#define XWD_PSEUDOCOLOR		3	/* classes up to here use the colormap */

/* Fields of the XWD header, by index. */
enum {
	H_HEADER_SIZE, H_VERSION, H_FORMAT, H_DEPTH, H_WIDTH, H_HEIGHT,
	H_XOFFSET, H_BYTE_ORDER, H_BITMAP_UNIT, H_BIT_ORDER, H_BITMAP_PAD,
	H_BPP, H_BPL, H_CLASS, H_RED_MASK, H_GREEN_MASK, H_BLUE_MASK,
	H_BITS_PER_RGB, H_CMAP_ENTRIES, H_NCOLORS
};

struct xwd {
	uint8_t		*buf;
	size_t		 size;
	uint32_t	 width, height, bpl, bpp, byte_order, vclass;
	uint32_t	 mask[3], ncolors;
	const uint8_t	*colors, *image;
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
read_file(const char *path, uint8_t **bufp, size_t *sizep)
{
	FILE		*fp;
	uint8_t		*buf = NULL, *nbuf;
	size_t		 size = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = fread(buf + size, 1, cap - size, fp);
		size += n;
		if (n == 0)
			break;
	}
	if (ferror(fp))
		goto fail;
	fclose(fp);
	*bufp = buf;
	*sizep = size;
	return 0;
fail:
	free(buf);
	fclose(fp);
	return -1;
}

static int
xwd_load(struct xwd *x, const char *path, const char **why)
{
	uint32_t	 h[XWD_HEADER_FIELDS];
	size_t		 colors_at, image_at;
	int		 i;

	memset(x, 0, sizeof(*x));
	if (read_file(path, &x->buf, &x->size) == -1) {
		*why = strerror(errno);
		return -1;
	}
	*why = "truncated header";
	if (x->size < sizeof(h))
		return -1;
	for (i = 0; i < XWD_HEADER_FIELDS; i++)
		h[i] = be32(x->buf + i * 4);
	*why = "not an XWD file of version 7";
	if (h[H_VERSION] != XWD_VERSION || h[H_HEADER_SIZE] < sizeof(h) ||
	    h[H_HEADER_SIZE] > x->size)
		return -1;
	*why = "not a ZPixmap of 8, 16, 24 or 32 bits per pixel";
	if (h[H_FORMAT] != XWD_ZPIXMAP || h[H_BPP] == 0 || h[H_BPP] > 32 ||
	    h[H_BPP] % 8 != 0)
		return -1;
	x->width = h[H_WIDTH];
	x->height = h[H_HEIGHT];
	x->bpl = h[H_BPL];
	x->bpp = h[H_BPP];
	x->byte_order = h[H_BYTE_ORDER];
	x->vclass = h[H_CLASS];
	x->mask[0] = h[H_RED_MASK];
	x->mask[1] = h[H_GREEN_MASK];
	x->mask[2] = h[H_BLUE_MASK];
	x->ncolors = h[H_NCOLORS];
	*why = "bad image size";
	if (x->width == 0 || x->height == 0 || x->width > 65535 ||
	    x->height > 65535 || x->ncolors > 1 << 24 ||
	    (uint64_t)x->width * (x->bpp / 8) > x->bpl)
		return -1;
	colors_at = h[H_HEADER_SIZE];
	image_at = colors_at + (size_t)x->ncolors * XWD_COLOR_SIZE;
	*why = "truncated image";
	if (image_at > x->size ||
	    (uint64_t)x->bpl * x->height > x->size - image_at)
		return -1;
	x->colors = x->buf + colors_at;
	x->image = x->buf + image_at;
	*why = NULL;
	return 0;
}

/* A channel of a true-colour pixel, to 8 bits. */
static uint32_t
channel(uint32_t pixel, uint32_t mask)
{
	uint32_t	 v, bits = 0;

	if (mask == 0)
		return 0;
	while ((mask & 1) == 0) {
		mask >>= 1;
		pixel >>= 1;
	}
	v = pixel & mask;
	while (mask) {
		bits++;
		mask >>= 1;
	}
	if (bits >= 8)
		return v >> (bits - 8);
	return v * 255 / ((1u << bits) - 1);
}

/* The colour at (px, py) as 0xRRGGBB. */
static uint32_t
xwd_rgb(const struct xwd *x, uint32_t px, uint32_t py)
{
	const uint8_t	*p;
	uint32_t	 pixel = 0, n = x->bpp / 8, i;

	p = x->image + (size_t)py * x->bpl + (size_t)px * n;
	for (i = 0; i < n; i++) {
		if (x->byte_order == XWD_MSBFIRST)
			pixel = pixel << 8 | p[i];
		else
			pixel |= (uint32_t)p[i] << (8 * i);
	}
	if (x->vclass <= XWD_PSEUDOCOLOR) {
		for (i = 0; i < x->ncolors; i++) {
			p = x->colors + (size_t)i * XWD_COLOR_SIZE;
			if (be32(p) == pixel)
				return (uint32_t)p[4] << 16 |
				    (uint32_t)p[6] << 8 | p[8];
		}
		return 0;
	}
	return channel(pixel, x->mask[0]) << 16 |
	    channel(pixel, x->mask[1]) << 8 | channel(pixel, x->mask[2]);
}

static uint32_t
frame_rgb(const struct frames_file *ff, const uint8_t *frame, uint32_t px,
    uint32_t py)
{
	const uint8_t	*p = frame + (size_t)py * ff->stride + (size_t)px * 4;

	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * Pixels of the frame that differ from the screenshot at (ox, oy); stops
 * at the first when first_only, and reports it in *fx, *fy.
 */
static uint64_t
differences(const struct xwd *x, const struct frames_file *ff,
    const uint8_t *frame, uint32_t ox, uint32_t oy, int first_only,
    uint32_t *fx, uint32_t *fy)
{
	uint64_t	 n = 0;
	uint32_t	 px, py;

	for (py = 0; py < ff->height; py++)
		for (px = 0; px < ff->width; px++) {
			if (xwd_rgb(x, ox + px, oy + py) ==
			    frame_rgb(ff, frame, px, py))
				continue;
			if (n++ == 0) {
				*fx = px;
				*fy = py;
				if (first_only)
					return n;
			}
		}
	return n;
}

/*
 * The PSNR of the frame against the screenshot at (ox, oy), in dB, over
 * every step-th pixel of every step-th row; INFINITY when they are equal.
 */
static double
psnr_at(const struct xwd *x, const struct frames_file *ff,
    const uint8_t *frame, uint32_t ox, uint32_t oy, uint32_t step)
{
	uint64_t	 sse = 0, n = 0;
	uint32_t	 px, py, a, b;
	int		 shift, d;

	for (py = 0; py < ff->height; py += step)
		for (px = 0; px < ff->width; px += step) {
			a = xwd_rgb(x, ox + px, oy + py);
			b = frame_rgb(ff, frame, px, py);
			for (shift = 0; shift < 24; shift += 8) {
				d = (int)((a >> shift) & 0xff) -
				    (int)((b >> shift) & 0xff);
				sse += (uint64_t)(d * d);
			}
			n += 3;
		}
	if (sse == 0)
		return INFINITY;
	return 10.0 * log10(255.0 * 255.0 * (double)n / (double)sse);
}

/* The lossy check at (ox, oy): PSNR at least min_psnr. */
static int
psnr_check(const struct xwd *x, const struct frames_file *ff,
    const uint8_t *frame, uint32_t ox, uint32_t oy, double min_psnr)
{
	double psnr = psnr_at(x, ff, frame, ox, oy, 1);

	printf("%ux%u at %u,%u: PSNR %.1f dB, %s the floor of %.1f dB\n",
	    ff->width, ff->height, ox, oy, psnr,
	    psnr >= min_psnr ? "at or above" : "below", min_psnr);
	return psnr >= min_psnr ? 0 : 1;
}

/* The check at (ox, oy): exact, or to min_psnr when it is set. */
static int
compare_at(const struct xwd *x, const struct frames_file *ff,
    const uint8_t *frame, uint32_t ox, uint32_t oy, double min_psnr)
{
	uint64_t	 n;
	uint32_t	 fx = 0, fy = 0;

	if ((uint64_t)ox + ff->width > x->width ||
	    (uint64_t)oy + ff->height > x->height) {
		printf("a %ux%u frame at %u,%u does not fit a %ux%u "
		    "screenshot\n", ff->width, ff->height, ox, oy, x->width,
		    x->height);
		return 1;
	}
	if (min_psnr > 0)
		return psnr_check(x, ff, frame, ox, oy, min_psnr);
	n = differences(x, ff, frame, ox, oy, 0, &fx, &fy);
	if (n == 0) {
		printf("%ux%u at %u,%u: all pixels equal\n", ff->width,
		    ff->height, ox, oy);
		return 0;
	}
	printf("%ux%u at %u,%u: %llu of %llu pixels differ, the first at "
	    "%u,%u of the frame: screen #%06x, frame #%06x\n", ff->width,
	    ff->height, ox, oy, (unsigned long long)n,
	    (unsigned long long)ff->width * ff->height, fx, fy,
	    xwd_rgb(x, ox + fx, oy + fy), frame_rgb(ff, frame, fx, fy));
	return 1;
}

/* Where the frame matches best, judged on a grid of samples. */
static void
best_place(const struct xwd *x, const struct frames_file *ff,
    const uint8_t *frame, uint32_t *bx, uint32_t *by)
{
	uint32_t	 ox, oy;
	double		 psnr, best = -1.0;

	for (oy = 0; oy + ff->height <= x->height; oy++)
		for (ox = 0; ox + ff->width <= x->width; ox++) {
			psnr = psnr_at(x, ff, frame, ox, oy, 7);
			if (psnr > best) {
				best = psnr;
				*bx = ox;
				*by = oy;
			}
		}
}

static int
find(const struct xwd *x, const struct frames_file *ff, const uint8_t *frame,
    double min_psnr)
{
	uint32_t	 ox, oy, fx, fy;

	if (ff->width > x->width || ff->height > x->height) {
		printf("a %ux%u frame does not fit a %ux%u screenshot\n",
		    ff->width, ff->height, x->width, x->height);
		return 1;
	}
	if (min_psnr > 0) {
		ox = oy = 0;
		best_place(x, ff, frame, &ox, &oy);
		if (psnr_at(x, ff, frame, ox, oy, 1) >= min_psnr) {
			printf("%u %u\n", ox, oy);
			return 0;
		}
		printf("the %ux%u frame shows nowhere in the %ux%u screenshot "
		    "at a PSNR of %.1f dB; at best ", ff->width, ff->height,
		    x->width, x->height, min_psnr);
		psnr_check(x, ff, frame, ox, oy, min_psnr);
		return 1;
	}
	for (oy = 0; oy + ff->height <= x->height; oy++)
		for (ox = 0; ox + ff->width <= x->width; ox++)
			if (differences(x, ff, frame, ox, oy, 1, &fx,
			    &fy) == 0) {
				printf("%u %u\n", ox, oy);
				return 0;
			}
	printf("the %ux%u frame shows nowhere in the %ux%u screenshot\n",
	    ff->width, ff->height, x->width, x->height);
	return 1;
}

static int
write_ppm(const struct xwd *x, const char *path)
{
	FILE		*fp;
	uint32_t	 px, py, rgb;

	if ((fp = fopen(path, "wb")) == NULL) {
		perror(path);
		return 2;
	}
	fprintf(fp, "P6\n%u %u\n255\n", x->width, x->height);
	for (py = 0; py < x->height; py++)
		for (px = 0; px < x->width; px++) {
			rgb = xwd_rgb(x, px, py);
			putc(rgb >> 16, fp);
			putc((rgb >> 8) & 0xff, fp);
			putc(rgb & 0xff, fp);
		}
	if (ferror(fp) | fclose(fp)) {
		perror(path);
		return 2;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: xwd-compare [--at X,Y | --find] [--psnr DB] SHOT.xwd "
	    "FILE.frames INDEX\n"
	    "       xwd-compare --ppm OUT.ppm SHOT.xwd\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "at",		required_argument,	NULL, 'a' },
		{ "find",	no_argument,		NULL, 'f' },
		{ "ppm",	required_argument,	NULL, 'p' },
		{ "psnr",	required_argument,	NULL, 'q' },
		{ NULL,		0,			NULL, 0 }
	};
	struct xwd		 x;
	struct frames_file	 ff;
	const char		*why, *ppm = NULL;
	unsigned long		 index;
	unsigned int		 ox = 0, oy = 0;
	double			 min_psnr = 0;
	char			*end, c;
	int			 ch, do_find = 0, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (sscanf(optarg, "%u,%u%c", &ox, &oy, &c) != 2)
				usage();
			break;
		case 'f':
			do_find = 1;
			break;
		case 'p':
			ppm = optarg;
			break;
		case 'q':
			min_psnr = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(min_psnr > 0))
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (ppm != NULL ? argc != 1 : argc != 3)
		usage();
	if (xwd_load(&x, argv[0], &why) == -1) {
		fprintf(stderr, "%s: %s\n", argv[0], why);
		return 2;
	}
	if (ppm != NULL) {
		rc = write_ppm(&x, ppm);
		free(x.buf);
		return rc;
	}
	if (frames_open(&ff, argv[1], &why) == -1) {
		fprintf(stderr, "%s: %s\n", argv[1], why);
		return 2;
	}
	errno = 0;
	index = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || errno != 0 ||
	    index >= ff.count) {
		fprintf(stderr, "%s: no frame %s\n", argv[1], argv[2]);
		return 2;
	}
	if (do_find)
		rc = find(&x, &ff, frames_frame(&ff, index), min_psnr);
	else
		rc = compare_at(&x, &ff, frames_frame(&ff, index), ox, oy,
		    min_psnr);
	frames_close(&ff);
	free(x.buf);
	return rc;
}
