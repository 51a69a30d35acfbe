/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The channel object over real SOCK_SEQPACKET socketpairs and a real
 * libevent loop: a peer that never reads does not block the sender, a full
 * queue does what the peer's description says, order and descriptors
 * survive the queue, and the state rules (once, before and after start,
 * answers only to questions) end the channel when broken.  And blobs: what
 * is not a sealed memfd of the announced size is refused.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/blob.h"
#include "common/channel.h"
#include "common/log.h"
#include "tests/tap.h"

struct seen {
	int		closed, error;
	char		why[160];
	int		nmsg;
	struct ipc_msg	last;
	int		last_fd;
	int		refuse;		/* the handler refuses the next one */
};

static int
handler(void *arg, const struct ipc_msg *m, int fd)
{
	struct seen *s = arg;

	s->nmsg++;
	s->last = *m;
	if (s->last_fd >= 0)
		close(s->last_fd);
	s->last_fd = fd;
	return s->refuse ? -1 : 0;
}

static void
closed(void *arg, int error, const char *why)
{
	struct seen *s = arg;

	s->closed++;
	s->error = error;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static void
pair(int sv[2])
{
	int small = 4096;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		bail("socketpair: %s", strerror(errno));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every key on rd, in order; returns how many, -1 when out of order. */
static int
read_keys(int rd, uint16_t *first, uint16_t *last)
{
	struct ipc_msg m;
	int fd, n = 0;
	uint16_t prev = 0;

	while (ipc_recv(rd, &m, &fd, IPC_BRK2IN_FIRST, IPC_BRK2IN_LAST) == 1) {
		if (n == 0)
			*first = m.u.in_key.code;
		else if (m.u.in_key.code != prev + 1)
			return -1;
		prev = m.u.in_key.code;
		n++;
	}
	*last = prev;
	return n;
}

static void
test_queue(struct event_base *base)
{
	static const struct chan_peer closing = {
		.name = "a slow peer", .first = IPC_IN2BRK_FIRST,
		.last = IPC_IN2BRK_LAST, .queue_max = 32,
		.on_full = CHAN_FULL_CLOSE,
	};
	static const struct chan_peer dropping = {
		.name = "a slow peer", .first = IPC_IN2BRK_FIRST,
		.last = IPC_IN2BRK_LAST, .queue_max = 32,
		.on_full = CHAN_FULL_DROP_OLDEST,
	};
	struct seen s = { .last_fd = -1 };
	struct channel *ch;
	struct ipc_in_key k = { .down = 1 };
	uint16_t first = 0, last = 0;
	int sv[2], sent = 0, r = 0, n;
	double t;

	/* A peer that never reads: sends return at once until the queue is
	 * full, then the peer is dropped. */
	pair(sv);
	ch = channel_new(base, sv[0], &closing, handler, closed, &s);
	t = now();
	while (sent < 100000 && (r = channel_send(ch, IPC_BRK2IN_KEY, &k,
	    sizeof(k), -1)) == 0) {
		sent++;
		k.code = (uint16_t)(1 + sent % 500);
	}
	ok(r == -1 && s.closed == 1 && s.error == 1 &&
	    strstr(s.why, "not reading") != NULL,
	    "a peer that never reads is dropped when its queue is full (%d "
	    "sent, %s)", sent, s.why);
	ok(now() - t < 1.0, "and the sender never blocked (%.3f s)",
	    now() - t);
	ok(channel_queued(ch) == 0 && channel_closed(ch),
	    "nothing is kept for a dropped peer");
	channel_free(ch);
	close(sv[1]);

	/* Where only the newest state matters, the oldest queued goes: the
	 * peer gets what the socket took, then the newest queue_max. */
	memset(&s, 0, sizeof(s));
	s.last_fd = -1;
	pair(sv);
	ch = channel_new(base, sv[0], &dropping, handler, closed, &s);
	for (sent = 0; sent < 2000; sent++) {
		k.code = (uint16_t)(sent + 1);
		if (channel_send(ch, IPC_BRK2IN_KEY, &k, sizeof(k), -1) < 0)
			break;
	}
	ok(sent == 2000 && !s.closed && channel_queued(ch) == 32,
	    "with drop-oldest every send is taken and the queue stays at "
	    "its limit (%zu)", channel_queued(ch));
	/* The peer reads; the loop drains the queue. */
	n = 0;
	for (int i = 0; i < 200 && channel_queued(ch) > 0; i++) {
		uint16_t f, l;
		int got = read_keys(sv[1], &f, &l);

		if (got > 0) {
			if (n == 0)
				first = f;
			last = l;
			n += got;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	{
		uint16_t f, l;
		int got = read_keys(sv[1], &f, &l);

		if (got > 0)
			last = l, n += got;
	}
	ok(channel_queued(ch) == 0 && last == 2000 && first == 1,
	    "the newest message arrives, and the first ones the socket took "
	    "(%d received, %u .. %u)", n, first, last);
	ok(n < 2000, "the oldest queued ones were dropped (%d of 2000)", n);
	channel_free(ch);
	close(sv[1]);

	/* With room in the queue, everything arrives in order once the peer
	 * reads. */
	{
		static const struct chan_peer roomy = {
			.name = "a slow peer", .first = IPC_IN2BRK_FIRST,
			.last = IPC_IN2BRK_LAST, .queue_max = 4096,
			.on_full = CHAN_FULL_CLOSE,
		};
		int got, ordered = 1;

		memset(&s, 0, sizeof(s));
		s.last_fd = -1;
		pair(sv);
		ch = channel_new(base, sv[0], &roomy, handler, closed, &s);
		for (sent = 0; sent < 3000; sent++) {
			k.code = (uint16_t)(sent + 1);
			channel_send(ch, IPC_BRK2IN_KEY, &k, sizeof(k), -1);
		}
		n = 0;
		for (int i = 0; i < 1000 && (channel_queued(ch) > 0 || n == 0);
		    i++) {
			uint16_t f = 0, l = 0;

			if ((got = read_keys(sv[1], &f, &l)) < 0 ||
			    (got > 0 && f != n + 1))
				ordered = 0;
			if (got > 0)
				n += got;
			event_base_loop(base, EVLOOP_NONBLOCK);
		}
		{
			uint16_t f = 0, l = 0;

			if ((got = read_keys(sv[1], &f, &l)) > 0)
				n += got;
		}
		ok(n == 3000 && ordered && !s.closed,
		    "3000 messages through a small socket arrive, in order "
		    "(%d)", n);
		channel_free(ch);
		close(sv[1]);
	}
}

static void
test_tail_and_fds(struct event_base *base)
{
	static const struct chan_peer peer = {
		.name = "capture", .first = IPC_BRK2CAP_FIRST,
		.last = IPC_BRK2CAP_LAST, .queue_max = 4096,
		.on_full = CHAN_FULL_CLOSE,
	};
	struct ipc_in_pointer p = { .x = 1, .y = 1 }, *tail;
	struct ipc_cap_ring ring = { .ring_id = 7, .nslots = 2,
	    .slot_size = 4096 };
	struct seen s = { .last_fd = -1 };
	struct channel *ch;
	struct ipc_msg m;
	struct stat st1, st2;
	int sv[2], fd, memfd, got_ring = 0, last_x = 0, r;

	pair(sv);
	ch = channel_new(base, sv[0], &peer, handler, closed, &s);
	/* Fill the socket so that what follows waits in the queue. */
	while (channel_queued(ch) == 0)
		channel_send(ch, IPC_BRK2IN_POINTER, &p, sizeof(p), -1);
	tail = channel_tail(ch, IPC_BRK2IN_POINTER);
	ok(tail != NULL && channel_tail(ch, IPC_BRK2IN_KEY) == NULL,
	    "the queued tail is found by its type only");
	if (tail != NULL)
		tail->x = 4242;
	memfd = memfd_create("test", MFD_CLOEXEC);
	fstat(memfd, &st1);
	ok(channel_send(ch, IPC_CAP2BRK_RING, &ring, sizeof(ring), memfd) == 0,
	    "a message with a descriptor is queued");
	close(memfd);	/* the channel keeps a copy */
	for (int i = 0; i < 1000 && channel_queued(ch) > 0; i++) {
		while ((r = ipc_recv(sv[1], &m, &fd, IPC_CAP2BRK_FIRST,
		    IPC_BRK2IN_LAST)) == 1) {
			if (m.hdr.type == IPC_BRK2IN_POINTER)
				last_x = m.u.in_pointer.x;
			if (m.hdr.type == IPC_CAP2BRK_RING && fd >= 0) {
				fstat(fd, &st2);
				got_ring = st1.st_ino == st2.st_ino;
				close(fd);
			}
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	while (ipc_recv(sv[1], &m, &fd, IPC_CAP2BRK_FIRST, IPC_BRK2IN_LAST) == 1)
		if (m.hdr.type == IPC_CAP2BRK_RING && fd >= 0) {
			fstat(fd, &st2);
			got_ring = st1.st_ino == st2.st_ino;
			close(fd);
		} else if (m.hdr.type == IPC_BRK2IN_POINTER)
			last_x = m.u.in_pointer.x;
	ok(last_x == 4242, "a tail changed in place goes out changed");
	ok(got_ring, "a queued descriptor arrives after the sender closed "
	    "its own");
	ok(channel_send(ch, IPC_BRK2IN_KEY, &p, sizeof(p), -1) == -1 &&
	    !s.closed, "a malformed message is not sent, and the channel "
	    "stays");
	channel_free(ch);
	close(sv[1]);
}

/* The supervisor's rules as the broker holds them, and one made up for
 * the test: a log level as the answer to a question (its level field is
 * where an answer's id is). */
static const struct chan_rule rules[] = {
	{ IPC_SV2BRK_CONFIG, CHAN_ONCE | CHAN_BEFORE_START },
	{ IPC_SV2BRK_LISTENER, CHAN_BEFORE_START },
	{ IPC_SV2BRK_START, CHAN_START },
	{ IPC_SV2BRK_LOG_LEVEL, CHAN_ANSWER },
	{ IPC_SV2BRK_INPUT_CHANNEL, CHAN_AFTER_START },
};

static const struct chan_peer ruled = {
	.name = "the supervisor", .first = IPC_SV2BRK_FIRST,
	.last = IPC_SV2BRK_LAST, .rules = rules,
	.nrules = sizeof(rules) / sizeof(rules[0]), .queue_max = 16,
	.on_full = CHAN_FULL_CLOSE,
};

struct step {
	uint16_t	type;
};

/* Send steps from the peer's end; returns what the channel saw. */
static struct seen
run(struct event_base *base, const struct step *steps, size_t n,
    int ask, int refuse_at)
{
	struct ipc_sv_config conf = { .desktop_name = "x" };
	struct ipc_sv_listener l = { .name = "l" };
	struct ipc_log_level a = { .level = 0 };
	struct ipc_auth_password q = { .user = "u", .user_len = 1 };
	struct seen s = { .last_fd = -1 };
	struct channel *ch;
	int sv[2];

	pair(sv);
	ch = channel_new(base, sv[0], &ruled, handler, closed, &s);
	if (ask)
		a.level = channel_ask(ch, IPC_BRK2AUTH_PASSWORD, &q, sizeof(q));
	for (size_t i = 0; i < n; i++) {
		const void *p = NULL;
		size_t len = 0;
		int fd = -1;

		switch (steps[i].type) {
		case IPC_SV2BRK_CONFIG:
			p = &conf, len = sizeof(conf);
			break;
		case IPC_SV2BRK_LISTENER:
			p = &l, len = sizeof(l);
			fd = 0;
			break;
		case IPC_SV2BRK_INPUT_CHANNEL:
			fd = 0;
			break;
		case IPC_SV2BRK_LOG_LEVEL:
			p = &a, len = sizeof(a);
			break;
		case IPC_BRK2AUTH_PASSWORD:
			p = &q, len = sizeof(q);
			break;
		}
		ipc_send(sv[1], steps[i].type, p, len, fd);
	}
	for (int i = 0; i < 10; i++) {
		s.refuse = refuse_at > 0 && s.nmsg + 1 >= refuse_at;
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	if (s.last_fd >= 0)
		close(s.last_fd);
	channel_free(ch);
	close(sv[1]);
	return s;
}

static void
test_rules(struct event_base *base)
{
	static const struct step good[] = {
		{ IPC_SV2BRK_CONFIG }, { IPC_SV2BRK_LISTENER },
		{ IPC_SV2BRK_LISTENER }, { IPC_SV2BRK_START },
		{ IPC_SV2BRK_INPUT_CHANNEL }, { IPC_SV2BRK_INPUT_CHANNEL },
	};
	static const struct step twice[] = {
		{ IPC_SV2BRK_CONFIG }, { IPC_SV2BRK_CONFIG },
	};
	static const struct step late[] = {
		{ IPC_SV2BRK_START }, { IPC_SV2BRK_LISTENER },
	};
	static const struct step early[] = {
		{ IPC_SV2BRK_INPUT_CHANNEL },
	};
	static const struct step start_twice[] = {
		{ IPC_SV2BRK_START }, { IPC_SV2BRK_START },
	};
	static const struct step answer[] = {
		{ IPC_SV2BRK_LOG_LEVEL },
	};
	static const struct step answer_twice[] = {
		{ IPC_SV2BRK_LOG_LEVEL }, { IPC_SV2BRK_LOG_LEVEL },
	};
	static const struct step wrong_way[] = {
		{ IPC_BRK2AUTH_PASSWORD },
	};
	struct seen s;

	s = run(base, good, 6, 0, 0);
	ok(s.nmsg == 6 && !s.closed, "a start-up in order is taken (%d)",
	    s.nmsg);
	s = run(base, twice, 2, 0, 0);
	ok(s.nmsg == 1 && s.closed && strstr(s.why, "allowed once"),
	    "a type allowed once, sent twice, ends the channel (%s)", s.why);
	s = run(base, late, 2, 0, 0);
	ok(s.nmsg == 1 && s.closed && strstr(s.why, "before start"),
	    "a start-up message after start ends the channel (%s)", s.why);
	s = run(base, early, 1, 0, 0);
	ok(s.nmsg == 0 && s.closed && strstr(s.why, "after start"),
	    "a message allowed after start, sent before, ends it (%s)",
	    s.why);
	s = run(base, start_twice, 2, 0, 0);
	ok(s.nmsg == 1 && s.closed, "start twice ends the channel (%s)",
	    s.why);
	s = run(base, answer, 1, 0, 0);
	ok(s.nmsg == 0 && s.closed && strstr(s.why, "no question"),
	    "an answer with no request is refused (%s)", s.why);
	s = run(base, answer, 1, 1, 0);
	ok(s.nmsg == 1 && !s.closed, "the answer to a question is taken");
	s = run(base, answer_twice, 2, 1, 0);
	ok(s.nmsg == 1 && s.closed && strstr(s.why, "no question"),
	    "a second answer to one question is refused (%s)", s.why);
	s = run(base, wrong_way, 1, 0, 0);
	ok(s.nmsg == 0 && s.closed && s.error &&
	    strstr(s.why, "malformed"),
	    "a type of the other direction is refused (%s)", s.why);
	s = run(base, good, 2, 0, 1);
	ok(s.nmsg == 1 && s.closed && strstr(s.why, "refused"),
	    "a message its handler refuses ends the channel (%s)", s.why);
	s = run(base, good, 0, 0, 0);
	ok(!s.closed, "an open channel with nothing sent stays open");
	{
		struct seen e = { .last_fd = -1 };
		struct channel *ch;
		int sv[2];

		pair(sv);
		ch = channel_new(base, sv[0], &ruled, handler, closed, &e);
		close(sv[1]);
		event_base_loop(base, EVLOOP_NONBLOCK);
		ok(e.closed && !e.error && strcmp(e.why, "end of file") == 0,
		    "the peer's end is end of file, not an error");
		channel_free(ch);
	}
	{
		struct ipc_in_key k = { .code = 30, .down = 1 };
		struct seen e = { .last_fd = -1 };
		struct channel *ch;
		int sv[2], r;

		/* We write before we read its end: EPIPE. */
		pair(sv);
		ch = channel_new(base, sv[0], &ruled, handler, closed, &e);
		close(sv[1]);
		r = channel_send(ch, IPC_BRK2IN_KEY, &k, sizeof(k), -1);
		ok(r == -1 && e.closed == 1 && !e.error,
		    "a send to a peer that closed ends the channel as an end "
		    "of file, not an error (%s)", e.why);
		channel_free(ch);

		/* It closed with a message of ours unread: ECONNRESET. */
		memset(&e, 0, sizeof(e));
		e.last_fd = -1;
		pair(sv);
		ch = channel_new(base, sv[0], &ruled, handler, closed, &e);
		r = channel_send(ch, IPC_BRK2IN_KEY, &k, sizeof(k), -1);
		close(sv[1]);
		event_base_loop(base, EVLOOP_NONBLOCK);
		ok(r == 0 && e.closed == 1 && !e.error,
		    "so does a peer that closed leaving our message unread "
		    "(%s)", e.why);
		channel_free(ch);
	}
}

static void
test_blobs(void)
{
	static const char data[] = "a cursor, say";
	const char *p;
	int fd, plain;

	fd = blob_create("test", data, sizeof(data));
	ok(fd >= 0, "a blob is made");
	p = blob_map(fd, sizeof(data), 4096);
	ok(p != NULL && memcmp(p, data, sizeof(data)) == 0,
	    "and maps read-only with its bytes");
	blob_unmap(p, sizeof(data));
	ok(write(fd, "x", 1) == -1 && errno == EPERM,
	    "nobody can write it, its maker included");
	ok(ftruncate(fd, 1) == -1, "nor shrink it");
	ok(blob_map(fd, sizeof(data) + 1, 4096) == NULL && errno == EINVAL,
	    "a blob of another size than announced is refused");
	ok(blob_map(fd, sizeof(data), 4) == NULL,
	    "a blob over the receiver's limit is refused");
	close(fd);
	plain = memfd_create("unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ok(write(plain, data, sizeof(data)) == (ssize_t)sizeof(data) &&
	    blob_map(plain, sizeof(data), 4096) == NULL,
	    "an unsealed memfd is refused (its maker could change it)");
	close(plain);
	ok(blob_create("test", data, 0) == -1, "an empty blob is not made");
}

int
main(void)
{
	struct event_base *base;

	log_init("test-channel", LOG_LEVEL_ERROR, 0);
	if ((base = event_base_new()) == NULL)
		bail("event_base_new");
	test_queue(base);
	test_tail_and_fds(base);
	test_rules(base);
	test_blobs();
	event_base_free(base);
	return done_testing();
}
