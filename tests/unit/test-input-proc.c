/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/socket.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "common/ipc.h"
#include "tests/tap.h"
#include "tests/unit/spawn.h"

static int
send_key(struct child *ch, uint16_t code, uint8_t down)
{
	struct ipc_in_key k = { .code = code, .down = down };

	return ipc_send(ch->sock, IPC_BRK2IN_KEY, &k, sizeof(k), -1);
}

static int
send_pointer(struct child *ch, uint16_t x, uint16_t y, uint8_t buttons,
    int8_t wheel)
{
	struct ipc_in_pointer p = { .x = x, .y = y, .buttons = buttons,
	    .wheel = wheel };

	return ipc_send(ch->sock, IPC_BRK2IN_POINTER, &p, sizeof(p), -1);
}

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Wait until the log file holds want (the helper writes as it goes). */
static int
log_shows(const char *path, const char *want, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited <= ms; waited += 10) {
		if (strcmp(slurp(path), want) == 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	diag("want:\n%s# got:\n%s", want, slurp(path));
	return 0;
}

static int
start(struct child *ch, const char *path)
{
	char spec[256];
	char *argv[] = { "rampart-input", "--sink", spec, NULL };

	truncate(path, 0);
	snprintf(spec, sizeof(spec), "log:%s", path);
	return spawn_helper(ch, "rampart-input", argv);
}

int
main(void)
{
	char path[] = "/tmp/rampart-test-input-proc-XXXXXX";
	struct child ch;
	int fd, status;

	signal(SIGPIPE, SIG_IGN);
	if ((fd = mkstemp(path)) < 0) {
		printf("Bail out! mkstemp\n");
		return 1;
	}
	close(fd);

	/* Keys and a pointer go through; the broker goes away with keys
	 * and a button held: they come up. */
	if (start(&ch, path) < 0)
		return printf("Bail out! spawn\n"), 1;
	ok(send_key(&ch, KEY_LEFTCTRL, 1) == 0 && send_key(&ch, KEY_C, 1) == 0 &&
	    send_key(&ch, KEY_C, 0) == 0 && send_key(&ch, KEY_X, 0) == 0 &&
	    send_pointer(&ch, 1000, 2000, IPC_BTN_LEFT, -1) == 0 &&
	    send_key(&ch, KEY_8, 1) == 0, "send ctrl-c, x up, a click, 8 down");
	ok(log_shows(path, "key 29 KEY_LEFTCTRL down\n"
	    "key 46 KEY_C down\n"
	    "key 46 KEY_C up\n"
	    "pointer 1000 2000 buttons=0x01 wheel=-1 hwheel=0\n"
	    "key 9 KEY_8 down\n", 3000),
	    "the log shows them at once, without the up of a key not held");
	close(ch.sock);
	status = spawn_wait(&ch, 3000);
	ok(status == 0, "the broker closing the channel: exit 0 (%d)", status);
	ok(log_shows(path, "key 29 KEY_LEFTCTRL down\n"
	    "key 46 KEY_C down\n"
	    "key 46 KEY_C up\n"
	    "pointer 1000 2000 buttons=0x01 wheel=-1 hwheel=0\n"
	    "key 9 KEY_8 down\n"
	    "key 9 KEY_8 up\n"
	    "key 29 KEY_LEFTCTRL up\n"
	    "pointer 1000 2000 buttons=0x00 wheel=0 hwheel=0\n"
	    "release-all\n", 0), "held keys and the button were released");
	close(ch.err);

	/* A bad field ends the helper, after releasing what is held. */
	if (start(&ch, path) < 0)
		return printf("Bail out! spawn\n"), 1;
	send_key(&ch, KEY_A, 1);
	send_key(&ch, 0, 1);
	send_key(&ch, KEY_B, 1);
	status = spawn_wait(&ch, 3000);
	ok(status == 1, "key code 0: exit 1 (%d)", status);
	ok(strstr(spawn_stderr(&ch), "protocol error") != NULL,
	    "... logged as a protocol error");
	ok(log_shows(path, "key 30 KEY_A down\nkey 30 KEY_A up\n"
	    "release-all\n", 0), "a was released, b never pressed");
	close(ch.sock);
	close(ch.err);

	/* A message of another peer's range. */
	if (start(&ch, path) < 0)
		return printf("Bail out! spawn\n"), 1;
	send_key(&ch, KEY_Z, 1);
	ipc_send(ch.sock, IPC_BRK2CAP_PAUSE, NULL, 0, -1);
	status = spawn_wait(&ch, 3000);
	ok(status == 1, "a capture message: exit 1 (%d)", status);
	ok(log_shows(path, "key 44 KEY_Z down\nkey 44 KEY_Z up\n"
	    "release-all\n", 0), "z was released");
	close(ch.sock);
	close(ch.err);

	/* A packet of the wrong size. */
	if (start(&ch, path) < 0)
		return printf("Bail out! spawn\n"), 1;
	{
		struct ipc_hdr h = { .type = IPC_BRK2IN_KEY, .version = IPC_VERSION };
		uint8_t raw[sizeof(h) + 8] = { 0 };

		memcpy(raw, &h, sizeof(h));
		send(ch.sock, raw, sizeof(raw), 0);
	}
	status = spawn_wait(&ch, 3000);
	ok(status == 1, "an oversized key message: exit 1 (%d)", status);
	ok(strstr(spawn_stderr(&ch), "malformed") != NULL,
	    "... logged as malformed");
	close(ch.sock);
	close(ch.err);

	/* The supervisor stopping us: keys come up too. */
	if (start(&ch, path) < 0)
		return printf("Bail out! spawn\n"), 1;
	send_key(&ch, KEY_LEFTMETA, 1);
	ok(log_shows(path, "key 125 KEY_LEFTMETA down\n", 3000),
	    "meta down");
	kill(ch.pid, SIGTERM);
	status = spawn_wait(&ch, 3000);
	ok(status == 0, "SIGTERM: exit 0 (%d)", status);
	ok(log_shows(path, "key 125 KEY_LEFTMETA down\nkey 125 KEY_LEFTMETA up\n"
	    "release-all\n", 0), "meta was released");
	close(ch.sock);
	close(ch.err);

	/* Sinks that cannot be opened. */
	{
		char *argv[] = { "rampart-input", "--sink", "log:/nonexistent/x",
		    NULL };

		spawn_helper(&ch, "rampart-input", argv);
		status = spawn_wait(&ch, 3000);
		ok(status == 1 && strstr(spawn_stderr(&ch), "/nonexistent/x")
		    != NULL, "an unwritable log: exit 1 with the path");
		close(ch.sock);
		close(ch.err);
		argv[2] = "evdev";
		spawn_helper(&ch, "rampart-input", argv);
		status = spawn_wait(&ch, 3000);
		ok(status == 1 && strstr(spawn_stderr(&ch), "unknown sink")
		    != NULL, "an unknown sink: exit 1");
		close(ch.sock);
		close(ch.err);
	}
	unlink(path);
	return done_testing();
}
