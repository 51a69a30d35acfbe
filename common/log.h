/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One logging vocabulary for every rampart process, tagged with the process
 * name: warn (appends errno), warnx, info, debug, fatal, fatalx.
 */
#ifndef RAMPART_LOG_H
#define RAMPART_LOG_H

#include <stdarg.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/*
 * Where lines go.  A helper's stderr is a pipe that the supervisor reads
 * and logs from (LOG_TO_SUPERVISOR): each line starts with its syslog
 * priority, "<7>rampart-broker[PID]: ...", which the supervisor takes off.
 */
enum log_dest {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,		/* the daemon facility; audit lines authpriv */
	LOG_TO_SUPERVISOR,
};

/* A line that starts so is an audit line: syslog's authpriv facility. */
#define LOG_AUDIT_PREFIX	"audit: "

void	log_init(const char *procname, enum log_level level,
	    enum log_dest dest);
int	log_parse_level(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);
enum log_level log_get_level(void);
void	log_set_level(enum log_level level);
/* A level sent by another process (IPC_*_LOG_LEVEL): applied when it is
 * one, else -1 with a log line naming the sender. */
int	log_set_level_from(uint32_t level, const char *sender);

/*
 * Also write every line of level warn or worse, as it would appear on
 * stderr, to fd (-1: no more).  A daemon shows its start-up failures to
 * the terminal it was started from this way.
 */
void	log_mirror(int fd);

/*
 * Log a line that the helper name[pid] wrote: "name[pid]: msg", at its
 * level, or with level -1 for a line that came without one (a sanitizer
 * report, a library's message).  Not filtered by our level: the helper
 * did that.  On syslog the line is the helper's own, under its name.
 */
void	log_forward(const char *name, int pid, int level, const char *msg);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
