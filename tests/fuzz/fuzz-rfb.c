/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's RFB side, fed what a hostile client could send: the real
 * client (conn, session, updates) over a bufferevent pair, the handshake
 * and every message split at arbitrary points, with the screen changing
 * (its size, and the monitors in it) and the keyboard LEDs changing
 * between the pieces.  What the server answers is read and dropped on the
 * pair's far end.  Keys go through the de layout where XKB data is there
 * (AltGr, dead keys), and paste as typing is on, so ClientCutText is kept
 * and typed.  The dictionary tests/fuzz/rfb.dict has the tokens, for
 * libFuzzer's -dict=.
 *
 * Input: byte 0 chooses a listener offering None or nothing and how the
 * rest is split; the rest is the client's byte stream.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct broker b;

/* Every other frame of 64x48 shows two monitors: the screens change
 * without the size changing (ExtendedDesktopSize, reason 0). */
static const struct layout two = { .n = 2, .screens = {
	{ .id = 7, .x = 0, .y = 0, .width = 32, .height = 48 },
	{ .id = 9, .x = 32, .y = 0, .width = 32, .height = 40 },
} };

static void
new_frame(uint32_t w, uint32_t h, uint8_t seed)
{
	uint8_t *px = malloc((size_t)w * h * 4);
	struct frame *f;

	if (px == NULL)
		return;
	for (size_t i = 0; i < (size_t)w * h * 4; i++)
		px[i] = (uint8_t)(i * 7 + seed);
	if ((f = frame_own(px, w, h)) == NULL)
		return;
	if (w == 64 && h == 48 && seed & 1)
		f->layout = two;
	screen_set_frame(&b.screen, f);
}

static int
client_alive(void)
{
	return !TAILQ_EMPTY(&b.clients);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bufferevent *pair[2];
	struct evbuffer *reply;
	size_t chunk, off = 1;
	uint8_t seed = 0;
	char why[256];

	if (size < 1)
		return 0;
	if (b.base == NULL) {
		log_init("fuzz-rfb", LOG_LEVEL_ERROR, 0);
		TAILQ_INIT(&b.clients);
		if ((b.base = event_base_new()) == NULL)
			abort();
		screen_init(&b.screen, &b);
		if ((b.pool = pool_new(b.base, 0)) == NULL)
			abort();
		in_init(&b);
		if ((b.keymap = keymap_new("de", why, sizeof(why))) == NULL)
			b.keymap = keymap_builtin();
		keyboards_init(&b.keys, b.keymap);
		b.paste_as_typing = 1;
	}
	new_frame(64, 48, seed++);
	if (bufferevent_pair_new(b.base, 0, pair) < 0)
		return 0;
	if (client_new_bev(&b, pair[0], "fuzz",
	    data[0] & 1 ? IPC_SEC_NONE : 0) == NULL) {
		bufferevent_free(pair[0]);
		bufferevent_free(pair[1]);
		return 0;
	}
	bufferevent_enable(pair[1], EV_READ | EV_WRITE);
	reply = bufferevent_get_input(pair[1]);
	chunk = 1 + (data[0] >> 1);
	while (off < size && client_alive()) {
		size_t n = size - off < chunk ? size - off : chunk;

		/* The pair hands the bytes over at once: the client reads
		 * them in this call. */
		bufferevent_write(pair[1], data + off, n);
		off += n;
		if (!client_alive())
			break;
		/* The screen moves on: some damage, sometimes a new size. */
		if ((off & 3) == 0)
			new_frame(64, 48, seed++);
		else if ((off & 7) == 1) {
			new_frame(128, 96, seed++);
			new_frame(64, 48, seed++);
		}
		/* The machine's LEDs change, as the input helper reports. */
		if ((off & 15) == 2) {
			b.input.leds = (uint32_t)(off >> 4) & 7;
			b.input.leds_known = 1;
			clients_leds_changed(&b);
		}
		evbuffer_drain(reply, evbuffer_get_length(reply));
		event_base_loop(b.base, EVLOOP_NONBLOCK);
	}
	if (client_alive())
		client_close(TAILQ_FIRST(&b.clients), "fuzz: done");
	bufferevent_free(pair[1]);
	event_base_loop(b.base, EVLOOP_NONBLOCK);
	return 0;
}
