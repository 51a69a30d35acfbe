/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reader of recorded screens in the .frames format
 * (../shared/workloads/FORMAT.md): a 64-byte header, then frame_count
 * frames of stride * height bytes each.
 */
#ifndef RAMPART_FRAMES_H
#define RAMPART_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAMES_MAGIC		"RFRAMES1"
#define FRAMES_HEADER_SIZE	64
#define FRAMES_FOURCC_XRGB8888	0x34325258u	/* 'XR24' */

struct frames_file {
	const uint8_t	*map;		/* whole file, PROT_READ */
	size_t		size;
	uint32_t	width, height, stride, fourcc, count, fps;
};

/*
 * Check a header and the size of the whole file: bad magic (with a hint
 * for a zstd-compressed file), version,
 * unknown fourcc, stride < width * 4, zero sizes or frames, fps 0 or
 * absurd, a file shorter than the header says.  Returns 0, or -1 with a
 * reason in *why.  Works on any buffer: the part fuzzing reaches.
 */
int	frames_parse(struct frames_file *ff, const uint8_t *buf, size_t size,
	    const char **why);
/* Open and mmap a file, then frames_parse() it. */
int	frames_open(struct frames_file *ff, const char *path, const char **why);
void	frames_close(struct frames_file *ff);

static inline const uint8_t *
frames_frame(const struct frames_file *ff, uint32_t i)
{
	return ff->map + FRAMES_HEADER_SIZE +
	    (size_t)(i % ff->count) * ff->stride * ff->height;
}

/* Write a .frames header to buf (64 bytes): for tests and tools. */
void	frames_write_header(uint8_t *buf, uint32_t width, uint32_t height,
	    uint32_t stride, uint32_t count, uint32_t fps);

#endif
