/*
 * What the helpers write to stderr.  Each helper's stderr is the write end
 * of a pipe of its own; the read end is here, non-blocking, on the event
 * loop, and every line that comes out of it is logged as the helper's
 * ("rampart-broker[PID]: ...") wherever our own lines go: stderr in the
 * foreground, syslog as a daemon.  So no helper holds the terminal, and
 * what a helper did not write through its log, a sanitizer report above
 * all, is logged too.
 *
 * A line costs at most LOGPIPE_LINE_MAX bytes here: a longer one is logged
 * cut, with a mark, and the rest of it dropped, so that a helper that
 * floods cannot make us grow.  A line is taken as the helper's only under
 * the name and pid we started it with, whatever it claims, and control
 * characters are replaced: a helper cannot write escapes to the
 * administrator's terminal or pass for another process.
 */
#include "config.h"

#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

#define LOGPIPE_LINE_MAX	2048
#define LOGPIPE_CUT_MARK	" [line cut at 2048 bytes]"

struct logpipe {
	TAILQ_ENTRY(logpipe) entry;
	struct logpipes	*set;
	const char	*name;
	pid_t		pid;		/* -1 until the helper runs */
	int		fd;
	struct event	*ev;
	size_t		len;		/* bytes of an unfinished line */
	int		cutting;	/* dropping the rest of a long line */
	char		buf[LOGPIPE_LINE_MAX + sizeof(LOGPIPE_CUT_MARK)];
};

/* The priority a helper puts before its line (common/log.c). */
static int
prio_level(char c)
{
	switch (c) {
	case '3':
		return LOG_LEVEL_ERROR;
	case '4':
		return LOG_LEVEL_WARN;
	case '6':
		return LOG_LEVEL_INFO;
	case '7':
		return LOG_LEVEL_DEBUG;
	}
	return -1;
}

/* One line, len bytes at line, in the buffer (room for the mark and NUL). */
static void
logpipe_line(struct logpipe *lp, char *line, size_t len, int cut)
{
	char tag[64];
	size_t taglen;
	int level = -1;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			line[i] = '?';
	line[len] = '\0';
	if (cut)
		strcat(line, LOGPIPE_CUT_MARK);
	if (line[0] == '<' && line[1] != '\0' && line[2] == '>' &&
	    (level = prio_level(line[1])) >= 0)
		line += 3;
	/* The helper's own tag goes: we put the one we know. */
	taglen = (size_t)snprintf(tag, sizeof(tag), "%s[%d]: ", lp->name,
	    (int)lp->pid);
	if (strncmp(line, tag, taglen) == 0)
		line += taglen;
	log_forward(lp->name, (int)lp->pid, level, line);
}

/* Log every complete line in the buffer; keep the unfinished one. */
static void
logpipe_take_lines(struct logpipe *lp)
{
	char *start = lp->buf, *end = lp->buf + lp->len, *nl;

	while ((nl = memchr(start, '\n', (size_t)(end - start))) != NULL) {
		if (lp->cutting)
			lp->cutting = 0;
		else
			logpipe_line(lp, start, (size_t)(nl - start), 0);
		start = nl + 1;
	}
	lp->len = (size_t)(end - start);
	memmove(lp->buf, start, lp->len);
	if (lp->len == LOGPIPE_LINE_MAX) {
		if (!lp->cutting)
			logpipe_line(lp, lp->buf, lp->len, 1);
		lp->cutting = 1;
		lp->len = 0;
	}
}

enum logpipe_read {
	LOGPIPE_DATA,
	LOGPIPE_AGAIN,
	LOGPIPE_END,
};

static enum logpipe_read
logpipe_read(struct logpipe *lp)
{
	ssize_t n;

	do {
		n = read(lp->fd, lp->buf + lp->len,
		    LOGPIPE_LINE_MAX - lp->len);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		lp->len += (size_t)n;
		logpipe_take_lines(lp);
		return LOGPIPE_DATA;
	}
	if (n < 0 && errno == EAGAIN)
		return LOGPIPE_AGAIN;
	if (n < 0)
		log_warn("stderr of %s[%d]", lp->name, (int)lp->pid);
	return LOGPIPE_END;
}

/* The pipe ended: what is left of a last line without a newline is
 * logged too. */
static void
logpipe_close(struct logpipe *lp)
{
	if (lp->len > 0 && !lp->cutting)
		logpipe_line(lp, lp->buf, lp->len, 0);
	if (lp->ev != NULL)
		event_free(lp->ev);
	close(lp->fd);
	TAILQ_REMOVE(lp->set, lp, entry);
	free(lp);
}

static void
logpipe_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct logpipe *lp = arg;

	/* One read a turn: a chatty helper does not hold up the loop. */
	if (logpipe_read(lp) == LOGPIPE_END)
		logpipe_close(lp);
}

struct logpipe *
logpipe_open(struct logpipes *set, int *wfd)
{
	struct logpipe *lp;
	int fds[2];

	if ((lp = calloc(1, sizeof(*lp))) == NULL) {
		log_warn("helper log pipe");
		return NULL;
	}
	if (pipe2(fds, O_CLOEXEC) < 0 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		log_warn("helper log pipe");
		free(lp);
		return NULL;
	}
	lp->set = set;
	lp->pid = -1;
	lp->fd = fds[0];
	*wfd = fds[1];
	TAILQ_INSERT_TAIL(set, lp, entry);
	return lp;
}

void
logpipe_start(struct logpipe *lp, struct event_base *base, const char *name,
    pid_t pid)
{
	lp->name = name;
	lp->pid = pid;
	lp->ev = event_new(base, lp->fd, EV_READ | EV_PERSIST, logpipe_read_cb,
	    lp);
	if (lp->ev == NULL || event_add(lp->ev, NULL) < 0)
		log_warnx("cannot watch the stderr of %s[%d]", name, (int)pid);
}

void
logpipe_abort(struct logpipe *lp)
{
	lp->name = "?";
	logpipe_close(lp);
}

/*
 * The helper pid died: all it wrote is in the pipe now.  Log it before the
 * news of its death, so that its last words come first.
 */
void
logpipe_drain(struct logpipes *set, pid_t pid)
{
	struct logpipe *lp;
	enum logpipe_read r;

	TAILQ_FOREACH(lp, set, entry)
		if (lp->pid == pid)
			break;
	if (lp == NULL)
		return;
	while ((r = logpipe_read(lp)) == LOGPIPE_DATA)
		;
	/* LOGPIPE_AGAIN: something it started still holds the pipe. */
	if (r == LOGPIPE_END)
		logpipe_close(lp);
}

void
logpipe_close_all(struct logpipes *set)
{
	struct logpipe *lp;

	while ((lp = TAILQ_FIRST(set)) != NULL) {
		while (logpipe_read(lp) == LOGPIPE_DATA)
			;
		logpipe_close(lp);
	}
}
