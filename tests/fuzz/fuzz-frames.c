/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frames_file ff;
	const char *why;
	volatile uint8_t sink;

	if (frames_parse(&ff, data, size, &why) == 0) {
		/* The last byte of the last frame must be inside the input. */
		const uint8_t *last = frames_frame(&ff, ff.count - 1);

		sink = last[(size_t)ff.stride * ff.height - 1];
		(void)sink;
	}
	return 0;
}
