#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run in the guest: connect to rampart on 127.0.0.1:PORT with rfb.py
(Raw, DesktopSize, ExtendedDesktopSize), take a full frame with its
pixels, write it to OUT.png and print the screens it was told, one per
line: "id x y w h".  With CURSOR.png, it lists the Cursor
pseudo-encoding too, so that the server does not draw the pointer into
the frame, waits for the cursor's shape, writes it to CURSOR.png (RGBA,
alpha 255 where opaque) and prints "cursor W H HOT_X HOT_Y".
Usage: grab.py PORT OUT.png [CURSOR.png]"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rfb      # noqa: E402

cursor = len(sys.argv) > 3
encodings = rfb.ENCODINGS + ((rfb.CURSOR,) if cursor else ())
with rfb.Client("127.0.0.1", int(sys.argv[1]), encodings=encodings) as c:
    c.frame().save(sys.argv[2])
    for s in c.screens:
        print(s.id, s.x, s.y, s.w, s.h)
    if cursor:
        k = c.wait_cursor()
        if k is None:
            sys.exit("no cursor shape came")
        k.image.save(sys.argv[3])
        print("cursor", k.image.size[0], k.image.size[1], k.hot_x, k.hot_y)
