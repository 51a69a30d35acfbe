/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A helper's command line (common/helper.c): its own options from a
 * table, the common ones, and exit status 2 with the usage for what is
 * wrong.  Each parse runs in a child, which reports what it got on a pipe.
 */
#include "config.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/helper.h"
#include "tests/tap.h"

#define MAXARGS	16

/*
 * Parse argv (NULL-terminated, without the program name) as
 * rampart-capture does; got is "source|output|method", "-" for an option
 * not given.  Returns the child's exit status.
 */
static int
parse(const char *const *args, char *got, size_t gotlen, int wrapper)
{
	char *argv[MAXARGS + 2];
	int p[2], status, argc = 0, null;
	ssize_t n;
	pid_t pid;

	argv[argc++] = "rampart-capture";
	for (; *args != NULL && argc <= MAXARGS; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	if (pipe(p) < 0)
		bail("pipe");
	fflush(stdout);
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0) {
		const char *source = NULL, *output = NULL, *method = NULL;
		const struct helper_option opts[] = {
			{ "source", 1, &source },
			{ "output", 0, &output },
			{ "capture-method", 0, &method },
		};
		char line[256];

		close(p[0]);
		/* The usage is not this test's output. */
		if ((null = open("/dev/null", O_WRONLY)) >= 0)
			dup2(null, STDERR_FILENO);
		if (wrapper)
			source = helper_init(argc, argv, "rampart-capture",
			    "source", 1, "--source SPEC");
		else
			helper_init_options(argc, argv, "rampart-capture",
			    opts, 3, "--source SPEC");
		snprintf(line, sizeof(line), "%s|%s|%s",
		    source ? source : "-", output ? output : "-",
		    method ? method : "-");
		(void)write(p[1], line, strlen(line));
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], got, gotlen - 1);
	got[n > 0 ? n : 0] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		bail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
good(const char *name, const char *const *args, const char *want)
{
	char got[256];
	int rc = parse(args, got, sizeof(got), 0);

	ok(rc == 0 && strcmp(got, want) == 0, "%s: %s (exit %d, got %s)",
	    name, want, rc, got);
}

static void
bad(const char *name, const char *const *args)
{
	char got[256];
	int rc = parse(args, got, sizeof(got), 0);

	ok(rc == 2 && got[0] == '\0', "%s: exit 2 (exit %d)", name, rc);
}

int
main(void)
{
	char got[256];

	good("all three", (const char *const[]){ "--source", "auto",
	    "--output", "HDMI-A-1", "--capture-method", "egl", NULL },
	    "auto|HDMI-A-1|egl");
	good("in any order, with the common options",
	    (const char *const[]){ "--capture-method=writeback",
	    "--log-level", "debug", "--output=all", "--log-to-supervisor",
	    "--source=drm:/dev/dri/card1", NULL },
	    "drm:/dev/dri/card1|all|writeback");
	good("only the required one", (const char *const[]){ "--source",
	    "demo", NULL }, "demo|-|-");
	good("an option given twice keeps the last",
	    (const char *const[]){ "--source", "demo", "--output", "DP-1",
	    "--output", "DP-2", NULL }, "demo|DP-2|-");
	bad("the required one missing", (const char *const[]){ "--output",
	    "DP-1", NULL });
	bad("an unknown option", (const char *const[]){ "--source", "demo",
	    "--outputs", "DP-1", NULL });
	bad("an option without its value", (const char *const[]){
	    "--source", "demo", "--output", NULL });
	bad("an argument that is no option", (const char *const[]){
	    "--source", "demo", "DP-1", NULL });
	bad("a bad log level", (const char *const[]){ "--source", "demo",
	    "--log-level", "loud", NULL });
	ok(parse((const char *const[]){ "--source", "replay:/x", NULL }, got,
	    sizeof(got), 1) == 0 && strcmp(got, "replay:/x|-|-") == 0,
	    "helper_init, one option: its value (%s)", got);
	ok(parse((const char *const[]){ "--output", "x", NULL }, got,
	    sizeof(got), 1) == 2, "helper_init: not another helper's option");
	return done_testing();
}
