/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paste as typing (--paste-as-typing): a ClientCutText of a client with
 * control is typed into the machine on its layout, as PiKVM does, so that
 * a long command or a password reaches a text console or a firmware
 * screen that has no clipboard.
 *
 * - At most SESSION_CUT_KEEP (4 KiB) of it: the rest is dropped, and the
 *   log says how much.
 * - One character every PASTE_TICK_MS from a timer, never in a loop: the
 *   broker goes on serving everyone, and the machine (a BIOS polling a USB
 *   keyboard) keeps up.  A tick waits while the input helper is behind.
 * - Each character is typed whole in its tick (its modifiers, its key down
 *   and up, the modifiers put back: keyboard_type()), so the client's own
 *   keys, and other clients', interleave between characters and always
 *   find the modifiers as their holders left them.
 * - Newline is Enter, tab is Tab, CR LF one Enter; a character the layout
 *   cannot type (a control character, a letter it has no key or dead key
 *   for) is skipped, and the skips are counted in the one line logged at
 *   the end.
 * - A paste while one is typing is refused, with a log line: viewers send
 *   their clipboard again on their own (on focus, on connect), and typing
 *   it twice, or half of one and then another, would do what no one meant.
 */
#include "config.h"

#include <event2/event.h>

#include <rfb/keysym.h>

#include <stdio.h>
#include <string.h>

#include "broker/client.h"
#include "common/log.h"

/* The keysym of a Latin-1 character of a paste; 0: none. */
static uint32_t
paste_keysym(const struct paste *p, size_t i)
{
	uint8_t ch = p->text[i];

	if (ch == '\n')
		return XK_Return;
	if (ch == '\r')		/* CR LF is one Enter */
		return i + 1 < p->len && p->text[i + 1] == '\n' ? 0 :
		    XK_Return;
	if (ch == '\t')
		return XK_Tab;
	if ((ch >= 0x20 && ch < 0x7f) || ch >= 0xa0)
		return ch;	/* Latin-1 keysyms are the characters */
	return 0;
}

static void
paste_done(struct client *c)
{
	struct paste *p = &c->paste;
	char dropped[64] = "";

	if (p->total > p->len)
		snprintf(dropped, sizeof(dropped), ", the %u bytes past %zu "
		    "dropped", p->total - (uint32_t)p->len, p->len);
	log_info("%s: paste typed: %u characters on the %s layout, %u "
	    "skipped that it cannot type%s", c->tag, p->typed,
	    keymap_name(c->broker->keys.map), p->skipped, dropped);
	event_free(p->ev);
	p->ev = NULL;
}

static void
paste_tick(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	struct paste *p = &c->paste;

	/* Keys are never dropped: while the helper is behind, we wait. */
	if (in_busy(c->broker))
		return;
	while (p->pos < p->len) {
		uint32_t ks = paste_keysym(p, p->pos);
		int cr = p->text[p->pos] == '\r';

		p->pos++;
		if (ks == 0 && cr)
			continue;	/* the CR of CR LF */
		if (ks != 0 && keyboard_type(&c->kb, ks) == 0) {
			p->typed++;
			break;
		}
		p->skipped++;
	}
	if (p->pos == p->len)
		paste_done(c);
}

void
paste_start(struct client *c, const uint8_t *text, size_t len,
    uint32_t total)
{
	struct paste *p = &c->paste;
	struct timeval tv = { 0, PASTE_TICK_MS * 1000 };

	if (p->ev != NULL) {
		log_info("%s: paste of %u bytes refused: still typing the one "
		    "before (%zu of %zu characters left)", c->tag, total,
		    p->len - p->pos, p->len);
		return;
	}
	if (len == 0)
		return;
	if (len > sizeof(p->text))
		len = sizeof(p->text);
	p->ev = event_new(c->broker->base, -1, EV_PERSIST, paste_tick, c);
	if (p->ev == NULL) {
		log_warnx("%s: paste: out of memory", c->tag);
		return;
	}
	memcpy(p->text, text, len);
	p->len = len;
	p->pos = 0;
	p->total = total;
	p->typed = p->skipped = 0;
	log_info("%s: paste of %u bytes: typing %zu at one every %d ms",
	    c->tag, total, len, PASTE_TICK_MS);
	event_add(p->ev, &tv);
}

void
paste_stop(struct client *c)
{
	struct paste *p = &c->paste;

	if (p->ev == NULL)
		return;
	log_info("%s: paste stopped after %u characters", c->tag, p->typed);
	event_free(p->ev);
	p->ev = NULL;
}
