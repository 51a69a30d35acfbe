/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client: the glue of one viewer.  A conn (its transport), a session (its
 * protocol), its role, its updates and its keyboard.  Everything it sends
 * towards the input helper passes one gate, where its role is checked.
 */
#ifndef RAMPART_CLIENT_H
#define RAMPART_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker.h"
#include "broker/damage.h"
#include "broker/keyboard.h"
#include "broker/pixfmt.h"
#include "broker/session.h"

struct conn;
struct encoder;

/* RFB pointer buttons that stay down (left, middle, right, back and the
 * forward of ExtendedMouseButtons), as opposed to the wheel's bits, which
 * are pressed and released at once. */
#define RFB_BUTTONS_HELD	(0x07 | SESSION_BUTTON_BACK | \
				 SESSION_BUTTON_FORWARD)

/* Output bytes a client may have unsent before we stop encoding for it:
 * a stalled client costs at most one update plus this. */
#define CLIENT_OUTPUT_LOW	(256 * 1024)
/* Replies other than updates (colour maps, later bells, clipboard) that
 * may wait on top of that; a client that keeps asking without reading is
 * closed. */
#define CLIENT_OUTPUT_SMALL	(64 * 1024)
/* Input bytes buffered for one incomplete message: SetEncodings with
 * 65535 encodings is the largest the protocol allows. */
#define CLIENT_INPUT_MAX	(4 + 65535 * 4)
/* A connection being refused is told why within this time, or closed. */
#define CLIENT_REFUSAL_SECONDS	5

enum client_role {
	CLIENT_CONTROL,		/* views, types and points */
	CLIENT_VIEW,		/* views only */
};

/* What one client asked for and has not been sent yet (updates.c). */
struct updates {
	struct pixconv	conv;
	const struct encoder *encoder;
	struct encode_settings settings;
	int		desktop_size;	/* understands DesktopSize */
	int		ext_desktop_size; /* and ExtendedDesktopSize */
	int		screens_due;	/* an ExtendedDesktopSize, reason 0 */
	struct layout	layout;		/* the screens it was told of */
	uint32_t	width, height;	/* the screen as this client knows it */
	struct damage	damage;		/* what changed since its last update */
	int		wanted;		/* a FramebufferUpdateRequest waits */
	struct rect	area;		/* the area it asked for */
	int		resize_pending;
	size_t		last_size;	/* bytes of its last update */
	/* Pseudo-encodings of input: what it offered, and the empty
	 * rectangles (confirmations) and LED states due in its next update. */
	int		qemu_keys_due;	/* confirm QEMU Extended Key Event */
	int		ext_mouse_due;	/* confirm ExtendedMouseButtons */
	int		leds_enc;	/* 0, SESSION_ENC_QEMU_LEDS or
					 * SESSION_ENC_VMWARE_LEDS */
	int		leds_due;
	int		leds_told;	/* it was told LEDs once */
	uint32_t	leds_sent;	/* IPC_LED_*, as last told */
};

/* A paste being typed (paste.c). */
struct paste {
	struct event	*ev;		/* the typing timer; NULL: none */
	uint8_t		text[SESSION_CUT_KEEP];
	size_t		len, pos;
	uint32_t	total;		/* bytes the client sent */
	unsigned int	typed, skipped;
};

struct client {
	TAILQ_ENTRY(client) entry;
	struct broker	*broker;
	unsigned int	id;
	char		tag[96];	/* "client N (peer)" */
	struct conn	*conn;
	struct session	session;
	enum client_role role;
	uint64_t	started_ms;
	struct event	*deadline_ev;	/* the handshake's end */
	const char	*listener;
	int		refusing;	/* only told why it is refused */
	int		tls_due;	/* start TLS (2: anonymous) */
	/* Logging in (auth.c). */
	char		addr[48];	/* the source address */
	struct auth_source *src;	/* while logging in */
	TAILQ_ENTRY(client) wait_entry;	/* waiting for the checker */
	int		waiting;
	uint16_t	question_type;	/* IPC_BRK2AUTH_PASSWORD or _VNC */
	union {
		struct ipc_auth_password password;
		struct ipc_auth_vnc vnc;
	} question;
	struct event	*answer_ev;	/* a failure, answered later */
	char		user[64];	/* the account, "" for none */
	int		secured;	/* past SecurityResult: a viewer */
	int		active;		/* past ClientInit: a viewer */
	int		input_held;	/* not read until the input helper
					 * catches up */
	int		gave_input;	/* its last message went to input */
	int		xt_unknown_said; /* an unknown scancode was logged */
	struct screen_sub sub;
	struct updates	up;
	struct keyboard	kb;
	struct paste	paste;
	uint16_t	buttons;	/* RFB button mask last sent */
	int		ptr_known;	/* a pointer event was sent */
	uint16_t	ptr_x, ptr_y;
};

/* Whether more bytes of a reply may be queued for c now; if not, c is
 * failed with a log line and the caller must not queue them. */
int	client_room(struct client *c, size_t more);

/* ServerInit goes out if the client waits for it and a frame is there. */
void	client_server_init(struct client *c);

/* broker/updates.c */
int	updates_start(struct client *c, const struct frame *f);
void	updates_free(struct client *c);
void	updates_set_encodings(struct client *c, const uint8_t *list,
	    size_t n);
void	updates_request(struct client *c, const struct rect *r,
	    int incremental);
void	updates_screen_changed(void *arg, const struct frame *f,
	    const struct damage *d);
void	updates_try(struct client *c);
int	updates_set_desktop_size(struct client *c, int status);
/* The keyboard LEDs changed (or became known): told to those who asked. */
void	updates_leds_changed(struct client *c);

/* broker/paste.c: type a ClientCutText (Latin-1) on the layout, a
 * character every PASTE_TICK_MS; a paste while one is typing is refused. */
#define PASTE_TICK_MS	10
void	paste_start(struct client *c, const uint8_t *text, size_t len,
	    uint32_t total);
void	paste_stop(struct client *c);

#endif
