#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small RFB client for what the test client cannot do: it does the 3.8
handshake with security None, then floods one kind of message, or watches
one pixel.  Usage: flood.py HOST PORT KIND COUNT [ARGS]
KIND: connect (connect and close, COUNT times), pointer, keys,
colourmap (SetPixelFormat 8 bpp colour-mapped, never reading),
keysym (COUNT presses and releases of the keysym ARGS[0], hex),
behind (once the file ARGS[2] exists, type the keysym ARGS[0] once and
count how many key lines the log sink's file ARGS[1] got between the
moment it was sent and its own press: "behind N"),
pixel (wait up to COUNT seconds until the pixel at ARGS[1],ARGS[2] is
RRGGBB ARGS[0]; Raw updates in the server's native format)."""
import os
import socket
import struct
import sys
import time


def handshake(host, port, name=False):
    s = socket.create_connection((host, port), timeout=10)
    s.recv(12)
    s.sendall(b"RFB 003.008\n")
    n = s.recv(1)[0]
    s.recv(n)
    s.sendall(b"\x01")
    s.recv(4)
    s.sendall(b"\x01")
    init = b""
    while len(init) < 24:
        init += s.recv(24 - len(init))
    w, h = struct.unpack(">HH", init[:4])
    name_len = struct.unpack(">I", init[20:24])[0]
    desktop = b""
    while len(desktop) < name_len:
        desktop += s.recv(name_len - len(desktop))
    if name:
        return s, w, h, desktop.decode()
    return s, w, h


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        more = s.recv(n - len(data))
        if not more:
            raise EOFError("the server closed the connection")
        data += more
    return data


def behind(s, keysym, log, go):
    """How far behind a flood of other clients' keys this one waits."""
    while not os.path.exists(go):
        time.sleep(0.001)
    # Where the log ends as the key goes: its size, not its lines, which
    # take long to read while the flood goes on (on a loaded machine, a
    # few thousand keys' worth).
    before = os.path.getsize(log)
    s.sendall(struct.pack(">BBxxI", 4, 1, keysym) +
              struct.pack(">BBxxI", 4, 0, keysym))
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(log, "rb") as f:
            f.seek(max(before - 1, 0))
            # A line cut at that size is not counted: only whole lines
            # written after it.
            if before > 0 and f.read(1) != b"\n":
                f.readline()
            lines = [line for line in f if line.startswith(b"key ")]
        for i, line in enumerate(lines):
            if line.split()[1] == str(KEYSYM_CODES[keysym]).encode():
                print("behind %d" % i)
                return 0
        time.sleep(0.01)
    print("never arrived")
    return 1


# The key codes (US) of the keysyms "behind" types.
KEYSYM_CODES = {0x7a: 44}


def watch_pixel(s, w, h, seconds, want, px, py):
    """Ask for updates until the pixel at px,py is want (0xRRGGBB)."""
    # Raw and DesktopSize only; the native format is 32 bpp little-endian
    # XRGB, which is what ServerInit said.
    s.sendall(struct.pack(">BxHii", 2, 2, 0, -223))
    deadline = time.time() + seconds
    seen = None
    incremental = 0
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        s.sendall(struct.pack(">BBHHHH", 3, incremental, 0, 0, w, h))
        incremental = 1
        try:
            kind = recv_exactly(s, 1)[0]
        except socket.timeout:
            break
        if kind != 0:
            print("unexpected message %d" % kind)
            return 1
        nrects = struct.unpack(">xH", recv_exactly(s, 3))[0]
        for _ in range(nrects):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv_exactly(s, 12))
            if enc == -223:
                w, h = rw, rh
                incremental = 0
                continue
            data = recv_exactly(s, rw * rh * 4)
            if x <= px < x + rw and y <= py < y + rh:
                i = ((py - y) * rw + (px - x)) * 4
                seen = data[i] | data[i + 1] << 8 | data[i + 2] << 16
        if seen == want:
            print("pixel %d,%d is %06x" % (px, py, want))
            return 0
    print("pixel %d,%d is %s, not %06x" %
          (px, py, "unseen" if seen is None else "%06x" % seen, want))
    return 1


def main():
    host, port, kind, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4])
    if kind == "connect":
        for _ in range(count):
            socket.create_connection((host, port), timeout=10).close()
        print("connected and closed %d times" % count)
        return 0
    s, w, h = handshake(host, port)
    if kind == "pointer":
        batch = b"".join(struct.pack(">BBHH", 5, 0, i % w, i % h)
                         for i in range(1000))
        for _ in range(count // 1000):
            s.sendall(batch)
        s.sendall(struct.pack(">BBHH", 5, 0, 7, 9))
        print("sent %d pointer events, the last at 7,9" % (count + 1))
    elif kind == "keys":
        batch = b""
        for i in range(count):
            batch += struct.pack(">BBxxI", 4, 1, 0x61 + i % 26)
            batch += struct.pack(">BBxxI", 4, 0, 0x61 + i % 26)
        s.sendall(batch)
        print("sent %d key presses" % count)
    elif kind == "keysym":
        keysym = int(sys.argv[5], 16)
        for _ in range(count):
            s.sendall(struct.pack(">BBxxI", 4, 1, keysym) +
                      struct.pack(">BBxxI", 4, 0, keysym))
        print("sent keysym 0x%x %d times" % (keysym, count))
    elif kind == "behind":
        return behind(s, int(sys.argv[5], 16), sys.argv[6], sys.argv[7])
    elif kind == "pixel":
        return watch_pixel(s, w, h, count, int(sys.argv[5], 16),
                           int(sys.argv[6]), int(sys.argv[7]))
    elif kind == "colourmap":
        spf = struct.pack(">Bxxx BBBB HHH BBB xxx", 0,
                          8, 8, 0, 0, 0, 0, 0, 0, 0, 0)
        s.settimeout(20)
        sent = 0
        try:
            for _ in range(count):
                s.sendall(spf)
                sent += 1
        except OSError as e:
            print("the server closed the connection after %d: %s"
                  % (sent, e))
            return 0
        print("sent all %d without being closed" % sent)
        return 1
    time.sleep(1)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
