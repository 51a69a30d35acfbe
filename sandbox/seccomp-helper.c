/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>

#include "sandbox/internal.h"

/*
 * The privileged helpers on top of the base policy.  They talk only over
 * the socketpairs they were started with (recvmsg, sendmsg: in the base)
 * and open every device and file before entering the sandbox.
 */

/*
 * Capture: a new frame ring on a change of mode, and a new cursor image,
 * are sealed memfds.  What one source reads its device or file with is
 * that source's own need (the replay source maps its file before).
 */
static const int capture_allow[] = {
	SCMP_SYS(memfd_create), SCMP_SYS(ftruncate), SCMP_SYS(ftruncate64),
};

static const int capture_fcntl[] = { F_ADD_SEALS, F_GET_SEALS,
    F_DUPFD_CLOEXEC };

int
filter_policy_capture(scmp_filter_ctx ctx)
{
	if (filter_allow(ctx, capture_allow, nitems(capture_allow)) < 0 ||
	    filter_allow_fcntl(ctx, capture_fcntl,
	    nitems(capture_fcntl)) < 0)
		return -1;
	/*
	 * Device ioctls are not here: each source declares its own in its
	 * sandbox_needs (DRM: DRM_IOCTL_MODE_GETFB2, PRIME_HANDLE_TO_FD,
	 * GEM_CLOSE, DMA_BUF_IOCTL_SYNC; V4L2: VIDIOC_QBUF, VIDIOC_DQBUF,
	 * ...), added by sandbox_seccomp_load() for that source alone.
	 * Without them any ioctl but the terminal probe of the base kills.
	 */
	return 0;
}

int
filter_policy_input(scmp_filter_ctx ctx)
{
	/*
	 * Events are write()s to a uinput or HID gadget descriptor set up
	 * before the sandbox: that is in the base.  A sink that must change
	 * its device after start-up (UI_DEV_CREATE, UI_DEV_DESTROY, ...)
	 * declares those ioctls in its sandbox_needs.  Without them any
	 * ioctl but the terminal probe of the base kills.
	 */
	(void)ctx;
	return 0;
}
