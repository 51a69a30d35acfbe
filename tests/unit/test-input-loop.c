/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loop of rampart-input with a sink of the test's own, a device made
 * of two pipes: events go into one, which the test fills so that the sink
 * would block and drains so that it can write again; the target's LED
 * state comes out of the other.  What the broker hears is read from the
 * test's end of the channel.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/loop.h"
#include "input/sink.h"
#include "tests/tap.h"

struct pipesink {
	int	 out[2];	/* events: 'K' key down, 'k' up, 'p' pointer */
	int	 leds[2];	/* one byte: the LED state */
	char	 queue[64];	/* what waits for out[1] */
	size_t	 queued;
	uint8_t	 held[SINK_KEYS_BYTES];	/* as the last key() saw it */
	int	 fail;
};

static int
ps_write(struct pipesink *ps)
{
	while (ps->queued > 0) {
		ssize_t n = write(ps->out[1], ps->queue, ps->queued);

		if (n < 0 && errno == EAGAIN)
			return SINK_WOULD_BLOCK;
		if (n <= 0)
			return -1;
		memmove(ps->queue, ps->queue + n, ps->queued - (size_t)n);
		ps->queued -= (size_t)n;
	}
	return 0;
}

static int
ps_event(struct pipesink *ps, char c)
{
	if (ps->fail || ps->queued == sizeof(ps->queue))
		return -1;
	ps->queue[ps->queued++] = c;
	return ps_write(ps);
}

static int
ps_key(void *state, uint16_t code, int down, const uint8_t *held)
{
	struct pipesink *ps = state;

	memcpy(ps->held, held, sizeof(ps->held));
	return ps_event(ps, down ? 'K' : 'k');
}

static int
ps_pointer(void *state, const struct ipc_in_pointer *p)
{
	return ps_event(state, 'p');
}

static void
ps_close(void *state)
{
}

static int
ps_write_fd(void *state)
{
	return ((struct pipesink *)state)->out[1];
}

static int
ps_flush(void *state)
{
	return ps_write(state);
}

static int
ps_led_fd(void *state)
{
	return ((struct pipesink *)state)->leds[0];
}

static int
ps_read_leds(void *state, uint32_t *leds)
{
	struct pipesink *ps = state;
	uint8_t b;

	if (read(ps->leds[0], &b, 1) != 1)
		return errno == EAGAIN ? 0 : -1;
	*leds = b;
	return 1;
}

static const struct sink_ops sink_pipe = {
	.key = ps_key,
	.pointer = ps_pointer,
	.close = ps_close,
	.write_fd = ps_write_fd,
	.flush = ps_flush,
	.led_fd = ps_led_fd,
	.read_leds = ps_read_leds,
};

static int
send_key(int sock, unsigned int code, unsigned int down)
{
	struct ipc_in_key k = { .code = (uint16_t)code, .down = (uint8_t)down };

	return ipc_send(sock, IPC_BRK2IN_KEY, &k, sizeof(k), -1);
}

/* The next message to the broker: its type, or -1 when none waits. */
static int
broker_recv(int sock, struct ipc_msg *m)
{
	int fd;

	if (ipc_recv(sock, m, &fd, IPC_IN2BRK_FIRST, IPC_IN2BRK_LAST) != 1)
		return -1;
	return m->hdr.type;
}

static size_t
fill(int fd)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	memset(buf, 'x', sizeof(buf));
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	return total;
}

/* Read the pipe empty; the last event byte seen, or 0. */
static char
drain_events(int fd, char *events, size_t len)
{
	char buf[4096], last = 0;
	size_t got = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != 'x') {
				last = buf[i];
				if (got + 1 < len)
					events[got++] = buf[i];
			}
	events[got] = '\0';
	return last;
}

/* Run the loop for ms milliseconds. */
static void
run_for(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

int
main(void)
{
	struct pipesink ps = { 0 };
	struct event_base *base;
	struct input_loop l;
	struct ipc_msg m;
	char events[64];
	uint8_t b;
	int sv[2], t;

	log_init("test-input-loop", LOG_LEVEL_ERROR, 0);
	if (pipe2(ps.out, O_NONBLOCK) < 0 || pipe2(ps.leds, O_NONBLOCK) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    (base = event_base_new()) == NULL) {
		printf("Bail out! set-up\n");
		return 1;
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);

	ok(input_loop_init(&l, base, sv[0], "pipe", &sink_pipe, &ps, 0) == 0,
	    "input_loop_init");
	ok(l.lev != NULL && event_pending(l.lev, EV_READ, NULL),
	    "the LED descriptor is watched from the start");
	ok(l.wev != NULL && !event_pending(l.wev, EV_WRITE, NULL),
	    "the event descriptor is not watched while the sink keeps up");

	/* A key goes through at once. */
	send_key(sv[1], KEY_A, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	drain_events(ps.out[0], events, sizeof(events));
	ok(strcmp(events, "K") == 0, "a key reaches the device");
	ok(broker_recv(sv[1], &m) == -1, "and the broker hears nothing");

	/* The device stops taking events. */
	fill(ps.out[1]);
	send_key(sv[1], KEY_B, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(ps.queued == 1 && l.in.blocked &&
	    event_pending(l.wev, EV_WRITE, NULL),
	    "would block: the event waits, the descriptor is watched");
	ok(broker_recv(sv[1], &m) == -1,
	    "a wait shorter than LOOP_STALL_MS is no news for the broker");
	send_key(sv[1], KEY_A, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(ps.queued == 2, "a second event waits too");
	run_for(base, LOOP_STALL_MS + 200);
	t = broker_recv(sv[1], &m);
	ok(t == IPC_IN2BRK_STATUS && m.u.in_status.state == IPC_SINK_BLOCKED &&
	    strncmp(m.u.in_status.text, "pipe: blocked", 13) == 0,
	    "blocked for longer, the broker hears: blocked (\"%.40s\")",
	    m.u.in_status.text);
	ok(broker_recv(sv[1], &m) == -1, "once");
	ok(sink_key_held(ps.held, KEY_B) && !sink_key_held(ps.held, KEY_A),
	    "the sink saw the held keys after the event: B, not A");

	/* The device drains: what waited goes out. */
	drain_events(ps.out[0], events, sizeof(events));
	event_base_loop(base, EVLOOP_NONBLOCK);
	drain_events(ps.out[0], events, sizeof(events));
	ok(strcmp(events, "Kk") == 0 && ps.queued == 0,
	    "writable: the waiting events reach the device in order (%s)",
	    events);
	ok(!l.in.blocked && !event_pending(l.wev, EV_WRITE, NULL),
	    "and the descriptor is no longer watched");
	ok(broker_recv(sv[1], &m) == IPC_IN2BRK_STATUS &&
	    m.u.in_status.state == IPC_SINK_READY,
	    "the broker hears: ready");

	/* A short wait, as a HID gadget's for the host's next poll. */
	fill(ps.out[1]);
	send_key(sv[1], KEY_C, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	drain_events(ps.out[0], events, sizeof(events));
	event_base_loop(base, EVLOOP_NONBLOCK);
	drain_events(ps.out[0], events, sizeof(events));
	run_for(base, LOOP_STALL_MS + 200);
	ok(strcmp(events, "K") == 0 && !l.in.blocked &&
	    broker_recv(sv[1], &m) == -1,
	    "blocked for a moment: the key goes out, the broker hears nothing");

	/* The target sets its LEDs. */
	b = IPC_LED_CAPS_LOCK | IPC_LED_NUM_LOCK | 0x80;
	ok(write(ps.leds[1], &b, 1) == 1, "the target sets caps and num lock");
	event_base_loop(base, EVLOOP_NONBLOCK);
	t = broker_recv(sv[1], &m);
	ok(t == IPC_IN2BRK_LEDS &&
	    m.u.in_leds.leds == (IPC_LED_CAPS_LOCK | IPC_LED_NUM_LOCK),
	    "the broker hears the LEDs (0x%x), unknown bits dropped",
	    m.u.in_leds.leds);
	ok(write(ps.leds[1], &b, 1) == 1, "the same state again");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == -1, "is not sent again");
	b = 0;
	ok(write(ps.leds[1], &b, 1) == 1, "all off");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == IPC_IN2BRK_LEDS &&
	    m.u.in_leds.leds == 0, "the broker hears: all off");

	/* The device fails. */
	ps.fail = 1;
	send_key(sv[1], KEY_C, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == IPC_IN2BRK_STATUS &&
	    m.u.in_status.state == IPC_SINK_FAILED,
	    "a failing sink: the broker hears it failed");
	ok(l.stopped && l.status == 1, "and the loop stops, status 1");
	{
		int fd;

		ok(ipc_recv(sv[1], &m, &fd, IPC_IN2BRK_FIRST,
		    IPC_IN2BRK_LAST) == 0, "the channel is closed after it");
	}

	input_loop_free(&l);
	event_base_free(base);
	close(sv[1]);
	return done_testing();
}
