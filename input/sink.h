/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An input sink: where rampart-input sends the keys and pointer events it
 * accepted.  Each sink is one file behind this small table; input.c has
 * already validated every field and keeps the state of held keys.  The
 * functions that return int return 0, or -1 with a logged reason.
 */
#ifndef RAMPART_INPUT_SINK_H
#define RAMPART_INPUT_SINK_H

#include <stddef.h>
#include <stdint.h>

struct ipc_in_pointer;

struct sink_ops {
	const char	*name;		/* the prefix of --sink NAME[:ARG] */
	/*
	 * Open the sink while the process still holds its privileges.  arg
	 * is what follows "NAME:" (NULL when there is none).  Returns the
	 * sink's state, or NULL with a reason written to why.
	 */
	void		*(*open)(const char *arg, char *why, size_t whylen);
	/* A key press (down 1) or release (down 0) of a Linux key code. */
	int		 (*key)(void *state, uint16_t code, int down);
	/* The pointer's absolute position, the buttons held now, and the
	 * wheel notches of this event. */
	int		 (*pointer)(void *state, const struct ipc_in_pointer *p);
	/* Optional: everything was just released through key() and
	 * pointer(). */
	int		 (*release_all)(void *state);
	void		 (*close)(void *state);
};

extern const struct sink_ops sink_log;

#endif
