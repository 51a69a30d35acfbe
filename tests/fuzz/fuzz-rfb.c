/*
 * The broker's RFB parser, fed what a hostile client could send: the
 * handshake and every message, split at arbitrary points, with the screen
 * changing (and changing size) between the pieces.  The client's replies
 * go to a plain evbuffer.
 *
 * Input: byte 0 chooses a local (security None) or remote connection and
 * how the rest is split; the rest is the client's byte stream.
 */
#include "config.h"

#include <event2/buffer.h>

#include <stdint.h>
#include <string.h>

#include "broker/broker.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
screen_fake(struct broker *b, struct frame_ring *ring, uint32_t w, uint32_t h)
{
	struct screen *s = &b->screen;

	s->cur_ring = s->ring = ring;
	s->cur_slot = 0;
	s->width = w;
	s->height = h;
	s->stride = w * 4;
	for (size_t i = 0; i < ring->slot_size; i++)
		ring->base[i] = (uint8_t)(i * 7);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame_ring ring = RING_INIT;
	struct broker b;
	struct client *c;
	size_t chunk, off = 1;

	if (size < 1)
		return 0;
	log_init("fuzz-rfb", LOG_LEVEL_ERROR, 0);
	if (ring.base == NULL && ring_create(&ring, 1, 2, 128 * 96 * 4) < 0)
		return 0;
	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	screen_init(&b.screen);
	b.input_fd = -1;
	screen_fake(&b, &ring, 64, 48);
	damage_init(&b.screen.frame_damage, 64, 48);

	if ((c = client_new(&b, -1, "fuzz", data[0] & 1)) == NULL)
		return 0;
	chunk = 1 + (data[0] >> 1);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		long used;

		/* What the socket would have buffered: the unconsumed rest
		 * of the previous piece comes again with the next. */
		used = client_feed(c, data + off, n);
		if (used < 0) {
			client_close(c, "fuzz: protocol error");
			c = NULL;
			break;
		}
		if (used == 0 && n < size - off) {
			chunk *= 2;
			continue;
		}
		off += used > 0 ? (size_t)used : n;
		/* The screen moves on: some damage, sometimes a new size. */
		if ((off & 3) == 0) {
			damage_add_all(&b.screen.frame_damage);
			client_screen_changed(c, &b.screen.frame_damage);
		} else if ((off & 7) == 1) {
			screen_fake(&b, &ring, 128, 96);
			client_screen_changed(c, &b.screen.frame_damage);
			if (TAILQ_EMPTY(&b.clients)) {
				c = NULL;
				break;
			}
			screen_fake(&b, &ring, 64, 48);
			client_screen_changed(c, &b.screen.frame_damage);
		}
		if (TAILQ_EMPTY(&b.clients)) {
			c = NULL;
			break;
		}
		evbuffer_drain(c->out, evbuffer_get_length(c->out));
		client_try_update(c);
	}
	if (c != NULL)
		client_close(c, "fuzz: done");
	damage_free(&b.screen.frame_damage);
	return 0;
}
