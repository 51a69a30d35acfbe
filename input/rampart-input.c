/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-input: the helper that types and points into the machine.  It
 * takes fixed-size requests from the broker (on IPC_FD), checks every
 * field, and hands them to its sink; it never touches the network.  Held
 * keys are released when the broker asks, sends a bad message, or goes
 * away, and when we are told to stop.
 *
 * Usage: rampart-input --sink SPEC [--pointer tablet|touch|mouse]
 *	[--allow-keys sysrq,power] [--log-level L] [--syslog]
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/helper.h"
#include "common/log.h"
#include "common/registry.h"
#include "input/input.h"
#include "input/loop.h"
#include "input/sink.h"
#include "sandbox/sandbox.h"

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: releasing everything", (int)sig);
	input_loop_stop(arg, 0);
}

int
main(int argc, char **argv)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };
	struct event *sigev[3];
	struct event_base *base;
	const struct sink_ops *sink;
	const char *spec = NULL, *pointer = "tablet", *allow_keys = "none";
	const char *arg, *name;
	const struct helper_option opts[] = {
		{ "sink", 1, &spec },
		{ "pointer", 0, &pointer },
		{ "allow-keys", 0, &allow_keys },
	};
	struct sink_options so;
	struct input_loop l;
	struct sandbox sb;
	char usage[384], known[256], why[512];
	unsigned int allow;
	void *state;
	int id;

	snprintf(usage, sizeof(usage), "--sink %s [--pointer tablet|touch|"
	    "mouse] [--allow-keys sysrq,power]", registry_list(registry_sinks,
	    REGISTRY_SINK_COUNT, "|", known, sizeof(known)));
	helper_init_options(argc, argv, "rampart-input", opts,
	    sizeof(opts) / sizeof(opts[0]), usage);
	if (sink_parse_pointer(pointer, &so.pointer) < 0)
		fatalx("--pointer %s: expected tablet, touch or mouse",
		    pointer);
	if (input_parse_allow(allow_keys, &allow) < 0)
		fatalx("--allow-keys %s: expected sysrq, power or both, "
		    "separated by a comma", allow_keys);
	if ((id = REGISTRY_FIND_SINK(spec, &arg)) < 0 ||
	    (sink = sink_ops_of(id)) == NULL)
		fatalx("%s", registry_error(registry_sinks,
		    REGISTRY_SINK_COUNT, "sink", NULL, spec, why, sizeof(why)));
	name = registry_sinks[id].name;
	if ((state = sink->open(arg, &so, why, sizeof(why))) == NULL)
		fatalx("sink %s: %s", name, why);

	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (input_loop_init(&l, base, IPC_FD, name, sink, state,
	    allow) < 0)
		exit(1);
	for (size_t i = 0; i < 3; i++) {
		sigev[i] = evsignal_new(base, stop_signals[i], on_signal, &l);
		if (sigev[i] == NULL || event_add(sigev[i], NULL) < 0)
			fatalx("cannot watch signal %d", stop_signals[i]);
	}

	/* The policy is the input helper's plus what this sink alone
	 * declared (the log sink: nothing). */
	if (sandbox_prepare_helper(&sb, SANDBOX_INPUT, sink->needs) < 0 ||
	    sandbox_enter(&sb) < 0)
		exit(1);

	log_debug("sink %s ready", name);
	event_base_dispatch(base);
	for (size_t i = 0; i < 3; i++)
		event_free(sigev[i]);
	input_loop_free(&l);
	event_base_free(base);
	return l.status;
}
