/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The uinput sink (--input uinput): a virtual keyboard and a pointer of
 * this machine, made through libevdev's uinput API on descriptors of
 * /dev/uinput we open ourselves, one per device.  Once they exist the
 * helper only writes events to them and reads the LEDs back: no ioctl,
 * no capability, which is what the sandbox then allows (uinput_needs).
 *
 * - "rampart keyboard": every key code 1..255 and KEY_POWER2 (the policy
 *   in input.c decides what passes), the Num, Caps and Scroll Lock LEDs,
 *   and EV_REP, so that the kernel repeats a held key: auto-repeat comes
 *   from the machine, and a viewer's repeated press of a held key is
 *   dropped by the input core.
 * - The pointer, by --pointer:
 *   tablet: "rampart pointer", absolute X/Y with INPUT_PROP_POINTER, five
 *     buttons, both wheels with their hi-res twins, like QEMU's
 *     usb-tablet; no relative motion axis (X11 breaks on a device with
 *     both).  The compositor maps the device onto its desktop, already
 *     turned upright, so positions go as they come.
 *   touch: "rampart touchscreen", one slot of multi-touch with BTN_TOUCH
 *     and INPUT_PROP_DIRECT.  The left button is the finger; the right
 *     button a long press: the finger stays down at least
 *     UINPUT_LONG_PRESS_MS, even if the button comes up sooner, timed by
 *     a timerfd so that the helper never sleeps.  A touch screen reports
 *     in its panel's own orientation, so positions are turned back
 *     through the screen's transform.  The middle and side buttons and
 *     the wheels have no touch equivalent and are ignored.
 *   mouse: "rampart mouse", relative motion by upright pixels of the
 *     screen (IPC_BRK2IN_SCREEN), from the last position we moved to.
 *     Where the machine's pointer is at first is unknown: the first move
 *     (and the first after a change of the screen's size) goes to the top
 *     left corner first, by UINPUT_MOUSE_HOME up and left, which any
 *     machine stops at its edge.  The host's pointer acceleration scales
 *     what follows: exact positions need a flat profile (firmware screens
 *     and text consoles have none to speak of).
 *
 * Absolute axes span 0 .. 65535 whatever the screen: the compositor
 * scales them to its desktop, so a mode change needs nothing here,
 * whereas a range of the screen's pixels would have to be changed with
 * the device, which uinput can only do by making it again (ioctls the
 * sandbox does not allow).  65535 is also what positions arrive in.
 *
 * Each event of the broker is one write() of all its evdev events ending
 * in SYN_REPORT: the machine sees it whole.  uinput never blocks a write.
 * Closing a descriptor destroys its device, and the kernel releases
 * whatever it still held.
 */
#include "config.h"

#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libevdev/libevdev.h>
#include <libevdev/libevdev-uinput.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/uinput.h"
#include "sandbox/sandbox.h"

#define UINPUT_NODE		"/dev/uinput"
#define UINPUT_EVENTS_MAX	32
#define UINPUT_BTN_TOUCHING	(IPC_BTN_LEFT | IPC_BTN_RIGHT)

/* Bus, vendor and product: a virtual device, of nobody's make. */
#define UINPUT_BUS		BUS_VIRTUAL
#define UINPUT_VENDOR		0x0000
#define UINPUT_PRODUCT_KEYBOARD	0x0001
#define UINPUT_PRODUCT_POINTER	0x0002

static const struct {
	uint8_t		bit;		/* IPC_BTN_* */
	uint16_t	code;		/* BTN_* */
} buttons[] = {
	{ IPC_BTN_LEFT, BTN_LEFT },
	{ IPC_BTN_MIDDLE, BTN_MIDDLE },
	{ IPC_BTN_RIGHT, BTN_RIGHT },
	{ IPC_BTN_SIDE, BTN_SIDE },
	{ IPC_BTN_EXTRA, BTN_EXTRA },
};

struct uinput_dev {
	int			 fd;
	struct libevdev_uinput	*ui;
	const char		*name;
};

struct uinput {
	struct uinput_dev	 kbd, ptr;
	enum sink_pointer_mode	 mode;
	struct ipc_in_screen	 screen;	/* width 0: not told yet */
	uint8_t			 buttons;	/* IPC_BTN_* held */
	uint32_t		 leds;		/* IPC_LED_* */

	/* mouse: where we moved the machine's pointer, in pixels */
	int			 placed;
	uint32_t		 at_x, at_y;
	int			 said_no_screen;

	/* touch */
	int			 timer_fd;
	int			 touching;	/* the finger down */
	int			 holding;	/* a long press going on */
	int32_t			 tracking_id;	/* of the last touch */
	uint16_t		 touch_x, touch_y;	/* panel */

	/* what the next write() sends */
	struct input_event	 ev[UINPUT_EVENTS_MAX];
	size_t			 nev;
};

void
uinput_to_panel(uint32_t transform, uint16_t x, uint16_t y, uint16_t *px,
    uint16_t *py)
{
	const uint16_t m = UINPUT_ABS_MAX;

	/* compose.h's table read backwards, per transform: the panel's
	 * (x, y) of the upright (X, Y), in units of the whole axis. */
	switch (transform) {
	case IPC_TRANSFORM_90:
		*px = m - y;
		*py = x;
		break;
	case IPC_TRANSFORM_180:
		*px = m - x;
		*py = m - y;
		break;
	case IPC_TRANSFORM_270:
		*px = y;
		*py = m - x;
		break;
	case IPC_TRANSFORM_FLIPPED:
		*px = m - x;
		*py = y;
		break;
	case IPC_TRANSFORM_FLIPPED | IPC_TRANSFORM_90:
		*px = y;
		*py = x;
		break;
	case IPC_TRANSFORM_FLIPPED | IPC_TRANSFORM_180:
		*px = x;
		*py = m - y;
		break;
	case IPC_TRANSFORM_FLIPPED | IPC_TRANSFORM_270:
		*px = m - y;
		*py = m - x;
		break;
	default:
		*px = x;
		*py = y;
		break;
	}
}

uint32_t
uinput_to_pixel(uint16_t v, uint32_t size)
{
	if (size <= 1)
		return 0;
	/* The broker sends pixel X as X * 65535 / (size - 1), rounded
	 * down, which is less than a pixel below X * 65535 / (size - 1)
	 * for any size up to 65536: rounding up gives X back. */
	return (uint32_t)(((uint64_t)v * (size - 1) + UINPUT_ABS_MAX - 1) /
	    UINPUT_ABS_MAX);
}

static void
ev_add(struct uinput *u, uint16_t type, uint16_t code, int32_t value)
{
	if (u->nev == UINPUT_EVENTS_MAX) {
		/* Never: the longest frame is a third of it. */
		log_warnx("uinput: too many events in one frame");
		return;
	}
	u->ev[u->nev++] = (struct input_event){ .type = type, .code = code,
	    .value = value };
}

/* End a frame, unless there is nothing in it. */
static void
ev_syn(struct uinput *u)
{
	if (u->nev > 0 && u->ev[u->nev - 1].type != EV_SYN)
		ev_add(u, EV_SYN, SYN_REPORT, 0);
}

/* Send what was added, in one write.  0, or -1 with a logged reason. */
static int
ev_flush(struct uinput *u, struct uinput_dev *d)
{
	size_t len;
	ssize_t n;

	ev_syn(u);
	len = u->nev * sizeof(u->ev[0]);
	u->nev = 0;
	if (len == 0)
		return 0;
	do
		n = write(d->fd, u->ev, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_warn("uinput: %s: write", d->name);
		return -1;
	}
	if ((size_t)n != len) {
		log_warnx("uinput: %s: wrote %zd bytes of %zu", d->name, n,
		    len);
		return -1;
	}
	return 0;
}

static int
uinput_key(void *state, uint16_t code, int down, const uint8_t *held)
{
	struct uinput *u = state;

	ev_add(u, EV_KEY, code, down ? 1 : 0);
	return ev_flush(u, &u->kbd);
}

static void
add_buttons(struct uinput *u, uint8_t now)
{
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		if ((now ^ u->buttons) & buttons[i].bit)
			ev_add(u, EV_KEY, buttons[i].code,
			    (now & buttons[i].bit) != 0);
	u->buttons = now;
}

static void
add_wheels(struct uinput *u, const struct ipc_in_pointer *p)
{
	if (p->wheel != 0) {
		ev_add(u, EV_REL, REL_WHEEL, p->wheel);
		ev_add(u, EV_REL, REL_WHEEL_HI_RES,
		    p->wheel * UINPUT_HI_RES_NOTCH);
	}
	if (p->hwheel != 0) {
		ev_add(u, EV_REL, REL_HWHEEL, p->hwheel);
		ev_add(u, EV_REL, REL_HWHEEL_HI_RES,
		    p->hwheel * UINPUT_HI_RES_NOTCH);
	}
}

static void
tablet_frame(struct uinput *u, const struct ipc_in_pointer *p)
{
	/* The kernel drops a value that did not change. */
	ev_add(u, EV_ABS, ABS_X, p->x);
	ev_add(u, EV_ABS, ABS_Y, p->y);
	add_buttons(u, p->buttons);
	add_wheels(u, p);
}

static void
mouse_frame(struct uinput *u, const struct ipc_in_pointer *p)
{
	uint32_t x, y;

	if (u->screen.width == 0) {
		/* The broker tells the screen before any position: without
		 * one there is no pixel to move by. */
		if (!u->said_no_screen)
			log_warnx("uinput: no screen size yet: the mouse "
			    "does not move");
		u->said_no_screen = 1;
	} else {
		x = uinput_to_pixel(p->x, u->screen.width);
		y = uinput_to_pixel(p->y, u->screen.height);
		if (!u->placed) {
			ev_add(u, EV_REL, REL_X, -UINPUT_MOUSE_HOME);
			ev_add(u, EV_REL, REL_Y, -UINPUT_MOUSE_HOME);
			/* A frame of its own: a sum of both moves would
			 * stop at the corner. */
			ev_syn(u);
			u->at_x = u->at_y = 0;
			u->placed = 1;
		}
		if (x != u->at_x)
			ev_add(u, EV_REL, REL_X, (int32_t)x - (int32_t)u->at_x);
		if (y != u->at_y)
			ev_add(u, EV_REL, REL_Y, (int32_t)y - (int32_t)u->at_y);
		u->at_x = x;
		u->at_y = y;
	}
	add_buttons(u, p->buttons);
	add_wheels(u, p);
}

/* The finger down (want) or up at (x, y) on the panel. */
static void
touch_to(struct uinput *u, int want, uint16_t x, uint16_t y)
{
	int moved = x != u->touch_x || y != u->touch_y || !u->touching;

	u->touch_x = x;
	u->touch_y = y;
	if (!want && !u->touching)
		return;
	if (want && !u->touching) {
		u->tracking_id = (u->tracking_id + 1) & 0xffff;
		ev_add(u, EV_ABS, ABS_MT_TRACKING_ID, u->tracking_id);
	}
	if (moved) {
		ev_add(u, EV_ABS, ABS_MT_POSITION_X, x);
		ev_add(u, EV_ABS, ABS_MT_POSITION_Y, y);
	}
	if (want && !u->touching)
		ev_add(u, EV_KEY, BTN_TOUCH, 1);
	if (moved) {
		ev_add(u, EV_ABS, ABS_X, x);
		ev_add(u, EV_ABS, ABS_Y, y);
	}
	if (!want) {
		ev_add(u, EV_ABS, ABS_MT_TRACKING_ID, -1);
		ev_add(u, EV_KEY, BTN_TOUCH, 0);
	}
	u->touching = want;
}

static int
timer_set(struct uinput *u, unsigned int ms)
{
	struct itimerspec it = { .it_value = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000 } };

	if (timerfd_settime(u->timer_fd, 0, &it, NULL) < 0) {
		log_warn("uinput: timerfd_settime");
		return -1;
	}
	return 0;
}

/* The frame of a pointer event; 1 when a long press begins with it. */
static int
touch_frame(struct uinput *u, const struct ipc_in_pointer *p)
{
	uint8_t pressed = p->buttons & ~u->buttons;
	uint16_t x, y;

	uinput_to_panel(u->screen.transform, p->x, p->y, &x, &y);
	if (pressed & IPC_BTN_RIGHT)
		u->holding = 1;
	u->buttons = p->buttons;
	touch_to(u, (p->buttons & UINPUT_BTN_TOUCHING) || u->holding, x, y);
	return (pressed & IPC_BTN_RIGHT) != 0;
}

static int
uinput_pointer(void *state, const struct ipc_in_pointer *p)
{
	struct uinput *u = state;
	int long_press = 0;

	switch (u->mode) {
	case SINK_POINTER_TOUCH:
		long_press = touch_frame(u, p);
		break;
	case SINK_POINTER_MOUSE:
		mouse_frame(u, p);
		break;
	default:
		tablet_frame(u, p);
		break;
	}
	if (ev_flush(u, &u->ptr) < 0)
		return -1;
	/* Timed from the touch the machine saw. */
	if (long_press && timer_set(u, UINPUT_LONG_PRESS_MS) < 0)
		return -1;
	return 0;
}

static int
uinput_screen(void *state, const struct ipc_in_screen *s)
{
	struct uinput *u = state;

	/* Pixels of another size are other pixels: the mouse goes to its
	 * corner again before it moves. */
	if (s->width != u->screen.width || s->height != u->screen.height)
		u->placed = 0;
	u->screen = *s;
	return 0;
}

static int
uinput_timer_fd(void *state)
{
	return ((struct uinput *)state)->timer_fd;
}

/* The long press has lasted long enough: the finger may come up. */
static int
uinput_on_timer(void *state)
{
	struct uinput *u = state;
	uint64_t expired;

	if (read(u->timer_fd, &expired, sizeof(expired)) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		log_warn("uinput: timerfd read");
		return -1;
	}
	if (!u->holding)
		return 0;
	u->holding = 0;
	touch_to(u, (u->buttons & UINPUT_BTN_TOUCHING) != 0, u->touch_x,
	    u->touch_y);
	return ev_flush(u, &u->ptr);
}

static int
uinput_release_all(void *state)
{
	struct uinput *u = state;

	/* Keys and buttons came up through key() and pointer(); a long
	 * press still running ends now. */
	if (u->mode != SINK_POINTER_TOUCH || !u->holding)
		return 0;
	u->holding = 0;
	if (timer_set(u, 0) < 0)
		return -1;
	touch_to(u, 0, u->touch_x, u->touch_y);
	return ev_flush(u, &u->ptr);
}

static int
uinput_led_fd(void *state)
{
	return ((struct uinput *)state)->kbd.fd;
}

/*
 * The kernel writes an EV_LED event to the keyboard's descriptor when the
 * machine sets a LED (the console's Caps Lock, a compositor's keymap).
 */
static int
uinput_read_leds(void *state, uint32_t *leds)
{
	static const struct {
		uint16_t	code;
		uint32_t	bit;
	} map[] = {
		{ LED_NUML, IPC_LED_NUM_LOCK },
		{ LED_CAPSL, IPC_LED_CAPS_LOCK },
		{ LED_SCROLLL, IPC_LED_SCROLL_LOCK },
	};
	struct uinput *u = state;
	struct input_event ev[16];
	int seen = 0;
	ssize_t n;

	for (;;) {
		n = read(u->kbd.fd, ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0 || n % (ssize_t)sizeof(ev[0]) != 0) {
			if (n < 0)
				log_warn("uinput: %s: read", u->kbd.name);
			else
				log_warnx("uinput: %s: read %zd bytes",
				    u->kbd.name, n);
			return -1;
		}
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			if (ev[i].type != EV_LED)
				continue;
			for (size_t j = 0; j < sizeof(map) / sizeof(map[0]);
			    j++) {
				if (ev[i].code != map[j].code)
					continue;
				if (ev[i].value)
					u->leds |= map[j].bit;
				else
					u->leds &= ~map[j].bit;
				seen = 1;
			}
		}
	}
	*leds = u->leds;
	return seen;
}

/* Why a node cannot be opened, and what to do about it. */
static void
open_error(const char *node, int error, char *why, size_t whylen)
{
	const char *hint = "";

	if (error == ENOENT || error == ENODEV || error == ENXIO)
		hint = " (modprobe uinput?)";
	else if (error == EACCES || error == EPERM)
		hint = " (rampart-input must be root, or a user that may "
		    "write it)";
	snprintf(why, whylen, "%s: %s%s", node, strerror(error), hint);
}

static int
dev_create(struct uinput_dev *d, const char *node, struct libevdev *dev,
    char *why, size_t whylen)
{
	int r;

	d->name = libevdev_get_name(dev);
	if ((d->fd = open(node, O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0) {
		open_error(node, errno, why, whylen);
		return -1;
	}
	if ((r = libevdev_uinput_create_from_device(dev, d->fd,
	    &d->ui)) < 0) {
		snprintf(why, whylen, "%s: cannot create \"%s\": %s", node,
		    d->name, strerror(-r));
		close(d->fd);
		d->fd = -1;
		d->ui = NULL;
		return -1;
	}
	log_info("uinput: \"%s\" is %s", d->name,
	    libevdev_uinput_get_devnode(d->ui) != NULL ?
	    libevdev_uinput_get_devnode(d->ui) : "(no node yet)");
	return 0;
}

static int
enable_abs(struct libevdev *dev, uint16_t code, int min, int max)
{
	struct input_absinfo abs = { .minimum = min, .maximum = max };

	return libevdev_enable_event_code(dev, EV_ABS, code, &abs);
}

/* The keyboard's description.  0, or -1 if libevdev refused any. */
static int
describe_keyboard(struct libevdev *dev)
{
	int r = 0;

	libevdev_set_name(dev, UINPUT_KEYBOARD_NAME);
	libevdev_set_id_bustype(dev, UINPUT_BUS);
	libevdev_set_id_vendor(dev, UINPUT_VENDOR);
	libevdev_set_id_product(dev, UINPUT_PRODUCT_KEYBOARD);
	libevdev_set_id_version(dev, 1);
	for (unsigned int code = 1; code <= 255; code++)
		r |= libevdev_enable_event_code(dev, EV_KEY, code, NULL);
	r |= libevdev_enable_event_code(dev, EV_KEY, KEY_POWER2, NULL);
	r |= libevdev_enable_event_code(dev, EV_LED, LED_NUML, NULL);
	r |= libevdev_enable_event_code(dev, EV_LED, LED_CAPSL, NULL);
	r |= libevdev_enable_event_code(dev, EV_LED, LED_SCROLLL, NULL);
	/* uinput takes no delay and period: the kernel's 250 and 33 ms. */
	r |= libevdev_enable_event_type(dev, EV_REP);
	return r != 0 ? -1 : 0;
}

static int
describe_pointer(struct libevdev *dev, enum sink_pointer_mode mode)
{
	static const uint16_t wheels[] = { REL_WHEEL, REL_HWHEEL,
	    REL_WHEEL_HI_RES, REL_HWHEEL_HI_RES };
	int r = 0;

	libevdev_set_id_bustype(dev, UINPUT_BUS);
	libevdev_set_id_vendor(dev, UINPUT_VENDOR);
	libevdev_set_id_product(dev, UINPUT_PRODUCT_POINTER + mode);
	libevdev_set_id_version(dev, 1);
	if (mode == SINK_POINTER_TOUCH) {
		libevdev_set_name(dev, UINPUT_TOUCH_NAME);
		r |= libevdev_enable_property(dev, INPUT_PROP_DIRECT);
		r |= libevdev_enable_event_code(dev, EV_KEY, BTN_TOUCH, NULL);
		r |= enable_abs(dev, ABS_X, 0, UINPUT_ABS_MAX);
		r |= enable_abs(dev, ABS_Y, 0, UINPUT_ABS_MAX);
		r |= enable_abs(dev, ABS_MT_SLOT, 0, 0);
		r |= enable_abs(dev, ABS_MT_TRACKING_ID, 0, 65535);
		r |= enable_abs(dev, ABS_MT_POSITION_X, 0, UINPUT_ABS_MAX);
		r |= enable_abs(dev, ABS_MT_POSITION_Y, 0, UINPUT_ABS_MAX);
		return r != 0 ? -1 : 0;
	}
	libevdev_set_name(dev, mode == SINK_POINTER_MOUSE ?
	    UINPUT_MOUSE_NAME : UINPUT_TABLET_NAME);
	r |= libevdev_enable_property(dev, INPUT_PROP_POINTER);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		r |= libevdev_enable_event_code(dev, EV_KEY, buttons[i].code,
		    NULL);
	for (size_t i = 0; i < sizeof(wheels) / sizeof(wheels[0]); i++)
		r |= libevdev_enable_event_code(dev, EV_REL, wheels[i], NULL);
	if (mode == SINK_POINTER_MOUSE) {
		r |= libevdev_enable_event_code(dev, EV_REL, REL_X, NULL);
		r |= libevdev_enable_event_code(dev, EV_REL, REL_Y, NULL);
	} else {
		r |= enable_abs(dev, ABS_X, 0, UINPUT_ABS_MAX);
		r |= enable_abs(dev, ABS_Y, 0, UINPUT_ABS_MAX);
	}
	return r != 0 ? -1 : 0;
}

static void
uinput_close(void *state)
{
	struct uinput *u = state;

	/*
	 * Closing the descriptor destroys the device (the kernel releases
	 * its keys and buttons).  libevdev_uinput_destroy() would first
	 * ask for UI_DEV_DESTROY, an ioctl the sandbox does not allow: its
	 * small record is left to the end of the process.
	 */
	if (u->kbd.fd >= 0)
		close(u->kbd.fd);
	if (u->ptr.fd >= 0)
		close(u->ptr.fd);
	if (u->timer_fd >= 0)
		close(u->timer_fd);
	free(u);
}

/* Before the sandbox, where destroying a half-made sink may ioctl. */
static void
undo_open(struct uinput *u)
{
	libevdev_uinput_destroy(u->kbd.ui);
	libevdev_uinput_destroy(u->ptr.ui);
	u->kbd.ui = u->ptr.ui = NULL;
	uinput_close(u);
}

void *
uinput_open_node(const char *node, const struct sink_options *o, char *why,
    size_t whylen)
{
	struct libevdev *kbd = NULL, *ptr = NULL;
	struct uinput *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	u->kbd.fd = u->ptr.fd = u->timer_fd = -1;
	u->mode = o != NULL ? o->pointer : SINK_POINTER_TABLET;
	u->tracking_id = -1;
	if ((kbd = libevdev_new()) == NULL || (ptr = libevdev_new()) == NULL ||
	    describe_keyboard(kbd) < 0 || describe_pointer(ptr, u->mode) < 0) {
		snprintf(why, whylen, "libevdev cannot describe the devices");
		goto fail;
	}
	if (u->mode == SINK_POINTER_TOUCH && (u->timer_fd = timerfd_create(
	    CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0) {
		snprintf(why, whylen, "timerfd_create: %s", strerror(errno));
		goto fail;
	}
	if (dev_create(&u->kbd, node, kbd, why, whylen) < 0 ||
	    dev_create(&u->ptr, node, ptr, why, whylen) < 0)
		goto fail;
	/* The devices keep copies of the names. */
	u->kbd.name = UINPUT_KEYBOARD_NAME;
	u->ptr.name = u->mode == SINK_POINTER_TOUCH ? UINPUT_TOUCH_NAME :
	    u->mode == SINK_POINTER_MOUSE ? UINPUT_MOUSE_NAME :
	    UINPUT_TABLET_NAME;
	libevdev_free(kbd);
	libevdev_free(ptr);
	return u;
fail:
	libevdev_free(kbd);
	libevdev_free(ptr);
	undo_open(u);
	return NULL;
}

static void *
uinput_open(const char *arg, const struct sink_options *o, char *why,
    size_t whylen)
{
	return uinput_open_node(UINPUT_NODE, o, why, whylen);
}

/* After open: write() and read() of descriptors it holds, a timerfd's
 * settime, all in the input helper's base policy.  No ioctl, no
 * capability: the devices exist, and rampart-input keeps no CAP_*. */
static const struct sandbox_needs uinput_needs = { 0 };

const struct sink_ops sink_uinput = {
	.open = uinput_open,
	.key = uinput_key,
	.pointer = uinput_pointer,
	.screen = uinput_screen,
	.release_all = uinput_release_all,
	.close = uinput_close,
	.led_fd = uinput_led_fd,
	.read_leds = uinput_read_leds,
	.timer_fd = uinput_timer_fd,
	.on_timer = uinput_on_timer,
	.needs = &uinput_needs,
};
