/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox_prepare() and sandbox_enter() for real, as root, in forked
 * children.  A child inside cannot open /proc/self/status, so it waits on
 * a pipe while the parent reads /proc/PID/status, /proc/PID/limits and
 * /proc/PID/root of it.
 */
#include "config.h"

#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "sandbox/sandbox.h"
#include "tests/tap.h"

#define EXIT_PREPARE	10
#define EXIT_ENTER	11
#define EXIT_ALIVE	12	/* still there after setuid(0) */

struct spec {
	const char	*name;
	enum sandbox_role role;
	const char	*user;
	const char	*fallback;
	const int	*keep;
	size_t		 nkeep;
	int		 setuid_after;	/* try setuid(0) once inside */
};

struct child {
	pid_t		 pid;
	int		 ready;		/* child -> parent: errno of open() */
	int		 go;		/* parent -> child: exit now */
};

struct status {
	unsigned long	 uid[4], gid[4];
	unsigned long long capinh, capprm, capeff, capbnd, capamb;
	long		 nnp, seccomp, filters;	/* -1: line absent */
	char		 groups[128];
};

static void __attribute__((noreturn))
child_main(const struct spec *s, int ready, int go)
{
	struct rlimit nocore = { 0, 0 };
	struct sandbox sb;
	unsigned char c;
	int fd;

	setrlimit(RLIMIT_CORE, &nocore);
	if (sandbox_prepare(&sb, s->role, s->user, s->fallback) < 0)
		_exit(EXIT_PREPARE);
	sb.keep_caps = s->keep;
	sb.nkeep_caps = s->nkeep;
	if (sandbox_enter(&sb) < 0)
		_exit(EXIT_ENTER);
	if (s->setuid_after) {
		if (setuid(0) == 0)
			_exit(EXIT_ALIVE);
		_exit(EXIT_ALIVE + 1);
	}
	fd = open("/etc/hostname", O_RDONLY);
	c = fd < 0 ? (unsigned char)errno : 0;
	if (write(ready, &c, 1) != 1)
		_exit(1);
	if (read(go, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static int
spawn(const struct spec *s, struct child *ch)
{
	int ready[2], go[2];

	if (pipe(ready) < 0 || pipe(go) < 0)
		return -1;
	fflush(stdout);
	if ((ch->pid = fork()) < 0)
		return -1;
	if (ch->pid == 0) {
		close(ready[0]);
		close(go[1]);
		child_main(s, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	ch->ready = ready[0];
	ch->go = go[1];
	return 0;
}

/* The child's exit, as text for a diagnostic, and as status. */
static int
reap(struct child *ch, char *buf, size_t len)
{
	int st;

	close(ch->go);
	close(ch->ready);
	if (waitpid(ch->pid, &st, 0) != ch->pid) {
		snprintf(buf, len, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s", strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	return st;
}

static int
slurp(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static const char *
field(const char *buf, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = buf; p != NULL && *p != '\0';) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return p + klen + 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

static int
read_status(pid_t pid, struct status *st)
{
	char buf[8192];
	const char *p;

	memset(st, 0, sizeof(*st));
	if (slurp(pid, "status", buf, sizeof(buf)) < 0)
		return -1;
	if ((p = field(buf, "Uid")) == NULL || sscanf(p, "%lu %lu %lu %lu",
	    &st->uid[0], &st->uid[1], &st->uid[2], &st->uid[3]) != 4)
		return -1;
	if ((p = field(buf, "Gid")) == NULL || sscanf(p, "%lu %lu %lu %lu",
	    &st->gid[0], &st->gid[1], &st->gid[2], &st->gid[3]) != 4)
		return -1;
	/* "Groups:\t65534 \n": the kernel ends each group with a space. */
	if ((p = field(buf, "Groups")) == NULL ||
	    sscanf(p, " %127[^\n]", st->groups) < 0)
		return -1;
	for (size_t n = strlen(st->groups); n > 0 &&
	    (st->groups[n - 1] == ' ' || st->groups[n - 1] == '\t'); n--)
		st->groups[n - 1] = '\0';
	if ((p = field(buf, "CapInh")) == NULL ||
	    sscanf(p, "%llx", &st->capinh) != 1 ||
	    (p = field(buf, "CapPrm")) == NULL ||
	    sscanf(p, "%llx", &st->capprm) != 1 ||
	    (p = field(buf, "CapEff")) == NULL ||
	    sscanf(p, "%llx", &st->capeff) != 1 ||
	    (p = field(buf, "CapBnd")) == NULL ||
	    sscanf(p, "%llx", &st->capbnd) != 1)
		return -1;
	st->capamb = 0;
	if ((p = field(buf, "CapAmb")) != NULL &&
	    sscanf(p, "%llx", &st->capamb) != 1)
		return -1;
	st->nnp = st->seccomp = st->filters = -1;
	if ((p = field(buf, "NoNewPrivs")) != NULL)
		st->nnp = strtol(p, NULL, 10);
	if ((p = field(buf, "Seccomp")) != NULL)
		st->seccomp = strtol(p, NULL, 10);
	if ((p = field(buf, "Seccomp_filters")) != NULL)
		st->filters = strtol(p, NULL, 10);
	return 0;
}

static int
ids_are(const unsigned long ids[4], unsigned long want)
{
	return ids[0] == want && ids[1] == want && ids[2] == want &&
	    ids[3] == want;
}

/* Enter as spec says, wait inside, check what the kernel says. */
static void
check_inside(const struct spec *s, uid_t uid, gid_t gid,
    unsigned long long caps, int chrooted)
{
	struct child ch;
	struct status st;
	unsigned char c;
	char buf[4096], why[64], root[256];
	ssize_t n;
	int want_open;

	if (spawn(s, &ch) < 0) {
		ok(0, "%s: fork: %s", s->name, strerror(errno));
		return;
	}
	if (read(ch.ready, &c, 1) != 1) {
		reap(&ch, why, sizeof(why));
		ok(0, "%s: child entered the sandbox (%s)", s->name, why);
		return;
	}
	ok(1, "%s: child entered the sandbox", s->name);
	/*
	 * ASan builds let a read-only open through the policy (so that a
	 * report can be printed); in the broker's root it still fails, for
	 * the directory is root's and mode 0700.
	 */
#ifdef SANDBOX_ASAN
	want_open = chrooted ? EACCES : 0;
#else
	want_open = EACCES;
#endif
	ok(c == want_open, "%s: open(/etc/hostname) inside: %s", s->name,
	    want_open == 0 ? "success" : strerror(want_open));
	if (c != want_open)
		diag("got %s", c == 0 ? "success" : strerror(c));

	if (!ok(read_status(ch.pid, &st) == 0, "%s: read /proc/%d/status",
	    s->name, (int)ch.pid)) {
		reap(&ch, why, sizeof(why));
		return;
	}
	ok(ids_are(st.uid, uid), "%s: Uid all %u", s->name, (unsigned)uid);
	ok(ids_are(st.gid, gid), "%s: Gid all %u", s->name, (unsigned)gid);
	if (uid != 0) {
		snprintf(buf, sizeof(buf), "%u", (unsigned)gid);
		ok(strcmp(st.groups, buf) == 0, "%s: Groups only %s",
		    s->name, buf);
	}
	ok(st.capeff == caps, "%s: CapEff %016llx", s->name, caps);
	ok(st.capprm == caps, "%s: CapPrm %016llx", s->name, caps);
	ok(st.capbnd == caps, "%s: CapBnd %016llx", s->name, caps);
	ok(st.capinh == 0, "%s: CapInh empty", s->name);
	ok(st.capamb == 0, "%s: CapAmb empty", s->name);
	if (st.capeff != caps || st.capbnd != caps)
		diag("CapEff %016llx CapPrm %016llx CapBnd %016llx",
		    st.capeff, st.capprm, st.capbnd);
	ok(st.nnp == 1, "%s: NoNewPrivs 1", s->name);
	ok(st.seccomp == 2, "%s: Seccomp 2 (filter)", s->name);
	if (st.filters >= 0)
		ok(st.filters >= 1, "%s: Seccomp_filters %ld", s->name,
		    st.filters);

	snprintf(buf, sizeof(buf), "/proc/%d/root", (int)ch.pid);
	n = readlink(buf, root, sizeof(root) - 1);
	root[n < 0 ? 0 : n] = '\0';
	if (chrooted)
		ok(strstr(root, "rampart-empty.") != NULL &&
		    strstr(root, "(deleted)") != NULL,
		    "%s: root is a deleted empty directory (%s)", s->name,
		    root);
	else
		ok(strcmp(root, "/") == 0, "%s: root is / (%s)", s->name,
		    root);

	if (s->role == SANDBOX_BROKER) {
		unsigned long soft = 0, hard = 0;
		const char *p;

		if (slurp(ch.pid, "limits", buf, sizeof(buf)) == 0 &&
		    (p = strstr(buf, "Max open files")) != NULL)
			sscanf(p + strlen("Max open files"), "%lu %lu", &soft,
			    &hard);
		ok(soft == SANDBOX_BROKER_NOFILE &&
		    hard == SANDBOX_BROKER_NOFILE,
		    "%s: RLIMIT_NOFILE %d (%lu %lu)", s->name,
		    SANDBOX_BROKER_NOFILE, soft, hard);
	}

	if (write(ch.go, "g", 1) != 1)
		diag("write: %s", strerror(errno));
	ok(reap(&ch, why, sizeof(why)) == 0, "%s: child exits 0 (%s)",
	    s->name, why);
}

static void
check_setuid_killed(void)
{
	const struct spec s = { "broker setuid(0)", SANDBOX_BROKER,
	    "rampart", "nobody", NULL, 0, 1 };
	struct child ch;
	char why[64];
	int st;

	if (spawn(&s, &ch) < 0) {
		ok(0, "%s: fork: %s", s.name, strerror(errno));
		return;
	}
	st = reap(&ch, why, sizeof(why));
	ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "broker: setuid(0) inside is killed by SIGSYS (%s)", why);
}

static void
check_enter_fails(const char *name, const struct spec *s)
{
	struct child ch;
	char why[64];
	int st;

	if (spawn(s, &ch) < 0) {
		ok(0, "%s: fork: %s", name, strerror(errno));
		return;
	}
	st = reap(&ch, why, sizeof(why));
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == EXIT_ENTER,
	    "%s: sandbox_enter fails (%s)", name, why);
}

static void
check_prepare(const struct passwd *nobody)
{
	struct sandbox sb;

	ok(sandbox_prepare(&sb, SANDBOX_BROKER, "no-such-user-rampart",
	    "no-such-user-either") == -1,
	    "prepare: neither user nor fallback exists: -1");
	ok(sandbox_prepare(&sb, SANDBOX_BROKER, "root", NULL) == -1,
	    "prepare: refuses a user of uid 0");
	ok(sandbox_prepare(&sb, SANDBOX_BROKER, NULL, NULL) == -1,
	    "prepare: refuses no user for the broker as root");
	ok(sandbox_prepare(&sb, SANDBOX_BROKER, "no-such-user-rampart",
	    nobody->pw_name) == 0 && sb.change_user &&
	    sb.uid == nobody->pw_uid && sb.gid == nobody->pw_gid &&
	    strcmp(sb.user, nobody->pw_name) == 0,
	    "prepare: falls back to %s", nobody->pw_name);
	ok(sandbox_prepare(&sb, SANDBOX_CAPTURE, NULL, NULL) == 0 &&
	    !sb.change_user && sb.role == SANDBOX_CAPTURE,
	    "prepare: a helper may keep its user");
}

int
main(void)
{
	static const int sys_admin[] = { CAP_SYS_ADMIN };
	static const int bogus[] = { 999 };
	const struct spec broker = { "broker", SANDBOX_BROKER,
	    "rampart", "nobody", NULL, 0, 0 };
	const struct spec capture = { "capture keeps CAP_SYS_ADMIN",
	    SANDBOX_CAPTURE, NULL, NULL, sys_admin, 1, 0 };
	const struct spec capture_none = { "capture keeps nothing",
	    SANDBOX_CAPTURE, NULL, NULL, NULL, 0, 0 };
	const struct spec input = { "input as nobody keeps CAP_SYS_ADMIN",
	    SANDBOX_INPUT, "nobody", NULL, sys_admin, 1, 0 };
	const struct spec bad = { "bad capability", SANDBOX_CAPTURE,
	    NULL, NULL, bogus, 1, 0 };
	struct passwd *pw, nobody, user;
	char nbuf[256];

	log_init("test-privdrop", LOG_LEVEL_DEBUG, 0);
	if (geteuid() != 0)
		skip_all("not root");
	if ((pw = getpwnam("nobody")) == NULL)
		skip_all("no user nobody");
	nobody = *pw;
	snprintf(nbuf, sizeof(nbuf), "%s", pw->pw_name);
	nobody.pw_name = nbuf;
	/* The broker's user: rampart where it exists, else nobody. */
	user = (pw = getpwnam("rampart")) != NULL ? *pw : nobody;

	check_prepare(&nobody);
	check_inside(&broker, user.pw_uid, user.pw_gid, 0, 1);
	check_setuid_killed();
	check_inside(&capture, 0, 0, 1ULL << CAP_SYS_ADMIN, 0);
	check_inside(&capture_none, 0, 0, 0, 0);
	check_inside(&input, nobody.pw_uid, nobody.pw_gid,
	    1ULL << CAP_SYS_ADMIN, 0);
	check_enter_fails("capture with capability 999", &bad);
	return done_testing();
}
