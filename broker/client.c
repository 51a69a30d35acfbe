/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One viewer: its connection, its session, its role and its life.  What
 * it is sent is in updates.c; the protocol itself in session.c.
 *
 * Every byte queued for a client counts against its output: updates are
 * encoded only below CLIENT_OUTPUT_LOW, and other replies fit in
 * CLIENT_OUTPUT_SMALL on top of the last update, or the client is closed.
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/client.h"
#include "broker/conn.h"
#include "broker/encoders/encoder.h"
#include "broker/tls.h"
#include "common/log.h"

static void client_read(void *arg);
static void client_drained(void *arg);
static void client_conn_closed(void *arg, const char *why);
static void client_tls_ready(void *arg);
static void client_start_tls(struct client *c);

static const struct conn_cbs client_conn_cbs = {
	.read = client_read,
	.drained = client_drained,
	.closed = client_conn_closed,
	.tls_ready = client_tls_ready,
};

static int on_start_tls(void *arg, int anon);
static void on_check_password(void *arg, const char *user, size_t ulen,
    const char *password, size_t plen);
static void on_check_vnc(void *arg, const uint8_t *challenge,
    const uint8_t *response);
static void on_check_certificate(void *arg);
static void on_secured(void *arg);

static void on_client_init(void *arg, int shared);
static int on_pixel_format(void *arg, const struct pixfmt *pf);
static void on_encodings(void *arg, const uint8_t *list, size_t n);
static void on_update_request(void *arg, const struct rect *r, int inc);
static void on_key(void *arg, uint32_t keysym, int down);
static void on_qemu_key(void *arg, uint32_t keysym, uint32_t xt, int down);
static void on_pointer(void *arg, uint16_t x, uint16_t y, uint16_t mask);
static void on_cut_text(void *arg, const uint8_t *text, size_t len,
    uint32_t total);
static int on_set_desktop_size(void *arg, int status);
static void on_continuous(void *arg, int enable, const struct rect *r);
static void on_fence(void *arg, uint32_t flags, const uint8_t *payload,
    size_t len);
static void client_emit_key(void *arg, uint16_t code, int down);

static const struct session_cbs client_session_cbs = {
	.start_tls = on_start_tls,
	.check_password = on_check_password,
	.check_vnc = on_check_vnc,
	.check_certificate = on_check_certificate,
	.secured = on_secured,
	.client_init = on_client_init,
	.pixel_format = on_pixel_format,
	.encodings = on_encodings,
	.update_request = on_update_request,
	.key = on_key,
	.qemu_key = on_qemu_key,
	.pointer = on_pointer,
	.cut_text = on_cut_text,
	.set_desktop_size = on_set_desktop_size,
	.continuous = on_continuous,
	.fence = on_fence,
};

/*
 * A client's keyboard: one of the broker's, on its layout.  A broker whose
 * main() set no layout (a test's, a fuzz target's) types on the built-in
 * US table.
 */
static struct client *
client_alloc(struct broker *b)
{
	struct client *c;

	if (b->keys.map == NULL) {
		if (b->keymap == NULL)
			b->keymap = keymap_builtin();
		keyboards_init(&b->keys, b->keymap);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (keyboard_init(&c->kb, &b->keys, client_emit_key, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

/*
 * The audit log: a line for each connection, login, failed login, change
 * of role and disconnection, "audit: " first, which the supervisor sends
 * to syslog's authpriv facility.
 */
static void __attribute__((format(printf, 2, 3)))
audit(const struct client *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("audit: %s: %s", c->tag, line);
}

/* The whole handshake has a deadline from the connection on: a client
 * trickling one byte at a time does not stay. */
static void
client_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	char why[64];

	if (c->refusing)
		client_close(c, "not told why it is refused in time");
	else {
		snprintf(why, sizeof(why), "no ServerInit within %d s",
		    c->broker->handshake_seconds);
		client_close(c, why);
	}
}

static struct client *
client_start(struct broker *b, struct client *c,
    const struct client_origin *o)
{
	struct timeval tv = { b->handshake_seconds, 0 };

	if (b->handshake_seconds <= 0)
		tv.tv_sec = BROKER_HANDSHAKE_SECONDS;
	c->broker = b;
	c->id = ++b->next_id;
	c->role = CLIENT_CONTROL;	/* until a login says otherwise */
	c->started_ms = broker_now_ms();
	c->listener = o->listener;
	snprintf(c->tag, sizeof(c->tag), "client %u (%s)", c->id, o->peer);
	snprintf(c->addr, sizeof(c->addr), "%s", o->addr);
	c->sub = (struct screen_sub){ .changed = updates_screen_changed,
	    .cursor = updates_cursor_changed, .arg = c };
	session_init(&c->session, &client_session_cbs, c,
	    conn_output(c->conn), c->tag, o->security);
	if (o->refusal != NULL) {
		session_refuse(&c->session, o->refusal);
		c->refusing = 1;
		b->nrefusing++;
		tv.tv_sec = CLIENT_REFUSAL_SECONDS;
	} else
		auth_client_started(b, c);
	c->deadline_ev = evtimer_new(b->base, client_deadline, c);
	if (c->deadline_ev != NULL)
		evtimer_add(c->deadline_ev, &tv);
	TAILQ_INSERT_TAIL(&b->clients, c, entry);
	b->nclients++;
	if (o->refusal == NULL)
		audit(c, "connected to %s", o->listener);
	return c;
}

struct client *
client_new(struct broker *b, int fd, const struct client_origin *o)
{
	struct client *c;

	if ((c = client_alloc(b)) == NULL)
		return NULL;
	c->conn = conn_new_socket(b->base, fd, CLIENT_INPUT_MAX,
	    CLIENT_OUTPUT_LOW, &client_conn_cbs, c);
	if (c->conn == NULL) {
		keyboard_free(&c->kb);
		free(c);
		return NULL;
	}
	return client_start(b, c, o);
}

struct client *
client_new_bev(struct broker *b, struct bufferevent *bev, const char *peer,
    uint32_t security)
{
	struct client_origin o = { .listener = "test", .security = security };
	struct client *c;

	snprintf(o.peer, sizeof(o.peer), "%s", peer);
	snprintf(o.addr, sizeof(o.addr), "%s", peer);
	if ((c = client_alloc(b)) == NULL)
		return NULL;
	c->conn = conn_new(bev, CLIENT_INPUT_MAX, CLIENT_OUTPUT_LOW,
	    &client_conn_cbs, c);
	if (c->conn == NULL) {
		keyboard_free(&c->kb);
		free(c);
		return NULL;
	}
	return client_start(b, c, &o);
}

/*
 * The gate: the one way from a client to the input helper.  A client
 * without the control role never gets past it.
 */
static int
client_may_control(struct client *c)
{
	return c->role == CLIENT_CONTROL &&
	    (c->broker->sharing != SHARING_EXCLUSIVE_CONTROL ||
	    c->broker->controller == c);
}

/*
 * exclusive-control: the controller is the oldest viewer with the control
 * role; when it goes (or loses the role), the next oldest takes over.
 */
static void
choose_controller(struct broker *b)
{
	struct client *c;

	if (b->sharing != SHARING_EXCLUSIVE_CONTROL ||
	    (b->controller != NULL && b->controller->role == CLIENT_CONTROL))
		return;
	b->controller = NULL;
	TAILQ_FOREACH(c, &b->clients, entry)
		if (c->active && c->role == CLIENT_CONTROL) {
			b->controller = c;
			audit(c, "has control (exclusive-control)");
			return;
		}
}

static void
client_emit_key(void *arg, uint16_t code, int down)
{
	struct client *c = arg;

	if (client_may_control(c)) {
		in_key(c->broker, code, down);
		cap_active(&c->broker->screen);
		c->gave_input = 1;
	}
}

static void
client_emit_pointer(struct client *c, const struct ipc_in_pointer *p)
{
	if (client_may_control(c)) {
		in_pointer(c->broker, p);
		cap_active(&c->broker->screen);
		c->gave_input = 1;
	}
}

void
client_close(struct client *c, const char *why)
{
	struct broker *b = c->broker;
	uint64_t in, out;

	log_info("%s: closed: %s", c->tag, why);
	if (!c->refusing) {
		conn_bytes(c->conn, &in, &out);
		audit(c, "disconnected after %.1f s%s%s, %llu bytes in, %llu "
		    "out: %s", (double)(broker_now_ms() - c->started_ms) / 1000,
		    c->user[0] != '\0' && c->secured ? ", user " : "",
		    c->secured ? c->user : "", (unsigned long long)in,
		    (unsigned long long)out, why);
	} else
		b->nrefusing--;
	if (c->deadline_ev != NULL)
		event_free(c->deadline_ev);
	if (c->answer_ev != NULL)
		event_free(c->answer_ev);
	auth_client_done(b, c);
	if (c->secured)
		b->nviewers--;
	/* Whatever this client held down is let go; its paste stops. */
	paste_stop(c);
	keyboard_free(&c->kb);
	if (c->buttons & RFB_BUTTONS_HELD) {
		struct ipc_in_pointer p = { .x = c->ptr_x, .y = c->ptr_y };

		client_emit_pointer(c, &p);
	}
	TAILQ_REMOVE(&b->clients, c, entry);
	b->nclients--;
	if (c->active) {
		screen_unsubscribe(&b->screen, &c->sub);
		b->nactive--;
		screen_viewers_changed(&b->screen);
	}
	updates_free(c);
	conn_free(c->conn);
	if (b->controller == c) {
		b->controller = NULL;
		choose_controller(b);
	}
	free(c);
}

int
client_room(struct client *c, size_t more)
{
	size_t budget = CLIENT_OUTPUT_LOW + c->up.last_size +
	    CLIENT_OUTPUT_SMALL;

	if (conn_unsent(c->conn) + more <= budget)
		return 1;
	log_warnx("%s: asks for replies without reading them (%zu bytes "
	    "unsent): closing", c->tag, conn_unsent(c->conn));
	session_fail(&c->session, "does not read what it asked for");
	return 0;
}

/* Run the session over what arrived, until it needs more, the client is
 * done, or the input helper is too far behind to take more input from it
 * (a client that only watches is never held). */
static void
client_read(void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = conn_input(c->conn);
	size_t len = evbuffer_get_length(in), off = 0;
	const uint8_t *buf;

	if (c->input_held)
		return;
	if (len == 0)
		goto settle;
	if ((buf = evbuffer_pullup(in, -1)) == NULL) {
		client_close(c, "out of memory");
		return;
	}
	while (off < len) {
		long n;

		c->gave_input = 0;
		n = session_input(&c->session, buf + off, len - off);
		if (n < 0) {
			client_close(c, "protocol error");
			return;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (c->gave_input && in_busy(c->broker) && off < len) {
			c->input_held = 1;
			conn_hold_input(c->conn, 1);
			log_debug("%s: held until the input helper catches up",
			    c->tag);
			break;
		}
	}
	evbuffer_drain(in, off);
	if (c->tls_due)
		client_start_tls(c);
settle:
	if (c->session.state == SESSION_CLOSING) {
		conn_close_after_flush(c->conn);
		if (conn_unsent(c->conn) == 0)
			client_close(c, "refused");
	}
}

void
clients_leds_changed(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp)
		if (c->session.state == SESSION_NORMAL)
			updates_leds_changed(c);
}

void
clients_input_ready(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp) {
		if (!c->input_held || in_busy(b))
			continue;
		c->input_held = 0;
		conn_hold_input(c->conn, 0);
		client_read(c);
	}
}

static void
client_drained(void *arg)
{
	updates_try(arg);
}

static void
client_conn_closed(void *arg, const char *why)
{
	struct client *c = arg;
	char idle[64];

	if (c->session.state == SESSION_CLOSING)
		why = "refused";
	else if (strcmp(why, "timed out") == 0) {
		/* The only read timeout is the viewers' idle timeout. */
		snprintf(idle, sizeof(idle), "idle for %d s",
		    c->broker->idle_seconds);
		why = idle;
	}
	client_close(c, why);
}

/* VeNCrypt: TLS goes on the connection once the bytes before it are
 * consumed (client_read() does it): a TLS layer pushed now would read
 * them as its own. */
static int
on_start_tls(void *arg, int anon)
{
	struct client *c = arg;

	if (!tls_ready())
		return -1;
	c->tls_due = anon ? 2 : 1;
	return 0;
}

/* The session writes through TLS from now on. */
static void
client_start_tls(struct client *c)
{
	SSL *ssl = tls_new(c->tls_due == 2);

	c->tls_due = 0;
	if (ssl == NULL || conn_start_tls(c->conn, ssl) < 0) {
		SSL_free(ssl);
		session_fail(&c->session, "TLS could not start");
		return;
	}
	session_set_output(&c->session, conn_output(c->conn));
}

static void
client_tls_ready(void *arg)
{
	struct client *c = arg;

	session_tls_ready(&c->session);
	client_read(c);
}

static void
on_check_password(void *arg, const char *user, size_t ulen,
    const char *password, size_t plen)
{
	auth_ask_password(arg, user, ulen, password, plen);
}

static void
on_check_vnc(void *arg, const uint8_t *challenge, const uint8_t *response)
{
	auth_ask_vnc(arg, challenge, response);
}

/* X509None: the verified certificate names the user; the directory
 * gives the role. */
static void
on_check_certificate(void *arg)
{
	struct client *c = arg;
	char user[64];

	if (tls_peer_user(conn_ssl(c->conn), user, sizeof(user)) < 0) {
		snprintf(c->user, sizeof(c->user), "%s", "");
		client_auth_result(c, IPC_AUTH_REFUSED);
		return;
	}
	snprintf(c->user, sizeof(c->user), "%s", user);
	client_auth_result(c, auth_directory_role(c->broker, user));
}

/* How the client logged in, for the audit log. */
static void
describe_login(struct client *c, char *buf, size_t len)
{
	SSL *ssl = conn_ssl(c->conn);
	char tls[96] = "";

	if (ssl != NULL)
		tls_describe(ssl, tls, sizeof(tls));
	snprintf(buf, len, "%s%s%s", session_security_name(&c->session),
	    tls[0] != '\0' ? ", " : "", tls);
}

static void
answer_failed(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	session_auth_done(&c->session, 0, "authentication failed");
	client_read(c);
}

void
client_auth_result(struct client *c, uint32_t role)
{
	struct broker *b = c->broker;
	char how[160];

	describe_login(c, how, sizeof(how));
	if (role == IPC_AUTH_REFUSED) {
		struct timeval tv;
		unsigned int ms = auth_failed(c, c->user);

		audit(c, "login failed%s%s%s by %s", c->user[0] != '\0' ?
		    " as \"" : "", c->user, c->user[0] != '\0' ? "\"" : "",
		    how);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (c->answer_ev == NULL &&
		    (c->answer_ev = evtimer_new(b->base, answer_failed, c)) ==
		    NULL) {
			answer_failed(-1, 0, c);
			return;
		}
		evtimer_add(c->answer_ev, &tv);
		return;
	}
	if (b->nviewers >= BROKER_MAX_CLIENTS) {
		session_auth_done(&c->session, 0, "the server has as many "
		    "viewers as it takes");
		client_read(c);
		return;
	}
	c->role = role == IPC_AUTH_CONTROL ? CLIENT_CONTROL : CLIENT_VIEW;
	if (c->session.chosen == IPC_SEC_VNCAUTH)
		c->user[0] = '\0';	/* a password of a role, no account */
	session_auth_done(&c->session, 1, NULL);
	client_read(c);
}

/* Security is done: a viewer now, no longer logging in. */
static void
on_secured(void *arg)
{
	struct client *c = arg;
	struct broker *b = c->broker;
	char how[160];

	auth_client_done(b, c);
	c->secured = 1;
	b->nviewers++;
	describe_login(c, how, sizeof(how));
	if (c->user[0] != '\0')
		audit(c, "logged in as %s (%s) by %s", c->user,
		    c->role == CLIENT_CONTROL ? "control" : "view", how);
	else
		audit(c, "logged in (%s) by %s",
		    c->role == CLIENT_CONTROL ? "control" : "view", how);
}

/* A viewer that loses control lets go of what it holds. */
static void
client_demote(struct client *c)
{
	keyboard_release_all(&c->kb);
	paste_stop(c);
	if (c->buttons & RFB_BUTTONS_HELD) {
		struct ipc_in_pointer p = { .x = c->ptr_x, .y = c->ptr_y };

		in_pointer(c->broker, &p);
		c->buttons = 0;
	}
}

void
clients_directory_changed(struct broker *b)
{
	struct client *c, *tmp;

	TAILQ_FOREACH_SAFE(c, &b->clients, entry, tmp) {
		uint32_t role;
		enum client_role now;

		if (!c->secured || c->user[0] == '\0')
			continue;
		role = auth_directory_role(b, c->user);
		if (role == IPC_AUTH_REFUSED) {
			audit(c, "user %s was removed", c->user);
			client_close(c, "its user was removed");
			continue;
		}
		now = role == IPC_AUTH_CONTROL ? CLIENT_CONTROL : CLIENT_VIEW;
		if (now == c->role)
			continue;
		audit(c, "role of %s: %s", c->user,
		    now == CLIENT_CONTROL ? "view -> control" :
		    "control -> view");
		if (now == CLIENT_VIEW)
			client_demote(c);
		c->role = now;
	}
	choose_controller(b);
}

/* ServerInit, once the screen can be described: a frame is there. */
void
client_server_init(struct client *c)
{
	const struct frame *f = c->broker->screen.cur;

	if (c->session.state != SESSION_WAIT_SERVER || f == NULL)
		return;
	if (updates_start(c, f) < 0) {
		client_close(c, "out of memory");
		return;
	}
	session_server_init(&c->session, (uint16_t)f->width,
	    (uint16_t)f->height, c->broker->desktop_name);
	/* The handshake is done; from now on a viewer may idle as long as
	 * --idle-timeout lets it. */
	if (c->deadline_ev != NULL)
		evtimer_del(c->deadline_ev);
	conn_set_timeout(c->conn, c->broker->idle_seconds);
}

/* The handshake is done: this is a viewer, and capture runs for it. */
static void
on_client_init(void *arg, int shared)
{
	struct client *c = arg;
	struct broker *b = c->broker;

	/*
	 * RFB's shared flag: a client asking for the screen alone displaces
	 * the others only with --sharing exclusive, and only when it has
	 * the control role; otherwise every viewer shares the screen (most
	 * viewers ask for it alone by default).
	 */
	if (!shared && b->sharing == SHARING_EXCLUSIVE &&
	    c->role == CLIENT_CONTROL) {
		struct client *o, *tmp;

		TAILQ_FOREACH_SAFE(o, &b->clients, entry, tmp)
			if (o != c && o->active) {
				audit(o, "displaced by %s (not shared)",
				    c->tag);
				client_close(o, "displaced by a connection "
				    "that asked for the screen alone");
			}
	}
	c->active = 1;
	b->nactive++;
	choose_controller(b);
	screen_subscribe(&b->screen, &c->sub);
	screen_viewers_changed(&b->screen);
	client_server_init(c);
}

static int
on_pixel_format(void *arg, const struct pixfmt *pf)
{
	struct client *c = arg;

	if (!pf->true_colour) {
		if (!client_room(c, SESSION_COLOUR_MAP_SIZE))
			return 0;
		session_send_colour_map(&c->session);
	}
	pixconv_init(&c->up.conv, pf);
	return 0;
}

static void
on_encodings(void *arg, const uint8_t *list, size_t n)
{
	updates_set_encodings(arg, list, n);
}

static void
on_update_request(void *arg, const struct rect *r, int incremental)
{
	updates_request(arg, r, incremental);
}

static int
on_set_desktop_size(void *arg, int status)
{
	return updates_set_desktop_size(arg, status);
}

static void
on_continuous(void *arg, int enable, const struct rect *r)
{
	updates_continuous(arg, enable, r);
}

static void
on_fence(void *arg, uint32_t flags, const uint8_t *payload, size_t len)
{
	updates_fence(arg, flags, payload, len);
}

/* A keysym the layout has no key for: said once, then dropped. */
static void
unknown_keysym(struct client *c, uint32_t keysym)
{
	struct broker *b = c->broker;

	for (unsigned int i = 0; i < b->nunknown; i++)
		if (b->unknown_keysyms[i] == keysym)
			return;
	if (b->nunknown < BROKER_UNKNOWN_KEYSYMS)
		b->unknown_keysyms[b->nunknown++] = keysym;
	log_info("%s: keysym 0x%04x has no key on the %s layout: dropped",
	    c->tag, keysym, keymap_name(b->keys.map));
}

/*
 * Keys of a client without control do not even reach its keyboard: what a
 * keyboard holds counts for every client (a Shift held lifted around
 * another's '8', and put back down), so a view-only client's keys must
 * hold nothing.
 */
static void
on_key(void *arg, uint32_t keysym, int down)
{
	struct client *c = arg;

	if (!client_may_control(c))
		return;
	if (keyboard_event(&c->kb, keysym, down) < 0)
		unknown_keysym(c, keysym);
}

/*
 * A QEMU Extended Key Event: the key by its scancode, whatever the layout.
 * A scancode that is no key we know is ignored (said once a client):
 * rfbproto.rst has clients send it only for keys whose code they know, so
 * it is a key our table lacks, not a broken client; and the keysym that
 * comes with it is not used instead, so that a press and its release never
 * take two different paths to two different keys.
 */
static void
on_qemu_key(void *arg, uint32_t keysym, uint32_t xt, int down)
{
	struct client *c = arg;
	uint16_t code = keymap_xt_code(xt);

	if (!client_may_control(c))
		return;
	if (code != 0 && keyboard_raw(&c->kb, code, keysym, down) == 0)
		return;
	if (!c->xt_unknown_said) {
		c->xt_unknown_said = 1;
		log_info("%s: XT scancode 0x%02x (keysym 0x%04x) is no key "
		    "we know: ignored", c->tag, xt, keysym);
	} else
		log_debug("%s: XT scancode 0x%02x ignored", c->tag, xt);
}

/*
 * A ClientCutText: typed on the layout when --paste-as-typing asks for it
 * and the client has control; dropped otherwise, as viewers send their
 * clipboard on their own.
 */
static void
on_cut_text(void *arg, const uint8_t *text, size_t len, uint32_t total)
{
	struct client *c = arg;

	if (!c->broker->paste_as_typing)
		return;
	if (!client_may_control(c)) {
		log_info("%s: paste of %u bytes not typed: view only", c->tag,
		    total);
		return;
	}
	paste_start(c, text, len, total);
}

static uint16_t
scale(uint16_t v, uint32_t size)
{
	if (size <= 1)
		return 0;
	if (v >= size)
		v = (uint16_t)(size - 1);
	return (uint16_t)((uint32_t)v * 65535 / (size - 1));
}

static void
on_pointer(void *arg, uint16_t x, uint16_t y, uint16_t mask)
{
	struct client *c = arg;
	uint16_t pressed = mask & ~c->buttons;
	struct ipc_in_pointer ev;

	memset(&ev, 0, sizeof(ev));
	ev.x = scale(x, c->up.width);
	ev.y = scale(y, c->up.height);
	/* RFB buttons 1-3 are left, middle, right; 4-7 the wheel, one notch
	 * a press; 8 the "back" side button; forward comes only with
	 * ExtendedMouseButtons. */
	ev.buttons = (mask & 1 ? IPC_BTN_LEFT : 0) |
	    (mask & 2 ? IPC_BTN_MIDDLE : 0) | (mask & 4 ? IPC_BTN_RIGHT : 0) |
	    (mask & SESSION_BUTTON_BACK ? IPC_BTN_SIDE : 0) |
	    (mask & SESSION_BUTTON_FORWARD ? IPC_BTN_EXTRA : 0);
	ev.wheel = (int8_t)((pressed & 8 ? 1 : 0) - (pressed & 16 ? 1 : 0));
	ev.hwheel = (int8_t)((pressed & 64 ? 1 : 0) - (pressed & 32 ? 1 : 0));
	if (!c->ptr_known || ev.x != c->ptr_x || ev.y != c->ptr_y ||
	    ev.wheel || ev.hwheel ||
	    (mask & RFB_BUTTONS_HELD) != (c->buttons & RFB_BUTTONS_HELD))
		client_emit_pointer(c, &ev);
	c->ptr_known = 1;
	c->buttons = mask;
	c->ptr_x = ev.x;
	c->ptr_y = ev.y;
}
