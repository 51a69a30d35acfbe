/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-broker: speaks RFB to the viewers, unprivileged and jailed.
 *
 * Start-up: the supervisor sends the configuration, the listening sockets
 * and the channels to the capture and input helpers, then IPC_SV2BRK_START.
 * Only then do we enter the sandbox, and from there on we open nothing:
 * later descriptors (a restarted helper's channel) come from the supervisor.
 */
#include "config.h"

#include <sys/resource.h>

#include <event2/event.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/tls.h"
#include "common/blob.h"
#include "common/helper.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer runs a tracer at exit, which the seccomp policy kills. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* A new log level: ours, and the helpers' behind us. */
static int
log_level_set(struct broker *b, const struct ipc_log_level *l)
{
	if (log_set_level_from(l->level, "the supervisor") < 0)
		return -1;
	log_debug("log level %s", log_level_name((enum log_level)l->level));
	if (b->screen.capture != NULL)
		channel_send(b->screen.capture, IPC_BRK2CAP_LOG_LEVEL, l,
		    sizeof(*l), -1);
	if (b->input.ch != NULL)
		channel_send(b->input.ch, IPC_BRK2IN_LOG_LEVEL, l, sizeof(*l),
		    -1);
	if (b->auth.ch != NULL)
		channel_send(b->auth.ch, IPC_BRK2AUTH_LOG_LEVEL, l, sizeof(*l),
		    -1);
	return 0;
}

/* TLS material (public): the contexts of new connections.  A broken
 * blob before start stops us; after, the old material stays. */
static int
tls_material(struct broker *b, const struct ipc_sv_tls *t, int fd)
{
	size_t len = (size_t)t->cert_len + t->ca_len + t->crl_len;
	const void *p;
	char why[256];
	int ret;

	if (t->cert_len == 0 || len > IPC_TLS_MAX ||
	    (p = blob_map(fd, len, IPC_TLS_MAX)) == NULL) {
		log_warnx("TLS material: not a blob of its size");
		close(fd);
		return -1;
	}
	close(fd);
	/* OpenSSL is set up only where TLS is offered: it seeds its random
	 * generator from the kernel, which a guest just booted may not
	 * have yet.  The material comes before the sandbox, and so does
	 * this. */
	tls_init();
	ret = tls_load(t, p, why, sizeof(why));
	blob_unmap(p, len);
	if (ret < 0) {
		log_warnx("TLS material: %s", why);
		return b->started ? 0 : -1;
	}
	log_debug("TLS material, generation %u", t->generation);
	return 0;
}

/* The accounts' names and roles: logged-in users follow. */
static int
users_directory(struct broker *b, const struct ipc_sv_users *u, int fd)
{
	const void *p = NULL;
	int ret;

	if (u->len > IPC_USERS_MAX || u->pad != 0 ||
	    (u->len > 0 && (p = blob_map(fd, u->len, IPC_USERS_MAX)) == NULL)) {
		log_warnx("accounts: not a blob of its size");
		close(fd);
		return -1;
	}
	close(fd);
	ret = auth_set_directory(b, p, u->len);
	if (p != NULL)
		blob_unmap(p, u->len);
	if (ret < 0) {
		log_warnx("accounts: a malformed list");
		return -1;
	}
	log_debug("%zu accounts", b->auth.ndir);
	clients_directory_changed(b);
	return 0;
}

/*
 * The supervisor, as we see it: the configuration comes once, before
 * IPC_SV2BRK_START; helpers' channels at any time; an answer only to a
 * question we asked.  What we send it are questions, none of which may be
 * lost: a supervisor that stops reading ends us.
 */
static const struct chan_rule sv_rules[] = {
	{ IPC_SV2BRK_CONFIG, CHAN_ONCE | CHAN_BEFORE_START },
	{ IPC_SV2BRK_LISTENER, CHAN_BEFORE_START },
	{ IPC_SV2BRK_START, CHAN_START },
	{ IPC_SV2BRK_KEY_CHANNEL, CHAN_ONCE | CHAN_BEFORE_START },
};

static const struct chan_peer sv_peer = {
	.name = "the supervisor",
	.first = IPC_SV2BRK_FIRST, .last = IPC_SV2BRK_LAST,
	.rules = sv_rules, .nrules = sizeof(sv_rules) / sizeof(sv_rules[0]),
	.queue_max = 256, .on_full = CHAN_FULL_CLOSE,
};

/* One message from the supervisor, already checked against sv_rules. */
static int
sv_answer(void *arg, const struct ipc_msg *m, int fd)
{
	struct broker *b = arg;

	switch (m->hdr.type) {
	case IPC_SV2BRK_CONFIG:
		memcpy(b->desktop_name, m->u.sv_config.desktop_name,
		    sizeof(b->desktop_name));
		b->desktop_name[sizeof(b->desktop_name) - 1] = '\0';
		return 0;
	case IPC_SV2BRK_LISTENER:
		if (listener_add(b, fd, &m->u.sv_listener) < 0)
			log_warnx("listener rejected");
		return 0;
	case IPC_SV2BRK_CAPTURE_CHANNEL:
		screen_set_capture(b, fd);
		return 0;
	case IPC_SV2BRK_INPUT_CHANNEL:
		in_set_channel(b, fd);
		return 0;
	case IPC_SV2BRK_AUTH_CHANNEL:
		auth_set_channel(b, fd);
		return 0;
	case IPC_SV2BRK_KEY_CHANNEL:
		tls_set_key_channel(fd);
		return 0;
	case IPC_SV2BRK_TLS:
		return tls_material(b, &m->u.sv_tls, fd);
	case IPC_SV2BRK_USERS:
		return users_directory(b, &m->u.sv_users, fd);
	case IPC_SV2BRK_START:
		/* Everything we will ever open is open. */
		if (sandbox_enter(b->sandbox) < 0)
			exit(1);
		log_debug("sandboxed");
		/* Threads only now: under the filter and without
		 * privileges, like the rest of us. */
		pool_start(b->pool);
		b->started = 1;
		listeners_enable(b);
		return 0;
	case IPC_SV2BRK_LOG_LEVEL:
		return log_level_set(b, &m->u.log_level);
	}
	log_warnx("supervisor: unexpected %s", ipc_type_name(m->hdr.type));
	return -1;
}

static void
sv_closed(void *arg, int error, const char *why)
{
	struct broker *b = arg;

	if (error)
		log_warnx("supervisor channel: %s", why);
	else
		log_info("supervisor went away");
	event_base_loopexit(b->base, NULL);
}

/*
 * The most address space the broker may use: a base for the libraries and
 * the frame ring, and for each client one update of a 4K screen plus its
 * output budget.  A bug that makes the broker grow ends in a clean restart
 * by the supervisor, not in the OOM killer choosing a victim.  Sanitizer
 * builds reserve terabytes of shadow memory and go without.
 */
#define BROKER_AS_BASE		(512UL << 20)
#define BROKER_AS_PER_CLIENT	(40UL << 20)
/* An encoder thread: the C library's arena for it (64 MiB of address
 * space reserved), its stack and its scratch. */
#define BROKER_AS_PER_THREAD	(96UL << 20)

static void
limit_address_space(unsigned int threads)
{
#ifndef __SANITIZE_ADDRESS__
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = BROKER_AS_BASE +
	    BROKER_MAX_CLIENTS * BROKER_AS_PER_CLIENT +
	    threads * BROKER_AS_PER_THREAD;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		log_warn("address space limit");
#else
	(void)threads;
#endif
}

/* SECONDS of an option: def when not given, at least min, at most a day. */
static int
seconds_option(const char *name, const char *v, int def, int min)
{
	char *end;
	long n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < min || n > 86400)
		fatalx("--%s %s: expected seconds, %d to 86400", name, v, min);
	return (int)n;
}

/*
 * --encoder-threads N: 0 encodes on the event loop's thread; the default
 * is a thread per processor (counted now: the sandbox cannot read /sys).
 */
static unsigned int
encoder_threads_option(const char *v)
{
	char *end;
	long n;

	if (v == NULL) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		return n < 1 ? 1 : n > POOL_MAX_THREADS ? POOL_MAX_THREADS :
		    (unsigned int)n;
	}
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 0 || n > POOL_MAX_THREADS)
		fatalx("--encoder-threads %s: expected 0 to %d", v,
		    POOL_MAX_THREADS);
	return (unsigned int)n;
}

int
main(int argc, char **argv)
{
	const char *user = NULL, *fallback = "nobody", *paste = "no";
	const char *layout = NULL, *sharing = "shared", *handshake = NULL;
	const char *idle = NULL, *threads = NULL;
	const struct helper_option opts[] = {
		{ "user", 0, &user },
		{ "keyboard-layout", 0, &layout },
		{ "paste-as-typing", 0, &paste },
		{ "sharing", 0, &sharing },
		{ "handshake-timeout", 0, &handshake },
		{ "idle-timeout", 0, &idle },
		{ "encoder-threads", 0, &threads },
	};
	struct broker b;
	struct sandbox sb;

	helper_init_options(argc, argv, "rampart-broker", opts,
	    sizeof(opts) / sizeof(opts[0]), "[--user NAME] [--keyboard-layout "
	    "LAYOUT] [--paste-as-typing yes|no] [--sharing shared|"
	    "exclusive-control|exclusive] [--handshake-timeout SECONDS] "
	    "[--idle-timeout SECONDS] [--encoder-threads N]");
	/* Only the default user falls back to nobody: a user named and
	 * missing is an error, not a reason to run as someone else. */
	if (user != NULL)
		fallback = NULL;
	else
		user = RAMPART_DEFAULT_USER;

	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "rampart");
	b.paste_as_typing = strcmp(paste, "yes") == 0;
	if (strcmp(sharing, "shared") == 0)
		b.sharing = SHARING_SHARED;
	else if (strcmp(sharing, "exclusive-control") == 0)
		b.sharing = SHARING_EXCLUSIVE_CONTROL;
	else if (strcmp(sharing, "exclusive") == 0)
		b.sharing = SHARING_EXCLUSIVE;
	else
		fatalx("--sharing %s: expected shared, exclusive-control or "
		    "exclusive", sharing);
	b.handshake_seconds = seconds_option("handshake-timeout", handshake,
	    BROKER_HANDSHAKE_SECONDS, 1);
	b.idle_seconds = seconds_option("idle-timeout", idle, 0, 0);
	b.encoder_threads = encoder_threads_option(threads);
	/*
	 * The layout is compiled now, from files: the sandbox opens none.
	 * One that was asked for and cannot be had stops us (the supervisor
	 * says so and exits); with none asked for, us, or without XKB data
	 * the built-in US table.
	 */
	{
		char why[256];

		if ((b.keymap = keymap_new(layout, why, sizeof(why))) == NULL)
			fatalx("keyboard layout \"%s\": %s", layout, why);
		keyboards_init(&b.keys, b.keymap);
		b.keyboard_layout = keymap_name(b.keymap);
		log_info("keyboard layout %s", b.keyboard_layout);
	}
	if ((b.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, b.encoder_threads)) == NULL)
		fatalx("encoder pool");
	in_init(&b);
	auth_init(&b);
	if (sandbox_prepare(&sb, SANDBOX_BROKER, user, fallback) < 0)
		exit(1);
	b.sandbox = &sb;
	limit_address_space(b.encoder_threads);
	b.sv = channel_new(b.base, IPC_FD, &sv_peer, sv_answer, sv_closed, &b);
	if (b.sv == NULL)
		fatalx("supervisor channel");
	event_base_dispatch(b.base);
	return 0;
}
