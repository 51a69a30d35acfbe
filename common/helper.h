/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the three helpers share at start-up: their command line and the
 * "NAME" or "NAME:ARG" form of a source or sink.
 */
#ifndef RAMPART_HELPER_H
#define RAMPART_HELPER_H

/*
 * Parse --OPTION VALUE (the helper's own option), --log-level LEVEL and
 * --syslog or --log-to-supervisor (see common/log.h); start logging as
 * procname; ignore SIGPIPE (a peer that went away is an error of
 * ipc_send(), not a signal that kills us silently).
 * Exits 2 with "usage: procname usage" on a bad command line, and when
 * OPTION is required and missing.  Returns VALUE, or NULL.
 */
const char *helper_init(int argc, char **argv, const char *procname,
	    const char *option, int required, const char *usage);

/* 1 when spec is name or name:ARG, with *arg set to ARG (or NULL). */
int	spec_is(const char *spec, const char *name, const char **arg);

#endif
