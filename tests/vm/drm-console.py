#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rampart on the text console of a real display driver, against QEMU's
screendump (what QEMU shows is the ground truth).  Run once with bochs
(QEMU's -vga std) and once with virtio-gpu with two heads (the argument
"virtio"): --capture auto picks drm on the lit card; what a viewer sees
equals the screendump exactly; text typed on the console appears in the
next update; --capture fbdev of the same console equals it too.  On
virtio-gpu, --output all serves both heads side by side, told to the
viewer as two ExtendedDesktopSize screens, each equal to QEMU's
screendump of that head, and --output Virtual-2 serves the second alone."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402
from smoke import RAMPART, TESTCLIENT, Rampart  # noqa: E402

from PIL import Image   # noqa: E402

GRAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grab.py")
VIRTIO = sys.argv[1:] == ["virtio"]


def grab(vm, name):
    """A full frame as a viewer in the guest sees it, and its screens."""
    path = vm.path(name + ".png")
    rc, out = vm.run("/usr/bin/python3 %s 5900 %s" % (GRAB, path),
                     timeout=90)
    if rc != 0:
        return None, out
    with Image.open(path) as f:
        img = f.convert("RGB")
    screens = [tuple(int(v) for v in line.split())
               for line in out.splitlines() if line.strip()]
    return img, screens


def matches(vm, name, head=None, crop=None, timeout=20):
    """Wait until what a viewer sees (cropped) equals the screendump of
    the head: the first differences, or []."""
    deadline = time.monotonic() + timeout
    while True:
        img, screens = grab(vm, name)
        shot = vm.screendump(head=head)
        if img is None:
            diffs = ["no frame: %s" % screens]
        else:
            diffs = rfb.differences(img.crop(crop) if crop else img, shot)
        if not diffs or time.monotonic() > deadline:
            return diffs
        time.sleep(0.5)


def tty(vm, text):
    vm.check("printf '%s' > /dev/tty1" % text)


def main(t, vm):
    # A still console: no blinking cursor, known text.
    vm.check("echo 0 > /sys/class/graphics/fbcon/cursor_blink")
    tty(vm, "\\033[?25l\\033[2J\\033[Hrampart on the console\\n")

    r = Rampart(vm, "auto", "tcp:127.0.0.1:5900", "auto")
    t.ok(r.up, "rampart --capture auto is up", r.output)
    t.ok(r.logged("capture auto: drm"), "auto picks drm on the lit card",
         r.output)
    diffs = matches(vm, "console", head=0 if VIRTIO else None)
    t.ok(not diffs, "what a viewer sees equals QEMU's screendump",
         "first differences (x, y, viewer, QEMU): %s" % diffs)
    tty(vm, "\\033[5;10Htyped on the console")
    diffs = matches(vm, "typed", head=0 if VIRTIO else None)
    t.ok(not diffs, "text typed on the console is in the next frame",
         "first differences: %s" % diffs)
    t.ok(r.stop(), "rampart stops")

    r = Rampart(vm, "fbdev", "tcp:127.0.0.1:5900", "fbdev")
    t.ok(r.up, "rampart --capture fbdev is up", r.output)
    diffs = matches(vm, "fbdev", head=0 if VIRTIO else None)
    t.ok(not diffs, "--capture fbdev equals QEMU's screendump",
         "first differences: %s" % diffs)
    t.ok(r.stop(), "rampart stops")
    if not VIRTIO:
        return

    # The second head at another size, lit with kmstool's gradient.
    w0, h0 = vm.screendump(head=0).size
    w1, h1 = 800, 600
    vm.set_head(1, w1, h1)
    k = kms.Kmstool(vm, "--connector Virtual-2 --mode %dx%d" % (w1, h1),
                    "head1")
    t.ok(k.ready, "kmstool lights the second head at %dx%d" % (w1, h1),
         k.output)
    r = Rampart(vm, "all", "tcp:127.0.0.1:5900", "drm --output all")
    t.ok(r.up, "rampart --output all is up", r.output)
    img, screens = grab(vm, "all")
    t.ok(img is not None and img.size == (w0 + w1, max(h0, h1)),
         "one frame of both heads side by side",
         "%s %s" % (img and img.size, screens))
    t.ok(len(screens) == 2 and screens[0][1:] == (0, 0, w0, h0) and
         screens[1][1:] == (w0, 0, w1, h1),
         "told to the viewer as two screens", str(screens))
    for head, crop in ((0, (0, 0, w0, h0)), (1, (w0, 0, w0 + w1, h1))):
        diffs = matches(vm, "all%d" % head, head=head, crop=crop)
        t.ok(not diffs, "screen %d equals QEMU's head %d" % (head, head),
             "first differences: %s" % diffs)
    t.ok(r.stop(), "rampart stops")

    r = Rampart(vm, "second", "tcp:127.0.0.1:5900",
                "drm --output Virtual-2")
    diffs = matches(vm, "second", head=1)
    t.ok(not diffs, "--output Virtual-2 serves the second head alone",
         "first differences: %s" % diffs)
    t.ok(r.stop(), "rampart stops")
    k.stop()


if __name__ == "__main__":
    tap.run(main, limit=300, display="virtio" if VIRTIO else "std",
            outputs=2 if VIRTIO else 1, programs=(RAMPART, TESTCLIENT))
