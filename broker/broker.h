/*
 * rampart-broker: the unprivileged process that speaks RFB.
 *
 * It holds the listening sockets, a channel to the supervisor (IPC_FD), a
 * channel to the capture helper (frames in a read-only ring) and one to the
 * input helper.  Everything here runs on one libevent loop.
 */
#ifndef RAMPART_BROKER_H
#define RAMPART_BROKER_H

#include <sys/queue.h>

#include <stdint.h>

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#include "broker/damage.h"
#include "broker/keyboard.h"
#include "broker/pixfmt.h"
#include "common/ipc.h"
#include "common/ring.h"

/* RFB pointer buttons that stay down (left, middle, right, back), as
 * opposed to the wheel's bits, which are pressed and released at once. */
#define RFB_BUTTONS_HELD	0x87

struct bufferevent;
struct event;
struct event_base;
struct evbuffer;
struct encoder;

#define BROKER_MAX_CLIENTS	64

/* Output bytes a client may have unsent before we stop encoding for it:
 * a stalled client costs at most one update plus this. */
#define CLIENT_OUTPUT_LOW	(256 * 1024)
/* Input bytes buffered for one incomplete message: SetEncodings with
 * 65535 encodings is the largest the protocol allows. */
#define CLIENT_INPUT_MAX	(4 + 65535 * 4)
/* A client must reach ServerInit this soon, or it is closed: idle
 * half-open connections must not hold the places of real viewers. */
#define CLIENT_HANDSHAKE_SECONDS	30
/* ClientCutText longer than this closes the client. */
#define CLIENT_CUT_TEXT_MAX	(1024 * 1024)

enum client_state {
	CLIENT_VERSION,		/* waiting for the ProtocolVersion */
	CLIENT_SECURITY,	/* waiting for the security type (3.7, 3.8) */
	CLIENT_INIT,		/* waiting for ClientInit */
	CLIENT_WAIT_SCREEN,	/* ClientInit read, no frame to describe yet */
	CLIENT_NORMAL,
	CLIENT_CLOSING,		/* flushing a failure reason, then closed */
};

struct client {
	TAILQ_ENTRY(client) entry;
	struct broker	*broker;
	struct bufferevent *bev;	/* NULL when driven by a fuzz target */
	struct evbuffer	*out;
	char		peer[64];
	unsigned int	id;

	enum client_state state;
	int		minor;		/* 3, 7 or 8 */
	int		allow_none;	/* local connection: security None */
	uint64_t	skip;		/* bytes of ClientCutText still to drop */

	struct pixconv	conv;
	const struct encoder *encoder;
	int		desktop_size;	/* understands the DesktopSize rectangle */

	uint32_t	width, height;	/* the screen as this client knows it */
	struct damage	damage;		/* what changed since its last update */
	int		update_wanted;	/* a FramebufferUpdateRequest is pending */
	struct rect	wanted;		/* the area it asked for */
	int		resize_pending;

	struct keyboard	kb;
	uint8_t		buttons;	/* RFB button mask last sent */
	int		ptr_known;	/* a pointer event was sent */
	uint16_t	ptr_x, ptr_y;
};

TAILQ_HEAD(client_list, client);

/* The screen: the latest frame, read in place in the frame ring. */
struct screen {
	int		capture_fd;	/* -1 while capture is down */
	struct event	*capture_ev;
	struct frame_ring *ring;	/* the newest ring announced */
	struct frame_ring *cur_ring;	/* the ring holding the current frame */
	int		cur_slot;	/* -1: no frame yet */
	int		cur_live;	/* the slot must be released */
	uint32_t	width, height, stride;
	uint64_t	next_seq;	/* frames must come in order */
	struct damage	frame_damage;	/* scratch: damage of the last frame */
	int		paused;		/* what we last told the capture helper */
};

struct broker {
	struct event_base *base;
	struct client_list clients;
	unsigned int	nclients;
	unsigned int	next_id;
	char		desktop_name[IPC_DESKTOP_NAME_MAX];

	int		sv_fd;
	struct event	*sv_ev;
	int		started;

	struct screen	screen;

	int		input_fd;	/* -1 while input is down */
	struct event	*input_ev;
};

/* broker/listener.c */
int	listener_add(struct broker *b, int fd, const struct ipc_sv_listener *l);

/* broker/client.c */
struct client *client_new(struct broker *b, int fd, const char *peer,
	    int allow_none);
void	client_close(struct client *c, const char *why);
long	client_feed(struct client *c, const uint8_t *buf, size_t len);
keyboard_emit_fn client_emit_key;
void	client_fail(struct client *c, const char *reason);
void	client_initialized(struct client *c);
void	client_screen_ready(struct client *c);
void	client_screen_changed(struct client *c, const struct damage *d);
void	client_try_update(struct client *c);

/* broker/rfb.c: the protocol, on bytes; returns bytes consumed, 0 when
 * more are needed, -1 when the client must be closed. */
long	rfb_input(struct client *c, const uint8_t *buf, size_t len);
void	rfb_send_server_init(struct client *c);
int	rfb_send_update(struct client *c);
void	rfb_client_init(struct client *c);

/* broker/screen.c */
void	screen_init(struct screen *s);
void	screen_set_capture(struct broker *b, int fd);
void	screen_clients_changed(struct broker *b);
int	screen_has_frame(const struct screen *s);
const uint8_t *screen_pixels(const struct screen *s);

/* broker/input-channel.c */
void	input_set_channel(struct broker *b, int fd);
void	input_key(struct broker *b, uint16_t code, int down);
void	input_pointer(struct broker *b, const struct ipc_in_pointer *p);

#endif
