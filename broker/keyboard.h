/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyboards of the clients, one machine behind them.  A client sends
 * keysyms; the layout (keymap.h) says which key and modifiers type each
 * one.  A client's keyboard presses the modifiers a symbol needs that are
 * not down and lifts, around a character, those that are down but must not
 * be ('8' under a held Shift, 'q' under a held AltGr), so that the machine
 * types the symbol the client's user saw.
 *
 * The machine has one set of keys, however many clients type: struct
 * keyboards knows which client holds which key.  A key goes up when its
 * last holder lets go, a release by one client of a key only others hold
 * still releases it (and they no longer hold it), and a modifier held by
 * one client counts for all: what is down is down on the machine.
 */
#ifndef RAMPART_KEYBOARD_H
#define RAMPART_KEYBOARD_H

#include <stdint.h>

#include "broker/keymap.h"

#define KEYBOARD_MAX_HELD	32	/* keys one client holds */
#define KEYBOARD_CODES		256	/* Linux key codes we send: 1 .. 255 */
#define KEYBOARD_SLOTS		64	/* keyboards at once (one a client) */

typedef void keyboard_emit_fn(void *arg, uint16_t code, int down);

struct keyboard;

/* Broker-wide: the layout, and who holds what. */
struct keyboards {
	const struct keymap *map;
	uint64_t	holders[KEYBOARD_CODES];	/* bit n: slot n */
	uint8_t		mods[KEYBOARD_CODES];	/* a held key is KEYMAP_* */
	struct keyboard	*slot[KEYBOARD_SLOTS];
};

/* One client's. */
struct keyboard {
	struct keyboards *all;
	unsigned int	slot;
	keyboard_emit_fn *emit;		/* towards the machine */
	void		*arg;
	struct {
		uint32_t	keysym;		/* 0: pressed by code alone */
		uint16_t	code;
	} held[KEYBOARD_MAX_HELD];	/* in the order of the presses */
	unsigned int	nheld;
};

void	keyboards_init(struct keyboards *all, const struct keymap *map);
/* A keyboard whose key events go to emit(arg, ...): 0, or -1 when
 * KEYBOARD_SLOTS keyboards exist. */
int	keyboard_init(struct keyboard *kb, struct keyboards *all,
	    keyboard_emit_fn *emit, void *arg);
/* Release what it holds (keyboard_release_all), and its slot. */
void	keyboard_free(struct keyboard *kb);

/*
 * One RFB KeyEvent.
 *
 * A press: the keysym's key, with the modifiers its symbol needs pressed
 * around it (Shift, AltGr: KEYMAP_SHIFT, KEYMAP_ALTGR) where no one holds
 * them, and, for a character (keymap_is_char), the Shifts and AltGrs held
 * lifted around it where the symbol must not have them; both are put back
 * as they were right after the key went down.  The lifted keys go up in
 * the order of their codes, and down again in the same order.  A modifier
 * key is pressed as itself and counts for every client from then on.
 * Returns -1 for a keysym the layout has no key for (the caller says so
 * once); anything else returns 0.
 *
 * A symbol typed with a dead key (é on de: dead_acute, then e) is typed
 * whole at its press, each key down and up, and nothing stays held: its
 * release does nothing.
 *
 * A press of a keysym already held (the client's autorepeat) does the same
 * again, key down included; Linux's input core drops a down for a key
 * already down, so the machine's own autorepeat does the repeating.  A
 * press while KEYBOARD_MAX_HELD keys are held is ignored.  A release finds
 * the key its press went to, or, for a keysym not held, a held key of the
 * same code ('A' pressed, 'a' released); a key that two held keysyms share
 * ('8' and '*'), or that two clients hold, goes up with the last of them.
 * A release of a key that only other clients hold releases it for them.
 * A release of nothing held is ignored.
 */
int	keyboard_event(struct keyboard *kb, uint32_t keysym, int down);
/*
 * A key by its code (QEMU Extended Key Event): pressed or released as it
 * is, no layout, no modifiers around it; keysym (or 0) is remembered, so
 * that a KeyEvent release of the same keysym finds it.  -1 for a code
 * outside 1 .. KEYBOARD_CODES - 1.
 */
int	keyboard_raw(struct keyboard *kb, uint16_t code, uint32_t keysym,
	    int down);
/* Type keysym whole, down and up (paste): with its modifiers exactly as
 * its symbol needs, as for a character.  -1 when the layout cannot. */
int	keyboard_type(struct keyboard *kb, uint32_t keysym);
/* Release every key this client holds, modifiers included, in the reverse
 * order of the presses (each key that no other client holds goes up), and
 * forget them. */
void	keyboard_release_all(struct keyboard *kb);

#endif
