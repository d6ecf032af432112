#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""compare.py -- differential test of SPF implementations.

Usage:
  compare.py [-mox MOX_DRIVER] [-libspf2 LIBSPF2_DRIVER] [-no-pyspf]
             [-seed N] [-scale K] [-keep DIR] [-known FILE] [-v]

Generates the cases (gen_cases.py, deterministic), runs every driver that
is given (pyspf_driver.py always, unless -no-pyspf), and compares their
results query by query. Each line of known-differences.txt explains one
way a given implementation deviates from RFC 7208:

  id-glob | impl | impl-result | rfc-result | section | detail-regex | note

(fields are separated by " | ", a bar with a space on each side, so that
a regex may use "|")
id-glob may be a comma-separated list of globs. When a query's id matches
id-glob, the implementation is impl, its result
matches impl-result (a glob) and its detail (error message, reason)
matches detail-regex (Python re.search; empty matches anything), its
result is taken as rfc-result, the result RFC 7208 (section) gives; "*"
as rfc-result leaves the implementation out of that query's comparison.
impl-result "exp" makes an entry about explanations instead: the
implementation's explanation is left out where the regex matches it.

After these corrections every implementation must agree on the result,
and on the explanation where the result is fail. The exit status is 0 only
when all differences are explained; 1 otherwise; 2 on usage errors.
Unexplained differences are printed with the scenario's zone text and the
query so that they can be reproduced.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # Debian's, with python3-spf


class Entry:
    def __init__(self, line, lineno):
        f = [x.strip() for x in re.split(r"(?<=\s)\|(?=\s)", line)]
        if len(f) != 7:
            raise ValueError("line %d: want 7 fields separated by \" | \"" % lineno)
        self.idglob, self.impl, self.res, self.rfc, self.section, rx, self.note = f
        self.globs = [g.strip() for g in self.idglob.split(",") if g.strip()]
        self.rx = re.compile(rx) if rx else None
        self.lineno = lineno
        self.used = 0

    def matches(self, qid, impl, res, text):
        if impl != self.impl or not self.id_matches(qid):
            return False
        if self.res == "exp":
            return False
        if not fnmatch.fnmatchcase(res, self.res):
            return False
        return self.rx is None or self.rx.search(text) is not None

    def id_matches(self, qid):
        return any(fnmatch.fnmatchcase(qid, g) for g in self.globs)

    def matches_exp(self, qid, impl, exp):
        return (self.res == "exp" and impl == self.impl and
                self.id_matches(qid) and
                (self.rx is None or self.rx.search(exp) is not None))


def load_known(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            entries.append(Entry(line, n))
    return entries


def run_driver(name, cmd, casedir, outdir):
    out = os.path.join(outdir, name + ".out")
    with open(out, "w", encoding="utf-8") as f:
        p = subprocess.run(cmd + [casedir], stdout=f, stderr=subprocess.PIPE,
                           timeout=1800)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode("utf-8", "replace"))
        raise SystemExit("compare: %s driver failed with status %d" % (name, p.returncode))
    res = {}
    with open(out, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            while len(parts) < 4:
                parts.append("")
            res[parts[0]] = (parts[1], parts[2], parts[3])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-mox")
    ap.add_argument("-libspf2")
    ap.add_argument("-no-pyspf", action="store_true")
    ap.add_argument("-seed", type=int, default=7208)
    ap.add_argument("-scale", type=int, default=1)
    ap.add_argument("-keep")
    ap.add_argument("-known", default=os.path.join(HERE, "known-differences.txt"))
    ap.add_argument("-v", action="store_true", help="also list explained differences")
    args = ap.parse_args()

    drivers = []
    if args.mox:
        drivers.append(("mox", [os.path.abspath(args.mox)]))
    if not args.no_pyspf:
        drivers.append(("pyspf", [PYTHON, os.path.join(HERE, "pyspf_driver.py")]))
    if args.libspf2:
        drivers.append(("libspf2", [os.path.abspath(args.libspf2)]))
    if len(drivers) < 2:
        ap.error("need at least two implementations")

    work = args.keep or tempfile.mkdtemp(prefix="mox-spf-interop.")
    os.makedirs(work, exist_ok=True)
    try:
        return compare(args, drivers, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def compare(args, drivers, work):
    casedir = os.path.join(work, "cases")
    subprocess.run([PYTHON, os.path.join(HERE, "gen_cases.py"), "-seed", str(args.seed),
                    "-scale", str(args.scale), casedir], check=True)
    known = load_known(args.known)
    queries = []
    with open(os.path.join(casedir, "queries.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            queries.append(line.rstrip("\n").split("\t"))
    results = {}
    for name, cmd in drivers:
        results[name] = run_driver(name, cmd, casedir, work)

    impls = [n for n, _ in drivers]
    counts = {n: {} for n in impls}
    agree = explained = unexplained = 0
    report = []
    for q in queries:
        qid = q[0]
        corrected = {}
        notes = []
        raw = {}
        for n in impls:
            res, exp, detail = results[n].get(qid, ("missing", "", ""))
            raw[n] = (res, exp, detail)
            counts[n][res] = counts[n].get(res, 0) + 1
            c = res
            for e in known:
                if e.matches(qid, n, res, detail):
                    e.used += 1
                    c = e.rfc
                    notes.append("%s: %s -> %s (RFC 7208 %s, known-differences.txt:%d)" % (
                        n, res, e.rfc, e.section, e.lineno))
                    break
            corrected[n] = c
        considered = [n for n in impls if corrected[n] != "*"]
        verdicts = set(corrected[n] for n in considered)
        problem = None
        if len(verdicts) > 1:
            problem = "result"
        elif verdicts == {"fail"}:
            exps = {}
            for n in considered:
                if raw[n][0] != "fail":
                    continue  # corrected to fail: no explanation to compare
                exp = raw[n][1]
                skip = False
                for e in known:
                    if e.matches_exp(qid, n, exp):
                        e.used += 1
                        skip = True
                        notes.append("%s: explanation left out (RFC 7208 %s, "
                                     "known-differences.txt:%d)" % (n, e.section, e.lineno))
                        break
                if not skip:
                    exps[n] = exp
            if len(set(exps.values())) > 1:
                problem = "explanation"
        if problem:
            unexplained += 1
            report.append((qid, q, problem, raw, notes))
        elif notes:
            explained += 1
            if args.v:
                print("explained %s: %s" % (qid, "; ".join(notes)))
        else:
            agree += 1

    for qid, q, problem, raw, notes in report:
        print("DIFFERENCE %s (%s): ip=%s sender=%s helo=%s" % (qid, problem, q[2], q[3], q[4]))
        for n in impls:
            res, exp, detail = raw[n]
            print("  %-8s %-10s exp=%r detail=%r" % (n, res, exp, detail))
        for note in notes:
            print("  note: " + note)
        zpath = os.path.join(casedir, "zones", q[1] + ".zone")
        with open(zpath, encoding="utf-8") as f:
            for line in f:
                print("  | " + line.rstrip("\n"))
    print("queries: %d; implementations: %s" % (len(queries), ", ".join(impls)))
    for n in impls:
        print("  %s: %s" % (n, ", ".join("%s %d" % kv for kv in sorted(counts[n].items()))))
    print("agree: %d; explained by known-differences.txt: %d; unexplained: %d" % (
        agree, explained, unexplained))
    for e in known:
        if e.used == 0 and e.impl in impls:
            print("note: known-differences.txt:%d not used (%s %s)" % (e.lineno, e.impl, e.idglob))
    if args.keep:
        print("cases and outputs kept in %s" % work)
    return 0 if unexplained == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
