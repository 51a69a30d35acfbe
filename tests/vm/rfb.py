# SPDX-License-Identifier: GPL-2.0-or-later
"""A small RFB (VNC) client for the VM tests, on the host side.

libvncclient gives up on large updates through QEMU's user network under
TCG (it counts EAGAIN retries, not seconds); this client reads with plain
timeouts.  It speaks 3.8 with security None, or VeNCrypt X509Plain when
given a user (TLS checked against the CA given, then user and password),
asks for 32-bit true colour and for Raw, DesktopSize and
ExtendedDesktopSize, applies updates to a PIL image, and keeps the screen
layout the server announced.  Given CURSOR among its encodings, it keeps
the cursor's shape as the server sends it (Cursor pseudo-encoding) in
client.cursor.  Only python3 and python3-pil.

    c = rfb.Client("127.0.0.1", port)
    c = rfb.Client("127.0.0.1", port, user="admin", password=pw,
                   ca="cert.pem")
    img = c.frame()                    # a full update, as a PIL image
    c.wait_until(lambda img: img.getpixel((0, 0)) == (255, 0, 0))
    c.screens                          # [Screen(id, x, y, w, h, flags)]
    c = rfb.Client("127.0.0.1", port,
                   encodings=rfb.ENCODINGS + (rfb.CURSOR,))
    c.cursor                           # Cursor(hot_x, hot_y, image RGBA)
"""

import collections
import socket
import ssl
import struct
import time

from PIL import Image

RAW = 0
DESKTOP_SIZE = -223
EXTENDED_DESKTOP_SIZE = -308
CURSOR = -239
ENCODINGS = (RAW, DESKTOP_SIZE, EXTENDED_DESKTOP_SIZE)

Screen = collections.namedtuple("Screen", "id x y w h flags")
# The pointer's shape: alpha 255 where the mask says opaque, else 0.
Cursor = collections.namedtuple("Cursor", "hot_x hot_y image")


class RFBError(Exception):
    pass


class Refused(RFBError):
    """The server refused the connection, with its reason."""


SEC_NONE, SEC_VENCRYPT, X509PLAIN = 1, 19, 262


class Client:
    def __init__(self, host, port=None, timeout=30, shared=True,
                 encodings=ENCODINGS,
                 user=None, password="", ca=None):
        """host, port: TCP; host alone: the path of a unix socket.  With
        user: VeNCrypt X509Plain, the server's certificate checked
        against the PEM file ca, its name against host."""
        self.timeout = timeout
        self.host, self.user, self.password, self.ca = \
            host, user, password, ca
        if port is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(host)
        else:
            self.sock = socket.create_connection((host, port),
                                                 timeout=timeout)
        self.updates = 0
        self.cursor = None
        self.screens_only = False
        self.resize_status = None
        self._need_full = True
        self._handshake(shared)
        self._set_pixel_format()
        self._send(struct.pack(">BxH", 2, len(encodings)) +
                   b"".join(struct.pack(">i", e) for e in encodings))

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- bytes ---------------------------------------------------------------

    def _recv(self, n):
        data = bytearray()
        while len(data) < n:
            more = self.sock.recv(n - len(data))
            if not more:
                raise RFBError("the server closed the connection")
            data += more
        return bytes(data)

    def _send(self, data):
        self.sock.sendall(data)

    def _reason(self):
        n = struct.unpack(">I", self._recv(4))[0]
        return self._recv(n).decode(errors="replace")

    # --- the handshake (RFC 6143 7.1 to 7.3) -------------------------------

    def _handshake(self, shared):
        version = self._recv(12)
        if not version.startswith(b"RFB 003."):
            raise RFBError("not an RFB server: %r" % version)
        self._send(b"RFB 003.008\n")
        n = self._recv(1)[0]
        if n == 0:
            raise Refused(self._reason())
        types = self._recv(n)
        if self.user is not None:
            self._vencrypt(types)
        else:
            if SEC_NONE not in types:
                raise Refused("no security type None offered: %s"
                              % list(types))
            self._send(bytes([SEC_NONE]))
        if struct.unpack(">I", self._recv(4))[0] != 0:
            raise Refused(self._reason())
        self._send(b"\x01" if shared else b"\x00")
        w, h = struct.unpack(">HH", self._recv(4))
        self.server_format = self._recv(16)
        self.name = self._recv(struct.unpack(">I", self._recv(4))[0]) \
            .decode(errors="replace")
        self._resize(w, h)
        self.screens = [Screen(0, 0, 0, w, h, 0)]

    def _vencrypt(self, types):
        """VeNCrypt 0.2, X509Plain (rfbproto.rst 7.2.19): up to the
        SecurityResult, which the caller reads (through TLS)."""
        if SEC_VENCRYPT not in types:
            raise Refused("no VeNCrypt offered: %s" % list(types))
        self._send(bytes([SEC_VENCRYPT]))
        if self._recv(2) != b"\x00\x02":
            raise RFBError("not VeNCrypt 0.2")
        self._send(b"\x00\x02")
        if self._recv(1) != b"\x00":
            raise Refused("VeNCrypt 0.2 not taken")
        subtypes = self._subtypes()
        if X509PLAIN not in subtypes:
            raise Refused("no X509Plain offered: %s" % subtypes)
        self._send(struct.pack(">I", X509PLAIN))
        if self._recv(1) != b"\x01":
            raise Refused("X509Plain not accepted")
        ctx = ssl.create_default_context(cafile=self.ca)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.host)
        user = self.user.encode()
        password = self.password.encode()
        self._send(struct.pack(">II", len(user), len(password)) + user +
                   password)

    def _subtypes(self):
        n = self._recv(1)[0]
        return list(struct.unpack(">%dI" % n, self._recv(4 * n)))

    def _set_pixel_format(self):
        # 32 bpp, depth 24, little-endian true colour, red at bit 16:
        # each pixel is the bytes B, G, R, X on the wire.
        self._send(struct.pack(">Bxxx BBBB HHH BBB xxx", 0,
                               32, 24, 0, 1, 255, 255, 255, 16, 8, 0))

    def _resize(self, w, h):
        self.width, self.height = w, h
        self.image = Image.new("RGB", (w, h))

    # --- updates -------------------------------------------------------------

    def request(self, incremental=True, x=0, y=0, w=None, h=None):
        self._send(struct.pack(">BBHHHH", 3, 1 if incremental else 0, x, y,
                               self.width if w is None else w,
                               self.height if h is None else h))

    def set_desktop_size(self, w, h, screens=None):
        """SetDesktopSize (ExtendedDesktopSize, RFB 7.5.7): ask for a w x h
        desktop made of screens [Screen], one whole screen by default.
        The answer comes as an update (read_update)."""
        if screens is None:
            screens = [Screen(0, 0, 0, w, h, 0)]
        self._send(struct.pack(">BxHHBx", 251, w, h, len(screens)) +
                   b"".join(struct.pack(">IHHHHI", *s) for s in screens))

    def read_update(self, timeout=None):
        """Read server messages until a FramebufferUpdate has been applied.
        False when the time ran out first."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                kind = self._recv(1)[0]
            except socket.timeout:
                return False
            # Once a message has begun, the rest of it is owed to us.
            self.sock.settimeout(self.timeout)
            if kind == 0:
                self._framebuffer_update()
                self.updates += 1
                return True
            if kind == 1:           # SetColourMapEntries: not for us
                _, n = struct.unpack(">xHH", self._recv(5))
                self._recv(6 * n)
            elif kind == 2:         # Bell
                pass
            elif kind == 3:         # ServerCutText
                self._recv(3)
                self._recv(struct.unpack(">I", self._recv(4))[0])
            else:
                raise RFBError("unknown server message %d" % kind)

    def _framebuffer_update(self):
        nrects = struct.unpack(">xH", self._recv(3))[0]
        resized = False
        # An update with ExtendedDesktopSize holds no pixels (rfbproto):
        # they answer the next request, which must be incremental.
        self.screens_only = False
        for _ in range(nrects):
            x, y, w, h, enc = struct.unpack(">HHHHi", self._recv(12))
            if enc == RAW:
                data = self._recv(w * h * 4)
                if w and h:
                    rect = Image.frombytes("RGB", (w, h), data, "raw", "BGRX")
                    self.image.paste(rect, (x, y))
            elif enc == CURSOR:
                # x, y the hot spot; the pixels, then a bit a pixel.
                data = self._recv(w * h * 4)
                mask = self._recv((w + 7) // 8 * h)
                img = Image.new("RGBA", (w, h))
                if w and h:
                    img = Image.frombytes("RGB", (w, h), data, "raw",
                                          "BGRX").convert("RGBA")
                    alpha = Image.new("L", (w, h))
                    alpha.putdata([255 if mask[y * ((w + 7) // 8) + x // 8]
                                   & (0x80 >> (x % 8)) else 0
                                   for y in range(h) for x in range(w)])
                    img.putalpha(alpha)
                self.cursor = Cursor(x, y, img)
            elif enc == DESKTOP_SIZE:
                self._resize(w, h)
                self.screens = [Screen(0, 0, 0, w, h, 0)]
                resized = True
            elif enc == EXTENDED_DESKTOP_SIZE:
                # x: why (0 server, 1 this client, 2 another client);
                # y: the status of a client's request.
                n = self._recv(4)[0]
                screens = [Screen(*struct.unpack(">IHHHHI", self._recv(16)))
                           for _ in range(n)]
                if x == 1:
                    # The answer to our SetDesktopSize: 0 done, 1
                    # prohibited, 2 no resources, 3 invalid layout
                    # (QEMU says 4: passed on to the guest).
                    self.resize_status = y
                if (w, h) != (self.width, self.height):
                    self._resize(w, h)
                    resized = True
                self.screens = screens
                self.screens_only = True
            else:
                raise RFBError("encoding %d was not asked for" % enc)
        if resized:
            # A new size: the next update must be a full one.
            self._need_full = True

    def frame(self, timeout=None):
        """A full update of the whole screen: a copy of the image."""
        deadline = time.monotonic() + (timeout or self.timeout)
        self._need_full = True
        while True:
            full, self._need_full = self._need_full, False
            self.request(incremental=not full)
            if not self.read_update(deadline - time.monotonic()):
                raise RFBError("no update within %s s" %
                               (timeout or self.timeout))
            # The screens came alone: the pixels are owed to the next
            # request, which is incremental unless the size changed.
            if not self.screens_only and not self._need_full:
                break
        return self.image.copy()

    def wait_cursor(self, timeout=None):
        """Incremental updates until the server sent the cursor's shape:
        client.cursor, or None when the time ran out."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.cursor is None and time.monotonic() < deadline:
            self.request(incremental=True)
            self.read_update(deadline - time.monotonic())
        return self.cursor

    def wait_until(self, predicate, timeout=None):
        """Incremental updates until predicate(image) holds: the image, or
        None when the time ran out (self.image is the last seen)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        self._need_full = False
        if predicate(self.image):
            return self.image.copy()
        while time.monotonic() < deadline:
            self.request(incremental=not self._need_full)
            self._need_full = False
            if self.read_update(deadline - time.monotonic()) and \
                    predicate(self.image):
                return self.image.copy()
        return None


def differences(a, b, limit=10):
    """The first pixels where two images differ, [(x, y, pa, pb)]; a size
    mismatch is one entry with None for the pixels."""
    if a.size != b.size:
        return [(a.size, b.size, None, None)]
    from PIL import ImageChops
    box = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
    if box is None:
        return []
    out = []
    pa, pb = a.load(), b.load()
    for y in range(box[1], box[3]):
        for x in range(box[0], box[2]):
            if pa[x, y] != pb[x, y]:
                out.append((x, y, pa[x, y], pb[x, y]))
                if len(out) >= limit:
                    return out
    return out
