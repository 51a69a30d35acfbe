/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvncserver's own Hextile, Zlib and ZRLE encoders on the same damage
 * as bench/encoder-bench: the peer of issue 9, at the encoder alone (no
 * server around it), for a fair comparison of CPU time and bytes.
 *
 *	lvs-encoder-bench [-e NAME,...] [-c LEVEL] [-n FRAMES] FILE.frames
 *
 * A libvncserver screen shows each frame in place (its server format set
 * to the frames' XRGB8888); one client, on a socketpair whose buffers hold
 * a whole frame's output, asks for the screen's own format, so that
 * libvncserver translates nothing, as rampart's encoders then only copy.
 * Each frame's rectangles go through rfbSendRectEncoding*() and
 * rfbSendUpdateBuf(); what came out of the socket is the frame's bytes.
 * Each encoder starts with a new client: libvncserver's Zlib and ZRLE
 * keep one deflate stream per client (history across rectangles), ZRLE at
 * zlib's default level 6, Zlib at the client's level (5 unless -c).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "bench/bench.h"
#include "broker/damage.h"
#include "common/frames.h"

#define MAX_RECTS	64	/* as the broker's encoder jobs */

struct frame_rects {
	struct rect	r[MAX_RECTS];
	size_t		n;
};

static const struct {
	const char	*name;
	rfbBool		(*send)(rfbClientPtr, int, int, int, int);
} encoders[] = {
	{ "raw", rfbSendRectEncodingRaw },
	{ "hextile", rfbSendRectEncodingHextile },
	{ "zlib", rfbSendRectEncodingZlib },
	{ "zrle", rfbSendRectEncodingZRLE },
};

static void
quiet(const char *fmt, ...)
{
	(void)fmt;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: lvs-encoder-bench [-e NAME,...] [-c LEVEL] "
	    "[-n FRAMES] FILE.frames\n");
	exit(2);
}

/* What the client end holds: read and counted, without waiting. */
static size_t
drain(int fd)
{
	static uint8_t buf[1 << 16];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	return total;
}

static void
run(rfbScreenInfoPtr scr, const struct frames_file *ff, uint32_t nframes,
    const struct frame_rects *fr, size_t e, int level)
{
	int sv[2], big = 64 << 20;
	rfbClientPtr cl;
	double *ms, t0, t, full_ms = 0, sum_ms = 0;
	uint64_t bytes, full_bytes = 0, sum_bytes = 0;
	size_t changed = 0;
	uint32_t i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(1);
	}
	/* Room for a whole frame's output: the encoders never wait. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &big,
	    sizeof(big)) == -1 || setsockopt(sv[1], SOL_SOCKET,
	    SO_RCVBUFFORCE, &big, sizeof(big)) == -1) {
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	if ((cl = rfbNewClient(scr, sv[0])) == NULL ||
	    (ms = calloc(nframes, sizeof(*ms))) == NULL) {
		fprintf(stderr, "lvs-encoder-bench: no client\n");
		exit(1);
	}
	drain(sv[1]);	/* its protocol version */
	cl->format = scr->serverFormat;
	rfbSetTranslateFunction(cl);
	if (level >= 0)
		cl->zlibCompressLevel = level;
	for (i = 0; i < nframes; i++) {
		if (fr[i].n == 0)
			continue;
		scr->frameBuffer = (char *)(uintptr_t)frames_frame(ff, i);
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		for (size_t k = 0; k < fr[i].n; k++)
			if (!encoders[e].send(cl, (int)fr[i].r[k].x,
			    (int)fr[i].r[k].y, (int)fr[i].r[k].w,
			    (int)fr[i].r[k].h)) {
				fprintf(stderr, "lvs-encoder-bench: %s failed\n",
				    encoders[e].name);
				exit(1);
			}
		if (!rfbSendUpdateBuf(cl)) {
			fprintf(stderr, "lvs-encoder-bench: send failed\n");
			exit(1);
		}
		t = (bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / 1e6;
		bytes = drain(sv[1]);
		if (i == 0) {
			full_ms = t;
			full_bytes = bytes;
			continue;
		}
		ms[changed++] = t;
		sum_ms += t;
		sum_bytes += bytes;
	}
	printf("%-8s %5s %9.2f %10llu %5zu/%-5u %8.3f %8.3f %10.0f\n",
	    encoders[e].name, level >= 0 ? "given" : "-", full_ms,
	    (unsigned long long)full_bytes, changed, nframes - 1,
	    changed ? bench_median(ms, changed) : 0,
	    changed ? sum_ms / changed : 0,
	    changed ? (double)sum_bytes / changed : 0);
	fflush(stdout);
	rfbCloseClient(cl);
	rfbClientConnectionGone(cl);
	close(sv[1]);
	free(ms);
}

int
main(int argc, char **argv)
{
	const char *enc_list = "raw,hextile,zlib,zrle", *why;
	struct frames_file ff;
	struct frame_rects *fr;
	struct damage d;
	rfbScreenInfoPtr scr;
	uint32_t nframes = 0, i;
	int ch, level = -1, zero = 0;
	char *list, *name, *save;

	while ((ch = getopt(argc, argv, "e:c:n:")) != -1) {
		switch (ch) {
		case 'e':
			enc_list = optarg;
			break;
		case 'c':
			level = atoi(optarg);
			break;
		case 'n':
			nframes = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || level > 9)
		usage();
	if (frames_open(&ff, argv[optind], &why) == -1) {
		fprintf(stderr, "lvs-encoder-bench: %s: %s\n", argv[optind],
		    why);
		return 1;
	}
	if (nframes == 0 || nframes > ff.count)
		nframes = ff.count;
	if ((fr = calloc(nframes, sizeof(*fr))) == NULL ||
	    damage_init(&d, ff.width, ff.height) == -1)
		return 1;
	damage_add_all(&d);
	fr[0].n = damage_take_rects(&d, NULL, fr[0].r, MAX_RECTS);
	for (i = 1; i < nframes; i++) {
		damage_compare(&d, frames_frame(&ff, i - 1),
		    frames_frame(&ff, i), ff.stride, 4);
		fr[i].n = damage_take_rects(&d, NULL, fr[i].r, MAX_RECTS);
	}

	rfbLog = rfbErr = quiet;
	if ((scr = rfbGetScreen(&zero, NULL, (int)ff.width, (int)ff.height, 8,
	    3, 4)) == NULL)
		return 1;
	/* XRGB8888, little endian: the frames' own bytes. */
	scr->serverFormat.bigEndian = 0;
	scr->serverFormat.redShift = 16;
	scr->serverFormat.greenShift = 8;
	scr->serverFormat.blueShift = 0;
	scr->paddedWidthInBytes = (int)ff.stride;
	printf("# %s: %ux%u, %u frames; libvncserver %s\n", argv[optind],
	    ff.width, ff.height, nframes, LIBVNCSERVER_VERSION);
	printf("# encoder level full-ms full-bytes changed median-ms mean-ms "
	    "mean-bytes\n");
	if ((list = strdup(enc_list)) == NULL)
		return 1;
	for (name = strtok_r(list, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(encoders) / sizeof(encoders[0]); i++)
			if (strcmp(encoders[i].name, name) == 0)
				break;
		if (i == sizeof(encoders) / sizeof(encoders[0]))
			usage();
		run(scr, &ff, nframes, fr, i, level);
	}
	free(list);
	scr->frameBuffer = NULL;
	rfbScreenCleanup(scr);
	free(fr);
	damage_free(&d);
	frames_close(&ff);
	return 0;
}
