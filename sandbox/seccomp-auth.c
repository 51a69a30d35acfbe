/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/ipc.h"
#include "sandbox/internal.h"

/*
 * rampart-auth's policy is not the base with more: it is a short list of
 * its own, what strace -f showed the helper doing after start-up (answer a
 * question: recvmsg, scrypt's 32 MiB mmap and munmap, a log line,
 * sendmsg; at the end close, the C library's exit), and little more.  It
 * holds the hashes, so a broker that found a bug in it must find nothing
 * else there: no other descriptor to read or write, no thread, no file.
 */
static const int auth_allow[] = {
	/* The event loop and the end of it. */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2),
	SCMP_SYS(epoll_ctl), SCMP_SYS(close),

	/*
	 * Memory.  brk, mmap and munmap are what was seen; mremap, madvise
	 * and mprotect (never executable, below) are what malloc may do
	 * with other sizes and cost nothing to allow.
	 */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),

	/* Time when the vDSO falls back to the kernel. */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_gettime64),
	SCMP_SYS(gettimeofday),

	/* A log line: its pid, and stdio's questions about stderr. */
	SCMP_SYS(getpid), SCMP_SYS(lseek), SCMP_SYS(_llseek),
	SCMP_SYS(fstat), SCMP_SYS(fstat64),

	/* OpenSSL's locks, the C library's exit and abort() (raise() asks
	 * for the thread id); randomness in case OpenSSL wants it. */
	SCMP_SYS(futex), SCMP_SYS(futex_time64), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigreturn),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* What libraries may probe: the sandbox says no, the process lives. */
static const int auth_eacces[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(stat), SCMP_SYS(stat64), SCMP_SYS(lstat), SCMP_SYS(lstat64),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	/* syslog() trying to reconnect. */
	SCMP_SYS(socket),
};

/* Allow nr only on descriptor fd (argument 0). */
static int
allow_on_fd(scmp_filter_ctx ctx, int nr, int fd)
{
	struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
	    (scmp_datum_t)fd);

	return filter_rule(ctx, SCMP_ACT_ALLOW, nr, 1, &a);
}

int
filter_policy_auth(scmp_filter_ctx ctx)
{
	static const int channel[] = { SCMP_SYS(recvmsg), SCMP_SYS(sendmsg) };
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	struct scmp_arg_cmp self = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
	    (scmp_datum_t)getpid());
	struct scmp_arg_cmp noaddr = SCMP_A4(SCMP_CMP_EQ, 0, 0);
	struct scmp_arg_cmp tty = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
	    TCGETS);
	static const int maps[] = {
		SCMP_SYS(mmap), SCMP_SYS(mmap2), SCMP_SYS(mprotect),
	};
	static const int writes[] = { SCMP_SYS(write), SCMP_SYS(writev) };

	if (filter_allow(ctx, auth_allow, nitems(auth_allow)) < 0 ||
	    filter_deny(ctx, EACCES, auth_eacces, nitems(auth_eacces)) < 0)
		return -1;
	/* The broker's channel, and nothing else, is read and answered. */
	for (size_t i = 0; i < nitems(channel); i++)
		if (allow_on_fd(ctx, channel[i], IPC_FD) < 0)
			return -1;
	/* Log lines go to stderr (the supervisor's pipe) ... */
	for (size_t i = 0; i < nitems(writes); i++)
		if (allow_on_fd(ctx, writes[i], STDERR_FILENO) < 0)
			return -1;
	/* ... or, with --syslog, to the socket syslog() holds. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1,
	    &noaddr) < 0)
		return -1;
	for (size_t i = 0; i < nitems(maps); i++)
		if (filter_rule(ctx, SCMP_ACT_ALLOW, maps[i], 1, &noexec) < 0)
			return -1;
	/* fstat() of stderr is newfstatat(2, "", AT_EMPTY_PATH). */
	{
		struct scmp_arg_cmp fd = SCMP_A3(SCMP_CMP_MASKED_EQ,
		    AT_EMPTY_PATH, AT_EMPTY_PATH);
		struct scmp_arg_cmp path = SCMP_A3(SCMP_CMP_MASKED_EQ,
		    AT_EMPTY_PATH, 0);

		if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
		    &fd) < 0 || filter_rule(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(newfstatat), 1, &path) < 0 ||
		    filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fstatat64), 1,
		    &fd) < 0 || filter_rule(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(fstatat64), 1, &path) < 0)
			return -1;
	}
	/* stdio asks whether stderr is a terminal: it is not. */
	if (filter_rule(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 1,
	    &tty) < 0)
		return -1;
	/* abort() signals itself, nobody else. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, &self) < 0)
		return -1;
	return 0;
}
