#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side by side: rampart, libvncserver and neatvnc on the same workloads.

    bench/side-by-side.py [--workloads desktop-1080p,browser-1080p,video-720p]
        [--servers rampart,libvncserver,neatvnc] [--encodings tight,zrle]
        [--clients 1,4,16] [--json FILE] [--build DIR] ...

For each workload, server, encoding and number of viewers: start the
server on a loopback port with the workload, start bench/vncmeasure (K
viewers on libvncclient asking for updates continuously), and measure the
server's CPU time (utime + stime from /proc, every process of it: for
rampart the supervisor, its helpers and what it reaped), its memory (the
largest PSS seen, summed over its processes, without the mapping of the
workload file, which every server maps and reads alike) and what the
viewers got.  Prints a markdown table per workload and writes every
figure to a JSON file.  doc/PERFORMANCE.md ("Side by side with
libvncserver and neatvnc") explains the columns and the fairness rules.

Every server gets the same frames at the same rate: rampart's replay
source plays one frame of the file per tick at the file's rate, from the
first viewer on, and starts again at the end; the peers (bench/peer.c) do
exactly that.  So that the last frame can be checked, the workload is
decompressed with `zstd -d` and its last frame is repeated for --hold
seconds at the end of the file (rampart's replay, and the peers, drop to
5 frames a second after 1 s without a change, so the repeat is fps + 5 *
hold frames long): every server then holds the last frame while the
viewers settle.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(HERE)
HZ = os.sysconf("SC_CLK_TCK")

WORKLOADS = ["desktop-1080p", "browser-1080p", "video-720p"]
SERVERS = ["rampart", "libvncserver", "neatvnc"]
# name: (libvncclient encoding, JPEG quality level or -1)
ENCODINGS = {
    "tight": ("tight", 6),
    "zrle": ("zrle", -1),
}
IDLE_FPS = 5            # capture/capture.h CAPTURE_IDLE_FPS


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def encoding_spec(name):
    """tight (quality 6), tight:N, zrle, raw, hextile ..."""
    if name in ENCODINGS:
        return ENCODINGS[name]
    m = re.fullmatch(r"tight:(\d)", name)
    if m:
        return ("tight", int(m.group(1)))
    return (name, -1)


def viewer_encodings(args, enc):
    """What the viewers list: the encoding, then CopyRect, as every real
    viewer does (a server that never sends CopyRect is not affected)."""
    return enc if args.no_copyrect else enc + " copyrect"


# --- the workload -----------------------------------------------------------

def frames_header(path):
    with open(path, "rb") as f:
        h = f.read(64)
    if h[:8] != b"RFRAMES1":
        raise SystemExit(f"{path}: not a .frames file")
    (version, width, height, stride, fourcc, count,
     fps) = struct.unpack_from("<7I", h, 8)
    return dict(width=width, height=height, stride=stride, fourcc=fourcc,
                count=count, fps=fps)


def prepare_workload(src, dst, hold):
    """Decompress src into dst and repeat its last frame: fps frames at the
    full rate, then hold seconds at the idle rate.  Returns the header of
    the original, with the index of the last frame that differs from the
    one before (last_change), and the number of frames that differ from
    the one before (plus the first), which is the most updates a viewer
    can get."""
    side = dst + ".json"
    try:
        with open(side) as f:
            done = json.load(f)
        if done["src"] == os.path.abspath(src) and done["hold"] == hold and \
                os.path.getsize(dst) == done["size"]:
            log(f"  {dst}: prepared before")
            h = done["header"]
            h["last_change"] = done["last_change"]
            return h, done["changed"]
    except (OSError, ValueError, KeyError):
        pass    # not prepared, or by an older version: again
    t = time.time()
    subprocess.run(["zstd", "-q", "-d", "-f", src, "-o", dst], check=True)
    # rampart's capture helper reads it as whatever user it runs as.
    os.chmod(dst, 0o644)
    h = frames_header(dst)
    size = h["stride"] * h["height"]
    changed = 1
    last_change = 0
    with open(dst, "r+b") as f:
        prev = None
        for i in range(h["count"]):
            f.seek(64 + i * size)
            cur = f.read(size)
            if prev is not None and cur != prev:
                changed += 1
                last_change = i
            prev = cur
        extra = h["fps"] + IDLE_FPS * hold
        f.seek(0, os.SEEK_END)
        for _ in range(extra):
            f.write(prev)
        f.seek(28)
        f.write(struct.pack("<I", h["count"] + extra))
    with open(side, "w") as f:
        json.dump(dict(src=os.path.abspath(src), hold=hold, header=h,
                       changed=changed, last_change=last_change,
                       size=os.path.getsize(dst)), f)
    h["last_change"] = last_change
    log(f"  {os.path.basename(src)}: {h['count']} frames "
        f"{h['width']}x{h['height']} at {h['fps']} fps, {changed} differ "
        f"from the one before (first included); {extra} repeats of the "
        f"last added ({time.time() - t:.1f} s)")
    return h, changed


# --- processes --------------------------------------------------------------

def children_of(pid):
    """Every live descendant of pid, from /proc (by parent pid, not name)."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        st = f.read()
    return st[st.rindex(")") + 2:].split()


def cpu_seconds(pid):
    """utime + stime of pid and its live descendants, and cutime + cstime of
    each (children they reaped), in seconds."""
    total = 0
    for p in [pid] + children_of(pid):
        try:
            f = stat_fields(p)
        except OSError:
            continue
        # Fields 14-17 of stat: utime stime cutime cstime; f[0] is 3.
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total / HZ


def pss_kib(pid, skip_path):
    """PSS of pid and its descendants, without mappings of skip_path."""
    total = 0
    for p in [pid] + children_of(pid):
        try:
            with open(f"/proc/{p}/smaps") as f:
                skip = False
                for line in f:
                    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                        parts = line.split(None, 5)
                        skip = len(parts) == 6 and \
                            parts[5].strip() == skip_path
                    elif line.startswith("Pss:") and not skip:
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


class MemSampler(threading.Thread):
    def __init__(self, pid, skip_path, every=0.5):
        super().__init__(daemon=True)
        self.pid, self.skip, self.every = pid, skip_path, every
        self.max = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.max = max(self.max, pss_kib(self.pid, self.skip))
            self.halt.wait(self.every)

    def stop(self):
        self.halt.set()
        self.join()
        self.max = max(self.max, pss_kib(self.pid, self.skip))
        return self.max


def free_port():
    for _ in range(100):
        port = random.randint(20000, 60000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit("no free port")


def listening(port):
    out = subprocess.run(["ss", "-Htln", f"sport = :{port}"],
                         capture_output=True, text=True).stdout
    return bool(out.strip())


def seccomp_mode(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Seccomp:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def start_server(args, server, frames, port, logf, last):
    if server == "rampart":
        cmd = [os.path.join(args.build, "rampart"), "--foreground",
               "--config", "/dev/null", "--insecure-no-auth",
               "--listen", f"tcp:127.0.0.1:{port}",
               "--capture", f"replay:{frames}", "--input", "none"]
    elif server == "libvncserver":
        cmd = [os.path.join(HERE, "peer-libvncserver"), "-f", frames,
               "-p", str(port), "-m", args.libvncserver_mode,
               "-d", str(args.libvncserver_defer),
               "-r", str(args.libvncserver_max_rects), "-w", str(last),
               "-t", str(args.peer_tile)]
    else:
        cmd = [os.path.join(HERE, "peer-neatvnc"), "-f", frames,
               "-p", str(port), "-w", str(last), "-t", str(args.peer_tile)]
    proc = subprocess.Popen(cmd, stdout=logf, stderr=logf,
                            stdin=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{server} exited with {proc.returncode}")
        up = listening(port)
        if up and server == "rampart":
            # Up once the broker and the capture helper are in their
            # sandbox (the replay file is open and scanned by then).
            kids = {comm(p): p for p in children_of(proc.pid)}
            up = all(k in kids and seccomp_mode(kids[k]) == 2
                     for k in ("rampart-broker", "rampart-capture"))
        if up:
            return proc
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{server} did not come up")


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# --- one run ----------------------------------------------------------------

def warm(path):
    """Read the whole workload, so that every server finds it in the page
    cache: on a machine that reclaims cold pages (DAMON here), the first
    run after another workload's would otherwise pay for the disk."""
    with open(path, "rb", buffering=0) as f:
        while f.read(16 << 20):
            pass


def run_one(args, workload, header, changed, frames, server, encname, k):
    enc, quality = encoding_spec(encname)
    duration = header["count"] / header["fps"]
    port = free_port()
    warm(frames)
    logpath = os.path.join(args.tmp, f"{server}-{workload}-{encname}-{k}.log")
    load = loadavg()
    with open(logpath, "w") as logf:
        proc = start_server(args, server, frames, port, logf,
                            header["last_change"])
        try:
            sampler = MemSampler(proc.pid, frames)
            sampler.start()
            cpu0 = cpu_seconds(proc.pid)
            t0 = time.time()
            out = subprocess.run(
                [os.path.join(HERE, "vncmeasure"), "-H", "127.0.0.1",
                 "-p", str(port), "-f", frames, "-d", f"{duration:.3f}",
                 "-k", str(k), "-e", viewer_encodings(args, enc),
                 "-q", str(quality),
                 "-c", str(args.compress), "-s", str(args.settle)],
                capture_output=True, text=True,
                timeout=duration + args.settle + 120)
            wall = time.time() - t0
            cpu1 = cpu_seconds(proc.pid)
            pss = sampler.stop()
            alive = proc.poll() is None
        finally:
            stop_server(proc)
    # The peers' replay, as they saw it (rampart's capture says nothing).
    played = None
    with open(logpath) as f:
        pm = re.search(r"played (\d+) steps in (\d+) ms .* frame \d+ shown "
                      r"after (\d+) ms", f.read())
    if pm and int(pm.group(3)) > 0:
        played = dict(steps=int(pm.group(1)), ms=int(pm.group(2)),
                      workload_ms=int(pm.group(3)),
                      fps=round(1000 * header["last_change"] /
                                int(pm.group(3)), 2))
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"vncmeasure failed: {out.stderr.strip()[-500:]}")
    m = json.loads(out.stdout.strip().splitlines()[-1])
    cpu = cpu1 - cpu0
    updates = m["updates"]
    raw_equiv = m["pixels"] * 4 + m["rects"] * 12 + updates * 4
    r = dict(
        workload=workload, server=server, encoding=encname,
        rfb_encoding=enc, viewer_encodings=viewer_encodings(args, enc),
        quality=quality, compress=args.compress,
        clients=k, source_fps=header["fps"], source_frames=header["count"],
        source_updates=changed, duration_s=duration, wall_s=round(wall, 3),
        server_cpu_s=round(cpu, 3),
        server_cpu_pct=round(100 * cpu / wall, 1) if wall else None,
        server_alive=alive,
        cpu_ms_per_update=round(1000 * cpu / updates, 3) if updates else None,
        bytes_per_update=round(m["bytes"] / updates) if updates else None,
        pixels_per_update=round(m["pixels"] / updates) if updates else None,
        raw_ratio=round(m["bytes"] / raw_equiv, 3) if raw_equiv else None,
        ups_per_client=round(updates / k / duration, 2),
        ups_min=round(m["updates_min"] / duration, 2),
        delivered=round(updates / k / changed, 3),
        delivered_min=round(m["updates_min"] / changed, 3),
        exact=m["exact"], psnr_min_db=m["psnr_min_db"],
        last_update_after_s=round(m["last_update_s"] - duration, 2),
        final_after_s=None if m.get("final_s") is None else
        round(m["final_s"] - duration, 2),
        replay=played,
        pss_max_mib=round(pss / 1024, 1),
        client_cpu_s=m["client_cpu_s"], loadavg_before=load,
        measure=m, log=logpath,
    )
    return r


# --- report -----------------------------------------------------------------

def fmt_final(r):
    m = r.get("measure", {})
    if m.get("connected", r["clients"]) < r["clients"] or m.get("failed"):
        return (f"{m.get('connected')}/{r['clients']} connected, "
                f"{m.get('failed')} failed")
    if r["exact"] == r["clients"]:
        return f"exact {r['exact']}/{r['clients']}"
    if r["psnr_min_db"] is None:
        return f"exact {r['exact']}/{r['clients']}"
    return f"{r['psnr_min_db']:.1f} dB ({r['exact']}/{r['clients']} exact)"


def replay_fps(r):
    """The rate at which a peer's replay reached the workload's last
    change (rampart's capture helper does not say)."""
    if r.get("replay"):
        return f"{r['replay']['fps']:.1f}"
    return "-"


def last_frame(r):
    """When the last viewer had the last frame, after the workload's end:
    exactly (lossless), else the time of its last update."""
    if r.get("final_after_s") is not None:
        return f"{r['final_after_s']:+.1f} s"
    return f"({r['last_update_after_s']:+.1f} s)"


def table(rows):
    head = ("| server | encoding | K | CPU ms/update | KiB/update | "
            "vs Raw | updates/s/client (min) | of source frames, "
            "mean (min) | replay fps | last frame | final frame | "
            "PSS MiB | server CPU | viewers' CPU | load |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        name = r["server"]
        if r["raw_ratio"] is not None and r["raw_ratio"] >= 0.9 and \
                r["rfb_encoding"] != "raw":
            name += " (Raw)"
        enc = r["encoding"] if r["quality"] < 0 else \
            f"{r['rfb_encoding']} q{r['quality']}"
        cpu = "-" if r["cpu_ms_per_update"] is None else \
            f"{r['cpu_ms_per_update']:.2f}"
        kib = "-" if r["bytes_per_update"] is None else \
            f"{r['bytes_per_update'] / 1024:.1f}"
        ratio = "-" if r["raw_ratio"] is None else f"{r['raw_ratio']:.3f}"
        lines.append(
            f"| {name} | {enc} | {r['clients']} | {cpu} | {kib} | {ratio} "
            f"| {r['ups_per_client']:.1f} ({r['ups_min']:.1f}) "
            f"| {100 * r['delivered']:.0f}% ({100 * r['delivered_min']:.0f}%)"
            f" | {replay_fps(r)} | {last_frame(r)}"
            f" | {fmt_final(r)} | {r['pss_max_mib']:.0f} "
            f"| {r['server_cpu_pct']:.0f}% "
            f"| {100 * r['client_cpu_s'] / r['wall_s']:.0f}% "
            f"| {r['loadavg_before']:.1f} |")
    return "\n".join(lines)


def report(path):
    with open(path) as f:
        d = json.load(f)
    seen = []
    for r in d["runs"]:
        if r["workload"] not in seen:
            seen.append(r["workload"])
    for w in seen:
        rows = [r for r in d["runs"] if r["workload"] == w and
                "error" not in r]
        r0 = rows[0]
        print(f"\n### {w}: {r0['source_frames']} frames at "
              f"{r0['source_fps']} fps, {r0['source_updates']} of them "
              f"differ from the one before\n")
        print(table(rows))
        for r in d["runs"]:
            if r["workload"] == w and "error" in r:
                print(f"\n{r['server']} {r['encoding']} K={r['clients']}: "
                      f"failed: {r['error']}")
    m = d["meta"]
    print(f"\n{len(d['runs'])} runs, {m['date']}, commit {m['commit']}, "
          f"{m.get('total_s', '?')} s, nice {m.get('nice', 0)}")


def git_head():
    try:
        return subprocess.run(["git", "-C", TREE, "rev-parse", "HEAD"],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def ensure_built(args, servers):
    need = ["bench/vncmeasure", "bench/peer-libvncserver"]
    if "neatvnc" in servers:
        need.append("bench/peer-neatvnc")
    missing = [n for n in need if not os.access(os.path.join(TREE, n),
                                                os.X_OK)]
    if "bench/peer-neatvnc" in missing:
        have = subprocess.run(["pkg-config", "--exists", "neatvnc"]).returncode
        if have != 0 and args.install:
            log("installing libneatvnc-dev (apt-get)")
            subprocess.run(["apt-get", "install", "-y", "-q",
                            "libneatvnc-dev"], check=True)
            have = 0
        if have == 0:
            # configure found no neatvnc before: look again.
            subprocess.run(["./config.status", "--recheck"], cwd=TREE,
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["./config.status"], cwd=TREE, check=True,
                           stdout=subprocess.DEVNULL)
        else:
            log("neatvnc is not installed: skipping it "
                "(apt-get install libneatvnc-dev, or --install)")
            servers.remove("neatvnc")
            missing.remove("bench/peer-neatvnc")
    if missing:
        subprocess.run(["make", "-C", TREE, "-j2"] + missing, check=True,
                       stdout=subprocess.DEVNULL)
    if "rampart" in servers and \
            not os.access(os.path.join(args.build, "rampart"), os.X_OK):
        raise SystemExit(f"{args.build}/rampart is not built")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--workload-dir",
                    default=os.environ.get("RAMPART_WORKLOADS",
                                           os.path.join(TREE, "..", "shared",
                                                        "workloads")))
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--encodings", default="tight,zrle",
                    help="tight (quality 6), tight:N, zrle, raw, ...")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--no-copyrect", action="store_true",
                    help="the viewers do not list CopyRect")
    ap.add_argument("--compress", type=int, default=2,
                    help="Tight's compress level (TigerVNC's default: 2)")
    ap.add_argument("--hold", type=int, default=10,
                    help="seconds the last frame is held at the end")
    ap.add_argument("--settle", type=float, default=10,
                    help="at most this long after the workload for the "
                    "last frame to arrive")
    ap.add_argument("--build", default=TREE,
                    help="build tree whose rampart runs (default: this one)")
    ap.add_argument("--peer-tile", type=int, default=64,
                    help="side of the peers' damage tiles (rampart's: 64)")
    ap.add_argument("--libvncserver-mode", default="threads",
                    choices=["threads", "loop"])
    ap.add_argument("--libvncserver-defer", type=int, default=0)
    ap.add_argument("--libvncserver-max-rects", type=int, default=50)
    ap.add_argument("--nice", type=int, default=0,
                    help="niceness of the whole run (and of its session's "
                    "autogroup): on a machine shared with other work, -10 "
                    "keeps that work from deciding the rates (root only)")
    ap.add_argument("--json", default=None,
                    help="results (default: side-by-side-DATE.json here)")
    ap.add_argument("--tmp", default=None,
                    help="where the workloads are decompressed (kept)")
    ap.add_argument("--report", metavar="FILE.json",
                    help="print the tables of an earlier run and exit")
    ap.add_argument("--install", action="store_true",
                    help="apt-get install libneatvnc-dev when missing")
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return

    if args.nice:
        # With autogroup scheduling (sched_autogroup_enabled), niceness
        # counts only inside a session: the session's autogroup must be
        # given it too, or other sessions' work still takes the same share.
        os.nice(args.nice)
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(args.nice))
        except OSError as e:
            log(f"autogroup nice not set: {e}")
    servers = args.servers.split(",")
    for s in servers:
        if s not in SERVERS:
            raise SystemExit(f"unknown server {s}")
    encodings = args.encodings.split(",")
    clients = [int(k) for k in args.clients.split(",")]
    workloads = args.workloads.split(",")
    args.build = os.path.abspath(args.build)
    ensure_built(args, servers)
    keep = args.tmp is not None
    if keep:
        os.makedirs(args.tmp, exist_ok=True)
    else:
        args.tmp = tempfile.mkdtemp(prefix="side-by-side.")
        os.chmod(args.tmp, 0o755)
    jpath = args.json or time.strftime("side-by-side-%Y%m%d-%H%M%S.json")

    start = time.time()
    results = []
    meta = dict(date=time.strftime("%Y-%m-%d %H:%M:%S %z"),
                commit=git_head(), build=args.build, host=platform.node(),
                kernel=platform.release(), cpus=os.cpu_count(),
                servers=servers, encodings=encodings, clients=clients,
                workloads=workloads, compress=args.compress, hold=args.hold,
                settle=args.settle, nice=args.nice,
                peer_tile=args.peer_tile,
                libvncserver=dict(mode=args.libvncserver_mode,
                                  defer_ms=args.libvncserver_defer,
                                  max_rects=args.libvncserver_max_rects))
    try:
        for w in workloads:
            src = os.path.join(args.workload_dir, w + ".frames.zst")
            if not os.path.exists(src):
                raise SystemExit(f"{src}: no such workload")
            frames = os.path.join(args.tmp, w + ".frames")
            log(f"{w}:")
            header, changed = prepare_workload(src, frames, args.hold)
            rows = []
            for server in servers:
                for enc in encodings:
                    for k in clients:
                        try:
                            r = run_one(args, w, header, changed, frames,
                                        server, enc, k)
                        except (RuntimeError,
                                subprocess.TimeoutExpired) as e:
                            log(f"  {server} {enc} K={k}: FAILED: {e}")
                            results.append(dict(workload=w, server=server,
                                                encoding=enc, clients=k,
                                                error=str(e)))
                            continue
                        log(f"  {server} {enc} K={k}: "
                            f"{r['cpu_ms_per_update']} ms/update, "
                            f"{r['ups_per_client']} updates/s/client, "
                            f"{fmt_final(r)}, {r['wall_s']:.1f} s")
                        rows.append(r)
                        results.append(r)
                        with open(jpath, "w") as f:
                            json.dump(dict(meta=meta, runs=results), f,
                                      indent=1)
            print(f"\n### {w}: {header['width']}x{header['height']}, "
                  f"{header['count']} frames at {header['fps']} fps, "
                  f"{changed} of them differ from the one before\n")
            print(table(rows), flush=True)
            if not keep:
                os.unlink(frames)
                os.unlink(frames + ".json")
    finally:
        if not keep:
            shutil.rmtree(args.tmp, ignore_errors=True)
    meta["total_s"] = round(time.time() - start, 1)
    with open(jpath, "w") as f:
        json.dump(dict(meta=meta, runs=results), f, indent=1)
    print(f"\n{len(results)} runs in {meta['total_s']:.0f} s; "
          f"every figure in {jpath}")


if __name__ == "__main__":
    main()
