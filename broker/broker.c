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
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
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

static void
usage(void)
{
	fprintf(stderr, "usage: rampart-broker [--user NAME] "
	    "[--log-level LEVEL] [--syslog]\n"
	    "(started by rampart with its channel on fd %d)\n", IPC_FD);
	exit(2);
}

/* One message from the supervisor; returns -1 when the channel is done. */
static int
sv_handle(struct broker *b, const struct ipc_msg *m, int fd)
{
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
			return -1;
		b->started = 1;
		return 0;
	}
	return -1;
}

static int
sv_read(struct broker *b)
{
	struct ipc_msg m;
	int fd, r;

	while ((r = ipc_recv(b->sv_fd, &m, &fd, IPC_SV_CONFIG,
	    IPC_SV_START)) > 0) {
		if (sv_handle(b, &m, fd) < 0) {
			log_warnx("supervisor: unexpected %s",
			    ipc_type_name(m.hdr.type));
			return -1;
		}
	}
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r == 0)
		log_info("supervisor went away");
	else
		log_warn("supervisor channel");
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
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	enum log_level level = LOG_LEVEL_INFO;
	const char *user = RAMPART_DEFAULT_USER;
	struct broker b;
	struct sandbox sb;
	int ch, use_syslog = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			user = optarg;
			break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0)
				usage();
			break;
		case 's':
			use_syslog = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("rampart-broker", level, use_syslog);
	signal(SIGPIPE, SIG_IGN);

	memset(&b, 0, sizeof(b));
	TAILQ_INIT(&b.clients);
	screen_init(&b.screen);
	b.sv_fd = IPC_FD;
	b.input_fd = -1;
	snprintf(b.desktop_name, sizeof(b.desktop_name), "rampart");
	if ((b.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (sandbox_prepare(&sb, SANDBOX_BROKER, user, "nobody") < 0)
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
