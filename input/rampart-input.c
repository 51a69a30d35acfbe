/*
 * rampart-input: the helper that types and points into the machine.  It
 * takes fixed-size requests from the broker (on IPC_FD), checks every
 * field, and hands them to its sink; it never touches the network.  Held
 * keys are released when the broker asks, sends a bad message, or goes
 * away, and when we are told to stop.
 *
 * Usage: rampart-input --sink SPEC [--log-level L] [--syslog]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "input/input.h"
#include "input/sink.h"
#include "sandbox/sandbox.h"

/* Messages handled in one wakeup before the loop looks at signals. */
#define CHANNEL_BURST		64

/* One row per sink: --sink NAME or NAME:ARG. */
static const struct sink_ops *const sinks[] = {
	&sink_log,
};

struct input_loop {
	struct input		 in;
	struct event_base	*base;
	int			 status;
	int			 stopped;
};

static const struct sink_ops *
sink_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	*arg = colon != NULL ? colon + 1 : NULL;
	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		if (strlen(sinks[i]->name) == len &&
		    strncmp(sinks[i]->name, spec, len) == 0)
			return sinks[i];
	return NULL;
}

static void
input_stop(struct input_loop *l, int status)
{
	if (l->stopped)
		return;
	l->stopped = 1;
	if (input_release_all(&l->in) < 0)
		status = 1;
	l->status = status;
	event_base_loopbreak(l->base);
}

static void
on_channel(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;
	struct ipc_msg msg;
	int passfd, n;

	for (int i = 0; i < CHANNEL_BURST; i++) {
		n = ipc_recv(fd, &msg, &passfd, IPC_IN_KEY, IPC_IN_RELEASE_ALL);
		if (n > 0) {
			if (input_handle(&l->in, &msg) < 0) {
				input_stop(l, 1);
				return;
			}
			continue;
		}
		if (n == 0) {
			log_info("the broker closed the channel: "
			    "releasing everything");
			input_stop(l, 0);
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EPROTO)
			log_warnx("protocol error: a malformed message "
			    "from the broker");
		else
			log_warn("receive from the broker");
		input_stop(l, 1);
		return;
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: releasing everything", (int)sig);
	input_stop(arg, 0);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: rampart-input --sink log:FILE "
	    "[--log-level error|warn|info|debug] [--syslog]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sink", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
	enum log_level level = LOG_LEVEL_INFO;
	struct event *ev, *sigev[3];
	const struct sink_ops *sink;
	const char *spec = NULL, *arg;
	struct input_loop l;
	struct sandbox sb;
	char why[512];
	void *state;
	int ch, use_syslog = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			spec = optarg;
			break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr, "rampart-input: unknown log "
				    "level %s\n", optarg);
				usage();
			}
			break;
		case 'S':
			use_syslog = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || spec == NULL)
		usage();
	log_init("rampart-input", level, use_syslog);
	signal(SIGPIPE, SIG_IGN);

	if ((sink = sink_find(spec, &arg)) == NULL)
		fatalx("unknown sink \"%s\" (known: log:FILE)", spec);
	if ((state = sink->open(arg, why, sizeof(why))) == NULL)
		fatalx("sink %s: %s", sink->name, why);
	memset(&l, 0, sizeof(l));
	input_init(&l.in, sink, state);

	if ((l.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	ev = event_new(l.base, IPC_FD, EV_READ | EV_PERSIST, on_channel, &l);
	if (ev == NULL || event_add(ev, NULL) < 0)
		fatalx("cannot watch the broker channel");
	for (size_t i = 0; i < 3; i++) {
		sigev[i] = evsignal_new(l.base, stop_signals[i], on_signal, &l);
		if (sigev[i] == NULL || event_add(sigev[i], NULL) < 0)
			fatalx("cannot watch signal %d", stop_signals[i]);
	}

	/* The log sink needs no privilege; uinput and hidg (later sinks)
	 * need none either once their device is open. */
	if (sandbox_prepare(&sb, SANDBOX_INPUT, NULL, NULL) < 0 ||
	    sandbox_enter(&sb) < 0)
		exit(1);

	log_debug("sink %s ready", sink->name);
	event_base_dispatch(l.base);
	for (size_t i = 0; i < 3; i++)
		event_free(sigev[i]);
	event_free(ev);
	input_free(&l.in);
	event_base_free(l.base);
	return l.status;
}
