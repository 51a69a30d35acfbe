/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_procname = "rampart";
static enum log_level log_level = LOG_LEVEL_INFO;
static enum log_dest log_dest;
static int log_mirror_fd = -1;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const int level_prio[] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_WARN] = LOG_WARNING,
	[LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *procname, enum log_level level, enum log_dest dest)
{
	log_procname = procname;
	log_level = level;
	log_dest = dest;
	if (dest == LOG_TO_SYSLOG)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_parse_level(const char *name, enum log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return level_names[level];
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_set_level_from(uint32_t level, const char *sender)
{
	if (level > LOG_LEVEL_DEBUG) {
		log_warnx("protocol error: log level %u from %s", level, sender);
		return -1;
	}
	log_set_level((enum log_level)level);
	return 0;
}

void
log_mirror(int fd)
{
	log_mirror_fd = fd;
}

/* How a line reads on stderr: "name[pid]: warning: msg". */
static void
write_line(int fd, const char *name, int pid, int level, const char *msg)
{
	const char *word = level == LOG_LEVEL_ERROR ? "fatal: " :
	    level == LOG_LEVEL_WARN ? "warning: " : "";

	/* One write per line, so that lines of several writers of one
	 * file do not interleave. */
	dprintf(fd, "%s[%d]: %s%s\n", name, pid, word, msg);
}

/*
 * One line of name[pid] at level (-1: a line without one).  An audit line
 * (who connected, who logged in, a power key let through) goes to syslog
 * with the authpriv facility, where sshd's go, so that the administrator
 * keeps it apart from the daemon's chatter; in the foreground it stays
 * with the others on stderr.
 */
static void
emit(const char *name, int pid, int level, const char *msg)
{
	int prio = level >= 0 ? level_prio[level] : LOG_WARNING;
	int facility = strncmp(msg, LOG_AUDIT_PREFIX,
	    strlen(LOG_AUDIT_PREFIX)) == 0 ? LOG_AUTHPRIV : 0;

	switch (log_dest) {
	case LOG_TO_SUPERVISOR:
		dprintf(STDERR_FILENO, "<%d>%s[%d]: %s\n", prio, name, pid,
		    msg);
		break;
	case LOG_TO_SYSLOG:
		if (strcmp(name, log_procname) == 0 && pid == (int)getpid())
			syslog(facility | prio, "%s", msg);
		else {
			/* A helper's line under the helper's own name and pid;
			 * the identity goes back to ours at once. */
			char ident[128];

			snprintf(ident, sizeof(ident), "%s[%d]", name, pid);
			openlog(ident, LOG_NDELAY, LOG_DAEMON);
			syslog(facility | prio, "%s", msg);
			openlog(log_procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		}
		break;
	case LOG_TO_STDERR:
		write_line(STDERR_FILENO, name, pid, level, msg);
		break;
	}
	if (log_mirror_fd >= 0 && level <= LOG_LEVEL_WARN)
		write_line(log_mirror_fd, name, pid, level, msg);
}

void
log_forward(const char *name, int pid, int level, const char *msg)
{
	if (level > LOG_LEVEL_DEBUG)
		level = -1;
	emit(name, pid, level, msg);
}

static void
vlog(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	if (level > log_level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(errnum));
	emit(log_procname, (int)getpid(), (int)level, msg);
}

#define LOG_FN(name, level, with_errno)				\
void									\
name(const char *fmt, ...)						\
{									\
	int saved = errno;						\
	va_list ap;							\
	va_start(ap, fmt);						\
	vlog(level, with_errno ? saved : 0, fmt, ap);			\
	va_end(ap);							\
	errno = saved;							\
}

LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
