/*
 * The pid file: rampart's pid, one line, while it runs.  The file is
 * locked for as long as rampart runs, so that a second rampart given the
 * same file refuses to start instead of taking it over; and a file that
 * names another live process is never overwritten, locked or not.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

/* The pid the file names, or 0. */
static pid_t
pidfile_read(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    pid <= 0 || pid > 0x3fffffff)
		return 0;
	return (pid_t)pid;
}

static int
alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* Returns the locked file, to be written with pidfile_write() by the
 * process that stays, or -1 with the reason in why. */
int
pidfile_open(const char *path, char *why, size_t whylen)
{
	pid_t pid;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) < 0) {
		snprintf(why, whylen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(why, whylen, "pid file %s is held by a running "
			    "rampart (pid %d)", path, (int)pidfile_read(fd));
		else
			snprintf(why, whylen, "pid file %s: lock: %s", path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	pid = pidfile_read(fd);
	if (pid > 0 && pid != getpid() && alive(pid)) {
		snprintf(why, whylen, "pid file %s names process %d, which is "
		    "running: not overwriting it", path, (int)pid);
		close(fd);
		return -1;
	}
	return fd;
}

int
pidfile_write(int fd, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

void
pidfile_remove(const char *path, int fd)
{
	if (fd < 0)
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("remove pid file %s", path);
	close(fd);
}
