/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart: serve the console of this machine over VNC.
 *
 * This is the supervisor.  See supervisor/procs.c for the helpers it runs
 * and doc/ARCHITECTURE.md for the whole house.
 *
 * Everything that can be found wrong before a helper runs (the options,
 * the user, the listening sockets, the pid file) is said on stderr, one
 * line "rampart: ...", and rampart exits non-zero.  Then, as a daemon, it
 * detaches but keeps the terminal waiting until the helpers are up (see
 * supervisor/daemon.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

/* What the hooks of procs_run() need. */
struct rampart {
	int		argc;
	char		**argv;
	char		basedir[PATH_MAX];
	struct config	*cfg;
	int		ready_fd;	/* to the waiting parent, or -1 */
};

static const char *
config_file(const struct config *cfg)
{
	return cfg->config_path != NULL ? cfg->config_path : DEFAULT_CONFIG;
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
		} else if (strncmp(l, "unix:", 5) == 0)
			log_info("listening on %s: connect with a VNC viewer "
			    "that takes a unix socket, e.g. vncviewer %s", l,
			    l + 5);
		else
			log_info("listening on %s", l);
	}
}

static void
on_ready(void *arg)
{
	struct rampart *r = arg;

	print_connect_hint(r->cfg);
	if (r->ready_fd >= 0) {
		daemon_ready(r->ready_fd);
		r->ready_fd = -1;
	}
}

/*
 * SIGHUP: the configuration again, as at the start (the command line
 * still wins).  Only the log level changes at once; a broken file changes
 * nothing.
 */
static int
on_reload(void *arg)
{
	struct rampart *r = arg;
	const char *path = config_file(r->cfg);
	struct config fresh;
	char why[1200], changed[128];
	int ret = -1;

	config_defaults(&fresh);
	if (config_from_args(&fresh, r->argc, r->argv, why, sizeof(why)) < 0 ||
	    config_load(&fresh, path, r->cfg->config_path != NULL, why,
	    sizeof(why)) < 0 ||
	    config_finish(&fresh, r->basedir, why, sizeof(why)) < 0) {
		log_warnx("reload of %s failed: %s; the settings stay as they "
		    "were", path, why);
		goto out;
	}
	/* Said at the more verbose of the old and the new level. */
	if (fresh.log_level > log_get_level())
		log_set_level(fresh.log_level);
	log_info("reloaded %s: log level %s%s", path,
	    log_level_name(fresh.log_level),
	    fresh.log_level_set ? " (from the command line)" : "");
	if (config_differs(r->cfg, &fresh, changed, sizeof(changed)))
		log_warnx("%s: %s changed: that takes a restart of rampart",
		    path, changed);
	r->cfg->log_level = fresh.log_level;
	log_set_level(fresh.log_level);
	ret = 0;
out:
	config_free(&fresh);
	return ret;
}

/* Signals that are not for stopping do not stop us either; SIGHUP is
 * ignored only until procs_run() handles it. */
static void
ignore_signals(void)
{
	static const int ignored[] = {
		SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGVTALRM,
		SIGPROF, SIGIO, SIGPWR, SIGSTKFLT,
	};

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		signal(sig, SIG_IGN);
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

static void
close_listeners(const struct config *cfg, const int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (strncmp(cfg->listen[i], "unix:", 5) == 0)
			unlink(cfg->listen[i] + 5);
		close(fds[i]);
	}
}

int
main(int argc, char **argv)
{
	struct ipc_sv_listener listeners[CONFIG_MAX_LISTEN];
	char policies[CONFIG_MAX_LISTEN][200];
	int fds[CONFIG_MAX_LISTEN];
	struct procs_hooks hooks;
	struct rampart r = { .argc = argc, .argv = argv, .ready_fd = -1 };
	struct config cfg;
	char why[1200];
	int ret, pid_fd = -1;

	open_std_streams();
	ignore_signals();
	if (getcwd(r.basedir, sizeof(r.basedir)) == NULL) {
		fprintf(stderr, "rampart: getcwd: %s\n", strerror(errno));
		return 1;
	}
	config_defaults(&cfg);
	r.cfg = &cfg;
	if ((ret = config_from_args(&cfg, argc, argv, why, sizeof(why))) < 0) {
		fprintf(stderr, "rampart: %s\n", why);
		if (ret == CONFIG_SYNTAX)
			config_usage(stderr);
		return 2;
	}
	if (config_load(&cfg, config_file(&cfg), cfg.config_path != NULL, why,
	    sizeof(why)) < 0 ||
	    config_finish(&cfg, r.basedir, why, sizeof(why)) < 0) {
		fprintf(stderr, "rampart: %s\n", why);
		return 2;
	}

	/* The pid file first: a rampart that runs keeps its sockets. */
	if (cfg.pid_file != NULL &&
	    (pid_fd = pidfile_open(cfg.pid_file, why, sizeof(why))) < 0) {
		fprintf(stderr, "rampart: %s\n", why);
		return 1;
	}
	for (int i = 0; i < cfg.nlisten; i++)
		if ((fds[i] = listen_open(cfg.listen[i], &listeners[i],
		    policies[i], sizeof(policies[i]), why, sizeof(why))) < 0) {
			fprintf(stderr, "rampart: cannot listen on %s: %s\n",
			    cfg.listen[i], why);
			close_listeners(&cfg, fds, i);
			pidfile_remove(cfg.pid_file, pid_fd);
			return 1;
		}

	if (cfg.foreground)
		log_init("rampart", cfg.log_level, LOG_TO_STDERR);
	else {
		fprintf(stderr, "rampart: logging to syslog (daemon facility)\n");
		r.ready_fd = daemon_detach();
		log_init("rampart", cfg.log_level, LOG_TO_SYSLOG);
		log_mirror(r.ready_fd);
	}
	if (pid_fd >= 0 && pidfile_write(pid_fd, getpid()) < 0)
		fatal("write pid file %s", cfg.pid_file);
	if (geteuid() != 0)
		log_warnx("not running as root: the broker keeps this user");
	log_info("rampart %s: capture %s%s%s%s%s, input %s", PACKAGE_VERSION,
	    cfg.capture, cfg.output != NULL ? ", output " : "",
	    cfg.output != NULL ? cfg.output : "",
	    cfg.capture_method != NULL ? ", capture-method " : "",
	    cfg.capture_method != NULL ? cfg.capture_method : "", cfg.input);
	for (int i = 0; i < cfg.nlisten; i++)
		log_info("listener %s: %s", listeners[i].name, policies[i]);

	hooks = (struct procs_hooks){ .ready = on_ready, .reload = on_reload,
	    .arg = &r };
	ret = procs_run(&cfg, fds, listeners, cfg.nlisten, &hooks);
	close_listeners(&cfg, fds, cfg.nlisten);
	pidfile_remove(cfg.pid_file, pid_fd);
	log_info("stopped");
	config_free(&cfg);
	return ret;
}
