/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "input/input.h"

static int
key_held(const struct input *in, uint16_t code)
{
	return in->keys[code / 8] & (1u << (code % 8));
}

/* What the sink said: 0, or -1 once it failed. */
static int
sink_result(struct input *in, int r)
{
	if (r == SINK_WOULD_BLOCK) {
		in->blocked = 1;
		return 0;
	}
	if (r < 0) {
		in->failed = 1;
		return -1;
	}
	return 0;
}

static void
key_set(struct input *in, uint16_t code, int down)
{
	if (down)
		in->keys[code / 8] |= (uint8_t)(1u << (code % 8));
	else
		in->keys[code / 8] &= (uint8_t)~(1u << (code % 8));
}

void
input_init(struct input *in, const struct sink_ops *sink, void *sink_state,
    unsigned int allow)
{
	memset(in, 0, sizeof(*in));
	in->sink = sink;
	in->sink_state = sink_state;
	in->allow = allow;
}

int
input_parse_allow(const char *list, unsigned int *allow)
{
	char *copy, *word, *save = NULL;
	int r = 0;

	*allow = 0;
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (word = strtok_r(copy, ",", &save); word != NULL;
	    word = strtok_r(NULL, ",", &save)) {
		if (strcmp(word, "sysrq") == 0)
			*allow |= INPUT_ALLOW_SYSRQ;
		else if (strcmp(word, "power") == 0)
			*allow |= INPUT_ALLOW_POWER;
		else if (strcmp(word, "none") != 0)
			r = -1;
	}
	free(copy);
	return r;
}

static int
is_power_key(uint16_t code)
{
	return code == KEY_POWER || code == KEY_POWER2 || code == KEY_SLEEP ||
	    code == KEY_SUSPEND || code == KEY_WAKEUP;
}

/*
 * Whether the policy lets this press through: 1, or 0 (refused, said).
 * Releases always pass: a key that is not held is dropped anyway.
 */
static int
key_allowed(struct input *in, uint16_t code)
{
	int magic = code == KEY_SYSRQ &&
	    (key_held(in, KEY_LEFTALT) || key_held(in, KEY_RIGHTALT));

	if (is_power_key(code)) {
		if (!(in->allow & INPUT_ALLOW_POWER)) {
			log_warnx("key %u (a power key) refused: "
			    "--allow-keys power allows it", code);
			return 0;
		}
		log_info("audit: power key %u pressed (--allow-keys power)",
		    code);
	} else if (magic) {
		if (!(in->allow & INPUT_ALLOW_SYSRQ)) {
			log_warnx("Alt+SysRq refused: --allow-keys sysrq "
			    "allows it");
			return 0;
		}
		log_info("audit: Alt+SysRq pressed (--allow-keys sysrq)");
	}
	return 1;
}

static int
in_answer_key(struct input *in, const struct ipc_in_key *k)
{
	if (k->code == KEY_RESERVED || k->code > KEY_MAX || k->down > 1 ||
	    k->pad != 0) {
		log_warnx("protocol error: key code %u down %u pad %u",
		    k->code, k->down, k->pad);
		return -1;
	}
	if (k->down && k->code > INPUT_KEY_LAST && !is_power_key(k->code)) {
		log_warnx("key code %u is not a key of a keyboard: refused",
		    k->code);
		return 0;
	}
	if (k->down && !key_held(in, k->code) && !key_allowed(in, k->code))
		return 0;
	if (!k->down && !key_held(in, k->code)) {
		log_debug("release of key %u, which is not held: dropped",
		    k->code);
		return 0;
	}
	/* A press of a held key passes: clients repeat keys that way.  The
	 * sink sees the held keys as they are after this event. */
	key_set(in, k->code, k->down);
	return sink_result(in, in->sink->key(in->sink_state, k->code,
	    k->down, in->keys));
}

static int
in_answer_pointer(struct input *in, const struct ipc_in_pointer *p)
{
	if ((p->buttons & ~IPC_BTN_ALL) != 0 || p->pad != 0 ||
	    p->wheel < -INPUT_WHEEL_MAX || p->wheel > INPUT_WHEEL_MAX ||
	    p->hwheel < -INPUT_WHEEL_MAX || p->hwheel > INPUT_WHEEL_MAX) {
		log_warnx("protocol error: pointer buttons 0x%02x pad %u "
		    "wheel %d hwheel %d", p->buttons, p->pad, p->wheel,
		    p->hwheel);
		return -1;
	}
	if (sink_result(in, in->sink->pointer(in->sink_state, p)) < 0)
		return -1;
	in->pointer = *p;
	in->pointer.wheel = in->pointer.hwheel = 0;
	in->have_pointer = 1;
	return 0;
}

static int
in_answer_screen(struct input *in, const struct ipc_in_screen *s)
{
	if (s->width < 1 || s->width > 65535 || s->height < 1 ||
	    s->height > 65535 || s->transform > IPC_TRANSFORM_MAX ||
	    s->pad != 0) {
		log_warnx("protocol error: screen %ux%u transform %u pad %u",
		    s->width, s->height, s->transform, s->pad);
		return -1;
	}
	in->screen = *s;
	if (in->sink->screen == NULL)
		return 0;
	return sink_result(in, in->sink->screen(in->sink_state, s));
}

int
input_release_all(struct input *in)
{
	int r = 0;

	for (uint16_t code = 1; code <= KEY_MAX; code++) {
		if (!key_held(in, code))
			continue;
		key_set(in, code, 0);
		if (sink_result(in, in->sink->key(in->sink_state, code, 0,
		    in->keys)) < 0)
			r = -1;
	}
	/* Buttons go up where the pointer is; a pointer never placed is
	 * not moved to a corner. */
	if (in->have_pointer) {
		in->pointer.buttons = 0;
		if (sink_result(in, in->sink->pointer(in->sink_state,
		    &in->pointer)) < 0)
			r = -1;
	}
	if (in->sink->release_all != NULL &&
	    sink_result(in, in->sink->release_all(in->sink_state)) < 0)
		r = -1;
	return r;
}

int
input_handle(struct input *in, const struct ipc_msg *msg)
{
	switch (msg->hdr.type) {
	case IPC_BRK2IN_KEY:
		return in_answer_key(in, &msg->u.in_key);
	case IPC_BRK2IN_POINTER:
		return in_answer_pointer(in, &msg->u.in_pointer);
	case IPC_BRK2IN_RELEASE_ALL:
		return input_release_all(in);
	case IPC_BRK2IN_SCREEN:
		return in_answer_screen(in, &msg->u.in_screen);
	case IPC_BRK2IN_LOG_LEVEL:
		return log_set_level_from(msg->u.log_level.level, "the broker");
	default:
		log_warnx("protocol error: unexpected %s from the broker",
		    ipc_type_name(msg->hdr.type));
		return -1;
	}
}

void
input_free(struct input *in)
{
	if (in->sink != NULL && in->sink_state != NULL)
		in->sink->close(in->sink_state);
	in->sink_state = NULL;
}
