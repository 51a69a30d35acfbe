/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of the capture sources and input sinks, with what each takes
 * after "NAME:" and a line of help: the one list that the supervisor (to
 * check --capture and --input and to print them) and the helpers (to find
 * the code behind a name) share.  The supervisor links only this table,
 * never the sources' code; each helper maps an id to its ops
 * (capture/sources.c, input/sinks.c), and tests/unit/test-registry checks
 * that every name has its code.
 */
#ifndef RAMPART_REGISTRY_H
#define RAMPART_REGISTRY_H

#include <stddef.h>

enum registry_arg {
	REGISTRY_ARG_NONE,		/* NAME only */
	REGISTRY_ARG_REQUIRED,		/* NAME:ARG only */
	REGISTRY_ARG_OPTIONAL,		/* NAME or NAME:ARG */
};

struct registry_entry {
	const char		*name;
	enum registry_arg	 arg;
	const char		*usage;	/* "replay:FILE.frames" */
	const char		*help;	/* one line, for --help */
};

/* Ids index the tables below and the helpers' tables of ops. */
enum registry_source {
	REGISTRY_SOURCE_AUTO,		/* picks one of the others */
	REGISTRY_SOURCE_DEMO,
	REGISTRY_SOURCE_REPLAY,
	REGISTRY_SOURCE_DRM,
	REGISTRY_SOURCE_FBDEV,
	REGISTRY_SOURCE_COUNT,
};

enum registry_sink {
	REGISTRY_SINK_LOG,
	REGISTRY_SINK_UINPUT,
	REGISTRY_SINK_HIDG,
	REGISTRY_SINK_COUNT,
};

extern const struct registry_entry registry_sources[REGISTRY_SOURCE_COUNT];
extern const struct registry_entry registry_sinks[REGISTRY_SINK_COUNT];

/*
 * The entry of table (n rows) that spec names, in the form the entry
 * takes, with *arg set to what follows "NAME:" (NULL when nothing does);
 * -1 when no entry fits.  Returns the index, which is the entry's id.
 */
int	registry_find(const struct registry_entry *table, size_t n,
	    const char *spec, const char **arg);
/*
 * Why spec is not one of table's, for an error line: an unknown name (the
 * known ones follow, extra first when not NULL: the supervisor's "none"),
 * or a known one in the wrong form ("replay" without its file).
 */
const char *registry_error(const struct registry_entry *table, size_t n,
	    const char *what, const char *extra, const char *spec, char *buf,
	    size_t len);
/* The usages of table, "a, b:FILE" (sep between them), into buf. */
const char *registry_list(const struct registry_entry *table, size_t n,
	    const char *sep, char *buf, size_t len);

#define REGISTRY_FIND_SOURCE(spec, arg) \
	registry_find(registry_sources, REGISTRY_SOURCE_COUNT, (spec), (arg))
#define REGISTRY_FIND_SINK(spec, arg) \
	registry_find(registry_sinks, REGISTRY_SINK_COUNT, (spec), (arg))

#endif
