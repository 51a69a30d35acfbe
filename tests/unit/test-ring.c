/*
 * The frame ring: what the capture side writes, the broker side reads
 * through its own read-only mapping, which it can never make writable;
 * a descriptor that is writable, unsealed or of the wrong size is refused.
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
	int rofd, fd;

	ok(ring_create(&cap, 7, 3, 1000) == 0, "create a ring of 3 slots");
	ok(cap.slot_size >= 1000 && cap.slot_size % 4096 == 0,
	    "slots are whole pages");
	ok(ring_create(&brk, 1, 1, 1000) == -1, "one slot is not a ring");
	ok(ring_create(&brk, 1, 9, 1000) == -1, "nine slots are too many");

	memset(ring_slot(&cap, 1), 0xab, 1000);
	rofd = ring_readonly_fd(&cap);
	ok(rofd >= 0 && (fcntl(rofd, F_GETFL) & O_ACCMODE) == O_RDONLY,
	    "the descriptor for the broker is read-only");
	ok(ring_map(&brk, rofd, 7, 3, cap.slot_size) == 0,
	    "the broker maps it");
	ok(brk.base != NULL && ring_slot(&brk, 1)[999] == 0xab,
	    "and sees what the capture side wrote");
	ok(mprotect(brk.base, brk.slot_size, PROT_READ | PROT_WRITE) == -1 &&
	    errno == EACCES, "the broker cannot make its mapping writable");
	ok(ftruncate(cap.fd, 0) == -1 && errno == EPERM,
	    "nobody can shrink the ring under the reader");

	cap.busy = 0x7;
	ok(ring_free_slot(&cap) == -1, "no free slot when the broker holds all");
	cap.busy = 0x5;
	ok(ring_free_slot(&cap) == 1, "the free slot is found");

	fd = ring_readonly_fd(&cap);
	ok(ring_map(&brk, fd, 7, 3, cap.slot_size * 2) == -1,
	    "a ring of another size is refused");
	fd = ring_readonly_fd(&cap);
	ok(ring_map(&brk, fd, 7, 4, cap.slot_size) == -1,
	    "a ring of another slot count is refused");
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", cap.fd);
		fd = open(path, O_RDWR);
		ok(fd >= 0 && ring_map(&brk, fd, 7, 3, cap.slot_size) == -1,
		    "a writable descriptor is refused");
	}
	fd = memfd_create("unsealed", MFD_ALLOW_SEALING);
	if (ftruncate(fd, (off_t)cap.slot_size * 3) < 0)
		diag("ftruncate: %s", strerror(errno));
	{
		char path[64];
		int ro;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ro = open(path, O_RDONLY);
		ok(ring_map(&brk, ro, 7, 3, cap.slot_size) == -1,
		    "an unsealed memfd is refused");
	}
	close(fd);
	ring_destroy(&cap);
	ok(cap.fd == -1 && cap.base == NULL, "destroy resets the ring");
	return done_testing();
}
