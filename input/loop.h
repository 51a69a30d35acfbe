/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loop of rampart-input: the channel from the broker, whose messages
 * go to input_handle(), and the sink's descriptors: watched for writing
 * while the sink holds events its device would not take, and for reading
 * where the sink reports the keyboard LEDs or has a timer running.  What
 * the broker hears back: IPC_IN2BRK_LEDS when the LEDs change,
 * IPC_IN2BRK_STATUS when the sink stays blocked for LOOP_STALL_MS, is
 * ready again after that, or fails.  A shorter wait is the normal life of
 * a HID gadget (a report waits for the host's next poll): it is not news.
 */
#ifndef RAMPART_INPUT_LOOP_H
#define RAMPART_INPUT_LOOP_H

#include <stdint.h>

#include "input/input.h"

#define LOOP_STALL_MS		1000

struct channel;
struct event;
struct event_base;

struct input_loop {
	struct input		 in;
	const char		*name;		/* of the sink, for logs */
	struct event_base	*base;
	struct channel		*ch;		/* to the broker */
	struct event		*wev;		/* the sink's write_fd */
	struct event		*lev;		/* the sink's led_fd */
	struct event		*tev;		/* the sink's timer_fd */
	struct event		*stall_ev;	/* blocked for LOOP_STALL_MS */
	uint32_t		 state;		/* enum ipc_sink_state sent */
	uint32_t		 leds;		/* IPC_LED_* sent */
	int			 leds_sent;
	int			 status;	/* exit status once stopped */
	int			 stopped;
};

/*
 * Take the channel on fd and the sink's state, and watch what the sink
 * offers.  Returns 0, or -1 with a logged reason (the sink is then still
 * the caller's).
 */
int	input_loop_init(struct input_loop *l, struct event_base *base, int fd,
	    const char *name, const struct sink_ops *sink, void *sink_state,
	    unsigned int allow);
/* Release everything held, then leave the loop with status. */
void	input_loop_stop(struct input_loop *l, int status);
void	input_loop_free(struct input_loop *l);

#endif
