/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging in: the questions to rampart-auth, which alone holds the
 * password hashes, and what keeps a flood of bad logins from costing real
 * users anything.
 *
 * - A check costs the checker tens of milliseconds of scrypt, on purpose.
 *   One question is out at a time, and the next is taken from the source
 *   addresses in turn (round robin), one client of each: a thousand
 *   questions from one address wait behind one question of every other
 *   address, not in front of it.
 * - A connection counts as logging in from its accept to its
 *   SecurityResult, against a cap for all (BROKER_MAX_UNAUTH) and one per
 *   source address (BROKER_MAX_UNAUTH_PER_ADDR), apart from the viewers'
 *   places: idle half-open connections cannot lock viewers out.
 * - Failed logins back off, as fail2ban would: past AUTH_FREE_FAILURES
 *   from one address, it is refused at connection for a penalty that
 *   doubles, up to AUTH_PENALTY_MAX_MS.  Each failure is answered after
 *   AUTH_FAIL_DELAY_MS, more when the user name has failed often from
 *   anywhere (a slow guess at one account from many addresses); a correct
 *   password is answered at once.  Unknown users and wrong passwords are
 *   the same failure, in the same time.
 */
#include "config.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/broker.h"
#include "broker/client.h"
#include "common/log.h"

#define AUTH_FREE_FAILURES	5
#define AUTH_PENALTY_MAX_MS	(300 * 1000)
#define AUTH_FORGET_MS		(600 * 1000)	/* failures this old go */
#define AUTH_FAIL_DELAY_MS	500
#define AUTH_USER_FREE_FAILURES	5
#define AUTH_USER_DELAY_MAX_MS	8000

void
auth_init(struct broker *b)
{
	TAILQ_INIT(&b->auth.sources);
	TAILQ_INIT(&b->auth.turns);
}

static struct auth_source *
source_find(struct broker *b, const char *addr)
{
	struct auth_source *src;

	TAILQ_FOREACH(src, &b->auth.sources, entry)
		if (strcmp(src->addr, addr) == 0)
			return src;
	return NULL;
}

/* A source with nothing to remember is freed. */
static void
source_gc(struct broker *b, struct auth_source *src)
{
	uint64_t now = broker_now_ms();

	if (src->failures > 0 && now - src->last_failure_ms >= AUTH_FORGET_MS)
		src->failures = 0;
	if (src->unauth > 0 || src->failures > 0 || src->in_turn ||
	    !TAILQ_EMPTY(&src->waiting) || src->penalty_until_ms > now)
		return;
	TAILQ_REMOVE(&b->auth.sources, src, entry);
	b->auth.nsources--;
	free(src);
}

/* The source of addr, made if new; NULL when the table is full of
 * sources still remembered. */
static struct auth_source *
source_get(struct broker *b, const char *addr)
{
	struct auth_source *src, *old, *tmp;

	/* A broker that main() did not set up (a test's) starts empty. */
	if (b->auth.sources.tqh_last == NULL)
		auth_init(b);
	if ((src = source_find(b, addr)) != NULL)
		return src;
	if (b->auth.nsources >= AUTH_SOURCES_MAX)
		TAILQ_FOREACH_SAFE(old, &b->auth.sources, entry, tmp)
			source_gc(b, old);
	if (b->auth.nsources >= AUTH_SOURCES_MAX ||
	    (src = calloc(1, sizeof(*src))) == NULL)
		return NULL;
	snprintf(src->addr, sizeof(src->addr), "%s", addr);
	TAILQ_INIT(&src->waiting);
	TAILQ_INSERT_TAIL(&b->auth.sources, src, entry);
	b->auth.nsources++;
	return src;
}

const char *
auth_admit(struct broker *b, const char *addr)
{
	struct auth_source *src = source_get(b, addr);

	if (src == NULL)
		return "too many addresses are logging in: try again later";
	if (src->penalty_until_ms > broker_now_ms())
		return "too many failed logins from this address: try again "
		    "later";
	if (b->nviewers >= BROKER_MAX_CLIENTS)
		return "the server has as many viewers as it takes";
	if (b->nunauth >= BROKER_MAX_UNAUTH)
		return "too many connections are logging in: try again later";
	if (src->unauth >= BROKER_MAX_UNAUTH_PER_ADDR)
		return "too many connections from this address are logging "
		    "in: try again later";
	return NULL;
}

void
auth_client_started(struct broker *b, struct client *c)
{
	if ((c->src = source_get(b, c->addr)) == NULL)
		return;		/* a test's client, past the table */
	c->src->unauth++;
	b->nunauth++;
}

static void auth_next(struct broker *b);

void
auth_client_done(struct broker *b, struct client *c)
{
	struct auth_source *src = c->src;

	if (src == NULL)
		return;
	if (c->waiting) {
		TAILQ_REMOVE(&src->waiting, c, wait_entry);
		c->waiting = 0;
	}
	explicit_bzero(&c->question, sizeof(c->question));
	if (b->auth.asking == c) {
		b->auth.asking = NULL;
		b->auth.asking_gone = 1;	/* its answer is dropped */
		if (!TAILQ_EMPTY(&src->waiting) && !src->in_turn) {
			TAILQ_INSERT_TAIL(&b->auth.turns, src, turn);
			src->in_turn = 1;
		}
	}
	if (src->in_turn && TAILQ_EMPTY(&src->waiting)) {
		TAILQ_REMOVE(&b->auth.turns, src, turn);
		src->in_turn = 0;
	}
	src->unauth--;
	b->nunauth--;
	c->src = NULL;
	source_gc(b, src);
}

/* rampart-auth, as we see it: answers only, each to our question. */
static const struct chan_rule auth_rules[] = {
	{ IPC_AUTH2BRK_RESULT, CHAN_ANSWER },
};

static const struct chan_peer auth_peer = {
	.name = "rampart-auth",
	.first = IPC_AUTH2BRK_FIRST, .last = IPC_AUTH2BRK_LAST,
	.rules = auth_rules, .nrules = 1,
	.queue_max = 64, .on_full = CHAN_FULL_CLOSE,
};

static int
auth_answer(void *arg, const struct ipc_msg *m, int fd)
{
	struct broker *b = arg;
	const struct ipc_auth_result *r = &m->u.auth_result;
	struct client *c = b->auth.asking;

	if (r->id != b->auth.asking_id || r->role > IPC_AUTH_VIEW)
		return -1;
	b->auth.asking = NULL;
	b->auth.asking_gone = 0;
	if (c != NULL) {
		struct auth_source *src = c->src;

		if (src != NULL && !TAILQ_EMPTY(&src->waiting) &&
		    !src->in_turn) {
			TAILQ_INSERT_TAIL(&b->auth.turns, src, turn);
			src->in_turn = 1;
		}
		explicit_bzero(&c->question, sizeof(c->question));
		client_auth_result(c, r->role);
	}
	auth_next(b);
	return 0;
}

static void
auth_closed(void *arg, int error, const char *why)
{
	struct broker *b = arg;
	struct client *c = b->auth.asking;

	log_warnx("rampart-auth channel: %s", why);
	channel_free(b->auth.ch);
	b->auth.ch = NULL;
	/* The question out is asked again of the next rampart-auth. */
	if (c != NULL && c->src != NULL) {
		TAILQ_INSERT_HEAD(&c->src->waiting, c, wait_entry);
		c->waiting = 1;
		if (!c->src->in_turn) {
			TAILQ_INSERT_HEAD(&b->auth.turns, c->src, turn);
			c->src->in_turn = 1;
		}
	}
	b->auth.asking = NULL;
	b->auth.asking_gone = 0;
}

void
auth_set_channel(struct broker *b, int fd)
{
	if (b->auth.ch != NULL) {
		channel_free(b->auth.ch);
		b->auth.ch = NULL;
	}
	b->auth.ch = channel_new(b->base, fd, &auth_peer, auth_answer,
	    auth_closed, b);
	if (b->auth.ch == NULL) {
		log_warnx("rampart-auth channel: out of memory");
		return;
	}
	auth_next(b);
}

/* The next question, from the next source in turn. */
static void
auth_next(struct broker *b)
{
	struct auth_source *src;
	struct client *c;

	if (b->auth.ch == NULL || b->auth.asking != NULL ||
	    b->auth.asking_gone ||
	    (src = TAILQ_FIRST(&b->auth.turns)) == NULL)
		return;
	TAILQ_REMOVE(&b->auth.turns, src, turn);
	src->in_turn = 0;
	c = TAILQ_FIRST(&src->waiting);
	TAILQ_REMOVE(&src->waiting, c, wait_entry);
	c->waiting = 0;
	b->auth.asking = c;
	if (c->question_type == IPC_BRK2AUTH_PASSWORD)
		b->auth.asking_id = channel_ask(b->auth.ch,
		    IPC_BRK2AUTH_PASSWORD, &c->question.password,
		    sizeof(c->question.password));
	else
		b->auth.asking_id = channel_ask(b->auth.ch, IPC_BRK2AUTH_VNC,
		    &c->question.vnc, sizeof(c->question.vnc));
	/* The question stays until its answer: a new rampart-auth is asked
	 * again if this one dies. */
}

static void
auth_queue(struct client *c)
{
	struct broker *b = c->broker;
	struct auth_source *src = c->src;

	if (src == NULL) {
		client_auth_result(c, IPC_AUTH_REFUSED);
		return;
	}
	TAILQ_INSERT_TAIL(&src->waiting, c, wait_entry);
	c->waiting = 1;
	if (!src->in_turn) {
		TAILQ_INSERT_TAIL(&b->auth.turns, src, turn);
		src->in_turn = 1;
	}
	auth_next(b);
}

void
auth_ask_password(struct client *c, const char *user, size_t ulen,
    const char *password, size_t plen)
{
	struct ipc_auth_password *q = &c->question.password;

	memset(q, 0, sizeof(*q));
	q->user_len = (uint32_t)ulen;
	q->password_len = (uint32_t)plen;
	memcpy(q->user, user, ulen);
	memcpy(q->password, password, plen);
	c->question_type = IPC_BRK2AUTH_PASSWORD;
	snprintf(c->user, sizeof(c->user), "%.*s", (int)ulen, user);
	auth_queue(c);
}

void
auth_ask_vnc(struct client *c, const uint8_t *challenge,
    const uint8_t *response)
{
	struct ipc_auth_vnc *q = &c->question.vnc;

	memset(q, 0, sizeof(*q));
	memcpy(q->challenge, challenge, sizeof(q->challenge));
	memcpy(q->response, response, sizeof(q->response));
	c->question_type = IPC_BRK2AUTH_VNC;
	auth_queue(c);
}

static struct auth_user_failures *
user_failures(struct broker *b, const char *user)
{
	struct auth_user_failures *u, *oldest = &b->auth.users[0];

	for (size_t i = 0; i < AUTH_USERS_TRACKED; i++) {
		u = &b->auth.users[i];
		if (u->failures > 0 && strcmp(u->name, user) == 0)
			return u;
		if (u->failures == 0 || u->last_ms < oldest->last_ms)
			oldest = u;
		if (u->failures == 0)
			break;
	}
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->name, sizeof(oldest->name), "%s", user);
	return oldest;
}

unsigned int
auth_failed(struct client *c, const char *user)
{
	struct broker *b = c->broker;
	struct auth_source *src = c->src;
	struct auth_user_failures *u = user_failures(b, user);
	uint64_t now = broker_now_ms(), delay = AUTH_FAIL_DELAY_MS;

	if (u->failures > 0 && now - u->last_ms >= AUTH_FORGET_MS)
		u->failures = 0;
	u->failures++;
	u->last_ms = now;
	if (u->failures > AUTH_USER_FREE_FAILURES) {
		unsigned int n = u->failures - AUTH_USER_FREE_FAILURES;
		uint64_t more = n >= 8 ? AUTH_USER_DELAY_MAX_MS :
		    (uint64_t)AUTH_FAIL_DELAY_MS << n;

		delay = more < AUTH_USER_DELAY_MAX_MS ? more :
		    AUTH_USER_DELAY_MAX_MS;
	}
	if (src != NULL) {
		if (src->failures > 0 &&
		    now - src->last_failure_ms >= AUTH_FORGET_MS)
			src->failures = 0;
		src->failures++;
		src->last_failure_ms = now;
		if (src->failures > AUTH_FREE_FAILURES) {
			unsigned int n = src->failures - AUTH_FREE_FAILURES;
			uint64_t p = n > 9 ? AUTH_PENALTY_MAX_MS :
			    1000ULL << (n - 1);

			if (p > AUTH_PENALTY_MAX_MS)
				p = AUTH_PENALTY_MAX_MS;
			src->penalty_until_ms = now + p;
			log_info("audit: %s: %u failed logins: refused for "
			    "%llu s", src->addr, src->failures,
			    (unsigned long long)(p / 1000));
		}
	}
	return (unsigned int)delay;
}

/* "NAME ROLE\n" lines, from the supervisor. */
int
auth_set_directory(struct broker *b, const char *text, size_t len)
{
	struct directory_entry *dir = NULL;
	size_t n = 0, cap = 0, off = 0;

	while (off < len) {
		const char *line = text + off, *end = memchr(line, '\n',
		    len - off), *sp;
		size_t llen = end != NULL ? (size_t)(end - line) : len - off;

		off += llen + 1;
		if (llen == 0)
			continue;
		if ((sp = memchr(line, ' ', llen)) == NULL ||
		    (size_t)(sp - line) >= sizeof(dir->name) || sp == line)
			goto bad;
		if (n == cap) {
			struct directory_entry *d;

			cap = cap ? cap * 2 : 16;
			if ((d = reallocarray(dir, cap, sizeof(*d))) == NULL)
				goto bad;
			dir = d;
		}
		memset(&dir[n], 0, sizeof(dir[n]));
		memcpy(dir[n].name, line, (size_t)(sp - line));
		if (memchr(dir[n].name, '\0', (size_t)(sp - line)) != NULL)
			goto bad;
		llen -= (size_t)(sp - line) + 1;
		if (llen == 7 && memcmp(sp + 1, "control", 7) == 0)
			dir[n].control = 1;
		else if (!(llen == 4 && memcmp(sp + 1, "view", 4) == 0))
			goto bad;
		n++;
	}
	free(b->auth.dir);
	b->auth.dir = dir;
	b->auth.ndir = n;
	return 0;
bad:
	free(dir);
	return -1;
}

uint32_t
auth_directory_role(const struct broker *b, const char *name)
{
	for (size_t i = 0; i < b->auth.ndir; i++)
		if (strcmp(b->auth.dir[i].name, name) == 0)
			return b->auth.dir[i].control ? IPC_AUTH_CONTROL :
			    IPC_AUTH_VIEW;
	return IPC_AUTH_REFUSED;
}
