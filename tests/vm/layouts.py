#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keyboard layouts on a real kernel: a VNC client in the guest types
symbols as keysyms, and with --keyboard-layout de and fr they reach the
guest's uinput keyboard (read back by tests/vm/evread) as the key and the
modifiers that type them on that layout: what a German or French machine
shows is the symbol the viewer's user typed.  With QEMU's Extended Key
Event the client's scancodes pass through as they are, whatever the
layout.  A power key typed by a client is refused by the input helper
unless --allow-keys power says otherwise.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from uinput import EVREAD, KEYBOARD, Events, client, start  # noqa: E402

MODIFIERS = {"KEY_LEFTSHIFT": "Shift", "KEY_RIGHTSHIFT": "Shift",
             "KEY_RIGHTALT": "AltGr", "KEY_LEFTCTRL": "Ctrl",
             "KEY_LEFTALT": "Alt"}

# Symbol (keysym for the client) -> the keys that type it on the layout,
# each a key and the modifiers held while it goes down.  Independent of
# XKB: from the keyboards' engravings.
LAYOUTS = {
    "de": [
        ("@", "@", [("KEY_Q", {"AltGr"})]),
        ("\u20ac", "0x20ac", [("KEY_E", {"AltGr"})]),
        ("\u00e4", "0xe4", [("KEY_APOSTROPHE", set())]),
        ("<", "<", [("KEY_102ND", set())]),
        ("|", "|", [("KEY_102ND", {"AltGr"})]),
        ("z", "z", [("KEY_Y", set())]),
        ("Y", "Y", [("KEY_Z", {"Shift"})]),
        # No key of its own: the dead acute, then e.
        ("\u00e9", "0xe9", [("KEY_EQUAL", set()), ("KEY_E", set())]),
    ],
    "fr": [
        ("@", "@", [("KEY_0", {"AltGr"})]),
        ("\u20ac", "0x20ac", [("KEY_E", {"AltGr"})]),
        # The dead diaeresis (Shift on the ^ key), then a (KEY_Q).
        ("\u00e4", "0xe4", [("KEY_LEFTBRACE", {"Shift"}),
                            ("KEY_Q", set())]),
        ("<", "<", [("KEY_102ND", set())]),
        ("|", "|", [("KEY_6", {"AltGr"})]),
        ("a", "a", [("KEY_Q", set())]),
        ("1", "1", [("KEY_1", {"Shift"})]),
    ],
}


def presses(keys):
    """Each press of a key that is not a modifier, with the modifiers
    held at that moment: what the machine typed."""
    held, out = set(), []
    for code, value in keys:
        if code in MODIFIERS:
            (held.add if value else held.discard)(MODIFIERS[code])
        elif value == 1:
            out.append((code, set(held)))
    return out, held


def check_layout(t, vm, layout, symbols):
    r = start(t, vm, layout, "demo --input uinput --keyboard-layout %s"
              % layout)
    if not r.up:
        return
    want = [k for _, _, keys in symbols for k in keys]
    ev = Events(vm, KEYBOARD, "typed-" + layout)
    tokens = ",".join(sym for _, sym, _ in symbols)
    rc, out = client(vm, "typed-" + layout,
                     "--hold 1 --delay 20 --keys '%s'" % tokens)
    ev.wait(lambda lines: len(presses([(c, v) for ty, c, v in lines
                                       if ty == "EV_KEY" and v != 2])[0])
            >= len(want))
    got, left = presses(ev.keys())
    ev.stop()
    t.ok(rc == 0 and got == want,
         "%s: %s typed as keysyms arrive as the keys that type them on "
         "a %s keyboard" % (layout, " ".join(s for s, _, _ in symbols),
                            layout),
         lambda: "client: %s\nwant: %s\ngot:  %s\nevents: %s"
         % (out, want, got, ev.keys()))
    t.ok(not left and ev.keys()[-1][1] == 0,
         "%s: and every modifier pressed for them went up again" % layout,
         str(ev.keys()))

    # (Each client stays a second after its last key, as a viewer does:
    # one that closes at once with updates unread resets the connection,
    # and the kernel drops what it sent last before the broker read it.)
    # A client that sends scancodes (TigerVNC, noVNC, gtk-vnc do): the
    # keys of its keyboard, not a guess from the symbols.  0x2c is the
    # key left of X (Z on us, Y on de), 0x10 the one left of W.
    ev = Events(vm, KEYBOARD, "scancodes-" + layout)
    rc, out = client(vm, "scancodes-" + layout, "--offer qemu-keys "
                     "--hold 1 --delay 20 "
                     "--qemu-keys '0x2c=y,0x10=@,0xb8=0xfe03'")
    ev.wait(lambda lines: ("EV_KEY", "KEY_RIGHTALT", 0) in lines)
    got = ev.keys()
    ev.stop()
    t.ok(rc == 0 and got == [("KEY_Z", 1), ("KEY_Z", 0), ("KEY_Q", 1),
                             ("KEY_Q", 0), ("KEY_RIGHTALT", 1),
                             ("KEY_RIGHTALT", 0)],
         "%s: QEMU extended keys pass through as their scancodes' keys "
         "(KEY_Z, KEY_Q, KEY_RIGHTALT)" % layout,
         lambda: "client: %s\ngot: %s" % (out, got))
    t.ok(r.stop(), "rampart stops")


def check_power(t, vm):
    """XF86PowerOff reaches the machine only with --allow-keys power."""
    for allow, arrives in (("", False), (" --allow-keys power", True)):
        r = start(t, vm, "power" + allow.replace(" ", ""),
                  "demo --input uinput" + allow)
        if not r.up:
            return
        ev = Events(vm, KEYBOARD, "power%d" % arrives)
        rc, out = client(vm, "power%d" % arrives,
                         "--hold 1 --delay 20 --keys 0x1008ff2a,x")
        ev.wait(lambda lines: ("EV_KEY", "KEY_X", 0) in lines)
        keys = ev.keys()
        ev.stop()
        if arrives:
            t.ok(("KEY_POWER", 1) in keys and r.logged("audit: power key"),
                 "with --allow-keys power, XF86PowerOff arrives as "
                 "KEY_POWER, and the audit log says so",
                 lambda: "%s\n%s" % (keys, r.output()))
        else:
            t.ok(rc == 0 and keys == [("KEY_X", 1), ("KEY_X", 0)] and
                 r.logged("a power key) refused"),
                 "by default XF86PowerOff is refused by the input helper, "
                 "and the key after it arrives",
                 lambda: "%s\n%s\n%s" % (out, keys, r.output()))
        t.ok(r.stop(), "rampart stops")


def main(t, vm):
    t0 = time.monotonic()
    vm.modprobe("uinput")
    vm.modprobe("evdev")
    for layout, symbols in LAYOUTS.items():
        check_layout(t, vm, layout, symbols)
    check_power(t, vm)
    t.diag("the checks took %.1f s after the boot" % (time.monotonic() - t0))


if __name__ == "__main__":
    import tap
    from smoke import RAMPART, TESTCLIENT
    tap.run(main, limit=300, display="none",
            programs=(RAMPART, TESTCLIENT, EVREAD))
