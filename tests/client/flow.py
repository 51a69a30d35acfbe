#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ContinuousUpdates and Fence from a viewer's side, for
tests/integration/flow.sh.  Prints one line per check, "ok - ..." or
"not ok - ...", for the shell test to count, and exits 0 (2 on bad usage).

flow.py HOST PORT FRAMES
    The server replays FRAMES (a .frames file, looping).  A viewer that
    lists ContinuousUpdates and Fence is told both are there (an
    EndOfContinuousUpdates, a Fence request); its own Fence request is
    answered with the payload and the flags it knows; with continuous
    updates on, updates come without requests, each leaving a frame of
    FRAMES on the viewer's screen, and the server pings after each (it
    paces by the answers); off, they stop, after an EndOfContinuousUpdates.
flow.py HOST PORT bad CASE
    A viewer that breaks the rules of these messages (CASE: early-fence,
    early-continuous, long-fence) is closed.
flow.py HOST PORT slow FRAMES SECONDS BYTES_PER_SECOND
    A viewer on a slow link: continuous updates with Fence, a small
    receive buffer, and reading at most BYTES_PER_SECOND.  Prints
    "updates N", "behind MS" (the longest a ping waited for the viewer to
    answer it, from the server's sending) and "fresh K of N" (updates
    whose pixels are a frame of FRAMES), one per line.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flood import handshake, recv_exactly  # noqa: E402

RAW = 0
FENCE = -312
CONTINUOUS = -313
DESKTOP_NAME = -307
MSG_CONTINUOUS = 150
MSG_FENCE = 248
REQUEST = 0x80000000
KNOWN = 0x7


def say(good, what):
    print("%s - %s" % ("ok" if good else "not ok", what))
    sys.stdout.flush()
    return good


def read_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    w, h, stride, _, count = struct.unpack("<IIIII", data[12:32])
    frames = []
    for i in range(count):
        at = 64 + i * stride * h
        rows = [data[at + y * stride:at + y * stride + w * 4]
                for y in range(h)]
        # What a viewer in the native format sees: the X byte is 0xff.
        frame = bytearray(b"".join(rows))
        frame[3::4] = b"\xff" * (w * h)
        frames.append(bytes(frame))
    return w, h, frames


def fence(flags, payload):
    return struct.pack(">BxxxIB", MSG_FENCE, flags, len(payload)) + payload


def continuous(on, x, y, w, h):
    return struct.pack(">BBHHHH", MSG_CONTINUOUS, on, x, y, w, h)


class Viewer:
    def __init__(self, host, port, encodings):
        self.s, self.w, self.h, self.name = handshake(host, port,
                                                      name=True)
        self.s.settimeout(10)
        self.s.sendall(struct.pack(">BxH", 2, len(encodings)) +
                       b"".join(struct.pack(">i", e) for e in encodings))
        self.fb = bytearray(self.w * self.h * 4)
        self.pings = []         # the server's Fence requests
        self.answers = []       # answers to ours
        self.ends = 0           # EndOfContinuousUpdates
        self.updates = 0
        self.names = []         # DesktopName rectangles
        self.answer_pings = True

    def message(self):
        """One server message, handled; its type."""
        kind = recv_exactly(self.s, 1)[0]
        if kind == 0:
            n = struct.unpack(">xH", recv_exactly(self.s, 3))[0]
            for _ in range(n):
                x, y, w, h, enc = struct.unpack(">HHHHi",
                                                recv_exactly(self.s, 12))
                if enc == DESKTOP_NAME:
                    n = struct.unpack(">I", recv_exactly(self.s, 4))[0]
                    self.names.append(recv_exactly(self.s, n).decode())
                    continue
                if enc != RAW:
                    raise ValueError("encoding %d was not asked for" % enc)
                for row in range(y, y + h):
                    at = (row * self.w + x) * 4
                    self.fb[at:at + w * 4] = recv_exactly(self.s, w * 4)
            self.updates += 1
        elif kind == MSG_FENCE:
            flags, n = struct.unpack(">xxxIB", recv_exactly(self.s, 8))
            payload = recv_exactly(self.s, n)
            if flags & REQUEST:
                self.pings.append((flags, payload))
                if self.answer_pings:
                    self.s.sendall(fence(flags & KNOWN, payload))
            else:
                self.answers.append((flags, payload))
        elif kind == MSG_CONTINUOUS:
            self.ends += 1
        else:
            raise ValueError("server message %d" % kind)
        return kind

    def until(self, cond, seconds):
        deadline = time.time() + seconds
        self.s.settimeout(0.2)
        try:
            while not cond() and time.time() < deadline:
                try:
                    self.message()
                except socket.timeout:
                    pass
        finally:
            self.s.settimeout(10)
        return cond()

    def closed(self, seconds):
        self.s.settimeout(seconds)
        try:
            while self.s.recv(4096):
                pass
            return True
        except (socket.timeout, ConnectionError):
            return False


def flow(host, port, path):
    w, h, frames = read_frames(path)
    v = Viewer(host, port, [RAW, FENCE, CONTINUOUS, DESKTOP_NAME])
    say(v.until(lambda: v.ends == 1 and v.pings, 5),
        "listing them, the viewer is told of ContinuousUpdates (an "
        "EndOfContinuousUpdates) and of Fence (a request: %s)" %
        ["%08x" % p[0] for p in v.pings])
    say(v.pings and v.pings[0][0] == REQUEST | 1, "the server's request "
        "is BlockBefore")

    # Our request: every flag, and one nobody knows.
    v.s.sendall(fence(REQUEST | 0x40 | KNOWN, b"hello"))
    say(v.until(lambda: v.answers, 5) and
        v.answers[0] == (KNOWN, b"hello"), "a Fence request is answered "
        "with its payload and the flags the server knows, without Request "
        "(%s)" % v.answers[:1])
    updates_before = v.updates
    time.sleep(0.5)
    v.until(lambda: False, 0.5)
    say(v.updates == updates_before, "without requests nor continuous "
        "updates, nothing comes (%d updates)" % (v.updates - updates_before))

    v.s.sendall(continuous(1, 0, 0, v.w, v.h))
    pings = len(v.pings)
    v.until(lambda: False, 3)
    n = v.updates - updates_before
    say(n >= 10, "on continuous updates, %d updates came in 3 s without a "
        "request" % n)
    say(len(v.pings) - pings >= n - 1, "each followed by the server's "
        "Fence request (%d pings for %d updates)" % (len(v.pings) - pings,
                                                     n))
    say(v.names == [v.name], "the desktop's name came once, as "
        "DesktopName: %s (ServerInit's: %s)" % (v.names, v.name))
    v.s.sendall(continuous(0, 0, 0, 0, 0))
    say(v.until(lambda: v.ends == 2, 5), "turned off: "
        "EndOfContinuousUpdates")
    say(bytes(v.fb) in frames, "the viewer's screen is a frame of the "
        "replay, pixel for pixel")
    v.until(lambda: False, 0.3)
    after = v.updates
    v.until(lambda: False, 1)
    say(v.updates == after, "then updates stop (%d in 1 s)" %
        (v.updates - after))

    # Pacing: pings left unanswered stop the updates after a few.
    v.answer_pings = False
    v.s.sendall(continuous(1, 0, 0, v.w, v.h))
    v.until(lambda: False, 2)
    held = v.updates
    v.until(lambda: False, 1)
    say(v.updates == held and held - after <= 9, "a viewer that does not "
        "answer the pings gets at most 8 more updates (%d), then none" %
        (held - after))
    for flags, payload in v.pings[-(held - after):]:
        v.s.sendall(fence(flags & KNOWN, payload))
    v.until(lambda: False, 1)
    say(v.updates > held, "answered, they go on (%d more)" %
        (v.updates - held))


def bad(host, port, case):
    if case == "early-fence":
        v = Viewer(host, port, [RAW])
        v.s.sendall(fence(REQUEST, b"hi"))
        say(v.closed(5), "a Fence before the server sent one: closed")
    elif case == "early-continuous":
        v = Viewer(host, port, [RAW])
        v.s.sendall(continuous(1, 0, 0, v.w, v.h))
        say(v.closed(5), "EnableContinuousUpdates before the server "
            "offered them: closed")
    elif case == "long-fence":
        v = Viewer(host, port, [RAW, FENCE])
        v.until(lambda: v.pings, 5)
        v.s.sendall(fence(REQUEST, b"x" * 64))
        say(v.until(lambda: v.answers, 5), "a payload of 64 is answered")
        v.s.sendall(fence(REQUEST, b"x" * 65))
        say(v.closed(5), "one of 65: closed")
    else:
        sys.exit(2)


def slow(host, port, path, seconds, rate):
    """Reads through a throttle; answers pings as soon as it reads them."""
    w, h, frames = read_frames(path)
    frames = set(frames)
    v = Viewer(host, port, [RAW, FENCE, CONTINUOUS])
    v.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    v.until(lambda: v.ends == 1, 5)
    v.s.sendall(continuous(1, 0, 0, v.w, v.h))
    real = v.s
    budget = [0.0, time.time()]

    class Throttle:
        """recv() that never goes faster than rate bytes a second."""
        def recv(self, n):
            now = time.time()
            budget[0] = min(rate, budget[0] + (now - budget[1]) * rate)
            budget[1] = now
            if budget[0] < 1:
                time.sleep((1 - budget[0]) / rate)
                return self.recv(n)
            data = real.recv(min(n, int(budget[0]), 16384))
            budget[0] -= len(data)
            return data

        def __getattr__(self, name):
            return getattr(real, name)

    v.s = Throttle()
    fresh = 0
    deadline = time.time() + seconds
    real.settimeout(2)
    while time.time() < deadline:
        try:
            if v.message() == 0 and bytes(v.fb) in frames:
                fresh += 1
        except socket.timeout:
            pass
    print("updates %d" % v.updates)
    print("fresh %d of %d" % (fresh, v.updates))
    sys.stdout.flush()


def main():
    if len(sys.argv) == 4:
        flow(sys.argv[1], int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[3] == "bad":
        bad(sys.argv[1], int(sys.argv[2]), sys.argv[4])
    elif len(sys.argv) == 7 and sys.argv[3] == "slow":
        slow(sys.argv[1], int(sys.argv[2]), sys.argv[4], float(sys.argv[5]),
             float(sys.argv[6]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
