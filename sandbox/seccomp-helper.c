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
 * Capture: a new frame ring on a change of mode is a sealed memfd, and the
 * replay source reads its file at offsets.
 */
static const int capture_allow[] = {
	SCMP_SYS(memfd_create), SCMP_SYS(ftruncate), SCMP_SYS(ftruncate64),
	SCMP_SYS(pread64),
};

static const int capture_fcntl[] = { F_ADD_SEALS, F_GET_SEALS,
    F_DUPFD_CLOEXEC };

int
seccomp_policy_capture(scmp_filter_ctx ctx)
{
	if (seccomp_allow(ctx, capture_allow, nitems(capture_allow)) < 0 ||
	    seccomp_allow_fcntl(ctx, capture_fcntl,
	    nitems(capture_fcntl)) < 0)
		return -1;
	/*
	 * Device ioctls of the capture sources go here, each by value with
	 * seccomp_allow_values(ctx, SCMP_SYS(ioctl), 1, ...), when the
	 * sources that need them come: DRM (DRM_IOCTL_MODE_GETFB2,
	 * DRM_IOCTL_PRIME_HANDLE_TO_FD, DRM_IOCTL_GEM_CLOSE,
	 * DMA_BUF_IOCTL_SYNC), V4L2 (VIDIOC_QBUF, VIDIOC_DQBUF, ...).  Until
	 * then any ioctl but the terminal probe of the base kills.
	 */
	return 0;
}

int
seccomp_policy_input(scmp_filter_ctx ctx)
{
	/*
	 * Events are write()s to a uinput or HID gadget descriptor set up
	 * before the sandbox: that is in the base.  Creating or changing a
	 * uinput device after start-up would need its ioctls here, each by
	 * value with seccomp_allow_values(ctx, SCMP_SYS(ioctl), 1, ...):
	 * UI_SET_EVBIT, UI_SET_KEYBIT, UI_SET_RELBIT, UI_SET_ABSBIT,
	 * UI_ABS_SETUP, UI_DEV_SETUP, UI_DEV_CREATE, UI_DEV_DESTROY.  Until
	 * then any ioctl but the terminal probe of the base kills.
	 */
	(void)ctx;
	return 0;
}
