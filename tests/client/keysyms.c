/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keysyms tests name.  Without X there is no XStringToKeysym: this
 * table holds the names the tests use, values from X11's keysymdef.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tests/client/testclient.h"

static const struct {
	const char	*name;
	uint32_t	 keysym;
} names[] = {
	{ "space",	0x0020 },
	{ "comma",	0x002c },
	{ "asterisk",	0x002a },
	{ "plus",	0x002b },
	{ "minus",	0x002d },
	{ "BackSpace",	0xff08 },
	{ "Tab",	0xff09 },
	{ "Return",	0xff0d },
	{ "Escape",	0xff1b },
	{ "Delete",	0xffff },
	{ "Home",	0xff50 },
	{ "Left",	0xff51 },
	{ "Up",		0xff52 },
	{ "Right",	0xff53 },
	{ "Down",	0xff54 },
	{ "Page_Up",	0xff55 },
	{ "Page_Down",	0xff56 },
	{ "End",	0xff57 },
	{ "Insert",	0xff63 },
	{ "KP_Enter",	0xff8d },
	{ "KP_Multiply", 0xffaa },
	{ "KP_Add",	0xffab },
	{ "KP_Subtract", 0xffad },
	{ "KP_Decimal",	0xffae },
	{ "KP_Divide",	0xffaf },
	{ "KP_0",	0xffb0 },
	{ "KP_1",	0xffb1 },
	{ "KP_2",	0xffb2 },
	{ "KP_3",	0xffb3 },
	{ "KP_4",	0xffb4 },
	{ "KP_5",	0xffb5 },
	{ "KP_6",	0xffb6 },
	{ "KP_7",	0xffb7 },
	{ "KP_8",	0xffb8 },
	{ "KP_9",	0xffb9 },
	{ "F1",		0xffbe },
	{ "F2",		0xffbf },
	{ "F3",		0xffc0 },
	{ "F4",		0xffc1 },
	{ "F5",		0xffc2 },
	{ "F6",		0xffc3 },
	{ "F7",		0xffc4 },
	{ "F8",		0xffc5 },
	{ "F9",		0xffc6 },
	{ "F10",	0xffc7 },
	{ "F11",	0xffc8 },
	{ "F12",	0xffc9 },
	{ "Shift_L",	0xffe1 },
	{ "Shift_R",	0xffe2 },
	{ "Control_L",	0xffe3 },
	{ "Control_R",	0xffe4 },
	{ "Caps_Lock",	0xffe5 },
	{ "Meta_L",	0xffe7 },
	{ "Alt_L",	0xffe9 },
	{ "Alt_R",	0xffea },
	{ "Super_L",	0xffeb },
};

int
keysym_lookup(const char *name, uint32_t *keysym)
{
	char	*end;
	size_t	 i;

	/* Printable Latin-1 characters are their own keysyms. */
	if (strlen(name) == 1 && (unsigned char)name[0] > 0x20 &&
	    (unsigned char)name[0] < 0x7f) {
		*keysym = (unsigned char)name[0];
		return 0;
	}
	if (strncmp(name, "0x", 2) == 0) {
		*keysym = strtoul(name + 2, &end, 16);
		return *end == '\0' && end != name + 2 ? 0 : -1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0) {
			*keysym = names[i].keysym;
			return 0;
		}
	return -1;
}
