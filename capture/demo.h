/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The demo source's several monitors (demo:screens=N), apart from its
 * desktop of one: the layout and the still picture (demo-screens.c).
 */
#ifndef RAMPART_DEMO_H
#define RAMPART_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "capture/source.h"

#define DEMO_SCREENS_MAX	4

/* N of "screens=N", 1 .. DEMO_SCREENS_MAX; -1 with a reason in why for
 * any other argument. */
int	demo_screens_parse(const char *arg, char *why, size_t whylen);
/* The frame of n monitors side by side: its size and its screens. */
void	demo_screens_layout(int n, struct capture_mode *mode);
/* Their picture into px, the mode's width x height, rows packed. */
void	demo_screens_draw(uint32_t *px, const struct capture_mode *mode);

#endif
