/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp policy of each role, applied for real in a forked child that
 * then makes one system call: the parent expects an errno (the child's exit
 * status) or death by SIGSYS.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"
#include "sandbox/sandbox.h"
#include "tests/tap.h"

#define EXIT_SETUP	200	/* the child failed before the policy */
#define EXIT_LOAD	201	/* sandbox_seccomp_load() failed */
#define EXIT_WRONG	202	/* the call worked but did the wrong thing */

/* What each child holds before the policy, as a real process would. */
struct fixture {
	int		 pipe[2];
	int		 sp[2];		/* unix stream socketpair */
	int		 chan;		/* IPC_FD: a channel, a byte waiting */
	int		 memfd;
	struct event_base *base;
};

struct outcome {
	int		 signal;	/* 0: exited with status */
	int		 status;
};

#define OK		{ 0, 0 }
#define ERR(e)		{ 0, e }
#define SYS		{ SIGSYS, 0 }

/* Where ASan builds widen the policy (see sandbox/seccomp.c). */
#ifdef SANDBOX_ASAN
#define ASAN_OR(asan, plain)	asan
#else
#define ASAN_OR(asan, plain)	plain
#endif

static int
result(long r)
{
	return r < 0 ? errno : 0;
}

static int
p_getpid(struct fixture *f)
{
	return syscall(SYS_getpid) == getpid() ? 0 : EXIT_WRONG;
}

static int
p_clock_gettime(struct fixture *f)
{
	struct timespec ts;

	/* Not the vDSO: the system call itself. */
	return result(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts));
}

static int
p_pipe_io(struct fixture *f)
{
	char c = 0;

	if (write(f->pipe[1], "x", 1) != 1 || read(f->pipe[0], &c, 1) != 1)
		return errno;
	return c == 'x' ? 0 : EXIT_WRONG;
}

static int
p_openat_read(struct fixture *f)
{
	int fd = openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? errno : 0;
}

static int
p_open_read(struct fixture *f)
{
#ifdef SYS_open
	long fd = syscall(SYS_open, "/etc/passwd", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? errno : 0;
#else
	return p_openat_read(f);
#endif
}

static int
p_openat_write(struct fixture *f)
{
	int fd = openat(AT_FDCWD, "/dev/null", O_WRONLY | O_CLOEXEC);

	return fd < 0 ? errno : 0;
}

static int
p_stat(struct fixture *f)
{
	struct stat st;

	return result(stat("/etc/passwd", &st));
}

static int
p_fstat(struct fixture *f)
{
	struct stat st;

	if (fstat(f->pipe[0], &st) < 0)
		return errno;
	return S_ISFIFO(st.st_mode) ? 0 : EXIT_WRONG;
}

static int
p_access(struct fixture *f)
{
	return result(access("/etc/passwd", R_OK));
}

static int
p_readlink(struct fixture *f)
{
	char buf[256];

	return result(readlink("/proc/self/exe", buf, sizeof(buf)));
}

static int
p_socket_inet(struct fixture *f)
{
	return result(socket(AF_INET, SOCK_STREAM, 0));
}

static int
p_socket_unix(struct fixture *f)
{
	return result(socket(AF_UNIX, SOCK_DGRAM, 0));
}

static int
p_execve(struct fixture *f)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return errno;
}

static int
p_mmap_rw(struct fixture *f)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? errno : 0;
}

static int
p_mmap_exec(struct fixture *f)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? errno : 0;
}

static int
p_mprotect_exec(struct fixture *f)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return EXIT_SETUP;
	return result(mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

static int
p_ptrace(struct fixture *f)
{
	return result(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static int
p_fork(struct fixture *f)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid < 0 ? errno : 0;
}

static void *
thread_main(void *arg)
{
	return arg;
}

static int
p_thread(struct fixture *f)
{
	pthread_t t;
	void *ret = NULL;
	int r;

	if ((r = pthread_create(&t, NULL, thread_main, f)) != 0)
		return r;
	if ((r = pthread_join(t, &ret)) != 0)
		return r;
	return ret == f ? 0 : EXIT_WRONG;
}

static int
p_clone3(struct fixture *f)
{
#ifdef SYS_clone3
	return result(syscall(SYS_clone3, NULL, 0));
#else
	return ENOSYS;
#endif
}

static int
p_kill_other(struct fixture *f)
{
	return result(kill(getppid(), 0));
}

static int
p_raise_self(struct fixture *f)
{
	/* SIGURG is ignored by default: raise() is tgkill() to ourselves. */
	return raise(SIGURG) == 0 ? 0 : errno;
}

static int
p_setuid(struct fixture *f)
{
	return result(syscall(SYS_setuid, getuid()));
}

static int
p_x32(struct fixture *f)
{
	/* getpid with the x32 bit: the x32 ABI on an x86_64 kernel. */
	return result(syscall(SYS_getpid | 0x40000000));
}

#if defined(__x86_64__)
static long
int80_getpid(void)
{
	long r;

	/* The i386 ABI of a 64-bit process: getpid is 20 there. */
	__asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r;
}

static int
p_i386(struct fixture *f)
{
	return int80_getpid() == getpid() ? 0 : EXIT_WRONG;
}
#endif

static int
p_accept(struct fixture *f)
{
	return result(accept4(-1, NULL, NULL, SOCK_CLOEXEC));
}

static int
p_fionread(struct fixture *f)
{
	int n = -1;

	if (write(f->pipe[1], "ab", 2) != 2)
		return EXIT_SETUP;
	if (ioctl(f->pipe[0], FIONREAD, &n) < 0)
		return errno;
	return n == 2 ? 0 : EXIT_WRONG;
}

static int
p_isatty(struct fixture *f)
{
	return isatty(f->pipe[0]) ? EXIT_WRONG : errno;
}

static int
p_ioctl_other(struct fixture *f)
{
	return result(ioctl(f->pipe[0], FIOCLEX));
}

static int
p_send(struct fixture *f)
{
	char c;

	if (send(f->sp[0], "y", 1, 0) != 1 || recv(f->sp[1], &c, 1, 0) != 1)
		return errno;
	return c == 'y' ? 0 : EXIT_WRONG;
}

static int
p_sendto_addr(struct fixture *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "/dev/log");
	return result(sendto(f->sp[0], "z", 1, 0, (struct sockaddr *)&sun,
	    sizeof(sun)));
}

static int
send_fd(int sock, int fd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int
p_recv_fd(struct fixture *f)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	struct stat st;
	int fd;

	/* The supervisor's side, before the policy would be the same. */
	if (send_fd(f->sp[0], f->pipe[0]) < 0)
		return EXIT_SETUP;
	if (recvmsg(f->sp[1], &mh, MSG_CMSG_CLOEXEC) != 1)
		return errno;
	if ((c = CMSG_FIRSTHDR(&mh)) == NULL || c->cmsg_type != SCM_RIGHTS)
		return EXIT_WRONG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return EXIT_WRONG;
	return 0;
}

static int
p_memfd(struct fixture *f)
{
	return result(memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING));
}

static int
p_get_seals(struct fixture *f)
{
	return result(fcntl(f->memfd, F_GET_SEALS));
}

static int
p_add_seals(struct fixture *f)
{
	return result(fcntl(f->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
}

static int
p_dupfd(struct fixture *f)
{
	return result(fcntl(f->pipe[0], F_DUPFD_CLOEXEC, 0));
}

static int
p_nonblock(struct fixture *f)
{
	int fl = fcntl(f->pipe[0], F_GETFL);

	if (fl < 0 || fcntl(f->pipe[0], F_SETFL, fl | O_NONBLOCK) < 0)
		return errno;
	return 0;
}

static int
p_chroot(struct fixture *f)
{
	return result(chroot("/"));
}

static int
p_unshare(struct fixture *f)
{
	return result(unshare(CLONE_NEWUSER));
}

static int
p_getrandom(struct fixture *f)
{
	char buf[16];

	return result(syscall(SYS_getrandom, buf, sizeof(buf), 0));
}

static int
p_getrlimit(struct fixture *f)
{
	struct rlimit rl;

	return result(getrlimit(RLIMIT_NOFILE, &rl));
}

static int
p_setrlimit(struct fixture *f)
{
	struct rlimit rl = { 64, 64 };

	return result(setrlimit(RLIMIT_NOFILE, &rl));
}

static int
p_log(struct fixture *f)
{
	/* stdio asks whether stderr is a terminal: allowed to say no. */
	log_warnx("a line logged under the policy");
	return 0;
}

static int
p_exit(struct fixture *f)
{
	/* atexit handlers and stdio, LeakSanitizer's check in ASan builds. */
	printf("%s", "");
	exit(0);
}

struct echo {
	struct event_base *base;
	int		 got;
};

static void
echo_read(struct bufferevent *bev, void *arg)
{
	struct echo *e = arg;
	char buf[16];
	size_t n;

	n = bufferevent_read(bev, buf, sizeof(buf));
	if (n == 5 && memcmp(buf, "hello", 5) == 0)
		e->got = 1;
	event_base_loopexit(e->base, NULL);
}

static int
p_libevent(struct fixture *f)
{
	struct timeval tv = { 2, 0 };
	struct bufferevent *a, *b;
	struct echo e = { .base = f->base };

	/* A socket read through libevent, as the broker's clients are. */
	a = bufferevent_socket_new(f->base, f->sp[0], 0);
	b = bufferevent_socket_new(f->base, f->sp[1], 0);
	if (a == NULL || b == NULL)
		return EXIT_WRONG;
	bufferevent_setcb(b, echo_read, NULL, NULL, &e);
	if (bufferevent_enable(b, EV_READ) < 0 ||
	    bufferevent_write(a, "hello", 5) < 0 ||
	    event_base_loopexit(f->base, &tv) < 0 ||
	    event_base_dispatch(f->base) < 0)
		return EXIT_WRONG;
	return e.got ? 0 : EXIT_WRONG;
}

static int
p_channel(struct fixture *f)
{
	char c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (recvmsg(f->chan, &mh, 0) != 1 || c != 'q')
		return errno != 0 ? errno : EXIT_WRONG;
	c = 'a';
	if (sendmsg(f->chan, &mh, 0) != 1)
		return errno;
	return 0;
}

static int
p_stderr(struct fixture *f)
{
	return result(write(STDERR_FILENO, "", 0));
}

static int
p_epoll(struct fixture *f)
{
	/* One turn of the loop, as rampart-auth waits for questions. */
	return event_base_loop(f->base, EVLOOP_NONBLOCK) < 0 ? EXIT_WRONG : 0;
}

static const struct probe {
	const char	*name;
	int		(*fn)(struct fixture *);
	struct outcome	 want[4];	/* broker, capture, input, auth */
} probes[] = {
	{ "getpid", p_getpid, { OK, OK, OK, OK } },
	{ "clock_gettime", p_clock_gettime, { OK, OK, OK, OK } },
	{ "pipe write and read", p_pipe_io, { OK, OK, OK, SYS } },
	{ "fstat of a pipe", p_fstat, { OK, OK, OK, OK } },
	{ "fcntl O_NONBLOCK", p_nonblock, { OK, OK, OK, SYS } },
	{ "mmap read-write", p_mmap_rw, { OK, OK, OK, OK } },
	{ "getrandom", p_getrandom, { OK, OK, OK, OK } },
	{ "getrlimit", p_getrlimit, { OK, OK, OK, SYS } },
	{ "thread", p_thread, { OK, OK, OK, SYS } },
	{ "raise to itself", p_raise_self, { OK, OK, OK, OK } },
	{ "send on a socketpair", p_send, { OK, OK, OK, SYS } },
	{ "recvmsg with SCM_RIGHTS", p_recv_fd, { OK, OK, OK, SYS } },
	{ "log line to stderr", p_log, { OK, OK, OK, OK } },
	{ "exit()", p_exit, { OK, OK, OK, OK } },
	{ "isatty", p_isatty,
	    { ERR(ENOTTY), ERR(ENOTTY), ERR(ENOTTY), ERR(ENOTTY) } },
	/* rampart-auth makes no thread: clone3 need not fail softly. */
	{ "clone3", p_clone3,
	    { ERR(ENOSYS), ERR(ENOSYS), ERR(ENOSYS), SYS } },

	{ "openat O_RDONLY", p_openat_read, {
	    ASAN_OR(OK, ERR(EACCES)), ASAN_OR(OK, ERR(EACCES)),
	    ASAN_OR(OK, ERR(EACCES)), ERR(EACCES) } },
	{ "open O_RDONLY", p_open_read, {
	    ASAN_OR(OK, ERR(EACCES)), ASAN_OR(OK, ERR(EACCES)),
	    ASAN_OR(OK, ERR(EACCES)), ERR(EACCES) } },
	{ "readlink", p_readlink, {
	    ASAN_OR(OK, ERR(EACCES)), ASAN_OR(OK, ERR(EACCES)),
	    ASAN_OR(OK, ERR(EACCES)), ERR(EACCES) } },
	{ "openat O_WRONLY", p_openat_write,
	    { ERR(EACCES), ERR(EACCES), ERR(EACCES), ERR(EACCES) } },
	{ "stat", p_stat,
	    { ERR(EACCES), ERR(EACCES), ERR(EACCES), ERR(EACCES) } },
	{ "access", p_access,
	    { ERR(EACCES), ERR(EACCES), ERR(EACCES), ERR(EACCES) } },
	{ "socket AF_INET", p_socket_inet,
	    { ERR(EACCES), ERR(EACCES), ERR(EACCES), ERR(EACCES) } },
	{ "socket AF_UNIX", p_socket_unix,
	    { ERR(EACCES), ERR(EACCES), ERR(EACCES), ERR(EACCES) } },

	{ "execve", p_execve, { SYS, SYS, SYS, SYS } },
	{ "mmap PROT_EXEC", p_mmap_exec, { SYS, SYS, SYS, SYS } },
	{ "mprotect PROT_EXEC", p_mprotect_exec, { SYS, SYS, SYS, SYS } },
	{ "ptrace", p_ptrace, {
	    ASAN_OR(ERR(EPERM), SYS), ASAN_OR(ERR(EPERM), SYS),
	    ASAN_OR(ERR(EPERM), SYS), SYS } },
	{ "fork", p_fork, {
	    ASAN_OR(ERR(EPERM), SYS), ASAN_OR(ERR(EPERM), SYS),
	    ASAN_OR(ERR(EPERM), SYS), SYS } },
	{ "kill another process", p_kill_other, { SYS, SYS, SYS, SYS } },
	{ "setuid", p_setuid, { SYS, SYS, SYS, SYS } },
	{ "chroot", p_chroot, { SYS, SYS, SYS, SYS } },
	{ "unshare", p_unshare, { SYS, SYS, SYS, SYS } },
	{ "setrlimit", p_setrlimit, { SYS, SYS, SYS, SYS } },
	{ "sendto with an address", p_sendto_addr, { SYS, SYS, SYS, SYS } },
	{ "ioctl FIOCLEX", p_ioctl_other, { SYS, SYS, SYS, SYS } },
#if defined(__x86_64__) && !defined(__ILP32__)
	{ "x32 system call", p_x32, { SYS, SYS, SYS, SYS } },
#endif

	/* rampart-auth's channel (fd 3) and its log (stderr). */
	{ "sendmsg and recvmsg on fd 3", p_channel, { OK, OK, OK, OK } },
	{ "write to stderr", p_stderr, { OK, OK, OK, OK } },
	{ "epoll_wait", p_epoll, { OK, OK, OK, OK } },

	/* What the roles differ in. */
	{ "accept4", p_accept, { ERR(EBADF), SYS, SYS, SYS } },
	{ "ioctl FIONREAD", p_fionread, { OK, SYS, SYS, SYS } },
	{ "libevent bufferevent echo", p_libevent, { OK, SYS, SYS, SYS } },
	{ "fcntl F_GET_SEALS", p_get_seals, { OK, OK, SYS, SYS } },
	{ "fcntl F_ADD_SEALS", p_add_seals, { SYS, OK, SYS, SYS } },
	{ "memfd_create", p_memfd, { SYS, OK, SYS, SYS } },
	/* A channel keeps a copy of a descriptor it queues (the ring). */
	{ "fcntl F_DUPFD_CLOEXEC", p_dupfd, { SYS, OK, SYS, SYS } },
};

static const char *const role_names[] = { "broker", "capture", "input",
    "auth" };

static int
fixture_open(struct fixture *f)
{
	int ch[2], peer;

	/* First, so that nothing of the fixture's own sits on fd 3; the
	 * peer's end away from it, where the pair itself may have been. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch) < 0 ||
	    (peer = fcntl(ch[0], F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (ch[1] != IPC_FD && dup2(ch[1], IPC_FD) < 0) ||
	    write(peer, "q", 1) != 1)
		return -1;
	f->chan = IPC_FD;
	f->memfd = memfd_create("fixture", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	f->base = event_base_new();
	if (pipe2(f->pipe, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sp) < 0 ||
	    f->memfd < 0 || f->base == NULL)
		return -1;
	return 0;
}

/* Run fn in a child under the policy of role; what became of it. */
static int
run_child(enum sandbox_role role, int (*fn)(struct fixture *), int load,
    const struct sandbox_needs *needs, struct outcome *out)
{
	struct rlimit nocore = { 0, 0 };
	struct fixture f;
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* SIGSYS dumps core by default: not here. */
		setrlimit(RLIMIT_CORE, &nocore);
		if (fixture_open(&f) < 0)
			_exit(EXIT_SETUP);
		if (load && sandbox_seccomp_load(role, needs) < 0)
			_exit(EXIT_LOAD);
		/* _exit: no atexit handlers (LeakSanitizer) in the child. */
		_exit(fn(&f));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		*out = (struct outcome){ WTERMSIG(st), 0 };
	else
		*out = (struct outcome){ 0, WEXITSTATUS(st) };
	return 0;
}

static const char *
describe(const struct outcome *o, char *buf, size_t len)
{
	if (o->signal != 0)
		snprintf(buf, len, "signal %s", strsignal(o->signal));
	else if (o->status == 0)
		snprintf(buf, len, "success");
	else if (o->status >= EXIT_SETUP)
		snprintf(buf, len, "exit %d", o->status);
	else
		snprintf(buf, len, "%s", strerror(o->status));
	return buf;
}

static void
check_needs(enum sandbox_role role, const struct sandbox_needs *needs,
    const char *name, int (*fn)(struct fixture *), const struct outcome *want)
{
	struct outcome got;
	char gb[64], wb[64];

	if (run_child(role, fn, 1, needs, &got) < 0) {
		ok(0, "%s: %s: fork or wait: %s", role_names[role], name,
		    strerror(errno));
		return;
	}
	if (!ok(got.signal == want->signal && got.status == want->status,
	    "%s: %s: %s", role_names[role], name,
	    describe(want, wb, sizeof(wb))))
		diag("got %s", describe(&got, gb, sizeof(gb)));
}

static void
check(enum sandbox_role role, const char *name, int (*fn)(struct fixture *),
    const struct outcome *want)
{
	check_needs(role, NULL, name, fn, want);
}

static int
p_ioctl_fionclex(struct fixture *f)
{
	return result(ioctl(f->pipe[0], FIONCLEX));
}

static int
p_pipe_size(struct fixture *f)
{
	return fcntl(f->pipe[0], F_GETPIPE_SZ) > 0 ? 0 : errno;
}

/*
 * A source or sink declares what its device needs: a helper's policy
 * then allows exactly that on top of its role's, and nothing of another
 * source's.  FIOCLEX stands for a device ioctl (VIDIOC_DQBUF), and
 * F_GETPIPE_SZ for an fcntl command.
 */
static void
check_declared_needs(void)
{
	static const unsigned long ioctls[] = { FIOCLEX };
	static const int fcntls[] = { F_GETPIPE_SZ };
	static const struct sandbox_needs needs = {
		.ioctls = ioctls, .nioctls = 1,
		.fcntls = fcntls, .nfcntls = 1,
	};
	const struct outcome ok_ = OK, sys = SYS, load = ERR(EXIT_LOAD);

	for (int role = SANDBOX_CAPTURE; role <= SANDBOX_INPUT; role++) {
		enum sandbox_role r = (enum sandbox_role)role;

		check_needs(r, &needs, "declared ioctl FIOCLEX", p_ioctl_other,
		    &ok_);
		check_needs(r, &needs, "undeclared ioctl FIONCLEX",
		    p_ioctl_fionclex, &sys);
		check_needs(r, &needs, "undeclared ioctl FIONREAD",
		    p_fionread, &sys);
		check_needs(r, &needs, "declared fcntl F_GETPIPE_SZ",
		    p_pipe_size, &ok_);
		check(r, "fcntl F_GETPIPE_SZ without needs", p_pipe_size,
		    &sys);
	}
	check_needs(SANDBOX_BROKER, &needs, "the broker takes no needs",
	    p_getpid, &load);
	check_needs(SANDBOX_AUTH, &needs, "rampart-auth takes no needs",
	    p_getpid, &load);
}

#if defined(__x86_64__) && !defined(__ILP32__)
static void
check_i386(void)
{
	const struct outcome sys = SYS;
	struct outcome plain;

	/* Only where the kernel runs i386 code at all. */
	if (run_child(SANDBOX_BROKER, p_i386, 0, NULL, &plain) < 0 ||
	    plain.signal != 0 || plain.status != 0) {
		skip("no i386 system calls on this kernel");
		return;
	}
	for (int role = 0; role < 4; role++)
		check((enum sandbox_role)role, "i386 system call", p_i386,
		    &sys);
}
#endif

#ifdef SANDBOX_ASAN
static int
p_heap_overflow(struct fixture *f)
{
	/* A size the compiler cannot see, so that ASan finds it, not UBSan. */
	volatile size_t n = 8;
	volatile char *p = malloc(n);

	p[n] = 1;
	free((void *)p);
	return EXIT_WRONG;
}

static int
p_signed_overflow(struct fixture *f)
{
	volatile int i = 0x7fffffff;

	i = i + 1;
	return EXIT_WRONG;
}

/*
 * A sanitizer that finds a bug under the policy must get its report out
 * and exit with 1 (-fno-sanitize-recover for UBSan), not die of SIGSYS.
 */
static void
check_report(const char *name, int (*fn)(struct fixture *),
    const char *needle)
{
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	int fds[2], saved;
	struct outcome got;

	if (pipe(fds) < 0 || (saved = dup(STDERR_FILENO)) < 0) {
		ok(0, "%s: pipe: %s", name, strerror(errno));
		return;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	if (run_child(SANDBOX_BROKER, fn, 1, NULL, &got) < 0)
		got = (struct outcome){ -1, -1 };
	dup2(saved, STDERR_FILENO);
	close(saved);
	while (len < sizeof(buf) - 1 &&
	    (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	ok(got.signal == 0 && got.status == 1,
	    "broker: %s: exits 1, not killed by the policy", name);
	if (!ok(strstr(buf, needle) != NULL,
	    "broker: %s: report printed under the policy", name))
		diag("stderr of the child: %.2000s", buf);
}
#endif

int
main(void)
{
	log_init("test-seccomp", LOG_LEVEL_DEBUG, 0);

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		skip_all("no seccomp in this kernel");
	/* EFAULT: filters are there and NULL is no filter; EINVAL: none. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) == 0 ||
	    errno != EFAULT)
		skip_all("no seccomp filters in this kernel");

	for (int role = 0; role < 4; role++) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			const struct outcome *want = &probes[i].want[role];

#ifdef SANDBOX_ASAN
			/* rampart-auth's short list is the base in ASan
			 * builds, as the input helper's is. */
			if (role == SANDBOX_AUTH)
				want = &probes[i].want[SANDBOX_INPUT];
#endif
			check((enum sandbox_role)role, probes[i].name,
			    probes[i].fn, want);
		}
	}
	check_declared_needs();
#if defined(__x86_64__) && !defined(__ILP32__)
	check_i386();
#endif
#ifdef SANDBOX_ASAN
	check_report("AddressSanitizer", p_heap_overflow,
	    "AddressSanitizer: heap-buffer-overflow");
	check_report("UndefinedBehaviorSanitizer", p_signed_overflow,
	    "runtime error: signed integer overflow");
#endif
	return done_testing();
}
