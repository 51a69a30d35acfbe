/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB HID gadget sink (--input hidg:KEYBOARD[,POINTER]): reports
 * written to the /dev/hidgN of the functions that
 * contrib/rampart-hid-gadget creates, whose report descriptors are the
 * other half of the layouts below.
 *
 * Keyboard, the boot report of HID 1.11 appendix B.1, 8 bytes:
 *	byte 0		modifier bits (Left Control .. Right GUI)
 *	byte 1		0
 *	bytes 2-7	usages of the keys held, 0 for none; all six
 *			ErrorRollOver (the "phantom state") when more
 *			than six are held, as a real keyboard says it
 * Pointer, absolute, 7 bytes:
 *	byte 0		buttons 1-5: left, right, middle, back, forward
 *	bytes 1-2	X, 0 .. 32767, little endian (0xffff: no position)
 *	bytes 3-4	Y, the same
 *	byte 5		wheel notches, int8, > 0 up
 *	byte 6		horizontal wheel (AC Pan) notches, int8, > 0 right
 * The LED output report the host sends on the keyboard: 1 byte, bit 0
 * Num Lock, 1 Caps Lock, 2 Scroll Lock.
 *
 * A report is a state: the host keeps the last one.  What the device
 * cannot take now waits in a bounded queue per device (the oldest is
 * dropped when it is full, the newest never); a host that is not there
 * (no cable, no configuration: ESHUTDOWN) gets nothing until it comes
 * back, and then first a report of nothing held.
 */
#ifndef RAMPART_INPUT_HIDG_H
#define RAMPART_INPUT_HIDG_H

#include <stddef.h>
#include <stdint.h>

struct ipc_in_pointer;

#define HIDG_KEYBOARD_LEN	8
#define HIDG_POINTER_LEN	7
#define HIDG_REPORT_MAX		8
#define HIDG_QUEUE		32	/* reports waiting, per device */
#define HIDG_XY_MAX		32767
#define HIDG_XY_NONE		0xffff	/* out of range: "no value" */

/* The keyboard report of the keys held (a bitmap by Linux key code). */
void	hidg_keyboard_report(const uint8_t *held,
	    uint8_t report[HIDG_KEYBOARD_LEN]);
/*
 * The pointer report of an event: p's position (0 .. 65535 across the
 * upright screen) scaled to 0 .. 32767, its buttons and wheels.  Upright,
 * as a tablet's: the host maps an absolute pointer onto its desktop as it
 * shows it, which is what was captured.
 */
void	hidg_pointer_report(const struct ipc_in_pointer *p,
	    uint8_t report[HIDG_POINTER_LEN]);
/* IPC_LED_* of an LED output report of len bytes; -1 if it is not one. */
int	hidg_leds_of(const uint8_t *report, long len);

/*
 * The sink on descriptors already open (non-blocking), for the tests:
 * pointer -1 for a keyboard alone.  The sink owns them.  NULL with a
 * reason in why.
 */
void	*hidg_open_fds(int keyboard, int pointer, char *why, size_t whylen);

#endif
