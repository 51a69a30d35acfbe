/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdint.h>
#include <string.h>

#include <rfb/keysym.h>

#include "broker/keyboard.h"
#include "tests/tap.h"

/* What the keyboard emitted, as signed codes: +code down, -code up. */
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

/* One event, then what it emitted against want. */
#define EXPECT(kb, ks, down, name, ...) do {				\
	static const int want_[] = { 0, __VA_ARGS__ };			\
	struct log l_ = { .n = 0 };					\
	keyboard_event((kb), (ks), (down), record, &l_);		\
	if (!ok(same(&l_, want_ + 1,					\
	    (int)(sizeof(want_) / sizeof(want_[0])) - 1), "%s", name))	\
		show(&l_);						\
} while (0)

#define EXPECT_NONE(kb, ks, down, name) do {				\
	struct log l_ = { .n = 0 };					\
	keyboard_event((kb), (ks), (down), record, &l_);		\
	if (!ok(l_.n == 0, "%s", name))					\
		show(&l_);						\
} while (0)

static void
test_lookup(void)
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
	};
	static const uint32_t unknown[] = {
		0, 0x1f, 0x7f, 0xa0, XK_eacute, XK_sterling, 0xff00, 0xff01,
		XK_VoidSymbol, 0x1000041, XK_Hyper_L, 0xfe01,
	};
	unsigned int i, bad = 0, letters = 0;
	uint16_t code;
	int shift;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (keymap_lookup(map[i].keysym, &code, &shift) != 0 ||
		    code != map[i].code || shift != map[i].shift) {
			bad++;
			diag("keysym %#x", map[i].keysym);
		}
	}
	ok(bad == 0, "%zu keysyms map to their US keys", sizeof(map) /
	    sizeof(map[0]));
	for (i = 0; i < 26; i++) {
		uint16_t upper;
		int ushift;

		if (keymap_lookup('a' + i, &code, &shift) == 0 && shift == 0 &&
		    keymap_lookup('A' + i, &upper, &ushift) == 0 &&
		    ushift == 1 && upper == code && code != 0)
			letters++;
	}
	ok(letters == 26, "every letter, lower without and upper with Shift");
	for (bad = 0, i = 0x20; i < 0x7f; i++)
		if (keymap_lookup(i, &code, &shift) != 0)
			bad++;
	ok(bad == 0, "every printable ASCII keysym is known");
	for (bad = 0, i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (keymap_lookup(unknown[i], &code, &shift) != -1) {
			bad++;
			diag("keysym %#x mapped to %u", unknown[i], code);
		}
	ok(bad == 0, "keysyms not on a US keyboard are unknown");
}

static void
test_events(void)
{
	struct keyboard kb;
	struct log l = { .n = 0 };
	unsigned int i;

	keyboard_init(&kb);
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
	ok(kb.shift_l && !kb.shift_r, "Shift_L is held");
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
	EXPECT(&kb, XK_Shift_R, 1, "Shift_R down too", KEY_RIGHTSHIFT);
	EXPECT(&kb, '1', 1, "'1' with both Shifts: both lifted and restored",
	    -KEY_LEFTSHIFT, -KEY_RIGHTSHIFT, KEY_1, KEY_LEFTSHIFT,
	    KEY_RIGHTSHIFT);
	EXPECT(&kb, '1', 0, "'1' up", -KEY_1);
	EXPECT(&kb, XK_Shift_R, 0, "Shift_R up", -KEY_RIGHTSHIFT);
	EXPECT(&kb, 'B', 1, "'B' under Shift_L: B", KEY_B);
	EXPECT(&kb, XK_Shift_L, 0, "Shift_L up", -KEY_LEFTSHIFT);
	ok(!kb.shift_l && !kb.shift_r, "no Shift held");
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
	EXPECT(&kb, XK_KP_8, 1, "KP_8: KP8", KEY_KP8);
	EXPECT(&kb, XK_KP_8, 0, "KP_8 up", -KEY_KP8);
	EXPECT(&kb, XK_ISO_Left_Tab, 1, "ISO_Left_Tab: Shift+Tab",
	    KEY_LEFTSHIFT, KEY_TAB, -KEY_LEFTSHIFT);
	EXPECT(&kb, XK_ISO_Left_Tab, 0, "ISO_Left_Tab up", -KEY_TAB);

	EXPECT_NONE(&kb, XK_eacute, 1, "unknown keysym: nothing");
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
	keyboard_release_all(&kb, record, &l);
	{
		static const int want[] = { -KEY_LEFTMETA, -KEY_DELETE,
		    -KEY_RIGHTSHIFT, -KEY_LEFTALT, -KEY_LEFTCTRL };

		if (!ok(same(&l, want, 5), "release_all: each key up once, "
		    "last pressed first"))
			show(&l);
	}
	ok(kb.nheld == 0 && !kb.shift_r, "release_all forgets everything");
	l.n = 0;
	keyboard_release_all(&kb, record, &l);
	ok(l.n == 0, "release_all with nothing held emits nothing");

	/* F1-F24 and a-h: 32 keys. */
	for (i = 0; i < KEYBOARD_MAX_HELD; i++)
		keyboard_event(&kb, i < 24 ? XK_F1 + i : 'a' + i - 24, 1,
		    record, &l);
	ok(kb.nheld == KEYBOARD_MAX_HELD, "the held table fills up");
	l.n = 0;
	keyboard_event(&kb, XK_Escape, 1, record, &l);
	ok(l.n == 0 && kb.nheld == KEYBOARD_MAX_HELD,
	    "a press with the table full is ignored");
	keyboard_event(&kb, XK_Escape, 0, record, &l);
	ok(l.n == 0, "and so is its release");
	l.n = 0;
	keyboard_release_all(&kb, record, &l);
	ok(l.n == KEYBOARD_MAX_HELD, "release_all releases all %d keys",
	    KEYBOARD_MAX_HELD);
}

int
main(void)
{
	test_lookup();
	test_events();
	return done_testing();
}
