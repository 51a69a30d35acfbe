/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"

/* A recorded screen (.frames), played at its rate, over and over. */
struct replay {
	struct frames_file	ff;
	uint32_t		next;		/* frame index */
	int			shown;		/* a frame was grabbed */
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

	if (n > size) {
		log_warnx("replay: a frame of %zu bytes does not fit a slot "
		    "of %zu", n, size);
		return -1;
	}
	memcpy(dst, frames_frame(&r->ff, r->next), n);
	r->next = (r->next + 1) % r->ff.count;
	/* A file of one frame is a still picture. */
	*f = (struct source_frame){ .length = (uint32_t)n,
	    .damage = r->ff.count == 1 && r->shown ? SOURCE_DAMAGE_NONE :
	    SOURCE_DAMAGE_UNKNOWN };
	r->shown = 1;
	return SOURCE_OK;
}

static void
replay_close(void *state)
{
	struct replay *r = state;

	frames_close(&r->ff);
	free(r);
}

const struct source_ops source_replay = {
	.open = replay_open,
	.describe = replay_describe,
	.grab = replay_grab,
	.close = replay_close,
};
