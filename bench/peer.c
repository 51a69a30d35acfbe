/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/peer.h"

uint64_t
peer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
player_open(struct player *p, const char *path, uint32_t tile)
{
	const char *why;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (tile < 1 || tile > 4096) {
		fprintf(stderr, "tile side %u out of 1..4096\n", tile);
		return -1;
	}
	if (frames_open(&p->ff, path, &why) < 0) {
		fprintf(stderr, "%s: %s\n", path, why);
		return -1;
	}
	p->tile = tile;
	p->cols = (p->ff.width + tile - 1) / tile;
	p->rows = (p->ff.height + tile - 1) / tile;
	n = (size_t)p->cols * p->rows;
	if ((p->changed = calloc(n, 1)) == NULL ||
	    (p->stamp = calloc(n, sizeof(*p->stamp))) == NULL) {
		fprintf(stderr, "out of memory\n");
		player_close(p);
		return -1;
	}
	/* The first frame is on screen before anyone asks: seq 1, every
	 * tile changed. */
	memset(p->changed, 1, n);
	for (size_t i = 0; i < n; i++)
		p->stamp[i] = 1;
	p->nchanged = n;
	p->seq = 1;
	p->shown = 0;
	p->next = 1 % p->ff.count;
	return 0;
}

void
player_close(struct player *p)
{
	free(p->changed);
	free(p->stamp);
	if (p->ff.map != NULL)
		frames_close(&p->ff);
	memset(p, 0, sizeof(*p));
}

void
player_start(struct player *p)
{
	if (p->playing)
		return;
	p->playing = 1;
	p->idle = 0;
	p->active_ms = p->start_ms = peer_now_ms();
}

/* Does tile (tx, ty) differ between frames a and b? */
static int
tile_differs(const struct player *p, const uint8_t *a, const uint8_t *b,
    uint32_t tx, uint32_t ty)
{
	uint32_t x = tx * p->tile, y = ty * p->tile;
	uint32_t w = p->ff.width - x < p->tile ? p->ff.width - x : p->tile;
	uint32_t h = p->ff.height - y < p->tile ? p->ff.height - y : p->tile;
	size_t off = (size_t)y * p->ff.stride + (size_t)x * 4;

	for (uint32_t r = 0; r < h; r++, off += p->ff.stride)
		if (memcmp(a + off, b + off, (size_t)w * 4) != 0)
			return 1;
	return 0;
}

size_t
player_step(struct player *p)
{
	const uint8_t *prev, *cur;
	uint32_t i = p->next;
	uint64_t now;
	size_t n = 0;

	p->next = (p->next + 1) % p->ff.count;
	p->steps++;
	prev = frames_frame(&p->ff, p->shown);
	cur = frames_frame(&p->ff, i);
	for (uint32_t ty = 0; ty < p->rows; ty++)
		for (uint32_t tx = 0; tx < p->cols; tx++) {
			size_t t = (size_t)ty * p->cols + tx;

			p->changed[t] = tile_differs(p, prev, cur, tx, ty);
			n += p->changed[t];
		}
	now = peer_now_ms();
	if (p->mark != 0 && i == p->mark && p->mark_ms == 0)
		p->mark_ms = now - p->start_ms;
	p->nchanged = n;
	if (n == 0) {
		if (!p->idle && now - p->active_ms >= PEER_IDLE_AFTER_MS)
			p->idle = 1;
		return 0;
	}
	p->seq++;
	for (size_t t = 0; t < (size_t)p->cols * p->rows; t++)
		if (p->changed[t])
			p->stamp[t] = p->seq;
	p->shown = i;
	p->shown_count++;
	p->active_ms = now;
	p->idle = 0;
	return n;
}

uint32_t
player_interval_us(const struct player *p)
{
	uint32_t fps = p->ff.fps;

	if (p->idle && fps > PEER_IDLE_FPS)
		fps = PEER_IDLE_FPS;
	return fps == 1 ? 1000000 : 1000000 / fps;
}

const uint8_t *
player_pixels(const struct player *p)
{
	return frames_frame(&p->ff, p->shown);
}

void
player_copy(const struct player *p, uint8_t *dst, size_t stride,
    uint64_t since)
{
	const uint8_t *src = player_pixels(p);

	if (since == 0) {
		for (uint32_t y = 0; y < p->ff.height; y++)
			memcpy(dst + (size_t)y * stride,
			    src + (size_t)y * p->ff.stride,
			    (size_t)p->ff.width * 4);
		return;
	}
	for (uint32_t ty = 0; ty < p->rows; ty++) {
		uint32_t y0 = ty * p->tile;
		uint32_t h = p->ff.height - y0 < p->tile ?
		    p->ff.height - y0 : p->tile;

		for (uint32_t tx = 0; tx < p->cols; tx++) {
			uint32_t c0 = tx, x0, w;

			/* A run of stale tiles is one copy a row. */
			while (tx < p->cols &&
			    p->stamp[(size_t)ty * p->cols + tx] > since)
				tx++;
			if (tx == c0)
				continue;
			x0 = c0 * p->tile;
			w = (tx * p->tile < p->ff.width ? tx * p->tile :
			    p->ff.width) - x0;
			for (uint32_t r = 0; r < h; r++)
				memcpy(dst + (size_t)(y0 + r) * stride +
				    (size_t)x0 * 4,
				    src + (size_t)(y0 + r) * p->ff.stride +
				    (size_t)x0 * 4, (size_t)w * 4);
		}
	}
}

size_t
player_rects(const struct player *p, struct peer_rect *out, size_t max)
{
	/* Indices into out of the rectangles that reach the row above. */
	size_t *open, *now, nopen = 0, nnow, n = 0;

	if ((open = calloc(p->cols + 1, sizeof(*open))) == NULL ||
	    (now = calloc(p->cols + 1, sizeof(*now))) == NULL) {
		free(open);
		return 0;
	}
	for (uint32_t ty = 0; ty < p->rows; ty++) {
		uint32_t y0 = ty * p->tile;
		uint32_t h = p->ff.height - y0 < p->tile ?
		    p->ff.height - y0 : p->tile;

		nnow = 0;
		for (uint32_t tx = 0; tx < p->cols; tx++) {
			uint32_t c0 = tx, x0, x1;
			size_t k, j;

			while (tx < p->cols &&
			    p->changed[(size_t)ty * p->cols + tx])
				tx++;
			if (tx == c0)
				continue;
			x0 = c0 * p->tile;
			x1 = tx * p->tile < p->ff.width ? tx * p->tile :
			    p->ff.width;
			for (j = 0; j < nopen; j++) {
				k = open[j];
				if (k < max && out[k].x == x0 &&
				    out[k].w == x1 - x0)
					break;
			}
			if (j < nopen) {
				out[k].h += h;
			} else {
				k = n++;
				if (k < max)
					out[k] = (struct peer_rect){ x0, y0,
					    x1 - x0, h };
			}
			now[nnow++] = k;
		}
		memcpy(open, now, nnow * sizeof(*open));
		nopen = nnow;
	}
	free(open);
	free(now);
	return n;
}

static struct player *summary_player;
static const char *summary_name;

static void
on_exit_signal(int sig)
{
	struct player *p = summary_player;
	char line[256];
	uint64_t ms = p->playing ? peer_now_ms() - p->start_ms : 0;
	int n;

	/* snprintf is not async-signal-safe in theory; the process ends
	 * here and nothing else runs its stdio. */
	n = snprintf(line, sizeof(line), "%s: played %llu steps in %llu ms "
	    "(%.2f a second), %llu frames shown, frame %u on screen, "
	    "frame %u shown after %llu ms\n", summary_name,
	    (unsigned long long)p->steps, (unsigned long long)ms,
	    ms ? 1000.0 * (double)p->steps / (double)ms : 0.0,
	    (unsigned long long)p->shown_count, p->shown, p->mark,
	    (unsigned long long)p->mark_ms);
	if (n > 0)
		(void)write(2, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
	_exit(0);
}

void
player_summary_on_exit(struct player *p, const char *name)
{
	summary_player = p;
	summary_name = name;
	signal(SIGTERM, on_exit_signal);
	signal(SIGINT, on_exit_signal);
}
