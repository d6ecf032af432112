#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""compare.py -- differential test of libmox-dmarc (RFC 7489 mode) against
libopendmarc.

Usage:
  compare.py -mox MOX_DRIVER -opendmarc OPENDMARC_DRIVER
             [-seed N] [-count N] [-keep DIR] [-known FILE] [-v]

Generates the cases (gen_cases.py, deterministic), runs both drivers and
compares verdict and requested policy case by case. Each line of
known-differences.txt explains one way an implementation deviates:

  id-glob | impl | impl-result | rfc-result | section | note

id-glob is a comma-separated list of globs over case ids; impl is "mox"
or "opendmarc"; impl-result and rfc-result are "VERDICT/POLICY" (globs
allowed in impl-result); when a case matches id-glob and impl's result
matches impl-result, its result is taken as rfc-result, what RFC 7489
(section) gives; rfc-result "*" leaves impl out of that case's
comparison (impl is wrong there and the right result varies by case). The first matching line wins. Every difference that
remains is printed with the case text; the exit status is 0 only when
all are explained (1 otherwise, 2 on usage errors). Unused lines of the
file are reported too (they are stale).
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


class Entry:
    def __init__(self, line, lineno):
        f = [x.strip() for x in line.split(" | ")]
        if len(f) != 6:
            raise ValueError("line %d: want 6 fields separated by \" | \""
                             % lineno)
        self.idglob, self.impl, self.res, self.rfc, self.section, self.note = f
        self.globs = [g.strip() for g in self.idglob.split(",") if g.strip()]
        self.lineno = lineno
        self.used = 0

    def matches(self, cid, impl, res):
        return (impl == self.impl and
                any(fnmatch.fnmatchcase(cid, g) for g in self.globs) and
                fnmatch.fnmatchcase(res, self.res))


def load_known(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            out.append(Entry(line, n))
    return out


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.stderr.write("%s failed (%d): %s\n" % (cmd[0], p.returncode,
                                                   p.stderr))
        sys.exit(2)
    res = {}
    for line in p.stdout.splitlines():
        f = line.split("\t")
        while len(f) < 4:
            f.append("")
        res[f[0]] = ("%s/%s" % (f[1], f[2]), f[3])
    return res


def case_texts(path):
    out, cur, cid = {}, [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("case "):
                cid = line.split()[1]
                cur = [line]
            elif line == "end":
                out[cid] = "\n".join(cur)
            else:
                cur.append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-mox", required=True)
    ap.add_argument("-opendmarc", required=True)
    ap.add_argument("-seed", type=int, default=7489)
    ap.add_argument("-count", type=int, default=400)
    ap.add_argument("-keep")
    ap.add_argument("-known", default=os.path.join(HERE,
                                                   "known-differences.txt"))
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()

    tmp = a.keep or tempfile.mkdtemp(prefix="mox-dmarc-diff-")
    os.makedirs(tmp, exist_ok=True)
    cases = os.path.join(tmp, "cases.txt")
    with open(cases, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_cases.py"),
                        "-seed", str(a.seed), "-count", str(a.count)],
                       stdout=f, check=True)
    known = load_known(a.known)
    mox = run([a.mox, cases])
    od = run([a.opendmarc, cases])
    texts = case_texts(cases)

    agree = explained = 0
    bad = []
    for cid in sorted(texts):
        if cid not in mox or cid not in od:
            bad.append((cid, "missing output"))
            continue
        r = {"mox": mox[cid][0], "opendmarc": od[cid][0]}
        notes = []
        for impl in ("mox", "opendmarc"):
            for e in known:
                if e.matches(cid, impl, r[impl]):
                    e.used += 1
                    notes.append("%s %s -> %s (%s; line %d)" % (
                        impl, r[impl], e.rfc, e.section, e.lineno))
                    r[impl] = e.rfc
                    break
        if "*" in r.values():
            explained += 1
            if a.v:
                print("explained %s: %s" % (cid, "; ".join(notes)))
            continue
        if r["mox"] == r["opendmarc"]:
            if notes:
                explained += 1
                if a.v:
                    print("explained %s: %s" % (cid, "; ".join(notes)))
            else:
                agree += 1
            continue
        bad.append((cid, "mox %s (%s) / opendmarc %s (%s)%s" % (
            mox[cid][0], mox[cid][1], od[cid][0], od[cid][1],
            (" after " + "; ".join(notes)) if notes else "")))
    for cid, why in bad:
        print("DIFFERENCE %s: %s\n%s\n" % (cid, why, texts.get(cid, "")))
    for e in known:
        if e.used == 0:
            print("unused known-differences line %d: %s" % (e.lineno,
                                                             e.idglob))
    print("dmarc differential: %d cases, %d agree, %d explained "
          "differences, %d unexplained" % (len(texts), agree, explained,
                                          len(bad)))
    if not a.keep:
        for fn in os.listdir(tmp):
            os.unlink(os.path.join(tmp, fn))
        os.rmdir(tmp)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
