/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "common/registry.h"
#include "input/sink.h"

/*
 * The code behind each name of the registry.  A name without code here is
 * found by tests/unit/test-registry, not by a user.
 */
static const struct sink_ops *const sinks[REGISTRY_SINK_COUNT] = {
	[REGISTRY_SINK_LOG] = &sink_log,
};

const struct sink_ops *
sink_ops_of(int id)
{
	if (id < 0 || id >= REGISTRY_SINK_COUNT)
		return NULL;
	return sinks[id];
}
