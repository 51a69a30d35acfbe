/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The uinput sink's parts that tests reach without /dev/uinput: the
 * mapping of an upright position to a panel's own orientation, the
 * pixel a position falls on, and open() on another node.
 */
#ifndef RAMPART_INPUT_UINPUT_H
#define RAMPART_INPUT_UINPUT_H

#include <stddef.h>
#include <stdint.h>

#include "input/sink.h"

/* What the devices are called: users and libinput tell them by this. */
#define UINPUT_KEYBOARD_NAME	"rampart keyboard"
#define UINPUT_TABLET_NAME	"rampart pointer"
#define UINPUT_TOUCH_NAME	"rampart touchscreen"
#define UINPUT_MOUSE_NAME	"rampart mouse"

/* Every absolute axis, whatever the screen: 0 .. 65535 (see uinput.c). */
#define UINPUT_ABS_MAX		65535
/* A right button in touch mode is a touch held at least this long. */
#define UINPUT_LONG_PRESS_MS	800
/* The first move of a relative mouse: far enough up and left to reach
 * the corner from anywhere, whatever the acceleration. */
#define UINPUT_MOUSE_HOME	65535
/* One wheel notch in REL_WHEEL_HI_RES units. */
#define UINPUT_HI_RES_NOTCH	120

/*
 * An upright position (x, y: 0 .. 65535 across the screen as the viewer
 * sees it) on the panel, whose picture was turned by transform
 * (IPC_TRANSFORM_*) to be upright: where a touch screen mounted on that
 * panel reports it, 0 .. 65535 across the panel's own width and height.
 * The inverse of capture/compose.c's transform_picture().
 */
void	uinput_to_panel(uint32_t transform, uint16_t x, uint16_t y,
	    uint16_t *px, uint16_t *py);

/* The pixel (0 .. size - 1) a position of 0 .. 65535 falls on: the
 * inverse of the broker's scaling of a viewer's pixel. */
uint32_t uinput_to_pixel(uint16_t v, uint32_t size);

/* open() of the sink on node instead of /dev/uinput. */
void	*uinput_open_node(const char *node, const struct sink_options *o,
	    char *why, size_t whylen);

#endif
