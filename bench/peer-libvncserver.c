/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer-libvncserver: the side by side benchmark's server on libvncserver
 * (bench/side-by-side.py, doc/PERFORMANCE.md).  It plays a .frames
 * workload as rampart's replay source does (bench/peer.h) into
 * libvncserver's framebuffer, marks what changed, and lets libvncserver
 * serve its viewers.
 *
 *	peer-libvncserver -f FILE.frames -p PORT [-m threads|loop]
 *	    [-d DEFER_MS] [-r MAX_RECTS] [-t TILE] [-w FRAME]
 *
 * -m threads (the default): rfbRunEventLoop in the background, a thread
 *    pair per viewer, so that encoding for several viewers uses every
 *    core; the frames are copied in by the main thread.  The copy is not
 *    locked against the viewers' threads (libvncserver has no lock for
 *    it): an update may mix two frames, but a changed area is marked
 *    only after it was copied, so the next update sends it whole and the
 *    last frame arrives exact.
 * -m loop: one thread, rfbProcessEvents between the frames.
 * -d: libvncserver's deferUpdateTime (its default 5 ms; 0 here: an update
 *    goes as soon as a viewer asked and something changed).
 * -r: maxRectsPerUpdate (its default 50, above which an update is sent as
 *    the bounding box of what changed).
 * -t: side of the damage tiles (rampart's: 64).
 * -w: log when the replay reaches this frame (with SIGTERM's summary).
 *
 * No authentication; loopback only; viewers always share the screen.
 */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfb.h>
#include <rfb/rfbregion.h>

#include "bench/peer.h"
#include "common/tiles.h"

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static int started;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: peer-libvncserver -f FILE.frames -p PORT "
	    "[-m threads|loop] [-d DEFER_MS] [-r MAX_RECTS] [-t TILE] [-w FRAME]\n");
	exit(2);
}

static void
quiet(const char *fmt, ...)
{
}

/* The first request of any viewer starts the replay, as rampart's capture
 * resumes when a viewer has finished its handshake.  Runs on a viewer's
 * thread in threads mode. */
static void
on_request(rfbClientPtr cl, rfbFramebufferUpdateRequestMsg *req)
{
	pthread_mutex_lock(&start_lock);
	if (!started) {
		started = 1;
		pthread_cond_broadcast(&start_cond);
	}
	pthread_mutex_unlock(&start_lock);
}

static enum rfbNewClientAction
on_client(rfbClientPtr cl)
{
	cl->clientFramebufferUpdateRequestHook = on_request;
	return RFB_CLIENT_ACCEPT;
}

static int
is_started(void)
{
	int s;

	pthread_mutex_lock(&start_lock);
	s = started;
	pthread_mutex_unlock(&start_lock);
	return s;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Copy the step's tiles in, then mark them, in one region, so that a
 * viewer's thread woken by the mark finds all of the frame's damage. */
static void
show(rfbScreenInfoPtr screen, struct player *p, struct peer_rect *rects,
    size_t max)
{
	sraRegionPtr region;
	size_t n;

	player_copy(p, (uint8_t *)screen->frameBuffer,
	    (size_t)screen->paddedWidthInBytes, p->seq - 1);
	n = player_rects(p, rects, max);
	if (n > max) {
		/* More rectangles than tiles cannot be: a bug. */
		fprintf(stderr, "peer-libvncserver: %zu rectangles\n", n);
		exit(1);
	}
	region = sraRgnCreate();
	for (size_t i = 0; i < n; i++) {
		sraRegionPtr r = sraRgnCreateRect((int)rects[i].x,
		    (int)rects[i].y, (int)(rects[i].x + rects[i].w),
		    (int)(rects[i].y + rects[i].h));

		sraRgnOr(region, r);
		sraRgnDestroy(r);
	}
	rfbMarkRegionAsModified(screen, region);
	sraRgnDestroy(region);
}

int
main(int argc, char *argv[])
{
	const char *file = NULL, *mode = "threads";
	int port = 0, defer = 0, max_rects = 50, ch, threads;
	uint32_t tile = TILE_SIDE, mark = 0;
	struct player p;
	struct peer_rect *rects;
	rfbScreenInfoPtr screen;
	int fake_argc = 1;
	char *fake_argv[] = { argv[0], NULL };
	uint64_t deadline;

	while ((ch = getopt(argc, argv, "f:p:m:d:r:t:w:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'd':
			defer = atoi(optarg);
			break;
		case 'r':
			max_rects = atoi(optarg);
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
	if (file == NULL || port <= 0 || port > 65535 || defer < 0 ||
	    max_rects < 1)
		usage();
	if (strcmp(mode, "threads") == 0)
		threads = 1;
	else if (strcmp(mode, "loop") == 0)
		threads = 0;
	else
		usage();
	if (player_open(&p, file, tile) < 0)
		return 1;
	p.mark = mark;
	player_summary_on_exit(&p, "peer-libvncserver");
	if (p.ff.fourcc != FRAMES_FOURCC_XRGB8888) {
		fprintf(stderr, "%s: not XRGB8888\n", file);
		return 1;
	}
	if ((rects = calloc((size_t)p.cols * p.rows, sizeof(*rects))) ==
	    NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	rfbLog = quiet;
	rfbErr = quiet;
	screen = rfbGetScreen(&fake_argc, fake_argv, (int)p.ff.width,
	    (int)p.ff.height, 8, 3, 4);
	if (screen == NULL)
		return 1;
	/* The frames' own layout, XRGB8888 little-endian (B, G, R, X in
	 * memory): a viewer that asks for it gets the bytes untranslated. */
	screen->serverFormat.redShift = 16;
	screen->serverFormat.greenShift = 8;
	screen->serverFormat.blueShift = 0;
	screen->frameBuffer = malloc((size_t)screen->paddedWidthInBytes *
	    p.ff.height);
	if (screen->frameBuffer == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	player_copy(&p, (uint8_t *)screen->frameBuffer,
	    (size_t)screen->paddedWidthInBytes, 0);
	screen->desktopName = "peer-libvncserver";
	screen->port = port;
	screen->ipv6port = 0;
	screen->listenInterface = htonl(INADDR_LOOPBACK);
	screen->alwaysShared = TRUE;
	screen->deferUpdateTime = defer;
	screen->maxRectsPerUpdate = max_rects;
	screen->newClientHook = on_client;
	/* No cursor drawn into the pixels for viewers without cursor
	 * updates: the picture is the frame, as with the other servers. */
	screen->cursor = NULL;
	rfbInitServer(screen);
	if (screen->listenSock == RFB_INVALID_SOCKET) {
		fprintf(stderr, "peer-libvncserver: cannot listen on "
		    "127.0.0.1:%d\n", port);
		return 1;
	}

	if (threads) {
		rfbRunEventLoop(screen, -1, TRUE);
		pthread_mutex_lock(&start_lock);
		while (!started)
			pthread_cond_wait(&start_cond, &start_lock);
		pthread_mutex_unlock(&start_lock);
	} else {
		while (!is_started())
			rfbProcessEvents(screen, 100000);
	}
	player_start(&p);
	/* The frame on screen is the fresh one; the first tick shows the
	 * next, one interval later, as rampart's capture does. */
	deadline = now_us() + player_interval_us(&p);
	for (;;) {
		uint64_t now = now_us();
		int was_idle;

		if (now < deadline) {
			if (threads) {
				uint64_t d = deadline - now;
				struct timespec ts = { (time_t)(d / 1000000),
				    (long)(d % 1000000) * 1000 };

				nanosleep(&ts, NULL);
			} else
				rfbProcessEvents(screen, (long)(deadline -
				    now));
			continue;
		}
		deadline = now + player_interval_us(&p);
		was_idle = p.idle;
		if (player_step(&p) == 0)
			continue;
		if (was_idle)
			deadline = now_us() + player_interval_us(&p);
		show(screen, &p, rects, (size_t)p.cols * p.rows);
	}
}
