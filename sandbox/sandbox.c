/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "sandbox/internal.h"

/* The roles that drop to a user of their own, into an empty root. */
static int
unprivileged(enum sandbox_role role)
{
	return role == SANDBOX_BROKER || role == SANDBOX_AUTH;
}

static const char *
role_name(enum sandbox_role role)
{
	return role == SANDBOX_AUTH ? "rampart-auth" : "the broker";
}

int
sandbox_prepare(struct sandbox *sb, enum sandbox_role role, const char *user,
    const char *fallback)
{
	memset(sb, 0, sizeof(*sb));
	sb->role = role;
	if (unprivileged(role) && user == NULL && geteuid() == 0) {
		log_warnx("%s does not run as root: name its user",
		    role_name(role));
		return -1;
	}
	/* The time zone file cannot be read once inside: syslog() needs
	 * it for its time stamps. */
	tzset();
	return sandbox_user_lookup(sb, user, fallback);
}

int
sandbox_prepare_helper(struct sandbox *sb, enum sandbox_role role,
    const struct sandbox_needs *needs)
{
	if (unprivileged(role)) {
		log_warnx("%s has no needs beyond its policy",
		    role_name(role));
		return -1;
	}
	if (sandbox_prepare(sb, role, NULL, NULL) < 0)
		return -1;
	sb->needs = needs;
	if (needs != NULL) {
		sb->keep_caps = needs->caps;
		sb->nkeep_caps = needs->ncaps;
		sb->caps_lowered = needs->caps_lowered;
	}
	return 0;
}

/* As root the limit is set, raised or lowered; otherwise only lowered. */
static int
sandbox_limit_files(rlim_t max)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return -1;
	}
	if (geteuid() == 0 || rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > max)
		rl.rlim_max = max;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("setrlimit RLIMIT_NOFILE %llu",
		    (unsigned long long)rl.rlim_max);
		return -1;
	}
	return 0;
}

/*
 * The order matters: the chroot and the bounding set need capabilities
 * that the change of user takes away, the check that root cannot be
 * regained calls setuid(), which the seccomp policy would kill, and the
 * policy, last, is what forbids all of the steps before it.  RLIMIT_NPROC
 * is not set: threads count against it, and the policy allows no fork.
 */
int
sandbox_enter(const struct sandbox *sb)
{
	int root = geteuid() == 0;

	if (unprivileged(sb->role) && root && !sb->change_user) {
		log_warnx("%s does not run as root", role_name(sb->role));
		return -1;
	}
	if (sb->role == SANDBOX_BROKER &&
	    sandbox_limit_files(SANDBOX_BROKER_NOFILE) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	if (unprivileged(sb->role) && root && sandbox_chroot_empty() < 0)
		return -1;
	if (sandbox_caps_bound(sb) < 0)
		return -1;
	if (sb->change_user && sandbox_user_drop(sb) < 0)
		return -1;
	if (sandbox_caps_set(sb) < 0)
		return -1;
	/* No core dump and no ptrace from other processes of the user. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_warn("PR_SET_DUMPABLE");
		return -1;
	}
	if (sandbox_seccomp_load(sb->role, sb->needs) < 0)
		return -1;
	log_debug("sandbox entered");
	return 0;
}
