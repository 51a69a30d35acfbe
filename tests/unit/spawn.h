/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a built helper the way the supervisor does: fork, the channel on
 * fd 3, exec.  For the process tests of rampart-capture, rampart-input and
 * rampart-auth.
 */
#ifndef RAMPART_TESTS_SPAWN_H
#define RAMPART_TESTS_SPAWN_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct ipc_msg;

struct child {
	pid_t	pid;
	int	sock;		/* our end of the channel */
	int	err;		/* read end of the child's stderr */
};

/* Run $top_builddir/PROG with argv (argv[0] included, NULL-terminated). */
int	spawn_helper(struct child *ch, const char *prog, char *const argv[]);
/* The same with fds[i] on descriptor 4 + i as well (-1: none there), as
 * the supervisor places the blobs of rampart-auth. */
int	spawn_helper_fds(struct child *ch, const char *prog,
	    char *const argv[], const int *fds, size_t nfds);
/* Wait up to ms for the child to exit: its exit status, 128 + signal, or
 * -1 on a timeout (the child is then killed). */
int	spawn_wait(struct child *ch, int ms);
/* Everything the child wrote to stderr (call after spawn_wait). */
const char *spawn_stderr(struct child *ch);
/* Receive one message within ms: 1, 0 on EOF, -1 on a timeout or error. */
int	spawn_recv(struct child *ch, struct ipc_msg *m, int *fd, int ms,
	    uint16_t first, uint16_t last);

#endif
