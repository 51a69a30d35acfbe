/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer-neatvnc: the side by side benchmark's server on neatvnc 0.5
 * (bench/side-by-side.py, doc/PERFORMANCE.md).  It plays a .frames
 * workload as rampart's replay source does (bench/peer.h) and feeds each
 * frame to neatvnc with the tiles that changed as its damage.
 *
 *	peer-neatvnc -f FILE.frames -p PORT [-t TILE] [-w FRAME]
 *
 * -t: side of the damage tiles (rampart's: 64).
 * -w: log when the replay reaches this frame (with SIGTERM's summary).
 *
 * neatvnc encodes on aml's worker threads (one per core) and holds a
 * buffer while any viewer's update of it is being encoded or sent, so
 * every frame goes into a buffer of a pool that is free now; a buffer
 * taken again gets only the tiles that changed since it was last filled.
 * The frame timer is a timerfd armed one interval from the start of each
 * tick, as rampart's capture timer is (aml's own timers count whole
 * milliseconds: 33 ms instead of 33.3).
 *
 * No authentication; loopback only.
 */
#include "config.h"

#include <sys/timerfd.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <aml.h>
#include <neatvnc.h>
#include <pixman.h>

#include "bench/peer.h"
#include "common/tiles.h"

#define FOURCC_XRGB8888	0x34325258u	/* DRM_FORMAT_XRGB8888 */

struct peer {
	struct player		 p;
	struct nvnc		*server;
	struct nvnc_display	*display;
	struct nvnc_fb_pool	*pool;
	struct peer_rect	*rects;
	int			 tfd;
	struct aml_handler	*timer;
	int			 started;
};

/* What a pool buffer holds: the seq of the frame last copied into it. */
struct fb_held {
	uint64_t	seq;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: peer-neatvnc -f FILE.frames -p PORT "
	    "[-t TILE] [-w FRAME]\n");
	exit(2);
}

static void
quiet(const struct nvnc_log_data *d, const char *msg)
{
	if (d->level <= NVNC_LOG_ERROR)
		fprintf(stderr, "neatvnc: %s\n", msg);
}

static void
arm(struct peer *pr, uint32_t us)
{
	struct itimerspec its = { .it_value = {
	    (time_t)(us / 1000000), (long)(us % 1000000) * 1000 } };

	if (timerfd_settime(pr->tfd, 0, &its, NULL) < 0) {
		perror("timerfd_settime");
		exit(1);
	}
}

/* The frame shown into a free buffer of the pool, then to neatvnc with
 * this step's tiles as the damage. */
static void
feed(struct peer *pr)
{
	struct player *p = &pr->p;
	struct nvnc_fb *fb;
	struct fb_held *held;
	struct pixman_region16 damage;
	size_t n, max = (size_t)p->cols * p->rows;

	if ((fb = nvnc_fb_pool_acquire(pr->pool)) == NULL) {
		fprintf(stderr, "peer-neatvnc: no buffer\n");
		exit(1);
	}
	if ((held = nvnc_get_userdata(fb)) == NULL) {
		if ((held = calloc(1, sizeof(*held))) == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		nvnc_set_userdata(fb, held, free);
	}
	if (held->seq != p->seq) {
		player_copy(p, nvnc_fb_get_addr(fb),
		    (size_t)nvnc_fb_get_stride(fb) * 4, held->seq);
		held->seq = p->seq;
	}
	n = player_rects(p, pr->rects, max);
	pixman_region_init(&damage);
	for (size_t i = 0; i < n && i < max; i++)
		pixman_region_union_rect(&damage, &damage,
		    (int)pr->rects[i].x, (int)pr->rects[i].y,
		    pr->rects[i].w, pr->rects[i].h);
	nvnc_display_feed_buffer(pr->display, fb, &damage);
	pixman_region_fini(&damage);
	nvnc_fb_unref(fb);
}

static void
on_tick(void *obj)
{
	struct peer *pr = aml_get_userdata(obj);
	uint64_t expirations;
	int was_idle;

	if (read(pr->tfd, &expirations, sizeof(expirations)) < 0)
		return;
	arm(pr, player_interval_us(&pr->p));
	was_idle = pr->p.idle;
	if (player_step(&pr->p) == 0)
		return;
	if (was_idle)
		arm(pr, player_interval_us(&pr->p));
	feed(pr);
}

/* The first request of any viewer starts the replay, as rampart's
 * capture resumes when a viewer has finished its handshake. */
static void
on_request(struct nvnc_client *client, bool incremental, uint16_t x,
    uint16_t y, uint16_t w, uint16_t h)
{
	struct peer *pr = nvnc_get_userdata(nvnc_client_get_server(client));

	if (pr->started)
		return;
	pr->started = 1;
	player_start(&pr->p);
	arm(pr, player_interval_us(&pr->p));
}

int
main(int argc, char *argv[])
{
	struct peer pr = { .tfd = -1 };
	const char *file = NULL;
	uint32_t tile = TILE_SIDE, mark = 0;
	struct aml *aml;
	int port = 0, ch;

	while ((ch = getopt(argc, argv, "f:p:t:w:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 't':
			tile = (uint32_t)atoi(optarg);
			break;
		case 'w':
			mark = (uint32_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (file == NULL || port <= 0 || port > 65535)
		usage();
	if (player_open(&pr.p, file, tile) < 0)
		return 1;
	pr.p.mark = mark;
	player_summary_on_exit(&pr.p, "peer-neatvnc");
	if (pr.p.ff.fourcc != FRAMES_FOURCC_XRGB8888 ||
	    pr.p.ff.width > UINT16_MAX || pr.p.ff.height > UINT16_MAX ||
	    pr.p.ff.stride % 4 != 0) {
		fprintf(stderr, "%s: not XRGB8888 that neatvnc takes\n", file);
		return 1;
	}
	if ((pr.rects = calloc((size_t)pr.p.cols * pr.p.rows,
	    sizeof(*pr.rects))) == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	/* neatvnc writes to its sockets without MSG_NOSIGNAL: a viewer
	 * that leaves must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	nvnc_set_log_fn(quiet);
	nvnc_set_log_level(NVNC_LOG_ERROR);

	if ((aml = aml_new()) == NULL)
		return 1;
	aml_set_default(aml);
	if ((pr.server = nvnc_open("127.0.0.1", (uint16_t)port)) == NULL) {
		fprintf(stderr, "peer-neatvnc: cannot listen on "
		    "127.0.0.1:%d\n", port);
		return 1;
	}
	nvnc_set_name(pr.server, "peer-neatvnc");
	nvnc_set_userdata(pr.server, &pr, NULL);
	nvnc_set_fb_req_fn(pr.server, on_request);
	if ((pr.display = nvnc_display_new(0, 0)) == NULL)
		return 1;
	nvnc_add_display(pr.server, pr.display);
	pr.pool = nvnc_fb_pool_new((uint16_t)pr.p.ff.width,
	    (uint16_t)pr.p.ff.height, FOURCC_XRGB8888,
	    (uint16_t)(pr.p.ff.stride / 4));
	if (pr.pool == NULL)
		return 1;

	/* The first frame is on screen before anyone asks. */
	feed(&pr);

	if ((pr.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK)) < 0) {
		perror("timerfd_create");
		return 1;
	}
	pr.timer = aml_handler_new(pr.tfd, on_tick, &pr, NULL);
	if (pr.timer == NULL || aml_start(aml, pr.timer) < 0)
		return 1;
	aml_run(aml);
	return 0;
}
