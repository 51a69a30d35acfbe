#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run in the guest: connect to rampart on 127.0.0.1:PORT with rfb.py
(Raw, DesktopSize, ExtendedDesktopSize), take a full frame with its
pixels, write it to OUT.png and print the screens it was told, one per
line: "id x y w h".  Usage: grab.py PORT OUT.png"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rfb      # noqa: E402

with rfb.Client("127.0.0.1", int(sys.argv[1])) as c:
    c.frame().save(sys.argv[2])
    for s in c.screens:
        print(s.id, s.x, s.y, s.w, s.h)
