/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libvncclient session: a real, widely used client library, asked for
 * the Raw encoding (or the test's list, --encodings) and, when given, a
 * pixel format of the test's choice.  libvncclient keeps the framebuffer in that format, byte for
 * byte as the server sent it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rfb/rfbclient.h>

#include "tests/client/testclient.h"

struct vnc {
	rfbClient	*cl;
	int		 updated;
	struct shape	 shape;
	rfbBool		 (*malloc_fb)(rfbClient *);	/* libvncclient's */
	const struct options *o;
	int		 encodings_sent;
};

static int vnc_tag;

static void
quiet_log(const char *fmt, ...)
{
}

static void
on_finished(rfbClient *cl)
{
	struct vnc	*v = rfbClientGetClientData(cl, &vnc_tag);

	v->updated = 1;
}

/*
 * libvncclient's Cursor (RichCursor): the pixels in rcSource, in the
 * client's format, and the mask in rcMask, a byte a pixel.  It draws
 * nothing into the framebuffer.
 */
static void
on_cursor_shape(rfbClient *cl, int xhot, int yhot, int width, int height,
    int bpp)
{
	struct vnc	*v = rfbClientGetClientData(cl, &vnc_tag);
	struct shape	*sh = &v->shape;
	struct fmt	 f = { .bpp = cl->format.bitsPerPixel,
			    .big_endian = cl->format.bigEndian,
			    .max = { cl->format.redMax, cl->format.greenMax,
			    cl->format.blueMax },
			    .shift = { cl->format.redShift,
			    cl->format.greenShift, cl->format.blueShift } };
	size_t		 n = (size_t)width * height, i;

	free(sh->rgb);
	free(sh->mask);
	sh->rgb = calloc(n, sizeof(*sh->rgb));
	sh->mask = calloc(n, 1);
	if (sh->rgb == NULL || sh->mask == NULL || cl->rcSource == NULL ||
	    cl->rcMask == NULL) {
		sh->width = sh->height = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		sh->rgb[i] = fmt_rgb(&f, cl->rcSource + i * bpp);
		sh->mask[i] = cl->rcMask[i] != 0;
	}
	sh->width = width;
	sh->height = height;
	sh->hot_x = xhot;
	sh->hot_y = yhot;
	sh->count++;
}

static const struct shape *
vnc_shape(void *s)
{
	struct vnc	*v = s;

	return &v->shape;
}

static int
vnc_pump(void *s, int timeout_ms)
{
	struct vnc	*v = s;
	int64_t		 deadline = now_ms() + timeout_ms;
	int		 n;

	v->updated = 0;
	do {
		/* A message may already sit in libvncclient's buffer. */
		if (v->cl->buffered == 0) {
			n = WaitForMessage(v->cl, 20000);
			if (n < 0 && errno != EINTR)
				return -1;
			if (n <= 0)
				continue;
		}
		if (!HandleRFBServerMessage(v->cl))
			return -1;
		if (v->updated)
			return 1;
	} while (now_ms() < deadline);
	return 0;
}

/*
 * ZRLE sends 3-byte CPIXELs for 32-bit formats of depth 24 or less whose
 * channels fit in three bytes, and Tight 3-byte TPIXELs for 32-bit
 * formats of depth 24 with 8-bit channels (rfbproto.rst): the fourth
 * byte, padding, is not sent, and libvncclient leaves whatever it likes
 * there.  Its bits as a pixel value, when ZRLE or Tight was asked for.
 */
static uint32_t
unsent_bits(const struct vnc *v)
{
	const rfbPixelFormat *pf = &v->cl->format;
	uint32_t	 max;
	int		 i, zrle = 0, tight = 0, ls3, ms3, first;

	for (i = 0; i < v->o->nencodings; i++) {
		zrle |= v->o->encodings[i] == 16;
		tight |= v->o->encodings[i] == 7;
	}
	if (pf->bitsPerPixel != 32 || pf->depth > 24)
		return 0;
	max = (uint32_t)pf->redMax << pf->redShift |
	    (uint32_t)pf->greenMax << pf->greenShift |
	    (uint32_t)pf->blueMax << pf->blueShift;
	if (tight && pf->depth == 24 && pf->redMax == 255 &&
	    pf->greenMax == 255 && pf->blueMax == 255)
		return ~max;
	if (!zrle)
		return 0;
	ls3 = max < 1u << 24;
	ms3 = (max & 0xff) == 0;
	if (!ls3 && !ms3)
		return 0;
	/* The first three bytes on the wire when they hold the channels:
	 * the low three of a little-endian pixel, the high three of a
	 * big-endian one; else the last three. */
	first = pf->bigEndian ? ms3 : ls3;
	return (first != (pf->bigEndian != 0)) ? 0xff000000u : 0xffu;
}

static void
vnc_view(void *s, struct view *view)
{
	struct vnc	*v = s;
	rfbPixelFormat	*pf = &v->cl->format;

	memset(view, 0, sizeof(*view));
	view->width = v->cl->width;
	view->height = v->cl->height;
	view->pixels = v->cl->frameBuffer;
	view->fmt.bpp = pf->bitsPerPixel;
	view->fmt.depth = pf->depth;
	view->fmt.big_endian = pf->bigEndian;
	view->fmt.true_colour = pf->trueColour;
	view->fmt.max[0] = pf->redMax;
	view->fmt.max[1] = pf->greenMax;
	view->fmt.max[2] = pf->blueMax;
	view->fmt.shift[0] = pf->redShift;
	view->fmt.shift[1] = pf->greenShift;
	view->fmt.shift[2] = pf->blueShift;
	view->unsent = unsent_bits(v);
}

static int
vnc_key(void *s, uint32_t keysym, int down)
{
	struct vnc	*v = s;

	return SendKeyEvent(v->cl, keysym, down) ? 0 : -1;
}

static int
vnc_pointer(void *s, int x, int y, int mask)
{
	struct vnc	*v = s;

	return SendPointerEvent(v->cl, x, y, mask) ? 0 : -1;
}

static void
vnc_close(void *s)
{
	struct vnc	*v = s;

	free(v->cl->frameBuffer);
	v->cl->frameBuffer = NULL;
	/* Ours to close, gracefully (see close_gracefully()). */
	if (v->cl->sock != RFB_INVALID_SOCKET) {
		close_gracefully(v->cl->sock);
		v->cl->sock = RFB_INVALID_SOCKET;
	}
	rfbClientCleanup(v->cl);
	free(v->shape.rgb);
	free(v->shape.mask);
	free(v);
}

/* libvncclient asks for -258 on its own, and sends QEMU key events once
 * the server confirmed it. */
static int
vnc_qemu_key(void *s, uint32_t keysym, uint32_t xt, int down)
{
	struct vnc	*v = s;

	return SendExtendedKeyEvent(v->cl, keysym, xt, down) ? 0 : -1;
}

static int
vnc_cut_text(void *s, const char *text, size_t len)
{
	struct vnc	*v = s;

	return SendClientCutText(v->cl, (char *)text, (int)len) ? 0 : -1;
}

static unsigned int
vnc_confirmed(void *s)
{
	struct vnc	*v = s;

	return SupportsClient2Server(v->cl, rfbQemuEvent) ? OFFER_QEMU_KEYS :
	    0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
support_set_encodings(rfbClient *cl, int yes)
{
	uint8_t	*bits = (uint8_t *)cl->supportedMessages.client2server;

	if (yes)
		bits[rfbSetEncodings / 8] |= 1 << (rfbSetEncodings % 8);
	else
		bits[rfbSetEncodings / 8] &= ~(1 << (rfbSetEncodings % 8));
}

/*
 * --encodings.  libvncclient sends its own SetEncodings (the names of
 * encodingsString, then pseudo-encodings of its choosing) right after it
 * allocated the framebuffer, in rfbInitClient().  This runs in its place
 * there: the test's list, exactly, and libvncclient's own is skipped (it
 * skips what it believes the server does not support).
 */
static rfbBool
malloc_fb_then_encodings(rfbClient *cl)
{
	struct vnc	*v = rfbClientGetClientData(cl, &vnc_tag);
	uint8_t		 b[4 + 4 * ENCODINGS_MAX];
	int		 i;

	if (!v->malloc_fb(cl))
		return FALSE;
	if (v->encodings_sent)
		return TRUE;	/* a resize */
	memset(b, 0, 4);
	b[0] = rfbSetEncodings;
	put16(b + 2, (uint16_t)v->o->nencodings);
	for (i = 0; i < v->o->nencodings; i++)
		put32(b + 4 + 4 * i, (uint32_t)v->o->encodings[i]);
	if (!WriteToRFBServer(cl, (char *)b, 4 + 4 * (unsigned int)i))
		return FALSE;
	support_set_encodings(cl, 0);
	v->encodings_sent = 1;
	return TRUE;
}

/*
 * What a listed pseudo-encoding may bring that libvncclient 0.9.14 does
 * not read: DesktopName rectangles, EndOfContinuousUpdates and Fence
 * messages (a Fence request is answered, as a client must).  Each is
 * printed.
 */
static rfbBool
ext_encoding(rfbClient *cl, rfbFramebufferUpdateRectHeader *rect)
{
	uint8_t	 b[4];
	char	*name;
	uint32_t len;

	if ((int32_t)rect->encoding != -307)
		return FALSE;
	if (!ReadFromRFBServer(cl, (char *)b, 4))
		return FALSE;
	len = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | b[2] << 8 | b[3];
	if (len > 65536 || (name = calloc(1, len + 1)) == NULL)
		return FALSE;
	if (!ReadFromRFBServer(cl, name, len)) {
		free(name);
		return FALSE;
	}
	printf("desktop-name: \"%s\"\n", name);
	free(name);
	return TRUE;
}

static rfbBool
ext_message(rfbClient *cl, rfbServerToClientMsg *msg)
{
	uint8_t	 b[8 + 64];
	uint32_t flags;

	switch (msg->type) {
	case 150:	/* EndOfContinuousUpdates */
		printf("end-of-continuous-updates\n");
		return TRUE;
	case 248:	/* Fence: 3 padding, flags, length, payload */
		if (!ReadFromRFBServer(cl, (char *)b + 1, 8) || b[8] > 64 ||
		    !ReadFromRFBServer(cl, (char *)b + 9, b[8]))
			return FALSE;
		flags = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
		    b[6] << 8 | b[7];
		printf("fence: flags=0x%08x length=%u\n", flags, b[8]);
		if (!(flags & 0x80000000u))
			return TRUE;
		/* Our answer: the flags we know (BlockBefore, BlockAfter,
		 * SyncNext, all trivially kept by a client that handles
		 * messages in order), the payload as it came. */
		b[0] = 248;
		put32(b + 4, flags & 0x7);
		return WriteToRFBServer(cl, (char *)b, 9 + b[8]);
	}
	return FALSE;
}

static rfbClientProtocolExtension ext = {
	.handleEncoding = ext_encoding,
	.handleMessage = ext_message,
};

static const struct session_ops vnc_ops = {
	.name = "libvncclient", .pump = vnc_pump, .view = vnc_view,
	.key = vnc_key, .pointer = vnc_pointer, .close = vnc_close,
	.qemu_key = vnc_qemu_key, .cut_text = vnc_cut_text,
	.confirmed = vnc_confirmed, .shape = vnc_shape,
};

static const struct options *credentials;

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* VNC authentication's password. */
static char *
get_password(rfbClient *cl)
{
	return strdup(credentials->password != NULL ?
	    credentials->password : "");
}

/* VeNCrypt: the CA and our certificate (X509), or user and password. */
static rfbCredential *
get_credential(rfbClient *cl, int type)
{
	rfbCredential *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (type == rfbCredentialTypeX509) {
		c->x509Credential.x509CACertFile = dup_or_null(credentials->ca);
		c->x509Credential.x509ClientCertFile =
		    dup_or_null(credentials->cert);
		c->x509Credential.x509ClientKeyFile =
		    dup_or_null(credentials->key);
	} else if (type == rfbCredentialTypeUser) {
		c->userCredential.username = strdup(credentials->user != NULL ?
		    credentials->user : "");
		c->userCredential.password = strdup(credentials->password !=
		    NULL ? credentials->password : "");
	} else {
		free(c);
		return NULL;
	}
	return c;
}

void *
vnc_open(const struct options *o, const struct session_ops **ops)
{
	struct vnc	*v;
	rfbClient	*cl;
	struct fmt	 f;
	const char	*colon;

	if (!o->verbose)
		rfbClientLog = rfbClientErr = quiet_log;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if ((cl = rfbGetClient(8, 3, 4)) == NULL) {
		free(v);
		return NULL;
	}
	v->cl = cl;
	v->o = o;
	rfbClientSetClientData(cl, &vnc_tag, v);
	cl->appData.encodingsString = "raw";
	if (o->nencodings > 0) {
		v->malloc_fb = cl->MallocFrameBuffer;
		cl->MallocFrameBuffer = malloc_fb_then_encodings;
		rfbClientRegisterExtension(&ext);
	}
	/* With it libvncclient lists XCursor, Cursor and PointerPos. */
	cl->appData.useRemoteCursor = o->cursor ? TRUE : FALSE;
	cl->GotCursorShape = on_cursor_shape;
	cl->canHandleNewFBSize = TRUE;
	cl->appData.shareDesktop = o->exclusive ? FALSE : TRUE;
	cl->FinishedFrameBufferUpdate = on_finished;
	credentials = o;
	cl->GetPassword = get_password;
	cl->GetCredential = get_credential;
	/* libvncclient takes the first type offered that it knows; a test
	 * of VNC authentication next to VeNCrypt must say which. */
	if (o->security[0] != 0) {
		size_t	n = 0;

		while (o->security[n] != 0)
			n++;
		SetClientAuthSchemes(cl, o->security, (int)n);
	}
	cl->connectTimeout = o->timeout;
	cl->readTimeout = o->timeout;
	free(cl->serverHost);
	if (strncmp(o->target, "unix:", 5) == 0)
		cl->serverHost = strdup(o->target + 5);
	else if ((colon = strrchr(o->target, ':')) != NULL) {
		cl->serverHost = strndup(o->target, colon - o->target);
		cl->serverPort = atoi(colon + 1);
	} else
		cl->serverHost = strdup(o->target);

	/* The server's own format unless the test asked for one. */
	if (o->format != NULL) {
		if (fmt_by_name(o->format, &f) == -1 || !f.true_colour) {
			fprintf(stderr, "libvncclient cannot use format %s\n",
			    o->format);
			vnc_close(v);
			return NULL;
		}
		cl->format.bitsPerPixel = f.bpp;
		cl->format.depth = f.depth;
		cl->format.bigEndian = f.big_endian;
		cl->format.trueColour = 1;
		cl->format.redMax = f.max[0];
		cl->format.greenMax = f.max[1];
		cl->format.blueMax = f.max[2];
		cl->format.redShift = f.shift[0];
		cl->format.greenShift = f.shift[1];
		cl->format.blueShift = f.shift[2];
	}
	/* rfbInitClient() frees the client when it fails. */
	if (!rfbInitClient(cl, NULL, NULL)) {
		free(v);
		return NULL;
	}
	if (o->nencodings > 0)
		support_set_encodings(cl, 1);
	printf("server-init: %dx%d name=\"%s\" version=%d.%d\n",
	    cl->si.framebufferWidth, cl->si.framebufferHeight,
	    cl->desktopName, cl->major, cl->minor);
	f.bpp = cl->si.format.bitsPerPixel;
	f.depth = cl->si.format.depth;
	f.big_endian = cl->si.format.bigEndian;
	f.true_colour = cl->si.format.trueColour;
	f.max[0] = cl->si.format.redMax;
	f.max[1] = cl->si.format.greenMax;
	f.max[2] = cl->si.format.blueMax;
	f.shift[0] = cl->si.format.redShift;
	f.shift[1] = cl->si.format.greenShift;
	f.shift[2] = cl->si.format.blueShift;
	fmt_print("server-format", &f);
	*ops = &vnc_ops;
	return v;
}
