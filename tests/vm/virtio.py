#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""virtio-gpu with two heads, as multi-screen tests will use it: the
second head is connected once QEMU shows it at a size (VM.set_head()),
kmstool lights it with a pattern that QEMU's screendump of that head
shows pixel for pixel, a page flip follows, and the first head is left
alone."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402


def connectors(vm):
    rc, out = vm.run("modetest -M virtio_gpu -c")
    return {line.split()[3]: line.split()[2] for line in out.splitlines()
            if len(line.split()) > 3 and line.split()[3].startswith(
                "Virtual-")}


def shows(vm, head, picture, timeout=15):
    """Wait until the head shows picture: the first differences, or []."""
    deadline = time.monotonic() + timeout
    while True:
        diffs = rfb.differences(vm.screendump(head=head), picture)
        if not diffs or time.monotonic() > deadline:
            return diffs
        time.sleep(0.3)


def main(t, vm):
    c = connectors(vm)
    t.ok(c == {"Virtual-1": "connected", "Virtual-2": "disconnected"},
         "two heads, the second one not shown yet", str(c))
    vm.check("echo 0 > /sys/class/graphics/fbcon/cursor_blink")
    first = vm.screendump(head=0)

    w, h = 1024, 768
    vm.set_head(1, w, h)
    c = connectors(vm)
    t.ok(c.get("Virtual-2") == "connected",
         "shown at %dx%d, the second head is connected" % (w, h), str(c))

    k = kms.Kmstool(vm, "--connector Virtual-2 --mode %dx%d --flip"
                % (w, h), "head1")
    t.ok(k.ready, "kmstool lights the second head", k.output)
    diffs = shows(vm, 1, kms.image(kms.gradient, w, h))
    t.ok(not diffs, "QEMU shows the gradient on the second head",
         "first differences (x, y, shown, drawn): %s" % diffs)
    t.ok(k.step(1), "kmstool flips", k.output)
    diffs = shows(vm, 1, kms.image(kms.inverse, w, h))
    t.ok(not diffs, "QEMU shows the second buffer after the flip",
         "first differences: %s" % diffs)
    diffs = rfb.differences(vm.screendump(head=0), first)
    t.ok(not diffs, "the first head is unchanged", str(diffs))
    rc, out = vm.run("%s modeset --connector Virtual-2 --overlay "
                     "0,0,64,64" % kms.KMSTOOL)
    t.ok(rc != 0 and "no overlay plane" in out,
         "kmstool says virtio-gpu has no overlay plane", out)
    t.ok(k.stop(), "kmstool stops", k.output)


if __name__ == "__main__":
    tap.run(main, display="virtio", outputs=2, programs=(kms.KMSTOOL,))
