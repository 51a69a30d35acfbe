/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "common/layout.h"

static int
overlap(const struct ipc_screen *a, const struct ipc_screen *b)
{
	return (uint32_t)a->x < (uint32_t)b->x + b->width &&
	    (uint32_t)b->x < (uint32_t)a->x + a->width &&
	    (uint32_t)a->y < (uint32_t)b->y + b->height &&
	    (uint32_t)b->y < (uint32_t)a->y + a->height;
}

int
layout_check(const struct ipc_screen *s, uint32_t n, uint32_t width,
    uint32_t height, const char **why)
{
	/* Sums in 32 bits: a screen at 65535 of width 65535 does not wrap. */
	uint32_t w = width != 0 ? width : UINT16_MAX;
	uint32_t h = width != 0 ? height : UINT16_MAX;

	if (n > IPC_SCREENS_MAX) {
		*why = "too many screens";
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (s[i].width == 0 || s[i].height == 0) {
			*why = "a screen of no size";
			return -1;
		}
		if ((uint32_t)s[i].x + s[i].width > w ||
		    (uint32_t)s[i].y + s[i].height > h) {
			*why = "a screen outside the frame";
			return -1;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (s[j].id == s[i].id) {
				*why = "two screens with one id";
				return -1;
			}
			if (overlap(&s[i], &s[j])) {
				*why = "overlapping screens";
				return -1;
			}
		}
	}
	return 0;
}
