/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/frames.h"
#include "tests/tap.h"

#define W	16
#define H	8
#define N	3

/* A reason for the TAP line, read after the call that set it. */
#define R(why)	((why) != NULL ? (why) : "(none)")

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A good file: frame i has every byte equal to 0x10 + i. */
static uint8_t *
good_file(size_t *size)
{
	size_t frame = (size_t)W * 4 * H;
	uint8_t *buf;

	*size = FRAMES_HEADER_SIZE + N * frame;
	buf = malloc(*size);
	frames_write_header(buf, W, H, W * 4, N, 30);
	for (int i = 0; i < N; i++)
		memset(buf + FRAMES_HEADER_SIZE + i * frame, 0x10 + i, frame);
	return buf;
}

/* Parse a good file with one u32 of the header changed; expect a failure
 * whose reason contains want. */
static void
expect_bad_field(const char *what, size_t off, uint32_t value,
    const char *want)
{
	struct frames_file ff;
	const char *why = NULL;
	size_t size;
	uint8_t *buf = good_file(&size);
	int r;

	put32(buf + off, value);
	r = frames_parse(&ff, buf, size, &why);
	ok(r == -1 && why != NULL && strstr(why, want) != NULL,
	    "%s = %u rejected: %s", what, value, why != NULL ? why : "(none)");
	free(buf);
}

int
main(void)
{
	struct frames_file ff;
	const char *why = NULL;
	size_t size;
	uint8_t *buf = good_file(&size);
	char path[] = "/tmp/rampart-test-frames-XXXXXX";
	int fd, r;

	ok(frames_parse(&ff, buf, size, &why) == 0, "a good file parses");
	ok(ff.width == W && ff.height == H && ff.stride == W * 4 &&
	    ff.count == N && ff.fps == 30 &&
	    ff.fourcc == FRAMES_FOURCC_XRGB8888, "header fields read back");
	ok(frames_frame(&ff, 0)[0] == 0x10 && frames_frame(&ff, 2)[5] == 0x12,
	    "frames_frame() finds frames 0 and 2");
	ok(frames_frame(&ff, 4)[0] == 0x11, "frames_frame() wraps around");
	ok(memcmp(buf + 36, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	    "\0\0\0\0\0\0", 28) == 0, "reserved bytes written as zero");

	/* A file longer than needed is accepted; reserved bytes ignored. */
	buf[40] = 0xff;
	ok(frames_parse(&ff, buf, size, &why) == 0,
	    "non-zero reserved bytes are tolerated");
	buf[40] = 0;

	why = NULL;
	r = frames_parse(&ff, buf, size - 1, &why);
	ok(r == -1 && why != NULL &&
	    strstr(why, "truncated") != NULL, "one byte short: %s", R(why));
	ok(why != NULL && strstr(why, "3 frames need 1600 bytes") != NULL &&
	    strstr(why, "file has 1599") != NULL,
	    "truncation message gives the numbers");
	why = NULL;
	r = frames_parse(&ff, buf, 63, &why);
	ok(r == -1 && why != NULL &&
	    strstr(why, "header") != NULL, "shorter than a header: %s", R(why));
	ok(frames_parse(&ff, buf, 0, &why) == -1, "empty buffer rejected");

	buf[3] = 'X';
	why = NULL;
	r = frames_parse(&ff, buf, size, &why);
	ok(r == -1 && why != NULL &&
	    strstr(why, "magic") != NULL, "bad magic: %s", R(why));
	/* A zstd frame, long or shorter than a header: say so. */
	memcpy(buf, "\x28\xb5\x2f\xfd", 4);
	why = NULL;
	r = frames_parse(&ff, buf, size, &why);
	ok(r == -1 && why != NULL && strstr(why, "zstd -d") != NULL,
	    "zstd-compressed: %s", R(why));
	why = NULL;
	r = frames_parse(&ff, buf, 13, &why);
	ok(r == -1 && why != NULL && strstr(why, "zstd -d") != NULL,
	    "short zstd-compressed: %s", R(why));
	free(buf);

	expect_bad_field("version", 8, 2, "version");
	expect_bad_field("version", 8, 0, "version");
	expect_bad_field("width", 12, 0, "zero");
	expect_bad_field("height", 16, 0, "zero");
	expect_bad_field("width", 12, 16385, "16384");
	expect_bad_field("height", 16, 0x80000000u, "16384");
	expect_bad_field("stride", 20, W * 4 - 4, "stride");
	expect_bad_field("stride", 20, W * 4 + 2, "multiple of 4");
	expect_bad_field("fourcc", 24, 0x34324258u /* XB24 */, "format");
	expect_bad_field("frame_count", 28, 0, "no frames");
	expect_bad_field("frame_count", 28, N + 1, "truncated");
	expect_bad_field("fps", 32, 0, "fps");
	expect_bad_field("fps", 32, 241, "fps");

	/* Sizes whose product overflows 32 and 64 bits must not wrap
	 * around to something small that a short file would satisfy. */
	expect_bad_field("stride", 20, 0xfffffffcu, "4 GiB");
	{
		uint8_t hdr[FRAMES_HEADER_SIZE];

		/* 16384 x 16384 x 4 x 2^32-1 frames: 2^80 bytes. */
		frames_write_header(hdr, 16384, 16384, 65536, 0xffffffffu, 1);
		why = NULL;
		r = frames_parse(&ff, hdr, sizeof(hdr), &why);
	ok(r == -1 &&
		    why != NULL, "2^80-byte file described: %s", R(why));
		/* 2^18 * 2^14 = 2^32 bytes a frame: just too large. */
		frames_write_header(hdr, 16384, 16384, 262144, 1, 1);
		why = NULL;
		r = frames_parse(&ff, hdr, sizeof(hdr), &why);
	ok(r == -1 &&
		    why != NULL && strstr(why, "4 GiB") != NULL,
		    "4 GiB frame: %s", R(why));
		/* 64 MiB a frame, 2^32-1 frames: fits 64 bits but the
		 * file is 64 bytes. */
		frames_write_header(hdr, 4096, 4096, 16384, 0xffffffffu, 1);
		why = NULL;
		r = frames_parse(&ff, hdr, sizeof(hdr), &why);
	ok(r == -1 &&
		    why != NULL && strstr(why, "truncated") != NULL,
		    "2^58-byte file described: %s", R(why));
	}

	/* frames_open() on real files. */
	buf = good_file(&size);
	if ((fd = mkstemp(path)) < 0 || write(fd, buf, size) != (ssize_t)size)
		ok(0, "write a temporary file");
	close(fd);
	ok(frames_open(&ff, path, &why) == 0 && ff.count == N &&
	    memcmp(frames_frame(&ff, 1), buf + FRAMES_HEADER_SIZE +
	    W * 4 * H, W * 4 * H) == 0, "frames_open() maps a good file");
	frames_close(&ff);
	ok(ff.map == NULL, "frames_close() forgets the mapping");
	ok(truncate(path, (off_t)size - 10) == 0, "cut 10 bytes off the file");
	why = NULL;
	r = frames_open(&ff, path, &why);
	ok(r == -1 && why != NULL && strstr(why, "truncated") != NULL,
	    "truncated file: %s", R(why));
	ok(truncate(path, 10) == 0, "cut the file to 10 bytes");
	why = NULL;
	r = frames_open(&ff, path, &why);
	ok(r == -1 && why != NULL && strstr(why, "header") != NULL,
	    "10-byte file: %s", R(why));
	unlink(path);
	why = NULL;
	r = frames_open(&ff, path, &why);
	ok(r == -1 && why != NULL && strstr(why, "No such file") != NULL,
	    "missing file: %s", R(why));
	why = NULL;
	r = frames_open(&ff, "/tmp", &why);
	ok(r == -1 && why != NULL, "a directory: %s", R(why));
	free(buf);
	return done_testing();
}
