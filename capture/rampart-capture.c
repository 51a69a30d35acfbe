/*
 * rampart-capture: the helper that holds the display device.  It copies
 * frames into a shared ring and tells the broker (on IPC_FD) which slot
 * holds which frame; it never touches the network.
 *
 * Usage: rampart-capture --source SPEC [--log-level L] [--syslog]
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "capture/capture.h"
#include "capture/source.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

/* One row per source: --source NAME or NAME:ARG. */
static const struct source_ops *const sources[] = {
	&source_replay,
	&source_demo,
};

static const struct source_ops *
source_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	*arg = colon != NULL ? colon + 1 : NULL;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strlen(sources[i]->name) == len &&
		    strncmp(sources[i]->name, spec, len) == 0)
			return sources[i];
	return NULL;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: rampart-capture --source replay:FILE|demo "
	    "[--log-level error|warn|info|debug] [--syslog]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	enum log_level level = LOG_LEVEL_INFO;
	const struct source_ops *src;
	const char *spec = NULL, *arg;
	struct event_base *base;
	struct capture c;
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
				fprintf(stderr, "rampart-capture: unknown log "
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
	log_init("rampart-capture", level, use_syslog);
	/* The broker may go away while we send: that is an error of
	 * ipc_send(), not a signal that kills us without a word. */
	signal(SIGPIPE, SIG_IGN);

	if ((src = source_find(spec, &arg)) == NULL)
		fatalx("unknown source \"%s\" (known: replay:FILE, demo)",
		    spec);
	if ((state = src->open(arg, why, sizeof(why))) == NULL)
		fatalx("source %s: %s", src->name, why);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (capture_init(&c, base, IPC_FD, src, state) < 0 ||
	    capture_send_ring(&c) < 0)
		exit(1);

	/*
	 * Replay and demo need no privilege at all.  DRM will keep
	 * CAP_SYS_ADMIN to read framebuffers of other clients (a later
	 * source); it then passes its list here.
	 */
	if (sandbox_prepare(&sb, SANDBOX_CAPTURE, NULL, NULL) < 0 ||
	    sandbox_enter(&sb) < 0)
		exit(1);

	if (capture_start(&c) < 0)
		exit(1);
	log_debug("source %s ready, paused until the broker resumes",
	    src->name);
	event_base_dispatch(base);
	capture_free(&c);
	event_base_free(base);
	return c.status;
}
