/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart, the supervisor: the one process that stays root.  It reads the
 * configuration, opens the listening sockets, starts the three helpers with
 * their channels and restarts any that dies.  It parses no network bytes.
 */
#ifndef RAMPART_SUPERVISOR_H
#define RAMPART_SUPERVISOR_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdio.h>

#include "common/ipc.h"
#include "common/log.h"

#define CONFIG_MAX_LISTEN	16
#define DEFAULT_CONFIG		"/etc/rampart/rampart.conf"
#define DEFAULT_LISTEN		"tcp:127.0.0.1:5900"
/* The longest --output NAME (a DRM connector is "HDMI-A-1", "Virtual-1"). */
#define CONFIG_OUTPUT_MAX	63
/* The longest --keyboard-layout ("de(nodeadkeys)", "us(intl)"). */
#define CONFIG_LAYOUT_MAX	63

struct config {
	char		*config_path;	/* NULL: DEFAULT_CONFIG, optional */
	char		*listen[CONFIG_MAX_LISTEN];
	int		nlisten;
	char		*capture;
	char		*output;	/* NULL: the source's choice */
	char		*capture_method;	/* NULL: the source's choice */
	char		*input;
	char		*pointer;	/* NULL: tablet */
	char		*allow_keys;	/* NULL: none */
	char		*keyboard_layout;	/* NULL: us */
	int		paste_as_typing;
	char		*user;		/* NULL: the default, else nobody */
	char		*pid_file;
	int		foreground;
	enum log_level	log_level;
	int		log_level_set;
};

/* supervisor/config.c; errors are one line in why, without "rampart: " */
#define CONFIG_SYNTAX	(-2)	/* a bad command line: show the usage */
int	config_from_args(struct config *cfg, int argc, char **argv,
	    char *why, size_t whylen);
int	config_load(struct config *cfg, const char *path, int must_exist,
	    char *why, size_t whylen);
int	config_finish(struct config *cfg, const char *basedir, char *why,
	    size_t whylen);
int	config_differs(const struct config *a, const struct config *b,
	    char *names, size_t len);
void	config_defaults(struct config *cfg);
void	config_free(struct config *cfg);
void	config_usage(FILE *f);

/* supervisor/listen.c */
/* Open a listener; its policy, said in words, goes to policy. */
int	listen_open(const char *spec, struct ipc_sv_listener *info,
	    char *policy, size_t policylen, char *why, size_t whylen);

/* supervisor/pidfile.c */
int	pidfile_open(const char *path, char *why, size_t whylen);
int	pidfile_write(int fd, pid_t pid);
void	pidfile_remove(const char *path, int fd);

/* supervisor/daemon.c */
int	daemon_detach(void);
void	daemon_ready(int fd);

/* supervisor/logpipe.c: the helpers' stderr, read and logged */
struct event_base;
struct logpipe;
TAILQ_HEAD(logpipes, logpipe);
struct logpipe *logpipe_open(struct logpipes *set, int *wfd);
void	logpipe_start(struct logpipe *lp, struct event_base *base,
	    const char *name, pid_t pid);
void	logpipe_abort(struct logpipe *lp);
void	logpipe_drain(struct logpipes *set, pid_t pid);
void	logpipe_close_all(struct logpipes *set);

/* supervisor/procs.c */
struct procs_hooks {
	/* Every helper is up (has entered its sandbox), once. */
	void	(*ready)(void *arg);
	/* SIGHUP: read the configuration again; 0 when it was read, and
	 * the new log level (log_get_level()) goes to the helpers. */
	int	(*reload)(void *arg);
	void	*arg;
};

int	procs_run(const struct config *cfg, const int *listen_fds,
	    const struct ipc_sv_listener *listeners, int nlisten,
	    const struct procs_hooks *hooks);

#endif
