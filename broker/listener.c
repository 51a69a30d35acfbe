/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listening sockets, opened by the supervisor and passed to us with the
 * security types each offers (its policy, decided by the supervisor).  A
 * wildcard listener may offer other types (None, with --insecure-no-auth)
 * to the connections that reached it on a loopback address; that is the
 * one thing read off a connection.
 * Listeners accept only once the sandbox is entered.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <event2/event.h>
#include <event2/listener.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "common/log.h"

static int
local_connection(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	switch (ss.ss_family) {
	case AF_UNIX:
		return 1;
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		const uint8_t *a = s6->sin6_addr.s6_addr;

		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && a[12] == 127);
	}
	}
	return 0;
}

/* The peer for logs, and its address alone for throttling; on a unix
 * socket the peer's uid and pid (SO_PEERCRED), the access control there
 * being the socket's permissions. */
static void
origin_of(int fd, const struct sockaddr *sa, struct client_origin *o)
{
	char host[INET6_ADDRSTRLEN] = "?";

	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(o->peer, sizeof(o->peer), "%s:%u", host,
		    ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(o->peer, sizeof(o->peer), "[%s]:%u", host,
		    ntohs(s6->sin6_port));
		break;
	}
	default: {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		snprintf(host, sizeof(host), "unix");
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			snprintf(o->peer, sizeof(o->peer), "unix uid %u pid %d",
			    (unsigned int)cred.uid, (int)cred.pid);
		else
			snprintf(o->peer, sizeof(o->peer), "unix");
	}
	}
	snprintf(o->addr, sizeof(o->addr), "%s", host);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct listener *li = arg;
	struct broker *b = li->broker;
	struct client_origin o = { .listener = li->info.name,
	    .security = li->info.security };
	int one = 1;

	origin_of(fd, sa, &o);
	if ((o.refusal = auth_admit(b, o.addr)) != NULL) {
		log_info("audit: %s: refused: %s", o.peer, o.refusal);
		/* Told why, unless too many are being told already. */
		if (b->nrefusing >= BROKER_MAX_REFUSING) {
			close(fd);
			return;
		}
	}
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (li->info.security_local != o.security && local_connection(fd))
		o.security = li->info.security_local;
	if (client_new(b, fd, &o) == NULL) {
		log_warnx("%s: out of memory", o.peer);
		close(fd);
	}
}

static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	/* EMFILE and the like: keep listening, the next accept may work. */
	log_warn("accept");
}

int
listener_add(struct broker *b, int fd, const struct ipc_sv_listener *info)
{
	struct listener *li;

	if (b->nlisteners == BROKER_MAX_LISTENERS ||
	    (info->security & ~IPC_SEC_ALL) != 0 ||
	    (info->security_local & ~IPC_SEC_ALL) != 0) {
		close(fd);
		return -1;
	}
	li = &b->listeners[b->nlisteners];
	li->broker = b;
	li->info = *info;
	li->info.name[sizeof(li->info.name) - 1] = '\0';
	li->ev = evconnlistener_new(b->base, accept_cb, li,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED,
	    0, fd);
	if (li->ev == NULL) {
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(li->ev, accept_error_cb);
	b->nlisteners++;
	log_debug("listener %s: security 0x%x, 0x%x for loopback",
	    li->info.name, li->info.security, li->info.security_local);
	return 0;
}

void
listeners_enable(struct broker *b)
{
	for (size_t i = 0; i < b->nlisteners; i++)
		evconnlistener_enable(b->listeners[i].ev);
}
