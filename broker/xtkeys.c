/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XT scancodes, as the QEMU Extended Key Event carries them, to Linux key
 * codes.  rfbproto.rst: a one-byte make code of scancode set 1 is itself,
 * a two-byte one (0xe0 then a byte below 0x80) is that byte with the high
 * bit set; Print/SysRq is 0x54 (0xb7 accepted as the same), Pause is 0xc6.
 *
 * Below 0x54 set 1 and Linux number the keys alike (KEY_ESC is 1, KEY_KPDOT
 * 83): the codes the kernel's AT keyboard driver gives in its translated
 * mode.  Past that, and for the 0xe0 keys, the codes are those of the PC
 * keyboards that have the key (the Japanese and Brazilian keys, F13-F24,
 * and the "Windows" multimedia keys of Microsoft's scan code tables).
 */
#include "config.h"

#include <linux/input-event-codes.h>

#include "broker/keymap.h"

/* One-byte codes from 0x54 on. */
static const uint16_t xt_high[0x80 - 0x54] = {
	[0x54 - 0x54] = KEY_SYSRQ,	/* Alt+Print on an XT, Print for RFB */
	[0x55 - 0x54] = KEY_F16,
	[0x56 - 0x54] = KEY_102ND,	/* the key left of Z on ISO keyboards */
	[0x57 - 0x54] = KEY_F11,
	[0x58 - 0x54] = KEY_F12,
	[0x59 - 0x54] = KEY_KPEQUAL,
	[0x5a - 0x54] = KEY_F20,
	[0x5c - 0x54] = KEY_KPJPCOMMA,
	[0x5d - 0x54] = KEY_F13,
	[0x5e - 0x54] = KEY_F14,
	[0x5f - 0x54] = KEY_F15,
	[0x6d - 0x54] = KEY_F23,
	[0x6f - 0x54] = KEY_F24,
	[0x70 - 0x54] = KEY_KATAKANAHIRAGANA,
	[0x73 - 0x54] = KEY_RO,
	[0x74 - 0x54] = KEY_F21,
	[0x76 - 0x54] = KEY_ZENKAKUHANKAKU,
	[0x77 - 0x54] = KEY_HIRAGANA,
	[0x78 - 0x54] = KEY_KATAKANA,
	[0x79 - 0x54] = KEY_HENKAN,
	[0x7b - 0x54] = KEY_MUHENKAN,
	[0x7d - 0x54] = KEY_YEN,
	[0x7e - 0x54] = KEY_KPCOMMA,
};

/* Two-byte codes, 0xe0 XX, indexed by XX. */
static const uint16_t xt_e0[0x80] = {
	[0x10] = KEY_PREVIOUSSONG,
	[0x19] = KEY_NEXTSONG,
	[0x1c] = KEY_KPENTER,
	[0x1d] = KEY_RIGHTCTRL,
	[0x20] = KEY_MUTE,
	[0x21] = KEY_CALC,
	[0x22] = KEY_PLAYPAUSE,
	[0x24] = KEY_STOPCD,
	[0x2e] = KEY_VOLUMEDOWN,
	[0x30] = KEY_VOLUMEUP,
	[0x32] = KEY_HOMEPAGE,
	[0x35] = KEY_KPSLASH,
	[0x37] = KEY_SYSRQ,		/* Print Screen, 0xb7 */
	[0x38] = KEY_RIGHTALT,
	[0x46] = KEY_PAUSE,		/* Pause, 0xc6 (Ctrl+Break on an XT) */
	[0x47] = KEY_HOME,
	[0x48] = KEY_UP,
	[0x49] = KEY_PAGEUP,
	[0x4b] = KEY_LEFT,
	[0x4d] = KEY_RIGHT,
	[0x4f] = KEY_END,
	[0x50] = KEY_DOWN,
	[0x51] = KEY_PAGEDOWN,
	[0x52] = KEY_INSERT,
	[0x53] = KEY_DELETE,
	[0x5b] = KEY_LEFTMETA,
	[0x5c] = KEY_RIGHTMETA,
	[0x5d] = KEY_COMPOSE,		/* the Menu key */
	[0x5e] = KEY_POWER,
	[0x5f] = KEY_SLEEP,
	[0x63] = KEY_WAKEUP,
	[0x65] = KEY_SEARCH,
	[0x66] = KEY_BOOKMARKS,
	[0x67] = KEY_REFRESH,
	[0x68] = KEY_STOP,
	[0x69] = KEY_FORWARD,
	[0x6a] = KEY_BACK,
	[0x6b] = KEY_COMPUTER,
	[0x6c] = KEY_MAIL,
	[0x6d] = KEY_MEDIA,
};

uint16_t
keymap_xt_code(uint32_t xt)
{
	if (xt == 0 || xt > 0xff)
		return 0;
	if (xt < 0x54)
		return (uint16_t)xt;
	if (xt < 0x80)
		return xt_high[xt - 0x54];
	return xt_e0[xt & 0x7f];
}
