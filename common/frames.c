/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/frames.h"

#define FRAMES_VERSION		1
#define FRAMES_DIM_MAX		16384
#define FRAMES_FPS_MAX		240

static uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
frames_parse(struct frames_file *ff, const uint8_t *buf, size_t size,
    const char **why)
{
	/* The one reason that carries numbers; like strerror(), it stays
	 * valid until the next failure of this thread. */
	static _Thread_local char msg[160];
	uint32_t version, width, height, stride, fourcc, count, fps;
	uint64_t frame_size, need;

	/* Recordings travel compressed (.frames.zst); they are played
	 * from an uncompressed file, which is mapped as it is. */
	if (size >= 4 && memcmp(buf, "\x28\xb5\x2f\xfd", 4) == 0) {
		*why = "bad magic: the file is compressed with zstd; "
		    "decompress it first (zstd -d FILE)";
		return -1;
	}
	if (size < FRAMES_HEADER_SIZE) {
		*why = "file is shorter than the 64-byte header";
		return -1;
	}
	if (memcmp(buf, FRAMES_MAGIC, 8) != 0) {
		*why = "bad magic (not a .frames file)";
		return -1;
	}
	version = get_le32(buf + 8);
	width = get_le32(buf + 12);
	height = get_le32(buf + 16);
	stride = get_le32(buf + 20);
	fourcc = get_le32(buf + 24);
	count = get_le32(buf + 28);
	fps = get_le32(buf + 32);

	if (version != FRAMES_VERSION) {
		*why = "unsupported version (only 1 is known)";
		return -1;
	}
	if (fourcc != FRAMES_FOURCC_XRGB8888) {
		*why = "unsupported pixel format (only XR24 is known)";
		return -1;
	}
	if (width == 0 || height == 0) {
		*why = "width or height is zero";
		return -1;
	}
	if (width > FRAMES_DIM_MAX || height > FRAMES_DIM_MAX) {
		*why = "width or height is above 16384";
		return -1;
	}
	/* width <= 16384, so width * 4 cannot overflow. */
	if (stride < width * 4) {
		*why = "stride is smaller than width * 4";
		return -1;
	}
	if (stride % 4 != 0) {
		*why = "stride is not a multiple of 4";
		return -1;
	}
	if (count == 0) {
		*why = "no frames";
		return -1;
	}
	if (fps == 0 || fps > FRAMES_FPS_MAX) {
		*why = "fps is 0 or above 240";
		return -1;
	}
	/* stride < 2^32 and height <= 2^14: no overflow in 64 bits. */
	frame_size = (uint64_t)stride * height;
	if (frame_size > UINT32_MAX) {
		*why = "a frame is larger than 4 GiB";
		return -1;
	}
	if (frame_size > (UINT64_MAX - FRAMES_HEADER_SIZE) / count) {
		*why = "the header describes more bytes than can exist";
		return -1;
	}
	need = FRAMES_HEADER_SIZE + frame_size * count;
	if ((uint64_t)size < need) {
		snprintf(msg, sizeof(msg),
		    "file is truncated: %" PRIu32 " frames need %" PRIu64
		    " bytes, file has %zu", count, need, size);
		*why = msg;
		return -1;
	}
	*ff = (struct frames_file){ .map = buf, .size = size, .width = width,
	    .height = height, .stride = stride, .fourcc = fourcc,
	    .count = count, .fps = fps };
	return 0;
}

int
frames_open(struct frames_file *ff, const char *path, const char **why)
{
	struct stat st;
	void *map;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -1;
	}
	/* A short file is mapped all the same: frames_parse() tells a
	 * compressed one from a truncated one. */
	if (st.st_size == 0) {
		*why = "file is shorter than the 64-byte header";
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		*why = "file is too large to map";
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		*why = strerror(errno);
		return -1;
	}
	if (frames_parse(ff, map, (size_t)st.st_size, why) < 0) {
		munmap(map, (size_t)st.st_size);
		return -1;
	}
	return 0;
}

void
frames_close(struct frames_file *ff)
{
	if (ff->map != NULL)
		munmap((void *)ff->map, ff->size);
	ff->map = NULL;
	ff->size = 0;
}

void
frames_write_header(uint8_t *buf, uint32_t width, uint32_t height,
    uint32_t stride, uint32_t count, uint32_t fps)
{
	memset(buf, 0, FRAMES_HEADER_SIZE);
	memcpy(buf, FRAMES_MAGIC, 8);
	put_le32(buf + 8, FRAMES_VERSION);
	put_le32(buf + 12, width);
	put_le32(buf + 16, height);
	put_le32(buf + 20, stride);
	put_le32(buf + 24, FRAMES_FOURCC_XRGB8888);
	put_le32(buf + 28, count);
	put_le32(buf + 32, fps);
}
