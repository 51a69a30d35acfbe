/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stddef.h>

#include <rfb/keysym.h>

#include "broker/keymap.h"

/*
 * The keys of a US keyboard: the fallback when no XKB data can be read,
 * and the keys whose keysyms are the same on every layout (keypad,
 * function, editing and modifier keys, the multimedia keys), which the
 * XKB keymap may give only at levels we do not press (Sys_Req is
 * Alt+Print) or on keys no keyboard has (Meta_L on XKB's <META>).
 * Printable ASCII is here (of Latin-1, the only part a US keyboard types).
 */

struct ascii_key {
	uint16_t	code;
	uint8_t		shift;
};

static const struct ascii_key ascii_keys[0x7f] = {
	[' '] = { KEY_SPACE, 0 },
	['!'] = { KEY_1, 1 },
	['"'] = { KEY_APOSTROPHE, 1 },
	['#'] = { KEY_3, 1 },
	['$'] = { KEY_4, 1 },
	['%'] = { KEY_5, 1 },
	['&'] = { KEY_7, 1 },
	['\''] = { KEY_APOSTROPHE, 0 },
	['('] = { KEY_9, 1 },
	[')'] = { KEY_0, 1 },
	['*'] = { KEY_8, 1 },
	['+'] = { KEY_EQUAL, 1 },
	[','] = { KEY_COMMA, 0 },
	['-'] = { KEY_MINUS, 0 },
	['.'] = { KEY_DOT, 0 },
	['/'] = { KEY_SLASH, 0 },
	['0'] = { KEY_0, 0 },
	['1'] = { KEY_1, 0 },
	['2'] = { KEY_2, 0 },
	['3'] = { KEY_3, 0 },
	['4'] = { KEY_4, 0 },
	['5'] = { KEY_5, 0 },
	['6'] = { KEY_6, 0 },
	['7'] = { KEY_7, 0 },
	['8'] = { KEY_8, 0 },
	['9'] = { KEY_9, 0 },
	[':'] = { KEY_SEMICOLON, 1 },
	[';'] = { KEY_SEMICOLON, 0 },
	['<'] = { KEY_COMMA, 1 },
	['='] = { KEY_EQUAL, 0 },
	['>'] = { KEY_DOT, 1 },
	['?'] = { KEY_SLASH, 1 },
	['@'] = { KEY_2, 1 },
	['['] = { KEY_LEFTBRACE, 0 },
	['\\'] = { KEY_BACKSLASH, 0 },
	[']'] = { KEY_RIGHTBRACE, 0 },
	['^'] = { KEY_6, 1 },
	['_'] = { KEY_MINUS, 1 },
	['`'] = { KEY_GRAVE, 0 },
	['{'] = { KEY_LEFTBRACE, 1 },
	['|'] = { KEY_BACKSLASH, 1 },
	['}'] = { KEY_RIGHTBRACE, 1 },
	['~'] = { KEY_GRAVE, 1 },
	['a'] = { KEY_A, 0 },
	['b'] = { KEY_B, 0 },
	['c'] = { KEY_C, 0 },
	['d'] = { KEY_D, 0 },
	['e'] = { KEY_E, 0 },
	['f'] = { KEY_F, 0 },
	['g'] = { KEY_G, 0 },
	['h'] = { KEY_H, 0 },
	['i'] = { KEY_I, 0 },
	['j'] = { KEY_J, 0 },
	['k'] = { KEY_K, 0 },
	['l'] = { KEY_L, 0 },
	['m'] = { KEY_M, 0 },
	['n'] = { KEY_N, 0 },
	['o'] = { KEY_O, 0 },
	['p'] = { KEY_P, 0 },
	['q'] = { KEY_Q, 0 },
	['r'] = { KEY_R, 0 },
	['s'] = { KEY_S, 0 },
	['t'] = { KEY_T, 0 },
	['u'] = { KEY_U, 0 },
	['v'] = { KEY_V, 0 },
	['w'] = { KEY_W, 0 },
	['x'] = { KEY_X, 0 },
	['y'] = { KEY_Y, 0 },
	['z'] = { KEY_Z, 0 },
};

/* Keysyms 0xff00-0xffff, indexed by their low byte. */
static const uint16_t misc_keys[256] = {
	[XK_BackSpace & 0xff] = KEY_BACKSPACE,
	[XK_Tab & 0xff] = KEY_TAB,
	[XK_Return & 0xff] = KEY_ENTER,
	[XK_Pause & 0xff] = KEY_PAUSE,
	[XK_Scroll_Lock & 0xff] = KEY_SCROLLLOCK,
	[XK_Sys_Req & 0xff] = KEY_SYSRQ,
	[XK_Escape & 0xff] = KEY_ESC,
	[XK_Delete & 0xff] = KEY_DELETE,

	[XK_Home & 0xff] = KEY_HOME,
	[XK_Left & 0xff] = KEY_LEFT,
	[XK_Up & 0xff] = KEY_UP,
	[XK_Right & 0xff] = KEY_RIGHT,
	[XK_Down & 0xff] = KEY_DOWN,
	[XK_Page_Up & 0xff] = KEY_PAGEUP,
	[XK_Page_Down & 0xff] = KEY_PAGEDOWN,
	[XK_End & 0xff] = KEY_END,

	/* The PC key labelled Print Screen / SysRq is KEY_SYSRQ to Linux,
	 * Pause / Break is KEY_PAUSE, and the Menu key is KEY_COMPOSE. */
	[XK_Print & 0xff] = KEY_SYSRQ,
	[XK_Insert & 0xff] = KEY_INSERT,
	[XK_Menu & 0xff] = KEY_COMPOSE,
	[XK_Break & 0xff] = KEY_PAUSE,
	[XK_Num_Lock & 0xff] = KEY_NUMLOCK,

	/* Keypad keysyms of NumLock off are the same keys. */
	[XK_KP_Enter & 0xff] = KEY_KPENTER,
	[XK_KP_Home & 0xff] = KEY_KP7,
	[XK_KP_Left & 0xff] = KEY_KP4,
	[XK_KP_Up & 0xff] = KEY_KP8,
	[XK_KP_Right & 0xff] = KEY_KP6,
	[XK_KP_Down & 0xff] = KEY_KP2,
	[XK_KP_Page_Up & 0xff] = KEY_KP9,
	[XK_KP_Page_Down & 0xff] = KEY_KP3,
	[XK_KP_End & 0xff] = KEY_KP1,
	[XK_KP_Begin & 0xff] = KEY_KP5,
	[XK_KP_Insert & 0xff] = KEY_KP0,
	[XK_KP_Delete & 0xff] = KEY_KPDOT,
	[XK_KP_Equal & 0xff] = KEY_KPEQUAL,
	[XK_KP_Multiply & 0xff] = KEY_KPASTERISK,
	[XK_KP_Add & 0xff] = KEY_KPPLUS,
	/* Layouts whose keypad decimal key types a comma send this. */
	[XK_KP_Separator & 0xff] = KEY_KPDOT,
	[XK_KP_Subtract & 0xff] = KEY_KPMINUS,
	[XK_KP_Decimal & 0xff] = KEY_KPDOT,
	[XK_KP_Divide & 0xff] = KEY_KPSLASH,
	[XK_KP_0 & 0xff] = KEY_KP0,
	[XK_KP_1 & 0xff] = KEY_KP1,
	[XK_KP_2 & 0xff] = KEY_KP2,
	[XK_KP_3 & 0xff] = KEY_KP3,
	[XK_KP_4 & 0xff] = KEY_KP4,
	[XK_KP_5 & 0xff] = KEY_KP5,
	[XK_KP_6 & 0xff] = KEY_KP6,
	[XK_KP_7 & 0xff] = KEY_KP7,
	[XK_KP_8 & 0xff] = KEY_KP8,
	[XK_KP_9 & 0xff] = KEY_KP9,

	[XK_F1 & 0xff] = KEY_F1,
	[XK_F2 & 0xff] = KEY_F2,
	[XK_F3 & 0xff] = KEY_F3,
	[XK_F4 & 0xff] = KEY_F4,
	[XK_F5 & 0xff] = KEY_F5,
	[XK_F6 & 0xff] = KEY_F6,
	[XK_F7 & 0xff] = KEY_F7,
	[XK_F8 & 0xff] = KEY_F8,
	[XK_F9 & 0xff] = KEY_F9,
	[XK_F10 & 0xff] = KEY_F10,
	[XK_F11 & 0xff] = KEY_F11,
	[XK_F12 & 0xff] = KEY_F12,
	[XK_F13 & 0xff] = KEY_F13,
	[XK_F14 & 0xff] = KEY_F14,
	[XK_F15 & 0xff] = KEY_F15,
	[XK_F16 & 0xff] = KEY_F16,
	[XK_F17 & 0xff] = KEY_F17,
	[XK_F18 & 0xff] = KEY_F18,
	[XK_F19 & 0xff] = KEY_F19,
	[XK_F20 & 0xff] = KEY_F20,
	[XK_F21 & 0xff] = KEY_F21,
	[XK_F22 & 0xff] = KEY_F22,
	[XK_F23 & 0xff] = KEY_F23,
	[XK_F24 & 0xff] = KEY_F24,

	[XK_Shift_L & 0xff] = KEY_LEFTSHIFT,
	[XK_Shift_R & 0xff] = KEY_RIGHTSHIFT,
	[XK_Control_L & 0xff] = KEY_LEFTCTRL,
	[XK_Control_R & 0xff] = KEY_RIGHTCTRL,
	[XK_Caps_Lock & 0xff] = KEY_CAPSLOCK,
	/* Clients send Meta or Super for the Windows / Command key. */
	[XK_Meta_L & 0xff] = KEY_LEFTMETA,
	[XK_Meta_R & 0xff] = KEY_RIGHTMETA,
	[XK_Alt_L & 0xff] = KEY_LEFTALT,
	[XK_Alt_R & 0xff] = KEY_RIGHTALT,
	[XK_Super_L & 0xff] = KEY_LEFTMETA,
	[XK_Super_R & 0xff] = KEY_RIGHTMETA,
};

/*
 * The XF86 keysyms of keys that keyboards have (0x1008ff00 + the low
 * byte): volume, media, power, browser keys.  Whether power keys reach the
 * machine is the input helper's policy (--allow-keys), not ours.
 */
static const struct {
	uint8_t		low;
	uint16_t	code;
} xf86_keys[] = {
	{ 0x02, KEY_BRIGHTNESSUP },	/* XF86MonBrightnessUp */
	{ 0x03, KEY_BRIGHTNESSDOWN },	/* XF86MonBrightnessDown */
	{ 0x10, KEY_SLEEP },		/* XF86Standby */
	{ 0x11, KEY_VOLUMEDOWN },	/* XF86AudioLowerVolume */
	{ 0x12, KEY_MUTE },		/* XF86AudioMute */
	{ 0x13, KEY_VOLUMEUP },		/* XF86AudioRaiseVolume */
	{ 0x14, KEY_PLAYPAUSE },	/* XF86AudioPlay */
	{ 0x15, KEY_STOPCD },		/* XF86AudioStop */
	{ 0x16, KEY_PREVIOUSSONG },	/* XF86AudioPrev */
	{ 0x17, KEY_NEXTSONG },		/* XF86AudioNext */
	{ 0x18, KEY_HOMEPAGE },		/* XF86HomePage */
	{ 0x19, KEY_MAIL },		/* XF86Mail */
	{ 0x1b, KEY_SEARCH },		/* XF86Search */
	{ 0x1d, KEY_CALC },		/* XF86Calculator */
	{ 0x26, KEY_BACK },		/* XF86Back */
	{ 0x27, KEY_FORWARD },		/* XF86Forward */
	{ 0x28, KEY_STOP },		/* XF86Stop */
	{ 0x29, KEY_REFRESH },		/* XF86Refresh */
	{ 0x2a, KEY_POWER },		/* XF86PowerOff */
	{ 0x2b, KEY_WAKEUP },		/* XF86WakeUp */
	{ 0x2c, KEY_EJECTCD },		/* XF86Eject */
	{ 0x2f, KEY_SLEEP },		/* XF86Sleep */
	{ 0x30, KEY_BOOKMARKS },	/* XF86Favorites */
	{ 0x31, KEY_PLAYPAUSE },	/* XF86AudioPause */
	{ 0x32, KEY_MEDIA },		/* XF86AudioMedia */
	{ 0x33, KEY_COMPUTER },		/* XF86MyComputer */
	{ 0xb2, KEY_MICMUTE },		/* XF86AudioMicMute */
};

#define XF86_KEYSYMS	0x1008ff00u

int
keymap_us_lookup(uint32_t keysym, uint16_t *code, int *shift)
{
	uint16_t c = 0;
	int s = 0;

	if (keysym < 0x7f) {
		c = ascii_keys[keysym].code;
		s = ascii_keys[keysym].shift;
		if (c == 0 && keysym >= 'A' && keysym <= 'Z') {
			c = ascii_keys[keysym - 'A' + 'a'].code;
			s = 1;
		}
	} else if ((keysym & ~0xffu) == 0xff00)
		c = misc_keys[keysym & 0xff];
	else if (keysym == XK_ISO_Level3_Shift)
		c = KEY_RIGHTALT;
	else if (keysym == XK_ISO_Left_Tab) {
		/* What X gives for Shift+Tab. */
		c = KEY_TAB;
		s = 1;
	} else if ((keysym & ~0xffu) == XF86_KEYSYMS) {
		for (size_t i = 0; i < sizeof(xf86_keys) / sizeof(xf86_keys[0]);
		    i++)
			if (xf86_keys[i].low == (keysym & 0xff))
				c = xf86_keys[i].code;
	}
	if (c == 0)
		return -1;
	*code = c;
	*shift = s;
	return 0;
}
