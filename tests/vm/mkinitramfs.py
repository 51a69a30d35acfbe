#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkinitramfs.py LIST OUT: write an uncompressed newc cpio archive, the
format the kernel unpacks into its root file system.

LIST has one entry a line, as the kernel's own usr/gen_init_cpio reads:
    dir   PATH MODE
    file  PATH SOURCE MODE
    slink PATH TARGET
    nod   PATH MODE c|b MAJOR MINOR
Everything belongs to root.  Written here rather than with cpio(1) so that
neither root (for device nodes) nor a staging tree is needed, and the
archive is the same bytes every time.  Uncompressed on purpose: under TCG
the kernel would decompress it in emulated code.
"""

import stat
import sys


def header(ino, mode, nlink, size, major, minor, name):
    fields = [
        ino, mode, 0, 0, nlink, 0, size,
        0, 0,           # device of the entry
        major, minor,   # what a device node stands for
        len(name) + 1, 0,
    ]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


class Archive:
    def __init__(self, out):
        self.out = out
        self.ino = 1
        self.written = 0

    def write(self, data):
        self.out.write(data)
        self.written += len(data)

    def entry(self, name, mode, data=b"", major=0, minor=0):
        name = name.lstrip("/").encode()
        nlink = 2 if stat.S_ISDIR(mode) else 1
        hdr = header(self.ino, mode, nlink, len(data), major, minor, name)
        self.ino += 1
        self.write(hdr + name + b"\0")
        self.write(pad(self.written))
        self.write(data)
        self.write(pad(self.written))

    def trailer(self):
        self.entry("TRAILER!!!", 0)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkinitramfs.py LIST OUT")
    with open(sys.argv[1]) as f:
        lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
    with open(sys.argv[2], "wb") as out:
        a = Archive(out)
        for words in lines:
            kind, path = words[0], words[1]
            if kind == "dir":
                a.entry(path, stat.S_IFDIR | int(words[2], 8))
            elif kind == "file":
                with open(words[2], "rb") as src:
                    data = src.read()
                a.entry(path, stat.S_IFREG | int(words[3], 8), data)
            elif kind == "slink":
                a.entry(path, stat.S_IFLNK | 0o777, words[2].encode())
            elif kind == "nod":
                type_ = stat.S_IFCHR if words[3] == "c" else stat.S_IFBLK
                a.entry(path, type_ | int(words[2], 8),
                        major=int(words[4]), minor=int(words[5]))
            else:
                sys.exit("mkinitramfs: unknown entry: %s" % " ".join(words))
        a.trailer()


if __name__ == "__main__":
    main()
