/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/registry.h"

const struct registry_entry registry_sources[REGISTRY_SOURCE_COUNT] = {
	[REGISTRY_SOURCE_AUTO] = { "auto", REGISTRY_ARG_NONE, "auto",
	    "drm if a screen is lit, else fbdev, else demo" },
	[REGISTRY_SOURCE_DEMO] = { "demo", REGISTRY_ARG_OPTIONAL,
	    "demo[:screens=N]",
	    "a generated desktop, or N (1-4) monitors side by side" },
	[REGISTRY_SOURCE_REPLAY] = { "replay", REGISTRY_ARG_REQUIRED,
	    "replay:FILE.frames", "a recorded screen, played over and over" },
	[REGISTRY_SOURCE_DRM] = { "drm", REGISTRY_ARG_OPTIONAL,
	    "drm[:/dev/dri/cardN]",
	    "what the display controller scans out (DRM/KMS)" },
	[REGISTRY_SOURCE_FBDEV] = { "fbdev", REGISTRY_ARG_OPTIONAL,
	    "fbdev[:/dev/fbN]", "a legacy framebuffer (default /dev/fb0)" },
};

const struct registry_entry registry_sinks[REGISTRY_SINK_COUNT] = {
	[REGISTRY_SINK_LOG] = { "log", REGISTRY_ARG_REQUIRED, "log:FILE",
	    "one line per event appended to FILE" },
	[REGISTRY_SINK_UINPUT] = { "uinput", REGISTRY_ARG_NONE, "uinput",
	    "a virtual keyboard and pointer of this machine (/dev/uinput)" },
	[REGISTRY_SINK_HIDG] = { "hidg", REGISTRY_ARG_REQUIRED,
	    "hidg:KBD[,POINTER]",
	    "a USB HID gadget's keyboard and pointer (/dev/hidgN), on a BMC" },
};

int
registry_find(const struct registry_entry *table, size_t n, const char *spec,
    const char **arg)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(table[i].name);
		const char *rest = spec + len;

		if (strncmp(spec, table[i].name, len) != 0 ||
		    (*rest != '\0' && *rest != ':'))
			continue;
		/* "NAME:" with nothing after it names no argument either. */
		if (*rest == ':' && (rest[1] == '\0' ||
		    table[i].arg == REGISTRY_ARG_NONE))
			return -1;
		if (*rest == '\0' && table[i].arg == REGISTRY_ARG_REQUIRED)
			return -1;
		*arg = *rest == ':' ? rest + 1 : NULL;
		return (int)i;
	}
	return -1;
}

const char *
registry_list(const struct registry_entry *table, size_t n, const char *sep,
    char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? sep : "", table[i].usage);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

const char *
registry_error(const struct registry_entry *table, size_t n, const char *what,
    const char *extra, const char *spec, char *buf, size_t len)
{
	char known[256];

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(table[i].name);

		if (strncmp(spec, table[i].name, l) == 0 &&
		    (spec[l] == '\0' || spec[l] == ':')) {
			snprintf(buf, len, "%s %s is given as %s%s", what,
			    table[i].name, table[i].usage,
			    table[i].arg == REGISTRY_ARG_OPTIONAL ? " or "
			    "without an argument" : "");
			return buf;
		}
	}
	snprintf(buf, len, "unknown %s \"%s\" (known: %s%s%s)", what, spec,
	    extra != NULL ? extra : "", extra != NULL ? ", " : "",
	    registry_list(table, n, ", ", known, sizeof(known)));
	return buf;
}
