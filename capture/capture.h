/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loop of rampart-capture: a frame ring for the current mode of one
 * source, a timer (or the source's descriptor, for a source that says when
 * a frame is ready) that grabs a frame into a free slot and tells the
 * broker, the pointer's picture and position when the source knows them,
 * and the handling of what the broker may say (release, pause, resume,
 * rate, a viewer acts).  A frame of pixels may carry the source's map of
 * the tiles that changed, in the slot after the pixels; an idle screen
 * is looked at less often.  The broker is the less trusted side: any message out of place
 * ends this process, which the supervisor then restarts.
 */
#ifndef RAMPART_CAPTURE_H
#define RAMPART_CAPTURE_H

#include <stdint.h>

#include "capture/source.h"
#include "common/channel.h"
#include "common/ipc.h"
#include "common/ring.h"

struct event;
struct event_base;

#define CAPTURE_SLOTS		3

/*
 * Idle back-off: after CAPTURE_IDLE_AFTER_MS in which no grab found a
 * change, grab CAPTURE_IDLE_FPS a second instead of the full rate, until a
 * grab finds one or the broker says a viewer acts (IPC_BRK2CAP_ACTIVE).
 * Looking at a frame costs a read of all of it whether anything changed
 * or not; 5 a second keeps that at a sixth of 30 fps while a change still
 * shows within 200 ms, and a viewer who types or moves the pointer brings
 * the full rate back at once.
 */
#define CAPTURE_IDLE_AFTER_MS	1000
#define CAPTURE_IDLE_FPS	5

struct capture {
	struct channel		*ch;		/* to the broker */
	const char		*name;		/* of the source, for logs */
	const struct source_ops	*src;
	void			*src_state;
	struct capture_mode	 mode;
	struct frame_ring	 ring;
	uint64_t		 seq;		/* of the next frame */
	int			 running;	/* between resume and pause */
	uint32_t		 rate;		/* the broker's cap, 0 for none */
	struct event_base	*base;
	struct event		*timer;
	uint64_t		 due_us;	/* the next grab, CLOCK_MONOTONIC */
	/*
	 * A source with a descriptor: watched while running, except while
	 * every slot is held (starved) or the broker's rate holds it back
	 * (the timer then says when to watch again).
	 */
	struct event		*watch;
	int			 starved;
	/* The next frame goes out even if the source says it is unchanged:
	 * the first after a resume or in a new ring. */
	int			 fresh;
	/* Idle back-off: when a grab last found a change (or the broker
	 * said a viewer acts), in ms of CLOCK_MONOTONIC; idle: grabbing at
	 * CAPTURE_IDLE_FPS. */
	uint64_t		 active_ms;
	int			 idle;
	/* The cursor as last sent, and its image as a sealed blob. */
	struct source_cursor	 cursor;
	int			 cursor_fd;
	int			 cursor_sent;
	int			 status;	/* exit status once stopped */
};

/*
 * Describe the source's mode, create the first ring (id 1) and the channel
 * to the broker on fd; nothing is sent yet.  On success the capture owns
 * the source state and fd.  Returns 0, or -1 with a logged reason.  The
 * loop runs until capture_stop(): the broker's messages go to
 * capture_handle(), and the end of the channel stops it.
 */
int	capture_init(struct capture *c, struct event_base *base, int fd,
	    const char *name, const struct source_ops *src, void *src_state);
/* Send the current ring to the broker (IPC_CAP2BRK_RING with a read-only fd). */
int	capture_send_ring(struct capture *c);
void	capture_stop(struct capture *c, int status);
/*
 * One message of the broker.  Returns 0, or -1 with a logged reason for a
 * message that the broker must not send now: the caller then exits.
 */
int	capture_handle(struct capture *c, const struct ipc_msg *msg);
/*
 * One frame, into a free slot if there is one, then the cursor if the
 * source has one.  -1: the caller exits.
 */
int	capture_tick(struct capture *c);
void	capture_free(struct capture *c);

#endif
