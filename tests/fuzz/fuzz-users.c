/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The users file and the VNC password file as an administrator (or a
 * broken editor) may write them: the input is the whole text.  Whatever
 * parses must come back the same through users_format() and another
 * parse, and again after an account is removed: rampart-passwd rewrites
 * files this way.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_accounts(const struct users *a, const struct users *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const struct users_entry *x = &a->entries[i];
		const struct users_entry *y = &b->entries[i];

		if (strcmp(x->name, y->name) != 0 || x->role != y->role ||
		    strcmp(x->hash, y->hash) != 0)
			abort();
		/* What the parser took, the rules take. */
		if (!users_name_ok(x->name) || users_find(a, x->name) != x ||
		    (x->role != USERS_CONTROL && x->role != USERS_VIEW))
			abort();
	}
}

/* Format u, parse it again: the same accounts and the same text. */
static void
round_trip(const struct users *u)
{
	struct users again;
	char why[256], *text, *text2;

	if ((text = users_format(u)) == NULL)
		abort();
	if (users_parse(&again, text, strlen(text), why, sizeof(why)) < 0)
		abort();
	same_accounts(u, &again);
	if ((text2 = users_format(&again)) == NULL || strcmp(text, text2) != 0)
		abort();
	free(text);
	free(text2);
	users_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct vnc_passwords v;
	struct users u;
	char why[256];

	if (vnc_passwords_parse(&v, text, size, why, sizeof(why)) == 0) {
		if (!v.have_control && !v.have_view)
			abort();
	} else if (strncmp(why, "line ", 5) != 0 &&
	    strncmp(why, "no ", 3) != 0) {
		abort();
	}

	if (users_parse(&u, text, size, why, sizeof(why)) < 0) {
		if (strncmp(why, "line ", 5) != 0 || u.n != 0 ||
		    u.entries != NULL)
			abort();
		return 0;
	}
	round_trip(&u);
	if (u.n > 0) {
		char name[USERS_NAME_MAX + 1];

		memcpy(name, u.entries[0].name, sizeof(name));
		if (users_del(&u, name) < 0 || users_find(&u, name) != NULL)
			abort();
		round_trip(&u);
	}
	users_free(&u);
	return 0;
}
