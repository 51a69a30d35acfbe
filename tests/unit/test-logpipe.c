/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit lines on their way from a helper to the log (supervisor/logpipe.c,
 * common/log.c): a helper writes "<6>rampart-broker[PID]: audit: ..." to
 * its stderr pipe; the supervisor logs it under the helper's name.  As a
 * daemon (syslog), an audit line goes with the authpriv facility and
 * every other line with the daemon's; in the foreground both go to stderr
 * as they are.  syslog() and openlog() are the test's own here
 * (-Wl,--wrap), so what would reach syslog is seen exactly.
 */
#include "config.h"

#include <sys/wait.h>

#include <event2/event.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "supervisor/supervisor.h"
#include "tests/tap.h"

#define MAXLINES	8

static struct {
	int	prio;
	char	ident[128];
	char	msg[512];
} lines[MAXLINES];
static int nlines;
static char ident_now[128];

void	__wrap_openlog(const char *ident, int option, int facility);
void	__wrap_syslog(int prio, const char *fmt, ...);
void	__wrap___syslog_chk(int prio, int flag, const char *fmt, ...);

void
__wrap_openlog(const char *ident, int option, int facility)
{
	snprintf(ident_now, sizeof(ident_now), "%s", ident);
}

static void
record(int prio, const char *fmt, va_list ap)
{
	if (nlines == MAXLINES)
		return;
	lines[nlines].prio = prio;
	snprintf(lines[nlines].ident, sizeof(lines[0].ident), "%s", ident_now);
	vsnprintf(lines[nlines].msg, sizeof(lines[0].msg), fmt, ap);
	nlines++;
}

void
__wrap_syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(prio, fmt, ap);
	va_end(ap);
}

void
__wrap___syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(prio, fmt, ap);
	va_end(ap);
}

/* What a helper writes, through a real log pipe, drained as at its
 * death. */
static void
through_pipe(struct event_base *base, const char *text)
{
	struct logpipes set;
	struct logpipe *lp;
	int wfd;

	TAILQ_INIT(&set);
	if ((lp = logpipe_open(&set, &wfd)) == NULL)
		bail("logpipe_open");
	logpipe_start(lp, base, "rampart-broker", 4242);
	if (write(wfd, text, strlen(text)) != (ssize_t)strlen(text))
		bail("write");
	close(wfd);
	logpipe_drain(&set, 4242);
	logpipe_close_all(&set);
}

int
main(void)
{
	struct event_base *base = event_base_new();
	char buf[2048];
	int fds[2], saved;
	ssize_t n;

	if (base == NULL)
		bail("event_base_new");

	/* As a daemon. */
	log_init("rampart", LOG_LEVEL_INFO, LOG_TO_SYSLOG);
	nlines = 0;
	through_pipe(base, "<6>rampart-broker[4242]: audit: client 1 "
	    "(192.0.2.7:4000): logged in as alice (control)\n"
	    "<7>rampart-broker[4242]: client 1: RFB 3.8\n"
	    "<4>rampart-broker[4242]: audit: client 2 (192.0.2.8:4001): "
	    "authentication failed for mallory\n");
	ok(nlines == 3, "three lines logged to syslog (%d)", nlines);
	ok(lines[0].prio == (LOG_AUTHPRIV | LOG_INFO) &&
	    strcmp(lines[0].ident, "rampart-broker[4242]") == 0 &&
	    strcmp(lines[0].msg, "audit: client 1 (192.0.2.7:4000): logged "
	    "in as alice (control)") == 0,
	    "an audit line: authpriv.info, under the broker's name: %d %s %s",
	    lines[0].prio, lines[0].ident, lines[0].msg);
	ok(lines[1].prio == LOG_DEBUG && strcmp(lines[1].msg,
	    "client 1: RFB 3.8") == 0,
	    "another line: the facility of openlog (daemon), debug: %d",
	    lines[1].prio);
	ok(lines[2].prio == (LOG_AUTHPRIV | LOG_WARNING),
	    "an audit warning: authpriv.warning: %d", lines[2].prio);
	nlines = 0;
	log_info("audit: power key let through");
	log_info("listening");
	ok(nlines == 2 && lines[0].prio == (LOG_AUTHPRIV | LOG_INFO) &&
	    lines[1].prio == LOG_INFO,
	    "the supervisor's own audit lines too: %d, %d", lines[0].prio,
	    lines[1].prio);
	nlines = 0;
	through_pipe(base, "<6>rampart-broker[4242]: not an audit: line\n");
	ok(nlines == 1 && lines[0].prio == LOG_INFO,
	    "\"audit: \" counts only at the start of the message: %d",
	    lines[0].prio);

	/* In the foreground: stderr, nothing to syslog. */
	log_init("rampart", LOG_LEVEL_INFO, LOG_TO_STDERR);
	if (pipe(fds) < 0 || (saved = dup(STDERR_FILENO)) < 0 ||
	    dup2(fds[1], STDERR_FILENO) < 0)
		bail("pipe");
	close(fds[1]);
	nlines = 0;
	through_pipe(base, "<6>rampart-broker[4242]: audit: client 3 "
	    "(127.0.0.1:5000): connected\n");
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ok(nlines == 0, "in the foreground nothing goes to syslog");
	ok(strcmp(buf, "rampart-broker[4242]: audit: client 3 "
	    "(127.0.0.1:5000): connected\n") == 0,
	    "and the audit line is on stderr as it is: %s", buf);

	/* A helper's own prefix carries no facility: the supervisor reads
	 * one digit. */
	log_init("rampart-broker", LOG_LEVEL_INFO, LOG_TO_SUPERVISOR);
	if (pipe(fds) < 0 || (saved = dup(STDERR_FILENO)) < 0 ||
	    dup2(fds[1], STDERR_FILENO) < 0)
		bail("pipe");
	close(fds[1]);
	log_info("audit: client 4 (unix, uid 0): connected");
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ok(strncmp(buf, "<6>rampart-broker[", 18) == 0 &&
	    strstr(buf, "]: audit: client 4") != NULL,
	    "a helper writes an audit line with the priority alone: %s", buf);

	event_base_free(base);
	return done_testing();
}
