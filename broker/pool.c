/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/pool.h"
#include "common/log.h"

/* Encoders need little stack: their buffers live in scratch. */
#define POOL_STACK_SIZE		(512 * 1024)

TAILQ_HEAD(pool_jobs, pool_job);

struct pool {
	struct event_base *base;
	unsigned int	nthreads;	/* asked for */
	unsigned int	running;	/* started */
	pthread_t	threads[POOL_MAX_THREADS];
	pthread_mutex_t	lock;
	pthread_cond_t	work;		/* todo is not empty, or stop */
	struct pool_jobs todo;		/* under lock */
	struct pool_jobs finished;	/* under lock: done() due */
	int		stop;		/* under lock */
	int		notify[2];	/* a byte: finished is not empty */
	struct event	*notify_ev;
	unsigned int	pending;	/* loop's thread only */
	struct encode_scratch scratch;	/* for jobs on the loop's thread */
};

static void
finish(struct pool *p, struct pool_job *job)
{
	int was_empty;

	pthread_mutex_lock(&p->lock);
	was_empty = TAILQ_EMPTY(&p->finished);
	TAILQ_INSERT_TAIL(&p->finished, job, entry);
	pthread_mutex_unlock(&p->lock);
	/* One byte wakes the loop for every job finished until it looks. */
	if (was_empty && p->running > 0) {
		ssize_t n;

		do
			n = write(p->notify[1], "", 1);
		while (n < 0 && errno == EINTR);
	}
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct encode_scratch scratch = { 0 };
	struct pool_job *job;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (TAILQ_EMPTY(&p->todo) && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if ((job = TAILQ_FIRST(&p->todo)) == NULL)
			break;		/* stop, and nothing left */
		TAILQ_REMOVE(&p->todo, job, entry);
		pthread_mutex_unlock(&p->lock);
		job->run(job, &scratch);
		finish(p, job);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	encode_scratch_free(&scratch);
	return NULL;
}

/* On the loop's thread: run what waits (no workers), then every done(). */
static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pool *p = arg;
	struct pool_jobs finished = TAILQ_HEAD_INITIALIZER(finished);
	struct pool_job *job;
	char buf[64];

	(void)what;
	if (p->running > 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	pthread_mutex_lock(&p->lock);
	if (p->running == 0)
		while ((job = TAILQ_FIRST(&p->todo)) != NULL) {
			TAILQ_REMOVE(&p->todo, job, entry);
			pthread_mutex_unlock(&p->lock);
			job->run(job, &p->scratch);
			pthread_mutex_lock(&p->lock);
			TAILQ_INSERT_TAIL(&p->finished, job, entry);
		}
	TAILQ_CONCAT(&finished, &p->finished, entry);
	pthread_mutex_unlock(&p->lock);
	while ((job = TAILQ_FIRST(&finished)) != NULL) {
		TAILQ_REMOVE(&finished, job, entry);
		p->pending--;
		job->done(job);
	}
}

struct pool *
pool_new(struct event_base *base, unsigned int nthreads)
{
	struct pool *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->base = base;
	p->nthreads = nthreads > POOL_MAX_THREADS ? POOL_MAX_THREADS :
	    nthreads;
	TAILQ_INIT(&p->todo);
	TAILQ_INIT(&p->finished);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	if (pipe2(p->notify, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(p);
		return NULL;
	}
	p->notify_ev = event_new(base, p->notify[0], EV_READ | EV_PERSIST,
	    notify_cb, p);
	if (p->notify_ev == NULL || event_add(p->notify_ev, NULL) < 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

int
pool_start(struct pool *p)
{
	pthread_attr_t attr;
	int rc = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, POOL_STACK_SIZE);
	while (p->running < p->nthreads) {
		if ((rc = pthread_create(&p->threads[p->running], &attr,
		    worker, p)) != 0)
			break;
		p->running++;
	}
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_warnx("encoder threads: %u of %u started: %s", p->running,
		    p->nthreads, strerror(rc));
		return -1;
	}
	if (p->running > 0)
		log_debug("%u encoder threads", p->running);
	return 0;
}

unsigned int
pool_threads(const struct pool *p)
{
	return p->running;
}

unsigned int
pool_pending(const struct pool *p)
{
	return p->pending;
}

void
pool_submit(struct pool *p, struct pool_job *job)
{
	p->pending++;
	pthread_mutex_lock(&p->lock);
	TAILQ_INSERT_TAIL(&p->todo, job, entry);
	if (p->running > 0)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	if (p->running == 0)
		event_active(p->notify_ev, EV_READ, 0);
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->running; i++)
		pthread_join(p->threads[i], NULL);
	p->running = 0;
	if (p->notify_ev != NULL) {
		/* What is left runs here, and every done() is called. */
		notify_cb(p->notify[0], EV_READ, p);
		event_free(p->notify_ev);
	}
	close(p->notify[0]);
	close(p->notify[1]);
	encode_scratch_free(&p->scratch);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	free(p);
}
