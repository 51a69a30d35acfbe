/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a compromised broker can send to rampart-capture.  The input is a
 * sequence of records: 0xff grabs a frame (capture_tick), 0xfe makes the
 * source change its mode at the next grab, any other byte is the length
 * of a packet that follows, decoded as ipc_recv() does and handed to
 * capture_handle() until one is refused.
 */
#include "config.h"

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tiny {
	uint32_t	width;
	int		changed;
};

static int
tiny_describe(void *state, struct capture_mode *mode)
{
	struct tiny *t = state;

	*mode = (struct capture_mode){ .width = t->width, .height = 4,
	    .stride = t->width * 4, .fourcc = FRAMES_FOURCC_XRGB8888,
	    .fps = 30, .kind = IPC_FRAME_PIXELS,
	    .max_length = (size_t)t->width * 16 };
	return 0;
}

static int
tiny_grab(void *state, uint8_t *dst, size_t size, struct source_frame *f)
{
	struct tiny *t = state;

	if (t->changed) {
		t->changed = 0;
		t->width = t->width % 64 + 1;
		return SOURCE_MODE_CHANGED;
	}
	memset(dst, 0x5a, (size_t)t->width * 16);
	f->length = t->width * 16;
	return SOURCE_OK;
}

static void
tiny_close(void *state)
{
}

static const struct source_ops source_tiny = {
	.describe = tiny_describe,
	.grab = tiny_grab,
	.close = tiny_close,
};

/* Read (and forget) what the capture sent, as the broker would. */
static void
drain(int sock)
{
	struct ipc_msg m;
	int fd;

	while (ipc_recv(sock, &m, &fd, IPC_CAP2BRK_RING, IPC_CAP2BRK_FRAME) == 1)
		if (fd >= 0)
			close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_base *base;
	int sv[2];
	struct tiny tiny = { .width = 8 };
	struct capture c;
	struct ipc_msg msg;

	if (base == NULL) {
		log_init("fuzz-capture", LOG_LEVEL_ERROR, 0);
		if ((base = event_base_new()) == NULL)
			abort();
	}
	/* The capture takes sv[0] and closes it when freed. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		abort();
	/* A log level message of the last input stays behind it. */
	log_set_level(LOG_LEVEL_ERROR);
	if (capture_init(&c, base, sv[0], "tiny", &source_tiny, &tiny) < 0)
		abort();
	while (size > 0) {
		size_t len = data[0];

		if (len == 0xff || len == 0xfe) {
			if (len == 0xfe)
				tiny.changed = 1;
			else if (capture_tick(&c) < 0)
				break;
			drain(sv[1]);
			data++;
			size--;
			continue;
		}
		if (len > size - 1)
			break;
		if (ipc_decode(data + 1, len, 0, &msg, IPC_BRK2CAP_FIRST,
		    IPC_BRK2CAP_LAST) < 0 || capture_handle(&c, &msg) < 0)
			break;
		/* What the handler accepted must leave a sane state. */
		if (c.ring.busy >> c.ring.nslots != 0 ||
		    (c.rate != 0 && (c.rate < 1 || c.rate > 240)))
			abort();
		data += 1 + len;
		size -= 1 + len;
	}
	drain(sv[1]);
	capture_free(&c);
	close(sv[1]);
	return 0;
}
