/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encoder jobs on the pool's threads, over frames of the real capture
 * helper (demo source, a new picture every frame) in its real ring:
 *  - a job's frame reference keeps the slot from being rewritten while
 *    the job runs on a worker and the screen moves on: what it encoded is
 *    the frame as it was when the job was submitted;
 *  - the event loop goes on while a job runs (it never waits for one);
 *  - a rectangle asked for again with the same encoder, format and
 *    settings comes from the frame's cache, not a second encoding; in
 *    another pixel format or with other settings it is encoded anew;
 *  - with no threads, jobs run on the loop's thread, through the same
 *    path.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/broker.h"
#include "broker/share.h"
#include "common/log.h"
#include "tests/tap.h"
#include "tests/unit/spawn.h"

/* Raw, slowly: the screen moves on while it runs. */
static int
slow_encode(const struct encode_src *src, const struct rect *r,
    const struct pixconv *pc, const struct encode_settings *set,
    void **scratch, struct evbuffer *out)
{
	struct timespec ts = { 1, 0 };

	nanosleep(&ts, NULL);
	return encoder_raw.encode(src, r, pc, set, scratch, out);
}

static const struct encoder encoder_slow = {
	.name = "slow raw", .encoding = 0, .encode = slow_encode,
};

static int ticks;

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ticks++;
}

static void
run_for(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static int
run_until_ready(struct event_base *base, struct encoded *e, int ms)
{
	for (int i = 0; i < ms / 10 && e->state == ENCODED_PENDING; i++)
		run_for(base, 10);
	return e->state == ENCODED_READY;
}

/* The frame's pixels as a viewer in the native format gets them. */
static uint8_t *
snapshot(const struct frame *f)
{
	size_t row = (size_t)f->width * 4;
	uint8_t *copy = malloc(row * f->height);

	for (uint32_t y = 0; y < f->height; y++)
		memcpy(copy + y * row, f->pixels + (size_t)y * f->stride, row);
	for (size_t i = 3; i < row * f->height; i += 4)
		copy[i] = 0xff;
	return copy;
}

static int
holds(struct encoded *e, const uint8_t *want, size_t len)
{
	return e->nrects == 1 && evbuffer_get_length(e->bytes) == len + 12 &&
	    memcmp(evbuffer_pullup(e->bytes, -1) + 12, want, len) == 0;
}

int
main(void)
{
	char *argv[] = { "rampart-capture", "--source", "demo", NULL };
	static const struct pixfmt rgb565 = {
		.bpp = 16, .depth = 16, .true_colour = 1, .red_max = 31,
		.green_max = 63, .blue_max = 31, .red_shift = 11,
		.green_shift = 5, .blue_shift = 0,
	};
	struct encode_settings set = ENCODE_SETTINGS_NONE, other = set;
	struct broker b;
	struct child ch;
	struct share_batch batch;
	struct encoded *e, *e2, *e3;
	struct frame *f;
	struct pixconv pc, pc16;
	struct event *tick_ev;
	struct timeval every = { 0, 10000 };
	struct rect all;
	uint64_t first_seq;
	uint8_t *copy;
	size_t len;

	log_init("test-encode-job", LOG_LEVEL_ERROR, 0);
	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	if ((b.pool = pool_new(b.base, 1)) == NULL || pool_start(b.pool) < 0)
		bail("pool");
	ok(pool_threads(b.pool) == 1, "a pool of one thread");
	screen_init(&b.screen, &b);
	if (spawn_helper(&ch, "rampart-capture", argv) < 0)
		bail("cannot run rampart-capture");
	screen_set_capture(&b, ch.sock);
	b.nactive = 1;		/* one viewer: capture runs */
	screen_viewers_changed(&b.screen);
	for (int i = 0; i < 50 && b.screen.cur == NULL; i++)
		run_for(b.base, 100);
	if ((f = b.screen.cur) == NULL)
		bail("no frame from rampart-capture");
	ok(f->ring != NULL, "frames come from the capture helper's ring "
	    "(%ux%u)", f->width, f->height);
	frame_ref(f);		/* ours, to look at it after the job */
	all = (struct rect){ 0, 0, f->width, f->height };
	len = (size_t)f->width * f->height * 4;
	copy = snapshot(f);
	first_seq = f->seq;
	pixconv_init(&pc, &pixfmt_native);
	tick_ev = event_new(b.base, -1, EV_PERSIST, tick, NULL);
	event_add(tick_ev, &every);

	/* A slow job on the worker; the loop ticks on meanwhile. */
	share_batch_init(&batch, &b, f, &encoder_slow, &pc, &set);
	e = share_get(&batch, &all);
	ok(e != NULL && e->state == ENCODED_PENDING && batch.n == 1,
	    "a rectangle not in the cache is to be encoded");
	share_submit(&batch);
	run_for(b.base, 500);
	ok(e->state == ENCODED_PENDING && ticks >= 20,
	    "while the job runs the loop goes on (%d ticks in 0.5 s)", ticks);
	ok(b.screen.cur != f && b.screen.cur->seq > first_seq,
	    "and the screen moves on (frame %llu -> %llu)",
	    (unsigned long long)first_seq,
	    (unsigned long long)b.screen.cur->seq);
	ok(f->ring->held & (1u << f->slot), "the job's slot is held");
	ok(run_until_ready(b.base, e, 3000), "the job is done");
	ok(holds(e, copy, len), "what it encoded is the frame as it was "
	    "when the job was submitted");

	/* Asked again: from the cache, the very bytes. */
	share_batch_init(&batch, &b, f, &encoder_slow, &pc, &set);
	e2 = share_get(&batch, &all);
	ok(e2 == e && batch.n == 0 && e->refs == 3,
	    "the same rectangle again comes from the frame's cache");
	encoded_unref(e2);
	/* In 565, or with another quality: encoded anew. */
	pixconv_init(&pc16, &rgb565);
	share_batch_init(&batch, &b, f, &encoder_raw, &pc16, &set);
	e2 = share_get(&batch, &all);
	ok(e2 != e && batch.n == 1, "in another pixel format: encoded anew");
	share_submit(&batch);
	other.quality = 6;
	share_batch_init(&batch, &b, f, &encoder_raw, &pc16, &other);
	e3 = share_get(&batch, &all);
	ok(e3 != e2 && batch.n == 1, "with other settings: encoded anew");
	share_submit(&batch);
	ok(run_until_ready(b.base, e2, 2000), "done");
	encoded_unref(e2);
	ok(run_until_ready(b.base, e3, 2000) &&
	    evbuffer_get_length(e3->bytes) == 12 + len / 2,
	    "a 565 job gives 2 bytes a pixel");
	encoded_unref(e3);

	/* The frame goes: its slot goes back; our reference to the bytes
	 * keeps them. */
	{
		struct ring_map *ring = f->ring;
		uint32_t slot = f->slot;

		ring->refs++;
		frame_unref(f);
		ok(!(ring->held & (1u << slot)), "the slot is released once "
		    "the job and the frame are done");
		ring_map_unref(ring);
	}
	ok(holds(e, copy, len), "the encoded bytes outlive the frame");
	encoded_unref(e);
	free(copy);

	/* No threads: the job runs on the loop's thread, at its next turn. */
	pool_free(b.pool);
	b.pool = pool_new(b.base, 0);
	f = frame_ref(b.screen.cur);
	copy = snapshot(f);
	share_batch_init(&batch, &b, f, &encoder_raw, &pc, &set);
	e = share_get(&batch, &all);
	share_submit(&batch);
	ok(e->state == ENCODED_PENDING, "without threads, a job waits for "
	    "the loop");
	ok(run_until_ready(b.base, e, 1000) && holds(e, copy, len),
	    "and runs on its next turn");
	encoded_unref(e);
	frame_unref(f);
	free(copy);

	run_for(b.base, 300);
	ok(b.screen.capture != NULL, "the capture helper went on without a "
	    "protocol error");
	event_free(tick_ev);
	pool_free(b.pool);
	screen_free(&b.screen);
	spawn_wait(&ch, 3000);
	event_base_free(b.base);
	return done_testing();
}
