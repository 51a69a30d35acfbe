/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The machine's layout, backwards (keymap.h), from its real XKB data.
 *
 * libxkbcommon compiles the layout (rules evdev, model pc105) from
 * xkb-data in main(), before the sandbox: it reads files.  We walk every
 * key and level of the first group once and keep, for each keysym, the
 * best key that types it with Shift and AltGr only (a level that needs
 * Control, Alt, NumLock or Lock is not one we press), then let the keymap
 * go: from then on only our table and libxkbcommon's pure keysym functions
 * are used, and nothing is opened.
 *
 * The best key is the cheapest: a key of the main block with Shift costs
 * 2, with AltGr 6 (a Shift is on every keyboard and in every console
 * keymap), with both 8; the ISO key left of Z (KEY_102ND) costs 3 more, as
 * US keyboards lack it and XKB's "us" still puts '<' there: '<' is
 * Shift+comma on us but '\' is that key on gb, not AltGr+minus; any other
 * key (Japanese, multimedia) 10 more, the keypad 20 more.  Among equals,
 * the lowest code.  Keypad keysyms are not looked up at all: they are the
 * keypad's keys on every layout.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rfb/keysym.h>
#include <xkbcommon/xkbcommon.h>

#include "broker/keymap.h"
#include "common/log.h"

#ifndef RAMPART_XKB_ROOT
#define RAMPART_XKB_ROOT	"/usr/share/X11/xkb"
#endif

struct keymap_entry {
	uint32_t	keysym;		/* canonical: see canon() */
	uint16_t	code;
	uint8_t		mods;
	uint8_t		rank;		/* lower is better */
};

struct keymap {
	char		name[64];
	int		builtin;
	uint16_t	altgr;		/* the ISO_Level3_Shift key; 0: none */
	struct keymap_entry *e;
	size_t		n;
};

/*
 * One keysym for one symbol: Unicode keysyms (0x01000000 + code point)
 * become the legacy keysym of the same character where there is one, as
 * XKB's data mostly uses those (U+20AC is EuroSign).  Clients send either.
 */
static uint32_t
canon(uint32_t keysym)
{
	uint32_t ks;

	if (keysym < 0x01000020 || keysym > 0x0110ffff)
		return keysym;
	ks = xkb_utf32_to_keysym(keysym - 0x01000000);
	return ks != XKB_KEY_NoSymbol ? ks : keysym;
}

static int
is_keypad_keysym(uint32_t keysym)
{
	return keysym >= XK_KP_Space && keysym <= XK_KP_Equal;
}

int
keymap_is_char(uint32_t keysym)
{
	uint32_t u = xkb_keysym_to_utf32(keysym);

	return u > 0x20 && u != 0x7f && !is_keypad_keysym(keysym);
}

/* What a key costs on top of its modifiers (above), or -1 for no key at
 * all: XKB's virtual <LVL3>, <ALT>, <META>... have codes Linux never gives
 * a key. */
static int
key_cost(uint16_t code)
{
	switch (code) {
	case KEY_KPASTERISK:
	case KEY_KP7 ... KEY_KPDOT:
	case KEY_KPJPCOMMA:
	case KEY_KPENTER:
	case KEY_KPSLASH:
	case KEY_KPEQUAL:
	case KEY_KPPLUSMINUS:
	case KEY_KPCOMMA:
	case KEY_KPLEFTPAREN:
	case KEY_KPRIGHTPAREN:
		return 20;
	case KEY_102ND:
		return 3;
	case 84:
	case 195 ... 199:
	case 249 ... 255:
		return -1;
	}
	if (code == 0)
		return -1;
	if (code <= KEY_F12 || (code >= KEY_RIGHTCTRL && code <= KEY_DELETE) ||
	    code == KEY_PAUSE || (code >= KEY_LEFTMETA &&
	    code <= KEY_COMPOSE))
		return 0;
	return 10;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct keymap_entry *x = a, *y = b;

	if (x->keysym != y->keysym)
		return x->keysym < y->keysym ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->code < y->code ? -1 : x->code > y->code;
}

static const struct keymap_entry *
find(const struct keymap *km, uint32_t keysym)
{
	struct keymap_entry key = { .keysym = keysym };
	size_t lo = 0, hi = km->n;

	/* The first entry of keysym: the best, the table being sorted. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (km->e[mid].keysym < key.keysym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < km->n && km->e[lo].keysym == keysym ? &km->e[lo] : NULL;
}

/*
 * Letters with a diacritic, and the spacing accents, as a dead key and a
 * base: Latin-1 and Latin Extended-A, by Unicode code point (the canonical
 * decompositions of U+00C0..U+017F into an ASCII letter and one of the
 * thirteen accents below; a dead key then Space gives the accent alone).
 */
#define GRAVE		XKB_KEY_dead_grave
#define ACUTE		XKB_KEY_dead_acute
#define CIRCUMFLEX	XKB_KEY_dead_circumflex
#define TILDE		XKB_KEY_dead_tilde
#define MACRON		XKB_KEY_dead_macron
#define BREVE		XKB_KEY_dead_breve
#define ABOVEDOT	XKB_KEY_dead_abovedot
#define DIAERESIS	XKB_KEY_dead_diaeresis
#define ABOVERING	XKB_KEY_dead_abovering
#define DOUBLEACUTE	XKB_KEY_dead_doubleacute
#define CARON		XKB_KEY_dead_caron
#define CEDILLA		XKB_KEY_dead_cedilla
#define OGONEK		XKB_KEY_dead_ogonek

static const struct {
	uint16_t	ucs;
	uint16_t	dead;		/* XKB_KEY_dead_* */
	char		base;
} composed[] = {
	{ 0x05e, CIRCUMFLEX, ' ' }, { 0x060, GRAVE, ' ' },
	{ 0x07e, TILDE, ' ' }, { 0x0a8, DIAERESIS, ' ' },
	{ 0x0b4, ACUTE, ' ' }, { 0x0b8, CEDILLA, ' ' },
	{ 0x0c0, GRAVE, 'A' }, { 0x0c1, ACUTE, 'A' },
	{ 0x0c2, CIRCUMFLEX, 'A' }, { 0x0c3, TILDE, 'A' },
	{ 0x0c4, DIAERESIS, 'A' }, { 0x0c5, ABOVERING, 'A' },
	{ 0x0c7, CEDILLA, 'C' }, { 0x0c8, GRAVE, 'E' },
	{ 0x0c9, ACUTE, 'E' }, { 0x0ca, CIRCUMFLEX, 'E' },
	{ 0x0cb, DIAERESIS, 'E' }, { 0x0cc, GRAVE, 'I' },
	{ 0x0cd, ACUTE, 'I' }, { 0x0ce, CIRCUMFLEX, 'I' },
	{ 0x0cf, DIAERESIS, 'I' }, { 0x0d1, TILDE, 'N' },
	{ 0x0d2, GRAVE, 'O' }, { 0x0d3, ACUTE, 'O' },
	{ 0x0d4, CIRCUMFLEX, 'O' }, { 0x0d5, TILDE, 'O' },
	{ 0x0d6, DIAERESIS, 'O' }, { 0x0d9, GRAVE, 'U' },
	{ 0x0da, ACUTE, 'U' }, { 0x0db, CIRCUMFLEX, 'U' },
	{ 0x0dc, DIAERESIS, 'U' }, { 0x0dd, ACUTE, 'Y' },
	{ 0x0e0, GRAVE, 'a' }, { 0x0e1, ACUTE, 'a' },
	{ 0x0e2, CIRCUMFLEX, 'a' }, { 0x0e3, TILDE, 'a' },
	{ 0x0e4, DIAERESIS, 'a' }, { 0x0e5, ABOVERING, 'a' },
	{ 0x0e7, CEDILLA, 'c' }, { 0x0e8, GRAVE, 'e' },
	{ 0x0e9, ACUTE, 'e' }, { 0x0ea, CIRCUMFLEX, 'e' },
	{ 0x0eb, DIAERESIS, 'e' }, { 0x0ec, GRAVE, 'i' },
	{ 0x0ed, ACUTE, 'i' }, { 0x0ee, CIRCUMFLEX, 'i' },
	{ 0x0ef, DIAERESIS, 'i' }, { 0x0f1, TILDE, 'n' },
	{ 0x0f2, GRAVE, 'o' }, { 0x0f3, ACUTE, 'o' },
	{ 0x0f4, CIRCUMFLEX, 'o' }, { 0x0f5, TILDE, 'o' },
	{ 0x0f6, DIAERESIS, 'o' }, { 0x0f9, GRAVE, 'u' },
	{ 0x0fa, ACUTE, 'u' }, { 0x0fb, CIRCUMFLEX, 'u' },
	{ 0x0fc, DIAERESIS, 'u' }, { 0x0fd, ACUTE, 'y' },
	{ 0x0ff, DIAERESIS, 'y' }, { 0x100, MACRON, 'A' },
	{ 0x101, MACRON, 'a' }, { 0x102, BREVE, 'A' },
	{ 0x103, BREVE, 'a' }, { 0x104, OGONEK, 'A' },
	{ 0x105, OGONEK, 'a' }, { 0x106, ACUTE, 'C' },
	{ 0x107, ACUTE, 'c' }, { 0x108, CIRCUMFLEX, 'C' },
	{ 0x109, CIRCUMFLEX, 'c' }, { 0x10a, ABOVEDOT, 'C' },
	{ 0x10b, ABOVEDOT, 'c' }, { 0x10c, CARON, 'C' },
	{ 0x10d, CARON, 'c' }, { 0x10e, CARON, 'D' },
	{ 0x10f, CARON, 'd' }, { 0x112, MACRON, 'E' },
	{ 0x113, MACRON, 'e' }, { 0x114, BREVE, 'E' },
	{ 0x115, BREVE, 'e' }, { 0x116, ABOVEDOT, 'E' },
	{ 0x117, ABOVEDOT, 'e' }, { 0x118, OGONEK, 'E' },
	{ 0x119, OGONEK, 'e' }, { 0x11a, CARON, 'E' },
	{ 0x11b, CARON, 'e' }, { 0x11c, CIRCUMFLEX, 'G' },
	{ 0x11d, CIRCUMFLEX, 'g' }, { 0x11e, BREVE, 'G' },
	{ 0x11f, BREVE, 'g' }, { 0x120, ABOVEDOT, 'G' },
	{ 0x121, ABOVEDOT, 'g' }, { 0x122, CEDILLA, 'G' },
	{ 0x123, CEDILLA, 'g' }, { 0x124, CIRCUMFLEX, 'H' },
	{ 0x125, CIRCUMFLEX, 'h' }, { 0x128, TILDE, 'I' },
	{ 0x129, TILDE, 'i' }, { 0x12a, MACRON, 'I' },
	{ 0x12b, MACRON, 'i' }, { 0x12c, BREVE, 'I' },
	{ 0x12d, BREVE, 'i' }, { 0x12e, OGONEK, 'I' },
	{ 0x12f, OGONEK, 'i' }, { 0x130, ABOVEDOT, 'I' },
	{ 0x134, CIRCUMFLEX, 'J' }, { 0x135, CIRCUMFLEX, 'j' },
	{ 0x136, CEDILLA, 'K' }, { 0x137, CEDILLA, 'k' },
	{ 0x139, ACUTE, 'L' }, { 0x13a, ACUTE, 'l' },
	{ 0x13b, CEDILLA, 'L' }, { 0x13c, CEDILLA, 'l' },
	{ 0x13d, CARON, 'L' }, { 0x13e, CARON, 'l' },
	{ 0x143, ACUTE, 'N' }, { 0x144, ACUTE, 'n' },
	{ 0x145, CEDILLA, 'N' }, { 0x146, CEDILLA, 'n' },
	{ 0x147, CARON, 'N' }, { 0x148, CARON, 'n' },
	{ 0x14c, MACRON, 'O' }, { 0x14d, MACRON, 'o' },
	{ 0x14e, BREVE, 'O' }, { 0x14f, BREVE, 'o' },
	{ 0x150, DOUBLEACUTE, 'O' }, { 0x151, DOUBLEACUTE, 'o' },
	{ 0x154, ACUTE, 'R' }, { 0x155, ACUTE, 'r' },
	{ 0x156, CEDILLA, 'R' }, { 0x157, CEDILLA, 'r' },
	{ 0x158, CARON, 'R' }, { 0x159, CARON, 'r' },
	{ 0x15a, ACUTE, 'S' }, { 0x15b, ACUTE, 's' },
	{ 0x15c, CIRCUMFLEX, 'S' }, { 0x15d, CIRCUMFLEX, 's' },
	{ 0x15e, CEDILLA, 'S' }, { 0x15f, CEDILLA, 's' },
	{ 0x160, CARON, 'S' }, { 0x161, CARON, 's' },
	{ 0x162, CEDILLA, 'T' }, { 0x163, CEDILLA, 't' },
	{ 0x164, CARON, 'T' }, { 0x165, CARON, 't' },
	{ 0x168, TILDE, 'U' }, { 0x169, TILDE, 'u' },
	{ 0x16a, MACRON, 'U' }, { 0x16b, MACRON, 'u' },
	{ 0x16c, BREVE, 'U' }, { 0x16d, BREVE, 'u' },
	{ 0x16e, ABOVERING, 'U' }, { 0x16f, ABOVERING, 'u' },
	{ 0x170, DOUBLEACUTE, 'U' }, { 0x171, DOUBLEACUTE, 'u' },
	{ 0x172, OGONEK, 'U' }, { 0x173, OGONEK, 'u' },
	{ 0x174, CIRCUMFLEX, 'W' }, { 0x175, CIRCUMFLEX, 'w' },
	{ 0x176, CIRCUMFLEX, 'Y' }, { 0x177, CIRCUMFLEX, 'y' },
	{ 0x178, DIAERESIS, 'Y' }, { 0x179, ACUTE, 'Z' },
	{ 0x17a, ACUTE, 'z' }, { 0x17b, ABOVEDOT, 'Z' },
	{ 0x17c, ABOVEDOT, 'z' }, { 0x17d, CARON, 'Z' },
	{ 0x17e, CARON, 'z' },
};

#undef GRAVE
#undef ACUTE
#undef CIRCUMFLEX
#undef TILDE
#undef MACRON
#undef BREVE
#undef ABOVEDOT
#undef DIAERESIS
#undef ABOVERING
#undef DOUBLEACUTE
#undef CARON
#undef CEDILLA
#undef OGONEK

static int
lookup_builtin(uint32_t keysym, struct keymap_key *k)
{
	uint16_t code;
	int shift;

	if (keysym >= 0x01000020 && keysym < 0x0100007f)
		keysym -= 0x01000000;
	if (keymap_us_lookup(keysym, &code, &shift) < 0)
		return 0;
	k->code = code;
	k->mods = shift ? KEYMAP_SHIFT : 0;
	return 1;
}

int
keymap_lookup(const struct keymap *km, uint32_t keysym,
    struct keymap_key seq[KEYMAP_SEQ_MAX])
{
	const struct keymap_entry *e, *dead, *base;
	uint32_t ks = canon(keysym), u;

	/* Modifier keysyms are their keys on every layout: XKB's us has
	 * Meta_L as Shift+Alt_L, which no client means by it. */
	if (km->builtin || is_keypad_keysym(ks) ||
	    (ks >= XK_Shift_L && ks <= XK_Hyper_R &&
	    lookup_builtin(ks, &seq[0])))
		return lookup_builtin(ks, &seq[0]);
	if ((e = find(km, ks)) != NULL) {
		seq[0] = (struct keymap_key){ e->code, e->mods };
		return 1;
	}
	/* A letter with an accent, where the layout has the dead key. */
	if ((u = xkb_keysym_to_utf32(ks)) != 0 && u <= 0x17f) {
		for (size_t i = 0; i < sizeof(composed) / sizeof(composed[0]);
		    i++) {
			if (composed[i].ucs != u)
				continue;
			if ((dead = find(km, composed[i].dead)) == NULL ||
			    (base = find(km, (uint8_t)composed[i].base)) ==
			    NULL)
				return 0;
			seq[0] = (struct keymap_key){ dead->code, dead->mods };
			seq[1] = (struct keymap_key){ base->code, base->mods };
			return 2;
		}
	}
	/*
	 * Keys that are the same on every layout but that XKB gives only
	 * with modifiers we do not press, or on a key no keyboard has:
	 * Sys_Req, Break, Meta_L, Alt_R under a layout whose right Alt is
	 * AltGr, ISO_Level3_Shift under us.  Never a character: what the
	 * layout cannot type must not be typed as on a US keyboard.
	 */
	if (!keymap_is_char(ks) && ks >= 0xfd00)
		return lookup_builtin(ks, &seq[0]);
	return 0;
}

uint16_t
keymap_altgr(const struct keymap *km)
{
	return km->altgr;
}

const char *
keymap_name(const struct keymap *km)
{
	return km->name;
}

struct keymap *
keymap_builtin(void)
{
	struct keymap *km;

	if ((km = calloc(1, sizeof(*km))) == NULL)
		fatalx("keymap: out of memory");
	snprintf(km->name, sizeof(km->name), "us (built-in)");
	km->builtin = 1;
	km->altgr = 0;
	return km;
}

void
keymap_free(struct keymap *km)
{
	if (km == NULL)
		return;
	free(km->e);
	free(km);
}

/* libxkbcommon's complaints go to our log; the last error is the reason
 * a layout could not be had. */
static char xkb_error[160];

static void
xkb_log(struct xkb_context *ctx, enum xkb_log_level level, const char *fmt,
    va_list ap)
{
	char line[256];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("xkbcommon: %s", line);
	if (level <= XKB_LOG_LEVEL_ERROR && xkb_error[0] == '\0')
		snprintf(xkb_error, sizeof(xkb_error), "%s", line);
}

/* The key whose first level is ISO_Level3_Shift, and the real modifier it
 * sets; the right Alt where several are. */
static uint16_t
find_altgr(struct xkb_keymap *xkm, xkb_mod_mask_t *mask)
{
	xkb_keycode_t kc, best = 0;
	struct xkb_state *st;

	*mask = 0;
	for (kc = xkb_keymap_min_keycode(xkm);
	    kc <= xkb_keymap_max_keycode(xkm); kc++) {
		const xkb_keysym_t *syms;

		if (kc < 8 || kc - 8 > 255 || key_cost((uint16_t)(kc - 8)) < 0)
			continue;
		if (xkb_keymap_key_get_syms_by_level(xkm, kc, 0, 0, &syms) !=
		    1 || syms[0] != XKB_KEY_ISO_Level3_Shift)
			continue;
		if (best == 0 || kc - 8 == KEY_RIGHTALT)
			best = kc;
	}
	if (best == 0 || (st = xkb_state_new(xkm)) == NULL)
		return 0;
	xkb_state_update_key(st, best, XKB_KEY_DOWN);
	*mask = xkb_state_serialize_mods(st, XKB_STATE_MODS_DEPRESSED);
	xkb_state_unref(st);
	return *mask != 0 ? (uint16_t)(best - 8) : 0;
}

/* Our modifiers for the cheapest mask of a level: -1 when every mask
 * needs something else than Shift and AltGr. */
static int
level_mods(struct xkb_keymap *xkm, xkb_keycode_t kc, xkb_level_index_t lv,
    xkb_mod_mask_t shift, xkb_mod_mask_t l3)
{
	xkb_mod_mask_t masks[16];
	size_t n = xkb_keymap_key_get_mods_for_level(xkm, kc, 0, lv, masks,
	    sizeof(masks) / sizeof(masks[0]));
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		int m;

		if (masks[i] & ~(shift | l3))
			continue;
		m = (masks[i] & shift ? KEYMAP_SHIFT : 0) |
		    (masks[i] & l3 ? KEYMAP_ALTGR : 0);
		if (best == -1 || __builtin_popcount((unsigned)m) <
		    __builtin_popcount((unsigned)best))
			best = m;
	}
	return best;
}

static int
build(struct keymap *km, struct xkb_keymap *xkm)
{
	xkb_mod_mask_t shift, l3;
	xkb_mod_index_t si;
	size_t cap = 1024;

	si = xkb_keymap_mod_get_index(xkm, XKB_MOD_NAME_SHIFT);
	shift = si == XKB_MOD_INVALID ? 0 : (xkb_mod_mask_t)1 << si;
	km->altgr = find_altgr(xkm, &l3);
	if ((km->e = calloc(cap, sizeof(*km->e))) == NULL)
		return -1;
	for (xkb_keycode_t kc = xkb_keymap_min_keycode(xkm);
	    kc <= xkb_keymap_max_keycode(xkm); kc++) {
		int cost;

		if (kc < 8 || kc - 8 > 255 ||
		    (cost = key_cost((uint16_t)(kc - 8))) < 0)
			continue;
		for (xkb_level_index_t lv = 0;
		    lv < xkb_keymap_num_levels_for_key(xkm, kc, 0) && lv < 8;
		    lv++) {
			const xkb_keysym_t *syms;
			int mods;

			if (xkb_keymap_key_get_syms_by_level(xkm, kc, 0, lv,
			    &syms) != 1 || syms[0] == XKB_KEY_NoSymbol ||
			    (mods = level_mods(xkm, kc, lv, shift, l3)) < 0 ||
			    ((mods & KEYMAP_ALTGR) && km->altgr == 0))
				continue;
			if (km->n == cap) {
				struct keymap_entry *e;

				cap *= 2;
				if ((e = reallocarray(km->e, cap,
				    sizeof(*e))) == NULL)
					return -1;
				km->e = e;
			}
			km->e[km->n++] = (struct keymap_entry){
			    .keysym = canon(syms[0]),
			    .code = (uint16_t)(kc - 8), .mods = (uint8_t)mods,
			    .rank = (uint8_t)(cost +
			    (mods & KEYMAP_SHIFT ? 2 : 0) +
			    (mods & KEYMAP_ALTGR ? 6 : 0)) };
		}
	}
	qsort(km->e, km->n, sizeof(*km->e), entry_cmp);
	return 0;
}

struct keymap *
keymap_new(const char *layout, char *why, size_t whylen)
{
	struct xkb_rule_names names = { .rules = "evdev", .model = "pc105" };
	char lay[64], *variant = NULL, *paren;
	const char *root = getenv("XKB_CONFIG_ROOT");
	struct xkb_context *ctx;
	struct xkb_keymap *xkm;
	struct keymap *km;

	snprintf(lay, sizeof(lay), "%s", layout != NULL ? layout : "us");
	/* "de(nodeadkeys)": layout de, variant nodeadkeys. */
	if ((paren = strchr(lay, '(')) != NULL) {
		size_t n = strlen(paren);

		if (n < 3 || paren[n - 1] != ')') {
			snprintf(why, whylen, "not a layout or layout(variant)");
			return NULL;
		}
		*paren = '\0';
		paren[n - 1] = '\0';
		variant = paren + 1;
	}
	names.layout = lay;
	names.variant = variant;
	xkb_error[0] = '\0';
	/* The system's XKB data only: not $HOME's, not XKB_DEFAULT_*. */
	ctx = xkb_context_new(XKB_CONTEXT_NO_DEFAULT_INCLUDES |
	    XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
	if (ctx == NULL)
		fatalx("xkb_context_new");
	xkb_context_set_log_fn(ctx, xkb_log);
	xkb_context_set_log_level(ctx, XKB_LOG_LEVEL_ERROR);
	if (!xkb_context_include_path_append(ctx, root != NULL && *root != '\0' ?
	    root : RAMPART_XKB_ROOT)) {
		snprintf(why, whylen, "no XKB data in %s (install xkb-data)",
		    root != NULL && *root != '\0' ? root : RAMPART_XKB_ROOT);
		xkm = NULL;
	} else if ((xkm = xkb_keymap_new_from_names(ctx, &names,
	    XKB_KEYMAP_COMPILE_NO_FLAGS)) == NULL)
		snprintf(why, whylen, "XKB cannot compile it%s%s",
		    xkb_error[0] != '\0' ? ": " : "", xkb_error);
	if (xkm == NULL) {
		xkb_context_unref(ctx);
		if (layout != NULL)
			return NULL;
		log_info("no XKB keymap for the us layout, using the "
		    "built-in US table: %s", why);
		return keymap_builtin();
	}
	if ((km = calloc(1, sizeof(*km))) == NULL || build(km, xkm) < 0)
		fatalx("keymap: out of memory");
	snprintf(km->name, sizeof(km->name), "%s", layout != NULL ? layout :
	    "us");
	xkb_keymap_unref(xkm);
	xkb_context_unref(ctx);
	log_debug("keyboard layout %s: %zu keysyms, AltGr %s", km->name,
	    km->n, km->altgr != 0 ? "is a key" : "none");
	return km;
}
