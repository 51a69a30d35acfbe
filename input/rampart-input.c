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

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/helper.h"
#include "common/log.h"
#include "input/input.h"
#include "input/sink.h"
#include "sandbox/sandbox.h"

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
	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		if (spec_is(spec, sinks[i]->name, arg))
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

static int
on_message(void *arg, const struct ipc_msg *msg, int fd)
{
	struct input_loop *l = arg;

	return input_handle(&l->in, msg);
}

static void
on_channel(evutil_socket_t fd, short what, void *arg)
{
	struct input_loop *l = arg;
	enum ipc_drain r;

	r = ipc_drain(fd, IPC_IN_KEY, IPC_IN_LOG_LEVEL, on_message, l);
	if (r == IPC_OPEN)
		return;
	if (r == IPC_EOF)
		log_info("the broker closed the channel: releasing everything");
	else
		log_warnx("channel from the broker: %s", ipc_drain_reason(r));
	input_stop(l, r != IPC_EOF);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: releasing everything", (int)sig);
	input_stop(arg, 0);
}

int
main(int argc, char **argv)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
	struct event *ev, *sigev[3];
	const struct sink_ops *sink;
	const char *spec, *arg;
	struct input_loop l;
	struct sandbox sb;
	char why[512];
	void *state;

	spec = helper_init(argc, argv, "rampart-input", "sink", 1,
	    "--sink log:FILE");
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
