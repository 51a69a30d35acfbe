/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The broker's key and pointer path as it runs: the real conn, session,
 * client, updates, keyboards and paste, viewers on the far end of
 * bufferevent pairs, and the test as the input helper on the other end of
 * the real input channel (what reaches it, and the LEDs it reports).
 *
 * QEMU Extended Key Event (-258): confirmed, then scancodes straight to
 * key codes; refused before, and for other submessages.  LED state (-261,
 * VMware's 0x574d5668) from the input helper to the viewers.
 * ExtendedMouseButtons (-316) and the 8 RFB buttons.  Keys released across
 * clients.  Paste as typing, on us and de.
 */
#include "config.h"

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <linux/input-event-codes.h>
#include <rfb/keysym.h>
#include <rfb/rfbproto.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "broker/wire.h"
#include "common/log.h"
#include "tests/tap.h"

#define W	64
#define H	48

static struct broker b;
static int helper = -1;		/* our end of the input channel */

struct viewer {
	struct bufferevent *bev[2];	/* [0] the client's, [1] ours */
	struct evbuffer	*in;		/* what the server sent us */
	struct client	*c;
};

/* What the input helper got: keys as +code / -code, pointers apart. */
struct got {
	int	keys[8192];
	int64_t	ms[8192];		/* when each key came */
	int	nkeys;
	struct ipc_in_pointer ptr[64];
	int	nptr;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pump(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(b.base, EVLOOP_NONBLOCK);
}

static void
drain(struct got *g)
{
	struct ipc_msg m;
	int fd;

	while (ipc_recv(helper, &m, &fd, IPC_BRK2IN_FIRST,
	    IPC_BRK2IN_LAST) == 1) {
		if (m.hdr.type == IPC_BRK2IN_KEY && g->nkeys < 8192) {
			g->ms[g->nkeys] = now_ms();
			g->keys[g->nkeys++] = m.u.in_key.down ?
			    m.u.in_key.code : -(int)m.u.in_key.code;
		} else if (m.hdr.type == IPC_BRK2IN_POINTER && g->nptr < 64)
			g->ptr[g->nptr++] = m.u.in_pointer;
	}
}

/* Run the loop for ms milliseconds (timers fire), collecting input. */
static void
run_for(struct got *g, int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		event_base_loop(b.base, EVLOOP_NONBLOCK);
		drain(g);
		usleep(1000);
	}
	pump();
	drain(g);
}

static int
same(const struct got *g, const int *want, int n)
{
	if (g->nkeys != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (g->keys[i] != want[i])
			return 0;
	return 1;
}

static void
show(const struct got *g)
{
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < g->nkeys && len < sizeof(buf) - 16; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %+d",
		    g->keys[i]);
	diag("keys:%s", buf);
}

#define KEYS_ARE(g, name, ...) do {					\
	static const int want_[] = { 0, __VA_ARGS__ };			\
	if (!ok(same((g), want_ + 1,					\
	    (int)(sizeof(want_) / sizeof(want_[0])) - 1), "%s", name))	\
		show(g);						\
} while (0)

static void
new_frame(uint8_t seed)
{
	uint8_t *px = malloc((size_t)W * H * 4);

	memset(px, seed, (size_t)W * H * 4);
	screen_set_frame(&b.screen, frame_own(px, W, H));
}

static void
vsend(struct viewer *v, const void *p, size_t len)
{
	bufferevent_write(v->bev[1], p, len);
	pump();
}

static int
take(struct viewer *v, void *p, size_t len)
{
	pump();
	if (evbuffer_get_length(v->in) < len)
		return -1;
	evbuffer_remove(v->in, p, len);
	return 0;
}

static size_t
pending(struct viewer *v)
{
	pump();
	return evbuffer_get_length(v->in);
}

static int
alive(const struct viewer *v)
{
	struct client *c;

	TAILQ_FOREACH(c, &b.clients, entry)
		if (c == v->c)
			return c->session.state != SESSION_CLOSING;
	return 0;
}

/* A viewer past ServerInit, offering encs (n of them, Raw first). */
static int
viewer_open(struct viewer *v, const int32_t *encs, size_t n)
{
	uint8_t buf[256], init[24], se[4 + 4 * 16] = { rfbSetEncodings };
	uint32_t namelen;

	if (bufferevent_pair_new(b.base, 0, v->bev) < 0)
		return -1;
	if ((v->c = client_new_bev(&b, v->bev[0], "test", IPC_SEC_NONE)) ==
	    NULL)
		return -1;
	bufferevent_enable(v->bev[1], EV_READ | EV_WRITE);
	v->in = bufferevent_get_input(v->bev[1]);
	if (take(v, buf, 12) < 0)
		return -1;
	vsend(v, "RFB 003.008\n", 12);
	if (take(v, buf, 2) < 0)
		return -1;
	vsend(v, "\x01", 1);
	if (take(v, buf, 4) < 0)
		return -1;
	vsend(v, "\x01", 1);
	if (take(v, init, 24) < 0)
		return -1;
	namelen = wire_get32(init + 20);
	if (namelen > sizeof(buf) || take(v, buf, namelen) < 0)
		return -1;
	wire_put16(se + 2, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		wire_put32(se + 4 + 4 * i, (uint32_t)encs[i]);
	vsend(v, se, 4 + 4 * n);
	return 0;
}

static void
viewer_close(struct viewer *v)
{
	bufferevent_flush(v->bev[1], EV_WRITE, BEV_FINISHED);
	bufferevent_free(v->bev[1]);
	pump();
}

static void
request(struct viewer *v, int incremental)
{
	uint8_t m[10] = { rfbFramebufferUpdateRequest, (uint8_t)incremental };

	wire_put16(m + 6, W);
	wire_put16(m + 8, H);
	vsend(v, m, sizeof(m));
}

/* The pseudo-rectangles of one update, in order, and their payloads;
 * pixels are skipped.  -1 when no (whole) update is there. */
struct update {
	int32_t		enc[16];
	uint32_t	value[16];	/* LED state; 0 for the others */
	int		n;
	int		pixels;		/* pixel rectangles */
};

static int
read_update(struct viewer *v, struct update *u)
{
	uint8_t hdr[4], rh[12], val[4];
	uint16_t n;

	memset(u, 0, sizeof(*u));
	if (take(v, hdr, 4) < 0 || hdr[0] != rfbFramebufferUpdate)
		return -1;
	n = wire_get16(hdr + 2);
	for (uint16_t i = 0; i < n; i++) {
		int32_t e;

		if (take(v, rh, 12) < 0)
			return -1;
		e = (int32_t)wire_get32(rh + 8);
		if (e == rfbEncodingRaw) {
			size_t len = (size_t)wire_get16(rh + 4) *
			    wire_get16(rh + 6) * 4;

			if (evbuffer_get_length(v->in) < len)
				return -1;
			evbuffer_drain(v->in, len);
			u->pixels++;
			continue;
		}
		if (u->n == 16)
			return -1;
		u->enc[u->n] = e;
		if (e == SESSION_ENC_QEMU_LEDS) {
			if (take(v, val, 1) < 0)
				return -1;
			u->value[u->n] = val[0];
		} else if (e == SESSION_ENC_VMWARE_LEDS) {
			if (take(v, val, 4) < 0)
				return -1;
			u->value[u->n] = wire_get32(val);
		} else if (e != SESSION_ENC_QEMU_KEYS &&
		    e != SESSION_ENC_EXT_MOUSE)
			return -1;	/* nothing else is asked for */
		u->n++;
	}
	return 0;
}

/* The update has exactly one pseudo-rectangle of enc (value: its state). */
static int
has(const struct update *u, int32_t enc, uint32_t *value)
{
	int found = 0;

	for (int i = 0; i < u->n; i++)
		if (u->enc[i] == enc) {
			found++;
			if (value != NULL)
				*value = u->value[i];
		}
	return found == 1;
}

static void
key_event(struct viewer *v, uint32_t keysym, int down)
{
	uint8_t m[8] = { rfbKeyEvent, (uint8_t)down };

	wire_put32(m + 4, keysym);
	vsend(v, m, sizeof(m));
}

static void
qemu_key(struct viewer *v, uint32_t keysym, uint32_t xt, int down)
{
	uint8_t m[12] = { rfbQemuEvent, 0 };

	wire_put16(m + 2, (uint16_t)down);
	wire_put32(m + 4, keysym);
	wire_put32(m + 8, xt);
	vsend(v, m, sizeof(m));
}

static void
pointer(struct viewer *v, uint8_t mask, int ext, uint8_t extmask)
{
	uint8_t m[7] = { rfbPointerEvent, mask, 0, 10, 0, 10, extmask };

	vsend(v, m, ext ? 7 : 6);
}

static void
cut_text(struct viewer *v, const char *text, size_t len)
{
	uint8_t m[8] = { rfbClientCutText };

	wire_put32(m + 4, (uint32_t)len);
	bufferevent_write(v->bev[1], m, sizeof(m));
	vsend(v, text, len);
}

static void
leds(uint32_t state)
{
	struct ipc_in_leds l = { .leds = state };

	if (ipc_send(helper, IPC_IN2BRK_LEDS, &l, sizeof(l), -1) < 0)
		bail("ipc_send");
	pump();
}

static void
use_layout(const char *name)
{
	char why[256];

	keymap_free(b.keymap);
	if ((b.keymap = keymap_new(name, why, sizeof(why))) == NULL)
		b.keymap = NULL;
	keyboards_init(&b.keys, b.keymap != NULL ? b.keymap :
	    (b.keymap = keymap_builtin()));
}

static void
test_qemu_keys(void)
{
	static const int32_t encs[] = { rfbEncodingRaw,
	    SESSION_ENC_QEMU_KEYS };
	struct viewer v, w;
	struct update u;
	struct got g = { .nkeys = 0 };

	viewer_open(&v, encs, 2);
	request(&v, 0);
	ok(read_update(&v, &u) == 0 && u.n == 1 &&
	    has(&u, SESSION_ENC_QEMU_KEYS, NULL) && u.pixels > 0,
	    "-258 offered: the first update confirms it with an empty "
	    "rectangle, ahead of the pixels");
	qemu_key(&v, 'a', 0x1e, 1);
	qemu_key(&v, 'a', 0x1e, 0);
	qemu_key(&v, XK_Right, 0xcd, 1);
	qemu_key(&v, XK_Right, 0xcd, 0);
	qemu_key(&v, XK_Shift_L, 0x2a, 1);
	qemu_key(&v, '@', 0x03, 1);
	qemu_key(&v, '@', 0x03, 0);
	qemu_key(&v, XK_Shift_L, 0x2a, 0);
	qemu_key(&v, XK_KP_Enter, 0x9c, 1);
	qemu_key(&v, XK_KP_Enter, 0x9c, 0);
	qemu_key(&v, XK_Print, 0x54, 1);
	qemu_key(&v, XK_Print, 0x54, 0);
	drain(&g);
	KEYS_ARE(&g, "XT 0x1e, 0xcd (Right), Shift+2 (whatever its keysym), "
	    "keypad Enter, Print: the keys as they are, nothing around them",
	    KEY_A, -KEY_A, KEY_RIGHT, -KEY_RIGHT, KEY_LEFTSHIFT, KEY_2,
	    -KEY_2, -KEY_LEFTSHIFT, KEY_KPENTER, -KEY_KPENTER, KEY_SYSRQ,
	    -KEY_SYSRQ);
	g.nkeys = 0;
	qemu_key(&v, 0, 0x80, 1);
	qemu_key(&v, 'q', 0xffff, 1);
	drain(&g);
	ok(g.nkeys == 0 && alive(&v), "a scancode that is no key is ignored, "
	    "the client stays");
	qemu_key(&v, 'e', 0x12, 1);
	key_event(&v, 'e', 0);
	drain(&g);
	KEYS_ARE(&g, "a key pressed by scancode goes up with a KeyEvent of "
	    "its keysym", KEY_E, -KEY_E);
	vsend(&v, "\xff\x01\x00\x00", 4);
	ok(!alive(&v), "an unknown QEMU submessage closes the client");
	viewer_close(&v);

	/* -258 offered but not yet confirmed: no update was asked for. */
	viewer_open(&v, encs, 2);
	g.nkeys = 0;
	qemu_key(&v, 'a', 0x1e, 1);
	drain(&g);
	ok(!alive(&v) && g.nkeys == 0, "a QEMU key before the confirmation "
	    "closes the client, nothing typed");
	viewer_close(&v);
	viewer_open(&w, encs, 1);
	request(&w, 0);
	ok(read_update(&w, &u) == 0 && u.n == 0, "without -258: no "
	    "confirmation");
	qemu_key(&w, 'a', 0x1e, 1);
	drain(&g);
	ok(!alive(&w) && g.nkeys == 0, "and a QEMU key closes it");
	viewer_close(&w);

	/* A later SetEncodings without -258 turns it off. */
	viewer_open(&v, encs, 2);
	request(&v, 0);
	read_update(&v, &u);
	{
		uint8_t se[8] = { rfbSetEncodings, 0, 0, 1, 0, 0, 0, 0 };

		vsend(&v, se, sizeof(se));
	}
	qemu_key(&v, 'a', 0x1e, 1);
	ok(!alive(&v), "once it no longer lists -258, QEMU keys close it");
	viewer_close(&v);
	drain(&g);
}

static void
test_leds(void)
{
	static const int32_t qemu[] = { rfbEncodingRaw,
	    SESSION_ENC_QEMU_LEDS };
	static const int32_t vmware[] = { rfbEncodingRaw,
	    SESSION_ENC_VMWARE_LEDS };
	static const int32_t both[] = { rfbEncodingRaw,
	    SESSION_ENC_VMWARE_LEDS, SESSION_ENC_QEMU_LEDS };
	struct viewer q, vm, bo, none;
	struct update u;
	uint32_t val = 99;

	viewer_open(&q, qemu, 2);
	viewer_open(&vm, vmware, 2);
	viewer_open(&none, qemu, 1);
	request(&q, 0);
	ok(read_update(&q, &u) == 0 && u.n == 0,
	    "LEDs not reported yet: none sent");
	request(&vm, 0);
	read_update(&vm, &u);
	request(&none, 0);
	read_update(&none, &u);
	request(&q, 1);
	request(&vm, 1);
	request(&none, 1);
	leds(IPC_LED_CAPS_LOCK);
	ok(read_update(&q, &u) == 0 && has(&u, SESSION_ENC_QEMU_LEDS, &val) &&
	    val == 4 && u.pixels == 0, "Caps Lock on: QEMU LED State 0x04 "
	    "(bit 2), alone in an update (%u)", val);
	ok(read_update(&vm, &u) == 0 && has(&u, SESSION_ENC_VMWARE_LEDS,
	    &val) && val == 4, "and VMware LED State 4, 4 bytes (%u)", val);
	ok(pending(&none) == 0, "a client that did not ask gets nothing");
	request(&q, 1);
	request(&vm, 1);
	leds(IPC_LED_NUM_LOCK | IPC_LED_SCROLL_LOCK);
	ok(read_update(&q, &u) == 0 && has(&u, SESSION_ENC_QEMU_LEDS, &val) &&
	    val == 3, "Num and Scroll Lock: 0x03 (bits 1 and 0) (%u)", val);
	ok(read_update(&vm, &u) == 0 && has(&u, SESSION_ENC_VMWARE_LEDS,
	    &val) && val == 3, "VMware the same (%u)", val);
	request(&q, 1);
	leds(IPC_LED_NUM_LOCK | IPC_LED_SCROLL_LOCK);
	ok(pending(&q) == 0, "the same state again: nothing");
	leds(IPC_LED_NUM_LOCK | IPC_LED_SCROLL_LOCK | IPC_LED_CAPS_LOCK);
	ok(read_update(&q, &u) == 0 && has(&u, SESSION_ENC_QEMU_LEDS, &val) &&
	    val == 7, "all three: 0x07 (%u)", val);

	viewer_open(&bo, both, 3);
	request(&bo, 0);
	ok(read_update(&bo, &u) == 0 && u.n == 1 &&
	    has(&u, SESSION_ENC_QEMU_LEDS, &val) && val == 7,
	    "a client that comes later gets the state in its first update, "
	    "QEMU's form where it offers both (%u)", val);
	leds(0);
	new_frame(2);
	request(&bo, 1);
	ok(read_update(&bo, &u) == 0 && has(&u, SESSION_ENC_QEMU_LEDS, &val) &&
	    val == 0 && u.pixels > 0, "a change while pixels wait: both in "
	    "one update");
	viewer_close(&q);
	viewer_close(&vm);
	viewer_close(&bo);
	viewer_close(&none);
}

static void
test_buttons(void)
{
	static const int32_t ext[] = { rfbEncodingRaw, SESSION_ENC_EXT_MOUSE };
	static const struct {
		uint8_t	mask;
		uint8_t	buttons;
		int8_t	wheel, hwheel;
	} rfb[] = {
		{ 1, IPC_BTN_LEFT, 0, 0 }, { 2, IPC_BTN_MIDDLE, 0, 0 },
		{ 4, IPC_BTN_RIGHT, 0, 0 }, { 8, 0, 1, 0 }, { 16, 0, -1, 0 },
		{ 32, 0, 0, -1 }, { 64, 0, 0, 1 }, { 128, IPC_BTN_SIDE, 0, 0 },
	};
	struct viewer v;
	struct update u;
	struct got g = { .nkeys = 0 };
	int bad = 0;

	viewer_open(&v, ext, 1);
	for (unsigned int i = 0; i < sizeof(rfb) / sizeof(rfb[0]); i++) {
		g.nptr = 0;
		pointer(&v, rfb[i].mask, 0, 0);
		pointer(&v, 0, 0, 0);
		run_for(&g, 20);
		if (g.nptr < 1 || g.ptr[g.nptr > 1 ? g.nptr - 2 : 0].buttons !=
		    rfb[i].buttons || g.ptr[g.nptr > 1 ? g.nptr - 2 :
		    0].wheel != rfb[i].wheel || g.ptr[g.nptr > 1 ?
		    g.nptr - 2 : 0].hwheel != rfb[i].hwheel) {
			diag("button %u: %d events", i + 1, g.nptr);
			bad++;
		}
	}
	ok(bad == 0, "RFB buttons 1-8: left, middle, right, wheel up, down, "
	    "left, right, back");
	viewer_close(&v);

	viewer_open(&v, ext, 2);
	g.nptr = 0;
	pointer(&v, 0x80, 0, 0);
	run_for(&g, 20);
	ok(g.nptr == 1 && g.ptr[0].buttons == IPC_BTN_SIDE && alive(&v),
	    "-316 offered, not confirmed yet: bit 7 is back, 6 bytes");
	pointer(&v, 0, 0, 0);
	run_for(&g, 20);
	request(&v, 0);
	ok(read_update(&v, &u) == 0 && has(&u, SESSION_ENC_EXT_MOUSE, NULL),
	    "the next update confirms ExtendedMouseButtons");
	g.nptr = 0;
	pointer(&v, 0x81, 1, 0x02);
	run_for(&g, 20);
	ok(g.nptr == 1 && g.ptr[0].buttons == (IPC_BTN_LEFT | IPC_BTN_EXTRA),
	    "7 bytes, marker and extra byte 0x02: left and forward (0x%02x)",
	    g.nptr > 0 ? g.ptr[0].buttons : 0);
	pointer(&v, 0x80, 1, 0x01);
	run_for(&g, 20);
	ok(g.nptr == 2 && g.ptr[1].buttons == IPC_BTN_SIDE,
	    "extra byte 0x01: back (0x%02x)", g.nptr > 1 ? g.ptr[1].buttons :
	    0);
	pointer(&v, 0x04, 0, 0);
	run_for(&g, 20);
	ok(g.nptr == 3 && g.ptr[2].buttons == IPC_BTN_RIGHT && alive(&v),
	    "a 6-byte event after it: back and forward not pressed");
	g.nptr = 0;
	pointer(&v, 0x80, 1, 0x03);
	viewer_close(&v);
	run_for(&g, 20);
	ok(g.nptr == 2 && g.ptr[0].buttons == (IPC_BTN_SIDE | IPC_BTN_EXTRA) &&
	    g.ptr[1].buttons == 0,
	    "back and forward held when it leaves: released");
}

static void
test_cross_clients(void)
{
	static const int32_t encs[] = { rfbEncodingRaw,
	    SESSION_ENC_QEMU_KEYS };
	struct viewer a, c;
	struct update u;
	struct got g = { .nkeys = 0 };

	viewer_open(&a, encs, 2);
	viewer_open(&c, encs, 2);
	request(&a, 0);
	read_update(&a, &u);
	request(&c, 0);
	read_update(&c, &u);
	key_event(&a, 'k', 1);
	key_event(&c, 'k', 0);
	key_event(&a, 'k', 0);
	drain(&g);
	KEYS_ARE(&g, "A presses k, B releases it: up once", KEY_K, -KEY_K);
	g.nkeys = 0;
	qemu_key(&a, 'j', 0x24, 1);
	qemu_key(&c, 'j', 0x24, 0);
	drain(&g);
	KEYS_ARE(&g, "by scancode too", KEY_J, -KEY_J);
	g.nkeys = 0;
	key_event(&a, XK_Shift_L, 1);
	key_event(&c, '1', 1);
	key_event(&c, '1', 0);
	drain(&g);
	KEYS_ARE(&g, "A holds Shift, B types '1': Shift lifted around it",
	    KEY_LEFTSHIFT, -KEY_LEFTSHIFT, KEY_1, KEY_LEFTSHIFT, -KEY_1);
	g.nkeys = 0;
	key_event(&c, 'm', 1);
	viewer_close(&a);
	drain(&g);
	KEYS_ARE(&g, "B presses m under A's Shift (lifted around it), A "
	    "leaves: its Shift goes up, B's m stays", -KEY_LEFTSHIFT, KEY_M,
	    KEY_LEFTSHIFT, -KEY_LEFTSHIFT);
	g.nkeys = 0;
	viewer_close(&c);
	drain(&g);
	KEYS_ARE(&g, "B leaves: m up", -KEY_M);

	/* A view-only client's keys hold nothing for the others. */
	viewer_open(&a, encs, 2);
	viewer_open(&c, encs, 2);
	a.c->role = CLIENT_VIEW;
	g.nkeys = 0;
	key_event(&a, XK_Shift_L, 1);
	key_event(&c, '8', 1);
	key_event(&c, '8', 0);
	viewer_close(&a);
	drain(&g);
	KEYS_ARE(&g, "a view-only client presses Shift: nothing arrives, and "
	    "another's '8' is just 8", KEY_8, -KEY_8);
	viewer_close(&c);
}

/* A paste of text on the layout: the keys that came, in g. */
static void
paste(struct viewer *v, const char *text, struct got *g, int ms)
{
	g->nkeys = 0;
	cut_text(v, text, strlen(text));
	run_for(g, ms);
}

static void
test_paste(void)
{
	static const int32_t encs[] = { rfbEncodingRaw };
	struct viewer v;
	struct got g = { .nkeys = 0 };
	char *big;
	int64_t took;
	int shift_down, bad;

	b.paste_as_typing = 0;
	viewer_open(&v, encs, 1);
	paste(&v, "hi", &g, 50);
	ok(g.nkeys == 0 && alive(&v), "without --paste-as-typing a paste "
	    "types nothing");
	viewer_close(&v);

	b.paste_as_typing = 1;
	use_layout("us");
	viewer_open(&v, encs, 1);
	paste(&v, "Hi!\n", &g, 80);
	KEYS_ARE(&g, "us: \"Hi!\\n\" is Shift+H, I, Shift+1, Enter",
	    KEY_LEFTSHIFT, KEY_H, -KEY_H, -KEY_LEFTSHIFT, KEY_I, -KEY_I,
	    KEY_LEFTSHIFT, KEY_1, -KEY_1, -KEY_LEFTSHIFT, KEY_ENTER,
	    -KEY_ENTER);
	took = g.nkeys == 12 ? g.ms[10] - g.ms[0] : -1;
	ok(took >= 2 * PASTE_TICK_MS && took < 3 * PASTE_TICK_MS + 60,
	    "at a steady rate, not at once: 4 characters in "
	    "%lld ms (one every %d ms)", (long long)took, PASTE_TICK_MS);
	paste(&v, "a\tb\r\nc\x01\xe9", &g, 120);
	KEYS_ARE(&g, "tab is Tab, CR LF one Enter; a control character and "
	    "'é' (no key on us) skipped", KEY_A, -KEY_A, KEY_TAB, -KEY_TAB,
	    KEY_B, -KEY_B, KEY_ENTER, -KEY_ENTER, KEY_C, -KEY_C);
	/* The client's own keys go between characters. */
	g.nkeys = 0;
	cut_text(&v, "AAAAAAAAAA", 10);
	run_for(&g, 25);
	key_event(&v, 'b', 1);
	key_event(&v, 'b', 0);
	run_for(&g, 150);
	shift_down = 0;
	bad = 0;
	for (int i = 0; i < g.nkeys; i++) {
		if (g.keys[i] == KEY_LEFTSHIFT)
			shift_down = 1;
		else if (g.keys[i] == -KEY_LEFTSHIFT)
			shift_down = 0;
		else if (g.keys[i] == KEY_B && shift_down)
			bad++;
	}
	ok(g.nkeys == 42 && bad == 0, "the client's 'b' during a paste of "
	    "\"AAAAAAAAAA\" comes between two characters, without Shift "
	    "(%d keys)", g.nkeys);
	/* A paste while one types is refused. */
	g.nkeys = 0;
	cut_text(&v, "xxxx", 4);
	cut_text(&v, "yyyy", 4);
	run_for(&g, 100);
	bad = 0;
	for (int i = 0; i < g.nkeys; i++)
		if (g.keys[i] == KEY_Y)
			bad++;
	ok(g.nkeys == 8 && bad == 0, "a paste while one types is refused: "
	    "xxxx typed, yyyy not");
	/* 4 KiB at most. */
	big = malloc(5000);
	memset(big, 'z', 5000);
	cut_text(&v, big, 5000);
	free(big);
	ok(v.c->paste.len == SESSION_CUT_KEEP && v.c->paste.total == 5000,
	    "of a paste of 5000 bytes, 4096 are typed");
	g.nkeys = 0;
	viewer_close(&v);
	run_for(&g, 30);
	ok(g.nkeys == 0, "the client goes away: its paste stops");

	/* A view-only client's paste types nothing. */
	viewer_open(&v, encs, 1);
	v.c->role = CLIENT_VIEW;
	paste(&v, "view", &g, 80);
	ok(g.nkeys == 0, "a view-only client's paste types nothing");
	viewer_close(&v);

	use_layout("de");
	if (strcmp(keymap_name(b.keymap), "de") != 0) {
		skip("no XKB data: paste on de untested");
		return;
	}
	viewer_open(&v, encs, 1);
	paste(&v, "Hi!\n", &g, 80);
	KEYS_ARE(&g, "de: \"Hi!\\n\" is the same keys", KEY_LEFTSHIFT, KEY_H,
	    -KEY_H, -KEY_LEFTSHIFT, KEY_I, -KEY_I, KEY_LEFTSHIFT, KEY_1, -KEY_1,
	    -KEY_LEFTSHIFT, KEY_ENTER, -KEY_ENTER);
	paste(&v, "y@\xe9<", &g, 100);
	KEYS_ARE(&g, "de: \"y@é<\" is Z, AltGr+Q, dead acute then E, the ISO "
	    "key", KEY_Z, -KEY_Z, KEY_RIGHTALT, KEY_Q, -KEY_Q, -KEY_RIGHTALT,
	    KEY_EQUAL, -KEY_EQUAL, KEY_E, -KEY_E, KEY_102ND, -KEY_102ND);
	viewer_close(&v);
	use_layout("us");
}

int
main(void)
{
	int sv[2];

	log_init("test-keys", LOG_LEVEL_ERROR, 0);
	TAILQ_INIT(&b.clients);
	if ((b.base = event_base_new()) == NULL)
		bail("event_base_new");
	screen_init(&b.screen, &b);
	if ((b.pool = pool_new(b.base, 0)) == NULL)
		abort();
	in_init(&b);
	snprintf(b.desktop_name, sizeof(b.desktop_name), "test");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, sv) < 0)
		bail("socketpair");
	in_set_channel(&b, sv[0]);
	helper = sv[1];
	use_layout("us");
	new_frame(1);
	test_qemu_keys();
	test_leds();
	test_buttons();
	test_cross_clients();
	test_paste();
	close(helper);
	pump();
	screen_free(&b.screen);
	event_base_free(b.base);
	return done_testing();
}
