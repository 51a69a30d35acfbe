/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One logging vocabulary for every rampart process, tagged with the process
 * name: warn (appends errno), warnx, info, debug, fatal, fatalx.
 */
#ifndef RAMPART_LOG_H
#define RAMPART_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Log to stderr, or to syslog when use_syslog is set. */
void	log_init(const char *procname, enum log_level level, int use_syslog);
int	log_parse_level(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);
int	log_uses_syslog(void);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
