/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helpers: started with fork+exec, each with its channel on IPC_FD,
 * and started again, with back-off, when one dies.
 *
 * The broker is the hub: the capture, input and auth helpers' channels
 * lead to it, and the supervisor hands it their far ends.  So those
 * helpers are started only while a broker runs, and when the broker dies
 * they are stopped too and start afresh with the next broker.
 *
 * Each broker also gets a channel of its own to the key holder, here in
 * the supervisor (keyholder.c): its TLS stack asks for a signature and
 * waits for the answer, which comes at once, on a channel where nothing
 * else is interleaved.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/blob.h"
#include "common/channel.h"
#include "supervisor/keyholder.h"
#include "supervisor/supervisor.h"

/* A helper that lived this long is healthy: its next death restarts it
 * at once. */
#define HEALTHY_SECONDS		10
#define BACKOFF_MAX_MS		30000
#define STOP_GRACE_SECONDS	5
/* Helpers not all up this long after the start: rampart gives up.  EGL
 * on a software driver takes tens of seconds to start on a slow core. */
#define READY_TIMEOUT_SECONDS	90
#define READY_POLL_MS		50

enum proc_id {
	PROC_BROKER,
	PROC_CAPTURE,
	PROC_INPUT,
	PROC_AUTH,
	PROC_COUNT,
};

/* Descriptors a helper gets beside its channel: at EXTRA_FD, EXTRA_FD + 1. */
#define EXTRA_FD	(IPC_FD + 1)
#define EXTRA_MAX	2

struct supervisor;

struct proc {
	struct supervisor *sv;
	enum proc_id	id;
	const char	*name;		/* the program, in the helper directory */
	uint16_t	channel_msg;	/* how the broker learns of its channel */
	int		(*args)(const struct supervisor *, struct proc *,
			    char **, int);
	/* Makes the extra descriptors of a start; NULL: none. */
	int		(*prepare)(const struct supervisor *, struct proc *);
	int		extra_fd[EXTRA_MAX];	/* -1: none */
	char		argbuf[4][24];	/* numbers in argv */
	pid_t		pid;		/* -1 when not running */
	int		enabled;
	int		starts;
	int		failures;	/* deaths in a row before HEALTHY_SECONDS */
	int		stopping;	/* we asked it to stop */
	int		was_up;		/* seen in its sandbox (ready_cb) */
	struct timespec	started;
	struct event	*restart_ev;
};

struct supervisor {
	const struct config *cfg;
	const int	*listen_fds;
	const struct ipc_sv_listener *listeners;
	int		nlisten;
	char		helper_dir[PATH_MAX];
	struct event_base *base;
	struct proc	procs[PROC_COUNT];
	struct channel	*broker;	/* our end of the broker's channel */
	struct channel	*keys;		/* the key holder's, to this broker */
	const struct material *material;
	int		shutting_down;
	int		exit_code;
	const struct procs_hooks *hooks;
	struct logpipes	logpipes;	/* the helpers' stderr */
	struct event	*ready_ev;	/* until every helper is up */
	struct timespec	began;
};

static void proc_start(struct supervisor *sv, enum proc_id id);

static int
common_args(const struct supervisor *sv, struct proc *p, char **argv, int n)
{
	argv[n++] = "--log-level";
	argv[n++] = (char *)log_level_name(log_get_level());
	argv[n++] = "--log-to-supervisor";
	return n;
}

static int
broker_args(const struct supervisor *sv, struct proc *p, char **argv, int n)
{
	const struct config *cfg = sv->cfg;

	if (cfg->user != NULL) {
		argv[n++] = "--user";
		argv[n++] = cfg->user;
	}
	/* Only what is not the default: the broker's defaults are ours. */
	if (cfg->sharing != NULL && strcmp(cfg->sharing, "shared") != 0) {
		argv[n++] = "--sharing";
		argv[n++] = cfg->sharing;
	}
	if (cfg->handshake_timeout != DEFAULT_HANDSHAKE_TIMEOUT) {
		snprintf(p->argbuf[0], sizeof(p->argbuf[0]), "%d",
		    cfg->handshake_timeout);
		argv[n++] = "--handshake-timeout";
		argv[n++] = p->argbuf[0];
	}
	if (cfg->idle_timeout != 0) {
		snprintf(p->argbuf[1], sizeof(p->argbuf[1]), "%d",
		    cfg->idle_timeout);
		argv[n++] = "--idle-timeout";
		argv[n++] = p->argbuf[1];
	}
	if (cfg->encoder_threads >= 0) {
		snprintf(p->argbuf[2], sizeof(p->argbuf[2]), "%d",
		    cfg->encoder_threads);
		argv[n++] = "--encoder-threads";
		argv[n++] = p->argbuf[2];
	}
	if (sv->cfg->keyboard_layout != NULL) {
		argv[n++] = "--keyboard-layout";
		argv[n++] = sv->cfg->keyboard_layout;
	}
	if (sv->cfg->paste_as_typing) {
		argv[n++] = "--paste-as-typing";
		argv[n++] = "yes";
	}
	return n;
}

static int
capture_args(const struct supervisor *sv, struct proc *p, char **argv, int n)
{
	argv[n++] = "--source";
	argv[n++] = sv->cfg->capture;
	if (sv->cfg->output != NULL) {
		argv[n++] = "--output";
		argv[n++] = sv->cfg->output;
	}
	if (sv->cfg->capture_method != NULL) {
		argv[n++] = "--capture-method";
		argv[n++] = sv->cfg->capture_method;
	}
	return n;
}

static int
input_args(const struct supervisor *sv, struct proc *p, char **argv, int n)
{
	argv[n++] = "--sink";
	argv[n++] = sv->cfg->input;
	if (sv->cfg->pointer != NULL) {
		argv[n++] = "--pointer";
		argv[n++] = sv->cfg->pointer;
	}
	if (sv->cfg->allow_keys != NULL) {
		argv[n++] = "--allow-keys";
		argv[n++] = sv->cfg->allow_keys;
	}
	return n;
}

/*
 * rampart-auth gets the text of the users file on fd 4 and of the VNC
 * password file on fd 5, as sealed blobs made for each start from what
 * the supervisor read: it opens no file itself.  An empty users file is
 * a blob of one newline (a blob is never empty), which parses as none.
 */
static int
auth_prepare(const struct supervisor *sv, struct proc *p)
{
	const struct accounts *a = &sv->material->accounts;

	if (a->have_users) {
		const char *text = a->users_len > 0 ? a->users_text : "\n";
		size_t len = a->users_len > 0 ? a->users_len : 1;

		if ((p->extra_fd[0] = blob_create("rampart-users", text,
		    len)) < 0)
			return -1;
		snprintf(p->argbuf[0], sizeof(p->argbuf[0]), "%zu", len);
	}
	if (a->have_vnc && (p->extra_fd[1] = blob_create("rampart-vnc",
	    a->vnc_text, a->vnc_len)) < 0)
		return -1;
	snprintf(p->argbuf[1], sizeof(p->argbuf[1]), "%zu", a->vnc_len);
	return 0;
}

static int
auth_args(const struct supervisor *sv, struct proc *p, char **argv, int n)
{
	if (p->extra_fd[0] >= 0) {
		argv[n++] = "--users-size";
		argv[n++] = p->argbuf[0];
	}
	if (p->extra_fd[1] >= 0) {
		argv[n++] = "--vnc-size";
		argv[n++] = p->argbuf[1];
	}
	if (sv->cfg->user != NULL) {
		argv[n++] = "--user";
		argv[n++] = sv->cfg->user;
	}
	return n;
}

static const struct proc proc_table[PROC_COUNT] = {
	[PROC_BROKER] = { .name = "rampart-broker", .args = broker_args },
	[PROC_CAPTURE] = { .name = "rampart-capture",
	    .channel_msg = IPC_SV2BRK_CAPTURE_CHANNEL, .args = capture_args },
	[PROC_INPUT] = { .name = "rampart-input",
	    .channel_msg = IPC_SV2BRK_INPUT_CHANNEL, .args = input_args },
	[PROC_AUTH] = { .name = "rampart-auth",
	    .channel_msg = IPC_SV2BRK_AUTH_CHANNEL, .args = auth_args,
	    .prepare = auth_prepare },
};

/*
 * Helpers live beside us in the build tree; once installed, in the
 * configured libexecdir.
 */
static void
find_helpers(struct supervisor *sv)
{
	char self[PATH_MAX], probe[PATH_MAX + 32];
	const char *env = getenv("RAMPART_LIBEXECDIR");
	ssize_t n;
	char *slash;

	snprintf(sv->helper_dir, sizeof(sv->helper_dir), "%s", LIBEXECDIR);
	if (env != NULL && *env != '\0') {
		snprintf(sv->helper_dir, sizeof(sv->helper_dir), "%s", env);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return;
	*slash = '\0';
	if (strcmp(self, SBINDIR) == 0)
		return;
	snprintf(probe, sizeof(probe), "%s/rampart-broker", self);
	if (access(probe, X_OK) == 0)
		snprintf(sv->helper_dir, sizeof(sv->helper_dir), "%s", self);
}

static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/*
 * fork+exec a helper with chfd as its IPC_FD and its extra descriptors
 * after it, /dev/null as its stdin and stdout, a pipe to us as its stderr
 * (supervisor/logpipe.c), in a session of its own: it holds no terminal,
 * even when we run on one.
 */
/*
 * In the child: chfd at IPC_FD and extra[i] at EXTRA_FD + i, open across
 * exec, whatever numbers they have now.  Each is first copied above every
 * target, so that placing one never closes another; a target without a
 * descriptor is left closed.
 */
static int
place_fds(int chfd, const int *extra)
{
	int src[1 + EXTRA_MAX], high[1 + EXTRA_MAX];

	src[0] = chfd;
	for (int i = 0; i < EXTRA_MAX; i++)
		src[1 + i] = extra[i];
	for (int i = 0; i < 1 + EXTRA_MAX; i++)
		if (src[i] >= 0 && (high[i] = fcntl(src[i], F_DUPFD_CLOEXEC,
		    EXTRA_FD + EXTRA_MAX)) < 0)
			return -1;
	for (int i = 0; i < 1 + EXTRA_MAX; i++) {
		if (src[i] < 0)
			close(IPC_FD + i);
		else if (dup2(high[i], IPC_FD + i) < 0)
			return -1;
	}
	return 0;
}

static pid_t
spawn(struct supervisor *sv, struct proc *p, int chfd)
{
	char path[PATH_MAX + 64];
	char *argv[24];
	struct logpipe *lp;
	sigset_t all, saved;
	int argc = 0, logfd, null;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", sv->helper_dir, p->name);
	argv[argc++] = (char *)p->name;
	argc = p->args(sv, p, argv, argc);
	argc = common_args(sv, p, argv, argc);
	argv[argc] = NULL;

	/*
	 * Until it execs, the child has our libevent signal handlers: a
	 * SIGTERM caught there would be lost.  So signals stay blocked over
	 * the fork, and the child restores the default actions before it
	 * lets them in.
	 */
	if ((lp = logpipe_open(&sv->logpipes, &logfd)) == NULL)
		return -1;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &saved);
	if ((pid = fork()) < 0) {
		log_warn("fork");
		sigprocmask(SIG_SETMASK, &saved, NULL);
		close(logfd);
		logpipe_abort(lp);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Our standard streams are open: every fd here is above
		 * them, and stderr goes first, before IPC_FD is taken. */
		if (setsid() < 0 || dup2(logfd, STDERR_FILENO) < 0 ||
		    (null = open("/dev/null", O_RDWR)) < 0 ||
		    dup2(null, STDIN_FILENO) < 0 ||
		    dup2(null, STDOUT_FILENO) < 0)
			_exit(127);
		if (place_fds(chfd, p->extra_fd) < 0)
			_exit(127);
		/* Nothing we inherited ourselves goes on to a helper. */
		close_range(EXTRA_FD + EXTRA_MAX, ~0U, 0);
		execv(path, argv);
		dprintf(STDERR_FILENO, "<3>%s[%d]: exec %s: %s\n", p->name,
		    (int)getpid(), path, strerror(errno));
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(logfd);
	logpipe_start(lp, sv->base, p->name, pid);
	return pid;
}

/*
 * The broker, as we see it: the least trusted process, and the one we
 * answer password checks for.  It must read what we send (its helpers'
 * channels); one that stops reading is dropped, and so is one that sends
 * anything out of place.
 */
static const struct chan_peer broker_peer = {
	.name = "rampart-broker",
	.first = IPC_BRK2SV_FIRST, .last = IPC_BRK2SV_LAST,
	.queue_max = 256, .on_full = CHAN_FULL_CLOSE,
};

static void
to_broker(struct supervisor *sv, uint16_t type, const void *p, size_t len,
    int passfd)
{
	if (sv->broker != NULL)
		channel_send(sv->broker, type, p, len, passfd);
}

/* The broker sends the supervisor nothing (its questions go to the key
 * holder's channel and to rampart-auth): any message ends it. */
static int
sv_answer(void *arg, const struct ipc_msg *m, int fd)
{
	return -1;
}

static void
broker_closed(void *arg, int error, const char *why)
{
	struct supervisor *sv = arg;
	struct proc *p = &sv->procs[PROC_BROKER];

	if (!error)
		return;		/* it is dying: SIGCHLD tells the rest */
	log_warnx("rampart-broker channel: %s: stopping it", why);
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
}

/*
 * The key holder's channel to one broker: the broker's TLS stack asks,
 * and may ask only for signatures; a few questions in flight at most
 * (it waits for each answer), so a broker that sends without reading is
 * dropped, as one that breaks a rule is.
 */
static const struct chan_peer key_peer = {
	.name = "rampart-broker (key holder)",
	.first = IPC_BRK2KEY_FIRST, .last = IPC_BRK2KEY_LAST,
	.queue_max = 16, .on_full = CHAN_FULL_CLOSE,
};

/* The answer goes at once: signing takes tens of microseconds, and
 * nothing else on our loop is slow. */
static int
key_answer(void *arg, const struct ipc_msg *m, int fd)
{
	struct supervisor *sv = arg;
	struct keyholder kh = { .key = sv->material->tls.key,
	    .generation = sv->material->generation };
	struct ipc_key_signature a;

	if (!keyholder_answer(&kh, &m->u.key_sign, &a))
		log_debug("key holder: refused to sign (op %u, %u bytes, "
		    "generation %u of %u)", m->u.key_sign.op,
		    m->u.key_sign.len, m->u.key_sign.generation,
		    kh.generation);
	channel_send(sv->keys, IPC_KEY2BRK_SIGNATURE, &a, sizeof(a), -1);
	explicit_bzero(&a, sizeof(a));
	return 0;
}

static void
key_closed(void *arg, int error, const char *why)
{
	struct supervisor *sv = arg;
	struct proc *p = &sv->procs[PROC_BROKER];

	if (!error)
		return;		/* the broker is dying */
	log_warnx("rampart-broker key channel: %s: stopping it", why);
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
}

/* A new key channel for a new broker; our end stays here. */
static void
key_channel_open(struct supervisor *sv)
{
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		fatal("socketpair");
	if ((sv->keys = channel_new(sv->base, pair[0], &key_peer, key_answer,
	    key_closed, sv)) == NULL)
		fatalx("key holder channel");
	to_broker(sv, IPC_SV2BRK_KEY_CHANNEL, NULL, 0, pair[1]);
	close(pair[1]);
}

/* The public TLS material: at the start, and after a reload. */
static void
send_tls(struct supervisor *sv)
{
	struct ipc_sv_tls msg;
	int fd;

	if (!sv->material->need_tls)
		return;
	if ((fd = tls_blob(&sv->material->tls, sv->material->generation,
	    &msg)) < 0) {
		log_warn("TLS blob");
		return;
	}
	to_broker(sv, IPC_SV2BRK_TLS, &msg, sizeof(msg), fd);
	close(fd);
}

/* The accounts, names and roles: always, none when none is in use. */
static void
send_users(struct supervisor *sv)
{
	const struct accounts *a = &sv->material->accounts;
	struct ipc_sv_users msg;
	int fd = -1;

	memset(&msg, 0, sizeof(msg));
	if (a->list_len > 0) {
		if ((fd = blob_create("rampart-accounts", a->list,
		    a->list_len)) < 0) {
			log_warn("accounts blob");
			return;
		}
		msg.len = (uint32_t)a->list_len;
	}
	to_broker(sv, IPC_SV2BRK_USERS, &msg, sizeof(msg), fd);
	if (fd >= 0)
		close(fd);
}

/*
 * A new broker gets, in this order: the configuration, the listeners,
 * the TLS material and its key channel (when a listener offers TLS), the
 * accounts, fresh channels to new capture, input and auth helpers, and
 * the start.
 */
static void
broker_configure(struct supervisor *sv)
{
	struct ipc_sv_config conf;

	memset(&conf, 0, sizeof(conf));
	if (gethostname(conf.desktop_name, sizeof(conf.desktop_name) - 1) < 0 ||
	    conf.desktop_name[0] == '\0')
		snprintf(conf.desktop_name, sizeof(conf.desktop_name), "rampart");
	to_broker(sv, IPC_SV2BRK_CONFIG, &conf, sizeof(conf), -1);
	for (int i = 0; i < sv->nlisten; i++)
		to_broker(sv, IPC_SV2BRK_LISTENER, &sv->listeners[i],
		    sizeof(sv->listeners[i]), sv->listen_fds[i]);
	if (sv->material->need_tls) {
		send_tls(sv);
		key_channel_open(sv);
	}
	send_users(sv);
	proc_start(sv, PROC_CAPTURE);
	proc_start(sv, PROC_INPUT);
	proc_start(sv, PROC_AUTH);
	to_broker(sv, IPC_SV2BRK_START, NULL, 0, -1);
}

static void
close_extra(struct proc *p)
{
	for (int i = 0; i < EXTRA_MAX; i++) {
		if (p->extra_fd[i] >= 0)
			close(p->extra_fd[i]);
		p->extra_fd[i] = -1;
	}
}

static void
proc_start(struct supervisor *sv, enum proc_id id)
{
	struct proc *p = &sv->procs[id];
	int pair[2];

	if (!p->enabled || p->pid > 0 || sv->shutting_down)
		return;
	if (id != PROC_BROKER && sv->broker == NULL)
		return;		/* started with the next broker */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		log_warn("socketpair");
		return;
	}
	close_extra(p);
	if (p->prepare != NULL && p->prepare(sv, p) < 0) {
		log_warn("%s: its files", p->name);
		close_extra(p);
		p->pid = -1;
	} else
		p->pid = spawn(sv, p, pair[1]);
	close_extra(p);
	close(pair[1]);
	if (p->pid < 0) {
		struct timeval retry = { 1, 0 };

		close(pair[0]);
		evtimer_add(p->restart_ev, &retry);
		return;
	}
	p->starts++;
	p->stopping = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	log_debug("started %s, pid %d", p->name, (int)p->pid);

	if (id != PROC_BROKER) {
		/* Our copy of the broker's end goes: the helper must see end
		 * of file when the broker dies. */
		to_broker(sv, p->channel_msg, NULL, 0, pair[0]);
		close(pair[0]);
		return;
	}

	sv->broker = channel_new(sv->base, pair[0], &broker_peer, sv_answer,
	    broker_closed, sv);
	if (sv->broker == NULL)
		fatalx("broker channel");
	broker_configure(sv);
}

static void
restart_cb(int fd, short events, void *arg)
{
	struct proc *p = arg;

	proc_start(p->sv, p->id);
}

static void
stop(struct proc *p, int sig)
{
	if (p->pid > 0) {
		p->stopping = 1;
		kill(p->pid, sig);
	}
}

static int
all_stopped(const struct supervisor *sv)
{
	for (int i = 0; i < PROC_COUNT; i++)
		if (sv->procs[i].pid > 0)
			return 0;
	return 1;
}

static void
kill_cb(int fd, short events, void *arg)
{
	struct supervisor *sv = arg;

	for (int i = 0; i < PROC_COUNT; i++)
		if (sv->procs[i].pid > 0) {
			log_warnx("%s did not stop: killing it",
			    sv->procs[i].name);
			stop(&sv->procs[i], SIGKILL);
		}
}

/* Stop every helper: SIGTERM, then SIGKILL for any still there after
 * STOP_GRACE_SECONDS; the loop ends when all are reaped. */
static void
shutdown_all(struct supervisor *sv)
{
	struct timeval grace = { STOP_GRACE_SECONDS, 0 };

	sv->shutting_down = 1;
	for (int i = 0; i < PROC_COUNT; i++) {
		evtimer_del(sv->procs[i].restart_ev);
		stop(&sv->procs[i], SIGTERM);
	}
	if (all_stopped(sv))
		event_base_loopexit(sv->base, NULL);
	else
		event_base_once(sv->base, -1, EV_TIMEOUT, kill_cb, sv, &grace);
}

static void
describe_exit(char *buf, size_t len, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status %#x)", status);
}

/* One helper is gone: decide when it starts again. */
static void
proc_died(struct supervisor *sv, struct proc *p, int status)
{
	char how[128];
	double lived = seconds_since(&p->started);
	int expected = p->stopping;
	struct timeval delay = { 0, 0 };

	p->pid = -1;
	describe_exit(how, sizeof(how), status);
	if (sv->shutting_down) {
		log_debug("%s %s", p->name, how);
		return;
	}
	if (p->id == PROC_BROKER) {
		channel_free(sv->broker);
		sv->broker = NULL;
		channel_free(sv->keys);
		sv->keys = NULL;
		/* Their channels led to this broker: they go with it. */
		stop(&sv->procs[PROC_CAPTURE], SIGTERM);
		stop(&sv->procs[PROC_INPUT], SIGTERM);
		stop(&sv->procs[PROC_AUTH], SIGTERM);
	}
	if (expected) {
		log_debug("%s %s, as asked", p->name, how);
		proc_start(sv, p->id);
		return;
	}
	/*
	 * A helper that cannot even start (a bad replay file, a missing
	 * program, EGL that cannot read this card, which takes seconds to
	 * find out) will not do better later: say so and stop.
	 */
	if (p->starts == 1 && (lived < 2 || !p->was_up) &&
	    WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_warnx("%s could not start: %s", p->name, how);
		sv->exit_code = 1;
		shutdown_all(sv);
		return;
	}
	if (lived >= HEALTHY_SECONDS)
		p->failures = 0;
	if (p->failures > 0) {
		long ms = 250L << (p->failures > 7 ? 7 : p->failures - 1);

		if (ms > BACKOFF_MAX_MS)
			ms = BACKOFF_MAX_MS;
		delay.tv_sec = ms / 1000;
		delay.tv_usec = (ms % 1000) * 1000;
	}
	p->failures++;
	log_warnx("%s %s after %.1f s; restarting in %ld.%03ld s", p->name,
	    how, lived, (long)delay.tv_sec, (long)delay.tv_usec / 1000);
	evtimer_add(p->restart_ev, &delay);
}

static void
sigchld_cb(int sig, short events, void *arg)
{
	struct supervisor *sv = arg;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		/* Its last words before the news of its death. */
		logpipe_drain(&sv->logpipes, pid);
		for (int i = 0; i < PROC_COUNT; i++)
			if (sv->procs[i].pid == pid)
				proc_died(sv, &sv->procs[i], status);
	}
	if (sv->shutting_down && all_stopped(sv))
		event_base_loopexit(sv->base, NULL);
}

static void
sigterm_cb(int sig, short events, void *arg)
{
	struct supervisor *sv = arg;

	if (sv->shutting_down)
		return;
	log_info("%s: stopping", strsignal(sig));
	shutdown_all(sv);
}

/*
 * SIGHUP: the configuration again; the new log level goes to the broker,
 * which passes it on, and to every helper started from now on.  New TLS
 * material (the key now in the key holder, under the next generation)
 * and accounts go to the broker, and rampart-auth starts afresh with its
 * files when they changed.
 */
static void
sighup_cb(int sig, short events, void *arg)
{
	struct supervisor *sv = arg;
	struct ipc_log_level l;
	int r;

	if (sv->shutting_down || (r = sv->hooks->reload(sv->hooks->arg)) < 0)
		return;
	l = (struct ipc_log_level){ .level = (uint32_t)log_get_level() };
	to_broker(sv, IPC_SV2BRK_LOG_LEVEL, &l, sizeof(l), -1);
	if (r & RELOAD_MATERIAL) {
		send_tls(sv);
		send_users(sv);
	}
	if (r & RELOAD_AUTH)
		stop(&sv->procs[PROC_AUTH], SIGTERM);
}

/*
 * A helper is up once it has entered its sandbox, the last step of its
 * start: the broker after IPC_SV2BRK_START, the capture helper after its
 * first ring, the input helper once its sink is open.  /proc tells.
 */
static int
proc_up(const struct proc *p)
{
	char path[64], line[128];
	int up = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0) {
			up = atoi(line + 8) == 2;
			break;
		}
	fclose(f);
	return up;
}

static void
ready_cb(int fd, short events, void *arg)
{
	struct supervisor *sv = arg;
	struct timeval poll = { 0, READY_POLL_MS * 1000 };
	int up = 1;

	if (sv->shutting_down)
		return;
	for (int i = 0; i < PROC_COUNT; i++) {
		if (!sv->procs[i].enabled)
			continue;
		if (sv->procs[i].pid > 0 && proc_up(&sv->procs[i]))
			sv->procs[i].was_up = 1;
		else
			up = 0;
	}
	if (up) {
		log_debug("every helper is up");
		sv->hooks->ready(sv->hooks->arg);
		return;
	}
	if (seconds_since(&sv->began) > READY_TIMEOUT_SECONDS) {
		log_warnx("the helpers were not all up after %d s: stopping",
		    READY_TIMEOUT_SECONDS);
		sv->exit_code = 1;
		shutdown_all(sv);
		return;
	}
	evtimer_add(sv->ready_ev, &poll);
}

int
procs_run(const struct config *cfg, const int *listen_fds,
    const struct ipc_sv_listener *listeners, int nlisten,
    const struct material *material, const struct procs_hooks *hooks)
{
	static const int stop_signals[] = { SIGTERM, SIGINT };
	struct supervisor sv = {
		.cfg = cfg, .listen_fds = listen_fds, .listeners = listeners,
		.nlisten = nlisten, .hooks = hooks, .material = material,
	};
	struct event *sigs[4];

	find_helpers(&sv);
	log_debug("helpers in %s", sv.helper_dir);
	if ((sv.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (int i = 0; i < PROC_COUNT; i++) {
		struct proc *p = &sv.procs[i];

		*p = proc_table[i];
		p->sv = &sv;
		p->id = (enum proc_id)i;
		p->pid = -1;
		for (int j = 0; j < EXTRA_MAX; j++)
			p->extra_fd[j] = -1;
		p->enabled = i == PROC_INPUT ? strcmp(cfg->input, "none") != 0 :
		    i == PROC_AUTH ? material->need_auth : 1;
		p->restart_ev = evtimer_new(sv.base, restart_cb, p);
	}
	sigs[0] = evsignal_new(sv.base, SIGCHLD, sigchld_cb, &sv);
	for (int i = 0; i < 2; i++)
		sigs[i + 1] = evsignal_new(sv.base, stop_signals[i],
		    sigterm_cb, &sv);
	sigs[3] = evsignal_new(sv.base, SIGHUP, sighup_cb, &sv);
	for (int i = 0; i < 4; i++)
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) < 0)
			fatalx("signal events");
	signal(SIGPIPE, SIG_IGN);
	TAILQ_INIT(&sv.logpipes);
	if ((sv.ready_ev = evtimer_new(sv.base, ready_cb, &sv)) == NULL)
		fatalx("ready timer");

	clock_gettime(CLOCK_MONOTONIC, &sv.began);
	proc_start(&sv, PROC_BROKER);
	ready_cb(-1, 0, &sv);
	event_base_dispatch(sv.base);

	logpipe_close_all(&sv.logpipes);
	event_free(sv.ready_ev);
	for (int i = 0; i < 4; i++)
		event_free(sigs[i]);
	for (int i = 0; i < PROC_COUNT; i++)
		event_free(sv.procs[i].restart_ev);
	channel_free(sv.broker);
	channel_free(sv.keys);
	event_base_free(sv.base);
	return sv.exit_code;
}
