/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listening sockets: tcp:ADDR:PORT, tcp:[ADDR6]:PORT and unix:PATH.
 * Opened here, as root if need be (a port below 1024), and handed to the
 * broker, which could not open them itself, with the security types each
 * offers: its policy (listen_policy()).
 *
 * A unix socket offers None: its file mode is the access control, and the
 * broker logs the peer's uid.  A TCP listener asks for authentication:
 * VeNCrypt X509Plain (TLS, then user and password), or X509None (a client
 * certificate names the user) when --tls-client-ca is given, plus
 * TLSPlain with --allow-anonymous-tls and VNC authentication with
 * --insecure-vnc-auth.  None on TCP only with --insecure-no-auth, and then
 * only on a loopback address, or on a wildcard address for the
 * connections that reached it through loopback.  Never elsewhere, whatever
 * the options.
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
listen_unix(const struct config *cfg, const char *path,
    struct ipc_sv_listener *info, char *why, size_t whylen)
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
	listen_policy(cfg, LISTEN_UNIX, info);
	return fd;
}

/* What a TCP address is to the policy. */
static enum listen_kind
tcp_kind(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		uint32_t a = ntohl(sin->sin_addr.s_addr);

		if ((a >> 24) == 127)
			return LISTEN_LOOPBACK;
		if (a == INADDR_ANY)
			return LISTEN_WILDCARD;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return LISTEN_LOOPBACK;
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			return LISTEN_WILDCARD;
	}
	return LISTEN_NETWORK;
}

/* The types a network connection is offered: see above. */
static uint32_t
network_types(const struct config *cfg)
{
	uint32_t t = cfg->tls_client_ca != NULL ? IPC_SEC_X509NONE :
	    IPC_SEC_X509PLAIN;

	if (cfg->allow_anonymous_tls)
		t |= IPC_SEC_TLSPLAIN;
	if (cfg->insecure_vnc_auth)
		t |= IPC_SEC_VNCAUTH;
	return t;
}

void
listen_policy(const struct config *cfg, enum listen_kind kind,
    struct ipc_sv_listener *info)
{
	uint32_t net = network_types(cfg);

	switch (kind) {
	case LISTEN_UNIX:
		info->security = info->security_local = IPC_SEC_NONE;
		break;
	case LISTEN_LOOPBACK:
		info->security = info->security_local =
		    cfg->insecure_no_auth ? IPC_SEC_NONE : net;
		break;
	case LISTEN_WILDCARD:
		info->security = net;
		info->security_local = cfg->insecure_no_auth ? IPC_SEC_NONE :
		    net;
		break;
	case LISTEN_NETWORK:
		info->security = info->security_local = net;
		break;
	}
}

/* The types of a mask in words, in the order a viewer is offered them. */
static void
types_describe(uint32_t types, char *buf, size_t len)
{
	static const struct {
		uint32_t	bit;
		const char	*words;
	} names[] = {
		{ IPC_SEC_NONE, "None (no authentication)" },
		{ IPC_SEC_X509NONE, "VeNCrypt X509None (TLS, a client "
		    "certificate names the user)" },
		{ IPC_SEC_X509PLAIN, "VeNCrypt X509Plain (TLS, then user and "
		    "password)" },
		{ IPC_SEC_TLSPLAIN, "VeNCrypt TLSPlain (anonymous TLS, then "
		    "user and password)" },
		{ IPC_SEC_VNCAUTH, "VNC authentication (DES, nothing "
		    "encrypted)" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (types & names[i].bit) {
			snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "",
			    names[i].words);
			n = strlen(buf);
		}
}

void
listen_describe(const struct ipc_sv_listener *info, char *buf, size_t len)
{
	char all[300], local[300];

	types_describe(info->security, all, sizeof(all));
	if (info->security == info->security_local) {
		snprintf(buf, len, "security %s", all);
		return;
	}
	types_describe(info->security_local, local, sizeof(local));
	snprintf(buf, len, "security %s for connections to a loopback "
	    "address; %s for the others", local, all);
}

/* The address and port of tcp:ADDR:PORT or tcp:[ADDR6]:PORT, without
 * "tcp:"; -1 when it is not one. */
int
listen_split(const char *spec, char *host, size_t hostlen, const char **port)
{
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':' ||
		    (size_t)(end - spec - 1) >= hostlen)
			return -1;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = '\0';
		*port = end + 2;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon == NULL || (size_t)(colon - spec) >= hostlen)
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		*port = colon + 1;
	}
	if (**port == '\0' || strspn(*port, "0123456789") != strlen(*port) ||
	    atoi(*port) > 65535)
		return -1;
	return 0;
}

static int
listen_tcp(const struct config *cfg, const char *spec,
    struct ipc_sv_listener *info, char *why, size_t whylen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char host[256];
	const char *port;
	int fd, one = 1, err;

	if (listen_split(spec, host, sizeof(host), &port) < 0)
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
	listen_policy(cfg, tcp_kind(res->ai_addr), info);
	freeaddrinfo(res);
	return fd;
bad:
	snprintf(why, whylen, "expected tcp:ADDR:PORT or tcp:[ADDR6]:PORT "
	    "with a numeric address and port");
	return -1;
}

/* Returns the listening socket, or -1 with the reason in why. */
int
listen_open(const struct config *cfg, const char *spec,
    struct ipc_sv_listener *info, char *policy, size_t policylen, char *why,
    size_t whylen)
{
	int fd;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%.*s",
	    (int)sizeof(info->name) - 1, spec);
	/* config_finish() refused options after a comma: this is a
	 * second guard, not the message a user sees. */
	if (strchr(spec, ',') != NULL) {
		snprintf(why, whylen, "listener options are not accepted");
		return -1;
	}
	if (strncmp(spec, "tcp:", 4) == 0)
		fd = listen_tcp(cfg, spec + 4, info, why, whylen);
	else if (strncmp(spec, "unix:", 5) == 0)
		fd = listen_unix(cfg, spec + 5, info, why, whylen);
	else {
		snprintf(why, whylen, "expected tcp:ADDR:PORT or unix:PATH");
		return -1;
	}
	if (fd < 0)
		return -1;
	listen_describe(info, policy, policylen);
	return fd;
}
