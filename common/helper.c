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

const char *
helper_init(int argc, char **argv, const char *procname, const char *option,
    int required, const char *usage)
{
	const struct option longopts[] = {
		{ option, required_argument, NULL, 'o' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 's' },
		{ "log-to-supervisor", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	enum log_level level = LOG_LEVEL_INFO;
	const char *value = NULL;
	enum log_dest dest = LOG_TO_STDERR;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			value = optarg;
			break;
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
			helper_usage(procname, usage);
		}
	}
	if (optind != argc || (required && value == NULL))
		helper_usage(procname, usage);
	log_init(procname, level, dest);
	signal(SIGPIPE, SIG_IGN);
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
