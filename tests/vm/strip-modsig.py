#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""strip-modsig.py DIR: remove the appended signature of every kernel
module under DIR, in place.

Debian signs its modules, and the kernel checks a signature that is
there (SHA-256 over the whole module, then RSA) even when it would load
the module without one.  Under TCG that check runs in emulated code and
makes up most of a module's load time: drm alone took two seconds.  An
unsigned module loads at once (the kernel is tainted, which no test cares
about).  The layout is the kernel's scripts/sign-file: the module, the
signature, a 12-byte struct module_signature ending with the signature's
length (big-endian), and a 28-byte marker.
"""

import os
import struct
import sys

MARKER = b"~Module signature appended~\n"
INFO_SIZE = 12


def strip(path):
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        if size < len(MARKER) + INFO_SIZE:
            return False
        f.seek(size - len(MARKER) - INFO_SIZE)
        tail = f.read()
        if not tail.endswith(MARKER):
            return False
        sig_len = struct.unpack(">I", tail[8:12])[0]
        keep = size - len(MARKER) - INFO_SIZE - sig_len
        if keep <= 0:
            sys.exit("strip-modsig: %s: bad signature length" % path)
        f.truncate(keep)
        return True


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: strip-modsig.py DIR")
    n = 0
    for root, _, files in os.walk(sys.argv[1]):
        for name in files:
            if name.endswith(".ko") and strip(os.path.join(root, name)):
                n += 1
    print("strip-modsig: %d signatures removed" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
