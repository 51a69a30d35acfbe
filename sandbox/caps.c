/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <errno.h>
#include <unistd.h>

#include "common/log.h"
#include "sandbox/internal.h"

/* More than any kernel knows; PR_CAPBSET_READ says where they end. */
#define CAPS_MAX	64

static int
cap_kept(const struct sandbox *sb, int cap)
{
	for (size_t i = 0; i < sb->nkeep_caps; i++)
		if (sb->keep_caps[i] == cap)
			return 1;
	return 0;
}

static int
have_setpcap(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t cur;

	if ((cur = cap_get_proc()) == NULL)
		return 0;
	if (cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &v) < 0)
		v = CAP_CLEAR;
	cap_free(cur);
	return v == CAP_SET;
}

/*
 * Before the change of user, while CAP_SETPCAP is still there: empty the
 * ambient set, drop from the bounding set every capability not kept, and
 * ask for the permitted set to survive setresuid() when some are kept.
 */
int
sandbox_caps_bound(const struct sandbox *sb)
{
	int cap, r;

	for (size_t i = 0; i < sb->nkeep_caps; i++) {
		if (!cap_valid(sb->keep_caps[i])) {
			log_warnx("capability %d is not one", sb->keep_caps[i]);
			return -1;
		}
	}
	/* EINVAL: a kernel older than ambient capabilities. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		log_warn("clearing ambient capabilities");
		return -1;
	}

	if (!have_setpcap()) {
		/* Not root: nothing to drop that exec could give back,
		 * and exec is not allowed anyway. */
		log_debug("no CAP_SETPCAP: bounding set left as it is");
	} else {
		for (cap = 0; cap < CAPS_MAX; cap++) {
			if ((r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) < 0)
				break;
			if (r == 0 || cap_kept(sb, cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 ||
			    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0) {
				log_warn("dropping capability %d from the "
				    "bounding set", cap);
				return -1;
			}
		}
	}

	if (sb->change_user && sb->nkeep_caps > 0 &&
	    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		log_warn("PR_SET_KEEPCAPS");
		return -1;
	}
	return 0;
}

/*
 * After the change of user: exactly the kept capabilities, permitted and
 * (unless the source raises them itself) effective, and nothing
 * inheritable.
 */
int
sandbox_caps_set(const struct sandbox *sb)
{
	cap_t want, have = NULL;
	int rc = -1;

	if ((want = cap_init()) == NULL) {
		log_warn("cap_init");
		return -1;
	}
	if (sb->nkeep_caps > 0 &&
	    (cap_set_flag(want, CAP_PERMITTED, (int)sb->nkeep_caps,
	    sb->keep_caps, CAP_SET) < 0 ||
	    (!sb->caps_lowered && cap_set_flag(want, CAP_EFFECTIVE,
	    (int)sb->nkeep_caps, sb->keep_caps, CAP_SET) < 0))) {
		log_warn("cap_set_flag");
		goto out;
	}
	if (cap_set_proc(want) < 0) {
		log_warn("setting capabilities");
		goto out;
	}
	if (sb->change_user && sb->nkeep_caps > 0 &&
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		log_warn("clearing PR_SET_KEEPCAPS");
		goto out;
	}
	if ((have = cap_get_proc()) == NULL || cap_compare(have, want) != 0) {
		log_warnx("capabilities are not those asked for");
		goto out;
	}
	rc = 0;
out:
	cap_free(have);
	cap_free(want);
	return rc;
}
