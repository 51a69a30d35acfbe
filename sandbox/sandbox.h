/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sandbox of a rampart process, in two steps (openssh's shape):
 * sandbox_prepare() while the process can still read /etc (looks up the
 * user), then sandbox_enter() once it holds every descriptor it will ever
 * need: drop to the user, keep only the listed capabilities, set
 * no_new_privs, install the seccomp policy of the role (kill by default).
 */
#ifndef RAMPART_SANDBOX_H
#define RAMPART_SANDBOX_H

#include <sys/types.h>

#include <stddef.h>

enum sandbox_role {
	SANDBOX_BROKER,
	SANDBOX_CAPTURE,
	SANDBOX_INPUT,
	SANDBOX_AUTH,		/* rampart-auth: unprivileged, like the broker */
};

/*
 * What a capture source or input sink must still do inside the sandbox of
 * its helper: each declares its own (capture/source.h, input/sink.h), so
 * that a helper's policy is the base one plus its source's or sink's
 * needs, never the union of every source's.  Capabilities are CAP_*
 * values, system calls __NR_* (SYS_*) numbers, ioctl and fcntl commands
 * their request values.
 */
struct sandbox_needs {
	const unsigned long *ioctls;	/* allowed on any descriptor */
	size_t		nioctls;
	const int	*fcntls;
	size_t		nfcntls;
	const int	*syscalls;
	size_t		nsyscalls;
	const int	*caps;		/* kept, effective and permitted */
	size_t		ncaps;
	/*
	 * 1: the caps are kept permitted only, and the source raises them
	 * into its effective set around the calls that need them (capset
	 * must then be among its syscalls).
	 */
	int		caps_lowered;
};

struct sandbox {
	enum sandbox_role role;
	int		change_user;	/* 0: keep uid/gid (helpers, or not root) */
	uid_t		uid;
	gid_t		gid;
	char		user[64];
	const int	*keep_caps;	/* CAP_* values kept, effective+permitted */
	size_t		nkeep_caps;
	int		caps_lowered;	/* keep_caps permitted, not effective */
	const struct sandbox_needs *needs;	/* a helper's source or sink */
};

/*
 * Look up user (NULL: no change of user).  For a name that does not exist,
 * fallback is tried (e.g. "rampart", then "nobody").  When the process is
 * not root, the user is left as it is and a debug line says so.
 * Returns 0, or -1 with a logged reason.
 */
int	sandbox_prepare(struct sandbox *sb, enum sandbox_role role,
	    const char *user, const char *fallback);
/*
 * The same for a privileged helper (SANDBOX_CAPTURE, SANDBOX_INPUT), which
 * keeps its user: needs (NULL for none) are what its source or sink
 * declared, kept by sandbox_enter() in the capabilities and the policy.
 */
int	sandbox_prepare_helper(struct sandbox *sb, enum sandbox_role role,
	    const struct sandbox_needs *needs);
/* Returns 0, or -1 with a logged reason: the caller must then exit. */
int	sandbox_enter(const struct sandbox *sb);

/*
 * The broker's RLIMIT_NOFILE, set by sandbox_enter(): its 64 viewers
 * (BROKER_MAX_CLIENTS), 64 connections logging in (BROKER_MAX_UNAUTH),
 * 32 being refused with a reason and one more, 16 listeners, its
 * channels and rings, and the descriptors of the process itself.
 */
#define SANDBOX_BROKER_NOFILE	256

/* The seccomp policy of a role alone (with a helper's needs), for tests. */
int	sandbox_seccomp_load(enum sandbox_role role,
	    const struct sandbox_needs *needs);

/*
 * Set in AddressSanitizer builds (gcc and clang spell it differently).  The
 * policies are then wider so that a sanitizer report can still be printed:
 * see sandbox/seccomp.c.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

#endif
