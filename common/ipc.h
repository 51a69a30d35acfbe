/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/*
 * The types, in one range per direction.  Each range has FIRST and LAST
 * constants: a receiver accepts from its peer only the range of that
 * direction (channel.h), so a type sent the wrong way is refused before any
 * handler sees it.  New types go at the end of their range.
 */
enum ipc_type {
	/* supervisor -> broker */
	IPC_SV2BRK_FIRST = 0x0100,
	IPC_SV2BRK_CONFIG = IPC_SV2BRK_FIRST,	/* struct ipc_sv_config */
	IPC_SV2BRK_LISTENER,		/* struct ipc_sv_listener + fd */
	IPC_SV2BRK_CAPTURE_CHANNEL,	/* no payload + fd */
	IPC_SV2BRK_INPUT_CHANNEL,	/* no payload + fd */
	IPC_SV2BRK_START,		/* no payload: configuration done */
	IPC_SV2BRK_LOG_LEVEL,		/* struct ipc_log_level */
	IPC_SV2BRK_TLS,			/* struct ipc_sv_tls + blob fd */
	IPC_SV2BRK_KEY_CHANNEL,		/* no payload + fd: to the key holder */
	IPC_SV2BRK_AUTH_CHANNEL,	/* no payload + fd: to rampart-auth */
	IPC_SV2BRK_USERS,		/* struct ipc_sv_users + blob fd */
	IPC_SV2BRK_LAST = IPC_SV2BRK_USERS,

	/* broker -> supervisor: nothing (the range stays reserved) */
	IPC_BRK2SV_FIRST = 0x0200,
	IPC_BRK2SV_LAST = IPC_BRK2SV_FIRST - 1,

	/* capture -> broker */
	IPC_CAP2BRK_FIRST = 0x0300,
	IPC_CAP2BRK_RING = IPC_CAP2BRK_FIRST,	/* struct ipc_cap_ring + fd */
	IPC_CAP2BRK_FRAME,		/* struct ipc_cap_frame */
	IPC_CAP2BRK_CURSOR,		/* struct ipc_cap_cursor + blob fd */
	IPC_CAP2BRK_LAST = IPC_CAP2BRK_CURSOR,

	/* broker -> capture */
	IPC_BRK2CAP_FIRST = 0x0400,
	IPC_BRK2CAP_RELEASE = IPC_BRK2CAP_FIRST, /* struct ipc_brk_release */
	IPC_BRK2CAP_PAUSE,		/* no payload */
	IPC_BRK2CAP_RESUME,		/* no payload */
	IPC_BRK2CAP_RATE,		/* struct ipc_brk_rate */
	IPC_BRK2CAP_LOG_LEVEL,		/* struct ipc_log_level */
	IPC_BRK2CAP_ACTIVE,		/* no payload: a viewer acts now */
	IPC_BRK2CAP_LAST = IPC_BRK2CAP_ACTIVE,

	/* broker -> input */
	IPC_BRK2IN_FIRST = 0x0500,
	IPC_BRK2IN_KEY = IPC_BRK2IN_FIRST,	/* struct ipc_in_key */
	IPC_BRK2IN_POINTER,		/* struct ipc_in_pointer */
	IPC_BRK2IN_RELEASE_ALL,		/* no payload */
	IPC_BRK2IN_LOG_LEVEL,		/* struct ipc_log_level */
	IPC_BRK2IN_SCREEN,		/* struct ipc_in_screen */
	IPC_BRK2IN_LAST = IPC_BRK2IN_SCREEN,

	/* input -> broker */
	IPC_IN2BRK_FIRST = 0x0600,
	IPC_IN2BRK_LEDS = IPC_IN2BRK_FIRST,	/* struct ipc_in_leds */
	IPC_IN2BRK_STATUS,		/* struct ipc_in_status */
	IPC_IN2BRK_LAST = IPC_IN2BRK_STATUS,

	/* broker -> key holder (the supervisor, on a channel of its own) */
	IPC_BRK2KEY_FIRST = 0x0700,
	IPC_BRK2KEY_SIGN = IPC_BRK2KEY_FIRST,	/* struct ipc_key_sign */
	IPC_BRK2KEY_LAST = IPC_BRK2KEY_SIGN,

	/* key holder -> broker */
	IPC_KEY2BRK_FIRST = 0x0800,
	IPC_KEY2BRK_SIGNATURE = IPC_KEY2BRK_FIRST, /* struct ipc_key_signature */
	IPC_KEY2BRK_LAST = IPC_KEY2BRK_SIGNATURE,

	/* broker -> rampart-auth */
	IPC_BRK2AUTH_FIRST = 0x0900,
	IPC_BRK2AUTH_PASSWORD = IPC_BRK2AUTH_FIRST, /* struct ipc_auth_password */
	IPC_BRK2AUTH_VNC,		/* struct ipc_auth_vnc */
	IPC_BRK2AUTH_LOG_LEVEL,		/* struct ipc_log_level */
	IPC_BRK2AUTH_LAST = IPC_BRK2AUTH_LOG_LEVEL,

	/* rampart-auth -> broker */
	IPC_AUTH2BRK_FIRST = 0x0a00,
	IPC_AUTH2BRK_RESULT = IPC_AUTH2BRK_FIRST, /* struct ipc_auth_result */
	IPC_AUTH2BRK_LAST = IPC_AUTH2BRK_RESULT,
};

#define IPC_DESKTOP_NAME_MAX	64

struct ipc_sv_config {
	char		desktop_name[IPC_DESKTOP_NAME_MAX];	/* NUL-terminated */
};

/*
 * Security types a listener offers, a bit each.  The supervisor decides
 * them per listener from the options, and the broker offers exactly these.
 * A wildcard listener (0.0.0.0, ::) may offer something else to the
 * connections that reached it on a loopback address: security_local.
 *
 * The VeNCrypt subtypes (X509*, TLSPLAIN) are offered inside RFB security
 * type 19; VNCAUTH is type 2, NONE type 1.
 */
#define IPC_SEC_NONE		0x0001	/* None: no authentication */
#define IPC_SEC_VNCAUTH		0x0002	/* VNC authentication (DES) */
#define IPC_SEC_X509PLAIN	0x0004	/* VeNCrypt X509Plain (262) */
#define IPC_SEC_X509NONE	0x0008	/* VeNCrypt X509None (260): the
					 * client certificate names the user */
#define IPC_SEC_TLSPLAIN	0x0010	/* VeNCrypt TLSPlain (259): anonymous
					 * TLS, then a password */
#define IPC_SEC_VENCRYPT	(IPC_SEC_X509PLAIN | IPC_SEC_X509NONE | \
				 IPC_SEC_TLSPLAIN)
#define IPC_SEC_ALL		(IPC_SEC_NONE | IPC_SEC_VNCAUTH | \
				 IPC_SEC_VENCRYPT)

struct ipc_sv_listener {
	char		name[64];	/* for logs, NUL-terminated */
	uint32_t	security;	/* IPC_SEC_*: to every connection */
	uint32_t	security_local;	/* IPC_SEC_*: to loopback ones */
};

/*
 * The broker's TLS material, all of it public: a blob (blob.h) of
 * cert_len bytes of PEM certificate chain (the server's certificate
 * first), then ca_len bytes of PEM CA certificates that client
 * certificates must chain to (X509None; 0: none), then crl_len bytes of
 * PEM CRLs (0: none).  The private key stays with the key holder (below).
 * Sent before IPC_SV2BRK_START, and again after a reload: connections
 * from then on use the new material.
 */
#define IPC_TLS_MAX		(4U << 20)

struct ipc_sv_tls {
	uint32_t	cert_len;	/* >= 1 */
	uint32_t	ca_len;
	uint32_t	crl_len;
	uint32_t	generation;	/* counts reloads; signs quote it */
};

/*
 * The accounts as the broker may know them: names and roles, never a
 * hash.  A blob of len bytes of lines "NAME ROLE\n", ROLE "control" or
 * "view", NAME as in the users file (users.h).  Sent before
 * IPC_SV2BRK_START and after every reload; a client logged in as a user
 * no longer listed is disconnected, one whose role changed gets the new
 * role.  len 0: no accounts (and no blob).
 */
#define IPC_USERS_MAX		(1U << 20)

struct ipc_sv_users {
	uint32_t	len;		/* bytes of the blob, 0: none */
	uint32_t	pad;		/* zero */
};

/*
 * The key holder signs for the broker's TLS stack, which never sees the
 * private key (OpenBSD relayd's "ca" process).  One question, one answer,
 * asked synchronously: the broker waits for the answer (the supervisor
 * answers at once, a signature is tens of microseconds).
 *
 * IPC_SIGN_DIGEST: data is a message digest (len 20 .. 64) to sign with
 * the ECDSA key, the answer a DER ECDSA signature.  IPC_SIGN_RSA: data is
 * the input of the RSA private-key operation (len the key's size in bytes,
 * or less with PKCS #1 padding), padding RSA_PKCS1_PADDING or
 * RSA_NO_PADDING (PSS is padded by the broker's TLS stack), the answer the
 * key's size in bytes.
 */
#define IPC_SIGN_MAX		512	/* RSA 4096 */

enum ipc_sign_op {
	IPC_SIGN_DIGEST = 1,
	IPC_SIGN_RSA = 2,
};

struct ipc_key_sign {
	uint32_t	id;		/* echoed in the answer */
	uint32_t	op;		/* enum ipc_sign_op */
	uint32_t	padding;	/* IPC_SIGN_RSA: RSA_*_PADDING */
	uint32_t	len;		/* bytes of data used */
	uint32_t	generation;	/* of the certificate (ipc_sv_tls) */
	uint32_t	pad;		/* zero */
	uint8_t		data[IPC_SIGN_MAX];
};

struct ipc_key_signature {
	uint32_t	id;
	uint32_t	ok;		/* 1: sig holds len bytes; 0: refused */
	uint32_t	len;
	uint32_t	pad;		/* zero */
	uint8_t		sig[IPC_SIGN_MAX];
};

/*
 * Password checks, asked by the broker and answered by rampart-auth, which
 * alone holds the password hashes.  The id pairs answer and question.
 * Lengths are explicit; user and password hold no NUL byte (the broker
 * refuses such a client before it asks).  A user name longer than any
 * account's is asked as it is and fails like any unknown user, in the
 * same time.
 */
#define IPC_AUTH_USER_MAX	256
#define IPC_AUTH_PASSWORD_MAX	1024

struct ipc_auth_password {
	uint32_t	id;		/* set by channel_ask() */
	uint32_t	user_len;	/* 0 .. IPC_AUTH_USER_MAX */
	uint32_t	password_len;	/* 0 .. IPC_AUTH_PASSWORD_MAX */
	uint32_t	pad;		/* zero */
	char		user[IPC_AUTH_USER_MAX];
	char		password[IPC_AUTH_PASSWORD_MAX];
};

/* VNC authentication: the challenge we sent and the client's response. */
#define IPC_VNC_CHALLENGE	16

struct ipc_auth_vnc {
	uint32_t	id;		/* set by channel_ask() */
	uint32_t	pad;		/* zero */
	uint8_t		challenge[IPC_VNC_CHALLENGE];
	uint8_t		response[IPC_VNC_CHALLENGE];
};

enum ipc_auth_role {
	IPC_AUTH_REFUSED = 0,
	IPC_AUTH_CONTROL = 1,		/* may view, type and point */
	IPC_AUTH_VIEW = 2,		/* may only view */
};

struct ipc_auth_result {
	uint32_t	id;		/* the id of the question */
	uint32_t	role;		/* enum ipc_auth_role */
};

/*
 * The frame ring: one memfd of nslots slots of slot_size bytes, slot k at
 * offset k * slot_size, sealed so that only the capture helper's own
 * mapping can write it (ring.h).
 */
#define IPC_RING_SLOTS_MAX	8

#define IPC_SCREENS_MAX		8

/*
 * One monitor inside the frame, for the screens of RFB's
 * ExtendedDesktopSize: several outputs are captured side by side into one
 * frame.  Screens lie inside the frame and do not overlap.
 */
struct ipc_screen {
	uint32_t	id;		/* stable while the output exists */
	uint16_t	x, y;
	uint16_t	width, height;	/* >= 1 */
};

struct ipc_cap_ring {
	uint32_t	ring_id;	/* new for every ring of a capture */
	uint32_t	nslots;		/* 2 .. IPC_RING_SLOTS_MAX */
	uint64_t	slot_size;	/* bytes, a multiple of the page size */
	/* The monitors of the frames in this ring; 0: one, the whole frame. */
	uint32_t	nscreens;	/* 0 .. IPC_SCREENS_MAX */
	uint32_t	pad;		/* zero */
	struct ipc_screen screens[IPC_SCREENS_MAX];
};

enum ipc_frame_kind {
	IPC_FRAME_PIXELS = 1,		/* width x height pixels, rows stride apart */
	IPC_FRAME_JPEG = 2,		/* a JPEG image of length bytes */
};

/*
 * How the captured picture must be turned to show the screen upright:
 * a rotation, counter-clockwise, after an optional mirroring about the
 * vertical axis (Wayland's wl_output_transform, and DRM's plane
 * rotation).  The broker maps a client's pointer position back through it
 * to the device's coordinates.
 */
#define IPC_TRANSFORM_NORMAL	0
#define IPC_TRANSFORM_90	1
#define IPC_TRANSFORM_180	2
#define IPC_TRANSFORM_270	3
#define IPC_TRANSFORM_FLIPPED	4	/* | one of the four above */
#define IPC_TRANSFORM_MAX	7

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
	uint32_t	transform;	/* IPC_TRANSFORM_*, 0 .. MAX */
	uint32_t	tiles;		/* IPC_TILES_* */
};

/*
 * What changed since the frame before (seq - 1, same ring), as the capture
 * helper found while copying it out, so that the broker compares nothing:
 * IPC_TILES_MAP puts a map of TILE_SIDE-pixel tiles in the slot after the
 * pixels, at tiles_map_offset(length), tiles_map_size(width, height) bytes
 * (common/tiles.h), one byte a tile in rows, nonzero where it changed.
 */
#define IPC_TILES_NONE		0	/* no map: compare */
#define IPC_TILES_MAP		1

/*
 * The cursor: its image travels as a blob (blob.h), width * height
 * XRGB8888 pixels with alpha in the top byte (ARGB8888), rows packed;
 * size 0 (and no image) when only the position moved.  A hidden cursor
 * is visible = 0.  blend says how its alpha applies, as DRM's "pixel
 * blend mode" (common/blend.h): pre-multiplied colour (0, the default),
 * coverage, or none.  The frames do not show it: the broker draws it for
 * viewers that cannot draw it themselves.
 */
#define IPC_CURSOR_MAX_SIDE	256

struct ipc_cap_cursor {
	uint64_t	size;		/* bytes of the blob: width * height * 4 */
	uint32_t	width, height;	/* 1 .. IPC_CURSOR_MAX_SIDE */
	uint32_t	hot_x, hot_y;	/* inside the image */
	int32_t		x, y;		/* of the hot spot, on the screen */
	uint32_t	visible;	/* 0 or 1 */
	uint32_t	blend;		/* BLEND_*, 0 .. BLEND_MODE_MAX */
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

/*
 * The screen the pointer positions are on, as the viewers see it: its size
 * in pixels, and how the captured picture was turned to show it upright
 * (IPC_TRANSFORM_*).  Sent before the first pointer event and whenever it
 * changes.  Pointer positions are upright (what the viewer pointed at); a
 * sink whose device reports in the panel's own orientation (a touch
 * screen) maps them back through transform, and a relative mouse moves by
 * pixels.
 */
struct ipc_in_screen {
	uint32_t	width;		/* 1 .. 65535 */
	uint32_t	height;		/* 1 .. 65535 */
	uint32_t	transform;	/* IPC_TRANSFORM_*, 0 .. MAX */
	uint32_t	pad;		/* zero */
};

/* Keyboard LEDs of the target, as its host set them. */
#define IPC_LED_NUM_LOCK	0x01
#define IPC_LED_CAPS_LOCK	0x02
#define IPC_LED_SCROLL_LOCK	0x04

struct ipc_in_leds {
	uint32_t	leds;		/* IPC_LED_* */
};

/* How the sink is doing: a HID gadget whose host sleeps cannot type. */
enum ipc_sink_state {
	IPC_SINK_READY = 1,
	IPC_SINK_BLOCKED = 2,		/* events wait for the target */
	IPC_SINK_FAILED = 3,
};

struct ipc_in_status {
	uint32_t	state;		/* enum ipc_sink_state */
	char		text[60];	/* for logs, NUL-terminated */
};

const char *ipc_type_name(uint16_t type);
/* 0 when a message of this type has len payload bytes and carries a
 * descriptor exactly when have_fd says, else -1. */
int	ipc_valid(uint16_t type, size_t len, int have_fd);

#define IPC_PAYLOAD_MAX	1536
#define IPC_MSG_MAX	(sizeof(struct ipc_hdr) + IPC_PAYLOAD_MAX)

struct ipc_msg {
	struct ipc_hdr	hdr;
	union {
		struct ipc_sv_config	sv_config;
		struct ipc_sv_listener	sv_listener;
		struct ipc_sv_tls	sv_tls;
		struct ipc_sv_users	sv_users;
		struct ipc_key_sign	key_sign;
		struct ipc_key_signature key_signature;
		struct ipc_auth_password auth_password;
		struct ipc_auth_vnc	auth_vnc;
		struct ipc_auth_result	auth_result;
		struct ipc_cap_ring	cap_ring;
		struct ipc_cap_frame	cap_frame;
		struct ipc_cap_cursor	cap_cursor;
		struct ipc_brk_release	brk_release;
		struct ipc_brk_rate	brk_rate;
		struct ipc_in_key	in_key;
		struct ipc_in_pointer	in_pointer;
		struct ipc_in_screen	in_screen;
		struct ipc_in_leds	in_leds;
		struct ipc_in_status	in_status;
		struct ipc_log_level	log_level;
		uint8_t			raw[IPC_PAYLOAD_MAX];
	} u;
};

/*
 * The primitives under struct channel (channel.h), which every process
 * uses; tests use them to play a peer.
 *
 * Send one message without blocking, with fd >= 0 attached where the type
 * carries one.  Returns 0, or -1 with errno set: EAGAIN when the peer has
 * not read enough to make room.
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

/* Parse one received packet; the part of ipc_recv() that fuzzing reaches. */
int	ipc_decode(const void *buf, size_t len, int have_fd, struct ipc_msg *msg,
	    uint16_t first, uint16_t last);

#endif
