#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Is the pointer drawn into one viewer's picture the shape another was
told?  For tests/integration/cursor.sh.

cursor-check.py PLAIN.ppm DRAWN.ppm SHAPE.out
    PLAIN.ppm: what a viewer that draws the cursor itself (Cursor
    pseudo-encoding) shows; DRAWN.ppm: what a viewer without it shows,
    the same frame; SHAPE.out: rampart-testclient's output with
    "cursor WxH hot X,Y" and its "cursor-row |...|" lines (X black,
    . white, space transparent).  Exits 0 when DRAWN is PLAIN with that
    shape drawn at one place and nothing else changed, and says where
    the hot spot is; 1 otherwise, saying why.
"""
import re
import sys

from PIL import Image, ImageChops


def shape(path):
    rows, hot = [], None
    with open(path) as f:
        for line in f:
            m = re.match(r"cursor (\d+)x(\d+) hot (\d+),(\d+)", line)
            if m:
                rows, hot = [], (int(m.group(3)), int(m.group(4)))
            m = re.match(r"cursor-row \|(.*)\|$", line.rstrip("\n"))
            if m:
                rows.append(m.group(1))
    return rows, hot


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    plain = Image.open(sys.argv[1]).convert("RGB")
    drawn = Image.open(sys.argv[2]).convert("RGB")
    rows, hot = shape(sys.argv[3])
    if not rows or hot is None or plain.size != drawn.size:
        print("no shape, or pictures of different sizes")
        return 1
    h, w = len(rows), len(rows[0])
    box = ImageChops.difference(plain, drawn).getbbox()
    if box is None:
        print("the two pictures are the same: no pointer drawn")
        return 1
    if box[2] - box[0] > w or box[3] - box[1] > h:
        print("they differ in %s, larger than the %dx%d pointer"
              % (box, w, h))
        return 1
    colour = {"X": (0, 0, 0), ".": (255, 255, 255)}
    pp, pd = plain.load(), drawn.load()
    W, H = plain.size
    # Every place where the pointer would cover the differences.
    for y0 in range(box[3] - h, box[1] + 1):
        for x0 in range(box[2] - w, box[0] + 1):
            good = True
            for y in range(min(y0, box[1]), max(y0 + h, box[3])):
                for x in range(min(x0, box[0]), max(x0 + w, box[2])):
                    if not (0 <= x < W and 0 <= y < H):
                        continue
                    want = pp[x, y]
                    if 0 <= x - x0 < w and 0 <= y - y0 < h:
                        c = rows[y - y0][x - x0]
                        if c in colour:
                            want = colour[c]
                        elif c != " ":
                            good = False
                    if pd[x, y] != want:
                        good = False
                        break
                if not good:
                    break
            if good:
                print("the pointer is drawn with its hot spot at %d,%d, "
                      "nothing else differs" % (x0 + hot[0], y0 + hot[1]))
                return 0
    print("they differ in %s, but not by the pointer drawn anywhere" %
          (box,))
    return 1


if __name__ == "__main__":
    sys.exit(main())
