/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fbdev source: the legacy framebuffer (/dev/fbN) of a board that has
 * no DRM/KMS driver.  The device is opened read-only and its memory mapped
 * PROT_READ before the sandbox; each frame reads the mode again (the
 * console pans, fbset changes the mode under us) and turns the visible
 * part of the virtual screen into XRGB8888.
 *
 * The pixels are described by the var info's bitfields: 16 bits (RGB565
 * and its relatives), 24 bits packed, 32 bits in any channel order.  A
 * channel of n bits is scaled to 8 exactly, v * 255 / (2^n - 1) rounded to
 * nearest (the broker scales back down the same way, so a client in the
 * framebuffer's own format gets its values back).  Note that pixman, and
 * so QEMU's screendump, replicates bits instead: for 5 and 6 bits a few
 * values differ by one.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/fb.h>

#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/copyout.h"
#include "capture/fbdev.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#define FBDEV_DEFAULT		"/dev/fb0"
/*
 * The device says nothing of what changed: every frame is read whole and
 * the broker compares it.  A console does not need more.
 */
#define FBDEV_FPS		10
/* Reads of the mode that may straddle a change of it (see fbdev_info). */
#define FBDEV_INFO_TRIES	3

struct fbdev {
	char			 path[256];
	int			 fd;
	const uint8_t		*map;		/* MAP_FAILED: none yet */
	size_t			 map_len;
	struct fb_var_screeninfo var;		/* as last taken */
	struct fb_fix_screeninfo fix;
	struct fbdev_format	 fmt;
	uint8_t			*row;		/* one row of device pixels */
	size_t			 row_len;
	/* The changed tiles; and the picture converted, for those modes
	 * that are not copied straight from the device. */
	struct copyout		*co;
	uint8_t			*conv;
};

static int
channel_init(struct fbdev_channel *c, const char *name,
    const struct fb_bitfield *bf, uint32_t bpp, char *why, size_t whylen)
{
	uint32_t max;

	if (bf->length == 0) {
		snprintf(why, whylen, "the pixel has no %s field", name);
		return -1;
	}
	if (bf->msb_right != 0) {
		snprintf(why, whylen, "the %s field has its most significant "
		    "bit on the right: not read", name);
		return -1;
	}
	if (bf->offset >= bpp || bf->length > bpp - bf->offset) {
		snprintf(why, whylen, "the %s field (%u bits at bit %u) goes "
		    "beyond the %u bits of a pixel", name, bf->length,
		    bf->offset, bpp);
		return -1;
	}
	if (bf->length > FBDEV_CHANNEL_BITS) {
		snprintf(why, whylen, "the %s field has %u bits: at most %d "
		    "are read", name, bf->length, FBDEV_CHANNEL_BITS);
		return -1;
	}
	c->offset = (uint8_t)bf->offset;
	c->length = (uint8_t)bf->length;
	max = (1u << bf->length) - 1;
	for (uint32_t v = 0; v <= max; v++)
		c->to8[v] = (uint8_t)((v * 255 + max / 2) / max);
	return 0;
}

static uint32_t
channel_mask(const struct fbdev_channel *c)
{
	return ((1u << c->length) - 1) << c->offset;
}

int
fbdev_format_init(struct fbdev_format *f, const struct fb_var_screeninfo *var,
    const struct fb_fix_screeninfo *fix, char *why, size_t whylen)
{
	uint32_t bpp = var->bits_per_pixel;

	memset(f, 0, sizeof(*f));
	if (fix->type != FB_TYPE_PACKED_PIXELS) {
		snprintf(why, whylen, "framebuffer type %u: only packed pixels "
		    "are read", fix->type);
		return -1;
	}
	/* Direct colour has ramps per channel; a console sets them
	 * linear, so its pixels are read as true colour. */
	if (fix->visual != FB_VISUAL_TRUECOLOR &&
	    fix->visual != FB_VISUAL_DIRECTCOLOR) {
		snprintf(why, whylen, "visual %u (%s): only true colour is "
		    "read", fix->visual,
		    fix->visual == FB_VISUAL_PSEUDOCOLOR ||
		    fix->visual == FB_VISUAL_STATIC_PSEUDOCOLOR ?
		    "a colour map" : fix->visual == FB_VISUAL_MONO01 ||
		    fix->visual == FB_VISUAL_MONO10 ? "monochrome" : "other");
		return -1;
	}
	if (var->grayscale != 0 || var->nonstd != 0) {
		snprintf(why, whylen, "a grayscale or non-standard pixel "
		    "format (grayscale %u, nonstd %u) is not read",
		    var->grayscale, var->nonstd);
		return -1;
	}
	if (bpp != 16 && bpp != 24 && bpp != 32) {
		snprintf(why, whylen, "%u bits per pixel: only 16, 24 and 32 "
		    "are read", bpp);
		return -1;
	}
	f->bpp = bpp;
	if (channel_init(&f->r, "red", &var->red, bpp, why, whylen) < 0 ||
	    channel_init(&f->g, "green", &var->green, bpp, why, whylen) < 0 ||
	    channel_init(&f->b, "blue", &var->blue, bpp, why, whylen) < 0)
		return -1;
	if ((channel_mask(&f->r) & channel_mask(&f->g)) != 0 ||
	    (channel_mask(&f->r) & channel_mask(&f->b)) != 0 ||
	    (channel_mask(&f->g) & channel_mask(&f->b)) != 0) {
		snprintf(why, whylen, "the colour fields overlap (red %u:%u, "
		    "green %u:%u, blue %u:%u, offset:length)", f->r.offset,
		    f->r.length, f->g.offset, f->g.length, f->b.offset,
		    f->b.length);
		return -1;
	}
	f->xrgb = BYTE_ORDER == LITTLE_ENDIAN && bpp == 32 &&
	    f->r.offset == 16 && f->r.length == 8 &&
	    f->g.offset == 8 && f->g.length == 8 &&
	    f->b.offset == 0 && f->b.length == 8;
	return 0;
}

/* One pixel value p of the device to an XRGB8888 word, little-endian. */
static inline void
put_pixel(const struct fbdev_format *f, uint8_t *dst, uint32_t p)
{
	const struct fbdev_channel *r = &f->r, *g = &f->g, *b = &f->b;
	uint32_t w;

	w = (uint32_t)r->to8[(p >> r->offset) & ((1u << r->length) - 1)] << 16 |
	    (uint32_t)g->to8[(p >> g->offset) & ((1u << g->length) - 1)] << 8 |
	    b->to8[(p >> b->offset) & ((1u << b->length) - 1)];
	w = htole32(w);
	memcpy(dst, &w, 4);
}

/* The same for channels of 8 bits at ro, go, bo, which need no table. */
static inline void
put_pixel8(uint8_t *dst, uint32_t p, uint32_t ro, uint32_t go, uint32_t bo)
{
	uint32_t w;

	w = (p >> ro & 0xff) << 16 | (p >> go & 0xff) << 8 | (p >> bo & 0xff);
	w = htole32(w);
	memcpy(dst, &w, 4);
}

void
fbdev_convert_row(const struct fbdev_format *f, uint8_t *dst,
    const uint8_t *src, uint32_t width)
{
	int eight = f->r.length == 8 && f->g.length == 8 && f->b.length == 8;
	/* In locals: as far as the compiler knows, a store to dst could
	 * change f's fields, which it would then read at every pixel. */
	uint32_t ro = f->r.offset, go = f->g.offset, bo = f->b.offset;
	uint16_t p16;
	uint32_t p32;

	/* 16 and 32 bits are words of the machine's order; 24 bits are
	 * three bytes, the lowest first, as fbcon writes them. */
	switch (f->bpp) {
	case 16:
		for (uint32_t x = 0; x < width; x++) {
			memcpy(&p16, src + (size_t)x * 2, 2);
			put_pixel(f, dst + (size_t)x * 4, p16);
		}
		break;
	case 24:
		for (uint32_t x = 0; x < width; x++) {
			const uint8_t *s = src + (size_t)x * 3;

			p32 = (uint32_t)s[0] | (uint32_t)s[1] << 8 |
			    (uint32_t)s[2] << 16;
			if (eight)
				put_pixel8(dst + (size_t)x * 4, p32, ro, go, bo);
			else
				put_pixel(f, dst + (size_t)x * 4, p32);
		}
		break;
	case 32:
		if (eight) {
			for (uint32_t x = 0; x < width; x++) {
				memcpy(&p32, src + (size_t)x * 4, 4);
				put_pixel8(dst + (size_t)x * 4, p32, ro, go, bo);
			}
			break;
		}
		for (uint32_t x = 0; x < width; x++) {
			memcpy(&p32, src + (size_t)x * 4, 4);
			put_pixel(f, dst + (size_t)x * 4, p32);
		}
		break;
	}
}

int
fbdev_view_check(const struct fb_var_screeninfo *var,
    const struct fb_fix_screeninfo *fix, size_t map_len, char *why,
    size_t whylen)
{
	uint64_t bypp = var->bits_per_pixel / 8, row_end, lines, end;

	if (var->xres == 0 || var->yres == 0 || var->xres > FBDEV_MAX_SIDE ||
	    var->yres > FBDEV_MAX_SIDE) {
		snprintf(why, whylen, "a screen of %ux%u: each side must be 1 "
		    "to %d", var->xres, var->yres, FBDEV_MAX_SIDE);
		return -1;
	}
	if (bypp == 0 || var->bits_per_pixel % 8 != 0) {
		snprintf(why, whylen, "%u bits per pixel", var->bits_per_pixel);
		return -1;
	}
	row_end = ((uint64_t)var->xoffset + var->xres) * bypp;
	if (row_end > fix->line_length) {
		snprintf(why, whylen, "a row of %u pixels at x %u, %u bits "
		    "each, does not fit a line of %u bytes", var->xres,
		    var->xoffset, var->bits_per_pixel, fix->line_length);
		return -1;
	}
	if (var->vmode & FB_VMODE_YWRAP) {
		if (var->yres > var->yres_virtual ||
		    var->yoffset >= var->yres_virtual) {
			snprintf(why, whylen, "%u rows at y %u do not wrap "
			    "inside %u", var->yres, var->yoffset,
			    var->yres_virtual);
			return -1;
		}
		lines = var->yres_virtual;
	} else
		lines = (uint64_t)var->yoffset + var->yres;
	end = (lines - 1) * fix->line_length + row_end;
	if (end > map_len) {
		snprintf(why, whylen, "the visible %ux%u at %u,%u (lines of %u "
		    "bytes) ends at byte %llu, beyond the %zu bytes mapped",
		    var->xres, var->yres, var->xoffset, var->yoffset,
		    fix->line_length, (unsigned long long)end, map_len);
		return -1;
	}
	return 0;
}

/*
 * Rows of 32-bit pixels that are XRGB8888 already, copied as they are:
 * the two bands of a y-wrapped view.  The common case, one band, goes
 * straight from the device through copyout_copy() (fbdev_grab).
 */
static void
fb_copy_rows(uint8_t *dst, size_t dst_stride, const uint8_t *src,
    size_t src_stride, uint32_t width, uint32_t height)
{
	for (uint32_t y = 0; y < height; y++)
		memcpy(dst + y * dst_stride, src + y * src_stride,
		    (size_t)width * 4);
}

void
fbdev_copy_view(const struct fbdev_format *f, uint8_t *dst,
    const uint8_t *map, const struct fb_var_screeninfo *var,
    const struct fb_fix_screeninfo *fix, uint8_t *row)
{
	size_t bypp = f->bpp / 8, line = fix->line_length;
	size_t dst_stride = (size_t)var->xres * 4;
	const uint8_t *base = map + (size_t)var->xoffset * bypp;
	uint32_t first = var->yres;

	/* With y-wrap the rows past the end of the virtual screen are its
	 * first ones: the picture is two bands. */
	if ((var->vmode & FB_VMODE_YWRAP) &&
	    (uint64_t)var->yoffset + var->yres > var->yres_virtual)
		first = var->yres_virtual - var->yoffset;
	if (f->xrgb) {
		fb_copy_rows(dst, dst_stride, base + var->yoffset * line, line,
		    var->xres, first);
		fb_copy_rows(dst + first * dst_stride, dst_stride, base, line,
		    var->xres, var->yres - first);
		return;
	}
	/*
	 * Device memory is uncached or write-combined: a read of two or
	 * three bytes is a bus transaction of its own.  One memcpy of the
	 * row reads it in wide loads, and the conversion reads the copy.
	 */
	for (uint32_t y = 0; y < var->yres; y++) {
		size_t l = y < first ? var->yoffset + y : y - first;

		memcpy(row, base + l * line, (size_t)var->xres * bypp);
		fbdev_convert_row(f, dst + y * dst_stride, row, var->xres);
	}
}

/*
 * The var and fix info of the device.  fbset changes both at once under
 * the device's lock, but they are read by two calls: when the mode read
 * after fix differs from the one before, they straddled a change, and are
 * read again.
 */
static int
fbdev_info(int fd, struct fb_var_screeninfo *var, struct fb_fix_screeninfo *fix)
{
	struct fb_var_screeninfo again;

	for (int i = 0; i < FBDEV_INFO_TRIES; i++) {
		if (ioctl(fd, FBIOGET_VSCREENINFO, var) < 0 ||
		    ioctl(fd, FBIOGET_FSCREENINFO, fix) < 0 ||
		    ioctl(fd, FBIOGET_VSCREENINFO, &again) < 0)
			return -1;
		if (var->xres == again.xres && var->yres == again.yres &&
		    var->xres_virtual == again.xres_virtual &&
		    var->yres_virtual == again.yres_virtual &&
		    var->bits_per_pixel == again.bits_per_pixel)
			break;
	}
	return 0;
}

/* What the pixels are: a change of any of it builds a new converter. */
static int
format_same(const struct fb_var_screeninfo *a, const struct fb_fix_screeninfo *fa,
    const struct fb_var_screeninfo *b, const struct fb_fix_screeninfo *fb)
{
	return a->bits_per_pixel == b->bits_per_pixel &&
	    a->grayscale == b->grayscale && a->nonstd == b->nonstd &&
	    memcmp(&a->red, &b->red, sizeof(a->red)) == 0 &&
	    memcmp(&a->green, &b->green, sizeof(a->green)) == 0 &&
	    memcmp(&a->blue, &b->blue, sizeof(a->blue)) == 0 &&
	    fa->type == fb->type && fa->visual == fb->visual;
}

/*
 * Make var and fix, as just read, the state of fb: a converter for a new
 * pixel format, a new mapping when the memory moved or changed size, a
 * row buffer for a new width; and the visible part inside the mapping.
 * Returns 0, or -1 with the reason in why.
 */
static int
fbdev_take(struct fbdev *fb, const struct fb_var_screeninfo *var,
    const struct fb_fix_screeninfo *fix, char *why, size_t whylen)
{
	struct fbdev_format fmt;
	int new_format = fb->map == MAP_FAILED ||
	    !format_same(&fb->var, &fb->fix, var, fix);
	size_t row_len;

	if (new_format && fbdev_format_init(&fmt, var, fix, why, whylen) < 0)
		return -1;
	if (fix->smem_len == 0) {
		snprintf(why, whylen, "the framebuffer has no memory to map");
		return -1;
	}
	if (fb->map == MAP_FAILED || fix->smem_len != fb->fix.smem_len ||
	    fix->smem_start != fb->fix.smem_start) {
		void *m = mmap(NULL, fix->smem_len, PROT_READ, MAP_SHARED,
		    fb->fd, 0);

		if (m == MAP_FAILED) {
			snprintf(why, whylen, "mmap of %u bytes: %s",
			    fix->smem_len, strerror(errno));
			return -1;
		}
		if (fb->map != MAP_FAILED)
			munmap((void *)fb->map, fb->map_len);
		fb->map = m;
		fb->map_len = fix->smem_len;
	}
	if (fbdev_view_check(var, fix, fb->map_len, why, whylen) < 0)
		return -1;
	row_len = (size_t)var->xres * (var->bits_per_pixel / 8);
	if (row_len > fb->row_len) {
		uint8_t *row = realloc(fb->row, row_len);

		if (row == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		fb->row = row;
		fb->row_len = row_len;
	}
	if (new_format)
		fb->fmt = fmt;
	fb->var = *var;
	fb->fix = *fix;
	return 0;
}

/* The mode at info level: what a test against the device's own picture
 * (QEMU's screendump) needs to know. */
static void
fbdev_log_mode(const struct fbdev *fb, const char *what)
{
	const struct fb_var_screeninfo *v = &fb->var;
	char id[sizeof(fb->fix.id) + 1];
	size_t i;

	for (i = 0; i < sizeof(fb->fix.id) && fb->fix.id[i] != '\0'; i++)
		id[i] = isprint((unsigned char)fb->fix.id[i]) ?
		    fb->fix.id[i] : '?';
	id[i] = '\0';
	log_info("fbdev %s (%s): %s%ux%u at %u,%u of %ux%u%s, %u bpp "
	    "(red %u:%u green %u:%u blue %u:%u)%s, lines of %u bytes, "
	    "%zu bytes mapped", fb->path, id, what, v->xres, v->yres,
	    v->xoffset, v->yoffset, v->xres_virtual, v->yres_virtual,
	    v->vmode & FB_VMODE_YWRAP ? " (y-wrap)" : "", v->bits_per_pixel,
	    v->red.offset, v->red.length, v->green.offset, v->green.length,
	    v->blue.offset, v->blue.length,
	    fb->fmt.xrgb ? ", copied as XRGB8888" : ", converted",
	    fb->fix.line_length, fb->map_len);
}

static void
fbdev_close(void *state)
{
	struct fbdev *fb = state;

	if (fb->map != MAP_FAILED)
		munmap((void *)fb->map, fb->map_len);
	if (fb->fd >= 0)
		close(fb->fd);
	free(fb->row);
	free(fb->conv);
	copyout_free(fb->co);
	free(fb);
}

static void *
fbdev_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	const char *path = arg != NULL ? arg : FBDEV_DEFAULT;
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	struct fbdev *fb;
	char reason[256];

	if ((fb = calloc(1, sizeof(*fb))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	fb->fd = -1;
	fb->map = MAP_FAILED;
	if (strlen(path) >= sizeof(fb->path)) {
		snprintf(why, whylen, "a device path of %zu bytes is too long",
		    strlen(path));
		goto fail;
	}
	snprintf(fb->path, sizeof(fb->path), "%s", path);
	/* Reading is all we do: the mapping is PROT_READ. */
	if ((fb->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fbdev_info(fb->fd, &var, &fix) < 0) {
		snprintf(why, whylen, "%s: %s%s", path, strerror(errno),
		    errno == ENOTTY ? " (not a framebuffer)" : "");
		goto fail;
	}
	if (fbdev_take(fb, &var, &fix, reason, sizeof(reason)) < 0) {
		snprintf(why, whylen, "%s: %s", path, reason);
		goto fail;
	}
	fbdev_log_mode(fb, "");
	if (fix.visual == FB_VISUAL_DIRECTCOLOR)
		log_info("fbdev %s: direct colour, read as true colour", path);
	return fb;
fail:
	fbdev_close(fb);
	return NULL;
}

static int
fbdev_describe(void *state, struct capture_mode *mode)
{
	struct fbdev *fb = state;

	free(fb->conv);
	copyout_free(fb->co);
	fb->conv = malloc((size_t)fb->var.xres * 4 * fb->var.yres);
	fb->co = copyout_new(fb->var.xres, fb->var.yres);
	if (fb->conv == NULL || fb->co == NULL) {
		log_warnx("fbdev %s: out of memory for %ux%u", fb->path,
		    fb->var.xres, fb->var.yres);
		return -1;
	}

	*mode = (struct capture_mode){
		.width = fb->var.xres,
		.height = fb->var.yres,
		.stride = fb->var.xres * 4,
		.fourcc = FRAMES_FOURCC_XRGB8888,
		.fps = FBDEV_FPS,
		.kind = IPC_FRAME_PIXELS,
		.transform = IPC_TRANSFORM_NORMAL,
		.max_length = (size_t)fb->var.xres * 4 * fb->var.yres,
	};
	return 0;
}

static int
fbdev_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct fbdev *fb = state;
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	size_t n, stride;
	char why[256];
	int changed;

	/* Read every frame: the console pans (yoffset), fbset changes the
	 * mode, a driver that takes over the display removes the device. */
	if (fbdev_info(fb->fd, &var, &fix) < 0) {
		if (errno == ENODEV)
			log_warnx("fbdev %s: the device is gone (%s): the "
			    "source ends", fb->path, strerror(errno));
		else
			log_warn("fbdev %s: reading its mode", fb->path);
		return -1;
	}
	if (memcmp(&var, &fb->var, sizeof(var)) != 0 ||
	    memcmp(&fix, &fb->fix, sizeof(fix)) != 0) {
		changed = var.xres != fb->var.xres ||
		    var.yres != fb->var.yres ||
		    var.bits_per_pixel != fb->var.bits_per_pixel ||
		    fix.line_length != fb->fix.line_length;
		if (!format_same(&fb->var, &fb->fix, &var, &fix) && !changed)
			log_info("fbdev %s: the pixel format changed",
			    fb->path);
		if (fbdev_take(fb, &var, &fix, why, sizeof(why)) < 0) {
			log_warnx("fbdev %s: %s", fb->path, why);
			return -1;
		}
		if (changed) {
			fbdev_log_mode(fb, "mode changed to ");
			return SOURCE_MODE_CHANGED;
		}
	}
	n = (size_t)fb->var.xres * 4 * fb->var.yres;
	if (n > size) {
		log_warnx("fbdev %s: a frame of %zu bytes does not fit a slot "
		    "of %zu", fb->path, n, size);
		return -1;
	}
	stride = (size_t)fb->var.xres * 4;
	if (fb->fmt.xrgb && (uint64_t)fb->var.yoffset + fb->var.yres <=
	    fb->var.yres_virtual) {
		/* The common case: straight from the device, in one read. */
		copyout_copy(fb->co, dst, stride, fb->map +
		    (size_t)fb->var.xoffset * 4 +
		    (size_t)fb->var.yoffset * fb->fix.line_length,
		    fb->fix.line_length, f->map);
	} else {
		fbdev_copy_view(&fb->fmt, fb->conv, fb->map, &fb->var,
		    &fb->fix, fb->row);
		copyout_copy(fb->co, dst, stride, fb->conv, stride, f->map);
	}
	f->length = (uint32_t)n;
	f->damage = f->map != NULL ? SOURCE_DAMAGE_MAP : SOURCE_DAMAGE_UNKNOWN;
	return SOURCE_OK;
}

int
fbdev_probe(const char *path, char *why, size_t whylen)
{
	struct fb_var_screeninfo var;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			snprintf(why, whylen, "no %s", path);
		else
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (ioctl(fd, FBIOGET_VSCREENINFO, &var) < 0) {
		snprintf(why, whylen, "%s does not answer FBIOGET_VSCREENINFO: "
		    "%s", path, strerror(errno));
		close(fd);
		return 0;
	}
	close(fd);
	snprintf(why, whylen, "%ux%u, %u bpp", var.xres, var.yres,
	    var.bits_per_pixel);
	return 1;
}

/* The mode, read every frame; nothing else is asked of the device. */
static const unsigned long fbdev_ioctls[] = {
	FBIOGET_VSCREENINFO, FBIOGET_FSCREENINFO,
};

static const struct sandbox_needs fbdev_needs = {
	.ioctls = fbdev_ioctls,
	.nioctls = sizeof(fbdev_ioctls) / sizeof(fbdev_ioctls[0]),
};

const struct source_ops source_fbdev = {
	.open = fbdev_open,
	.describe = fbdev_describe,
	.grab = fbdev_grab,
	.close = fbdev_close,
	.needs = &fbdev_needs,
};
