/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "common/registry.h"
#include "input/sink.h"

/*
 * The code behind each name of the registry.  A name without code here is
 * found by tests/unit/test-registry, not by a user.
 */
static const struct sink_ops *const sinks[REGISTRY_SINK_COUNT] = {
	[REGISTRY_SINK_LOG] = &sink_log,
	[REGISTRY_SINK_UINPUT] = &sink_uinput,
	[REGISTRY_SINK_HIDG] = &sink_hidg,
};

const struct sink_ops *
sink_ops_of(int id)
{
	if (id < 0 || id >= REGISTRY_SINK_COUNT)
		return NULL;
	return sinks[id];
}

int
sink_parse_pointer(const char *word, enum sink_pointer_mode *mode)
{
	static const char *const names[] = {
		[SINK_POINTER_TABLET] = "tablet",
		[SINK_POINTER_TOUCH] = "touch",
		[SINK_POINTER_MOUSE] = "mouse",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(word, names[i]) == 0) {
			*mode = (enum sink_pointer_mode)i;
			return 0;
		}
	return -1;
}
