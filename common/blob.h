/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A blob: a payload too big for a fixed-size message (a cursor image, a
 * certificate chain, a compiled keymap) travels as a sealed memfd beside a
 * fixed-size message that gives its size.  The sender writes it and seals
 * it against every change (F_SEAL_WRITE, SHRINK, GROW, SEAL), so the
 * receiver reads bytes nobody can change under it, and checks the seals
 * and the size before it maps anything.
 */
#ifndef RAMPART_BLOB_H
#define RAMPART_BLOB_H

#include <stddef.h>

/* A sealed memfd holding the len bytes of data (len >= 1); -1 with errno. */
int	blob_create(const char *name, const void *data, size_t len);

/*
 * Check that fd is a blob of exactly len bytes, 1 .. max, and map it
 * read-only.  Returns the mapping (blob_unmap() it), or NULL with errno
 * EINVAL for a descriptor that is not such a blob.  fd stays the caller's.
 */
const void *blob_map(int fd, size_t len, size_t max);
void	blob_unmap(const void *p, size_t len);

#endif
