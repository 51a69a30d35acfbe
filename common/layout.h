/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitors of a frame (struct ipc_screen): several outputs captured
 * side by side into one picture, which viewers are told of as the screens
 * of RFB's ExtendedDesktopSize.  The capture helper checks a source's
 * layout before it sends it, and the broker checks it again when it
 * arrives: a viewer (TigerVNC's) drops the connection on a layout it
 * finds invalid, so none may reach one.
 */
#ifndef RAMPART_LAYOUT_H
#define RAMPART_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

/*
 * 0 when the n screens are a layout: n <= IPC_SCREENS_MAX, each at least
 * 1x1, inside width x height (when width is not 0; else only inside the
 * 16-bit plane of RFB), no two overlapping, no id twice.  Else -1 with a
 * reason in *why.
 */
int	layout_check(const struct ipc_screen *s, uint32_t n, uint32_t width,
	    uint32_t height, const char **why);

#endif
