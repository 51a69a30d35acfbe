/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/log.h"
#include "input/input.h"
#include "input/sink.h"
#include "tests/tap.h"

struct fixture {
	char		 path[64];
	struct input	 in;
	long		 read_at;	/* of the log file, for new_lines() */
};

static void
fixture_open(struct fixture *f)
{
	char why[256];
	void *state;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/rampart-test-input-XXXXXX");
	if ((fd = mkstemp(f->path)) < 0) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
	if ((state = sink_log.open(f->path, NULL, why, sizeof(why))) == NULL) {
		printf("Bail out! log sink: %s\n", why);
		exit(1);
	}
	input_init(&f->in, &sink_log, state, 0);
	f->read_at = 0;
}

static void
fixture_close(struct fixture *f)
{
	input_free(&f->in);
	unlink(f->path);
}

/* What the sink wrote since the last call. */
static char *
new_lines(struct fixture *f)
{
	static char buf[8192];
	FILE *fp = fopen(f->path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp == NULL)
		return buf;
	fseek(fp, f->read_at, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	f->read_at += (long)n;
	fclose(fp);
	return buf;
}

static int
key(struct fixture *f, unsigned int code, unsigned int down, unsigned int pad)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_KEY,
	    .version = IPC_VERSION } };

	m.u.in_key.code = (uint16_t)code;
	m.u.in_key.down = (uint8_t)down;
	m.u.in_key.pad = (uint8_t)pad;
	return input_handle(&f->in, &m);
}

static int
pointer(struct fixture *f, unsigned int x, unsigned int y,
    unsigned int buttons, int wheel, int hwheel, unsigned int pad)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_POINTER,
	    .version = IPC_VERSION } };

	m.u.in_pointer = (struct ipc_in_pointer){ .x = (uint16_t)x,
	    .y = (uint16_t)y, .buttons = (uint8_t)buttons, .pad = (uint8_t)pad,
	    .wheel = (int8_t)wheel, .hwheel = (int8_t)hwheel };
	return input_handle(&f->in, &m);
}

static int
release_all(struct fixture *f)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_RELEASE_ALL,
	    .version = IPC_VERSION } };

	return input_handle(&f->in, &m);
}

static int
log_level(struct fixture *f, uint32_t level)
{
	struct ipc_msg m = { .hdr = { .type = IPC_BRK2IN_LOG_LEVEL,
	    .version = IPC_VERSION } };

	m.u.log_level.level = level;
	return input_handle(&f->in, &m);
}

static void
expect(struct fixture *f, const char *want, const char *what)
{
	const char *got = new_lines(f);

	if (!ok(strcmp(got, want) == 0, "%s", what))
		diag("want:\n%s# got:\n%s", want, got);
}

int
main(void)
{
	struct fixture f;
	struct ipc_msg m;

	/* Rejections are logged at warn; keep the TAP output clean. */
	log_init("test-input", LOG_LEVEL_ERROR, 0);
	fixture_open(&f);

	ok(key(&f, KEY_8, 1, 0) == 0, "key 8 down accepted");
	expect(&f, "key 9 KEY_8 down\n", "key 8 down logged with its name");
	ok(key(&f, KEY_8, 0, 0) == 0, "key 8 up accepted");
	expect(&f, "key 9 KEY_8 up\n", "key 8 up logged");
	ok(key(&f, KEY_A, 0, 0) == 0, "release of a key not held is no error");
	expect(&f, "", "... and is dropped");

	ok(key(&f, KEY_RESERVED, 1, 0) == -1, "key code 0 rejected");
	ok(key(&f, KEY_MAX + 1, 1, 0) == -1, "key code KEY_MAX + 1 rejected");
	ok(key(&f, 0xffff, 1, 0) == -1, "key code 0xffff rejected");
	ok(key(&f, KEY_A, 2, 0) == -1, "down = 2 rejected");
	ok(key(&f, KEY_A, 1, 1) == -1, "non-zero pad rejected");
	expect(&f, "", "rejected keys reach no sink");
	ok(key(&f, KEY_MAX, 1, 0) == 0, "key code KEY_MAX accepted");
	ok(key(&f, KEY_MAX, 0, 0) == 0, "... and released");
	new_lines(&f);

	ok(log_level(&f, LOG_LEVEL_INFO) == 0 &&
	    log_get_level() == LOG_LEVEL_INFO, "log level info applied");
	ok(log_level(&f, 4) == -1 && log_get_level() == LOG_LEVEL_INFO,
	    "log level 4 rejected, the level stays");
	ok(log_level(&f, LOG_LEVEL_ERROR) == 0 &&
	    log_get_level() == LOG_LEVEL_ERROR, "log level error applied");
	expect(&f, "", "log levels reach no sink");

	ok(pointer(&f, 0, 65535, IPC_BTN_LEFT | IPC_BTN_RIGHT, -3, 16, 0) == 0,
	    "pointer accepted");
	expect(&f, "pointer 0 65535 buttons=0x05 wheel=-3 hwheel=16\n",
	    "pointer logged");
	ok(pointer(&f, 1, 2, 0x20, 0, 0, 0) == -1, "unknown button rejected");
	ok(pointer(&f, 1, 2, 0x80, 0, 0, 0) == -1, "button 0x80 rejected");
	ok(pointer(&f, 1, 2, 0, 17, 0, 0) == -1, "wheel 17 rejected");
	ok(pointer(&f, 1, 2, 0, -17, 0, 0) == -1, "wheel -17 rejected");
	ok(pointer(&f, 1, 2, 0, 0, -128, 0) == -1, "hwheel -128 rejected");
	ok(pointer(&f, 1, 2, 0, 0, 0, 9) == -1, "pointer pad rejected");
	expect(&f, "", "rejected pointer events reach no sink");

	/* Held keys and buttons come up on release-all, the pointer stays
	 * where it was. */
	ok(key(&f, KEY_LEFTSHIFT, 1, 0) == 0 && key(&f, KEY_A, 1, 0) == 0 &&
	    key(&f, KEY_A, 1, 0) == 0 && key(&f, KEY_B, 1, 0) == 0 &&
	    key(&f, KEY_B, 0, 0) == 0 &&
	    pointer(&f, 300, 400, IPC_BTN_MIDDLE, 1, 0, 0) == 0,
	    "shift, a (twice), b down, b up, middle button down");
	new_lines(&f);
	ok(release_all(&f) == 0, "release-all accepted");
	expect(&f, "key 30 KEY_A up\n"
	    "key 42 KEY_LEFTSHIFT up\n"
	    "pointer 300 400 buttons=0x00 wheel=0 hwheel=0\n"
	    "release-all\n", "release-all releases exactly what is held");
	ok(key(&f, KEY_A, 0, 0) == 0, "key a up after release-all");
	expect(&f, "", "... is dropped: a is no longer held");
	ok(release_all(&f) == 0, "a second release-all");
	expect(&f, "pointer 300 400 buttons=0x00 wheel=0 hwheel=0\n"
	    "release-all\n", "... has no keys to release");
	fixture_close(&f);

	/* A pointer never placed is not moved by release-all. */
	fixture_open(&f);
	ok(key(&f, KEY_ENTER, 1, 0) == 0 && release_all(&f) == 0,
	    "enter, release-all without a pointer");
	expect(&f, "key 28 KEY_ENTER down\nkey 28 KEY_ENTER up\nrelease-all\n",
	    "no pointer line without a pointer position");

	/* A type of another range never gets here through ipc_recv(), but
	 * input_handle() still refuses it. */
	memset(&m, 0, sizeof(m));
	m.hdr.type = IPC_BRK2CAP_PAUSE;
	m.hdr.version = IPC_VERSION;
	ok(input_handle(&f.in, &m) == -1, "a capture message is rejected");
	fixture_close(&f);

	/* The log sink refuses what it cannot open. */
	{
		char why[256] = "";

		ok(sink_log.open("/nonexistent/dir/log", NULL, why,
		    sizeof(why)) == NULL && strstr(why, "/nonexistent") != NULL,
		    "log sink on a bad path: %s", why);
		ok(sink_log.open(NULL, NULL, why, sizeof(why)) == NULL,
		    "log sink without a path: %s", why);
	}
	return done_testing();
}
