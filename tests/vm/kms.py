# SPDX-License-Identifier: GPL-2.0-or-later
"""What kmstool (tests/vm/kmstool.c) draws, computed here on our own, and
how vkms composes planes: the expected pixels of the VM tests.

The pictures are the same functions of x, y, width and height as in
kmstool.c; each gives straight (not premultiplied) RGBA.  compose_vkms()
blends as vkms in Linux 6.1 does (drivers/gpu/drm/vkms/vkms_composer.c):
every plane in plane order (primary, overlays, cursor) over opaque black,
premultiplied alpha on 16-bit channels (8-bit values times 257), each
step rounded to the closest, and 16 bits back to 8 rounded to the closest.
"""

from PIL import Image


def gradient(x, y, w, h):
    return (x * 255 // (w - 1 if w > 1 else 1),
            y * 255 // (h - 1 if h > 1 else 1),
            ((x * 7) ^ (y * 3)) & 0xff, 255)


def inverse(x, y, w, h):
    r, g, b, a = gradient(x, y, w, h)
    return (255 - r, 255 - g, 255 - b, a)


BARS = [0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
        0xff00ff, 0xff0000, 0x0000ff, 0x000000]


def bars(x, y, w, h):
    v = BARS[x * 8 // w]
    return (v >> 16, (v >> 8) & 0xff, v & 0xff, 255)


def checker(x, y, w, h):
    if ((x // 16) + (y // 16)) & 1:
        c = (0x20, 0x90, 0xe0)
    else:
        c = (0xf0, 0x60, 0x10)
    return c + (0xff if x < w // 2 else 0x80,)


CURSOR_SIZE = 64


def cursor_image(x, y, w, h):
    d = abs(x - w // 2) + abs(y - h // 2)
    if d < 20:
        return (0xff, 0xe0, 0x00, 0xff)
    if d < 28:
        return (0x00, 0x40, 0xff, 0x80)
    return (0, 0, 0, 0)


PATTERNS = {"gradient": gradient, "inverse": inverse, "bars": bars,
            "checker": checker}


def picture(fn, w, h):
    """A w x h picture of a pattern as a list of rows of RGBA tuples."""
    return [[fn(x, y, w, h) for x in range(w)] for y in range(h)]


def image(fn, w, h):
    """An opaque pattern as a PIL RGB image."""
    img = Image.new("RGB", (w, h))
    img.putdata([fn(x, y, w, h)[:3] for y in range(h) for x in range(w)])
    return img


def _premultiply(c, a):
    return (c * a + 127) // 255


def _blend(src, dst, alpha):
    # pre_mul_blend_channel(): src and alpha already 16 bits.
    return (src * 0xffff + dst * (0xffff - alpha) + 0x7fff) // 0xffff


class Layer:
    """A plane of the composition: a picture at x, y; has_alpha when its
    format carries alpha (AR24: premultiplied in memory)."""

    def __init__(self, fn, x, y, w, h, has_alpha):
        self.rows = picture(fn, w, h)
        self.x, self.y, self.w, self.h = x, y, w, h
        self.has_alpha = has_alpha


def compose_vkms(width, height, layers):
    """The writeback frame vkms makes of opaque-primary-first layers: a
    PIL RGB image."""
    base = layers[0]
    assert (base.x, base.y, base.w, base.h) == (0, 0, width, height)
    # The primary plane is opaque: its 8-bit values come back unchanged
    # (v * 257 then rounded / 257).
    out = [[(r * 257, g * 257, b * 257) for r, g, b, _ in row]
           for row in base.rows]
    for layer in layers[1:]:
        for j, row in enumerate(layer.rows):
            y = layer.y + j
            if not 0 <= y < height:
                continue
            line = out[y]
            for i, (r, g, b, a) in enumerate(row):
                x = layer.x + i
                if not 0 <= x < width:
                    continue
                if layer.has_alpha:
                    r, g, b = (_premultiply(c, a) for c in (r, g, b))
                else:
                    a = 255
                a16 = a * 257
                d = line[x]
                line[x] = (_blend(r * 257, d[0], a16),
                           _blend(g * 257, d[1], a16),
                           _blend(b * 257, d[2], a16))
    img = Image.new("RGB", (width, height))
    img.putdata([tuple((c + 128) // 257 for c in px)
                 for row in out for px in row])
    return img
