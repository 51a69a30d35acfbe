/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evread: what an input device of the guest reports, for the VM tests
 * (the guest runs it from the build tree).  The device is found by its
 * name, as libinput list-devices shows it, so that a test need not know
 * which /dev/input/eventN the kernel gave it.
 *
 *   evread [--timeout S] info NAME     wait for the device, print its node,
 *                                      properties and capabilities
 *   evread [--timeout S] events NAME   print each event, "EV_KEY KEY_A 1",
 *                                      until SIGTERM or S seconds
 *   evread held NAME                   the keys held now (EVIOCGKEY), on one
 *                                      line: "held: KEY_A ..." or "held: none"
 *   evread leds NAME                   "leds: NUML CAPSL" or "leds: none"
 *   evread led NAME LED 0|1            set an LED (EV_LED as a host does)
 *
 * NAME may also be the node, /dev/input/eventN, where two devices have one
 * name (the keyboard and the pointer of one USB HID gadget).
 *
 * Exit status 0, 1 when the device never appeared or a call failed, 2 on a
 * bad command line.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libevdev/libevdev.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	stop = 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The device named name, opened (O_RDWR), or NULL once timeout passed. */
static struct libevdev *
find(const char *name, double timeout, char *node, size_t nodelen)
{
	double deadline = now() + timeout;

	for (;;) {
		DIR *d = opendir("/dev/input");
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			struct libevdev *dev;
			int fd;

			if (strncmp(e->d_name, "event", 5) != 0)
				continue;
			snprintf(node, nodelen, "/dev/input/%s", e->d_name);
			/* A node given by its path: two devices of one
			 * USB device (a HID gadget's keyboard and pointer)
			 * have one name. */
			if (name[0] == '/' && strcmp(node, name) != 0)
				continue;
			if ((fd = open(node, O_RDWR | O_NONBLOCK |
			    O_CLOEXEC)) < 0)
				continue;
			if (libevdev_new_from_fd(fd, &dev) == 0) {
				if (name[0] == '/' ||
				    strcmp(libevdev_get_name(dev), name) == 0) {
					closedir(d);
					return dev;
				}
				libevdev_free(dev);
			}
			close(fd);
		}
		if (d != NULL)
			closedir(d);
		if (now() > deadline || stop)
			return NULL;
		usleep(50000);
	}
}

static void
info(struct libevdev *dev, const char *node)
{
	printf("node: %s\n", node);
	printf("props:");
	for (unsigned int p = 0; p <= INPUT_PROP_MAX; p++)
		if (libevdev_has_property(dev, p))
			printf(" %s", libevdev_property_get_name(p));
	printf("\n");
	for (unsigned int t = 1; t < EV_CNT; t++) {
		int max = libevdev_event_type_get_max(t);

		if (max < 0 || !libevdev_has_event_type(dev, t))
			continue;
		printf("%s:", libevdev_event_type_get_name(t));
		for (int c = 0; c <= max; c++) {
			const char *n;

			if (!libevdev_has_event_code(dev, t, (unsigned int)c))
				continue;
			n = libevdev_event_code_get_name(t, (unsigned int)c);
			if (t == EV_ABS)
				printf(" %s=%d..%d", n, libevdev_get_abs_minimum(
				    dev, (unsigned int)c),
				    libevdev_get_abs_maximum(dev,
				    (unsigned int)c));
			else if (n != NULL)
				printf(" %s", n);
			else
				printf(" %d", c);
		}
		printf("\n");
	}
}

static int
events(struct libevdev *dev, double timeout)
{
	double deadline = now() + timeout;
	struct pollfd p = { .fd = libevdev_get_fd(dev), .events = POLLIN };
	struct input_event ev;
	int rc;

	printf("ready\n");
	fflush(stdout);
	while (!stop && now() < deadline) {
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return 1;
		while ((rc = libevdev_next_event(dev, LIBEVDEV_READ_FLAG_NORMAL,
		    &ev)) == LIBEVDEV_READ_STATUS_SUCCESS ||
		    rc == LIBEVDEV_READ_STATUS_SYNC) {
			const char *code = libevdev_event_code_get_name(ev.type,
			    ev.code);

			printf("%s %s %d\n", libevdev_event_type_get_name(
			    ev.type), code != NULL ? code : "?", ev.value);
		}
		if (rc != -EAGAIN && rc != -EINTR)
			return 1;
		fflush(stdout);
	}
	return 0;
}

/* Every code of type whose state is nonzero, named. */
static void
states(struct libevdev *dev, unsigned int type, const char *what)
{
	int any = 0;

	printf("%s:", what);
	for (int c = 0; c <= libevdev_event_type_get_max(type); c++)
		if (libevdev_has_event_code(dev, type, (unsigned int)c) &&
		    libevdev_get_event_value(dev, type, (unsigned int)c)) {
			printf(" %s", libevdev_event_code_get_name(type,
			    (unsigned int)c));
			any = 1;
		}
	printf("%s\n", any ? "" : " none");
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: evread [--timeout S] info|events|held|leds "
	    "NAME\n       evread led NAME LED_NAME 0|1\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct libevdev *dev;
	double timeout = 10;
	const char *cmd;
	char node[300];
	int r = 0;

	if (argc > 2 && strcmp(argv[1], "--timeout") == 0) {
		timeout = atof(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		usage();
	cmd = argv[1];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((dev = find(argv[2], strcmp(cmd, "info") == 0 ||
	    strcmp(cmd, "events") == 0 ? timeout : 0, node,
	    sizeof(node))) == NULL) {
		fprintf(stderr, "evread: no input device named \"%s\"\n",
		    argv[2]);
		return 1;
	}
	if (strcmp(cmd, "info") == 0)
		info(dev, node);
	else if (strcmp(cmd, "events") == 0)
		r = events(dev, timeout);
	else if (strcmp(cmd, "held") == 0)
		states(dev, EV_KEY, "held");
	else if (strcmp(cmd, "leds") == 0)
		states(dev, EV_LED, "leds");
	else if (strcmp(cmd, "led") == 0 && argc == 5) {
		int code = libevdev_event_code_from_name(EV_LED, argv[3]);
		struct input_event ev[2] = {
			{ .type = EV_LED, .code = (unsigned short)code,
			  .value = atoi(argv[4]) },
			{ .type = EV_SYN, .code = SYN_REPORT },
		};

		if (code < 0)
			usage();
		if (write(libevdev_get_fd(dev), ev, sizeof(ev)) !=
		    (ssize_t)sizeof(ev)) {
			perror("evread: write");
			r = 1;
		}
	} else
		usage();
	close(libevdev_get_fd(dev));
	libevdev_free(dev);
	return r;
}
