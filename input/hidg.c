/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "input/sink.h"

/* Being built (issue 7): refused with a reason until then. */
static void *
hidg_open(const char *arg, const struct sink_options *o, char *why,
    size_t whylen)
{
	snprintf(why, whylen, "not built yet");
	return NULL;
}

const struct sink_ops sink_hidg = {
	.open = hidg_open,
};
