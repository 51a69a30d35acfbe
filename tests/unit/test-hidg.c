/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HID gadget sink on devices made of socket pairs: the sink writes
 * into one end, the test plays the USB host at the other, reading the
 * reports as they went out (SOCK_SEQPACKET keeps each report whole) and
 * writing LED output reports.  The test fills a socket so that the sink's
 * writes fail with EAGAIN, as f_hid's do while a report waits for the
 * host, and drains it.  The test is linked with -Wl,--wrap=write,--wrap=read:
 * on the descriptors it names, write() and read() fail as f_hid's do when
 * no host is there (ESHUTDOWN), or take a report short.
 *
 * Then the sink behind the real loop of rampart-input, with the broker's
 * end of the channel in the test: blocked, the descriptor waited for
 * follows the device that is behind, ready; the keyboard's host goes
 * away while the LEDs are read, and comes back.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/hidg.h"
#include "input/input.h"
#include "input/loop.h"
#include "input/sink.h"
#include "tests/tap.h"

/* What the wrapped calls do on the test's descriptors. */
static int gone_write_fd = -1;	/* write: ESHUTDOWN */
static int gone_read_fd = -1;	/* read: ESHUTDOWN */
static int short_fd = -1;	/* write: one byte short */
static int einval_fd = -1;	/* write: EINVAL */

ssize_t	__real_write(int fd, const void *buf, size_t len);
ssize_t	__wrap_write(int fd, const void *buf, size_t len);
ssize_t	__real_read(int fd, void *buf, size_t len);
ssize_t	__wrap_read(int fd, void *buf, size_t len);

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	if (fd >= 0 && fd == gone_write_fd) {
		errno = ESHUTDOWN;
		return -1;
	}
	if (fd >= 0 && fd == einval_fd) {
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0 && fd == short_fd && len > 1)
		len--;
	return __real_write(fd, buf, len);
}

ssize_t
__wrap_read(int fd, void *buf, size_t len)
{
	if (fd >= 0 && fd == gone_read_fd) {
		errno = ESHUTDOWN;
		return -1;
	}
	return __real_read(fd, buf, len);
}

#define FILLER	0xee	/* the first byte of what the test wrote */

struct dev {
	int	sink;		/* the sink's end */
	int	host;		/* the test's */
};

static int
dev_pair(struct dev *d)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) < 0)
		return -1;
	d->sink = sv[0];
	d->host = sv[1];
	return 0;
}

/* Fill the sink's end until a write would block: reports now wait. */
static int
fill(struct dev *d)
{
	uint8_t b[8];
	int n = 0;

	memset(b, FILLER, sizeof(b));
	while (__real_write(d->sink, b, sizeof(b)) == (ssize_t)sizeof(b))
		n++;
	return errno == EAGAIN ? n : -1;
}

/*
 * What the host read: the reports the sink wrote (what the test filled
 * is skipped), up to max of len bytes each.  Returns how many.
 */
static int
host_read(struct dev *d, uint8_t (*out)[8], int max, size_t len)
{
	uint8_t b[64];
	ssize_t n;
	int got = 0;

	while ((n = __real_read(d->host, b, sizeof(b))) > 0) {
		if (n == 8 && b[0] == FILLER && b[7] == FILLER)
			continue;
		if ((size_t)n != len) {
			diag("a report of %zd bytes, expected %zu", n, len);
			return -1;
		}
		if (got < max)
			memcpy(out[got], b, len);
		got++;
	}
	return got;
}

static void
press(uint8_t *held, unsigned int code, int down)
{
	if (down)
		held[code / 8] |= (uint8_t)(1u << (code % 8));
	else
		held[code / 8] &= (uint8_t)~(1u << (code % 8));
}

static int
key(void *h, uint8_t *held, unsigned int code, int down)
{
	press(held, code, down);
	return sink_hidg.key(h, (uint16_t)code, down, held);
}

static int
point(void *h, uint16_t x, uint16_t y, uint8_t buttons, int8_t wheel)
{
	struct ipc_in_pointer p = { .x = x, .y = y, .buttons = buttons,
	    .wheel = wheel };

	return sink_hidg.pointer(h, &p);
}

static int
is(const uint8_t *r, const uint8_t *want, size_t len)
{
	return memcmp(r, want, len) == 0;
}

static const uint8_t none_kbd[8];
static const uint8_t none_ptr[7] = { 0, 0xff, 0xff, 0xff, 0xff, 0, 0 };

static void
test_reports(void)
{
	struct dev k, p;
	uint8_t held[SINK_KEYS_BYTES] = { 0 }, r[40][8];
	char why[256];
	void *h;
	int n;

	if (dev_pair(&k) < 0 || dev_pair(&p) < 0) {
		printf("Bail out! socketpair\n");
		exit(1);
	}
	h = hidg_open_fds(k.sink, p.sink, why, sizeof(why));
	ok(h != NULL, "the sink opens on two devices");
	if (h == NULL)
		exit(1);
	ok(host_read(&k, r, 1, 8) == 1 && is(r[0], none_kbd, 8),
	    "at start the host hears: no key held (a helper before may "
	    "have died with keys down)");
	ok(host_read(&p, r, 1, 7) == 1 && is(r[0], none_ptr, 7),
	    "and no button, at no position (X, Y 0xffff: the host leaves "
	    "the pointer where it is)");

	ok(key(h, held, KEY_A, 1) == 0 && host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], (const uint8_t[8]){ 0, 0, 0x04 }, 8), "a down: 0x04");
	ok(key(h, held, KEY_A, 1) == 0 && host_read(&k, r, 2, 8) == 0,
	    "a down again (a client's repeat): nothing, the host repeats");
	ok(key(h, held, KEY_MACRO, 1) == 0 && host_read(&k, r, 2, 8) == 0,
	    "a key with no usage: nothing");
	ok(key(h, held, KEY_A, 0) == 0 && host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], none_kbd, 8), "a up: nothing held");
	press(held, KEY_MACRO, 0);

	ok(point(h, 65535, 0, IPC_BTN_RIGHT, 0) == 0 &&
	    host_read(&p, r, 2, 7) == 1 &&
	    is(r[0], (const uint8_t[7]){ 0x02, 0xff, 0x7f, 0, 0 }, 7),
	    "right button at the top right: 02 ff 7f 00 00");
	ok(point(h, 65535, 0, IPC_BTN_RIGHT, 0) == 0 &&
	    host_read(&p, r, 2, 7) == 0, "the same again: nothing");
	ok(point(h, 65535, 0, IPC_BTN_RIGHT, -1) == 0 &&
	    point(h, 65535, 0, IPC_BTN_RIGHT, -1) == 0 &&
	    host_read(&p, r, 3, 7) == 2 && r[0][5] == 0xff && r[1][5] == 0xff,
	    "two wheel notches down at one place: two reports");

	/* The keyboard's reports wait: the device is full. */
	n = fill(&k);
	ok(n > 0, "the keyboard device is full (%d reports)", n);
	for (int i = 0; i < 40; i++) {
		int rc = key(h, held, KEY_B, i % 2 == 0);

		if (rc != SINK_WOULD_BLOCK) {
			ok(0, "event %d: would block (%d)", i, rc);
			break;
		}
	}
	ok(sink_hidg.write_fd(h) == k.sink,
	    "40 key events would block; the keyboard's descriptor is the "
	    "one to wait for");
	n = host_read(&k, r, 40, 8);
	ok(n == 0, "the host has none of them yet");
	ok(sink_hidg.flush(h) == 0, "writable again: flush writes all");
	n = host_read(&k, r, 40, 8);
	ok(n == HIDG_QUEUE, "the host gets the newest %d (%d): the "
	    "oldest were dropped", HIDG_QUEUE, n);
	ok(n == HIDG_QUEUE && is(r[0], (const uint8_t[8]){ 0, 0, 0x05 }, 8) &&
	    is(r[n - 1], none_kbd, 8),
	    "in order, the last the current state (b up)");

	/* Both behind: the keyboard first, then the pointer. */
	fill(&p);
	ok(point(h, 0, 0, 0, 0) == SINK_WOULD_BLOCK &&
	    sink_hidg.write_fd(h) == p.sink,
	    "the pointer's device is full: its descriptor is waited for");
	fill(&k);
	ok(key(h, held, KEY_C, 1) == SINK_WOULD_BLOCK &&
	    sink_hidg.write_fd(h) == k.sink,
	    "a key waits too: the keyboard's descriptor comes first");
	host_read(&k, r, 1, 8);
	ok(sink_hidg.flush(h) == SINK_WOULD_BLOCK &&
	    sink_hidg.write_fd(h) == p.sink,
	    "the keyboard drained: the pointer's still waits");
	ok(host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], (const uint8_t[8]){ 0, 0, 0x06 }, 8), "c reached the host");
	ok(host_read(&p, r, 2, 7) == 0 && sink_hidg.flush(h) == 0 &&
	    host_read(&p, r, 2, 7) == 1 && is(r[0], (const uint8_t[7]){ 0 }, 7),
	    "the pointer drained: its report follows");

	/* The host goes away with c and the right button held. */
	ok(point(h, 65535, 65535, IPC_BTN_RIGHT, 0) == 0 &&
	    host_read(&p, r, 2, 7) == 1, "the right button down");
	gone_write_fd = k.sink;
	ok(key(h, held, KEY_D, 1) == SINK_WOULD_BLOCK &&
	    key(h, held, KEY_C, 0) == SINK_WOULD_BLOCK &&
	    host_read(&k, r, 2, 8) == 0,
	    "no host (ESHUTDOWN): d down, c up would block, nothing written");
	ok(sink_hidg.write_fd(h) == k.sink && sink_hidg.flush(h) ==
	    SINK_WOULD_BLOCK, "the keyboard is waited for; no host, still");
	gone_write_fd = -1;
	ok(sink_hidg.flush(h) == 0 && host_read(&k, r, 3, 8) == 2 &&
	    is(r[0], none_kbd, 8) && is(r[1], (const uint8_t[8]){ 0, 0, 0x07 },
	    8), "the host is back: first nothing held, then d, the state now");
	gone_write_fd = p.sink;
	ok(point(h, 0, 65535, IPC_BTN_RIGHT, 0) == SINK_WOULD_BLOCK,
	    "the pointer's host goes away: would block");
	gone_write_fd = -1;
	ok(point(h, 0, 65535, IPC_BTN_RIGHT | IPC_BTN_LEFT, 0) == 0 &&
	    host_read(&p, r, 3, 7) == 2 &&
	    is(r[0], (const uint8_t[7]){ 0, 0, 0, 0xff, 0x7f }, 7) &&
	    is(r[1], (const uint8_t[7]){ 0x03, 0, 0, 0xff, 0x7f }, 7),
	    "back at the next event: no button where it is, then both "
	    "buttons");

	ok(sink_hidg.release_all(h) == 0 && host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], none_kbd, 8) && host_read(&p, r, 2, 7) == 1 &&
	    is(r[0], (const uint8_t[7]){ 0, 0, 0, 0xff, 0x7f }, 7),
	    "release all: an empty keyboard report and no button in place, "
	    "whatever was said before");

	/* The LEDs, from the host. */
	{
		uint32_t leds = 0xdead;
		uint8_t b[2] = { 0x02, 0x01 };

		ok(sink_hidg.led_fd(h) == k.sink, "the LEDs come on the "
		    "keyboard");
		ok(sink_hidg.read_leds(h, &leds) == 0 && leds == 0xdead,
		    "nothing from the host: nothing");
		__real_write(k.host, b, 1);
		ok(sink_hidg.read_leds(h, &leds) == 1 &&
		    leds == IPC_LED_CAPS_LOCK, "0x02 from the host: Caps Lock");
		b[0] = 0xff;
		__real_write(k.host, b, 1);
		ok(sink_hidg.read_leds(h, &leds) == 1 &&
		    leds == (IPC_LED_NUM_LOCK | IPC_LED_CAPS_LOCK |
		    IPC_LED_SCROLL_LOCK), "0xff: the three, nothing more");
		leds = 0xdead;
		__real_write(k.host, b, 2);
		__real_write(k.host, b, 0);
		ok(sink_hidg.read_leds(h, &leds) == 0 &&
		    sink_hidg.read_leds(h, &leds) == 0 && leds == 0xdead,
		    "reports of 2 and 0 bytes: ignored");
		gone_read_fd = k.sink;
		ok(sink_hidg.read_leds(h, &leds) == SINK_LEDS_GONE &&
		    sink_hidg.write_fd(h) == k.sink,
		    "read fails with ESHUTDOWN: the device is gone, its "
		    "writes are waited for");
		gone_read_fd = -1;
		ok(sink_hidg.flush(h) == 0 && host_read(&k, r, 2, 8) == 1 &&
		    is(r[0], none_kbd, 8), "writable: back, nothing held");
	}

	/* Errors that are not "no host" fail the sink. */
	short_fd = k.sink;
	ok(key(h, held, KEY_E, 1) == -1, "a report taken short: the "
	    "gadget's report_length does not fit, the sink fails");
	short_fd = -1;
	einval_fd = p.sink;
	ok(point(h, 1, 1, 0, 0) == -1, "EINVAL: the sink fails");
	einval_fd = -1;
	sink_hidg.close(h);
	close(k.host);
	close(p.host);
}

static void
test_keyboard_only(void)
{
	struct dev k;
	uint8_t held[SINK_KEYS_BYTES] = { 0 }, r[2][8];
	char why[256];
	void *h;

	if (dev_pair(&k) < 0)
		exit(1);
	h = hidg_open_fds(k.sink, -1, why, sizeof(why));
	ok(h != NULL && host_read(&k, r, 2, 8) == 1, "a keyboard alone");
	ok(point(h, 5, 5, IPC_BTN_LEFT, 1) == 0 && key(h, held, KEY_Z, 1) ==
	    0 && host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], (const uint8_t[8]){ 0, 0, 0x1d }, 8),
	    "pointer events are dropped, keys go");
	ok(sink_hidg.release_all(h) == 0, "release all");
	sink_hidg.close(h);
	close(k.host);
}

static void
test_open(void)
{
	static const char *const bad[] = { NULL, "", ",/dev/null",
	    "/dev/null,", "/dev/null,/dev/null,/dev/null" };
	struct sink_options o = { .pointer = SINK_POINTER_TABLET };
	char why[256], path[] = "/tmp/test-hidg.XXXXXX";
	void *h;
	int fd;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		h = sink_hidg.open(bad[i], &o, why, sizeof(why));
		ok(h == NULL && why[0] != '\0', "hidg:%s refused: %s",
		    bad[i] != NULL ? bad[i] : "(nothing)", why);
	}
	h = sink_hidg.open("/nonexistent/hidg0", &o, why, sizeof(why));
	ok(h == NULL && strstr(why, "rampart-hid-gadget") != NULL,
	    "a device that is not there: %s", why);
	if ((fd = mkstemp(path)) >= 0) {
		close(fd);
		h = sink_hidg.open(path, &o, why, sizeof(why));
		ok(h == NULL && strstr(why, "not a character device") != NULL,
		    "a plain file: %s", why);
		unlink(path);
	}
	h = sink_hidg.open("/dev/null,/dev/null", &o, why, sizeof(why));
	ok(h == NULL && strstr(why, "not a USB HID gadget") != NULL,
	    "a character device that is not f_hid's: %s", why);
	ok(sink_hidg.needs == NULL, "it needs no ioctl, fcntl, call or "
	    "capability beyond the input helper's");
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

/* Run the loop for ms milliseconds. */
static void
run_for(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void
test_loop(void)
{
	struct dev k, p;
	struct event_base *base;
	struct input_loop l;
	struct ipc_in_pointer ptr = { .x = 100, .y = 100 };
	struct ipc_in_key kk = { .code = KEY_A, .down = 1 };
	struct ipc_msg m;
	uint8_t r[40][8], b;
	char why[256];
	void *h;
	int sv[2], t;

	if (dev_pair(&k) < 0 || dev_pair(&p) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    (base = event_base_new()) == NULL ||
	    (h = hidg_open_fds(k.sink, p.sink, why, sizeof(why))) == NULL) {
		printf("Bail out! set-up\n");
		exit(1);
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	host_read(&k, r, 1, 8);
	host_read(&p, r, 1, 7);
	ok(input_loop_init(&l, base, sv[0], "hidg", &sink_hidg, h, 0) == 0,
	    "the loop takes the sink");

	fill(&p);
	ipc_send(sv[1], IPC_BRK2IN_POINTER, &ptr, sizeof(ptr), -1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	t = broker_recv(sv[1], &m);
	ok(t == -1 && event_pending(l.wev, EV_WRITE, NULL) &&
	    event_get_fd(l.wev) == p.sink,
	    "the pointer is behind: its descriptor waited for, no news for "
	    "the broker yet");
	fill(&k);
	ipc_send(sv[1], IPC_BRK2IN_KEY, &kk, sizeof(kk), -1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == -1 && event_get_fd(l.wev) == k.sink,
	    "a key waits too: the keyboard's descriptor is waited for now");
	host_read(&k, r, 1, 8);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(host_read(&k, r, 2, 8) == 1 &&
	    is(r[0], (const uint8_t[8]){ 0, 0, 0x04 }, 8) &&
	    event_get_fd(l.wev) == p.sink && broker_recv(sv[1], &m) == -1,
	    "the keyboard's device drains: a reaches the host, the pointer's "
	    "descriptor is waited for again");
	host_read(&p, r, 1, 7);
	event_base_loop(base, EVLOOP_NONBLOCK);
	t = broker_recv(sv[1], &m);
	ok(host_read(&p, r, 2, 7) == 1 && t == -1 &&
	    !event_pending(l.wev, EV_WRITE, NULL),
	    "the pointer's drains too: nothing waited for, and the broker "
	    "never heard of a wait that short");

	b = 0x02;
	__real_write(k.host, &b, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == IPC_IN2BRK_LEDS &&
	    m.u.in_leds.leds == IPC_LED_CAPS_LOCK,
	    "the host sets Caps Lock: the broker hears 0x2");

	/*
	 * The host goes: its LED report read fails (as 6.12's f_hid does)
	 * and so would a write; the device is not writable until a host
	 * configures it again (f_hid's write_pending), which a full socket
	 * plays.
	 */
	fill(&k);
	gone_read_fd = gone_write_fd = k.sink;
	__real_write(k.host, &b, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	run_for(base, LOOP_STALL_MS + 200);
	t = broker_recv(sv[1], &m);
	ok(t == IPC_IN2BRK_STATUS && m.u.in_status.state == IPC_SINK_BLOCKED &&
	    !event_pending(l.lev, EV_READ, NULL) &&
	    event_get_fd(l.wev) == k.sink,
	    "the LEDs' host went away: blocked, the LEDs no longer read, "
	    "the keyboard waited for");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == -1 && host_read(&k, r, 2, 8) == 0,
	    "while it is gone: nothing happens");
	/* A host configures it: writes go, the device is writable. */
	gone_read_fd = gone_write_fd = -1;
	host_read(&k, r, 2, 8);
	event_base_loop(base, EVLOOP_NONBLOCK);
	t = broker_recv(sv[1], &m);
	ok(t == IPC_IN2BRK_STATUS && m.u.in_status.state == IPC_SINK_READY &&
	    event_pending(l.lev, EV_READ, NULL) &&
	    host_read(&k, r, 3, 8) == 2 && is(r[0], none_kbd, 8) &&
	    is(r[1], (const uint8_t[8]){ 0, 0, 0x04 }, 8),
	    "back: ready, the host hears nothing held, then a (still held "
	    "by the client), and the LEDs are read again");
	event_base_loop(base, EVLOOP_NONBLOCK);
	ok(broker_recv(sv[1], &m) == -1, "the report read meanwhile was the "
	    "same state: nothing more for the broker");

	input_loop_free(&l);
	event_base_free(base);
	close(sv[1]);
	close(k.host);
	close(p.host);
}

int
main(void)
{
	log_init("test-hidg", LOG_LEVEL_ERROR, 0);
	test_reports();
	test_keyboard_only();
	test_open();
	test_loop();
	return done_testing();
}
