/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB HID gadget sink: see input/hidg.h for the reports, and
 * doc/HID-GADGET.md.
 *
 * What the kernel's f_hid (Linux 6.1, drivers/usb/gadget/function/f_hid.c)
 * does with our descriptors, which this file relies on:
 * - write() queues one report on the interrupt IN endpoint and returns
 *   its length; while that report waits for the host to poll (1 ms at
 *   high speed, 10 ms at full speed; forever while the host is suspended
 *   or does not read that interface) the next write() fails with EAGAIN,
 *   and poll() says writable once it is gone.
 * - Before a host configured the gadget, and once it went away (cable
 *   out, UDC unbound: the function is disabled), write() fails at once
 *   with ESHUTDOWN and poll() does not say writable until a host
 *   configures it again.  The descriptor stays good across an unbind and
 *   a new bind of the UDC.
 * - read() gives the output reports the host sent (our LED byte), one
 *   at a time, EAGAIN when there is none.  Newer kernels (6.12, and
 *   stable kernels that took "wake up readers on disable/unbind") say
 *   readable while the function is disabled and fail read() with
 *   ESHUTDOWN: we then stop reading until the host is back.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/hid-usage.h"
#include "input/hidg.h"
#include "input/sink.h"

struct hidg_dev {
	const char	*name;		/* "keyboard", "pointer" */
	int		 fd;		/* -1: there is none */
	size_t		 len;		/* of a report */
	uint8_t		 queue[HIDG_QUEUE][HIDG_REPORT_MAX];
	unsigned int	 head, count;
	uint8_t		 state[HIDG_REPORT_MAX];	/* the newest report */
	int		 have_state;
	int		 gone;		/* no host: reports are dropped */
	int		 said_gone;	/* and the log said so */
	unsigned long	 dropped;	/* by a full queue, since said */
};

struct hidg {
	struct hidg_dev	 kbd, ptr;
	int		 said_no_pointer;
};

/* Errors of a write or read that mean "no host listens": wait for one. */
static int
host_gone(int error)
{
	return error == ESHUTDOWN || error == ENODEV || error == ENXIO ||
	    error == ECONNRESET || error == ECONNABORTED ||
	    error == ENOTCONN || error == EPIPE;
}

void
hidg_keyboard_report(const uint8_t *held, uint8_t r[HIDG_KEYBOARD_LEN])
{
	unsigned int n = 0;

	memset(r, 0, HIDG_KEYBOARD_LEN);
	/* Every key a keyboard has is below 256 (input.c's policy). */
	for (unsigned int code = 1; code < 256; code++) {
		uint8_t usage, bit;

		if (!sink_key_held(held, code) ||
		    (usage = hid_usage_of_key(code)) == 0)
			continue;
		if ((bit = hid_modifier_of_key(code)) != 0)
			r[0] |= bit;
		else if (n++ < 6)
			r[2 + n - 1] = usage;
	}
	/* More keys than slots: the host must not guess which, so all six
	 * say ErrorRollOver and it keeps the keys of the report before. */
	if (n > 6)
		memset(r + 2, HID_USAGE_ERROR_ROLL_OVER, 6);
}

/* 0 .. 65535 to 0 .. 32767, rounded: both ends stay ends. */
static uint16_t
scale(uint32_t v)
{
	return (uint16_t)((v * HIDG_XY_MAX + 32767) / 65535);
}

void
hidg_pointer_report(const struct ipc_in_pointer *p,
    uint8_t r[HIDG_POINTER_LEN])
{
	/* IPC's order is left, middle, right; HID's is left, right,
	 * middle (buttons 1, 2, 3), then back and forward. */
	static const struct {
		uint8_t	ipc, hid;
	} buttons[] = {
		{ IPC_BTN_LEFT, 0x01 }, { IPC_BTN_RIGHT, 0x02 },
		{ IPC_BTN_MIDDLE, 0x04 }, { IPC_BTN_SIDE, 0x08 },
		{ IPC_BTN_EXTRA, 0x10 },
	};
	uint16_t sx = scale(p->x), sy = scale(p->y);

	r[0] = 0;
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		if (p->buttons & buttons[i].ipc)
			r[0] |= buttons[i].hid;
	r[1] = (uint8_t)(sx & 0xff);
	r[2] = (uint8_t)(sx >> 8);
	r[3] = (uint8_t)(sy & 0xff);
	r[4] = (uint8_t)(sy >> 8);
	r[5] = (uint8_t)p->wheel;
	r[6] = (uint8_t)p->hwheel;
}

int
hidg_leds_of(const uint8_t *report, long len)
{
	int leds = 0;

	/* Our descriptor has no report id: the LED report is one byte.
	 * Anything else is not ours; bits 3-7 (Compose, Kana, padding)
	 * are not passed on. */
	if (len != 1)
		return -1;
	if (report[0] & 0x01)
		leds |= IPC_LED_NUM_LOCK;
	if (report[0] & 0x02)
		leds |= IPC_LED_CAPS_LOCK;
	if (report[0] & 0x04)
		leds |= IPC_LED_SCROLL_LOCK;
	return leds;
}

/* The report of nothing held: no key, no button, the pointer where it
 * is (or, never placed, at no position: the host leaves it). */
static void
rest_report(const struct hidg_dev *d, uint8_t *r)
{
	memset(r, 0, d->len);
	if (d->len != HIDG_POINTER_LEN)
		return;
	if (d->have_state)
		memcpy(r + 1, d->state + 1, 4);
	else
		memset(r + 1, 0xff, 4);
}

static void
enqueue(struct hidg_dev *d, const uint8_t *r)
{
	if (d->count == HIDG_QUEUE) {
		/* Reports are states: the oldest matters least, and the
		 * newest, appended below, is what the host ends with. */
		d->head = (d->head + 1) % HIDG_QUEUE;
		d->count--;
		if (d->dropped++ == 0)
			log_info("hidg %s: the host takes reports slower than "
			    "they come: dropping the oldest", d->name);
	}
	memcpy(d->queue[(d->head + d->count) % HIDG_QUEUE], r, d->len);
	d->count++;
}

/*
 * Write what waits: 0 when all is out, SINK_WOULD_BLOCK, or -1 with a
 * logged reason.
 */
static int
dev_flush(struct hidg_dev *d)
{
	uint8_t rest[HIDG_REPORT_MAX];

	if (d->fd < 0)
		return 0;
	if (d->gone) {
		/* Maybe back: a new host hears first that nothing is held,
		 * then what is held now. */
		d->head = d->count = 0;
		rest_report(d, rest);
		enqueue(d, rest);
		if (d->have_state && memcmp(d->state, rest, d->len) != 0)
			enqueue(d, d->state);
	}
	while (d->count > 0) {
		ssize_t n = write(d->fd, d->queue[d->head], d->len);

		if (n == (ssize_t)d->len) {
			d->head = (d->head + 1) % HIDG_QUEUE;
			d->count--;
			if (d->gone)
				log_info("hidg %s: a USB host listens again",
				    d->name);
			d->gone = d->said_gone = 0;
			continue;
		}
		if (n >= 0) {
			log_warnx("hidg %s: the device took %zd bytes of a "
			    "report of %zu: its report_length does not fit "
			    "(see contrib/rampart-hid-gadget)", d->name, n,
			    d->len);
			return -1;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ENOMEM)
			return SINK_WOULD_BLOCK;
		if (!host_gone(errno)) {
			log_warn("hidg %s: write", d->name);
			return -1;
		}
		if (!d->said_gone)
			log_info("hidg %s: no USB host listens (%s): reports "
			    "are dropped until one does", d->name,
			    strerror(errno));
		d->said_gone = d->gone = 1;
		d->head = d->count = 0;
		return SINK_WOULD_BLOCK;
	}
	if (d->dropped > 0)
		log_info("hidg %s: caught up, %lu reports were dropped",
		    d->name, d->dropped);
	d->dropped = 0;
	return 0;
}

/* A new state of the device; force: even if it is the one before. */
static int
dev_send(struct hidg_dev *d, const uint8_t *r, int force)
{
	if (!force && d->have_state && memcmp(d->state, r, d->len) == 0)
		return 0;
	memcpy(d->state, r, d->len);
	d->have_state = 1;
	/* While no host listens, only the state is kept; each new one
	 * still tries, in case the host came back unnoticed. */
	if (!d->gone)
		enqueue(d, r);
	return dev_flush(d);
}

static int
worst(int a, int b)
{
	if (a < 0 || b < 0)
		return -1;
	return a == SINK_WOULD_BLOCK || b == SINK_WOULD_BLOCK ?
	    SINK_WOULD_BLOCK : 0;
}

static int
hidg_key(void *state, uint16_t code, int down, const uint8_t *held)
{
	struct hidg *h = state;
	uint8_t r[HIDG_KEYBOARD_LEN];

	if (hid_usage_of_key(code) == 0) {
		log_debug("hidg: key %u has no USB usage: not sent", code);
		return 0;
	}
	hidg_keyboard_report(held, r);
	return dev_send(&h->kbd, r, 0);
}

static int
hidg_pointer(void *state, const struct ipc_in_pointer *p)
{
	struct hidg *h = state;
	uint8_t r[HIDG_POINTER_LEN];

	if (h->ptr.fd < 0) {
		if (!h->said_no_pointer)
			log_info("hidg: no pointer device "
			    "(hidg:KEYBOARD,POINTER): pointer events dropped");
		h->said_no_pointer = 1;
		return 0;
	}
	hidg_pointer_report(p, r);
	/* A wheel notch is an event, not a state: never merged away. */
	return dev_send(&h->ptr, r, p->wheel != 0 || p->hwheel != 0);
}

static int
hidg_release_all(void *state)
{
	struct hidg *h = state;
	uint8_t r[HIDG_REPORT_MAX];
	int rk, rp = 0;

	/* input.c released each key and button already; these make sure
	 * of it, whatever the reports before said. */
	rest_report(&h->kbd, r);
	rk = dev_send(&h->kbd, r, 1);
	if (h->ptr.fd >= 0 && h->ptr.have_state) {
		rest_report(&h->ptr, r);
		rp = dev_send(&h->ptr, r, 1);
	}
	return worst(rk, rp);
}

static int
hidg_write_fd(void *state)
{
	struct hidg *h = state;

	/* The keyboard first: a host that never reads the pointer (a
	 * firmware setup screen with a boot keyboard driver only) must not
	 * hold the keys back. */
	if (h->kbd.count > 0 || h->kbd.gone)
		return h->kbd.fd;
	if (h->ptr.fd >= 0 && (h->ptr.count > 0 || h->ptr.gone))
		return h->ptr.fd;
	return h->kbd.fd;
}

static int
hidg_flush(void *state)
{
	struct hidg *h = state;
	int rk = dev_flush(&h->kbd);

	return worst(rk, dev_flush(&h->ptr));
}

static int
hidg_led_fd(void *state)
{
	struct hidg *h = state;

	return h->kbd.fd;
}

static int
hidg_read_leds(void *state, uint32_t *leds)
{
	struct hidg *h = state;
	uint8_t buf[64];
	ssize_t n;
	int l;

	if ((n = read(h->kbd.fd, buf, sizeof(buf))) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (!host_gone(errno)) {
			log_warn("hidg keyboard: read");
			return -1;
		}
		/* The host went away: read again once it is back, which
		 * the keyboard's writes tell. */
		if (!h->kbd.gone)
			log_info("hidg keyboard: the USB host went away");
		h->kbd.gone = h->kbd.said_gone = 1;
		h->kbd.head = h->kbd.count = 0;
		return SINK_LEDS_GONE;
	}
	/* From the host: untrusted, taken only in its exact form. */
	if ((l = hidg_leds_of(buf, (long)n)) < 0) {
		log_debug("hidg keyboard: an output report of %zd bytes is "
		    "not an LED report: ignored", n);
		return 0;
	}
	*leds = (uint32_t)l;
	return 1;
}

static void
hidg_close(void *state)
{
	struct hidg *h = state;

	if (h->kbd.fd >= 0)
		close(h->kbd.fd);
	if (h->ptr.fd >= 0)
		close(h->ptr.fd);
	free(h);
}

void *
hidg_open_fds(int keyboard, int pointer, char *why, size_t whylen)
{
	struct hidg *h;
	uint8_t r[HIDG_REPORT_MAX];

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	h->kbd.name = "keyboard";
	h->kbd.fd = keyboard;
	h->kbd.len = HIDG_KEYBOARD_LEN;
	h->ptr.name = "pointer";
	h->ptr.fd = pointer;
	h->ptr.len = HIDG_POINTER_LEN;
	/*
	 * A helper before us may have died with keys down: a host that is
	 * there hears at once that nothing is held (the pointer's buttons
	 * go up where it is).  What the device cannot take now goes with
	 * the next event.
	 */
	rest_report(&h->kbd, r);
	if (dev_send(&h->kbd, r, 1) < 0)
		goto fail;
	if (pointer >= 0) {
		rest_report(&h->ptr, r);
		if (dev_send(&h->ptr, r, 1) < 0)
			goto fail;
		/* A position of nothing is no state to come back to. */
		h->ptr.have_state = 0;
	}
	return h;
fail:
	snprintf(why, whylen, "cannot write a report of nothing held "
	    "(see the line before)");
	free(h);
	return NULL;
}

/* The major number of f_hid's devices ("hidg" in /proc/devices), or -1. */
static int
hidg_major(void)
{
	char line[128], name[64];
	FILE *f = fopen("/proc/devices", "re");
	int major = -1, m;

	if (f == NULL)
		return -1;
	/* Character devices come first; block devices after a blank. */
	while (fgets(line, sizeof(line), f) != NULL && line[0] != '\n')
		if (sscanf(line, "%d %63s", &m, name) == 2 &&
		    strcmp(name, "hidg") == 0)
			major = m;
	fclose(f);
	return major;
}

static int
open_device(const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd, want;

	if ((fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (contrib/rampart-hid-gadget creates "
		    "the gadget)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		snprintf(why, whylen, "%s: not a character device", path);
		close(fd);
		return -1;
	}
	/* Another device (/dev/null, a tty) would take reports and give
	 * end of file forever where LED reports are read. */
	if ((want = hidg_major()) < 0 || (int)major(st.st_rdev) != want) {
		snprintf(why, whylen, "%s: not a USB HID gadget device "
		    "(major %u; %s)", path, major(st.st_rdev), want < 0 ?
		    "no hidg devices in /proc/devices: is usb_f_hid loaded?" :
		    "f_hid's is another");
		close(fd);
		return -1;
	}
	return fd;
}

/* "KEYBOARD[,POINTER]": the two /dev/hidgN, keyboard first. */
static void *
hidg_open(const char *arg, const struct sink_options *o, char *why,
    size_t whylen)
{
	char kbd[256], *comma;
	int kfd, pfd = -1;
	void *h;

	if (arg == NULL || *arg == '\0' || strlen(arg) >= sizeof(kbd)) {
		snprintf(why, whylen, "hidg needs its devices: "
		    "hidg:/dev/hidgK[,/dev/hidgP] (keyboard, pointer)");
		return NULL;
	}
	memcpy(kbd, arg, strlen(arg) + 1);
	if ((comma = strchr(kbd, ',')) != NULL) {
		*comma = '\0';
		if (comma[1] == '\0' || strchr(comma + 1, ',') != NULL ||
		    kbd[0] == '\0') {
			snprintf(why, whylen, "hidg:%s: expected "
			    "hidg:KEYBOARD[,POINTER]", arg);
			return NULL;
		}
	}
	if (o != NULL && o->pointer != SINK_POINTER_TABLET)
		log_warnx("hidg: the pointer is an absolute one; --pointer "
		    "touch or mouse has no meaning here");
	if ((kfd = open_device(kbd, why, whylen)) < 0)
		return NULL;
	if (comma != NULL &&
	    (pfd = open_device(comma + 1, why, whylen)) < 0) {
		close(kfd);
		return NULL;
	}
	if ((h = hidg_open_fds(kfd, pfd, why, whylen)) == NULL) {
		close(kfd);
		if (pfd >= 0)
			close(pfd);
		return NULL;
	}
	log_info("hidg: keyboard %s%s%s", kbd, comma != NULL ?
	    ", pointer " : " (no pointer)", comma != NULL ? comma + 1 : "");
	return h;
}

const struct sink_ops sink_hidg = {
	.open = hidg_open,
	.key = hidg_key,
	.pointer = hidg_pointer,
	.release_all = hidg_release_all,
	.close = hidg_close,
	.write_fd = hidg_write_fd,
	.flush = hidg_flush,
	.led_fd = hidg_led_fd,
	.read_leds = hidg_read_leds,
	/* Only read and write on the two descriptors opened at start: no
	 * ioctl, no capability. */
	.needs = NULL,
};
