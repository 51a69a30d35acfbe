# SPDX-License-Identifier: GPL-2.0-or-later
"""kmstool (tests/vm/kmstool.c) in the guest, what it draws, computed here
on our own, and how vkms composes planes: the expected pixels of the VM
tests.

The pictures are the same functions of x, y, width and height as in
kmstool.c; each gives straight (not premultiplied) RGBA.  compose_vkms()
blends as vkms in Linux 6.1 does (drivers/gpu/drm/vkms/vkms_composer.c and
vkms_formats.c): each plane read into 16-bit channels (8-bit values times
257; RGB565 scaled in drm_fixed.h's fixed point), blended in plane order
(primary, overlays, cursor) over opaque black with premultiplied alpha,
each step rounded to the closest, and 16 bits back to 8 the same way.
"""

import os

from PIL import Image

KMSTOOL = os.path.join(os.environ.get("top_builddir", "."), "tests", "vm",
                       "kmstool")


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
            "checker": checker, "cursor": cursor_image}


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


# drm_fixed.h's 32.32 fixed point, as vkms uses it for RGB565.
FIXED_POINT = 32


def _msbset(a):
    for shift in range(62, 0, -1):
        if (a >> shift) & 1:
            return shift
    return 0


def _fixp_mul(a, b):
    shift = _msbset(a) + _msbset(b)
    if shift > 61:
        shift -= 61
        a >>= (shift >> 1) + (shift & 1)
        b >>= shift >> 1
    else:
        shift = 0
    r = a * b
    if shift > FIXED_POINT:
        return r << (shift - FIXED_POINT)
    return r >> (FIXED_POINT - shift)


def _fixp_div(a, b):
    shift = 62 - _msbset(a)
    a <<= shift
    if shift < FIXED_POINT:
        b >>= FIXED_POINT - shift
    r = a // b
    if shift > FIXED_POINT:
        r >>= shift - FIXED_POINT
    return r


def _fixp_round(a):
    return (a + (1 << (FIXED_POINT - 1))) >> FIXED_POINT


_RB_RATIO = _fixp_div(65535 << FIXED_POINT, 31 << FIXED_POINT)
_G_RATIO = _fixp_div(65535 << FIXED_POINT, 63 << FIXED_POINT)
# Every 5- and 6-bit value, once.
_FROM5 = [_fixp_round(_fixp_mul(v << FIXED_POINT, _RB_RATIO))
          for v in range(32)]
_FROM6 = [_fixp_round(_fixp_mul(v << FIXED_POINT, _G_RATIO))
          for v in range(64)]


def read16(fmt, rgba):
    """What vkms reads from memory where kmstool stored rgba in fmt:
    16-bit (r, g, b, a), premultiplied."""
    r, g, b, a = rgba
    if fmt == "AR24":
        r, g, b = (_premultiply(c, a) for c in (r, g, b))
        return (r * 257, g * 257, b * 257, a * 257)
    if fmt == "XR24":
        return (r * 257, g * 257, b * 257, 0xffff)
    if fmt == "RG16":
        return (_FROM5[r >> 3], _FROM6[g >> 2], _FROM5[b >> 3], 0xffff)
    raise ValueError("no expected pixels for format " + fmt)


def _blend(src, dst, alpha):
    # pre_mul_blend_channel(): src and alpha already 16 bits.
    return (src * 0xffff + dst * (0xffff - alpha) + 0x7fff) // 0xffff


class Layer:
    """A plane of the composition: a picture at x, y, stored by kmstool in
    format fmt (XR24, AR24 or RG16)."""

    def __init__(self, fn, x, y, w, h, fmt):
        self.x, self.y, self.w, self.h = x, y, w, h
        self._image = None
        # Pictures repeat values: convert each colour once.
        cache = {}
        self.rows = []
        for j in range(h):
            row = []
            for i in range(w):
                c = fn(i, j, w, h)
                v = cache.get(c)
                if v is None:
                    v = cache[c] = read16(fmt, c)
                row.append(v)
            self.rows.append(row)

    def image(self):
        """The layer alone, opaque, in 8 bits (made once)."""
        if self._image is None:
            self._image = Image.new("RGB", (self.w, self.h))
            self._image.putdata([tuple((c + 128) // 257 for c in px[:3])
                                 for row in self.rows for px in row])
        return self._image


def compose_vkms(width, height, layers):
    """The writeback frame vkms makes of layers, the first the primary
    plane covering the screen (opaque): a PIL RGB image."""
    base = layers[0]
    assert (base.x, base.y, base.w, base.h) == (0, 0, width, height)
    # Blending happens in 16 bits: only where the other layers are.
    touched = {}
    for layer in layers[1:]:
        for j, row in enumerate(layer.rows):
            y = layer.y + j
            if not 0 <= y < height:
                continue
            for i, (r, g, b, a) in enumerate(row):
                x = layer.x + i
                if not 0 <= x < width:
                    continue
                if a == 0xffff:
                    touched[x, y] = (r, g, b)
                    continue
                d = touched.get((x, y)) or base.rows[y][x]
                touched[x, y] = (_blend(r, d[0], a), _blend(g, d[1], a),
                                 _blend(b, d[2], a))
    img = base.image().copy()
    px = img.load()
    for (x, y), v in touched.items():
        px[x, y] = tuple((c + 128) // 257 for c in v)
    return img


class Kmstool:
    """A kmstool modeset running in the guest (vm.VM), its output in the
    scratch file NAME.log."""

    def __init__(self, vm, args, name):
        self.vm, self.log = vm, name + ".log"
        self.pid = vm.spawn(KMSTOOL + " modeset " + args, self.log)
        self.ready = self.wait_for("ready")

    def output(self):
        return self.vm.get(self.log).decode(errors="replace")

    def wait_for(self, line, timeout=20):
        rc, _ = self.vm.run("for i in $(seq %d); do grep -qx '%s' %s && "
                            "exit 0; kill -0 %d 2>/dev/null || break; "
                            "sleep 0.1; done; grep -qx '%s' %s"
                            % (timeout * 10, line, self.vm.path(self.log),
                               self.pid, line, self.vm.path(self.log)),
                            timeout=timeout + 10)
        return rc == 0

    def step(self, n):
        self.vm.check("kill -USR1 %d" % self.pid)
        return self.wait_for("step %d" % n)

    def stop(self):
        rc, _ = self.vm.run("kill %d && for i in $(seq 50); do "
                            "kill -0 %d 2>/dev/null || exit 0; sleep 0.1; "
                            "done; exit 1" % (self.pid, self.pid))
        return rc == 0
