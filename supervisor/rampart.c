/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart: serve the console of this machine over VNC.
 *
 * This is the supervisor.  See supervisor/procs.c for the helpers it runs
 * and doc/ARCHITECTURE.md for the whole house.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/registry.h"
#include "supervisor/supervisor.h"

/* What "auto" means until the real display sources exist. */
static const char *
resolve_capture(const char *capture)
{
	if (capture == NULL || strcmp(capture, "auto") == 0)
		return "demo";
	return capture;
}

/* A spec a helper will take (the registry's), or extra: the supervisor's
 * own word ("none": no helper), which may be NULL. */
static int
check_spec(const char *what, const char *spec,
    const struct registry_entry *table, size_t n, const char *extra)
{
	char why[512];
	const char *arg;

	if ((extra != NULL && strcmp(spec, extra) == 0) ||
	    registry_find(table, n, spec, &arg) >= 0)
		return 0;
	fprintf(stderr, "rampart: %s\n", registry_error(table, n, what, extra,
	    spec, why, sizeof(why)));
	return -1;
}

static void
print_connect_hint(const struct config *cfg)
{
	for (int i = 0; i < cfg->nlisten; i++) {
		const char *l = cfg->listen[i];

		if (strncmp(l, "tcp:", 4) == 0) {
			const char *port = strrchr(l, ':') + 1;
			const char *host = strchr(l, ':') + 1;
			int hostlen = (int)(port - 1 - host);

			log_info("listening on %s: connect with a VNC viewer, "
			    "e.g. vncviewer %.*s::%s", l, hostlen, host, port);
		} else
			log_info("listening on %s", l);
	}
}

int
main(int argc, char **argv)
{
	struct ipc_sv_listener listeners[CONFIG_MAX_LISTEN];
	int fds[CONFIG_MAX_LISTEN];
	struct config cfg;
	int ret;

	config_defaults(&cfg);
	if (config_from_args(&cfg, argc, argv) < 0) {
		config_usage(stderr);
		return 2;
	}
	if (config_load(&cfg, cfg.config_path != NULL ? cfg.config_path :
	    DEFAULT_CONFIG, cfg.config_path != NULL) < 0)
		return 2;
	if (cfg.nlisten == 0)
		cfg.listen[cfg.nlisten++] = strdup(DEFAULT_LISTEN);
	cfg.capture = strdup(resolve_capture(cfg.capture));
	if (cfg.input == NULL)
		cfg.input = strdup("none");
	if (check_spec("capture source", cfg.capture, registry_sources,
	    REGISTRY_SOURCE_COUNT, "auto") < 0 ||
	    check_spec("input sink", cfg.input, registry_sinks,
	    REGISTRY_SINK_COUNT, "none") < 0)
		return 2;

	log_init("rampart", cfg.log_level, 0);
	if (geteuid() != 0)
		log_warnx("not running as root: the broker keeps this user");
	for (int i = 0; i < cfg.nlisten; i++)
		if ((fds[i] = listen_open(cfg.listen[i], &listeners[i])) < 0)
			fatalx("cannot listen on %s", cfg.listen[i]);
	if (!cfg.foreground) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		log_init("rampart", cfg.log_level, 1);
	}
	log_info("rampart %s: capture %s, input %s", PACKAGE_VERSION,
	    cfg.capture, cfg.input);
	print_connect_hint(&cfg);
	ret = procs_run(&cfg, fds, listeners, cfg.nlisten);
	for (int i = 0; i < cfg.nlisten; i++) {
		if (strncmp(cfg.listen[i], "unix:", 5) == 0)
			unlink(cfg.listen[i] + 5);
		close(fds[i]);
	}
	log_info("stopped");
	return ret;
}
