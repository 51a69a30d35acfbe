#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/vm/drm-console.py on virtio-gpu with two heads."""

import os
import runpy
import sys

sys.argv[1:] = ["virtio"]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "drm-console.py"), run_name="__main__")
