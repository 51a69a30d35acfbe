#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Screens from a viewer's side (RFB's ExtendedDesktopSize), for
tests/integration/screens.sh.  Prints one line per check, "ok - ..." or
"not ok - ...", for the shell test to count, and exits 0 (2 on bad usage).

Both modes also announce Cursor, so that the pointer of the demo is not
drawn into the frame they write (viewers that draw it themselves show
the frame without it); its shape is read and set aside.

eds.py HOST PORT screens LAYOUT DUMP.frames
    Announces Raw, DesktopSize and ExtendedDesktopSize.  Checks that a
    full request is answered with the screens alone, that they are LAYOUT
    ("ID:WxH+X+Y,..."), that the pixels follow on the next request and
    show one picture per screen with black where no screen is; writes the
    frame to DUMP.frames.  Then asks for other sizes with SetDesktopSize:
    each is refused (prohibited, or invalid for a layout that is not
    one), and the client is still served the same picture.
eds.py HOST PORT plain DUMP.frames
    Announces Raw and DesktopSize only: it is told of no screens, gets
    the frame of DUMP.frames, and is closed when it sends SetDesktopSize
    all the same.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flood import handshake, recv_exactly  # noqa: E402

RAW = 0
DESKTOP_SIZE = -223
EXT_DESKTOP_SIZE = -308
CURSOR = -239
SET_DESKTOP_SIZE = 251


def say(good, what):
    print("%s - %s" % ("ok" if good else "not ok", what))
    sys.stdout.flush()
    return good


def parse_layout(text):
    """"101:1024x768+0+0,..." -> [(id, x, y, w, h), ...]"""
    screens = []
    for item in text.split(","):
        sid, geometry = item.split(":")
        size, x, y = geometry.split("+")
        w, h = size.split("x")
        screens.append((int(sid), int(x), int(y), int(w), int(h)))
    return screens


def set_desktop_size(w, h, screens):
    msg = struct.pack(">BxHHBx", SET_DESKTOP_SIZE, w, h, len(screens))
    for sid, x, y, sw, sh in screens:
        msg += struct.pack(">IHHHHI", sid, x, y, sw, sh, 0)
    return msg


class Viewer:
    def __init__(self, host, port, encodings):
        self.s, self.w, self.h = handshake(host, port)
        self.s.settimeout(10)
        self.s.sendall(struct.pack(">BxH", 2, len(encodings)) +
                       b"".join(struct.pack(">i", e) for e in encodings))
        self.fb = bytearray(self.w * self.h * 4)
        self.cursor = None

    def request(self, incremental):
        self.s.sendall(struct.pack(">BBHHHH", 3, incremental, 0, 0,
                                   self.w, self.h))

    def update(self):
        """One FramebufferUpdate: its rectangles, as tuples; Raw pixels
        go into the frame buffer."""
        kind = recv_exactly(self.s, 1)[0]
        if kind != 0:
            raise ValueError("server message %d, not an update" % kind)
        rects = []
        for _ in range(struct.unpack(">xH", recv_exactly(self.s, 3))[0]):
            x, y, w, h, enc = struct.unpack(">HHHHi",
                                            recv_exactly(self.s, 12))
            if enc == EXT_DESKTOP_SIZE:
                n = recv_exactly(self.s, 4)[0]
                screens = [struct.unpack(">IHHHHI", recv_exactly(self.s, 16))
                           for _ in range(n)]
                rects.append(("eds", x, y, w, h, screens))
            elif enc == DESKTOP_SIZE:
                rects.append(("desktop-size", w, h))
            elif enc == CURSOR:
                recv_exactly(self.s, w * h * 4 + (w + 7) // 8 * h)
                self.cursor = (x, y, w, h)
            elif enc == RAW:
                if x + w > self.w or y + h > self.h:
                    raise ValueError("rectangle %dx%d+%d+%d outside %dx%d" %
                                     (w, h, x, y, self.w, self.h))
                for row in range(y, y + h):
                    at = (row * self.w + x) * 4
                    self.fb[at:at + w * 4] = recv_exactly(self.s, w * 4)
                rects.append(("raw", x, y, w, h))
            else:
                raise ValueError("encoding %d was not asked for" % enc)
        return rects

    def pixels(self, seconds):
        """Incremental requests until updates have covered the whole
        frame; the pixel count covered, and any other rectangles."""
        covered, others = 0, []
        deadline = time.time() + seconds
        while covered < self.w * self.h and time.time() < deadline:
            self.request(1)
            for r in self.update():
                if r[0] == "raw":
                    covered += r[3] * r[4]
                else:
                    others.append(r)
        return covered, others

    def pixel(self, x, y):
        at = (y * self.w + x) * 4
        return self.fb[at] | self.fb[at + 1] << 8 | self.fb[at + 2] << 16

    def closed(self, seconds):
        """The server closes the connection within seconds."""
        self.s.settimeout(seconds)
        try:
            while self.s.recv(4096):
                pass
            return True
        except (socket.timeout, ConnectionError):
            return False


def write_frames(path, w, h, fb):
    header = b"RFRAMES1" + struct.pack("<IIIIIII", 1, w, h, w * 4,
                                       0x34325258, 1, 1)
    with open(path, "wb") as f:
        f.write(header.ljust(64, b"\0") + bytes(fb))


def check_picture(v, layout):
    """One picture per screen where the layout puts it, black around."""
    edges = []
    for sid, x, y, w, h in layout:
        corners = {v.pixel(x, y), v.pixel(x + w - 1, y),
                   v.pixel(x, y + h - 1), v.pixel(x + w - 1, y + h - 1)}
        edges.append(corners.pop() if len(corners) == 1 else None)
        colours = {v.pixel(x + i * w // 17, y + j * h // 13)
                   for i in range(17) for j in range(13)}
        say(len(colours) >= 6, "screen %d: a picture of %d colours, not "
            "a fill" % (sid, len(colours)))
    say(None not in edges and len(set(edges)) == len(edges),
        "each screen's four corners show its own edge colour (%s)" %
        " ".join("-" if e is None else "%06x" % e for e in edges))
    outside, lit = 0, 0
    for row in range(v.h):
        inside = sorted((x, x + w) for _, x, y, w, h in layout
                        if y <= row < y + h)
        start = 0
        for x0, x1 in inside + [(v.w, v.w)]:
            if x0 > start:
                run = v.fb[(row * v.w + start) * 4:(row * v.w + x0) * 4]
                outside += x0 - start
                if any(run):
                    lit += sum(1 for i in range(0, len(run), 4)
                               if run[i] or run[i + 1] or run[i + 2])
            start = max(start, x1)
    say(lit == 0, "the %d pixels no screen covers are black (%d are not)"
        % (outside, lit))


def screens_mode(host, port, layout, dump):
    v = Viewer(host, port, [RAW, DESKTOP_SIZE, EXT_DESKTOP_SIZE, CURSOR])
    fw = max(x + w for _, x, _, w, _ in layout)
    fh = max(y + h for _, _, y, _, h in layout)
    say((v.w, v.h) == (fw, fh), "ServerInit: %dx%d, the screens' bounding "
        "box (%dx%d)" % (v.w, v.h, fw, fh))

    v.request(0)
    first = v.update()
    say(len(first) == 1 and first[0][0] == "eds",
        "a full request is answered by ExtendedDesktopSize alone, no "
        "DesktopSize, no pixels (%s)" % [r[0] for r in first])
    eds = first[0] if first and first[0][0] == "eds" else ("eds", -1, -1,
                                                           0, 0, [])
    say(eds[1:3] == (0, 0), "reason 0 (server), status 0: %d, %d" %
        eds[1:3])
    say(eds[3:5] == (v.w, v.h), "for the %dx%d frame: %dx%d" %
        (v.w, v.h, eds[3], eds[4]))
    told = [(s[0], s[1], s[2], s[3], s[4]) for s in eds[5]]
    say(told == layout, "the screens are id:x,y,WxH %s" %
        " ".join("%d:%d,%d,%dx%d" % s for s in told))
    say(all(s[5] == 0 for s in eds[5]), "with flags 0")

    covered, others = v.pixels(10)
    say(covered >= v.w * v.h and not others, "the pixels follow on the "
        "next requests: %d of %d, nothing else" % (covered, v.w * v.h))
    check_picture(v, layout)
    write_frames(dump, v.w, v.h, v.fb)
    picture = bytes(v.fb)

    # Each refused, with the reason "this client" and the size and
    # screens it knows; a second request is answered as the first.
    asks = [
        ("one screen over the whole frame", set_desktop_size(
            v.w, v.h, [(1, 0, 0, v.w, v.h)]), 1),
        ("a larger frame of two screens", set_desktop_size(
            2048, 1024, [(7, 0, 0, 1024, 1024), (8, 1024, 0, 1024, 1024)]),
         1),
        ("no screen at all", set_desktop_size(v.w, v.h, []), 3),
        ("a screen outside the frame", set_desktop_size(
            640, 480, [(1, 600, 0, 100, 480)]), 3),
    ]
    for what, msg, status in asks:
        v.s.sendall(msg)
        answer = v.update()
        good = (len(answer) == 1 and answer[0][0] == "eds" and
                answer[0][1:3] == (1, status) and
                answer[0][3:5] == (v.w, v.h))
        say(good, "SetDesktopSize of %s: refused, reason 1, status %d "
            "(%s)" % (what, status, answer))

    v.request(0)
    again = v.update()
    say(len(again) == 1 and again[0][0] == "eds" and again[0][1] == 0,
        "still served: a full request brings the screens again")
    covered, others = v.pixels(10)
    say(covered >= v.w * v.h and bytes(v.fb) == picture,
        "then the whole frame again, the same picture")
    v.s.close()


def plain_mode(host, port, dump):
    with open(dump, "rb") as f:
        data = f.read()
    w, h = struct.unpack("<II", data[12:20])
    picture = data[64:]
    v = Viewer(host, port, [RAW, DESKTOP_SIZE, CURSOR])
    say((v.w, v.h) == (w, h), "ServerInit: %dx%d" % (v.w, v.h))
    v.request(0)
    rects = v.update()
    kinds = {r[0] for r in rects}
    covered = sum(r[3] * r[4] for r in rects if r[0] == "raw")
    say(kinds == {"raw"} and covered == w * h,
        "a client without ExtendedDesktopSize gets no screens, the whole "
        "frame in Raw (%s, %d pixels)" % (sorted(kinds), covered))
    say(bytes(v.fb) == picture, "the same picture as the client told of "
        "screens")
    v.s.sendall(set_desktop_size(w, h, [(1, 0, 0, w, h)]))
    say(v.closed(10), "its SetDesktopSize, not its to send, closes it")


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    try:
        if mode == "screens" and len(sys.argv) == 6:
            screens_mode(host, port, parse_layout(sys.argv[4]), sys.argv[5])
        elif mode == "plain" and len(sys.argv) == 5:
            plain_mode(host, port, sys.argv[4])
        else:
            print(__doc__)
            return 2
    except (OSError, ValueError, EOFError, struct.error) as e:
        say(False, "the session went as RFB says: %s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
