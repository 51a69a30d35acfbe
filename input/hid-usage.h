/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux key codes as a USB keyboard says them: usages of the HID
 * Keyboard/Keypad page (0x07, HID Usage Tables 1.12 section 10), and the
 * eight modifiers as the bits of a boot keyboard report's first byte.
 *
 * The map is the inverse of what a Linux host does with page 0x07
 * (hid-input's table), so that a key pressed through the gadget arrives on
 * a Linux host as the same code; where several usages give one code
 * (0x31 and 0x32 both give KEY_BACKSLASH, three give KEY_DELETE) the one a
 * PC keyboard sends is taken.  Other hosts read the same usages the same
 * way: they are the HID standard's.
 */
#ifndef RAMPART_INPUT_HID_USAGE_H
#define RAMPART_INPUT_HID_USAGE_H

#include <stdint.h>

#define HID_USAGE_ERROR_ROLL_OVER	0x01	/* more keys than fit */
#define HID_USAGE_LEFT_CONTROL		0xe0	/* the first modifier */
#define HID_USAGE_RIGHT_GUI		0xe7	/* the last */

/*
 * The usage of a Linux key code (the modifiers' too: 0xe0 .. 0xe7), or 0
 * for a code no USB keyboard can send.
 */
uint8_t		hid_usage_of_key(unsigned int code);
/* The bit of a modifier key in a boot report's first byte, else 0. */
uint8_t		hid_modifier_of_key(unsigned int code);
/* The Linux key code of a usage (the inverse), or 0. */
unsigned int	hid_key_of_usage(uint8_t usage);

#endif
