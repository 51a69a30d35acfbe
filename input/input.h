/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core of rampart-input: accepts from the broker only well-formed key,
 * pointer and release-all requests, remembers which keys and buttons are
 * held, and releases them when asked, on a bad message, or when the broker
 * goes away.
 */
#ifndef RAMPART_INPUT_H
#define RAMPART_INPUT_H

#include <stdint.h>

#include <linux/input-event-codes.h>

#include "common/ipc.h"
#include "input/sink.h"

#define INPUT_WHEEL_MAX		16

struct input {
	const struct sink_ops	*sink;
	void			*sink_state;
	uint8_t			 keys[SINK_KEYS_BYTES];		/* held */
	struct ipc_in_pointer	 pointer;	/* last position, buttons */
	int			 have_pointer;
	/* Set when the sink said SINK_WOULD_BLOCK, or failed; the loop
	 * clears blocked once the sink flushed. */
	int			 blocked;
	int			 failed;
};

/* On success the input owns the sink state. */
void	input_init(struct input *in, const struct sink_ops *sink,
	    void *sink_state);
/*
 * One message of the broker.  Returns 0, or -1 with a logged reason for a
 * message with a bad field (or a failing sink, which sets failed): the
 * caller then releases everything and exits.  An event the sink could not
 * write yet is not an error: it sets blocked.
 */
int	input_handle(struct input *in, const struct ipc_msg *msg);
/* Release every held key and button.  Returns 0, or -1 if the sink failed. */
int	input_release_all(struct input *in);
void	input_free(struct input *in);

#endif
