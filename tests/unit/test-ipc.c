/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The channel codec: exact sizes, versions, type ranges and descriptors,
 * over real SOCK_SEQPACKET socketpairs.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc.h"
#include "tests/tap.h"

static void
send_raw(int fd, const void *buf, size_t len)
{
	if (send(fd, buf, len, 0) != (ssize_t)len)
		diag("send: %s", strerror(errno));
}

int
main(void)
{
	struct ipc_in_key key = { .code = 30, .down = 1 };
	struct ipc_msg m;
	char raw[IPC_MSG_MAX + 16];
	struct ipc_hdr hdr = { .type = IPC_BRK2IN_KEY, .version = IPC_VERSION };
	int sp[2], fd, r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		skip_all("no SOCK_SEQPACKET");

	ok(ipc_send(sp[0], IPC_BRK2IN_KEY, &key, sizeof(key), -1) == 0,
	    "send a key");
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == 1 && m.hdr.type == IPC_BRK2IN_KEY && m.u.in_key.code == 30 &&
	    m.u.in_key.down == 1 && fd == -1, "the key arrives whole");

	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EAGAIN, "an empty channel says EAGAIN");

	ok(ipc_send(sp[0], IPC_BRK2IN_KEY, &key, sizeof(key) - 1, -1) == -1 &&
	    errno == EINVAL, "the sender refuses a wrong size");
	ok(ipc_send(sp[0], 0x7777, NULL, 0, -1) == -1 && errno == EINVAL,
	    "the sender refuses an unknown type");

	/* A message one byte short, one byte long, of another version, of
	 * a type outside the peer's range. */
	memcpy(raw, &hdr, sizeof(hdr));
	memcpy(raw + sizeof(hdr), &key, sizeof(key));
	send_raw(sp[0], raw, sizeof(hdr) + sizeof(key) - 1);
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EPROTO, "a short message is refused");
	send_raw(sp[0], raw, sizeof(hdr) + sizeof(key) + 1);
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EPROTO, "a long message is refused");
	send_raw(sp[0], raw, sizeof(raw));
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EPROTO, "an oversized packet is refused");
	hdr.version = IPC_VERSION + 1;
	memcpy(raw, &hdr, sizeof(hdr));
	send_raw(sp[0], raw, sizeof(hdr) + sizeof(key));
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EPROTO, "another protocol version is refused");
	ok(ipc_send(sp[0], IPC_BRK2CAP_PAUSE, NULL, 0, -1) == 0, "send a pause");
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == -1 && errno == EPROTO,
	    "a type from another peer's range is refused");

	/* Descriptors: only where the type carries one. */
	fd = open("/dev/null", O_RDONLY);
	ok(ipc_send(sp[0], IPC_SV2BRK_CAPTURE_CHANNEL, NULL, 0, fd) == 0,
	    "send a descriptor");
	close(fd);
	r = ipc_recv(sp[1], &m, &fd, IPC_SV2BRK_CONFIG, IPC_SV2BRK_START);
	ok(r == 1 && fd >= 0 && m.hdr.type == IPC_SV2BRK_CAPTURE_CHANNEL,
	    "the descriptor arrives");
	if (fd >= 0) {
		struct stat st;

		ok(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode),
		    "it is /dev/null");
		ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "received close-on-exec");
		close(fd);
	}
	ok(ipc_send(sp[0], IPC_SV2BRK_START, NULL, 0, 0) == -1 && errno == EINVAL,
	    "the sender refuses a descriptor on a type without one");
	ok(ipc_send(sp[0], IPC_SV2BRK_CAPTURE_CHANNEL, NULL, 0, -1) == -1,
	    "the sender refuses a channel message without its descriptor");
	{
		/* The account list: a blob when there are accounts, none
		 * when there are none (len 0). */
		struct ipc_sv_users u = { .len = 0 };
		int dn = open("/dev/null", O_RDONLY);

		ok(ipc_send(sp[0], IPC_SV2BRK_USERS, &u, sizeof(u), -1) == 0 &&
		    ipc_recv(sp[1], &m, &fd, IPC_SV2BRK_FIRST,
		    IPC_SV2BRK_LAST) == 1 && fd == -1 && m.u.sv_users.len == 0,
		    "the account list may come without a blob");
		u.len = 10;
		ok(ipc_send(sp[0], IPC_SV2BRK_USERS, &u, sizeof(u), dn) == 0 &&
		    ipc_recv(sp[1], &m, &fd, IPC_SV2BRK_FIRST,
		    IPC_SV2BRK_LAST) == 1 && fd >= 0 && m.u.sv_users.len == 10,
		    "or with one");
		if (fd >= 0)
			close(fd);
		close(dn);
	}
	{
		/* A descriptor smuggled onto a message that has none. */
		struct ipc_hdr h = { .type = IPC_SV2BRK_START, .version = IPC_VERSION };
		struct iovec iov = { &h, sizeof(h) };
		union { struct cmsghdr a; char b[CMSG_SPACE(sizeof(int))]; } cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		int devnull = open("/dev/null", O_RDONLY), before, after;

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &devnull, sizeof(int));
		sendmsg(sp[0], &mh, 0);
		close(devnull);
		before = dup(0);
		close(before);
		r = ipc_recv(sp[1], &m, &fd, IPC_SV2BRK_CONFIG, IPC_SV2BRK_START);
		after = dup(0);
		close(after);
		ok(r == -1 && errno == EPROTO && fd == -1,
		    "a descriptor where none belongs is refused");
		ok(before == after, "and closed, not leaked");
	}

	close(sp[0]);
	r = ipc_recv(sp[1], &m, &fd, IPC_BRK2IN_KEY, IPC_BRK2IN_RELEASE_ALL);
	ok(r == 0, "end of file is 0");
	close(sp[1]);
	return done_testing();
}
