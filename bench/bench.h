/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the benchmarks share: a clock, the median of a set of runs, and
 * memory for frames that is mapped and touched before anything is timed.
 */
#ifndef RAMPART_BENCH_H
#define RAMPART_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>

/* Nanoseconds on clock (CLOCK_MONOTONIC: wall time; CLOCK_THREAD_CPUTIME_ID:
 * this thread's CPU time, which other load on the machine disturbs less). */
static inline double
bench_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n runs (sorts v). */
static inline double
bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* size bytes, mapped and populated; exits when there are none. */
static inline uint8_t *
bench_alloc(size_t size)
{
	void *p;

	if ((p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)) == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

#endif
