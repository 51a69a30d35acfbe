/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <linux/input-event-codes.h>
#include <string.h>

#include <rfb/keysym.h>

#include "broker/keyboard.h"

void
keyboards_init(struct keyboards *all, const struct keymap *map)
{
	memset(all, 0, sizeof(*all));
	all->map = map;
}

int
keyboard_init(struct keyboard *kb, struct keyboards *all,
    keyboard_emit_fn *emit, void *arg)
{
	unsigned int i;

	memset(kb, 0, sizeof(*kb));
	for (i = 0; i < KEYBOARD_SLOTS; i++)
		if (all->slot[i] == NULL)
			break;
	if (i == KEYBOARD_SLOTS)
		return -1;
	all->slot[i] = kb;
	kb->all = all;
	kb->slot = i;
	kb->emit = emit;
	kb->arg = arg;
	return 0;
}

void
keyboard_free(struct keyboard *kb)
{
	if (kb->all == NULL)
		return;
	keyboard_release_all(kb);
	kb->all->slot[kb->slot] = NULL;
	kb->all = NULL;
}

static uint64_t
bit(const struct keyboard *kb)
{
	return (uint64_t)1 << kb->slot;
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

/* What a key is while it is held: a Shift, an AltGr, or neither. */
static uint8_t
key_mods(const struct keyboard *kb, uint32_t keysym, uint16_t code)
{
	uint16_t altgr = keymap_altgr(kb->all->map);

	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT)
		return KEYMAP_SHIFT;
	/* The client's AltGr, whatever key the layout has for it (on us,
	 * none: its Alt_R stays an Alt); the layout's AltGr key, whatever
	 * the client called it (its Alt_R on de is AltGr there). */
	if (keysym == XK_ISO_Level3_Shift || keysym == XK_Mode_switch ||
	    (altgr != 0 && code == altgr))
		return KEYMAP_ALTGR;
	return 0;
}

static void
hold(struct keyboard *kb, uint32_t keysym, uint16_t code)
{
	struct keyboards *all = kb->all;

	kb->held[kb->nheld].keysym = keysym;
	kb->held[kb->nheld].code = code;
	kb->nheld++;
	all->holders[code] |= bit(kb);
	all->mods[code] = key_mods(kb, keysym, code);
}

static void
forget(struct keyboard *kb, unsigned int i)
{
	/* Keep the press order: release_all lets go in reverse. */
	memmove(&kb->held[i], &kb->held[i + 1],
	    (kb->nheld - i - 1) * sizeof(kb->held[0]));
	kb->nheld--;
}

/* The key of entry i is no longer held by kb: up when no one holds it. */
static void
let_go(struct keyboard *kb, unsigned int i)
{
	struct keyboards *all = kb->all;
	uint16_t code = kb->held[i].code;

	forget(kb, i);
	if (held_code(kb, code, KEYBOARD_MAX_HELD) != -1)
		return;
	all->holders[code] &= ~bit(kb);
	if (all->holders[code] == 0) {
		all->mods[code] = 0;
		kb->emit(kb->arg, code, 0);
	}
}

/* kb lets go of a key that only other clients hold: it goes up, and they
 * no longer hold it. */
static void
let_go_for_others(struct keyboard *kb, uint16_t code)
{
	struct keyboards *all = kb->all;

	for (unsigned int s = 0; s < KEYBOARD_SLOTS; s++) {
		struct keyboard *other = all->slot[s];
		int i;

		if (other == NULL || !(all->holders[code] & bit(other)))
			continue;
		while ((i = held_code(other, code, KEYBOARD_MAX_HELD)) != -1)
			forget(other, (unsigned int)i);
	}
	all->holders[code] = 0;
	all->mods[code] = 0;
	kb->emit(kb->arg, code, 0);
}

/*
 * Key k down (and up, with up), its modifiers made exactly what it needs
 * (strict: a character, or a key of a dead-key sequence) or at least what
 * it needs (other keys: the client's Shift stays for Shift+Left), and put
 * back as they were.
 */
static void
press(struct keyboard *kb, struct keymap_key k, int strict, int up)
{
	struct keyboards *all = kb->all;
	uint16_t lifted[16], added[2];
	unsigned int nlifted = 0, nadded = 0, i;
	int shift = 0, altgr = 0;

	for (unsigned int c = 1; c < KEYBOARD_CODES; c++) {
		uint8_t m = all->mods[c];

		if (all->holders[c] == 0 || m == 0)
			continue;
		if (strict && ((m & KEYMAP_SHIFT && !(k.mods & KEYMAP_SHIFT)) ||
		    (m & KEYMAP_ALTGR && !(k.mods & KEYMAP_ALTGR)))) {
			if (nlifted < sizeof(lifted) / sizeof(lifted[0]))
				lifted[nlifted++] = (uint16_t)c;
			continue;
		}
		shift |= m & KEYMAP_SHIFT;
		altgr |= m & KEYMAP_ALTGR;
	}
	if ((k.mods & KEYMAP_SHIFT) && !shift)
		added[nadded++] = KEY_LEFTSHIFT;
	if ((k.mods & KEYMAP_ALTGR) && !altgr &&
	    keymap_altgr(all->map) != 0)
		added[nadded++] = keymap_altgr(all->map);
	for (i = 0; i < nlifted; i++)
		kb->emit(kb->arg, lifted[i], 0);
	for (i = 0; i < nadded; i++)
		kb->emit(kb->arg, added[i], 1);
	kb->emit(kb->arg, k.code, 1);
	if (up)
		kb->emit(kb->arg, k.code, 0);
	for (i = nadded; i > 0; i--)
		kb->emit(kb->arg, added[i - 1], 0);
	for (i = 0; i < nlifted; i++)
		kb->emit(kb->arg, lifted[i], 1);
}

static void
release(struct keyboard *kb, uint32_t keysym)
{
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	int i, n;

	/* A client may release under another keysym than it pressed ('A'
	 * pressed with Shift, 'a' released after Shift): then the key.  A
	 * symbol of a dead-key sequence was typed whole: nothing is held. */
	if ((i = held_keysym(kb, keysym)) == -1) {
		uint16_t code;

		if ((n = keymap_lookup(kb->all->map, keysym, seq)) != 1)
			return;
		code = seq[0].code;
		if ((i = held_code(kb, code, KEYBOARD_MAX_HELD)) == -1) {
			if (kb->all->holders[code] != 0)
				let_go_for_others(kb, code);
			return;
		}
	}
	let_go(kb, (unsigned int)i);
}

int
keyboard_event(struct keyboard *kb, uint32_t keysym, int down)
{
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	int n;

	if (!down) {
		release(kb, keysym);
		return 0;
	}
	if ((n = keymap_lookup(kb->all->map, keysym, seq)) == 0)
		return -1;
	if (n == 2) {
		press(kb, seq[0], 1, 1);
		press(kb, seq[1], 1, 1);
		return 0;
	}
	if (held_keysym(kb, keysym) == -1) {
		if (kb->nheld == KEYBOARD_MAX_HELD)
			return 0;
		hold(kb, keysym, seq[0].code);
	}
	if (key_mods(kb, keysym, seq[0].code) != 0) {
		kb->emit(kb->arg, seq[0].code, 1);
		return 0;
	}
	press(kb, seq[0], keymap_is_char(keysym), 0);
	return 0;
}

int
keyboard_raw(struct keyboard *kb, uint16_t code, uint32_t keysym, int down)
{
	int i;

	if (code == 0 || code >= KEYBOARD_CODES)
		return -1;
	i = held_code(kb, code, KEYBOARD_MAX_HELD);
	if (!down) {
		if (i != -1)
			let_go(kb, (unsigned int)i);
		else if (kb->all->holders[code] != 0)
			let_go_for_others(kb, code);
		return 0;
	}
	if (i == -1) {
		if (kb->nheld == KEYBOARD_MAX_HELD)
			return 0;
		hold(kb, keysym, code);
	}
	kb->emit(kb->arg, code, 1);
	return 0;
}

int
keyboard_type(struct keyboard *kb, uint32_t keysym)
{
	struct keymap_key seq[KEYMAP_SEQ_MAX];
	int n;

	if ((n = keymap_lookup(kb->all->map, keysym, seq)) == 0)
		return -1;
	for (int i = 0; i < n; i++)
		press(kb, seq[i], 1, 1);
	return 0;
}

void
keyboard_release_all(struct keyboard *kb)
{
	struct keyboards *all = kb->all;
	unsigned int i;

	for (i = kb->nheld; i > 0; i--) {
		uint16_t code = kb->held[i - 1].code;
		int first = held_code(kb, code, i - 1);

		/* Each key once: at its first press, the last one seen. */
		if (first != -1 && (unsigned int)first < i - 1)
			continue;
		all->holders[code] &= ~bit(kb);
		if (all->holders[code] == 0) {
			all->mods[code] = 0;
			kb->emit(kb->arg, code, 0);
		}
	}
	kb->nheld = 0;
}
