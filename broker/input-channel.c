/*
 * The channel to the input helper: key codes and absolute pointer
 * positions, already mapped here, so that the privileged side only has to
 * check fixed-size fields.  While the helper is restarting, input is
 * dropped: replaying it later could press keys nobody meant to press.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/event.h>

#include <errno.h>
#include <unistd.h>

#include "broker/broker.h"
#include "common/log.h"

static void
input_drop(struct broker *b, const char *why)
{
	log_warnx("input channel closed: %s", why);
	event_free(b->input_ev);
	b->input_ev = NULL;
	close(b->input_fd);
	b->input_fd = -1;
}

static void
input_read_cb(int fd, short events, void *arg)
{
	struct broker *b = arg;
	char c;
	ssize_t n;

	/* The input helper never sends: a readable channel is its end. */
	n = recv(fd, &c, sizeof(c), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	input_drop(b, n == 0 ? "end of file" : "unexpected message");
}

void
input_set_channel(struct broker *b, int fd)
{
	if (b->input_fd >= 0)
		input_drop(b, "replaced");
	b->input_fd = fd;
	b->input_ev = event_new(b->base, fd, EV_READ | EV_PERSIST,
	    input_read_cb, b);
	if (b->input_ev == NULL || event_add(b->input_ev, NULL) < 0)
		fatalx("input channel event");
}

static void
input_send(struct broker *b, uint16_t type, const void *p, size_t len)
{
	if (b->input_fd < 0) {
		log_debug("no input helper: %s dropped", ipc_type_name(type));
		return;
	}
	if (ipc_send(b->input_fd, type, p, len, -1) < 0)
		input_drop(b, "send failed");
}

void
input_key(struct broker *b, uint16_t code, int down)
{
	struct ipc_in_key k = { .code = code, .down = down ? 1 : 0 };

	input_send(b, IPC_IN_KEY, &k, sizeof(k));
}

void
input_pointer(struct broker *b, const struct ipc_in_pointer *p)
{
	input_send(b, IPC_IN_POINTER, p, sizeof(*p));
}
