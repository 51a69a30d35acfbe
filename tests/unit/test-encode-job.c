/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An encoder job on another thread: the real capture helper (demo source,
 * a new picture every frame) feeds the broker's real screen over a real
 * channel, while a worker thread encodes one frame with the Raw encoder
 * over and over.  The job's reference keeps that frame's slot from being
 * rewritten: every encoding must equal the frame as it was, while the
 * capture helper goes on writing the other slots and the screen moves on.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/encoders/encoder.h"
#include "common/log.h"
#include "tests/tap.h"
#include "tests/unit/spawn.h"

struct worker {
	struct encode_job *job;
	const uint8_t	*want;		/* the frame's pixels when taken */
	size_t		len;
	volatile int	stop;
	int		runs, bad;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct encode_scratch scratch = { 0 };

	while (!w->stop) {
		size_t n;

		evbuffer_drain(w->job->out, evbuffer_get_length(w->job->out));
		encode_job_run(w->job, &scratch);
		n = evbuffer_get_length(w->job->out);
		if (w->job->result != 0 || n != w->len + 12 ||
		    memcmp(evbuffer_pullup(w->job->out, -1) + 12, w->want,
		    w->len) != 0)
			w->bad++;
		w->runs++;
	}
	encode_scratch_free(&scratch);
	return NULL;
}

static void
run_for(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

int
main(void)
{
	char *argv[] = { "rampart-capture", "--source", "demo", NULL };
	struct broker b;
	struct child ch;
	struct encode_job job;
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct worker w = { 0 };
	struct frame *f;
	struct pixconv pc;
	pthread_t t;
	uint64_t first_seq, seen_seq;
	uint8_t *copy;

	log_init("test-encode-job", LOG_LEVEL_ERROR, 0);
	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
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

	pixconv_init(&pc, &pixfmt_native);
	if (encode_job_init(&job, f, &encoder_raw, &set, &pc) < 0)
		bail("encode_job_init");
	job.rects[0] = (struct rect){ 0, 0, f->width, f->height };
	job.nrects = 1;
	w.len = (size_t)f->width * f->height * 4;
	copy = malloc(w.len);
	for (uint32_t y = 0; y < f->height; y++)
		memcpy(copy + (size_t)y * f->width * 4,
		    f->pixels + (size_t)y * f->stride, (size_t)f->width * 4);
	/* What a viewer is sent: the byte outside the colours set. */
	for (size_t i = 3; i < w.len; i += 4)
		copy[i] = 0xff;
	w.want = copy;
	w.job = &job;
	first_seq = f->seq;

	if (pthread_create(&t, NULL, work, &w) != 0)
		bail("pthread_create");
	run_for(b.base, 2000);
	w.stop = 1;
	pthread_join(t, NULL);
	seen_seq = b.screen.cur->seq;

	ok(seen_seq >= first_seq + 5,
	    "the screen moved on while the job ran (frames %llu .. %llu)",
	    (unsigned long long)first_seq, (unsigned long long)seen_seq);
	ok(b.screen.cur != f, "to frames in other slots");
	ok(w.runs > 10 && w.bad == 0,
	    "every encoding on the worker thread is the frame as taken (%d "
	    "runs, %d wrong)", w.runs, w.bad);
	ok(f->ring->held & (1u << f->slot), "the job's slot is still held");

	/* The job is done: its slot goes back, and capture goes on. */
	{
		struct ring_map *ring = f->ring;
		uint32_t slot = f->slot;

		ring->refs++;	/* look at it after the frame is gone */
		encode_job_done(&job);
		ok(!(ring->held & (1u << slot)), "its slot is released when "
		    "the job is done");
		ring_map_unref(ring);
	}
	run_for(b.base, 500);
	ok(b.screen.capture != NULL && b.screen.cur->seq > seen_seq,
	    "and the capture helper goes on without a protocol error");

	free(copy);
	screen_free(&b.screen);
	spawn_wait(&ch, 3000);
	event_base_free(b.base);
	return done_testing();
}
