#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rampart --input uinput on a real kernel: a VNC client in the guest
types and points, and what the guest's evdev devices report (read by
tests/vm/evread) is exactly what was meant.

- Keys: letters of both cases, digits, shifted symbols, keypad keys,
  F-keys, Ctrl and Alt chords arrive as the US layout's key codes, Shift
  pressed around the shifted symbols as broker/keyboard.c does; a
  client's repeated press of a held key is one press; the kernel repeats
  a held key itself.  A client killed mid-chord, and an input helper
  killed mid-chord, leave no key down.  A power key from a client does
  not arrive.  rampart-input types with no capability, in seccomp.
- LEDs: Caps Lock set on the device in the guest reaches the broker.
- Pointer: the corners and centre of the screen as absolute values, every
  RFB button and both wheels; --pointer touch gives touches (a right
  click a long press of at least 0.8 s); --pointer mouse relative moves
  from the corner.
- The text console: text typed through rampart appears on tty1, as
  QEMU's screendump shows, and rampart's DRM capture shows the same.

Measured, not asserted: the latency from a client's key to the evdev
event (kernel timestamps against the client's clock, both the guest's).

Run in the guest as "uinput.py latency N" or "uinput.py evtime NAME S",
it is the guest side of those measurements.
"""

import glob
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("top_builddir", "."))
EVREAD = os.path.join(BUILD, "tests", "vm", "evread")

KEYBOARD = "rampart keyboard"
TABLET = "rampart pointer"
TOUCH = "rampart touchscreen"
MOUSE = "rampart mouse"

# The demo screen.
W, H = 1280, 800

# struct input_event on a 64-bit kernel: timeval, type, code, value.
EVENT = struct.Struct("llHHi")
EV_SYN, EV_KEY, EV_ABS = 0, 1, 3
KEY_A, BTN_TOUCH = 30, 0x14a


# --- the guest side ---------------------------------------------------------

def guest_open(name, timeout=10):
    """The evdev node of the device called name, opened for reading."""
    deadline = time.monotonic() + timeout
    while True:
        for path in glob.glob("/sys/class/input/event*/device/name"):
            with open(path) as f:
                if f.read().strip() == name:
                    node = "/dev/input/" + path.split("/")[4]
                    return os.open(node, os.O_RDONLY | os.O_NONBLOCK)
        if time.monotonic() > deadline:
            raise SystemExit("no input device named %r" % name)
        time.sleep(0.05)


def guest_events(fd, timeout):
    """The events that can be read within timeout: (t, type, code, value)."""
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return []
    data = os.read(fd, EVENT.size * 64)
    return [(s + us / 1e6, ty, code, value) for s, us, ty, code, value in
            (EVENT.unpack_from(data, i)
             for i in range(0, len(data), EVENT.size))]


def guest_latency(n):
    """Type 'a' n times with rfb.py; print each key's latency in ms, from
    just before the client's send to the kernel's timestamp of the event
    (both CLOCK_REALTIME of the guest)."""
    import rfb
    fd = guest_open(KEYBOARD)
    c = rfb.Client("127.0.0.1", 5900, timeout=30)
    lat = []
    for i in range(2 * n):
        down = 1 - i % 2
        t0 = time.time()
        c.sock.sendall(struct.pack(">BBxxI", 4, down, ord("a")))
        deadline = time.monotonic() + 5
        got = None
        while got is None and time.monotonic() < deadline:
            for t, ty, code, value in guest_events(fd, 1):
                if ty == EV_KEY and code == KEY_A and value == down:
                    got = t
        if got is None:
            raise SystemExit("key %d never arrived" % i)
        lat.append((got - t0) * 1000)
        time.sleep(0.02)
    c.close()
    print("resolution %g" % time.get_clock_info("time").resolution)
    print(" ".join("%.3f" % v for v in lat))


def guest_evtime(name, seconds):
    """Print every event of the device named name with its kernel time,
    "T TYPE CODE VALUE", for seconds (after a line "ready")."""
    fd = guest_open(name)
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for ev in guest_events(fd, 0.2):
            print("%.6f %d %d %d" % ev, flush=True)


# --- the host side ----------------------------------------------------------

def at(v, size):
    """The position the broker sends for pixel v of a screen of size."""
    return v * 65535 // (size - 1)


# What broker/keymap.c makes of the client's keysyms (US layout): key and
# whether it needs Shift.
US = {c: ("KEY_" + c.upper(), False) for c in "abcdefghijklmnopqrstuvwxyz"}
US.update({c.upper(): ("KEY_" + c.upper(), True)
           for c in "abcdefghijklmnopqrstuvwxyz"})
US.update({str(d): ("KEY_%d" % d, False) for d in range(10)})
US.update({
    "*": ("KEY_8", True), "@": ("KEY_2", True), '"': ("KEY_APOSTROPHE", True),
    "~": ("KEY_GRAVE", True), "space": ("KEY_SPACE", False),
    "KP_1": ("KEY_KP1", False), "KP_Add": ("KEY_KPPLUS", False),
    "KP_Enter": ("KEY_KPENTER", False), "F1": ("KEY_F1", False),
    "F12": ("KEY_F12", False), "Tab": ("KEY_TAB", False),
    "Control_L": ("KEY_LEFTCTRL", False), "Alt_L": ("KEY_LEFTALT", False),
    "Shift_L": ("KEY_LEFTSHIFT", False),
})


def expected_keys(tokens):
    """The EV_KEY events the test client's --keys tokens make: a press
    that needs Shift gets it around the key's press only, as
    broker/keyboard.c does when the client holds no Shift."""
    out = []
    for tok in tokens:
        down = up = True
        if len(tok) > 1 and tok[0] in "+-":
            down, up = tok[0] == "+", tok[0] == "-"
            tok = tok[1:]
        key, shift = US[tok]
        if down and shift:
            out += [("KEY_LEFTSHIFT", 1), (key, 1), ("KEY_LEFTSHIFT", 0)]
        elif down:
            out.append((key, 1))
        if up:
            out.append((key, 0))
    return out


class Events:
    """evread events of a guest device, in the background."""

    def __init__(self, vm, device, name, seconds=120):
        self.vm, self.log = vm, name + ".ev"
        self.pid = vm.spawn("%s --timeout %d events '%s'"
                            % (EVREAD, seconds, device), self.log)
        self.ready = self.wait(lambda lines: True, timeout=20)

    def lines(self):
        """Every event so far, (type, code, value); None before ready."""
        text = self.vm.get(self.log).decode(errors="replace")
        if "ready\n" not in text:
            return None
        out = []
        for line in text.split("ready\n", 1)[1].splitlines():
            parts = line.split()
            if len(parts) == 3:
                out.append((parts[0], parts[1], int(parts[2])))
        return out

    def wait(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if lines is not None and predicate(lines):
                return lines
            if time.monotonic() > deadline:
                return lines
            time.sleep(0.2)

    def keys(self, repeats=False):
        """EV_KEY (code, value), the kernel's repeats (2) left out."""
        return [(c, v) for ty, c, v in self.lines() or []
                if ty == "EV_KEY" and (repeats or v != 2)]

    def frames(self):
        """The events between SYN_REPORTs, each frame a list of
        (code, value), empty frames left out."""
        out, cur = [], []
        for ty, c, v in self.lines() or []:
            if ty == "EV_SYN":
                if cur:
                    out.append(cur)
                cur = []
            else:
                cur.append((c, v))
        return out

    def stop(self):
        self.vm.run("kill %d 2>/dev/null" % self.pid)


def client(vm, name, args, timeout=30):
    """The test client in the guest (libvncclient): (status, output)."""
    from smoke import TESTCLIENT
    return vm.run("ASAN_OPTIONS=detect_leaks=0 %s --timeout %d %s "
                  "127.0.0.1:5900 >%s 2>&1; s=$?; cat %s; exit $s"
                  % (TESTCLIENT, timeout, args, vm.path(name + ".out"),
                     vm.path(name + ".out")), timeout=timeout + 30)


def held(vm):
    rc, out = vm.run("%s held '%s'" % (EVREAD, KEYBOARD))
    return out.strip() if rc == 0 else "(no device: %s)" % out.strip()


def wait_held(vm, want, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        now = held(vm)
        if now == want or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def info(vm, device):
    rc, out = vm.run("%s --timeout 10 info '%s'" % (EVREAD, device))
    return out if rc == 0 else ""


def udev_kind(vm, out):
    """What udev's input_id makes of the device evread info described
    (libinput takes devices by these): its ID_INPUT_* properties."""
    node = out.split("node: ", 1)[-1].split()[0] if "node: " in out else ""
    rc, props = vm.run("udevadm test-builtin input_id /sys/class/input/%s "
                       "2>/dev/null" % os.path.basename(node))
    return sorted(line.split("=")[0] for line in props.splitlines()
                  if line.startswith("ID_INPUT") and line.endswith("=1"))


def start(t, vm, name, options):
    from smoke import Rampart
    r = Rampart(vm, name, "tcp:127.0.0.1:5900", options)
    t.ok(r.up and r.logged("sink uinput ready"),
         "rampart --capture %s is up" % options, r.output)
    return r


def check_keyboard(t, vm, r):
    out = info(vm, KEYBOARD)
    keys = out.split("EV_KEY:", 1)[-1].split("\n", 1)[0].split()
    t.ok(len(keys) == 256 and "KEY_ESC" in keys and keys[-1] ==
         "KEY_POWER2" and "EV_LED: LED_NUML LED_CAPSL LED_SCROLLL\n" in out
         and "EV_REP:" in out and "EV_ABS" not in out,
         "'%s': 255 keys and KEY_POWER2, three LEDs, auto-repeat"
         % KEYBOARD, out)
    kind = udev_kind(vm, out)
    t.ok(kind == ["ID_INPUT", "ID_INPUT_KEY", "ID_INPUT_KEYBOARD"],
         "udev's input_id takes it for a keyboard: %s" % " ".join(kind))

    tokens = ["r", "a", "m", "P", "A", "R", "T", "0", "9", "*", "@", '"',
              "~", "KP_1", "KP_Add", "KP_Enter", "F1", "F12", "+Control_L",
              "c", "-Control_L", "+Alt_L", "Tab", "-Alt_L"]
    want = expected_keys(tokens)
    ev = Events(vm, KEYBOARD, "typed")
    t0 = time.monotonic()
    # 20 ms a key, as fast as a typist: evread's buffer in the kernel
    # holds 64 events, and under TCG a burst of 60 keys overflows it.
    rc, out = client(vm, "typed", "--delay 20 --keys '%s'"
                     % ",".join(tokens))
    ev.wait(lambda lines: len([x for x in lines if x[0] == "EV_KEY" and
                               x[2] != 2]) >= len(want))
    took = time.monotonic() - t0
    got = ev.keys()
    t.ok(rc == 0 and got == want,
         "a client types %s: exactly the %d key events expected, in order "
         "(%.1f s)" % (" ".join(tokens), len(want), took),
         lambda: "client: %s\nwant: %s\ngot:  %s" % (out, want, got))
    frames = ev.frames()
    t.ok(all(len(f) == 1 for f in frames),
         "each key event is a frame of its own (SYN_REPORT after each)",
         str(frames[:10]))
    repeats = len(ev.keys(repeats=True)) - len(got)
    if repeats:
        t.diag("the kernel repeated %d times a key held longer than its "
               "delay" % repeats)
    ev.stop()

    # A client's repeated press of a held key (as clients repeat) is
    # one press for the machine; the kernel repeats a held key itself.
    ev = Events(vm, KEYBOARD, "repeat")
    rc, out = client(vm, "repeat", "--keys '+a,+a,+a,-a'")
    ev.wait(lambda lines: ("EV_KEY", "KEY_A", 0) in lines)
    t.ok(rc == 0 and ev.keys() == [("KEY_A", 1), ("KEY_A", 0)],
         "a client's repeated press of a held key is one press",
         lambda: "%s\n%s" % (out, ev.keys()))
    ev.stop()

    rc, out = vm.run("grep -E '^(CapEff|Seccomp):' "
                     "/proc/$(pgrep -x rampart-input)/status")
    t.ok(rc == 0 and "CapEff:\t0000000000000000" in out and
         "Seccomp:\t2" in out,
         "rampart-input typed with no capability, in seccomp", out)

    # Killed mid-chord: Shift and A down, auto-repeating, then nothing.
    ev = Events(vm, KEYBOARD, "chord")
    pid = vm.spawn("env ASAN_OPTIONS=detect_leaks=0 %s --timeout 60 "
                   "--keys +Shift_L,+A --hold 60 127.0.0.1:5900"
                   % os.path.join(BUILD, "tests", "client",
                                  "rampart-testclient"), "chord.out")
    now = wait_held(vm, "held: KEY_A KEY_LEFTSHIFT")
    t.ok(now == "held: KEY_A KEY_LEFTSHIFT",
         "a client holds Shift and A: EVIOCGKEY shows them", now)
    ev.wait(lambda lines: ("EV_KEY", "KEY_A", 2) in lines, timeout=5)
    t.ok(("KEY_A", 2) in ev.keys(repeats=True),
         "... and the kernel repeats A (auto-repeat is the machine's)",
         lambda: str(ev.keys(repeats=True)))
    vm.run("kill -KILL %d" % pid)
    now = wait_held(vm, "held: none")
    t.ok(now == "held: none", "the client killed with SIGKILL mid-chord: "
         "no key remains down", now)
    ev.stop()

    # The input helper killed mid-chord: its device goes, and the kernel
    # releases what it held; the next helper's device starts clean.
    ev = Events(vm, KEYBOARD, "helper")
    pid = vm.spawn("env ASAN_OPTIONS=detect_leaks=0 %s --timeout 60 "
                   "--keys +Control_L,+Alt_L --hold 60 127.0.0.1:5900"
                   % os.path.join(BUILD, "tests", "client",
                                  "rampart-testclient"), "helper.out")
    now = wait_held(vm, "held: KEY_LEFTCTRL KEY_LEFTALT")
    rc, old = vm.run("pgrep -x rampart-input")
    vm.run("kill -KILL %s" % old.strip())
    ev.wait(lambda lines: ("EV_KEY", "KEY_LEFTALT", 0) in lines and
            ("EV_KEY", "KEY_LEFTCTRL", 0) in lines, timeout=10)
    t.ok(now == "held: KEY_LEFTCTRL KEY_LEFTALT" and
         ("KEY_LEFTCTRL", 0) in ev.keys() and ("KEY_LEFTALT", 0) in ev.keys(),
         "rampart-input killed with Ctrl+Alt held: the kernel releases "
         "both as the device goes", lambda: "%s %s" % (now, ev.keys()))
    deadline = time.monotonic() + 20
    while True:
        rc, new = vm.run("pgrep -x rampart-input")
        now = held(vm)
        if (rc == 0 and new.strip() != old.strip() and
                now == "held: none") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    t.ok(new.strip() != old.strip() and now == "held: none",
         "... and the restarted helper's keyboard holds nothing", now)
    vm.run("kill -KILL %d" % pid)
    ev.stop()

    # A power key: the broker has no key for XF86PowerOff, or the input
    # helper's policy refuses it; either way it never arrives.
    ev = Events(vm, KEYBOARD, "power")
    rc, out = client(vm, "power", "--keys 0x1008ff2a,x")
    ev.wait(lambda lines: ("EV_KEY", "KEY_X", 0) in lines)
    t.ok(rc == 0 and ev.keys() == [("KEY_X", 1), ("KEY_X", 0)],
         "XF86PowerOff from a client does not arrive (x after it does)",
         lambda: "%s\n%s" % (out, ev.keys()))
    log = r.whole_log()
    t.diag("power key: %s" % (
        "refused by the input helper's policy" if "a power key) refused"
        in log else "the broker has no key for it" if "0x1008ff2a" in log
        else "no log line"))
    ev.stop()

    # The machine sets Caps Lock: the broker hears of it.
    rc, out = vm.run("%s led '%s' LED_CAPSL 1" % (EVREAD, KEYBOARD))
    t.ok(rc == 0 and r.logged("keyboard LEDs 0x2", timeout=10),
         "Caps Lock set on the guest's device reaches rampart "
         "(keyboard LEDs 0x2)", out + r.output())
    rc, out = vm.run("%s led '%s' LED_CAPSL 0" % (EVREAD, KEYBOARD))
    t.ok(rc == 0 and r.logged("keyboard LEDs 0x0", timeout=10),
         "... and its clearing (0x0)", out + r.output())


def check_latency(t, vm, n=30):
    rc, out = vm.run("/usr/bin/python3 %s latency %d"
                     % (os.path.abspath(__file__), n), timeout=120)
    try:
        res = float(out.split("resolution", 1)[1].split()[0])
        lat = sorted(float(v) for v in out.split("\n", 2)[1].split())
    except (ValueError, IndexError):
        res, lat = 0, []
    t.ok(rc == 0 and len(lat) == 2 * n,
         "%d key events timed from a client's send to the evdev event"
         % (2 * n), out)
    if lat:
        t.diag("latency from a client's key (rfb.py in the guest) to its "
               "evdev event, guest under TCG: median %.2f ms, 90th "
               "percentile %.2f, min %.2f, max %.2f (N=%d, clock "
               "resolution %g ns)"
               % (lat[len(lat) // 2], lat[len(lat) * 9 // 10], lat[0],
                  lat[-1], len(lat), res * 1e9))


def check_tablet(t, vm):
    out = info(vm, TABLET)
    t.ok("props: INPUT_PROP_POINTER\n" in out and
         "EV_ABS: ABS_X=0..65535 ABS_Y=0..65535\n" in out and
         "REL_X" not in out and "REL_WHEEL_HI_RES" in out and
         "BTN_EXTRA" in out,
         "'%s': absolute, buttons and wheels, no relative motion" % TABLET,
         out)
    kind = udev_kind(vm, out)
    t.ok(kind == ["ID_INPUT", "ID_INPUT_MOUSE"],
         "udev's input_id takes it for a mouse (an absolute one, as "
         "QEMU's usb-tablet): %s" % " ".join(kind))
    # A click at each spot: the broker sends motion at most every 8 ms
    # and may merge moves that reach it together (a busy guest), but a
    # button goes after the move before it, never merged.
    ev = Events(vm, TABLET, "tablet")
    spots = [(640, 400), (0, 0), (W - 1, 0), (0, H - 1), (W - 1, H - 1),
             (640, 400)]
    rc, out = client(vm, "moves", "--delay 60 --pointer '%s'" % ";".join(
        "%d,%d,0;%d,%d,1;%d,%d,0" % (p * 3) for p in spots))
    want = [(at(x, W), at(y, H)) for x, y in spots]

    def clicks():
        """Where the device was at each press of the left button."""
        x = y = 0
        out = []
        for f in ev.frames():
            for c, v in f:
                if c == "ABS_X":
                    x = v
                elif c == "ABS_Y":
                    y = v
            if ("BTN_LEFT", 1) in f:
                out.append((x, y))
        return out

    ev.wait(lambda lines: len(clicks()) >= len(want))
    got = clicks()
    t.ok(rc == 0 and got == want,
         "clicks at the centre and the four corners arrive at %s" % want,
         lambda: "%s\ngot %s" % (out, got))

    masks = [1, 0, 2, 0, 4, 0, 128, 0, 8, 0, 16, 0, 32, 0, 64, 0]
    before = len(ev.lines())
    rc, out = client(vm, "buttons", "--delay 60 --pointer '%s'" % ";".join(
        "640,400,%d" % m for m in masks))
    want = [("BTN_LEFT", 1), ("BTN_LEFT", 0), ("BTN_MIDDLE", 1),
            ("BTN_MIDDLE", 0), ("BTN_RIGHT", 1), ("BTN_RIGHT", 0),
            ("BTN_SIDE", 1), ("BTN_SIDE", 0),
            ("REL_WHEEL", 1), ("REL_WHEEL_HI_RES", 120),
            ("REL_WHEEL", -1), ("REL_WHEEL_HI_RES", -120),
            ("REL_HWHEEL", -1), ("REL_HWHEEL_HI_RES", -120),
            ("REL_HWHEEL", 1), ("REL_HWHEEL_HI_RES", 120)]

    def pressed():
        return [(c, v) for ty, c, v in ev.lines()[before:]
                if ty in ("EV_KEY", "EV_REL")]

    ev.wait(lambda lines: len(pressed()) >= len(want))
    t.ok(rc == 0 and pressed() == want,
         "RFB buttons 1, 2, 3, 8 and wheels 4, 5, 6, 7: %s"
         % " ".join("%s=%d" % w for w in want),
         lambda: "%s\ngot %s" % (out, pressed()))
    ev.stop()


def check_touch(t, vm):
    out = info(vm, TOUCH)
    t.ok("props: INPUT_PROP_DIRECT\n" in out and "BTN_TOUCH" in out and
         "ABS_MT_SLOT=0..0" in out and "ABS_MT_TRACKING_ID" in out and
         "EV_REL" not in out,
         "'%s': direct, BTN_TOUCH, one multi-touch slot" % TOUCH, out)
    kind = udev_kind(vm, out)
    t.ok(kind == ["ID_INPUT", "ID_INPUT_TOUCHSCREEN"],
         "udev's input_id takes it for a touch screen: %s" % " ".join(kind))
    log = "touch.ev"
    pid = vm.spawn("/usr/bin/python3 %s evtime '%s' 60"
                   % (os.path.abspath(__file__), TOUCH), log)
    deadline = time.monotonic() + 20
    while b"ready" not in vm.get(log) and time.monotonic() < deadline:
        time.sleep(0.2)
    rc, out = client(vm, "touch", "--delay 60 --pointer '320,200,0;"
                     "320,200,1;960,600,1;960,600,0;640,400,4;640,400,0'")

    def touches():
        """(positions while down, seconds down) of each touch."""
        out, x, y, cur = [], 0, 0, None
        for line in vm.get(log).decode().splitlines()[1:]:
            ts, ty, code, value = line.split()
            ty, code, value = int(ty), int(code), int(value)
            if ty == EV_ABS and code == 0x35:
                x = value
            elif ty == EV_ABS and code == 0x36:
                y = value
            elif ty == EV_KEY and code == BTN_TOUCH:
                if value:
                    cur = [[], float(ts)]
                elif cur:
                    out.append((cur[0], float(ts) - cur[1]))
                    cur = None
            elif ty == EV_SYN and cur and (not cur[0] or
                                          cur[0][-1] != (x, y)):
                cur[0].append((x, y))
        return out

    deadline = time.monotonic() + 15
    while len(touches()) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    got = touches()
    vm.run("kill %d" % pid)
    first = [(at(320, W), at(200, H)), (at(960, W), at(600, H))]
    t.ok(rc == 0 and len(got) == 2 and got[0][0] == first,
         "left button: a touch at %s that moves to %s and lifts"
         % tuple(first), lambda: "%s\n%s" % (out, got))
    t.ok(len(got) == 2 and got[1][0] == [(at(640, W), at(400, H))] and
         0.78 <= got[1][1] < 3,
         "right button: a long press, down %.3f s (a quick click held "
         "at least 0.8 s, by rampart-input's clock)"
         % (got[1][1] if len(got) == 2 else 0),
         lambda: str(got))


def check_mouse(t, vm):
    out = info(vm, MOUSE)
    t.ok("EV_REL: REL_X REL_Y" in out and "EV_ABS" not in out,
         "'%s': relative motion, no absolute axis" % MOUSE, out)
    kind = udev_kind(vm, out)
    t.ok(kind == ["ID_INPUT", "ID_INPUT_MOUSE"],
         "udev's input_id takes it for a mouse: %s" % " ".join(kind))
    ev = Events(vm, MOUSE, "mouse")
    spots = [(100, 100), (150, 120), (0, H - 1)]
    rc, out = client(vm, "mouse", "--delay 60 --pointer '%s'" % ";".join(
        "%d,%d,0;%d,%d,1;%d,%d,0" % (p * 3) for p in spots))

    def walk():
        """The first frame, and where the pointer was at each press of
        the left button, counting from the corner."""
        frames = ev.frames()
        x = y = 0
        out = []
        for f in frames[1:]:
            for c, v in f:
                if c == "REL_X":
                    x += v
                elif c == "REL_Y":
                    y += v
            if ("BTN_LEFT", 1) in f:
                out.append((x, y))
        return frames[:1], out

    ev.wait(lambda lines: len(walk()[1]) >= len(spots))
    first, got = walk()
    t.ok(rc == 0 and first == [[("REL_X", -65535), ("REL_Y", -65535)]],
         "the first move goes to the corner, in a frame of its own",
         lambda: "%s\ngot %s" % (out, ev.frames()))
    t.ok(got == spots, "then by pixels: clicks at %s" % spots,
         lambda: "got %s\n%s" % (got, ev.frames()))
    ev.stop()


def viewer_differences(vm, name, timeout=20):
    """Wait until what a viewer in the guest sees equals QEMU's
    screendump: the first differences, or []."""
    import rfb
    from PIL import Image
    path = vm.path(name + ".png")
    deadline = time.monotonic() + timeout
    while True:
        rc, out = vm.run("/usr/bin/python3 %s 5900 %s"
                         % (os.path.join(HERE, "grab.py"), path), timeout=90)
        shot = vm.screendump()
        if rc != 0:
            diffs = ["no frame: %s" % out]
        else:
            with Image.open(path) as f:
                diffs = rfb.differences(f.convert("RGB"), shot)
        if not diffs or time.monotonic() > deadline:
            return diffs
        time.sleep(0.5)


def check_console(t, vm):
    """Typed through rampart, shown on tty1: by QEMU and by rampart."""
    from PIL import ImageChops
    text = "rampart typed this"
    out = vm.check("echo 0 > /sys/class/graphics/fbcon/cursor_blink; "
                   "/vm/busybox chvt 1; stty -F /dev/tty1 size")
    rows, cols = (int(v) for v in out.split())
    cw, ch = vm.screendump().size[0] // cols, vm.screendump().size[1] // rows
    vm.check("printf '\\033[?25l\\033[2J\\033[H' > /dev/tty1")
    reader = vm.spawn("sh -c 'exec cat </dev/tty1 >/dev/null'", "cat.log")
    time.sleep(0.5)
    before = vm.screendump()
    r = start(t, vm, "console", "drm --input uinput")
    rc, out = client(vm, "console", "--keys '%s'" % ",".join(
        "space" if c == " " else c for c in text))
    deadline = time.monotonic() + 15
    while True:
        after = vm.screendump()
        box = ImageChops.difference(before, after).getbbox()
        if box and box[2] > (len(text) - 1) * cw or \
                time.monotonic() > deadline:
            break
        time.sleep(0.3)
    t.ok(rc == 0 and box is not None and box[0] < cw and
         (len(text) - 1) * cw < box[2] <= len(text) * cw and box[3] <= ch,
         "'%s' typed by a client shows in tty1's first %d cells in QEMU's "
         "screendump (changed: %s)" % (text, len(text), box), out)
    diffs = viewer_differences(vm, "typed")
    t.ok(not diffs, "rampart's DRM capture shows the same as QEMU",
         "first differences (x, y, viewer, QEMU): %s" % diffs)
    t.ok(r.stop(), "rampart stops")
    vm.run("kill %d" % reader)
    # The same text written to the console looks the same: the right
    # characters were typed, not just some.
    vm.check("printf '\\033[2J\\033[H%s' > /dev/tty1" % text)
    deadline = time.monotonic() + 10
    while True:
        written = vm.screendump()
        diff = ImageChops.difference(after, written).getbbox()
        if not diff or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    t.ok(diff is None, "... exactly as the same text written to tty1",
         "differs in %s" % (diff,))


def check_no_uinput(t, vm):
    """Without the module, rampart says what is missing and stops."""
    from smoke import RAMPART
    if vm.run("test -e /dev/uinput")[0] == 0:
        t.skip("/dev/uinput exists before uinput is loaded")
        return
    rc, out = vm.run("ASAN_OPTIONS=detect_leaks=0 timeout 60 %s "
                     "--foreground --config /dev/null --insecure-no-auth "
                     "--listen "
                     "tcp:127.0.0.1:5900 --capture demo --input uinput"
                     % RAMPART, timeout=90)
    t.ok(rc not in (0, 124) and "/dev/uinput: No such file or directory "
         "(modprobe uinput?)" in out,
         "without the uinput module rampart stops with the reason", out)


def main(t, vm):
    t0 = time.monotonic()
    check_no_uinput(t, vm)
    vm.modprobe("uinput")
    vm.modprobe("evdev")
    # First, while nothing else was typed on tty1: what the later checks
    # type waits in its buffer for a reader.
    check_console(t, vm)
    t.diag("%.1f s: console" % (time.monotonic() - t0))
    r = start(t, vm, "keyboard", "demo --input uinput")
    if not r.up:
        return
    check_keyboard(t, vm, r)
    t.diag("%.1f s: keyboard" % (time.monotonic() - t0))
    check_latency(t, vm)
    t.diag("%.1f s: latency" % (time.monotonic() - t0))
    check_tablet(t, vm)
    t.diag("%.1f s: tablet" % (time.monotonic() - t0))
    t.ok(r.stop(), "rampart stops")
    t.ok(held(vm).startswith("(no device"),
         "its devices are gone with it", held(vm))

    r = start(t, vm, "touch", "demo --input uinput --pointer touch")
    check_touch(t, vm)
    t.diag("%.1f s: touch" % (time.monotonic() - t0))
    t.ok(r.stop(), "rampart stops")
    r = start(t, vm, "mouse", "demo --input uinput --pointer mouse")
    check_mouse(t, vm)
    t.ok(r.stop(), "rampart stops")

    rc, out = vm.run("grep -E 'AddressSanitizer|runtime error:' %s"
                     % " ".join(vm.path(n + ".log") for n in
                                ("keyboard", "touch", "mouse", "console")))
    t.ok(rc == 1, "no sanitizer reports in rampart's logs", out)
    t.diag("the checks took %.1f s after the boot" % (time.monotonic() - t0))


def tsc_clock():
    """Kernel arguments that give the guest a clock of nanoseconds for the
    latency: without them, under TCG, it cannot calibrate its TSC (no PIT,
    HPET or ACPI timer) and counts in jiffies of 4 ms.  TCG's TSC runs at
    the host's rate, which the host's cpuinfo tells where it is constant."""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = f.read()
        mhz = float(cpu.split("cpu MHz", 1)[1].split(":", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return ""
    if " constant_tsc" not in cpu or " tsc_known_freq" not in cpu:
        return ""
    return "tsc_early_khz=%d clocksource=tsc" % (mhz * 1000)


if __name__ == "__main__":
    if sys.argv[1:2] == ["latency"]:
        guest_latency(int(sys.argv[2]))
    elif sys.argv[1:2] == ["evtime"]:
        guest_evtime(sys.argv[2], float(sys.argv[3]))
    else:
        import tap
        from smoke import RAMPART, TESTCLIENT
        if "tsc_early_khz" not in os.environ.get("RAMPART_VM_APPEND", ""):
            os.environ["RAMPART_VM_APPEND"] = (os.environ.get(
                "RAMPART_VM_APPEND", "") + " " + tsc_clock()).strip()
        tap.run(main, limit=300, display="std",
                programs=(RAMPART, TESTCLIENT, EVREAD))
