/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-testclient: a small VNC client that tests script.  Two sessions
 * stand behind one table of operations: libvncclient (a real client, the
 * default) and a raw one written here, for what libvncclient cannot do:
 * choose the protocol version, use a colour map, stall, send garbage.
 */
#ifndef RAMPART_TESTCLIENT_H
#define RAMPART_TESTCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/frames.h"

/* A pixel format as RFB 7.4 defines it. */
struct fmt {
	uint8_t		bpp, depth, big_endian, true_colour;
	uint16_t	max[3];		/* red, green, blue */
	uint8_t		shift[3];
};

/* What a client shows: its framebuffer in its own format. */
struct view {
	int		 width, height;
	struct fmt	 fmt;
	const uint8_t	*pixels;	/* rows of width * bpp / 8 bytes */
	uint16_t	 map[256][3];	/* colour map, when !fmt.true_colour */
	int		 map_entries;
	/* Bits of a pixel in no channel that may not have come as 1: the
	 * byte a 3-byte ZRLE CPIXEL leaves out. */
	uint32_t	 unsent;
};

/* The pointer's shape as the server sent it last (Cursor
 * pseudo-encoding): pixels as 0xRRGGBB, mask 1 where opaque. */
struct shape {
	int		 count;		/* shapes received so far */
	int		 width, height, hot_x, hot_y;
	uint32_t	*rgb;		/* width * height */
	uint8_t		*mask;		/* width * height, 0 or 1 */
};

int	fmt_by_name(const char *name, struct fmt *f);
/* A pixel of format f (bpp / 8 bytes at p) as 0xRRGGBB. */
uint32_t fmt_rgb(const struct fmt *f, const uint8_t *p);
/* The view as a binary PPM (8 bits a channel): 0, or -1 with errno. */
int	view_write_ppm(const struct view *v, const char *path);
void	fmt_print(const char *what, const struct fmt *f);

struct expectation {
	struct frames_file ff;
	int		index;		/* frame wanted, -1: any */
	int		distinct;	/* frames wanted to be seen, 0: one */
	double		min_psnr;	/* > 0: lossy, a PSNR floor in dB */
	uint8_t		*seen;		/* per frame of ff */
	int		nseen;
	int		updates;
};

int	expect_open(struct expectation *e, const char *spec, int distinct);
/* After a complete update: 1 when the expectation is met. */
int	expect_check(struct expectation *e, const struct view *v);
/* Why it was not met: the closest frame and its first difference. */
void	expect_explain(const struct expectation *e, const struct view *v);
void	expect_close(struct expectation *e);

/* A keysym by name: one character, a name of the table, or 0xHEX. */
int	keysym_lookup(const char *name, uint32_t *keysym);

struct session_ops {
	const char *name;
	/*
	 * Read server messages for at most timeout_ms: 1 after a complete
	 * framebuffer update, 0 when the time ran out, -1 when the
	 * connection ended or the server broke the protocol.
	 */
	int	(*pump)(void *s, int timeout_ms);
	void	(*view)(void *s, struct view *v);
	int	(*key)(void *s, uint32_t keysym, int down);
	int	(*pointer)(void *s, int x, int y, int mask);
	void	(*close)(void *s);
	/* What a session may not have (NULL).  A QEMU Extended Key Event:
	 * -1 also when the server has not confirmed -258 (yet). */
	int	(*qemu_key)(void *s, uint32_t keysym, uint32_t xt, int down);
	/* An extended PointerEvent (7 bytes, ExtendedMouseButtons). */
	int	(*ext_pointer)(void *s, int x, int y, int mask, int ext);
	int	(*cut_text)(void *s, const char *text, size_t len);
	/* What the server confirmed: OFFER_* bits. */
	unsigned int (*confirmed)(void *s);
	/* The LED states the server sent so far (RFB bits), up to max into
	 * states: how many there were. */
	int	(*leds)(void *s, uint32_t *states, int max);
	/* The cursor's shape (--cursor): the session's, valid until the
	 * next pump. */
	const struct shape *(*shape)(void *s);
};

/* Pseudo-encodings the raw session may offer (--offer). */
#define OFFER_QEMU_KEYS		0x01	/* -258 */
#define OFFER_QEMU_LEDS		0x02	/* -261 */
#define OFFER_VMWARE_LEDS	0x04	/* 0x574d5668 */
#define OFFER_EXT_MOUSE		0x08	/* -316 */

#define ENCODINGS_MAX	64

struct options {
	const char	*target;	/* HOST:PORT or unix:PATH */
	const char	*format;	/* NULL: the server's */
	int		 minor;		/* 3, 7 or 8; 0: libvncclient decides */
	int		 timeout;	/* seconds */
	int		 verbose;
	unsigned int	 offer;		/* OFFER_*: raw session */
	int		 exclusive;	/* ClientInit's shared flag 0 */
	int		 cursor;	/* ask for the cursor's shape */
	/* Credentials (libvncclient): VeNCrypt Plain's user and password
	 * (the password also for VNC authentication), the CA that signs
	 * the server's certificate, the client's certificate and key
	 * (X509None). */
	const char	*user, *password, *ca, *cert, *key;
	/* The security types libvncclient may pick, 0-terminated; none
	 * given: the first the server offers that it knows. */
	uint32_t	 security[4];
	/* --encodings: exactly these in SetEncodings, in this order
	 * (libvncclient); none given: libvncclient's Raw and its own
	 * pseudo-encodings. */
	int32_t		 encodings[ENCODINGS_MAX];
	int		 nencodings;
};

/* libvncclient.  NULL when the connection or handshake failed. */
void	*vnc_open(const struct options *o, const struct session_ops **ops);

/*
 * The raw session.  raw_open() returns NULL on failure; when the server
 * refused the connection, *refusal holds its reason (malloc'ed).
 */
void	*raw_open(const struct options *o, const struct session_ops **ops,
	    char **refusal);
int	 raw_stall(void *s);
int	 raw_send(void *s, const uint8_t *buf, size_t len);
/* Half-close, read what the server still sends until it closes (2 s at
 * most), then close: nothing we sent is lost to a reset. */
void	 close_gracefully(int fd);
/* 0 when the server closes the connection within timeout_ms. */
int	 raw_wait_close(void *s, int timeout_ms);
/* Connect and send bytes before any handshake: the garbage case. */
int	 raw_garbage(const struct options *o, const uint8_t *buf, size_t len);

/* Milliseconds on the monotonic clock. */
int64_t	 now_ms(void);
void	 trace(const struct options *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
