/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An input sink: where rampart-input sends the keys and pointer events it
 * accepted.  Each sink is one file behind this small table; input.c has
 * already validated every field and keeps the state of held keys.  Its
 * name, and what it takes after "NAME:", are in common/registry.c;
 * input/sinks.c maps the names to these tables.
 *
 * key() and pointer() return 0, SINK_WOULD_BLOCK when the device cannot
 * take the event now (the sink keeps it, bounded, and the loop calls
 * flush() once write_fd() is writable), or -1 with a logged reason.
 */
#ifndef RAMPART_INPUT_SINK_H
#define RAMPART_INPUT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/input-event-codes.h>

struct ipc_in_pointer;
struct ipc_in_screen;
struct sandbox_needs;

/* What the pointer device is (--pointer): see doc/ARCHITECTURE.md. */
enum sink_pointer_mode {
	SINK_POINTER_TABLET,		/* absolute, like QEMU's usb-tablet */
	SINK_POINTER_TOUCH,		/* a single-touch screen */
	SINK_POINTER_MOUSE,		/* relative motion */
};

/* The options of rampart-input that a sink's open() takes. */
struct sink_options {
	enum sink_pointer_mode	pointer;
};

/* Held keys: a bit per Linux key code, code / 8 is the byte. */
#define SINK_KEYS_BYTES		((KEY_MAX + 1 + 7) / 8)
#define SINK_WOULD_BLOCK	1
#define SINK_LEDS_GONE		2	/* read_leds(): see there */

static inline int
sink_key_held(const uint8_t *held, unsigned int code)
{
	return code <= KEY_MAX && (held[code / 8] & (1u << (code % 8))) != 0;
}

struct sink_ops {
	/*
	 * Open the sink while the process still holds its privileges.  arg
	 * is what follows "NAME:" (NULL when there is none).  Returns the
	 * sink's state, or NULL with a reason written to why.
	 */
	void		*(*open)(const char *arg, const struct sink_options *o,
			    char *why, size_t whylen);
	/*
	 * A key press (down 1) or release (down 0) of a Linux key code.
	 * held is every key held once this event is applied
	 * (SINK_KEYS_BYTES): a sink that sends whole reports (a HID
	 * keyboard reports all held keys at once) builds its report from it.
	 */
	int		 (*key)(void *state, uint16_t code, int down,
			    const uint8_t *held);
	/* The pointer's absolute position, the buttons held now, and the
	 * wheel notches of this event. */
	int		 (*pointer)(void *state, const struct ipc_in_pointer *p);
	/* Optional: the screen the positions are on changed (size,
	 * rotation); it comes before the first pointer event.  0 or -1. */
	int		 (*screen)(void *state, const struct ipc_in_screen *s);
	/* Optional: everything was just released through key() and
	 * pointer().  Returns 0 or -1. */
	int		 (*release_all)(void *state);
	void		 (*close)(void *state);

	/*
	 * Optional, for a sink that may say SINK_WOULD_BLOCK: the
	 * descriptor the loop then watches for writing (asked again each
	 * time it waits: a sink of two devices names the one behind), and
	 * flush(), which writes what waits: 0 when all is out,
	 * SINK_WOULD_BLOCK, or -1.
	 */
	int		 (*write_fd)(void *state);
	int		 (*flush)(void *state);
	/*
	 * Optional: a descriptor that is readable when the target set its
	 * keyboard LEDs (a HID output report, uinput's EV_LED), and
	 * read_leds(), which reads it: 1 with IPC_LED_* in *leds, 0 when
	 * there was nothing for us, -1 with a logged reason, or
	 * SINK_LEDS_GONE when the device is gone for now (a USB host went
	 * away): the loop then waits for write_fd() and reads again once
	 * flush() returned 0.
	 */
	int		 (*led_fd)(void *state);
	int		 (*read_leds)(void *state, uint32_t *leds);
	/*
	 * Optional, for a sink that must do something later without
	 * sleeping (a touch held long enough to be a long press): a
	 * descriptor that is readable when that time has come (a
	 * timerfd), and on_timer(), called then: 0, or -1 with a logged
	 * reason.
	 */
	int		 (*timer_fd)(void *state);
	int		 (*on_timer)(void *state);
	/* What the sandbox must still allow this sink; NULL: nothing. */
	const struct sandbox_needs *needs;
};

extern const struct sink_ops sink_log;
extern const struct sink_ops sink_uinput;	/* input/uinput.c */
extern const struct sink_ops sink_hidg;		/* input/hidg.c */

/* "tablet", "touch" or "mouse": 0, or -1 for another word. */
int	sink_parse_pointer(const char *word, enum sink_pointer_mode *mode);

/* The ops of a registry id (enum registry_sink); NULL for none. */
const struct sink_ops *sink_ops_of(int id);

#endif
