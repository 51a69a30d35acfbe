/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <turbojpeg.h>

#include "broker/encoders/tjpeg.h"

/*
 * QualityLevel 0..9 as TigerVNC (and the VirtualGL research behind it)
 * maps it: JPEG quality, and the subsampling used unless the client asks
 * for another.
 */
static const struct {
	int	quality;
	int	subsamp;
} levels[10] = {
	{ 15, TJSAMP_420 }, { 29, TJSAMP_420 }, { 41, TJSAMP_420 },
	{ 42, TJSAMP_422 }, { 62, TJSAMP_422 }, { 77, TJSAMP_422 },
	{ 79, TJSAMP_444 }, { 86, TJSAMP_444 }, { 92, TJSAMP_444 },
	{ 100, TJSAMP_444 },
};

int
tjpeg_params(const struct encode_settings *set, int default_level,
    struct tjpeg_params *p)
{
	int level = set->quality, fine = set->fine_quality;

	if (level > 9)
		level = 9;
	if (fine > 100)
		fine = 100;
	if (level < 0 && fine < 0) {
		if (default_level < 0)
			return -1;
		level = default_level;
	}
	if (level >= 0) {
		p->quality = levels[level].quality;
		p->subsamp = levels[level].subsamp;
	} else {
		/* A fine quality alone: libjpeg's default subsampling,
		 * what TigerVNC's server sends then. */
		p->quality = fine;
		p->subsamp = TJSAMP_420;
	}
	if (fine >= 0)
		p->quality = fine < 1 ? 1 : fine;
	switch (set->subsampling) {
	case ENCODE_SUBSAMP_NONE:
		p->subsamp = TJSAMP_444;
		break;
	case ENCODE_SUBSAMP_4X:
	case ENCODE_SUBSAMP_8X:		/* TurboJPEG has nothing coarser */
	case ENCODE_SUBSAMP_16X:
		p->subsamp = TJSAMP_420;
		break;
	case ENCODE_SUBSAMP_2X:
		p->subsamp = TJSAMP_422;
		break;
	case ENCODE_SUBSAMP_GRAY:
		p->subsamp = TJSAMP_GRAY;
		break;
	default:
		break;		/* not sent, or out of range */
	}
	/*
	 * The fast integer DCT below quality 96, as TigerVNC does: about a
	 * third less time for a loss that quality hides; above, the
	 * accurate one, or "lossless" level 9 would not be.
	 */
	p->flags = TJFLAG_NOREALLOC |
	    (p->quality < 96 ? TJFLAG_FASTDCT : TJFLAG_ACCURATEDCT);
	return 0;
}

const uint8_t *
tjpeg_compress(struct tjpeg *j, const struct encode_src *src,
    const struct rect *r, const struct tjpeg_params *p, size_t *len)
{
	unsigned long need, size;
	unsigned char *buf;

	if (r->w == 0 || r->w > TJPEG_MAX_WIDTH || r->h == 0 ||
	    r->h > UINT16_MAX || src->stride > INT32_MAX)
		return NULL;
	if (j->tj == NULL && (j->tj = tjInitCompress()) == NULL)
		return NULL;
	need = tjBufSize((int)r->w, (int)r->h, p->subsamp);
	if (need == (unsigned long)-1)
		return NULL;
	if (need > j->cap) {
		if ((buf = tjAlloc((int)need)) == NULL)
			return NULL;
		tjFree(j->buf);
		j->buf = buf;
		j->cap = need;
	}
	buf = j->buf;
	size = j->cap;
	/* The frame's own bytes, rows src->stride apart: B, G, R, X. */
	if (tjCompress2(j->tj, src->pixels + (size_t)r->y * src->stride +
	    (size_t)r->x * 4, (int)r->w, (int)src->stride, (int)r->h,
	    TJPF_BGRX, &buf, &size, p->subsamp, p->quality, p->flags) != 0 ||
	    buf != j->buf)
		return NULL;
	*len = size;
	return j->buf;
}

void
tjpeg_end(struct tjpeg *j)
{
	if (j->tj != NULL)
		tjDestroy(j->tj);
	tjFree(j->buf);
	*j = (struct tjpeg)TJPEG_INIT;
}

int
tjpeg_split_next(const struct rect *r, uint32_t max_w, uint32_t max_area,
    struct rect *piece)
{
	uint32_t sw = r->w < max_w ? r->w : max_w;
	uint32_t sh;

	if (sw == 0 || r->h == 0)
		return 0;
	sh = max_area / sw;
	if (sh == 0)
		sh = 1;
	if (piece->w == 0) {
		piece->x = r->x;
		piece->y = r->y;
	} else if (piece->x + piece->w < r->x + r->w) {
		piece->x += piece->w;
	} else if (piece->y + piece->h < r->y + r->h) {
		piece->x = r->x;
		piece->y += piece->h;
	} else
		return 0;
	piece->w = r->x + r->w - piece->x < sw ? r->x + r->w - piece->x : sw;
	piece->h = r->y + r->h - piece->y < sh ? r->y + r->h - piece->y : sh;
	return 1;
}

int
encode_rect_inside(const struct encode_src *src, const struct rect *r)
{
	return r->w != 0 && r->h != 0 && r->x <= src->width &&
	    r->w <= src->width - r->x && r->y <= src->height &&
	    r->h <= src->height - r->y;
}
