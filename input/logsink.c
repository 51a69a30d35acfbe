/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/stat.h>

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
 *
 * Its keyboard LEDs, for tests of the LED path without a device: when a
 * FIFO named FILE.leds exists at start, each number written to it (the
 * IPC_LED_* bits, 0 to 7, one a line) is the LED state the target set.
 */
struct logsink {
	int	fd;
	int	led_fd;		/* FILE.leds, -1: none */
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
	ls->led_fd = -1;
	{
		char path[4096];
		struct stat st;

		/* Read and write: a FIFO whose writers come and go never
		 * reads as end of file. */
		if ((size_t)snprintf(path, sizeof(path), "%s.leds", arg) <
		    sizeof(path) && stat(path, &st) == 0 &&
		    S_ISFIFO(st.st_mode))
			ls->led_fd = open(path, O_RDWR | O_NONBLOCK |
			    O_CLOEXEC);
	}
	return ls;
}

static int
logsink_led_fd(void *state)
{
	return ((struct logsink *)state)->led_fd;
}

/* The last number of what was written: 1 with it in *leds, 0: none. */
static int
logsink_read_leds(void *state, uint32_t *leds)
{
	struct logsink *ls = state;
	char buf[64];
	ssize_t n = read(ls->led_fd, buf, sizeof(buf));
	int found = 0;
	uint32_t v = 0;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] >= '0' && buf[i] <= '9') {
			v = (found == 2 ? v * 10 : 0) + (uint32_t)(buf[i] - '0');
			found = 2;
		} else if (found == 2) {
			*leds = v;
			found = 1;
		}
	}
	if (found == 2)
		*leds = v;
	return found != 0;
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
	if (ls->led_fd >= 0)
		close(ls->led_fd);
	free(ls);
}

const struct sink_ops sink_log = {
	.open = logsink_open,
	.key = logsink_key,
	.pointer = logsink_pointer,
	.release_all = logsink_release_all,
	.close = logsink_close,
	.led_fd = logsink_led_fd,
	.read_leds = logsink_read_leds,
};
