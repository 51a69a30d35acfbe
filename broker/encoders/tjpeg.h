/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JPEG through TurboJPEG for Tight's JpegCompression and for the JPEG
 * encoding (21): the client's settings read as TigerVNC reads them, the
 * split of a rectangle into pieces every decoder takes, and compression
 * straight from the screen's XRGB8888 (TurboJPEG's BGRX: no copy).
 */
#ifndef RAMPART_TJPEG_H
#define RAMPART_TJPEG_H

#include <stddef.h>
#include <stdint.h>

#include "broker/encoders/encoder.h"

/*
 * Tight's limits, which the JPEG encoding shares: no decoder takes a Tight
 * rectangle wider than 2048 (rfbproto.rst), and libvncclient decodes a
 * 16 bpp JPEG through a buffer of 640x480x1 bytes (3 bytes a pixel: at
 * most 102400 pixels); 65536, as TigerVNC and libvncserver split, fits.
 */
#define TJPEG_MAX_WIDTH		2048
#define TJPEG_MAX_AREA		65536

struct tjpeg_params {
	int		quality;	/* 1..100 */
	int		subsamp;	/* TJSAMP_* */
	int		flags;		/* TJFLAG_* */
};

/*
 * What JPEG the client asked for.  Its QualityLevel (0..9) picks a JPEG
 * quality and a subsampling from TigerVNC's table; a fine quality
 * (0..100) overrides the quality, a subsampling level the subsampling.
 * Settings out of range are clamped (a negative one is "not sent").
 * default_level is the level used when the client sent neither quality:
 * -1 for "no JPEG" (Tight), which then returns -1.
 */
int	tjpeg_params(const struct encode_settings *set, int default_level,
	    struct tjpeg_params *p);

struct tjpeg {
	void		*tj;		/* tjhandle */
	unsigned char	*buf;		/* tjAlloc()ed */
	unsigned long	cap;
};

#define TJPEG_INIT	{ NULL, NULL, 0 }

/*
 * The JPEG (JFIF) image of the rectangle r of src, *len bytes, valid
 * until the next call on j; NULL on failure.  r must be inside src and
 * no larger than the limits above.
 */
const uint8_t *tjpeg_compress(struct tjpeg *j, const struct encode_src *src,
	    const struct rect *r, const struct tjpeg_params *p, size_t *len);
void	tjpeg_end(struct tjpeg *j);

/*
 * The next piece of a rectangle split as TigerVNC splits: columns at most
 * max_w wide, each cut into rows of at most max_area pixels, left to
 * right then top to bottom.  Start with piece->w == 0; returns 0 when
 * every piece has been given.
 */
int	tjpeg_split_next(const struct rect *r, uint32_t max_w,
	    uint32_t max_area, struct rect *piece);

/* Whether r is a non-empty rectangle inside src. */
int	encode_rect_inside(const struct encode_src *src, const struct rect *r);

#endif
