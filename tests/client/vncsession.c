/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libvncclient session: a real, widely used client library, asked for
 * the Raw encoding only and, when given, a pixel format of the test's
 * choice.  libvncclient keeps the framebuffer in that format, byte for
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
	rfbClientSetClientData(cl, &vnc_tag, v);
	cl->appData.encodingsString = "raw";
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
