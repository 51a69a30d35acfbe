/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/blob.h"
#include "common/frames.h"
#include "common/ipc.h"
#include "common/ring.h"
#include "tests/tap.h"
#include "tests/unit/spawn.h"

#define W	64
#define H	48
#define N	3
#define FRAME	((size_t)W * 4 * H)

static uint32_t
pixel(int frame, int x, int y)
{
	return (uint32_t)(frame + 1) << 16 | (uint32_t)y << 8 | (uint32_t)x;
}

/* A .frames file of N frames of distinct, known pixels; bad_magic spoils
 * its header. */
static void
write_frames(const char *path, int bad_magic)
{
	static uint8_t buf[FRAMES_HEADER_SIZE + N * FRAME];
	FILE *f;

	frames_write_header(buf, W, H, W * 4, N, 30);
	if (bad_magic)
		memcpy(buf, "RFRAMES2", 8);
	for (int i = 0; i < N; i++)
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				uint32_t v = pixel(i, x, y);

				memcpy(buf + FRAMES_HEADER_SIZE + i * FRAME +
				    (size_t)y * W * 4 + (size_t)x * 4, &v, 4);
			}
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, sizeof(buf), f) != sizeof(buf) || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

/* Which frame of the file a slot holds, or -1 for none. */
static int
which_frame(const uint8_t *slot)
{
	for (int i = 0; i < N; i++) {
		int same = 1;

		for (int y = 0; y < H && same; y++)
			for (int x = 0; x < W && same; x++) {
				uint32_t v;

				memcpy(&v, slot + (size_t)y * W * 4 +
				    (size_t)x * 4, 4);
				same = v == pixel(i, x, y);
			}
		if (same)
			return i;
	}
	return -1;
}

static int
send_msg(struct child *ch, uint16_t type, uint32_t a, uint32_t b)
{
	struct ipc_brk_release rel = { a, b };
	struct ipc_brk_rate rate = { a };

	switch (type) {
	case IPC_BRK2CAP_RELEASE:
		return ipc_send(ch->sock, type, &rel, sizeof(rel), -1);
	case IPC_BRK2CAP_RATE:
		return ipc_send(ch->sock, type, &rate, sizeof(rate), -1);
	default:
		return ipc_send(ch->sock, type, NULL, 0, -1);
	}
}

static int
recv_ring(struct child *ch, struct frame_ring *ring)
{
	struct ipc_msg m;
	int fd;

	if (spawn_recv(ch, &m, &fd, 3000, IPC_CAP2BRK_RING, IPC_CAP2BRK_LAST) != 1 ||
	    m.hdr.type != IPC_CAP2BRK_RING || fd < 0)
		return -1;
	return ring_map(ring, fd, m.u.cap_ring.ring_id, m.u.cap_ring.nslots,
	    m.u.cap_ring.slot_size);
}

static void
test_replay(const char *file)
{
	char spec[256];
	char *argv[] = { "rampart-capture", "--source", spec, NULL };
	struct frame_ring ring = RING_INIT;
	struct child ch;
	struct ipc_msg m;
	int fd, order[8], ok_pixels = 1, ok_geometry = 1, nframes = 0;
	uint64_t last_seq = 0;
	int seq_up = 1;

	snprintf(spec, sizeof(spec), "replay:%s", file);
	if (spawn_helper(&ch, "rampart-capture", argv) < 0) {
		ok(0, "spawn rampart-capture");
		return;
	}
	ok(recv_ring(&ch, &ring) == 0 && ring.id == 1 && ring.nslots >= 2 &&
	    ring.slot_size >= FRAME, "the ring comes first, and maps");
	ok(spawn_recv(&ch, &m, &fd, 300, IPC_CAP2BRK_RING, IPC_CAP2BRK_LAST) == -1,
	    "paused at start: no frame without resume");

	ok(send_msg(&ch, IPC_BRK2CAP_RESUME, 0, 0) == 0, "send resume");
	/* Frames keep coming as long as we release them, and the replay
	 * wraps around after the third. */
	for (int i = 0; i < 8; i++) {
		if (spawn_recv(&ch, &m, &fd, 2000, IPC_CAP2BRK_RING,
		    IPC_CAP2BRK_LAST) != 1 || m.hdr.type != IPC_CAP2BRK_FRAME)
			break;
		struct ipc_cap_frame *f = &m.u.cap_frame;

		if (f->ring_id != 1 || f->slot >= ring.nslots ||
		    f->width != W || f->height != H || f->stride != W * 4 ||
		    f->length != FRAME || f->kind != IPC_FRAME_PIXELS ||
		    f->fourcc != FRAMES_FOURCC_XRGB8888)
			ok_geometry = 0;
		else {
			order[nframes] = which_frame(ring_slot(&ring, f->slot));
			if (order[nframes] != nframes % N)
				ok_pixels = 0;
		}
		if (f->seq <= last_seq)
			seq_up = 0;
		last_seq = f->seq;
		nframes++;
		send_msg(&ch, IPC_BRK2CAP_RELEASE, f->ring_id, f->slot);
	}
	ok(nframes == 8, "8 frames received (%d)", nframes);
	ok(ok_geometry, "each frame: ring 1, a valid slot, 64x48 XR24");
	ok(ok_pixels && nframes == 8, "slots hold frames 0 1 2 0 1 2 0 1 of "
	    "the file, pixel for pixel");
	ok(seq_up, "sequence numbers increase");

	/* Without releases, at most nslots frames come. */
	int held = 0;
	while (spawn_recv(&ch, &m, &fd, 400, IPC_CAP2BRK_RING,
	    IPC_CAP2BRK_LAST) == 1 && m.hdr.type == IPC_CAP2BRK_FRAME)
		held++;
	ok(held == (int)ring.nslots, "unreleased, the capture stops after "
	    "%u frames (%d)", ring.nslots, held);

	ok(send_msg(&ch, IPC_BRK2CAP_PAUSE, 0, 0) == 0, "send pause");
	for (uint32_t s = 0; s < ring.nslots; s++)
		send_msg(&ch, IPC_BRK2CAP_RELEASE, 1, s);
	ok(spawn_recv(&ch, &m, &fd, 300, IPC_CAP2BRK_RING, IPC_CAP2BRK_LAST) == -1,
	    "paused: slots released, yet no frame");

	ok(send_msg(&ch, IPC_BRK2CAP_RATE, 5, 0) == 0 &&
	    send_msg(&ch, IPC_BRK2CAP_RESUME, 0, 0) == 0, "rate 5, resume");
	struct timespec t0, t1;
	int got = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < 3 && spawn_recv(&ch, &m, &fd, 2000, IPC_CAP2BRK_RING,
	    IPC_CAP2BRK_LAST) == 1) {
		got++;
		send_msg(&ch, IPC_BRK2CAP_RELEASE, 1, m.u.cap_frame.slot);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(got == 3 && secs > 0.3, "at rate 5, 3 frames take 0.4 s (%.2f s)",
	    secs);

	close(ch.sock);
	ok(spawn_wait(&ch, 3000) == 0, "the broker closing the channel ends "
	    "the capture, status 0");
	ring_destroy(&ring);
	close(ch.err);
}

static void
test_protocol_error(const char *file)
{
	char spec[256];
	char *argv[] = { "rampart-capture", "--source", spec, NULL };
	struct frame_ring ring = RING_INIT;
	struct child ch;

	snprintf(spec, sizeof(spec), "replay:%s", file);
	if (spawn_helper(&ch, "rampart-capture", argv) < 0 ||
	    recv_ring(&ch, &ring) < 0) {
		ok(0, "spawn rampart-capture");
		return;
	}
	send_msg(&ch, IPC_BRK2CAP_RELEASE, 1, 2);
	ok(spawn_wait(&ch, 3000) == 1, "release of a slot never sent: "
	    "exit 1");
	ok(strstr(spawn_stderr(&ch), "protocol error") != NULL,
	    "... saying it was a protocol error");
	ring_destroy(&ring);
	close(ch.sock);
	close(ch.err);
}

static void
expect_failure(const char *spec, const char *want)
{
	char *argv[] = { "rampart-capture", "--source", (char *)spec, NULL };
	struct child ch;
	char err[1024];
	int status;

	if (spawn_helper(&ch, "rampart-capture", argv) < 0) {
		ok(0, "spawn rampart-capture");
		return;
	}
	status = spawn_wait(&ch, 3000);
	snprintf(err, sizeof(err), "%s", spawn_stderr(&ch));
	err[strcspn(err, "\n")] = '\0';
	ok(status == 1 && strstr(err, want) != NULL,
	    "--source %s: exit %d, \"%s\"", spec, status, err);
	close(ch.sock);
	close(ch.err);
}

struct cursor_seen {
	int		count, bad, moved;
	int32_t		x, y;
};

/*
 * One cursor message of the demo: its blob must hold exactly the image,
 * sealed, whose pixels are opaque black, opaque white or transparent.
 */
static void
cursor_check(const struct ipc_cap_cursor *k, int fd, struct cursor_seen *cs)
{
	const uint32_t *px;
	int good = 1;

	if (fd < 0 || k->size != (uint64_t)k->width * k->height * 4 ||
	    k->width < 1 || k->width > 16 || k->height < 1 ||
	    k->height > 24 || k->visible != 1 || k->x < 0 || k->x >= 1280 ||
	    k->y < 0 || k->y >= 800 ||
	    (px = blob_map(fd, k->size, k->size)) == NULL)
		good = 0;
	else {
		for (uint32_t i = 0; i < k->width * k->height; i++)
			if (px[i] != 0xff000000 && px[i] != 0xffffffff &&
			    px[i] != 0)
				good = 0;
		/* Both pictures have black at the left of their top row. */
		if (px[0] != 0xff000000)
			good = 0;
		blob_unmap(px, k->size);
	}
	if (cs->count > 0 && (k->x != cs->x || k->y != cs->y))
		cs->moved = 1;
	cs->x = k->x;
	cs->y = k->y;
	cs->bad += !good;
	cs->count++;
	if (fd >= 0)
		close(fd);
}

static void
test_demo(void)
{
	char *argv[] = { "rampart-capture", "--source", "demo", NULL };
	struct frame_ring ring = RING_INIT;
	struct child ch;
	struct ipc_msg m;
	uint8_t *first = NULL;
	int fd, frames = 0, differ = 0, colours = 0;
	struct cursor_seen cur = { 0 };

	if (spawn_helper(&ch, "rampart-capture", argv) < 0 ||
	    recv_ring(&ch, &ring) < 0) {
		ok(0, "spawn rampart-capture --source demo");
		return;
	}
	send_msg(&ch, IPC_BRK2CAP_RESUME, 0, 0);
	while (frames < 3 && spawn_recv(&ch, &m, &fd, 2000, IPC_CAP2BRK_RING,
	    IPC_CAP2BRK_LAST) == 1) {
		if (m.hdr.type == IPC_CAP2BRK_CURSOR) {
			cursor_check(&m.u.cap_cursor, fd, &cur);
			continue;
		}
		if (m.hdr.type != IPC_CAP2BRK_FRAME)
			break;
		const uint8_t *s = ring_slot(&ring, m.u.cap_frame.slot);
		size_t len = m.u.cap_frame.length;

		if (m.u.cap_frame.width != 1280 || m.u.cap_frame.height != 800 ||
		    m.u.cap_frame.transform != IPC_TRANSFORM_NORMAL)
			break;
		if (first == NULL) {
			first = malloc(len);
			memcpy(first, s, len);
			/* A desktop, not a blank: count a few colours. */
			uint32_t seen[16];
			for (size_t i = 0; i < len && colours < 16; i += 4 * 97) {
				uint32_t v;
				int known = 0;

				memcpy(&v, s + i, 4);
				for (int k = 0; k < colours; k++)
					known |= seen[k] == v;
				if (!known)
					seen[colours++] = v;
			}
		} else if (memcmp(first, s, len) != 0)
			differ = 1;
		frames++;
		send_msg(&ch, IPC_BRK2CAP_RELEASE, m.u.cap_frame.ring_id,
		    m.u.cap_frame.slot);
	}
	/* The pointer goes on moving while the slots are all held. */
	while (cur.count < 12 && spawn_recv(&ch, &m, &fd, 2000,
	    IPC_CAP2BRK_RING, IPC_CAP2BRK_LAST) == 1) {
		if (m.hdr.type == IPC_CAP2BRK_CURSOR)
			cursor_check(&m.u.cap_cursor, fd, &cur);
		else if (m.hdr.type == IPC_CAP2BRK_FRAME)
			send_msg(&ch, IPC_BRK2CAP_RELEASE,
			    m.u.cap_frame.ring_id, m.u.cap_frame.slot);
	}
	ok(frames == 3, "demo: 3 frames of 1280x800, transform normal");
	ok(cur.count >= 12, "demo: cursor messages come (%d)", cur.count);
	ok(cur.bad == 0, "demo: each carries a sealed blob of width x "
	    "height x 4 bytes, an opaque black outline at the hot spot's "
	    "row");
	ok(cur.moved, "demo: the pointer moves");
	ok(colours >= 16, "demo: a picture of many colours");
	ok(differ, "demo: the picture moves");
	free(first);
	close(ch.sock);
	ok(spawn_wait(&ch, 3000) == 0, "demo: ends with the channel");
	ring_destroy(&ring);
	close(ch.err);
}

/*
 * demo:screens=2: two monitors side by side in a 1824x768 frame, told
 * with the ring; the picture sent once and black where no monitor is;
 * the pointer goes on touring them.
 */
static void
test_demo_screens(void)
{
	char *argv[] = { "rampart-capture", "--source", "demo:screens=2",
	    NULL };
	static const struct ipc_screen want[2] = {
		{ .id = 101, .x = 0, .y = 0, .width = 1024, .height = 768 },
		{ .id = 102, .x = 1024, .y = 0, .width = 800, .height = 600 },
	};
	struct frame_ring ring = RING_INIT;
	struct cursor_seen cur = { 0 };
	struct child ch;
	struct ipc_msg m;
	int fd, frames = 0, black = 1, edges = 1;
	uint32_t corner[2];

	if (spawn_helper(&ch, "rampart-capture", argv) < 0 ||
	    spawn_recv(&ch, &m, &fd, 3000, IPC_CAP2BRK_RING,
	    IPC_CAP2BRK_LAST) != 1 || m.hdr.type != IPC_CAP2BRK_RING ||
	    fd < 0) {
		ok(0, "spawn rampart-capture --source demo:screens=2");
		return;
	}
	ok(m.u.cap_ring.nscreens == 2 && memcmp(m.u.cap_ring.screens, want,
	    sizeof(want)) == 0, "demo:screens=2: the ring tells of monitors "
	    "101 (1024x768 at 0,0) and 102 (800x600 at 1024,0)");
	if (ring_map(&ring, fd, m.u.cap_ring.ring_id, m.u.cap_ring.nslots,
	    m.u.cap_ring.slot_size) < 0) {
		ok(0, "its ring maps");
		return;
	}
	send_msg(&ch, IPC_BRK2CAP_RESUME, 0, 0);
	/* A second's worth of ticks (10 fps): one frame, cursors. */
	for (int i = 0; i < 40; i++) {
		int r = spawn_recv(&ch, &m, &fd, 100, IPC_CAP2BRK_RING,
		    IPC_CAP2BRK_LAST);

		if (r == 0)
			break;
		if (r < 0)
			continue;
		if (m.hdr.type == IPC_CAP2BRK_CURSOR) {
			if (fd >= 0)
				close(fd);
			if (cur.count > 0 && (m.u.cap_cursor.x != cur.x ||
			    m.u.cap_cursor.y != cur.y))
				cur.moved = 1;
			cur.x = m.u.cap_cursor.x;
			cur.y = m.u.cap_cursor.y;
			cur.count++;
			continue;
		}
		if (m.hdr.type != IPC_CAP2BRK_FRAME)
			continue;
		const struct ipc_cap_frame *f = &m.u.cap_frame;
		const uint32_t *px = (const uint32_t *)ring_slot(&ring,
		    f->slot);

		if (frames++ > 0 || f->width != 1824 || f->height != 768 ||
		    f->stride != 1824 * 4)
			continue;
		for (uint32_t y = 600; y < 768; y++)
			for (uint32_t x = 1024; x < 1824; x++)
				black &= (px[y * 1824 + x] & 0xffffff) == 0;
		for (int k = 0; k < 2; k++) {
			const struct ipc_screen *s = &want[k];
			uint32_t x1 = s->x + s->width - 1u;
			uint32_t y1 = s->y + s->height - 1u;

			corner[k] = px[s->y * 1824 + s->x];
			edges &= px[s->y * 1824 + x1] == corner[k] &&
			    px[y1 * 1824 + s->x] == corner[k] &&
			    px[y1 * 1824 + x1] == corner[k] &&
			    (corner[k] & 0xffffff) != 0;
		}
		send_msg(&ch, IPC_BRK2CAP_RELEASE, f->ring_id, f->slot);
	}
	ok(frames == 1, "one frame of 1824x768 in a second: a still picture "
	    "is not sent again (%d)", frames);
	ok(black, "black below monitor 102, where neither monitor is");
	ok(edges && corner[0] != corner[1], "each monitor's corners in a "
	    "colour of its own");
	ok(cur.count >= 3 && cur.moved, "the pointer moves on (%d cursor "
	    "messages)", cur.count);
	close(ch.sock);
	ok(spawn_wait(&ch, 10000) == 0, "demo:screens=2 ends with the channel");
	ring_destroy(&ring);
	close(ch.err);
}

int
main(void)
{
	char good[] = "/tmp/rampart-test-capture-XXXXXX";
	char bad[] = "/tmp/rampart-test-capture-bad-XXXXXX";
	char spec[256];
	int fd;

	signal(SIGPIPE, SIG_IGN);
	if ((fd = mkstemp(good)) < 0 || close(fd) < 0 ||
	    (fd = mkstemp(bad)) < 0 || close(fd) < 0) {
		printf("Bail out! mkstemp\n");
		return 1;
	}
	write_frames(good, 0);
	write_frames(bad, 1);

	test_replay(good);
	test_protocol_error(good);
	test_demo();
	test_demo_screens();
	expect_failure("demo:screens=5", "screens=N, N from 1 to 4");
	expect_failure("demo:screens=0", "not \"screens=0\"");
	expect_failure("demo:screens=22", "not \"screens=22\"");
	expect_failure("demo:x", "demo takes screens=N");
	expect_failure("replay:/nonexistent", "/nonexistent");
	snprintf(spec, sizeof(spec), "replay:%s", bad);
	expect_failure(spec, "bad magic");
	expect_failure("bogus:1", "unknown source");
	expect_failure("replay:", "source replay is given as replay:FILE.frames");

	unlink(good);
	unlink(bad);
	return done_testing();
}
