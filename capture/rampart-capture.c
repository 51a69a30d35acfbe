/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-capture: the helper that holds the display device.  It copies
 * frames into a shared ring and tells the broker (on IPC_FD) which slot
 * holds which frame; it never touches the network.
 *
 * Usage: rampart-capture --source SPEC [--log-level L] [--syslog]
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "common/helper.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

/* One row per source: --source NAME or NAME:ARG. */
static const struct source_ops *const sources[] = {
	&source_replay,
	&source_demo,
};

static const struct source_ops *
source_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	*arg = colon != NULL ? colon + 1 : NULL;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strlen(sources[i]->name) == len &&
		    strncmp(sources[i]->name, spec, len) == 0)
			return sources[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct source_ops *src;
	const char *spec, *arg;
	struct event_base *base;
	struct capture c;
	struct sandbox sb;
	char why[512];
	void *state;

	spec = helper_init(argc, argv, "rampart-capture", "source", 1,
	    "--source replay:FILE|demo");
	if ((src = source_find(spec, &arg)) == NULL)
		fatalx("unknown source \"%s\" (known: replay:FILE, demo)",
		    spec);
	if ((state = src->open(arg, why, sizeof(why))) == NULL)
		fatalx("source %s: %s", src->name, why);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (capture_init(&c, base, IPC_FD, src, state) < 0 ||
	    capture_send_ring(&c) < 0)
		exit(1);

	/*
	 * Replay and demo need no privilege at all.  DRM will keep
	 * CAP_SYS_ADMIN to read framebuffers of other clients (a later
	 * source); it then passes its list here.
	 */
	if (sandbox_prepare(&sb, SANDBOX_CAPTURE, NULL, NULL) < 0 ||
	    sandbox_enter(&sb) < 0)
		exit(1);

	log_debug("source %s ready, paused until the broker resumes",
	    src->name);
	event_base_dispatch(base);
	capture_free(&c);
	event_base_free(base);
	return c.status;
}
