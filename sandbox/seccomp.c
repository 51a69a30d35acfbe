/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "sandbox/internal.h"

/*
 * The policy every role starts from.  libseccomp checks the architecture
 * first (any other, i386 or x32 on x86_64 included, is killed), and
 * SCMP_SYS(x) stands for __NR_x where the architecture has it and for a
 * negative number that matches nothing where it does not, which is the
 * "#ifdef __NR_x" of a hand-written filter.  What no rule names kills the
 * process.  What libraries may try after start-up, opening a file most of
 * all, fails with EACCES instead, so that it shows in the log as the
 * sandbox saying no rather than as a crash.
 */

#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
#define CLONE_FLAGS_ARG	1	/* clone(stack, flags, ...) */
#else
#define CLONE_FLAGS_ARG	0	/* clone(flags, stack, ...) */
#endif

#define CLONE_NEW_ANY	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

static const int base_allow[] = {
	/* Descriptors the process already holds. */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(fstat64),
	/* dprintf() asks where the descriptor stands. */
	SCMP_SYS(lseek), SCMP_SYS(_llseek),
	SCMP_SYS(recvmsg), SCMP_SYS(recvfrom), SCMP_SYS(recv),
	SCMP_SYS(sendmsg), SCMP_SYS(send),

	/* Event loops: libevent's epoll backend and its notifiers. */
	SCMP_SYS(epoll_create), SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(ppoll_time64),
	SCMP_SYS(pipe2), SCMP_SYS(eventfd2),
	SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_settime64), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(timerfd_gettime64),

	/* Memory; mmap and mprotect have their own rules below. */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),

	/* Time, when the vDSO falls back to the kernel. */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_gettime64),
	SCMP_SYS(clock_getres), SCMP_SYS(clock_getres_time64),
	SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(clock_nanosleep_time64),

	/* Who we are, read only. */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(getuid32), SCMP_SYS(geteuid32),
	SCMP_SYS(getgid32), SCMP_SYS(getegid32),
	SCMP_SYS(getrlimit), SCMP_SYS(ugetrlimit),

	/* Threads (clone has its own rule below), and randomness for TLS. */
	SCMP_SYS(futex), SCMP_SYS(futex_time64), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(getrandom),

	/* Signals and the way out. */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* Files by name, and new sockets: the sandbox says no. */
static const int base_eacces[] = {
#ifndef SANDBOX_ASAN
	SCMP_SYS(open), SCMP_SYS(openat),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat),
#endif
	SCMP_SYS(openat2), SCMP_SYS(creat),
	SCMP_SYS(stat), SCMP_SYS(stat64), SCMP_SYS(lstat), SCMP_SYS(lstat64),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(socket),
};

static const int base_fcntl[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD };

#ifdef SANDBOX_ASAN
/*
 * An AddressSanitizer report reads /proc/self/maps and the program itself
 * (readlink of /proc/self/exe, then open) to name the frames of the stack,
 * and tries to start a symbolizer process.  Without these a report would
 * end in SIGSYS with nothing printed.  Reading files is allowed and a new
 * process fails with EPERM; in ASan builds only.  LeakSanitizer would need
 * ptrace and a tracer process at exit: it is turned off below for a
 * process that loaded a policy.
 */
static const int asan_allow[] = {
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(prctl),
	SCMP_SYS(getrusage), SCMP_SYS(uname), SCMP_SYS(pipe),
};
static const int asan_eperm[] = {
	SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(ptrace), SCMP_SYS(wait4),
};

static int seccomp_loaded;

int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return seccomp_loaded;
}

static int
filter_policy_asan(scmp_filter_ctx ctx)
{
	static const int opens[] = { SCMP_SYS(open), SCMP_SYS(openat) };
	static const int writes[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC };
	const int clone_nr = SCMP_SYS(clone);

	if (filter_allow(ctx, asan_allow, nitems(asan_allow)) < 0 ||
	    filter_deny(ctx, EPERM, asan_eperm, nitems(asan_eperm)) < 0)
		return -1;
	for (size_t i = 0; i < nitems(opens); i++) {
		unsigned int flags = opens[i] == SCMP_SYS(open) ? 1 : 2;
		struct scmp_arg_cmp a = SCMP_CMP(flags, SCMP_CMP_MASKED_EQ,
		    O_ACCMODE | O_CREAT | O_TRUNC, 0);

		if (filter_rule(ctx, SCMP_ACT_ALLOW, opens[i], 1, &a) < 0)
			return -1;
		for (size_t j = 0; j < nitems(writes); j++) {
			a = SCMP_CMP(flags, SCMP_CMP_MASKED_EQ, writes[j],
			    writes[j]);
			if (filter_rule(ctx, SCMP_ACT_ERRNO(EACCES), opens[i],
			    1, &a) < 0)
				return -1;
		}
	}
	{
		struct scmp_arg_cmp a = SCMP_CMP(CLONE_FLAGS_ARG,
		    SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);

		if (filter_rule(ctx, SCMP_ACT_ERRNO(EPERM), clone_nr, 1,
		    &a) < 0)
			return -1;
	}
	return 0;
}
#endif

int
filter_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int narg,
    const struct scmp_arg_cmp *arg)
{
	char *name;
	int r;

	if ((r = seccomp_rule_add_array(ctx, action, nr, narg, arg)) == 0)
		return 0;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	log_warnx("seccomp rule for %s: %s", name != NULL ? name : "?",
	    strerror(-r));
	free(name);
	return -1;
}

int
filter_allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (filter_rule(ctx, SCMP_ACT_ALLOW, nrs[i], 0, NULL) < 0)
			return -1;
	return 0;
}

int
filter_deny(scmp_filter_ctx ctx, int err, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (filter_rule(ctx, SCMP_ACT_ERRNO(err), nrs[i], 0, NULL) < 0)
			return -1;
	return 0;
}

/*
 * Allow nr when argument argi is one of values.  The kernel reads fcntl
 * and ioctl commands as 32-bit, so only the low half is compared: a value
 * sign-extended by a caller still matches, and one with garbage above is
 * the same command to the kernel.
 */
int
filter_allow_values(scmp_filter_ctx ctx, int nr, unsigned int argi,
    const unsigned long *values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp a = SCMP_CMP(argi, SCMP_CMP_MASKED_EQ,
		    0xffffffffUL, values[i]);

		if (filter_rule(ctx, SCMP_ACT_ALLOW, nr, 1, &a) < 0)
			return -1;
	}
	return 0;
}

int
filter_allow_fcntl(scmp_filter_ctx ctx, const int *cmds, size_t n)
{
	static const int fcntls[] = { SCMP_SYS(fcntl), SCMP_SYS(fcntl64) };

	for (size_t i = 0; i < nitems(fcntls); i++) {
		for (size_t j = 0; j < n; j++) {
			unsigned long cmd = (unsigned long)cmds[j];

			if (filter_allow_values(ctx, fcntls[i], 1, &cmd,
			    1) < 0)
				return -1;
		}
	}
	return 0;
}

static int
filter_policy_memory(scmp_filter_ctx ctx)
{
	static const int maps[] = {
		SCMP_SYS(mmap), SCMP_SYS(mmap2), SCMP_SYS(mprotect),
	};
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);

	/* Executable memory is for an exploit only: mapping it kills. */
	for (size_t i = 0; i < nitems(maps); i++)
		if (filter_rule(ctx, SCMP_ACT_ALLOW, maps[i], 1, &noexec) < 0)
			return -1;
	return 0;
}

/*
 * fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) in today's C library;
 * the same call without AT_EMPTY_PATH is stat() of a path, which fails.
 * With AT_EMPTY_PATH and a path that is not empty it is still a stat() by
 * name: the chroot of the broker leaves nothing to find that way.
 */
static int
filter_policy_fstat(scmp_filter_ctx ctx)
{
	static const struct { int nr; unsigned int flags; } at[] = {
		{ SCMP_SYS(newfstatat), 3 },
		{ SCMP_SYS(fstatat64), 3 },
		{ SCMP_SYS(statx), 2 },
	};

	for (size_t i = 0; i < nitems(at); i++) {
		struct scmp_arg_cmp fd = SCMP_CMP(at[i].flags,
		    SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH);
		struct scmp_arg_cmp path = SCMP_CMP(at[i].flags,
		    SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0);

		if (filter_rule(ctx, SCMP_ACT_ALLOW, at[i].nr, 1, &fd) < 0 ||
		    filter_rule(ctx, SCMP_ACT_ERRNO(EACCES), at[i].nr, 1,
		    &path) < 0)
			return -1;
	}
	return 0;
}

static int
filter_policy_process(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp thread = SCMP_CMP(CLONE_FLAGS_ARG,
	    SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_NEW_ANY, CLONE_THREAD);
	/* pid_t arguments are 32-bit to the kernel. */
	struct scmp_arg_cmp self = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
	    (scmp_datum_t)getpid());
	struct scmp_arg_cmp getlimit[] = {
		SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL, 0),
		SCMP_A2(SCMP_CMP_EQ, 0, 0),
	};
	struct scmp_arg_cmp noaddr = SCMP_A4(SCMP_CMP_EQ, 0, 0);

	/* Threads, never processes; clone3 hides its flags from seccomp,
	 * so it says ENOSYS and the C library falls back to clone. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    &thread) < 0 ||
	    filter_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0,
	    NULL) < 0)
		return -1;
	/* Signals to ourselves only: raise() and abort(). */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, &self) < 0)
		return -1;
	/* getrlimit() is prlimit64(0, resource, NULL, old). */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64),
	    nitems(getlimit), getlimit) < 0)
		return -1;
	/* send() is sendto() without an address; with one, a datagram
	 * socket could reach any other socket by name. */
	if (filter_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1,
	    &noaddr) < 0)
		return -1;
	return 0;
}

int
filter_policy_base(scmp_filter_ctx ctx)
{
	/* stdio asks whether stderr is a terminal; it is not. */
	static const unsigned long tty[] = { TCGETS, TIOCGWINSZ };

	if (filter_allow(ctx, base_allow, nitems(base_allow)) < 0 ||
	    filter_deny(ctx, EACCES, base_eacces, nitems(base_eacces)) < 0 ||
	    filter_allow_fcntl(ctx, base_fcntl, nitems(base_fcntl)) < 0 ||
	    filter_policy_memory(ctx) < 0 ||
	    filter_policy_fstat(ctx) < 0 ||
	    filter_policy_process(ctx) < 0)
		return -1;
	for (size_t i = 0; i < nitems(tty); i++) {
		struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ,
		    0xffffffffUL, tty[i]);

		if (filter_rule(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl),
		    1, &a) < 0)
			return -1;
	}
#ifdef SANDBOX_ASAN
	if (filter_policy_asan(ctx) < 0)
		return -1;
#endif
	return 0;
}

/* What a helper's source or sink declared, on top of its role's policy. */
static int
filter_policy_needs(scmp_filter_ctx ctx, const struct sandbox_needs *needs)
{
	if (needs->nsyscalls > 0 && filter_allow(ctx, needs->syscalls,
	    needs->nsyscalls) < 0)
		return -1;
	if (needs->nfcntls > 0 && filter_allow_fcntl(ctx, needs->fcntls,
	    needs->nfcntls) < 0)
		return -1;
	if (needs->nioctls > 0 && filter_allow_values(ctx, SCMP_SYS(ioctl), 1,
	    needs->ioctls, needs->nioctls) < 0)
		return -1;
	return 0;
}

/* The rules of role, on top of the base but for rampart-auth's. */
static int
filter_policy_role(scmp_filter_ctx ctx, enum sandbox_role role,
    const struct sandbox_needs *needs)
{
	int r;

	if (needs != NULL && (role == SANDBOX_BROKER ||
	    role == SANDBOX_AUTH)) {
		log_warnx("the policy of role %d takes no needs", (int)role);
		return -1;
	}
#ifndef SANDBOX_ASAN
	/* A short list of its own, not the base with more. */
	if (role == SANDBOX_AUTH)
		return filter_policy_auth(ctx);
#endif
	if (filter_policy_base(ctx) < 0)
		return -1;
	switch (role) {
	case SANDBOX_BROKER:
		r = filter_policy_broker(ctx);
		break;
	case SANDBOX_CAPTURE:
		r = filter_policy_capture(ctx);
		break;
	case SANDBOX_INPUT:
		r = filter_policy_input(ctx);
		break;
	case SANDBOX_AUTH:
		/* ASan builds: the base, wide enough for a sanitizer's
		 * report, which rampart-auth's short list is not. */
		r = 0;
		break;
	default:
		log_warnx("no seccomp policy for role %d", (int)role);
		r = -1;
	}
	if (r < 0)
		return -1;
	if (needs != NULL && filter_policy_needs(ctx, needs) < 0)
		return -1;
	return 0;
}

int
sandbox_seccomp_load(enum sandbox_role role,
    const struct sandbox_needs *needs)
{
	scmp_filter_ctx ctx;
	uint32_t kill = SCMP_ACT_KILL_PROCESS;
	int r, rc = -1;

	/* Kernels before 4.14 kill the thread only: that is all they do. */
	if ((ctx = seccomp_init(kill)) == NULL) {
		kill = SCMP_ACT_KILL;
		if ((ctx = seccomp_init(kill)) == NULL) {
			log_warnx("seccomp_init failed");
			return -1;
		}
	}
	/* Every thread gets the policy, not only the caller. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, kill)) < 0 ||
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0) {
		log_warnx("seccomp_attr_set: %s", strerror(-r));
		goto out;
	}
	if (filter_policy_role(ctx, role, needs) < 0)
		goto out;
	if ((r = seccomp_load(ctx)) < 0) {
		log_warnx("seccomp_load: %s", strerror(-r));
		goto out;
	}
#ifdef SANDBOX_ASAN
	seccomp_loaded = 1;
#endif
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}
