/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-broker: the unprivileged process that speaks RFB.
 *
 * It holds the listening sockets, a channel to the supervisor (IPC_FD), a
 * channel to the capture helper (frames in a read-only ring) and one to the
 * input helper.  Everything here runs on one libevent loop, in layers:
 *
 *   listener   accepts, with the security types of its listener
 *   client     one viewer: conn + session + role + its updates (client.c,
 *              updates.c); all its input goes through one gate
 *   session    the RFB protocol on bytes (session.c)
 *   conn       the transport, a stack of bufferevents (conn.c)
 *   screen     frames from the capture helper, with references, and their
 *              damage, handed to subscribers (screen.c, frame.c, damage.c)
 *   encoders   jobs that turn a frame's rectangles into bytes (encoders/)
 *
 * Calls go down; events come up through callbacks set at creation.
 */
#ifndef RAMPART_BROKER_H
#define RAMPART_BROKER_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#include "broker/cursor.h"
#include "broker/damage.h"
#include "broker/encoders/encoder.h"
#include "broker/pool.h"
#include "broker/frame.h"
#include "broker/keyboard.h"
#include "common/channel.h"
#include "common/ipc.h"

/* Milliseconds on the monotonic clock. */
static inline uint64_t
broker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct event;
struct evconnlistener;
struct bufferevent;
struct event_base;
struct sandbox;
struct client;

/* Viewers: connections past authentication. */
#define BROKER_MAX_CLIENTS	64
/* Connections not authenticated yet, all together and from one source
 * address: they can never take the places of viewers (sshd's
 * MaxStartups, per source as its PerSourceMaxStartups). */
#define BROKER_MAX_UNAUTH	64
#define BROKER_MAX_UNAUTH_PER_ADDR	8
/* Connections being refused with a reason at once; past this, closed
 * without one. */
#define BROKER_MAX_REFUSING	32
/* The whole handshake, from the connection to ServerInit, by default. */
#define BROKER_HANDSHAKE_SECONDS	20
/* Keysyms without a key that were logged (each once). */
#define BROKER_UNKNOWN_KEYSYMS	64

/* Input messages queued for the input helper past which the clients that
 * send input are not read until it catches up; past IN_QUEUE_MAX it is
 * dropped as stuck.  One client message makes at most a few. */
#define IN_QUEUE_THROTTLE	256
#define IN_QUEUE_MAX		1024

/* Someone who wants each new frame and what changed in it. */
struct screen_sub {
	TAILQ_ENTRY(screen_sub) entry;
	void		(*changed)(void *arg, const struct frame *f,
			    const struct damage *d);
	/* The cursor changed (what: CURSOR_*): where it was drawn and where
	 * it is drawn now, w 0 for nowhere.  NULL: not wanted. */
	void		(*cursor)(void *arg, const struct rect *was,
			    const struct rect *now, int what);
	void		*arg;
	int		moves;		/* it takes the frame's moves */
};

TAILQ_HEAD(screen_subs, screen_sub);

/* The screen: the newest frame, read in place in the frame ring. */
struct screen {
	struct broker	*broker;
	struct channel	*capture;	/* NULL while capture is down */
	unsigned int	capture_gen;	/* counts capture channels */
	struct ring_map	*ring;		/* the newest ring announced */
	struct frame	*cur;		/* the current frame, NULL: none yet */
	uint64_t	next_seq;	/* frames must come in order */
	struct damage	frame_damage;	/* scratch: damage of the last frame */
	struct scroll_scratch scroll;	/* scroll_detect()'s memory */
	uint8_t		*moved;		/* the current frame's moves, by tile
					 * (damage.h, DAMAGE_MOVE_*) */
	int		paused;		/* what we last told the capture helper */
	uint64_t	active_ms;	/* IPC_BRK2CAP_ACTIVE last sent */
	int		unavailable;	/* showing our own notice */
	struct event	*notice_ev;	/* capture down for a while: notice */
	struct screen_subs subs;

	struct cursor	cursor;		/* as the capture helper says */
	/* The current frame with the cursor drawn in, for viewers that do
	 * not draw it themselves (screen_drawn_frame()); NULL: none made
	 * for this frame and cursor yet. */
	struct frame	*drawn;
	struct rect	drawn_at;	/* where the cursor is in it */
	/* The pixels of an earlier one that no one reads any more, to draw
	 * the next one into: the cursor at spare_at, and the frame they
	 * were copied from changed since where spare_damage says.  While a
	 * job still reads the last one, it waits in pending (our reference)
	 * to become the spare. */
	uint8_t		*spare;
	uint32_t	spare_w, spare_h;
	struct rect	spare_at;
	struct damage	spare_damage;
	struct frame	*pending;
	struct rect	pending_at;
	unsigned int	drawn_made;	/* drawn frames made, for tests */
};

/* What the broker knows of the input helper. */
struct input_link {
	struct channel	*ch;		/* NULL while input is down */
	struct ipc_in_pointer motion;	/* the newest pointer state */
	int		motion_pending;	/* not sent yet */
	uint64_t	motion_sent_ms;
	uint8_t		buttons;	/* as last sent */
	struct event	*motion_ev;
	uint32_t	leds;		/* IPC_LED_*, as the sink reported */
	int		leds_known;	/* it reported them once */
	struct ipc_in_screen screen;	/* as last told; width 0: never */
};

TAILQ_HEAD(client_list, client);
TAILQ_HEAD(client_waitq, client);

/* Who may type when several viewers with control are there. */
enum sharing {
	SHARING_SHARED,		/* every viewer with control */
	SHARING_EXCLUSIVE_CONTROL, /* the first; the others watch */
	SHARING_EXCLUSIVE,	/* a non-shared connection displaces all */
};

/* A source address, as far as logging in goes (auth.c). */
struct auth_source {
	TAILQ_ENTRY(auth_source) entry;	/* all of them */
	TAILQ_ENTRY(auth_source) turn;	/* waiting for the checker */
	char		addr[48];
	unsigned int	unauth;		/* its connections logging in */
	unsigned int	failures;	/* failed logins, recently */
	uint64_t	last_failure_ms;
	uint64_t	penalty_until_ms;	/* refused until then */
	int		in_turn;
	struct client_waitq waiting;	/* clients with a check to ask */
};

TAILQ_HEAD(auth_sources, auth_source);

/* Failed logins to one user name, from anywhere. */
struct auth_user_failures {
	char		name[64];
	unsigned int	failures;
	uint64_t	last_ms;
};

#define AUTH_SOURCES_MAX	1024
#define AUTH_USERS_TRACKED	256

/* The accounts as the broker knows them: names and roles only. */
struct directory_entry {
	char		name[64];
	int		control;	/* 1: control, 0: view */
};

/* Logging in: the checker (rampart-auth), fairly shared by sources. */
struct auth {
	struct channel	*ch;		/* NULL while rampart-auth is down */
	struct client	*asking;	/* whose question is out */
	int		asking_gone;	/* it went away meanwhile */
	uint32_t	asking_id;
	struct auth_sources sources;
	struct auth_sources turns;	/* round robin of the waiting */
	unsigned int	nsources;
	struct auth_user_failures users[AUTH_USERS_TRACKED];
	struct directory_entry *dir;	/* IPC_SV2BRK_USERS */
	size_t		ndir;
};

/* One listening socket and the security types it offers. */
#define BROKER_MAX_LISTENERS	16

struct listener {
	struct evconnlistener	*ev;
	struct broker		*broker;
	struct ipc_sv_listener	 info;
};

struct broker {
	struct event_base *base;
	struct client_list clients;
	unsigned int	nclients;
	unsigned int	nactive;	/* clients past ClientInit */
	unsigned int	next_id;
	char		desktop_name[IPC_DESKTOP_NAME_MAX];

	struct channel	*sv;		/* to the supervisor */
	struct sandbox	*sandbox;	/* entered at IPC_SV2BRK_START */
	int		started;

	struct listener	listeners[BROKER_MAX_LISTENERS];
	size_t		nlisteners;

	unsigned int	nviewers;	/* authenticated */
	unsigned int	nunauth;	/* logging in */
	unsigned int	nrefusing;	/* being told why not */
	enum sharing	sharing;	/* --sharing */
	int		handshake_seconds;	/* --handshake-timeout */
	int		idle_seconds;	/* --idle-timeout, 0: none */
	struct client	*controller;	/* exclusive-control: who types */
	struct auth	auth;

	struct screen	screen;
	struct pool	*pool;		/* encoder threads */
	unsigned int	encoder_threads; /* --encoder-threads */
	struct input_link input;

	const char	*keyboard_layout;	/* --keyboard-layout, "us" */
	struct keymap	*keymap;	/* compiled before the sandbox */
	struct keyboards keys;		/* who holds which key */
	int		paste_as_typing;	/* --paste-as-typing */
	uint32_t	unknown_keysyms[BROKER_UNKNOWN_KEYSYMS];
	unsigned int	nunknown;
};

/* broker/listener.c */
int	listener_add(struct broker *b, int fd, const struct ipc_sv_listener *l);
void	listeners_enable(struct broker *b);

/* Where a connection comes from, as the listener saw it. */
struct client_origin {
	char		peer[64];	/* "192.0.2.7:40312", "unix uid 1000" */
	char		addr[48];	/* its source address: "192.0.2.7" */
	const char	*listener;	/* the listener's name */
	uint32_t	security;	/* IPC_SEC_* offered */
	const char	*refusal;	/* refuse it, with this reason */
};

/* broker/client.c: a new client on an accepted socket (or, for tests, an
 * existing bufferevent), offering the security types given. */
struct client *client_new(struct broker *b, int fd,
	    const struct client_origin *o);
struct client *client_new_bev(struct broker *b, struct bufferevent *bev,
	    const char *peer, uint32_t security);
void	client_close(struct client *c, const char *why);
/* The answer of a check (auth.c): role IPC_AUTH_*. */
void	client_auth_result(struct client *c, uint32_t role);
/* The accounts changed: removed users go, changed roles apply. */
void	clients_directory_changed(struct broker *b);
/* The input helper caught up (or went away): throttled clients go on. */
void	clients_input_ready(struct broker *b);
/* The keyboard LEDs (b->input.leds) changed: told to the clients that
 * asked for them. */
void	clients_leds_changed(struct broker *b);

/* broker/auth.c: logging in */
void	auth_init(struct broker *b);
void	auth_set_channel(struct broker *b, int fd);
/* Why a new connection from addr must be refused now, or NULL; a client
 * created for it then counts as logging in (auth_client_gone()). */
const char *auth_admit(struct broker *b, const char *addr);
void	auth_client_started(struct broker *b, struct client *c);
/* c is authenticated, or gone: it no longer counts as logging in, and
 * its question (if any) is forgotten. */
void	auth_client_done(struct broker *b, struct client *c);
void	auth_ask_password(struct client *c, const char *user, size_t ulen,
	    const char *password, size_t plen);
void	auth_ask_vnc(struct client *c, const uint8_t *challenge,
	    const uint8_t *response);
/* A failed login of c as user: counted against its address and the
 * name; returns how long its answer waits, in ms. */
unsigned int auth_failed(struct client *c, const char *user);
/* The directory of accounts (IPC_SV2BRK_USERS): 0, or -1 for a bad one. */
int	auth_set_directory(struct broker *b, const char *text, size_t len);
/* The role of an account: IPC_AUTH_CONTROL, _VIEW, or _REFUSED. */
uint32_t auth_directory_role(const struct broker *b, const char *name);

/* broker/screen.c */
void	screen_init(struct screen *s, struct broker *b);
void	screen_free(struct screen *s);
void	screen_set_capture(struct broker *b, int fd);
/* Clients past ClientInit came or went: capture runs while there are. */
void	screen_viewers_changed(struct screen *s);
void	screen_subscribe(struct screen *s, struct screen_sub *sub);
void	screen_unsubscribe(struct screen *s, struct screen_sub *sub);
/* Take a new frame (the screen takes over the caller's reference): its
 * damage against the frame before goes to every subscriber. */
void	screen_set_frame(struct screen *s, struct frame *f);
/*
 * The frame for a viewer that does not draw the cursor: the current one
 * with the cursor drawn in, made the first time it is asked for and kept
 * (the same frame, with its cache of encoded rectangles, for every such
 * viewer) until the frame or the cursor changes; the current frame itself
 * when the cursor does not show on it, and when out of memory.  NULL when
 * there is no frame.
 */
struct frame *screen_drawn_frame(struct screen *s);

/* Stubs towards the capture helper (capture_answer_* over there). */
void	cap_release(struct screen *s, struct ring_map *ring, uint32_t slot);
/* A viewer with control typed or pointed: an idle capture goes back to its
 * full rate.  Sent at most every CAP_ACTIVE_MS. */
#define CAP_ACTIVE_MS	250
void	cap_active(struct screen *s);

/* broker/input-channel.c: stubs towards the input helper (in_answer_*). */
void	in_init(struct broker *b);
void	in_set_channel(struct broker *b, int fd);
int	in_busy(const struct broker *b);
void	in_key(struct broker *b, uint16_t code, int down);
void	in_pointer(struct broker *b, const struct ipc_in_pointer *p);
/* The screen that pointer positions are on: told to the helper when it
 * changed, and again to a new helper. */
void	in_screen(struct broker *b, uint32_t width, uint32_t height,
	    uint32_t transform);

#endif
