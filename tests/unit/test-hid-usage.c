/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux key codes to HID usages (input/hid-usage.c) and the reports of the
 * gadget sink (input/hidg.c): the usages against the numbers of the HID
 * Usage Tables 1.12 (section 10, Keyboard/Keypad page), typed here from
 * the spec for a sample of keys; every key of a PC keyboard has one; the
 * map is one to one; the boot keyboard report (modifiers, six keys, the
 * phantom state at seven); the absolute pointer report (scaling, buttons
 * in HID's order, wheels); the LED byte from the host, bad ones refused.
 */
#include "config.h"

#include <string.h>

#include <linux/input-event-codes.h>

#include "common/ipc.h"
#include "input/hid-usage.h"
#include "input/hidg.h"
#include "input/sink.h"
#include "tests/tap.h"

/* HID Usage Tables 1.12, section 10, as printed. */
static const struct {
	unsigned int	code;
	uint8_t		usage;
	const char	*spec;
} spec[] = {
	{ KEY_A, 0x04, "Keyboard a and A" },
	{ KEY_M, 0x10, "Keyboard m and M" },
	{ KEY_Z, 0x1d, "Keyboard z and Z" },
	{ KEY_1, 0x1e, "Keyboard 1 and !" },
	{ KEY_2, 0x1f, "Keyboard 2 and @" },
	{ KEY_0, 0x27, "Keyboard 0 and )" },
	{ KEY_ENTER, 0x28, "Keyboard Return (ENTER)" },
	{ KEY_ESC, 0x29, "Keyboard ESCAPE" },
	{ KEY_BACKSPACE, 0x2a, "Keyboard DELETE (Backspace)" },
	{ KEY_TAB, 0x2b, "Keyboard Tab" },
	{ KEY_SPACE, 0x2c, "Keyboard Spacebar" },
	{ KEY_MINUS, 0x2d, "Keyboard - and (underscore)" },
	{ KEY_BACKSLASH, 0x31, "Keyboard \\ and |" },
	{ KEY_SEMICOLON, 0x33, "Keyboard ; and :" },
	{ KEY_APOSTROPHE, 0x34, "Keyboard ' and \"" },
	{ KEY_GRAVE, 0x35, "Keyboard Grave Accent and Tilde" },
	{ KEY_SLASH, 0x38, "Keyboard / and ?" },
	{ KEY_CAPSLOCK, 0x39, "Keyboard Caps Lock" },
	{ KEY_F1, 0x3a, "Keyboard F1" },
	{ KEY_F10, 0x43, "Keyboard F10" },
	{ KEY_F11, 0x44, "Keyboard F11" },
	{ KEY_F12, 0x45, "Keyboard F12" },
	{ KEY_SYSRQ, 0x46, "Keyboard PrintScreen" },
	{ KEY_SCROLLLOCK, 0x47, "Keyboard Scroll Lock" },
	{ KEY_PAUSE, 0x48, "Keyboard Pause" },
	{ KEY_INSERT, 0x49, "Keyboard Insert" },
	{ KEY_HOME, 0x4a, "Keyboard Home" },
	{ KEY_PAGEUP, 0x4b, "Keyboard PageUp" },
	{ KEY_DELETE, 0x4c, "Keyboard Delete Forward" },
	{ KEY_END, 0x4d, "Keyboard End" },
	{ KEY_PAGEDOWN, 0x4e, "Keyboard PageDown" },
	{ KEY_RIGHT, 0x4f, "Keyboard RightArrow" },
	{ KEY_LEFT, 0x50, "Keyboard LeftArrow" },
	{ KEY_DOWN, 0x51, "Keyboard DownArrow" },
	{ KEY_UP, 0x52, "Keyboard UpArrow" },
	{ KEY_NUMLOCK, 0x53, "Keypad Num Lock and Clear" },
	{ KEY_KPSLASH, 0x54, "Keypad /" },
	{ KEY_KPASTERISK, 0x55, "Keypad *" },
	{ KEY_KPMINUS, 0x56, "Keypad -" },
	{ KEY_KPPLUS, 0x57, "Keypad +" },
	{ KEY_KPENTER, 0x58, "Keypad ENTER" },
	{ KEY_KP1, 0x59, "Keypad 1 and End" },
	{ KEY_KP5, 0x5d, "Keypad 5" },
	{ KEY_KP9, 0x61, "Keypad 9 and PageUp" },
	{ KEY_KP0, 0x62, "Keypad 0 and Insert" },
	{ KEY_KPDOT, 0x63, "Keypad . and Delete" },
	{ KEY_102ND, 0x64, "Keyboard Non-US \\ and |" },
	{ KEY_COMPOSE, 0x65, "Keyboard Application" },
	{ KEY_POWER, 0x66, "Keyboard Power" },
	{ KEY_KPEQUAL, 0x67, "Keypad =" },
	{ KEY_F13, 0x68, "Keyboard F13" },
	{ KEY_F24, 0x73, "Keyboard F24" },
	{ KEY_HELP, 0x75, "Keyboard Help" },
	{ KEY_STOP, 0x78, "Keyboard Stop" },
	{ KEY_UNDO, 0x7a, "Keyboard Undo" },
	{ KEY_MUTE, 0x7f, "Keyboard Mute" },
	{ KEY_VOLUMEUP, 0x80, "Keyboard Volume Up" },
	{ KEY_VOLUMEDOWN, 0x81, "Keyboard Volume Down" },
	{ KEY_KPCOMMA, 0x85, "Keypad Comma" },
	{ KEY_RO, 0x87, "Keyboard International1" },
	{ KEY_KATAKANAHIRAGANA, 0x88, "Keyboard International2" },
	{ KEY_YEN, 0x89, "Keyboard International3" },
	{ KEY_HENKAN, 0x8a, "Keyboard International4" },
	{ KEY_MUHENKAN, 0x8b, "Keyboard International5" },
	{ KEY_KPJPCOMMA, 0x8c, "Keyboard International6" },
	{ KEY_HANGEUL, 0x90, "Keyboard LANG1" },
	{ KEY_HANJA, 0x91, "Keyboard LANG2" },
	{ KEY_KATAKANA, 0x92, "Keyboard LANG3" },
	{ KEY_HIRAGANA, 0x93, "Keyboard LANG4" },
	{ KEY_ZENKAKUHANKAKU, 0x94, "Keyboard LANG5" },
	{ KEY_KPLEFTPAREN, 0xb6, "Keypad (" },
	{ KEY_KPRIGHTPAREN, 0xb7, "Keypad )" },
	{ KEY_LEFTCTRL, 0xe0, "Keyboard LeftControl" },
	{ KEY_LEFTSHIFT, 0xe1, "Keyboard LeftShift" },
	{ KEY_LEFTALT, 0xe2, "Keyboard LeftAlt" },
	{ KEY_LEFTMETA, 0xe3, "Keyboard Left GUI" },
	{ KEY_RIGHTCTRL, 0xe4, "Keyboard RightControl" },
	{ KEY_RIGHTSHIFT, 0xe5, "Keyboard RightShift" },
	{ KEY_RIGHTALT, 0xe6, "Keyboard RightAlt" },
	{ KEY_RIGHTMETA, 0xe7, "Keyboard Right GUI" },
};

/* The keys of PC keyboards: 104-key US, 105-key ISO, 106/109-key
 * Japanese, 103/106-key Korean. */
static const unsigned int pc_keys[] = {
	KEY_ESC, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8,
	KEY_9, KEY_0, KEY_MINUS, KEY_EQUAL, KEY_BACKSPACE, KEY_TAB, KEY_Q,
	KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P,
	KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_ENTER, KEY_LEFTCTRL, KEY_A, KEY_S,
	KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L, KEY_SEMICOLON,
	KEY_APOSTROPHE, KEY_GRAVE, KEY_LEFTSHIFT, KEY_BACKSLASH, KEY_Z, KEY_X,
	KEY_C, KEY_V, KEY_B, KEY_N, KEY_M, KEY_COMMA, KEY_DOT, KEY_SLASH,
	KEY_RIGHTSHIFT, KEY_KPASTERISK, KEY_LEFTALT, KEY_SPACE, KEY_CAPSLOCK,
	KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8,
	KEY_F9, KEY_F10, KEY_NUMLOCK, KEY_SCROLLLOCK, KEY_KP7, KEY_KP8,
	KEY_KP9, KEY_KPMINUS, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KPPLUS, KEY_KP1,
	KEY_KP2, KEY_KP3, KEY_KP0, KEY_KPDOT, KEY_102ND, KEY_F11, KEY_F12,
	KEY_KPENTER, KEY_RIGHTCTRL, KEY_KPSLASH, KEY_SYSRQ, KEY_RIGHTALT,
	KEY_HOME, KEY_UP, KEY_PAGEUP, KEY_LEFT, KEY_RIGHT, KEY_END, KEY_DOWN,
	KEY_PAGEDOWN, KEY_INSERT, KEY_DELETE, KEY_PAUSE, KEY_LEFTMETA,
	KEY_RIGHTMETA, KEY_COMPOSE, KEY_POWER, KEY_KPEQUAL,
	KEY_F13, KEY_F14, KEY_F15, KEY_F16, KEY_F17, KEY_F18, KEY_F19,
	KEY_F20, KEY_F21, KEY_F22, KEY_F23, KEY_F24,
	KEY_RO, KEY_KATAKANAHIRAGANA, KEY_YEN, KEY_HENKAN, KEY_MUHENKAN,
	KEY_ZENKAKUHANKAKU, KEY_HANGEUL, KEY_HANJA, KEY_MUTE, KEY_VOLUMEUP,
	KEY_VOLUMEDOWN,
};

static void
press(uint8_t *held, unsigned int code)
{
	held[code / 8] |= (uint8_t)(1u << (code % 8));
}

static int
report_is(const uint8_t *r, const uint8_t *want, size_t len)
{
	if (memcmp(r, want, len) == 0)
		return 1;
	for (size_t i = 0; i < len; i++)
		printf("# byte %zu: 0x%02x, expected 0x%02x\n", i, r[i],
		    want[i]);
	return 0;
}

static void
test_usages(void)
{
	int bad = 0, n = 0, dup = 0, missing = 0, trip = 0;
	unsigned int first_of[256] = { 0 };

	for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
		if (hid_usage_of_key(spec[i].code) != spec[i].usage) {
			diag("code %u: usage 0x%02x, the spec's \"%s\" is "
			    "0x%02x", spec[i].code,
			    hid_usage_of_key(spec[i].code), spec[i].spec,
			    spec[i].usage);
			bad++;
		}
	ok(bad == 0, "%zu keys have the usage of the HID Usage Tables",
	    sizeof(spec) / sizeof(spec[0]));

	for (size_t i = 0; i < sizeof(pc_keys) / sizeof(pc_keys[0]); i++)
		if (hid_usage_of_key(pc_keys[i]) == 0) {
			diag("key %u of a PC keyboard has no usage",
			    pc_keys[i]);
			missing++;
		}
	ok(missing == 0, "every key of a PC keyboard (%zu) has a usage",
	    sizeof(pc_keys) / sizeof(pc_keys[0]));

	for (unsigned int code = 1; code < 256; code++) {
		uint8_t u = hid_usage_of_key(code);

		if (u == 0)
			continue;
		n++;
		if (u < 0x04 || (u > 0xa4 && u < 0xb0) || u > 0xe7) {
			diag("code %u: usage 0x%02x is reserved or an error",
			    code, u);
			bad++;
		}
		if (first_of[u] != 0) {
			diag("codes %u and %u: both usage 0x%02x",
			    first_of[u], code, u);
			dup++;
		}
		first_of[u] = code;
		if (hid_key_of_usage(u) != code)
			trip++;
	}
	ok(n > 120 && bad == 0 && dup == 0,
	    "the %d codes with a usage have %d distinct valid usages", n,
	    n - dup);
	ok(trip == 0, "usage to code gives the code back for each");
	ok(hid_usage_of_key(0) == 0 && hid_usage_of_key(KEY_MACRO) == 0 &&
	    hid_usage_of_key(KEY_POWER2) == 0 &&
	    hid_usage_of_key(KEY_MAX) == 0 && hid_usage_of_key(70000) == 0,
	    "codes no keyboard has (0, KEY_MACRO, KEY_POWER2, KEY_MAX, "
	    "70000) have none");
	ok(hid_key_of_usage(0) == 0 && hid_key_of_usage(0x01) == 0 &&
	    hid_key_of_usage(0xa5) == 0 && hid_key_of_usage(0xff) == 0,
	    "usages 0, ErrorRollOver, 0xa5, 0xff have no code");

	bad = 0;
	for (unsigned int i = 0; i < 8; i++) {
		static const unsigned int mods[8] = {
			KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT, KEY_LEFTMETA,
			KEY_RIGHTCTRL, KEY_RIGHTSHIFT, KEY_RIGHTALT,
			KEY_RIGHTMETA,
		};

		if (hid_modifier_of_key(mods[i]) != 1u << i)
			bad++;
	}
	ok(bad == 0 && hid_modifier_of_key(KEY_A) == 0 &&
	    hid_modifier_of_key(KEY_CAPSLOCK) == 0 &&
	    hid_modifier_of_key(KEY_COMPOSE) == 0,
	    "the eight modifiers are bits 0-7 (LeftControl .. Right GUI), "
	    "other keys none");
}

static void
test_keyboard_report(void)
{
	uint8_t held[SINK_KEYS_BYTES], r[HIDG_KEYBOARD_LEN];
	static const unsigned int six[] = { KEY_Q, KEY_W, KEY_E, KEY_R,
	    KEY_T, KEY_Y };

	memset(held, 0, sizeof(held));
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0 }, 8), "nothing held: zeros");

	press(held, KEY_A);
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0, 0, 0x04 }, 8), "a: 0x04");

	/* '@' on a US layout: Shift and 2. */
	memset(held, 0, sizeof(held));
	press(held, KEY_LEFTSHIFT);
	press(held, KEY_2);
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0x02, 0, 0x1f }, 8),
	    "Shift+2 ('@'): modifier bit 1, usage 0x1f");

	memset(held, 0, sizeof(held));
	press(held, KEY_RIGHTCTRL);
	press(held, KEY_RIGHTALT);
	press(held, KEY_LEFTMETA);
	press(held, KEY_DELETE);
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0x58, 0, 0x4c }, 8),
	    "RightCtrl+RightAlt+LeftMeta+Delete: 0x58 and 0x4c");

	memset(held, 0, sizeof(held));
	press(held, KEY_LEFTCTRL);
	for (size_t i = 0; i < 6; i++)
		press(held, six[i]);
	press(held, KEY_MACRO);		/* no usage: not a seventh */
	press(held, KEY_POWER2);	/* above 255: no keyboard key */
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0x01, 0, 0x14, 0x1a, 0x08, 0x15,
	    0x17, 0x1c }, 8), "six keys and Ctrl: all six, in key code order "
	    "(q w e r t y), keys without a usage left out");

	press(held, KEY_U);
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0x01, 0, 1, 1, 1, 1, 1, 1 }, 8),
	    "a seventh key: the phantom state (ErrorRollOver six times), "
	    "the modifiers still said");

	memset(held, 0, sizeof(held));
	for (unsigned int code = KEY_LEFTCTRL; code <= KEY_RIGHTMETA; code++)
		if (hid_modifier_of_key(code) != 0)
			press(held, code);
	hidg_keyboard_report(held, r);
	ok(report_is(r, (const uint8_t[8]){ 0xff }, 8),
	    "all eight modifiers: 0xff and no key (they are no rollover)");
}

static void
pointer(uint16_t x, uint16_t y, uint8_t buttons, int8_t wheel,
    int8_t hwheel, uint8_t *r)
{
	struct ipc_in_pointer p = { .x = x, .y = y, .buttons = buttons,
	    .wheel = wheel, .hwheel = hwheel };

	hidg_pointer_report(&p, r);
}

static unsigned int
rx(const uint8_t *r)
{
	return r[1] | (unsigned int)r[2] << 8;
}

static unsigned int
ry(const uint8_t *r)
{
	return r[3] | (unsigned int)r[4] << 8;
}

static void
test_pointer_report(void)
{
	static const struct {
		uint8_t	ipc, hid;
		const char *name;
	} buttons[] = {
		{ IPC_BTN_LEFT, 0x01, "left: button 1" },
		{ IPC_BTN_RIGHT, 0x02, "right: button 2" },
		{ IPC_BTN_MIDDLE, 0x04, "middle: button 3" },
		{ IPC_BTN_SIDE, 0x08, "back: button 4" },
		{ IPC_BTN_EXTRA, 0x10, "forward: button 5" },
	};
	uint8_t r[HIDG_POINTER_LEN];
	int bad = 0;

	pointer(0, 0, 0, 0, 0, r);
	ok(report_is(r, (const uint8_t[7]){ 0 }, 7), "top left: 0, 0");
	pointer(65535, 65535, 0, 0, 0, r);
	ok(report_is(r, (const uint8_t[7]){ 0, 0xff, 0x7f, 0xff, 0x7f }, 7),
	    "bottom right: 32767, 32767, little endian");
	pointer(32768, 16384, 0, 0, 0, r);
	ok(rx(r) == 16384 && ry(r) == 8192,
	    "the centre column 32768 is 16384, a quarter 16384 is 8192 "
	    "(%u, %u)", rx(r), ry(r));
	/* Every position, rounded: at most half a step off, monotonic. */
	for (uint32_t x = 0, last = 0; x <= 65535; x++) {
		double exact = x * 32767.0 / 65535.0;

		pointer((uint16_t)x, 0, 0, 0, 0, r);
		if (rx(r) > 32767 || rx(r) < last ||
		    (double)rx(r) - exact > 0.5 || exact - rx(r) > 0.5)
			bad++;
		last = rx(r);
	}
	ok(bad == 0, "each of 0 .. 65535 scales to the nearest of "
	    "0 .. 32767, never backwards");

	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		pointer(100, 100, buttons[i].ipc, 0, 0, r);
		ok(r[0] == buttons[i].hid, "%s (0x%02x)", buttons[i].name,
		    r[0]);
	}
	pointer(100, 100, IPC_BTN_ALL, 0, 0, r);
	ok(r[0] == 0x1f, "all five: 0x1f, bits 5-7 clear");
	pointer(100, 100, 0, 1, -1, r);
	ok(r[5] == 0x01 && r[6] == 0xff, "wheel up 1: 0x01; hwheel left 1: "
	    "0xff (int8)");
	pointer(100, 100, 0, -16, 16, r);
	ok(r[5] == 0xf0 && r[6] == 0x10, "wheel -16, hwheel 16");
}

static void
test_leds(void)
{
	static const uint8_t all = 0xff, one = 0x01, caps = 0x02, scroll = 0x04;
	static const uint8_t two[2] = { 0x02, 0x00 };
	uint8_t big[64];

	memset(big, 0x02, sizeof(big));
	ok(hidg_leds_of(&one, 1) == IPC_LED_NUM_LOCK &&
	    hidg_leds_of(&caps, 1) == IPC_LED_CAPS_LOCK &&
	    hidg_leds_of(&scroll, 1) == IPC_LED_SCROLL_LOCK,
	    "bit 0 Num Lock, 1 Caps Lock, 2 Scroll Lock");
	ok(hidg_leds_of(&all, 1) == (IPC_LED_NUM_LOCK | IPC_LED_CAPS_LOCK |
	    IPC_LED_SCROLL_LOCK), "0xff: the three, Compose, Kana and the "
	    "padding are not passed on");
	ok(hidg_leds_of(two, 0) == -1 && hidg_leds_of(two, 2) == -1 &&
	    hidg_leds_of(big, 64) == -1 && hidg_leds_of(two, -1) == -1,
	    "reports of 0, 2, 64 and -1 bytes are not LED reports");
}

int
main(void)
{
	test_usages();
	test_keyboard_report();
	test_pointer_report();
	test_leds();
	return done_testing();
}
