/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fbdev source.  First its pure parts against values computed by
 * hand: the bitfields of a pixel to a converter (RGB565, BGR and XRGB in
 * 32 bits, packed 24 bits, 10-bit channels; bad ones refused with their
 * reason), and the visible part of a panned virtual screen.  Then the
 * source itself on a framebuffer made in memory: the test is linked with
 * -Wl,--wrap=ioctl, so the source's FBIOGET_VSCREENINFO and
 * FBIOGET_FSCREENINFO on a memfd are answered from fake_var and
 * fake_fix, while its open() and mmap() are real.  Panning, fbset (a mode
 * change), a change of the bitfields alone, memory that grows, and a
 * device that goes away; "auto" picking it; and a frame grabbed under the
 * capture helper's real seccomp policy with fbdev's needs.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/fb.h>
#include <linux/seccomp.h>

#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/fbdev.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/log.h"
#include "common/registry.h"
#include "sandbox/sandbox.h"
#include "tests/tap.h"

/* The fake device: what the two ioctls answer. */
static struct fb_var_screeninfo fake_var;
static struct fb_fix_screeninfo fake_fix;
static int fake_gone;
/* The memfd that plays the device (its inode): other files are not one. */
static ino_t fake_ino;

int	__real_ioctl(int fd, unsigned long req, ...);
int	__wrap_ioctl(int fd, unsigned long req, ...);

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	struct stat st;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((req != FBIOGET_VSCREENINFO && req != FBIOGET_FSCREENINFO) ||
	    fstat(fd, &st) < 0 || st.st_ino != fake_ino)
		return __real_ioctl(fd, req, arg);
	/* The real call too (a memfd answers ENOTTY): under the sandbox it
	 * is what the policy must let through. */
	(void)__real_ioctl(fd, req, arg);
	if (fake_gone) {
		errno = ENODEV;
		return -1;
	}
	if (req == FBIOGET_VSCREENINFO)
		memcpy(arg, &fake_var, sizeof(fake_var));
	else
		memcpy(arg, &fake_fix, sizeof(fake_fix));
	return 0;
}

static void
bits(struct fb_var_screeninfo *v, struct fb_fix_screeninfo *f, uint32_t bpp,
    uint32_t ro, uint32_t rl, uint32_t go, uint32_t gl, uint32_t bo,
    uint32_t bl)
{
	v->bits_per_pixel = bpp;
	v->red = (struct fb_bitfield){ ro, rl, 0 };
	v->green = (struct fb_bitfield){ go, gl, 0 };
	v->blue = (struct fb_bitfield){ bo, bl, 0 };
	v->transp = (struct fb_bitfield){ 0, 0, 0 };
	v->grayscale = 0;
	v->nonstd = 0;
	f->type = FB_TYPE_PACKED_PIXELS;
	f->visual = FB_VISUAL_TRUECOLOR;
}

/* Convert n pixels (src) by the bitfields and compare with want (n * 4
 * bytes, B G R X), saying which pixel differs. */
static void
check_row(const char *name, const struct fb_var_screeninfo *v,
    const struct fb_fix_screeninfo *f, const uint8_t *src, uint32_t n,
    const uint8_t *want)
{
	struct fbdev_format fmt;
	uint8_t dst[64];
	char why[256];

	if (!ok(fbdev_format_init(&fmt, v, f, why, sizeof(why)) == 0,
	    "%s: a format", name)) {
		diag("refused: %s", why);
		return;
	}
	memset(dst, 0xee, sizeof(dst));
	fbdev_convert_row(&fmt, dst, src, n);
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(dst + i * 4, want + i * 4, 4) != 0) {
			ok(0, "%s: pixel %u is B G R X %02x %02x %02x %02x, "
			    "not %02x %02x %02x %02x", name, i, dst[i * 4],
			    dst[i * 4 + 1], dst[i * 4 + 2], dst[i * 4 + 3],
			    want[i * 4], want[i * 4 + 1], want[i * 4 + 2],
			    want[i * 4 + 3]);
			return;
		}
	ok(dst[n * 4] == 0xee, "%s: %u pixels as computed by hand, and not "
	    "one more", name, n);
}

static void
check_refused(const char *name, const struct fb_var_screeninfo *v,
    const struct fb_fix_screeninfo *f, const char *reason)
{
	struct fbdev_format fmt;
	char why[256] = "";

	ok(fbdev_format_init(&fmt, v, f, why, sizeof(why)) < 0 &&
	    strstr(why, reason) != NULL, "%s refused: %s", name, why);
}

static void
test_formats(void)
{
	struct fb_var_screeninfo v = { 0 };
	struct fb_fix_screeninfo f = { 0 };
	struct fbdev_format fmt;
	char why[256];

	/*
	 * RGB565, little-endian words.  A channel of n bits is scaled by
	 * 255 / (2^n - 1), rounded: red 3 is 24.68 -> 25, green 11 is
	 * 44.52 -> 45, blue 16 is 131.61 -> 132 (bit replication, as
	 * pixman does it, would give 24 and 44).
	 */
	static const uint8_t p565[] = {
		0x00, 0xf8,	/* red 31 */
		0xe0, 0x07,	/* green 63 */
		0x1f, 0x00,	/* blue 31 */
		0x70, 0x19,	/* red 3, green 11, blue 16: 0x1970 */
		0xff, 0xff,	/* white */
		0x00, 0x00,	/* black */
	};
	static const uint8_t w565[] = {
		0, 0, 255, 0,
		0, 255, 0, 0,
		255, 0, 0, 0,
		132, 45, 25, 0,
		255, 255, 255, 0,
		0, 0, 0, 0,
	};
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	check_row("RGB565", &v, &f, p565, 6, w565);

	/* 555 in 16 bits: the top bit is nobody's. */
	static const uint8_t p555[] = { 0xff, 0x7f, 0x00, 0x80, 0x00, 0x7c };
	static const uint8_t w555[] = {
		255, 255, 255, 0,
		0, 0, 0, 0,
		0, 0, 255, 0,
	};
	bits(&v, &f, 16, 10, 5, 5, 5, 0, 5);
	check_row("XRGB1555", &v, &f, p555, 3, w555);

	/* 4 bits a channel, alpha on top: 1 is 17, 10 is 170. */
	static const uint8_t p444[] = { 0xa1, 0xf7 };
	static const uint8_t w444[] = { 17, 170, 119, 0 };
	bits(&v, &f, 16, 8, 4, 4, 4, 0, 4);
	check_row("ARGB4444", &v, &f, p444, 1, w444);

	/* 32 bits, blue on top (XBGR8888 words 0x00BBGGRR), alpha set. */
	static const uint8_t pbgr[] = {
		0x56, 0x34, 0x12, 0xff,
		0xff, 0x00, 0x00, 0x00,
	};
	static const uint8_t wbgr[] = {
		0x12, 0x34, 0x56, 0,
		0x00, 0x00, 0xff, 0,
	};
	bits(&v, &f, 32, 0, 8, 8, 8, 16, 8);
	check_row("XBGR8888", &v, &f, pbgr, 2, wbgr);
	ok(fbdev_format_init(&fmt, &v, &f, why, sizeof(why)) == 0 &&
	    !fmt.xrgb, "XBGR8888 is converted, not copied");

	/* 32 bits, XRGB: the bytes as they are, X cleared. */
	static const uint8_t pxrgb[] = { 0x11, 0x22, 0x33, 0x80 };
	static const uint8_t wxrgb[] = { 0x11, 0x22, 0x33, 0 };
	bits(&v, &f, 32, 16, 8, 8, 8, 0, 8);
	check_row("XRGB8888", &v, &f, pxrgb, 1, wxrgb);
	ok(fbdev_format_init(&fmt, &v, &f, why, sizeof(why)) == 0 &&
	    fmt.xrgb == (BYTE_ORDER == LITTLE_ENDIAN),
	    "XRGB8888 rows are copied as they are (on a little-endian "
	    "machine)");

	/* RGBX8888: red in the top byte. */
	static const uint8_t prgbx[] = { 0x99, 0x33, 0x22, 0x11 };
	static const uint8_t wrgbx[] = { 0x33, 0x22, 0x11, 0 };
	bits(&v, &f, 32, 24, 8, 16, 8, 8, 8);
	check_row("RGBX8888", &v, &f, prgbx, 1, wrgbx);

	/* Packed 24 bits, lowest byte first: b g r, and r g b. */
	static const uint8_t p24[] = { 0x11, 0x22, 0x33, 0xa0, 0xb0, 0xc0 };
	static const uint8_t w24rgb[] = { 0x11, 0x22, 0x33, 0, 0xa0, 0xb0,
	    0xc0, 0 };
	static const uint8_t w24bgr[] = { 0x33, 0x22, 0x11, 0, 0xc0, 0xb0,
	    0xa0, 0 };
	bits(&v, &f, 24, 16, 8, 8, 8, 0, 8);
	check_row("RGB888 (24 bpp)", &v, &f, p24, 2, w24rgb);
	bits(&v, &f, 24, 0, 8, 8, 8, 16, 8);
	check_row("BGR888 (24 bpp)", &v, &f, p24, 2, w24bgr);

	/*
	 * 2101010: red 1023 -> 255, green 512 -> 127.62 -> 128, blue 3 ->
	 * 0.75 -> 1.  Word 0xfff80003.
	 */
	static const uint8_t p30[] = { 0x03, 0x00, 0xf8, 0xff };
	static const uint8_t w30[] = { 1, 128, 255, 0 };
	bits(&v, &f, 32, 20, 10, 10, 10, 0, 10);
	check_row("XRGB2101010", &v, &f, p30, 1, w30);

	/* Direct colour is read as true colour. */
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	f.visual = FB_VISUAL_DIRECTCOLOR;
	check_row("RGB565, direct colour", &v, &f, p565, 6, w565);

	/* What is refused, and why. */
	bits(&v, &f, 12, 8, 4, 4, 4, 0, 4);
	check_refused("12 bpp", &v, &f,
	    "12 bits per pixel: only 16, 24 and 32 are read");
	bits(&v, &f, 8, 5, 3, 2, 3, 0, 2);
	check_refused("8 bpp", &v, &f, "8 bits per pixel");
	bits(&v, &f, 16, 11, 6, 5, 6, 0, 5);
	check_refused("red beyond 16 bits", &v, &f,
	    "the red field (6 bits at bit 11) goes beyond the 16 bits of a "
	    "pixel");
	bits(&v, &f, 24, 16, 8, 8, 8, 24, 8);
	check_refused("blue beyond 24 bits", &v, &f,
	    "the blue field (8 bits at bit 24) goes beyond the 24 bits");
	bits(&v, &f, 32, 16, 8, 8, 8, 0xffffffffu, 8);
	check_refused("an offset that wraps", &v, &f, "goes beyond the 32");
	bits(&v, &f, 32, 16, 8, 8, 8, 0, 0);
	check_refused("no blue", &v, &f, "the pixel has no blue field");
	bits(&v, &f, 32, 16, 8, 12, 8, 0, 8);
	check_refused("green over red", &v, &f, "the colour fields overlap");
	bits(&v, &f, 32, 20, 12, 8, 12, 0, 8);
	check_refused("12-bit channels", &v, &f,
	    "the red field has 12 bits: at most 10 are read");
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	v.green.msb_right = 1;
	check_refused("msb_right", &v, &f, "most significant bit on the right");
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	f.visual = FB_VISUAL_PSEUDOCOLOR;
	check_refused("a colour map", &v, &f, "(a colour map): only true "
	    "colour is read");
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	f.type = FB_TYPE_PLANES;
	check_refused("planes", &v, &f, "only packed pixels are read");
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	v.grayscale = 1;
	check_refused("grayscale", &v, &f, "grayscale");
	bits(&v, &f, 16, 11, 5, 5, 6, 0, 5);
	v.nonstd = 1;
	check_refused("nonstd", &v, &f, "non-standard");
}

/* Pixel (x, y) of the virtual screens below, as XRGB: red x, green y. */
static uint32_t
pat(uint32_t x, uint32_t y)
{
	return (x * 8) << 16 | (y * 5) << 8 | 0x5a;
}

/* A 32-bit virtual screen of vw x vh in map, rows line bytes apart. */
static void
fill32(uint8_t *map, uint32_t vw, uint32_t vh, uint32_t line, int bgr)
{
	for (uint32_t y = 0; y < vh; y++)
		for (uint32_t x = 0; x < vw; x++) {
			uint32_t p = pat(x, y);

			if (bgr)
				p = (p & 0xff) << 16 | (p & 0xff00) |
				    (p >> 16 & 0xff);
			memcpy(map + y * line + x * 4, &p, 4);
		}
}

/* dst (w x h XRGB8888, packed) shows the screen of pat() from x0, and
 * from row y0 on, wrapping at wrap rows (0: none). */
static int
shows(const uint8_t *dst, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0,
    uint32_t wrap)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t sy = y0 + y, p;

			if (wrap != 0 && sy >= wrap)
				sy -= wrap;
			memcpy(&p, dst + ((size_t)y * w + x) * 4, 4);
			if ((p & 0xffffff) != pat(x0 + x, sy)) {
				diag("pixel %u,%u is %06x, not %06x", x, y,
				    p & 0xffffff, pat(x0 + x, sy));
				return 0;
			}
		}
	return 1;
}

static void
test_view(void)
{
	struct fb_var_screeninfo v = { 0 };
	struct fb_fix_screeninfo f = { 0 };
	struct fbdev_format fmt;
	uint8_t *map, dst[8 * 5 * 4], row[8 * 4];
	size_t len;
	char why[256];

	/* A virtual 12x10 screen, 8 bytes of padding a line; 8x5 shown. */
	bits(&v, &f, 32, 16, 8, 8, 8, 0, 8);
	v.xres = 8;
	v.yres = 5;
	v.xres_virtual = 12;
	v.yres_virtual = 10;
	f.line_length = 12 * 4 + 8;
	len = (size_t)f.line_length * 10;
	if ((map = calloc(1, len)) == NULL)
		bail("out of memory");
	fill32(map, 12, 10, f.line_length, 0);
	fbdev_format_init(&fmt, &v, &f, why, sizeof(why));

	v.xoffset = 4;
	v.yoffset = 5;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) == 0,
	    "the bottom right corner of the virtual screen fits");
	fbdev_copy_view(&fmt, dst, map, &v, &f, row);
	ok(shows(dst, 8, 5, 4, 5, 0), "and is what is copied (XRGB rows)");
	/* Its last byte: 9 lines of 56 bytes, then 12 pixels of 4. */
	ok(fbdev_view_check(&v, &f, 9 * 56 + 12 * 4, why, sizeof(why)) == 0,
	    "memory that ends with the last visible pixel is enough");
	ok(fbdev_view_check(&v, &f, 9 * 56 + 12 * 4 - 1, why,
	    sizeof(why)) < 0 && strstr(why, "beyond the") != NULL,
	    "one byte less is refused: %s", why);
	v.yoffset = 6;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) < 0,
	    "panned one row past the memory is refused: %s", why);
	v.yoffset = 5;
	v.xoffset = 5;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) == 0,
	    "panned into the padding of a line fits");
	v.xoffset = 7;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) < 0 &&
	    strstr(why, "does not fit a line") != NULL,
	    "a row past the end of its line is refused: %s", why);

	/* Y-wrap: rows 8, 9, then 0, 1, 2. */
	v.xoffset = 1;
	v.yoffset = 8;
	v.vmode = FB_VMODE_YWRAP;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) == 0,
	    "a y-wrapped view fits");
	fbdev_copy_view(&fmt, dst, map, &v, &f, row);
	ok(shows(dst, 8, 5, 1, 8, 10), "and wraps to the top (XRGB rows)");

	/* The same screen read as XBGR: converted rows, wrapped too. */
	fill32(map, 12, 10, f.line_length, 1);
	bits(&v, &f, 32, 0, 8, 8, 8, 16, 8);
	fbdev_format_init(&fmt, &v, &f, why, sizeof(why));
	fbdev_copy_view(&fmt, dst, map, &v, &f, row);
	ok(shows(dst, 8, 5, 1, 8, 10), "converted rows wrap the same way");
	v.yoffset = 10;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) < 0,
	    "a y-wrap offset past the virtual screen is refused: %s", why);
	v.vmode = 0;

	v.yoffset = 0;
	v.xres = 0;
	ok(fbdev_view_check(&v, &f, len, why, sizeof(why)) < 0,
	    "a screen of width 0 is refused: %s", why);
	v.xres = 16385;
	v.yres = 1;
	f.line_length = 16385 * 4;
	ok(fbdev_view_check(&v, &f, (size_t)16385 * 4, why,
	    sizeof(why)) < 0, "a side above 16384 is refused: %s", why);
	free(map);
}

/* The fake device: a memfd of len bytes, mapped writable for the test. */
struct fake {
	int		 fd;
	uint8_t		*map;
	size_t		 len;
	char		 path[64];
};

static void
fake_resize(struct fake *k, size_t len)
{
	if (k->map != NULL)
		munmap(k->map, k->len);
	if (ftruncate(k->fd, (off_t)len) < 0 ||
	    (k->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    k->fd, 0)) == MAP_FAILED)
		bail("fake framebuffer of %zu bytes: %s", len, strerror(errno));
	k->len = len;
	fake_fix.smem_len = (uint32_t)len;
}

/*
 * A 32-bit XRGB virtual screen of 20x24, 16 bytes of padding a line, with
 * 16x8 shown at 2,4.
 */
static void
fake_init(struct fake *k)
{
	struct stat st;

	memset(&fake_var, 0, sizeof(fake_var));
	memset(&fake_fix, 0, sizeof(fake_fix));
	bits(&fake_var, &fake_fix, 32, 16, 8, 8, 8, 0, 8);
	fake_var.xres = 16;
	fake_var.yres = 8;
	fake_var.xres_virtual = 20;
	fake_var.yres_virtual = 24;
	fake_var.xoffset = 2;
	fake_var.yoffset = 4;
	fake_fix.line_length = 20 * 4 + 16;
	snprintf(fake_fix.id, sizeof(fake_fix.id), "fakefb");
	fake_gone = 0;
	if ((k->fd = memfd_create("fakefb", MFD_CLOEXEC)) < 0)
		bail("memfd_create: %s", strerror(errno));
	if (fstat(k->fd, &st) < 0)
		bail("fstat: %s", strerror(errno));
	fake_ino = st.st_ino;
	k->map = NULL;
	fake_resize(k, (size_t)fake_fix.line_length * 24);
	fill32(k->map, 20, 24, fake_fix.line_length, 0);
	snprintf(k->path, sizeof(k->path), "/proc/self/fd/%d", k->fd);
}

static void
fake_free(struct fake *k)
{
	munmap(k->map, k->len);
	close(k->fd);
}

/* One grab into buf (size bytes); the source's answer. */
static int
grab(void *st, uint8_t *buf, size_t size, struct source_frame *sf)
{
	memset(buf, 0xee, size);
	*sf = (struct source_frame){ 0 };
	return source_fbdev.grab(st, buf, size, sf);
}

static void
test_source(void)
{
	const struct source_options opt = { NULL, NULL };
	struct capture_mode m;
	struct source_frame sf;
	struct fake k;
	uint8_t *buf;
	size_t size = 64 * 64 * 4;
	char why[256];
	void *st;
	int r;

	if ((buf = malloc(size)) == NULL)
		bail("out of memory");
	fake_init(&k);
	st = source_fbdev.open(k.path, &opt, why, sizeof(why));
	if (!ok(st != NULL, "a 32-bit framebuffer opens"))
		bail("fbdev open: %s", why);
	r = source_fbdev.describe(st, &m);
	ok(r == 0 && m.width == 16 &&
	    m.height == 8 && m.stride == 64 &&
	    m.fourcc == FRAMES_FOURCC_XRGB8888 && m.max_length == 16 * 8 * 4 &&
	    m.fps >= 1 && m.fps <= 240,
	    "its mode: 16x8 XRGB8888, stride 64 (%ux%u stride %u)", m.width,
	    m.height, m.stride);
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_OK && sf.length == 16 * 8 * 4 &&
	    shows(buf, 16, 8, 2, 4, 0), "a frame is the visible part at 2,4");

	/* The console pans: the same mode, other rows. */
	fake_var.yoffset = 16;
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_OK && shows(buf, 16, 8, 2, 16, 0),
	    "panned to y 16: the same mode, the rows from 16 on");

	/* New bitfields alone: converted the new way, no new mode. */
	fill32(k.map, 20, 24, fake_fix.line_length, 1);
	bits(&fake_var, &fake_fix, 32, 0, 8, 8, 8, 16, 8);
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_OK && shows(buf, 16, 8, 2, 16, 0),
	    "bitfields changed to XBGR: the pixels follow, the mode stays");

	/* fbset: a smaller screen is a mode change, described anew. */
	fake_var.xres = 12;
	fake_var.yres = 6;
	fake_var.xoffset = 0;
	fake_var.yoffset = 1;
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_MODE_CHANGED, "fbset to 12x6: the mode changed (%d)",
	    r);
	r = source_fbdev.describe(st, &m);
	ok(r == 0 && m.width == 12 &&
	    m.height == 6 && m.stride == 48 && m.max_length == 12 * 6 * 4,
	    "and it is described: %ux%u stride %u", m.width, m.height,
	    m.stride);
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_OK && sf.length == 12 * 6 * 4 &&
	    shows(buf, 12, 6, 0, 1, 0), "the next frame is of the new mode");

	/* 16 bpp, RGB565, lines of 40 bytes: red where x + y is odd, else
	 * blue. */
	bits(&fake_var, &fake_fix, 16, 11, 5, 5, 6, 0, 5);
	fake_fix.line_length = 40;
	for (uint32_t y = 0; y < 24; y++)
		for (uint32_t x = 0; x < 20; x++) {
			uint16_t p = (x + y) % 2 ? 0xf800 : 0x001f;

			memcpy(k.map + y * 40 + x * 2, &p, 2);
		}
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_MODE_CHANGED, "fbset to 16 bpp: the mode changed");
	r = grab(st, buf, size, &sf);
	{
		int good = r == SOURCE_OK;

		for (uint32_t y = 0; good && y < 6; y++)
			for (uint32_t x = 0; good && x < 12; x++) {
				uint32_t p, want = (x + y + 1) % 2 ?
				    0xff0000 : 0x0000ff;

				memcpy(&p, buf + (y * 12 + x) * 4, 4);
				good = p == want;
			}
		ok(good, "16 bpp frames: red and blue where they are");
	}

	/* The memory grows (a driver that reallocates): mapped again. */
	bits(&fake_var, &fake_fix, 32, 16, 8, 8, 8, 0, 8);
	fake_fix.line_length = 20 * 4 + 16;
	fake_var.yres_virtual = 48;
	fake_resize(&k, (size_t)fake_fix.line_length * 48);
	fill32(k.map, 20, 48, fake_fix.line_length, 0);
	fake_var.yoffset = 40;
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_MODE_CHANGED, "back to 32 bpp: the mode changed");
	r = grab(st, buf, size, &sf);
	ok(r == SOURCE_OK && shows(buf, 12, 6, 0, 40, 0),
	    "rows 40.. of memory that grew are read");

	/* A pan past the memory, then a device that goes away: the end. */
	fake_var.yoffset = 43;
	ok(grab(st, buf, size, &sf) < 0, "a view past the memory ends the "
	    "source");
	fake_var.yoffset = 0;
	fake_gone = 1;
	ok(grab(st, buf, size, &sf) < 0, "a device gone (ENODEV) ends the "
	    "source");
	source_fbdev.close(st);
	fake_free(&k);

	/* What does not open, and why. */
	fake_init(&k);
	bits(&fake_var, &fake_fix, 12, 8, 4, 4, 4, 0, 4);
	ok(source_fbdev.open(k.path, &opt, why, sizeof(why)) == NULL &&
	    strstr(why, "12 bits per pixel: only 16, 24 and 32") != NULL,
	    "a 12-bit framebuffer does not open: %s", why);
	bits(&fake_var, &fake_fix, 32, 16, 8, 8, 8, 0, 8);
	fake_var.yoffset = 17;
	ok(source_fbdev.open(k.path, &opt, why, sizeof(why)) == NULL &&
	    strstr(why, "beyond the") != NULL,
	    "a view beyond its memory does not open: %s", why);
	ok(source_fbdev.open("/nonexistent/fb9", &opt, why,
	    sizeof(why)) == NULL && strstr(why, "/nonexistent/fb9: No such "
	    "file") != NULL, "a missing device does not open: %s", why);
	ok(source_fbdev.open("/dev/null", &opt, why, sizeof(why)) == NULL &&
	    strstr(why, "not a framebuffer") != NULL,
	    "nor a device that is no framebuffer: %s", why);
	fake_free(&k);
	free(buf);
}

static void
test_auto(void)
{
	const struct source_options opt = { NULL, NULL };
	const struct source_ops *ops;
	struct fake k;
	char why[256], path[256];
	void *st;
	int id;

	fake_init(&k);
	ok(fbdev_probe(k.path, why, sizeof(why)) == 1 &&
	    strcmp(why, "16x8, 32 bpp") == 0,
	    "the probe finds the framebuffer: %s", why);
	ok(fbdev_probe("/nonexistent/fb9", why, sizeof(why)) == 0 &&
	    strcmp(why, "no /nonexistent/fb9") == 0,
	    "and says when there is none: %s", why);
	ok(fbdev_probe("/dev/null", why, sizeof(why)) == 0 &&
	    strstr(why, "does not answer FBIOGET_VSCREENINFO") != NULL,
	    "or when it does not answer: %s", why);

	if (drm_probe(path, sizeof(path), why, sizeof(why))) {
		skip("a DRM screen is lit here (%s): auto picks it", path);
		fake_free(&k);
		return;
	}
	st = source_open_auto(k.path, &opt, &id, &ops, why, sizeof(why));
	ok(st != NULL && id == REGISTRY_SOURCE_FBDEV && ops == &source_fbdev,
	    "auto picks the framebuffer when no DRM screen is lit");
	if (st != NULL)
		ops->close(st);
	st = source_open_auto("/nonexistent/fb9", &opt, &id, &ops, why,
	    sizeof(why));
	ok(st != NULL && id == REGISTRY_SOURCE_DEMO && ops == &source_demo,
	    "and the demo when there is no framebuffer either");
	if (st != NULL)
		ops->close(st);
	bits(&fake_var, &fake_fix, 12, 8, 4, 4, 4, 0, 4);
	st = source_open_auto(k.path, &opt, &id, &ops, why, sizeof(why));
	ok(st != NULL && id == REGISTRY_SOURCE_DEMO,
	    "and the demo when the framebuffer cannot be read");
	if (st != NULL)
		ops->close(st);
	fake_free(&k);
}

/*
 * In a child under the capture helper's policy with fbdev's needs: a
 * frame, a mode change with memory mapped again, a frame of the new mode.
 * With put set, an FBIOPUT_VSCREENINFO too, which must kill.
 */
static int
sandboxed(int put)
{
	const struct source_options opt = { NULL, NULL };
	struct rlimit nocore = { 0, 0 };
	struct capture_mode m;
	struct source_frame sf;
	static uint8_t buf[64 * 64 * 4];
	struct fake k;
	char why[256];
	void *st;
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &nocore);
		fake_init(&k);
		if ((st = source_fbdev.open(k.path, &opt, why,
		    sizeof(why))) == NULL)
			_exit(10);
		/* As the capture loop does: the mode before any grab. */
		if (source_fbdev.describe(st, &m) < 0)
			_exit(15);
		if (sandbox_seccomp_load(SANDBOX_CAPTURE,
		    source_fbdev.needs) < 0)
			_exit(11);
		if (put) {
			(void)__real_ioctl(k.fd, FBIOPUT_VSCREENINFO,
			    &fake_var);
			_exit(12);
		}
		if (grab(st, buf, sizeof(buf), &sf) != SOURCE_OK ||
		    !shows(buf, 16, 8, 2, 4, 0))
			_exit(13);
		fake_var.yres_virtual = 48;
		fake_var.xres = 10;
		fake_var.yoffset = 30;
		fake_resize(&k, (size_t)fake_fix.line_length * 48);
		fill32(k.map, 20, 48, fake_fix.line_length, 0);
		if (grab(st, buf, sizeof(buf), &sf) != SOURCE_MODE_CHANGED ||
		    source_fbdev.describe(st, &m) < 0 ||
		    grab(st, buf, sizeof(buf), &sf) != SOURCE_OK ||
		    !shows(buf, 10, 8, 2, 30, 0))
			_exit(14);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		bail("waitpid: %s", strerror(errno));
	return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

static void
test_sandbox(void)
{
	const struct sandbox_needs *n = source_fbdev.needs;
	int r;

	ok(n != NULL && n->nioctls == 2 && n->ncaps == 0 &&
	    n->nsyscalls == 0 && n->nfcntls == 0,
	    "fbdev needs two ioctls and no capability");
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) == 0 ||
	    errno != EFAULT) {
		skip("no seccomp filters in this kernel");
		return;
	}
	r = sandboxed(0);
	ok(r == 0, "under the capture policy with fbdev's needs: frames, a "
	    "mode change and a new mapping (%d)", r);
	r = sandboxed(1);
	ok(r == -SIGSYS, "and FBIOPUT_VSCREENINFO is killed (%d)", r);
}

int
main(void)
{
	log_init("test-fbdev", LOG_LEVEL_WARN, LOG_TO_STDERR);
	test_formats();
	test_view();
	test_source();
	test_auto();
	test_sandbox();
	return done_testing();
}
