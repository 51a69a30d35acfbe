/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Big-endian fields of the RFB wire, read and written in place.
 */
#ifndef RAMPART_WIRE_H
#define RAMPART_WIRE_H

#include <event2/buffer.h>

#include <stdint.h>
#include <string.h>

static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The same, appended to an output buffer. */
static inline void
wire_add8(struct evbuffer *out, uint8_t v)
{
	evbuffer_add(out, &v, 1);
}

static inline void
wire_add16(struct evbuffer *out, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	evbuffer_add(out, b, sizeof(b));
}

static inline void
wire_add32(struct evbuffer *out, uint32_t v)
{
	uint8_t b[4];

	wire_put32(b, v);
	evbuffer_add(out, b, sizeof(b));
}

/* A string as RFB sends one: its length (U32), then its bytes. */
static inline void
wire_add_string(struct evbuffer *out, const char *s)
{
	wire_add32(out, (uint32_t)strlen(s));
	evbuffer_add(out, s, strlen(s));
}

#endif
