#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Search a running process's whole memory for byte patterns.

  memscan.py PID NAME=HEX [NAME=HEX...]

reads every readable mapping of /proc/PID/maps through /proc/PID/mem and
prints, for each pattern, "NAME: found at ADDR (MAPPING)" for each place
(at most 5) or "NAME: not found", then "scanned: N bytes in M regions".
Exits 0 when it could read the process, 1 when not (so that a scan that
read nothing cannot pass as one that found nothing), 2 on a usage error.
A pattern is also searched across the boundary of two adjacent regions.
Regions larger than 1 GiB are skipped and counted: no rampart process
maps that much, but AddressSanitizer's shadow memory is terabytes of
address space, which reading would take hours (and populate).
"""

import sys

REGION_MAX = 1 << 30


def regions(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split(None, 5)
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            perms = fields[1]
            path = fields[5].strip() if len(fields) > 5 else ""
            if perms[0] != "r" or path == "[vvar]" or path == "[vsyscall]":
                continue
            yield lo, hi, path


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    pid = int(sys.argv[1])
    patterns = []
    for arg in sys.argv[2:]:
        name, _, hexs = arg.partition("=")
        pat = bytes.fromhex(hexs)
        if not pat:
            print("empty pattern %s" % name, file=sys.stderr)
            return 2
        patterns.append((name, pat))
    longest = max(len(p) for _, p in patterns)
    found = {name: [] for name, _ in patterns}
    total = nregions = skipped = 0
    chunk = 1 << 20
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for lo, hi, path in regions(pid):
            if hi - lo > REGION_MAX:
                skipped += 1
                continue
            tail = b""
            tail_addr = lo
            addr = lo
            read_any = False
            while addr < hi:
                n = min(chunk, hi - addr)
                try:
                    mem.seek(addr)
                    data = mem.read(n)
                except (OSError, ValueError, OverflowError):
                    data = b""
                if not data:
                    # An unreadable page (guard, I/O mapping): skip it.
                    addr += 4096
                    tail = b""
                    continue
                read_any = True
                total += len(data)
                buf = tail + data
                base = addr - len(tail)
                for name, pat in patterns:
                    i = buf.find(pat)
                    while i >= 0:
                        where = base + i
                        hits = found[name]
                        if not hits or hits[-1][0] != where:
                            hits.append((where, path))
                        i = buf.find(pat, i + 1)
                keep = longest - 1
                tail = buf[-keep:] if keep else b""
                addr += len(data)
            if read_any:
                nregions += 1
    for name, _ in patterns:
        hits = found[name]
        if not hits:
            print("%s: not found" % name)
        for where, path in hits[:5]:
            print("%s: found at 0x%x (%s)" % (name, where, path or "anon"))
    print("scanned: %d bytes in %d regions; %d larger than 1 GiB skipped"
          % (total, nregions, skipped))
    return 0 if total > 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (FileNotFoundError, PermissionError) as e:
        print("cannot read the process: %s" % e, file=sys.stderr)
        sys.exit(1)
