#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vkms, the kernel's virtual display, as the DRM tests will use it: it
loads with a cursor, overlays and a writeback connector; kmstool puts a
pattern, a half transparent overlay and a cursor on it; what the
writeback connector gives back is, pixel for pixel, the composition
computed here (tests/vm/kms.py), before and after the planes move, with
a 16-bit primary format flipping between two buffers, and nothing at
all while the CRTC is off."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402

from PIL import Image   # noqa: E402

PARAMS = dict(enable_cursor=1, enable_overlay=1, enable_writeback=1)


def planes(modetest):
    """The planes modetest -p lists: [(id, type, formats)].  A plane's
    line starts at the margin, its formats and properties are indented."""
    out = []
    lines = modetest.splitlines()
    for i, line in enumerate(lines):
        words = line.split()
        if line[:1].isdigit():
            out.append([int(words[0]), None, []])
        elif out and words[:1] == ["formats:"]:
            out[-1][2] = words[1:]
        elif out and words[1:] == ["type:"]:
            for follow in lines[i + 1:i + 4]:
                if follow.split()[:1] == ["value:"]:
                    out[-1][1] = {"0": "overlay", "1": "primary",
                                  "2": "cursor"}.get(follow.split()[1])
    return [tuple(p) for p in out]


def writeback(vm, name):
    """kmstool writeback: (exit status, output, image or None)."""
    path = vm.path(name + ".ppm")
    rc, out = vm.run("%s writeback %s" % (kms.KMSTOOL, path), timeout=30)
    img = None
    if rc == 0:
        with Image.open(path) as f:
            img = f.convert("RGB")
    return rc, out, img


def same(t, got, want, desc):
    diffs = rfb.differences(got, want) if got is not None else ["no image"]
    t.ok(not diffs, desc, lambda: "first differences (x, y, got, "
         "expected): %s" % diffs)


def main(t, vm):
    rc, out = vm.run("cat /sys/module/vkms/parameters/enable_cursor "
                     "/sys/module/vkms/parameters/enable_overlay "
                     "/sys/module/vkms/parameters/enable_writeback")
    t.ok(rc == 0 and out.split() == ["Y", "Y", "Y"],
         "vkms is loaded with cursor, overlay and writeback", out)
    rc, out = vm.run("modetest -M vkms -c")
    t.ok(rc == 0 and any(line.split()[2:4] == ["connected", "Virtual-1"]
                         for line in out.splitlines()),
         "modetest: the virtual output is connected", out)
    # modetest does not ask for writeback connectors: sysfs lists them.
    rc, out = vm.run("ls /sys/class/drm")
    t.ok("card0-Writeback-1" in out.split(), "a writeback connector", out)
    rc, out = vm.run("modetest -M vkms -p")
    types = [p[1] for p in planes(out)]
    t.ok(types.count("primary") == 1 and types.count("cursor") == 1 and
         types.count("overlay") >= 1,
         "modetest: a primary plane, overlays and a cursor plane",
         "types %s\n%s" % (types, out[:3000]))

    # A gradient, a checkerboard overlay opaque on its left half and half
    # transparent on its right, a cursor with a half transparent ring.
    ov = (100, 80, 200, 150)
    cur = (500, 300)
    k = kms.Kmstool(vm, "--overlay %d,%d,%d,%d,AR24 --cursor %d,%d "
                "--move 40,24" % (ov + cur), "planes")
    t.ok(k.ready, "kmstool modeset: pattern, overlay and cursor on screen",
         k.output)
    w, h = 1024, 768          # vkms's preferred mode
    rc, out, got = writeback(vm, "planes0")
    t.ok(rc == 0 and got is not None and got.size == (w, h),
         "kmstool writeback: a %dx%d frame" % (w, h), out)
    primary = kms.Layer(kms.gradient, 0, 0, w, h, "XR24")

    def expected(step):
        dx, dy = 40 * step, 24 * step
        return kms.compose_vkms(w, h, [
            primary,
            kms.Layer(kms.checker, ov[0] + dx, ov[1] + dy, ov[2], ov[3],
                      "AR24"),
            kms.Layer(kms.cursor_image, cur[0] + dx, cur[1] + dy,
                      kms.CURSOR_SIZE, kms.CURSOR_SIZE, "AR24")])
    same(t, got, expected(0), "the writeback is the composition of the "
         "three planes, transparency included")

    t.ok(k.step(1), "kmstool moves the overlay and the cursor", k.output)
    rc, out, got = writeback(vm, "planes1")
    same(t, got, expected(1), "the writeback follows the move")
    t.ok(k.stop(), "kmstool stops on SIGTERM", k.output)

    # 16-bit pixels on the primary plane, in a mode of our choice, and a
    # page flip between two buffers.
    w, h = 800, 600
    k = kms.Kmstool(vm, "--mode %dx%d --format RG16 --flip" % (w, h),
                    "flip")
    t.ok(k.ready, "kmstool modeset: RGB565 at 800x600", k.output)
    rc, out, got = writeback(vm, "flip0")
    same(t, got, kms.compose_vkms(w, h, [
        kms.Layer(kms.gradient, 0, 0, w, h, "RG16")]),
        "the writeback is the RGB565 gradient at 800x600")
    t.ok(k.step(1), "kmstool flips to its second buffer", k.output)
    rc, out, got = writeback(vm, "flip1")
    same(t, got, kms.compose_vkms(w, h, [
        kms.Layer(kms.inverse, 0, 0, w, h, "RG16")]),
        "after the flip the writeback is the second buffer")
    t.ok(k.stop(), "kmstool stops", k.output)

    # A CRTC that is off composes nothing; on again, it shows the pattern.
    k = kms.Kmstool(vm, "--off", "off")
    t.ok(k.ready, "kmstool switches the output off", k.output)
    rc, out = vm.run("cat /sys/class/drm/card0-Virtual-1/enabled")
    t.ok(out.strip() == "disabled", "the output is disabled", out)
    rc, out, got = writeback(vm, "off")
    t.ok(rc != 0 and "no active CRTC" in out,
         "no writeback from a CRTC that is off", out)
    t.ok(k.step(1), "kmstool switches the output on again", k.output)
    rc, out = vm.run("cat /sys/class/drm/card0-Virtual-1/enabled")
    t.ok(out.strip() == "enabled", "the output is enabled", out)
    rc, out, got = writeback(vm, "on")
    same(t, got, kms.compose_vkms(1024, 768, [primary]),
         "on again, the writeback is the pattern")
    t.ok(k.stop(), "kmstool stops", k.output)


if __name__ == "__main__":
    tap.run(main, display="none", modules=[("vkms", PARAMS)],
            programs=(kms.KMSTOOL,))
