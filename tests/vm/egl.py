#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""--capture-method egl on virtio-gpu without 3D, where Mesa (the host's,
from /usr) reads buffers through kms_swrast: kmstool shows a gradient;
tests/vm/egl-check reads it by mmap and through capture/drm-egl.c inside
the capture helper's seccomp policy with the egl method's needs, the
whole screen, a rectangle, and buffers of its own past the image cache,
and every pixel agrees; then rampart --capture-method mmap and
--capture-method egl give a viewer the same frame, the gradient computed
here, and after a flip the inverse, read from a buffer imported inside
the sandbox.  A buffer exported by another card (vkms) is refused with a
reason.  The capture helper runs one thread, under seccomp.

Should no Mesa driver import the buffers, the pixel checks are skipped
with the reason Mesa gave: a skip, never a pass."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kms      # noqa: E402
import rfb      # noqa: E402
import tap      # noqa: E402
import smoke    # noqa: E402
from smoke import RAMPART, TESTCLIENT, guest_client  # noqa: E402

EGLCHECK = os.path.join(os.environ.get("top_builddir", "."), "tests", "vm",
                        "egl-check")
# QEMU emulates 256-bit vectors (AVX2) slowly: llvmpipe draws a frame
# three times faster with 128-bit ones.  Speed only: the pixels are the
# same (egl-check compares them either way).
FAST = "LP_NATIVE_VECTOR_WIDTH=128"


def until(cond, seconds, pid=None):
    """A guest command: exit 0 once cond holds, 1 when seconds have
    passed (by the clock: a loaded guest sleeps long) or pid is gone."""
    gone = "kill -0 %d 2>/dev/null || exit 1; " % pid if pid else ""
    return ("end=$(($(date +%%s) + %d)); while [ $(date +%%s) -lt $end ]; "
            "do %s && exit 0; %ssleep 0.1; done; exit 1"
            % (seconds, cond, gone))


def facts(out):
    """egl-check's facts: "key=value" words, and lines of one key whose
    value is a sentence (egl=, egl_why=, sandbox_why=)."""
    f = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        if not key.isidentifier():
            continue
        if key == "egl" or key.endswith("_why"):
            f[key] = value
            continue
        for word in line.split():
            key, _, value = word.partition("=")
            if key.isidentifier():
                f[key] = value
    return f


def reason(out):
    """Why egl-check could not read: its own words, or EGL's."""
    f = facts(out)
    if "egl_why" in f:
        return f["egl_why"]
    lines = [line for line in out.splitlines()
             if line.startswith("egl-check: ")]
    return lines[-1] if lines else out.strip()[-300:]


def egl_check(vm, card, env="", frames=3, args=""):
    """egl-check in the sandbox on card: (exit status, output, facts)."""
    rc, out = vm.run("%s %s %s --card %s --frames %d --sandbox %s"
                     % (env, FAST, EGLCHECK, card, frames, args),
                     timeout=240)
    return rc, out, facts(out)


def card_of(vm, name):
    """The /dev/dri/cardN whose device's driver (bochs-drm) or whose
    device (vkms, a platform device without a driver) is called name."""
    out = vm.check("for c in /sys/class/drm/card[0-9]; do echo $c "
                   "$(basename $(readlink $c/device)) "
                   "$(basename $(readlink $c/device/driver) 2>/dev/null); "
                   "done")
    for line in out.splitlines():
        words = line.split()
        if name in words[1:]:
            return "/dev/dri/" + os.path.basename(words[0])
    return None




def check_reads(t, out, f, what):
    """The pixel checks of one egl-check run that could read."""
    t.ok(f.get("sandbox") == "capture+egl",
         "%s: egl-check reads inside the capture policy with the egl "
         "method's needs" % what, out)
    t.ok(f.get("threads") == "1",
         "%s: EGL left no thread of its own (they would keep root's "
         "capabilities in the sandbox)" % what, out)
    t.ok(f.get("full_mismatch") == "0",
         "%s: the whole screen through EGL equals the mapped buffer"
         % what, out)
    t.ok(f.get("rect_mismatch") == "0",
         "%s: so does the rectangle %s, into rows wider than it"
         % (what, f.get("rect")), out)
    t.ok(f.get("last_mismatch") == "0",
         "%s: and the last of the frames read again" % what, out)
    t.ok(f.get("own_reads") == "12" and f.get("own_mismatch") == "0",
         "%s: six buffers of its own, more than EGL keeps imported, read "
         "twice round: each is what was written" % what, out)
    t.diag("%s: %s ms a %s frame (first %s ms, EGL ready in %s ms), %s"
           % (what, f.get("frame_ms"), f.get("size"), f.get("first_ms"),
              f.get("open_ms"), f.get("egl")))


class Rampart(smoke.Rampart):
    """rampart in the guest with env, its capture helper waited for."""

    def __init__(self, vm, name, capture, env=""):
        self.vm, self.log = vm, name + ".log"
        self.pid = vm.spawn("env ASAN_OPTIONS=detect_leaks=0 %s %s "
                            "--foreground --config /dev/null "
                            "--insecure-no-auth --listen "
                            "tcp:127.0.0.1:5900 --capture %s --log-level "
                            "debug" % (env, RAMPART, capture), self.log)
        # Every helper in its sandbox: EGL is ready (the supervisor
        # gives up after 90 s), or rampart is gone.
        rc, _ = vm.run(until("grep -q 'every helper is up' %s"
                             % vm.path(self.log), 100, self.pid),
                       timeout=130)
        self.up = rc == 0

    def exited(self, timeout=30):
        """Whether rampart ends by itself within timeout seconds."""
        rc, out = self.vm.run(until("! kill -0 %d 2>/dev/null" % self.pid,
                                    timeout), timeout=timeout + 30)
        return rc == 0

    def helper(self):
        """The capture helper's /proc status lines."""
        rc, out = self.vm.run("grep -E '^(Threads|CapEff|Seccomp):' "
                              "/proc/$(pgrep -x rampart-capture)/status")
        return dict((k.strip(), v.strip()) for k, v in
                    (line.split(":", 1) for line in out.splitlines()
                     if ":" in line))


def viewer(vm, name):
    rc, out, img = guest_client(vm, name, "--hold 2")
    return img, out


def same(t, got, want, desc):
    diffs = rfb.differences(got, want) if got is not None and \
        want is not None else ["no image"]
    t.ok(not diffs, desc, lambda: "first differences (x, y, got, "
         "expected): %s" % diffs)


def frame_when(vm, name, want, timeout=60):
    """What a viewer sees, once it is want (or the deadline passed)."""
    deadline = time.monotonic() + timeout
    while True:
        got, out = viewer(vm, name)
        if got is not None and not rfb.differences(got, want):
            return got, out
        if time.monotonic() > deadline:
            return got, out
        time.sleep(1)


def main(t, vm):
    w, h = 1024, 768
    k = kms.Kmstool(vm, "--mode %dx%d --pattern gradient --flip" % (w, h),
                    "screen")
    t.ok(k.ready, "kmstool shows a %dx%d gradient on virtio-gpu" % (w, h),
         k.output)

    # vkms is another card to make a buffer on, one Mesa never takes.
    vm.modprobe("vkms")
    other = card_of(vm, "vkms")
    rc, out, f = egl_check(vm, "/dev/dri/card0", args="--foreign %s" % other)
    if f.get("egl_open") == "failed" or "sandbox" not in f:
        t.skip("no Mesa driver imports virtio-gpu's buffers: %s"
               % reason(out))
        return
    check_reads(t, out, f, "virtio-gpu")
    t.ok(f.get("foreign_read") == "refused" and f.get("foreign_why"),
         "a buffer that another card (vkms) exported is refused, with the "
         "reason: %s" % f.get("foreign_why"), out)

    r = Rampart(vm, "mmap", "drm --capture-method mmap")
    t.ok(r.up, "rampart --capture-method mmap is up", r.output)
    by_mmap, out = viewer(vm, "mmap")
    t.ok(r.stop(), "rampart stops")

    r = Rampart(vm, "egl", "drm --capture-method egl", FAST)
    t.ok(r.up, "rampart --capture-method egl is up", r.output)
    by_egl, out = viewer(vm, "egl")
    same(t, by_egl, by_mmap, "a viewer sees the same frame through EGL as "
         "through mmap")
    same(t, by_egl, kms.image(kms.gradient, w, h),
         "and it is the gradient kmstool drew")
    t.ok(r.logged("reading framebuffers by EGL",
                  "egl: reading virtio_gpu buffers through llvmpipe"),
         "the capture helper says it reads through EGL, and with what",
         r.output)
    st = r.helper()
    t.ok(st.get("Seccomp") == "2" and st.get("Threads") == "1" and
         st.get("CapEff") == "0000000000000000",
         "the capture helper is one thread under seccomp, no capability "
         "effective", str(st))

    t.ok(k.step(1), "kmstool flips to its other buffer", k.output)
    got, out = frame_when(vm, "flipped", kms.image(kms.inverse, w, h))
    same(t, got, kms.image(kms.inverse, w, h),
         "the viewer sees the other buffer, imported inside the sandbox")
    st = r.helper()
    t.ok(st.get("Seccomp") == "2", "the capture helper is still there",
         r.output)
    t.ok(r.stop(), "rampart stops")
    k.stop()


if __name__ == "__main__":
    tap.run(main, limit=600, display="virtio",
            programs=(RAMPART, TESTCLIENT, kms.KMSTOOL, EGLCHECK))
