/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay of a .frames workload for the peer servers of the side by
 * side benchmark (bench/side-by-side.py), paced and damaged exactly as
 * rampart's replay source and capture loop do it (capture/replay.c,
 * capture/capture.c), so that every server is fed the same frames at the
 * same rate:
 *
 *  - playing starts when the first viewer asks for an update (rampart's
 *    capture resumes when a viewer has finished its handshake), with the
 *    frame after the one already on screen;
 *  - one frame of the file per tick; the next tick is armed one interval
 *    from the start of this one (a relative timer, as rampart's);
 *  - after the last frame comes the first again;
 *  - a frame identical to the one shown is not shown; after 1 s without a
 *    change the rate drops to 5 frames a second until the next change
 *    (CAPTURE_IDLE_AFTER_MS, CAPTURE_IDLE_FPS);
 *  - the damage is the set of 64x64 tiles (TILE_SIDE) that differ from
 *    the frame shown before, found by comparing at run time, as rampart's
 *    capture helper finds its map while it copies, and taken as
 *    rectangles the way the broker's damage_take_rects() does.
 *
 * What rampart does and the peers cannot: its capture helper skips a tick
 * while the broker holds every ring slot, so a loaded rampart plays
 * slower; a peer never waits.
 */
#ifndef RAMPART_BENCH_PEER_H
#define RAMPART_BENCH_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "common/frames.h"

#define PEER_IDLE_AFTER_MS	1000	/* capture/capture.h */
#define PEER_IDLE_FPS		5

struct peer_rect {
	uint32_t	x, y, w, h;
};

struct player {
	struct frames_file	 ff;
	uint32_t		 tile;		/* side of a damage tile */
	uint32_t		 cols, rows;
	uint32_t		 next;		/* index of the next frame */
	uint32_t		 shown;		/* index of the frame shown */
	uint64_t		 seq;		/* changes shown, 1: the first */
	uint8_t			*changed;	/* [tile]: in the last step */
	uint64_t		*stamp;		/* [tile]: seq of its last change */
	size_t			 nchanged;
	int			 idle;
	uint64_t		 active_ms;
	int			 playing;
	uint64_t		 start_ms;
	uint32_t		 mark;		/* report when this frame shows */
	uint64_t		 mark_ms;	/* 0: not yet */
	uint64_t		 steps, shown_count;
};

/* Open the file and show its first frame (seq 1, every tile); -1 with a
 * message on stderr. */
int	player_open(struct player *p, const char *path, uint32_t tile);
void	player_close(struct player *p);

/* Start playing (the first viewer's request): the next step shows the
 * frame after the one on screen. */
void	player_start(struct player *p);

/* One tick: the next frame.  Returns the number of tiles that changed;
 * 0 when the frame is the one shown (nothing to do). */
size_t	player_step(struct player *p);

/* The interval from this tick to the next, in microseconds: the full rate
 * or the idle rate. */
uint32_t player_interval_us(const struct player *p);

/* The pixels of the frame shown, and its stride. */
const uint8_t *player_pixels(const struct player *p);

/* Copy into dst (stride bytes a row) every tile that changed after the
 * frame of seq "since" (0: the whole frame). */
void	player_copy(const struct player *p, uint8_t *dst, size_t stride,
	    uint64_t since);

/* The tiles of the last step as rectangles: each tile row's runs, a run
 * of the row above with the same columns extended down.  At most max;
 * returns how many (more than max: out holds the first max). */
size_t	player_rects(const struct player *p, struct peer_rect *out,
	    size_t max);

uint64_t peer_now_ms(void);

/* Install a SIGTERM and SIGINT handler that prints the player's summary
 * (steps played, in how long, how late the ticks came) on stderr and
 * exits: side-by-side.py reads it from the server's log. */
void	player_summary_on_exit(struct player *p, const char *name);

#endif
