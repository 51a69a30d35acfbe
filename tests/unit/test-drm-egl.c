/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EGL reader where there is no card to read: it refuses, with a
 * reason a user can act on, and does not crash.  What it reads from a
 * card is tests/vm/egl.py's, in a guest that has one.
 */
#include "config.h"

#include <sys/mman.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture/drm.h"
#include "common/log.h"
#include "tests/tap.h"

static void
refused(int fd, const char *what, const char *expect)
{
	struct drm_egl *e;
	char why[512] = "";

	e = drm_egl_open(fd, why, sizeof(why));
	ok(e == NULL, "drm_egl_open refuses %s", what);
	ok(strstr(why, expect) != NULL, "and says why: \"%s\"", why);
	drm_egl_close(e);
}

int
main(void)
{
	int fd;

	log_init("test-drm-egl", LOG_LEVEL_WARN, LOG_TO_STDERR);

	refused(-1, "no descriptor", "descriptor -1 is not a DRM card");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		bail("/dev/null: cannot open");
	/* A character device, but not DRM's: DRM_IOCTL_VERSION fails. */
	refused(fd, "/dev/null", "is not a DRM card");
	close(fd);
	if ((fd = memfd_create("not-a-card", MFD_CLOEXEC)) < 0)
		bail("memfd_create failed");
	refused(fd, "a file", "is not a DRM card");
	close(fd);
	done_testing();
}
