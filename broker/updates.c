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
	struct updates *u = &c->up;

	if (u->encoder == enc)
		return;
	if (u->encoder != NULL && u->encoder->state_free != NULL)
		u->encoder->state_free(u->enc_state);
	u->enc_state = NULL;
	u->encoder = enc;
	if (enc->state_new != NULL && (u->enc_state = enc->state_new()) == NULL)
		u->encoder = &encoder_raw;	/* needs no state */
}

int
updates_start(struct client *c, uint32_t width, uint32_t height)
{
	struct updates *u = &c->up;

	if (damage_init(&u->damage, width, height) < 0)
		return -1;
	u->width = width;
	u->height = height;
	pixconv_init(&u->conv, &pixfmt_native);
	if (u->encoder == NULL)
		set_encoder(c, &encoder_raw);
	return 0;
}

void
updates_free(struct client *c)
{
	struct updates *u = &c->up;

	if (u->encoder != NULL && u->encoder->state_free != NULL)
		u->encoder->state_free(u->enc_state);
	u->enc_state = NULL;
	damage_free(&u->damage);
}

void
updates_set_encodings(struct client *c, const uint8_t *list, size_t n)
{
	const struct encoder *enc = &encoder_raw; /* every client has Raw */

	c->up.desktop_size = 0;
	/* The client lists encodings in its order of preference: the first
	 * one we have wins. */
	for (size_t i = n; i-- > 0;) {
		int32_t e = (int32_t)wire_get32(list + i * 4);

		if (e == (int32_t)rfbEncodingNewFBSize)
			c->up.desktop_size = 1;
		for (size_t j = 0; j < sizeof(encoders) / sizeof(encoders[0]);
		    j++)
			if (encoders[j]->encoding == e)
				enc = encoders[j];
	}
	set_encoder(c, enc);
	log_debug("%s: %zu encodings, using %s%s", c->tag, n, enc->name,
	    c->up.desktop_size ? ", DesktopSize" : "");
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

	if (c->session.state == SESSION_WAIT_SERVER) {
		client_server_init(c);
		return;
	}
	if (c->session.state != SESSION_NORMAL)
		return;
	if (f->width != u->width || f->height != u->height) {
		if (!u->desktop_size) {
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
	updates_try(c);
}

/* One update: the resize first, then the damage inside the area asked
 * for, encoded by a job on the current frame. */
static int
updates_send(struct client *c, struct frame *f)
{
	struct updates *u = &c->up;
	struct evbuffer *out = conn_output(c->conn);
	struct encode_job job;
	int resize = u->resize_pending;
	size_t before = evbuffer_get_length(out);

	if (encode_job_init(&job, f, u->encoder, u->enc_state, &u->conv) < 0)
		return -1;
	job.nrects = damage_take_rects(&u->damage, &u->area, job.rects,
	    ENCODE_JOB_MAX_RECTS);
	if (job.nrects == 0 && !resize) {
		encode_job_done(&job);
		return 0;
	}
	encode_job_run(&job);
	if (job.result < 0) {
		encode_job_done(&job);
		return -1;
	}
	session_send_update_header(&c->session,
	    (uint16_t)(job.nrects + (resize ? 1 : 0)));
	if (resize) {
		struct rect all = { 0, 0, u->width, u->height };

		encoder_rect_header(out, &all, (int32_t)rfbEncodingNewFBSize);
		session_resized(&c->session, (uint16_t)u->width,
		    (uint16_t)u->height);
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
	if (updates_send(c, f) < 0) {
		session_fail(&c->session, "out of memory");
		conn_close_after_flush(c->conn);
	}
}
