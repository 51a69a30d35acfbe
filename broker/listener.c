/*
 * Listening sockets, opened by the supervisor and passed to us.  Whether
 * a connection may use security None is decided per connection from the
 * address it reached: loopback or a unix socket.
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

static void
peer_name(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
		break;
	}
	default:
		snprintf(buf, len, "unix");
	}
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct broker *b = arg;
	char peer[64];
	int one = 1;

	peer_name(sa, peer, sizeof(peer));
	if (b->nclients >= BROKER_MAX_CLIENTS) {
		log_warnx("%s: refused, %u clients already", peer, b->nclients);
		close(fd);
		return;
	}
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (client_new(b, fd, peer, local_connection(fd)) == NULL) {
		log_warnx("%s: out of memory", peer);
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
listener_add(struct broker *b, int fd, const struct ipc_sv_listener *l)
{
	struct evconnlistener *el;

	el = evconnlistener_new(b->base, accept_cb, b,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (el == NULL) {
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(el, accept_error_cb);
	log_debug("listening on %.*s", (int)sizeof(l->name), l->name);
	return 0;
}
