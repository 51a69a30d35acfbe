/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "capture/source.h"
#include "common/log.h"
#include "common/registry.h"

/* The framebuffer that "auto" looks at. */
#define AUTO_FBDEV	"/dev/fb0"

/*
 * The code behind each name of the registry.  A name without code here is
 * found by tests/unit/test-registry, not by a user.  "auto" has none of
 * its own: source_open() picks one of the others.
 */
static const struct source_ops *const sources[REGISTRY_SOURCE_COUNT] = {
	[REGISTRY_SOURCE_DEMO] = &source_demo,
	[REGISTRY_SOURCE_REPLAY] = &source_replay,
	[REGISTRY_SOURCE_DRM] = &source_drm,
	[REGISTRY_SOURCE_FBDEV] = &source_fbdev,
};

const struct source_ops *
source_ops_of(int id)
{
	if (id < 0 || id >= REGISTRY_SOURCE_COUNT)
		return NULL;
	return sources[id];
}

/* The picked source's options that it does not take, said once. */
static void
auto_ignored(const struct source_options *opt, const char *name)
{
	if (opt->output != NULL || opt->method != NULL)
		log_warnx("capture auto: --output and --capture-method apply "
		    "to drm only: %s ignores them", name);
}

/*
 * Probed at every start of the helper, so that a restart (the supervisor
 * starts the helper again when it exits: a device that went away ends
 * its source) finds what the machine has then.
 */
void *
source_open_auto(const char *fbpath, const struct source_options *opt,
    int *id, const struct source_ops **ops, char *why, size_t whylen)
{
	char path[256], found[256] = "", drm[768], fb[768], reason[256];
	void *state;

	if (drm_probe(path, sizeof(path), found, sizeof(found))) {
		if ((state = source_drm.open(path, opt, reason,
		    sizeof(reason))) != NULL) {
			log_info("capture auto: drm on %s%s%s%s", path,
			    *found != '\0' ? " (" : "", found,
			    *found != '\0' ? ")" : "");
			*id = REGISTRY_SOURCE_DRM;
			*ops = &source_drm;
			return state;
		}
		log_warnx("capture auto: drm on %s does not open: %s", path,
		    reason);
		snprintf(drm, sizeof(drm), "drm on %s does not open: %s", path,
		    reason);
	} else
		snprintf(drm, sizeof(drm), "no DRM card with a lit CRTC: %s",
		    found);

	if (fbdev_probe(fbpath, found, sizeof(found))) {
		if ((state = source_fbdev.open(fbpath, opt, reason,
		    sizeof(reason))) != NULL) {
			log_info("capture auto: fbdev on %s (%s; %s)", fbpath,
			    found, drm);
			auto_ignored(opt, "fbdev");
			*id = REGISTRY_SOURCE_FBDEV;
			*ops = &source_fbdev;
			return state;
		}
		log_warnx("capture auto: fbdev on %s does not open: %s",
		    fbpath, reason);
		snprintf(fb, sizeof(fb), "fbdev does not open: %s", reason);
	} else
		snprintf(fb, sizeof(fb), "%s", found);

	if ((state = source_demo.open(NULL, opt, why, whylen)) == NULL)
		return NULL;
	log_info("capture auto: demo (%s; %s)", drm, fb);
	auto_ignored(opt, "demo");
	*id = REGISTRY_SOURCE_DEMO;
	*ops = &source_demo;
	return state;
}

void *
source_open(int *id, const char *arg, const struct source_options *opt,
    const struct source_ops **ops, char *why, size_t whylen)
{
	if (*id == REGISTRY_SOURCE_AUTO)
		return source_open_auto(AUTO_FBDEV, opt, id, ops, why, whylen);
	if ((*ops = source_ops_of(*id)) == NULL) {
		snprintf(why, whylen, "no code for source %d", *id);
		return NULL;
	}
	return (*ops)->open(arg, opt, why, whylen);
}
