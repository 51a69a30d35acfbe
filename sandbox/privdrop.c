/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "sandbox/internal.h"

int
sandbox_user_lookup(struct sandbox *sb, const char *user,
    const char *fallback)
{
	const struct passwd *pw;

	if (user == NULL) {
		sb->change_user = 0;
		return 0;
	}
	if (geteuid() != 0) {
		log_debug("not root: staying uid %u instead of user %s",
		    (unsigned)geteuid(), user);
		sb->change_user = 0;
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL && fallback != NULL) {
		log_debug("no user %s, trying %s", user, fallback);
		errno = 0;
		pw = getpwnam(fallback);
	}
	if (pw == NULL) {
		if (errno != 0)
			log_warn("getpwnam %s", user);
		else if (fallback != NULL)
			log_warnx("neither user %s nor %s exists", user,
			    fallback);
		else
			log_warnx("user %s does not exist", user);
		return -1;
	}
	/* Dropping to root would be no drop at all. */
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		log_warnx("user %s has uid or gid 0: refusing to run as it",
		    pw->pw_name);
		return -1;
	}
	if (strlen(pw->pw_name) >= sizeof(sb->user)) {
		log_warnx("user name %s too long", pw->pw_name);
		return -1;
	}
	snprintf(sb->user, sizeof(sb->user), "%s", pw->pw_name);
	sb->uid = pw->pw_uid;
	sb->gid = pw->pw_gid;
	sb->change_user = 1;
	return 0;
}

/*
 * The broker's root: a directory made for it and removed at once, so that
 * it is empty and nothing can ever be created in it (a deleted directory
 * accepts no new entries), and nothing is left behind on disk.  Only a
 * process with CAP_SYS_CHROOT can do this; the caller checks it is root.
 */
int
sandbox_chroot_empty(void)
{
	static const char *const parents[] = { "/run", "/tmp", "/var/tmp" };
	char path[64];
	struct stat st;
	size_t i;

	for (i = 0; i < nitems(parents); i++) {
		snprintf(path, sizeof(path), "%s/rampart-empty.XXXXXX",
		    parents[i]);
		if (mkdtemp(path) != NULL)
			break;
	}
	if (i == nitems(parents)) {
		log_warn("no directory to make an empty root in");
		return -1;
	}
	if (chdir(path) < 0) {
		log_warn("chdir %s", path);
		rmdir(path);
		return -1;
	}
	if (rmdir(path) < 0) {
		log_warn("rmdir %s", path);
		return -1;
	}
	/* mkdtemp made it 0700 and ours: check that we are still in it. */
	if (stat(".", &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 07777) != 0700) {
		log_warnx("%s is not the directory we made", path);
		return -1;
	}
	if (chroot(".") < 0 || chdir("/") < 0) {
		log_warn("chroot %s", path);
		return -1;
	}
	log_debug("chroot into deleted %s", path);
	return 0;
}

int
sandbox_user_drop(const struct sandbox *sb)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid, groups[2];
	int n;

	if (setgroups(1, &sb->gid) < 0) {
		log_warn("setgroups");
		return -1;
	}
	if (setresgid(sb->gid, sb->gid, sb->gid) < 0) {
		log_warn("setresgid %u", (unsigned)sb->gid);
		return -1;
	}
	if (setresuid(sb->uid, sb->uid, sb->uid) < 0) {
		log_warn("setresuid %u", (unsigned)sb->uid);
		return -1;
	}

	/* Check every id, and that none of them can be taken back. */
	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0 ||
	    (n = getgroups((int)nitems(groups), groups)) < 0) {
		log_warn("reading back ids");
		return -1;
	}
	if (ruid != sb->uid || euid != sb->uid || suid != sb->uid ||
	    rgid != sb->gid || egid != sb->gid || sgid != sb->gid ||
	    n != 1 || groups[0] != sb->gid) {
		log_warnx("ids are not those of %s after the change",
		    sb->user);
		return -1;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		log_warnx("could become root again after dropping to %s",
		    sb->user);
		return -1;
	}
	log_debug("now user %s (%u:%u)", sb->user, (unsigned)sb->uid,
	    (unsigned)sb->gid);
	return 0;
}
