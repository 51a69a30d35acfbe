#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""--capture-method egl on the cards Mesa 22 has no EGL driver for: bochs
(QEMU's -vga std) and vkms.  rampart says so and exits; the pixel checks
are skipped with the reasons, never passed.  bochs cannot even export a
buffer as a dma-buf.  Mesa runs kms_swrast only on cards whose driver is
virtio_gpu or vgem; told that vkms is one (MESA_LOADER_DRIVER_OVERRIDE,
here only), it imports vkms's buffers, and then what egl-check reads
inside the sandbox, and what a viewer of rampart sees with a half
transparent overlay and a cursor (ARGB planes, blended after the EGL
read), equal mmap's; a buffer that vgem exported, which vkms imports but
cannot map, is refused rather than read by llvmpipe from address 0."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import tap      # noqa: E402
from egl import (EGLCHECK, FAST, Rampart, card_of, check_reads,  # noqa
                 egl_check, facts, reason, same, until, viewer)
from smoke import RAMPART, TESTCLIENT  # noqa: E402
from vkms import PARAMS  # noqa: E402

# Mesa 22.3 takes kms_swrast for a card whose driver is virtio_gpu or
# vgem (platform_surfaceless.c): this makes it believe vkms is one.
PRETEND = "MESA_LOADER_DRIVER_OVERRIDE=virtio_gpu"


def refused(t, vm, card, name):
    """rampart --capture-method egl on card exits with Mesa's reason;
    the pixel checks are skipped with it."""
    r = Rampart(vm, name, "drm:%s --capture-method egl" % card, FAST)
    gone = not r.up and r.exited()
    log = r.whole_log()
    t.ok(gone and "no EGL driver imports buffers of this" in log,
         "%s: rampart --capture-method egl exits, saying why" % name, log[-3000:])
    if not gone:
        r.stop()
    said = [line.split("egl: ", 1)[1] for line in log.splitlines()
            if "egl: no EGL driver" in line]
    rc, out, f = egl_check(vm, card, frames=1)
    t.ok(rc != 0, "%s: egl-check cannot read through EGL" % name, out)
    why = reason(out)
    if not why.startswith("egl-check: "):
        why = "egl-check: " + why
    t.skip("%s: no Mesa driver imports its buffers: %s%s"
           % (name, said[0] + "; " if said else "", why))


def main(t, vm):
    bochs, vkms = card_of(vm, "bochs-drm"), card_of(vm, "vkms")
    t.ok(bochs is not None and vkms is not None,
         "bochs is %s, vkms %s" % (bochs, vkms))
    refused(t, vm, bochs, "bochs")

    w, h = 1024, 768
    ov, cur = (100, 80, 200, 150), (500, 300)
    k = kms.Kmstool(vm, "--card %s --mode %dx%d --overlay %d,%d,%d,%d,AR24 "
                    "--cursor %d,%d" % ((vkms[-1], w, h) + ov + cur),
                    "planes")
    t.ok(k.ready, "kmstool: a gradient, a half transparent overlay and a "
         "cursor on vkms", k.output)
    refused(t, vm, vkms, "vkms")

    # Only vkms from here on: Mesa's kms_swrast takes the first card
    # that claims to be virtio_gpu, and with the pretence bochs would.
    vm.check("echo $(basename $(readlink /sys/class/drm/%s/device)) > "
             "/sys/bus/pci/drivers/bochs-drm/unbind"
             % os.path.basename(bochs))
    # A buffer of vgem's too, which vkms imports but cannot map for
    # kms_swrast: vgem comes once EGL is open, or Mesa would take it.
    foreign = vm.path("foreign")
    pid = vm.spawn("env %s %s %s --card %s --frames 3 --sandbox "
                   "--foreign %s" % (PRETEND, FAST, EGLCHECK, vkms, foreign),
                   "check.log")
    rc, _ = vm.run(until("grep -q '^open_ms=' %s" % vm.path("check.log"),
                         120, pid), timeout=150)
    if rc == 0:
        vm.modprobe("vgem")
        vm.check("ln -s %s %s" % (card_of(vm, "vgem"), foreign))
    rc, _ = vm.run(until("! kill -0 %d 2>/dev/null" % pid, 120),
                   timeout=150)
    out = vm.get("check.log").decode(errors="replace")
    # vgem would now be Mesa's choice: away with it.
    vm.run("rm -f %s; modprobe -r vgem" % foreign)
    f = facts(out)
    if f.get("egl_open") == "failed" or "sandbox" not in f:
        t.skip("vkms as virtio_gpu: Mesa still imports nothing: %s"
               % reason(out))
        return
    check_reads(t, out, f, "vkms as virtio_gpu")
    t.ok(f.get("foreign_read") == "refused" and
         "from another device" in f.get("foreign_why", ""),
         "a buffer vgem exported, which vkms imports but cannot map for "
         "kms_swrast, is refused with the reason, not read from address "
         "0: %s" % f.get("foreign_why"), out)

    r = Rampart(vm, "mmap", "drm:%s --capture-method mmap" % vkms)
    t.ok(r.up, "rampart --capture-method mmap is up", r.output)
    by_mmap, out = viewer(vm, "mmap")
    t.ok(r.stop(), "rampart stops")
    r = Rampart(vm, "egl", "drm:%s --capture-method egl" % vkms,
                PRETEND + " " + FAST)
    t.ok(r.up, "rampart --capture-method egl is up, vkms as virtio_gpu",
         r.output)
    by_egl, out = viewer(vm, "egl")
    same(t, by_egl, by_mmap, "a viewer sees the three planes composed the "
         "same through EGL as through mmap")
    t.ok(r.logged("cursor 64x64 at %d,%d" % cur),
         "the cursor plane, read through EGL, reaches the broker", r.output)
    t.ok(r.stop(), "rampart stops")
    k.stop()


if __name__ == "__main__":
    tap.run(main, limit=600, display="std", modules=[("vkms", PARAMS)],
            programs=(RAMPART, TESTCLIENT, kms.KMSTOOL, EGLCHECK))
