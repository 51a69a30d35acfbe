/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame ring: what the capture side writes, the broker side reads
 * through its own mapping, which it can never make writable, and through a
 * descriptor it cannot write, resize or map writable; a descriptor that is
 * unsealed or of the wrong size is refused.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/ring.h"
#include "tests/tap.h"

int
main(void)
{
	struct frame_ring cap = RING_INIT, brk = RING_INIT;
	int fd;

	ok(ring_create(&cap, 7, 3, 1000) == 0, "create a ring of 3 slots");
	ok(cap.slot_size >= 1000 && cap.slot_size % 4096 == 0,
	    "slots are whole pages");
	ok(ring_create(&brk, 1, 1, 1000) == -1, "one slot is not a ring");
	ok(ring_create(&brk, 1, 9, 1000) == -1, "nine slots are too many");

	memset(ring_slot(&cap, 1), 0xab, 1000);
	/* What the broker receives is a duplicate of the capture's fd. */
	fd = fcntl(cap.fd, F_DUPFD_CLOEXEC, 0);
	ok(ring_map(&brk, fd, 7, 3, cap.slot_size) == 0, "the broker maps it");
	ok(brk.base != NULL && ring_slot(&brk, 1)[999] == 0xab,
	    "and sees what the capture side wrote");
	memset(ring_slot(&cap, 1), 0xcd, 1000);
	ok(ring_slot(&brk, 1)[0] == 0xcd,
	    "and what it writes later, through its mapping made before the seal");
	ok(mprotect(brk.base, brk.slot_size, PROT_READ | PROT_WRITE) == -1,
	    "the broker cannot make its mapping writable");
	ok(mmap(NULL, brk.slot_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    brk.fd, 0) == MAP_FAILED && errno == EPERM,
	    "nor map the ring writable");
	ok(pwrite(brk.fd, "x", 1, 0) == -1 && errno == EPERM,
	    "nor write it");
	ok(ftruncate(brk.fd, 0) == -1 && errno == EPERM,
	    "nor shrink it under the reader");
	ok(fcntl(brk.fd, F_ADD_SEALS, 0) == -1 && errno == EPERM,
	    "nor change the seals");
	ring_destroy(&brk);

	cap.busy = 0x7;
	ok(ring_free_slot(&cap) == -1, "no free slot when the broker holds all");
	cap.busy = 0x5;
	ok(ring_free_slot(&cap) == 1, "the free slot is found");

	fd = fcntl(cap.fd, F_DUPFD_CLOEXEC, 0);
	ok(ring_map(&brk, fd, 7, 3, cap.slot_size * 2) == -1,
	    "a ring of another size is refused");
	fd = fcntl(cap.fd, F_DUPFD_CLOEXEC, 0);
	ok(ring_map(&brk, fd, 7, 4, cap.slot_size) == -1,
	    "a ring of another slot count is refused");
	fd = memfd_create("unsealed", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (ftruncate(fd, (off_t)cap.slot_size * 3) < 0)
		diag("ftruncate: %s", strerror(errno));
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	ok(ring_map(&brk, fd, 7, 3, cap.slot_size) == -1,
	    "a memfd that others may still write is refused");
	ring_destroy(&cap);
	ok(cap.fd == -1 && cap.base == NULL, "destroy resets the ring");
	return done_testing();
}
