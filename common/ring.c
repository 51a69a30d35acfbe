/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/ring.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010	/* Linux 5.1 */
#endif
#define RING_SEALS	(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | \
			 F_SEAL_SEAL)

static size_t
page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

int
ring_create(struct frame_ring *ring, uint32_t id, uint32_t nslots,
    size_t min_slot_size)
{
	size_t slot_size = page_round(min_slot_size);
	size_t size;
	void *base;
	int fd;

	if (nslots < 2 || nslots > IPC_RING_SLOTS_MAX || min_slot_size == 0 ||
	    slot_size > SIZE_MAX / nslots) {
		errno = EINVAL;
		return -1;
	}
	size = slot_size * nslots;
	fd = memfd_create("rampart-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	/* Our writable mapping first: the seal forbids any made after. */
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	if (fcntl(fd, F_ADD_SEALS, RING_SEALS) < 0) {
		munmap(base, size);
		goto fail;
	}
	*ring = (struct frame_ring){ .fd = fd, .base = base, .id = id,
	    .nslots = nslots, .slot_size = slot_size };
	return 0;
fail:
	close(fd);
	return -1;
}

int
ring_free_slot(const struct frame_ring *ring)
{
	for (uint32_t i = 0; i < ring->nslots; i++)
		if (!(ring->busy & (1u << i)))
			return (int)i;
	return -1;
}

int
ring_map(struct frame_ring *ring, int fd, uint32_t id, uint32_t nslots,
    uint64_t slot_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct stat st;
	void *base;
	int seals;

	if (nslots < 2 || nslots > IPC_RING_SLOTS_MAX || slot_size == 0 ||
	    slot_size % page != 0 || slot_size > SIZE_MAX / nslots)
		goto inval;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || fstat(fd, &st) < 0)
		goto fail;
	/* The ring must not shrink under us (SIGBUS), and we must not be
	 * able to write it. */
	if ((seals & RING_SEALS) != RING_SEALS ||
	    (uint64_t)st.st_size != slot_size * nslots)
		goto inval;
	base = mmap(NULL, slot_size * nslots, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	*ring = (struct frame_ring){ .fd = fd, .base = base, .id = id,
	    .nslots = nslots, .slot_size = slot_size };
	return 0;
inval:
	errno = EINVAL;
fail:
	close(fd);
	return -1;
}

void
ring_destroy(struct frame_ring *ring)
{
	if (ring->base != NULL)
		munmap(ring->base, ring->slot_size * ring->nslots);
	if (ring->fd >= 0)
		close(ring->fd);
	*ring = (struct frame_ring)RING_INIT;
}
