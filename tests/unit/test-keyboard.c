/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keysyms to key codes: the built-in US table, the layouts compiled from
 * the machine's real XKB data (us, de, fr, gb, jp), the modifiers pressed
 * and lifted around a symbol, dead keys, several clients on one machine,
 * keys by scancode, and the XT scancode table.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rfb/keysym.h>

#include "broker/keyboard.h"
#include "common/log.h"
#include "tests/tap.h"

#define XK_EuroSign	0x20ac
#define U(cp)		(0x01000000u + (cp))

/* What keyboards emitted, as signed codes: +code down, -code up; each
 * keyboard's events tagged by who emitted them. */
struct log {
	int	ev[64];
	int	n;
};

static void
record(void *arg, uint16_t code, int down)
{
	struct log *l = arg;

	if (l->n < 64)
		l->ev[l->n++] = down ? code : -(int)code;
}

static int
same(const struct log *l, const int *want, int n)
{
	int i;

	if (l->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (l->ev[i] != want[i])
			return 0;
	return 1;
}

static void
show(const struct log *l)
{
	char buf[512];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < l->n && len < sizeof(buf) - 16; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %+d",
		    l->ev[i]);
	diag("emitted:%s", buf);
}

/* The log a keyboard emits to: its arg. */
#define LOG(kb)	((struct log *)(kb)->arg)

/* One event, then what it emitted against want. */
#define EXPECT(kb, ks, down, name, ...) do {				\
	static const int want_[] = { 0, __VA_ARGS__ };			\
	LOG(kb)->n = 0;							\
	keyboard_event((kb), (ks), (down));				\
	if (!ok(same(LOG(kb), want_ + 1,				\
	    (int)(sizeof(want_) / sizeof(want_[0])) - 1), "%s", name))	\
		show(LOG(kb));						\
} while (0)

#define EXPECT_NONE(kb, ks, down, name) do {				\
	LOG(kb)->n = 0;							\
	keyboard_event((kb), (ks), (down));				\
	if (!ok(LOG(kb)->n == 0, "%s", name))				\
		show(LOG(kb));						\
} while (0)

static void
test_us_table(void)
{
	static const struct {
		uint32_t	keysym;
		uint16_t	code;
		int		shift;
	} map[] = {
		{ 'a', KEY_A, 0 }, { 'A', KEY_A, 1 }, { 'z', KEY_Z, 0 },
		{ 'Q', KEY_Q, 1 }, { '8', KEY_8, 0 }, { '*', KEY_8, 1 },
		{ '0', KEY_0, 0 }, { ')', KEY_0, 1 }, { '!', KEY_1, 1 },
		{ '@', KEY_2, 1 }, { '#', KEY_3, 1 }, { '$', KEY_4, 1 },
		{ '%', KEY_5, 1 }, { '^', KEY_6, 1 }, { '&', KEY_7, 1 },
		{ '(', KEY_9, 1 }, { '_', KEY_MINUS, 1 }, { '-', KEY_MINUS, 0 },
		{ '+', KEY_EQUAL, 1 }, { '=', KEY_EQUAL, 0 },
		{ '{', KEY_LEFTBRACE, 1 }, { '[', KEY_LEFTBRACE, 0 },
		{ '}', KEY_RIGHTBRACE, 1 }, { '|', KEY_BACKSLASH, 1 },
		{ '\\', KEY_BACKSLASH, 0 }, { ':', KEY_SEMICOLON, 1 },
		{ '"', KEY_APOSTROPHE, 1 }, { '\'', KEY_APOSTROPHE, 0 },
		{ '<', KEY_COMMA, 1 }, { '>', KEY_DOT, 1 }, { '?', KEY_SLASH, 1 },
		{ '~', KEY_GRAVE, 1 }, { '`', KEY_GRAVE, 0 },
		{ ' ', KEY_SPACE, 0 },
		{ XK_BackSpace, KEY_BACKSPACE, 0 }, { XK_Tab, KEY_TAB, 0 },
		{ XK_ISO_Left_Tab, KEY_TAB, 1 }, { XK_Return, KEY_ENTER, 0 },
		{ XK_Escape, KEY_ESC, 0 }, { XK_Delete, KEY_DELETE, 0 },
		{ XK_Home, KEY_HOME, 0 }, { XK_End, KEY_END, 0 },
		{ XK_Page_Up, KEY_PAGEUP, 0 }, { XK_Page_Down, KEY_PAGEDOWN, 0 },
		{ XK_Left, KEY_LEFT, 0 }, { XK_Up, KEY_UP, 0 },
		{ XK_Right, KEY_RIGHT, 0 }, { XK_Down, KEY_DOWN, 0 },
		{ XK_Insert, KEY_INSERT, 0 }, { XK_F1, KEY_F1, 0 },
		{ XK_F10, KEY_F10, 0 }, { XK_F11, KEY_F11, 0 },
		{ XK_F12, KEY_F12, 0 }, { XK_F13, KEY_F13, 0 },
		{ XK_F24, KEY_F24, 0 }, { XK_Shift_L, KEY_LEFTSHIFT, 0 },
		{ XK_Shift_R, KEY_RIGHTSHIFT, 0 },
		{ XK_Control_L, KEY_LEFTCTRL, 0 },
		{ XK_Control_R, KEY_RIGHTCTRL, 0 },
		{ XK_Alt_L, KEY_LEFTALT, 0 }, { XK_Alt_R, KEY_RIGHTALT, 0 },
		{ XK_Meta_L, KEY_LEFTMETA, 0 }, { XK_Super_L, KEY_LEFTMETA, 0 },
		{ XK_Super_R, KEY_RIGHTMETA, 0 },
		{ XK_ISO_Level3_Shift, KEY_RIGHTALT, 0 },
		{ XK_Caps_Lock, KEY_CAPSLOCK, 0 }, { XK_Num_Lock, KEY_NUMLOCK, 0 },
		{ XK_Scroll_Lock, KEY_SCROLLLOCK, 0 }, { XK_Print, KEY_SYSRQ, 0 },
		{ XK_Pause, KEY_PAUSE, 0 }, { XK_Menu, KEY_COMPOSE, 0 },
		{ XK_KP_0, KEY_KP0, 0 }, { XK_KP_9, KEY_KP9, 0 },
		{ XK_KP_Decimal, KEY_KPDOT, 0 }, { XK_KP_Add, KEY_KPPLUS, 0 },
		{ XK_KP_Subtract, KEY_KPMINUS, 0 },
		{ XK_KP_Multiply, KEY_KPASTERISK, 0 },
		{ XK_KP_Divide, KEY_KPSLASH, 0 },
		{ XK_KP_Enter, KEY_KPENTER, 0 }, { XK_KP_Equal, KEY_KPEQUAL, 0 },
		{ XK_KP_Home, KEY_KP7, 0 }, { XK_KP_Up, KEY_KP8, 0 },
		{ XK_KP_Page_Down, KEY_KP3, 0 }, { XK_KP_Insert, KEY_KP0, 0 },
		{ XK_KP_Delete, KEY_KPDOT, 0 }, { XK_KP_Begin, KEY_KP5, 0 },
		{ 0x1008ff12, KEY_MUTE, 0 }, { 0x1008ff11, KEY_VOLUMEDOWN, 0 },
		{ 0x1008ff13, KEY_VOLUMEUP, 0 }, { 0x1008ff2a, KEY_POWER, 0 },
		{ 0x1008ff2f, KEY_SLEEP, 0 }, { 0x1008ff2b, KEY_WAKEUP, 0 },
	};
	static const uint32_t unknown[] = {
		0, 0x1f, 0x7f, 0xa0, XK_eacute, XK_sterling, 0xff00, 0xff01,
		XK_VoidSymbol, 0x1000041, XK_Hyper_L, 0xfe01, 0x1008ff00,
	};
	unsigned int i, bad = 0, letters = 0;
	uint16_t code;
	int shift;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (keymap_us_lookup(map[i].keysym, &code, &shift) != 0 ||
		    code != map[i].code || shift != map[i].shift) {
			bad++;
			diag("keysym %#x", map[i].keysym);
		}
	}
	ok(bad == 0, "built-in table: %zu keysyms map to their US keys",
	    sizeof(map) / sizeof(map[0]));
	for (i = 0; i < 26; i++) {
		uint16_t upper;
		int ushift;

		if (keymap_us_lookup('a' + i, &code, &shift) == 0 &&
		    shift == 0 && keymap_us_lookup('A' + i, &upper,
		    &ushift) == 0 && ushift == 1 && upper == code && code != 0)
			letters++;
	}
	ok(letters == 26, "every letter, lower without and upper with Shift");
	for (bad = 0, i = 0x20; i < 0x7f; i++)
		if (keymap_us_lookup(i, &code, &shift) != 0)
			bad++;
	ok(bad == 0, "every printable ASCII keysym is known");
	for (bad = 0, i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (keymap_us_lookup(unknown[i], &code, &shift) != -1) {
			bad++;
			diag("keysym %#x mapped to %u", unknown[i], code);
		}
	ok(bad == 0, "keysyms not on a US keyboard are unknown");
}

/* The old behaviour, on the built-in table: one client, Shift only. */
static void
test_events(void)
{
	struct keymap *km = keymap_builtin();
	struct keyboards all;
	struct keyboard kb;
	struct log l = { .n = 0 };
	unsigned int i;

	keyboards_init(&all, km);
	ok(keyboard_init(&kb, &all, record, &l) == 0, "a keyboard");
	EXPECT(&kb, 'a', 1, "'a': A down", KEY_A);
	EXPECT(&kb, 'a', 0, "'a' released: A up", -KEY_A);
	EXPECT(&kb, 'A', 1, "'A' without Shift: Shift around A",
	    KEY_LEFTSHIFT, KEY_A, -KEY_LEFTSHIFT);
	EXPECT(&kb, 'A', 0, "'A' released: A up", -KEY_A);
	EXPECT(&kb, '8', 1, "'8': 8 down", KEY_8);
	EXPECT(&kb, '8', 0, "'8' up", -KEY_8);
	EXPECT(&kb, '*', 1, "'*' without Shift: Shift around 8",
	    KEY_LEFTSHIFT, KEY_8, -KEY_LEFTSHIFT);
	EXPECT(&kb, '*', 0, "'*' up", -KEY_8);

	EXPECT(&kb, XK_Shift_L, 1, "Shift_L down", KEY_LEFTSHIFT);
	ok(all.holders[KEY_LEFTSHIFT] != 0 &&
	    all.mods[KEY_LEFTSHIFT] == KEYMAP_SHIFT, "Shift_L is held");
	EXPECT(&kb, '*', 1, "'*' with Shift_L held: just 8", KEY_8);
	EXPECT(&kb, '*', 0, "'*' up under Shift", -KEY_8);
	EXPECT(&kb, '8', 1, "'8' with Shift held: Shift lifted around 8",
	    -KEY_LEFTSHIFT, KEY_8, KEY_LEFTSHIFT);
	EXPECT(&kb, '8', 0, "'8' up", -KEY_8);
	EXPECT(&kb, 'a', 1, "'a' with Shift held (Caps Lock): Shift lifted",
	    -KEY_LEFTSHIFT, KEY_A, KEY_LEFTSHIFT);
	EXPECT(&kb, 'a', 0, "'a' up", -KEY_A);
	EXPECT(&kb, XK_Left, 1, "Left with Shift held keeps Shift", KEY_LEFT);
	EXPECT(&kb, XK_Left, 0, "Left up", -KEY_LEFT);
	EXPECT(&kb, ' ', 1, "Space with Shift held keeps Shift", KEY_SPACE);
	EXPECT(&kb, ' ', 0, "Space up", -KEY_SPACE);
	EXPECT(&kb, XK_KP_8, 1, "KP_8 with Shift held keeps Shift", KEY_KP8);
	EXPECT(&kb, XK_KP_8, 0, "KP_8 up", -KEY_KP8);
	EXPECT(&kb, XK_Shift_R, 1, "Shift_R down too", KEY_RIGHTSHIFT);
	EXPECT(&kb, '1', 1, "'1' with both Shifts: both lifted and restored",
	    -KEY_LEFTSHIFT, -KEY_RIGHTSHIFT, KEY_1, KEY_LEFTSHIFT,
	    KEY_RIGHTSHIFT);
	EXPECT(&kb, '1', 0, "'1' up", -KEY_1);
	EXPECT(&kb, XK_Shift_R, 0, "Shift_R up", -KEY_RIGHTSHIFT);
	EXPECT(&kb, 'B', 1, "'B' under Shift_L: B", KEY_B);
	EXPECT(&kb, XK_Shift_L, 0, "Shift_L up", -KEY_LEFTSHIFT);
	ok(all.holders[KEY_LEFTSHIFT] == 0 && all.holders[KEY_RIGHTSHIFT] == 0,
	    "no Shift held");
	EXPECT(&kb, 'B', 0, "'B' released after Shift: the same key up",
	    -KEY_B);

	EXPECT(&kb, XK_Shift_L, 1, "Shift_L down", KEY_LEFTSHIFT);
	EXPECT(&kb, 'C', 1, "'C' under Shift", KEY_C);
	EXPECT(&kb, XK_Shift_L, 0, "Shift_L up", -KEY_LEFTSHIFT);
	EXPECT(&kb, 'c', 0, "'c' released for 'C' pressed: C up", -KEY_C);
	ok(kb.nheld == 0, "nothing held");

	EXPECT(&kb, XK_KP_Multiply, 1, "KP_Multiply: KPASTERISK",
	    KEY_KPASTERISK);
	EXPECT(&kb, XK_KP_Multiply, 0, "KP_Multiply up", -KEY_KPASTERISK);
	EXPECT(&kb, XK_ISO_Left_Tab, 1, "ISO_Left_Tab: Shift+Tab",
	    KEY_LEFTSHIFT, KEY_TAB, -KEY_LEFTSHIFT);
	EXPECT(&kb, XK_ISO_Left_Tab, 0, "ISO_Left_Tab up", -KEY_TAB);

	l.n = 0;
	ok(keyboard_event(&kb, XK_eacute, 1) == -1 && l.n == 0,
	    "unknown keysym: -1, nothing");
	EXPECT_NONE(&kb, XK_eacute, 0, "unknown keysym released: nothing");
	EXPECT_NONE(&kb, 'q', 0, "release of a key not held: nothing");

	EXPECT(&kb, 'x', 1, "'x' down", KEY_X);
	EXPECT(&kb, 'x', 1, "'x' again (autorepeat): down again", KEY_X);
	ok(kb.nheld == 1, "a repeated press is held once");
	EXPECT(&kb, 'x', 0, "'x' up once", -KEY_X);
	EXPECT_NONE(&kb, 'x', 0, "second 'x' up: nothing");

	EXPECT(&kb, '8', 1, "'8' down", KEY_8);
	EXPECT(&kb, '*', 1, "'*' while '8' held", KEY_LEFTSHIFT, KEY_8,
	    -KEY_LEFTSHIFT);
	EXPECT_NONE(&kb, '8', 0, "'8' up while '*' holds the key: nothing");
	EXPECT(&kb, '*', 0, "'*' up: 8 up", -KEY_8);

	EXPECT(&kb, XK_Control_L, 1, "Control_L down", KEY_LEFTCTRL);
	EXPECT(&kb, XK_Alt_L, 1, "Alt_L down", KEY_LEFTALT);
	EXPECT(&kb, XK_Shift_R, 1, "Shift_R down", KEY_RIGHTSHIFT);
	EXPECT(&kb, XK_Delete, 1, "Delete down", KEY_DELETE);
	EXPECT(&kb, XK_Super_L, 1, "Super_L down", KEY_LEFTMETA);
	EXPECT(&kb, XK_Meta_L, 1, "Meta_L down (same key)", KEY_LEFTMETA);
	l.n = 0;
	keyboard_release_all(&kb);
	{
		static const int want[] = { -KEY_LEFTMETA, -KEY_DELETE,
		    -KEY_RIGHTSHIFT, -KEY_LEFTALT, -KEY_LEFTCTRL };

		if (!ok(same(&l, want, 5), "release_all: each key up once, "
		    "last pressed first"))
			show(&l);
	}
	ok(kb.nheld == 0 && all.holders[KEY_RIGHTSHIFT] == 0,
	    "release_all forgets everything");
	l.n = 0;
	keyboard_release_all(&kb);
	ok(l.n == 0, "release_all with nothing held emits nothing");

	/* F1-F24 and a-h: 32 keys. */
	for (i = 0; i < KEYBOARD_MAX_HELD; i++)
		keyboard_event(&kb, i < 24 ? XK_F1 + i : 'a' + i - 24, 1);
	ok(kb.nheld == KEYBOARD_MAX_HELD, "the held table fills up");
	l.n = 0;
	keyboard_event(&kb, XK_Escape, 1);
	ok(l.n == 0 && kb.nheld == KEYBOARD_MAX_HELD,
	    "a press with the table full is ignored");
	keyboard_event(&kb, XK_Escape, 0);
	ok(l.n == 0, "and so is its release");
	l.n = 0;
	keyboard_free(&kb);
	ok(l.n == KEYBOARD_MAX_HELD, "freeing the keyboard releases all %d "
	    "keys", KEYBOARD_MAX_HELD);
	ok(all.slot[0] == NULL, "and gives its slot back");
	keymap_free(km);
}

static const char *
mods_name(int mods)
{
	static const char *const names[] = { "", "Shift+", "AltGr+",
	    "Shift+AltGr+" };

	return names[mods & 3];
}

/* keysym on km is code with mods, alone: 1, else a diagnostic. */
static int
is_key(const struct keymap *km, uint32_t keysym, uint16_t code, int mods)
{
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	int n = keymap_lookup(km, keysym, seq);

	if (n == 1 && seq[0].code == code && seq[0].mods == mods)
		return 1;
	if (n == 0)
		diag("%s: keysym %#x: no key", keymap_name(km), keysym);
	else
		diag("%s: keysym %#x: %d keys, the first %s%u",
		    keymap_name(km), keysym, n, mods_name(seq[0].mods),
		    seq[0].code);
	return 0;
}

/* keysym on km is a dead key (dead, dmods), then a letter (code, mods). */
static int
is_dead(const struct keymap *km, uint32_t keysym, uint16_t dead, int dmods,
    uint16_t code, int mods)
{
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	int n = keymap_lookup(km, keysym, seq);

	if (n == 2 && seq[0].code == dead && seq[0].mods == dmods &&
	    seq[1].code == code && seq[1].mods == mods)
		return 1;
	diag("%s: keysym %#x: %d keys (%s%u, %s%u)", keymap_name(km), keysym,
	    n, mods_name(seq[0].mods), n > 0 ? seq[0].code : 0,
	    mods_name(seq[1].mods), n > 1 ? seq[1].code : 0);
	return 0;
}

static struct keymap *
layout(const char *name)
{
	char why[256];
	struct keymap *km = keymap_new(name, why, sizeof(why));

	if (km == NULL)
		diag("layout %s: %s", name, why);
	return km;
}

static void
test_layouts(void)
{
	struct keymap *us, *de, *fr, *gb, *jp, *nodead;
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	unsigned int i, bad;
	char why[256];

	if ((us = layout("us")) == NULL) {
		skip("no XKB data (xkb-data): the layouts are untested");
		return;
	}
	ok(strcmp(keymap_name(us), "us") == 0 && keymap_altgr(us) == 0,
	    "us from XKB: no AltGr key");
	for (bad = 0, i = 0x20; i < 0x7f; i++) {
		uint16_t code;
		int shift;

		keymap_us_lookup(i, &code, &shift);
		if (!is_key(us, i, code, shift ? KEYMAP_SHIFT : 0))
			bad++;
	}
	ok(bad == 0, "us: every printable ASCII character is the key and "
	    "Shift of the built-in table (%u differ)", bad);
	{
		static const uint32_t same[] = { XK_Return, XK_Tab,
		    XK_ISO_Left_Tab, XK_BackSpace, XK_Escape, XK_Left,
		    XK_Home, XK_Delete, XK_F1, XK_F12, XK_Shift_L,
		    XK_Shift_R, XK_Control_L, XK_Control_R, XK_Alt_L,
		    XK_Alt_R, XK_Super_L, XK_Caps_Lock, XK_Num_Lock,
		    XK_Print, XK_Sys_Req, XK_Pause, XK_Break, XK_Menu,
		    XK_Meta_L, XK_ISO_Level3_Shift, XK_KP_7, XK_KP_Home,
		    XK_KP_Enter, XK_KP_Divide, XK_KP_Decimal,
		    0x1008ff12, 0x1008ff11, 0x1008ff13, 0x1008ff2a,
		    0x1008ff2f, 0x1008ff2b, 0x1008ff14, 0x1008ff17 };

		for (bad = 0, i = 0; i < sizeof(same) / sizeof(same[0]);
		    i++) {
			uint16_t code;
			int shift;

			keymap_us_lookup(same[i], &code, &shift);
			if (!is_key(us, same[i], code,
			    shift ? KEYMAP_SHIFT : 0))
				bad++;
		}
		ok(bad == 0, "us: function, editing, modifier, keypad and "
		    "XF86 keys as the built-in table (%u differ)", bad);
	}
	ok(is_key(us, U('a'), KEY_A, 0) && is_key(us, U('~'), KEY_GRAVE,
	    KEYMAP_SHIFT), "us: Unicode keysyms of ASCII are those keys");
	ok(keymap_lookup(us, XK_eacute, seq) == 0 &&
	    keymap_lookup(us, XK_EuroSign, seq) == 0,
	    "us: é and € have no key (and no dead key)");

	if ((de = layout("de")) != NULL) {
		ok(keymap_altgr(de) == KEY_RIGHTALT, "de: AltGr is the right "
		    "Alt");
		ok(is_key(de, '@', KEY_Q, KEYMAP_ALTGR), "de: '@' is AltGr+Q");
		ok(is_key(de, XK_EuroSign, KEY_E, KEYMAP_ALTGR) &&
		    is_key(de, U(0x20ac), KEY_E, KEYMAP_ALTGR),
		    "de: '€' is AltGr+E (EuroSign and U+20AC)");
		ok(is_key(de, XK_adiaeresis, KEY_APOSTROPHE, 0) &&
		    is_key(de, XK_Adiaeresis, KEY_APOSTROPHE, KEYMAP_SHIFT) &&
		    is_key(de, U(0xe4), KEY_APOSTROPHE, 0),
		    "de: 'ä' is the key right of Ö, 'Ä' with Shift");
		ok(is_key(de, '<', KEY_102ND, 0) &&
		    is_key(de, '>', KEY_102ND, KEYMAP_SHIFT),
		    "de: '<' is the ISO key, '>' with Shift");
		ok(is_key(de, '|', KEY_102ND, KEYMAP_ALTGR),
		    "de: '|' is AltGr+the ISO key");
		ok(is_key(de, 'z', KEY_Y, 0) && is_key(de, 'y', KEY_Z, 0) &&
		    is_key(de, 'Z', KEY_Y, KEYMAP_SHIFT),
		    "de: 'z' and 'y' swapped");
		ok(is_key(de, '\\', KEY_MINUS, KEYMAP_ALTGR) &&
		    is_key(de, '{', KEY_7, KEYMAP_ALTGR) &&
		    is_key(de, '~', KEY_RIGHTBRACE, KEYMAP_ALTGR) &&
		    is_key(de, '"', KEY_2, KEYMAP_SHIFT) &&
		    is_key(de, XK_ssharp, KEY_MINUS, 0),
		    "de: '\\' '{' '~' on AltGr, '\"' Shift+2, 'ß'");
		ok(is_key(de, XK_ISO_Level3_Shift, KEY_RIGHTALT, 0) &&
		    is_key(de, XK_Alt_R, KEY_RIGHTALT, 0),
		    "de: ISO_Level3_Shift and Alt_R are the right Alt");
		ok(is_key(de, XK_KP_Decimal, KEY_KPDOT, 0) &&
		    is_key(de, XK_KP_Separator, KEY_KPDOT, 0) &&
		    is_key(de, '.', KEY_DOT, 0) && is_key(de, ',', KEY_COMMA,
		    0), "de: keypad keysyms on the keypad, '.' and ',' on the "
		    "main block");
		/* Dead keys: dead_acute and dead_grave on the key right of
		 * ß, dead_circumflex left of 1. */
		ok(is_dead(de, XK_eacute, KEY_EQUAL, 0, KEY_E, 0) &&
		    is_dead(de, U(0xe9), KEY_EQUAL, 0, KEY_E, 0),
		    "de: 'é' is dead acute, then E");
		ok(is_dead(de, XK_egrave, KEY_EQUAL, KEYMAP_SHIFT, KEY_E, 0),
		    "de: 'è' is Shift+dead acute (grave), then E");
		ok(is_dead(de, XK_Ecircumflex, KEY_GRAVE, 0, KEY_E,
		    KEYMAP_SHIFT), "de: 'Ê' is dead circumflex, then Shift+E");
		ok(is_dead(de, '^', KEY_GRAVE, 0, KEY_SPACE, 0) &&
		    is_dead(de, '`', KEY_EQUAL, KEYMAP_SHIFT, KEY_SPACE, 0),
		    "de: '^' and '`' are their dead keys, then Space");
		ok(is_dead(de, U(0x17e), KEY_APOSTROPHE, KEYMAP_ALTGR |
		    KEYMAP_SHIFT, KEY_Y, 0), "de: 'ž' (Latin Extended-A) is "
		    "a dead caron (Shift+AltGr+Ä), then Z");
		ok(keymap_lookup(de, XK_ntilde, seq) == 0,
		    "de: 'ñ' (no dead tilde on de) has no key");
		keymap_free(de);
	} else
		skip("no de layout");

	if ((nodead = layout("de(nodeadkeys)")) != NULL) {
		ok(strcmp(keymap_name(nodead), "de(nodeadkeys)") == 0 &&
		    keymap_lookup(nodead, XK_eacute, seq) == 0 &&
		    is_key(nodead, '^', KEY_GRAVE, 0) &&
		    is_key(nodead, '@', KEY_Q, KEYMAP_ALTGR),
		    "de(nodeadkeys): no dead keys, so 'é' has no key and '^' "
		    "is a key of its own");
		keymap_free(nodead);
	} else
		skip("no de(nodeadkeys) layout");

	if ((fr = layout("fr")) != NULL) {
		ok(is_key(fr, '@', KEY_0, KEYMAP_ALTGR), "fr: '@' is AltGr+0");
		ok(is_key(fr, 'a', KEY_Q, 0) && is_key(fr, 'q', KEY_A, 0) &&
		    is_key(fr, 'm', KEY_SEMICOLON, 0) &&
		    is_key(fr, 'w', KEY_Z, 0), "fr: AZERTY letters");
		ok(is_key(fr, '1', KEY_1, KEYMAP_SHIFT) &&
		    is_key(fr, '&', KEY_1, 0) && is_key(fr, XK_eacute, KEY_2, 0),
		    "fr: digits with Shift, '&' and 'é' without");
		ok(is_key(fr, '|', KEY_6, KEYMAP_ALTGR) &&
		    is_key(fr, '<', KEY_102ND, 0),
		    "fr: '|' is AltGr+6, '<' the ISO key");
		ok(is_dead(fr, XK_ecircumflex, KEY_LEFTBRACE, 0, KEY_E, 0) &&
		    is_dead(fr, XK_ediaeresis, KEY_LEFTBRACE, KEYMAP_SHIFT,
		    KEY_E, 0), "fr: 'ê' and 'ë' through the dead circumflex "
		    "and diaeresis");
		keymap_free(fr);
	} else
		skip("no fr layout");

	if ((gb = layout("gb")) != NULL) {
		ok(is_key(gb, '@', KEY_APOSTROPHE, KEYMAP_SHIFT) &&
		    is_key(gb, '"', KEY_2, KEYMAP_SHIFT) &&
		    is_key(gb, XK_sterling, KEY_3, KEYMAP_SHIFT) &&
		    is_key(gb, '#', KEY_BACKSLASH, 0) &&
		    is_key(gb, '~', KEY_BACKSLASH, KEYMAP_SHIFT),
		    "gb: '@' '\"' '£' '#' '~' where a UK keyboard has them");
		ok(is_key(gb, '\\', KEY_102ND, 0) &&
		    is_key(gb, '|', KEY_102ND, KEYMAP_SHIFT),
		    "gb: '\\' and '|' on the ISO key, not on AltGr levels");
		keymap_free(gb);
	} else
		skip("no gb layout");

	if ((jp = layout("jp")) != NULL) {
		ok(is_key(jp, '@', KEY_LEFTBRACE, 0) &&
		    is_key(jp, '"', KEY_2, KEYMAP_SHIFT) &&
		    is_key(jp, '_', KEY_RO, KEYMAP_SHIFT) &&
		    is_key(jp, '^', KEY_EQUAL, 0) &&
		    is_key(jp, ':', KEY_APOSTROPHE, 0),
		    "jp: '@' '\"' '_' '^' ':' where a JIS keyboard has them");
		ok(is_key(jp, '|', KEY_YEN, KEYMAP_SHIFT) &&
		    is_key(jp, '\\', KEY_RO, 0),
		    "jp: '|' is Shift+Yen, '\\' the Ro key");
		keymap_free(jp);
	} else
		skip("no jp layout");

	ok(keymap_new("zz", why, sizeof(why)) == NULL && why[0] != '\0',
	    "an unknown layout cannot be had (%s)", why);
	ok(keymap_new("de(nosuchvariant)", why, sizeof(why)) == NULL,
	    "nor an unknown variant (%s)", why);
	ok(keymap_new("de(", why, sizeof(why)) == NULL,
	    "nor a broken name (%s)", why);
	setenv("XKB_CONFIG_ROOT", "/nonexistent", 1);
	ok(keymap_new("de", why, sizeof(why)) == NULL,
	    "without XKB data a layout asked for cannot be had (%s)", why);
	{
		struct keymap *fallback = keymap_new(NULL, why, sizeof(why));

		ok(fallback != NULL && strcmp(keymap_name(fallback),
		    "us (built-in)") == 0 && is_key(fallback, '@', KEY_2,
		    KEYMAP_SHIFT), "without XKB data and no layout asked "
		    "for: the built-in US table");
		keymap_free(fallback);
	}
	unsetenv("XKB_CONFIG_ROOT");
	keymap_free(us);
}

/* Modifiers the symbol needs pressed, those it must not have lifted. */
static void
test_modifiers(void)
{
	struct keymap *de = layout("de"), *us = layout("us");
	struct keyboards all;
	struct keyboard kb;
	struct log l = { .n = 0 };

	if (de == NULL || us == NULL) {
		skip("no XKB data: modifiers on de untested");
		keymap_free(de);
		keymap_free(us);
		return;
	}
	keyboards_init(&all, de);
	keyboard_init(&kb, &all, record, &l);
	EXPECT(&kb, '@', 1, "de: '@' with nothing held: AltGr around Q",
	    KEY_RIGHTALT, KEY_Q, -KEY_RIGHTALT);
	EXPECT(&kb, '@', 0, "de: '@' up: Q up", -KEY_Q);
	EXPECT(&kb, '|', 1, "de: '|': AltGr around the ISO key",
	    KEY_RIGHTALT, KEY_102ND, -KEY_RIGHTALT);
	EXPECT(&kb, '|', 0, "de: '|' up", -KEY_102ND);
	EXPECT(&kb, XK_EuroSign, 1, "de: '€': AltGr around E",
	    KEY_RIGHTALT, KEY_E, -KEY_RIGHTALT);
	EXPECT(&kb, XK_EuroSign, 0, "de: '€' up", -KEY_E);
	EXPECT(&kb, XK_adiaeresis, 1, "de: 'ä': the key alone",
	    KEY_APOSTROPHE);
	EXPECT(&kb, XK_adiaeresis, 0, "de: 'ä' up", -KEY_APOSTROPHE);
	EXPECT(&kb, '<', 1, "de: '<': the ISO key", KEY_102ND);
	EXPECT(&kb, '<', 0, "de: '<' up", -KEY_102ND);

	EXPECT(&kb, XK_ISO_Level3_Shift, 1, "de: the client's AltGr down",
	    KEY_RIGHTALT);
	EXPECT(&kb, '@', 1, "de: '@' under the client's AltGr: just Q",
	    KEY_Q);
	EXPECT(&kb, '@', 0, "de: '@' up", -KEY_Q);
	EXPECT(&kb, 'q', 1, "de: 'q' under AltGr: AltGr lifted around Q",
	    -KEY_RIGHTALT, KEY_Q, KEY_RIGHTALT);
	EXPECT(&kb, 'q', 0, "de: 'q' up", -KEY_Q);
	EXPECT(&kb, '>', 1, "de: '>' under AltGr: AltGr lifted, Shift "
	    "pressed", -KEY_RIGHTALT, KEY_LEFTSHIFT, KEY_102ND,
	    -KEY_LEFTSHIFT, KEY_RIGHTALT);
	EXPECT(&kb, '>', 0, "de: '>' up", -KEY_102ND);
	EXPECT(&kb, XK_Right, 1, "de: Right under AltGr keeps it", KEY_RIGHT);
	EXPECT(&kb, XK_Right, 0, "de: Right up", -KEY_RIGHT);
	EXPECT(&kb, XK_ISO_Level3_Shift, 0, "de: AltGr up", -KEY_RIGHTALT);

	EXPECT(&kb, XK_Shift_L, 1, "de: the client's Shift down",
	    KEY_LEFTSHIFT);
	EXPECT(&kb, '@', 1, "de: '@' under Shift: Shift lifted, AltGr "
	    "pressed, both put back", -KEY_LEFTSHIFT, KEY_RIGHTALT, KEY_Q,
	    -KEY_RIGHTALT, KEY_LEFTSHIFT);
	EXPECT(&kb, '@', 0, "de: '@' up", -KEY_Q);
	EXPECT(&kb, XK_Adiaeresis, 1, "de: 'Ä' under Shift: the key",
	    KEY_APOSTROPHE);
	EXPECT(&kb, XK_Adiaeresis, 0, "de: 'Ä' up", -KEY_APOSTROPHE);
	EXPECT(&kb, XK_Alt_R, 1, "de: the client's Alt_R: the right Alt, "
	    "AltGr here", KEY_RIGHTALT);
	EXPECT(&kb, '#', 1, "de: '#' under Shift and AltGr: both lifted",
	    -KEY_LEFTSHIFT, -KEY_RIGHTALT, KEY_BACKSLASH, KEY_LEFTSHIFT,
	    KEY_RIGHTALT);
	EXPECT(&kb, '#', 0, "de: '#' up", -KEY_BACKSLASH);
	EXPECT(&kb, XK_Alt_R, 0, "de: Alt_R up", -KEY_RIGHTALT);
	EXPECT(&kb, XK_Shift_L, 0, "de: Shift up", -KEY_LEFTSHIFT);

	/* Dead keys: typed whole at the press, nothing held. */
	EXPECT(&kb, XK_eacute, 1, "de: 'é': dead acute down and up, E down "
	    "and up", KEY_EQUAL, -KEY_EQUAL, KEY_E, -KEY_E);
	ok(kb.nheld == 0, "de: nothing held after 'é'");
	EXPECT_NONE(&kb, XK_eacute, 0, "de: 'é' released: nothing");
	EXPECT(&kb, XK_egrave, 1, "de: 'è': Shift around the dead key, then "
	    "E", KEY_LEFTSHIFT, KEY_EQUAL, -KEY_EQUAL, -KEY_LEFTSHIFT,
	    KEY_E, -KEY_E);
	EXPECT(&kb, XK_Shift_L, 1, "de: Shift down", KEY_LEFTSHIFT);
	EXPECT(&kb, XK_Eacute, 1, "de: 'É' under Shift: Shift lifted for "
	    "the dead key only", -KEY_LEFTSHIFT, KEY_EQUAL, -KEY_EQUAL,
	    KEY_LEFTSHIFT, KEY_E, -KEY_E);
	EXPECT(&kb, XK_Shift_L, 0, "de: Shift up", -KEY_LEFTSHIFT);
	keyboard_free(&kb);

	/* On us the client's AltGr is no key of the layout: Alt_R is an Alt
	 * and stays, ISO_Level3_Shift is lifted around characters. */
	keyboards_init(&all, us);
	keyboard_init(&kb, &all, record, &l);
	EXPECT(&kb, XK_ISO_Level3_Shift, 1, "us: the client's AltGr: the "
	    "right Alt", KEY_RIGHTALT);
	EXPECT(&kb, '@', 1, "us: '@' under the client's AltGr: it is "
	    "lifted, Shift+2", -KEY_RIGHTALT, KEY_LEFTSHIFT, KEY_2,
	    -KEY_LEFTSHIFT, KEY_RIGHTALT);
	EXPECT(&kb, '@', 0, "us: '@' up", -KEY_2);
	EXPECT(&kb, XK_ISO_Level3_Shift, 0, "us: AltGr up", -KEY_RIGHTALT);
	EXPECT(&kb, XK_Alt_R, 1, "us: Alt_R", KEY_RIGHTALT);
	EXPECT(&kb, 'f', 1, "us: 'f' under Alt_R: Alt+F stays a shortcut",
	    KEY_F);
	EXPECT(&kb, 'f', 0, "us: 'f' up", -KEY_F);
	EXPECT(&kb, XK_Alt_R, 0, "us: Alt_R up", -KEY_RIGHTALT);
	keyboard_free(&kb);
	keymap_free(de);
	keymap_free(us);
}

/* Several clients, one machine. */
static void
test_clients(void)
{
	struct keymap *km = keymap_builtin();
	struct keyboards all;
	struct keyboard a, b;
	struct log la = { .n = 0 }, lb = { .n = 0 };

	keyboards_init(&all, km);
	keyboard_init(&a, &all, record, &la);
	keyboard_init(&b, &all, record, &lb);
	ok(a.slot != b.slot, "two keyboards, two slots");

	EXPECT(&a, 'a', 1, "A presses 'a'", KEY_A);
	EXPECT(&b, 'a', 0, "B releases 'a', which only A holds: A up",
	    -KEY_A);
	ok(a.nheld == 0 && all.holders[KEY_A] == 0,
	    "and A no longer holds it");
	EXPECT_NONE(&a, 'a', 0, "A's own release then: nothing");

	EXPECT(&a, XK_Shift_L, 1, "A holds Shift", KEY_LEFTSHIFT);
	EXPECT(&b, XK_Shift_L, 1, "B holds Shift too", KEY_LEFTSHIFT);
	EXPECT_NONE(&a, XK_Shift_L, 0, "A lets go: B still holds it, it "
	    "stays down");
	EXPECT(&b, XK_Shift_L, 0, "B lets go: up", -KEY_LEFTSHIFT);

	EXPECT(&a, XK_Shift_L, 1, "A holds Shift", KEY_LEFTSHIFT);
	EXPECT(&b, '8', 1, "B types '8': A's Shift is lifted around it",
	    -KEY_LEFTSHIFT, KEY_8, KEY_LEFTSHIFT);
	EXPECT(&b, '8', 0, "B's '8' up", -KEY_8);
	EXPECT(&b, '*', 1, "B types '*': A's Shift serves", KEY_8);
	EXPECT(&b, '*', 0, "B's '*' up", -KEY_8);
	EXPECT(&b, XK_Shift_L, 1, "B holds Shift as well", KEY_LEFTSHIFT);
	la.n = 0;
	keyboard_free(&a);
	ok(la.n == 0, "A goes away: Shift stays down for B");
	EXPECT(&b, XK_Shift_L, 0, "B lets go: up", -KEY_LEFTSHIFT);
	keyboard_init(&a, &all, record, &la);

	EXPECT(&a, 'x', 1, "A presses 'x'", KEY_X);
	EXPECT(&b, 'x', 1, "B presses 'x' too", KEY_X);
	EXPECT_NONE(&a, 'x', 0, "A lets go: B holds it");
	lb.n = 0;
	keyboard_free(&b);
	{
		static const int want[] = { -KEY_X };

		if (!ok(same(&lb, want, 1), "B goes away: its last key up"))
			show(&lb);
	}
	keyboard_init(&b, &all, record, &lb);

	/* Keys by code (QEMU Extended Key Event). */
	la.n = 0;
	keyboard_raw(&a, KEY_LEFTSHIFT, XK_Shift_L, 1);
	keyboard_raw(&a, KEY_2, '@', 1);
	{
		static const int want[] = { KEY_LEFTSHIFT, KEY_2 };

		if (!ok(same(&la, want, 2), "by code: Shift and 2 down as they "
		    "are, nothing around them"))
			show(&la);
	}
	la.n = 0;
	keyboard_raw(&a, KEY_2, '@', 0);
	keyboard_raw(&a, KEY_LEFTSHIFT, XK_Shift_L, 0);
	ok(la.n == 2 && la.ev[0] == -KEY_2 && la.ev[1] == -KEY_LEFTSHIFT,
	    "and up");
	la.n = 0;
	keyboard_raw(&a, KEY_A, 'a', 1);
	EXPECT(&a, 'a', 0, "a KeyEvent release finds a key pressed by code",
	    -KEY_A);
	keyboard_raw(&a, KEY_B, 'b', 1);
	lb.n = 0;
	keyboard_raw(&b, KEY_B, 'b', 0);
	ok(lb.n == 1 && lb.ev[0] == -KEY_B && a.nheld == 0,
	    "by code, B releases A's key");
	ok(keyboard_raw(&a, 0, 0, 1) == -1 &&
	    keyboard_raw(&a, KEYBOARD_CODES, 0, 1) == -1,
	    "by code: 0 and codes past 255 are refused");

	/* Typing (paste): down and up, modifiers exactly the symbol's. */
	EXPECT(&b, XK_Shift_L, 1, "B holds Shift", KEY_LEFTSHIFT);
	la.n = 0;
	keyboard_type(&a, 'h');
	keyboard_type(&a, 'I');
	keyboard_type(&a, XK_Return);
	{
		static const int want[] = { -KEY_LEFTSHIFT, KEY_H, -KEY_H,
		    KEY_LEFTSHIFT, KEY_I, -KEY_I, -KEY_LEFTSHIFT, KEY_ENTER,
		    -KEY_ENTER, KEY_LEFTSHIFT };

		if (!ok(same(&la, want, 10), "A types 'h', 'I', Return while "
		    "B holds Shift: lifted around h and Return"))
			show(&la);
	}
	ok(keyboard_type(&a, XK_eacute) == -1, "and cannot type 'é' on us");
	keyboard_free(&a);
	keyboard_free(&b);
	keymap_free(km);
}

static void
test_xt(void)
{
	static const struct {
		uint32_t	xt;
		uint16_t	code;
	} e0[] = {
		{ 0xc8, KEY_UP }, { 0xd0, KEY_DOWN }, { 0xcb, KEY_LEFT },
		{ 0xcd, KEY_RIGHT }, { 0xc7, KEY_HOME }, { 0xcf, KEY_END },
		{ 0xc9, KEY_PAGEUP }, { 0xd1, KEY_PAGEDOWN },
		{ 0xd2, KEY_INSERT }, { 0xd3, KEY_DELETE },
		{ 0x9c, KEY_KPENTER }, { 0xb5, KEY_KPSLASH },
		{ 0x9d, KEY_RIGHTCTRL }, { 0xb8, KEY_RIGHTALT },
		{ 0xdb, KEY_LEFTMETA }, { 0xdc, KEY_RIGHTMETA },
		{ 0xdd, KEY_COMPOSE }, { 0x54, KEY_SYSRQ }, { 0xb7, KEY_SYSRQ },
		{ 0xc6, KEY_PAUSE }, { 0xa0, KEY_MUTE },
		{ 0xae, KEY_VOLUMEDOWN }, { 0xb0, KEY_VOLUMEUP },
		{ 0xde, KEY_POWER }, { 0x56, KEY_102ND }, { 0x57, KEY_F11 },
		{ 0x58, KEY_F12 }, { 0x73, KEY_RO }, { 0x7d, KEY_YEN },
		{ 0x70, KEY_KATAKANAHIRAGANA }, { 0x79, KEY_HENKAN },
		{ 0x7b, KEY_MUHENKAN },
	};
	static const uint32_t none[] = { 0, 0x80, 0xaa, 0xb6, 0xff, 0x100,
	    0xe01c, 0xffffffff };
	unsigned int i, bad = 0;

	for (i = 0x01; i <= 0x53; i++)
		if (keymap_xt_code(i) != i) {
			diag("XT %#x -> %u", i, keymap_xt_code(i));
			bad++;
		}
	ok(bad == 0, "XT 0x01..0x53 are Linux's codes 1..83 (Esc .. "
	    "keypad .)");
	ok(keymap_xt_code(0x1e) == KEY_A && keymap_xt_code(0x1c) ==
	    KEY_ENTER && keymap_xt_code(0x2a) == KEY_LEFTSHIFT &&
	    keymap_xt_code(0x38) == KEY_LEFTALT && keymap_xt_code(0x45) ==
	    KEY_NUMLOCK && keymap_xt_code(0x52) == KEY_KP0,
	    "e.g. A, Enter, left Shift, left Alt, NumLock, keypad 0");
	for (i = 0x54; i <= 0x58; i++)
		if (keymap_xt_code(i) == 0)
			bad++;
	ok(bad == 0, "and 0x54..0x58 are keys too");
	for (bad = 0, i = 0; i < sizeof(e0) / sizeof(e0[0]); i++)
		if (keymap_xt_code(e0[i].xt) != e0[i].code) {
			diag("XT %#x -> %u, not %u", e0[i].xt,
			    keymap_xt_code(e0[i].xt), e0[i].code);
			bad++;
		}
	ok(bad == 0, "%zu others: arrows, Home/End, Insert/Delete, keypad "
	    "Enter and /, right Ctrl and Alt, Meta, Print (0x54 and 0xb7), "
	    "Pause (0xc6), media, ISO and Japanese keys",
	    sizeof(e0) / sizeof(e0[0]));
	for (bad = 0, i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (keymap_xt_code(none[i]) != 0) {
			diag("XT %#x -> %u", none[i], keymap_xt_code(none[i]));
			bad++;
		}
	ok(bad == 0, "no key: 0, the fake Shifts of 0xe0 sequences, codes "
	    "past a byte");
	for (bad = 0, i = 0; i < 0x100; i++)
		if (keymap_xt_code(i) >= KEYBOARD_CODES)
			bad++;
	ok(bad == 0, "every code is one a keyboard may send (< %d)",
	    KEYBOARD_CODES);
}

int
main(void)
{
	log_init("test-keyboard", LOG_LEVEL_ERROR, 0);
	test_us_table();
	test_events();
	test_layouts();
	test_modifiers();
	test_clients();
	test_xt();
	return done_testing();
}
