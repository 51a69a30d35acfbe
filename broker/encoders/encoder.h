/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One encoder per file behind this small table.  An encoder turns one
 * rectangle of the screen (XRGB8888 in the frame ring, read in place) into
 * the bytes of one RFB rectangle (header included) in the client's pixel
 * format, appended to out.
 */
#ifndef RAMPART_ENCODER_H
#define RAMPART_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "broker/damage.h"
#include "broker/pixfmt.h"

struct evbuffer;

struct frame;

struct encode_src {
	const uint8_t	*pixels;	/* top left of the screen */
	size_t		stride;
	uint32_t	width, height;
};

/*
 * What a client asked of the encoders with its pseudo-encodings, as it
 * sent them (rfbproto.rst; TigerVNC's fine quality and subsampling).  Each
 * encoder reads what it uses; -1 is "not sent".  Clients whose settings,
 * pixel format and encoder are equal share encoded rectangles, so every
 * field is part of that key: keep the struct free of padding.
 */
struct encode_settings {
	int32_t		quality;	/* QualityLevel 0..9 (-32..-23) */
	int32_t		fine_quality;	/* 0..100 (-512..-412) */
	int32_t		subsampling;	/* ENCODE_SUBSAMP_* (-768..-763) */
	int32_t		compress;	/* CompressLevel 0..9 (-256..-247) */
};

/* TigerVNC's subsampling levels, in the order of its pseudo-encodings. */
#define ENCODE_SUBSAMP_NONE	0	/* 4:4:4 */
#define ENCODE_SUBSAMP_4X	1	/* 4:2:0 */
#define ENCODE_SUBSAMP_2X	2	/* 4:2:2 */
#define ENCODE_SUBSAMP_GRAY	3
#define ENCODE_SUBSAMP_8X	4
#define ENCODE_SUBSAMP_16X	5

#define ENCODE_SETTINGS_NONE	{ -1, -1, -1, -1 }

/* The output depends only on the pixels, the rectangle, the pixel format
 * and the settings: clients with the same ones can share it.  (Every
 * encoder is, now: none keeps state between rectangles of a client.) */
#define ENCODER_SHAREABLE	0x01
/*
 * The encoder writes one rectangle of a zlib stream that lasts the whole
 * connection (Zlib, ZRLE): 12-byte header, u32 length, then raw deflate
 * data (no zlib header) that ends in a full flush, so that it depends on
 * nothing compressed before and any client can take it.  The sender puts
 * the 2-byte zlib header (ENCODER_ZLIB_HEADER) in front of the data of
 * the first such rectangle a client gets of that encoding, and adds 2 to
 * the length.
 */
#define ENCODER_ZLIB_STREAM	0x02
#define ENCODER_ZLIB_HEADER	"\x78\x01"

struct encoder {
	const char	*name;
	int32_t		encoding;	/* RFB encoding number */
	unsigned int	flags;		/* ENCODER_* */
	/*
	 * Append the rectangle r of src as one or more RFB rectangles (an
	 * encoder may split what its clients cannot take in one: Tight's
	 * width limit) and return how many; -1 when out of memory or r is
	 * not inside src or is empty (then nothing is appended; out is left
	 * as it was).  Touches nothing but its arguments: it runs on any
	 * thread.
	 *
	 * *scratch is this encoder's working memory on the calling thread
	 * (deflate and TurboJPEG handles, buffers): NULL at first, set by the
	 * encoder as it likes, kept between calls on that thread and given
	 * to scratch_free() when the thread ends.  Nothing of one call may
	 * leak into the bytes of the next.
	 */
	int		(*encode)(const struct encode_src *src,
			    const struct rect *r, const struct pixconv *pc,
			    const struct encode_settings *set, void **scratch,
			    struct evbuffer *out);
	void		(*scratch_free)(void *scratch);	/* optional */
};

/* Every encoder, in the order a client's tie is broken (none yet). */
extern const struct encoder encoder_raw;
extern const struct encoder encoder_copyrect;	/* not through encode() */
extern const struct encoder encoder_hextile;
extern const struct encoder encoder_zlib;
extern const struct encoder encoder_zrle;
extern const struct encoder encoder_tight;
extern const struct encoder encoder_jpeg;

/*
 * Scratch for every encoder on one thread: each worker thread has one, the
 * event loop's thread another (jobs run there when there are no workers).
 */
#define ENCODER_SLOTS	8	/* indexed by encoder_slot() */

struct encode_scratch {
	void		*slot[ENCODER_SLOTS];
};

/* The slot of enc in a struct encode_scratch. */
unsigned int encoder_slot(const struct encoder *enc);
void	encode_scratch_free(struct encode_scratch *s);

/*
 * An encoder job: everything one update's encoding needs, so that a worker
 * thread can run it while the event loop goes on.  It holds a reference to
 * its frame (the slot is not rewritten while the job runs) and copies of
 * the client's pixel format, settings and rectangles.
 */
#define ENCODE_JOB_MAX_RECTS	64

struct encode_job {
	struct frame	*frame;
	struct encode_src src;
	struct rect	rects[ENCODE_JOB_MAX_RECTS];
	size_t		nrects;
	struct pixconv	conv;
	struct encode_settings set;
	const struct encoder *encoder;
	struct evbuffer	*out;		/* the rectangles, headers included */
	unsigned int	out_rects;	/* RFB rectangles in out */
	int		result;		/* of encode_job_run(): 0 or -1 */
};

/* On the loop's thread: 0, or -1 when out of memory. */
int	encode_job_init(struct encode_job *job, struct frame *f,
	    const struct encoder *enc, const struct encode_settings *set,
	    const struct pixconv *pc);
/* On any thread, with that thread's scratch: encode every rectangle into
 * job->out. */
void	encode_job_run(struct encode_job *job, struct encode_scratch *scratch);
/* On the loop's thread: the frame's reference and the output go. */
void	encode_job_done(struct encode_job *job);

#define ENCODER_RECT_HEADER_SIZE	12

/* Append a rectangle header (RFB 7.6.1: x, y, w, h as u16, encoding as
 * s32, big endian) to out; -1 when out of memory or a field above 65535. */
int	encoder_rect_header(struct evbuffer *out, const struct rect *r,
	    int32_t encoding);
/* The same 12 bytes written to h, for an encoder that writes into space
 * reserved in its output; -1 when a field is above 65535. */
int	encoder_rect_header_bytes(uint8_t h[ENCODER_RECT_HEADER_SIZE],
	    const struct rect *r, int32_t encoding);

#endif
