/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From RFB keysyms to Linux key codes, US layout.  A keysym maps to a key
 * and whether Shift is part of it: '8' and '*' are both KEY_8, the second
 * with Shift.  The keyboard of one client tracks what that client holds, so
 * that Shift is pressed or lifted around a key where the client's own Shift
 * state does not match, a release finds the key its press went to, and
 * everything can be released when the client goes away.
 */
#ifndef RAMPART_KEYBOARD_H
#define RAMPART_KEYBOARD_H

#include <stdint.h>

/* Look up one keysym: 0 with *code and *shift, or -1 when unknown. */
int	keymap_lookup(uint32_t keysym, uint16_t *code, int *shift);
/* Whether the keysym's key means something else with Shift (letters,
 * digits, punctuation), so that the Shift state must match its *shift;
 * for other keys (Space, arrows, F-keys) the client's Shift stays, as in
 * Shift+Left. */
int	keymap_shift_matters(uint32_t keysym);

#define KEYBOARD_MAX_HELD	32

typedef void keyboard_emit_fn(void *arg, uint16_t code, int down);

struct keyboard {
	struct {
		uint32_t	keysym;
		uint16_t	code;
	} held[KEYBOARD_MAX_HELD];
	unsigned int	nheld;
	uint8_t		shift_l, shift_r;	/* held by the client */
};

void	keyboard_init(struct keyboard *kb);
/*
 * One RFB KeyEvent: emits zero or more key events through emit.
 *
 * A press of a keysym that needs Shift while the client holds none is
 * Shift down, key down, Shift up (KEY_LEFTSHIFT).  A press of a keysym
 * whose Shift matters and that must be typed without Shift while the
 * client holds Shift (e.g. '8', or 'a' under a client's Caps Lock) is:
 * the held Shifts up, key down, the held Shifts down again.  Modifier
 * keysyms are pressed as themselves; shift_l and shift_r follow the Shift
 * keys the client holds.
 *
 * A press of a keysym with no key on the layout returns -1 (the caller
 * says so once); everything else returns 0.  A press of a keysym already held (the
 * client's autorepeat) does the same again, key down included; Linux's
 * input core drops a down for a key already down, so the target's own
 * autorepeat does the repeating.  A press while KEYBOARD_MAX_HELD keys are
 * held is ignored.  A release finds the key its press went to, or, for a
 * keysym not held, a held key of the same code ('A' pressed, 'a'
 * released); a key that two held keysyms share ('8' and '*') goes up with
 * the last of them.  A release of nothing held is ignored.
 */
int	keyboard_event(struct keyboard *kb, uint32_t keysym, int down,
	    keyboard_emit_fn *emit, void *arg);
/* Release every key this client holds, modifiers included, in the
 * reverse order of the presses, and forget them. */
void	keyboard_release_all(struct keyboard *kb, keyboard_emit_fn *emit,
	    void *arg);

#endif
