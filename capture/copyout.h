/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copy-out: a frame copied out of device memory into a ring slot in one
 * pass, with the map of the TILE_SIDE tiles (common/tiles.h) that changed
 * since the frame copied before, so that the broker compares nothing.
 * copyout.c says how a change is found and how likely one is missed.
 */
#ifndef RAMPART_COPYOUT_H
#define RAMPART_COPYOUT_H

#include <stddef.h>
#include <stdint.h>

/* The largest side a copyout takes, in pixels (the broker's limit too). */
#define COPYOUT_MAX_SIDE	16384

/* Per-mode state: what the last copied frame looked like, per tile. */
struct copyout;

/* For frames of width x height 32-bit pixels; NULL when out of memory
 * (or a side is 0 or above COPYOUT_MAX_SIDE). */
struct copyout	*copyout_new(uint32_t width, uint32_t height);
void		 copyout_free(struct copyout *co);
/* Forget the last frame: the next copy marks every tile changed (new
 * ring, resume). */
void		 copyout_reset(struct copyout *co);
/*
 * Copy height rows of width * 4 bytes from src (rows src_stride apart;
 * device memory, maybe write-combined) to dst (rows dst_stride apart), and
 * write map (tiles_map_size(width, height) bytes): 1 for every tile that
 * differs from the last frame this copyout copied (all after new/reset),
 * else 0.  map may be NULL (a frame sent without one): the copy is still
 * the frame the next map is against.  Returns the number of tiles marked.  Reads src once, in whole
 * 64-byte lines with streaming loads (SSE4.1 movntdqa, chosen at run time
 * with __builtin_cpu_supports, plain loads elsewhere and on non-x86),
 * writes dst once.
 */
size_t		 copyout_copy(struct copyout *co, uint8_t *dst,
		    size_t dst_stride, const uint8_t *src, size_t src_stride,
		    uint8_t *map);
/*
 * The same look at src, without copying: the number of tiles that differ
 * from the last frame copied (no state changes).  For an idle screen, so
 * that an unchanged frame costs one read and no write.
 */
size_t		 copyout_changed(const struct copyout *co, const uint8_t *src,
		    size_t src_stride);

/*
 * For tests and the benchmark: a copyout that takes the portable path
 * (plain loads, the portable fingerprint) whatever the CPU, and the name
 * of the path a copyout takes.
 */
struct copyout	*copyout_new_portable(uint32_t width, uint32_t height);
const char	*copyout_method(const struct copyout *co, const uint8_t *src,
		    size_t src_stride);

#endif
