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
/* One RFB KeyEvent: emits zero or more key events through emit. */
void	keyboard_event(struct keyboard *kb, uint32_t keysym, int down,
	    keyboard_emit_fn *emit, void *arg);
/* Release every key this client holds. */
void	keyboard_release_all(struct keyboard *kb, keyboard_emit_fn *emit,
	    void *arg);

#endif
