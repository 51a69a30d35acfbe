/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The uinput sink without /dev/uinput: its open() runs on /dev/null, and
 * libevdev's device creation is the test's (--wrap): it notes what the
 * device was described as and puts a socketpair where the sink's
 * descriptor was, so that each write() of the sink arrives here as one
 * packet (one packet: one frame, sent whole) and LED events written here
 * come out of its descriptor as the kernel's would.  With it: the key
 * policy of input.c, the events of the keyboard and of each pointer
 * mode, the long press timed through the loop, and the mapping of
 * positions through the 8 transforms, checked against capture's own
 * transform_picture().
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <libevdev/libevdev.h>
#include <libevdev/libevdev-uinput.h>

#include "capture/compose.h"
#include "common/ipc.h"
#include "common/log.h"
#include "input/input.h"
#include "input/loop.h"
#include "input/sink.h"
#include "input/uinput.h"
#include "tests/tap.h"

/* A device "created" by the sink. */
struct fakedev {
	char	name[64];
	char	caps[2048];	/* its description, one line a type */
	int	peer;		/* our end of its descriptor */
};

static struct fakedev devs[64];
static int ndevs;
static int fail_create;

int	__wrap_libevdev_uinput_create_from_device(const struct libevdev *,
	    int, struct libevdev_uinput **);
const char *__wrap_libevdev_uinput_get_devnode(struct libevdev_uinput *);

/* "EV_KEY: KEY_ESC ...", ABS with their ranges, as evread info says. */
static void
describe(const struct libevdev *dev, char *out, size_t len)
{
	size_t at = 0;

#define PUT(...) do {							\
	int n_ = snprintf(out + at, len - at, __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < len - at)				\
		at += (size_t)n_;					\
} while (0)
	PUT("bus %d vendor %d\nprops:", libevdev_get_id_bustype(dev),
	    libevdev_get_id_vendor(dev));
	for (unsigned int p = 0; p <= INPUT_PROP_MAX; p++)
		if (libevdev_has_property(dev, p))
			PUT(" %s", libevdev_property_get_name(p));
	PUT("\n");
	for (unsigned int t = 1; t < EV_CNT; t++) {
		int max = libevdev_event_type_get_max(t), any = 0;

		if (!libevdev_has_event_type(dev, t))
			continue;
		PUT("%s:", libevdev_event_type_get_name(t));
		for (int c = 0; c <= max; c++) {
			if (!libevdev_has_event_code(dev, t, (unsigned int)c))
				continue;
			any++;
			/* The keyboard's 256 keys are counted below. */
			if (t == EV_KEY && c < 256)
				continue;
			PUT(" %s", libevdev_event_code_get_name(t,
			    (unsigned int)c));
			if (t == EV_ABS)
				PUT("=%d..%d", libevdev_get_abs_minimum(dev,
				    (unsigned int)c), libevdev_get_abs_maximum(
				    dev, (unsigned int)c));
		}
		if (t == EV_KEY) {
			int keys = 0;

			for (unsigned int c = 1; c < 256; c++)
				keys += libevdev_has_event_code(dev, t, c);
			if (keys)
				PUT(" keys=%d", keys);
		}
		PUT("\n");
	}
#undef PUT
}

int
__wrap_libevdev_uinput_create_from_device(const struct libevdev *dev,
    int fd, struct libevdev_uinput **ui)
{
	struct fakedev *d;
	int sv[2];

	if (fail_create)
		return -EINVAL;
	if (ndevs == (int)(sizeof(devs) / sizeof(devs[0])) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		return -ENOMEM;
	d = &devs[ndevs++];
	snprintf(d->name, sizeof(d->name), "%s", libevdev_get_name(dev));
	describe(dev, d->caps, sizeof(d->caps));
	/* The sink's descriptor becomes our socket, flags and all. */
	if (dup2(sv[0], fd) < 0)
		return -errno;
	close(sv[0]);
	d->peer = sv[1];
	*ui = (struct libevdev_uinput *)d;
	return 0;
}

const char *
__wrap_libevdev_uinput_get_devnode(struct libevdev_uinput *ui)
{
	return "/dev/input/event99";
}

static struct fakedev *
dev_named(const char *name)
{
	for (int i = ndevs - 1; i >= 0; i--)
		if (strcmp(devs[i].name, name) == 0)
			return &devs[i];
	return NULL;
}

/* Every write() the sink made to d since the last call, one line each:
 * "KEY_A=1 SYN_REPORT=0". */
static const char *
writes(struct fakedev *d)
{
	static char out[4096];
	struct input_event ev[64];
	size_t at = 0;
	ssize_t n;

	out[0] = '\0';
	while (d != NULL && (n = recv(d->peer, ev, sizeof(ev),
	    MSG_DONTWAIT)) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			const char *name = libevdev_event_code_get_name(
			    ev[i].type, ev[i].code);

			at += (size_t)snprintf(out + at, sizeof(out) - at,
			    "%s%s=%d", i ? " " : "", name ? name : "?",
			    ev[i].value);
			if (at >= sizeof(out))
				bail("too many events");
		}
		at += (size_t)snprintf(out + at, sizeof(out) - at, "\n");
	}
	return out;
}

static void
expect(struct fakedev *d, const char *want, const char *what)
{
	const char *got = writes(d);

	if (!ok(strcmp(got, want) == 0, "%s", what))
		diag("want:\n%s# got:\n%s", want, got);
}

static int
key(struct input *in, unsigned int code, unsigned int down)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_KEY,
	    .version = IPC_VERSION } };

	m.u.in_key.code = (uint16_t)code;
	m.u.in_key.down = (uint8_t)down;
	return input_handle(in, &m);
}

static int
pointer(struct input *in, unsigned int x, unsigned int y,
    unsigned int buttons, int wheel, int hwheel)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_POINTER,
	    .version = IPC_VERSION } };

	m.u.in_pointer = (struct ipc_in_pointer){ .x = (uint16_t)x,
	    .y = (uint16_t)y, .buttons = (uint8_t)buttons,
	    .wheel = (int8_t)wheel, .hwheel = (int8_t)hwheel };
	return input_handle(in, &m);
}

static int
screen(struct input *in, unsigned int w, unsigned int h, unsigned int t)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_SCREEN,
	    .version = IPC_VERSION } };

	m.u.in_screen = (struct ipc_in_screen){ .width = w, .height = h,
	    .transform = t };
	return input_handle(in, &m);
}

/* The position the broker sends for pixel v of size. */
static unsigned int
at(unsigned int v, unsigned int size)
{
	return v * 65535 / (size - 1);
}

static struct fakedev *kbd, *ptr;

static void
open_sink(struct input *in, enum sink_pointer_mode mode, unsigned int allow,
    const char *ptr_name)
{
	struct sink_options o = { .pointer = mode };
	char why[256];
	void *state;

	if ((state = uinput_open_node("/dev/null", &o, why,
	    sizeof(why))) == NULL)
		bail("uinput on /dev/null: %s", why);
	input_init(in, &sink_uinput, state, allow);
	kbd = dev_named(UINPUT_KEYBOARD_NAME);
	ptr = dev_named(ptr_name);
	if (kbd == NULL || ptr == NULL)
		bail("the sink did not create \"%s\" and \"%s\"",
		    UINPUT_KEYBOARD_NAME, ptr_name);
}

static void
close_sink(struct input *in)
{
	input_free(in);
	close(kbd->peer);
	close(ptr->peer);
}

static int
has_line(const struct fakedev *d, const char *line)
{
	return strstr(d->caps, line) != NULL;
}

static void
test_open(void)
{
	struct sink_options o = { .pointer = SINK_POINTER_TABLET };
	struct input in;
	char why[256] = "";

	ok(uinput_open_node("/nonexistent/uinput", &o, why,
	    sizeof(why)) == NULL && strcmp(why, "/nonexistent/uinput: No "
	    "such file or directory (modprobe uinput?)") == 0,
	    "no uinput node: %s", why);
	fail_create = 1;
	ok(uinput_open_node("/dev/null", &o, why, sizeof(why)) == NULL &&
	    strstr(why, "cannot create \"rampart keyboard\"") != NULL,
	    "a device uinput refuses: %s", why);
	fail_create = 0;

	open_sink(&in, SINK_POINTER_TABLET, 0, UINPUT_TABLET_NAME);
	ok(has_line(kbd, "bus 6 vendor 0\n") && has_line(ptr, "bus 6 "),
	    "both devices are on BUS_VIRTUAL");
	ok(has_line(kbd, "\nEV_KEY: KEY_POWER2 keys=255\n"),
	    "the keyboard has every key 1..255 and KEY_POWER2, no button");
	ok(has_line(kbd, "\nEV_LED: LED_NUML LED_CAPSL LED_SCROLLL\n") &&
	    has_line(kbd, "\nEV_REP:") && !has_line(kbd, "EV_ABS") &&
	    !has_line(kbd, "EV_REL"),
	    "... the three lock LEDs and auto-repeat, no axis");
	ok(has_line(ptr, "props: INPUT_PROP_POINTER\n") &&
	    has_line(ptr, "\nEV_KEY: BTN_LEFT BTN_RIGHT BTN_MIDDLE BTN_SIDE "
	    "BTN_EXTRA\n") &&
	    has_line(ptr, "\nEV_REL: REL_HWHEEL REL_WHEEL REL_WHEEL_HI_RES "
	    "REL_HWHEEL_HI_RES\n") &&
	    has_line(ptr, "\nEV_ABS: ABS_X=0..65535 ABS_Y=0..65535\n"),
	    "the tablet: absolute X/Y 0..65535, five buttons, both wheels "
	    "and their hi-res twins, no relative motion");
	if (tap_failed)
		diag("keyboard:\n%s# pointer:\n%s", kbd->caps, ptr->caps);
	close_sink(&in);

	open_sink(&in, SINK_POINTER_TOUCH, 0, UINPUT_TOUCH_NAME);
	ok(has_line(ptr, "props: INPUT_PROP_DIRECT\n") &&
	    has_line(ptr, "\nEV_KEY: BTN_TOUCH\n") &&
	    has_line(ptr, "\nEV_ABS: ABS_X=0..65535 ABS_Y=0..65535 "
	    "ABS_MT_SLOT=0..0 ABS_MT_POSITION_X=0..65535 "
	    "ABS_MT_POSITION_Y=0..65535 ABS_MT_TRACKING_ID=0..65535\n") &&
	    !has_line(ptr, "EV_REL"),
	    "the touch screen: direct, BTN_TOUCH, one slot of multi-touch");
	if (!has_line(ptr, "BTN_TOUCH"))
		diag("%s", ptr->caps);
	close_sink(&in);

	open_sink(&in, SINK_POINTER_MOUSE, 0, UINPUT_MOUSE_NAME);
	ok(has_line(ptr, "\nEV_REL: REL_X REL_Y REL_HWHEEL REL_WHEEL "
	    "REL_WHEEL_HI_RES REL_HWHEEL_HI_RES\n") &&
	    !has_line(ptr, "EV_ABS") && has_line(ptr, "BTN_EXTRA\n"),
	    "the mouse: relative motion, wheels, buttons, no absolute axis");
	if (!has_line(ptr, "REL_X"))
		diag("%s", ptr->caps);
	close_sink(&in);
}

static void
test_keys(void)
{
	struct input in;

	open_sink(&in, SINK_POINTER_TABLET, 0, UINPUT_TABLET_NAME);
	ok(key(&in, KEY_A, 1) == 0 && key(&in, KEY_A, 1) == 0 &&
	    key(&in, KEY_A, 0) == 0, "a down, down again, up");
	expect(kbd, "KEY_A=1 SYN_REPORT=0\nKEY_A=1 SYN_REPORT=0\n"
	    "KEY_A=0 SYN_REPORT=0\n", "each key is one write with its "
	    "SYN_REPORT (a repeated down is the kernel's to drop)");
	expect(ptr, "", "keys reach the keyboard alone");

	/* The key policy, by default. */
	ok(key(&in, KEY_POWER, 1) == 0 && key(&in, KEY_POWER2, 1) == 0 &&
	    key(&in, KEY_SLEEP, 1) == 0 && key(&in, KEY_SUSPEND, 1) == 0 &&
	    key(&in, KEY_WAKEUP, 1) == 0, "power keys are no protocol error");
	expect(kbd, "", "... and are refused by default");
	ok(key(&in, KEY_POWER, 0) == 0, "the release of a refused key");
	expect(kbd, "", "... is dropped: it is not held");
	ok(key(&in, KEY_SYSRQ, 1) == 0 && key(&in, KEY_SYSRQ, 0) == 0,
	    "SysRq alone");
	expect(kbd, "KEY_SYSRQ=1 SYN_REPORT=0\nKEY_SYSRQ=0 SYN_REPORT=0\n",
	    "... passes (it is Print Screen)");
	ok(key(&in, KEY_LEFTALT, 1) == 0 && key(&in, KEY_SYSRQ, 1) == 0 &&
	    key(&in, KEY_LEFTALT, 0) == 0, "left Alt + SysRq");
	expect(kbd, "KEY_LEFTALT=1 SYN_REPORT=0\nKEY_LEFTALT=0 SYN_REPORT=0\n",
	    "... SysRq is refused, Alt passes");
	ok(key(&in, KEY_RIGHTALT, 1) == 0 && key(&in, KEY_SYSRQ, 1) == 0 &&
	    key(&in, KEY_RIGHTALT, 0) == 0, "right Alt + SysRq");
	expect(kbd, "KEY_RIGHTALT=1 SYN_REPORT=0\n"
	    "KEY_RIGHTALT=0 SYN_REPORT=0\n", "... refused too");
	ok(key(&in, KEY_SYSRQ, 1) == 0 && key(&in, KEY_LEFTALT, 1) == 0 &&
	    key(&in, KEY_SYSRQ, 0) == 0 && key(&in, KEY_LEFTALT, 0) == 0,
	    "SysRq, then Alt, then SysRq up");
	expect(kbd, "KEY_SYSRQ=1 SYN_REPORT=0\nKEY_LEFTALT=1 SYN_REPORT=0\n"
	    "KEY_SYSRQ=0 SYN_REPORT=0\nKEY_LEFTALT=0 SYN_REPORT=0\n",
	    "... releases always pass, whatever is held");
	ok(key(&in, 256, 1) == 0 && key(&in, KEY_OK, 1) == 0 &&
	    key(&in, KEY_MAX, 1) == 0, "codes above 255 (256, KEY_OK, "
	    "KEY_MAX) are no protocol error");
	expect(kbd, "", "... and are refused: a keyboard has none");
	ok(key(&in, 255, 1) == 0 && key(&in, 255, 0) == 0, "code 255");
	expect(kbd, "?=1 SYN_REPORT=0\n?=0 SYN_REPORT=0\n",
	    "... passes");
	close_sink(&in);

	open_sink(&in, SINK_POINTER_TABLET, INPUT_ALLOW_POWER,
	    UINPUT_TABLET_NAME);
	ok(key(&in, KEY_POWER, 1) == 0 && key(&in, KEY_POWER2, 1) == 0 &&
	    key(&in, KEY_POWER, 0) == 0 && key(&in, KEY_POWER2, 0) == 0,
	    "--allow-keys power: power keys");
	expect(kbd, "KEY_POWER=1 SYN_REPORT=0\nKEY_POWER2=1 SYN_REPORT=0\n"
	    "KEY_POWER=0 SYN_REPORT=0\nKEY_POWER2=0 SYN_REPORT=0\n",
	    "... pass");
	ok(key(&in, KEY_LEFTALT, 1) == 0 && key(&in, KEY_SYSRQ, 1) == 0,
	    "... Alt+SysRq");
	expect(kbd, "KEY_LEFTALT=1 SYN_REPORT=0\n", "... is still refused");
	close_sink(&in);

	open_sink(&in, SINK_POINTER_TABLET, INPUT_ALLOW_SYSRQ,
	    UINPUT_TABLET_NAME);
	ok(key(&in, KEY_LEFTALT, 1) == 0 && key(&in, KEY_SYSRQ, 1) == 0 &&
	    key(&in, KEY_H, 1) == 0, "--allow-keys sysrq: Alt+SysRq+h");
	expect(kbd, "KEY_LEFTALT=1 SYN_REPORT=0\nKEY_SYSRQ=1 SYN_REPORT=0\n"
	    "KEY_H=1 SYN_REPORT=0\n", "... passes");
	ok(key(&in, KEY_POWER, 1) == 0, "... KEY_POWER");
	ok(input_release_all(&in) == 0, "release-all");
	expect(kbd, "KEY_H=0 SYN_REPORT=0\nKEY_LEFTALT=0 SYN_REPORT=0\n"
	    "KEY_SYSRQ=0 SYN_REPORT=0\n", "... power refused; release-all "
	    "lets go of what was held");
	close_sink(&in);
}

static void
test_tablet(void)
{
	struct input in;

	open_sink(&in, SINK_POINTER_TABLET, 0, UINPUT_TABLET_NAME);
	ok(screen(&in, 1280, 800, IPC_TRANSFORM_90) == 0, "a screen, turned");
	ok(pointer(&in, 0, 65535, 0, 0, 0) == 0 &&
	    pointer(&in, 32792, 100, 0, 0, 0) == 0, "two moves");
	expect(ptr, "ABS_X=0 ABS_Y=65535 SYN_REPORT=0\n"
	    "ABS_X=32792 ABS_Y=100 SYN_REPORT=0\n",
	    "... go as they come: the compositor turns its desktop");
	ok(pointer(&in, 5, 6, IPC_BTN_LEFT, 0, 0) == 0 &&
	    pointer(&in, 5, 6, IPC_BTN_LEFT | IPC_BTN_MIDDLE |
	    IPC_BTN_RIGHT | IPC_BTN_SIDE | IPC_BTN_EXTRA, 0, 0) == 0 &&
	    pointer(&in, 5, 6, IPC_BTN_RIGHT, 0, 0) == 0 &&
	    pointer(&in, 5, 6, 0, 0, 0) == 0, "buttons");
	expect(ptr, "ABS_X=5 ABS_Y=6 BTN_LEFT=1 SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 BTN_MIDDLE=1 BTN_RIGHT=1 BTN_SIDE=1 BTN_EXTRA=1 "
	    "SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 BTN_LEFT=0 BTN_MIDDLE=0 BTN_SIDE=0 BTN_EXTRA=0 "
	    "SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 BTN_RIGHT=0 SYN_REPORT=0\n",
	    "... each change once, with the position first");
	ok(pointer(&in, 5, 6, 0, 1, 0) == 0 && pointer(&in, 5, 6, 0, -3, 0) ==
	    0 && pointer(&in, 5, 6, 0, 0, 1) == 0 && pointer(&in, 5, 6, 0, 2,
	    -16) == 0, "wheels");
	expect(ptr, "ABS_X=5 ABS_Y=6 REL_WHEEL=1 REL_WHEEL_HI_RES=120 "
	    "SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 REL_WHEEL=-3 REL_WHEEL_HI_RES=-360 SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 REL_HWHEEL=1 REL_HWHEEL_HI_RES=120 SYN_REPORT=0\n"
	    "ABS_X=5 ABS_Y=6 REL_WHEEL=2 REL_WHEEL_HI_RES=240 REL_HWHEEL=-16 "
	    "REL_HWHEEL_HI_RES=-1920 SYN_REPORT=0\n",
	    "... notches, and 120 hi-res units each");
	ok(pointer(&in, 7, 8, IPC_BTN_SIDE, 0, 0) == 0 &&
	    key(&in, KEY_B, 1) == 0 && input_release_all(&in) == 0,
	    "side button and b held, release-all");
	writes(ptr);
	expect(kbd, "KEY_B=1 SYN_REPORT=0\nKEY_B=0 SYN_REPORT=0\n",
	    "... b comes up");
	ok(pointer(&in, 7, 8, 0, 0, 0) == 0, "a move after it");
	expect(ptr, "ABS_X=7 ABS_Y=8 SYN_REPORT=0\n",
	    "... the side button was up already");
	close_sink(&in);
}

static void
test_leds(void)
{
	struct input_event ev[3] = {
		{ .type = EV_LED, .code = LED_CAPSL, .value = 1 },
		{ .type = EV_SYN, .code = SYN_REPORT },
	};
	struct input in;
	uint32_t leds = 99;
	void *s;
	int r;

	open_sink(&in, SINK_POINTER_TABLET, 0, UINPUT_TABLET_NAME);
	s = in.sink_state;
	ok(sink_uinput.led_fd(s) >= 0, "the keyboard gives a descriptor for "
	    "its LEDs");
	ok(sink_uinput.read_leds(s, &leds) == 0, "nothing to read: 0");
	send(kbd->peer, ev, 2 * sizeof(ev[0]), 0);
	r = sink_uinput.read_leds(s, &leds);
	ok(r == 1 && leds == IPC_LED_CAPS_LOCK,
	    "LED_CAPSL 1: Caps Lock (0x%x)", leds);
	ev[0].code = LED_NUML;
	send(kbd->peer, ev, 2 * sizeof(ev[0]), 0);
	ev[0].code = LED_SCROLLL;
	send(kbd->peer, ev, 2 * sizeof(ev[0]), 0);
	r = sink_uinput.read_leds(s, &leds);
	ok(r == 1 && leds ==
	    (IPC_LED_CAPS_LOCK | IPC_LED_NUM_LOCK | IPC_LED_SCROLL_LOCK),
	    "two more at once: all three (0x%x)", leds);
	ev[0] = (struct input_event){ .type = EV_LED, .code = LED_CAPSL };
	ev[2] = (struct input_event){ .type = EV_LED, .code = LED_KANA,
	    .value = 1 };
	send(kbd->peer, ev, 3 * sizeof(ev[0]), 0);
	r = sink_uinput.read_leds(s, &leds);
	ok(r == 1 && leds ==
	    (IPC_LED_NUM_LOCK | IPC_LED_SCROLL_LOCK),
	    "Caps Lock off, an LED it does not have ignored (0x%x)", leds);
	ev[0] = (struct input_event){ .type = EV_REP, .code = REP_DELAY,
	    .value = 500 };
	send(kbd->peer, ev, sizeof(ev[0]), 0);
	ok(sink_uinput.read_leds(s, &leds) == 0,
	    "another event than a LED: nothing for us");
	send(kbd->peer, ev, 5, 0);
	ok(sink_uinput.read_leds(s, &leds) == -1,
	    "a read that is not whole events: an error");
	close_sink(&in);
}

static void
test_write_failure(void)
{
	struct input in;

	open_sink(&in, SINK_POINTER_TABLET, 0, UINPUT_TABLET_NAME);
	close(ptr->peer);
	ok(pointer(&in, 1, 2, 0, 0, 0) == -1 && in.failed,
	    "a write the device refuses fails the sink");
	close(kbd->peer);
	ok(key(&in, KEY_A, 1) == -1, "... the keyboard's too");
	input_free(&in);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for the sink's timer; the seconds waited, or -1 past limit. */
static double
wait_timer(void *s, double limit)
{
	struct pollfd p = { .fd = sink_uinput.timer_fd(s), .events = POLLIN };
	double t0 = now();

	if (poll(&p, 1, (int)(limit * 1000)) != 1)
		return -1;
	return now() - t0;
}

static void
test_touch(void)
{
	struct input in;
	double waited;
	void *s;

	open_sink(&in, SINK_POINTER_TOUCH, 0, UINPUT_TOUCH_NAME);
	s = in.sink_state;
	ok(screen(&in, 1000, 500, IPC_TRANSFORM_NORMAL) == 0 &&
	    pointer(&in, 100, 200, 0, 0, 0) == 0, "a move without a button");
	expect(ptr, "", "... touches nothing");
	ok(pointer(&in, 100, 200, IPC_BTN_LEFT, 0, 0) == 0 &&
	    pointer(&in, 300, 400, IPC_BTN_LEFT, 0, 0) == 0 &&
	    pointer(&in, 300, 400, 0, 0, 0) == 0,
	    "left down, a move, left up");
	expect(ptr, "ABS_MT_TRACKING_ID=0 ABS_MT_POSITION_X=100 "
	    "ABS_MT_POSITION_Y=200 BTN_TOUCH=1 ABS_X=100 ABS_Y=200 "
	    "SYN_REPORT=0\n"
	    "ABS_MT_POSITION_X=300 ABS_MT_POSITION_Y=400 ABS_X=300 ABS_Y=400 "
	    "SYN_REPORT=0\n"
	    "ABS_MT_TRACKING_ID=-1 BTN_TOUCH=0 SYN_REPORT=0\n",
	    "... a touch that moves and lifts");
	ok(pointer(&in, 300, 400, IPC_BTN_MIDDLE | IPC_BTN_SIDE, 3, 2) == 0 &&
	    pointer(&in, 300, 400, 0, 0, 0) == 0,
	    "middle and side buttons, wheels");
	expect(ptr, "", "... have no touch: ignored");
	ok(screen(&in, 500, 1000, IPC_TRANSFORM_90) == 0 &&
	    pointer(&in, 100, 200, IPC_BTN_LEFT, 0, 0) == 0 &&
	    pointer(&in, 100, 200, 0, 0, 0) == 0,
	    "a screen turned 90 degrees: a tap");
	expect(ptr, "ABS_MT_TRACKING_ID=1 ABS_MT_POSITION_X=65335 "
	    "ABS_MT_POSITION_Y=100 BTN_TOUCH=1 ABS_X=65335 ABS_Y=100 "
	    "SYN_REPORT=0\nABS_MT_TRACKING_ID=-1 BTN_TOUCH=0 SYN_REPORT=0\n",
	    "... lands where the panel has it, with a new tracking id");
	screen(&in, 1000, 500, IPC_TRANSFORM_NORMAL);

	/* A right click is a long press. */
	ok(pointer(&in, 10, 20, IPC_BTN_RIGHT, 0, 0) == 0 &&
	    pointer(&in, 10, 20, 0, 0, 0) == 0, "a quick right click");
	expect(ptr, "ABS_MT_TRACKING_ID=2 ABS_MT_POSITION_X=10 "
	    "ABS_MT_POSITION_Y=20 BTN_TOUCH=1 ABS_X=10 ABS_Y=20 "
	    "SYN_REPORT=0\n", "... touches and stays down");
	waited = wait_timer(s, 2);
	ok(waited >= (UINPUT_LONG_PRESS_MS - 10) / 1000.0,
	    "... until the timer, %.3f s later", waited);
	ok(sink_uinput.on_timer(s) == 0, "on_timer");
	expect(ptr, "ABS_MT_TRACKING_ID=-1 BTN_TOUCH=0 SYN_REPORT=0\n",
	    "... then lifts");
	ok(sink_uinput.on_timer(s) == 0, "on_timer again, nothing expired");
	expect(ptr, "", "... does nothing");

	ok(pointer(&in, 10, 20, IPC_BTN_RIGHT, 0, 0) == 0 &&
	    wait_timer(s, 2) > 0 && sink_uinput.on_timer(s) == 0,
	    "the right button held past the long press");
	expect(ptr, "ABS_MT_TRACKING_ID=3 ABS_MT_POSITION_X=10 "
	    "ABS_MT_POSITION_Y=20 BTN_TOUCH=1 ABS_X=10 ABS_Y=20 "
	    "SYN_REPORT=0\n", "... the touch stays while it is held");
	ok(pointer(&in, 10, 20, 0, 0, 0) == 0, "right up");
	expect(ptr, "ABS_MT_TRACKING_ID=-1 BTN_TOUCH=0 SYN_REPORT=0\n",
	    "... lifts at once");

	ok(pointer(&in, 10, 20, IPC_BTN_RIGHT, 0, 0) == 0 &&
	    pointer(&in, 10, 20, 0, 0, 0) == 0 && input_release_all(&in) == 0,
	    "a quick right click, then release-all");
	expect(ptr, "ABS_MT_TRACKING_ID=4 ABS_MT_POSITION_X=10 "
	    "ABS_MT_POSITION_Y=20 BTN_TOUCH=1 ABS_X=10 ABS_Y=20 "
	    "SYN_REPORT=0\nABS_MT_TRACKING_ID=-1 BTN_TOUCH=0 SYN_REPORT=0\n",
	    "... lifts without waiting");
	ok(wait_timer(s, 1) < 0, "... and the timer is off");
	close_sink(&in);
}

static void
test_mouse(void)
{
	struct input in;

	open_sink(&in, SINK_POINTER_MOUSE, 0, UINPUT_MOUSE_NAME);
	ok(pointer(&in, 100, 100, IPC_BTN_LEFT, 1, 0) == 0 &&
	    pointer(&in, 100, 100, 0, 0, 0) == 0,
	    "a click and a notch before any screen");
	expect(ptr, "BTN_LEFT=1 REL_WHEEL=1 REL_WHEEL_HI_RES=120 "
	    "SYN_REPORT=0\nBTN_LEFT=0 SYN_REPORT=0\n",
	    "... click without a move: no pixel to move by");
	ok(screen(&in, 1280, 800, IPC_TRANSFORM_NORMAL) == 0 &&
	    pointer(&in, at(100, 1280), at(100, 800), 0, 0, 0) == 0,
	    "the first move, to (100, 100)");
	expect(ptr, "REL_X=-65535 REL_Y=-65535 SYN_REPORT=0 "
	    "REL_X=100 REL_Y=100 SYN_REPORT=0\n",
	    "... goes to the corner first, in a frame of its own");
	ok(pointer(&in, at(150, 1280), at(120, 800), 0, 0, 0) == 0 &&
	    pointer(&in, at(150, 1280), at(120, 800), IPC_BTN_RIGHT, 0, 0) ==
	    0 && pointer(&in, at(0, 1280), at(799, 800), 0, 0, 0) == 0 &&
	    pointer(&in, at(1279, 1280), at(0, 800), 0, 0, 0) == 0,
	    "to (150, 120), a click there, to (0, 799), to (1279, 0)");
	expect(ptr, "REL_X=50 REL_Y=20 SYN_REPORT=0\n"
	    "BTN_RIGHT=1 SYN_REPORT=0\n"
	    "REL_X=-150 REL_Y=679 BTN_RIGHT=0 SYN_REPORT=0\n"
	    "REL_X=1279 REL_Y=-799 SYN_REPORT=0\n",
	    "... by the pixels between");
	ok(screen(&in, 1280, 800, IPC_TRANSFORM_270) == 0 &&
	    pointer(&in, at(1269, 1280), at(10, 800), 0, 0, 0) == 0,
	    "the same screen turned: to (1269, 10)");
	expect(ptr, "REL_X=-10 REL_Y=10 SYN_REPORT=0\n",
	    "... by upright pixels still");
	ok(screen(&in, 1024, 768, IPC_TRANSFORM_NORMAL) == 0 &&
	    pointer(&in, at(1, 1024), at(2, 768), 0, 0, 0) == 0,
	    "another mode: to (1, 2)");
	expect(ptr, "REL_X=-65535 REL_Y=-65535 SYN_REPORT=0 "
	    "REL_X=1 REL_Y=2 SYN_REPORT=0\n", "... from the corner again");
	close_sink(&in);
}

/* Through the loop: the timer is watched, the long press ends. */
static void
test_loop_timer(void)
{
	struct sink_options o = { .pointer = SINK_POINTER_TOUCH };
	struct ipc_in_pointer p = { .x = 1, .y = 2, .buttons = IPC_BTN_RIGHT };
	struct timeval tv = { 2, 0 };
	struct event_base *base;
	struct input_loop l;
	char why[256];
	void *state;
	double t0;
	int sv[2], lifted = 0;

	if ((base = event_base_new()) == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    (state = uinput_open_node("/dev/null", &o, why,
	    sizeof(why))) == NULL)
		bail("loop set-up");
	ptr = dev_named(UINPUT_TOUCH_NAME);
	ok(input_loop_init(&l, base, sv[0], "uinput", &sink_uinput, state,
	    0) == 0 && l.tev != NULL, "the loop watches the sink's timer");
	ipc_send(sv[1], IPC_BRK2IN_POINTER, &p, sizeof(p), -1);
	p.buttons = 0;
	ipc_send(sv[1], IPC_BRK2IN_POINTER, &p, sizeof(p), -1);
	t0 = now();
	/* Until the lift, or 2 s. */
	event_base_loopexit(base, &tv);
	while (!lifted && now() - t0 < 2) {
		event_base_loop(base, EVLOOP_ONCE);
		lifted = strstr(writes(ptr), "BTN_TOUCH=0") != NULL;
	}
	ok(lifted && now() - t0 >= 0.79, "a quick right click lifts after "
	    "%.3f s, by the loop's watch of the timer", now() - t0);
	close(sv[1]);
	event_base_loop(base, EVLOOP_ONCE);
	input_loop_free(&l);
	event_base_free(base);
	close(ptr->peer);
	close(dev_named(UINPUT_KEYBOARD_NAME)->peer);
}

/* The pixel of size whose centre is nearest to position v. */
static uint32_t
nearest(uint16_t v, uint32_t size)
{
	return (uint32_t)(((uint64_t)v * (size - 1) + 32767) / 65535);
}

/*
 * Where a panel pixel (x, y) goes when its picture is turned upright is
 * capture's definition (transform_picture); a touch at an upright pixel
 * must land on the panel pixel that shows there.
 */
static void
test_transforms(void)
{
	static const char *const names[] = { "normal", "90", "180", "270",
	    "flipped", "flipped-90", "flipped-180", "flipped-270" };
	/* The panel's (x, y) of the upright top-left and top-right
	 * corners, worked out by hand from compose.h's table. */
	static const uint16_t corners[8][4] = {
		{ 0, 0, 65535, 0 },		/* normal */
		{ 65535, 0, 65535, 65535 },	/* 90 */
		{ 65535, 65535, 0, 65535 },	/* 180 */
		{ 0, 65535, 0, 0 },		/* 270 */
		{ 65535, 0, 0, 0 },		/* flipped */
		{ 0, 0, 0, 65535 },		/* flipped-90 */
		{ 0, 65535, 65535, 65535 },	/* flipped-180 */
		{ 65535, 65535, 65535, 0 },	/* flipped-270 */
	};
	const uint32_t w = 7, h = 4;
	uint32_t panel[7 * 4], up[7 * 4];

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			panel[y * w + x] = y << 8 | x;
	for (uint32_t t = 0; t <= IPC_TRANSFORM_MAX; t++) {
		uint32_t uw = t & 1 ? h : w, uh = t & 1 ? w : h, bad = 0;
		uint16_t a, b, c, d;

		uinput_to_panel(t, 0, 0, &a, &b);
		uinput_to_panel(t, 65535, 0, &c, &d);
		ok(a == corners[t][0] && b == corners[t][1] &&
		    c == corners[t][2] && d == corners[t][3],
		    "%s: the upright top corners are the panel's (%u,%u) "
		    "and (%u,%u)", names[t], a, b, c, d);
		memset(up, 0xff, sizeof(up));
		transform_picture((uint8_t *)up, uw * 4,
		    (const uint8_t *)panel, w * 4, w, h, t);
		for (uint32_t Y = 0; Y < uh; Y++)
			for (uint32_t X = 0; X < uw; X++) {
				uint16_t px, py;

				uinput_to_panel(t, (uint16_t)at(X, uw),
				    (uint16_t)at(Y, uh), &px, &py);
				if ((nearest(py, h) << 8 | nearest(px, w)) !=
				    up[Y * uw + X])
					bad++;
			}
		ok(bad == 0, "%s: each upright pixel of a %ux%u panel maps to "
		    "the panel pixel transform_picture() shows there (%u "
		    "wrong)", names[t], w, h, bad);
	}
}

static void
test_pixels(void)
{
	static const uint32_t big[] = { 4096, 32767, 32768, 65535, 65536 };
	uint32_t bad = 0, n;

	for (n = 2; n <= 3000; n++)
		for (uint32_t x = 0; x < n; x++)
			if (uinput_to_pixel((uint16_t)at(x, n), n) != x)
				bad++;
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		for (uint32_t x = 0; x < big[i]; x++)
			if (uinput_to_pixel((uint16_t)at(x, big[i]), big[i]) !=
			    x)
				bad++;
	ok(bad == 0, "every pixel of every width up to 3000 (and 4096, "
	    "32767, 32768, 65535, 65536) comes back from the broker's position "
	    "(%u wrong)", bad);
	ok(uinput_to_pixel(65535, 1) == 0 && uinput_to_pixel(0, 1) == 0 &&
	    uinput_to_pixel(0, 2) == 0 && uinput_to_pixel(65535, 2) == 1 &&
	    uinput_to_pixel(65535, 65536) == 65535,
	    "one and two pixels wide, and 65536");
}

int
main(void)
{
	/* Refusals are logged at warn; keep the TAP output clean. */
	log_init("test-uinput", LOG_LEVEL_ERROR, 0);
	signal(SIGPIPE, SIG_IGN);
	test_open();
	test_keys();
	test_tablet();
	test_leds();
	test_write_failure();
	test_touch();
	test_mouse();
	test_loop_timer();
	test_transforms();
	test_pixels();
	return done_testing();
}
