/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The machine's keyboard layout, backwards: for a keysym a client sent,
 * the key (a Linux key code) and the modifiers (Shift, AltGr) that type it
 * there.  Built once, before the sandbox, from the layout's real XKB data
 * by libxkbcommon (keymap-xkb.c); when no XKB data can be read and no
 * layout was asked for, a built-in table of a US keyboard (keymap.c).
 *
 * A symbol without a key of its own that is a letter with a diacritic
 * (é on a German layout) is typed as the layout's dead key, then the base
 * letter: a sequence of two keys.
 */
#ifndef RAMPART_KEYMAP_H
#define RAMPART_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#define KEYMAP_SHIFT	0x01
#define KEYMAP_ALTGR	0x02	/* ISO_Level3_Shift */

/* The most keys one symbol takes: a dead key and a letter. */
#define KEYMAP_SEQ_MAX	2

struct keymap_key {
	uint16_t	code;		/* Linux KEY_*, 1 .. 255 */
	uint8_t		mods;		/* KEYMAP_SHIFT | KEYMAP_ALTGR */
};

struct keymap;

/*
 * The layout named as XKB names it ("de", "de(nodeadkeys)"), compiled with
 * rules evdev and model pc105.  NULL for layout means none was asked for:
 * "us" from XKB data, or the built-in US table when there is none.  NULL
 * with the reason in why when a layout that was asked for cannot be had.
 */
struct keymap	*keymap_new(const char *layout, char *why, size_t whylen);
/* The built-in US table (never NULL). */
struct keymap	*keymap_builtin(void);
void		 keymap_free(struct keymap *km);
/* For logs: "de(nodeadkeys)", or "us (built-in)". */
const char	*keymap_name(const struct keymap *km);

/*
 * The keys that type keysym, in order, into seq: 1 (a key and its
 * modifiers), 2 (a dead key, then a letter), or 0 when the layout has no
 * way to type it.  Keypad keysyms are the keypad's keys whatever the
 * layout, without modifiers: NumLock on the machine decides.
 */
int		 keymap_lookup(const struct keymap *km, uint32_t keysym,
		    struct keymap_key seq[KEYMAP_SEQ_MAX]);
/* The key that is AltGr (ISO_Level3_Shift) on this layout; 0: none. */
uint16_t	 keymap_altgr(const struct keymap *km);
/*
 * Whether keysym is a character (letters, digits, punctuation, but not
 * Space, keypad keys or function keys): a character's modifiers must be
 * exactly its own, so the client's Shift or AltGr is lifted around it
 * where the character must not have them.  For other keys the client's
 * modifiers stay, as in Shift+Left.
 */
int		 keymap_is_char(uint32_t keysym);

/* keymap.c: the built-in US table.  0 with *code and *shift, or -1. */
int		 keymap_us_lookup(uint32_t keysym, uint16_t *code, int *shift);

/*
 * xtkeys.c: an RFB "XT keycode" (QEMU Extended Key Event: a set 1 make
 * code, 0xe0-prefixed ones with the high bit set) to a Linux key code; 0
 * for a code that is no key we know.
 */
uint16_t	 keymap_xt_code(uint32_t xt);

#endif
