/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Options, from the command line and from the configuration file.  The
 * file has the same keys as the long options, one "key = value" (or
 * "key value") a line, # for comments.  The command line wins: a key given
 * there is not taken from the file, and --listen given there replaces
 * every listen of the file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "supervisor/supervisor.h"

enum {
	OPT_CONFIG = 256, OPT_LISTEN, OPT_CAPTURE, OPT_INPUT, OPT_USER,
	OPT_FOREGROUND, OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void
config_usage_registry(FILE *f, const char *what,
    const struct registry_entry *table, size_t n)
{
	fprintf(f, "\n%s:\n", what);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-22s %s\n", table[i].usage, table[i].help);
}

void
config_usage(FILE *f)
{
	fprintf(f,
"usage: rampart [--config FILE] [--listen tcp:ADDR:PORT | unix:PATH]...\n"
"               [--capture SOURCE] [--input SINK] [--user NAME]\n"
"               [--foreground] [--log-level LEVEL] [--help] [--version]\n"
"\n"
"  --config FILE     options file (default " DEFAULT_CONFIG ")\n"
"  --listen SPEC     tcp:ADDR:PORT, tcp:[ADDR6]:PORT or unix:PATH, repeatable\n"
"                    (default " DEFAULT_LISTEN ")\n"
"  --capture SOURCE  auto or a source below (default auto)\n"
"  --input SINK      none or a sink below (default none)\n"
"  --user NAME       user of the network-facing broker\n"
"                    (default " RAMPART_DEFAULT_USER ", else nobody)\n"
"  --foreground      stay in the foreground and log to stderr\n"
"  --log-level LEVEL error, warn, info or debug (default info)\n");
	config_usage_registry(f, "sources", registry_sources,
	    REGISTRY_SOURCE_COUNT);
	config_usage_registry(f, "sinks", registry_sinks, REGISTRY_SINK_COUNT);
}

/* Set one option; 1 when the key is listen (the caller counts those). */
static int
config_set(struct config *cfg, int opt, const char *value, const char *where)
{
	char *copy = value != NULL ? strdup(value) : NULL;

	if (value != NULL && copy == NULL) {
		fprintf(stderr, "rampart: out of memory\n");
		return -1;
	}
	switch (opt) {
	case OPT_LISTEN:
		if (cfg->nlisten == CONFIG_MAX_LISTEN) {
			fprintf(stderr, "rampart: %s: more than %d listen "
			    "addresses\n", where, CONFIG_MAX_LISTEN);
			free(copy);
			return -1;
		}
		cfg->listen[cfg->nlisten++] = copy;
		return 0;
	case OPT_CAPTURE:
		free(cfg->capture);
		cfg->capture = copy;
		return 0;
	case OPT_INPUT:
		free(cfg->input);
		cfg->input = copy;
		return 0;
	case OPT_USER:
		free(cfg->user);
		cfg->user = copy;
		return 0;
	case OPT_FOREGROUND:
		free(copy);
		if (value == NULL || strcmp(value, "yes") == 0 ||
		    strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			cfg->foreground = 1;
		else if (strcmp(value, "no") == 0 ||
		    strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			cfg->foreground = 0;
		else {
			fprintf(stderr, "rampart: %s: foreground: expected yes "
			    "or no, not \"%s\"\n", where, value);
			return -1;
		}
		return 0;
	case OPT_LOG_LEVEL:
		free(copy);
		cfg->log_level_set = 1;
		if (log_parse_level(value, &cfg->log_level) < 0) {
			fprintf(stderr, "rampart: %s: log-level: expected "
			    "error, warn, info or debug, not \"%s\"\n", where,
			    value);
			return -1;
		}
		return 0;
	}
	free(copy);
	return -1;
}

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_LEVEL_INFO;
}

int
config_from_args(struct config *cfg, int argc, char **argv)
{
	int ch;

	opterr = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_CONFIG:
			cfg->config_path = optarg;
			break;
		case OPT_HELP:
			config_usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("rampart %s\n", PACKAGE_VERSION);
			exit(0);
		case OPT_LISTEN:
		case OPT_CAPTURE:
		case OPT_INPUT:
		case OPT_USER:
		case OPT_FOREGROUND:
		case OPT_LOG_LEVEL:
			if (config_set(cfg, ch, optarg, "command line") < 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rampart: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Read the file into the options the command line left unset. */
int
config_load(struct config *cfg, const char *path, int must_exist)
{
	struct config file;
	char line[1024], where[1100];
	int lineno = 0, ret = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "rampart: %s: %s\n", path, strerror(errno));
		return -1;
	}
	config_defaults(&file);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *key, *value, *p;
		const struct option *o;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		value = key + strcspn(key, " \t=");
		if (*value != '\0') {
			*value++ = '\0';
			value = trim(value);
			if (*value == '=')
				value = trim(value + 1);
		}
		for (o = longopts; o->name != NULL; o++)
			if (strcmp(o->name, key) == 0)
				break;
		if (o->name == NULL || o->val == OPT_CONFIG ||
		    o->val == OPT_HELP || o->val == OPT_VERSION) {
			fprintf(stderr, "rampart: %s: unknown key \"%s\"\n",
			    where, key);
			ret = -1;
			break;
		}
		if (*value == '\0' && o->has_arg == required_argument) {
			fprintf(stderr, "rampart: %s: %s needs a value\n",
			    where, key);
			ret = -1;
			break;
		}
		if (config_set(&file, o->val, *value ? value : NULL, where) < 0) {
			ret = -1;
			break;
		}
	}
	fclose(f);
	if (ret == 0) {
		/* The command line wins. */
		if (cfg->nlisten == 0) {
			memcpy(cfg->listen, file.listen, sizeof(file.listen));
			cfg->nlisten = file.nlisten;
			file.nlisten = 0;
		}
#define TAKE(field) if (cfg->field == NULL) { cfg->field = file.field; file.field = NULL; }
		TAKE(capture)
		TAKE(input)
		TAKE(user)
#undef TAKE
		if (!cfg->foreground)
			cfg->foreground = file.foreground;
		if (!cfg->log_level_set)
			cfg->log_level = file.log_level;
	}
	for (int i = 0; i < file.nlisten; i++)
		free(file.listen[i]);
	free(file.capture);
	free(file.input);
	free(file.user);
	return ret;
}
