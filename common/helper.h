/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the three helpers share at start-up: their command line and the
 * "NAME" or "NAME:ARG" form of a source or sink.
 */
#ifndef RAMPART_HELPER_H
#define RAMPART_HELPER_H

#include <stddef.h>

/* An option of one helper: --name VALUE, its value put in *value. */
struct helper_option {
	const char	*name;
	int		 required;
	const char	**value;	/* left as it is when not given */
};

/* The most options of its own a helper takes. */
#define HELPER_MAX_OPTIONS	8

/*
 * Parse the helper's own options (opts, n of them, at most
 * HELPER_MAX_OPTIONS), --log-level LEVEL and --syslog or
 * --log-to-supervisor (see common/log.h); start logging as procname;
 * ignore SIGPIPE (a peer that went away is an error of ipc_send(), not a
 * signal that kills us silently).  An option given twice keeps the last
 * value.  Exits 2 with "usage: procname usage" on a bad command line, and
 * when a required option is missing.
 */
void	helper_init_options(int argc, char **argv, const char *procname,
	    const struct helper_option *opts, size_t n, const char *usage);
/* The same for a helper of one option, OPTION: returns its VALUE or NULL. */
const char *helper_init(int argc, char **argv, const char *procname,
	    const char *option, int required, const char *usage);

/* 1 when spec is name or name:ARG, with *arg set to ARG (or NULL). */
int	spec_is(const char *spec, const char *name, const char **arg);

#endif
