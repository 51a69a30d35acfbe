# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot a Linux guest in QEMU (TCG) for rampart's VM tests, and drive it.

    with VM(display="std", forward=True) as vm:
        vm.modprobe("vkms", enable_cursor=1)
        rc, out = vm.run("modetest -c")
        img = vm.screendump()          # a PIL image: what QEMU shows

The guest is Debian's kernel booted as PVH from an uncompressed vmlinux,
with a small initramfs (tests/vm/prepare.sh builds both, once, into a
cache) whose init mounts the host's /usr, the build and source trees and
the kernel's modules read-only over 9p at the same paths, and the test's
scratch directory read-write: every host binary runs in the guest by its
plain path, and a file written by either side is the same path on both.

Two serial ports: ttyS0 is the kernel's console, logged to console.log in
the work directory; ttyS1 carries a root shell that run() drives, each
command framed by markers with its exit status.  QEMU's QMP socket takes
the screendumps and the final quit.  QEMU is always stopped by its own pid
(close(), the context manager, atexit, and a death signal should this
process be killed).
"""

import atexit
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU = "qemu-system-x86_64"
SKIP = 77


class VMError(Exception):
    """The guest could not be started or did not answer."""


class VMSkip(Exception):
    """QEMU cannot run here at all: the only reason to skip a VM test."""


def prepare():
    """Build (or find) the kernel, modules and initramfs: their directory."""
    p = subprocess.run([os.path.join(HERE, "prepare.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, check=False)
    if p.returncode == SKIP:
        raise VMSkip(p.stderr.strip() or "QEMU is not available")
    if p.returncode != 0:
        raise VMError("tests/vm/prepare.sh failed:\n" + p.stderr)
    return p.stdout.strip().splitlines()[-1]


def _die_with_parent():
    # PR_SET_PDEATHSIG: QEMU is killed if the test is, whatever the way.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class VM:
    """One guest.  display: "std" (bochs, QEMU's -vga std), "virtio"
    (virtio-gpu with `outputs` heads) or "none".  forward: forward a
    host port on 127.0.0.1 (self.port) to the guest's port 5900.
    memory: QEMU's -m.  shares: extra (host path, "ro"|"rw") pairs.
    modules: [(name, {param: value})] loaded once the guest is up."""

    def __init__(self, display="std", outputs=1, memory="768M",
                 forward=False, modules=(), shares=(), smp=1,
                 boot_timeout=120, log=None):
        self.display = display
        self.outputs = outputs
        self.memory = memory
        self.forward = forward
        self.modules = list(modules)
        self.extra_shares = list(shares)
        self.smp = smp
        self.boot_timeout = boot_timeout
        self.log = log or (lambda msg: None)
        self.proc = None
        self.cache = None       # prepare()'s directory, found at start
        self.port = None
        self.qmp = None
        self.boot_seconds = None
        self._buf = b""
        self._seq = 0
        self.top_builddir = os.path.abspath(
            os.environ.get("top_builddir", os.path.join(HERE, "..", "..")))
        self.top_srcdir = os.path.abspath(
            os.environ.get("top_srcdir", os.path.join(HERE, "..", "..")))
        # The work directory holds QEMU's sockets and logs; its scratch
        # subdirectory is the guest's writable share, at the same path.
        self.workdir = tempfile.mkdtemp(prefix="rampart-vm.",
                                        dir=os.environ.get("TMPDIR", "/tmp"))
        os.chmod(self.workdir, 0o755)
        self.scratch = os.path.join(self.workdir, "scratch")
        os.mkdir(self.scratch)
        # rampart's unprivileged user writes here too (its sockets, logs).
        os.chmod(self.scratch, 0o1777)
        self.console_log = os.path.join(self.workdir, "console.log")
        self.shell_log = open(os.path.join(self.workdir, "shell.log"), "wb")
        atexit.register(self.close)

    # --- start and stop ---------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _shares(self):
        shares = [("/usr", "/usr", "ro"),
                  (os.path.join(self.cache, "mod"), "/vm/mod", "ro"),
                  ("/etc", "/vm/host-etc", "ro"),
                  (self.top_srcdir, self.top_srcdir, "ro")]
        if self.top_builddir != self.top_srcdir:
            shares.append((self.top_builddir, self.top_builddir, "ro"))
        for path, mode in self.extra_shares:
            shares.append((os.path.abspath(path), os.path.abspath(path),
                           mode))
        shares.append((self.scratch, self.scratch, "rw"))
        # Mounted parents first: a tree inside another is mounted on a
        # directory the outer share already shows.
        return sorted(shares, key=lambda s: s[1].count("/"))

    def _command(self):
        args = [QEMU, "-nodefaults", "-no-user-config",
                "-accel", "tcg", "-machine", "pc",
                "-cpu", os.environ.get("RAMPART_VM_CPU", "max"),
                "-m", self.memory, "-smp", str(self.smp),
                "-kernel", os.path.join(self.cache, "vmlinux"),
                "-initrd", os.path.join(self.cache, "initramfs.cpio"),
                "-display", "none", "-no-reboot",
                "-chardev", "file,id=con,path=" + self.console_log,
                "-serial", "chardev:con",
                "-chardev", "stdio,id=sh,signal=off",
                "-serial", "chardev:sh",
                "-chardev", "socket,id=qmp,server=on,wait=off,path="
                + os.path.join(self.workdir, "qmp.sock"),
                "-mon", "chardev=qmp,mode=control"]
        # acpi=off: routing each PCI interrupt through ACPI's link
        # devices runs AML in emulated code, a third of the boot time.
        # cryptomgr.notests: the crypto self-tests took 0.4 s more.
        append = ["console=ttyS0", "panic=-1", "loglevel=4", "acpi=off",
                  "cryptomgr.notests=1", "mitigations=off", "tsc=reliable",
                  "no_timer_check"]
        append += os.environ.get("RAMPART_VM_APPEND", "").split()
        # Files the guest creates belong to the guest's user, which QEMU
        # can only arrange as root; otherwise they are QEMU's user's.
        rw_model = "passthrough" if os.geteuid() == 0 else "none"
        for i, (host, guest, mode) in enumerate(self._shares()):
            if "," in host or " " in guest:
                raise VMError("cannot share a path with a comma or a "
                              "space: " + host)
            args += ["-fsdev", "local,id=fs%d,path=%s,security_model=%s%s"
                     % (i, host, "none" if mode == "ro" else rw_model,
                        ",readonly=on" if mode == "ro" else ""),
                     "-device", "virtio-9p-pci,fsdev=fs%d,mount_tag=s%d"
                     % (i, i)]
            append.append("vm.share=s%d,%s,%s" % (i, guest, mode))
        if self.display == "std":
            args += ["-device", "VGA,id=video0"]
        elif self.display == "virtio":
            args += ["-device", "virtio-gpu-pci,id=video0,max_outputs=%d"
                     % self.outputs]
            # A head is connected for the guest once a display of QEMU's
            # shows it at some size: one VNC server (on a unix socket)
            # per head, through which set_head() asks for a size.
            for head in range(self.outputs):
                args += ["-vnc", "unix:%s,id=head%d,display=video0,head=%d"
                         % (self._head_socket(head), head, head)]
        elif self.display != "none":
            raise ValueError("display: std, virtio or none")
        if self.forward:
            self.port = _free_port()
            args += ["-netdev", "user,id=net0,restrict=on,"
                     "hostfwd=tcp:127.0.0.1:%d-:5900" % self.port,
                     "-device", "virtio-net-pci,netdev=net0"]
        args += ["-append", " ".join(append)]
        return args

    def start(self):
        if self.cache is None:
            self.cache = prepare()
        for attempt in range(3):
            args = self._command()
            self.log("qemu: " + " ".join(args))
            t0 = time.monotonic()
            with open(os.path.join(self.workdir, "qemu.err"), "wb") as err:
                self.proc = subprocess.Popen(
                    args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=err, preexec_fn=_die_with_parent,
                    cwd=self.workdir)
            self._buf = b""
            try:
                self._expect(b"@@VM-READY@@\r\n", self.boot_timeout)
                break
            except VMError:
                if self.proc.poll() is not None and attempt < 2 and \
                        "host forwarding" in self.qemu_errors():
                    # Someone took the port meanwhile: another one.
                    self.proc.stdin.close()
                    self.proc.stdout.close()
                    continue
                raise
        self.boot_seconds = time.monotonic() - t0
        self._connect_qmp()
        for name, params in self.modules:
            self.modprobe(name, **params)

    def qemu_errors(self):
        try:
            with open(os.path.join(self.workdir, "qemu.err")) as f:
                return f.read()
        except OSError:
            return ""

    def console(self, lines=40):
        """The end of the kernel's console: for a diagnostic."""
        try:
            with open(self.console_log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        """Stop QEMU (by its pid, whatever state it is in) and remove the
        work directory unless RAMPART_VM_KEEP is set."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                # Nothing in the guest needs a clean shutdown: the scratch
                # share is written through.
                if self.qmp is not None:
                    self._qmp("quit")
                    self.proc.wait(timeout=5)
            except (OSError, VMError, subprocess.TimeoutExpired):
                pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
        self.proc = None
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None
        if self.workdir is not None and not self.shell_log.closed:
            self.shell_log.close()
        if self.workdir is not None and \
                not os.environ.get("RAMPART_VM_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    # --- the shell on ttyS1 -----------------------------------------------

    def _read(self, timeout):
        """What the shell said within timeout, added to the buffer."""
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0, timeout))
        if not r:
            return False
        data = os.read(fd, 65536)
        if not data:
            raise VMError("QEMU exited (status %s): %s\n%s" % (
                self.proc.wait(), self.qemu_errors(), self.console()))
        self.shell_log.write(data)
        self.shell_log.flush()
        self._buf += data
        return True

    def _expect(self, marker, timeout):
        """Everything before marker (consumed with it)."""
        deadline = time.monotonic() + timeout
        while marker not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VMError("no %r from the guest within %d s\n%s" % (
                    marker, timeout, self.console()))
            self._read(left)
        before, self._buf = self._buf.split(marker, 1)
        return before

    def _send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def run(self, command, timeout=30):
        """Run a shell command as root in the guest; (exit status, output)
        with stdout and stderr together.  Its stdin is /dev/null."""
        t0 = time.monotonic()
        self._seq += 1
        n = self._seq
        if any(ord(c) < 32 and c != "\n" for c in command):
            raise ValueError("no control characters in a guest command")
        if len(command) > 1000 or "\n" in command:
            # The terminal takes lines of up to 4095 bytes: longer
            # commands travel as a script on the scratch share.
            script = os.path.join(self.scratch, ".cmd%d.sh" % n)
            with open(script, "w") as f:
                f.write(command + "\n")
            inner = "/bin/sh " + script
        else:
            inner = "/bin/sh -c " + _quote(command)
        # The command runs in the host's /bin/sh: the guest's busybox
        # shell would prefer its own applets to the host's programs.
        # The markers are split by quotes, so that the command line
        # itself, were it ever echoed, does not look like them.
        self._buf = b""
        # Its output goes through a pipe: programs that see a terminal
        # colour their output or page it.
        self._send("echo '@@B''EGIN %d@@'; { %s </dev/null 2>&1; "
                   "echo \"@@E\"\"ND %d $?@@\"; } | /bin/cat"
                   % (n, inner, n))
        begin = ("@@BEGIN %d@@\r\n" % n).encode()
        try:
            self._expect(begin, timeout)
            out = self._expect(("@@END %d " % n).encode(), timeout)
            status = self._expect(b"@@\r\n", 5)
        except VMError:
            self._interrupt()
            raise VMError("guest command timed out after %d s: %s"
                          % (timeout, command))
        text = out.decode(errors="replace").replace("\r\n", "\n")
        self.log("guest: %s (exit %s, %.2f s)" % (
            command[:200], int(status), time.monotonic() - t0))
        return int(status), text

    def _interrupt(self):
        # ^C ends the command and its shell; init starts another.
        try:
            self.proc.stdin.write(b"\x03")
            self.proc.stdin.flush()
            self._expect(b"@@VM-READY@@\r\n", 10)
        except (OSError, VMError):
            pass

    def check(self, command, timeout=30):
        """run(), raising VMError when the command fails: its output."""
        rc, out = self.run(command, timeout)
        if rc != 0:
            raise VMError("guest command failed (exit %d): %s\n%s"
                          % (rc, command, out))
        return out

    def spawn(self, command, log):
        """Start a command in the background, in a session of its own,
        its output in the scratch file `log`; its guest pid."""
        path = self.path(log)
        # The log exists when this returns, whether or not the command
        # has run yet.
        out = self.check(": >%s; setsid sh -c %s </dev/null >>%s 2>&1 & "
                         "echo $!" % (path, _quote("exec " + command), path))
        return int(out.split()[-1])

    def modprobe(self, name, **params):
        args = " ".join("%s=%s" % (k, v) for k, v in params.items())
        self.check("modprobe %s %s" % (name, args), timeout=60)

    # --- files ---------------------------------------------------------------

    def path(self, name):
        """The path of a scratch file: the same on the host and guest."""
        return os.path.join(self.scratch, name)

    def put(self, name, data):
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(self.path(name), mode) as f:
            f.write(data)
        return self.path(name)

    def get(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    # --- QMP -----------------------------------------------------------------

    def _connect_qmp(self):
        self.qmp = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.qmp.settimeout(30)
        self.qmp.connect(os.path.join(self.workdir, "qmp.sock"))
        self._qmp_file = self.qmp.makefile("rwb")
        json.loads(self._qmp_file.readline())          # the greeting
        self._qmp("qmp_capabilities")

    def _qmp(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self._qmp_file.write(json.dumps(msg).encode() + b"\n")
        self._qmp_file.flush()
        while True:
            line = self._qmp_file.readline()
            if not line:
                raise VMError("QMP closed during " + command)
            reply = json.loads(line)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise VMError("QMP %s: %s" % (command, reply["error"]))
            # Anything else is an asynchronous event.

    def _head_socket(self, head):
        return os.path.join(self.workdir, "head%d.sock" % head)

    def set_head(self, head, width, height, timeout=30):
        """Connect head (of display "virtio") to the guest at width x
        height, as a window of that size would: with -display none only
        head 0 is connected at first.  Returns when the guest's connector
        says so."""
        import rfb
        with rfb.Client(self._head_socket(head), timeout=timeout) as c:
            c.frame()
            c.set_desktop_size(width, height)
            c.read_update(timeout)
        connector = "/sys/class/drm/card0-Virtual-%d" % (head + 1)
        self.check("for i in $(seq %d); do grep -qx connected %s/status "
                   "&& grep -qx %dx%d %s/modes && exit 0; sleep 0.1; done; "
                   "cat %s/status %s/modes; exit 1"
                   % (timeout * 10, connector, width, height, connector,
                      connector, connector), timeout=timeout + 10)

    def screendump(self, head=None):
        """What QEMU shows of the display (a head of virtio-gpu), as a
        PIL image: the ground truth of the guest's screen."""
        from PIL import Image
        self._seq += 1
        path = os.path.join(self.workdir, "screen%d.png" % self._seq)
        args = {"filename": path, "format": "png"}
        if head is not None:
            args["device"] = "video0"
            args["head"] = head
        self._qmp("screendump", **args)
        with Image.open(path) as img:
            img.load()
            return img.convert("RGB")


def main():
    """python3 tests/vm/vm.py [--display std|virtio|none] [--outputs N]
    [--forward] [--module NAME[:K=V...]]: a guest with a shell on this
    terminal, for debugging (type commands; ^D ends)."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--display", default="std")
    ap.add_argument("--outputs", type=int, default=1)
    ap.add_argument("--forward", action="store_true")
    ap.add_argument("--memory", default="768M")
    ap.add_argument("--module", action="append", default=[])
    a = ap.parse_args()
    modules = []
    for spec in a.module:
        name, *kv = spec.split(":")
        modules.append((name, dict(p.split("=", 1) for p in kv)))
    vm = VM(display=a.display, outputs=a.outputs, forward=a.forward,
            memory=a.memory, modules=modules,
            log=print if os.environ.get("RAMPART_VM_VERBOSE") else None)
    with vm:
        print("booted in %.1f s; scratch %s%s" % (
            vm.boot_seconds, vm.scratch,
            "; host port %d -> guest 5900" % vm.port if vm.forward else ""))
        while True:
            try:
                line = input("guest# ")
            except EOFError:
                break
            if not line.strip():
                continue
            try:
                rc, out = vm.run(line, timeout=600)
                sys.stdout.write(out)
                if rc:
                    print("(exit %d)" % rc)
            except VMError as e:
                print(e)


if __name__ == "__main__":
    main()
