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

/*
 * The key policy (--allow-keys): what a viewer with control may press
 * beyond the keys of a normal keyboard (codes 1 .. 255).  By default
 * neither: KEY_POWER, KEY_POWER2, KEY_SLEEP, KEY_SUSPEND and KEY_WAKEUP
 * are refused, and so is KEY_SYSRQ pressed while an Alt key is held (the
 * kernel's magic SysRq; alone it is Print Screen and passes).  A key
 * allowed here is written to the log as "audit:" when pressed.
 */
#define INPUT_ALLOW_SYSRQ	0x01
#define INPUT_ALLOW_POWER	0x02
#define INPUT_ALLOW_ALL		(INPUT_ALLOW_SYSRQ | INPUT_ALLOW_POWER)
#define INPUT_KEY_LAST		255	/* the last code a keyboard has */

/* "sysrq,power" (or "none") into INPUT_ALLOW_*: 0, or -1 for a word
 * that is not one of them. */
int	input_parse_allow(const char *list, unsigned int *allow);

struct input {
	const struct sink_ops	*sink;
	void			*sink_state;
	uint8_t			 keys[SINK_KEYS_BYTES];		/* held */
	struct ipc_in_pointer	 pointer;	/* last position, buttons */
	int			 have_pointer;
	unsigned int		 allow;		/* INPUT_ALLOW_* */
	struct ipc_in_screen	 screen;	/* width 0: not told yet */
	/* Set when the sink said SINK_WOULD_BLOCK, or failed; the loop
	 * clears blocked once the sink flushed. */
	int			 blocked;
	int			 failed;
};

/* On success the input owns the sink state. */
void	input_init(struct input *in, const struct sink_ops *sink,
	    void *sink_state, unsigned int allow);
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
