/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/buffer.h>

#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/share.h"
#include "common/log.h"

/* A frame that stays (an idle screen) keeps at most this many rectangles:
 * beyond, new ones are encoded for the client that asked only. */
#define SHARE_CACHE_MAX		512

struct share_stats share_stats;

struct share_job {
	struct pool_job	pj;
	struct broker	*broker;
	struct frame	*frame;
	const struct encoder *enc;
	struct pixconv	conv;
	struct encode_settings set;
	struct encoded	*todo[ENCODE_JOB_MAX_RECTS];
	size_t		n;
};

struct encoded *
encoded_ref(struct encoded *e)
{
	e->refs++;
	return e;
}

void
encoded_unref(struct encoded *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	if (e->bytes != NULL)
		evbuffer_free(e->bytes);
	free(e);
}

void
share_frame_gone(struct frame *f)
{
	struct encoded *e, *next;

	for (e = f->cache; e != NULL; e = next) {
		next = e->next;
		e->next = NULL;
		encoded_unref(e);
	}
	f->cache = NULL;
	f->ncached = 0;
}

void
share_batch_init(struct share_batch *b, struct broker *br, struct frame *f,
    const struct encoder *enc, const struct pixconv *pc,
    const struct encode_settings *set)
{
	*b = (struct share_batch){ .broker = br, .frame = f, .enc = enc,
	    .conv = pc, .set = set };
}

static int
same(const struct encoded *e, const struct share_batch *b,
    const struct rect *r)
{
	return e->enc == b->enc && e->r.x == r->x && e->r.y == r->y &&
	    e->r.w == r->w && e->r.h == r->h && e->state != ENCODED_FAILED &&
	    memcmp(&e->set, b->set, sizeof(e->set)) == 0 &&
	    pixfmt_equal(&e->pf, &b->conv->pf);
}

struct encoded *
share_get(struct share_batch *b, const struct rect *r)
{
	struct frame *f = b->frame;
	struct encoded *e;

	for (e = f->cache; e != NULL; e = e->next)
		if (same(e, b, r)) {
			share_stats.shared++;
			return encoded_ref(e);
		}
	if (b->n == ENCODE_JOB_MAX_RECTS || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->bytes = evbuffer_new()) == NULL) {
		free(e);
		return NULL;
	}
	e->refs = 2;		/* the caller's, and the batch's */
	e->r = *r;
	e->enc = b->enc;
	e->pf = b->conv->pf;
	e->set = *b->set;
	e->state = ENCODED_PENDING;
	b->todo[b->n++] = e;
	if (f->ncached < SHARE_CACHE_MAX) {
		e->next = f->cache;
		f->cache = encoded_ref(e);
		f->ncached++;
	}
	return e;
}

/* On a worker: each rectangle into its own buffer. */
static void
job_run(struct pool_job *pj, struct encode_scratch *scratch)
{
	struct share_job *j = (struct share_job *)pj;
	struct encode_src src = { .pixels = j->frame->pixels,
	    .stride = j->frame->stride, .width = j->frame->width,
	    .height = j->frame->height };
	void **slot = &scratch->slot[encoder_slot(j->enc)];

	for (size_t i = 0; i < j->n; i++) {
		struct encoded *e = j->todo[i];
		int n = j->enc->encode(&src, &e->r, &j->conv, &j->set, slot,
		    e->bytes);

		if (n > 0 && (j->enc->flags & ENCODER_ZLIB_STREAM) &&
		    (n != 1 || evbuffer_remove(e->bytes, e->head,
		    sizeof(e->head)) != (int)sizeof(e->head)))
			n = -1;
		e->nrects = n > 0 ? (unsigned int)n : 0;
		e->size = evbuffer_get_length(e->bytes) +
		    ((j->enc->flags & ENCODER_ZLIB_STREAM) ? sizeof(e->head) :
		    0);
		/* The state is published on the loop's thread, in done. */
	}
}

static void
job_done(struct pool_job *pj)
{
	struct share_job *j = (struct share_job *)pj;
	struct broker *br = j->broker;

	for (size_t i = 0; i < j->n; i++) {
		struct encoded *e = j->todo[i];

		e->state = e->nrects > 0 ? ENCODED_READY : ENCODED_FAILED;
		encoded_unref(e);
	}
	frame_unref(j->frame);
	free(j);
	updates_encoded(br);
}

void
share_submit(struct share_batch *b)
{
	struct share_job *j;

	if (b->n == 0)
		return;
	if ((j = malloc(sizeof(*j))) == NULL) {
		for (size_t i = 0; i < b->n; i++) {
			b->todo[i]->state = ENCODED_FAILED;
			encoded_unref(b->todo[i]);
		}
		b->n = 0;
		updates_encoded(b->broker);
		return;
	}
	j->pj.run = job_run;
	j->pj.done = job_done;
	j->broker = b->broker;
	j->frame = frame_ref(b->frame);
	j->enc = b->enc;
	j->conv = *b->conv;
	j->set = *b->set;
	memcpy(j->todo, b->todo, b->n * sizeof(b->todo[0]));
	j->n = b->n;
	share_stats.jobs++;
	share_stats.encoded += b->n;
	b->n = 0;
	pool_submit(b->broker->pool, &j->pj);
}
