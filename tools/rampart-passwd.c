/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-passwd: adds, changes, removes and lists the accounts of
 * rampart's users file, through the same parser as rampart itself
 * (common/users.c).  The file is replaced whole, atomically: a temporary
 * file in the same directory, written, synced, given the old file's mode
 * and owner, then renamed over it.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/users.h"

#define DEFAULT_USERS_FILE	"/etc/rampart/users"
/* What the broker takes from a client (Plain, VeNCrypt). */
#define PASSWORD_MAX		1024
/* Far more than USERS_MAX accounts with comments. */
#define FILE_MAX		(4U << 20)

#define EXIT_ERROR		1
#define EXIT_USAGE		2

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rampart-passwd [--file FILE] add USER [--role control|view]\n"
"       rampart-passwd [--file FILE] set USER [--role control|view]\n"
"                      [--password]\n"
"       rampart-passwd [--file FILE] del USER\n"
"       rampart-passwd [--file FILE] list\n"
"       rampart-passwd -h | --help\n"
"\n"
"NAME\n"
"    rampart-passwd - manage the accounts of rampart's users file\n"
"\n"
"DESCRIPTION\n"
"    add   adds USER with a new password and the role given by --role\n"
"          (default view); fails if USER exists.\n"
"    set   changes the password of USER; with --role, changes the role\n"
"          only, unless --password asks for a new password too.\n"
"    del   removes USER.\n"
"    list  prints one line per account: NAME ROLE.\n"
"\n"
"    The password is read from the terminal without echo, twice; when\n"
"    standard input is not a terminal, one line is read from it (the\n"
"    newline taken off), for scripts.  It may not be empty, hold a NUL\n"
"    byte or be longer than %d bytes.  It is stored as a salted scrypt\n"
"    hash ($scrypt$ln=%d,r=%d,p=%d$SALT$HASH).\n"
"\n"
"    A user name is 1 to %d of A-Z a-z 0-9 . _ @ -, not starting with -.\n"
"    The roles: control (may view, type and point) and view (may only\n"
"    view).\n"
"\n"
"OPTIONS\n"
"    --file FILE  the users file (default " DEFAULT_USERS_FILE ")\n"
"    --role ROLE  control or view\n"
"    --password   with set --role: ask for a new password as well\n"
"\n"
"FILES\n"
"    The file is replaced atomically (a temporary file in its directory,\n"
"    renamed over it) and keeps its mode and owner; a new file is made\n"
"    mode 0600, owned by the caller.  Comments and blank lines stay.\n"
"    rampart refuses a users file that group or others may read, and\n"
"    reads it again on SIGHUP: connected users removed from it are\n"
"    disconnected, and role changes apply at once.\n"
"\n"
"EXIT STATUS\n"
"    0 on success, 1 on an error (one line on stderr), 2 on a bad\n"
"    command line.\n",
	    PASSWORD_MAX, USERS_SCRYPT_LN, USERS_SCRYPT_R, USERS_SCRYPT_P,
	    USERS_NAME_MAX);
}

static void __attribute__((format(printf, 2, 3), noreturn))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rampart-passwd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (code == EXIT_USAGE)
		fprintf(stderr, "Try 'rampart-passwd --help'.\n");
	exit(code);
}

/* The terminal, while echo is off: put back on any way out. */
static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_changed;

static void
tty_restore(void)
{
	if (tty_changed) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_changed = 0;
	}
}

static void
on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line from fd into buf (NUL-terminated, newline taken off). */
static void
read_line(int fd, char *buf, size_t size, const char *from)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tty_restore();
			die(EXIT_ERROR, "reading the password from %s: %s",
			    from, strerror(errno));
		}
		if (r == 0 || c == '\n')
			break;
		if (n >= PASSWORD_MAX || n + 1 >= size) {
			tty_restore();
			die(EXIT_ERROR, "password longer than %d bytes",
			    PASSWORD_MAX);
		}
		if (c == '\0') {
			tty_restore();
			die(EXIT_ERROR, "password holds a NUL byte");
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
}

static void
tty_ask(const char *prompt, char *buf, size_t size)
{
	struct termios t;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGTSTP };

	if (tcgetattr(tty_fd, &tty_saved) < 0)
		die(EXIT_ERROR, "/dev/tty: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	if (write(tty_fd, prompt, strlen(prompt)) < 0)
		die(EXIT_ERROR, "/dev/tty: %s", strerror(errno));
	tty_changed = 1;
	if (tcsetattr(tty_fd, TCSAFLUSH, &t) < 0) {
		tty_changed = 0;
		die(EXIT_ERROR, "/dev/tty: %s", strerror(errno));
	}
	read_line(tty_fd, buf, size, "the terminal");
	tty_restore();
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

/* The new password of user, in buf (PASSWORD_MAX + 1 bytes at least). */
static void
ask_password(const char *user, char *buf, size_t size)
{
	char again[PASSWORD_MAX + 2], prompt[128];

	if (!isatty(STDIN_FILENO)) {
		read_line(STDIN_FILENO, buf, size, "standard input");
	} else {
		if ((tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
			die(EXIT_ERROR, "/dev/tty: %s", strerror(errno));
		snprintf(prompt, sizeof(prompt), "New password for %s: ", user);
		tty_ask(prompt, buf, size);
		tty_ask("Again: ", again, sizeof(again));
		close(tty_fd);
		tty_fd = -1;
		if (strcmp(buf, again) != 0) {
			OPENSSL_cleanse(buf, size);
			OPENSSL_cleanse(again, sizeof(again));
			die(EXIT_ERROR, "the passwords do not match");
		}
		OPENSSL_cleanse(again, sizeof(again));
	}
	if (buf[0] == '\0')
		die(EXIT_ERROR, "empty password refused");
}

static void
hash_password(const char *user, char *hash, size_t hashlen)
{
	char pw[PASSWORD_MAX + 2];

	ask_password(user, pw, sizeof(pw));
	if (users_hash(pw, strlen(pw), hash, hashlen) < 0)
		die(EXIT_ERROR, "cannot hash the password: %s",
		    strerror(errno));
	OPENSSL_cleanse(pw, sizeof(pw));
}

struct file {
	const char	*path;
	char		 dir[4096];
	int		 dirfd;
	int		 exists;
	struct stat	 st;
	struct users	 users;
};

/*
 * Lock the file's directory against another rampart-passwd (the file
 * itself is replaced, so its own lock would not hold), then read and
 * parse the file if it exists.
 */
static void
file_open(struct file *f, const char *path)
{
	char tmp[sizeof(f->dir)], why[256], *text;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (strlen(path) >= sizeof(tmp))
		die(EXIT_ERROR, "%s: path too long", path);
	memcpy(tmp, path, strlen(path) + 1);
	snprintf(f->dir, sizeof(f->dir), "%s", dirname(tmp));
	if ((f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_ERROR, "%s: %s", f->dir, strerror(errno));
	if (flock(f->dirfd, LOCK_EX) < 0)
		die(EXIT_ERROR, "locking %s: %s", f->dir, strerror(errno));

	if (lstat(path, &f->st) < 0) {
		if (errno != ENOENT)
			die(EXIT_ERROR, "%s: %s", path, strerror(errno));
		return;
	}
	if (S_ISLNK(f->st.st_mode))
		die(EXIT_ERROR, "%s is a symbolic link: name the file itself",
		    path);
	if (!S_ISREG(f->st.st_mode))
		die(EXIT_ERROR, "%s is not a regular file", path);
	f->exists = 1;
	if (f->st.st_mode & (S_IRWXG | S_IRWXO))
		fprintf(stderr, "rampart-passwd: warning: %s has mode %04o: "
		    "group or others may use it, and rampart refuses it "
		    "(chmod 600 %s)\n", path,
		    (unsigned)(f->st.st_mode & 07777), path);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		die(EXIT_ERROR, "%s: %s", path, strerror(errno));
	if ((text = malloc(FILE_MAX + 1)) == NULL)
		die(EXIT_ERROR, "out of memory");
	while ((n = read(fd, text + len, FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_ERROR, "%s: %s", path, strerror(errno));
		len += (size_t)n;
		if (len > FILE_MAX)
			die(EXIT_ERROR, "%s: larger than %u bytes", path,
			    FILE_MAX);
	}
	close(fd);
	if (users_parse(&f->users, text, len, why, sizeof(why)) < 0)
		die(EXIT_ERROR, "%s: %s", path, why);
	OPENSSL_cleanse(text, len);
	free(text);
}

/* The file's new text, in place of the old. */
static void
file_write(struct file *f)
{
	char tmp[sizeof(f->dir) + 64], *text, *base, pathcopy[4096];
	size_t len, off = 0;
	ssize_t n;
	int fd;

	if ((text = users_format(&f->users)) == NULL)
		die(EXIT_ERROR, "out of memory");
	len = strlen(text);
	snprintf(pathcopy, sizeof(pathcopy), "%s", f->path);
	base = basename(pathcopy);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", f->dir, base);
	/* mkstemp: mode 0600, owned by us: a new file's mode and owner. */
	if ((fd = mkstemp(tmp)) < 0)
		die(EXIT_ERROR, "cannot create a file in %s: %s", f->dir,
		    strerror(errno));
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (f->exists && (f->st.st_uid != geteuid() ||
	    f->st.st_gid != getegid()) &&
	    fchown(fd, f->st.st_uid, f->st.st_gid) < 0)
		goto fail;
	if (f->exists && fchmod(fd, f->st.st_mode & 07777) < 0)
		goto fail;
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, f->path) < 0)
		goto fail;
	/* The rename itself, on disk. */
	if (fsync(f->dirfd) < 0)
		die(EXIT_ERROR, "%s: %s", f->dir, strerror(errno));
	OPENSSL_cleanse(text, len);
	free(text);
	return;
fail:
	{
		int e = errno;

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		die(EXIT_ERROR, "cannot write %s: %s", f->path, strerror(e));
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "role", required_argument, NULL, 'r' },
		{ "password", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_USERS_FILE, *role_arg = NULL, *cmd, *user;
	const struct users_entry *e;
	char hash[USERS_HASH_MAX + 1];
	enum users_role role = 0;
	int c, want_password = 0;
	struct file f;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case 'r':
			role_arg = optarg;
			break;
		case 'p':
			want_password = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'rampart-passwd --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		die(EXIT_USAGE, "no command: add, set, del or list");
	cmd = argv[optind++];
	user = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		die(EXIT_USAGE, "unexpected argument \"%s\"", argv[optind]);
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "set") != 0 &&
	    strcmp(cmd, "del") != 0 && strcmp(cmd, "list") != 0)
		die(EXIT_USAGE, "unknown command \"%s\": add, set, del or list",
		    cmd);
	if (strcmp(cmd, "list") == 0 && user != NULL)
		die(EXIT_USAGE, "list takes no user");
	if (strcmp(cmd, "list") != 0 && user == NULL)
		die(EXIT_USAGE, "%s needs a user", cmd);
	if (user != NULL && !users_name_ok(user))
		die(EXIT_USAGE, "bad user name \"%s\": 1 to %d of A-Z a-z 0-9 "
		    ". _ @ -, not starting with -", user, USERS_NAME_MAX);
	if (role_arg != NULL && (role = users_role_parse(role_arg)) == 0)
		die(EXIT_USAGE, "--role %s: control or view", role_arg);
	if (role_arg != NULL && strcmp(cmd, "add") != 0 &&
	    strcmp(cmd, "set") != 0)
		die(EXIT_USAGE, "--role goes with add or set");
	if (want_password && (strcmp(cmd, "set") != 0 || role_arg == NULL))
		die(EXIT_USAGE, "--password goes with set --role");

	file_open(&f, path);
	if (strcmp(cmd, "list") == 0) {
		if (!f.exists)
			die(EXIT_ERROR, "%s: %s", path, strerror(ENOENT));
		for (size_t i = 0; i < f.users.n; i++)
			printf("%s %s\n", f.users.entries[i].name,
			    users_role_name(f.users.entries[i].role));
		if (fflush(stdout) != 0 || ferror(stdout))
			die(EXIT_ERROR, "standard output: %s",
			    strerror(errno));
		return 0;
	}

	e = users_find(&f.users, user);
	if (strcmp(cmd, "add") == 0) {
		if (e != NULL)
			die(EXIT_ERROR, "user %s exists in %s (set changes it)",
			    user, path);
		hash_password(user, hash, sizeof(hash));
		if (users_set(&f.users, user, role != 0 ? role : USERS_VIEW,
		    hash) < 0)
			die(EXIT_ERROR, "cannot add %s: %s", user,
			    errno == ENOSPC ? "the file is full" :
			    strerror(errno));
	} else if (strcmp(cmd, "set") == 0) {
		if (e == NULL)
			die(EXIT_ERROR, "no user %s in %s", user, path);
		if (role == 0 || want_password)
			hash_password(user, hash, sizeof(hash));
		else
			snprintf(hash, sizeof(hash), "%s", e->hash);
		if (users_set(&f.users, user, role != 0 ? role : e->role,
		    hash) < 0)
			die(EXIT_ERROR, "cannot change %s: %s", user,
			    strerror(errno));
	} else {
		if (users_del(&f.users, user) < 0)
			die(EXIT_ERROR, "no user %s in %s", user, path);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	file_write(&f);
	users_free(&f.users);
	return 0;
}
