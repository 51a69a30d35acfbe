#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile RFB client for the bounds tests: it does the 3.8 handshake
with security None, then floods one kind of message and reports what
happened.  Usage: flood.py HOST PORT KIND COUNT
KIND: connect (connect and close, COUNT times), pointer, keys,
colourmap (SetPixelFormat 8 bpp colour-mapped, never reading)."""
import socket
import struct
import sys
import time


def handshake(host, port):
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
    while name_len > 0:
        name_len -= len(s.recv(name_len))
    return s, w, h


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


sys.exit(main())
