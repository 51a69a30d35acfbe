/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry of source and sink names: the forms each name takes, and
 * that every name has its code in the helper and every helper's code a
 * name.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capture/source.h"
#include "common/log.h"
#include "common/registry.h"
#include "input/sink.h"
#include "tests/tap.h"

static int
finds(const char *spec, int id, const char *want_arg)
{
	const char *arg = "unset";
	int r = REGISTRY_FIND_SOURCE(spec, &arg);

	if (r != id)
		return 0;
	if (r < 0)
		return 1;
	return want_arg == NULL ? arg == NULL :
	    arg != NULL && strcmp(arg, want_arg) == 0;
}

int
main(void)
{
	const struct source_options opt = { NULL, NULL };
	const struct source_ops *ops;
	char buf[512];
	void *state;
	int id;

	log_init("test-registry", LOG_LEVEL_WARN, LOG_TO_STDERR);
	ok(finds("demo", REGISTRY_SOURCE_DEMO, NULL), "demo");
	ok(finds("demo:screens=2", REGISTRY_SOURCE_DEMO, "screens=2"),
	    "demo:screens=2 gives screens=2");
	ok(finds("demo:x", REGISTRY_SOURCE_DEMO, "x"),
	    "the demo's argument is its to check (test-capture-proc)");
	ok(finds("demo:", -1, NULL), "an empty one is none");
	ok(finds("replay:/a/b.frames", REGISTRY_SOURCE_REPLAY, "/a/b.frames"),
	    "replay:FILE gives FILE");
	ok(finds("replay:x:y", REGISTRY_SOURCE_REPLAY, "x:y"),
	    "the argument is everything after the first colon");
	ok(finds("replay", -1, NULL), "replay needs its file");
	ok(finds("replay:", -1, NULL), "an empty file is none");
	ok(finds("replays:x", -1, NULL), "a longer name is another name");
	ok(finds("dem", -1, NULL), "a prefix is no name");
	ok(finds("", -1, NULL), "nothing is no name");

	ok(finds("auto", REGISTRY_SOURCE_AUTO, NULL), "auto");
	ok(finds("auto:demo", -1, NULL), "auto takes no argument");
	ok(finds("fbdev", REGISTRY_SOURCE_FBDEV, NULL), "fbdev alone");
	ok(finds("fbdev:/dev/fb1", REGISTRY_SOURCE_FBDEV, "/dev/fb1"),
	    "fbdev:/dev/fbN gives the device");
	ok(finds("fbdev:", -1, NULL), "fbdev: with nothing after it is none");

	ok(strcmp(registry_list(registry_sources, REGISTRY_SOURCE_COUNT, ", ",
	    buf, sizeof(buf)), "auto, demo[:screens=N], replay:FILE.frames, "
	    "drm[:/dev/dri/cardN], fbdev[:/dev/fbN]") == 0,
	    "the list of sources: %s", buf);
	registry_error(registry_sinks, REGISTRY_SINK_COUNT, "input sink",
	    "none", "evdev", buf, sizeof(buf));
	ok(strcmp(buf, "unknown input sink \"evdev\" (known: none, "
	    "log:FILE, uinput, hidg:KBD[,POINTER])") == 0,
	    "an unknown name lists the known: %s", buf);
	registry_error(registry_sinks, REGISTRY_SINK_COUNT, "sink", NULL,
	    "log", buf, sizeof(buf));
	ok(strcmp(buf, "sink log is given as log:FILE") == 0,
	    "a known name in the wrong form says how: %s", buf);
	registry_error(registry_sources, REGISTRY_SOURCE_COUNT,
	    "capture source", "auto", "demo:", buf, sizeof(buf));
	ok(strcmp(buf, "capture source demo is given as demo[:screens=N] or "
	    "without an argument") == 0,
	    "and of an optional argument, both forms: %s", buf);

	for (int i = 0; i < REGISTRY_SOURCE_COUNT; i++) {
		if (i == REGISTRY_SOURCE_AUTO)
			continue;
		ok(source_ops_of(i) != NULL && source_ops_of(i)->open != NULL,
		    "source %s has its code in rampart-capture",
		    registry_sources[i].name);
	}
	/* auto's code is the choice of another source: it opens one of
	 * them, whichever this machine has. */
	ok(source_ops_of(REGISTRY_SOURCE_AUTO) == NULL,
	    "auto has no ops of its own");
	id = REGISTRY_SOURCE_AUTO;
	ops = NULL;
	state = source_open(&id, NULL, &opt, &ops, buf, sizeof(buf));
	ok(state != NULL && id != REGISTRY_SOURCE_AUTO && id >= 0 &&
	    id < REGISTRY_SOURCE_COUNT && ops == source_ops_of(id),
	    "auto opens a real source: %s",
	    state != NULL && id >= 0 && id < REGISTRY_SOURCE_COUNT ?
	    registry_sources[id].name : buf);
	if (state != NULL)
		ops->close(state);
	for (int i = 0; i < REGISTRY_SINK_COUNT; i++)
		ok(sink_ops_of(i) != NULL && sink_ops_of(i)->open != NULL,
		    "sink %s has its code in rampart-input",
		    registry_sinks[i].name);
	ok(source_ops_of(REGISTRY_SOURCE_COUNT) == NULL &&
	    source_ops_of(-1) == NULL && sink_ops_of(REGISTRY_SINK_COUNT) ==
	    NULL, "ids out of range have no code");
	return done_testing();
}
