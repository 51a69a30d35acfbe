/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/ioctl.h>

#include <fcntl.h>

#include "sandbox/internal.h"

/*
 * The broker on top of the base policy: a network server on sockets it was
 * handed (listeners from the supervisor, the channels to the helpers) and
 * sockets it accepts.  It creates none (socket() fails with EACCES in the
 * base), and it checks the seals of a frame ring before mapping it.
 */

static const int broker_allow[] = {
	SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(shutdown),
};

static const int broker_fcntl[] = { F_GET_SEALS };

/* libevent asks how much a socket holds before reading it. */
static const unsigned long broker_ioctl[] = { FIONREAD };

int
filter_policy_broker(scmp_filter_ctx ctx)
{
	if (filter_allow(ctx, broker_allow, nitems(broker_allow)) < 0 ||
	    filter_allow_fcntl(ctx, broker_fcntl, nitems(broker_fcntl)) < 0 ||
	    filter_allow_values(ctx, SCMP_SYS(ioctl), 1, broker_ioctl,
	    nitems(broker_ioctl)) < 0)
		return -1;
	return 0;
}
