/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one client is sent: FramebufferUpdates, each answering a request,
 * for the damage it accumulated since the last one.
 *
 * A client is sent an update only when it asked for one and has drained
 * what it was sent before below CLIENT_OUTPUT_LOW; until then its damage
 * accumulates.  So a slow client gets the newest pixels of everything that
 * changed, never a backlog, and a client that stops reading holds at most
 * one update in memory and costs the others nothing.  (ContinuousUpdates
 * and Fence will live here: they change when an update is due, not what
 * it holds.)
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
#include "broker/wire.h"
#include "common/log.h"

static const struct encoder *const encoders[] = {
	&encoder_raw,
};

static void
set_encoder(struct client *c, const struct encoder *enc)
{
	c->up.encoder = enc;
}

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
		set_encoder(c, &encoder_raw);
		u->settings = (struct encode_settings)ENCODE_SETTINGS_NONE;
	}
	return 0;
}

void
updates_free(struct client *c)
{
	damage_free(&c->up.damage);
}

void
updates_set_encodings(struct client *c, const uint8_t *list, size_t n)
{
	const struct encoder *enc = &encoder_raw; /* every client has Raw */
	struct updates *u = &c->up;
	int qemu_keys = 0, ext_mouse = 0, qemu_leds = 0, vmware_leds = 0;
	int leds_enc;

	c->up.desktop_size = c->up.ext_desktop_size = 0;
	/* The client lists encodings in its order of preference: the first
	 * one we have wins. */
	for (size_t i = n; i-- > 0;) {
		int32_t e = (int32_t)wire_get32(list + i * 4);

		if (e == (int32_t)rfbEncodingNewFBSize)
			c->up.desktop_size = 1;
		if (e == (int32_t)rfbEncodingExtDesktopSize)
			c->up.ext_desktop_size = 1;
		qemu_keys |= e == SESSION_ENC_QEMU_KEYS;
		ext_mouse |= e == SESSION_ENC_EXT_MOUSE;
		qemu_leds |= e == SESSION_ENC_QEMU_LEDS;
		vmware_leds |= e == SESSION_ENC_VMWARE_LEDS;
		for (size_t j = 0; j < sizeof(encoders) / sizeof(encoders[0]);
		    j++)
			if (encoders[j]->encoding == e)
				enc = encoders[j];
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
	if (c->up.ext_desktop_size && c->up.resize_pending)
		c->up.screens_due = 1;
	set_encoder(c, enc);
	log_debug("%s: %zu encodings, using %s%s%s%s%s%s", c->tag, n,
	    enc->name, c->up.desktop_size ? ", DesktopSize" : "",
	    c->up.ext_desktop_size ? ", ExtendedDesktopSize" : "",
	    qemu_keys ? ", QEMU keys" : "", ext_mouse ? ", mouse buttons" : "",
	    leds_enc == SESSION_ENC_QEMU_LEDS ? ", QEMU LEDs" :
	    leds_enc == SESSION_ENC_VMWARE_LEDS ? ", VMware LEDs" : "");
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
	} else
		damage_union(&u->damage, d);
	frame_screens(f, &now);
	if (u->ext_desktop_size && (u->resize_pending ||
	    !layout_equal(&now, &u->layout)))
		u->screens_due = 1;
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
	    (u->leds_due ? 1 : 0);
}

/*
 * The confirmations and the LED state, ahead of the pixels.  A
 * confirmation takes effect as it is queued: what the client sends after
 * reading it is read the new way.
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

/* One update: the pseudo-rectangles due, the resize, then the damage
 * inside the area asked for, encoded by a job on the current frame. */
static int
updates_send(struct client *c, struct frame *f)
{
	struct updates *u = &c->up;
	struct evbuffer *out = conn_output(c->conn);
	struct encode_job job;
	int resize = u->resize_pending;
	unsigned int npseudo = pseudo_due(u);
	size_t before = evbuffer_get_length(out);

	if (encode_job_init(&job, f, u->encoder, &u->settings, &u->conv) < 0)
		return -1;
	job.nrects = damage_take_rects(&u->damage, &u->area, job.rects,
	    ENCODE_JOB_MAX_RECTS);
	if (job.nrects == 0 && !resize && npseudo == 0) {
		encode_job_done(&job);
		return 0;
	}
	encode_job_run(&job, &c->broker->scratch);
	if (job.result < 0) {
		encode_job_done(&job);
		return -1;
	}
	session_send_update_header(&c->session,
	    (uint16_t)(job.out_rects + (resize ? 1 : 0) + npseudo));
	put_pseudo(c, out);
	if (resize) {
		struct rect all = { 0, 0, u->width, u->height };

		encoder_rect_header(out, &all, (int32_t)rfbEncodingNewFBSize);
		session_resized(&c->session, (uint16_t)u->width,
		    (uint16_t)u->height);
		frame_screens(f, &u->layout);
		u->resize_pending = 0;
	}
	evbuffer_add_buffer(out, job.out);
	encode_job_done(&job);
	u->wanted = 0;
	u->last_size = evbuffer_get_length(out) - before;
	return 0;
}

void
updates_try(struct client *c)
{
	struct frame *f = c->broker->screen.cur;

	if (c->session.state != SESSION_NORMAL || !c->up.wanted ||
	    conn_unsent(c->conn) >= CLIENT_OUTPUT_LOW || f == NULL ||
	    f->width != c->up.width || f->height != c->up.height)
		return;
	if (c->up.ext_desktop_size && c->up.screens_due) {
		updates_send_screens(c, f);
		return;
	}
	if (updates_send(c, f) < 0) {
		session_fail(&c->session, "out of memory");
		conn_close_after_flush(c->conn);
	}
}
