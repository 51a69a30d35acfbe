#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""extract-vmlinux.py VMLINUZ OUT: the uncompressed ELF kernel inside a
bzImage.

QEMU boots an ELF vmlinux with a PVH entry note directly (-kernel), which
under TCG reaches init in about half the time a bzImage takes: no
real-mode setup, no decompression in emulated code.  A bzImage carries its
kernel as one compressed stream somewhere after the setup code; we look for
each known compression magic, try to decompress from there, and keep the
first result that is an ELF file.
"""

import bz2
import lzma
import subprocess
import sys
import zlib

ELF_MAGIC = b"\x7fELF"


def gunzip(data):
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    return d.decompress(data)


def unxz(data):
    # The stream is followed by the rest of the image: the decompressor
    # stops at the end of the stream and leaves the rest unused.
    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)


def unlzma(data):
    return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data)


def unbz2(data):
    return bz2.BZ2Decompressor().decompress(data)


def unzstd(data):
    # No zstd in the standard library: the zstd tool, which stops at the
    # end of the first frame's data with an error about what follows.
    p = subprocess.run(["zstd", "-dc", "-q"], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       check=False)
    return p.stdout


METHODS = [
    (b"\xfd7zXZ\x00", unxz),
    (b"\x1f\x8b\x08", gunzip),
    (b"\x28\xb5\x2f\xfd", unzstd),
    (b"BZh", unbz2),
    (b"\x5d\x00\x00", unlzma),
]


def extract(image):
    candidates = []
    for magic, method in METHODS:
        at = image.find(magic)
        while at != -1:
            candidates.append((at, method))
            at = image.find(magic, at + 1)
    # The kernel is the first stream after the setup code: try in order
    # of position, a false magic usually fails at once.
    for at, method in sorted(candidates, key=lambda c: c[0]):
        try:
            out = method(image[at:])
        except (lzma.LZMAError, zlib.error, OSError, EOFError, ValueError):
            continue
        if out.startswith(ELF_MAGIC):
            return out
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py VMLINUZ OUT")
    with open(sys.argv[1], "rb") as f:
        image = f.read()
    kernel = extract(image)
    if kernel is None:
        sys.exit("extract-vmlinux: no compressed ELF kernel found in %s"
                 % sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(kernel)


if __name__ == "__main__":
    main()
