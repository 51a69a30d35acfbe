/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc.h"

/* fd of a type: whether its message carries a descriptor. */
#define IPC_FD_NONE	0
#define IPC_FD_ALWAYS	1
#define IPC_FD_MAYBE	2	/* the receiver checks when */

struct ipc_type_info {
	uint16_t	type;
	uint16_t	size;
	uint8_t		fd;
	const char	*name;
};

static const struct ipc_type_info ipc_types[] = {
	{ IPC_SV2BRK_CONFIG, sizeof(struct ipc_sv_config), 0, "sv-config" },
	{ IPC_SV2BRK_LISTENER, sizeof(struct ipc_sv_listener), 1, "sv-listener" },
	{ IPC_SV2BRK_CAPTURE_CHANNEL, 0, 1, "sv-capture-channel" },
	{ IPC_SV2BRK_INPUT_CHANNEL, 0, 1, "sv-input-channel" },
	{ IPC_SV2BRK_START, 0, 0, "sv-start" },
	{ IPC_SV2BRK_LOG_LEVEL, sizeof(struct ipc_log_level), 0,
	    "sv-log-level" },
	{ IPC_SV2BRK_TLS, sizeof(struct ipc_sv_tls), 1, "sv-tls" },
	{ IPC_SV2BRK_KEY_CHANNEL, 0, 1, "sv-key-channel" },
	{ IPC_SV2BRK_AUTH_CHANNEL, 0, 1, "sv-auth-channel" },
	/* The blob comes only with a list that is not empty (len 0: no
	 * blob), which the broker checks. */
	{ IPC_SV2BRK_USERS, sizeof(struct ipc_sv_users), IPC_FD_MAYBE,
	    "sv-users" },
	{ IPC_BRK2KEY_SIGN, sizeof(struct ipc_key_sign), 0, "key-sign" },
	{ IPC_KEY2BRK_SIGNATURE, sizeof(struct ipc_key_signature), 0,
	    "key-signature" },
	{ IPC_BRK2AUTH_PASSWORD, sizeof(struct ipc_auth_password), 0,
	    "auth-password" },
	{ IPC_BRK2AUTH_VNC, sizeof(struct ipc_auth_vnc), 0, "auth-vnc" },
	{ IPC_BRK2AUTH_LOG_LEVEL, sizeof(struct ipc_log_level), 0,
	    "auth-log-level" },
	{ IPC_AUTH2BRK_RESULT, sizeof(struct ipc_auth_result), 0,
	    "auth-result" },
	{ IPC_CAP2BRK_RING, sizeof(struct ipc_cap_ring), 1, "cap-ring" },
	{ IPC_CAP2BRK_FRAME, sizeof(struct ipc_cap_frame), 0, "cap-frame" },
	{ IPC_CAP2BRK_CURSOR, sizeof(struct ipc_cap_cursor), 1, "cap-cursor" },
	{ IPC_BRK2CAP_RELEASE, sizeof(struct ipc_brk_release), 0, "brk-release" },
	{ IPC_BRK2CAP_PAUSE, 0, 0, "brk-pause" },
	{ IPC_BRK2CAP_RESUME, 0, 0, "brk-resume" },
	{ IPC_BRK2CAP_RATE, sizeof(struct ipc_brk_rate), 0, "brk-rate" },
	{ IPC_BRK2CAP_ACTIVE, 0, 0, "brk-active" },
	{ IPC_BRK2CAP_LOG_LEVEL, sizeof(struct ipc_log_level), 0,
	    "brk-log-level" },
	{ IPC_BRK2IN_KEY, sizeof(struct ipc_in_key), 0, "in-key" },
	{ IPC_BRK2IN_POINTER, sizeof(struct ipc_in_pointer), 0, "in-pointer" },
	{ IPC_BRK2IN_RELEASE_ALL, 0, 0, "in-release-all" },
	{ IPC_BRK2IN_LOG_LEVEL, sizeof(struct ipc_log_level), 0,
	    "in-log-level" },
	{ IPC_BRK2IN_SCREEN, sizeof(struct ipc_in_screen), 0, "in-screen" },
	{ IPC_IN2BRK_LEDS, sizeof(struct ipc_in_leds), 0, "in-leds" },
	{ IPC_IN2BRK_STATUS, sizeof(struct ipc_in_status), 0, "in-status" },
};

static const struct ipc_type_info *
ipc_lookup(uint16_t type)
{
	for (size_t i = 0; i < sizeof(ipc_types) / sizeof(ipc_types[0]); i++)
		if (ipc_types[i].type == type)
			return &ipc_types[i];
	return NULL;
}

int
ipc_valid(uint16_t type, size_t len, int have_fd)
{
	const struct ipc_type_info *t = ipc_lookup(type);

	return t != NULL && t->size == len &&
	    (t->fd == IPC_FD_MAYBE || t->fd == (have_fd != 0)) ? 0 : -1;
}

const char *
ipc_type_name(uint16_t type)
{
	const struct ipc_type_info *t = ipc_lookup(type);

	return t != NULL ? t->name : "unknown";
}

int
ipc_send(int sock, uint16_t type, const void *payload, size_t len, int fd)
{
	struct ipc_hdr hdr = { .type = type, .version = IPC_VERSION };
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
	ssize_t n;

	if (ipc_valid(type, len, fd >= 0) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cmsg, 0, sizeof(cmsg));
		mh.msg_control = cmsg.buf;
		mh.msg_controllen = sizeof(cmsg.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != sizeof(hdr) + len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
ipc_decode(const void *buf, size_t len, int have_fd, struct ipc_msg *msg,
    uint16_t first, uint16_t last)
{
	const struct ipc_type_info *t;
	struct ipc_hdr hdr;

	if (len < sizeof(hdr))
		return -1;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.version != IPC_VERSION || hdr.pad != 0 ||
	    hdr.type < first || hdr.type > last)
		return -1;
	t = ipc_lookup(hdr.type);
	if (t == NULL || len != sizeof(hdr) + t->size ||
	    (t->fd != IPC_FD_MAYBE && (have_fd != 0) != t->fd))
		return -1;
	memset(msg, 0, sizeof(*msg));
	memcpy(msg, buf, len);
	return 0;
}

int
ipc_recv(int sock, struct ipc_msg *msg, int *fd, uint16_t first,
    uint16_t last)
{
	/* One byte more than the largest message, so that an oversized
	 * packet shows as such instead of being silently truncated. */
	char buf[IPC_MSG_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(int) * 4)];
	} cmsg;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cmsg.buf, .msg_controllen = sizeof(cmsg.buf),
	};
	struct cmsghdr *c;
	int got_fd = -1, bad = 0;
	ssize_t n;

	*fd = -1;
	do {
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (got_fd < 0)
				got_fd = f;
			else {
				close(f);
				bad = 1;
			}
		}
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || bad ||
	    ipc_decode(buf, (size_t)n, got_fd >= 0, msg, first, last) < 0) {
		if (got_fd >= 0)
			close(got_fd);
		errno = EPROTO;
		return -1;
	}
	*fd = got_fd;
	return 1;
}
