#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The text console on bochs, as QEMU shows it: text written to /dev/tty1
changes the screendump exactly where its character cells are, in the
console's colours, the same character looks the same in every cell, and
clearing the console clears the screen.  What a DRM capture of a console
will be held to."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tap      # noqa: E402

from PIL import ImageChops  # noqa: E402

# The Linux console's default colours: light grey on black.
FG = (0xaa, 0xaa, 0xaa)
BG = (0, 0, 0)


def changed(a, b):
    """The box (x0, y0, x1, y1) where two screens differ, or None."""
    return ImageChops.difference(a, b).getbbox()


def wait_change(vm, before, timeout=10):
    """The screen once it differs from before and has settled (fbcon
    draws from a worker), or the last one taken."""
    deadline = time.monotonic() + timeout
    last = before
    while True:
        now = vm.screendump()
        if changed(before, now) and not changed(last, now) or \
                time.monotonic() > deadline:
            return now
        last = now
        time.sleep(0.2)


def tty(vm, text):
    """Write to the console; text holds printf escapes."""
    return vm.run("printf '%s' > /dev/tty1" % text)[0] == 0


def main(t, vm):
    rc, out = vm.run("echo 0 > /sys/class/graphics/fbcon/cursor_blink && "
                     "stty -F /dev/tty1 size")
    try:
        rows, cols = (int(v) for v in out.split())
    except ValueError:
        t.bail("no console size: %s" % out)
    screen = vm.screendump()
    cw, ch = screen.size[0] // cols, screen.size[1] // rows
    t.diag("console %dx%d cells of %dx%d pixels" % (cols, rows, cw, ch))

    # Cleared, with the cursor hidden: one colour all over.
    tty(vm, "\\033[?25l\\033[2J\\033[H")
    deadline = time.monotonic() + 10
    while True:
        blank = vm.screendump()
        colours = blank.getcolors(4)
        if colours == [(blank.size[0] * blank.size[1], BG)] or \
                time.monotonic() > deadline:
            break
        time.sleep(0.2)
    t.ok(colours == [(blank.size[0] * blank.size[1], BG)],
         "a cleared console is black all over", str(colours))

    # Text at the top left: only its cells change, grey on black.
    t.ok(tty(vm, "rampart"), "text written to /dev/tty1")
    shown = wait_change(vm, blank)
    box = changed(blank, shown)
    t.ok(box is not None, "the screendump changes")
    t.ok(box is not None and box[0] >= 0 and box[1] >= 0 and
         box[2] <= 7 * cw and box[3] <= ch,
         "within the first seven cells of the first row",
         "changed box %s, cells %dx%d" % (box, cw, ch))
    colours = shown.crop((0, 0, 7 * cw, ch)).getcolors(16) or []
    t.ok(sorted(c for _, c in colours) == sorted([BG, FG]),
         "in the console's grey on black", str(colours))

    # The same character four times, elsewhere: four identical cells.
    t.ok(tty(vm, "\\033[11;21HXXXX"), "text at row 11, column 21")
    later = wait_change(vm, shown)
    box = changed(shown, later)
    x0, y0 = 20 * cw, 10 * ch
    t.ok(box is not None and box[0] >= x0 and box[1] >= y0 and
         box[2] <= x0 + 4 * cw and box[3] <= y0 + ch,
         "only those four cells change", "changed box %s, expected "
         "within %s" % (box, (x0, y0, x0 + 4 * cw, y0 + ch)))
    cells = [later.crop((x0 + i * cw, y0, x0 + (i + 1) * cw, y0 + ch))
             for i in range(4)]
    t.ok(all(changed(cells[0], c) is None for c in cells[1:]) and
         changed(cells[0], blank.crop((0, 0, cw, ch))) is not None,
         "an X is drawn, the same in each of the four cells")

    # Cleared again: the screen is blank again.
    tty(vm, "\\033[2J")
    again = wait_change(vm, later)
    t.ok(changed(blank, again) is None, "clearing the console clears the "
         "screen", "still differs in %s" % (changed(blank, again),))


if __name__ == "__main__":
    tap.run(main, display="std")
