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
};

struct sandbox {
	enum sandbox_role role;
	int		change_user;	/* 0: keep uid/gid (helpers, or not root) */
	uid_t		uid;
	gid_t		gid;
	char		user[64];
	const int	*keep_caps;	/* CAP_* values kept, effective+permitted */
	size_t		nkeep_caps;
};

/*
 * Look up user (NULL: no change of user).  For a name that does not exist,
 * fallback is tried (e.g. "rampart", then "nobody").  When the process is
 * not root, the user is left as it is and a debug line says so.
 * Returns 0, or -1 with a logged reason.
 */
int	sandbox_prepare(struct sandbox *sb, enum sandbox_role role,
	    const char *user, const char *fallback);
/* Returns 0, or -1 with a logged reason: the caller must then exit. */
int	sandbox_enter(const struct sandbox *sb);

/*
 * The broker's RLIMIT_NOFILE, set by sandbox_enter(): a thousand clients
 * and the descriptors of the process itself.
 */
#define SANDBOX_BROKER_NOFILE	1088

/* The seccomp policy of a role alone, for tests. */
int	sandbox_seccomp_load(enum sandbox_role role);

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
