/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * egl-check: read what a card scans out twice, by mapping its dma-buf
 * (what the CPU sees) and through capture/drm-egl.c (what the GPU draws
 * back), and say how they compare.  Runs in the guest of tests/vm/egl.py,
 * as root, while kmstool holds a mode.
 *
 *	egl-check [--card PATH] [--frames N] [--rect X,Y,W,H]
 *	    [--foreign PATH] [--sandbox [--drop N]]
 *
 * Each frame is read as the drm source reads it: the framebuffer asked
 * for again (GETFB2), its planes exported as new dma-buf descriptors,
 * closed afterwards.  Then buffers of its own, more than drm-egl.c keeps
 * imported, are read and compared with what was written into them;
 * --foreign PATH reads one made on another card too (waiting for PATH
 * after EGL is open, up to a minute).  --sandbox enters
 * the capture helper's seccomp policy with the egl method's needs once
 * EGL is open, as rampart-capture does: a call the policy lacks kills
 * the program; --drop N leaves the Nth of drm-egl.c's ioctls out of it,
 * to show that it is needed.  One "key=value" line a fact on stdout;
 * exit 0 when everything could be read, 1 when not (the reason on
 * stderr), whether the pixels agree or not: the test decides.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "capture/drm.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

struct fb {
	uint32_t	id;
	struct drm_egl_fb egl;
	uint32_t	handles[DRM_EGL_MAX_PLANES];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* How many threads the process has now (EGL may have started some). */
static int
threads(void)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The framebuffer on the primary plane of the first CRTC that shows one. */
static uint32_t
scanout_fb(int fd)
{
	drmModeResPtr res;
	drmModeCrtcPtr crtc;
	uint32_t id = 0;
	int i;

	if ((res = drmModeGetResources(fd)) == NULL)
		return 0;
	for (i = 0; i < res->count_crtcs && id == 0; i++) {
		if ((crtc = drmModeGetCrtc(fd, res->crtcs[i])) == NULL)
			continue;
		if (crtc->mode_valid && crtc->buffer_id != 0)
			id = crtc->buffer_id;
		drmModeFreeCrtc(crtc);
	}
	drmModeFreeResources(res);
	return id;
}

static void
fb_release(int fd, struct fb *fb)
{
	uint32_t p, q;

	for (p = 0; p < fb->egl.nplanes; p++) {
		if (fb->egl.planes[p].fd >= 0)
			close(fb->egl.planes[p].fd);
		fb->egl.planes[p].fd = -1;
		for (q = 0; q < p; q++)
			if (fb->handles[q] == fb->handles[p])
				break;
		if (q == p && fb->handles[p] != 0)
			drmCloseBufferHandle(fd, fb->handles[p]);
		fb->handles[p] = 0;
	}
}

/* Ask for the framebuffer and export its planes, as the drm source does. */
static int
fb_get(int fd, uint32_t id, struct fb *fb)
{
	drmModeFB2Ptr f;
	uint32_t p;

	memset(fb, 0, sizeof(*fb));
	if ((f = drmModeGetFB2(fd, id)) == NULL) {
		fprintf(stderr, "egl-check: GETFB2 %u: %s\n", id,
		    strerror(errno));
		return -1;
	}
	fb->id = id;
	fb->egl.fourcc = f->pixel_format;
	fb->egl.modifier = f->flags & DRM_MODE_FB_MODIFIERS ? f->modifier :
	    DRM_FORMAT_MOD_INVALID;
	fb->egl.width = f->width;
	fb->egl.height = f->height;
	for (p = 0; p < DRM_EGL_MAX_PLANES && f->handles[p] != 0; p++) {
		fb->handles[p] = f->handles[p];
		fb->egl.planes[p].fd = -1;
		fb->egl.planes[p].offset = f->offsets[p];
		fb->egl.planes[p].pitch = f->pitches[p];
		fb->egl.nplanes = p + 1;
		if (drmPrimeHandleToFD(fd, f->handles[p], DRM_CLOEXEC,
		    &fb->egl.planes[p].fd) < 0) {
			fprintf(stderr, "egl-check: export of plane %u: %s\n",
			    p, strerror(errno));
			drmModeFreeFB2(f);
			fb_release(fd, fb);
			return -1;
		}
	}
	drmModeFreeFB2(f);
	if (fb->egl.nplanes == 0) {
		fprintf(stderr, "egl-check: framebuffer %u without handles "
		    "(not root?)\n", id);
		return -1;
	}
	return 0;
}

/*
 * What the CPU sees: plane 0 mapped, as XRGB8888.  Only the formats whose
 * conversion is a byte order are taken: the others are not what this
 * compares.
 */
static int
read_mmap(const struct fb *fb, uint8_t *dst, size_t stride)
{
	const struct drm_egl_fb *e = &fb->egl;
	struct dma_buf_sync sync;
	size_t len = (size_t)e->planes[0].offset +
	    (size_t)e->planes[0].pitch * e->height;
	uint8_t *map;
	const uint8_t *s;
	uint32_t x, y;
	int swap;

	if (e->fourcc == DRM_FORMAT_XRGB8888 ||
	    e->fourcc == DRM_FORMAT_ARGB8888)
		swap = 0;
	else if (e->fourcc == DRM_FORMAT_XBGR8888 ||
	    e->fourcc == DRM_FORMAT_ABGR8888)
		swap = 1;
	else {
		fprintf(stderr, "egl-check: no CPU reader for format "
		    "0x%08x\n", e->fourcc);
		return -1;
	}
	if (e->modifier != DRM_FORMAT_MOD_INVALID &&
	    e->modifier != DRM_FORMAT_MOD_LINEAR) {
		fprintf(stderr, "egl-check: modifier 0x%llx is not linear: "
		    "the CPU cannot read it\n",
		    (unsigned long long)e->modifier);
		return -1;
	}
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, e->planes[0].fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "egl-check: mmap of the dma-buf: %s\n",
		    strerror(errno));
		return -1;
	}
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	ioctl(e->planes[0].fd, DMA_BUF_IOCTL_SYNC, &sync);
	for (y = 0; y < e->height; y++) {
		s = map + e->planes[0].offset + (size_t)y * e->planes[0].pitch;
		for (x = 0; x < e->width; x++, s += 4) {
			uint8_t *d = dst + y * stride + x * 4;

			d[0] = swap ? s[2] : s[0];
			d[1] = s[1];
			d[2] = swap ? s[0] : s[2];
			d[3] = s[3];
		}
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(e->planes[0].fd, DMA_BUF_IOCTL_SYNC, &sync);
	munmap(map, len);
	return 0;
}

/*
 * Compare w x h pixels of a (at ax, ay, rows of astride) with b: the
 * colour only, for X is no part of a pixel (egl writes 0xff there).
 */
static uint64_t
compare(const uint8_t *a, size_t astride, uint32_t ax, uint32_t ay,
    const uint8_t *b, size_t bstride, uint32_t w, uint32_t h,
    const char *what)
{
	uint64_t bad = 0;
	uint32_t x, y, pa, pb;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			memcpy(&pa, a + (ay + y) * astride + (ax + x) * 4, 4);
			memcpy(&pb, b + y * bstride + x * 4, 4);
			if (((pa ^ pb) & 0xffffff) == 0)
				continue;
			if (bad++ == 0)
				printf("%s_first=%u,%u mmap=%06x egl=%06x\n",
				    what, ax + x, ay + y, pa & 0xffffff,
				    pb & 0xffffff);
		}
	return bad;
}

/*
 * Buffers of our own, more than drm-egl.c keeps imported, each with its
 * own picture: read one after the other they are imported, and the
 * oldest let go, inside the sandbox.
 */
#define OWN_BUFFERS	6
#define OWN_W		96
#define OWN_H		40

struct own {
	struct drm_egl_fb fb;
	uint32_t	handle;
	uint32_t	pixels[OWN_W * OWN_H];
};

static uint32_t
own_pixel(int k, uint32_t x, uint32_t y)
{
	return (((x * 37 + k * 101) & 0xff) << 16) |
	    (((y * 53 + k * 29) & 0xff) << 8) | ((x ^ y ^ (k * 71)) & 0xff);
}

static int
own_make(int fd, int k, struct own *o)
{
	struct drm_mode_create_dumb c = { .width = OWN_W, .height = OWN_H,
	    .bpp = 32 };
	struct drm_mode_map_dumb m;
	uint8_t *map;
	uint32_t x, y;
	int dmabuf;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c) < 0)
		return -1;
	m = (struct drm_mode_map_dumb){ .handle = c.handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m) < 0)
		return -1;
	map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    (off_t)m.offset);
	if (map == MAP_FAILED)
		return -1;
	for (y = 0; y < OWN_H; y++)
		for (x = 0; x < OWN_W; x++) {
			o->pixels[y * OWN_W + x] = own_pixel(k, x, y);
			memcpy(map + y * c.pitch + x * 4,
			    &o->pixels[y * OWN_W + x], 4);
		}
	munmap(map, c.size);
	if (drmPrimeHandleToFD(fd, c.handle, DRM_CLOEXEC, &dmabuf) < 0)
		return -1;
	o->handle = c.handle;
	o->fb = (struct drm_egl_fb){ .fourcc = DRM_FORMAT_XRGB8888,
	    .modifier = DRM_FORMAT_MOD_LINEAR, .width = OWN_W,
	    .height = OWN_H, .nplanes = 1,
	    .planes[0] = { .fd = dmabuf, .pitch = c.pitch } };
	return 0;
}

/*
 * What the drm source needs with the egl method, for --sandbox: its own
 * reading (this program reads as it does) and drm-egl.c's.
 */
static struct sandbox_needs *
check_needs(const struct sandbox_needs *egl, int drop)
{
	static const unsigned long own[] = {
		DRM_IOCTL_MODE_GETFB2, DRM_IOCTL_PRIME_HANDLE_TO_FD,
		DRM_IOCTL_GEM_CLOSE, DMA_BUF_IOCTL_SYNC,
	};
	static unsigned long ioctls[64];
	static struct sandbox_needs needs;
	size_t n = 0, i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		ioctls[n++] = own[i];
	for (i = 0; i < egl->nioctls && n < 64; i++)
		if ((int)i != drop)
			ioctls[n++] = egl->ioctls[i];
	needs = *egl;
	needs.ioctls = ioctls;
	needs.nioctls = n;
	return &needs;
}

static void
usage(void)
{
	fprintf(stderr, "usage: egl-check [--card PATH] [--frames N] "
	    "[--rect X,Y,W,H] [--foreign PATH] [--sandbox [--drop N]]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *card = "/dev/dri/card0";
	struct drm_egl *egl;
	struct fb fb;
	uint32_t id, rx = 0, ry = 0, rw = 0, rh = 0;
	uint8_t *cpu, *gpu, *sub;
	size_t stride, sub_stride;
	double t0, t_open, t_first, t_frames;
	static struct own own[OWN_BUFFERS];
	const struct sandbox_needs *needs;
	uint64_t bad;
	const char *foreign = NULL;
	struct own other;
	int fd, ffd = -1, i, k, frames = 10, sandbox = 0, drop = -1;
	char why[512], name[5];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--card") == 0 && i + 1 < argc)
			card = argv[++i];
		else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
			frames = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rect") == 0 && i + 1 < argc) {
			if (sscanf(argv[++i], "%u,%u,%u,%u", &rx, &ry, &rw,
			    &rh) != 4)
				usage();
		} else if (strcmp(argv[i], "--sandbox") == 0)
			sandbox = 1;
		else if (strcmp(argv[i], "--drop") == 0 && i + 1 < argc)
			drop = atoi(argv[++i]);
		else if (strcmp(argv[i], "--foreign") == 0 && i + 1 < argc)
			foreign = argv[++i];
		else
			usage();
	}
	log_init("egl-check", LOG_LEVEL_DEBUG, LOG_TO_STDERR);
	/* A test waits for lines while this runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if ((fd = open(card, O_RDWR | O_CLOEXEC)) < 0) {
		fprintf(stderr, "egl-check: %s: %s\n", card, strerror(errno));
		return 1;
	}
	/* As the drm source: never keep kmstool from committing. */
	if (drmIsMaster(fd))
		drmDropMaster(fd);
	if ((id = scanout_fb(fd)) == 0) {
		fprintf(stderr, "egl-check: %s shows no framebuffer\n", card);
		return 1;
	}
	if (fb_get(fd, id, &fb) < 0)
		return 1;
	memcpy(name, &fb.egl.fourcc, 4);
	name[4] = '\0';
	printf("fb=%u format=%s modifier=0x%llx size=%ux%u planes=%u\n",
	    id, name, (unsigned long long)fb.egl.modifier, fb.egl.width,
	    fb.egl.height, fb.egl.nplanes);
	if (rw == 0) {
		/* An odd rectangle, off every edge. */
		rx = fb.egl.width / 7 + 1;
		ry = fb.egl.height / 5 + 3;
		rw = fb.egl.width / 3 + 5;
		rh = fb.egl.height / 4 + 1;
	}
	stride = (size_t)fb.egl.width * 4;
	sub_stride = (size_t)rw * 4 + 64;	/* rows wider than the rectangle */
	if ((cpu = calloc(fb.egl.height, stride)) == NULL ||
	    (gpu = calloc(fb.egl.height, stride)) == NULL ||
	    (sub = calloc(rh, sub_stride)) == NULL) {
		fprintf(stderr, "egl-check: out of memory\n");
		return 1;
	}
	if (read_mmap(&fb, cpu, stride) < 0)
		return 1;

	t0 = now_ms();
	if ((egl = drm_egl_open(fd, why, sizeof(why))) == NULL) {
		printf("egl_open=failed\n");
		printf("egl_why=%s\n", why);
		fprintf(stderr, "egl-check: %s\n", why);
		return 1;
	}
	t_open = now_ms() - t0;
	printf("egl=%s\n", drm_egl_describe(egl));
	printf("open_ms=%.1f\n", t_open);
	printf("threads=%d\n", threads());
	fb_release(fd, &fb);
	for (i = 0; i < OWN_BUFFERS; i++)
		if (own_make(fd, i, &own[i]) < 0) {
			fprintf(stderr, "egl-check: a dumb buffer of our own: "
			    "%s\n", strerror(errno));
			return 1;
		}
	/*
	 * The other card may come only now: a card that Mesa could run
	 * on, there at drm_egl_open(), might have been taken instead.
	 */
	for (i = 0; foreign != NULL && i < 600 &&
	    (ffd = open(foreign, O_RDWR | O_CLOEXEC)) < 0; i++)
		usleep(100000);
	if (foreign != NULL && (ffd < 0 ||
	    own_make(ffd, OWN_BUFFERS, &other) < 0)) {
		fprintf(stderr, "egl-check: a buffer of %s: %s\n", foreign,
		    strerror(errno));
		return 1;
	}

	if (sandbox) {
		/* strace -f shows this line where the sandbox starts. */
		fprintf(stderr, "egl-check: entering the sandbox\n");
		if ((needs = drm_egl_needs(egl, why, sizeof(why))) == NULL) {
			printf("sandbox=unknown\nsandbox_why=%s\n", why);
			fprintf(stderr, "egl-check: %s\n", why);
			return 1;
		}
		if (sandbox_seccomp_load(SANDBOX_CAPTURE,
		    check_needs(needs, drop)) < 0) {
			fprintf(stderr, "egl-check: no sandbox\n");
			return 1;
		}
		printf("sandbox=capture+egl\n");
	}
	/* strace -f shows where the reading starts. */
	fprintf(stderr, "egl-check: reading\n");

	/* The first read imports; the next ones find the image imported. */
	t0 = now_ms();
	if (fb_get(fd, id, &fb) < 0)
		return 1;
	if (drm_egl_read(egl, &fb.egl, 0, 0, fb.egl.width, fb.egl.height,
	    gpu, stride, why, sizeof(why)) < 0) {
		printf("egl_read=failed\negl_why=%s\n", why);
		fprintf(stderr, "egl-check: %s\n", why);
		return 1;
	}
	fb_release(fd, &fb);
	t_first = now_ms() - t0;
	printf("first_ms=%.1f\n", t_first);
	printf("full_mismatch=%llu\n", (unsigned long long)compare(cpu,
	    stride, 0, 0, gpu, stride, fb.egl.width, fb.egl.height, "full"));

	if (fb_get(fd, id, &fb) < 0)
		return 1;
	if (drm_egl_read(egl, &fb.egl, rx, ry, rw, rh, sub, sub_stride, why,
	    sizeof(why)) < 0) {
		printf("egl_rect_read=failed\negl_why=%s\n", why);
		fprintf(stderr, "egl-check: %s\n", why);
		return 1;
	}
	fb_release(fd, &fb);
	printf("rect=%u,%u,%u,%u\n", rx, ry, rw, rh);
	printf("rect_mismatch=%llu\n", (unsigned long long)compare(cpu,
	    stride, rx, ry, sub, sub_stride, rw, rh, "rect"));

	t0 = now_ms();
	for (i = 0; i < frames; i++) {
		if (fb_get(fd, id, &fb) < 0)
			return 1;
		if (drm_egl_read(egl, &fb.egl, 0, 0, fb.egl.width,
		    fb.egl.height, gpu, stride, why, sizeof(why)) < 0) {
			fprintf(stderr, "egl-check: frame %d: %s\n", i, why);
			return 1;
		}
		fb_release(fd, &fb);
	}
	t_frames = now_ms() - t0;
	if (frames > 0)
		printf("frame_ms=%.2f frames=%d\n", t_frames / frames, frames);
	printf("last_mismatch=%llu\n", (unsigned long long)compare(cpu,
	    stride, 0, 0, gpu, stride, fb.egl.width, fb.egl.height, "last"));

	/* Twice round: each read imports, and lets go of the oldest. */
	bad = 0;
	for (i = 0; i < 2 * OWN_BUFFERS; i++) {
		k = i % OWN_BUFFERS;
		if (drm_egl_read(egl, &own[k].fb, 0, 0, OWN_W, OWN_H, gpu,
		    OWN_W * 4, why, sizeof(why)) < 0) {
			fprintf(stderr, "egl-check: own buffer %d: %s\n", k,
			    why);
			return 1;
		}
		bad += compare((const uint8_t *)own[k].pixels, OWN_W * 4, 0,
		    0, gpu, OWN_W * 4, OWN_W, OWN_H, "own");
	}
	printf("own_reads=%d own_mismatch=%llu\n", 2 * OWN_BUFFERS,
	    (unsigned long long)bad);

	/* A buffer another card exported: read, or refused with a reason. */
	if (ffd >= 0) {
		if (drm_egl_read(egl, &other.fb, 0, 0, OWN_W, OWN_H, gpu,
		    OWN_W * 4, why, sizeof(why)) < 0)
			printf("foreign_read=refused\nforeign_why=%s\n", why);
		else
			printf("foreign_read=ok foreign_mismatch=%llu\n",
			    (unsigned long long)compare(
			    (const uint8_t *)other.pixels, OWN_W * 4, 0, 0,
			    gpu, OWN_W * 4, OWN_W, OWN_H, "foreign"));
	}
	drm_egl_close(egl);
	close(fd);
	return 0;
}
