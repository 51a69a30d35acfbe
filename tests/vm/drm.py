#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rampart's drm source on vkms, the kernel's virtual display: what a
viewer receives is, pixel for pixel, what vkms's writeback connector says
the display composes (a primary plane, a half transparent overlay and a
cursor, before and after they move), in RGB565 too; a viewer that draws
the cursor itself (the Cursor pseudo-encoding) sees the primary and the
overlay alone and gets the cursor plane's picture as the cursor; a
mode change reaches
a connected viewer as the new size and pixels; a CRTC switched off gives
the "No signal" picture and, on again, the real pixels; the capture
helper keeps only CAP_SYS_ADMIN, permitted and not effective, under
seccomp; the writeback method says why vkms 6.1 cannot give it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from PIL import Image   # noqa: E402

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402
from smoke import RAMPART, TESTCLIENT, Rampart, guest_client  # noqa: E402
from vkms import PARAMS, writeback  # noqa: E402

NOSIGNAL = (0x10, 0x18, 0x20)   # the background of drm.c's "No signal"
GRAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grab.py")
CAP_SYS_ADMIN = 1 << 21


def same(t, got, want, desc):
    diffs = rfb.differences(got, want) if got is not None and \
        want is not None else ["no image"]
    t.ok(not diffs, desc, lambda: "first differences (x, y, got, "
         "expected): %s" % diffs)


def viewer(vm, name, hold=3):
    """What a libvncclient viewer in the guest shows after hold seconds."""
    rc, out, img = guest_client(vm, name, "--hold %d" % hold)
    return img, out


def grab_cursor(vm, name):
    """What rfb.py in the guest, listing the Cursor pseudo-encoding, shows
    (a PIL image), the cursor's shape it was sent (RGBA) and
    (w, h, hot_x, hot_y), and its output."""
    path, cpath = vm.path(name + ".png"), vm.path(name + "-cursor.png")
    rc, out = vm.run("/usr/bin/python3 %s 5900 %s %s" % (GRAB, path, cpath),
                     timeout=90)
    facts = [line.split()[1:] for line in out.splitlines()
             if line.startswith("cursor ")]
    if rc != 0 or not facts:
        return None, None, None, out
    with Image.open(path) as f:
        img = f.convert("RGB")
    with Image.open(cpath) as f:
        shape = f.convert("RGBA")
    return img, shape, tuple(int(v) for v in facts[0]), out


def cursor_as_told(shape, fn, size):
    """Where the shape sent differs from the picture fn: opaque where its
    alpha is 128 or more, there in its straight colour (kmstool stores it
    pre-multiplied), transparent elsewhere: the first differences."""
    diffs = []
    for y in range(size):
        for x in range(size):
            r, g, b, a = fn(x, y, size, size)
            want = (r, g, b, 255) if a >= 128 else None
            got = shape.getpixel((x, y))
            if (want is None and got[3] != 0) or \
                    (want is not None and got != want):
                diffs.append((x, y, got, want))
                if len(diffs) >= 10:
                    return diffs
    return diffs


def status(vm, name):
    """The /proc status lines of the running helper called name."""
    rc, out = vm.run("grep -E '^(Uid|CapPrm|CapEff|Seccomp):' "
                     "/proc/$(pgrep -x %s)/status" % name)
    return dict(line.split(":", 1) for line in out.splitlines()
                if ":" in line)


def main(t, vm):
    w, h = 1024, 768
    ov, cur = (100, 80, 200, 150), (500, 300)
    k = kms.Kmstool(vm, "--overlay %d,%d,%d,%d,AR24 --cursor %d,%d "
                    "--move 40,24" % (ov + cur), "planes")
    t.ok(k.ready, "kmstool: a pattern, an overlay and a cursor", k.output)
    r = Rampart(vm, "drm", "tcp:127.0.0.1:5900", "drm")
    t.ok(r.up, "rampart --capture drm is up", r.output)

    got, out = viewer(vm, "planes0")
    rc, _, wb = writeback(vm, "planes0")
    t.ok(got is not None and got.size == (w, h),
         "the viewer sees %dx%d" % (w, h), out)
    same(t, got, wb, "what the viewer sees is vkms's writeback of the "
         "three planes")
    same(t, got, kms.compose_vkms(w, h, [
        kms.Layer(kms.gradient, 0, 0, w, h, "XR24"),
        kms.Layer(kms.checker, ov[0], ov[1], ov[2], ov[3], "AR24"),
        kms.Layer(kms.cursor_image, cur[0], cur[1], kms.CURSOR_SIZE,
                  kms.CURSOR_SIZE, "AR24")]),
        "and the composition computed on its own")
    t.ok(r.logged("cursor 64x64 at %d,%d" % cur),
         "the cursor plane reaches the broker as the cursor", r.output)

    t.ok(k.step(1), "kmstool moves the overlay and the cursor", k.output)
    got, out = viewer(vm, "planes1")
    rc, _, wb = writeback(vm, "planes1")
    same(t, got, wb, "the viewer follows the move")

    # A viewer that draws the cursor itself: no cursor in its pixels, the
    # cursor plane's picture as the cursor instead.
    plain, shape, facts, out = grab_cursor(vm, "planes1-cursor")
    t.ok(plain is not None, "a viewer listing Cursor gets a frame and a "
         "cursor's shape", out)
    same(t, plain, kms.compose_vkms(w, h, [
        kms.Layer(kms.gradient, 0, 0, w, h, "XR24"),
        kms.Layer(kms.checker, ov[0] + 40, ov[1] + 24, ov[2], ov[3], "AR24")]),
        "its frame is the primary and the overlay alone: no cursor drawn")
    t.ok(facts == (kms.CURSOR_SIZE, kms.CURSOR_SIZE, 0, 0), "its cursor is "
         "the plane's size, 64x64, hot spot at the top left: %s"
         % (facts,), out)
    diffs = cursor_as_told(shape, kms.cursor_image, kms.CURSOR_SIZE) \
        if shape is not None else ["no shape"]
    t.ok(not diffs, "and the cursor plane's picture: opaque where alpha "
         "is 128 or more, in its colour not pre-multiplied",
         lambda: "first differences (x, y, got, expected): %s" % diffs)

    st = status(vm, "rampart-capture")
    t.ok(st.get("Seccomp", "").strip() == "2",
         "the capture helper runs under seccomp", st)
    try:
        prm, eff = (int(st[k].strip(), 16) for k in ("CapPrm", "CapEff"))
    except (KeyError, ValueError):
        prm = eff = -1
    t.ok(prm == CAP_SYS_ADMIN and eff == 0, "it keeps CAP_SYS_ADMIN "
         "permitted and nothing effective between frames", st)
    t.ok(k.stop(), "kmstool stops", k.output)

    # Another mode while a viewer watches: it is told the new size.
    vm.check("%s --timeout 30 --hold 12 --dump %s 127.0.0.1:5900 "
             ">%s 2>&1 &" % (TESTCLIENT, vm.path("resize.ppm"),
                             vm.path("resize.out")))
    vm.run("sleep 3")
    k = kms.Kmstool(vm, "--mode 800x600 --format RG16", "rg16")
    t.ok(k.ready, "kmstool: RGB565 at 800x600", k.output)
    vm.run("for i in $(seq 200); do [ -s %s ] && exit 0; sleep 0.1; done"
           % vm.path("resize.ppm"), timeout=40)
    rc, _, wb = writeback(vm, "rg16")
    try:
        from PIL import Image
        with Image.open(vm.path("resize.ppm")) as f:
            resized = f.convert("RGB")
    except OSError:
        resized = None
    t.ok(resized is not None and resized.size == (800, 600),
         "a connected viewer is told the new size 800x600",
         lambda: vm.get("resize.out").decode(errors="replace"))
    same(t, resized, wb, "and shows the new RGB565 pixels")
    t.ok(k.stop(), "kmstool stops", k.output)

    # The CRTC off: "No signal"; on again: the pixels.
    k = kms.Kmstool(vm, "--off", "off")
    t.ok(k.ready, "kmstool switches the output off", k.output)
    got, out = viewer(vm, "off")
    t.ok(got is not None and got.getpixel((2, 2)) == NOSIGNAL,
         "with the output off the viewer sees the No signal picture",
         lambda: "%s\n%s\n%s" % (got and got.getpixel((2, 2)), out,
                                   r.output()))
    t.ok(k.step(1), "kmstool switches the output on again", k.output)
    got, out = viewer(vm, "on")
    rc, _, wb = writeback(vm, "on")
    t.ok(wb is not None, "vkms writes back again")
    same(t, got, wb, "on again, the viewer sees the pattern")
    t.ok(k.stop(), "kmstool stops", k.output)
    t.ok(r.stop(), "rampart stops")

    # vkms in Linux 6.1 cannot write back an output while it shows it:
    # the method says so instead of failing silently.
    k = kms.Kmstool(vm, "", "wbmethod")
    r = Rampart(vm, "wb", "tcp:127.0.0.1:5900",
                "drm --capture-method writeback")
    got, out = viewer(vm, "wbmethod")
    log = vm.get("wb.log").decode(errors="replace")
    t.ok("cannot write back" in log and got is not None and
         got.getpixel((2, 2)) == NOSIGNAL, "--capture-method writeback on "
         "vkms 6.1: the reason is logged and shown", log)
    r.stop()
    k.stop()
    rc, out = vm.run("grep -l -E 'ERROR: (Address|Undefined)|runtime "
                     "error' %s %s" % (vm.path("drm.log"), vm.path("wb.log")))
    t.ok(rc == 1, "no sanitizer reports in rampart's logs", out)


if __name__ == "__main__":
    tap.run(main, limit=300, display="none", modules=[("vkms", PARAMS)],
            programs=(RAMPART, TESTCLIENT, kms.KMSTOOL))
