/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tile grid that capture and broker share: the screen in squares of
 * TILE_SIDE pixels (the last column and row may be narrower), and the map
 * of changed tiles that the capture helper can leave in a ring slot after
 * a frame's pixels (IPC_TILES_MAP in ipc.h): one byte a tile, row by row,
 * nonzero where the tile changed.
 */
#ifndef RAMPART_TILES_H
#define RAMPART_TILES_H

#include <stddef.h>
#include <stdint.h>

#define TILE_SIDE		64

static inline uint32_t
tiles_cols(uint32_t width)
{
	return width / TILE_SIDE + (width % TILE_SIDE != 0);
}

static inline uint32_t
tiles_rows(uint32_t height)
{
	return height / TILE_SIDE + (height % TILE_SIDE != 0);
}

static inline size_t
tiles_map_size(uint32_t width, uint32_t height)
{
	return (size_t)tiles_cols(width) * tiles_rows(height);
}

/* Where the map starts in a slot: after length bytes of frame, on a
 * cache line of its own. */
static inline size_t
tiles_map_offset(size_t length)
{
	return (length + 63) & ~(size_t)63;
}

#endif
