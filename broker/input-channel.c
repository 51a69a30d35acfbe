/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The channel to the input helper: key codes and absolute pointer
 * positions, already mapped here, so that the privileged side only has to
 * check fixed-size fields.  The stubs here (in_key, in_pointer, ...) pair
 * with the input helper's handlers (in_answer_key, ...).
 *
 * Keys are never dropped.  Pointer motion is: between two button changes
 * only the newest position matters, so motion is sent at most every
 * IN_MOTION_MS and, while the helper is behind, the newest position
 * replaces the one still queued.  A client whose input the helper cannot
 * keep up with is throttled (the client layer stops reading it) instead of
 * being queued for without bound.  While the helper is restarting, input is
 * dropped: replaying it later could press keys nobody meant to press.
 */
#include "config.h"

#include <event2/event.h>

#include <string.h>
#include <time.h>

#include "broker/broker.h"
#include "common/log.h"

/* At most one motion event every IN_MOTION_MS: 125 a second, as a USB
 * mouse reports. */
#define IN_MOTION_MS		8

static void in_closed(void *arg, int error, const char *why);
static int in_answer(void *arg, const struct ipc_msg *m, int fd);

/*
 * The input helper, as we see it: the more trusted side, which must see
 * every key.  One that stops reading for IN_QUEUE_MAX messages is dropped:
 * it sees end of file, releases every key and is started afresh.
 */
static const struct chan_peer input_peer = {
	.name = "the input helper",
	.first = IPC_IN2BRK_FIRST, .last = IPC_IN2BRK_LAST,
	.queue_max = IN_QUEUE_MAX, .on_full = CHAN_FULL_CLOSE,
};

static void
in_drop(struct broker *b)
{
	channel_free(b->input.ch);
	b->input.ch = NULL;
	b->input.motion_pending = 0;
	evtimer_del(b->input.motion_ev);
}

static void
in_closed(void *arg, int error, const char *why)
{
	struct broker *b = arg;

	log_warnx("input channel closed: %s", why);
	in_drop(b);
	clients_input_ready(b);
}

static void
in_drained(void *arg)
{
	clients_input_ready(arg);
}

static int
in_answer(void *arg, const struct ipc_msg *m, int fd)
{
	struct broker *b = arg;

	switch (m->hdr.type) {
	case IPC_IN2BRK_LEDS:
		if (m->u.in_leds.leds & ~(uint32_t)(IPC_LED_NUM_LOCK |
		    IPC_LED_CAPS_LOCK | IPC_LED_SCROLL_LOCK))
			return -1;
		b->input.leds = m->u.in_leds.leds;
		b->input.leds_known = 1;
		log_debug("keyboard LEDs 0x%x", b->input.leds);
		clients_leds_changed(b);
		return 0;
	case IPC_IN2BRK_STATUS:
		log_info("input sink: %.*s",
		    (int)sizeof(m->u.in_status.text), m->u.in_status.text);
		return 0;
	}
	return -1;
}

static void
in_send(struct broker *b, uint16_t type, const void *p, size_t len)
{
	if (b->input.ch == NULL) {
		log_debug("no input helper: %s dropped", ipc_type_name(type));
		return;
	}
	channel_send(b->input.ch, type, p, len, -1);
}

/* Send the motion that waited for its turn. */
static void
in_flush_motion(struct broker *b)
{
	struct ipc_in_pointer *tail;

	if (!b->input.motion_pending)
		return;
	b->input.motion_pending = 0;
	evtimer_del(b->input.motion_ev);
	b->input.motion_sent_ms = broker_now_ms();
	/* The helper is behind and has not seen the last motion yet: the
	 * newest position takes its place. */
	if (b->input.ch != NULL &&
	    (tail = channel_tail(b->input.ch, IPC_BRK2IN_POINTER)) != NULL &&
	    tail->buttons == b->input.motion.buttons && tail->wheel == 0 &&
	    tail->hwheel == 0 && b->input.motion.wheel == 0 &&
	    b->input.motion.hwheel == 0) {
		tail->x = b->input.motion.x;
		tail->y = b->input.motion.y;
		return;
	}
	in_send(b, IPC_BRK2IN_POINTER, &b->input.motion,
	    sizeof(b->input.motion));
}

static void
in_motion_cb(evutil_socket_t fd, short what, void *arg)
{
	in_flush_motion(arg);
}

void
in_init(struct broker *b)
{
	b->input.motion_ev = evtimer_new(b->base, in_motion_cb, b);
	if (b->input.motion_ev == NULL)
		fatalx("input timer");
}

void
in_set_channel(struct broker *b, int fd)
{
	if (b->input.ch != NULL) {
		log_warnx("input channel replaced");
		in_drop(b);
	}
	b->input.ch = channel_new(b->base, fd, &input_peer, in_answer,
	    in_closed, b);
	if (b->input.ch == NULL)
		fatalx("input channel");
	channel_set_drained(b->input.ch, in_drained);
	if (b->input.screen.width != 0)
		in_send(b, IPC_BRK2IN_SCREEN, &b->input.screen,
		    sizeof(b->input.screen));
}

void
in_screen(struct broker *b, uint32_t width, uint32_t height,
    uint32_t transform)
{
	struct ipc_in_screen m = { .width = width, .height = height,
	    .transform = transform };

	if (memcmp(&m, &b->input.screen, sizeof(m)) == 0)
		return;
	b->input.screen = m;
	/* Motion queued for the old screen goes first. */
	in_flush_motion(b);
	in_send(b, IPC_BRK2IN_SCREEN, &m, sizeof(m));
}

int
in_busy(const struct broker *b)
{
	return b->input.ch != NULL &&
	    channel_queued(b->input.ch) >= IN_QUEUE_THROTTLE;
}

void
in_key(struct broker *b, uint16_t code, int down)
{
	struct ipc_in_key k = { .code = code, .down = down ? 1 : 0 };

	in_flush_motion(b);
	in_send(b, IPC_BRK2IN_KEY, &k, sizeof(k));
}

void
in_pointer(struct broker *b, const struct ipc_in_pointer *p)
{
	uint64_t now = broker_now_ms();
	uint64_t due = b->input.motion_sent_ms + IN_MOTION_MS;
	int motion = p->wheel == 0 && p->hwheel == 0 &&
	    p->buttons == b->input.buttons;

	if (motion && now < due) {
		struct timeval tv = { 0, (suseconds_t)(due - now) * 1000 };

		b->input.motion = *p;
		if (!b->input.motion_pending)
			evtimer_add(b->input.motion_ev, &tv);
		b->input.motion_pending = 1;
		return;
	}
	/* A button or the wheel: what moved before it goes first, then it,
	 * never merged. */
	if (!motion)
		in_flush_motion(b);
	b->input.motion = *p;
	b->input.motion_pending = 1;
	b->input.buttons = p->buttons;
	in_flush_motion(b);
}
