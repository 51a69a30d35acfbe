/*
 * rampart-broker: speaks RFB to the viewers, unprivileged and jailed.
 *
 * Start-up: the supervisor sends the configuration, the listening sockets
 * and the channels to the capture and input helpers, then IPC_SV_START.
 * Only then do we enter the sandbox, and from there on we open nothing:
 * later descriptors (a restarted helper's channel) come from the supervisor.
 */
#include "config.h"

#include <event2/event.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
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
	if (l->level > LOG_LEVEL_DEBUG) {
		log_warnx("supervisor: log level %u", l->level);
		return -1;
	}
	log_set_level((enum log_level)l->level);
	log_debug("log level %s", log_level_name((enum log_level)l->level));
	if (b->screen.capture_fd >= 0 && ipc_send(b->screen.capture_fd,
	    IPC_BRK_LOG_LEVEL, l, sizeof(*l), -1) < 0)
		log_warn("capture channel: log level");
	if (b->input_fd >= 0 && ipc_send(b->input_fd, IPC_IN_LOG_LEVEL, l,
	    sizeof(*l), -1) < 0)
		log_warn("input channel: log level");
	return 0;
}

/* One message from the supervisor; -1 for one that does not belong. */
static int
sv_handle(void *arg, const struct ipc_msg *m, int fd)
{
	struct broker *b = arg;

	switch (m->hdr.type) {
	case IPC_SV_CONFIG:
		memcpy(b->desktop_name, m->u.sv_config.desktop_name,
		    sizeof(b->desktop_name));
		b->desktop_name[sizeof(b->desktop_name) - 1] = '\0';
		return 0;
	case IPC_SV_LISTENER:
		if (listener_add(b, fd, &m->u.sv_listener) < 0)
			log_warnx("listener rejected");
		return 0;
	case IPC_SV_CAPTURE_CHANNEL:
		screen_set_capture(b, fd);
		return 0;
	case IPC_SV_INPUT_CHANNEL:
		input_set_channel(b, fd);
		return 0;
	case IPC_SV_START:
		if (b->started)
			break;
		b->started = 1;
		return 0;
	case IPC_SV_LOG_LEVEL:
		return log_level_set(b, &m->u.log_level);
	}
	log_warnx("supervisor: unexpected %s", ipc_type_name(m->hdr.type));
	return -1;
}

static int
sv_read(struct broker *b)
{
	enum ipc_drain r;

	r = ipc_drain(b->sv_fd, IPC_SV_CONFIG, IPC_SV_LOG_LEVEL, sv_handle, b);
	if (r == IPC_OPEN)
		return 0;
	if (r == IPC_EOF)
		log_info("supervisor went away");
	else
		log_warnx("supervisor channel: %s", ipc_drain_reason(r));
	return -1;
}

static void
sv_read_cb(int fd, short events, void *arg)
{
	struct broker *b = arg;

	if (sv_read(b) < 0)
		event_base_loopexit(b->base, NULL);
}

int
main(int argc, char **argv)
{
	const char *user, *fallback = "nobody";
	struct broker b;
	struct sandbox sb;

	user = helper_init(argc, argv, "rampart-broker", "user", 0,
	    "[--user NAME]");
	/* Only the default user falls back to nobody: a user named and
	 * missing is an error, not a reason to run as someone else. */
	if (user != NULL)
		fallback = NULL;
	else
		user = RAMPART_DEFAULT_USER;

	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	screen_init(&b.screen);
	b.sv_fd = IPC_FD;
	b.input_fd = -1;
	snprintf(b.desktop_name, sizeof(b.desktop_name), "rampart");
	if ((b.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (sandbox_prepare(&sb, SANDBOX_BROKER, user, fallback) < 0)
		exit(1);

	while (!b.started) {
		struct pollfd pfd = { .fd = b.sv_fd, .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fatal("poll");
		if (sv_read(&b) < 0)
			exit(1);
	}
	if (sandbox_enter(&sb) < 0)
		exit(1);
	log_debug("sandboxed");

	b.sv_ev = event_new(b.base, b.sv_fd, EV_READ | EV_PERSIST, sv_read_cb,
	    &b);
	if (b.sv_ev == NULL || event_add(b.sv_ev, NULL) < 0)
		fatalx("supervisor channel event");
	event_base_dispatch(b.base);
	return 0;
}
