#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A raw RFB client for the security handshake, written from rfbproto.rst,
to test what real clients never send: every step of VeNCrypt can be made
wrong on purpose.  As a command:

  vencrypt.py [options] HOST:PORT

prints one line per fact (types, subtypes, tls, result, server-init,
closed) and exits 0 when the outcome is --expect's, 1 when not, 2 on a
usage error.  As a module, Handshake does the same step by step.
"""

import argparse
import hashlib
import select
import socket
import ssl
import struct
import sys
import time

SEC_NONE, SEC_VNCAUTH, SEC_VENCRYPT = 1, 2, 19
SUBTYPES = {"tlsplain": 259, "x509none": 260, "x509plain": 262}


class Closed(Exception):
    """The server closed the connection."""


class Handshake:
    def __init__(self, host, port, timeout=10, source=None):
        self.sock = socket.create_connection(
            (host, port), timeout=timeout,
            source_address=(source, 0) if source else None)
        self.io = self.sock
        self.minor = 8

    def recv(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.io.recv(n - len(buf))
            except (ConnectionResetError, ssl.SSLError) as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("end of connection")
            buf += chunk
        return buf

    def send(self, data):
        self.io.sendall(data)

    def watch(self, seconds):
        """Wait, but raise Closed as soon as the server closes."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                try:
                    data = self.sock.recv(4096)
                except OSError as e:
                    raise Closed(str(e))
                if not data:
                    raise Closed("end of connection")

    def reason(self):
        n, = struct.unpack(">I", self.recv(4))
        return self.recv(n).decode("utf-8", "replace")

    def version(self, mine=b"RFB 003.008\n", byte_every=0):
        server = self.recv(12)
        if byte_every:
            # One byte at a time, as a client that trickles to keep a
            # connection open would.
            for i in range(len(mine)):
                self.watch(byte_every)
                try:
                    self.send(mine[i:i + 1])
                except OSError as e:
                    raise Closed("while sending the version: %s" % e)
        else:
            self.send(mine)
        self.minor = int(mine[8:11])
        return server

    def types(self):
        """The security types offered; raises Closed with the reason
        when there are none."""
        if self.minor == 3:
            t, = struct.unpack(">I", self.recv(4))
            if t == 0:
                raise Closed("refused: " + self.reason())
            return [t]
        n = self.recv(1)[0]
        if n == 0:
            raise Closed("refused: " + self.reason())
        return list(self.recv(n))

    def choose(self, t):
        self.send(bytes([t]))

    def vencrypt_version(self, major=0, minor=2):
        server = self.recv(2)
        self.send(bytes([major, minor]))
        ack = self.recv(1)[0]
        if ack != 0:
            raise Closed("VeNCrypt version refused (%d)" % ack)
        return server

    def subtypes(self):
        n = self.recv(1)[0]
        return list(struct.unpack(">%dI" % n, self.recv(4 * n)))

    def subtype(self, code, extra=b""):
        self.send(struct.pack(">I", code) + extra)
        ack = self.recv(1)[0]
        if ack != 1:
            raise Closed("subtype refused (%d)" % ack)

    def start_tls(self, ca=None, cert=None, key=None, anon=False,
                  hostname=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if anon:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_ciphers("aNULL:@SECLEVEL=0")
        elif ca:
            ctx.load_verify_locations(ca)
            ctx.check_hostname = hostname is not None
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if cert:
            ctx.load_cert_chain(cert, key)
        try:
            self.io = ctx.wrap_socket(self.sock, server_hostname=hostname)
        except (ssl.SSLError, ConnectionResetError, OSError) as e:
            raise Closed("TLS: %s" % e)
        der = self.io.getpeercert(binary_form=True)
        self.peer_fingerprint = hashlib.sha256(der).hexdigest() if der \
            else None
        return "%s %s" % (self.io.version(), self.io.cipher()[0])

    def plain(self, user, password, lengths=None):
        ulen, plen = lengths if lengths else (len(user), len(password))
        self.send(struct.pack(">II", ulen, plen) + user + password)

    def result(self):
        r, = struct.unpack(">I", self.recv(4))
        if r == 0:
            return "ok"
        return "failed: " + (self.reason() if self.minor == 8 else "")

    def client_init(self, shared=True):
        self.send(bytes([1 if shared else 0]))
        w, h = struct.unpack(">HH", self.recv(4))
        self.recv(16)
        name = self.recv(struct.unpack(">I", self.recv(4))[0])
        return w, h, name.decode("utf-8", "replace")

    def wait_close(self, timeout):
        """True when the server closes within timeout seconds."""
        self.io.settimeout(timeout)
        end = time.monotonic() + timeout
        try:
            while time.monotonic() < end:
                if not self.io.recv(4096):
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, ssl.SSLError, OSError):
            return True
        return False

    def close(self):
        try:
            self.io.close()
        except OSError:
            pass


def hexbytes(s):
    return bytes.fromhex(s) if s else b""


def run(a):
    host, port = a.target.rsplit(":", 1)
    h = Handshake(host.strip("[]"), int(port), a.timeout, a.source)
    try:
        h.version(("RFB 003.%03d\n" % a.rfb).encode(), a.slow_version)
        types = h.types()
        print("types: %s" % ",".join(map(str, types)))
        if a.stop == "types":
            return "stopped", h
        h.choose(a.type)
        if a.type not in types and h.minor >= 7:
            # The server must answer a type it did not offer with a
            # failed SecurityResult (and a reason, in 3.8).
            r = h.result()
            if r != "ok":
                return r, h
            return "accepted a type not offered", h
        if a.type == SEC_NONE:
            if h.minor == 8:
                r = h.result()
                if r != "ok":
                    return r, h
        elif a.type == SEC_VNCAUTH:
            raise SystemExit("vencrypt.py does not do VNC authentication")
        else:
            major, minor = map(int, a.vencrypt_version.split("."))
            h.vencrypt_version(major, minor)
            subs = h.subtypes()
            print("subtypes: %s" % ",".join(map(str, subs)))
            if a.stop == "subtypes":
                return "stopped", h
            code = SUBTYPES.get(a.subtype) or int(a.subtype)
            h.subtype(code, hexbytes(a.pipeline))
            if a.stop == "subtype":
                return "stopped", h
            if a.tls_garbage:
                # Not a ClientHello: the server's TLS must fail, and
                # close.
                h.send(hexbytes(a.tls_garbage))
                print("sent %d bytes instead of TLS" %
                      len(hexbytes(a.tls_garbage)))
                h.watch(a.timeout)
                return "timeout", h
            tls = h.start_tls(a.ca, a.cert, a.key, code == 259,
                              a.hostname)
            print("tls: %s" % tls)
            if h.peer_fingerprint:
                print("peer-cert: sha256 %s" % h.peer_fingerprint)
            if a.stop == "tls":
                return "stopped", h
            if code != 260:
                lengths = None
                if a.plain_lengths:
                    lengths = tuple(map(int, a.plain_lengths.split(",")))
                user = a.user.encode() + hexbytes(a.user_hex)
                h.plain(user, (a.password or "").encode(), lengths)
            r = h.result()
            if r != "ok":
                return r, h
        print("result: ok")
        if a.stop == "result":
            return "stopped", h
        w, hh, name = h.client_init(not a.exclusive)
        print("server-init: %dx%d name=%s" % (w, hh, name))
        if a.send:
            try:
                h.send(hexbytes(a.send))
                print("sent %d bytes" % len(hexbytes(a.send)))
            except (OSError, ssl.SSLError) as e:
                return "closed: while sending: %s" % e, h
        return "ok", h
    except Closed as e:
        return "closed: %s" % e, h
    except (socket.timeout, TimeoutError):
        return "timeout", h


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("target")
    p.add_argument("--rfb", type=int, default=8, help="3, 7 or 8")
    p.add_argument("--type", type=int, default=SEC_VENCRYPT)
    p.add_argument("--vencrypt-version", default="0.2")
    p.add_argument("--subtype", default="x509plain",
                   help="x509plain, x509none, tlsplain or a number")
    p.add_argument("--pipeline", help="hex bytes sent with the subtype")
    p.add_argument("--ca")
    p.add_argument("--hostname", help="check the certificate's name")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user", default="")
    p.add_argument("--user-hex", help="hex bytes appended to the user")
    p.add_argument("--password")
    p.add_argument("--plain-lengths", help="U,P: lengths to announce")
    p.add_argument("--exclusive", action="store_true",
                   help="ClientInit asks for the screen alone")
    p.add_argument("--source", help="connect from this address")
    p.add_argument("--slow-version", type=float, default=0,
                   help="send the version one byte every this many seconds")
    p.add_argument("--send", help="hex bytes sent after ServerInit")
    p.add_argument("--tls-garbage",
                   help="hex bytes sent instead of the TLS handshake")
    p.add_argument("--stop", choices=["types", "subtypes", "subtype", "tls",
                                      "result"],
                   help="stop after this step (and --hold)")
    p.add_argument("--hold", type=float, default=0,
                   help="stay connected this long at the end")
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--expect", default="ok",
                   help="ok, stopped, failed, closed, or a prefix of the "
                        "outcome ('failed: authentication')")
    a = p.parse_args()
    start = time.monotonic()
    outcome, h = run(a)
    end = time.monotonic()
    print("outcome: %s" % outcome)
    print("elapsed: %.3f s" % (end - start))
    if a.hold:
        if h.wait_close(a.hold):
            print("closed by the server after %.3f s (%.3f s from the "
                  "connection)" % (time.monotonic() - end,
                                   time.monotonic() - start))
            outcome = "closed: by the server"
    h.close()
    return 0 if outcome.startswith(a.expect) else 1


if __name__ == "__main__":
    sys.exit(main())
