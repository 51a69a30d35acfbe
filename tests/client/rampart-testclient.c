/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rampart-testclient: connect to a VNC server, do what the options say,
 * check what it shows, and exit 0 when every check held, 1 when one did
 * not, 2 on a usage or connection error.  What it saw goes to stdout, one
 * line per fact, for tests to grep.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/client/testclient.h"

struct plan {
	struct options	 o;
	const char	*expect;
	int		 distinct;
	double		 min_psnr;
	const char	*keys;
	const char	*pointer;
	const char	*qemu_keys;
	const char	*ext_pointer;
	const char	*cut_text;
	const char	*expect_leds;
	const char	*send_hex;
	const char	*garbage_hex;
	const char	*wait_file;
	const char	*late_keys;	/* sent once wait_file exists */
	const char	*dump;
	int		 expect_cursor_w, expect_cursor_h;
	int		 raw, stall, expect_refused, expect_close;
	int		 hold;
	int		 delay_ms;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
"usage: rampart-testclient [options] HOST:PORT | unix:PATH\n"
"  --expect FILE[:N]      wait until the screen is frame N (or any frame)\n"
"  --expect-distinct N    wait until N distinct frames were seen\n"
"  --expect-psnr DB       a frame is seen when shown at this PSNR or better\n"
"                         (for JPEG), not only when exact\n"
"  --format NAME          32 32be bgr32 16 16be 555 8 8map\n"
"  --encodings LIST       SetEncodings exactly as listed, in order\n"
"                         (libvncclient; default: Raw and libvncclient's\n"
"                         own pseudo-encodings): raw copyrect hextile zlib\n"
"                         tight zrle jpeg, and the pseudo-encodings\n"
"                         quality=0..9 compress=0..9 fine-quality=0..100\n"
"                         subsampling=0..5 cursor desktop-size\n"
"                         extended-desktop-size desktop-name last-rect\n"
"                         continuous fence qemu-keys, or any number;\n"
"                         e.g. zrle,raw,compress=6,last-rect.  libvncclient\n"
"                         0.9.14 decodes no jpeg (21) rectangle; the raw\n"
"                         session takes raw and pseudo-encodings only (but\n"
"                         with --stall, anything)\n"
"  --keys LIST            a,A,Shift_L,+Shift_L,-Shift_L,... (+ down, - up)\n"
"  --pointer LIST         X,Y,MASK;X,Y,MASK;...\n"
"  --offer LIST           qemu-keys,qemu-leds,vmware-leds,ext-mouse: offer\n"
"                         these pseudo-encodings (raw session)\n"
"  --qemu-keys LIST       QEMU extended keys XT[=KEYSYM],+XT,-XT,... once the\n"
"                         server confirmed them (libvncclient or --offer)\n"
"  --ext-pointer LIST     X,Y,MASK,EXT;... 7-byte pointer events once the\n"
"                         server confirmed ExtendedMouseButtons\n"
"  --cut-text TEXT        send ClientCutText (\\n \\t \\r \\\\ \\xHH)\n"
"  --expect-leds LIST     wait until these LED states (RFB bits) came, in\n"
"                         order, e.g. 4,1\n"
"  --delay MS             pause between input events\n"
"  --hold SECONDS         stay connected, reading updates\n"
"  --dump FILE.ppm        at the end, write the framebuffer as a PPM image\n"
"  --cursor               ask for the cursor's shape (Cursor pseudo-encoding)\n"
"                         and print the last one at the end, a row a line:\n"
"                         X black, . white, + another colour, space clear\n"
"  --expect-cursor WxH    the same, and wait until a shape of that size came\n"
"  --wait-file PATH       before --expect, read updates until PATH exists\n"
"  --late-keys LIST       keys as --keys, sent once --wait-file's PATH exists\n"
"  --exclusive            ask for the screen alone (ClientInit shared = 0)\n"
"  --version 3.3|3.7|3.8  speak this protocol version (raw session)\n"
"  --raw                  use the raw session instead of libvncclient\n"
"  --stall                ask for updates, then never read again\n"
"  --expect-refused       expect the server to refuse, with a reason\n"
"  --send HEX             after ServerInit, send these bytes\n"
"  --garbage HEX          send these bytes instead of a handshake\n"
"  --expect-close         expect the server to close the connection\n"
"  --user NAME            VeNCrypt Plain's user name\n"
"  --password TEXT        its password (also VNC authentication's); the\n"
"                         environment's RAMPART_PASSWORD when not given\n"
"  --ca FILE              the CA of the server's certificate (VeNCrypt X509)\n"
"  --cert FILE --key FILE this client's certificate and key (X509None)\n"
"  --security LIST        none,vnc,vencrypt: the only security types\n"
"                         libvncclient may pick, in this order\n"
"  --timeout SECONDS      for each wait (default 10)\n"
"  --verbose\n");
	exit(2);
}

/* "none,vnc,vencrypt" to RFB security types, at most 3, 0-terminated. */
static int
parse_security(const char *list, uint32_t *types)
{
	static const struct {
		const char	*name;
		uint32_t	 type;
	} names[] = { { "none", 1 }, { "vnc", 2 }, { "vencrypt", 19 } };
	char		*copy, *tok, *save = NULL;
	size_t		 n = 0, i;
	int		 ret = 0;

	if ((copy = strdup(list)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]) || n == 3) {
			ret = -1;
			break;
		}
		types[n++] = names[i].type;
	}
	types[n] = 0;
	free(copy);
	return n == 0 ? -1 : ret;
}

/*
 * "zrle,raw,compress=6,..." to RFB encoding numbers in o->encodings, in
 * order.  -1 on a name not known, a level out of range or too many.
 */
static int
parse_encodings(const char *list, struct options *o)
{
	static const struct {
		const char	*name;
		int32_t		 number;	/* with a level: of level 0 */
		int		 max;		/* level; -1: no level */
	} names[] = {
		{ "raw", 0, -1 }, { "copyrect", 1, -1 }, { "hextile", 5, -1 },
		{ "zlib", 6, -1 }, { "tight", 7, -1 }, { "zrle", 16, -1 },
		{ "jpeg", 21, -1 },
		{ "quality", -32, 9 }, { "compress", -256, 9 },
		{ "fine-quality", -512, 100 }, { "subsampling", -768, 5 },
		{ "cursor", -239, -1 }, { "desktop-size", -223, -1 },
		{ "extended-desktop-size", -308, -1 },
		{ "desktop-name", -307, -1 }, { "last-rect", -224, -1 },
		{ "continuous", -313, -1 }, { "fence", -312, -1 },
		{ "qemu-keys", -258, -1 },
	};
	char	*copy, *tok, *save = NULL, *eq, *end;
	size_t	 i, len;
	long	 v;
	int	 ret = 0;

	if ((copy = strdup(list)) == NULL)
		return -1;
	o->nencodings = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && ret == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->nencodings == ENCODINGS_MAX) {
			ret = -1;
			break;
		}
		/* A number as it is. */
		v = strtol(tok, &end, 0);
		if (end != tok && *end == '\0') {
			o->encodings[o->nencodings++] = (int32_t)v;
			continue;
		}
		eq = strchr(tok, '=');
		len = eq != NULL ? (size_t)(eq - tok) : strlen(tok);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len &&
			    strncmp(tok, names[i].name, len) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]) ||
		    (eq != NULL) != (names[i].max >= 0)) {
			ret = -1;
			break;
		}
		v = 0;
		if (eq != NULL) {
			v = strtol(eq + 1, &end, 10);
			if (end == eq + 1 || *end != '\0' || v < 0 ||
			    v > names[i].max) {
				ret = -1;
				break;
			}
		}
		o->encodings[o->nencodings++] = names[i].number + (int32_t)v;
	}
	free(copy);
	return o->nencodings == 0 ? -1 : ret;
}

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
trace(const struct options *o, const char *fmt, ...)
{
	va_list	ap;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "testclient: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "testclient: overall time limit reached\n";

	(void)write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static uint8_t *
parse_hex(const char *hex, size_t *len)
{
	uint8_t	*buf;
	size_t	 i, n = 0;
	unsigned int b;

	if ((buf = malloc(strlen(hex) / 2 + 1)) == NULL)
		return NULL;
	for (i = 0; hex[i] != '\0'; ) {
		if (hex[i] == ' ' || hex[i] == ':') {
			i++;
			continue;
		}
		if (sscanf(hex + i, "%2x", &b) != 1 || hex[i + 1] == '\0') {
			free(buf);
			return NULL;
		}
		buf[n++] = b;
		i += 2;
	}
	*len = n;
	return buf;
}

static int
parse_offer(const char *arg, unsigned int *offer)
{
	static const struct {
		const char	*name;
		unsigned int	 bit;
	} names[] = {
		{ "qemu-keys", OFFER_QEMU_KEYS },
		{ "qemu-leds", OFFER_QEMU_LEDS },
		{ "vmware-leds", OFFER_VMWARE_LEDS },
		{ "ext-mouse", OFFER_EXT_MOUSE },
	};
	char	*list, *tok, *save;
	int	 ret = 0;
	size_t	 i;

	if ((list = strdup(arg)) == NULL)
		return -1;
	for (tok = strtok_r(list, ",", &save); tok != NULL && ret == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			ret = -1;
		else
			*offer |= names[i].bit;
	}
	free(list);
	return ret;
}

static void
pause_ms(int ms)
{
	if (ms > 0)
		usleep(ms * 1000);
}

static int
send_keys(const struct plan *p, const char *keys,
    const struct session_ops *ops, void *s)
{
	char		*list, *tok, *save;
	uint32_t	 keysym;
	int		 ret = 0, down, up;

	if ((list = strdup(keys)) == NULL)
		return -1;
	for (tok = strtok_r(list, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		down = up = 1;
		if (strlen(tok) > 1 && (tok[0] == '+' || tok[0] == '-')) {
			down = tok[0] == '+';
			up = !down;
			tok++;
		}
		if (keysym_lookup(tok, &keysym) == -1) {
			fprintf(stderr, "unknown key %s\n", tok);
			ret = -1;
			break;
		}
		if ((down && ops->key(s, keysym, 1) == -1) ||
		    (up && ops->key(s, keysym, 0) == -1)) {
			ret = -1;
			break;
		}
		printf("sent key %s 0x%04x%s\n", tok, keysym,
		    down && up ? "" : down ? " down" : " up");
		pause_ms(p->delay_ms);
	}
	free(list);
	return ret;
}

/* "0x1e", "+0x2a", "-0x2a", "0x03=@", "0xcd=Right": an XT code, its
 * keysym (0 when not given), and + down, - up, else both. */
static int
send_qemu_keys(const struct plan *p, const struct session_ops *ops, void *s)
{
	char		*list, *tok, *save, *eq, *end;
	uint32_t	 keysym, xt;
	int		 ret = 0, down, up;

	if ((list = strdup(p->qemu_keys)) == NULL)
		return -1;
	for (tok = strtok_r(list, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		down = up = 1;
		if (tok[0] == '+' || tok[0] == '-') {
			down = tok[0] == '+';
			up = !down;
			tok++;
		}
		keysym = 0;
		if ((eq = strchr(tok, '=')) != NULL) {
			*eq++ = '\0';
			if (keysym_lookup(eq, &keysym) == -1) {
				fprintf(stderr, "unknown key %s\n", eq);
				ret = -1;
				break;
			}
		}
		xt = (uint32_t)strtoul(tok, &end, 0);
		if (*end != '\0' || end == tok) {
			fprintf(stderr, "bad XT code %s\n", tok);
			ret = -1;
			break;
		}
		if ((down && ops->qemu_key(s, keysym, xt, 1) == -1) ||
		    (up && ops->qemu_key(s, keysym, xt, 0) == -1)) {
			ret = -1;
			break;
		}
		printf("sent qemu key 0x%02x keysym 0x%04x%s\n", xt, keysym,
		    down && up ? "" : down ? " down" : " up");
		pause_ms(p->delay_ms);
	}
	free(list);
	return ret;
}

static int
send_ext_pointer(const struct plan *p, const struct session_ops *ops,
    void *s)
{
	char	*list, *tok, *save;
	int	 x, y, mask, ext, ret = 0;

	if ((list = strdup(p->ext_pointer)) == NULL)
		return -1;
	for (tok = strtok_r(list, "; ", &save); tok != NULL;
	    tok = strtok_r(NULL, "; ", &save)) {
		if (sscanf(tok, "%d,%d,%d,%d", &x, &y, &mask, &ext) != 4 ||
		    x < 0 || y < 0 || x > 65535 || y > 65535 || mask < 0 ||
		    mask > 127 || ext < 0 || ext > 255) {
			fprintf(stderr, "bad extended pointer event %s\n", tok);
			ret = -1;
			break;
		}
		if (ops->ext_pointer(s, x, y, mask, ext) == -1) {
			ret = -1;
			break;
		}
		printf("sent ext pointer %d,%d,%d,%d\n", x, y, mask, ext);
		pause_ms(p->delay_ms);
	}
	free(list);
	return ret;
}

/* The text of --cut-text with its escapes undone (Latin-1 bytes). */
static char *
unescape(const char *in, size_t *len)
{
	char		*out, *o;
	unsigned int	 v;

	if ((out = o = malloc(strlen(in) + 1)) == NULL)
		return NULL;
	while (*in != '\0') {
		if (*in != '\\' || in[1] == '\0') {
			*o++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n': *o++ = '\n'; in++; break;
		case 't': *o++ = '\t'; in++; break;
		case 'r': *o++ = '\r'; in++; break;
		case 'x':
			if (sscanf(in + 1, "%2x", &v) == 1 && in[1] != '\0' &&
			    in[2] != '\0') {
				*o++ = (char)v;
				in += 3;
				break;
			}
			/* FALLTHROUGH */
		default:
			*o++ = *in++;
		}
	}
	*len = (size_t)(o - out);
	return out;
}

/* Read updates until the server confirmed what we need. */
static int
await_confirmed(const struct plan *p, const struct session_ops *ops,
    void *s, unsigned int need)
{
	int64_t	deadline = now_ms() + p->o.timeout * 1000;

	while ((ops->confirmed(s) & need) != need) {
		if (now_ms() >= deadline ||
		    ops->pump(s, (int)(deadline - now_ms())) == -1) {
			printf("not confirmed by the server\n");
			return -1;
		}
	}
	printf("server confirmed%s%s\n", need & OFFER_QEMU_KEYS ?
	    " qemu-keys" : "", need & OFFER_EXT_MOUSE ? " ext-mouse" : "");
	return 0;
}

/* Read updates until the LED states listed came, in that order. */
static int
await_leds(const struct plan *p, const struct session_ops *ops, void *s)
{
	int64_t		deadline = now_ms() + p->o.timeout * 1000;
	uint32_t	want[64], seen[64];
	char		*list, *tok, *save;
	int		nwant = 0, n, i, j;

	if ((list = strdup(p->expect_leds)) == NULL)
		return -1;
	for (tok = strtok_r(list, ", ", &save); tok != NULL && nwant < 64;
	    tok = strtok_r(NULL, ", ", &save))
		want[nwant++] = (uint32_t)strtoul(tok, NULL, 0);
	free(list);
	for (;;) {
		n = ops->leds(s, seen, 64);
		for (i = j = 0; i < n && i < 64 && j < nwant; i++)
			if (seen[i] == want[j])
				j++;
		if (j == nwant) {
			printf("leds as expected\n");
			return 0;
		}
		if (now_ms() >= deadline ||
		    ops->pump(s, (int)(deadline - now_ms())) == -1)
			break;
	}
	printf("leds: %d states came, not the ones expected\n", n);
	return -1;
}

static int
send_pointer(const struct plan *p, const struct session_ops *ops, void *s)
{
	char	*list, *tok, *save;
	int	 x, y, mask, ret = 0;

	if ((list = strdup(p->pointer)) == NULL)
		return -1;
	for (tok = strtok_r(list, "; ", &save); tok != NULL;
	    tok = strtok_r(NULL, "; ", &save)) {
		if (sscanf(tok, "%d,%d,%d", &x, &y, &mask) != 3 ||
		    x < 0 || y < 0 || x > 65535 || y > 65535 ||
		    mask < 0 || mask > 255) {
			fprintf(stderr, "bad pointer event %s\n", tok);
			ret = -1;
			break;
		}
		if (ops->pointer(s, x, y, mask) == -1) {
			ret = -1;
			break;
		}
		printf("sent pointer %d,%d,%d\n", x, y, mask);
		pause_ms(p->delay_ms);
	}
	free(list);
	return ret;
}

static void
print_shape(const struct shape *sh)
{
	int	x, y;
	char	row[1100];

	if (sh->count == 0) {
		printf("no cursor shape\n");
		return;
	}
	printf("cursor %dx%d hot %d,%d (%d shapes)\n", sh->width, sh->height,
	    sh->hot_x, sh->hot_y, sh->count);
	for (y = 0; y < sh->height; y++) {
		for (x = 0; x < sh->width && x < (int)sizeof(row) - 1; x++) {
			size_t		i = (size_t)y * sh->width + x;

			row[x] = !sh->mask[i] ? ' ' : sh->rgb[i] == 0 ? 'X' :
			    sh->rgb[i] == 0xffffff ? '.' : '+';
		}
		row[x] = '\0';
		printf("cursor-row |%s|\n", row);
	}
}

/* Read updates until a cursor shape of the size expected came. */
static int
await_cursor(const struct plan *p, const struct session_ops *ops, void *s)
{
	int64_t			 deadline = now_ms() + p->o.timeout * 1000;
	const struct shape	*sh;

	for (;;) {
		sh = ops->shape(s);
		if (sh->count > 0 && sh->width == p->expect_cursor_w &&
		    sh->height == p->expect_cursor_h) {
			print_shape(sh);
			return 0;
		}
		if (now_ms() >= deadline ||
		    ops->pump(s, (int)(deadline - now_ms())) == -1)
			break;
	}
	printf("no cursor of %dx%d came\n", p->expect_cursor_w,
	    p->expect_cursor_h);
	print_shape(sh);
	return -1;
}

/* Pump updates until the expectation holds or the time is up. */
static int
await(const struct plan *p, struct expectation *e,
    const struct session_ops *ops, void *s, int checked)
{
	int64_t		deadline = now_ms() + p->o.timeout * 1000;
	struct view	v;
	int		n;

	ops->view(s, &v);
	if (checked && expect_check(e, &v))
		return 0;
	while (now_ms() < deadline) {
		n = ops->pump(s, (int)(deadline - now_ms()));
		if (n == -1) {
			printf("connection ended while waiting for frames\n");
			break;
		}
		if (n == 1) {
			ops->view(s, &v);
			if (expect_check(e, &v))
				return 0;
		}
	}
	ops->view(s, &v);
	expect_explain(e, &v);
	return -1;
}

static int
hold(const struct plan *p, const struct session_ops *ops, void *s)
{
	int64_t	deadline = now_ms() + p->hold * 1000;
	int	updates = 0, n;

	while (now_ms() < deadline) {
		if ((n = ops->pump(s, (int)(deadline - now_ms()))) == -1) {
			printf("connection ended after %d updates\n", updates);
			return -1;
		}
		updates += n;
	}
	printf("held %d s, %d updates\n", p->hold, updates);
	return 0;
}

/* Keep the session going until a test says when to look. */
static int
wait_file(const struct plan *p, const struct session_ops *ops, void *s)
{
	int64_t	deadline = now_ms() + 3 * p->o.timeout * 1000;

	printf("waiting for %s\n", p->wait_file);
	fflush(stdout);
	while (access(p->wait_file, F_OK) == -1) {
		if (now_ms() > deadline) {
			printf("%s did not appear\n", p->wait_file);
			return -1;
		}
		if (ops->pump(s, 100) == -1) {
			printf("connection ended while waiting for %s\n",
			    p->wait_file);
			return -1;
		}
	}
	return 0;
}

static int
session(struct plan *p, struct expectation *e)
{
	const struct session_ops *ops;
	void			*s;
	char			*refusal = NULL;
	uint8_t			*bytes;
	size_t			 len;
	int			 n, ret = 0;

	if (p->garbage_hex != NULL) {
		if ((bytes = parse_hex(p->garbage_hex, &len)) == NULL)
			usage();
		n = raw_garbage(&p->o, bytes, len);
		free(bytes);
		printf(n == 0 ? "closed\n" : "still open\n");
		return n == 0 ? 0 : 1;
	}
	if (p->raw)
		s = raw_open(&p->o, &ops, &refusal);
	else
		s = vnc_open(&p->o, &ops);
	if (refusal != NULL) {
		printf("refused: %s\n", refusal);
		n = p->expect_refused && refusal[0] != '\0' ? 0 : 1;
		free(refusal);
		return n;
	}
	if (s == NULL) {
		printf("connection failed\n");
		return p->expect_refused ? 1 : 2;
	}
	if (p->expect_refused) {
		printf("not refused\n");
		ops->close(s);
		return 1;
	}
	printf("session: %s\n", ops->name);
	fflush(stdout);
	if (p->stall)
		return raw_stall(s) == -1 ? 2 : 0;
	if (p->send_hex != NULL) {
		if ((bytes = parse_hex(p->send_hex, &len)) == NULL)
			usage();
		n = raw_send(s, bytes, len);
		free(bytes);
		if (n == -1)
			printf("send failed\n");
	}
	if (p->expect_close) {
		n = raw_wait_close(s, p->o.timeout * 1000);
		printf(n == 0 ? "closed\n" : "still open\n");
		ops->close(s);
		return n == 0 ? 0 : 1;
	}

	/* The first update: the server knows this client now. */
	if ((n = ops->pump(s, p->o.timeout * 1000)) != 1) {
		printf("no framebuffer update\n");
		ops->close(s);
		return 1;
	}
	printf("first update\n");
	fflush(stdout);
	if (p->keys != NULL && send_keys(p, p->keys, ops, s) == -1)
		ret = 1;
	if (p->pointer != NULL && send_pointer(p, ops, s) == -1)
		ret = 1;
	if (ret == 0 && (p->qemu_keys != NULL || p->ext_pointer != NULL) &&
	    await_confirmed(p, ops, s, (p->qemu_keys != NULL ?
	    OFFER_QEMU_KEYS : 0) | (p->ext_pointer != NULL ?
	    OFFER_EXT_MOUSE : 0)) == -1)
		ret = 1;
	if (ret == 0 && p->qemu_keys != NULL && send_qemu_keys(p, ops, s) == -1)
		ret = 1;
	if (ret == 0 && p->ext_pointer != NULL &&
	    send_ext_pointer(p, ops, s) == -1)
		ret = 1;
	if (ret == 0 && p->cut_text != NULL) {
		size_t	 tlen;
		char	*text = unescape(p->cut_text, &tlen);

		if (text == NULL || ops->cut_text(s, text, tlen) == -1)
			ret = 1;
		else
			printf("sent cut text of %zu bytes\n", tlen);
		free(text);
	}
	if (ret == 0 && p->expect_leds != NULL && await_leds(p, ops, s) == -1)
		ret = 1;
	if (ret == 0 && p->expect_cursor_w > 0 && await_cursor(p, ops, s) == -1)
		ret = 1;
	fflush(stdout);
	if (ret == 0 && p->wait_file != NULL) {
		if (wait_file(p, ops, s) == -1)
			ret = 1;
		else if (p->late_keys != NULL &&
		    send_keys(p, p->late_keys, ops, s) == -1)
			ret = 1;
		/* Only what comes after counts. */
		else if (p->expect != NULL && await(p, e, ops, s, 0) == -1)
			ret = 1;
	} else if (ret == 0 && p->expect != NULL &&
	    await(p, e, ops, s, 1) == -1)
		ret = 1;
	if (ret == 0 && p->hold > 0 && hold(p, ops, s) == -1)
		ret = 1;
	if (p->o.cursor && p->expect_cursor_w == 0)
		print_shape(ops->shape(s));
	/* A server must not send what a client did not ask for. */
	if (!p->o.cursor && ops->shape != NULL && ops->shape(s)->count > 0) {
		printf("a cursor shape came unasked\n");
		ret = 1;
	}
	if (p->dump != NULL) {
		struct view	v;

		ops->view(s, &v);
		if (view_write_ppm(&v, p->dump) == -1) {
			printf("cannot write %s: %s\n", p->dump,
			    strerror(errno));
			ret = 1;
		} else
			printf("wrote %dx%d to %s\n", v.width, v.height,
			    p->dump);
	}
	ops->close(s);
	return ret;
}

static int
run(struct plan *p)
{
	struct expectation	e;
	int			ret;

	if (p->expect == NULL)
		return session(p, NULL);
	if (expect_open(&e, p->expect, p->distinct) == -1)
		return 2;
	e.min_psnr = p->min_psnr;
	ret = session(p, &e);
	expect_close(&e);
	return ret;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "expect",		required_argument, NULL, 'e' },
		{ "expect-distinct",	required_argument, NULL, 'n' },
		{ "expect-psnr",	required_argument, NULL, 'J' },
		{ "format",		required_argument, NULL, 'f' },
		{ "encodings",		required_argument, NULL, 'E' },
		{ "keys",		required_argument, NULL, 'k' },
		{ "pointer",		required_argument, NULL, 'p' },
		{ "offer",		required_argument, NULL, 'O' },
		{ "qemu-keys",		required_argument, NULL, 'Q' },
		{ "ext-pointer",	required_argument, NULL, 'X' },
		{ "cut-text",		required_argument, NULL, 'C' },
		{ "expect-leds",	required_argument, NULL, 'L' },
		{ "delay",		required_argument, NULL, 'd' },
		{ "hold",		required_argument, NULL, 'h' },
		{ "dump",		required_argument, NULL, 'D' },
		{ "cursor",		no_argument,	   NULL, 'u' },
		{ "expect-cursor",	required_argument, NULL, 'M' },
		{ "wait-file",		required_argument, NULL, 'w' },
		{ "late-keys",		required_argument, NULL, 'l' },
		{ "exclusive",		no_argument,	   NULL, 'x' },
		{ "version",		required_argument, NULL, 'V' },
		{ "raw",		no_argument,	   NULL, 'r' },
		{ "stall",		no_argument,	   NULL, 's' },
		{ "expect-refused",	no_argument,	   NULL, 'R' },
		{ "send",		required_argument, NULL, 'S' },
		{ "garbage",		required_argument, NULL, 'g' },
		{ "expect-close",	no_argument,	   NULL, 'c' },
		{ "timeout",		required_argument, NULL, 't' },
		{ "user",		required_argument, NULL, 'U' },
		{ "password",		required_argument, NULL, 'P' },
		{ "ca",			required_argument, NULL, 'A' },
		{ "cert",		required_argument, NULL, 'W' },
		{ "key",		required_argument, NULL, 'K' },
		{ "security",		required_argument, NULL, 'Y' },
		{ "verbose",		no_argument,	   NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan	p;
	struct fmt	f;
	int		ch;

	memset(&p, 0, sizeof(p));
	p.o.timeout = 10;
	p.o.password = getenv("RAMPART_PASSWORD");
	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': p.expect = optarg; break;
		case 'n': p.distinct = atoi(optarg); break;
		case 'J':
			p.min_psnr = atof(optarg);
			if (!(p.min_psnr > 0))
				usage();
			break;
		case 'f': p.o.format = optarg; break;
		case 'E':
			if (parse_encodings(optarg, &p.o) == -1)
				usage();
			break;
		case 'k': p.keys = optarg; break;
		case 'p': p.pointer = optarg; break;
		case 'O':
			if (parse_offer(optarg, &p.o.offer) == -1)
				usage();
			break;
		case 'Q': p.qemu_keys = optarg; break;
		case 'X': p.ext_pointer = optarg; break;
		case 'C': p.cut_text = optarg; break;
		case 'L': p.expect_leds = optarg; break;
		case 'd': p.delay_ms = atoi(optarg); break;
		case 'h': p.hold = atoi(optarg); break;
		case 'D': p.dump = optarg; break;
		case 'u': p.o.cursor = 1; break;
		case 'M':
			if (sscanf(optarg, "%dx%d", &p.expect_cursor_w,
			    &p.expect_cursor_h) != 2 || p.expect_cursor_w < 1 ||
			    p.expect_cursor_h < 1)
				usage();
			p.o.cursor = 1;
			break;
		case 'w': p.wait_file = optarg; break;
		case 'l': p.late_keys = optarg; break;
		case 'x': p.o.exclusive = 1; break;
		case 'V':
			if (strcmp(optarg, "3.3") == 0)
				p.o.minor = 3;
			else if (strcmp(optarg, "3.7") == 0)
				p.o.minor = 7;
			else if (strcmp(optarg, "3.8") == 0)
				p.o.minor = 8;
			else
				usage();
			break;
		case 'r': p.raw = 1; break;
		case 's': p.stall = 1; break;
		case 'R': p.expect_refused = 1; break;
		case 'S': p.send_hex = optarg; break;
		case 'g': p.garbage_hex = optarg; break;
		case 'c': p.expect_close = 1; break;
		case 't': p.o.timeout = atoi(optarg); break;
		case 'U': p.o.user = optarg; break;
		case 'P': p.o.password = optarg; break;
		case 'A': p.o.ca = optarg; break;
		case 'W': p.o.cert = optarg; break;
		case 'K': p.o.key = optarg; break;
		case 'Y':
			if (parse_security(optarg, p.o.security) == -1)
				usage();
			break;
		case 'v': p.o.verbose = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 1 || p.o.timeout <= 0 ||
	    (p.late_keys != NULL && p.wait_file == NULL) ||
	    ((p.distinct > 0 || p.min_psnr > 0) && p.expect == NULL))
		usage();
	p.o.target = argv[optind];
	if (p.o.format != NULL && fmt_by_name(p.o.format, &f) == -1)
		usage();

	/* What libvncclient cannot do, the raw session does. */
	if (p.o.minor || p.stall || p.expect_refused || p.send_hex ||
	    p.expect_close || (p.o.format != NULL && !f.true_colour) ||
	    p.o.offer != 0 || p.ext_pointer != NULL || p.expect_leds != NULL)
		p.raw = 1;
	if ((p.ext_pointer != NULL && !(p.o.offer & OFFER_EXT_MOUSE)) ||
	    (p.expect_leds != NULL && !(p.o.offer & (OFFER_QEMU_LEDS |
	    OFFER_VMWARE_LEDS))) || (p.qemu_keys != NULL && p.raw &&
	    !(p.o.offer & OFFER_QEMU_KEYS)) || (p.o.cursor && p.raw))
		usage();
	if (p.raw && p.o.minor == 0)
		p.o.minor = 8;
	/* The raw session decodes Raw alone (a stalled one decodes
	 * nothing: it may ask for anything). */
	if (p.raw && !p.stall) {
		for (int i = 0; i < p.o.nencodings; i++)
			if (p.o.encodings[i] > 0) {
				fprintf(stderr, "the raw session takes no "
				    "encoding but raw\n");
				usage();
			}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	if (!p.stall)
		alarm(5 * p.o.timeout + p.hold + 10);
	return run(&p);
}
