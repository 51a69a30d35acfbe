/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mechanisms behind sandbox_prepare() and sandbox_enter(), one file
 * each: privdrop.c (user, groups, chroot), caps.c (capability sets),
 * seccomp.c (the part of the policy every role shares) with
 * seccomp-broker.c and seccomp-helper.c (what each role adds), and
 * seccomp-auth.c (rampart-auth's, which shares nothing).
 */
#ifndef RAMPART_SANDBOX_INTERNAL_H
#define RAMPART_SANDBOX_INTERNAL_H

#include <seccomp.h>

#include "sandbox/sandbox.h"

/* privdrop.c */
int	sandbox_user_lookup(struct sandbox *sb, const char *user,
	    const char *fallback);
int	sandbox_chroot_empty(void);
int	sandbox_user_drop(const struct sandbox *sb);

/* caps.c: bound before the change of user, set after it. */
int	sandbox_caps_bound(const struct sandbox *sb);
int	sandbox_caps_set(const struct sandbox *sb);

/* seccomp.c: our helpers, named filter_* to stay out of libseccomp's
 * seccomp_* namespace. */
int	filter_allow(scmp_filter_ctx ctx, const int *nrs, size_t n);
int	filter_deny(scmp_filter_ctx ctx, int err, const int *nrs, size_t n);
int	filter_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
	    unsigned int narg, const struct scmp_arg_cmp *arg);
int	filter_allow_values(scmp_filter_ctx ctx, int nr, unsigned int argi,
	    const unsigned long *values, size_t n);
int	filter_allow_fcntl(scmp_filter_ctx ctx, const int *cmds, size_t n);
int	filter_policy_base(scmp_filter_ctx ctx);

/* seccomp-broker.c, seccomp-helper.c, seccomp-auth.c (a whole policy,
 * not the base with more) */
int	filter_policy_broker(scmp_filter_ctx ctx);
int	filter_policy_capture(scmp_filter_ctx ctx);
int	filter_policy_input(scmp_filter_ctx ctx);
int	filter_policy_auth(scmp_filter_ctx ctx);

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif
