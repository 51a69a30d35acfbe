#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kmstool's pixel formats, checked without a guest: no device here shows
XB24, AB24, XR30, XB30 or NV12 (vkms of Linux 6.1, bochs and virtio-gpu
take XRGB8888 and little else), so what kmstool would put in such a
framebuffer ("kmstool draw") is decoded here, each format by its
definition in drm_fourcc.h, and compared with the pattern: a channel in
the wrong place, a wrong premultiplication or a wrong YUV conversion
shows."""

import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import tap      # noqa: E402

# Odd sizes: NV12's chroma of a last odd row or column must exist too.
W, H = 67, 35


def premultiplied(c):
    r, g, b, a = c
    return tuple((v * a + 127) // 255 for v in (r, g, b)) + (a,)


def ten_bits_ok(v10, v8):
    """A 10-bit channel holds the 8-bit value in its top bits and is the
    nearest 10-bit level, within one step."""
    return v10 >> 2 == v8 and abs(v10 * 255 - v8 * 1023) < 255


def check_packed(fmt, data, fn):
    """The first wrong pixel, as a string, or None."""
    for y in range(H):
        for x in range(W):
            c = fn(x, y, W, H)
            if fmt in ("XR24", "AR24", "XB24", "AB24"):
                p = data[(y * W + x) * 4:(y * W + x) * 4 + 4]
                b, g, r, a = p if fmt[1] == "R" else (p[2], p[1], p[0], p[3])
                want = premultiplied(c) if fmt[0] == "A" else c[:3] + (255,)
                got = (r, g, b, a)
            elif fmt == "RG16":
                v = struct.unpack_from("<H", data, (y * W + x) * 2)[0]
                got = (v >> 11, (v >> 5) & 0x3f, v & 0x1f)
                want = (c[0] >> 3, c[1] >> 2, c[2] >> 3)
            else:           # XR30, XB30
                v = struct.unpack_from("<I", data, (y * W + x) * 4)[0]
                hi, mid, lo = (v >> 20) & 0x3ff, (v >> 10) & 0x3ff, v & 0x3ff
                r, g, b = (hi, mid, lo) if fmt == "XR30" else (lo, mid, hi)
                ok = v >> 30 == 3 and all(
                    ten_bits_ok(v10, v8) for v10, v8 in zip((r, g, b), c))
                if ok:
                    continue
                got = (r, g, b, v >> 30)
                want = tuple(round(v8 * 1023 / 255) for v8 in c[:3]) + (3,)
            if got != want:
                return "pixel %d,%d of %s: %s, expected %s" % (
                    x, y, fn.__name__, got, want)
    return None


def check_nv12(data, fn):
    """NV12: Y plane, then interleaved U, V for each 2x2 block, rows of the
    width rounded up to even, BT.601 limited range, the block's chroma that
    of its top-left pixel.  Back to RGB with the textbook inverse, within 3
    levels of the pattern."""
    pitch = W + W % 2
    uv = data[pitch * H:]
    for y in range(0, H, 2):
        for x in range(0, W, 2):
            luma = data[y * pitch + x] - 16
            u = uv[(y // 2) * pitch + x] - 128
            v = uv[(y // 2) * pitch + x + 1] - 128
            rgb = (1.164 * luma + 1.596 * v,
                   1.164 * luma - 0.392 * u - 0.813 * v,
                   1.164 * luma + 2.017 * u)
            c = fn(x, y, W, H)
            if any(abs(max(0, min(255, got)) - want) > 3
                   for got, want in zip(rgb, c)):
                return "pixel %d,%d of %s: %s, expected %s" % (
                    x, y, fn.__name__, tuple(round(v) for v in rgb), c[:3])
    return None


def main():
    t = tap.TAP()
    kmstool = kms.KMSTOOL
    if not os.access(kmstool, os.X_OK):
        t.bail("%s is not built" % kmstool)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("XR24", "AR24", "XB24", "AB24", "RG16", "XR30",
                    "XB30", "NV12"):
            for name in ("gradient", "checker", "cursor"):
                if fmt == "NV12" and name == "cursor":
                    continue        # transparency means nothing there
                path = os.path.join(tmp, "%s-%s.raw" % (fmt, name))
                p = subprocess.run([kmstool, "draw", "--format", fmt,
                                    "--pattern", name, "%dx%d" % (W, H),
                                    path], capture_output=True, text=True)
                if p.returncode != 0:
                    t.ok(False, "kmstool draws %s in %s" % (name, fmt),
                         p.stderr)
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                fn = kms.PATTERNS[name]
                if fmt == "NV12":
                    size = (W + W % 2) * (H + (H + 1) // 2)
                    why = check_nv12(data, fn) if len(data) == size else \
                        "%d bytes, expected %d" % (len(data), size)
                else:
                    why = check_packed(fmt, data, fn)
                t.ok(why is None, "%s in %s is what the format says"
                     % (name, fmt), why)
    t.done()


if __name__ == "__main__":
    main()
