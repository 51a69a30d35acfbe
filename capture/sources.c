/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "capture/source.h"
#include "common/registry.h"

/*
 * The code behind each name of the registry.  A name without code here is
 * found by tests/unit/test-registry, not by a user.
 */
static const struct source_ops *const sources[REGISTRY_SOURCE_COUNT] = {
	[REGISTRY_SOURCE_DEMO] = &source_demo,
	[REGISTRY_SOURCE_REPLAY] = &source_replay,
	[REGISTRY_SOURCE_DRM] = &source_drm,
};

const struct source_ops *
source_ops_of(int id)
{
	if (id < 0 || id >= REGISTRY_SOURCE_COUNT)
		return NULL;
	return sources[id];
}
