/*
 * Every message that crosses a process boundary in rampart.
 *
 * Channels are SOCK_SEQPACKET socketpairs: one packet is one message, a
 * struct ipc_hdr followed by exactly the payload its type defines.  A
 * receiver accepts a message only at its exact size and with this protocol
 * version (ipc_recv() checks both), then validates every field before use.
 * Types are grouped in ranges by sender and receiver so that each side can
 * tell at once whether a type may come from its peer at all.
 *
 * Fixed file descriptors of the helpers, set up by the supervisor before
 * exec: IPC_FD (3) is the helper's channel: to the broker for
 * rampart-capture and rampart-input, to the supervisor for rampart-broker.
 */
#ifndef RAMPART_IPC_H
#define RAMPART_IPC_H

#include <stdint.h>

#define IPC_VERSION		1
#define IPC_FD			3

struct ipc_hdr {
	uint16_t	type;
	uint16_t	version;
	uint32_t	pad;		/* zero */
};

enum ipc_type {
	/* supervisor -> broker */
	IPC_SV_CONFIG = 0x0100,		/* struct ipc_sv_config */
	IPC_SV_LISTENER,		/* struct ipc_sv_listener + fd */
	IPC_SV_CAPTURE_CHANNEL,		/* no payload + fd */
	IPC_SV_INPUT_CHANNEL,		/* no payload + fd */
	IPC_SV_START,			/* no payload: configuration done */
	IPC_SV_LOG_LEVEL,		/* struct ipc_log_level */

	/* capture -> broker */
	IPC_CAP_RING = 0x0300,		/* struct ipc_cap_ring + fd */
	IPC_CAP_FRAME,			/* struct ipc_cap_frame */

	/* broker -> capture */
	IPC_BRK_RELEASE = 0x0400,	/* struct ipc_brk_release */
	IPC_BRK_PAUSE,			/* no payload */
	IPC_BRK_RESUME,			/* no payload */
	IPC_BRK_RATE,			/* struct ipc_brk_rate */
	IPC_BRK_LOG_LEVEL,		/* struct ipc_log_level */

	/* broker -> input */
	IPC_IN_KEY = 0x0500,		/* struct ipc_in_key */
	IPC_IN_POINTER,			/* struct ipc_in_pointer */
	IPC_IN_RELEASE_ALL,		/* no payload */
	IPC_IN_LOG_LEVEL,		/* struct ipc_log_level */
};

#define IPC_DESKTOP_NAME_MAX	64

struct ipc_sv_config {
	char		desktop_name[IPC_DESKTOP_NAME_MAX];	/* NUL-terminated */
};

/* Whether a connection may use security None is read off the socket it
 * came in on, not told: the broker asks the socket itself. */
struct ipc_sv_listener {
	char		name[64];	/* for logs, NUL-terminated */
};

/*
 * The frame ring: one sealed memfd of nslots slots of slot_size bytes,
 * slot k at offset k * slot_size.  The fd that travels is read-only.
 */
#define IPC_RING_SLOTS_MAX	8

struct ipc_cap_ring {
	uint32_t	ring_id;	/* new for every ring of a capture */
	uint32_t	nslots;		/* 2 .. IPC_RING_SLOTS_MAX */
	uint64_t	slot_size;	/* bytes, a multiple of the page size */
};

enum ipc_frame_kind {
	IPC_FRAME_PIXELS = 1,		/* width x height pixels, rows stride apart */
	IPC_FRAME_JPEG = 2,		/* a JPEG image of length bytes */
};

struct ipc_cap_frame {
	uint64_t	seq;		/* increasing for each frame of a capture */
	uint32_t	ring_id;
	uint32_t	slot;
	uint32_t	kind;		/* enum ipc_frame_kind */
	uint32_t	width;
	uint32_t	height;
	uint32_t	stride;		/* bytes per row (pixels) */
	uint32_t	fourcc;		/* DRM fourcc (pixels) */
	uint32_t	length;		/* bytes used in the slot */
};

/*
 * The log level, changed while running (SIGHUP): supervisor -> broker,
 * which applies it and passes it on to the capture and input helpers.
 */
struct ipc_log_level {
	uint32_t	level;		/* enum log_level: 0 error .. 3 debug */
};

struct ipc_brk_release {
	uint32_t	ring_id;
	uint32_t	slot;
};

struct ipc_brk_rate {
	uint32_t	fps;		/* 1 .. 240: most frames a second wanted */
};

struct ipc_in_key {
	uint16_t	code;		/* Linux KEY_* code, 1 .. KEY_MAX */
	uint8_t		down;		/* 1 press, 0 release */
	uint8_t		pad;		/* zero */
};

/* Buttons of struct ipc_in_pointer. */
#define IPC_BTN_LEFT		0x01
#define IPC_BTN_MIDDLE		0x02
#define IPC_BTN_RIGHT		0x04
#define IPC_BTN_SIDE		0x08
#define IPC_BTN_EXTRA		0x10
#define IPC_BTN_ALL		0x1f

struct ipc_in_pointer {
	uint16_t	x;		/* 0 .. 65535 across the screen */
	uint16_t	y;		/* 0 .. 65535 down the screen */
	uint8_t		buttons;	/* IPC_BTN_* held now */
	uint8_t		pad;		/* zero */
	int8_t		wheel;		/* notches: > 0 up, < 0 down */
	int8_t		hwheel;		/* notches: > 0 right, < 0 left */
};

/* The payload size of each type and whether it carries a file descriptor;
 * -1 for a type that does not exist. */
int	ipc_payload_size(uint16_t type);
int	ipc_carries_fd(uint16_t type);
const char *ipc_type_name(uint16_t type);

#define IPC_MSG_MAX	(sizeof(struct ipc_hdr) + 128)

struct ipc_msg {
	struct ipc_hdr	hdr;
	union {
		struct ipc_sv_config	sv_config;
		struct ipc_sv_listener	sv_listener;
		struct ipc_cap_ring	cap_ring;
		struct ipc_cap_frame	cap_frame;
		struct ipc_brk_release	brk_release;
		struct ipc_brk_rate	brk_rate;
		struct ipc_in_key	in_key;
		struct ipc_in_pointer	in_pointer;
		struct ipc_log_level	log_level;
		uint8_t			raw[128];
	} u;
};

/*
 * Send one message, with fd >= 0 attached where the type carries one.
 * Returns 0, or -1 with errno set.
 */
int	ipc_send(int sock, uint16_t type, const void *payload, size_t len,
	    int fd);

/*
 * Receive one message without blocking.  Returns 1 with *msg filled (and
 * *fd the received descriptor, or -1), 0 on end of file, -1 with errno:
 * EAGAIN when nothing is there, EPROTO for a message of a bad size,
 * version or type, or an fd where none belongs (the fd is closed).
 * Only types in [first, last] are accepted: a peer may send only its own.
 */
int	ipc_recv(int sock, struct ipc_msg *msg, int *fd, uint16_t first,
	    uint16_t last);

/*
 * Hand every message waiting on sock (at most IPC_DRAIN_BURST, so that one
 * busy channel does not starve the rest of an event loop) to fn, with its
 * descriptor or -1.  Returns IPC_OPEN when the channel is still usable, or
 * why it is done: end of file, a bad message (errno tells), or fn refused
 * a message by returning -1.
 */
#define IPC_DRAIN_BURST	64

enum ipc_drain {
	IPC_OPEN,
	IPC_EOF,
	IPC_BAD,
	IPC_REFUSED,
};

typedef int ipc_handler_fn(void *arg, const struct ipc_msg *msg, int fd);

enum ipc_drain ipc_drain(int sock, uint16_t first, uint16_t last,
	    ipc_handler_fn *fn, void *arg);
const char *ipc_drain_reason(enum ipc_drain why);

/* Parse one received packet; the part of ipc_recv() that fuzzing reaches. */
int	ipc_decode(const void *buf, size_t len, int have_fd, struct ipc_msg *msg,
	    uint16_t first, uint16_t last);

#endif
