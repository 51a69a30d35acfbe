/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn: one viewer's transport, a stack of bufferevents.  The socket is at
 * the bottom; TLS and WebSocket will be filters pushed on top of it, and
 * the layers above (session, client) read and write only the top of the
 * stack without knowing what is under it.
 */
#ifndef RAMPART_CONN_H
#define RAMPART_CONN_H

#include <stddef.h>
#include <stdint.h>

struct bufferevent;
struct event_base;
struct evbuffer;
struct conn;
struct ssl_st;

struct conn_cbs {
	/* Bytes arrived: read them from conn_input(). */
	void	(*read)(void *arg);
	/* The output fell to the low mark given at creation. */
	void	(*drained)(void *arg);
	/* End of connection, an error or the timeout: nothing is read or
	 * written any more; the owner frees the conn. */
	void	(*closed)(void *arg, const char *why);
	/* The TLS handshake is done (conn_start_tls()). */
	void	(*tls_ready)(void *arg);
};

/*
 * A connection on a bufferevent the caller made (a socket's, or one end of
 * a bufferevent pair in tests); the conn owns and frees it.  Reads are
 * bounded by input_max bytes waiting; drained() is called when the output
 * falls to output_low.
 */
struct conn *conn_new(struct bufferevent *bev, size_t input_max,
	    size_t output_low, const struct conn_cbs *cbs, void *arg);
/* The same on an accepted socket, which the conn closes. */
struct conn *conn_new_socket(struct event_base *base, int fd,
	    size_t input_max, size_t output_low, const struct conn_cbs *cbs,
	    void *arg);
void	conn_free(struct conn *c);
/*
 * TLS on top, as the server, from now on: ssl is the conn's (freed with
 * it).  tls_ready() follows the handshake; a failed one is closed() with
 * OpenSSL's reason.  Bytes already read stay below, so the caller makes
 * sure there are none.  0, or -1.
 */
int	conn_start_tls(struct conn *c, struct ssl_st *ssl);
/* The TLS session, or NULL. */
struct ssl_st *conn_ssl(const struct conn *c);
/* Bytes read from and written to the socket so far. */
void	conn_bytes(const struct conn *c, uint64_t *in, uint64_t *out);

struct evbuffer *conn_input(struct conn *c);
struct evbuffer *conn_output(struct conn *c);
/* Bytes written and not yet handed to the kernel, through the whole stack:
 * what this client costs us in output memory. */
size_t	conn_unsent(const struct conn *c);

/* Close the connection if it is still there after this many seconds; 0
 * for no limit. */
void	conn_set_timeout(struct conn *c, int seconds);
/* Stop (1) or resume (0) reading; what arrived stays in conn_input(). */
void	conn_hold_input(struct conn *c, int hold);
/* Read no more; closed() once the output is out, or when it has not
 * moved for a while. */
void	conn_close_after_flush(struct conn *c);

#endif
