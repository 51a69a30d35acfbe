/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame ring: a memfd of a few equal slots, owned and written by the
 * capture helper through the one writable mapping it made before sealing.
 * The seals (F_SEAL_FUTURE_WRITE, SHRINK, GROW, SEAL) let nobody else
 * write it, make it writable later or change its size: the broker gets the
 * descriptor itself and can only map it PROT_READ.  Which slot holds which frame travels as
 * IPC_CAP2BRK_FRAME messages; a slot is rewritten only after the broker sent
 * IPC_BRK2CAP_RELEASE for it.
 */
#ifndef RAMPART_RING_H
#define RAMPART_RING_H

#include <stddef.h>
#include <stdint.h>

struct frame_ring {
	int		fd;		/* -1 when not set up */
	uint8_t		*base;
	uint32_t	id;
	uint32_t	nslots;
	size_t		slot_size;
	uint32_t	busy;		/* capture side: slots the broker holds */
};

#define RING_INIT	{ .fd = -1 }

/* Capture side: create a sealed ring of nslots slots of at least
 * min_slot_size bytes each, mapped read-write; ring->fd is what travels. */
int	ring_create(struct frame_ring *ring, uint32_t id, uint32_t nslots,
	    size_t min_slot_size);
/* Capture side: a slot the broker does not hold, or -1 when all are held. */
int	ring_free_slot(const struct frame_ring *ring);

/* Broker side: check the descriptor (size, seals) against the announced
 * geometry and map it PROT_READ.  Takes ownership of fd. */
int	ring_map(struct frame_ring *ring, int fd, uint32_t id, uint32_t nslots,
	    uint64_t slot_size);

static inline uint8_t *
ring_slot(const struct frame_ring *ring, uint32_t slot)
{
	return ring->base + (size_t)slot * ring->slot_size;
}

void	ring_destroy(struct frame_ring *ring);

#endif
