/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The raw session: RFB written out by hand, small and strict.  It speaks
 * the protocol version it is told to, asks for Raw and DesktopSize (and
 * the input pseudo-encodings it is told to offer) only and fails on
 * anything else, keeps a colour map, and can stop reading (the stalled
 * client) or send bytes no client should.  Each confirmation and LED state
 * the server sends is printed as it comes:
 *   confirmed qemu-keys | confirmed ext-mouse | leds 0xN qemu|vmware
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/client/testclient.h"

#define ENC_RAW			0
#define ENC_DESKTOP_SIZE	(-223)
#define ENC_QEMU_KEYS		(-258)
#define ENC_QEMU_LEDS		(-261)
#define ENC_VMWARE_LEDS		0x574d5668
#define ENC_EXT_MOUSE		(-316)

struct raw {
	const struct options	*o;
	int			 fd;
	int			 width, height;
	struct fmt		 fmt;
	uint8_t			*fb;
	uint16_t		 map[256][3];
	int			 map_entries;
	unsigned int		 confirmed;	/* OFFER_* */
	uint32_t		 leds[64];	/* LED states, as they came */
	int			 nleds;
};

static int
connect_target(const char *target)
{
	struct addrinfo		 hints, *res, *ai;
	struct sockaddr_un	 sun;
	char			*host;
	const char		*colon;
	int			 fd = -1;

	if (strncmp(target, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(target + 5) >= sizeof(sun.sun_path))
			return -1;
		strcpy(sun.sun_path, target + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if ((colon = strrchr(target, ':')) == NULL)
		return -1;
	if ((host = strndup(target, colon - target)) == NULL)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
		free(host);
		return -1;
	}
	free(host);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Read exactly len bytes before the deadline: 0, or -1 (EOF, error, time). */
static int
read_full(int fd, void *buf, size_t len, int64_t deadline)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	uint8_t		*p = buf;
	ssize_t		 n;
	int64_t		 left;

	while (len > 0) {
		if ((left = deadline - now_ms()) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((n = read(fd, p, len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* A reason string as the server sends it after a failure. */
static char *
read_reason(struct raw *r, int64_t deadline)
{
	uint8_t	 len[4];
	uint32_t n;
	char	*s;

	if (read_full(r->fd, len, 4, deadline) == -1)
		return strdup("");
	if ((n = be32(len)) > 65536)
		return strdup("(reason too long)");
	if ((s = calloc(1, n + 1)) == NULL)
		return NULL;
	if (read_full(r->fd, s, n, deadline) == -1)
		s[0] = '\0';
	return s;
}

/* Security None, or the refusal: 0 accepted, 1 refused, -1 broken. */
static int
security(struct raw *r, char **refusal, int64_t deadline)
{
	uint8_t	 b[256], count, one = 1;
	int	 i, none = 0;

	if (r->o->minor == 3) {
		if (read_full(r->fd, b, 4, deadline) == -1)
			return -1;
		if (be32(b) == 0) {
			*refusal = read_reason(r, deadline);
			return 1;
		}
		if (be32(b) != 1) {
			fprintf(stderr, "security type %u\n", be32(b));
			return -1;
		}
		return 0;
	}
	if (read_full(r->fd, &count, 1, deadline) == -1)
		return -1;
	if (count == 0) {
		*refusal = read_reason(r, deadline);
		return 1;
	}
	if (read_full(r->fd, b, count, deadline) == -1)
		return -1;
	for (i = 0; i < count; i++)
		if (b[i] == 1)
			none = 1;
	if (!none) {
		fprintf(stderr, "security type None not offered\n");
		return -1;
	}
	if (write_full(r->fd, &one, 1) == -1)
		return -1;
	if (r->o->minor == 8) {
		if (read_full(r->fd, b, 4, deadline) == -1)
			return -1;
		if (be32(b) != 0) {
			*refusal = read_reason(r, deadline);
			return 1;
		}
	}
	return 0;
}

static int
server_init(struct raw *r, int64_t deadline)
{
	uint8_t	 b[24];
	uint32_t namelen;
	char	*name;
	int	 ch;

	if (read_full(r->fd, b, 24, deadline) == -1)
		return -1;
	r->width = be16(b);
	r->height = be16(b + 2);
	r->fmt.bpp = b[4];
	r->fmt.depth = b[5];
	r->fmt.big_endian = b[6];
	r->fmt.true_colour = b[7];
	for (ch = 0; ch < 3; ch++) {
		r->fmt.max[ch] = be16(b + 8 + 2 * ch);
		r->fmt.shift[ch] = b[14 + ch];
	}
	if ((namelen = be32(b + 20)) > 4096)
		return -1;
	if ((name = calloc(1, namelen + 1)) == NULL)
		return -1;
	if (read_full(r->fd, name, namelen, deadline) == -1) {
		free(name);
		return -1;
	}
	printf("server-init: %dx%d name=\"%s\" version=3.%d\n", r->width,
	    r->height, name, r->o->minor);
	fmt_print("server-format", &r->fmt);
	free(name);
	if (r->fmt.bpp != 8 && r->fmt.bpp != 16 && r->fmt.bpp != 32)
		return -1;
	return 0;
}

static int
alloc_fb(struct raw *r)
{
	free(r->fb);
	r->fb = calloc((size_t)r->width * r->height + 1, r->fmt.bpp / 8);
	return r->fb == NULL ? -1 : 0;
}

static int
set_format(struct raw *r, const struct fmt *f)
{
	uint8_t	b[20];
	int	ch;

	memset(b, 0, sizeof(b));
	b[0] = 0;
	b[4] = f->bpp;
	b[5] = f->depth;
	b[6] = f->big_endian;
	b[7] = f->true_colour;
	for (ch = 0; ch < 3; ch++) {
		put16(b + 8 + 2 * ch, f->max[ch]);
		b[14 + ch] = f->shift[ch];
	}
	r->fmt = *f;
	return write_full(r->fd, b, sizeof(b));
}

static int
set_encodings(struct raw *r)
{
	uint8_t	b[4 + 6 * 4];
	int	n = 0;

	memset(b, 0, sizeof(b));
	b[0] = 2;
	if (r->o->nencodings > 0) {
		/* --encodings: exactly those (what this session cannot read
		 * fails the session when it comes). */
		uint8_t	e[4 + 4 * ENCODINGS_MAX];

		memcpy(e, b, 4);
		for (n = 0; n < r->o->nencodings; n++)
			put32(e + 4 + 4 * n, (uint32_t)r->o->encodings[n]);
		put16(e + 2, (uint16_t)n);
		return write_full(r->fd, e, 4 + 4 * (size_t)n);
	}
	put32(b + 4 + 4 * n++, ENC_RAW);
	put32(b + 4 + 4 * n++, (uint32_t)ENC_DESKTOP_SIZE);
	if (r->o->offer & OFFER_QEMU_KEYS)
		put32(b + 4 + 4 * n++, (uint32_t)ENC_QEMU_KEYS);
	if (r->o->offer & OFFER_QEMU_LEDS)
		put32(b + 4 + 4 * n++, (uint32_t)ENC_QEMU_LEDS);
	if (r->o->offer & OFFER_VMWARE_LEDS)
		put32(b + 4 + 4 * n++, (uint32_t)ENC_VMWARE_LEDS);
	if (r->o->offer & OFFER_EXT_MOUSE)
		put32(b + 4 + 4 * n++, (uint32_t)ENC_EXT_MOUSE);
	put16(b + 2, (uint16_t)n);
	return write_full(r->fd, b, 4 + 4 * (size_t)n);
}

/* A pseudo-rectangle of input: a confirmation (empty) or the LEDs; 1 when
 * enc is one, 0 when not, -1 when it is one that was not offered. */
static int
read_pseudo(struct raw *r, int32_t enc, int64_t deadline)
{
	uint8_t	b[4];

	switch (enc) {
	case ENC_QEMU_KEYS:
		if (!(r->o->offer & OFFER_QEMU_KEYS))
			return -1;
		r->confirmed |= OFFER_QEMU_KEYS;
		printf("confirmed qemu-keys\n");
		return 1;
	case ENC_EXT_MOUSE:
		if (!(r->o->offer & OFFER_EXT_MOUSE))
			return -1;
		r->confirmed |= OFFER_EXT_MOUSE;
		printf("confirmed ext-mouse\n");
		return 1;
	case ENC_QEMU_LEDS:
		if (!(r->o->offer & OFFER_QEMU_LEDS) ||
		    read_full(r->fd, b, 1, deadline) == -1)
			return -1;
		printf("leds 0x%02x qemu\n", b[0]);
		if (r->nleds < 64)
			r->leds[r->nleds++] = b[0];
		return 1;
	case ENC_VMWARE_LEDS:
		if (!(r->o->offer & OFFER_VMWARE_LEDS) ||
		    read_full(r->fd, b, 4, deadline) == -1)
			return -1;
		printf("leds 0x%02x vmware\n", be32(b));
		if (r->nleds < 64)
			r->leds[r->nleds++] = be32(b);
		return 1;
	}
	return 0;
}

static int
request(struct raw *r, int incremental)
{
	uint8_t	b[10];

	b[0] = 3;
	b[1] = incremental;
	put16(b + 2, 0);
	put16(b + 4, 0);
	put16(b + 6, r->width);
	put16(b + 8, r->height);
	return write_full(r->fd, b, sizeof(b));
}

static int
read_update(struct raw *r, int64_t deadline)
{
	uint8_t	 b[12];
	int	 nrects, i, row, bpp = r->fmt.bpp / 8;
	int	 x, y, w, h;
	int32_t	 enc;

	if (read_full(r->fd, b, 3, deadline) == -1)
		return -1;
	nrects = be16(b + 1);
	for (i = 0; i < nrects; i++) {
		if (read_full(r->fd, b, 12, deadline) == -1)
			return -1;
		x = be16(b);
		y = be16(b + 2);
		w = be16(b + 4);
		h = be16(b + 6);
		enc = (int32_t)be32(b + 8);
		switch (read_pseudo(r, enc, deadline)) {
		case -1:
			fprintf(stderr, "pseudo-encoding %d not offered\n", enc);
			return -1;
		case 1:
			fflush(stdout);
			continue;
		}
		if (enc == ENC_DESKTOP_SIZE) {
			r->width = w;
			r->height = h;
			if (alloc_fb(r) == -1)
				return -1;
			trace(r->o, "desktop size %dx%d", w, h);
			continue;
		}
		if (enc != ENC_RAW) {
			fprintf(stderr, "encoding %d was not asked for\n", enc);
			return -1;
		}
		if (x + w > r->width || y + h > r->height) {
			fprintf(stderr, "rectangle %dx%d+%d+%d outside %dx%d\n",
			    w, h, x, y, r->width, r->height);
			return -1;
		}
		for (row = 0; row < h; row++)
			if (read_full(r->fd, r->fb + ((size_t)(y + row) *
			    r->width + x) * bpp, (size_t)w * bpp,
			    deadline) == -1)
				return -1;
	}
	return request(r, 1);
}

static int
read_colour_map(struct raw *r, int64_t deadline)
{
	uint8_t	 b[6];
	int	 first, n, i, ch;

	if (read_full(r->fd, b, 5, deadline) == -1)
		return -1;
	first = be16(b + 1);
	n = be16(b + 3);
	for (i = first; i < first + n; i++) {
		if (read_full(r->fd, b, 6, deadline) == -1)
			return -1;
		if (i >= 256)
			continue;
		for (ch = 0; ch < 3; ch++)
			r->map[i][ch] = be16(b + 2 * ch);
		if (i >= r->map_entries)
			r->map_entries = i + 1;
	}
	trace(r->o, "colour map: %d entries from %d", n, first);
	return 0;
}

static int
raw_pump(void *s, int timeout_ms)
{
	struct raw	*r = s;
	struct pollfd	 pfd = { r->fd, POLLIN, 0 };
	int64_t		 deadline = now_ms() + timeout_ms;
	uint8_t		 type, b[8];
	char		*text;

	for (;;) {
		int64_t	left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return 0;
		/* A message that has begun gets the whole timeout. */
		deadline = now_ms() + r->o->timeout * 1000;
		if (read_full(r->fd, &type, 1, deadline) == -1)
			return -1;
		switch (type) {
		case 0:
			return read_update(r, deadline) == -1 ? -1 : 1;
		case 1:
			if (read_colour_map(r, deadline) == -1)
				return -1;
			break;
		case 2:
			break;
		case 3:
			if (read_full(r->fd, b, 3, deadline) == -1)
				return -1;
			if ((text = read_reason(r, deadline)) == NULL)
				return -1;
			free(text);
			break;
		default:
			fprintf(stderr, "unknown server message %u\n", type);
			return -1;
		}
	}
}

static void
raw_view(void *s, struct view *v)
{
	struct raw	*r = s;

	memset(v, 0, sizeof(*v));
	v->width = r->width;
	v->height = r->height;
	v->fmt = r->fmt;
	v->pixels = r->fb;
	memcpy(v->map, r->map, sizeof(v->map));
	v->map_entries = r->map_entries;
}

static int
raw_key(void *s, uint32_t keysym, int down)
{
	struct raw	*r = s;
	uint8_t		 b[8];

	memset(b, 0, sizeof(b));
	b[0] = 4;
	b[1] = down;
	put32(b + 4, keysym);
	return write_full(r->fd, b, sizeof(b));
}

static int
raw_pointer(void *s, int x, int y, int mask)
{
	struct raw	*r = s;
	uint8_t		 b[6];

	b[0] = 5;
	b[1] = mask;
	put16(b + 2, x);
	put16(b + 4, y);
	return write_full(r->fd, b, sizeof(b));
}

static int
raw_qemu_key(void *s, uint32_t keysym, uint32_t xt, int down)
{
	struct raw	*r = s;
	uint8_t		 b[12];

	if (!(r->confirmed & OFFER_QEMU_KEYS))
		return -1;
	b[0] = 255;
	b[1] = 0;
	put16(b + 2, (uint16_t)down);
	put32(b + 4, keysym);
	put32(b + 8, xt);
	return write_full(r->fd, b, sizeof(b));
}

static int
raw_ext_pointer(void *s, int x, int y, int mask, int ext)
{
	struct raw	*r = s;
	uint8_t		 b[7];

	if (!(r->confirmed & OFFER_EXT_MOUSE))
		return -1;
	b[0] = 5;
	b[1] = (uint8_t)(mask | 0x80);
	put16(b + 2, x);
	put16(b + 4, y);
	b[6] = (uint8_t)ext;
	return write_full(r->fd, b, sizeof(b));
}

static int
raw_cut_text(void *s, const char *text, size_t len)
{
	struct raw	*r = s;
	uint8_t		 b[8] = { 6 };

	put32(b + 4, (uint32_t)len);
	if (write_full(r->fd, b, sizeof(b)) == -1)
		return -1;
	return write_full(r->fd, text, len);
}

static unsigned int
raw_confirmed(void *s)
{
	return ((struct raw *)s)->confirmed;
}

static int
raw_leds(void *s, uint32_t *states, int max)
{
	struct raw	*r = s;

	for (int i = 0; i < r->nleds && i < max; i++)
		states[i] = r->leds[i];
	return r->nleds;
}

void
close_gracefully(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[65536];
	int left = 2000;

	/*
	 * Closing with the server's updates unread would reset the
	 * connection, and the kernel then drops what we sent last before the
	 * server read it (the last key of a test).  Say we are done, read
	 * until the server closes too (at most 2 s), then close.
	 */
	if (shutdown(fd, SHUT_WR) == 0)
		while (left > 0 && poll(&p, 1, 100) >= 0) {
			if (p.revents != 0 && read(fd, buf, sizeof(buf)) <= 0)
				break;
			if (p.revents == 0)
				left -= 100;
		}
	close(fd);
}

static void
raw_close(void *s)
{
	struct raw	*r = s;

	close_gracefully(r->fd);
	free(r->fb);
	free(r);
}

static const struct session_ops raw_ops = {
	.name = "raw", .pump = raw_pump, .view = raw_view, .key = raw_key,
	.pointer = raw_pointer, .close = raw_close,
	.qemu_key = raw_qemu_key, .ext_pointer = raw_ext_pointer,
	.cut_text = raw_cut_text, .confirmed = raw_confirmed,
	.leds = raw_leds,
};

void *
raw_open(const struct options *o, const struct session_ops **ops,
    char **refusal)
{
	struct raw	*r;
	struct fmt	 f;
	int64_t		 deadline = now_ms() + o->timeout * 1000;
	char		 version[13];
	uint8_t		 shared = o->exclusive ? 0 : 1;
	int		 sec;

	*refusal = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->o = o;
	if ((r->fd = connect_target(o->target)) == -1) {
		fprintf(stderr, "%s: cannot connect\n", o->target);
		free(r);
		return NULL;
	}
	if (read_full(r->fd, version, 12, deadline) == -1)
		goto fail;
	version[12] = '\0';
	if (strncmp(version, "RFB 003.", 8) != 0) {
		fprintf(stderr, "not an RFB server\n");
		goto fail;
	}
	trace(o, "server version %.11s", version);
	snprintf(version, sizeof(version), "RFB 003.%03d\n", o->minor);
	if (write_full(r->fd, version, 12) == -1)
		goto fail;
	if ((sec = security(r, refusal, deadline)) != 0) {
		if (sec == -1)
			fprintf(stderr, "security handshake failed\n");
		goto fail;
	}
	if (write_full(r->fd, &shared, 1) == -1 ||
	    server_init(r, deadline) == -1) {
		fprintf(stderr, "no ServerInit\n");
		goto fail;
	}
	if (o->format != NULL) {
		if (fmt_by_name(o->format, &f) == -1) {
			fprintf(stderr, "unknown format %s\n", o->format);
			goto fail;
		}
		if (set_format(r, &f) == -1)
			goto fail;
	}
	if (alloc_fb(r) == -1 || set_encodings(r) == -1 ||
	    request(r, 0) == -1)
		goto fail;
	*ops = &raw_ops;
	return r;
fail:
	raw_close(r);
	return NULL;
}

/*
 * Ask for many updates and never read again: the server's socket buffer
 * fills and stays full.  A small receive buffer makes that happen sooner.
 */
int
raw_stall(void *s)
{
	struct raw	*r = s;
	int		 i, small = 4096;

	setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (i = 0; i < 64; i++)
		if (request(r, i > 0) == -1)
			return -1;
	printf("stalled\n");
	fflush(stdout);
	for (;;)
		pause();
}

int
raw_send(void *s, const uint8_t *buf, size_t len)
{
	struct raw	*r = s;

	return write_full(r->fd, buf, len);
}

int
raw_wait_close(void *s, int timeout_ms)
{
	struct raw	*r = s;
	struct pollfd	 pfd = { r->fd, POLLIN, 0 };
	int64_t		 deadline = now_ms() + timeout_ms;
	uint8_t		 buf[65536];
	ssize_t		 n;

	while (now_ms() < deadline) {
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		if ((n = read(r->fd, buf, sizeof(buf))) == 0 ||
		    (n == -1 && errno != EINTR && errno != EAGAIN))
			return 0;
	}
	return -1;
}

int
raw_garbage(const struct options *o, const uint8_t *buf, size_t len)
{
	struct raw	r;
	int		ret;

	memset(&r, 0, sizeof(r));
	r.o = o;
	if ((r.fd = connect_target(o->target)) == -1) {
		fprintf(stderr, "%s: cannot connect\n", o->target);
		return -1;
	}
	/* Whatever the server says first is read and dropped. */
	if (write_full(r.fd, buf, len) == -1)
		ret = 0;
	else
		ret = raw_wait_close(&r, o->timeout * 1000);
	close(r.fd);
	return ret;
}
