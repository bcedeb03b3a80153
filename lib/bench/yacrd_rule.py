#!/usr/bin/env python3
"""A plain Python yacrd-style gap rule, the reference for `deno task bench` (paf_classify).

Reads a PAF (plain or gzip), gathers each read's overlap intervals (self-mappings skipped),
computes its coverage with a sweep over the interval ends, and reports the regions at coverage
<= --coverage (where overlaps only touch, a zero-length region): a region inside the read makes
it Chimeric, regions covering more than --not-covered of it NotCovered (yacrd's rule:
"Chimeric" / "NotCovered" / "NotBad"; lib/overlaps/gap_rule.ts is the project's version). Writes yacrd's
report, one row per read (`type, read, length, len,begin,end;...`), and prints a JSON summary
(reads, seconds, peak RSS) on stdout.
"""
import argparse
import gzip
import json
import resource
import sys
import time


def open_paf(path):
    if path == "-":
        return sys.stdin
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rt") if magic == b"\x1f\x8b" else open(path, "r")


def bad_regions(length, iv, c):
    """Maximal runs of coverage <= c as (begin, end) pairs, as yacrd finds them: ends at a
    position count before begins there, so overlaps that touch leave a zero-length region
    (dropped at the read's ends)."""
    begins = sorted(b for b, e in iv if e > b)
    ends = sorted(e for b, e in iv if e > b)
    gaps = []

    def push(b, e):
        if e > b or 0 < b < length:
            gaps.append((b, e))

    n = len(begins)
    depth, run, i, j = 0, 0, 0, 0
    while i < n:
        pos = ends[j] if j < n and ends[j] <= begins[i] else begins[i]
        while j < n and ends[j] == pos:
            if depth == c + 1:
                run = pos
            depth -= 1
            j += 1
        while i < n and begins[i] == pos:
            depth += 1
            if depth == c + 1:
                push(run, pos)
            i += 1
    while j < n and depth > c:
        if depth == c + 1:
            run = ends[j]
        depth -= 1
        j += 1
    if depth <= c:
        push(min(run, length), length)
    return gaps


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paf")
    ap.add_argument("--out", required=True)
    ap.add_argument("--coverage", type=int, default=0)
    ap.add_argument("--not-covered", type=float, default=0.8)
    a = ap.parse_args()
    t0 = time.time()
    reads = {}
    lines = 0
    with open_paf(a.paf) as f:
        for line in f:
            c = line.split("\t", 12)
            lines += 1
            if c[0] == c[5]:
                continue
            for name, length, b, e in ((c[0], c[1], c[2], c[3]), (c[5], c[6], c[7], c[8])):
                r = reads.get(name)
                if r is None:
                    r = reads[name] = [int(length), []]
                r[1].append((int(b), int(e)))
    rows = []
    for name in sorted(reads):
        length, iv = reads[name]
        gaps = bad_regions(length, iv, a.coverage)
        bad = sum(e - b for b, e in gaps)
        if bad > a.not_covered * length:
            kind = "NotCovered"
        elif any(b > 0 and e < length for b, e in gaps):
            kind = "Chimeric"
        else:
            kind = "NotBad"
        rows.append(f"{kind}\t{name}\t{length}\t{';'.join(f'{e - b},{b},{e}' for b, e in gaps)}")
    with open(a.out, "w") as f:
        f.write("\n".join(rows) + "\n")
    print(json.dumps({
        "lines": lines,
        "reads": len(reads),
        "chimeric": sum(r.startswith("Chimeric") for r in rows),
        "seconds": time.time() - t0,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
