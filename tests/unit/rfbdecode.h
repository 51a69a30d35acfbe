/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decode what an encoder wrote with a real, independent decoder:
 * libvncclient, over a real loopback TCP connection.  A server thread of
 * the harness speaks RFB 3.8 (security None), sends ServerInit, reads
 * what the client sends (SetPixelFormat, SetEncodings, requests) and
 * answers each request with the next FramebufferUpdate the caller gave;
 * libvncclient decodes them into its framebuffer, which the caller gets
 * back to compare.
 */
#ifndef RAMPART_RFBDECODE_H
#define RAMPART_RFBDECODE_H

#include <stddef.h>
#include <stdint.h>

#include "broker/pixfmt.h"

/* One FramebufferUpdate: its rectangles, headers included, as encoders
 * wrote them (with any zlib header the sender adds), and their count. */
struct rfbdecode_update {
	const uint8_t	*data;
	size_t		len;
	uint16_t	nrects;
};

struct rfbdecode_params {
	/* The client's format: libvncclient sends it in SetPixelFormat and
	 * keeps its framebuffer in it.  A colour-map format (8 bits) is
	 * decoded as its 3-3-2 true-colour equivalent (pixfmt.h): the
	 * indices are kept as they came, byte for byte. */
	const struct pixfmt *pf;
	/*
	 * The format libvncclient decodes with, when it differs (NULL: pf).
	 * Only where libvncclient misreads pf and another format of the
	 * same bytes reads right: see rfbdecode_zrle_format().
	 */
	const struct pixfmt *decode_pf;
	uint32_t	width, height;	/* of the screen (ServerInit) */
	/* The client's framebuffer before the first update, width * height
	 * pixels of pf packed (for CopyRect); NULL: all bytes zero. */
	const uint8_t	*initial;
	/* What the client says it takes (libvncclient's encodingsString,
	 * names such as "zrle raw"); NULL: "raw".  The harness sends what
	 * it is given whatever the client asked for. */
	const char	*encodings;
	/* libvncclient's quality and compress levels (appData), -1: its
	 * defaults; they only change what it announces. */
	int		quality, compress;
};

/*
 * Run one connection: the updates in order, each after the client's
 * request for it, then the client's framebuffer (width * height pixels of
 * pf, bpp / 8 bytes each, packed) into fb_out.  Returns 0; -1 when the
 * connection, the handshake or a decode failed (libvncclient's reason on
 * stderr), with *why set.
 */
int	rfbdecode(const struct rfbdecode_params *p,
	    const struct rfbdecode_update *ups, size_t n, uint8_t *fb_out,
	    const char **why);

/* The same with libvncclient's defaults for the rest. */
int	rfbdecode_run(const struct pixfmt *pf, uint32_t w, uint32_t h,
	    const struct rfbdecode_update *ups, size_t n, uint8_t *fb_out);

/*
 * libvncclient 0.9.14 reads ZRLE's 3-byte CPIXEL wrongly in two cases;
 * for each, a format of the very same bytes that it reads right:
 *
 * - It takes 3-byte CPIXELs whatever the depth, where rfbproto.rst (and
 *   TigerVNC) want depth 24 or less: a 32-bit format of depth 25 or more
 *   is decoded with one whose channels fill all four bytes.
 * - A big-endian 32-bit format whose channels are in the three low bytes
 *   goes through a shift of the host-order value (HandleZRLE24Down),
 *   right only on big-endian hosts: it is decoded with the little-endian
 *   format of the same bytes (channels on byte boundaries only).
 *
 * Returns 1 and the format in *use when pf is such a case, 0 when
 * libvncclient reads pf right as it is, -1 when it cannot be read right
 * (the caller skips).  In every 3-byte case the fourth byte of a decoded
 * pixel is not sent, so not compared: see rfbdecode_zrle_mask().
 */
int	rfbdecode_zrle_format(const struct pixfmt *pf, struct pixfmt *use);

/* The bits of a decoded 32-bit pixel that ZRLE carries for pf (all of
 * them but the byte a 3-byte CPIXEL leaves out), as a mask to AND with a
 * pixel read from memory (host order). */
uint32_t rfbdecode_zrle_mask(const struct pixfmt *pf);

#endif
