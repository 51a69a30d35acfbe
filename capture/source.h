/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A capture source: where the frames of rampart-capture come from.  Each
 * source is one file behind this small table of functions; the loop in
 * capture.c knows nothing else about it.
 */
#ifndef RAMPART_CAPTURE_SOURCE_H
#define RAMPART_CAPTURE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

/* What a source delivers now. */
struct capture_mode {
	uint32_t	width;
	uint32_t	height;
	uint32_t	stride;		/* bytes per row */
	uint32_t	fourcc;		/* DRM fourcc */
	uint32_t	fps;		/* the rate the source wants, 1 .. 240 */
	uint32_t	kind;		/* enum ipc_frame_kind */
	size_t		max_length;	/* the most bytes one frame can take */
};

/* grab(): the frame is in dst. */
#define SOURCE_OK		0
/* grab(): the mode changed; describe() again, grab into a new ring. */
#define SOURCE_MODE_CHANGED	1

struct source_ops {
	const char	*name;		/* the prefix of --source NAME[:ARG] */
	/*
	 * Open the source while the process still holds its privileges.
	 * arg is what follows "NAME:" (NULL when there is none).  Returns
	 * the source's state, or NULL with a reason written to why.
	 */
	void		*(*open)(const char *arg, char *why, size_t whylen);
	int		 (*describe)(void *state, struct capture_mode *mode);
	/*
	 * Write the next frame into dst (size bytes, at least the mode's
	 * max_length) and its length to *length.  Returns SOURCE_OK,
	 * SOURCE_MODE_CHANGED (nothing written), or -1 with a logged reason.
	 */
	int		 (*grab)(void *state, uint8_t *dst, size_t size,
			    uint32_t *length);
	void		 (*close)(void *state);
};

extern const struct source_ops source_replay;
extern const struct source_ops source_demo;

#endif
