/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/copyout.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"

/*
 * A recorded screen (.frames), played at its rate, over and over.
 *
 * It stands in for a device that says when nothing changed: the frames
 * that repeat the one before are found once, at open, and grabbing one of
 * those writes nothing (unless the loop needs the frame whole).  Every
 * other frame is copied out with copyout_copy(), whose map of changed
 * tiles goes with it, as a DRM source's would, so that the tests of the
 * whole server run the map from capture to broker.
 */
struct replay {
	struct frames_file	ff;
	uint32_t		next;		/* frame index */
	int			shown;		/* a frame was grabbed */
	uint8_t			*same;		/* [i]: frame i repeats i - 1 */
	struct copyout		*co;		/* NULL: too large, memcpy */
};

static void *
replay_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	struct replay *r;
	const char *reason;

	if (arg == NULL || *arg == '\0') {
		snprintf(why, whylen, "replay needs a file: replay:PATH");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (frames_open(&r->ff, arg, &reason) < 0) {
		snprintf(why, whylen, "%s: %s", arg, reason);
		free(r);
		return NULL;
	}
	if ((r->same = calloc(r->ff.count, 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		frames_close(&r->ff);
		free(r);
		return NULL;
	}
	/* Frame 0 comes again after the last one. */
	for (uint32_t i = 0; i < r->ff.count; i++)
		r->same[i] = memcmp(frames_frame(&r->ff, i),
		    frames_frame(&r->ff, i + r->ff.count - 1),
		    (size_t)r->ff.stride * r->ff.height) == 0;
	r->co = copyout_new(r->ff.width, r->ff.height);
	log_info("replay of %s: %u frames of %ux%u at %u fps", arg,
	    r->ff.count, r->ff.width, r->ff.height, r->ff.fps);
	return r;
}

static int
replay_describe(void *state, struct capture_mode *mode)
{
	struct replay *r = state;

	*mode = (struct capture_mode){
		.width = r->ff.width,
		.height = r->ff.height,
		.stride = r->ff.stride,
		.fourcc = r->ff.fourcc,
		.fps = r->ff.fps,
		.kind = IPC_FRAME_PIXELS,
		.max_length = (size_t)r->ff.stride * r->ff.height,
	};
	return 0;
}

static int
replay_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct replay *r = state;
	size_t n = (size_t)r->ff.stride * r->ff.height;
	uint32_t i;

	if (n > size) {
		log_warnx("replay: a frame of %zu bytes does not fit a slot "
		    "of %zu", n, size);
		return -1;
	}
	i = r->next;
	r->next = (r->next + 1) % r->ff.count;
	f->length = (uint32_t)n;
	if (r->shown && r->same[i] && !f->fresh) {
		/* The broker has this picture: it is not sent. */
		f->damage = SOURCE_DAMAGE_NONE;
		return SOURCE_OK;
	}
	if (f->map != NULL && r->co != NULL) {
		copyout_copy(r->co, dst, r->ff.stride, frames_frame(&r->ff, i),
		    r->ff.stride, f->map);
		f->damage = SOURCE_DAMAGE_MAP;
	} else {
		memcpy(dst, frames_frame(&r->ff, i), n);
		f->damage = SOURCE_DAMAGE_UNKNOWN;
	}
	r->shown = 1;
	return SOURCE_OK;
}

static void
replay_close(void *state)
{
	struct replay *r = state;

	copyout_free(r->co);
	free(r->same);
	frames_close(&r->ff);
	free(r);
}

const struct source_ops source_replay = {
	.open = replay_open,
	.describe = replay_describe,
	.grab = replay_grab,
	.close = replay_close,
};
