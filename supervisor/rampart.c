/*
 * rampart: serve the console of this machine over VNC.
 *
 * This is the supervisor.  See supervisor/procs.c for the helpers it runs
 * and doc/ARCHITECTURE.md for the whole house.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

/* What "auto" means until the real display sources exist. */
static const char *
resolve_capture(const char *capture)
{
	if (capture == NULL || strcmp(capture, "auto") == 0)
		return "demo";
	return capture;
}

static int
check_spec(const char *what, const char *spec, const char *const *known)
{
	for (; *known != NULL; known++) {
		size_t n = strlen(*known);

		if (strcmp(spec, *known) == 0 ||
		    ((*known)[n - 1] == ':' && strncmp(spec, *known, n) == 0 &&
		    spec[n] != '\0'))
			return 0;
	}
	fprintf(stderr, "rampart: unknown %s \"%s\" (see rampart --help)\n",
	    what, spec);
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

/* A closed standard stream would be taken by the first file we open,
 * and a helper would get it as its stdin, stdout or stderr. */
static void
open_std_streams(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd > STDERR_FILENO)
		close(fd);
}

int
main(int argc, char **argv)
{
	static const char *const captures[] = { "demo", "replay:", NULL };
	static const char *const inputs[] = { "none", "log:", NULL };
	struct ipc_sv_listener listeners[CONFIG_MAX_LISTEN];
	int fds[CONFIG_MAX_LISTEN];
	struct config cfg;
	int ret;

	open_std_streams();
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
	if (check_spec("capture source", cfg.capture, captures) < 0 ||
	    check_spec("input sink", cfg.input, inputs) < 0)
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
