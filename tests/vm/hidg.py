#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rampart as a USB keyboard and pointer (--input hidg) on a real kernel.

The guest is both sides of a USB cable: dummy_hcd gives it a device
controller (UDC) and the host controller it is plugged into, so the
gadget that contrib/rampart-hid-gadget makes through configfs (libcomposite,
usb_f_hid) is enumerated by the same kernel's usbhid and hid-generic, and
its reports come out as evdev events of two input devices, read with
tests/vm/evread.  rampart runs as root with the demo screen and
--input hidg:/dev/hidg0,/dev/hidg1; the test client (libvncclient) types
and points through it.  Checked: the key codes and the modifiers held at
each press (Shift around '@', Ctrl+c ...), the phantom state of seven
keys, the absolute position at the four corners and the centre, each
button and both wheels, Caps Lock set on the host side reaching
rampart-input, and the host going away (the UDC unbound) and coming back
while a viewer types: the helper neither stalls nor spins, and nothing
stays pressed.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tap      # noqa: E402
from smoke import Rampart, TESTCLIENT, RAMPART   # noqa: E402

BUILD = os.path.abspath(os.environ.get("top_builddir", "."))
SRC = os.path.abspath(os.environ.get("top_srcdir", "."))
EVREAD = os.path.join(BUILD, "tests", "vm", "evread")
SCRIPT = os.path.join(SRC, "contrib", "rampart-hid-gadget")
GADGET = "/sys/kernel/config/usb_gadget/rampart"
NAME = "rampart KVM"         # manufacturer and product of the script
W, H = 1280, 800            # the demo screen


def host_devices(vm, timeout=30):
    """The event nodes of the gadget's keyboard (interface 0) and pointer
    (interface 1) on the host side, once both are there: (kbd, ptr)."""
    deadline = time.monotonic() + timeout
    while True:
        rc, out = vm.run("cat /proc/bus/input/devices")
        found = {}
        for block in out.split("\n\n"):
            if 'N: Name="%s"' % NAME not in block:
                continue
            phys = re.search(r"P: Phys=\S*/input(\d+)", block)
            ev = re.search(r"H: Handlers=.*\b(event\d+)", block)
            if phys and ev:
                found[phys.group(1)] = "/dev/input/" + ev.group(1)
        if "0" in found and "1" in found:
            return found["0"], found["1"]
        if time.monotonic() > deadline:
            return None, None
        time.sleep(0.5)


class Events:
    """evread events on a host-side device, in the background."""

    def __init__(self, vm, node, name):
        self.vm, self.log = vm, name + ".events"
        self.pid = vm.spawn("%s --timeout 120 events %s" % (EVREAD, node),
                            self.log)
        deadline = time.monotonic() + 20
        while "ready" not in self.text() and time.monotonic() < deadline:
            time.sleep(0.2)

    def text(self):
        try:
            return self.vm.get(self.log).decode(errors="replace")
        except OSError:
            return ""

    def lines(self):
        return [line.split() for line in self.text().splitlines()
                if len(line.split()) == 3]

    def stop(self):
        self.vm.run("kill %d 2>/dev/null; sleep 0.3" % self.pid)


def client(vm, name, args, background=False):
    cmd = ("env ASAN_OPTIONS=detect_leaks=0 %s --timeout 60 %s "
           "127.0.0.1:5900"
           % (TESTCLIENT, args))
    if background:
        return vm.spawn(cmd, name + ".client")
    return vm.run(cmd + " 2>&1", timeout=90)


def wait_for(cond, timeout=15):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def presses(lines):
    """(key, modifiers held) at each press of a key that is not a
    modifier, from evread's lines."""
    mods, out = set(), []
    for kind, code, value in lines:
        if kind != "EV_KEY" or value == "2":
            continue
        if re.match(r"KEY_(LEFT|RIGHT)(SHIFT|CTRL|ALT|META)$", code):
            (mods.add if value == "1" else mods.discard)(code)
        elif value == "1":
            out.append((code, tuple(sorted(mods))))
    return out


def clicked_at(lines):
    """The absolute position at each press of the left button."""
    x = y = None
    out = []
    for kind, code, value in lines:
        if kind == "EV_ABS" and code == "ABS_X":
            x = int(value)
        elif kind == "EV_ABS" and code == "ABS_Y":
            y = int(value)
        elif kind == "EV_KEY" and code == "BTN_LEFT" and value == "1":
            out.append((x, y))
    return out


def hid_xy(px, size):
    """What a pixel becomes: the broker's 0..65535 (client.c), then the
    gadget's 0..32767, rounded (hidg.c)."""
    v = px * 65535 // (size - 1)
    return (v * 32767 + 32767) // 65535


def cpu_ticks(vm, pid):
    rc, out = vm.run("cat /proc/%d/stat" % pid)
    fields = out.rsplit(")", 1)[-1].split()
    return int(fields[11]) + int(fields[12]) if rc == 0 else None


def check_gadget(t, vm):
    for m in ("dummy_hcd", "libcomposite", "usb_f_hid", "usbhid",
              "hid_generic", "evdev"):
        vm.modprobe(m)
    rc, out = vm.run("%s 2>&1" % SCRIPT, timeout=60)
    spec = out.strip().splitlines()[-1] if out.strip() else ""
    t.ok(rc == 0 and spec == "hidg:/dev/hidg0,/dev/hidg1",
         "contrib/rampart-hid-gadget makes the gadget and says "
         "--input %s" % spec, out)
    kbd, ptr = host_devices(vm)
    t.ok(kbd is not None, "the host side sees its keyboard (%s) and "
         "pointer (%s)" % (kbd, ptr),
         lambda: vm.run("cat /proc/bus/input/devices; dmesg | tail")[1])
    if kbd is None:
        return None, None, None
    rc, out = vm.run("%s info %s; %s info %s" % (EVREAD, kbd, EVREAD, ptr))
    t.ok(" KEY_A " in out and "LED_CAPSL" in out and "KEY_KPENTER" in out,
         "hid-generic made a keyboard with LEDs of the boot descriptor",
         out)
    t.ok("ABS_X=0..32767" in out and "ABS_Y=0..32767" in out and
         all(b in out for b in ("BTN_LEFT", "BTN_RIGHT", "BTN_MIDDLE",
                                "BTN_SIDE", "BTN_EXTRA", "REL_WHEEL",
                                "REL_HWHEEL")),
         "and an absolute pointer: X, Y 0..32767, five buttons, both "
         "wheels", out)
    return spec, kbd, ptr


def check_typing(t, vm, r, kbd):
    ev = Events(vm, kbd, "keys")
    rc, out = client(vm, "keys", "--delay 40 --keys "
                     "'a,A,1,@,*,~,\",F1,F12,KP_1,KP_Enter,Home,Delete,"
                     "+Control_L,c,-Control_L,+Alt_L,Tab,-Alt_L,"
                     "+Super_L,e,-Super_L'")
    expected = [("KEY_A", ()), ("KEY_A", ("KEY_LEFTSHIFT",)),
                ("KEY_1", ()), ("KEY_2", ("KEY_LEFTSHIFT",)),
                ("KEY_8", ("KEY_LEFTSHIFT",)),
                ("KEY_GRAVE", ("KEY_LEFTSHIFT",)),
                ("KEY_APOSTROPHE", ("KEY_LEFTSHIFT",)),
                ("KEY_F1", ()), ("KEY_F12", ()), ("KEY_KP1", ()),
                ("KEY_KPENTER", ()), ("KEY_HOME", ()), ("KEY_DELETE", ()),
                ("KEY_C", ("KEY_LEFTCTRL",)), ("KEY_TAB", ("KEY_LEFTALT",)),
                ("KEY_E", ("KEY_LEFTMETA",))]
    wait_for(lambda: len(presses(ev.lines())) >= len(expected))
    ev.stop()
    got = presses(ev.lines())
    t.ok(rc == 0 and got == expected,
         "a viewer types a A 1 @ * ~ \" F1 F12 KP_1 KP_Enter Home Delete "
         "Ctrl+c Alt+Tab Super+e: the host gets each key with its "
         "modifiers", "client: %s\ngot:      %s\nexpected: %s\n%s"
         % (out, got, expected, r.output()))
    downs = sum(1 for k, c, v in ev.lines() if k == "EV_KEY" and v == "1")
    ups = sum(1 for k, c, v in ev.lines() if k == "EV_KEY" and v == "0")
    rc, out = vm.run("%s held %s" % (EVREAD, kbd))
    t.ok(downs > 0 and downs == ups and out.strip() == "held: none",
         "every key went up again (%d down, %d up): %s"
         % (downs, ups, out.strip()))

    # Seven keys held: the seventh report is the phantom state, which
    # the host ignores; one up, and the seventh is there.  The client
    # lets a go only when told (the file), so the seven are looked at
    # while they are held, however slow the machine.
    go = vm.path("seven.go")
    pid = client(vm, "seven", "--delay 300 --hold 3 --keys "
                 "+a,+s,+d,+f,+g,+h,+j --wait-file %s --late-keys -a" % go,
                 background=True)
    sent = lambda what: what in vm.run(        # noqa: E731
        "cat %s" % vm.path("seven.client"))[1]
    ok = wait_for(lambda: sent("waiting for"), 40)
    time.sleep(0.5)
    rc, out = vm.run("%s held %s" % (EVREAD, kbd))
    held = out.split()[1:]
    t.ok(ok and sorted(held) == ["KEY_A", "KEY_D", "KEY_F", "KEY_G",
                                 "KEY_H", "KEY_S"],
         "seven keys held: the host keeps the first six, not j (it "
         "ignores the phantom report): %s" % out.strip(),
         lambda: vm.run("cat %s" % vm.path("seven.client"))[1])
    vm.run("touch %s" % go)
    ok = wait_for(lambda: sent("sent key a 0x0061 up"), 10)
    time.sleep(0.5)
    rc, out = vm.run("%s held %s" % (EVREAD, kbd))
    held = out.split()[1:]
    t.ok(ok and sorted(held) == ["KEY_D", "KEY_F", "KEY_G", "KEY_H",
                                 "KEY_J", "KEY_S"],
         "a let go: six again, j among them: %s" % out.strip())
    vm.run("for i in $(seq 100); do kill -0 %d 2>/dev/null || break; "
           "sleep 0.1; done" % pid, timeout=20)
    rc, out = vm.run("%s held %s" % (EVREAD, kbd))
    t.ok(out.strip() == "held: none",
         "the viewer leaves holding them: all up (%s)" % out.strip())


def check_pointer(t, vm, r, ptr):
    # A click at the centre and at each corner: the position of each
    # press is certain (the broker coalesces motion alone, a press never).
    ev = Events(vm, ptr, "corners")
    cx, cy = W // 2, H // 2
    points = [(cx, cy), (0, 0), (W - 1, 0), (0, H - 1), (W - 1, H - 1)]
    plan = ";".join("%d,%d,0;%d,%d,1;%d,%d,0" % (x, y, x, y, x, y)
                    for x, y in points)
    rc, out = client(vm, "corners", "--hold 1 --delay 60 --pointer '%s'"
                     % plan)
    wait_for(lambda: len(clicked_at(ev.lines())) >= len(points))
    ev.stop()
    want = [(hid_xy(x, W), hid_xy(y, H)) for x, y in points]
    got = clicked_at(ev.lines())
    t.ok(rc == 0 and got == want,
         "clicks at the centre and the four corners: the host's "
         "ABS_X/ABS_Y are %s" % got, "client: %s\nexpected %s"
         % (out, want))

    ev = Events(vm, ptr, "pointer")
    # Left, middle, right, back (RFB 8), then wheel up, down, left,
    # right (RFB buttons 4-7), each pressed and let go.
    plan = "%d,%d,0" % (cx, cy)
    for mask in (1, 2, 4, 128, 8, 16, 32, 64):
        plan += ";%d,%d,%d;%d,%d,0" % (cx, cy, mask, cx, cy)
    rc, out = client(vm, "pointer", "--hold 1 --delay 60 --pointer '%s'"
                     % plan)
    wait_for(lambda: "REL_HWHEEL 1" in ev.text())
    time.sleep(0.5)
    ev.stop()
    lines = ev.lines()
    buttons = [(c, v) for k, c, v in lines if k == "EV_KEY"]
    t.ok(buttons == [("BTN_LEFT", "1"), ("BTN_LEFT", "0"),
                     ("BTN_MIDDLE", "1"), ("BTN_MIDDLE", "0"),
                     ("BTN_RIGHT", "1"), ("BTN_RIGHT", "0"),
                     ("BTN_SIDE", "1"), ("BTN_SIDE", "0")],
         "left, middle, right and back press and let go: %s" % buttons)
    wheels = [(c, v) for k, c, v in lines
              if k == "EV_REL" and c in ("REL_WHEEL", "REL_HWHEEL")]
    t.ok(wheels == [("REL_WHEEL", "1"), ("REL_WHEEL", "-1"),
                    ("REL_HWHEEL", "-1"), ("REL_HWHEEL", "1")],
         "wheel up, down, left, right: one notch each: %s" % wheels)


def check_leds(t, vm, r, kbd):
    rc, out = vm.run("%s led %s LED_CAPSL 1 && %s leds %s"
                     % (EVREAD, kbd, EVREAD, kbd))
    t.ok(rc == 0 and "CAPSL" in out, "the host sets Caps Lock", out)
    heard = lambda: all(re.search(r"%s\[\d+\]: keyboard LEDs 0x2" % who,
                                  r.whole_log())             # noqa: E731
                        for who in ("rampart-input", "rampart-broker"))
    t.ok(wait_for(heard),
         "rampart-input reads the LED report and the broker hears it "
         "(\"keyboard LEDs 0x2\" from both)", r.output)
    vm.run("%s led %s LED_CAPSL 0" % (EVREAD, kbd))


def check_host_loss(t, vm, r, helper):
    before = cpu_ticks(vm, helper)
    rc, out = vm.run("echo '' > %s/UDC" % GADGET)
    t.ok(rc == 0, "the UDC unbound: the host is gone", out)
    # A viewer holds Shift and the left button, types, and lets go,
    # all while no host listens.
    rc, out = client(vm, "nohost", "--delay 30 --keys "
                     "+Shift_L,x,y,z,-Shift_L --pointer '10,10,1;20,20,1'")
    t.ok(rc == 0, "a viewer types and clicks meanwhile", out)
    t.ok(r.logged("no USB host listens", "sink hidg: blocked"),
         "rampart-input says no host listens, the sink is blocked",
         r.output)
    time.sleep(2)
    after = cpu_ticks(vm, helper)
    rc, out = vm.run("pgrep -x rampart-input")
    t.ok(out.split() == [str(helper)],
         "the helper lives on (pid %d), not restarted" % helper, out)
    t.ok(before is not None and after is not None and after - before < 50,
         "and does not spin: %s CPU ticks over the outage"
         % (after - before if after is not None and before is not None
            else "?"))
    rc, out = vm.run("echo dummy_udc.0 > %s/UDC" % GADGET)
    kbd, ptr = host_devices(vm)
    t.ok(rc == 0 and kbd is not None, "the UDC bound again: the host "
         "enumerates the keyboard (%s) and pointer (%s)" % (kbd, ptr), out)
    if kbd is None:
        return
    ev = Events(vm, kbd, "after")
    rc, out = client(vm, "after", "--keys q")
    wait_for(lambda: "KEY_Q 0" in ev.text())
    ev.stop()
    t.ok(presses(ev.lines()) == [("KEY_Q", ())],
         "another viewer's q reaches the new host, no modifier with it",
         ev.text() + r.output())
    t.ok(r.logged("a USB host listens again", "sink hidg: ready"),
         "rampart-input says the host is back and the sink ready",
         r.output)
    rc, out = vm.run("%s held %s; %s held %s"
                     % (EVREAD, kbd, EVREAD, ptr))
    t.ok(out.split() == ["held:", "none", "held:", "none"],
         "nothing stays pressed: no key, no button", out)


def main(t, vm):
    spec, kbd, ptr = check_gadget(t, vm)
    if spec is None:
        return
    r = Rampart(vm, "hidg", "tcp:127.0.0.1:5900",
                "demo --input %s" % spec)
    t.ok(r.up and r.logged("sink hidg ready"),
         "rampart --input %s runs" % spec, r.output)
    if not r.up:
        return
    rc, out = vm.run("pid=$(pgrep -x rampart-input) && echo $pid && "
                     "grep -E '^(Seccomp|CapEff|NoNewPrivs):' "
                     "/proc/$pid/status")
    helper = int(out.split()[0]) if rc == 0 else None
    t.ok(rc == 0 and "Seccomp:\t2" in out and
         "CapEff:\t0000000000000000" in out and "NoNewPrivs:\t1" in out,
         "rampart-input writes the reports in seccomp, without "
         "capabilities", out)
    check_typing(t, vm, r, kbd)
    check_pointer(t, vm, r, ptr)
    check_leds(t, vm, r, kbd)
    if helper is not None:
        check_host_loss(t, vm, r, helper)
    t.ok(r.stop(), "rampart stops", r.output)
    t.diag("the sink said blocked %d times (a report waits for the "
           "host's next poll, or no host)"
           % r.whole_log().count("sink hidg: blocked"))
    rc, out = vm.run("grep -E 'AddressSanitizer|runtime error:' %s"
                     % vm.path("hidg.log"))
    t.ok(rc == 1, "no sanitizer reports in rampart's log", out)
    rc, out = vm.run("%s --remove 2>&1" % SCRIPT)
    t.ok(rc == 0 and not os.path.exists(GADGET) and
         vm.run("test -e %s" % GADGET)[0] != 0,
         "--remove takes the gadget apart", out)


if __name__ == "__main__":
    tap.run(main, display="none", limit=240,
            programs=(RAMPART, TESTCLIENT, EVREAD))
