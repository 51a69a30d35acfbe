/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-auth: the one process that holds the password hashes.  The
 * supervisor starts it as root with the users file's text on fd 4 and the
 * VNC password file's on fd 5 (sealed blobs); it parses them, closes them,
 * drops to an unprivileged user and enters its sandbox, then answers the
 * broker's password questions on IPC_FD, one at a time.  A process of its
 * own, so that a flood of scrypt checks delays nothing but other checks:
 * not the supervisor's restarts, not the key holder's signatures.
 *
 * Usage: rampart-auth [--users-size N] [--vnc-size N] [--user NAME]
 *	[--log-level L] [--syslog | --log-to-supervisor]
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "auth/auth.h"
#include "common/blob.h"
#include "common/channel.h"
#include "common/helper.h"
#include "common/log.h"
#include "sandbox/sandbox.h"

#define USERS_FD	4
#define VNC_FD		5

struct auth_loop {
	struct auth		 auth;
	struct event_base	*base;
	struct channel		*ch;
	int			 status;
};

/*
 * The broker, the less trusted side, and our only peer.  It keeps at most
 * one question outstanding per source address: a queue of 64 answers it
 * does not read is a broker that is not working.
 */
static const struct chan_peer broker_peer = {
	.name = "the broker",
	.first = IPC_BRK2AUTH_FIRST, .last = IPC_BRK2AUTH_LAST,
	.queue_max = 64, .on_full = CHAN_FULL_CLOSE,
};

static int
on_message(void *arg, const struct ipc_msg *msg, int fd)
{
	struct auth_loop *l = arg;
	struct ipc_auth_result res;
	int r;

	if ((r = auth_handle(&l->auth, msg, &res)) <= 0)
		return r;
	return channel_send(l->ch, IPC_AUTH2BRK_RESULT, &res, sizeof(res),
	    -1);
}

static void
on_closed(void *arg, int error, const char *why)
{
	struct auth_loop *l = arg;

	if (error)
		log_warnx("channel from the broker: %s", why);
	else
		log_debug("the broker closed the channel");
	l->status = error ? 1 : 0;
	event_base_loopbreak(l->base);
}

static size_t
parse_size(const char *opt, const char *s, size_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v < 1 || v > max)
		fatalx("--%s %s: expected 1 .. %zu", opt, s, max);
	return (size_t)v;
}

/*
 * The text of a file from the blob on fd: a parse error is a bug (the
 * supervisor read the same text), so it ends us.
 */
static const char *
blob_text(int fd, const char *opt, const char *size, size_t max,
    size_t *len)
{
	const char *p;

	*len = parse_size(opt, size, max);
	if ((p = blob_map(fd, *len, max)) == NULL)
		fatal("--%s: descriptor %d is not a sealed blob of %zu bytes",
		    opt, fd, *len);
	return p;
}

int
main(int argc, char **argv)
{
	const char *users_size = NULL, *vnc_size = NULL, *user = NULL;
	const char *fallback = "nobody", *text;
	const struct helper_option opts[] = {
		{ "users-size", 0, &users_size },
		{ "vnc-size", 0, &vnc_size },
		{ "user", 0, &user },
	};
	struct vnc_passwords vnc, *vncp = NULL;
	struct users users, *usersp = NULL;
	struct auth_loop l;
	struct sandbox sb;
	char why[256];
	size_t len;

	helper_init_options(argc, argv, "rampart-auth", opts,
	    sizeof(opts) / sizeof(opts[0]), "[--users-size N] [--vnc-size N] "
	    "[--user NAME]");
	/* As the broker: only the default user falls back to nobody. */
	if (user != NULL)
		fallback = NULL;
	else
		user = RAMPART_DEFAULT_USER;
	if (sandbox_prepare(&sb, SANDBOX_AUTH, user, fallback) < 0)
		exit(1);

	if (users_size != NULL) {
		text = blob_text(USERS_FD, "users-size", users_size,
		    AUTH_USERS_TEXT_MAX, &len);
		if (users_parse(&users, text, len, why, sizeof(why)) < 0)
			fatalx("users file: %s", why);
		blob_unmap(text, len);
		close(USERS_FD);
		usersp = &users;
	}
	if (vnc_size != NULL) {
		text = blob_text(VNC_FD, "vnc-size", vnc_size,
		    AUTH_VNC_TEXT_MAX, &len);
		if (vnc_passwords_parse(&vnc, text, len, why,
		    sizeof(why)) < 0)
			fatalx("VNC password file: %s", why);
		blob_unmap(text, len);
		close(VNC_FD);
		vncp = &vnc;
	}

	memset(&l, 0, sizeof(l));
	if (auth_init(&l.auth, usersp, vncp) < 0)
		exit(1);
	if (vncp != NULL)
		explicit_bzero(&vnc, sizeof(vnc));
	log_debug("%zu accounts, VNC passwords: %s", l.auth.users.n,
	    !l.auth.have_vnc ? "none" : l.auth.vnc.have_control &&
	    l.auth.vnc.have_view ? "control and view" :
	    l.auth.vnc.have_control ? "control" : "view");
	if ((l.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if ((l.ch = channel_new(l.base, IPC_FD, &broker_peer, on_message,
	    on_closed, &l)) == NULL)
		fatalx("broker channel");
	if (sandbox_enter(&sb) < 0)
		exit(1);

	event_base_dispatch(l.base);
	channel_free(l.ch);
	event_base_free(l.base);
	auth_free(&l.auth);
	return l.status;
}
