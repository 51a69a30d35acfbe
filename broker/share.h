/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encode once, send many.  A rectangle of a frame is encoded once for
 * every client that wants it with the same encoder, pixel format and
 * settings: clients that keep up with the screen take the same damage out
 * of each frame, so they ask for the same rectangles, and the first to ask
 * has them encoded (on a worker thread) while the others take a reference
 * to the result.  The bytes are shared, not copied: each client's output
 * holds a reference to them (evbuffer_add_buffer_reference).
 *
 * Each frame keeps the rectangles encoded from it (its cache), until it
 * goes; a client's update holds its own references, so the bytes outlive
 * the frame for as long as an update needs them.
 */
#ifndef RAMPART_SHARE_H
#define RAMPART_SHARE_H

#include "broker/encoders/encoder.h"
#include "broker/pool.h"

struct broker;
struct frame;

enum encoded_state {
	ENCODED_PENDING,	/* a job will fill it */
	ENCODED_READY,
	ENCODED_FAILED,		/* out of memory */
};

struct encoded {
	int		refs;		/* on the loop's thread */
	struct encoded	*next;		/* in its frame's cache */
	struct rect	r;
	const struct encoder *enc;
	struct pixfmt	pf;
	struct encode_settings set;
	enum encoded_state state;
	unsigned int	nrects;		/* RFB rectangles in it */
	/* ENCODER_ZLIB_STREAM: the 16 bytes of header and length, out of
	 * bytes, for the sender to patch for a client's first rectangle. */
	uint8_t		head[ENCODER_RECT_HEADER_SIZE + 4];
	struct evbuffer	*bytes;
	size_t		size;		/* head and bytes, as sent */
};

/* Rectangles to encode, gathered while a client's update is built, run
 * as one job on the pool. */
struct share_batch {
	struct broker	*broker;
	struct frame	*frame;
	const struct encoder *enc;
	const struct pixconv *conv;
	const struct encode_settings *set;
	struct encoded	*todo[ENCODE_JOB_MAX_RECTS];
	size_t		n;
};

void	share_batch_init(struct share_batch *b, struct broker *br,
	    struct frame *f, const struct encoder *enc,
	    const struct pixconv *pc, const struct encode_settings *set);
/*
 * The rectangle r of the batch's frame, with the batch's encoder, format
 * and settings: from the frame's cache when it is there (ready or on its
 * way), else new and pending in the batch.  A reference for the caller;
 * NULL when out of memory.
 */
struct encoded *share_get(struct share_batch *b, const struct rect *r);
/* Submit what the batch gathered (nothing: nothing happens).  When the
 * job is done, share_done() is called. */
void	share_submit(struct share_batch *b);
/* On the loop's thread, after a job: rectangles became ready. */
void	updates_encoded(struct broker *br);

struct encoded *encoded_ref(struct encoded *e);
void	encoded_unref(struct encoded *e);
/* The frame goes: its cache goes with it. */
void	share_frame_gone(struct frame *f);

/* Jobs since start, and rectangles encoded and shared, for tests and the
 * status line. */
struct share_stats {
	uint64_t	jobs;
	uint64_t	encoded;	/* rectangles encoded */
	uint64_t	shared;		/* taken from a cache */
};
extern struct share_stats share_stats;

#endif
