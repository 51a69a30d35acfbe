# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP for the VM tests, as tests/integration/lib.sh writes it, and the
frame every VM test runs in: a time limit, QEMU stopped whatever happens,
a skip only when QEMU cannot run at all.

    def main(t, vm): t.ok(cond, "what a user would check")
    tap.run(main, display="std", forward=True)
"""

import os
import signal
import sys
import time
import traceback

import vm as vmlib


class TAP:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, text):
        for line in str(text).rstrip("\n").split("\n"):
            print("# " + line)
        sys.stdout.flush()

    def ok(self, cond, desc, diag=None):
        """One test point; diag (a string, or a function giving one) is
        shown when it failed."""
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if callable(diag):
                diag = diag()
            if diag:
                self.diag(diag)
        sys.stdout.flush()
        return bool(cond)

    def skip(self, desc):
        self.n += 1
        print("ok %d # SKIP %s" % (self.n, desc))

    def skip_all(self, reason):
        print("1..0 # SKIP %s" % reason)
        sys.exit(0)

    def bail(self, reason):
        print("Bail out! %s" % reason.split("\n")[0])
        self.diag(reason)
        sys.exit(1)

    def done(self):
        print("1..%d" % self.n)
        sys.exit(0)


def _on_alarm(signum, frame):
    raise TimeoutError("the test ran out of time")


def run(main, limit=240, programs=(), **vm_options):
    """Boot a guest, run main(t, vm), and end the TAP stream.  A test that
    takes longer than limit seconds fails (QEMU is stopped all the same).
    programs: what must be built first (make check builds them)."""
    t = TAP()
    for path in programs:
        if not os.access(path, os.X_OK):
            t.bail("%s is not built" % path)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    # The first test on a machine builds the cache (a minute or more):
    # that is not the test's time.
    t0 = time.monotonic()
    try:
        cache = vmlib.prepare()
    except vmlib.VMSkip as e:
        t.skip_all(str(e))
    except vmlib.VMError as e:
        t.bail(str(e))
    if time.monotonic() - t0 > 5:
        t.diag("tests/vm/prepare.sh took %.0f s" % (time.monotonic() - t0))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(limit)
    vm = vmlib.VM(log=t.diag if os.environ.get("RAMPART_VM_VERBOSE")
                  else None, **vm_options)
    vm.cache = cache
    t0 = time.monotonic()
    try:
        try:
            vm.start()
        except vmlib.VMSkip as e:
            t.skip_all(str(e))
        except (vmlib.VMError, TimeoutError, OSError) as e:
            t.bail("the guest did not start: %s" % e)
        t.diag("guest up in %.1f s" % vm.boot_seconds)
        try:
            main(t, vm)
        except (vmlib.VMError, TimeoutError, OSError, AssertionError):
            t.ok(False, "the test ran to its end", traceback.format_exc())
            t.diag("kernel console:\n" + vm.console(30))
    finally:
        signal.alarm(0)
        vm.close()
    t.diag("%.1f s in the guest" % (time.monotonic() - t0))
    t.done()
