/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drm source: what the display controller scans out.  (Being built;
 * this first version only names the source.)
 */
#include "config.h"

#include <stdio.h>

#include "capture/source.h"

static void *
drm_open(const char *arg, const struct source_options *opt, char *why,
    size_t whylen)
{
	snprintf(why, whylen, "not built yet");
	return NULL;
}

static int
drm_describe(void *state, struct capture_mode *mode)
{
	return -1;
}

static int
drm_grab(void *state, uint8_t *dst, size_t size, struct source_frame *frame)
{
	return -1;
}

static void
drm_close(void *state)
{
}

int
drm_probe(char *path, size_t pathlen, char *why, size_t whylen)
{
	snprintf(why, whylen, "the drm source is not built yet");
	return 0;
}

const struct source_ops source_drm = {
	.open = drm_open,
	.describe = drm_describe,
	.grab = drm_grab,
	.close = drm_close,
};
