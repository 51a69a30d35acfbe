/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libevdev/libevdev.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/sink.h"

/*
 * The log sink: one line per event in a file, written at once, so that
 * tests (and people without uinput) can see what would have been typed.
 */
struct logsink {
	int	fd;
};

static void *
logsink_open(const char *arg, const struct sink_options *o, char *why,
    size_t whylen)
{
	struct logsink *ls;

	if (arg == NULL || *arg == '\0') {
		snprintf(why, whylen, "log needs a file: log:PATH");
		return NULL;
	}
	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ls->fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (ls->fd < 0) {
		snprintf(why, whylen, "%s: %s", arg, strerror(errno));
		free(ls);
		return NULL;
	}
	return ls;
}

static int __attribute__((format(printf, 2, 3)))
logsink_line(struct logsink *ls, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = (int)strlen(line);
	line[n++] = '\n';
	/* One write per line: O_APPEND keeps lines whole. */
	if (write(ls->fd, line, (size_t)n) != n) {
		log_warn("log sink: write");
		return -1;
	}
	return 0;
}

static int
logsink_key(void *state, uint16_t code, int down, const uint8_t *held)
{
	const char *name = libevdev_event_code_get_name(EV_KEY, code);

	return logsink_line(state, "key %u %s %s", code,
	    name != NULL ? name : "KEY_UNKNOWN", down ? "down" : "up");
}

static int
logsink_pointer(void *state, const struct ipc_in_pointer *p)
{
	return logsink_line(state, "pointer %u %u buttons=0x%02x wheel=%d "
	    "hwheel=%d", p->x, p->y, p->buttons, p->wheel, p->hwheel);
}

static int
logsink_release_all(void *state)
{
	return logsink_line(state, "release-all");
}

static void
logsink_close(void *state)
{
	struct logsink *ls = state;

	close(ls->fd);
	free(ls);
}

const struct sink_ops sink_log = {
	.open = logsink_open,
	.key = logsink_key,
	.pointer = logsink_pointer,
	.release_all = logsink_release_all,
	.close = logsink_close,
};
