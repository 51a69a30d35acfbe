/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "common/blob.h"

#define BLOB_SEALS	(F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_SEAL)

int
blob_create(const char *name, const void *data, size_t len)
{
	const char *p = data;
	size_t off = 0;
	int fd;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, BLOB_SEALS) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

const void *
blob_map(int fd, size_t len, size_t max)
{
	struct stat st;
	void *p;
	int seals;

	if (len == 0 || len > max || (seals = fcntl(fd, F_GET_SEALS)) < 0 ||
	    (seals & BLOB_SEALS) != BLOB_SEALS || fstat(fd, &st) < 0 ||
	    (uint64_t)st.st_size != len) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
blob_unmap(const void *p, size_t len)
{
	if (p != NULL)
		munmap((void *)p, len);
}
