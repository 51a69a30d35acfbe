/*
 * Becoming a daemon, and telling whoever started us whether that worked.
 *
 * The process started from the terminal forks and stays there, reading a
 * pipe, until the child (in a session of its own, its standard streams on
 * /dev/null) either says it is ready, and the parent exits 0, or exits
 * itself, and the parent exits with its status.  Until it is ready, the
 * child mirrors every warning and error it logs into the pipe (see
 * log_mirror()), and the parent copies them to its stderr: whoever
 * started rampart sees why it did not start, not only syslog.  A NUL byte
 * is "ready": no log line holds one (a helper's are cleaned by logpipe.c).
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

static void __attribute__((noreturn))
daemon_wait(int fd, pid_t child)
{
	char buf[1024];
	char *nul;
	ssize_t n;
	int status;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		nul = memchr(buf, '\0', (size_t)n);
		/* A failed write: nobody to tell. */
		(void)!write(STDERR_FILENO, buf, nul != NULL ?
		    (size_t)(nul - buf) : (size_t)n);
		if (nul != NULL)
			exit(0);
	}
	/* It did not get ready: it has exited, or is about to. */
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "rampart: waitpid: %s\n",
			    strerror(errno));
			exit(1);
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		fprintf(stderr, "rampart: killed by signal %d (%s) while "
		    "starting\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "rampart: stopped while starting\n");
	exit(1);
}

/*
 * Returns in the child only, with the end of the pipe to hand to
 * daemon_ready(); the caller then logs to syslog, mirrored into it.
 */
int
daemon_detach(void)
{
	int pfd[2], null;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "rampart: pipe: %s\n", strerror(errno));
		exit(1);
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "rampart: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(pfd[1]);
		daemon_wait(pfd[0], pid);
	}
	close(pfd[0]);
	if (setsid() < 0 || chdir("/") < 0 ||
	    (null = open("/dev/null", O_RDWR)) < 0) {
		dprintf(pfd[1], "rampart: detach: %s\n", strerror(errno));
		exit(1);
	}
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
	return pfd[1];
}

void
daemon_ready(int fd)
{
	log_mirror(-1);
	/* A failed write: the parent is gone, nobody is waiting. */
	(void)!write(fd, "", 1);
	close(fd);
}
