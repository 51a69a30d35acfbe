/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "common/channel.h"
#include "common/log.h"
#include "input/loop.h"

#define IPC_LED_ALL	(IPC_LED_NUM_LOCK | IPC_LED_CAPS_LOCK | \
			 IPC_LED_SCROLL_LOCK)

/*
 * The broker, as we see it: the less trusted side.  What we send it (LED
 * state, the sink's status) only matters in its newest form.
 */
static const struct chan_peer broker_peer = {
	.name = "the broker",
	.first = IPC_BRK2IN_FIRST, .last = IPC_BRK2IN_LAST,
	.queue_max = 16, .on_full = CHAN_FULL_DROP_OLDEST,
};

static void
loop_status(struct input_loop *l, uint32_t state)
{
	static const char *const words[] = {
		[IPC_SINK_READY] = "ready",
		[IPC_SINK_BLOCKED] = "blocked, events wait for the device",
		[IPC_SINK_FAILED] = "failed",
	};
	struct ipc_in_status st = { .state = state };

	if (l->state == state || l->ch == NULL)
		return;
	l->state = state;
	snprintf(st.text, sizeof(st.text), "%s: %s", l->name, words[state]);
	log_info("sink %s", st.text);
	channel_send(l->ch, IPC_IN2BRK_STATUS, &st, sizeof(st), -1);
}

static void on_writable(evutil_socket_t, short, void *);

/*
 * Wait for the descriptor the sink names now: a sink of two devices (the
 * HID gadget's keyboard and pointer) waits for the one that is behind,
 * and that can change while it waits.
 */
static int
loop_watch(struct input_loop *l)
{
	int fd = l->in.sink->write_fd(l->in.sink_state);

	if (event_pending(l->wev, EV_WRITE, NULL)) {
		if (event_get_fd(l->wev) == fd)
			return 0;
		event_del(l->wev);
	}
	if (fd < 0 || event_assign(l->wev, l->base, fd, EV_WRITE | EV_PERSIST,
	    on_writable, l) < 0 || event_add(l->wev, NULL) < 0) {
		log_warnx("sink %s: cannot wait for descriptor %d", l->name,
		    fd);
		return -1;
	}
	return 0;
}

/* After the sink took events: watch its descriptor if it is behind. */
static int
loop_after_sink(struct input_loop *l)
{
	int was = l->wev != NULL && event_pending(l->wev, EV_WRITE, NULL);

	if (!l->in.blocked)
		return 0;
	if (l->wev == NULL) {
		log_warnx("sink %s would block but has no descriptor to wait "
		    "for", l->name);
		return -1;
	}
	if (loop_watch(l) < 0)
		return -1;
	if (!was) {
		struct timeval tv = { LOOP_STALL_MS / 1000,
		    (LOOP_STALL_MS % 1000) * 1000 };

		log_debug("sink %s: events wait for the device", l->name);
		evtimer_add(l->stall_ev, &tv);
	}
	return 0;
}

static void
on_stall(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;

	if (l->in.blocked)
		loop_status(l, IPC_SINK_BLOCKED);
}

static void
loop_failed(struct input_loop *l)
{
	loop_status(l, IPC_SINK_FAILED);
	input_loop_stop(l, 1);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;
	int r = l->in.sink->flush(l->in.sink_state);

	if (r == SINK_WOULD_BLOCK) {
		if (loop_watch(l) < 0)
			loop_failed(l);
		return;
	}
	event_del(l->wev);
	if (r < 0) {
		loop_failed(l);
		return;
	}
	l->in.blocked = 0;
	/* A device whose LEDs went with its host reads again. */
	if (l->lev != NULL && !event_pending(l->lev, EV_READ, NULL))
		event_add(l->lev, NULL);
	evtimer_del(l->stall_ev);
	if (l->state == IPC_SINK_BLOCKED)
		loop_status(l, IPC_SINK_READY);
}

static void
on_leds(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;
	struct ipc_in_leds msg;
	uint32_t leds = 0;
	int r = l->in.sink->read_leds(l->in.sink_state, &leds);

	if (r == SINK_LEDS_GONE) {
		/* The device is gone for now: read it again once the sink
		 * could write to it (on_writable). */
		event_del(l->lev);
		l->in.blocked = 1;
		if (loop_after_sink(l) < 0)
			loop_failed(l);
		return;
	}
	if (r < 0) {
		loop_failed(l);
		return;
	}
	/* The broker refuses bits it does not know. */
	leds &= IPC_LED_ALL;
	if (r == 0 || (l->leds_sent && leds == l->leds))
		return;
	l->leds = leds;
	l->leds_sent = 1;
	msg.leds = leds;
	log_debug("keyboard LEDs 0x%x", leds);
	channel_send(l->ch, IPC_IN2BRK_LEDS, &msg, sizeof(msg), -1);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;

	if (l->in.sink->on_timer(l->in.sink_state) < 0)
		loop_failed(l);
}

static int
on_message(void *arg, const struct ipc_msg *msg, int fd)
{
	struct input_loop *l = arg;

	if (input_handle(&l->in, msg) < 0) {
		/* Tell the broker before the channel closes. */
		if (l->in.failed)
			loop_status(l, IPC_SINK_FAILED);
		return -1;
	}
	return loop_after_sink(l);
}

static void
on_channel_closed(void *arg, int error, const char *why)
{
	struct input_loop *l = arg;

	if (error)
		log_warnx("channel from the broker: %s", why);
	else
		log_info("the broker closed the channel: releasing everything");
	input_loop_stop(l, error);
}

static void
loop_events_free(struct input_loop *l)
{
	struct event **evs[] = { &l->wev, &l->lev, &l->tev, &l->stall_ev };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (*evs[i] != NULL)
			event_free(*evs[i]);
		*evs[i] = NULL;
	}
}

int
input_loop_init(struct input_loop *l, struct event_base *base, int fd,
    const char *name, const struct sink_ops *sink, void *sink_state,
    unsigned int allow)
{
	int wfd = sink->write_fd != NULL && sink->flush != NULL ?
	    sink->write_fd(sink_state) : -1;
	int lfd = sink->led_fd != NULL && sink->read_leds != NULL ?
	    sink->led_fd(sink_state) : -1;
	int tfd = sink->timer_fd != NULL && sink->on_timer != NULL ?
	    sink->timer_fd(sink_state) : -1;

	memset(l, 0, sizeof(*l));
	l->name = name;
	l->base = base;
	if (wfd >= 0) {
		l->wev = event_new(base, wfd, EV_WRITE | EV_PERSIST,
		    on_writable, l);
		l->stall_ev = evtimer_new(base, on_stall, l);
	}
	if (lfd >= 0)
		l->lev = event_new(base, lfd, EV_READ | EV_PERSIST, on_leds, l);
	if (tfd >= 0)
		l->tev = event_new(base, tfd, EV_READ | EV_PERSIST, on_timer,
		    l);
	if ((wfd >= 0 && (l->wev == NULL || l->stall_ev == NULL)) || (lfd >= 0 && (l->lev == NULL ||
	    event_add(l->lev, NULL) < 0)) || (tfd >= 0 && (l->tev == NULL ||
	    event_add(l->tev, NULL) < 0)))
		goto fail;
	l->ch = channel_new(base, fd, &broker_peer, on_message,
	    on_channel_closed, l);
	if (l->ch == NULL)
		goto fail;
	input_init(&l->in, sink, sink_state, allow);
	return 0;
fail:
	log_warnx("cannot watch the broker channel or the sink %s", name);
	loop_events_free(l);
	return -1;
}

void
input_loop_stop(struct input_loop *l, int status)
{
	if (l->stopped)
		return;
	l->stopped = 1;
	if (input_release_all(&l->in) < 0)
		status = 1;
	/* Once, what the device can take now of the releases. */
	if (l->in.blocked && l->in.sink->flush != NULL &&
	    l->in.sink->flush(l->in.sink_state) != 0)
		log_warnx("sink %s: releases could not all be written",
		    l->name);
	l->status = status;
	event_base_loopbreak(l->base);
}

void
input_loop_free(struct input_loop *l)
{
	loop_events_free(l);
	channel_free(l->ch);
	l->ch = NULL;
	input_free(&l->in);
}
