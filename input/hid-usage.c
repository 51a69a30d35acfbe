/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stddef.h>

#include <linux/input-event-codes.h>

#include "input/hid-usage.h"

/*
 * Indexed by Linux key code (every code a keyboard has is below 256).
 * The usages are the names of HID Usage Tables 1.12, section 10.
 */
static const uint8_t usages[256] = {
	/* Letters: Keyboard a .. z are 0x04 .. 0x1d. */
	[KEY_A] = 0x04, [KEY_B] = 0x05, [KEY_C] = 0x06, [KEY_D] = 0x07,
	[KEY_E] = 0x08, [KEY_F] = 0x09, [KEY_G] = 0x0a, [KEY_H] = 0x0b,
	[KEY_I] = 0x0c, [KEY_J] = 0x0d, [KEY_K] = 0x0e, [KEY_L] = 0x0f,
	[KEY_M] = 0x10, [KEY_N] = 0x11, [KEY_O] = 0x12, [KEY_P] = 0x13,
	[KEY_Q] = 0x14, [KEY_R] = 0x15, [KEY_S] = 0x16, [KEY_T] = 0x17,
	[KEY_U] = 0x18, [KEY_V] = 0x19, [KEY_W] = 0x1a, [KEY_X] = 0x1b,
	[KEY_Y] = 0x1c, [KEY_Z] = 0x1d,
	/* Digits: 1 .. 9 then 0, 0x1e .. 0x27. */
	[KEY_1] = 0x1e, [KEY_2] = 0x1f, [KEY_3] = 0x20, [KEY_4] = 0x21,
	[KEY_5] = 0x22, [KEY_6] = 0x23, [KEY_7] = 0x24, [KEY_8] = 0x25,
	[KEY_9] = 0x26, [KEY_0] = 0x27,
	[KEY_ENTER] = 0x28,		/* Return (ENTER) */
	[KEY_ESC] = 0x29,
	[KEY_BACKSPACE] = 0x2a,		/* DELETE (Backspace) */
	[KEY_TAB] = 0x2b,
	[KEY_SPACE] = 0x2c,
	[KEY_MINUS] = 0x2d,
	[KEY_EQUAL] = 0x2e,
	[KEY_LEFTBRACE] = 0x2f,
	[KEY_RIGHTBRACE] = 0x30,
	[KEY_BACKSLASH] = 0x31,		/* 0x32, Non-US # and ~, too */
	[KEY_SEMICOLON] = 0x33,
	[KEY_APOSTROPHE] = 0x34,
	[KEY_GRAVE] = 0x35,
	[KEY_COMMA] = 0x36,
	[KEY_DOT] = 0x37,
	[KEY_SLASH] = 0x38,
	[KEY_CAPSLOCK] = 0x39,
	/* F1 .. F12: 0x3a .. 0x45. */
	[KEY_F1] = 0x3a, [KEY_F2] = 0x3b, [KEY_F3] = 0x3c, [KEY_F4] = 0x3d,
	[KEY_F5] = 0x3e, [KEY_F6] = 0x3f, [KEY_F7] = 0x40, [KEY_F8] = 0x41,
	[KEY_F9] = 0x42, [KEY_F10] = 0x43, [KEY_F11] = 0x44, [KEY_F12] = 0x45,
	[KEY_SYSRQ] = 0x46,		/* PrintScreen; SysRq with Alt */
	[KEY_SCROLLLOCK] = 0x47,
	[KEY_PAUSE] = 0x48,
	[KEY_INSERT] = 0x49,
	[KEY_HOME] = 0x4a,
	[KEY_PAGEUP] = 0x4b,
	[KEY_DELETE] = 0x4c,		/* Delete Forward */
	[KEY_END] = 0x4d,
	[KEY_PAGEDOWN] = 0x4e,
	[KEY_RIGHT] = 0x4f,
	[KEY_LEFT] = 0x50,
	[KEY_DOWN] = 0x51,
	[KEY_UP] = 0x52,
	/* The keypad. */
	[KEY_NUMLOCK] = 0x53,		/* Keypad Num Lock and Clear */
	[KEY_KPSLASH] = 0x54,
	[KEY_KPASTERISK] = 0x55,
	[KEY_KPMINUS] = 0x56,
	[KEY_KPPLUS] = 0x57,
	[KEY_KPENTER] = 0x58,
	[KEY_KP1] = 0x59, [KEY_KP2] = 0x5a, [KEY_KP3] = 0x5b,
	[KEY_KP4] = 0x5c, [KEY_KP5] = 0x5d, [KEY_KP6] = 0x5e,
	[KEY_KP7] = 0x5f, [KEY_KP8] = 0x60, [KEY_KP9] = 0x61,
	[KEY_KP0] = 0x62,
	[KEY_KPDOT] = 0x63,
	[KEY_102ND] = 0x64,		/* Non-US \ and |, beside left Shift */
	[KEY_COMPOSE] = 0x65,		/* Application: the Menu key */
	[KEY_POWER] = 0x66,
	[KEY_KPEQUAL] = 0x67,
	/* F13 .. F24: 0x68 .. 0x73. */
	[KEY_F13] = 0x68, [KEY_F14] = 0x69, [KEY_F15] = 0x6a,
	[KEY_F16] = 0x6b, [KEY_F17] = 0x6c, [KEY_F18] = 0x6d,
	[KEY_F19] = 0x6e, [KEY_F20] = 0x6f, [KEY_F21] = 0x70,
	[KEY_F22] = 0x71, [KEY_F23] = 0x72, [KEY_F24] = 0x73,
	/* The Sun-style keys, as Linux names them. */
	[KEY_OPEN] = 0x74,		/* Execute */
	[KEY_HELP] = 0x75,
	[KEY_PROPS] = 0x76,		/* Menu */
	[KEY_FRONT] = 0x77,		/* Select */
	[KEY_STOP] = 0x78,
	[KEY_AGAIN] = 0x79,
	[KEY_UNDO] = 0x7a,
	[KEY_CUT] = 0x7b,
	[KEY_COPY] = 0x7c,
	[KEY_PASTE] = 0x7d,
	[KEY_FIND] = 0x7e,
	[KEY_MUTE] = 0x7f,
	[KEY_VOLUMEUP] = 0x80,
	[KEY_VOLUMEDOWN] = 0x81,
	[KEY_KPCOMMA] = 0x85,		/* Keypad Comma (Brazil) */
	/* Japanese keyboards: International 1 .. 6. */
	[KEY_RO] = 0x87,
	[KEY_KATAKANAHIRAGANA] = 0x88,
	[KEY_YEN] = 0x89,
	[KEY_HENKAN] = 0x8a,
	[KEY_MUHENKAN] = 0x8b,
	[KEY_KPJPCOMMA] = 0x8c,
	/* LANG1 .. LANG5: Korean, then Japanese. */
	[KEY_HANGEUL] = 0x90,
	[KEY_HANJA] = 0x91,
	[KEY_KATAKANA] = 0x92,
	[KEY_HIRAGANA] = 0x93,
	[KEY_ZENKAKUHANKAKU] = 0x94,
	[KEY_KPLEFTPAREN] = 0xb6,
	[KEY_KPRIGHTPAREN] = 0xb7,
	/* The modifiers, 0xe0 .. 0xe7: bit (usage - 0xe0) of byte 0. */
	[KEY_LEFTCTRL] = 0xe0,
	[KEY_LEFTSHIFT] = 0xe1,
	[KEY_LEFTALT] = 0xe2,
	[KEY_LEFTMETA] = 0xe3,		/* Left GUI */
	[KEY_RIGHTCTRL] = 0xe4,
	[KEY_RIGHTSHIFT] = 0xe5,
	[KEY_RIGHTALT] = 0xe6,
	[KEY_RIGHTMETA] = 0xe7,
};

uint8_t
hid_usage_of_key(unsigned int code)
{
	return code < sizeof(usages) ? usages[code] : 0;
}

uint8_t
hid_modifier_of_key(unsigned int code)
{
	uint8_t u = hid_usage_of_key(code);

	if (u < HID_USAGE_LEFT_CONTROL || u > HID_USAGE_RIGHT_GUI)
		return 0;
	return (uint8_t)(1u << (u - HID_USAGE_LEFT_CONTROL));
}

unsigned int
hid_key_of_usage(uint8_t usage)
{
	if (usage == 0)
		return 0;
	for (unsigned int code = 0; code < sizeof(usages); code++)
		if (usages[code] == usage)
			return code;
	return 0;
}
