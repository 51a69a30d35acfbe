/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The encoders on a recorded screen: each frame's changed tiles against
 * the frame before (damage_compare, then damage_take_rects as the broker
 * takes them, at most 64 rectangles), encoded with a named encoder and
 * settings; CPU time and bytes per frame.
 *
 *	encoder-bench [-e NAME,...] [-c LEVEL,...] [-q QUALITY] [-f FORMAT]
 *	    [-n FRAMES] [-s] FILE.frames
 *
 * -e	encoders by name (default raw,hextile,zlib,zrle)
 * -c	CompressLevels to run each with; "-" for none sent (default "-")
 * -q	QualityLevel (0..9) for the encoders that read it
 * -f	the client's pixel format: 32 (rampart's own, default), 32be, 16,
 *	16be, 8
 * -n	only the first FRAMES frames
 * -s	also compress what each zlib-stream encoder (Zlib, ZRLE) deflated,
 *	through one z_stream for the whole run with Z_SYNC_FLUSH after each
 *	rectangle, as a server with one stream per client would: the cost
 *	in bytes of compressing every rectangle on its own (zstream.h);
 *	with the levels of -c only
 *
 * Frame 0 is encoded whole ("full"); every later frame with damage counts
 * in the per-frame figures: the median and the mean of the thread's CPU
 * time, and the mean and median of the bytes.  Frames without damage cost
 * nothing here and are only counted.  Workloads: ../shared/workloads/,
 * `zstd -d NAME.frames.zst -o /tmp/NAME.frames`.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "bench/bench.h"
#include "broker/damage.h"
#include "broker/encoders/encoder.h"
#include "common/frames.h"

#define MAX_RECTS	ENCODE_JOB_MAX_RECTS

/*
 * The encoders this bench knows by name.  Tight and JPEG are added here
 * when they are built: { "tight", &encoder_tight }, { "jpeg",
 * &encoder_jpeg }.
 */
static const struct {
	const char		*name;
	const struct encoder	*enc;
} encoders[] = {
	{ "raw", &encoder_raw },
	{ "hextile", &encoder_hextile },
	{ "zlib", &encoder_zlib },
	{ "zrle", &encoder_zrle },
	{ "tight", &encoder_tight },
	{ "jpeg", &encoder_jpeg },
};

static const struct {
	const char	*name;
	struct pixfmt	pf;
} formats[] = {
	{ "32", { 32, 24, 0, 1, 255, 255, 255, 16, 8, 0 } },
	{ "32be", { 32, 24, 1, 1, 255, 255, 255, 16, 8, 0 } },
	{ "16", { 16, 16, 0, 1, 31, 63, 31, 11, 5, 0 } },
	{ "16be", { 16, 16, 1, 1, 31, 63, 31, 11, 5, 0 } },
	{ "8", { 8, 8, 0, 1, 7, 7, 3, 5, 2, 0 } },
};

/* The damage of every frame, taken once for all runs. */
struct frame_rects {
	struct rect	r[MAX_RECTS];
	size_t		n;
};

/* One continuous deflate stream, and an inflater for what the encoder
 * wrote: -s. */
struct stream_cost {
	z_stream	def, inf;
	uint8_t		*in, *out;
	size_t		cap_in, cap_out;
	uint64_t	bytes;		/* in the continuous stream */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: encoder-bench [-e NAME,...] [-c LEVEL,...] "
	    "[-q QUALITY] [-f 32|32be|16|16be|8]\n"
	    "    [-n FRAMES] [-s] FILE.frames\n");
	exit(2);
}

static const struct encoder *
encoder_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(encoders) / sizeof(encoders[0]); i++)
		if (strcmp(encoders[i].name, name) == 0)
			return encoders[i].enc;
	return NULL;
}

static void
grow(uint8_t **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	if ((*p = realloc(*p, need)) == NULL) {
		perror("realloc");
		exit(1);
	}
	*cap = need;
}

/*
 * The deflate data of one rectangle (after its 16 bytes of header and
 * length), inflated on its own (it starts from a reset state), then
 * deflated into the continuous stream with a sync flush.
 */
static void
stream_add(struct stream_cost *sc, const uint8_t *rect, size_t len)
{
	size_t got, before;

	if (len < 16)
		return;
	grow(&sc->in, &sc->cap_in, 64 * 1024);
	inflateReset(&sc->inf);
	sc->inf.next_in = (Bytef *)(uintptr_t)(rect + 16);
	sc->inf.avail_in = (uInt)(len - 16);
	got = 0;
	for (;;) {
		sc->inf.next_out = sc->in + got;
		sc->inf.avail_out = (uInt)(sc->cap_in - got);
		if (inflate(&sc->inf, Z_SYNC_FLUSH) < 0) {
			fprintf(stderr, "encoder-bench: bad deflate data\n");
			exit(1);
		}
		got = (size_t)(sc->inf.next_out - sc->in);
		if (sc->inf.avail_in == 0 && sc->inf.avail_out != 0)
			break;
		grow(&sc->in, &sc->cap_in, sc->cap_in * 2);
	}
	grow(&sc->out, &sc->cap_out, deflateBound(&sc->def, got) + 64);
	before = sc->def.total_out;
	sc->def.next_in = sc->in;
	sc->def.avail_in = (uInt)got;
	sc->def.next_out = sc->out;
	sc->def.avail_out = (uInt)sc->cap_out;
	if (deflate(&sc->def, Z_SYNC_FLUSH) != Z_OK || sc->def.avail_in != 0) {
		fprintf(stderr, "encoder-bench: deflate failed\n");
		exit(1);
	}
	sc->bytes += 16 + (sc->def.total_out - before);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
run(const struct frames_file *ff, uint32_t nframes,
    const struct frame_rects *fr, const struct encoder *enc,
    const struct pixconv *pc, const struct encode_settings *set, int stream)
{
	struct encode_scratch scratch = { { NULL } };
	void **slot = &scratch.slot[encoder_slot(enc)];
	struct stream_cost sc = { 0 };
	struct evbuffer *out;
	double *ms, full_ms = 0, t0, sum_ms = 0;
	uint64_t *bytes, full_bytes = 0, sum_bytes = 0;
	size_t changed = 0, before;
	int level = set->compress;
	uint32_t i;
	char lvl[16] = "-";

	if ((out = evbuffer_new()) == NULL ||
	    (ms = calloc(nframes, sizeof(*ms))) == NULL ||
	    (bytes = calloc(nframes, sizeof(*bytes))) == NULL) {
		perror("encoder-bench");
		exit(1);
	}
	/* The same level in the one stream: only when it was given. */
	stream = stream && (enc->flags & ENCODER_ZLIB_STREAM) &&
	    set->compress >= 0;
	if (stream && (deflateInit(&sc.def, level) != Z_OK ||
	    inflateInit2(&sc.inf, -15) != Z_OK)) {
		fprintf(stderr, "encoder-bench: zlib\n");
		exit(1);
	}
	for (i = 0; i < nframes; i++) {
		struct encode_src src = { frames_frame(ff, i), ff->stride,
		    ff->width, ff->height };
		uint64_t b = 0;
		double t;

		if (fr[i].n == 0)
			continue;
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		for (size_t k = 0; k < fr[i].n; k++)
			if (enc->encode(&src, &fr[i].r[k], pc, set, slot,
			    out) < 0) {
				fprintf(stderr, "encoder-bench: %s failed\n",
				    enc->name);
				exit(1);
			}
		t = (bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / 1e6;
		b = evbuffer_get_length(out);
		if (stream) {
			/* Rectangle by rectangle, outside the timing. */
			const uint8_t *p = evbuffer_pullup(out, -1);

			before = 0;
			for (size_t k = 0; k < fr[i].n && before < b; k++) {
				size_t len = 16 + ((size_t)p[before + 12] << 24 |
				    (size_t)p[before + 13] << 16 |
				    (size_t)p[before + 14] << 8 | p[before + 15]);

				stream_add(&sc, p + before, len);
				before += len;
			}
		}
		evbuffer_drain(out, b);
		if (i == 0) {
			full_ms = t;
			full_bytes = b;
			continue;
		}
		ms[changed] = t;
		bytes[changed] = b;
		sum_ms += t;
		sum_bytes += b;
		changed++;
	}
	if (set->compress >= 0)
		snprintf(lvl, sizeof(lvl), "%d", (int)set->compress);
	printf("%-8s %5s %9.2f %10llu %5zu/%-5u %8.3f %8.3f %10.0f %10llu",
	    enc->name, lvl, full_ms,
	    (unsigned long long)full_bytes, changed, nframes - 1,
	    changed ? bench_median(ms, changed) : 0,
	    changed ? sum_ms / changed : 0,
	    changed ? (double)sum_bytes / changed : 0,
	    changed ? (qsort(bytes, changed, sizeof(*bytes), cmp_u64),
	    (unsigned long long)bytes[changed / 2]) : 0ULL);
	if (stream) {
		/* Frame 0's rectangles went through the stream too. */
		uint64_t per_rect = full_bytes + sum_bytes;

		printf("  stream %10.0f  flush cost %+.1f%%",
		    (double)sc.bytes / (changed + 1),
		    sc.bytes ? 100.0 * ((double)per_rect - (double)sc.bytes) /
		    (double)sc.bytes : 0);
		deflateEnd(&sc.def);
		inflateEnd(&sc.inf);
		free(sc.in);
		free(sc.out);
	}
	printf("\n");
	fflush(stdout);
	encode_scratch_free(&scratch);
	evbuffer_free(out);
	free(ms);
	free(bytes);
}

int
main(int argc, char **argv)
{
	const char *enc_list = "raw,hextile,zlib,zrle", *level_list = "-";
	const struct pixfmt *pf = &formats[0].pf;
	const char *fmt_name = formats[0].name, *why;
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	struct frames_file ff;
	struct frame_rects *fr;
	struct damage d;
	struct pixconv pc;
	uint32_t nframes = 0, i;
	size_t tiles = 0, rects = 0, changed = 0;
	char *list, *name, *save, *lv, *lsave;
	int ch, stream = 0;

	while ((ch = getopt(argc, argv, "e:c:q:f:n:s")) != -1) {
		switch (ch) {
		case 'e':
			enc_list = optarg;
			break;
		case 'c':
			level_list = optarg;
			break;
		case 'q':
			set.quality = atoi(optarg);
			break;
		case 'f':
			pf = NULL;
			for (i = 0; i < sizeof(formats) / sizeof(formats[0]);
			    i++)
				if (strcmp(formats[i].name, optarg) == 0) {
					pf = &formats[i].pf;
					fmt_name = formats[i].name;
				}
			if (pf == NULL)
				usage();
			break;
		case 'n':
			nframes = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			stream = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (frames_open(&ff, argv[optind], &why) == -1) {
		fprintf(stderr, "encoder-bench: %s: %s\n", argv[optind], why);
		return 1;
	}
	if (nframes == 0 || nframes > ff.count)
		nframes = ff.count;
	if ((fr = calloc(nframes, sizeof(*fr))) == NULL ||
	    damage_init(&d, ff.width, ff.height) == -1) {
		perror("encoder-bench");
		return 1;
	}
	/* The damage, as the broker takes it: frame 0 whole. */
	damage_add_all(&d);
	fr[0].n = damage_take_rects(&d, NULL, fr[0].r, MAX_RECTS);
	for (i = 1; i < nframes; i++) {
		tiles += damage_compare(&d, frames_frame(&ff, i - 1),
		    frames_frame(&ff, i), ff.stride, 4);
		fr[i].n = damage_take_rects(&d, NULL, fr[i].r, MAX_RECTS);
		rects += fr[i].n;
		changed += fr[i].n != 0;
	}
	pixconv_init(&pc, pf);
	printf("# %s: %ux%u, %u frames, %.1f changed tiles of %u a frame, "
	    "%.1f rectangles a changed frame; format %s\n", argv[optind],
	    ff.width, ff.height, nframes,
	    nframes > 1 ? (double)tiles / (nframes - 1) : 0,
	    d.cols * d.rows, changed ? (double)rects / changed : 0, fmt_name);
	printf("# encoder level full-ms full-bytes changed median-ms mean-ms "
	    "mean-bytes median-bytes%s\n", stream ? "  [one stream: mean "
	    "bytes, per-rectangle flush cost]" : "");
	if ((list = strdup(enc_list)) == NULL)
		return 1;
	for (name = strtok_r(list, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		const struct encoder *enc = encoder_by_name(name);
		char *levels = strdup(level_list);

		if (enc == NULL) {
			fprintf(stderr, "encoder-bench: no encoder %s\n", name);
			return 2;
		}
		for (lv = strtok_r(levels, ",", &lsave); lv != NULL;
		    lv = strtok_r(NULL, ",", &lsave)) {
			set.compress = strcmp(lv, "-") == 0 ? -1 : atoi(lv);
			if (set.compress > 9)
				usage();
			run(&ff, nframes, fr, enc, &pc, &set, stream);
		}
		free(levels);
	}
	free(list);
	free(fr);
	damage_free(&d);
	frames_close(&ff);
	return 0;
}
