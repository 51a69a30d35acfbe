/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session: the RFB protocol (rfbproto.rst) of one viewer, on bytes.  The
 * handshake of versions 3.3, 3.7 and 3.8, then one small handler per client
 * message, each returning bytes consumed, 0 for "need more", -1 for "bad".
 *
 * A session knows nothing of the screen, the other clients or the helpers:
 * what a message means for them goes up through callbacks, and what the
 * server says goes down through the session_send_* calls, into the output
 * buffer of the connection under it.
 */
#ifndef RAMPART_SESSION_H
#define RAMPART_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "broker/damage.h"
#include "broker/pixfmt.h"
#include "common/ipc.h"

struct evbuffer;

/* ClientCutText longer than this closes the client. */
#define SESSION_CUT_TEXT_MAX	(1024 * 1024)
/* Of a ClientCutText, the bytes kept (for paste as typing); the rest is
 * dropped as it arrives. */
#define SESSION_CUT_KEEP	4096

/* Pseudo-encodings of input and LEDs (rfbproto.rst). */
#define SESSION_ENC_QEMU_KEYS	(-258)	/* QEMU Extended Key Event */
#define SESSION_ENC_QEMU_LEDS	(-261)	/* QEMU LED State */
#define SESSION_ENC_VMWARE_LEDS	0x574d5668	/* VMware LED State */
#define SESSION_ENC_EXT_MOUSE	(-316)	/* ExtendedMouseButtons */

/* Pseudo-encodings of updates and flow (rfbproto.rst). */
#define SESSION_ENC_COPYRECT	1
#define SESSION_ENC_CURSOR	(-239)	/* Cursor (rich cursor) */
#define SESSION_ENC_LAST_RECT	(-224)
#define SESSION_ENC_DESKTOP_NAME (-307)
#define SESSION_ENC_FENCE	(-312)
#define SESSION_ENC_CONTINUOUS	(-313)	/* ContinuousUpdates */

/* Messages of ContinuousUpdates and Fence, both ways. */
#define SESSION_MSG_CONTINUOUS	150	/* EnableContinuousUpdates; End... */
#define SESSION_MSG_FENCE	248

/* Fence flags: those we know; a request's others are answered cleared. */
#define SESSION_FENCE_BLOCK_BEFORE	0x00000001u
#define SESSION_FENCE_BLOCK_AFTER	0x00000002u
#define SESSION_FENCE_SYNC_NEXT		0x00000004u
#define SESSION_FENCE_REQUEST		0x80000000u
#define SESSION_FENCE_KNOWN		0x00000007u
#define SESSION_FENCE_PAYLOAD_MAX	64

/* What the server told the client it may use (session.announced). */
#define SESSION_ANNOUNCED_FENCE		0x01
#define SESSION_ANNOUNCED_CONTINUOUS	0x02

/* What the server confirmed to the client, with an empty pseudo-rectangle
 * of the encoding: from then on the client may send the messages. */
#define SESSION_QEMU_KEYS	0x01	/* message 255, submessage 0 */
#define SESSION_EXT_MOUSE	0x02	/* the 7-byte PointerEvent */

/* Pointer buttons as the session hands them up: RFB's buttons 1-8 in bits
 * 0-7 (8 is back), and forward, which only ExtendedMouseButtons has. */
#define SESSION_BUTTON_BACK	0x080
#define SESSION_BUTTON_FORWARD	0x100

/*
 * ExtendedDesktopSize (rfbproto.rst): why a rectangle is sent (its x) and
 * how a client's SetDesktopSize went (its y).  The console's mode is not
 * ours to change: a request is refused, as invalid when the layout it asks
 * for is not one, else as prohibited.
 */
#define SESSION_EDS_SERVER	0	/* the screens changed, or were asked */
#define SESSION_EDS_CLIENT	1	/* the answer to this client */
#define SESSION_EDS_OK		0
#define SESSION_EDS_PROHIBITED	1
#define SESSION_EDS_INVALID	3
/* Bytes of one rectangle of n screens, header included. */
#define SESSION_EDS_SIZE(n)	(12 + 4 + 16 * (size_t)(n))

/* Plain credentials longer than this close the client (rfbproto.rst
 * sets no limit; no account has a name or password anywhere near it). */
#define SESSION_PLAIN_MAX	1024

enum session_state {
	SESSION_VERSION,	/* waiting for the ProtocolVersion */
	SESSION_SECURITY,	/* waiting for the security type (3.7, 3.8) */
	/* security.c: VeNCrypt, VNC authentication */
	SESSION_VENCRYPT_VERSION, /* waiting for the client's version */
	SESSION_VENCRYPT_SUBTYPE, /* waiting for its subtype */
	SESSION_TLS,		/* the TLS handshake runs */
	SESSION_PLAIN,		/* waiting for user name and password */
	SESSION_VNC_RESPONSE,	/* waiting for the response to a challenge */
	SESSION_CHECKING,	/* credentials asked about: nothing is read */
	SESSION_INIT,		/* waiting for ClientInit */
	SESSION_WAIT_SERVER,	/* ClientInit read; ServerInit not sent yet */
	SESSION_NORMAL,
	SESSION_CLOSING,	/* a failure reason is on its way */
};

struct session_cbs {
	/*
	 * Security (security.c).  start_tls: the client chose a VeNCrypt
	 * subtype over TLS (anon: anonymous TLS, TLSPlain); the TLS layer
	 * goes on the connection now and session_tls_ready() follows its
	 * handshake; 0, or -1 to close.  The checks are answered with
	 * session_auth_done(), now or later: the user name and password of
	 * Plain (lengths given, no NUL byte inside), the response to the
	 * VNC challenge, or the client certificate of X509None.
	 */
	int	(*start_tls)(void *arg, int anon);
	void	(*check_password)(void *arg, const char *user, size_t ulen,
		    const char *password, size_t plen);
	void	(*check_vnc)(void *arg, const uint8_t *challenge,
		    const uint8_t *response);
	void	(*check_certificate)(void *arg);
	/* Security is done (SecurityResult OK, or None): ClientInit next. */
	void	(*secured)(void *arg);
	/* ClientInit came: call session_server_init() when the screen can
	 * be described (now or later). */
	void	(*client_init)(void *arg, int shared);
	/* A valid pixel format; 0, or -1 to close. */
	int	(*pixel_format)(void *arg, const struct pixfmt *pf);
	/* n encodings, big-endian s32 each, in the client's order. */
	void	(*encodings)(void *arg, const uint8_t *list, size_t n);
	/* r is clipped to the screen the client was told of. */
	void	(*update_request)(void *arg, const struct rect *r,
		    int incremental);
	void	(*key)(void *arg, uint32_t keysym, int down);
	/* A QEMU Extended Key Event: the XT keycode and the keysym. */
	void	(*qemu_key)(void *arg, uint32_t keysym, uint32_t xt, int down);
	/* buttons: RFB's mask, plus SESSION_BUTTON_FORWARD. */
	void	(*pointer)(void *arg, uint16_t x, uint16_t y, uint16_t buttons);
	/* A ClientCutText, whole: its first len bytes (at most
	 * SESSION_CUT_KEEP) of total.  Optional. */
	void	(*cut_text)(void *arg, const uint8_t *text, size_t len,
		    uint32_t total);
	/* SetDesktopSize, whole: status is SESSION_EDS_INVALID or
	 * SESSION_EDS_PROHIBITED.  0, or -1 to close. */
	int	(*set_desktop_size)(void *arg, int status);
	/* EnableContinuousUpdates (after the server announced them): on,
	 * for the area r (clipped to the screen; empty: nothing), or off. */
	void	(*continuous)(void *arg, int enable, const struct rect *r);
	/* A Fence from the client (after the server sent one): a request
	 * (SESSION_FENCE_REQUEST set) to answer, or the answer to ours. */
	void	(*fence)(void *arg, uint32_t flags, const uint8_t *payload,
		    size_t len);
};

struct session {
	const struct session_cbs *cbs;
	void		*arg;
	struct evbuffer	*out;
	const char	*tag;		/* "client N (peer)", for logs */
	enum session_state state;
	int		minor;		/* 3, 7 or 8 */
	uint32_t	security;	/* IPC_SEC_* this listener offers */
	uint32_t	chosen;		/* IPC_SEC_*: what the client took */
	const char	*refusal;	/* refuse with this after the version */
	uint8_t		challenge[16];	/* VNC authentication */
	uint64_t	skip;		/* bytes of ClientCutText still to come */
	uint32_t	cut_total;	/* its length */
	size_t		cut_len;	/* bytes of it kept in cut */
	uint8_t		cut[SESSION_CUT_KEEP];
	unsigned int	confirmed;	/* SESSION_QEMU_KEYS, SESSION_EXT_MOUSE */
	unsigned int	announced;	/* SESSION_ANNOUNCED_* */
	uint16_t	width, height;	/* the screen the client knows */
	unsigned int	resize_refused;	/* SetDesktopSize messages answered */
};

/* Start: our ProtocolVersion goes out. */
void	session_init(struct session *s, const struct session_cbs *cbs,
	    void *arg, struct evbuffer *out, const char *tag,
	    uint32_t security);
/* The output moved (a TLS layer went on the connection). */
void	session_set_output(struct session *s, struct evbuffer *out);
/* The TLS handshake of a VeNCrypt subtype is done. */
void	session_tls_ready(struct session *s);
/* The answer to a check: ok, or not with the reason for the client. */
void	session_auth_done(struct session *s, int ok, const char *reason);
/* What the client took, for logs: "VeNCrypt X509Plain", "None", ... */
const char *session_security_name(const struct session *s);
/* Bytes from the client: consumed, 0 for more, -1 to close. */
long	session_input(struct session *s, const uint8_t *buf, size_t len);
/* The reason goes out where the protocol has room for one; then only
 * SESSION_CLOSING. */
void	session_fail(struct session *s, const char *reason);
/* Refuse the client once it sent its version, with this reason (a static
 * string): too many connections, an address in back-off. */
void	session_refuse(struct session *s, const char *reason);

/* broker/security.c: from the version to SecurityResult. */
void	security_offer(struct session *s);
long	security_input(struct session *s, const uint8_t *buf, size_t len);

void	session_server_init(struct session *s, uint16_t width,
	    uint16_t height, const char *name);
/* The fixed 3-3-2 colour map of 8-bit colour-mapped formats. */
void	session_send_colour_map(struct session *s);
#define SESSION_COLOUR_MAP_SIZE	(6 + 256 * 6)
/* FramebufferUpdate with nrects rectangles, which the caller appends. */
void	session_send_update_header(struct session *s, uint16_t nrects);
/* An empty pseudo-rectangle of encoding (a confirmation), into out. */
void	session_put_pseudo(struct evbuffer *out, int32_t encoding);
#define SESSION_PSEUDO_SIZE	12
/* The keyboard LEDs (IPC_LED_*) as a QEMU (1 byte) or VMware (4 bytes)
 * LED State pseudo-rectangle, into out; its size. */
size_t	session_put_leds(struct evbuffer *out, int vmware, uint32_t leds);
/* A Fence message (flags, payload of len <= SESSION_FENCE_PAYLOAD_MAX),
 * and EndOfContinuousUpdates, into out. */
void	session_put_fence(struct evbuffer *out, uint32_t flags,
	    const uint8_t *payload, size_t len);
void	session_put_end_of_continuous(struct evbuffer *out);
/* A DesktopName pseudo-rectangle, into out; its size. */
size_t	session_put_desktop_name(struct evbuffer *out, const char *name);
/* The client now knows the screen as width x height (DesktopSize). */
void	session_resized(struct session *s, uint16_t width, uint16_t height);
/* One ExtendedDesktopSize rectangle of a width x height framebuffer and
 * its n screens (1 .. 255), SESSION_EDS_SIZE(n) bytes, into out. */
void	session_put_desktop_size(struct evbuffer *out, int reason, int status,
	    uint16_t width, uint16_t height, const struct ipc_screen *screens,
	    uint32_t n);

#endif
