/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one client is sent: FramebufferUpdates for the damage it
 * accumulated since the last one, in the encoding it prefers.
 *
 * An update starts when the client wants one (it asked with a request, or
 * it is on ContinuousUpdates and its area has damage), it has drained what
 * it was sent before below CLIENT_OUTPUT_LOW, and (on ContinuousUpdates
 * with Fence) its pacing window has room.  Until then its damage
 * accumulates: a slow client gets the newest pixels of everything that
 * changed, never a backlog, and a client that stops reading holds at most
 * one update in memory and costs the others nothing.
 *
 * An update's rectangles are encoded off the event loop (share.c, pool.c),
 * shared with every other client that wants the same rectangles of the
 * same frame in the same form.  While they are encoded the client is busy:
 * no other update starts, and replies that must follow it (Fence answers,
 * EndOfContinuousUpdates) wait for it.
 *
 * A client that announced ExtendedDesktopSize is told of the screens (the
 * monitors in the frame) instead of DesktopSize: after every
 * non-incremental request and every change of size or screens, in an
 * update of its own (rfbproto.rst: an update with one holds no pixels;
 * the pixels answer its next request).  Its SetDesktopSize is answered at
 * once, refused: the console's mode is not ours to set.
 */
#include "config.h"

#include <event2/buffer.h>
#include <rfb/rfbproto.h>

#include "broker/client.h"
#include "broker/conn.h"
#include "broker/encoders/encoder.h"
#include "broker/share.h"
#include "broker/wire.h"
#include "common/log.h"

/* The pacing window: where it starts, and its bounds. */
#define PACING_WINDOW_START	(1024 * 1024)
#define PACING_WINDOW_MIN	(64 * 1024)
#define PACING_WINDOW_MAX	(64 * 1024 * 1024)
/* A round trip this much over the shortest means a queue on the way. */
#define PACING_QUEUE_MS		50

/*
 * Our pings' payload: the tag, then the sequence number.  7 bytes make the
 * message 16: Debian 12's noVNC 1.3.0 corrupts Raw pixels that do not lie
 * on a 4-byte boundary of its receive queue (its Raw decoder sets alpha
 * bytes counted from the queue's start, not the rectangle's).
 */
static const uint8_t ping_tag[3] = { 'r', 'm', 'p' };

static void send_ping(struct client *c);

int
updates_start(struct client *c, const struct frame *f)
{
	struct updates *u = &c->up;

	if (damage_init(&u->damage, f->width, f->height) < 0)
		return -1;
	u->width = f->width;
	u->height = f->height;
	frame_screens(f, &u->layout);
	pixconv_init(&u->conv, &pixfmt_native);
	if (u->encoder == NULL) {
		u->encoder = &encoder_raw;
		u->settings = (struct encode_settings)ENCODE_SETTINGS_NONE;
	}
	u->pace.window = PACING_WINDOW_START;
	return 0;
}

static void
drop_parts(struct updates *u)
{
	for (size_t i = 0; i < u->nparts; i++)
		encoded_unref(u->parts[i]);
	u->nparts = 0;
	u->nbusy_copies = 0;
	u->busy = 0;
}

void
updates_free(struct client *c)
{
	drop_parts(&c->up);
	damage_free(&c->up.damage);
}

/* A pseudo-encoding's value, v of base..base+n-1 -> 0..n-1; else -1. */
static int32_t
level(int32_t v, int32_t base, int32_t n)
{
	return v >= base && v < base + n ? v - base : -1;
}

void
updates_set_encodings(struct client *c, const uint8_t *list, size_t n)
{
	const struct encoder *enc = &encoder_raw; /* every client has Raw */
	struct updates *u = &c->up;
	struct encode_settings set = ENCODE_SETTINGS_NONE;
	int qemu_keys = 0, ext_mouse = 0, qemu_leds = 0, vmware_leds = 0;
	int fence = 0, continuous = 0, name = 0, cursor = 0;
	int leds_enc;

	u->desktop_size = u->ext_desktop_size = u->last_rect = 0;
	u->copyrect = 0;
	/* The client lists encodings in its order of preference: the first
	 * one we have wins, and so does the first of each setting. */
	for (size_t i = n; i-- > 0;) {
		int32_t e = (int32_t)wire_get32(list + i * 4);
		const struct encoder *known = encoder_by_number(e);
		int32_t v;

		if (known != NULL)
			enc = known;
		if ((v = level(e, -32, 10)) >= 0)
			set.quality = v;
		if ((v = level(e, -256, 10)) >= 0)
			set.compress = v;
		if ((v = level(e, -512, 101)) >= 0)
			set.fine_quality = v;
		if ((v = level(e, -768, 6)) >= 0)
			set.subsampling = v;
		u->desktop_size |= e == (int32_t)rfbEncodingNewFBSize;
		u->ext_desktop_size |= e == (int32_t)rfbEncodingExtDesktopSize;
		u->last_rect |= e == SESSION_ENC_LAST_RECT;
		u->copyrect |= e == SESSION_ENC_COPYRECT;
		qemu_keys |= e == SESSION_ENC_QEMU_KEYS;
		ext_mouse |= e == SESSION_ENC_EXT_MOUSE;
		qemu_leds |= e == SESSION_ENC_QEMU_LEDS;
		vmware_leds |= e == SESSION_ENC_VMWARE_LEDS;
		fence |= e == SESSION_ENC_FENCE;
		continuous |= e == SESSION_ENC_CONTINUOUS;
		name |= e == SESSION_ENC_DESKTOP_NAME;
		cursor |= e == SESSION_ENC_CURSOR;
	}
	/*
	 * Cursor: the shape goes in its next update (once the capture side
	 * told one), and from then on the pointer is no longer drawn into
	 * its pixels; one that stops listing it has it drawn again.  Either
	 * way, where the pointer is must be sent anew.
	 */
	if (cursor != u->cursor_enc) {
		const struct cursor *k = &c->broker->screen.cursor;
		struct rect at;

		u->cursor_enc = cursor;
		u->cursor_due = cursor && k->image != NULL;
		if (u->damage.tiles != NULL &&
		    cursor_rect(k, u->width, u->height, &at))
			damage_add_rect(&u->damage, &at);
	}
	/*
	 * Input extensions are confirmed in its next update, and from then on
	 * it may use them; one that it no longer lists is off (its messages
	 * are refused again, its marker bit is the back button again) until
	 * it lists and we confirm it anew.
	 */
	if (qemu_keys && !(c->session.confirmed & SESSION_QEMU_KEYS))
		u->qemu_keys_due = 1;
	if (!qemu_keys) {
		u->qemu_keys_due = 0;
		c->session.confirmed &= ~(unsigned int)SESSION_QEMU_KEYS;
	}
	if (ext_mouse && !(c->session.confirmed & SESSION_EXT_MOUSE))
		u->ext_mouse_due = 1;
	if (!ext_mouse) {
		u->ext_mouse_due = 0;
		c->session.confirmed &= ~(unsigned int)SESSION_EXT_MOUSE;
	}
	/* LEDs in QEMU's form where it takes both, as TigerVNC's server
	 * does; the state as it is now goes in its next update. */
	leds_enc = qemu_leds ? SESSION_ENC_QEMU_LEDS : vmware_leds ?
	    SESSION_ENC_VMWARE_LEDS : 0;
	if (leds_enc != u->leds_enc) {
		u->leds_enc = leds_enc;
		u->leds_told = 0;
		u->leds_due = 0;
		updates_leds_changed(c);
	}
	/* A new size not yet told goes as ExtendedDesktopSize to a client
	 * that now asks for both (rfbproto.rst: never DesktopSize then). */
	if (u->ext_desktop_size && u->resize_pending)
		u->screens_due = 1;
	u->name_due = name && !u->name_told;
	/*
	 * rfbproto.rst: the first time a client lists Fence, the server
	 * answers with a Fence of its own (ours is the first ping of the
	 * pacing); the first time it lists ContinuousUpdates, with an
	 * EndOfContinuousUpdates, which tells it may enable them.  Both are
	 * messages of their own, so they go out at once.
	 */
	if (fence && !(c->session.announced & SESSION_ANNOUNCED_FENCE) &&
	    client_room(c, 9 + sizeof(ping_tag) + 4)) {
		c->session.announced |= SESSION_ANNOUNCED_FENCE;
		u->fence = 1;
		send_ping(c);
	}
	if (continuous &&
	    !(c->session.announced & SESSION_ANNOUNCED_CONTINUOUS) &&
	    client_room(c, 1)) {
		c->session.announced |= SESSION_ANNOUNCED_CONTINUOUS;
		session_put_end_of_continuous(conn_output(c->conn));
	}
	/* Moves of the screen are looked for while a viewer takes them. */
	c->sub.moves = u->copyrect;
	if (!u->copyrect)
		u->ncopies = 0;	/* none was taken out of its damage */
	/* A change of encoder or settings from the next update on: what is
	 * being encoded goes as it is. */
	u->encoder = enc;
	u->settings = set;
	log_debug("%s: %zu encodings, using %s (quality %d/%d, compress %d)"
	    "%s%s%s%s%s%s%s%s", c->tag, n, enc->name, set.quality,
	    set.fine_quality, set.compress,
	    cursor ? ", Cursor" : "",
	    u->desktop_size ? ", DesktopSize" : "",
	    u->ext_desktop_size ? ", ExtendedDesktopSize" : "",
	    qemu_keys ? ", QEMU keys" : "", ext_mouse ? ", mouse buttons" : "",
	    leds_enc == SESSION_ENC_QEMU_LEDS ? ", QEMU LEDs" :
	    leds_enc == SESSION_ENC_VMWARE_LEDS ? ", VMware LEDs" : "",
	    fence ? ", Fence" : "", continuous ? ", ContinuousUpdates" : "");
}

static void
rect_union(struct rect *a, const struct rect *b)
{
	uint32_t x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	uint32_t y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;

	a->x = a->x < b->x ? a->x : b->x;
	a->y = a->y < b->y ? a->y : b->y;
	a->w = x1 - a->x;
	a->h = y1 - a->y;
}

void
updates_request(struct client *c, const struct rect *r, int incremental)
{
	struct updates *u = &c->up;

	/* rfbproto.rst: on ContinuousUpdates, incremental requests mean
	 * nothing; a non-incremental one is still answered. */
	if (incremental && u->continuous)
		return;
	if (!incremental)
		damage_add_rect(&u->damage, r);
	/* How a client learns the screens (and that it may ask for
	 * others): rfbproto.rst, ExtendedDesktopSize. */
	if (!incremental && u->ext_desktop_size)
		u->screens_due = 1;
	if (u->wanted)
		rect_union(&u->area, r);
	else
		u->area = *r;
	u->wanted = 1;
	updates_try(c);
}

/*
 * The moves of a new frame this client can take as CopyRect: a move's
 * source must show on the client what it shows in the frame before, that
 * is, no damage the client still has may touch it (a client that fell
 * behind there gets the pixels).  The moves of a frame come in an order
 * in which none reads what one before it wrote, and so do this client's
 * copies, in the order taken, frame after frame.  Past
 * UPDATES_COPIES_MAX, a move is only damage.
 */
static int
rects_meet(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/*
 * A client that has the cursor drawn into its pixels (drawn: where it is)
 * takes no move whose source holds the drawn cursor; a move onto it
 * means drawing it anew (*redraw: the copy brings what was under the
 * source).
 */
static unsigned int
take_moves(struct client *c, const struct frame *f, const struct rect *drawn,
    int *redraw)
{
	struct updates *u = &c->up;
	unsigned int taken = 0;

	*redraw = 0;
	if (!u->copyrect)
		return 0;
	for (uint32_t i = 0; i < f->nmoves; i++) {
		const struct scroll_move *m = &f->moves[i];
		struct rect src = { m->dst.x, (uint32_t)((int64_t)m->dst.y -
		    m->dy), m->dst.w, m->dst.h };

		if (u->ncopies == UPDATES_COPIES_MAX ||
		    damage_touches(&u->damage, &src) ||
		    (drawn != NULL && rects_meet(&src, drawn)))
			continue;
		u->copies[u->ncopies++] = (struct update_copy){ .dst = m->dst,
		    .src_x = src.x, .src_y = src.y };
		taken |= 1u << i;
		*redraw |= drawn != NULL && rects_meet(&m->dst, drawn);
	}
	return taken;
}

/* A screen subscriber: a new frame, and what changed in it. */
void
updates_screen_changed(void *arg, const struct frame *f,
    const struct damage *d)
{
	struct client *c = arg;
	struct updates *u = &c->up;
	struct layout now;

	if (c->session.state == SESSION_WAIT_SERVER) {
		client_server_init(c);
		return;
	}
	if (c->session.state != SESSION_NORMAL)
		return;
	if (f->width != u->width || f->height != u->height) {
		if (!u->desktop_size && !u->ext_desktop_size) {
			client_close(c, "the screen changed size and the "
			    "client does not support DesktopSize");
			return;
		}
		damage_free(&u->damage);
		if (damage_init(&u->damage, f->width, f->height) < 0) {
			client_close(c, "out of memory");
			return;
		}
		u->width = f->width;
		u->height = f->height;
		damage_add_all(&u->damage);
		u->area = (struct rect){ 0, 0, u->width, u->height };
		u->resize_pending = 1;
		u->ncopies = 0;
	} else {
		/* What this frame's copies put right is not damage. */
		struct rect at;
		int drawn = !u->cursor_enc && cursor_rect(
		    &c->broker->screen.cursor, u->width, u->height, &at);
		int redraw;
		unsigned int taken = take_moves(c, f, drawn ? &at : NULL,
		    &redraw);

		if (taken != 0)
			damage_union_moved(&u->damage, d,
			    c->broker->screen.moved, taken);
		else
			damage_union(&u->damage, d);
		if (redraw)
			damage_add_rect(&u->damage, &at);
	}
	frame_screens(f, &now);
	if (u->ext_desktop_size && (u->resize_pending ||
	    !layout_equal(&now, &u->layout)))
		u->screens_due = 1;
	updates_try(c);
}

/*
 * A screen subscriber: the cursor changed.  A client that draws it is sent
 * its new shape; for the others, where it was and where it is now are
 * damage (its place alone changes nothing for the former).
 */
void
updates_cursor_changed(void *arg, const struct rect *was,
    const struct rect *now, int what)
{
	struct client *c = arg;
	struct updates *u = &c->up;

	if (c->session.state != SESSION_NORMAL)
		return;
	if (u->cursor_enc)
		u->cursor_due |= (what & CURSOR_SHAPE) != 0;
	else if (what & CURSOR_DRAWN) {
		damage_add_rect(&u->damage, was);
		damage_add_rect(&u->damage, now);
	}
	updates_try(c);
}

/*
 * ExtendedDesktopSize, reason 0: the framebuffer and its screens as they
 * are now, alone in an update.  It answers the request; the damage waits
 * for the next one.
 */
static void
updates_send_screens(struct client *c, const struct frame *f)
{
	struct updates *u = &c->up;
	struct evbuffer *out = conn_output(c->conn);

	frame_screens(f, &u->layout);
	session_send_update_header(&c->session, 1);
	session_put_desktop_size(out, SESSION_EDS_SERVER, SESSION_EDS_OK,
	    (uint16_t)u->width, (uint16_t)u->height, u->layout.screens,
	    u->layout.n);
	session_resized(&c->session, (uint16_t)u->width, (uint16_t)u->height);
	log_debug("%s: ExtendedDesktopSize %ux%u, %u screens", c->tag,
	    u->width, u->height, u->layout.n);
	u->resize_pending = 0;
	u->screens_due = 0;
	u->wanted = 0;
	u->last_size = SESSION_EDS_SIZE(u->layout.n) + 4;
}

/*
 * SetDesktopSize, refused with the status the session found: the answer
 * goes at once, ahead of any update (rfbproto.rst asks for it as soon as
 * possible), with the size and screens the client knows.  The message is
 * one for clients that announced ExtendedDesktopSize; another one is
 * closed.
 */
int
updates_set_desktop_size(struct client *c, int status)
{
	struct updates *u = &c->up;

	if (!u->ext_desktop_size) {
		log_warnx("%s: SetDesktopSize without ExtendedDesktopSize",
		    c->tag);
		return -1;
	}
	if (!client_room(c, 4 + SESSION_EDS_SIZE(u->layout.n)))
		return 0;
	session_send_update_header(&c->session, 1);
	session_put_desktop_size(conn_output(c->conn), SESSION_EDS_CLIENT,
	    status, c->session.width, c->session.height, u->layout.screens,
	    u->layout.n);
	return 0;
}

void
updates_leds_changed(struct client *c)
{
	struct updates *u = &c->up;
	const struct input_link *in = &c->broker->input;

	if (u->leds_enc == 0 || !in->leds_known ||
	    (u->leds_told && u->leds_sent == in->leds))
		return;
	u->leds_due = 1;
	updates_try(c);
}

/* The pseudo-rectangles due: how many. */
static unsigned int
pseudo_due(const struct updates *u)
{
	return (u->qemu_keys_due ? 1 : 0) + (u->ext_mouse_due ? 1 : 0) +
	    (u->leds_due ? 1 : 0) + (u->name_due ? 1 : 0) +
	    (u->cursor_due ? 1 : 0);
}

/*
 * The confirmations and the LED state, ahead of the pixels (the desktop's
 * name goes after them: its odd length would put the pixels off a 4-byte
 * boundary, which noVNC 1.3.0's Raw decoder does not survive).  A confirmation takes effect as it is queued: what the client
 * sends after reading it is read the new way.
 */
static void
put_pseudo(struct client *c, struct evbuffer *out)
{
	struct updates *u = &c->up;

	if (u->qemu_keys_due) {
		session_put_pseudo(out, SESSION_ENC_QEMU_KEYS);
		c->session.confirmed |= SESSION_QEMU_KEYS;
		u->qemu_keys_due = 0;
		log_debug("%s: QEMU Extended Key Event confirmed", c->tag);
	}
	if (u->ext_mouse_due) {
		session_put_pseudo(out, SESSION_ENC_EXT_MOUSE);
		c->session.confirmed |= SESSION_EXT_MOUSE;
		u->ext_mouse_due = 0;
		log_debug("%s: ExtendedMouseButtons confirmed", c->tag);
	}
	if (u->leds_due) {
		u->leds_sent = c->broker->input.leds;
		session_put_leds(out, u->leds_enc == SESSION_ENC_VMWARE_LEDS,
		    u->leds_sent);
		u->leds_told = 1;
		u->leds_due = 0;
		log_debug("%s: LEDs 0x%x", c->tag, u->leds_sent);
	}
}

/*
 * The cursor's shape goes after the pixels, as the desktop's name: its
 * mask's length would put Raw pixels after it off a 4-byte boundary.
 */
static void
put_cursor(struct client *c, struct evbuffer *out)
{
	struct updates *u = &c->up;
	const struct cursor *k = &c->broker->screen.cursor;

	if (!u->cursor_due)
		return;
	/* Out of memory here, the update would lie: close. */
	if (cursor_put_rect(k, &u->conv, out) < 0) {
		session_fail(&c->session, "out of memory");
		conn_close_after_flush(c->conn);
	}
	u->cursor_due = 0;
	log_debug("%s: cursor %ux%u, hot spot %u,%u%s", c->tag, k->width,
	    k->height, k->hot_x, k->hot_y, k->visible ? "" : ", hidden");
}

/*
 * One encoded part into the client's output, by reference (the bytes are
 * shared).  The first rectangle of a zlib stream the client gets carries
 * the stream's header (encoder.h, ENCODER_ZLIB_STREAM).
 */
static void
put_part(struct client *c, struct evbuffer *out, struct encoded *e)
{
	struct updates *u = &c->up;
	unsigned int bit = 1u << encoder_slot(e->enc);

	if (e->enc->flags & ENCODER_ZLIB_STREAM) {
		uint8_t head[sizeof(e->head) + 2];

		memcpy(head, e->head, sizeof(e->head));
		if (u->zlib_started & bit)
			evbuffer_add(out, head, sizeof(e->head));
		else {
			wire_put32(head + ENCODER_RECT_HEADER_SIZE,
			    wire_get32(head + ENCODER_RECT_HEADER_SIZE) + 2);
			memcpy(head + sizeof(e->head), ENCODER_ZLIB_HEADER, 2);
			evbuffer_add(out, head, sizeof(head));
			u->zlib_started |= bit;
		}
	}
	evbuffer_add_buffer_reference(out, e->bytes);
}

/* What had to wait for the update being encoded, now that it is out. */
static void
put_deferred(struct client *c, struct evbuffer *out)
{
	struct updates *u = &c->up;

	for (unsigned int i = 0; i < u->fence_replies; i++)
		session_put_fence(out, u->fence_reply[i].flags,
		    u->fence_reply[i].payload, u->fence_reply[i].len);
	u->fence_replies = 0;
	if (u->cu_end_due) {
		session_put_end_of_continuous(out);
		u->cu_end_due = 0;
	}
}

/*
 * Every part is encoded: the update goes out, the pseudo-rectangles and
 * the new size first.  The count of rectangles is known now; one that
 * does not fit in 16 bits goes with LastRect to a client that has it.
 */
static void
updates_flush(struct client *c)
{
	struct updates *u = &c->up;
	struct evbuffer *out = conn_output(c->conn);
	size_t before = evbuffer_get_length(out);
	unsigned int npseudo = pseudo_due(u);
	uint64_t nrects = npseudo + (u->busy_resize ? 1 : 0) +
	    u->nbusy_copies;
	int last_rect = 0;

	for (size_t i = 0; i < u->nparts; i++) {
		if (u->parts[i]->state != ENCODED_READY) {
			drop_parts(u);
			session_fail(&c->session, "out of memory");
			conn_close_after_flush(c->conn);
			return;
		}
		nrects += u->parts[i]->nrects;
	}
	if (nrects > UINT16_MAX) {
		if (!u->last_rect) {
			drop_parts(u);
			session_fail(&c->session, "an update of more than "
			    "65535 rectangles");
			conn_close_after_flush(c->conn);
			return;
		}
		last_rect = 1;
	}
	session_send_update_header(&c->session, last_rect ? UINT16_MAX :
	    (uint16_t)nrects);
	put_pseudo(c, out);
	if (u->busy_resize) {
		struct rect all = { 0, 0, u->width, u->height };

		encoder_rect_header(out, &all, (int32_t)rfbEncodingNewFBSize);
		session_resized(&c->session, (uint16_t)u->width,
		    (uint16_t)u->height);
		u->busy_resize = 0;
	}
	/* The copies first: they read what the client shows now. */
	for (unsigned int i = 0; i < u->nbusy_copies; i++) {
		encoder_rect_header(out, &u->busy_copies[i].dst,
		    SESSION_ENC_COPYRECT);
		wire_add16(out, (uint16_t)u->busy_copies[i].src_x);
		wire_add16(out, (uint16_t)u->busy_copies[i].src_y);
	}
	u->nbusy_copies = 0;
	for (size_t i = 0; i < u->nparts; i++)
		put_part(c, out, u->parts[i]);
	put_cursor(c, out);
	if (u->name_due) {
		session_put_desktop_name(out, c->broker->desktop_name);
		u->name_due = 0;
		u->name_told = 1;
	}
	if (last_rect)
		session_put_pseudo(out, SESSION_ENC_LAST_RECT);
	drop_parts(u);
	u->last_size = evbuffer_get_length(out) - before;
	u->pace.sent += u->last_size;
	put_deferred(c, out);
	if (u->fence && u->continuous)
		send_ping(c);
}

/* The client's update goes out if every part of it is there; 1 if so. */
static int
updates_encoded_one(struct client *c)
{
	struct updates *u = &c->up;

	if (!u->busy)
		return 0;
	for (size_t i = 0; i < u->nparts; i++)
		if (u->parts[i]->state == ENCODED_PENDING)
			return 0;
	updates_flush(c);
	return 1;
}

/* A job is done: every client whose update is all there sends it, and
 * may start the next. */
void
updates_encoded(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp)
		if (updates_encoded_one(c))
			updates_try(c);
}

/*
 * One update: the damage inside the area, taken now from the current
 * frame, its rectangles looked up in the frame's cache or encoded by a
 * job; the size, if it changed, is part of it.
 */
static int
updates_start_one(struct client *c, struct frame *f, const struct rect *area)
{
	struct updates *u = &c->up;
	struct share_batch batch;
	struct rect rects[ENCODE_JOB_MAX_RECTS];
	size_t n;

	n = damage_take_rects(&u->damage, area, rects, ENCODE_JOB_MAX_RECTS);
	if (n == 0 && !u->resize_pending && pseudo_due(u) == 0 &&
	    u->ncopies == 0)
		return 0;
	memcpy(u->busy_copies, u->copies, u->ncopies * sizeof(u->copies[0]));
	u->nbusy_copies = u->ncopies;
	u->ncopies = 0;
	share_batch_init(&batch, c->broker, f, u->encoder, &u->conv,
	    &u->settings);
	u->busy = 1;
	u->busy_resize = u->resize_pending;
	u->resize_pending = 0;
	if (u->busy_resize)
		frame_screens(f, &u->layout);
	for (size_t i = 0; i < n; i++) {
		if ((u->parts[u->nparts] = share_get(&batch, &rects[i])) ==
		    NULL) {
			share_submit(&batch);
			return -1;
		}
		u->nparts++;
	}
	share_submit(&batch);
	u->wanted = 0;
	return 0;
}

/* Whether pacing lets an update start: on ContinuousUpdates with Fence,
 * while less than the window is in flight and pings are left. */
static int
pacing_allows(const struct updates *u)
{
	if (!u->continuous || !u->fence)
		return 1;
	return u->pace.npings < PACING_PINGS &&
	    u->pace.sent - u->pace.acked < u->pace.window;
}

void
updates_try(struct client *c)
{
	struct updates *u = &c->up;
	struct frame *f = c->broker->screen.cur;
	struct rect area;

	if (c->session.state != SESSION_NORMAL || u->busy ||
	    !(u->wanted || u->continuous) ||
	    conn_unsent(c->conn) >= CLIENT_OUTPUT_LOW || f == NULL ||
	    f->width != u->width || f->height != u->height ||
	    !pacing_allows(u))
		return;
	if (u->ext_desktop_size && u->screens_due) {
		updates_send_screens(c, f);
		return;
	}
	if (u->continuous && u->wanted)
		area = u->area, rect_union(&area, &u->cu_area);
	else
		area = u->wanted ? u->area : u->cu_area;
	if (area.w == 0 || area.h == 0)
		return;
	/* A client that does not draw the cursor sees it in the pixels. */
	if (!u->cursor_enc)
		f = screen_drawn_frame(&c->broker->screen);
	if (updates_start_one(c, f, &area) < 0) {
		drop_parts(u);
		session_fail(&c->session, "out of memory");
		conn_close_after_flush(c->conn);
		return;
	}
	/* Every part may be in a cache already: then it goes now. */
	updates_encoded_one(c);
}

void
updates_continuous(struct client *c, int enable, const struct rect *r)
{
	struct updates *u = &c->up;

	if (enable) {
		/*
		 * The area grows to whole tiles: a tile the area cut would
		 * stay damaged after its part inside went (damage.h), and
		 * be sent again and again.  Damage outside the area is
		 * kept: it goes once the area covers it, or with a
		 * non-incremental request.
		 */
		u->continuous = 1;
		u->cu_area = *r;
		if (r->w > 0 && r->h > 0) {
			uint32_t x1 = r->x + r->w, y1 = r->y + r->h;

			x1 = (x1 + DAMAGE_TILE - 1) / DAMAGE_TILE * DAMAGE_TILE;
			y1 = (y1 + DAMAGE_TILE - 1) / DAMAGE_TILE * DAMAGE_TILE;
			u->cu_area.x = r->x / DAMAGE_TILE * DAMAGE_TILE;
			u->cu_area.y = r->y / DAMAGE_TILE * DAMAGE_TILE;
			u->cu_area.w = (x1 < u->width ? x1 : u->width) -
			    u->cu_area.x;
			u->cu_area.h = (y1 < u->height ? y1 : u->height) -
			    u->cu_area.y;
		}
		log_debug("%s: continuous updates of %ux%u at %u,%u", c->tag,
		    r->w, r->h, r->x, r->y);
		updates_try(c);
		return;
	}
	u->continuous = 0;
	if (!client_room(c, 1))
		return;
	/* rfbproto.rst: answered with EndOfContinuousUpdates, after the
	 * update under way if there is one. */
	if (u->busy)
		u->cu_end_due = 1;
	else
		session_put_end_of_continuous(conn_output(c->conn));
	log_debug("%s: continuous updates off", c->tag);
}

/* A ping: a Fence request that the client answers once it has read all
 * that came before it (BlockBefore). */
static void
send_ping(struct client *c)
{
	struct pacing *p = &c->up.pace;
	uint8_t payload[sizeof(ping_tag) + 4];

	if (p->npings == PACING_PINGS)
		return;
	p->seq++;
	memcpy(payload, ping_tag, sizeof(ping_tag));
	wire_put32(payload + sizeof(ping_tag), p->seq);
	p->ping[p->npings].seq = p->seq;
	p->ping[p->npings].sent = p->sent;
	p->ping[p->npings].at_ms = broker_now_ms();
	p->npings++;
	session_put_fence(conn_output(c->conn), SESSION_FENCE_REQUEST |
	    SESSION_FENCE_BLOCK_BEFORE, payload, sizeof(payload));
}

/*
 * The answer to a ping: everything sent before it was read.  Round trips
 * near the shortest grow the window by what was acknowledged (the link
 * took it without a queue); long ones shrink it by a quarter.
 */
static void
ping_answered(struct client *c, uint32_t seq)
{
	struct pacing *p = &c->up.pace;
	uint64_t now = broker_now_ms(), acked;
	unsigned int i;

	for (i = 0; i < p->npings && p->ping[i].seq != seq; i++)
		;
	if (i == p->npings)
		return;		/* not one of ours, or answered twice */
	p->rtt_ms = (uint32_t)(now - p->ping[i].at_ms);
	if (p->rtt_min_ms == 0 || p->rtt_ms < p->rtt_min_ms)
		p->rtt_min_ms = p->rtt_ms > 0 ? p->rtt_ms : 1;
	acked = p->ping[i].sent - p->acked;
	p->acked = p->ping[i].sent;
	if (p->rtt_ms <= p->rtt_min_ms + PACING_QUEUE_MS / 2) {
		p->window += acked;
		if (p->window > PACING_WINDOW_MAX)
			p->window = PACING_WINDOW_MAX;
	} else if (p->rtt_ms > 2 * p->rtt_min_ms + PACING_QUEUE_MS) {
		p->window -= p->window / 4;
		if (p->window < PACING_WINDOW_MIN)
			p->window = PACING_WINDOW_MIN;
	}
	/* Answers come in order: the older pings are answered too. */
	p->npings -= i + 1;
	memmove(p->ping, p->ping + i + 1, p->npings * sizeof(p->ping[0]));
	updates_try(c);
}

void
updates_fence(struct client *c, uint32_t flags, const uint8_t *payload,
    size_t len)
{
	struct updates *u = &c->up;

	if (!(flags & SESSION_FENCE_REQUEST)) {
		if (len == sizeof(ping_tag) + 4 &&
		    memcmp(payload, ping_tag, sizeof(ping_tag)) == 0)
			ping_answered(c, wire_get32(payload +
			    sizeof(ping_tag)));
		return;
	}
	/* A request: answered with the flags we know, after whatever is
	 * under way (an update in the old pixel format, say). */
	flags &= SESSION_FENCE_KNOWN;
	if (!u->busy) {
		if (client_room(c, 9 + len))
			session_put_fence(conn_output(c->conn), flags, payload,
			    len);
		return;
	}
	if (u->fence_replies == UPDATES_FENCE_QUEUE) {
		session_fail(&c->session, "too many Fence requests at once");
		conn_close_after_flush(c->conn);
		return;
	}
	u->fence_reply[u->fence_replies].flags = flags;
	u->fence_reply[u->fence_replies].len = (uint8_t)len;
	memcpy(u->fence_reply[u->fence_replies].payload, payload, len);
	u->fence_replies++;
}
