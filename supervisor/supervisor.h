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
#define DEFAULT_USERS		"/etc/rampart/users"
#define DEFAULT_TLS_DIR		"/etc/rampart/tls"
#define DEFAULT_VNC_PASSWORDS	"/etc/rampart/vnc-passwords"
#define DEFAULT_HANDSHAKE_TIMEOUT	20
#define HANDSHAKE_TIMEOUT_MAX	600
/* --idle-timeout: a day at most; 0 is none. */
#define IDLE_TIMEOUT_MAX	86400
/* --encoder-threads: as the broker's pool takes (POOL_MAX_THREADS). */
#define ENCODER_THREADS_MAX	16

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
	char		*users;		/* NULL until config_finish() */
	char		*tls_cert;	/* NULL: the self-signed one in tls_dir */
	char		*tls_key;
	char		*tls_dir;	/* NULL until config_finish() */
	char		*tls_client_ca;	/* NULL: no client certificates */
	char		*tls_crl;
	int		allow_anonymous_tls;
	int		insecure_vnc_auth;
	char		*vnc_passwords;	/* NULL until config_finish() */
	int		insecure_no_auth;
	char		*sharing;	/* NULL: shared */
	int		handshake_timeout;	/* 0 until config_finish() */
	int		idle_timeout;	/* 0: none */
	int		idle_timeout_set;
	int		encoder_threads;	/* -1: one per processor */
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
enum listen_kind {
	LISTEN_UNIX,
	LISTEN_LOOPBACK,	/* 127.0.0.0/8, ::1 */
	LISTEN_WILDCARD,	/* 0.0.0.0, :: */
	LISTEN_NETWORK,		/* any other address */
};

/* Open a listener; its policy, said in words, goes to policy. */
int	listen_open(const struct config *cfg, const char *spec,
	    struct ipc_sv_listener *info, char *policy, size_t policylen,
	    char *why, size_t whylen);
/* The security types of a listener of that kind (ipc.h IPC_SEC_*). */
void	listen_policy(const struct config *cfg, enum listen_kind kind,
	    struct ipc_sv_listener *info);
void	listen_describe(const struct ipc_sv_listener *info, char *buf,
	    size_t len);
int	listen_split(const char *spec, char *host, size_t hostlen,
	    const char **port);

/* supervisor/files.c: the files of authentication, read as root */
int	file_read(const char *path, const char *what, size_t max, int secret,
	    char **text, size_t *len, char *why, size_t whylen);
void	file_wipe(char *text, size_t len);
int	file_make_dir(const char *dir, char *why, size_t whylen);
int	file_write_private(const char *path, const void *data, size_t len,
	    char *why, size_t whylen);

/* supervisor/tls.c */
struct evp_pkey_st;

struct tls_material {
	char		*cert;		/* PEM chain, the server's first */
	size_t		cert_len;
	char		*ca;		/* PEM CAs of client certificates */
	size_t		ca_len;
	char		*crl;		/* PEM CRLs */
	size_t		crl_len;
	struct evp_pkey_st *key;	/* for the key holder only */
	char		cert_path[4096];
	char		fingerprint[3 * 64];	/* SHA-256, "AA:BB:..." */
	char		subject[256];
	char		not_after[64];
	int		expired;
	int		created;	/* the self-signed pair was made now */
};

/* create: make the self-signed pair when it is not there (the start,
 * not a reload). */
int	tls_load(const struct config *cfg, int create, struct tls_material *m,
	    char *why, size_t whylen);
void	tls_free(struct tls_material *m);
/* The blob of IPC_SV2BRK_TLS (its fd, or -1) and its message. */
int	tls_blob(const struct tls_material *m, uint32_t generation,
	    struct ipc_sv_tls *msg);

/* supervisor/accounts.c */
struct accounts {
	int		have_users, have_vnc;
	char		*users_text;	/* the users file, for rampart-auth */
	size_t		users_len;
	char		*list;		/* "NAME ROLE\n" lines, for the broker */
	size_t		list_len;
	size_t		naccounts;
	char		*vnc_text;	/* the VNC password file */
	size_t		vnc_len;
	char		note[9216];	/* the first start: what was made */
};

int	accounts_load(const struct config *cfg, int need_users, int need_vnc,
	    int create, struct accounts *a, char *why, size_t whylen);
void	accounts_free(struct accounts *a);
int	accounts_same_secrets(const struct accounts *a,
	    const struct accounts *b);

/*
 * What the listeners' policy needs read, and what was read: the TLS
 * material and the accounts.  Owned by rampart.c, which replaces it whole
 * on a reload that read everything; procs.c sends it on.
 */
struct material {
	uint32_t	offered;	/* IPC_SEC_* of every listener */
	int		need_tls;	/* a VeNCrypt type */
	int		need_users;	/* X509Plain, TLSPlain or X509None */
	int		need_vnc;	/* VNC authentication */
	int		need_auth;	/* rampart-auth: a password to check */
	struct tls_material tls;
	struct accounts	accounts;
	uint32_t	generation;	/* of tls: 1, and + 1 a reload */
};

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
	/* SIGHUP: read the configuration again; -1 when it could not be
	 * read (nothing changed), else RELOAD_* flags; the new log level
	 * (log_get_level()) goes to the helpers. */
	int	(*reload)(void *arg);
	void	*arg;
};

#define RELOAD_MATERIAL	0x01	/* new TLS material and accounts */
#define RELOAD_AUTH	0x02	/* and rampart-auth's files changed */

int	procs_run(const struct config *cfg, const int *listen_fds,
	    const struct ipc_sv_listener *listeners, int nlisten,
	    const struct material *material, const struct procs_hooks *hooks);

#endif
