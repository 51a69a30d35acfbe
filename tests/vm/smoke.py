#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The VM harness and rampart on a real kernel: the guest boots Debian's
kernel, bochs (QEMU's -vga std) is a DRM card with a connected output,
QEMU's screendump shows what is written to the framebuffer, and rampart
runs in the guest as root: its broker drops to the rampart user, a client
on the host (through QEMU's user network, a non-loopback address for
rampart: VeNCrypt X509Plain with the first start's admin password and
self-signed certificate) and libvncclient inside the guest (loopback,
None with --insecure-no-auth) see the same pixels, and the host is never
offered None."""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402

from PIL import Image, ImageChops   # noqa: E402

BUILD = os.path.abspath(os.environ.get("top_builddir", "."))
RAMPART = os.path.join(BUILD, "rampart")
TESTCLIENT = os.path.join(BUILD, "tests", "client", "rampart-testclient")
MKFRAMES = os.path.join(BUILD, "tests", "client", "rampart-mkframes")


def read_frame(path, index=0):
    """Frame index of a .frames file (see common/frames.h) as an image."""
    with open(path, "rb") as f:
        data = f.read()
    w, h, stride = struct.unpack_from("<III", data, 12)
    offset = 64 + index * stride * h
    return Image.frombytes("RGB", (w, h), data[offset:offset + stride * h],
                           "raw", "BGRX", stride)


class Rampart:
    """rampart in the guest, as root, listening on the guest's 5900."""

    def __init__(self, vm, name, listen, capture):
        self.vm, self.log = vm, name + ".log"
        # As lib.sh: in a sanitizer build, no leak checking (it needs
        # ptrace, which the sandbox forbids).
        self.pid = vm.spawn("env ASAN_OPTIONS=detect_leaks=0 %s "
                            "--foreground --config /dev/null "
                            "--insecure-no-auth --listen %s "
                            "--capture %s --log-level debug"
                            % (RAMPART, listen, capture), self.log)
        rc, _ = vm.run("for i in $(seq 150); do ss -Htln 'sport = :5900' | "
                       "grep -q . && pgrep -x rampart-broker >/dev/null && "
                       "exit 0; kill -0 %d || exit 1; sleep 0.1; done; "
                       "exit 1" % self.pid, timeout=40)
        self.up = rc == 0

    def output(self):
        """The end of its log, for diagnostics."""
        return self.whole_log()[-3000:]

    def whole_log(self):
        return self.vm.get(self.log).decode(errors="replace")

    def logged(self, *texts, timeout=20):
        """Wait until each of the texts is somewhere in its log (a helper
        may log after the listener is up; under the sanitizers, later)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.whole_log()
            if all(text in log for text in texts):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)

    def stop(self):
        rc, _ = self.vm.run("kill %d && for i in $(seq 200); do kill -0 %d "
                            "2>/dev/null || exit 0; sleep 0.1; done; exit 1"
                            % (self.pid, self.pid), timeout=30)
        return rc == 0


def guest_client(vm, name, args=""):
    """The test client (libvncclient) inside the guest, on its loopback:
    (exit status, output, what it showed or None)."""
    path = vm.path(name + ".ppm")
    rc, out = vm.run("ASAN_OPTIONS=detect_leaks=0 %s --timeout 30 %s "
                     "--dump %s 127.0.0.1:5900"
                     % (TESTCLIENT, args, path), timeout=90)
    img = None
    if os.path.exists(path):
        with Image.open(path) as f:
            img = f.convert("RGB")
    return rc, out, img


def mismatch(a, b):
    """The fraction of pixels where two images of one size differ."""
    diff = ImageChops.difference(a, b).convert("L").point(
        lambda v: 255 if v else 0)
    return diff.histogram()[255] / (a.size[0] * a.size[1])


def check_display(t, vm):
    with open(os.path.join(vm.cache, "kernel-release")) as f:
        release = f.read().strip()
    rc, out = vm.run("uname -r")
    t.ok(rc == 0 and out.strip() == release,
         "the guest runs the prepared kernel %s" % release, out)
    rc, out = vm.run("basename $(readlink /sys/class/drm/card0/device/"
                     "driver)")
    t.ok(out.strip() == "bochs-drm", "card0 is bochs (-vga std)", out)
    rc, out = vm.run("modetest -M bochs-drm -c")
    t.ok(rc == 0 and any(line.split()[2:3] == ["connected"]
                         for line in out.splitlines()),
         "modetest: bochs has a connected connector", out)

    # A known picture written to the framebuffer device is what QEMU
    # shows, pixel for pixel.  fbcon's cursor is hidden and still first,
    # so that nothing draws over it.
    rc, out = vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
                     "printf '\\033[?25l' > /dev/tty1; "
                     "cat /sys/class/graphics/fb0/virtual_size "
                     "/sys/class/graphics/fb0/stride "
                     "/sys/class/graphics/fb0/bits_per_pixel")
    try:
        size, stride, bpp = out.split()
        w, h = (int(v) for v in size.split(","))
        stride, bpp = int(stride), int(bpp)
    except ValueError:
        t.ok(False, "fb0 describes itself", out)
        return
    t.ok(bpp == 32, "fb0 has 32-bit pixels", out)
    shown = vm.screendump()
    t.ok(shown.size == (w, h), "screendump: the screen is %dx%d" % (w, h),
         "screendump %s" % (shown.size,))
    picture = kms.image(kms.bars, w, h)
    # Bars would survive a wrong stride: a gradient of rows as well.
    picture.paste(kms.image(kms.gradient, w, h // 2), (0, h // 2))
    raw = picture.tobytes("raw", "BGRX")
    rows = b"".join(raw[y * w * 4:(y + 1) * w * 4].ljust(stride, b"\0")
                    for y in range(h))
    vm.put("picture.raw", rows)
    rc, out = vm.run("cat %s > /dev/fb0" % vm.path("picture.raw"))
    t.ok(rc == 0, "a picture written to /dev/fb0", out)
    deadline = time.monotonic() + 10
    while True:
        shown = vm.screendump()
        diffs = rfb.differences(shown, picture)
        if not diffs or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    t.ok(not diffs, "screendump shows the picture pixel for pixel",
         "first differences (x, y, shown, written): %s" % diffs)


def host_login(vm):
    """What the host's client logs in with: the first start's admin
    password and self-signed certificate, in the guest's /etc/rampart."""
    rc, password = vm.run("cat /etc/rampart/initial-admin-password")
    rc2, cert = vm.run("cat /etc/rampart/tls/cert.pem")
    if rc != 0 or rc2 != 0:
        return None
    return {"user": "admin", "password": password.strip(),
            "ca": vm.put("guest-cert.pem", cert)}


def check_rampart(t, vm):
    # The demo screen on every address: the host's connections come from
    # 10.0.2.2 and log in; the guest's own, on loopback, get None.
    r = Rampart(vm, "demo", "tcp:0.0.0.0:5900", "demo")
    t.ok(r.up, "rampart --capture demo runs in the guest as root",
         r.output)
    if not r.up:
        return
    login = host_login(vm)
    t.ok(login is not None and r.logged("created the users file "
         "/etc/rampart/users with the user admin"),
         "its first start made the users file and a certificate",
         r.output)
    if login is None:
        return
    # Once every helper is in its sandbox (under the sanitizers, on the
    # guest's emulated cores, seconds after the listener is up).
    r.logged("every helper is up", timeout=90)
    rc, out = vm.run("grep -E '^(Uid|Seccomp):' "
                     "/proc/$(pgrep -x rampart-broker)/status")
    uids = [line.split()[1:] for line in out.splitlines()
            if line.startswith("Uid:")]
    t.ok(rc == 0 and uids == [["990"] * 4] and "Seccomp:\t2" in out,
         "its broker runs as the rampart user (990), in seccomp", out)
    try:
        host = rfb.Client("127.0.0.1", vm.port, timeout=60, **login)
        before = host.frame()
        # Held a second: its first update holds only the screens
        # (ExtendedDesktopSize), the pixels come with the next.
        rc, out, guest = guest_client(vm, "demo", "--hold 1")
        after = host.frame()
        host.close()
    except (rfb.RFBError, OSError) as e:
        t.ok(False, "a host client gets the demo screen", str(e))
        return
    t.ok(before.size == (1280, 800) and host.name,
         "a host client gets the 1280x800 demo screen", str(before.size))
    t.ok(rc == 0 and guest is not None and guest.size == before.size,
         "libvncclient in the guest gets it too", out)
    if guest is not None and guest.size == before.size:
        # The demo moves: the guest's picture was taken between the two
        # of the host, so each of its pixels is in one of them, but for
        # what moved twice meanwhile.
        neither = ImageChops.multiply(
            ImageChops.difference(guest, before).convert("L").point(
                lambda v: 255 if v else 0),
            ImageChops.difference(guest, after).convert("L").point(
                lambda v: 255 if v else 0)).histogram()[255]
        share = neither / (before.size[0] * before.size[1])
        t.ok(share < 0.03, "host and guest clients see the same pixels "
             "(%.2f%% in neither host frame)" % (100 * share),
             "host frames differ from each other in %.2f%%"
             % (100 * mismatch(before, after)))
    t.ok(r.stop(), "rampart stops on SIGTERM", r.output)

    # A still screen, replayed: both clients see exactly the file.
    frames = vm.path("still.frames")
    rc = os.system("%s sparse 640 480 1 10 %s" % (MKFRAMES, frames))
    expected = read_frame(frames)
    r = Rampart(vm, "replay", "tcp:0.0.0.0:5900", "replay:" + frames)
    t.ok(rc == 0 and r.up, "rampart replays a still screen", r.output)
    try:
        with rfb.Client("127.0.0.1", vm.port, timeout=60,
                        **login) as host:
            shown = host.frame()
        diffs = rfb.differences(shown, expected)
    except (rfb.RFBError, OSError) as e:
        diffs = [str(e)]
    t.ok(not diffs, "the host client sees the replayed frame exactly",
         "first differences (x, y, seen, file): %s" % diffs)
    rc, out, guest = guest_client(vm, "still", "--expect %s:0" % frames)
    t.ok(rc == 0 and guest is not None and
         not rfb.differences(guest, expected),
         "libvncclient in the guest sees it exactly too", out)
    t.ok(r.stop(), "rampart stops", r.output)

    # The host is never offered None, even with --insecure-no-auth: a
    # client that wants None is refused; the guest's own client is
    # served.
    r = Rampart(vm, "policy", "tcp:0.0.0.0:5900", "replay:" + frames)
    t.ok(r.up, "rampart with the default policy", r.output)
    try:
        rfb.Client("127.0.0.1", vm.port, timeout=60).close()
        refusal = None
    except rfb.Refused as e:
        refusal = str(e)
    except (rfb.RFBError, OSError) as e:
        refusal = ""
        t.diag("not a refusal: %s" % e)
    t.ok(refusal == "no security type None offered: [19]",
         "a connection from outside the guest is offered VeNCrypt only: "
         "%s" % refusal)
    try:
        with rfb.Client("127.0.0.1", vm.port, timeout=60, user="admin",
                        password="wrong", ca=login["ca"]):
            refusal = None
    except rfb.Refused as e:
        refusal = str(e)
    except (rfb.RFBError, OSError) as e:
        refusal = ""
        t.diag("not a refusal: %s" % e)
    t.ok(refusal == "authentication failed",
         "a wrong password is refused: %s" % refusal)
    rc, out, guest = guest_client(vm, "policy", "--expect %s:0" % frames)
    t.ok(rc == 0, "the guest's loopback client is served", out)
    t.ok(r.stop(), "rampart stops", r.output)
    rc, out = vm.run("grep -E 'AddressSanitizer|runtime error:' %s %s %s"
                     % tuple(vm.path(n + ".log")
                             for n in ("demo", "replay", "policy")))
    t.ok(rc == 1, "no sanitizer reports in rampart's logs", out)


def main(t, vm):
    check_display(t, vm)
    check_rampart(t, vm)


if __name__ == "__main__":
    tap.run(main, display="std", forward=True,
            programs=(RAMPART, TESTCLIENT, MKFRAMES))
