#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
chromium-view.py shoot [options] URL SHOT.png FILE.frames INDEX
chromium-view.py compare [--at X,Y] [--psnr DB] SHOT.png FILE.frames INDEX

shoot: loads URL in headless Chromium, driven over the DevTools protocol
on a pipe (--remote-debugging-pipe: no port, nothing to guess), waits
until the page shows a canvas of the frame's size, then takes screenshots
of the whole page until the canvas area equals frame INDEX of the .frames
file pixel for pixel, or the time is up.  The last screenshot is written
to SHOT.png; where the canvas was is printed as "canvas at X,Y".
Options: --timeout SECONDS (20), --window WxH (the frame's size), --psnr DB,
--browser PATH (chromium), --profile DIR (a scratch profile; required),
--log FILE (Chromium's own output; else this script's stderr).  The
page's console messages and errors are written to stderr.

compare: the same check on a saved screenshot, the frame at X,Y (0,0).

A screenshot pixel matches when its red, green and blue equal the frame's
(the frame's fourth byte is not a colour and is ignored).  With --psnr DB
(for either command), for JPEG: the canvas area matches when its peak
signal-to-noise ratio against the frame, over the three channels, is at
least DB.  Exit status: 0
on a match, 1 on a mismatch (how many pixels differ, the first, and the
rows they span), 2 when something cannot be read or Chromium fails.

Chromium runs in a session of its own; it is asked to close and, when it
does not within 5 s (or this script is told to stop), its process group
is killed: nothing it started outlives this script.
"""

import base64
import fcntl
import json
import math
import os
import select
import signal
import struct
import subprocess
import sys
import time

try:
    from PIL import Image
except ImportError:
    sys.stderr.write("chromium-view: python3-pil is not installed\n")
    sys.exit(2)

FRAMES_HEADER = 64
FRAMES_MAGIC = b"RFRAMES1"
FOURCC_XR24 = 0x34325258


class Failure(Exception):
    """Something could not be read or run: exit status 2."""


# --- frames and comparison --------------------------------------------------

def read_frame(path, index):
    """Frame INDEX of a .frames file as (width, height, RGB bytes)."""
    with open(path, "rb") as f:
        hdr = f.read(FRAMES_HEADER)
        if len(hdr) != FRAMES_HEADER or hdr[:8] != FRAMES_MAGIC:
            raise Failure("%s: not a .frames file" % path)
        (version, width, height, stride, fourcc, count,
         _fps) = struct.unpack_from("<7I", hdr, 8)
        if version != 1 or fourcc != FOURCC_XR24 or stride < width * 4:
            raise Failure("%s: unknown version or format" % path)
        if index >= count:
            raise Failure("%s: %d frames only" % (path, count))
        f.seek(FRAMES_HEADER + index * stride * height)
        data = f.read(stride * height)
    if len(data) != stride * height:
        raise Failure("%s: truncated" % path)
    rgb = bytearray(width * height * 3)
    for y in range(height):
        row = data[y * stride:y * stride + width * 4]
        out = y * width * 3
        # XRGB8888 little-endian: bytes B, G, R, X.
        rgb[out + 0:out + width * 3:3] = row[2::4]
        rgb[out + 1:out + width * 3:3] = row[1::4]
        rgb[out + 2:out + width * 3:3] = row[0::4]
    return width, height, bytes(rgb)


def psnr(got, want):
    """The PSNR of two RGB byte strings, in dB (infinite when equal)."""
    sse = sum((a - b) * (a - b) for a, b in zip(got, want))
    if sse == 0:
        return math.inf
    return 10 * math.log10(255 * 255 * len(want) / sse)


def compare(shot, frame, at, floor=None):
    """None when the frame shows at AT in the screenshot (exactly, or at
    FLOOR dB or better), else a reason."""
    width, height, want = frame
    ox, oy = at
    img = shot.convert("RGB")
    if ox < 0 or oy < 0 or ox + width > img.width or oy + height > img.height:
        return "the frame (%dx%d) at %d,%d is not within the screenshot " \
            "(%dx%d)" % (width, height, ox, oy, img.width, img.height)
    got = img.crop((ox, oy, ox + width, oy + height)).tobytes()
    if got == want:
        return None
    if floor is not None:
        db = psnr(got, want)
        if db >= floor:
            return None
        return "PSNR %.1f dB, under the floor of %.1f dB" % (db, floor)
    bad = 0
    first = None
    rows = set()
    for i in range(0, len(want), 3):
        if got[i:i + 3] != want[i:i + 3]:
            bad += 1
            rows.add(i // 3 // width)
            if first is None:
                first = i // 3
    x, y = first % width, first // width
    g = got[first * 3:first * 3 + 3]
    w = want[first * 3:first * 3 + 3]
    return ("%d of %d pixels differ, in %d rows from %d to %d; first at "
            "%d,%d: got rgb %02x%02x%02x, want %02x%02x%02x" %
            (bad, width * height, len(rows), min(rows), max(rows), x, y,
             g[0], g[1], g[2], w[0], w[1], w[2]))


# --- Chromium over the DevTools pipe -----------------------------------------

class Browser:
    """Headless Chromium speaking the DevTools protocol on fds 3 and 4."""

    def __init__(self, binary, profile, window, deadline, logfile):
        self.deadline = deadline
        self.next_id = 0
        self.buf = b""
        self.session = None
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Copies above 4, so that placing one at 3 or 4 cannot clobber
        # the other.
        hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)

        def place():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        args = [
            binary, "--headless", "--remote-debugging-pipe",
            "--no-sandbox",             # as root there is no other way
            "--user-data-dir=" + profile,
            "--no-first-run", "--no-default-browser-check",
            "--disable-gpu", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            "--disable-dev-shm-usage",  # a container's /dev/shm is small
            "--force-device-scale-factor=1", "--force-color-profile=srgb",
            "--window-size=%d,%d" % window,
            "about:blank",
        ]
        out = open(logfile, "ab") if logfile else sys.stderr
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            pass_fds=(3, 4), preexec_fn=place, start_new_session=True)
        if logfile:
            out.close()
        for fd in (to_chrome_r, from_chrome_w, hi_r, hi_w):
            os.close(fd)

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session is not None:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.to_chrome, data)
            data = data[n:]
        return self.wait(self.next_id, method)

    def wait(self, msg_id, method):
        """The result of the call MSG_ID; events are logged or dropped."""
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                msg = json.loads(raw)
                if msg.get("id") == msg_id:
                    if "error" in msg:
                        raise Failure("%s: %s" % (method, msg["error"]))
                    return msg.get("result", {})
                self.event(msg)
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer to " + method)
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if not ready:
                continue
            data = os.read(self.from_chrome, 1 << 20)
            if not data:
                raise Failure("Chromium went away (exit %s)" %
                              self.proc.poll())
            self.buf += data

    @staticmethod
    def event(msg):
        method = msg.get("method", "")
        p = msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in p.get("args", []))
            log("console.%s: %s" % (p.get("type"), text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            log("exception: %s" % d.get("exception", {}).get(
                "description", d.get("text")))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            log("log %s: %s %s" % (e.get("level"), e.get("text"),
                                   e.get("url", "")))

    def attach(self):
        """Attach to the page Chromium opened (or a new one)."""
        target = None
        while target is None:
            for t in self.send("Target.getTargets")["targetInfos"]:
                if t["type"] == "page":
                    target = t["targetId"]
            if target is None:
                if time.monotonic() > self.deadline:
                    target = self.send("Target.createTarget",
                                       {"url": "about:blank"})["targetId"]
                else:
                    time.sleep(0.1)
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate",
                      {"expression": expression, "returnByValue": True})
        return r.get("result", {}).get("value")

    def screenshot(self):
        r = self.send("Page.captureScreenshot", {"format": "png"})
        return base64.b64decode(r["data"])

    def close(self):
        if self.proc.poll() is None:
            try:
                self.deadline = time.monotonic() + 2
                self.send("Browser.close", session=False)
            except (Failure, TimeoutError, OSError):
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # The renderer, GPU and zygote processes are in its group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


def log(text):
    sys.stderr.write("chromium-view: %s\n" % text)
    sys.stderr.flush()


# What the page shows: where noVNC's canvas is, and its state in words
# (vnc_lite.html's status bar, or the title a page of our own sets).
PAGE_STATE = """(() => {
    const c = document.querySelector('canvas');
    const r = c ? c.getBoundingClientRect() : null;
    const s = document.getElementById('status');
    return JSON.stringify({
        canvas: r ? [r.left, r.top, r.width, r.height] : null,
        size: c ? [c.width, c.height] : null,
        state: (s ? s.textContent : '') + ' ' + document.title,
    });
})()"""


def shoot(opts):
    url, shot_path, frames_path, index = opts["args"]
    frame = read_frame(frames_path, int(index))
    width, height = frame[0], frame[1]
    window = opts.get("window") or (width, height)
    deadline = time.monotonic() + opts["timeout"]
    browser = Browser(opts["browser"], opts["profile"], window, deadline,
                      opts["log"])
    why = "the page never showed a canvas"
    png = None
    at = None
    layout = None
    try:
        browser.attach()
        browser.send("Runtime.enable")
        browser.send("Log.enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": window[0], "height": window[1],
                      "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": url})
        state = {}
        while time.monotonic() < deadline:
            state = json.loads(browser.evaluate(PAGE_STATE) or "{}")
            rect = state.get("canvas")
            if rect and state.get("size") != [width, height]:
                why = "the canvas is %dx%d, the frame %dx%d" % (
                    state["size"][0], state["size"][1], width, height)
            elif rect:
                if rect[2:] != [width, height]:
                    why = "the canvas is drawn at %gx%g, not 1:1" % (
                        rect[2], rect[3])
                else:
                    layout = rect[:2]
                    png = browser.screenshot()
                    with open(shot_path, "wb") as f:
                        f.write(png)
                    # Centred in an odd space, layout may put the canvas
                    # half a pixel off the grid; it is drawn on the grid,
                    # to one side or the other.
                    xs = sorted({math.floor(rect[0]), math.ceil(rect[0])})
                    ys = sorted({math.floor(rect[1]), math.ceil(rect[1])})
                    places = [(x, y) for y in ys for x in xs]
                    shot = Image.open(shot_path)
                    for at in places:
                        why = compare(shot, frame, at, opts["psnr"])
                        if why is None:
                            break
                    if why is None:
                        break
                    at = places[0]
            time.sleep(0.2)
        log("page state: %s" % state.get("state", "").strip())
    except TimeoutError as e:
        why = "timed out: %s" % e
    finally:
        browser.close()
    if at is not None:
        print("canvas at %d,%d (layout %g,%g)" % (at + tuple(layout)))
    if png is None:
        raise Failure(why)
    if why is not None:
        print(why)
        return 1
    print(shown(index, opts["psnr"]))
    return 0


def shown(index, floor):
    """What a match is called."""
    if floor is None:
        return "frame %s shows exactly" % index
    return "frame %s shows at %.1f dB or better" % (index, floor)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("shoot", "compare"):
        sys.stderr.write(__doc__)
        return 2
    opts = {"timeout": 20.0, "browser": "chromium", "at": (0, 0),
            "profile": None, "window": None, "log": None, "psnr": None,
            "args": []}
    args = argv[2:]
    while args and args[0].startswith("--"):
        name = args.pop(0)
        if "=" in name:
            name, value = name.split("=", 1)
        elif args:
            value = args.pop(0)
        else:
            sys.stderr.write("%s needs a value\n" % name)
            return 2
        if name == "--timeout":
            opts["timeout"] = float(value)
        elif name == "--browser":
            opts["browser"] = value
        elif name == "--profile":
            opts["profile"] = value
        elif name == "--log":
            opts["log"] = value
        elif name == "--window":
            opts["window"] = tuple(int(v) for v in value.split("x"))
        elif name == "--psnr":
            opts["psnr"] = float(value)
        elif name == "--at":
            opts["at"] = tuple(int(v) for v in value.split(","))
        else:
            sys.stderr.write("unknown option %s\n" % name)
            return 2
    opts["args"] = args
    want = 4 if argv[1] == "shoot" else 3
    if len(args) != want or (argv[1] == "shoot" and not opts["profile"]):
        sys.stderr.write(__doc__)
        return 2
    # A SIGTERM (from the test's clean-up) unwinds, so Chromium is closed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    try:
        if argv[1] == "shoot":
            return shoot(opts)
        why = compare(Image.open(args[0]), read_frame(args[1], int(args[2])),
                      opts["at"], opts["psnr"])
        print(why or shown(args[2], opts["psnr"]))
        return 1 if why else 0
    except (Failure, OSError, ValueError) as e:
        sys.stderr.write("chromium-view: %s\n" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
