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

/* The output depends only on the pixels, the rectangle and the pixel
 * format: clients with the same format can share it. */
#define ENCODER_SHAREABLE	0x01

struct encoder {
	const char	*name;
	int32_t		encoding;	/* RFB encoding number */
	unsigned int	flags;		/* ENCODER_* */
	/* Optional: per-client state (a compression stream), used by one
	 * job at a time. */
	void		*(*state_new)(void);
	void		(*state_free)(void *state);
	/* Append the rectangle r of src; 0, or -1 when out of memory or r
	 * is not inside src (then nothing is appended).  Touches nothing
	 * but its arguments: it runs on any thread. */
	int		(*encode)(const struct encode_src *src,
			    const struct rect *r, const struct pixconv *pc,
			    void *state, struct evbuffer *out);
};

/*
 * An encoder job: everything one update's encoding needs, so that a worker
 * thread can run it while the event loop goes on.  It holds a reference to
 * its frame (the slot is not rewritten while the job runs) and copies of
 * the client's pixel format and rectangles; the client's encoder state is
 * lent to it until encode_job_done().
 */
#define ENCODE_JOB_MAX_RECTS	64

struct encode_job {
	struct frame	*frame;
	struct encode_src src;
	struct rect	rects[ENCODE_JOB_MAX_RECTS];
	size_t		nrects;
	struct pixconv	conv;
	const struct encoder *encoder;
	void		*state;
	struct evbuffer	*out;		/* the rectangles, headers included */
	int		result;		/* of encode_job_run(): 0 or -1 */
};

/* On the loop's thread: 0, or -1 when out of memory. */
int	encode_job_init(struct encode_job *job, struct frame *f,
	    const struct encoder *enc, void *state, const struct pixconv *pc);
/* On any thread: encode every rectangle into job->out. */
void	encode_job_run(struct encode_job *job);
/* On the loop's thread: the frame's reference and the output go. */
void	encode_job_done(struct encode_job *job);

extern const struct encoder encoder_raw;

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
