/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JPEG (encoding 21, rfbproto.rst): a rectangle's data is one JPEG image,
 * nothing before it and no length: the decoders (TigerVNC 1.16's
 * JPEGDecoder, noVNC 1.4's jpeg.js) read segment by segment up to the
 * End Of Image marker.  They may also reuse the Huffman and quantization
 * tables of an earlier image when one leaves them out; a server that
 * shares its rectangles between clients cannot know what a client saw
 * before, so every image here is whole.
 *
 * Quality: the client's QualityLevel, fine quality and subsampling, read
 * as for Tight.  A client that sent no quality gets level 6 (JPEG quality
 * 79, no chroma subsampling): noVNC's own default, the middle of the
 * table, and since this encoding carries text and window borders too,
 * colour edges stay sharp where 4:2:0 would smear them.
 *
 * Pieces are cut as for Tight's JPEG (2048 wide, 65536 pixels), which
 * every decoder takes and keeps a viewer's decoding threads busy.  Unlike
 * Tight's JPEG, this encoding is not limited to 16 and 32 bits a pixel:
 * the image is RGB, and the viewer (TigerVNC's converts to any format)
 * makes its pixels of it; so every client that lists it gets JPEG.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "broker/encoders/encoder.h"
#include "broker/encoders/tjpeg.h"

#define RFB_ENCODING_JPEG	21
#define JPEG_DEFAULT_LEVEL	6

struct jpeg_scratch {
	struct tjpeg	jpeg;
	struct evbuffer	*pending;	/* this call's rectangles */
};

static void
jpeg_scratch_free(void *scratch)
{
	struct jpeg_scratch *s = scratch;

	if (s == NULL)
		return;
	tjpeg_end(&s->jpeg);
	evbuffer_free(s->pending);
	free(s);
}

static int
jpeg_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	uint8_t h[ENCODER_RECT_HEADER_SIZE];
	struct jpeg_scratch *s = *scratch;
	struct tjpeg_params p;
	struct rect piece = { 0, 0, 0, 0 };
	const uint8_t *data;
	size_t len;
	int count = 0;

	(void)pc;
	if (!encode_rect_inside(src, r))
		return -1;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		if ((s->pending = evbuffer_new()) == NULL) {
			free(s);
			return -1;
		}
		s->jpeg = (struct tjpeg)TJPEG_INIT;
		*scratch = s;
	}
	if (tjpeg_params(set, JPEG_DEFAULT_LEVEL, &p) == -1)
		return -1;	/* not reached: there is a default */
	while (tjpeg_split_next(r, TJPEG_MAX_WIDTH, TJPEG_MAX_AREA, &piece)) {
		data = tjpeg_compress(&s->jpeg, src, &piece, &p, &len);
		if (data == NULL ||
		    encoder_rect_header_bytes(h, &piece,
		    RFB_ENCODING_JPEG) == -1 ||
		    evbuffer_add(s->pending, h, sizeof(h)) == -1 ||
		    evbuffer_add(s->pending, data, len) == -1) {
			evbuffer_drain(s->pending,
			    evbuffer_get_length(s->pending));
			return -1;
		}
		count++;
	}
	if (evbuffer_add_buffer(out, s->pending) == -1) {
		evbuffer_drain(s->pending, evbuffer_get_length(s->pending));
		return -1;
	}
	return count;
}

const struct encoder encoder_jpeg = {
	.name = "jpeg",
	.encoding = RFB_ENCODING_JPEG,
	.flags = ENCODER_SHAREABLE,
	.encode = jpeg_encode,
	.scratch_free = jpeg_scratch_free,
};
