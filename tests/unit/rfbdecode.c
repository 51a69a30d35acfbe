/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decode harness (rfbdecode.h): a server thread of ours, libvncclient
 * on the caller's thread, a loopback TCP connection between them.
 *
 * libvncclient 0.9.14's ways, as they matter here (its source,
 * libvncclient/rfbproto.c, zlib.c, zrle.c):
 * - Zlib and ZRLE inflate through one z_stream (client->decompStream),
 *   set up with inflateInit() (zlib header expected) on the first
 *   rectangle of either.  A server that starts a second zlib stream (a
 *   second zlib header) for the other encoding breaks it: the sender
 *   must count the two encodings as one stream for this client.
 * - A ZRLE tile that fails to decode is logged and the rest of the
 *   rectangle skipped, but the update still counts as handled: only the
 *   pixels show it.  Hence the caller compares pixels, always.
 * - ZRLE at 16 bits a pixel picks its 15- or 16-bit reader by the
 *   server's format (ServerInit's green maximum), not the client's; the
 *   15-bit one reads one byte a pixel.  ServerInit here is rampart's own
 *   format, as the broker sends it (green maximum 255).
 * - ZRLE's 3-byte CPIXELs: see rfbdecode_zrle_format().
 * - A rectangle reaching past the framebuffer ends the connection.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <rfb/rfbclient.h>

#include "broker/wire.h"
#include "tests/unit/rfbdecode.h"

#define RFBDECODE_TIMEOUT	20	/* seconds, for any one wait */

/* The 3-3-2 true-colour format a colour-map client's bytes are in. */
static const struct pixfmt map332 = {
	.bpp = 8, .depth = 8, .big_endian = 0, .true_colour = 1,
	.red_max = 7, .green_max = 7, .blue_max = 3,
	.red_shift = 0, .green_shift = 3, .blue_shift = 6,
};

struct server {
	int		listen_fd;
	uint32_t	width, height;
	const struct rfbdecode_update *ups;
	size_t		n;
	const char	*why;		/* set when the server side failed */
};

static int
read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t r;

	while (len > 0) {
		if ((r = read(fd, p, len)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (len > 0) {
		if ((r = write(fd, p, len)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Read client messages until a FramebufferUpdateRequest; what libvncclient
 * sends before it (SetPixelFormat, SetEncodings) is read and dropped.
 */
static int
await_request(int fd, const char **why)
{
	uint8_t type, buf[20];
	uint16_t count;

	for (;;) {
		if (read_full(fd, &type, 1) == -1) {
			*why = "the client closed before its request";
			return -1;
		}
		switch (type) {
		case 0:		/* SetPixelFormat */
			if (read_full(fd, buf, 19) == -1)
				goto short_read;
			break;
		case 2:		/* SetEncodings */
			if (read_full(fd, buf, 3) == -1)
				goto short_read;
			for (count = wire_get16(buf + 1); count > 0; count--)
				if (read_full(fd, buf, 4) == -1)
					goto short_read;
			break;
		case 3:		/* FramebufferUpdateRequest */
			if (read_full(fd, buf, 9) == -1)
				goto short_read;
			return 0;
		default:
			*why = "the client sent a message the harness does not "
			    "know";
			return -1;
		}
	}
short_read:
	*why = "the client closed within a message";
	return -1;
}

static int
serve(struct server *s, int fd)
{
	static const char version[] = "RFB 003.008\n";
	uint8_t buf[64];
	size_t i;

	/* Version, security None, result OK (3.8), ClientInit, ServerInit. */
	if (write_full(fd, version, 12) == -1 || read_full(fd, buf, 12) == -1 ||
	    memcmp(buf, "RFB 003.00", 10) != 0) {
		s->why = "version handshake";
		return -1;
	}
	if (write_full(fd, "\x01\x01", 2) == -1 ||
	    read_full(fd, buf, 1) == -1 || buf[0] != 1 ||
	    write_full(fd, "\0\0\0\0", 4) == -1 ||
	    read_full(fd, buf, 1) == -1) {
		s->why = "security handshake";
		return -1;
	}
	wire_put16(buf, (uint16_t)s->width);
	wire_put16(buf + 2, (uint16_t)s->height);
	pixfmt_to_wire(&pixfmt_native, buf + 4);
	wire_put32(buf + 20, 9);
	memcpy(buf + 24, "rfbdecode", 9);
	if (write_full(fd, buf, 33) == -1) {
		s->why = "ServerInit";
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		if (await_request(fd, &s->why) == -1)
			return -1;
		buf[0] = 0;	/* FramebufferUpdate */
		buf[1] = 0;
		wire_put16(buf + 2, s->ups[i].nrects);
		if (write_full(fd, buf, 4) == -1 ||
		    write_full(fd, s->ups[i].data, s->ups[i].len) == -1) {
			s->why = "the client closed during an update";
			return -1;
		}
	}
	/* Until the client goes: nothing more to send. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct timeval tv = { RFBDECODE_TIMEOUT, 0 };
	int fd, one = 1;

	if ((fd = accept(s->listen_fd, NULL, NULL)) == -1) {
		s->why = "accept";
		return NULL;
	}
	/* A client that stops reading or writing must not hang the test. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Small writes (the handshake, an update's 4-byte header) go at
	 * once: no Nagle wait for the client's delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	serve(s, fd);
	close(fd);
	return NULL;
}

static void
quiet(const char *fmt, ...)
{
	(void)fmt;
}

static void
loud(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "libvncclient: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void
set_format(rfbClient *cl, const struct pixfmt *pf)
{
	cl->format.bitsPerPixel = pf->bpp;
	cl->format.depth = pf->depth;
	cl->format.bigEndian = pf->big_endian;
	cl->format.trueColour = 1;
	cl->format.redMax = pf->red_max;
	cl->format.greenMax = pf->green_max;
	cl->format.blueMax = pf->blue_max;
	cl->format.redShift = pf->red_shift;
	cl->format.greenShift = pf->green_shift;
	cl->format.blueShift = pf->blue_shift;
}

/* The client's side: 0 with the framebuffer in fb_out, or -1. */
static int
client(const struct rfbdecode_params *p, int port, size_t n, uint8_t *fb_out,
    const char **why)
{
	const struct pixfmt *pf = p->decode_pf != NULL ? p->decode_pf : p->pf;
	size_t size = (size_t)p->width * p->height * (p->pf->bpp / 8);
	rfbClient *cl;
	size_t i;
	int ret = -1, r;

	if (!p->pf->true_colour)
		pf = &map332;
	if ((cl = rfbGetClient(8, 3, 4)) == NULL) {
		*why = "rfbGetClient";
		return -1;
	}
	set_format(cl, pf);
	cl->appData.encodingsString = p->encodings != NULL ? p->encodings :
	    "raw";
	if (p->quality >= 0)
		cl->appData.qualityLevel = p->quality;
	if (p->compress >= 0)
		cl->appData.compressLevel = p->compress;
	cl->appData.useRemoteCursor = FALSE;
	cl->canHandleNewFBSize = FALSE;
	cl->connectTimeout = RFBDECODE_TIMEOUT;
	cl->readTimeout = RFBDECODE_TIMEOUT;
	free(cl->serverHost);
	cl->serverHost = strdup("127.0.0.1");
	cl->serverPort = port;
	/* rfbInitClient() frees the client when it fails. */
	if (!rfbInitClient(cl, NULL, NULL)) {
		*why = "libvncclient's handshake";
		return -1;
	}
	if (cl->frameBuffer == NULL || cl->width != (int)p->width ||
	    cl->height != (int)p->height) {
		*why = "libvncclient's framebuffer";
		goto out;
	}
	if (p->initial != NULL)
		memcpy(cl->frameBuffer, p->initial, size);
	else
		memset(cl->frameBuffer, 0, size);
	for (i = 0; i < n; i++) {
		/* A message may already sit in libvncclient's buffer. */
		if (cl->buffered == 0 &&
		    (r = WaitForMessage(cl, RFBDECODE_TIMEOUT * 1000000)) <= 0) {
			*why = r == 0 ? "no update came" : "WaitForMessage";
			goto out;
		}
		if (!HandleRFBServerMessage(cl)) {
			*why = "libvncclient refused an update";
			goto out;
		}
	}
	memcpy(fb_out, cl->frameBuffer, size);
	ret = 0;
out:
	free(cl->frameBuffer);
	cl->frameBuffer = NULL;
	rfbClientCleanup(cl);
	return ret;
}

int
rfbdecode(const struct rfbdecode_params *p, const struct rfbdecode_update *ups,
    size_t n, uint8_t *fb_out, const char **why)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct server s = { .listen_fd = -1 };
	const char *dummy;
	pthread_t thread;
	int ret;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (p->width == 0 || p->height == 0 || p->width > UINT16_MAX ||
	    p->height > UINT16_MAX || n == 0) {
		*why = "bad parameters";
		return -1;
	}
	/* libvncclient talks a lot on stderr; only when asked. */
	if (getenv("RFBDECODE_VERBOSE") != NULL)
		rfbClientLog = rfbClientErr = loud;
	else
		rfbClientLog = rfbClientErr = quiet;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1 || bind(s.listen_fd, (struct sockaddr *)&sin, sizeof(sin)) ==
	    -1 || listen(s.listen_fd, 1) == -1 ||
	    getsockname(s.listen_fd, (struct sockaddr *)&sin, &len) == -1) {
		*why = "cannot listen on loopback";
		if (s.listen_fd != -1)
			close(s.listen_fd);
		return -1;
	}
	s.width = p->width;
	s.height = p->height;
	s.ups = ups;
	s.n = n;
	if (pthread_create(&thread, NULL, server_main, &s) != 0) {
		close(s.listen_fd);
		*why = "pthread_create";
		return -1;
	}
	ret = client(p, ntohs(sin.sin_port), n, fb_out, why);
	/* A client that failed before connecting leaves accept() waiting. */
	shutdown(s.listen_fd, SHUT_RDWR);
	pthread_join(thread, NULL);
	close(s.listen_fd);
	if (ret == 0 && s.why != NULL) {
		*why = s.why;
		ret = -1;
	}
	return ret;
}

int
rfbdecode_run(const struct pixfmt *pf, uint32_t w, uint32_t h,
    const struct rfbdecode_update *ups, size_t n, uint8_t *fb_out)
{
	struct rfbdecode_params p = { .pf = pf, .width = w, .height = h,
	    .quality = -1, .compress = -1 };

	return rfbdecode(&p, ups, n, fb_out, NULL);
}

static uint32_t
max_pixel(const struct pixfmt *pf)
{
	return (uint32_t)pf->red_max << pf->red_shift |
	    (uint32_t)pf->green_max << pf->green_shift |
	    (uint32_t)pf->blue_max << pf->blue_shift;
}

/* Where a 3-byte CPIXEL starts in a 32-bit pixel on the wire (0 or 1), or
 * -1 when pf has 4-byte CPIXELs (rfbproto.rst, as zrle.c reads it). */
static int
cpixel_offset(const struct pixfmt *pf)
{
	uint32_t max;
	int ls3, ms3;

	if (pf->bpp != 32 || !pf->true_colour || pf->depth > 24)
		return -1;
	max = max_pixel(pf);
	ls3 = max < 1u << 24;
	ms3 = (max & 0xff) == 0;
	if (!ls3 && !ms3)
		return -1;
	return (pf->big_endian ? ms3 : ls3) ? 0 : 1;
}

/* A channel within one byte of a 32-bit pixel: its shift in the pixel
 * of the other byte order, or -1. */
static int
mirror_shift(uint16_t max, uint8_t shift)
{
	int bits = 0;

	while (max >> bits)
		bits++;
	if (shift % 8 + bits > 8)
		return -1;
	return (3 - shift / 8) * 8 + shift % 8;
}

int
rfbdecode_zrle_format(const struct pixfmt *pf, struct pixfmt *use)
{
	uint32_t max;
	int ls3, ms3, r, g, b;

	if (pf->bpp != 32 || !pf->true_colour)
		return 0;
	max = max_pixel(pf);
	ls3 = max < 1u << 24;
	ms3 = (max & 0xff) == 0;
	if (!ls3 && !ms3)
		return 0;
	if (pf->depth > 24) {
		/* Four-byte CPIXELs: a format whose channels fill all four
		 * bytes makes libvncclient copy four bytes a pixel. */
		*use = (struct pixfmt){ .bpp = 32, .depth = 32,
		    .big_endian = pf->big_endian, .true_colour = 1,
		    .red_max = 255, .green_max = 255, .blue_max = 255,
		    .red_shift = 24, .green_shift = 16, .blue_shift = 0 };
		return 1;
	}
	if (!pf->big_endian || ms3)
		return 0;
	/* Big endian, the three low bytes only: HandleZRLE24Down. */
	if ((r = mirror_shift(pf->red_max, pf->red_shift)) < 0 ||
	    (g = mirror_shift(pf->green_max, pf->green_shift)) < 0 ||
	    (b = mirror_shift(pf->blue_max, pf->blue_shift)) < 0)
		return -1;
	*use = *pf;
	use->big_endian = 0;
	use->red_shift = (uint8_t)r;
	use->green_shift = (uint8_t)g;
	use->blue_shift = (uint8_t)b;
	return 1;
}

uint32_t
rfbdecode_zrle_mask(const struct pixfmt *pf)
{
	uint8_t b[4] = { 0xff, 0xff, 0xff, 0xff };
	uint32_t m;
	int off = cpixel_offset(pf);

	if (off >= 0)
		b[off == 0 ? 3 : 0] = 0;
	memcpy(&m, b, 4);
	return m;
}
