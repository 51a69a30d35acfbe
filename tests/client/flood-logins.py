#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A flood of bad logins from one address, as an attacker would send it.

  flood-logins.py [--source ADDR[,ADDR...]] [--half-open N] [--wrong N]
                  [--threads T] [--duration S] HOST:PORT

keeps N connections from the first source open that never finish the
handshake (each one the server closes is opened again after
--reopen-delay), and meanwhile makes --wrong VeNCrypt X509Plain logins
with a wrong password through T threads, from the sources in turn, for
--duration seconds (or, without half-open connections, until the wrong
logins are done).
Prints one line per outcome and its count at the end ("wrong: N x
OUTCOME", "half-open: opened N, closed by the server M"), and "ready"
once the first round of connections is open.  Uses vencrypt.py.
"""

import argparse
import collections
import os
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vencrypt  # noqa: E402


def wrong_login(host, port, source, timeout, n, prefix):
    h = None
    try:
        h = vencrypt.Handshake(host, port, timeout, source)
        h.version()
        types = h.types()
        if vencrypt.SEC_VENCRYPT not in types:
            return "no VeNCrypt"
        h.choose(vencrypt.SEC_VENCRYPT)
        h.vencrypt_version()
        h.subtypes()
        h.subtype(262)
        h.start_tls()
        h.plain(b"%s%d" % (prefix.encode(), n % 7), b"not-the-password")
        return h.result()
    except vencrypt.Closed as e:
        return "closed: %s" % e
    except (socket.timeout, TimeoutError):
        return "timeout"
    except OSError as e:
        return "error: %s" % e.strerror
    finally:
        if h is not None:
            h.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("target")
    p.add_argument("--source", default="127.0.0.2")
    p.add_argument("--half-open", type=int, default=200)
    p.add_argument("--reopen-delay", type=float, default=0.2)
    p.add_argument("--wrong", type=int, default=200)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--user-prefix", default="mallory",
                   help="the user names tried: PREFIX0 to PREFIX6")
    a = p.parse_args()
    host, port = a.target.rsplit(":", 1)
    host, port = host.strip("[]"), int(port)
    end = time.monotonic() + a.duration
    sources = a.source.split(",")

    outcomes = collections.Counter()
    lock = threading.Lock()
    todo = iter(range(a.wrong))

    def worker():
        while time.monotonic() < end:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            r = wrong_login(host, port, sources[n % len(sources)],
                            a.timeout, n, a.user_prefix)
            # The reason without the numbers that change (seconds).
            key = r.split(": try again")[0]
            with lock:
                outcomes[key] += 1

    sel = selectors.DefaultSelector()
    opened = closed = 0
    pending = []		# times at which to open one again

    def open_one():
        nonlocal opened
        try:
            s = socket.create_connection((host, port), timeout=a.timeout,
                                         source_address=(sources[0], 0))
        except OSError:
            pending.append(time.monotonic() + a.reopen_delay)
            return
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    for _ in range(a.half_open):
        open_one()
    print("ready: %d open" % opened, flush=True)
    threads = [threading.Thread(target=worker) for _ in range(a.threads)]
    for t in threads:
        t.start()
    while time.monotonic() < end:
        if a.half_open == 0 and not any(t.is_alive() for t in threads):
            break
        for key, _ in sel.select(0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                closed += 1
                pending.append(time.monotonic() + a.reopen_delay)
        now = time.monotonic()
        due = [t for t in pending if t <= now]
        pending[:] = [t for t in pending if t > now]
        for _ in due:
            open_one()
    for t in threads:
        t.join()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    for what, n in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print("wrong: %d x %s" % (n, what))
    print("wrong logins made: %d" % sum(outcomes.values()))
    print("half-open: opened %d, closed by the server %d" % (opened, closed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
