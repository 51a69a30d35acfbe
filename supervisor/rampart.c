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
	struct material	*material;
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

/* What the listeners' policy asks to be read. */
static void
material_needs(const struct ipc_sv_listener *listeners, int n,
    struct material *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++)
		m->offered |= listeners[i].security |
		    listeners[i].security_local;
	m->need_tls = (m->offered & IPC_SEC_VENCRYPT) != 0;
	m->need_users = (m->offered & IPC_SEC_VENCRYPT) != 0;
	m->need_vnc = (m->offered & IPC_SEC_VNCAUTH) != 0;
	m->need_auth = (m->offered & (IPC_SEC_X509PLAIN | IPC_SEC_TLSPLAIN |
	    IPC_SEC_VNCAUTH)) != 0;
}

/* Read what m needs; create: the first start may make the self-signed
 * certificate and the users file. */
static int
material_load(const struct config *cfg, int create, struct material *m,
    char *why, size_t whylen)
{
	if (m->need_tls && tls_load(cfg, create, &m->tls, why, whylen) < 0)
		return -1;
	if (accounts_load(cfg, m->need_users, m->need_vnc, create,
	    &m->accounts, why, whylen) < 0) {
		tls_free(&m->tls);
		return -1;
	}
	return 0;
}

static void
material_free(struct material *m)
{
	tls_free(&m->tls);
	accounts_free(&m->accounts);
}

/* What was read, for the log: the certificate a viewer will show, by the
 * fingerprint a user compares. */
static void
material_log(const struct config *cfg, const struct material *m)
{
	const struct tls_material *t = &m->tls;

	if (m->need_tls) {
		if (t->created)
			log_info("created a self-signed TLS certificate and "
			    "key in %s", cfg->tls_dir);
		log_info("TLS certificate %s: subject %s, expires %s",
		    t->cert_path, t->subject, t->not_after);
		if (t->expired)
			log_warnx("TLS certificate %s expired on %s: viewers "
			    "will refuse it", t->cert_path, t->not_after);
		log_info("TLS certificate SHA-256 fingerprint %s",
		    t->fingerprint);
	}
	if (m->need_users)
		log_info("users file %s: %zu account%s", cfg->users,
		    m->accounts.naccounts,
		    m->accounts.naccounts == 1 ? "" : "s");
	if (m->accounts.note[0] != '\0')
		log_info("%s", m->accounts.note);
	if (m->need_vnc)
		log_info("VNC password file %s read", cfg->vnc_passwords);
}

/* The options that weaken the default, said at every start. */
static void
warn_insecure(const struct config *cfg)
{
	if (cfg->allow_anonymous_tls)
		log_warnx("--allow-anonymous-tls: VeNCrypt TLSPlain is "
		    "offered; its TLS is not checked by the viewer, and a "
		    "man in the middle can read the password");
	if (cfg->insecure_vnc_auth)
		log_warnx("--insecure-vnc-auth: VNC authentication is "
		    "offered; its DES challenge can be cracked offline and "
		    "nothing of the session is encrypted");
	if (cfg->insecure_no_auth)
		log_warnx("--insecure-no-auth: security None is offered on "
		    "loopback addresses; every local user and process may "
		    "control this machine");
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
	struct material m;
	struct config fresh;
	char why[1200], changed[512];
	int ret = -1, auth;

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

	/*
	 * The files of authentication, from the paths rampart started with:
	 * all of them or nothing.  The key holder signs with the new key
	 * under the next generation from now on.
	 */
	m = *r->material;
	memset(&m.tls, 0, sizeof(m.tls));
	memset(&m.accounts, 0, sizeof(m.accounts));
	if (material_load(r->cfg, 0, &m, why, sizeof(why)) < 0) {
		log_warnx("reload: %s; the TLS material and accounts stay as "
		    "they were", why);
		goto out;
	}
	auth = !accounts_same_secrets(&r->material->accounts, &m.accounts);
	m.generation = r->material->generation + 1;
	material_free(r->material);
	*r->material = m;
	material_log(r->cfg, r->material);
	ret = RELOAD_MATERIAL | (auth ? RELOAD_AUTH : 0);
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
	char policies[CONFIG_MAX_LISTEN][400];
	int fds[CONFIG_MAX_LISTEN];
	struct procs_hooks hooks;
	struct rampart r = { .argc = argc, .argv = argv, .ready_fd = -1 };
	struct material material;
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
		if ((fds[i] = listen_open(&cfg, cfg.listen[i], &listeners[i],
		    policies[i], sizeof(policies[i]), why, sizeof(why))) < 0) {
			fprintf(stderr, "rampart: cannot listen on %s: %s\n",
			    cfg.listen[i], why);
			close_listeners(&cfg, fds, i);
			pidfile_remove(cfg.pid_file, pid_fd);
			return 1;
		}

	/* Every file of authentication, before anything runs: a key that
	 * others can read stops the start, with the reason. */
	material_needs(listeners, cfg.nlisten, &material);
	material.generation = 1;
	r.material = &material;
	if (material_load(&cfg, 1, &material, why, sizeof(why)) < 0) {
		fprintf(stderr, "rampart: %s\n", why);
		close_listeners(&cfg, fds, cfg.nlisten);
		pidfile_remove(cfg.pid_file, pid_fd);
		config_free(&cfg);
		return 1;
	}
	/* The first start's note goes to the terminal too (a daemon logs to
	 * syslog): where the first password is. */
	if (!cfg.foreground && material.accounts.note[0] != '\0')
		fprintf(stderr, "rampart: %s\n", material.accounts.note);

	if (cfg.foreground)
		log_init("rampart", cfg.log_level, LOG_TO_STDERR);
	else {
		fprintf(stderr, "rampart: logging to syslog (daemon facility; "
		    "audit lines authpriv)\n");
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
	warn_insecure(&cfg);
	material_log(&cfg, &material);

	hooks = (struct procs_hooks){ .ready = on_ready, .reload = on_reload,
	    .arg = &r };
	ret = procs_run(&cfg, fds, listeners, cfg.nlisten, &material, &hooks);
	material_free(&material);
	close_listeners(&cfg, fds, cfg.nlisten);
	pidfile_remove(cfg.pid_file, pid_fd);
	log_info("stopped");
	config_free(&cfg);
	return ret;
}
