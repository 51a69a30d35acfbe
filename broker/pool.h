/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The encoder pool: worker threads that run encoder jobs while the event
 * loop goes on.  A job is submitted on the loop's thread, runs on a worker
 * with that worker's scratch, and its done() is called back on the loop's
 * thread: the loop never waits for an encoder.  With no workers (0
 * threads), jobs run on the loop's thread at its next turn, in the same
 * order, through the same done() path.
 *
 * Threads start after the broker entered its sandbox: its seccomp policy
 * allows clone() for threads (and nothing else), and a thread started
 * before would not be under the filter or the dropped privileges.
 */
#ifndef RAMPART_POOL_H
#define RAMPART_POOL_H

#include <sys/queue.h>

#include "broker/encoders/encoder.h"

struct event_base;

#define POOL_MAX_THREADS	16

struct pool_job {
	TAILQ_ENTRY(pool_job) entry;
	/* On a worker (or the loop's thread with no workers). */
	void	(*run)(struct pool_job *job, struct encode_scratch *scratch);
	/* On the loop's thread, once run() returned. */
	void	(*done)(struct pool_job *job);
};

struct pool;

/* 0 threads: jobs run on the loop's thread.  NULL when out of resources. */
struct pool *pool_new(struct event_base *base, unsigned int nthreads);
/* Start the threads (after the sandbox); 0, or -1 (then jobs run on the
 * loop's thread, and that is logged). */
int	pool_start(struct pool *p);
void	pool_submit(struct pool *p, struct pool_job *job);
unsigned int pool_threads(const struct pool *p);
/* Jobs submitted and not yet done. */
unsigned int pool_pending(const struct pool *p);
/* Waits for the running jobs; jobs not started are done() without run()
 * never: every job is run and done before this returns. */
void	pool_free(struct pool *p);

#endif
