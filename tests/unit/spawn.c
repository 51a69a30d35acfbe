/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ipc.h"
#include "tests/unit/spawn.h"

int
spawn_helper(struct child *ch, const char *prog, char *const argv[])
{
	return spawn_helper_fds(ch, prog, argv, NULL, 0);
}

int
spawn_helper_fds(struct child *ch, const char *prog, char *const argv[],
    const int *fds, size_t nfds)
{
	const char *dir = getenv("top_builddir");
	char path[4096];
	int sv[2], ep[2], high[8];

	if (nfds > sizeof(high) / sizeof(high[0]))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", prog);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0)
		return -1;
	ch->pid = fork();
	if (ch->pid < 0)
		return -1;
	if (ch->pid == 0) {
		/* Out of the way of 3, 4, ... first: one of them may sit
		 * where another must go. */
		for (size_t i = 0; i < nfds; i++)
			if (fds[i] >= 0 && (high[i] = fcntl(fds[i],
			    F_DUPFD_CLOEXEC, 64)) < 0)
				_exit(126);
		/* dup2() clears close-on-exec on the new descriptors. */
		if (dup2(sv[1], 3) < 0 || dup2(ep[1], 2) < 0)
			_exit(126);
		for (size_t i = 0; i < nfds; i++)
			if (fds[i] >= 0 && dup2(high[i], 4 + (int)i) < 0)
				_exit(126);
		execv(path, argv);
		dprintf(2, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	close(ep[1]);
	ch->sock = sv[0];
	ch->err = ep[0];
	return 0;
}

int
spawn_wait(struct child *ch, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;

	for (int waited = 0; ; waited += 10) {
		pid_t r = waitpid(ch->pid, &status, WNOHANG);

		if (r == ch->pid)
			break;
		if (r < 0)
			return -1;
		if (waited >= ms) {
			kill(ch->pid, SIGKILL);
			waitpid(ch->pid, &status, 0);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

const char *
spawn_stderr(struct child *ch)
{
	static char buf[8192];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(buf) - 1 &&
	    (r = read(ch->err, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return buf;
}

int
spawn_recv(struct child *ch, struct ipc_msg *m, int *fd, int ms,
    uint16_t first, uint16_t last)
{
	struct pollfd pfd = { .fd = ch->sock, .events = POLLIN };
	int r;

	*fd = -1;
	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	r = ipc_recv(ch->sock, m, fd, first, last);
	return r;
}
