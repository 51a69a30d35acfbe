/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A channel: one end of a SOCK_SEQPACKET socketpair between two rampart
 * processes, on a libevent loop.  Every process talks to every other
 * through this one object.
 *
 * Sending never blocks: a message the socket cannot take now waits in a
 * bounded queue, drained when the socket is writable (OpenBSD's msgbuf).
 * So a peer that stops reading cannot stall us, whichever side is the more
 * trusted.  What happens when the queue is full is the peer's description:
 * a less trusted peer, or one that must see every message, is dropped (the
 * channel closes); where only the newest state matters the oldest queued
 * message goes.
 *
 * Receiving takes a message only from the peer's own type range, at its
 * exact size (ipc.h), and then only where the peer's rules allow it now
 * (OpenSSH's mon_table): a type allowed once, only before or after the
 * start message, or only as the answer to a question we asked.  Anything
 * else closes the channel.
 */
#ifndef RAMPART_CHANNEL_H
#define RAMPART_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

struct event_base;
struct channel;

/* Rule flags of one message type, as received. */
#define CHAN_ONCE		0x01	/* at most once on this channel */
#define CHAN_BEFORE_START	0x02	/* only before the start message */
#define CHAN_AFTER_START	0x04	/* only after it */
#define CHAN_START		0x08	/* this is the start message (once) */
#define CHAN_ANSWER		0x10	/* answers a channel_ask(): the payload
					 * starts with its uint32_t id */

struct chan_rule {
	uint16_t	type;
	uint8_t		flags;
};

enum chan_full {
	CHAN_FULL_CLOSE,	/* the peer is dropped */
	CHAN_FULL_DROP_OLDEST,	/* the oldest queued message is dropped */
};

/* What we know of the process at the other end. */
struct chan_peer {
	const char		*name;		/* for logs: "the broker" */
	uint16_t		 first, last;	/* the types it may send */
	const struct chan_rule	*rules;		/* types not listed: any time */
	size_t			 nrules;
	size_t			 queue_max;	/* messages queued for it */
	enum chan_full		 on_full;
};

/*
 * A message that passed every check; fd is its descriptor (ours now) or
 * -1.  Return 0, or -1 to refuse it, which closes the channel.  The handler
 * may free the channel.
 */
typedef int chan_handler_fn(void *arg, const struct ipc_msg *msg, int fd);
/*
 * The channel ended: error is 0 for the peer's end of file, 1 for a bad or
 * refused message, a send error or a full queue; why says which, for a log
 * line.  Nothing is sent or received after this; the owner frees the
 * channel (here or later).
 */
typedef void chan_closed_fn(void *arg, int error, const char *why);

/*
 * Take fd (made non-blocking here; closed by channel_free).  Returns NULL
 * when out of memory, with fd left open.
 */
struct channel *channel_new(struct event_base *base, int fd,
	    const struct chan_peer *peer, chan_handler_fn *handler,
	    chan_closed_fn *closed, void *arg);
void	channel_free(struct channel *ch);

/*
 * Queue one message for the peer, with a copy of fd (>= 0) where the type
 * carries one; the caller keeps its own fd.  Returns 0, or -1 when the
 * channel is closed or the message is malformed (a bug: logged).  A full
 * queue is handled as the peer's description says; a channel that closes
 * for it calls closed() before this returns -1.
 */
int	channel_send(struct channel *ch, uint16_t type, const void *payload,
	    size_t len, int fd);
/*
 * Send a question: its payload starts with a uint32_t id, which this sets.
 * Exactly one answer (a CHAN_ANSWER type carrying the id) is then accepted.
 * Returns the id (never 0), or 0 when it could not be sent.
 */
uint32_t channel_ask(struct channel *ch, uint16_t type, void *payload,
	    size_t len);

/* Call fn(arg) each time the queue has emptied, so that producers held
 * back for a busy peer may go on. */
void	channel_set_drained(struct channel *ch, void (*fn)(void *arg));

/* Messages waiting to go out: the peer is behind when this is not 0. */
size_t	channel_queued(const struct channel *ch);
/*
 * The payload of the last queued message if it is of this type and not
 * yet sent, so that a newer state can replace it in place; else NULL.
 */
void	*channel_tail(struct channel *ch, uint16_t type);
int	channel_closed(const struct channel *ch);
const struct chan_peer *channel_peer(const struct channel *ch);

#endif
