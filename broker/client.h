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
struct encoded;

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

/* A CopyRect due: dst gets what the client shows at src_x, src_y. */
struct update_copy {
	struct rect	dst;
	uint32_t	src_x, src_y;
};
/* CopyRects a client may have waiting; a move past them is damage. */
#define UPDATES_COPIES_MAX	8

/* Fence requests of a client waiting for their answer; more closes it. */
#define UPDATES_FENCE_QUEUE	4
/* Our own Fence requests (pings) out at once. */
#define PACING_PINGS		8

/*
 * Pacing of a client on ContinuousUpdates that has Fence: after each
 * update a Fence request goes out, and its answer says the client has
 * read everything before it.  From those come the round-trip time and how
 * much is in flight; an update starts only while less than the window is
 * in flight, and the window grows while round trips stay near the
 * shortest seen and shrinks when they grow (a queue is building up on the
 * way).  A slow link so gets fewer, fresher frames, not a longer queue.
 */
struct pacing {
	uint64_t	sent;		/* update bytes queued, all told */
	uint64_t	acked;		/* of them, read by the client */
	uint32_t	seq;		/* of the last ping sent */
	unsigned int	npings;		/* out, oldest first in ping[] */
	struct {
		uint32_t	seq;
		uint64_t	sent;	/* pace.sent when it went */
		uint64_t	at_ms;
	}		ping[PACING_PINGS];
	uint32_t	rtt_min_ms;	/* 0: none measured */
	uint32_t	rtt_ms;		/* the last */
	size_t		window;		/* bytes */
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
	int		cursor_enc;	/* lists Cursor: draws it itself */
	int		cursor_due;	/* a Cursor rectangle, its shape */
	int		last_rect;	/* understands LastRect */
	int		copyrect;	/* takes CopyRect */
	/* CopyRects from moves of the screen (scroll.h), to go ahead of
	 * the next update's pixels, in order; those of the update being
	 * encoded in busy_copies. */
	struct update_copy copies[UPDATES_COPIES_MAX];
	unsigned int	ncopies;
	struct update_copy busy_copies[UPDATES_COPIES_MAX];
	unsigned int	nbusy_copies;
	int		name_due;	/* a DesktopName rectangle */
	int		name_told;

	/* The update being encoded: it goes out when every part is ready
	 * (updates_encoded()), and no other starts before. */
	int		busy;
	int		busy_resize;	/* it carries the new size */
	struct encoded	*parts[ENCODE_JOB_MAX_RECTS];
	size_t		nparts;
	/* Zlib streams (ENCODER_ZLIB_STREAM) the client has seen the
	 * header of, a bit per encoder slot. */
	unsigned int	zlib_started;

	/* ContinuousUpdates: updates go without requests, for this area. */
	int		continuous;
	struct rect	cu_area;
	int		cu_end_due;	/* EndOfContinuousUpdates, after busy */
	/* Fence: the client's requests are answered after the update
	 * being encoded (a request says "after what came before"). */
	int		fence;		/* it listed Fence: we sent ours */
	unsigned int	fence_replies;	/* queued in fence_reply[] */
	struct {
		uint32_t	flags;
		uint8_t		len;
		uint8_t		payload[SESSION_FENCE_PAYLOAD_MAX];
	}		fence_reply[UPDATES_FENCE_QUEUE];
	struct pacing	pace;
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
void	updates_cursor_changed(void *arg, const struct rect *was,
	    const struct rect *now, int what);
void	updates_try(struct client *c);
int	updates_set_desktop_size(struct client *c, int status);
/* The keyboard LEDs changed (or became known): told to those who asked. */
void	updates_leds_changed(struct client *c);
void	updates_continuous(struct client *c, int enable, const struct rect *r);
void	updates_fence(struct client *c, uint32_t flags, const uint8_t *payload,
	    size_t len);

/* broker/paste.c: type a ClientCutText (Latin-1) on the layout, a
 * character every PASTE_TICK_MS; a paste while one is typing is refused. */
#define PASTE_TICK_MS	10
void	paste_start(struct client *c, const uint8_t *text, size_t len,
	    uint32_t total);
void	paste_stop(struct client *c);

#endif
