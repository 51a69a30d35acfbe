/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-capture: the helper that holds the display device.  It copies
 * frames into a shared ring and tells the broker (on IPC_FD) which slot
 * holds which frame; it never touches the network.
 *
 * Usage: rampart-capture --source SPEC [--output NAME|all]
 *        [--capture-method M] [--log-level L] [--syslog]
 *
 * --output and --capture-method are the supervisor's, checked there, and
 * go to the source as they are (struct source_options): drm uses them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "common/helper.h"
#include "common/log.h"
#include "common/registry.h"
#include "sandbox/sandbox.h"

int
main(int argc, char **argv)
{
	const struct source_ops *src;
	const char *spec = NULL, *arg, *name;
	struct event_base *base;
	struct capture c;
	struct sandbox sb;
	char usage[384], known[256], why[512];
	struct source_options opt = { NULL, NULL };
	const struct helper_option opts[] = {
		{ "source", 1, &spec },
		{ "output", 0, &opt.output },
		{ "capture-method", 0, &opt.method },
	};
	void *state;
	int id;

	snprintf(usage, sizeof(usage), "--source %s [--output NAME|all] "
	    "[--capture-method M]", registry_list(registry_sources,
	    REGISTRY_SOURCE_COUNT, "|", known, sizeof(known)));
	helper_init_options(argc, argv, "rampart-capture", opts,
	    sizeof(opts) / sizeof(opts[0]), usage);
	if ((id = REGISTRY_FIND_SOURCE(spec, &arg)) < 0)
		fatalx("%s", registry_error(registry_sources,
		    REGISTRY_SOURCE_COUNT, "source", NULL, spec, why,
		    sizeof(why)));
	/* For "auto", id becomes the source picked. */
	if ((state = source_open(&id, arg, &opt, &src, why,
	    sizeof(why))) == NULL)
		fatalx("source %s: %s", registry_sources[id].name, why);
	name = registry_sources[id].name;
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (capture_init(&c, base, IPC_FD, name, src, state) < 0 ||
	    capture_send_ring(&c) < 0)
		exit(1);

	/* The policy is the capture helper's plus what this source alone
	 * declared: a device's ioctls, a capability (DRM's CAP_SYS_ADMIN). */
	if (sandbox_prepare_helper(&sb, SANDBOX_CAPTURE, src->needs) < 0 ||
	    sandbox_enter(&sb) < 0)
		exit(1);

	log_debug("source %s ready, paused until the broker resumes", name);
	event_base_dispatch(base);
	capture_free(&c);
	event_base_free(base);
	return c.status;
}
