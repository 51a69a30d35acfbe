/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vncmeasure: the measuring viewers of the side by side benchmark
 * (bench/side-by-side.py, doc/PERFORMANCE.md).  K viewers on libvncclient,
 * one thread each, connect to a server, ask for one encoding, and take
 * updates the way a viewer does: libvncclient sends the next incremental
 * FramebufferUpdateRequest as soon as an update is read (no
 * ContinuousUpdates, so that every server is measured alike).
 *
 *	vncmeasure -H HOST -p PORT -f FILE.frames -d SECONDS [-k K]
 *	    [-e tight|zrle|raw|...] [-q QUALITY] [-c COMPRESS]
 *	    [-s SETTLE_S] [-w QUIET_MS]
 *
 * -q is Tight's JPEG quality level (0-9; -1: no JPEG; default 6), -c its
 * compress level (default 2, TigerVNC's).  A handshake the server
 * refuses is tried again every 50 ms, 100 times at most.
 *
 * The clock starts when the first viewer is connected (the servers start
 * their replay on the first request).  After SECONDS, each viewer goes on
 * reading until its picture is exactly the last frame of FILE, or no
 * update came for QUIET_MS since then or since its last update, whichever
 * is later (default 5000: the way a lossy encoding ends),
 * or SETTLE_S more seconds passed (default 10): the servers hold the
 * workload's last frame at the end (side-by-side.py adds it to the file).
 * The picture is then compared with that frame: exact (every RGB value
 * equal) and PSNR over R, G and B.
 *
 * Counted per viewer: updates that carried pixels (pseudo-encoding-only
 * updates are left out), rectangles and their pixels (Raw would take 4
 * bytes each, plus 12 a rectangle), and the bytes the kernel received on
 * its socket (TCP_INFO tcpi_bytes_received: everything libvncclient read,
 * handshake included, without touching its read path).  One JSON line on
 * stdout sums them up; the process's own CPU time is in it, to show when
 * the viewers rather than the server are the limit.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <linux/tcp.h>

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rfb/rfbclient.h>

#include "common/frames.h"

#define MAX_CLIENTS	256

struct options {
	const char	*host;
	int		 port;
	int		 clients;
	const char	*encoding;
	int		 quality;	/* -1: no JPEG */
	int		 compress;
	double		 duration;
	double		 settle;
	int		 quiet_ms;
	struct frames_file ff;
};

struct viewer {
	pthread_t	 thread;
	int		 index;
	const struct options *o;
	int		 connected, failed, retries;
	uint64_t	 updates, rects, pseudo_only;
	uint64_t	 pixels;	/* of the rectangles */
	int		 had_pixels;
	double		 last_update;	/* s since t0 */
	double		 connect_at;
	double		 final_at;	/* s since t0; 0: not seen */
	uint64_t	 bytes;
	int		 exact;
	double		 psnr;		/* INFINITY when exact */
	double		 mse;
};

static int viewer_tag;
static _Atomic uint64_t t0_ns;		/* 0 until the first connection */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double
since_t0(void)
{
	uint64_t t0 = atomic_load(&t0_ns);

	return t0 == 0 ? 0 : (double)(now_ns() - t0) / 1e9;
}

static void
quiet(const char *fmt, ...)
{
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: vncmeasure -H HOST -p PORT -f FILE.frames "
	    "-d SECONDS [-k CLIENTS] [-e ENCODING] [-q QUALITY] "
	    "[-c COMPRESS] [-s SETTLE_S] [-w QUIET_MS]\n");
	exit(2);
}

static void
on_rect(rfbClient *client, int x, int y, int w, int h)
{
	struct viewer *v = rfbClientGetClientData(client, &viewer_tag);

	v->rects++;
	v->pixels += (uint64_t)w * (uint64_t)h;
	v->had_pixels = 1;
}

static void
on_update_done(rfbClient *client)
{
	struct viewer *v = rfbClientGetClientData(client, &viewer_tag);

	if (v->had_pixels) {
		v->updates++;
		v->last_update = since_t0();
	} else
		v->pseudo_only++;
	v->had_pixels = 0;
}

/* The picture against the workload's last frame, R, G and B only. */
static void
compare(struct viewer *v, const rfbClient *client)
{
	const struct frames_file *ff = &v->o->ff;
	const uint8_t *want = frames_frame(ff, ff->count - 1);
	const uint8_t *got = client->frameBuffer;
	uint64_t sq = 0, diff = 0;

	if (client->width != (int)ff->width ||
	    client->height != (int)ff->height || got == NULL) {
		v->exact = 0;
		v->psnr = 0;
		v->mse = -1;
		return;
	}
	for (uint32_t y = 0; y < ff->height; y++) {
		const uint8_t *a = want + (size_t)y * ff->stride;
		const uint8_t *b = got + (size_t)y * ff->width * 4;

		for (uint32_t x = 0; x < ff->width * 4; x += 4)
			for (int c = 0; c < 3; c++) {
				int d = (int)a[x + c] - (int)b[x + c];

				sq += (uint64_t)(d * d);
				diff += d != 0;
			}
	}
	v->exact = diff == 0;
	v->mse = (double)sq / ((double)ff->width * ff->height * 3);
	v->psnr = sq == 0 ? INFINITY : 10 * log10(255.0 * 255.0 / v->mse);
}

static int
is_last_frame(const struct options *o, const rfbClient *client)
{
	const struct frames_file *ff = &o->ff;
	const uint8_t *want = frames_frame(ff, ff->count - 1);
	const uint32_t *got = (const uint32_t *)client->frameBuffer;

	if (client->width != (int)ff->width ||
	    client->height != (int)ff->height || got == NULL)
		return 0;
	for (uint32_t y = 0; y < ff->height; y++) {
		const uint32_t *a = (const uint32_t *)(want +
		    (size_t)y * ff->stride);

		for (uint32_t x = 0; x < ff->width; x++)
			if (((a[x] ^ got[(size_t)y * ff->width + x]) &
			    0xffffff) != 0)
				return 0;
	}
	return 1;
}

static uint64_t
socket_bytes(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_bytes_received;
}

static rfbClient *
viewer_client(struct viewer *v)
{
	const struct options *o = v->o;
	rfbClient *client;

	if ((client = rfbGetClient(8, 3, 4)) == NULL)
		return NULL;
	/* XRGB8888 little-endian, the frames' own layout, which every
	 * server here offers in its ServerInit. */
	client->format.redShift = 16;
	client->format.greenShift = 8;
	client->format.blueShift = 0;
	client->appData.encodingsString = o->encoding;
	client->appData.compressLevel = o->compress;
	client->appData.enableJPEG = o->quality >= 0;
	client->appData.qualityLevel = o->quality >= 0 ? o->quality : 0;
	client->appData.useRemoteCursor = FALSE;
	client->appData.shareDesktop = TRUE;
	client->canHandleNewFBSize = TRUE;
	client->serverHost = strdup(o->host);
	client->serverPort = o->port;
	client->GotFrameBufferUpdate = on_rect;
	client->FinishedFrameBufferUpdate = on_update_done;
	rfbClientSetClientData(client, &viewer_tag, v);
	return client;
}

static void *
viewer_run(void *arg)
{
	struct viewer *v = arg;
	const struct options *o = v->o;
	rfbClient *client;
	uint64_t expected = 0;
	double t, quiet_s = o->quiet_ms / 1000.0;

	/*
	 * A refused handshake is tried again, as a viewer's user would:
	 * rampart lets 8 connections of one address log in at once
	 * (BROKER_MAX_UNAUTH_PER_ADDR) and refuses the others until those
	 * are in.
	 */
	for (;;) {
		if ((client = viewer_client(v)) == NULL) {
			v->failed = 1;
			return NULL;
		}
		/* rfbInitClient frees the client when it fails. */
		if (rfbInitClient(client, NULL, NULL))
			break;
		if (++v->retries > 100) {
			v->failed = 1;
			return NULL;
		}
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	atomic_compare_exchange_strong(&t0_ns, &expected, now_ns());
	v->connected = 1;
	v->connect_at = since_t0();

	for (;;) {
		uint64_t seen = v->updates;
		int n;

		/* Quiet counts from the end of the workload at the earliest:
		 * a viewer that waited long for its last update still waits
		 * for the one with the last frame. */
		t = since_t0();
		if (t >= o->duration && (t - (v->last_update > o->duration ?
		    v->last_update : o->duration) >= quiet_s ||
		    t >= o->duration + o->settle))
			break;
		if ((n = WaitForMessage(client, 50000)) < 0) {
			v->failed = 1;
			break;
		}
		if (n > 0 && !HandleRFBServerMessage(client)) {
			v->failed = 1;
			break;
		}
		/* Once the workload is over, the last frame ends the wait as
		 * soon as it is there, exactly. */
		if (t >= o->duration && v->updates != seen &&
		    is_last_frame(o, client)) {
			v->final_at = since_t0();
			break;
		}
	}
	v->bytes = socket_bytes(client->sock);
	compare(v, client);
	rfbClientCleanup(client);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const struct options *o, struct viewer *v, int n, double wall)
{
	uint64_t updates = 0, rects = 0, bytes = 0, pseudo = 0, pixels = 0;
	uint64_t *per = calloc((size_t)n, sizeof(*per));
	int connected = 0, failed = 0, exact = 0, retries = 0;
	double psnr_min = INFINITY, mse = 0, last = 0, joined = 0;
	double final = 0;
	int finals = 0;
	struct rusage ru;

	for (int i = 0; i < n; i++) {
		connected += v[i].connected;
		failed += v[i].failed;
		retries += v[i].retries;
		if (!v[i].connected)
			continue;
		updates += v[i].updates;
		rects += v[i].rects;
		pixels += v[i].pixels;
		bytes += v[i].bytes;
		pseudo += v[i].pseudo_only;
		exact += v[i].exact;
		if (v[i].psnr < psnr_min)
			psnr_min = v[i].psnr;
		mse += v[i].mse;
		if (v[i].last_update > last)
			last = v[i].last_update;
		if (v[i].connect_at > joined)
			joined = v[i].connect_at;
		if (v[i].final_at > 0) {
			finals++;
			if (v[i].final_at > final)
				final = v[i].final_at;
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"host\": \"%s\", \"port\": %d, \"clients\": %d, "
	    "\"connected\": %d, \"failed\": %d, \"encoding\": \"%s\", "
	    "\"quality\": %d, \"compress\": %d, \"duration_s\": %.3f, "
	    "\"wall_s\": %.3f, \"all_connected_s\": %.3f, "
	    "\"last_update_s\": %.3f, "
	    "\"updates\": %llu, \"pseudo_updates\": %llu, \"rects\": %llu, "
	    "\"bytes\": %llu, \"pixels\": %llu, ", o->host, o->port, n,
	    connected, failed, o->encoding, o->quality, o->compress,
	    o->duration, wall, joined, last, (unsigned long long)updates,
	    (unsigned long long)pseudo,
	    (unsigned long long)rects, (unsigned long long)bytes,
	    (unsigned long long)pixels);
	printf("\"connect_retries\": %d, \"updates_per_client\": [",
	    retries);
	for (int i = 0; i < n; i++) {
		per[i] = v[i].updates;
		printf("%s%llu", i ? ", " : "", (unsigned long long)v[i].updates);
	}
	qsort(per, (size_t)n, sizeof(*per), cmp_u64);
	printf("], \"updates_min\": %llu, \"updates_median\": %llu, "
	    "\"exact\": %d, ", (unsigned long long)per[0],
	    (unsigned long long)per[n / 2], exact);
	if (connected == 0 || isinf(psnr_min))
		printf("\"psnr_min_db\": null, ");
	else
		printf("\"psnr_min_db\": %.2f, ", psnr_min);
	if (connected == 0 || mse == 0)
		printf("\"psnr_mean_mse_db\": null, ");
	else
		printf("\"psnr_mean_mse_db\": %.2f, ", 10 * log10(255.0 *
		    255.0 / (mse / connected)));
	/* When the last viewer had the last frame exactly. */
	if (finals == connected && connected > 0)
		printf("\"final_s\": %.3f, ", final);
	else
		printf("\"final_s\": null, ");
	printf("\"client_cpu_s\": %.3f}\n",
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	free(per);
}

int
main(int argc, char *argv[])
{
	struct options o = { .host = "127.0.0.1", .clients = 1,
	    .encoding = "tight", .quality = 6, .compress = 2, .settle = 10,
	    .quiet_ms = 5000 };
	const char *file = NULL, *why;
	struct viewer *v;
	uint64_t start;
	int ch;

	while ((ch = getopt(argc, argv, "H:p:k:e:q:c:f:d:s:w:")) != -1) {
		switch (ch) {
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'k':
			o.clients = atoi(optarg);
			break;
		case 'e':
			o.encoding = optarg;
			break;
		case 'q':
			o.quality = atoi(optarg);
			break;
		case 'c':
			o.compress = atoi(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'd':
			o.duration = atof(optarg);
			break;
		case 's':
			o.settle = atof(optarg);
			break;
		case 'w':
			o.quiet_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (file == NULL || o.port <= 0 || o.port > 65535 ||
	    o.clients < 1 || o.clients > MAX_CLIENTS || o.duration <= 0 ||
	    o.settle < 0 || o.quiet_ms < 0 || o.quality > 9 ||
	    o.compress < 0 || o.compress > 9)
		usage();
	if (frames_open(&o.ff, file, &why) < 0) {
		fprintf(stderr, "%s: %s\n", file, why);
		return 2;
	}
	/* Refused handshakes (tried again) and the end of each connection
	 * would fill stderr; what failed is counted in the report. */
	rfbClientLog = quiet;
	rfbClientErr = quiet;
	if ((v = calloc((size_t)o.clients, sizeof(*v))) == NULL)
		return 2;
	start = now_ns();
	for (int i = 0; i < o.clients; i++) {
		v[i].index = i;
		v[i].o = &o;
		if (pthread_create(&v[i].thread, NULL, viewer_run, &v[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 2;
		}
	}
	for (int i = 0; i < o.clients; i++)
		pthread_join(v[i].thread, NULL);
	report(&o, v, o.clients, (double)(now_ns() - start) / 1e9);
	return 0;
}
