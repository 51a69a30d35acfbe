/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/helper.h"
#include "common/log.h"

static void __attribute__((noreturn))
helper_usage(const char *procname, const char *usage)
{
	fprintf(stderr, "usage: %s %s [--log-level error|warn|info|debug] "
	    "[--syslog | --log-to-supervisor]\n", procname, usage);
	exit(2);
}

/* getopt_long's values of the helper's own options: OPT_OWN + index. */
#define OPT_OWN		256

void
helper_init_options(int argc, char **argv, const char *procname,
    const struct helper_option *opts, size_t n, const char *usage)
{
	struct option longopts[HELPER_MAX_OPTIONS + 4] = {
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 's' },
		{ "log-to-supervisor", no_argument, NULL, 'S' },
	};
	enum log_level level = LOG_LEVEL_INFO;
	enum log_dest dest = LOG_TO_STDERR;
	int given[HELPER_MAX_OPTIONS] = { 0 };
	int ch;

	if (n > HELPER_MAX_OPTIONS) {
		fprintf(stderr, "%s: %zu options, at most %d\n", procname, n,
		    HELPER_MAX_OPTIONS);
		exit(2);
	}
	/* The table ends in the zeroed entry after the helper's own. */
	for (size_t i = 0; i < n; i++)
		longopts[3 + i] = (struct option){ opts[i].name,
		    required_argument, NULL, OPT_OWN + (int)i };
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr, "%s: unknown log level %s\n",
				    procname, optarg);
				helper_usage(procname, usage);
			}
			break;
		case 's':
			dest = LOG_TO_SYSLOG;
			break;
		case 'S':
			dest = LOG_TO_SUPERVISOR;
			break;
		default:
			if (ch < OPT_OWN || ch >= OPT_OWN + (int)n)
				helper_usage(procname, usage);
			*opts[ch - OPT_OWN].value = optarg;
			given[ch - OPT_OWN] = 1;
			break;
		}
	}
	if (optind != argc)
		helper_usage(procname, usage);
	for (size_t i = 0; i < n; i++)
		if (opts[i].required && !given[i])
			helper_usage(procname, usage);
	log_init(procname, level, dest);
	signal(SIGPIPE, SIG_IGN);
}

const char *
helper_init(int argc, char **argv, const char *procname, const char *option,
    int required, const char *usage)
{
	const char *value = NULL;
	const struct helper_option opt = { option, required, &value };

	helper_init_options(argc, argv, procname, &opt, 1, usage);
	return value;
}

int
spec_is(const char *spec, const char *name, const char **arg)
{
	size_t len = strlen(name);

	if (strncmp(spec, name, len) != 0 ||
	    (spec[len] != '\0' && spec[len] != ':'))
		return 0;
	*arg = spec[len] == ':' ? spec + len + 1 : NULL;
	return 1;
}
