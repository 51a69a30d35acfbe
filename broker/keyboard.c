/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <linux/input-event-codes.h>
#include <string.h>

#include "broker/keyboard.h"

void
keyboard_init(struct keyboard *kb)
{
	memset(kb, 0, sizeof(*kb));
}

static int
held_keysym(const struct keyboard *kb, uint32_t keysym)
{
	unsigned int i;

	for (i = 0; i < kb->nheld; i++)
		if (kb->held[i].keysym == keysym)
			return (int)i;
	return -1;
}

static int
held_code(const struct keyboard *kb, uint16_t code, unsigned int except)
{
	unsigned int i;

	for (i = 0; i < kb->nheld; i++)
		if (i != except && kb->held[i].code == code)
			return (int)i;
	return -1;
}

static void
update_shift(struct keyboard *kb)
{
	kb->shift_l = held_code(kb, KEY_LEFTSHIFT, KEYBOARD_MAX_HELD) != -1;
	kb->shift_r = held_code(kb, KEY_RIGHTSHIFT, KEYBOARD_MAX_HELD) != -1;
}

/* Press code with Shift as the keysym needs it, whatever the client holds. */
static void
press(struct keyboard *kb, uint32_t keysym, uint16_t code, int shift,
    keyboard_emit_fn *emit, void *arg)
{
	int held = kb->shift_l || kb->shift_r;

	if (shift && !held) {
		emit(arg, KEY_LEFTSHIFT, 1);
		emit(arg, code, 1);
		emit(arg, KEY_LEFTSHIFT, 0);
	} else if (!shift && held && keymap_shift_matters(keysym)) {
		if (kb->shift_l)
			emit(arg, KEY_LEFTSHIFT, 0);
		if (kb->shift_r)
			emit(arg, KEY_RIGHTSHIFT, 0);
		emit(arg, code, 1);
		if (kb->shift_l)
			emit(arg, KEY_LEFTSHIFT, 1);
		if (kb->shift_r)
			emit(arg, KEY_RIGHTSHIFT, 1);
	} else
		emit(arg, code, 1);
}

static void
release(struct keyboard *kb, uint32_t keysym, keyboard_emit_fn *emit,
    void *arg)
{
	uint16_t code;
	int i, shift;

	/* A client may release under another keysym than it pressed ('A'
	 * pressed with Shift, 'a' released after Shift): then the key. */
	if ((i = held_keysym(kb, keysym)) == -1) {
		if (keymap_lookup(keysym, &code, &shift) == -1 ||
		    (i = held_code(kb, code, KEYBOARD_MAX_HELD)) == -1)
			return;
	}
	code = kb->held[i].code;
	/* Keep the press order: release_all lets go in reverse. */
	memmove(&kb->held[i], &kb->held[i + 1],
	    (kb->nheld - (unsigned int)i - 1) * sizeof(kb->held[0]));
	kb->nheld--;
	update_shift(kb);
	/* Two keysyms on one key ('8' and '*'): up when the last goes. */
	if (held_code(kb, code, KEYBOARD_MAX_HELD) == -1)
		emit(arg, code, 0);
}

int
keyboard_event(struct keyboard *kb, uint32_t keysym, int down,
    keyboard_emit_fn *emit, void *arg)
{
	uint16_t code;
	int shift;

	if (!down) {
		release(kb, keysym, emit, arg);
		return 0;
	}
	if (keymap_lookup(keysym, &code, &shift) == -1)
		return -1;
	if (held_keysym(kb, keysym) == -1) {
		if (kb->nheld == KEYBOARD_MAX_HELD)
			return 0;
		kb->held[kb->nheld].keysym = keysym;
		kb->held[kb->nheld].code = code;
		kb->nheld++;
	}
	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
		update_shift(kb);
		emit(arg, code, 1);
		return 0;
	}
	press(kb, keysym, code, shift, emit, arg);
	return 0;
}

void
keyboard_release_all(struct keyboard *kb, keyboard_emit_fn *emit, void *arg)
{
	unsigned int i;
	int first;

	for (i = kb->nheld; i > 0; i--) {
		first = held_code(kb, kb->held[i - 1].code, i - 1);
		if (first == -1 || (unsigned int)first > i - 1)
			emit(arg, kb->held[i - 1].code, 0);
	}
	kb->nheld = 0;
	kb->shift_l = kb->shift_r = 0;
}
