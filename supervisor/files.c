/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files of authentication: the users file, the VNC password file, the
 * TLS key and certificates.  The supervisor reads every one of them, as
 * root, and passes on bytes: the broker opens no file after its start and
 * never sees a secret.
 *
 * A file that holds a secret must be a regular file that nobody but its
 * owner may read or write, and, when we run as root, owned by root: a
 * password hash or a key that others can read is refused with the command
 * that fixes it, as sshd refuses a host key that others can read.
 * Secrets are read into a buffer sized from the file, so that no copy is
 * left behind in memory that a realloc freed, and wiped when done.
 */
#include "config.h"

#include <sys/stat.h>

#include <openssl/crypto.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

/* Whether st may hold a secret; why says what to do when not. */
static int
private_ok(const struct stat *st, const char *what, const char *path,
    char *why, size_t whylen)
{
	if (geteuid() == 0 && st->st_uid != 0) {
		snprintf(why, whylen, "%s %s is owned by uid %u, not root: it "
		    "holds secrets (chown root %s; chmod 600 %s)", what, path,
		    (unsigned)st->st_uid, path, path);
		return -1;
	}
	if ((st->st_mode & 077) != 0) {
		snprintf(why, whylen, "%s %s may be read or written by group "
		    "or others (mode %04o): it holds secrets; chmod 600 %s",
		    what, path, (unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int
file_read(const char *path, const char *what, size_t max, int secret,
    char **text, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	size_t off = 0;
	char *buf;
	int fd, saved;

	*text = NULL;
	*len = 0;
	/* Non-blocking: a FIFO in its place must not hang the start. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0) {
		saved = errno;
		snprintf(why, whylen, "%s %s: %s", what, path, strerror(errno));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s %s is not a regular file", what,
		    path);
		goto fail;
	}
	if (secret && private_ok(&st, what, path, why, whylen) < 0)
		goto fail;
	if ((uint64_t)st.st_size > max) {
		snprintf(why, whylen, "%s %s is too big (%lld bytes, at most "
		    "%zu)", what, path, (long long)st.st_size, max);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(why, whylen, "%s %s: out of memory", what, path);
		goto fail;
	}
	for (;;) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size + 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "%s %s: %s", what, path,
			    strerror(errno));
			file_wipe(buf, off);
			goto fail;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off > (size_t)st.st_size) {
			snprintf(why, whylen, "%s %s changed while it was "
			    "read", what, path);
			file_wipe(buf, off);
			goto fail;
		}
	}
	close(fd);
	buf[off] = '\0';
	*text = buf;
	*len = off;
	return 0;
fail:
	close(fd);
	errno = EINVAL;
	return -1;
}

void
file_wipe(char *text, size_t len)
{
	if (text == NULL)
		return;
	OPENSSL_cleanse(text, len);
	free(text);
}

/* The directory of path, and every one above it that is missing, made
 * 0700: a directory made for secrets is nobody else's. */
int
file_make_dir(const char *dir, char *why, size_t whylen)
{
	char *copy, *parent;
	struct stat st;
	int r;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(why, whylen, "%s is not a directory", dir);
		return -1;
	}
	if (errno != ENOENT) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((copy = strdup(dir)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	parent = dirname(copy);
	r = strcmp(parent, dir) != 0 ? file_make_dir(parent, why, whylen) : 0;
	free(copy);
	if (r < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Write a file that holds a secret: a new file beside it, mode 0600,
 * written, flushed to disk, and renamed over path, so that the file is
 * whole or not there.
 */
int
file_write_private(const char *path, const void *data, size_t len,
    char *why, size_t whylen)
{
	char tmp[4096];
	size_t off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		snprintf(why, whylen, "%s: path too long", path);
		return -1;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	/* The umask does not decide it. */
	if (fchmod(fd, 0600) < 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		snprintf(why, whylen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
