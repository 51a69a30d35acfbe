/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listening sockets: tcp:ADDR:PORT, tcp:[ADDR6]:PORT and unix:PATH, each
 * optionally followed by ",security=TYPES".  Opened here, as root if need
 * be (a port below 1024), and handed to the broker, which could not open
 * them itself, with the security types each offers: its policy.
 *
 * Until there is authentication, the default policy is today's: None on
 * unix sockets and loopback addresses, None on a wildcard address only
 * for connections that reached it on a loopback address, and nothing
 * (every connection refused with a reason) elsewhere.  "security=none"
 * offers None on a listener whatever its address: for a local reverse
 * proxy that authenticates by itself, or a network that is trusted.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

#define LISTEN_BACKLOG	32

/* Whether a live process listens on a unix socket. */
static int
unix_in_use(const struct sockaddr_un *sun)
{
	int fd, used;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		return 0;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN;
	close(fd);
	return used;
}

static int
listen_unix(const char *path, struct ipc_sv_listener *info, char *why,
    size_t whylen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path) || path[0] == '\0') {
		snprintf(why, whylen, "bad socket path (at most %zu bytes)",
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* A socket left by an earlier run is replaced; one that a live
	 * process listens on, or any other file, is not touched. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(why, whylen, "%s exists and is not a socket",
			    path);
			return -1;
		}
		if (unix_in_use(&sun)) {
			snprintf(why, whylen, "%s", strerror(EADDRINUSE));
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	info->security = info->security_local = IPC_SEC_NONE;
	return fd;
}

/* The default policy of a TCP address: see above. */
static void
tcp_policy(const struct sockaddr *sa, struct ipc_sv_listener *info)
{
	int loopback = 0, wildcard = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		uint32_t a = ntohl(sin->sin_addr.s_addr);

		loopback = (a >> 24) == 127;
		wildcard = a == INADDR_ANY;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		wildcard = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	}
	info->security = loopback ? IPC_SEC_NONE : 0;
	info->security_local = loopback || wildcard ? IPC_SEC_NONE : 0;
}

static int
listen_tcp(const char *spec, struct ipc_sv_listener *info, char *why,
    size_t whylen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char host[256];
	const char *port;
	int fd, one = 1, err;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':' ||
		    (size_t)(end - spec - 1) >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = '\0';
		port = end + 2;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = colon + 1;
	}
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) > 65535)
		goto bad;
	if ((err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0) {
		snprintf(why, whylen, "%s", gai_strerror(err));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, res->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	tcp_policy(res->ai_addr, info);
	freeaddrinfo(res);
	return fd;
bad:
	snprintf(why, whylen, "expected tcp:ADDR:PORT or tcp:[ADDR6]:PORT "
	    "with a numeric address and port");
	return -1;
}

/* What a policy means, for the log line at start; none: security=none
 * was asked for. */
static void
policy_describe(const struct ipc_sv_listener *info, int none, char *buf,
    size_t len)
{
	if (none && info->security != IPC_SEC_NONE)
		snprintf(buf, len, "security None on an address that is not "
		    "loopback (security=none): whoever reaches it controls "
		    "this machine");
	else if (info->security == IPC_SEC_NONE)
		snprintf(buf, len, "security None (no authentication)");
	else if (info->security_local == IPC_SEC_NONE)
		snprintf(buf, len, "security None for connections to a "
		    "loopback address; others are refused until "
		    "authentication is configured");
	else
		snprintf(buf, len, "every connection is refused until "
		    "authentication is configured");
}

/* Returns the listening socket, or -1 with the reason in why. */
int
listen_open(const char *spec, struct ipc_sv_listener *info, char *policy,
    size_t policylen, char *why, size_t whylen)
{
	const char *opt = strstr(spec, ",security=");
	char addr[256];
	int fd, none = 0;

	if (opt != NULL) {
		if (strcmp(opt, ",security=none") != 0) {
			snprintf(why, whylen, "unknown security type \"%s\" "
			    "(known: none)", opt + strlen(",security="));
			return -1;
		}
		none = 1;
	}
	snprintf(addr, sizeof(addr), "%.*s",
	    (int)(opt != NULL ? (size_t)(opt - spec) : strlen(spec)), spec);
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%.*s",
	    (int)sizeof(info->name) - 1, addr);
	if (strncmp(addr, "tcp:", 4) == 0)
		fd = listen_tcp(addr + 4, info, why, whylen);
	else if (strncmp(addr, "unix:", 5) == 0)
		fd = listen_unix(addr + 5, info, why, whylen);
	else {
		snprintf(why, whylen, "expected tcp:ADDR:PORT or unix:PATH");
		return -1;
	}
	if (fd < 0)
		return -1;
	policy_describe(info, none, policy, policylen);
	if (none)
		info->security = info->security_local = IPC_SEC_NONE;
	return fd;
}
